//! The git watcher: a refresher that stays alive after its first status, watches the
//! repository with inotify, and keeps the status record exact by looking again only at
//! what changed.
//!
//! # Why
//! An exact status means comparing every tracked file's stat data with the index. On the
//! 20,000-file fixture that is 20,000 `fstatat` calls, and the kernel's path lookups are
//! most of the refresher's time (see `status/mod.rs`): no user-space trick makes a full
//! pass cheap. The kernel can, however, say which names changed. With the watcher
//! running, an edit to one file costs one `fstatat` (and a hash when stat data cannot
//! decide), a file that appears or vanishes costs an untracked walk over cached
//! directory listings, and nothing at all is done while nothing changes. git's own
//! `core.fsmonitor` daemon does the same for `git status`.
//!
//! # Life cycle
//! `blinkline __refresh-git` becomes the watcher after its first status when watching is
//! on (`BLINKLINE_GIT_WATCH=0` turns it off) and the repository has a work tree the own
//! engine handles. It keeps the refresher's single-flight lock for its whole life, so no
//! render starts another refresher for the repository while it runs, and:
//! 1. watches the directories (`watches.rs`), before computing, so no change is missed;
//! 2. computes the status in parts (`engine::StatusParts`) and writes the record with
//!    `watched` set a few seconds ahead: renders take a watched record as fresh whatever
//!    its age (`probe.rs`);
//! 3. turns events into work (`changes.rs`): single files are compared again
//!    (`status::Tracked::recheck`), names that appear or vanish recount the untracked
//!    files, changes in a git directory (index, `HEAD`, refs, stash, config) recompute
//!    everything under a new record key, directory renames set the watches up again;
//!    the record is rewritten when the counts change;
//! 4. rewrites the record every [`HEARTBEAT`] to extend `watched` (a killed watcher's
//!    record turns back into an ordinary one within [`VOUCH`]), and computes everything
//!    from scratch every [`VERIFY_EVERY`] (60 s; one full pass), so
//!    a change inotify cannot report (a write through a shared memory map) shows within
//!    a minute;
//! 5. stops when no render has opened the record for the idle limit (10 minutes,
//!    `BLINKLINE_GIT_WATCH_IDLE_MS`), when the work tree, the git directory or the cache
//!    directory vanishes, or when the engine meets something it leaves to git (the
//!    refresher then answers once with `git status`, as without a watcher). It clears
//!    `watched` on the way out.
//!
//! The record is exact up to the watcher's reaction time after a change (measured below),
//! where the one-shot refresher's record could be up to `refresh_ms` (2 s) plus one
//! refresh old. Settings outside the repository (`~/.gitconfig`, the global excludes
//! file) are not watched: a change there shows at the next full computation (at most
//! [`VERIFY_EVERY`] later).
//!
//! # Measured
//! `scripts/git-watch-latency.py target/release/blinkline REPO 20` times each kind of
//! change until the record shows git's counts, polling with `stat` so the polling never
//! wakes the watcher; the figures are in BENCHMARKS.md, "Git". An idle watcher wakes once
//! a second to rewrite a 150-byte record.
//!
//! Read next: `changes.rs` (what events mean), `watches.rs` (what is watched).

mod changes;
mod poll;
#[cfg(target_os = "linux")]
mod watches;

use std::io;
use std::time::{Duration, Instant};

use crate::cache::Cache;
use crate::git::discover::Repo;
use crate::git::engine::{self, EngineOptions, StatusParts};
use crate::git::porcelain::Porcelain;
use crate::git::record::{
    RecordHead, Snapshot, StatusRecord, StatusSource, ab_key, inspect, status_key,
};
use crate::git::refs::Scratch;
use crate::git::status::StatusError;
use changes::Pending;
use poll::Source;

