//! The part of the git widgets that runs in `render`: find the repository (remembered per
//! directory), read its [`Snapshot`], compute the record keys and read the cached
//! [`StatusRecord`]; when that is not fresh, compute what is cheap inline (`inline.rs`:
//! ahead/behind within a small budget, the whole status of a small repository); and the
//! part that runs in `after_frame`: store what was computed inline, start the refresher
//! when a render still needs one, and report errors on stderr once.
//!
//! # When counts are fresh
//! Counts are shown fresh only when they are exact as of this render: computed inline
//! now, or from a record a running git watcher vouches for under the current key (it
//! follows every change within about a millisecond, `watch/mod.rs`). A record's age
//! proves nothing, since edits to working-tree files do not change its key: any other
//! record is shown marked stale, and `refresh_ms` only says how often the refresher
//! computes it again (at once when the key changed). Ahead/behind is keyed by the two
//! commits, so a record with the current key is exact whatever its age.
//!
//! A process that renders again (`watch`, `bench`) keeps its last inline status with a
//! witness (`witness.rs`): while nothing it read has changed, that status is exact and
//! is shown without computing it again (a one-shot render only lists the witness's
//! paths; it never reads them).
//!
//! A watched record is trusted between a change and the watcher's rewrite (its reaction
//! time, a few milliseconds): a render that starts inside that window shows the counts
//! from just before the change as fresh. Checking that no change is pending would take
//! a round trip to the watcher on every render, or a full status, which is what the
//! watcher exists to avoid.
//!
//! Warm renders with a fresh record allocate nothing: paths, file contents and names live
//! in buffers that keep their capacity from frame to frame. Inline computation allocates
//! (it runs only when the record is not fresh).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use crate::cache::Cache;
use crate::git::discover::{GitEnv, Repo, discover};
use crate::git::record::{
    HeadKind, RecordHead, Snapshot, StatusRecord, ab_key, deferred, head_name_into, inspect,
    record_name, status_key,
};
use crate::git::refs::Scratch;
use crate::git::witness::Witness;
use crate::git::{GitError, inline, refresh};
use crate::input::env::Environment;

/// What the probe reads of a frame.
pub struct Frame<'a> {
    /// Where the repository is looked for (the session's directory, else ours).
    pub dir: Option<&'a str>,
    pub env: &'a Environment,
    /// Wall-clock time of the frame, seconds since the Unix epoch.
    pub now: i64,
    /// When the frame goes out.
    pub deadline: std::time::Instant,
}

/// What a render found.
pub struct View<'a> {
    pub repo: &'a Repo,
    pub snap: Snapshot,
    /// The cached record, when there is one.
    pub record: Option<StatusRecord>,
    /// The record's counts describe the repository as it is now (key and age).
    pub status_fresh: bool,
    /// The record's ahead/behind is for the current `HEAD` and upstream commits.
    pub ab_fresh: bool,
    pub scratch: &'a mut Scratch,
}

struct Found {
    repo: Repo,
    record: String,
}

#[derive(Default)]
struct State {
    start: String,
    /// `found` is the discovery result for `start` (`None`: not a repository).
    looked: bool,
    found: Option<Found>,
    scratch: Scratch,
    cache: Option<Cache>,
    cache_dir: Option<PathBuf>,
    cache_checked: bool,
    path: PathBuf,
    buf: Vec<u8>,
    /// Set by a render that showed stale or missing data; the record time it saw.
    refresh: Option<i64>,
    /// A record a render computed inline, to store after the frame, and the time of the
    /// record it replaces (it is only stored if that one is still there).
    write: Option<(StatusRecord, i64)>,
    /// The last inline status and what proves it still holds, for the next render.
    held: Option<Held>,
    error: Option<String>,
    reported: bool,
}

/// An inline status computed under record key `key`, kept while its witness holds.
struct Held {
    key: u64,
    record: StatusRecord,
    witness: Witness,
}

/// What a render makes of the cached record (see [`Probe::look`]).
struct Look {
    record: Option<StatusRecord>,
    status_fresh: bool,
    ab_fresh: bool,
    /// A record computed inline, to store after the frame, and the time it replaces.
    write: Option<(StatusRecord, i64)>,
    /// A refresher is needed; the time of the record seen.
    refresh: Option<i64>,
}

