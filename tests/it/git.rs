//! The git widgets against real repositories built with the git CLI: every count is
//! compared with what `git status --porcelain=v2 --branch --show-stash` says about the
//! same repository.

use crate::support::git as git_support;

use std::path::Path;
use std::process::Command;

use git_support::{Sandbox, spawn_with_input, wait_for_refreshers, write};

#[test]
fn every_kind_of_change_is_counted_as_git_counts_it() {
    let sb = Sandbox::new("changes");
    let repo = sb.repo("r");
    write(&repo, "c.txt", "c\n");
    write(
        &repo,
        "old.txt",
        "rename me, I am long enough to be detected\n",
    );
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "more"]);
    write(&repo, "a.txt", "changed\n");
    sb.git(&repo, &["add", "a.txt"]);
    write(&repo, "a.txt", "changed again\n");
    write(&repo, "b.txt", "modified\n");
    std::fs::remove_file(repo.join("c.txt")).unwrap();
    sb.git(&repo, &["mv", "old.txt", "new.txt"]);
    write(&repo, "deep/er/still/untracked.txt", "u\n");
    write(&repo, "top-untracked.txt", "u\n");
    write(&repo, ".gitignore", "*.log\nbuild/\n");
    write(&repo, "noise.log", "ignored\n");
    write(&repo, "build/out.o", "ignored\n");
    let line = sb.line(&repo);
    assert_eq!(line, sb.expected(&repo, "main"));
    assert_eq!(line, "main │ +1 !2 ✘1 »1 ?3");
}

#[test]
fn a_clean_repository_shows_the_clean_mark_and_stashes() {
    let sb = Sandbox::new("stash");
    let repo = sb.repo("r");
    assert_eq!(sb.line(&repo), "main │ ✔");
    write(&repo, "a.txt", "stash me\n");
    sb.git(&repo, &["stash", "-q"]);
    write(&repo, "b.txt", "stash me too\n");
    sb.git(&repo, &["stash", "-q"]);
    let line = sb.line(&repo);
    assert_eq!(line, sb.expected(&repo, "main"));
    assert_eq!(line, "main │ ✔ $2");
}

/// A repository `origin` with one commit and its clone `clone`.
fn origin_and_clone(sb: &Sandbox) -> (std::path::PathBuf, std::path::PathBuf) {
    let origin = sb.repo("origin");
    sb.git(
        &sb.root,
        &["clone", "-q", origin.to_str().unwrap(), "clone"],
    );
    (origin, sb.path("clone"))
}

#[test]
fn ahead_and_behind_follow_the_upstream() {
    let sb = Sandbox::new("ab");
    let (origin, clone) = origin_and_clone(&sb);
    write(&origin, "o.txt", "upstream\n");
    sb.git(&origin, &["add", "."]);
    sb.git(&origin, &["commit", "-qm", "upstream"]);
    sb.git(&clone, &["fetch", "-q"]);
    for i in 0..2 {
        write(&clone, "l.txt", &format!("local {i}\n"));
        sb.git(&clone, &["add", "."]);
        sb.git(&clone, &["commit", "-qm", "local"]);
    }
    let line = sb.line(&clone);
    assert_eq!(line, sb.expected(&clone, "main"));
    assert_eq!(line, "main ↑2 ↓1 │ ✔");
    // The branch widget alone reads the name inline and the counts from the record.
    assert_eq!(sb.render(&clone, "git_branch"), "main ↑2 ↓1");
}

