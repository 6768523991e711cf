//! The own status engine wired into the git widgets: the refresher and the inline path
//! give `git status`'s counts without a git process where the engine is exact, fall back
//! to git where it is not, and small repositories need no refresher at all.

use crate::support::git as git_support;

use std::path::Path;

use git_support::{Sandbox, wait_for_refreshers, write};

/// A directory for `PATH` that holds no `git`.
fn path_without_git(sb: &Sandbox) -> std::path::PathBuf {
    let dir = sb.path("no-git-bin");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A clone two commits ahead of and one behind its upstream, with every kind of change
/// the engine counts (staged, modified, deleted, renamed, untracked, a stash).
fn busy_clone(sb: &Sandbox) -> std::path::PathBuf {
    let origin = sb.repo("origin");
    sb.git(&sb.root, &["clone", "-q", "origin", "clone"]);
    let clone = sb.path("clone");
    write(&origin, "up.txt", "up\n");
    sb.git(&origin, &["add", "."]);
    sb.git(&origin, &["commit", "-qm", "upstream"]);
    sb.git(&clone, &["fetch", "-q"]);
    for n in 0..2 {
        write(&clone, &format!("local{n}.txt"), "l\n");
        sb.git(&clone, &["add", "."]);
        sb.git(&clone, &["commit", "-qm", "local"]);
    }
    write(&clone, "a.txt", "stashed\n");
    sb.git(&clone, &["stash", "-q"]);
    write(&clone, "staged.txt", "s\n");
    sb.git(&clone, &["add", "staged.txt"]);
    sb.git(&clone, &["mv", "local0.txt", "moved.txt"]);
    write(&clone, "a.txt", "modified\n");
    std::fs::remove_file(clone.join("b.txt")).unwrap();
    write(&clone, "new/untracked.txt", "u\n");
    write(&clone, "loose.txt", "u\n");
    clone
}

/// Renders both widgets with `PATH` lacking git, the given cache and trace file.
fn render_without_git(sb: &Sandbox, repo: &Path, cache: &Path, trace: &Path) -> String {
    let bin = path_without_git(sb);
    let out = sb.render_in(
        repo,
        "git_branch,git_status",
        &[
            ("PATH", &bin),
            ("XDG_CACHE_HOME", cache),
            ("BLINKLINE_TRACE_REFRESH", trace),
        ],
    );
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
}

/// What `explain` says the git_status widget's value came from.
fn status_source(sb: &Sandbox, repo: &Path) -> String {
    status_source_with(sb, repo, &[])
}

/// [`status_source`] with extra environment variables.
fn status_source_with(sb: &Sandbox, repo: &Path, env: &[(&str, &str)]) -> String {
    let mut cmd = sb.command(&["explain", "--widgets", "git_status"]);
    cmd.envs(env.iter().copied());
    let out = sb.run_in(repo, cmd);
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .find(|l| l.starts_with("git_status"))
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn without_git_on_path_the_refresher_and_the_inline_path_count_exactly() {
    let sb = Sandbox::new("nogit");
    let clone = busy_clone(&sb);
    let expected = sb.expected(&clone, "main");
    assert!(
        expected.contains("↑2 ↓1") && expected.contains("$1"),
        "{expected}"
    );
    // The refresher, run by hand without git.
    let bin = path_without_git(&sb);
    sb.refresh_with_env(&clone, &[("PATH", &bin)]);
    let trace = sb.path("trace");
    assert_eq!(
        render_without_git(&sb, &clone, &sb.cache(), &trace),
        expected
    );
    assert!(status_source(&sb, &clone).contains("own status engine"));
    // Inline, with an empty cache: no record, no refresher, no git.
    let fresh = sb.path("fresh-cache");
    assert_eq!(render_without_git(&sb, &clone, &fresh, &trace), expected);
    wait_for_refreshers(&fresh);
    assert!(!trace.exists(), "a refresher ran");
}

#[test]
fn attributes_and_submodules_are_left_to_git_and_still_exact() {
    let sb = Sandbox::new("fallback");
    let repo = sb.repo("attrs");
    write(&repo, ".gitattributes", "*.txt text eol=crlf\n");
    sb.git(&repo, &["add", ".gitattributes"]);
    sb.git(&repo, &["commit", "-qm", "attributes"]);
    // Same size, other content, and a racy timestamp: only hashing can decide.
    write(&repo, "a.txt", "z\n");
    write(&repo, "u.txt", "u\n");
    assert_eq!(sb.line(&repo), sb.expected(&repo, "main"));
    assert!(status_source(&sb, &repo).contains("left to git"));

    let sub = sb.repo("sub");
    let outer = sb.repo("outer");
    sb.git(
        &outer,
        &["submodule", "add", "-q", sub.to_str().unwrap(), "inner"],
    );
    sb.git(&outer, &["commit", "-qm", "submodule"]);
    write(&outer.join("inner"), "a.txt", "changed in the submodule\n");
    write(&outer, "b.txt", "changed\n");
    assert_eq!(sb.line(&outer), sb.expected(&outer, "main"));
    assert!(status_source(&sb, &outer).contains("left to git"));
}

#[test]
fn a_render_right_after_an_edit_shows_the_new_count_without_a_refresher() {
    let sb = Sandbox::new("inline");
    let repo = sb.repo("r");
    let trace = sb.path("trace");
    let first = sb.path("cache-1");
    assert_eq!(render_without_git(&sb, &repo, &first, &trace), "main │ ✔");
    write(&repo, "a.txt", "edited\n");
    write(&repo, "c.txt", "new\n");
    let second = sb.path("cache-2");
    let line = render_without_git(&sb, &repo, &second, &trace);
    assert_eq!(line, sb.expected(&repo, "main"));
    assert_eq!(line, "main │ !1 ?1");
    // The inline result was stored: the next render reads it, still without a refresher.
    assert_eq!(render_without_git(&sb, &repo, &second, &trace), line);
    assert!(status_source(&sb, &repo).contains("own status engine, inline"));
    wait_for_refreshers(&first);
    wait_for_refreshers(&second);
    assert!(!trace.exists(), "a refresher ran");
}

#[test]
fn concurrent_renders_of_a_small_repository_start_no_refresher() {
    let sb = Sandbox::new("flight-small");
    let repo = sb.repo("r");
    write(&repo, "n.txt", "n\n");
    sb.git(&repo, &["add", "n.txt"]);
    let trace = sb.path("trace");
    let renders: Vec<_> = (0..32)
        .map(|_| {
            let sb = &sb;
            let (repo, trace) = (&repo, &trace);
            move || render_without_git(sb, repo, &sb.cache(), trace)
        })
        .collect();
    let lines: Vec<String> = std::thread::scope(|s| {
        let jobs: Vec<_> = renders.into_iter().map(|r| s.spawn(r)).collect();
        jobs.into_iter().map(|j| j.join().unwrap()).collect()
    });
    for line in &lines {
        assert_eq!(line, "main │ +1");
    }
    wait_for_refreshers(&sb.cache());
    assert!(!trace.exists(), "a refresher ran");
}

/// Writes the sandbox's `~/.gitconfig` and files beside it.
fn home_file(sb: &Sandbox, rel: &str, text: &str) {
    write(&sb.path("home"), rel, text);
}

#[test]
fn includes_in_the_global_config_are_followed_as_git_follows_them() {
    let sb = Sandbox::new("include");
    let work = sb.repo("work/r");
    let other = sb.repo("other/r");
    home_file(
        &sb,
        ".gitconfig",
        &format!(
            "[include]\n\tpath = conf/ignore.conf\n\
             [includeIf \"gitdir:{}/\"]\n\tpath = ~/conf/no-untracked.conf\n\
             [includeIf \"gitdir/i:{}/\"]\n\tpath = conf/all.conf\n\
             [includeIf \"onbranch:topic/\"]\n\tpath = conf/no-renames.conf\n\
             [status]\n\trenames = true\n",
            sb.path("work").display(),
            sb.path("other").display().to_string().to_uppercase()
        ),
    );
    home_file(
        &sb,
        "conf/ignore.conf",
        "[core]\n\texcludesFile = ~/conf/ignore\n",
    );
    home_file(&sb, "conf/ignore", "*.log\n");
    home_file(
        &sb,
        "conf/no-untracked.conf",
        "[status]\n\tshowUntrackedFiles = no\n",
    );
    home_file(
        &sb,
        "conf/all.conf",
        "[status]\n\tshowUntrackedFiles = all\n",
    );
    home_file(&sb, "conf/no-renames.conf", "[status]\n\trenames = false\n");
    for repo in [&work, &other] {
        write(repo, "new.txt", "n\n");
        write(repo, "skip.log", "l\n");
        write(repo, "dir/deep.txt", "d\n");
        write(repo, "dir/deep2.txt", "d\n");
        sb.git(repo, &["mv", "b.txt", "c.txt"]);
        let expected = sb.expected(repo, "main");
        assert_eq!(sb.line(repo), expected, "{}", repo.display());
        assert!(status_source(&sb, repo).contains("own status engine"));
    }
    assert_eq!(sb.line(&work), "main │ »1");
    assert_eq!(sb.line(&other), "main │ »1 ?3");
    // On topic/x the later `renames = true` of the including file still wins.
    sb.git(&other, &["checkout", "-qb", "topic/x"]);
    assert_eq!(sb.line(&other), sb.expected(&other, "topic/x"));
    home_file(
        &sb,
        ".gitconfig",
        "[includeIf \"onbranch:topic/\"]\n\tpath = conf/no-renames.conf\n",
    );
    let expected = sb.expected(&other, "topic/x");
    assert_eq!(sb.line(&other), expected);
    assert!(expected.contains("+2"), "{expected}");
}

#[test]
fn a_hasconfig_include_is_left_to_git() {
    let sb = Sandbox::new("hasconfig");
    let repo = sb.repo("r");
    home_file(
        &sb,
        ".gitconfig",
        "[includeIf \"hasconfig:remote.*.url:https://example.com/**\"]\n\tpath = x.conf\n",
    );
    write(&repo, "a.txt", "changed\n");
    assert_eq!(sb.line(&repo), sb.expected(&repo, "main"));
    assert!(status_source(&sb, &repo).contains("left to git"));
}

#[test]
fn a_rebase_onto_the_upstream_shows_no_ahead_behind_as_git_status() {
    let sb = Sandbox::new("rebase-upstream");
    let origin = sb.repo("origin");
    sb.git(&sb.root, &["clone", "-q", "origin", "clone"]);
    let clone = sb.path("clone");
    write(&origin, "a.txt", "upstream\n");
    sb.git(&origin, &["commit", "-qam", "upstream"]);
    // The first local commit applies cleanly, the second conflicts: HEAD is then one
    // commit past the upstream, but detached, so git status reports no ahead/behind.
    write(&clone, "b.txt", "local\n");
    sb.git(&clone, &["commit", "-qam", "local b"]);
    write(&clone, "a.txt", "local\n");
    sb.git(&clone, &["commit", "-qam", "local a"]);
    sb.git(&clone, &["fetch", "-q"]);
    assert!(
        !sb.git_output(&clone, &["rebase", "-q", "origin/main"])
            .status
            .success()
    );
    let expected = sb.expected(&clone, "main|REBASE 2/2");
    assert_eq!(sb.line(&clone), expected);
    let trace = sb.path("trace");
    let fresh = sb.path("fresh-cache");
    assert_eq!(render_without_git(&sb, &clone, &fresh, &trace), expected);
}

#[test]
fn settings_given_in_the_environment_are_left_to_git() {
    let sb = Sandbox::new("config-env");
    let repo = sb.repo("r");
    write(&repo, "a.txt", "changed\n");
    write(&repo, "u.txt", "u\n");
    assert_eq!(sb.line(&repo), sb.expected(&repo, "main"));
    assert_eq!(sb.line(&repo), "main │ !1 ?1");
    let vars = [
        ("GIT_CONFIG_COUNT", "1"),
        ("GIT_CONFIG_KEY_0", "status.showUntrackedFiles"),
        ("GIT_CONFIG_VALUE_0", "no"),
    ];
    let git = sb
        .git_cli()
        .command(&repo, &["status", "--porcelain=v2"])
        .envs(vars)
        .output()
        .unwrap();
    let porcelain = String::from_utf8(git.stdout).unwrap();
    assert!(
        porcelain.lines().all(|l| !l.starts_with('?')),
        "{porcelain}"
    );
    // Renders see the settings too (a render's refresher inherits its environment).
    sb.refresh_with_env(&repo, &vars);
    let mut render = sb.command(&["--format", "plain", "--widgets", "git_branch,git_status"]);
    render.envs(vars);
    let line = String::from_utf8(sb.run_in(&repo, render).stdout).unwrap();
    assert_eq!(line.trim_end(), "main │ !1");
    assert!(status_source_with(&sb, &repo, &vars).contains("left to git"));
}

#[test]
fn a_bare_repository_gets_ahead_behind_without_git() {
    let sb = Sandbox::new("bare-ab");
    let origin = sb.repo("origin");
    sb.git(&sb.root, &["clone", "-q", "--bare", "origin", "bare.git"]);
    let bare = sb.path("bare.git");
    for (key, value) in [
        ("remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*"),
        ("branch.main.remote", "origin"),
        ("branch.main.merge", "refs/heads/main"),
    ] {
        sb.git(&bare, &["config", key, value]);
    }
    for n in 0..2 {
        write(&origin, "a.txt", &format!("upstream {n}\n"));
        sb.git(&origin, &["commit", "-qam", "upstream"]);
    }
    sb.git(&bare, &["fetch", "-q", "origin"]);
    let counts = sb.git(
        &bare,
        &["rev-list", "--left-right", "--count", "main...origin/main"],
    );
    assert_eq!(counts.split_whitespace().collect::<Vec<_>>(), ["0", "2"]);
    let bin = path_without_git(&sb);
    // The refresher, then a render reading its record; then a render with no record.
    sb.refresh_with_env(&bare, &[("PATH", &bin)]);
    assert_eq!(only_status_record(&sb.cache()).ahead_behind, Some((0, 2)));
    for cache in [sb.cache(), sb.path("fresh-cache")] {
        let out = sb.render_in(
            &bare,
            "git_branch",
            &[("PATH", &bin), ("XDG_CACHE_HOME", &cache)],
        );
        assert_eq!(String::from_utf8(out.stdout).unwrap().trim_end(), "main ↓2");
    }
}

/// The one status record in the cache under `cache_home`.
fn only_status_record(cache_home: &Path) -> blinkline::testing::git::record::StatusRecord {
    let dir = cache_home.join("blinkline");
    let cache = blinkline::testing::cache::Cache::at(dir.clone()).unwrap();
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with("git-") && !n.ends_with(".lock"))
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let bytes = cache.read(&names[0]).unwrap();
    blinkline::testing::git::record::StatusRecord::decode(&bytes).unwrap()
}

/// The `git_status` segment of a JSON render in `repo` (text and state), with `env`.
fn status_segment(sb: &Sandbox, repo: &Path, env: &[(&str, &Path)]) -> (String, String) {
    let mut cmd = sb.command(&["--format", "json", "--widgets", "git_status"]);
    cmd.envs(env.iter().copied());
    let out = sb.run_in(repo, cmd);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let segment = &json[0];
    let text = segment["text"].as_str().unwrap_or_default().to_owned();
    (
        text,
        segment["state"].as_str().unwrap_or_default().to_owned(),
    )
}

#[test]
fn git_counts_are_not_fresh_after_an_edit_within_refresh_ms() {
    let sb = Sandbox::new("edit-fresh");
    let repo = sb.repo("r");
    assert_eq!(status_segment(&sb, &repo, &[]), ("✔".into(), "ok".into()));
    // An edit changes no file the record is keyed on (HEAD, index, stash), and the
    // record is younger than `refresh_ms`: the next render must count again anyway.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(repo.join("a.txt"))
        .unwrap();
    std::io::Write::write_all(&mut file, b"x\n").unwrap();
    drop(file);
    assert_eq!(status_segment(&sb, &repo, &[]), ("!1".into(), "ok".into()));
    assert!(sb.expected(&repo, "main").ends_with("│ !1"));
}

#[test]
fn git_counts_of_a_large_repository_are_stale_after_an_edit_within_refresh_ms() {
    let sb = Sandbox::new("edit-stale");
    let repo = sb.large_repo("r");
    sb.refresh(&repo);
    write(&repo, "dir00/file-0000.txt", "edited\n");
    // Too large to count inline, and no watcher vouches for the record: its counts are
    // from before the edit, however young the record is.
    assert_eq!(
        status_segment(&sb, &repo, &[]),
        ("✔".into(), "stale".into())
    );
}

#[test]
fn render_does_not_hash_a_large_stat_dirty_file_inline() {
    let sb = Sandbox::new("hash-budget");
    let repo = sb.repo("r");
    let big = repo.join("big.bin");
    std::fs::write(&big, vec![0u8; 40 << 20]).unwrap();
    sb.git(&repo, &["add", "big.bin"]);
    sb.git(&repo, &["commit", "-qm", "big"]);
    // Same size and content, other mtime: stat data cannot decide, only hashing can.
    let file = std::fs::File::options().write(true).open(&big).unwrap();
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    file.set_modified(past).unwrap();
    drop(file);
    let trace = sb.path("trace");
    let env: [(&str, &Path); 1] = [("BLINKLINE_TRACE_REFRESH", &trace)];
    // No record yet: the render shows nothing rather than hash 40 MB within the frame,
    // and hands the work to the refresher.
    let (_, state) = status_segment(&sb, &repo, &env);
    assert_eq!(state, "hidden");
    wait_for_refreshers(&sb.cache());
    let runs = std::fs::read_to_string(&trace).unwrap_or_default();
    assert_eq!(runs.lines().count(), 1, "refreshers: {runs}");
    // The refresher's record, shown marked stale: the render still cannot vouch for it.
    assert_eq!(
        status_segment(&sb, &repo, &env),
        ("✔".into(), "stale".into())
    );
    assert!(sb.expected(&repo, "main").ends_with("│ ✔"));
}
