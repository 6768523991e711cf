//! What a render computes itself when the cached record is not known to be exact and
//! doing so is cheap, instead of waiting for the detached refresher (`probe.rs` decides
//! when):
//! - ahead/behind within [`INLINE_AB_BUDGET`] (a few thousand commits); past it
//!   the refresher does it;
//! - the whole status of a repository whose index file is at most
//!   [`INLINE_MAX_INDEX_BYTES`], with the own engine on one thread and no listing cache,
//!   on every render that has no watched record (edits to files do not change the
//!   record's key, so only a new count is an exact one). States the engine leaves to git
//!   go to the refresher, as before, and so does a status whose hashing would not fit
//!   the frame ([`hash_budget`]: a large file whose stat data changed but not its size
//!   must be hashed to be decided).
//!
//! The record computed is stored after the frame ([`store`]) when it says something the
//! cached one does not, under the record's single-flight lock, and only if the record
//! it replaces is still the one in the cache (a refresher that finished meanwhile wins).
//!
//! # Choosing [`INLINE_MAX_INDEX_BYTES`]
//! The cost is the kernel's (`fstatat`, page faults: a flat profile): a fixed part
//! (config files, the index, HEAD's tree, the untracked walk's directories) and a few µs
//! per entry beyond. 32 KiB (about 350 files) keeps the inline frame within about a
//! millisecond of a frame that reads a fresh record; it saves showing stale counts plus
//! a refresher process (figures in BENCHMARKS.md, "Git").

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::cache::Cache;
use crate::git::discover::Repo;
use crate::git::engine::{self, EngineOptions};
use crate::git::object::{ObjectStore, WalkBudget, ahead_behind_within};
use crate::git::record::{Snapshot, StatusRecord, StatusSource};
use crate::git::status::content::HashBudget;
use crate::git::untracked::UntrackedCache;
use crate::git::witness::Witness;
use crate::git::{RawOid, join_into};

/// The largest index file whose repository gets its status computed inline (about 350
/// entries with paths of typical length; see "Measured").
pub const INLINE_MAX_INDEX_BYTES: u64 = 32 << 10;

/// What an inline ahead/behind walk may cost.
pub const INLINE_AB_BUDGET: WalkBudget = WalkBudget {
    max_commits: 4_000,
    max_time: Duration::from_millis(2),
};

/// Is the index small enough (or absent: nothing staged yet) for an inline status?
/// `GIT_INDEX_FILE` names another index: left to the refresher.
pub fn index_is_small(repo: &Repo, path: &mut PathBuf) -> bool {
    if std::env::var_os("GIT_INDEX_FILE").is_some() {
        return false;
    }
    match std::fs::metadata(join_into(path, &repo.git_dir, "index")) {
        Ok(meta) => meta.is_file() && meta.len() <= INLINE_MAX_INDEX_BYTES,
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

/// What an inline status may hash in a frame that goes out at `deadline`: half of the
/// time left (the other half is the rest of the frame's), at the rate
/// `content::HASH_RATE_FLOOR` counts on (10 ms left: 1.28 MiB), and never less than the
/// minimums of `content::HashBudget::within`.
pub fn hash_budget(deadline: Instant) -> HashBudget {
    HashBudget::within(deadline.saturating_duration_since(Instant::now()) / 2)
}

/// The status of a small repository as a record under `key`, computed now within
/// `budget`, with its witness when one can be taken (`witness.rs`); `None` when the
/// engine leaves it to git, cannot read it, or would pass the budget (the refresher then
/// runs).
pub fn status(
    repo: &Repo,
    snap: &Snapshot,
    key: u64,
    budget: HashBudget,
) -> Option<(StatusRecord, Option<Witness>)> {
    let options = EngineOptions {
        threads: 1,
        skip_ahead_behind: true,
        hash_budget: Some(budget),
        ..EngineOptions::default()
    };
    let started = std::time::SystemTime::now();
    let listing = UntrackedCache::new(repo.work_tree.as_deref()?);
    let parts = engine::status_parts(repo, snap, &options, Some(listing)).ok()?;
    crate::git::refresh::count_computation();
    let record = StatusRecord {
        key,
        time_ms: now_ms(),
        counts: Some(parts.porcelain().counts),
        source: StatusSource::Inline,
        ..StatusRecord::default()
    };
    Some((record, Witness::new(repo, &parts, started)))
}

/// Ahead/behind of HEAD against its upstream within [`INLINE_AB_BUDGET`]; `None` past
/// it, when the objects cannot be read, or with `git replace` refs (the refresher then
/// runs, and leaves those to git).
pub fn ahead_behind(repo: &Repo, snap: &Snapshot) -> Option<(u32, u32)> {
    let head = RawOid::from_hex(snap.oid.as_ref()?)?;
    let up = RawOid::from_hex(snap.upstream.as_ref()?)?;
    if head == up {
        return Some((0, 0));
    }
    if crate::git::refs::has_replace_refs(&repo.common_dir) {
        return None;
    }
    let store = ObjectStore::open_with_cache(&repo.common_dir, 0).ok()?;
    ahead_behind_within(&store, &head, &up, INLINE_AB_BUDGET).ok()
}

/// Stores `record` (with the stored form of its witness, when one was taken) under
/// `name` if the cached record is still the one whose time was `replaces` (0: none),
/// holding the single-flight lock; gives up quietly when a refresher holds it.
pub fn store(
    cache: &Cache,
    name: &str,
    record: &StatusRecord,
    replaces: i64,
    witness: Option<&[u8]>,
) {
    let Some(_lock) = cache.try_lock(name) else {
        return;
    };
    let current = cache
        .read(name)
        .and_then(|b| StatusRecord::decode(&b))
        .map_or(0, |r| r.time_ms);
    if current == replaces {
        let bytes = match witness {
            Some(witness) => record.encode_with_witness(witness),
            None => record.encode(None),
        };
        let _ = cache.write(name, &bytes);
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
