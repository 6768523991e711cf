//! What the integration tests, benches and fuzz targets reach inside the crate, and
//! nothing more: each module mirrors the internal path of what it re-exports, so a test
//! names `blinkline::testing::git::object::Pack` where the code says `git::object::Pack`.
//! Hidden from the docs and not a stable interface; the binary needs only the crate root.

pub mod cache {
    pub use crate::cache::{Cache, STALE_TEMPORARY};
}

pub mod cli {
    pub use crate::cli::{Cli, Command};
}

pub mod config {
    pub mod check {
        pub use crate::config::check::parse;
    }
}

pub mod engine {
    pub mod alloc {
        pub use crate::engine::alloc::{
            CountingAllocator, PeakAllocator, allocation_counts, heap_bytes, reset_peak,
        };
    }
    pub mod clock {
        pub use crate::engine::clock::unix_now;
    }
    pub mod frame {
        pub use crate::engine::frame::{FrameBuffer, Placement};
    }
    pub mod pool {
        pub use crate::engine::pool::{JobRunner, Pool};
    }
    pub mod queue {
        pub use crate::engine::queue::Queue;
    }
    pub mod metrics {
        pub use crate::engine::metrics::Counter;
    }
    pub mod sync {
        pub use crate::engine::sync::{AtomicBool, BoundedQueue, Handshake, Parking, WaitWord};
    }
    pub mod slots {
        pub use crate::engine::slots::{Outcome, SlotClaims, SlotContent, SlotTable, SlotView};
    }
}

pub mod format {
    pub mod theme {
        pub use crate::format::theme::{DEFAULT_THEME, to_ansi16};
    }
    pub mod themes {
        pub use crate::format::themes::theme_names;
    }
    pub mod json {
        pub use crate::format::json::JsonSink;
    }
}

pub mod git {
    pub use crate::git::{GitError, Oid, RawOid};

    pub mod config_syntax {
        pub use crate::git::config_syntax::{Item, items};
    }
    pub mod discover {
        pub use crate::git::discover::{GitEnv, discover, parse_gitdir_file};
    }
    pub mod engine {
        pub use crate::git::engine::{LazyStore, stash_count};
    }
    pub mod ignore {
        pub use crate::git::ignore::PatternList;
    }
    pub mod object {
        pub use crate::git::object::{
            MAX_OBJECT_SIZE, ObjectKind, ObjectStore, WalkBudget, ahead_behind, ahead_behind_within,
        };
        pub mod delta {
            pub use crate::git::object::delta::{apply_delta, delta_sizes, encode_size};
        }
        pub mod pack {
            pub use crate::git::object::pack::{EntryHeader, Pack, parse_entry_header};
        }
        pub mod pack_index {
            pub use crate::git::object::pack_index::PackIndex;
        }
        pub mod parse {
            pub use crate::git::object::parse::{
                parse_commit, parse_loose_header, parse_tag, parse_tree,
            };
        }
    }
    pub mod porcelain {
        pub use crate::git::porcelain::{Counts, parse};
    }
    pub mod record {
        pub use crate::git::record::{
            StatusRecord, StatusSource, inspect, record_name, status_key,
        };
    }
    pub mod refresh {
        pub use crate::git::refresh::{RefreshRequest, parse_shortstat, refresh};
    }
    pub mod refs {
        pub use crate::git::refs::{
            HeadTarget, Scratch, packed_lookup, packed_tag_for, parse_head, valid_ref_name,
        };
    }
    pub mod state {
        pub use crate::git::state::parse_config_upstream;
    }
    pub mod status {
        pub use crate::git::status::{
            ConfigEnv, Options, StatusError, Tracked, TreeEntry, TreeSource, Unsupported,
            tracked_status_with,
        };
        pub mod cache_tree {
            pub use crate::git::status::cache_tree::CacheTree;
        }
        pub mod index {
            pub use crate::git::status::index::{parse, read};
        }
    }
    pub mod untracked {
        pub use crate::git::untracked::{
            ConfigEnv, TrackedPaths, UntrackedCache, UntrackedMode, UntrackedSettings,
            count_untracked, count_untracked_with,
        };
    }
    pub mod witness {
        pub use crate::git::witness::RACY;
    }
    pub mod wildmatch {
        pub use crate::git::wildmatch::{PATHNAME, is_glob_special, wildmatch};
    }
}

pub mod usage {
    pub use crate::usage::{Lock, refresh};
}

pub mod input {
    pub use crate::input::parse_session;

    pub mod env {
        pub use crate::input::env::Environment;
    }
    pub mod shell {
        pub use crate::input::shell::ShellContext;
    }
}

pub mod render {
    pub use crate::render::{LayoutEntry, Offload, RenderSettings, Renderer};
}

pub mod sanitize {
    pub use crate::sanitize::clean;
}

pub mod setup {
    pub use crate::setup::{build_renderer, sample_payload};
}

pub mod shell {
    pub use crate::shell::{prompt_builder, shell_context};
}

pub mod tempdir {
    pub use crate::tempdir::TempDir;
}

pub mod transcript {
    pub use crate::transcript::{
        INLINE_LIMIT, Plan, Problem, State, catch_up_file, record_for, refresh, scan_file,
        scan_file_with,
    };

    pub mod record {
        pub use crate::transcript::record::{decode, encode};
    }
    pub mod scan {
        pub use crate::transcript::scan::scan;
    }
    pub mod state {
        pub use crate::transcript::state::State;
    }
}

pub mod watch {
    pub use crate::watch::{Ending, Watcher};

    pub mod ring {
        pub use crate::watch::ring::{FrameRing, RING};
    }
}

pub mod widgets {
    pub use crate::widgets::{Charset, Cost, REGISTRY, RenderContext, Widget};

    pub mod options {
        pub use crate::widgets::options::markdown_table;
    }
}

pub mod width {
    pub use crate::width::WidthRules;
}
