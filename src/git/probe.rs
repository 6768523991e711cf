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
//! is shown without computing it again. After the frame, a render that computed the
//! status stores the witness with the record; the next process (Claude Code starts one
//! per render) takes the recorded counts as exact only under the same key and while
//! that witness holds, and computes them again otherwise.
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
    HeadKind, RecordHead, Snapshot, StatusRecord, StatusSource, ab_key, deferred, head_name_into,
    inspect, record_name, status_key, stored_witness,
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
    /// The renderer's git state: the repository read once per frame for every git widget.
    pub git: &'a GitState,
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

/// The git state a renderer's git widgets share (`git_branch`, `git_status`): the
/// repository of the session's directory, the cache handle, and what the current frame
/// read of them (the [`Snapshot`], the record key, the cached record). A frame thus
/// discovers the repository, reads git's config files, `HEAD`, the refs and the record
/// once, whatever the number of git widgets in the line. A frame is told by its
/// deadline, which every frame sets anew.
#[derive(Default)]
pub struct GitState {
    state: Mutex<Shared>,
}

impl GitState {
    /// Forgets the discovered repository and what the last frame read (`bench --cold`).
    pub fn forget(&self) {
        *lock(&self.state) = Shared::default();
    }
}

#[derive(Default)]
struct Shared {
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
    /// The deadline of the frame `read` belongs to.
    frame: Option<Instant>,
    read: Option<FrameRead>,
}

/// What a frame read of the repository, for the frame's other git widgets.
#[derive(Clone, Copy)]
struct FrameRead {
    snap: Snapshot,
    key: u64,
    record: Option<StatusRecord>,
    /// Where the cached record's bytes are in `Shared::buf`.
    raw: Option<(usize, usize)>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// A widget's own part of the git state.
#[derive(Default)]
struct State {
    /// Set by a render that showed stale or missing data; the record time it saw.
    refresh: Option<i64>,
    /// A record a render computed inline, to store after the frame.
    write: Option<Pending>,
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

/// The cached record and the witness stored with it.
type Stored<'a> = (StatusRecord, &'a [u8]);

/// A record to store after the frame.
#[derive(Clone, Copy)]
struct Pending {
    record: StatusRecord,
    /// The time of the record it replaces: it is only stored if that one is still there.
    replaces: i64,
    /// It says something the cached record does not (see [`news`]).
    news: bool,
    /// Its counts were computed by this render: their witness goes with them, so the
    /// next process checks it instead of computing them again.
    witnessed: bool,
}

/// What a render makes of the cached record (see [`Probe::look`]).
struct Look {
    record: Option<StatusRecord>,
    status_fresh: bool,
    ab_fresh: bool,
    /// A record computed inline, to store after the frame.
    write: Option<Pending>,
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
        let mut shared = lock(&ctx.git.state);
        let sh = &mut *shared;
        let mut own = lock(&self.state);
        let st = &mut *own;
        if sh.start != dir || !sh.looked {
            sh.start.clear();
            sh.start.push_str(dir);
            sh.looked = true;
            sh.read = None;
            let env = git_env(ctx);
            match discover(Path::new(dir), &env) {
                Ok(Some(repo)) => {
                    let record = record_name(&repo);
                    sh.found = Some(Found { repo, record });
                }
                Ok(None) => {
                    sh.found = None;
                    return f(Err(Miss::NotRepo));
                }
                Err(e) => {
                    sh.found = None;
                    sh.looked = false;
                    let summary = e.summary();
                    st.note_error(e.to_string());
                    return f(Err(Miss::Broken(summary)));
                }
            }
        }
        if !sh.cache_checked {
            sh.cache_checked = true;
            sh.cache_dir = Cache::locate(ctx.env).ok();
            sh.cache = Cache::existing(ctx.env);
        }
        let Some(found) = sh.found.as_ref() else {
            return f(Err(Miss::NotRepo));
        };
        let read = match sh.read.filter(|_| sh.frame == Some(ctx.deadline)) {
            Some(read) => read,
            None => {
                let buffers = (&mut sh.path, &mut sh.buf);
                let read = match read_repo(found, sh.cache.as_ref(), &mut sh.scratch, buffers) {
                    Ok(read) => read,
                    Err((miss, error)) => {
                        if let Some(error) = error {
                            st.note_error(error);
                            sh.looked = false;
                        }
                        return f(Err(miss));
                    }
                };
                sh.frame = Some(ctx.deadline);
                sh.read = Some(read);
                read
            }
        };
        let raw = read.raw.map(|(from, to)| &sh.buf[from..to]);
        let stored = read.record.zip(raw.and_then(stored_witness));
        let look = self.look(
            &found.repo,
            &read.snap,
            (read.key, read.record, stored),
            (ctx.now * 1000, ctx.deadline),
            (&mut st.held, &mut sh.path),
        );
        if look.write.is_some() {
            st.write = look.write;
        }
        if look.refresh.is_some() {
            st.refresh = look.refresh;
        }
        f(Ok(View {
            repo: &found.repo,
            snap: read.snap,
            record: look.record,
            status_fresh: look.status_fresh,
            ab_fresh: look.ab_fresh,
            scratch: &mut sh.scratch,
        }))
    }

