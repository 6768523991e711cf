//! The detached refresher: `blinkline __refresh-git [--diffstat] [--locked] DIR`.
//!
//! Started by a render's `after_frame` (never waited for), or by hand. It computes the
//! status off the frame's path and stores the result in the cache:
//! - the own engine (`engine.rs`) for the counts and ahead/behind, with its untracked
//!   listing cache kept in the cross-process cache; no git process;
//! - when the engine leaves the repository to git (`StatusError::Unsupported`: submodules,
//!   attributes, split index, …) or fails, `git --no-optional-locks status
//!   --porcelain=v2 --branch --show-stash -z` (`--no-optional-locks`: the index is never
//!   written and `index.lock` never taken, so the user's own git is never disturbed);
//! - where only git reads the refs (reftable), `git status` as above, with `HEAD` from its
//!   `# branch.head` and `# branch.oid` (and `git describe --tags --exact-match` for the
//!   tag of a detached `HEAD`), stored for `git_branch`; no watcher stays on there;
//! - in a bare repository ahead/behind from the object store, else `git rev-list
//!   --left-right --count HEAD...UPSTREAM`;
//! - with `--diffstat`, `git diff --shortstat HEAD` for insertions and deletions: the only
//!   git process left on the engine's path, and only when that option is on.
//!
//! The record says which engine answered (`StatusSource`), for `explain`.
//! `BLINKLINE_GIT_ENGINE=git` skips the own engine (for diagnosis and comparisons).
//!
//! Every git process runs with `-c core.fsmonitor=false` (`git status` would otherwise run
//! the repository's own `core.fsmonitor` command: a repository unpacked from an archive
//! would run a command as soon as a status line is drawn in it), `-c protocol.allow=never`
//! and `GIT_NO_LAZY_FETCH=1` (a partial clone would fetch missing objects through a
//! transport the repository's config names), and `git diff` with `--no-ext-diff`. None of
//! them changes git's answer. What these cannot switch off: the clean filters and
//! long-running filter processes (`filter.*.clean`, `filter.*.process`) that the
//! repository's `.gitattributes` names, run to hash stat-dirty files: turning them off
//! would change the counts.
//!
//! The key is computed *before* git runs, so a change made while it runs makes the record
//! stale at once rather than hiding the change. With `--locked`, stdin is the record's
//! lock file, already locked by the render that started us (so no second refresher can
//! start in between); otherwise the refresher takes the lock itself and quietly leaves
//! the work to the holder when it cannot. `BLINKLINE_TRACE_REFRESH=FILE` appends one line
//! per refresher run to FILE (for diagnosing how often refreshers run).

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use crate::cache::Cache;
use crate::git::discover::{GitEnv, Repo, discover};
use crate::git::engine::{self, EngineOptions};
use crate::git::object::{ObjectStore, ahead_behind};
use crate::git::porcelain;
use crate::git::record::{
    self, RecordHead, Snapshot, StatusRecord, StatusSource, ab_key, inspect, record_name,
    status_key,
};
use crate::git::refs::Scratch;
use crate::git::watch::{self, WatchEnd, WatchRequest};
use crate::git::{GitError, Oid, RawOid};

/// What to refresh.
#[derive(Clone, Debug)]
pub struct RefreshRequest<'a> {
    pub dir: &'a Path,
    pub diffstat: bool,
    /// Stdin holds the single-flight lock, taken by the render that started us.
    pub locked: bool,
    /// Stay on as the repository's watcher (`git/watch/`) when watching is enabled.
    pub watch: bool,
}

