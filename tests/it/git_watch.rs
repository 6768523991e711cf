//! The git watcher (`__refresh-git` staying on with inotify): after every kind of change
//! to the work tree and the repository, its record shows what
//! `git status --porcelain=v2 --branch --show-stash` counts, under the repository's
//! current key; it stops when idle or when the work tree vanishes; renders take its
//! record as fresh whatever its age and start no refresher while it runs.
//!
//! The tests in [`poll`] run the same checks with the polling watcher (the one Windows
//! uses), forced with `BLINKLINE_WATCHER=poll`, and those in [`dirs`] with the directory
//! wake-ups macOS uses (kqueue there; here inotify reporting no more than kqueue does),
//! forced with `BLINKLINE_WATCHER=dirs`.

use crate::support::git as git_support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use blinkline::testing::git::discover::{GitEnv, discover};
use blinkline::testing::git::porcelain::{self, Counts};
use blinkline::testing::git::record::{StatusRecord, inspect, record_name, status_key};
use blinkline::testing::git::refs::Scratch;
use git_support::{Sandbox, write};

/// How long the watcher may take to show a change (it takes milliseconds; the margin is
/// for loaded machines).
const PATIENCE: Duration = Duration::from_secs(15);

thread_local! {
    /// The `BLINKLINE_WATCHER` of the watchers this test thread starts (set by the
    /// [`poll`] and [`dirs`] tests; libtest runs each test on a thread of its own).
    static MODE: std::cell::Cell<&'static str> = const { std::cell::Cell::new("native") };
    /// `BLINKLINE_GIT_WATCH_HEARTBEAT_MS` for the watchers this test thread starts.
    static HEARTBEAT_MS: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

/// A running watcher, killed on drop.
struct Watcher {
    child: Child,
    repo: PathBuf,
    cache: blinkline::testing::cache::Cache,
    record: String,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Watcher {
    fn start(sb: &Sandbox, repo: &Path, idle_ms: u64, extra: &[&str]) -> Watcher {
        let mut args = vec!["__refresh-git"];
        args.extend_from_slice(extra);
        args.push(repo.to_str().unwrap());
        let mut command = sb.command(&args);
        if let Some(ms) = HEARTBEAT_MS.get() {
            command.env("BLINKLINE_GIT_WATCH_HEARTBEAT_MS", ms.to_string());
        }
        let child = command
            .env("BLINKLINE_GIT_WATCH", "1")
            .env("BLINKLINE_GIT_WATCH_IDLE_MS", idle_ms.to_string())
            .env("BLINKLINE_WATCHER", MODE.get())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let found = discover(repo, &GitEnv::default()).unwrap().unwrap();
        let watcher = Watcher {
            child,
            repo: repo.to_owned(),
            cache: blinkline::testing::cache::Cache::at(sb.cache_dir()).unwrap_or_else(|_| {
                std::fs::create_dir_all(sb.cache_dir()).unwrap();
                blinkline::testing::cache::Cache::at(sb.cache_dir()).unwrap()
            }),
            record: record_name(&found),
        };
        let deadline = Instant::now() + PATIENCE;
        while watcher.read().is_none_or(|r| r.watched_until_ms == 0) {
            assert!(
                Instant::now() < deadline,
                "the refresher never became a watcher"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        watcher
    }

    fn read(&self) -> Option<StatusRecord> {
        self.cache
            .read(&self.record)
            .and_then(|b| StatusRecord::decode(&b))
    }

    /// The repository's record key as a render computes it now.
    fn current_key(&self) -> u64 {
        let repo = discover(&self.repo, &GitEnv::default()).unwrap().unwrap();
        let mut s = Scratch::default();
        let snap = inspect(&repo, &mut s).unwrap();
        status_key(&repo, &snap, &mut s)
    }

    /// Waits until the record shows `expected` under the current key, kept by the
    /// watcher; panics with both after [`PATIENCE`].
    fn wait_for(&self, expected: Counts, what: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let record = self.read();
            if let Some(r) = record
                && r.counts == Some(expected)
                && r.key == self.current_key()
                && r.watched_until_ms > 0
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "after {what}: git counts {expected:?}, the watcher's record {record:?}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

/// What git counts now (without refreshing the index: that would be a change itself).
fn git_counts(sb: &Sandbox, repo: &Path) -> Counts {
    let out = sb.git_cli().run(
        repo,
        &[
            "--no-optional-locks",
            "status",
            "--porcelain=v2",
            "--branch",
            "--show-stash",
            "-z",
        ],
    );
    porcelain::parse(&out).unwrap().counts
}

/// A repository with nested directories, an ignore file and an ignored directory.
fn tree(sb: &Sandbox) -> PathBuf {
    let dir = sb.path("repo");
    for (rel, text) in [
        ("a/one.txt", "one\n"),
        ("a/b/two.txt", "two\n"),
        ("a/b/deep/three.txt", "three\n"),
        ("c/four.txt", "four\n"),
        ("top.txt", "top\n"),
        (".gitignore", "build/\n*.log\n"),
    ] {
        write(&dir, rel, text);
    }
    sb.git(&dir, &["init", "-q", "-b", "main"]);
    sb.git(&dir, &["add", "."]);
    sb.git(&dir, &["commit", "-qm", "first"]);
    // The index must be older than the files' mtimes by a second, or every stat match
    // is "racy" and hashed (still exact, but not the common path).
    std::thread::sleep(Duration::from_millis(1100));
    write(&dir, "build/out.o", "o\n");
    write(&dir, "notes/idea.md", "idea\n");
    dir
}

/// Runs `change`, then checks the watcher catches up with git. `must_differ`: the change
/// alters the counts (so a watcher that missed it cannot pass by standing still).
fn step(sb: &Sandbox, w: &Watcher, what: &str, must_differ: bool, change: impl FnOnce()) {
    let before = git_counts(sb, &w.repo);
    change();
    let after = git_counts(sb, &w.repo);
    if must_differ {
        assert_ne!(before, after, "{what} changed nothing git counts");
    }
    w.wait_for(after, what);
}

#[test]
fn the_record_follows_every_kind_of_change() {
    let sb = Sandbox::new("watch-kinds");
    let repo = tree(&sb);
    let w = Watcher::start(&sb, &repo, 60_000, &[]);
    w.wait_for(git_counts(&sb, &repo), "start");
    let r = |rel: &str| repo.join(rel);
    step(&sb, &w, "an in-place edit", true, || {
        std::fs::write(r("a/one.txt"), "one, edited\n").unwrap()
    });
    step(&sb, &w, "the old bytes written back", true, || {
        std::fs::write(r("a/one.txt"), "one\n").unwrap()
    });
    step(&sb, &w, "a same-size edit", true, || {
        std::fs::write(r("c/four.txt"), "FOUR\n").unwrap()
    });
    step(&sb, &w, "a new file in a tracked directory", true, || {
        write(&repo, "a/b/deep/new.txt", "n\n")
    });
    step(&sb, &w, "a new untracked directory", true, || {
        write(&repo, "d/e/f.txt", "f\n")
    });
    step(&sb, &w, "a file in an untracked directory", false, || {
        write(&repo, "d/e/g.txt", "g\n")
    });
    step(&sb, &w, "an ignored file", false, || {
        write(&repo, "x.log", "l\n")
    });
    step(&sb, &w, "an ignore file that hides a file", true, || {
        write(&repo, ".gitignore", "build/\n*.log\nnew.txt\n")
    });
    step(&sb, &w, "a new ignore file", false, || {
        write(&repo, "d/.gitignore", "e/\n")
    });
    step(&sb, &w, "a tracked file deleted", true, || {
        std::fs::remove_file(r("a/b/two.txt")).unwrap()
    });
    step(&sb, &w, "git add -u", true, || {
        sb.git(&repo, &["add", "-u"]);
    });
    step(&sb, &w, "git commit", true, || {
        sb.git(&repo, &["commit", "-qm", "second"]);
    });
    step(
        &sb,
        &w,
        "a directory of tracked files renamed",
        true,
        || std::fs::rename(r("a/b"), r("a/z")).unwrap(),
    );
    step(&sb, &w, "the executable bit", true, || {
        let f = r("top.txt");
        let mut perms = std::fs::metadata(&f).unwrap().permissions();
        perms.set_mode(0o755);
        std::fs::set_permissions(&f, perms).unwrap();
    });
    step(&sb, &w, "a file replaced by a symlink", true, || {
        std::fs::remove_file(r("c/four.txt")).unwrap();
        std::os::unix::fs::symlink("../top.txt", r("c/four.txt")).unwrap();
    });
    step(&sb, &w, "git stash -u", true, || {
        sb.git(&repo, &["stash", "-u", "-q"]);
    });
    step(&sb, &w, "an untracked directory made", true, || {
        write(&repo, "gone/x.txt", "x\n")
    });
    step(&sb, &w, "an untracked directory removed", true, || {
        std::fs::remove_dir_all(r("gone")).unwrap()
    });
}

#[test]
fn random_edits_creations_removals_and_git_commands_match_git_after_each() {
    for seed in [0x5eed_0f7a_c4e1, 7, 0xdead_beef] {
        random_session(seed);
    }
}

/// 80 random changes from `seed`, each checked against git.
fn random_session(seed: u64) {
    let sb = Sandbox::new("watch-random");
    let repo = tree(&sb);
    let w = Watcher::start(&sb, &repo, 60_000, &[]);
    let tracked = [
        "a/one.txt",
        "a/b/two.txt",
        "a/b/deep/three.txt",
        "c/four.txt",
        "top.txt",
    ];
    let dirs = [
        "",
        "a/",
        "a/b/",
        "a/b/deep/",
        "c/",
        "notes/",
        "notes/sub/",
        "fresh/",
        "build/",
    ];
    let mut rng = git_support::Rng(seed);
    let mut made: Vec<String> = Vec::new();
    for round in 0..80 {
        let what = match rng.below(8) {
            0 => {
                let f = tracked[rng.below(tracked.len() as u64) as usize];
                std::fs::write(repo.join(f), format!("round {round}\n")).unwrap();
                format!("edit {f}")
            }
            1 => {
                let f = tracked[rng.below(tracked.len() as u64) as usize];
                let _ = std::fs::remove_file(repo.join(f));
                format!("remove {f}")
            }
            2 | 3 => {
                let d = dirs[rng.below(dirs.len() as u64) as usize];
                let f = format!("{d}made-{round}.txt");
                write(&repo, &f, "m\n");
                made.push(f.clone());
                format!("create {f}")
            }
            4 if !made.is_empty() => {
                let f = made.swap_remove(rng.below(made.len() as u64) as usize);
                std::fs::remove_file(repo.join(&f)).unwrap();
                format!("remove {f}")
            }
            5 => {
                // Only files that exist: a staged deletion beside a staged addition
                // would be a possible rename, which the engine leaves to git.
                let pick = rng.below((tracked.len() + made.len()) as u64) as usize;
                let f = tracked
                    .get(pick)
                    .map_or_else(|| made[pick - tracked.len()].clone(), |f| f.to_string());
                if !repo.join(&f).exists() {
                    continue;
                }
                sb.git(&repo, &["add", "-f", "--", &f]);
                format!("git add {f}")
            }
            6 => {
                sb.git(&repo, &["reset", "-q"]);
                "git reset".to_owned()
            }
            7 => {
                sb.git(
                    &repo,
                    &[
                        "commit",
                        "-q",
                        "--allow-empty",
                        "-m",
                        &format!("round {round}"),
                    ],
                );
                "git commit".to_owned()
            }
            _ => continue,
        };
        w.wait_for(
            git_counts(&sb, &repo),
            &format!("seed {seed} round {round}: {what}"),
        );
    }
}

#[test]
fn the_watcher_stops_when_idle_and_clears_its_vouching() {
    let sb = Sandbox::new("watch-idle");
    let repo = tree(&sb);
    let mut w = Watcher::start(&sb, &repo, 1500, &[]);
    let deadline = Instant::now() + PATIENCE;
    while w.running() {
        assert!(Instant::now() < deadline, "an idle watcher kept running");
        std::thread::sleep(Duration::from_millis(20));
    }
    let record = w.read().unwrap();
    assert_eq!(
        record.watched_until_ms, 0,
        "a stopped watcher still vouches"
    );
    assert_eq!(record.counts, Some(git_counts(&sb, &repo)));
}

#[test]
fn the_watcher_stops_when_the_work_tree_vanishes() {
    let sb = Sandbox::new("watch-gone");
    let repo = tree(&sb);
    let mut w = Watcher::start(&sb, &repo, 60_000, &[]);
    std::fs::remove_dir_all(&repo).unwrap();
    let deadline = Instant::now() + PATIENCE;
    while w.running() {
        assert!(
            Instant::now() < deadline,
            "the watcher outlived its work tree"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn renders_trust_a_watched_record_and_start_no_refresher() {
    let sb = Sandbox::new("watch-render");
    let repo = tree(&sb);
    let trace = sb.path("trace");
    let w = Watcher::start(&sb, &repo, 60_000, &[]);
    std::fs::write(repo.join("top.txt"), "changed\n").unwrap();
    w.wait_for(git_counts(&sb, &repo), "an edit");
    // refresh_ms = 0: only the watcher's vouching can make the record fresh.
    let render = || {
        let mut cmd = sb.command(&[
            "explain",
            "--widgets",
            "git_status",
            "--set",
            "git_status.refresh_ms=0",
        ]);
        cmd.env("BLINKLINE_TRACE_REFRESH", &trace);
        sb.run_in(&repo, cmd)
    };
    for _ in 0..3 {
        let out = render();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{text}");
        let row = text.lines().find(|l| l.starts_with("git_status")).unwrap();
        assert!(
            row.contains(" ok ") && row.contains("kept current by the git watcher"),
            "a watched record did not read as fresh:\n{text}"
        );
    }
    assert!(
        !trace.exists(),
        "a render started a refresher while the watcher ran"
    );
}

#[test]
fn a_render_that_wants_lines_gets_them_from_a_watcher_started_without() {
    let sb = Sandbox::new("watch-lines");
    let repo = tree(&sb);
    let w = Watcher::start(&sb, &repo, 60_000, &[]);
    std::fs::write(repo.join("top.txt"), "top\nmore\nlines\n").unwrap();
    w.wait_for(git_counts(&sb, &repo), "an edit");
    assert_eq!(w.read().unwrap().lines, None);
    let cmd = sb.command(&[
        "--format",
        "plain",
        "--widgets",
        "git_status",
        "--set",
        "git_status.lines=true",
    ]);
    assert!(sb.run_in(&repo, cmd).status.success());
    let deadline = Instant::now() + PATIENCE;
    while w.read().and_then(|r| r.lines) != Some((2, 0)) {
        assert!(
            Instant::now() < deadline,
            "the watcher never kept lines: {:?}",
            w.read()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_state_left_to_git_ends_the_watch_with_gits_answer() {
    let sb = Sandbox::new("watch-to-git");
    let repo = tree(&sb);
    let mut w = Watcher::start(&sb, &repo, 60_000, &[]);
    // A deletion and an addition staged together: only similarity detection can tell
    // whether they are a rename, which the own engine leaves to git.
    std::fs::rename(repo.join("a/one.txt"), repo.join("a/moved.txt")).unwrap();
    std::fs::write(repo.join("a/moved.txt"), "one\nand more\n").unwrap();
    sb.git(&repo, &["add", "-A"]);
    let expected = git_counts(&sb, &repo);
    let deadline = Instant::now() + PATIENCE;
    while w.running() {
        assert!(Instant::now() < deadline, "the watcher kept running");
        std::thread::sleep(Duration::from_millis(20));
    }
    let record = w.read().unwrap();
    assert_eq!(record.counts, Some(expected));
    assert_eq!(record.key, w.current_key());
    assert_eq!(record.watched_until_ms, 0);
    assert_eq!(
        record.source,
        blinkline::testing::git::record::StatusSource::Git
    );
}

#[test]
fn a_linked_worktree_is_watched_with_its_own_index_and_the_shared_refs() {
    let sb = Sandbox::new("watch-worktree");
    let repo = tree(&sb);
    let linked = sb.worktree(&repo, "linked", "side");
    std::thread::sleep(Duration::from_millis(1100));
    let w = Watcher::start(&sb, &linked, 60_000, &[]);
    step(&sb, &w, "an edit in the linked worktree", true, || {
        std::fs::write(linked.join("top.txt"), "linked edit\n").unwrap()
    });
    step(&sb, &w, "git add in the linked worktree", true, || {
        sb.git(&linked, &["add", "top.txt"]);
    });
    step(
        &sb,
        &w,
        "an edit in the main worktree (not this one)",
        false,
        || std::fs::write(repo.join("top.txt"), "main edit\n").unwrap(),
    );
    step(&sb, &w, "git commit in the linked worktree", true, || {
        sb.git(&linked, &["commit", "-qm", "side"]);
    });
    step(
        &sb,
        &w,
        "a stash made from the main worktree (shared)",
        true,
        || {
            sb.git(&repo, &["stash", "-q"]);
        },
    );
}

#[test]
fn directories_an_untracked_walk_reaches_later_are_watched_too() {
    let sb = Sandbox::new("watch-later");
    let repo = tree(&sb);
    // `notes/` is one untracked entry: the walk stops at its first file and does not
    // list `notes/sub/` until that file is gone.
    write(&repo, "notes/sub/x.md", "x\n");
    let w = Watcher::start(&sb, &repo, 60_000, &[]);
    step(
        &sb,
        &w,
        "the first file of an untracked directory removed",
        false,
        || std::fs::remove_file(repo.join("notes/idea.md")).unwrap(),
    );
    step(&sb, &w, "the last file below it removed", true, || {
        std::fs::remove_file(repo.join("notes/sub/x.md")).unwrap()
    });
    step(&sb, &w, "a file made there again", true, || {
        write(&repo, "notes/sub/y.md", "y\n")
    });
}

/// The same checks with the polling watcher, which sees changes by computing the whole
/// status at every heartbeat instead of through inotify.
mod poll {
    fn polling(test: fn()) {
        super::MODE.set("poll");
        test();
    }

    #[test]
    fn the_record_follows_every_kind_of_change() {
        polling(super::the_record_follows_every_kind_of_change);
    }

    #[test]
    fn random_edits_creations_removals_and_git_commands_match_git_after_each() {
        polling(|| super::random_session(0x5eed_0f7a_c4e1));
    }

    #[test]
    fn the_watcher_stops_when_idle_and_clears_its_vouching() {
        polling(super::the_watcher_stops_when_idle_and_clears_its_vouching);
    }

    #[test]
    fn the_watcher_stops_when_the_work_tree_vanishes() {
        polling(super::the_watcher_stops_when_the_work_tree_vanishes);
    }

    #[test]
    fn renders_trust_a_watched_record_and_start_no_refresher() {
        polling(super::renders_trust_a_watched_record_and_start_no_refresher);
    }

    #[test]
    fn a_render_that_wants_lines_gets_them_from_a_watcher_started_without() {
        polling(super::a_render_that_wants_lines_gets_them_from_a_watcher_started_without);
    }

    #[test]
    fn a_state_left_to_git_ends_the_watch_with_gits_answer() {
        polling(super::a_state_left_to_git_ends_the_watch_with_gits_answer);
    }

    #[test]
    fn a_linked_worktree_is_watched_with_its_own_index_and_the_shared_refs() {
        polling(super::a_linked_worktree_is_watched_with_its_own_index_and_the_shared_refs);
    }

    #[test]
    fn directories_an_untracked_walk_reaches_later_are_watched_too() {
        polling(super::directories_an_untracked_walk_reaches_later_are_watched_too);
    }
}

/// The same checks with the directory wake-ups (macOS's watcher): a name created, removed
/// or renamed in a watched directory wakes the watcher, which then computes the whole
/// status; it also does at every heartbeat.
mod dirs {
    fn waking(test: fn()) {
        super::MODE.set("dirs");
        test();
    }

    #[test]
    fn the_record_follows_every_kind_of_change() {
        waking(super::the_record_follows_every_kind_of_change);
    }

    #[test]
    fn random_edits_creations_removals_and_git_commands_match_git_after_each() {
        waking(|| super::random_session(0x5eed_0f7a_c4e1));
    }

    #[test]
    fn the_watcher_stops_when_the_work_tree_vanishes() {
        waking(super::the_watcher_stops_when_the_work_tree_vanishes);
    }

    #[test]
    fn renders_trust_a_watched_record_and_start_no_refresher() {
        waking(super::renders_trust_a_watched_record_and_start_no_refresher);
    }

    #[test]
    fn a_linked_worktree_is_watched_with_its_own_index_and_the_shared_refs() {
        waking(super::a_linked_worktree_is_watched_with_its_own_index_and_the_shared_refs);
    }

    #[test]
    fn directories_an_untracked_walk_reaches_later_are_watched_too() {
        waking(super::directories_an_untracked_walk_reaches_later_are_watched_too);
    }

    /// With a heartbeat longer than the test's patience, a new file, a commit and a
    /// removal can only show through their directory events.
    #[test]
    fn changes_to_names_show_without_waiting_for_the_heartbeat() {
        super::MODE.set("dirs");
        super::HEARTBEAT_MS.set(Some(600_000));
        let sb = super::Sandbox::new("watch-dirs-wake");
        let repo = super::tree(&sb);
        let w = super::Watcher::start(&sb, &repo, 600_000, &[]);
        w.wait_for(super::git_counts(&sb, &repo), "start");
        super::step(&sb, &w, "a new file in a tracked directory", true, || {
            super::write(&repo, "a/b/fresh.txt", "new\n")
        });
        super::step(&sb, &w, "the file committed", true, || {
            sb.git(&repo, &["add", "a/b/fresh.txt"]);
            sb.git(&repo, &["commit", "-qm", "fresh"]);
        });
        super::step(&sb, &w, "the file removed", true, || {
            std::fs::remove_file(repo.join("a/b/fresh.txt")).unwrap()
        });
    }
}