    /// Forgets the last inline status, the refresh request and what to store (the
    /// repository itself is the renderer's [`GitState`]).
    pub fn forget(&self) {
        *lock(&self.state) = State::default();
    }

    /// Decides what the cached record is good for, catches up inline where that is cheap
    /// (`inline.rs`), and says what to store and whether a refresher is needed. `now_ms`
    /// is the frame's time, `deadline` when it goes out.
    fn look(
        &self,
        repo: &Repo,
        snap: &Snapshot,
        (key, cached, stored): (u64, Option<StatusRecord>, Option<Stored<'_>>),
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
        let mut witnessed = false;
        if needs_status && !status_fresh && !self.diffstat && inline::index_is_small(repo, path) {
            (computed, witnessed) = inline_status(repo, snap, key, deadline, (held, path), stored);
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
            write: computed
                .map(|record| Pending {
                    record,
                    replaces: seen,
                    news: news(&record, cached),
                    witnessed,
                })
                .filter(|w| w.news || w.witnessed),
            refresh: refresh.then_some(seen),
        }
    }

    /// Starts the refresher a render asked for, and reports a new error on stderr.
    pub fn after_frame(&self, widget: &str, refresher: &crate::cache::Refresher, git: &GitState) {
        let mut shared = lock(&git.state);
        let sh = &mut *shared;
        let mut own = lock(&self.state);
        let st = &mut *own;
        if let (Some(error), false) = (&st.error, st.reported) {
            let _ = writeln!(std::io::stderr(), "blinkline: {widget}: {error}");
            st.reported = true;
        }
        if st.refresh.is_none() && st.write.is_none() {
            return;
        }
        let Some(found) = sh.found.as_ref() else {
            return;
        };
        if sh.cache.is_none() {
            sh.cache = sh.cache_dir.clone().and_then(|dir| Cache::at(dir).ok());
        }
        let Some(cache) = sh.cache.as_ref() else {
            return;
        };
        if let Some(pending) = st.write.take() {
            // Read after the frame: the signature's `lstat`s never delay the line.
            let witness = st
                .held
                .as_mut()
                .filter(|held| pending.witnessed && held.key == pending.record.key)
                .and_then(|held| held.witness.encode(&mut sh.path));
            if pending.news || witness.is_some() {
                let (record, replaces) = (&pending.record, pending.replaces);
                inline::store(cache, &found.record, record, replaces, witness.as_deref());
            }
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
/// (a process rendering again), else the recorded one under the same key while the
/// witness stored with it holds (a new process), else computed within the frame's
/// hashing budget. Says whether it was computed now.
fn inline_status(
    repo: &Repo,
    snap: &Snapshot,
    key: u64,
    deadline: Instant,
    (held, path): (&mut Option<Held>, &mut PathBuf),
    stored: Option<Stored<'_>>,
) -> (Option<StatusRecord>, bool) {
    match held.as_mut() {
        Some(last) if last.key == key => {
            if last.witness.holds(path) {
                return (Some(last.record), false);
            }
        }
        _ => {
            if let Some((record, witness)) = stored
                && record.key == key
                && record.counts.is_some()
                && record.source == StatusSource::Inline
                && let Some(mut witness) = Witness::decode(repo, witness)
                && witness.holds(path)
            {
                *held = Some(Held {
                    key,
                    record,
                    witness,
                });
                return (Some(record), false);
            }
        }
    }
    let (record, witness) = inline::status(repo, snap, key, inline::hash_budget(deadline))
        .map_or((None, None), |(r, w)| (Some(r), w));
    *held = record.zip(witness).map(|(record, witness)| Held {
        key,
        record,
        witness,
    });
    (record, record.is_some())
}

/// What a frame reads of the repository: the snapshot, the record key and the cached
/// record (its bytes left in `buf`). A repository that cannot be read gives the miss
/// and the error's text.
fn read_repo(
    found: &Found,
    cache: Option<&Cache>,
    s: &mut Scratch,
    (path, buf): (&mut PathBuf, &mut Vec<u8>),
) -> Result<FrameRead, (Miss, Option<String>)> {
    let mut snap = match inspect(&found.repo, s) {
        Ok(snap) => snap,
        // `git status` refuses a bare repository: nothing to defer to.
        Err(GitError::LeftToGit { what }) if found.repo.work_tree.is_none() => {
            return Err((Miss::LeftToGit(what), None));
        }
        Err(GitError::LeftToGit { .. }) => deferred(&found.repo, s),
        Err(e) => return Err((Miss::Broken(e.summary()), Some(e.to_string()))),
    };
    let key = status_key(&found.repo, &snap, s);
    let raw = cache.and_then(|c| c.read_into(&found.record, path, buf));
    let record = raw.and_then(StatusRecord::decode);
    if snap.deferred {
        apply_git_head(&mut snap, record, raw, s);
    }
    // The record is the tail of `buf` (after the cache's header).
    let raw = raw.map(<[u8]>::len).map(|len| (buf.len() - len, buf.len()));
    Ok(FrameRead {
        snap,
        key,
        record,
        raw,
    })
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

    /// One render by a new process (a new probe) with the cache in `cache_home`, the
    /// record stored after the frame as a render stores it: whether the counts were
    /// fresh, the modified and staged counts, and the time of the record shown.
    fn one_shot(repo: &Path, cache_home: &Path) -> (bool, Option<(u32, u32)>, i64) {
        let probe = Probe::new(true, false, 2000);
        let env = crate::input::env::Environment {
            xdg_cache_home: Some(cache_home.to_string_lossy().into_owned()),
            ..Default::default()
        };
        // A real time: at 0 every record would look vouched for by a watcher.
        let now = crate::engine::clock::unix_now();
        let git = GitState::default();
        let seen =
            crate::widgets::testing::with_env_context(&payload(repo), env, now, &git, |ctx| {
                probe.with_view(&ctx.git_frame(), |view| {
                    let view = view.ok().expect("a repository");
                    let record = view.record.expect("a record");
                    let counts = record.counts.map(|c| (c.modified, c.staged));
                    (view.status_fresh, counts, record.time_ms)
                })
            });
        let none = crate::cache::Refresher::Inline(Box::new(|_| {}));
        probe.after_frame("git_status", &none, &git);
        seen
    }

    /// A cache directory for [`one_shot`], and the repository's files aged past [`RACY`]
    /// so that a witness can be taken.
    fn cache_home(tag: &str) -> crate::tempdir::TempDir {
        let home = crate::tempdir::TempDir::new(tag).unwrap();
        crate::cache::Cache::at(home.join("blinkline")).unwrap();
        std::thread::sleep(RACY * 2);
        home
    }

    #[test]
    #[cfg_attr(not(unix), ignore = "needs git")]
    fn a_new_process_trusts_the_recorded_status_only_while_its_stored_witness_holds() {
        let repo = with_commit("probe-stored");
        let home = cache_home("probe-stored-cache");
        let (fresh, counts, computed_at) = one_shot(&repo.root, &home);
        assert_eq!((fresh, counts), (true, Some((0, 0))));
        // A status computed again would carry a later time.
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert_eq!(
            one_shot(&repo.root, &home),
            (true, Some((0, 0)), computed_at),
            "the next process shows the recorded status, unchanged, as exact"
        );
        // Same size, so only the witness's timestamps can tell.
        std::fs::write(repo.root.join("a.txt"), "b\n").unwrap();
        let (fresh, counts, at) = one_shot(&repo.root, &home);
        assert_eq!((fresh, counts), (true, Some((1, 0))));
        assert!(at > computed_at, "computed again");
    }

    #[test]
    #[cfg_attr(not(unix), ignore = "needs git")]
    fn a_change_between_two_one_shot_renders_is_seen_despite_the_stored_witness() {
        use crate::git::test_repo::git;
        let repo = with_commit("probe-change");
        let home = cache_home("probe-change-cache");
        let root = &repo.root;
        // Each step: a render that stores its witness, a change, then a new process.
        let step = |change: &dyn Fn(), want: (u32, u32), what: &str| {
            std::thread::sleep(RACY * 2);
            let (_, _, before) = one_shot(root, &home);
            std::thread::sleep(std::time::Duration::from_millis(2));
            change();
            let (fresh, counts, at) = one_shot(root, &home);
            assert_eq!((fresh, counts), (true, Some(want)), "{what}");
            assert!(at > before, "{what}: computed again");
        };
        step(
            &|| std::fs::write(root.join("a.txt"), "b\n").unwrap(),
            (1, 0),
            "a file edited",
        );
        step(
            &|| git(root, &["add", "a.txt"]),
            (0, 1),
            "the index touched",
        );
        step(
            &|| git(root, &["commit", "-qm", "two"]),
            (0, 0),
            "HEAD moved by a commit",
        );
        step(
            &|| std::fs::write(root.join("a.txt"), "c\n").unwrap(),
            (1, 0),
            "an edit on the new commit",
        );
        step(
            &|| git(root, &["checkout", "-q", "-b", "other"]),
            (1, 0),
            "a branch switched, the edit carried along",
        );
        step(
            &|| git(root, &["checkout", "-q", "--", "a.txt"]),
            (0, 0),
            "the edit dropped",
        );
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