/// Refreshes the record of the repository containing `req.dir`.
pub fn refresh(req: &RefreshRequest<'_>, env: &GitEnv, cache: &Cache) -> Result<(), GitError> {
    let repo = discover(req.dir, env)?.ok_or_else(|| GitError::Command {
        message: format!("{} is not in a git repository", req.dir.display()),
    })?;
    let name = record_name(&repo);
    let _lock = if req.locked {
        None
    } else {
        match cache.try_lock(&name) {
            Some(lock) => Some(lock),
            None => return Ok(()),
        }
    };
    trace(&name);
    let mut s = Scratch::default();
    let left_to_git = matches!(inspect(&repo, &mut s), Err(GitError::LeftToGit { .. }));
    if left_to_git {
        return refresh_from_git(&repo, req.diffstat, (cache, &name));
    }
    if req.watch && repo.work_tree.is_some() && watch::enabled() && !forced_to_git() {
        let request = WatchRequest {
            repo: &repo,
            cache,
            record: &name,
            diffstat: req.diffstat,
        };
        if watch::run(&request) == WatchEnd::Stopped {
            return Ok(());
        }
    }
    let snap = match inspect(&repo, &mut s) {
        Err(GitError::LeftToGit { .. }) => {
            return refresh_from_git(&repo, req.diffstat, (cache, &name));
        }
        snap => snap?,
    };
    let mut record = StatusRecord {
        key: status_key(&repo, &snap, &mut s),
        ab_key: ab_key(&snap),
        ..StatusRecord::default()
    };
    let error = match &repo.work_tree {
        Some(tree) => counts_into(&mut record, &repo, tree, &snap, (cache, &name)),
        None => {
            record.ahead_behind = bare_ahead_behind(&repo, &snap);
            None
        }
    };
    if let (true, Some(_), Some(tree)) = (req.diffstat, snap.oid, &repo.work_tree) {
        record.lines = diffstat(&repo, tree).ok();
    }
    record.time_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    cache
        .write(&name, &record.encode(error.as_deref()))
        .map_err(|e| GitError::Command {
            message: e.to_string(),
        })
}

/// Refreshes a repository whose refs only git reads (reftable): `git status` gives the
/// counts, ahead/behind and `HEAD` (branch, or detached commit with the tag `git describe
/// --tags --exact-match` names), stored for the widgets to show. A bare repository, where
/// `git status` does not run, gets no record (the widgets show nothing there).
fn refresh_from_git(
    repo: &Repo,
    with_lines: bool,
    (cache, name): (&Cache, &str),
) -> Result<(), GitError> {
    let Some(tree) = repo.work_tree.as_deref() else {
        return Ok(());
    };
    let mut s = Scratch::default();
    let snap = record::deferred(repo, &mut s);
    let mut record = StatusRecord {
        key: status_key(repo, &snap, &mut s),
        ab_key: ab_key(&snap),
        source: StatusSource::Git,
        ..StatusRecord::default()
    };
    let mut head_name = Vec::new();
    let parsed = git(repo, Some(tree), &STATUS_ARGS).and_then(|out| {
        let p = porcelain::parse(&out).map_err(|what| GitError::Command {
            message: what.to_owned(),
        })?;
        record.head = git_head(repo, tree, &out, &mut head_name);
        Ok(p)
    });
    let error = match parsed {
        Ok(p) => {
            record.counts = Some(p.counts);
            record.ahead_behind = p.ahead_behind;
            None
        }
        Err(e) => {
            record.failed = true;
            Some(e.to_string())
        }
    };
    let has_commit = matches!(record.head, RecordHead::Branch | RecordHead::Detached(_));
    if with_lines && has_commit {
        record.lines = diffstat(repo, tree).ok();
    }
    record.time_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    cache
        .write(name, &record.encode_with_name(error.as_deref(), &head_name))
        .map_err(|e| GitError::Command {
            message: e.to_string(),
        })
}

/// `HEAD` from `git status`'s `# branch.head` and `# branch.oid`, its name into `name`.
fn git_head(repo: &Repo, tree: &Path, out: &[u8], name: &mut Vec<u8>) -> RecordHead {
    name.clear();
    match porcelain::branch_fields(out) {
        (Some(b"(detached)"), Some(oid)) => {
            let Some(oid) = Oid::parse(oid) else {
                return RecordHead::Unknown;
            };
            let describe = ["describe", "--tags", "--exact-match", "HEAD"];
            if let Ok(tag) = git(repo, Some(tree), &describe) {
                name.extend_from_slice(tag.trim_ascii());
            }
            RecordHead::Detached(oid)
        }
        (Some(branch), Some(oid)) => {
            name.extend_from_slice(branch);
            match oid {
                b"(initial)" => RecordHead::Unborn,
                _ => RecordHead::Branch,
            }
        }
        _ => RecordHead::Unknown,
    }
}

/// Status computations by this process: refreshes, and the render's own inline ones (a
/// statistic for `bench --cold`).
static REFRESHES: AtomicU64 = AtomicU64::new(0);

/// Counts one status computation (see [`refreshes`]).
pub(crate) fn count_computation() {
    REFRESHES.fetch_add(1, Relaxed);
}