#[test]
fn git_fields_name_the_branch_its_upstream_and_every_count() {
    let sb = Sandbox::new("fields");
    let (origin, clone) = origin_and_clone(&sb);
    write(&origin, "o.txt", "upstream\n");
    sb.git(&origin, &["add", "."]);
    sb.git(&origin, &["commit", "-qm", "upstream"]);
    sb.git(&clone, &["fetch", "-q"]);
    write(&clone, "l.txt", "local\n");
    sb.git(&clone, &["add", "."]);
    sb.git(&clone, &["commit", "-qm", "local"]);
    write(&clone, "staged.txt", "s\n");
    sb.git(&clone, &["add", "staged.txt"]);
    write(&clone, "untracked.txt", "u\n");
    sb.refresh(&clone);
    let cmd = sb.command(&[
        "--format=plain",
        "--widgets=git_branch,git_status",
        "--set=git_branch.format={branch} on {upstream} +{ahead} -{behind} [{operation}]",
        "--set=git_status.format=s{staged} m{modified} d{deleted} r{renamed} u{untracked} \
         c{conflicted} z{stashed} n{changes}",
    ]);
    let out = sb.run_in(&clone, cmd);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "main on origin/main +1 -1 [] \u{2502} s1 m0 d0 r0 u1 c0 z0 n2\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_upstream_set_in_an_included_config_file_counts() {
    let sb = Sandbox::new("ab-include");
    let (_, clone) = origin_and_clone(&sb);
    write(&clone, "l.txt", "local\n");
    sb.git(&clone, &["add", "."]);
    sb.git(&clone, &["commit", "-qm", "local"]);
    // Move the branch's upstream out of .git/config: into a file included by path, then
    // into one included only on this branch.
    sb.git(&clone, &["config", "--unset", "branch.main.remote"]);
    sb.git(&clone, &["config", "--unset", "branch.main.merge"]);
    assert_eq!(sb.render(&clone, "git_branch"), "main");
    let upstream = "[branch \"main\"]\n\tremote = origin\n\tmerge = refs/heads/main\n";
    write(&clone, ".git/upstream.inc", upstream);
    sb.git(&clone, &["config", "include.path", "upstream.inc"]);
    let line = sb.line(&clone);
    assert_eq!(line, sb.expected(&clone, "main"));
    assert!(line.starts_with("main ↑1"), "{line}");
    sb.git(&clone, &["config", "--unset", "include.path"]);
    sb.git(
        &clone,
        &["config", "includeIf.onbranch:main.path", "upstream.inc"],
    );
    let line = sb.line(&clone);
    assert_eq!(line, sb.expected(&clone, "main"));
    assert!(line.starts_with("main ↑1"), "{line}");
    sb.git(&clone, &["checkout", "-qb", "topic"]);
    assert_eq!(sb.render(&clone, "git_branch"), "topic");
}

#[test]
fn a_branch_without_upstream_shows_no_ahead_behind() {
    let sb = Sandbox::new("noup");
    let repo = sb.repo("r");
    sb.git(&repo, &["checkout", "-qb", "topic"]);
    assert_eq!(sb.line(&repo), "topic │ ✔");
}

#[test]
fn detached_head_shows_the_short_commit_or_a_tag() {
    let sb = Sandbox::new("detached");
    let repo = sb.repo("r");
    let sha = sb.git(&repo, &["rev-parse", "--short=7", "HEAD"]);
    sb.git(&repo, &["checkout", "-q", "--detach"]);
    assert_eq!(sb.render(&repo, "git_branch"), format!("({})", sha.trim()));
    sb.git(&repo, &["tag", "-a", "v1.0", "-m", "release"]);
    sb.git(&repo, &["pack-refs", "--all"]);
    assert_eq!(sb.render(&repo, "git_branch"), "(v1.0)");
    sb.git(&repo, &["tag", "light"]);
    assert_eq!(sb.render(&repo, "git_branch"), "(light)");
}

#[test]
fn an_unborn_branch_is_named_with_no_commits() {
    let sb = Sandbox::new("unborn");
    let repo = sb.path("r");
    std::fs::create_dir_all(&repo).unwrap();
    sb.git(&repo, &["init", "-q"]);
    write(&repo, "new.txt", "n\n");
    let line = sb.line(&repo);
    assert_eq!(line, "main (no commits) │ ?1");
    assert_eq!(line, sb.expected(&repo, "main (no commits)"));
}