/// How often the watcher extends its vouching for the record.
pub const HEARTBEAT: Duration = Duration::from_secs(1);
/// How far ahead of now the record is vouched for (five heartbeats: a watcher stalled
/// by a loaded machine does not let its record lapse).
pub const VOUCH: Duration = Duration::from_secs(5);
/// Without a render opening the record for this long, the watcher stops.
pub const IDLE_LIMIT: Duration = Duration::from_secs(600);
/// How often the whole status is computed again anyway: a change inotify cannot report
/// (a write through a shared memory map) shows within this time.
pub const VERIFY_EVERY: Duration = Duration::from_secs(60);
/// After an event that recomputes everything (git writes several files in a row), the
/// watcher waits this long for the rest before recomputing once.
const SETTLE: Duration = Duration::from_millis(5);

/// Is watching on (`BLINKLINE_GIT_WATCH` unset, or not `0`/`off`/`false`/`no`)?
pub fn enabled() -> bool {
    !std::env::var("BLINKLINE_GIT_WATCH").is_ok_and(|v| {
        ["0", "off", "false", "no"].contains(&v.trim().to_ascii_lowercase().as_str())
    })
}

/// The heartbeat: `BLINKLINE_GIT_WATCH_HEARTBEAT_MS` (tests lengthen it to show that a
/// change was seen by its event, not by the heartbeat's look), else [`HEARTBEAT`].
fn heartbeat() -> Duration {
    std::env::var("BLINKLINE_GIT_WATCH_HEARTBEAT_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(HEARTBEAT, Duration::from_millis)
}

/// The idle limit: `BLINKLINE_GIT_WATCH_IDLE_MS`, else [`IDLE_LIMIT`].
fn idle_limit() -> Duration {
    std::env::var("BLINKLINE_GIT_WATCH_IDLE_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(IDLE_LIMIT, Duration::from_millis)
}

/// The name of the marker file a render creates to ask a watcher for inserted and
/// deleted lines (`lines` of `git_status`).
pub fn lines_marker(record: &str) -> String {
    format!("{record}.lines")
}

/// How a watch ended.
#[derive(Debug, PartialEq, Eq)]
pub enum WatchEnd {
    /// It ran and stopped (idle, or something vanished); the record is written.
    Stopped,
    /// The repository cannot be watched, or the engine left it to git: the caller
    /// refreshes it the one-shot way.
    NotWatchable,
}

/// What to watch.
pub struct WatchRequest<'a> {
    pub repo: &'a Repo,
    pub cache: &'a Cache,
    /// The status record's name.
    pub record: &'a str,
    /// Also keep inserted and deleted lines (`git diff --shortstat`).
    pub diffstat: bool,
}

/// Watches the repository until the watcher has no more reason to run (see the module
/// doc). The caller holds the record's single-flight lock.
pub fn run(req: &WatchRequest<'_>) -> WatchEnd {
    let Some(mut watcher) = Watcher::start(req) else {
        return WatchEnd::NotWatchable;
    };
    let outcome = watcher.watch();
    watcher.finish();
    outcome
}

struct Watcher<'a> {
    req: &'a WatchRequest<'a>,
    watches: Source,
    parts: StatusParts,
    /// The record key and snapshot of the last full computation.
    key: u64,
    snap: Snapshot,
    lines: Option<(u64, u64)>,
    diffstat: bool,
    /// The name of the marker a render creates to ask for lines.
    lines_marker: String,
    /// When everything was last computed from scratch.
    verified: Instant,
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    buf: Vec<u8>,
}