/// How many times this process computed a repository's status, by a refresh or inline.
pub fn refreshes() -> u64 {
    REFRESHES.load(Relaxed)
}

/// Fills in the counts and ahead/behind: the own engine first, `git status` when the
/// engine leaves the repository to git or fails (git then gives the authoritative answer
/// or error). Returns the error text when git failed too.
fn counts_into(
    record: &mut StatusRecord,
    repo: &Repo,
    tree: &Path,
    snap: &Snapshot,
    (cache, name): (&Cache, &str),
) -> Option<String> {
    if !forced_to_git() {
        let options = EngineOptions {
            untracked_cache: Some((cache, name)),
            ..EngineOptions::default()
        };
        if let Ok(p) = engine::status(repo, snap, &options) {
            record.counts = Some(p.counts);
            record.ahead_behind = p.ahead_behind;
            record.source = StatusSource::Engine;
            return None;
        }
    }
    match status(repo, tree) {
        Ok(p) => {
            record.counts = Some(p.counts);
            record.ahead_behind = p.ahead_behind;
            record.source = StatusSource::Git;
            None
        }
        Err(e) => {
            record.failed = true;
            Some(e.to_string())
        }
    }
}

/// `BLINKLINE_GIT_ENGINE=git` skips the own engine (for diagnosis and comparisons).
fn forced_to_git() -> bool {
    std::env::var_os("BLINKLINE_GIT_ENGINE").is_some_and(|v| v == "git")
}

/// Ahead/behind in a bare repository: the object store, else `git rev-list`.
fn bare_ahead_behind(repo: &Repo, snap: &Snapshot) -> Option<(u32, u32)> {
    let (head, up) = (snap.oid?, snap.upstream?);
    if !forced_to_git()
        && !crate::git::refs::has_replace_refs(&repo.common_dir)
        && let (Some(h), Some(u)) = (RawOid::from_hex(&head), RawOid::from_hex(&up))
        && let Ok(ab) = ObjectStore::open(&repo.common_dir).and_then(|s| ahead_behind(&s, &h, &u))
    {
        return Some(ab);
    }
    rev_list_ab(repo, &head, &up).ok()
}

fn trace(name: &str) {
    count_computation();
    let Some(path) = std::env::var_os("BLINKLINE_TRACE_REFRESH").filter(|p| !p.is_empty()) else {
        return;
    };
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
    {
        let _ = f.write_all(format!("{name} {}\n", std::process::id()).as_bytes());
    }
}

/// Options on every git command: no command from the repository's config runs that can
/// be turned off without changing the answer (see the module doc).
const SAFE_OPTIONS: [&str; 5] = [
    "-c",
    "core.fsmonitor=false",
    "-c",
    "protocol.allow=never",
    "--no-optional-locks",
];

/// `git` pinned to this repository, never touching the index.
fn git(repo: &Repo, work_tree: Option<&Path>, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let mut cmd = Command::new("git");
    cmd.args(SAFE_OPTIONS)
        .args(args)
        .env("GIT_DIR", &repo.git_dir)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_NO_LAZY_FETCH", "1")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    match work_tree {
        Some(tree) => {
            cmd.env("GIT_WORK_TREE", tree).current_dir(tree);
        }
        None => {
            cmd.env_remove("GIT_WORK_TREE").current_dir(&repo.git_dir);
        }
    }
    let out = output_within(&mut cmd, GIT_TIMEOUT)?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(GitError::Command {
            message: format!("git {}: {}", args.join(" "), stderr.trim()),
        });
    }
    Ok(out.stdout)
}

