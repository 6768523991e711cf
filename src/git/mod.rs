//! Git: what the `git_branch` and `git_status` widgets show, read without slowing the line.
//!
//! Three paths, chosen by cost:
//! - **Inline, every render** (tens of µs, no process spawned): find the repository
//!   (`discover.rs`), read `HEAD`, loose refs and `packed-refs` (`refs.rs`), the operation
//!   in progress and the branch's upstream from `config` (`state.rs`), and the cached
//!   record (`record.rs`). This is all `git_branch` needs apart from ahead/behind.
//! - **Inline when the record is not fresh and it is cheap** (`inline.rs`): ahead/behind
//!   within a small budget of commits and time, and the whole status of a repository
//!   whose index file is at most 32 KiB, on every render without a watched record, with
//!   the hashing of files bounded by the frame's deadline. The result is shown fresh and
//!   stored after the frame when it changed; no refresher runs.
//! - **The git watcher** (`watch/`): the refresher below stays on after its first status,
//!   watches the repository with inotify and rewrites the record within a millisecond of
//!   a change, comparing only what changed; renders take its record as fresh whatever its
//!   age, and start no refresher while it runs. It stops after 10 minutes without a
//!   render (`BLINKLINE_GIT_WATCH=0` turns it off).
//! - **Detached refresher, after the frame** (`refresh.rs`): `blinkline __refresh-git DIR`
//!   runs the own status engine (`engine.rs`: `status/` for tracked files, `untracked/`,
//!   `object/` for HEAD's tree and ahead/behind, the stash reflog) and stores the counts
//!   and ahead/behind in the cross-process cache (`record.rs`, see `crate::cache`).
//!   Where the engine cannot be exact (`status::Unsupported`: submodules, content
//!   filters, split or sparse indexes, similarity renames, SHA-256, `hasconfig:`
//!   includes, `git -c` settings in the environment, `core.ignoreCase`, a skip-worktree
//!   `.gitignore` git reads from the index) or fails to read something, it runs
//!   `git --no-optional-locks status --porcelain=v2 --branch --show-stash -z` instead
//!   and parses it (`porcelain.rs`). `--diffstat` (the widget's `lines`) still runs
//!   `git diff --shortstat HEAD`: the only git process left on the engine's path, and
//!   only when that option is on. The record names the engine that answered, which
//!   `explain` shows as the widget's source.
//!
//! # Why the own engine first, git as the fallback
//! Same answer (the engine's tests compare every count with `git status` on many repo
//! shapes and fall back where it could differ), less time and no process: the refresher
//! is 1.6 times faster than `git status` alone on the 20,000-file fixture and 1.8 times
//! faster than the refresher that ran git, it works where `git` is not installed, and
//! small repositories need no refresher at all. git stays the authority for the states
//! the engine does not model.
//!
//! # Freshness
//! A record carries the key it was computed under: the git directory, `HEAD` and the
//! commit it resolves to, the index's size, mtime and inode, the stash reflog's identity
//! and the upstream's commit. A render recomputes the key from the files (a few `stat`s
//! and small reads). Edits to working-tree files do not change the key, so a matching
//! key does not make the counts exact: they are shown *fresh* only when they are exact
//! as of the render, that is computed inline by it (a small repository, every render;
//! a later process reuses the recorded counts while the witness stored with them holds:
//! `witness.rs`), or from a record a running watcher vouches for under the current key (`watched`,
//! renewed every second; it follows each change in about a millisecond on the
//! 20,000-file fixture, 0.01× `git status`; `watch/mod.rs` has the figures). Any other
//! record is shown marked stale, and [`crate::widgets::Widget::after_frame`] starts one
//! refresher when the key changed or the record is older than the widget's `refresh_ms`
//! (single flight: the render takes the record's `flock` and hands it to the refresher
//! as its stdin, so concurrent renders never start a second one). `probe.rs` says why a
//! watched record is trusted in the moment between a change and the watcher's rewrite.
//!
//! # Deadline
//! The inline status is bounded by the frame: hashing (the one cost that grows with file
//! sizes, needed where stat data changed but the size did not) gets a byte and time
//! budget from the time left before the frame's deadline (`inline::hash_budget`). A
//! status that would pass it gives up; the render shows the last record marked stale and
//! the refresher, which has no budget, computes it.
//!
//! # Safety of the user's repository
//! Everything is read-only: the engine reads the index and never writes it or takes
//! `index.lock`; the git fallback passes `--no-optional-locks`, so `git status` neither
//! refreshes nor writes the index (which is what makes other prompts race the user's
//! own `git commit`).
//!
//! # Measured
//! The refresher against `git status`, the warm frame, the whole process, inline status
//! in small repositories, counting on every render and a large stat-dirty file: see
//! BENCHMARKS.md, "Git", for the figures and the commands.
//!
//! # Configuration
//! The engine reads git's configuration files in git's order and follows `include.path`
//! and `includeIf` (`gitdir:`, `gitdir/i:`, `onbranch:`) in `config_include.rs`; the
//! syntax is git's (`config_syntax.rs`). The upstream (`state.rs`, read inline on every
//! render) comes from the same files (system, global, repository, worktree) and follows
//! includes when a file has an include section (other files cost nothing extra).
//!
//! # What is left to git, or refused as git refuses it
//! A repository another user owns (unless `safe.directory` allows it), a format version
//! above 1 or an unknown extension in a version 1 repository: the widgets show `⚠ git`,
//! as git itself refuses to work there. Reftable refs are only read by git: there the
//! refresher runs `git status --porcelain=v2 --branch --show-stash -z` and records its
//! counts, ahead/behind and `HEAD` (the branch, or the detached commit with the tag `git
//! describe --tags --exact-match` names), which both widgets show marked stale (no render
//! reads them itself and no watcher runs there); the first render shows nothing, and a
//! bare reftable repository nothing at all (the reason is in `explain`). Replace refs and `core.fsmonitor`
//! send the status and ahead/behind to `git status`. Ahead/behind that nothing computed
//! yet (a walk over its budget) is shown marked stale, never as an even branch.
//!
//! Parsers (`refs::parse_head`, `refs::packed_lookup`, `state::parse_config_upstream`,
//! `config_syntax::items`, `porcelain::parse`, `record::StatusRecord::decode`) take bytes
//! and never panic, for fuzzing.