impl<'a> Watcher<'a> {
    /// Sets up the watches and computes the first status; `None` when the repository
    /// cannot be watched or the engine cannot compute it.
    fn start(req: &'a WatchRequest<'a>) -> Option<Watcher<'a>> {
        let root = req.repo.work_tree.as_deref()?;
        let mut watches = Source::new(req.repo, root, req.cache.dir(), req.record).ok()?;
        let listing = engine::load_listing(req.repo, req.cache, req.record);
        let mut known: Vec<Vec<u8>> = listing.directories().map(<[u8]>::to_vec).collect();
        let tracked_dirs = tracked_directories(req.repo);
        known.extend(tracked_dirs.iter().flatten().cloned());
        watches
            .add_work_dirs(known.iter().map(Vec::as_slice))
            .ok()?;
        let (key, snap, parts) = compute(req.repo, Some(listing)).ok()?;
        if let Some(listing) = &parts.listing {
            engine::store_listing(req.cache, req.record, listing);
        }
        let mut watcher = Watcher {
            req,
            watches,
            parts,
            key,
            snap,
            lines: None,
            diffstat: req.diffstat,
            lines_marker: lines_marker(req.record),
            verified: Instant::now(),
            buf: Vec::new(),
        };
        // Directories seen for the first time were not watched while they were read:
        // read them once more now that they are. With the index's directories watched
        // from the start, those can only be directories of untracked files.
        if watcher.watch_new_directories().ok()? > 0 {
            match tracked_dirs {
                Some(_) => watcher.recount_untracked_whole().ok()?,
                None => watcher.recompute().ok()?,
            }
        }
        watcher.update_lines();
        watcher.publish(true).ok()?;
        Some(watcher)
    }

    /// The event loop (module doc, steps 3 to 5).
    fn watch(&mut self) -> WatchEnd {
        let idle = idle_limit();
        let beat = heartbeat();
        let mut last_used = Instant::now();
        let mut next_beat = Instant::now() + beat;
        loop {
            if last_used.elapsed() > idle {
                return WatchEnd::Stopped;
            }
            let wait = next_beat.saturating_duration_since(Instant::now());
            let mut pending = Pending::default();
            let polled = match &mut self.watches {
                #[cfg(target_os = "linux")]
                Source::Inotify(watches) => match watches.inotify.wait(Some(wait)) {
                    Ok(true) => {
                        self.drain(&mut pending);
                        false
                    }
                    Ok(false) => false,
                    Err(_) => return WatchEnd::Stopped,
                },
                #[cfg(any(target_os = "linux", target_os = "macos"))]
                Source::Dirs(dirs) => {
                    dirs.wait(wait, &mut pending);
                    true
                }
                Source::Poll(poll) => {
                    poll.poll(wait, &mut pending);
                    true
                }
            };
            if polled && !pending.gone {
                // A look at everything: the polling watcher's only way to see changes.
                match self.verify() {
                    Ok(true) => {
                        if self.publish(true).is_err() {
                            return WatchEnd::Stopped;
                        }
                        next_beat = Instant::now() + beat;
                    }
                    Ok(false) => {}
                    Err(_) => return WatchEnd::NotWatchable,
                }
            }
            if pending.needs_recompute() {
                std::thread::sleep(SETTLE);
                self.drain(&mut pending);
            }
            if pending.gone {
                return WatchEnd::Stopped;
            }
            if pending.used {
                last_used = Instant::now();
            }
            if pending.has_work() {
                match self.apply(&pending) {
                    Ok(true) => {
                        if self.publish(true).is_err() {
                            return WatchEnd::Stopped;
                        }
                        next_beat = Instant::now() + beat;
                    }
                    Ok(false) => {}
                    Err(_) => return WatchEnd::NotWatchable,
                }
            }
            if self.verified.elapsed() >= VERIFY_EVERY {
                match self.verify() {
                    Ok(true) => next_beat = Instant::now(),
                    Ok(false) => {}
                    Err(_) => return WatchEnd::NotWatchable,
                }
            }
            if Instant::now() >= next_beat {
                if self.publish(true).is_err() {
                    return WatchEnd::Stopped;
                }
                next_beat = Instant::now() + beat;
            }
        }
    }

    /// Reads every queued event into `pending` (nothing to read when polling).
    #[cfg_attr(not(target_os = "linux"), allow(unused_variables))]
    fn drain(&mut self, pending: &mut Pending) {
        #[cfg(target_os = "linux")]
        if let Source::Inotify(watches) = &self.watches {
            let names = changes::CacheNames {
                record: self.req.record.as_bytes(),
                lines_marker: self.lines_marker.as_bytes(),
            };
            while watches
                .inotify
                .read_into(&mut self.buf)
                .is_ok_and(|n| n > 0)
            {
                for event in crate::sys::inotify::events(&self.buf) {
                    changes::note(pending, &event, watches.place(event.wd), &names);
                }
            }
        }
    }

    /// Does what `pending` asks; whether the record must be rewritten.
    fn apply(&mut self, pending: &Pending) -> Result<bool, StatusError> {
        let before = (self.parts.porcelain(), self.lines);
        if pending.wants_lines {
            self.diffstat = true;
            let _ = std::fs::remove_file(self.req.cache.dir().join(&self.lines_marker));
        }
        if pending.rebuild {
            self.rebuild_watches()?;
            self.recompute()?;
            self.watch_new_directories().map_err(io_error)?;
        } else if pending.git_changed {
            self.recompute_after(pending)?;
            self.watch_new_directories().map_err(io_error)?;
        } else {
            let paths = pending.seen.paths.iter().map(Vec::as_slice);
            self.parts.tracked.recheck(paths)?;
            if pending.recount_untracked {
                if let Some(listing) = self.parts.listing.as_mut() {
                    if pending.seen.ignores {
                        listing.forget_subtotals();
                    } else {
                        listing.reuse_subtotals(pending.seen.dirs.iter().cloned().collect());
                    }
                }
                self.parts.recount_untracked(self.req.repo)?;
                // The walk may have read directories it never listed before: a file
                // removed from an untracked directory, an ignore file that excludes less.
                if self.parts.listing.as_ref().is_some_and(|l| l.misses > 0) {
                    self.watch_walked_directories().map_err(io_error)?;
                }
            }
        }
        self.update_lines();
        let after = (self.parts.porcelain(), self.lines);
        Ok(!same(&before, &after) || pending.rebuild || pending.git_changed)
    }

    /// Computes everything again, with a new key (`HEAD`, the index or the stash moved).
    fn recompute(&mut self) -> Result<(), StatusError> {
        let listing = self.parts.listing.take();
        let (key, snap, parts) = compute(self.req.repo, listing)?;
        (self.key, self.snap, self.parts) = (key, snap, parts);
        self.verified = Instant::now();
        Ok(())
    }

    /// The periodic check ([`VERIFY_EVERY`]): everything computed from scratch; whether
    /// the counts differed from what the events had made of them.
    fn verify(&mut self) -> Result<bool, StatusError> {
        let before = (self.parts.porcelain(), self.lines);
        self.recompute()?;
        self.watch_new_directories().map_err(io_error)?;
        self.update_lines();
        Ok(!same(&before, &(self.parts.porcelain(), self.lines)))
    }

    /// Computes everything again after a git directory changed, with a new key, reusing
    /// what the events since the last computation prove unchanged.
    fn recompute_after(&mut self, pending: &Pending) -> Result<(), StatusError> {
        let mut s = Scratch::default();
        let snap = inspect(self.req.repo, &mut s).map_err(StatusError::Git)?;
        let key = status_key(self.req.repo, &snap, &mut s);
        crate::git::refresh::count_computation();
        let options = EngineOptions::default();
        self.parts
            .recompute_after(self.req.repo, &snap, &options, &pending.seen)?;
        (self.key, self.snap) = (key, snap);
        Ok(())
    }

    /// Drops every watch and sets them up again (directories were renamed or removed).
    fn rebuild_watches(&mut self) -> Result<(), StatusError> {
        let root = self
            .req
            .repo
            .work_tree
            .as_deref()
            .unwrap_or(&self.req.repo.git_dir);
        self.watches = Source::new(self.req.repo, root, self.req.cache.dir(), self.req.record)
            .map_err(io_error)?;
        self.watch_new_directories().map_err(io_error)?;
        Ok(())
    }

    /// Watches the directories of tracked files and those the untracked walk visited
    /// that are not watched yet; how many were new.
    fn watch_new_directories(&mut self) -> io::Result<usize> {
        let tracked = self.parts.tracked.directories();
        let walked = self.parts.listing.iter().flat_map(|l| l.directories());
        self.watches
            .add_work_dirs(tracked.into_iter().chain(walked))
    }

    /// Counts the untracked files again with a whole walk (every directory's listing
    /// checked against its stamp).
    fn recount_untracked_whole(&mut self) -> Result<(), StatusError> {
        if let Some(listing) = self.parts.listing.as_mut() {
            listing.forget_subtotals();
        }
        self.parts.recount_untracked(self.req.repo)?;
        self.watch_walked_directories().map_err(io_error)?;
        Ok(())
    }

    /// Watches the directories the untracked walk visited that are not watched yet.
    fn watch_walked_directories(&mut self) -> io::Result<usize> {
        let walked = self.parts.listing.iter().flat_map(|l| l.directories());
        self.watches.add_work_dirs(walked)
    }

    fn update_lines(&mut self) {
        if let (true, Some(_), Some(tree)) =
            (self.diffstat, self.snap.oid, &self.req.repo.work_tree)
        {
            self.lines = crate::git::refresh::diffstat(self.req.repo, tree).ok();
        }
    }

    /// Writes the record: the counts of the last computation under its key, vouched for
    /// [`VOUCH`] from now when `watched`.
    fn publish(&self, watched: bool) -> Result<(), crate::cache::CacheError> {
        let now = now_ms();
        let p = self.parts.porcelain();
        let record = StatusRecord {
            key: self.key,
            ab_key: ab_key(&self.snap),
            time_ms: now,
            counts: Some(p.counts),
            ahead_behind: p.ahead_behind,
            lines: self.lines,
            failed: false,
            source: StatusSource::Engine,
            watched_until_ms: if watched {
                now + VOUCH.as_millis() as i64
            } else {
                0
            },
            head: RecordHead::Unknown,
        };
        self.req.cache.write(self.req.record, &record.encode(None))
    }

    /// On the way out: the record stops being vouched for, the listing cache is saved
    /// for the next refresher.
    fn finish(&self) {
        let _ = self.publish(false);
        if let Some(listing) = &self.parts.listing {
            engine::store_listing(self.req.cache, self.req.record, listing);
        }
    }
}