/// Per-widget git state.
#[derive(Default)]
pub struct Probe {
    state: Mutex<State>,
    /// Ask the refresher for insertions/deletions too.
    pub diffstat: bool,
    /// How old a record may be and still count as fresh, in milliseconds.
    pub max_age_ms: i64,
    /// The widget shows counts (else only ahead/behind matter for refreshing).
    pub wants_status: bool,
}

/// Why a render found nothing to show.
pub enum Miss {
    /// Not in a repository (or no directory known): the widget hides.
    NotRepo,
    /// The repository could not be read: a short marker, details in `explain`/stderr.
    Broken(&'static str),
    /// Only git reads this repository's refs (reftable) and it is bare, so `git status`
    /// gives no answer: the widget shows nothing rather than a guess; the reason is its
    /// source in `explain`.
    LeftToGit(&'static str),
}

impl Probe {
    pub fn new(wants_status: bool, diffstat: bool, max_age_ms: i64) -> Self {
        Probe {
            state: Mutex::default(),
            diffstat,
            max_age_ms,
            wants_status,
        }
    }

    /// Runs `f` on what the repository of the session's directory looks like now.
    pub fn with_view<R>(&self, ctx: &Frame<'_>, f: impl FnOnce(Result<View<'_>, Miss>) -> R) -> R {
        let Some(dir) = ctx.dir else {
            return f(Err(Miss::NotRepo));
        };
        let mut guard = match self.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let st = &mut *guard;
        if st.start != dir || !st.looked {
            st.start.clear();
            st.start.push_str(dir);
            st.looked = true;
            let env = git_env(ctx);
            match discover(Path::new(dir), &env) {
                Ok(Some(repo)) => {
                    let record = record_name(&repo);
                    st.found = Some(Found { repo, record });
                }
                Ok(None) => {
                    st.found = None;
                    return f(Err(Miss::NotRepo));
                }
                Err(e) => {
                    st.found = None;
                    st.looked = false;
                    let summary = e.summary();
                    st.note_error(e.to_string());
                    return f(Err(Miss::Broken(summary)));
                }
            }
        }
        if !st.cache_checked {
            st.cache_checked = true;
            st.cache_dir = Cache::locate(ctx.env).ok();
            st.cache = Cache::existing(ctx.env);
        }
        let Some(found) = st.found.as_ref() else {
            return f(Err(Miss::NotRepo));
        };
        let mut snap = match inspect(&found.repo, &mut st.scratch) {
            Ok(snap) => snap,
            // `git status` refuses a bare repository: nothing to defer to.
            Err(GitError::LeftToGit { what }) if found.repo.work_tree.is_none() => {
                return f(Err(Miss::LeftToGit(what)));
            }
            Err(GitError::LeftToGit { .. }) => deferred(&found.repo, &mut st.scratch),
            Err(e) => {
                let summary = e.summary();
                st.note_error(e.to_string());
                st.looked = false;
                return f(Err(Miss::Broken(summary)));
            }
        };
        let key = status_key(&found.repo, &snap, &mut st.scratch);
        let raw = st
            .cache
            .as_ref()
            .and_then(|c| c.read_into(&found.record, &mut st.path, &mut st.buf));
        let record = raw.and_then(StatusRecord::decode);
        if snap.deferred {
            apply_git_head(&mut snap, record, raw, &mut st.scratch);
        }
        let look = self.look(
            &found.repo,
            &snap,
            (key, record),
            (ctx.now * 1000, ctx.deadline),
            (&mut st.held, &mut st.path),
        );
        if look.write.is_some() {
            st.write = look.write;
        }
        if look.refresh.is_some() {
            st.refresh = look.refresh;
        }
        f(Ok(View {
            repo: &found.repo,
            snap,
            record: look.record,
            status_fresh: look.status_fresh,
            ab_fresh: look.ab_fresh,
            scratch: &mut st.scratch,
        }))
    }

    /// Forgets the discovered repository, the cache handle and the refresh request.
    pub fn forget(&self) {
        let mut guard = match self.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = State::default();
    }

    /// Decides what the cached record is good for, catches up inline where that is cheap
    /// (`inline.rs`), and says what to store and whether a refresher is needed. `now_ms`
    /// is the frame's time, `deadline` when it goes out.
    fn look(
        &self,
        repo: &Repo,
        snap: &Snapshot,
        (key, cached): (u64, Option<StatusRecord>),
        (now_ms, deadline): (i64, Instant),
        (held, path): (&mut Option<Held>, &mut PathBuf),
    ) -> Look {
        let current = cached.filter(|r| {
            r.key == key && (!self.diffstat || r.lines.is_some() || snap.oid.is_none())
        });
        if snap.deferred {
            // Only the refresher (git) computes anything here: never fresh, never inline.
            let due = current.is_none_or(|r| now_ms.saturating_sub(r.time_ms) > self.max_age_ms);
            return Look {
                record: cached,
                status_fresh: false,
                ab_fresh: false,
                write: None,
                refresh: due.then_some(cached.map_or(0, |r| r.time_ms)),
            };
        }
        // Exact: a watcher vouches for it (see "When counts are fresh").
        let mut status_fresh = current.is_some_and(|r| now_ms <= r.watched_until_ms);
        // Due for the refresher: another key, or older than `refresh_ms`.
        let due = current.is_none_or(|r| now_ms.saturating_sub(r.time_ms) > self.max_age_ms);
        let mut ab_fresh = cached.is_some_and(|r| r.ab_key == ab_key(snap));
        let needs_status = self.wants_status && repo.work_tree.is_some();
        let wants_ab = snap.upstream.is_some() && snap.oid.is_some();
        let new_ab = (wants_ab && !ab_fresh)
            .then(|| inline::ahead_behind(repo, snap))
            .flatten();
        ab_fresh |= new_ab.is_some();
        let mut computed = None;
        if needs_status && !status_fresh && !self.diffstat && inline::index_is_small(repo, path) {
            computed = inline_status(repo, snap, key, deadline, (held, path));
            status_fresh = computed.is_some();
        }
        if new_ab.is_some() && computed.is_none() {
            computed = Some(cached.unwrap_or_default());
        }
        let seen = cached.map_or(0, |r| r.time_ms);
        if let Some(fresh) = computed.as_mut() {
            // Ahead/behind that is not fresh keeps its old key, so it still reads stale.
            fresh.ab_key = match (ab_fresh || !wants_ab, cached) {
                (true, _) => ab_key(snap),
                (false, Some(old)) => old.ab_key,
                (false, None) => 0,
            };
            let old_ab = cached.and_then(|r| r.ahead_behind);
            fresh.ahead_behind = new_ab.or(old_ab).filter(|_| wants_ab);
        }
        let refresh = (needs_status && !status_fresh && due) || (wants_ab && !ab_fresh);
        Look {
            record: computed.or(cached),
            status_fresh,
            ab_fresh,
            write: computed.filter(|r| news(r, cached)).map(|r| (r, seen)),
            refresh: refresh.then_some(seen),
        }
    }

    /// Starts the refresher a render asked for, and reports a new error on stderr.
    pub fn after_frame(&self, widget: &str, refresher: &crate::cache::Refresher) {
        let mut guard = match self.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let st = &mut *guard;
        if let (Some(error), false) = (&st.error, st.reported) {
            let _ = writeln!(std::io::stderr(), "blinkline: {widget}: {error}");
            st.reported = true;
        }
        if st.refresh.is_none() && st.write.is_none() {
            return;
        }
        let Some(found) = st.found.as_ref() else {
            return;
        };
        if st.cache.is_none() {
            st.cache = st.cache_dir.clone().and_then(|dir| Cache::at(dir).ok());
        }
        let Some(cache) = st.cache.as_ref() else {
            return;
        };
        if let Some((record, replaces)) = st.write.take() {
            inline::store(cache, &found.record, &record, replaces);
        }
        let Some(seen) = st.refresh.take() else {
            return;
        };
        let dir = found
            .repo
            .work_tree
            .as_deref()
            .unwrap_or(&found.repo.git_dir);
        refresh::start(refresher, cache, &found.record, dir, self.diffstat, || {
            // Someone refreshed since we looked: nothing to do.
            cache
                .read(&found.record)
                .and_then(|b| StatusRecord::decode(&b))
                .is_none_or(|r| r.time_ms <= seen)
        });
    }
}

impl State {
    fn note_error(&mut self, message: String) {
        if self.error.as_deref() != Some(message.as_str()) {
            self.error = Some(message);
            self.reported = false;
        }
    }
}

/// The status of a small repository now: the last inline one while its witness holds
/// (a process rendering again), else computed within the frame's hashing budget.
fn inline_status(
    repo: &Repo,
    snap: &Snapshot,
    key: u64,
    deadline: Instant,
    (held, path): (&mut Option<Held>, &mut PathBuf),
) -> Option<StatusRecord> {
    if let Some(last) = held.as_mut()
        && last.key == key
        && last.witness.holds(path)
    {
        return Some(last.record);
    }
    let (record, witness) = inline::status(repo, snap, key, inline::hash_budget(deadline))
        .map_or((None, None), |(r, w)| (Some(r), w));
    *held = record.zip(witness).map(|(record, witness)| Held {
        key,
        record,
        witness,
    });
    record
}

/// Does `computed` say anything the cached record does not (so it is worth a write)?
/// An inline status repeated on every render mostly finds what the last one found.
fn news(computed: &StatusRecord, cached: Option<StatusRecord>) -> bool {
    cached.is_none_or(|old| {
        (
            old.key,
            old.ab_key,
            old.counts,
            old.ahead_behind,
            old.failed,
        ) != (
            computed.key,
            computed.ab_key,
            computed.counts,
            computed.ahead_behind,
            computed.failed,
        )
    })
}

/// Fills a deferred snapshot (reftable refs) from what git said in the record: the branch
/// into `s.head_ref`, the detached commit and its tag (`s.deferred_tag`). A rebase keeps
/// the branch it works on (read from the operation's files, as elsewhere). Without a
/// record from git, `HEAD` reads as detached with no commit: the branch widget hides.
fn apply_git_head(
    snap: &mut Snapshot,
    record: Option<StatusRecord>,
    raw: Option<&[u8]>,
    s: &mut Scratch,
) {
    let head = record.map_or(RecordHead::Unknown, |r| r.head);
    let named = raw.is_some_and(|bytes| head_name_into(bytes, &mut s.deferred_tag));
    if !s.head_ref.is_empty() && head != RecordHead::Unknown {
        snap.kind = HeadKind::Branch;
        s.deferred_tag.clear();
        return;
    }
    s.head_ref.clear();
    (snap.kind, snap.oid) = match head {
        RecordHead::Branch | RecordHead::Unborn if named => {
            s.head_ref.extend_from_slice(b"refs/heads/");
            s.head_ref.append(&mut s.deferred_tag);
            match head {
                RecordHead::Unborn => (HeadKind::Unborn, None),
                _ => (HeadKind::Branch, None),
            }
        }
        RecordHead::Detached(oid) => (HeadKind::Detached, Some(oid)),
        _ => (HeadKind::Detached, None),
    };
    if snap.kind != HeadKind::Detached {
        s.deferred_tag.clear();
    }
}

fn git_env(ctx: &Frame<'_>) -> GitEnv {
    GitEnv::from_vars(
        ctx.env.git_dir.as_deref(),
        ctx.env.git_work_tree.as_deref(),
        ctx.env.process_cwd.as_deref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::test_repo::{payload, with_commit};
    use crate::git::witness::RACY;

    /// Renders with `probe` (no cache: `Environment::default` names none) and returns
    /// whether the counts were fresh and the modified count.
    fn modified(probe: &Probe, payload: &str) -> (bool, Option<u32>) {
        crate::widgets::testing::with_plain_context(payload, |ctx| {
            probe.with_view(&ctx.git_frame(), |view| {
                let view = view.ok().expect("a repository");
                let counts = view.record.and_then(|r| r.counts);
                (view.status_fresh, counts.map(|c| c.modified))
            })
        })
    }

    #[test]
    #[cfg_attr(not(unix), ignore = "needs git")]
    fn a_process_rendering_again_reuses_its_status_until_a_file_changes() {
        let repo = with_commit("probe-witness");
        // Old enough to be told apart from later changes (see `witness.rs`).
        std::thread::sleep(RACY * 2);
        let probe = Probe::new(true, false, 2000);
        let payload = payload(&repo.root);
        assert_eq!(modified(&probe, &payload), (true, Some(0)));
        let held = |probe: &Probe| probe.state.lock().unwrap().held.as_ref().map(|h| h.record);
        let first = held(&probe).expect("the status left a witness");
        // A status computed again would carry a later time.
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert_eq!(modified(&probe, &payload), (true, Some(0)));
        assert_eq!(
            held(&probe),
            Some(first),
            "computed again with nothing changed"
        );
        // Same size, so only the witness's timestamps can tell.
        std::fs::write(repo.root.join("a.txt"), "b\n").unwrap();
        assert_eq!(modified(&probe, &payload), (true, Some(1)));
    }
}