/// How often `watch` re-reads git state (the cache refresher keeps the record current).
pub const WATCH_REFRESH: std::time::Duration = std::time::Duration::from_secs(2);

pub mod config_include;
pub mod config_syntax;
pub mod discover;
pub mod engine;
pub mod ignore;
pub mod inline;
pub mod object;
pub mod porcelain;
pub mod probe;
pub mod record;
pub mod refresh;
pub mod refs;
pub mod state;
pub mod status;
pub mod untracked;
pub mod watch;
pub mod wildmatch;
pub mod witness;

use std::fmt;
use std::io;
use std::path::PathBuf;

/// What went wrong reading a repository. Widgets show a short marker; `explain` and stderr
/// get the text.
#[derive(Debug)]
pub enum GitError {
    /// A file could not be read (vanished mount, permissions, a symlink loop).
    Io { path: PathBuf, source: io::Error },
    /// A file's content is not what git writes.
    Corrupt { path: PathBuf, what: &'static str },
    /// A path is longer than the platform allows.
    PathTooLong,
    /// The git command failed in the refresher.
    Command { message: String },
    /// A computation gave up past its budget (a history walk over too many commits).
    TooCostly { what: &'static str },
    /// A repository whose refs only git reads (reftable): nothing is read inline; the
    /// widgets show what the refresher's `git status` said.
    LeftToGit { what: &'static str },
}

impl GitError {
    /// A static one-line summary, for `explain`'s source column.
    pub fn summary(&self) -> &'static str {
        match self {
            GitError::Io { .. } => "git: unreadable file",
            GitError::Corrupt { what, .. } => what,
            GitError::PathTooLong => "git: path too long",
            GitError::Command { .. } => "git: command failed",
            GitError::TooCostly { what } | GitError::LeftToGit { what } => what,
        }
    }
}

impl fmt::Display for GitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GitError::Io { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            GitError::Corrupt { path, what } => write!(f, "{}: {what}", path.display()),
            GitError::PathTooLong => write!(f, "a repository path is too long"),
            GitError::Command { message } => write!(f, "{message}"),
            GitError::TooCostly { what } | GitError::LeftToGit { what } => write!(f, "{what}"),
        }
    }
}

impl std::error::Error for GitError {}

/// An object id in hex (40 digits for SHA-1, 64 for SHA-256).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Oid {
    hex: [u8; 64],
    len: u8,
}

impl Oid {
    /// Parses a hex object id; `None` unless it is 40 or 64 lowercase hex digits.
    pub fn parse(text: &[u8]) -> Option<Oid> {
        if !(text.len() == 40 || text.len() == 64)
            || !text.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return None;
        }
        let mut hex = [0u8; 64];
        hex[..text.len()].copy_from_slice(text);
        Some(Oid {
            hex,
            len: text.len() as u8,
        })
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.hex[..usize::from(self.len)]
    }

    /// The id as text (always ASCII hex).
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// The first `n` hex digits.
    pub fn short(&self, n: usize) -> &str {
        let s = self.as_str();
        &s[..n.min(s.len())]
    }
}

impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A binary SHA-1 object id, as the index, tree objects and pack indexes store it.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RawOid(pub [u8; 20]);

impl RawOid {
    /// The id in hex.
    pub fn to_hex(&self) -> Oid {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut hex = [0u8; 64];
        for (i, byte) in self.0.iter().enumerate() {
            hex[2 * i] = DIGITS[usize::from(byte >> 4)];
            hex[2 * i + 1] = DIGITS[usize::from(byte & 15)];
        }
        Oid { hex, len: 40 }
    }

    /// The binary form of a 40-digit hex id; `None` for a SHA-256 id.
    pub fn from_hex(oid: &Oid) -> Option<RawOid> {
        let text = oid.as_bytes();
        if text.len() != 40 {
            return None;
        }
        let nibble = |b: u8| if b <= b'9' { b - b'0' } else { b - b'a' + 10 };
        let mut raw = [0u8; 20];
        for (i, pair) in text.chunks_exact(2).enumerate() {
            raw[i] = nibble(pair[0]) << 4 | nibble(pair[1]);
        }
        Some(RawOid(raw))
    }
}

impl fmt::Debug for RawOid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.to_hex().as_str())
    }
}

/// The most a file read from `.git` inline may hold (`packed-refs` of huge repositories
/// included); anything larger is treated as damage rather than read.
pub const MAX_INLINE_FILE: u64 = 64 << 20;

/// Reads a whole small file into `buf` (cleared first; its capacity is reused). `Ok(false)`
/// when it does not exist. Opened non-blocking and refused unless it is a regular file,
/// so a FIFO or device planted in `.git` cannot hang the render.
pub(crate) fn read_into(path: &std::path::Path, buf: &mut Vec<u8>) -> Result<bool, GitError> {
    use std::io::Read;
    buf.clear();
    let Some((mut file, len)) = object::open_regular(path)? else {
        return Ok(false);
    };
    if len > MAX_INLINE_FILE {
        return Err(GitError::Corrupt {
            path: path.to_owned(),
            what: "git: file too large to read inline",
        });
    }
    file.read_to_end(buf)
        .map(|_| true)
        .map_err(|source| GitError::Io {
            path: path.to_owned(),
            source,
        })
}

/// Sets `buf` to `base/rel` reusing its capacity.
pub(crate) fn join_into<'b>(
    buf: &'b mut PathBuf,
    base: &std::path::Path,
    rel: impl AsRef<std::path::Path>,
) -> &'b std::path::Path {
    buf.as_mut_os_string().clear();
    buf.push(base);
    buf.push(rel);
    buf
}

/// Repositories built with the git CLI for unit tests.
#[cfg(test)]
pub mod test_repo {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use crate::tempdir::TempDir;

    /// A repository in a temporary directory, removed on drop.
    pub struct TempRepo {
        pub root: PathBuf,
        _dir: TempDir,
    }

    /// Runs git in `dir` with a fixed identity, asserting success.
    pub fn git(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .args(["-c", "init.defaultBranch=main"])
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A repository with one commit, in a fresh temporary directory.
    pub fn with_commit(tag: &str) -> TempRepo {
        let dir = TempDir::new(&format!("unit-{tag}")).expect("temp dir");
        let root = dir.to_path_buf();
        git(&root, &["init", "-q"]);
        std::fs::write(root.join("a.txt"), "a\n").expect("write");
        git(&root, &["add", "."]);
        git(&root, &["commit", "-qm", "one"]);
        TempRepo { root, _dir: dir }
    }

    /// A payload whose working directory is `dir`.
    pub fn payload(dir: &Path) -> String {
        serde_json::json!({"workspace": {"current_dir": dir}}).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::{Oid, RawOid};

    #[test]
    fn raw_oid_round_trips_through_hex() {
        let hex = b"c4e8b02bd2896dbd62e78ec9e8c45e9550764d60";
        let oid = Oid::parse(hex).unwrap();
        let raw = RawOid::from_hex(&oid).unwrap();
        assert_eq!(raw.0[0], 0xc4);
        assert_eq!(raw.0[19], 0x60);
        assert_eq!(raw.to_hex().as_bytes(), hex);
        let sha256 = Oid::parse(&[b'a'; 64]).unwrap();
        assert!(RawOid::from_hex(&sha256).is_none());
    }
}