/// How long one git command may run before the refresher gives up on it (a repository on
/// a vanished network mount can block forever; the lock must not be held forever).
const GIT_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `cmd`, killing it after `limit`. Stdout and stderr are drained on threads so a
/// chatty child cannot block on a full pipe.
fn output_within(cmd: &mut Command, limit: Duration) -> Result<Output, GitError> {
    let fail = |e: std::io::Error| GitError::Command {
        message: format!("cannot run git: {e}"),
    };
    let mut child = cmd.stdout(Stdio::piped()).spawn().map_err(fail)?;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut buf);
            }
            buf
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(fail)? {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(GitError::Command {
                message: format!("git did not finish within {}s; gave up", limit.as_secs()),
            });
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

/// The `git status` that answers where the own engine does not.
const STATUS_ARGS: [&str; 5] = ["status", "--porcelain=v2", "--branch", "--show-stash", "-z"];

fn status(repo: &Repo, tree: &Path) -> Result<porcelain::Porcelain, GitError> {
    let out = git(repo, Some(tree), &STATUS_ARGS)?;
    porcelain::parse(&out).map_err(|what| GitError::Command {
        message: what.to_owned(),
    })
}

fn rev_list_ab(repo: &Repo, head: &Oid, up: &Oid) -> Result<(u32, u32), GitError> {
    let range = format!("{}...{}", head.as_str(), up.as_str());
    let out = git(repo, None, &["rev-list", "--left-right", "--count", &range])?;
    let text = String::from_utf8_lossy(&out);
    let mut parts = text.split_whitespace().map(str::parse::<u32>);
    match (parts.next(), parts.next()) {
        (Some(Ok(a)), Some(Ok(b))) => Ok((a, b)),
        _ => Err(GitError::Command {
            message: "git rev-list printed no counts".into(),
        }),
    }
}

/// Parses `N files changed, I insertions(+), D deletions(-)` (parts may be missing).
pub fn parse_shortstat(text: &str) -> (u64, u64) {
    let mut ins = 0;
    let mut del = 0;
    for part in text.split(',') {
        let mut words = part.split_whitespace();
        let (Some(n), Some(what)) = (words.next(), words.next()) else {
            continue;
        };
        let n = n.parse().unwrap_or(0);
        if what.starts_with("insertion") {
            ins = n;
        } else if what.starts_with("deletion") {
            del = n;
        }
    }
    (ins, del)
}

/// Inserted and deleted lines against `HEAD` in the work tree `tree` of `repo`.
pub(crate) fn diffstat(repo: &Repo, tree: &Path) -> Result<(u64, u64), GitError> {
    let out = git(
        repo,
        Some(tree),
        &["diff", "--no-ext-diff", "--shortstat", "HEAD"],
    )?;
    Ok(parse_shortstat(&String::from_utf8_lossy(&out)))
}

/// Starts a refresher for `dir` through `refresher` unless one is already at work, handing
/// it the single-flight lock. `still_needed` is asked once the lock is held (a refresher
/// may have finished since the render looked). Returns whether one was started.
pub fn start(
    refresher: &crate::cache::Refresher,
    cache: &Cache,
    name: &str,
    dir: &Path,
    diffstat: bool,
    still_needed: impl FnOnce() -> bool,
) -> bool {
    let Some(lock) = cache.try_lock(name) else {
        if diffstat {
            // A watcher may hold the lock: ask it for the lines it was not keeping.
            let marker = cache.dir().join(watch::lines_marker(name));
            let _ = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(marker);
        }
        return false;
    };
    if !still_needed() {
        return false;
    }
    let job = crate::cache::Refresh::Git {
        dir,
        diffstat,
        locked: true,
    };
    refresher.start_holding(lock, &job).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::discover::GitEnv;
    use crate::git::test_repo::{git as git_cli, with_commit};

    #[test]
    #[cfg_attr(not(unix), ignore = "needs git")]
    fn git_status_in_a_repository_does_not_run_its_core_fsmonitor_command() {
        let repo = with_commit("refresh-fsmonitor");
        let marker = repo.root.join("FSMONITOR_RAN");
        let hook = format!("touch '{}'; false", marker.display());
        git_cli(&repo.root, &["config", "core.fsmonitor", &hook]);
        std::fs::write(repo.root.join("a.txt"), "b\n").unwrap();
        let found = discover(&repo.root, &GitEnv::default()).unwrap().unwrap();
        let tree = found.work_tree.clone().unwrap();
        let porcelain = status(&found, &tree).unwrap();
        assert_eq!(porcelain.counts.modified, 1);
        assert_eq!(diffstat(&found, &tree).unwrap(), (1, 1));
        assert!(!marker.exists(), "git ran the repository's core.fsmonitor");
    }

    #[test]
    fn shortstat_lines_are_parsed_with_parts_missing() {
        assert_eq!(
            parse_shortstat(" 3 files changed, 12 insertions(+), 4 deletions(-)\n"),
            (12, 4)
        );
        assert_eq!(parse_shortstat(" 1 file changed, 1 deletion(-)"), (0, 1));
        assert_eq!(parse_shortstat(""), (0, 0));
    }
}