#[test]
fn a_repository_with_only_packed_refs_still_resolves() {
    let sb = Sandbox::new("packed");
    let origin = sb.repo("origin");
    sb.git(
        &sb.root,
        &["clone", "-q", origin.to_str().unwrap(), "clone"],
    );
    let clone = sb.path("clone");
    write(&clone, "x.txt", "x\n");
    sb.git(&clone, &["add", "."]);
    sb.git(&clone, &["commit", "-qm", "x"]);
    sb.git(&clone, &["pack-refs", "--all", "--prune"]);
    assert!(!clone.join(".git/refs/heads/main").exists());
    assert_eq!(sb.line(&clone), "main ↑1 │ ✔");
}

#[test]
fn merge_conflicts_and_the_operation_are_shown() {
    let sb = Sandbox::new("conflict");
    let repo = sb.repo("r");
    sb.git(&repo, &["checkout", "-qb", "other"]);
    write(&repo, "a.txt", "other\n");
    sb.git(&repo, &["commit", "-qam", "other"]);
    sb.git(&repo, &["checkout", "-q", "main"]);
    write(&repo, "a.txt", "main\n");
    sb.git(&repo, &["commit", "-qam", "main"]);
    assert!(
        !sb.git_output(&repo, &["merge", "-q", "other"])
            .status
            .success()
    );
    let line = sb.line(&repo);
    assert_eq!(line, sb.expected(&repo, "main|MERGING"));
    assert_eq!(line, "main|MERGING │ =1");
}

#[test]
fn a_rebase_in_progress_shows_its_step_and_the_rebased_branch() {
    let sb = Sandbox::new("rebase");
    let repo = sb.repo("r");
    sb.git(&repo, &["checkout", "-qb", "topic"]);
    for i in 0..3 {
        write(&repo, "a.txt", &format!("topic {i}\n"));
        sb.git(&repo, &["commit", "-qam", "topic"]);
    }
    sb.git(&repo, &["checkout", "-q", "main"]);
    write(&repo, "a.txt", "main\n");
    sb.git(&repo, &["commit", "-qam", "main"]);
    sb.git(&repo, &["checkout", "-q", "topic"]);
    assert!(
        !sb.git_output(&repo, &["rebase", "-q", "main"])
            .status
            .success()
    );
    let line = sb.line(&repo);
    assert_eq!(line, sb.expected(&repo, "topic|REBASE 1/3"));
}

#[test]
fn cherry_pick_revert_and_bisect_are_named() {
    let sb = Sandbox::new("ops");
    let repo = sb.repo("r");
    sb.git(&repo, &["bisect", "start"]);
    assert_eq!(sb.render(&repo, "git_branch"), "main|BISECTING");
    sb.git(&repo, &["bisect", "reset"]);
    std::fs::write(repo.join(".git/CHERRY_PICK_HEAD"), "x").unwrap();
    assert_eq!(sb.render(&repo, "git_branch"), "main|CHERRY-PICKING");
    std::fs::remove_file(repo.join(".git/CHERRY_PICK_HEAD")).unwrap();
    std::fs::write(repo.join(".git/REVERT_HEAD"), "x").unwrap();
    assert_eq!(sb.render(&repo, "git_branch"), "main|REVERTING");
}

#[test]
fn linked_worktrees_and_deep_directories_find_their_repository() {
    let sb = Sandbox::new("worktree");
    let repo = sb.repo("r");
    let wt = sb.worktree(&repo, "wt", "feature");
    write(&wt, "deep/down/here/f.txt", "f\n");
    write(&wt, "a.txt", "changed in the worktree\n");
    let deep = wt.join("deep/down/here");
    let line = sb.line(&deep);
    assert_eq!(line, sb.expected(&wt, "feature"));
    assert_eq!(line, "feature │ !1 ?1");
    assert_eq!(sb.line(&repo), "main │ ✔", "the main worktree is separate");
}