/// The directories of the tracked files in `GIT_DIR/index`, read before the first
/// status so they are watched while it is computed; `None` when the index cannot be read
/// (the first status is then computed twice).
fn tracked_directories(repo: &Repo) -> Option<Vec<Vec<u8>>> {
    let (index, _) = crate::git::status::index::read(&repo.git_dir.join("index")).ok()?;
    let paths = index.entries.iter().map(|e| index.path(e));
    Some(
        crate::git::status::directories_of(paths)
            .into_iter()
            .map(<[u8]>::to_vec)
            .collect(),
    )
}

/// The record key, snapshot and status, the key read first (a change made while the
/// status is computed then leaves the record stale rather than hiding the change).
fn compute(
    repo: &Repo,
    listing: Option<crate::git::untracked::UntrackedCache>,
) -> Result<(u64, Snapshot, StatusParts), StatusError> {
    let mut s = Scratch::default();
    let snap = inspect(repo, &mut s).map_err(StatusError::Git)?;
    let key = status_key(repo, &snap, &mut s);
    crate::git::refresh::count_computation();
    let listing = listing.map(|mut listing| {
        // A whole walk, recording each subtree's count for the partial walks after it.
        listing.forget_subtotals();
        listing.record_subtotals();
        listing
    });
    let parts = engine::status_parts(repo, &snap, &EngineOptions::default(), listing)?;
    Ok((key, snap, parts))
}

fn same(a: &(Porcelain, Option<(u64, u64)>), b: &(Porcelain, Option<(u64, u64)>)) -> bool {
    a.0.counts == b.0.counts && a.0.ahead_behind == b.0.ahead_behind && a.1 == b.1
}

/// Calls `watch` on `top` and on every directory below it (git's `refs/` tree), depth
/// first; a directory `watch` declines (`Ok(false)`: it is gone) is not descended into,
/// and an error stops the walk.
#[cfg(any(target_os = "linux", target_os = "macos"))]
fn watch_tree(
    top: &std::path::Path,
    mut watch: impl FnMut(&std::path::Path) -> io::Result<bool>,
) -> io::Result<()> {
    let mut stack = vec![top.to_owned()];
    while let Some(dir) = stack.pop() {
        if !watch(&dir)? {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(entry.path());
            }
        }
    }
    Ok(())
}

fn io_error(e: io::Error) -> StatusError {
    StatusError::Git(crate::git::GitError::Io {
        path: std::path::PathBuf::new(),
        source: e,
    })
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