#[test]
fn a_submodule_is_its_own_repository() {
    let sb = Sandbox::new("submodule");
    let lib = sb.repo("lib");
    let app = sb.repo("app");
    sb.git(
        &app,
        &[
            "submodule",
            "add",
            "-q",
            lib.to_str().unwrap(),
            "vendor/lib",
        ],
    );
    sb.git(&app, &["commit", "-qm", "add lib"]);
    let sub = app.join("vendor/lib");
    write(&sub, "a.txt", "changed in the submodule\n");
    let line = sb.line(&sub);
    assert_eq!(line, sb.expected(&sub, "main"));
    assert_eq!(line, "main │ !1");
    let outer = sb.line(&app);
    assert_eq!(outer, sb.expected(&app, "main"));
}

#[test]
fn a_bare_repository_shows_its_branch_and_no_status() {
    let sb = Sandbox::new("bare");
    let origin = sb.repo("origin");
    sb.git(
        &sb.root,
        &[
            "clone",
            "-q",
            "--bare",
            origin.to_str().unwrap(),
            "bare.git",
        ],
    );
    let bare = sb.path("bare.git");
    sb.refresh(&bare);
    assert_eq!(sb.render(&bare, "git_branch,git_status"), "main");
}

#[test]
fn git_dir_and_git_work_tree_point_at_the_repository() {
    let sb = Sandbox::new("gitdir");
    let repo = sb.repo("r");
    write(&repo, "a.txt", "changed\n");
    let elsewhere = sb.path("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let git_dir = repo.join(".git");
    let env = [
        ("GIT_DIR", git_dir.as_path()),
        ("GIT_WORK_TREE", repo.as_path()),
    ];
    let out = sb.render_in(&elsewhere, "git_branch", &env);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim_end(), "main");
}

#[test]
fn outside_a_repository_the_widgets_hide_and_the_line_renders() {
    let sb = Sandbox::new("norepo");
    let dir = sb.path("plain");
    std::fs::create_dir_all(&dir).unwrap();
    let out = sb.render_in(&dir, "git_branch,git_status,cwd", &[]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim_end(), "plain");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn broken_repositories_show_a_marker_and_never_break_the_line() {
    let sb = Sandbox::new("broken");
    type Damage<'a> = (&'a str, &'a dyn Fn(&Path));
    let cases: &[Damage] = &[
        ("corrupt HEAD", &|r| {
            std::fs::write(r.join(".git/HEAD"), "\0\0garbage").unwrap()
        }),
        ("escape in HEAD", &|r| {
            std::fs::write(r.join(".git/HEAD"), "ref: refs/heads/\x1b]52;c;x\x07\n").unwrap()
        }),
        ("packed-refs garbage", &|r| {
            std::fs::remove_file(r.join(".git/refs/heads/main")).unwrap();
            std::fs::write(r.join(".git/packed-refs"), "\u{1b}[2J not a ref\n").unwrap()
        }),
        ("symref loop", &|r| {
            std::fs::write(r.join(".git/HEAD"), "ref: refs/heads/loop\n").unwrap();
            std::fs::write(r.join(".git/refs/heads/loop"), "ref: refs/heads/loop\n").unwrap()
        }),
        ("symlink loop", &|r| {
            let heads = r.join(".git/refs/heads");
            std::fs::remove_file(heads.join("main")).unwrap();
            std::os::unix::fs::symlink("loop", heads.join("main")).unwrap();
            std::os::unix::fs::symlink("main", heads.join("loop")).unwrap();
        }),
        ("a FIFO for a ref", &|r| {
            let main = r.join(".git/refs/heads/main");
            std::fs::remove_file(&main).unwrap();
            let made = Command::new("mkfifo").arg(&main).status().unwrap();
            assert!(made.success());
        }),
        ("gitdir file without target", &|r| {
            std::fs::remove_dir_all(r.join(".git")).unwrap();
            std::fs::write(r.join(".git"), "nonsense").unwrap()
        }),
    ];
    for (i, (what, damage)) in cases.iter().enumerate() {
        let repo = sb.repo(&format!("r{i}"));
        damage(&repo);
        let out = sb.render_in(&repo, "git_branch,cwd", &[]);
        assert!(out.status.success(), "{what}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(stdout.trim_end(), format!("⚠ git │ r{i}"), "{what}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with("blinkline: git_branch: "),
            "{what}: {stderr}"
        );
        assert!(!stderr.contains('\x1b'), "{what}: {stderr:?}");
    }
}

#[test]
fn branch_names_with_invalid_utf8_are_shown_safely() {
    let sb = Sandbox::new("utf8");
    let repo = sb.repo("r");
    let head = std::fs::read(repo.join(".git/refs/heads/main")).unwrap();
    let name = std::ffi::OsStr::new("fix-\u{202e}rtl");
    std::fs::write(repo.join(".git/refs/heads").join(name), &head).unwrap();
    std::fs::write(repo.join(".git/HEAD"), "ref: refs/heads/fix-\u{202e}rtl\n").unwrap();
    assert_eq!(sb.render(&repo, "git_branch"), "fix-rtl");
    use std::os::unix::ffi::OsStrExt;
    let raw = std::ffi::OsStr::from_bytes(b"bad-\xff");
    std::fs::write(repo.join(".git/refs/heads").join(raw), &head).unwrap();
    std::fs::write(repo.join(".git/HEAD"), b"ref: refs/heads/bad-\xff\n").unwrap();
    assert_eq!(sb.render(&repo, "git_branch"), "bad-\u{FFFD}");
}

#[test]
fn the_status_render_never_takes_the_index_lock() {
    let sb = Sandbox::new("lock");
    let repo = sb.repo("r");
    std::fs::write(repo.join(".git/index.lock"), "").unwrap();
    // A user's `git commit` holds index.lock: the refresher must not fail or touch it.
    write(&repo, "a.txt", "changed\n");
    assert_eq!(sb.line(&repo), "main │ !1");
    assert_eq!(std::fs::read(repo.join(".git/index.lock")).unwrap(), b"");
}

#[test]
fn changes_after_a_refresh_show_the_last_value_marked_stale() {
    let sb = Sandbox::new("stale");
    // Large enough that renders leave the status to the refresher.
    let repo = sb.large_repo("r");
    assert_eq!(sb.line(&repo), "main │ ✔");
    write(&repo, "n.txt", "n\n");
    sb.git(&repo, &["add", "n.txt"]);
    // The index changed: the old record no longer matches. JSON shows the state.
    let out = sb.run_in(
        &repo,
        sb.command(&["--format", "json", "--widgets", "git_status"]),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["state"], "stale", "{json}");
    assert_eq!(json[0]["text"], "✔");
    wait_for_refreshers(&sb.cache());
    assert_eq!(sb.render(&repo, "git_status"), "+1");
}

#[test]
fn concurrent_renders_start_at_most_one_refresher_and_agree() {
    let sb = Sandbox::new("flight");
    let repo = sb.large_repo("r");
    assert_eq!(sb.line(&repo), "main │ ✔");
    write(&repo, "n.txt", "n\n");
    sb.git(&repo, &["add", "n.txt"]);
    let trace = sb.path("trace");
    let payload = serde_json::json!({"workspace": {"current_dir": repo}}).to_string();
    let children: Vec<_> = (0..32)
        .map(|_| {
            let mut cmd = sb.command(&["--format", "plain", "--widgets", "git_branch,git_status"]);
            cmd.env("BLINKLINE_TRACE_REFRESH", &trace);
            spawn_with_input(cmd, &payload)
        })
        .collect();
    let outputs: Vec<String> = children
        .into_iter()
        .map(|c| String::from_utf8(c.wait_with_output().unwrap().stdout).unwrap())
        .collect();
    wait_for_refreshers(&sb.cache());
    let runs = std::fs::read_to_string(&trace).unwrap_or_default();
    assert_eq!(runs.lines().count(), 1, "refreshers: {runs}");
    for out in &outputs {
        let out = out.trim_end();
        assert!(out == "main │ ✔" || out == "main │ +1", "{out}");
    }
    assert_eq!(sb.render(&repo, "git_branch,git_status"), "main │ +1");
}
