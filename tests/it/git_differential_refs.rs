//! `git_branch` against git itself over generated repository states: the branch (or the
//! detached commit or tag), the upstream's ahead/behind and the operation in progress,
//! compared with what `git status --porcelain=v2 --branch --show-stash` (and, for the
//! operation, `git status`'s own words; for a detached tag, `git describe --tags
//! --exact-match`) says. States: random commit DAGs whose dates go backwards along
//! history, with and without a commit-graph; upstreams set in the global config files,
//! old-style and one-line sections, continued and quoted values, custom and negative
//! fetch refspecs; loose, nested, annotated and packed tags; a symbolic branch; replace
//! refs; merges, cherry-picks (a sequence between commits included), reverts, bisects,
//! rebases and `am`; repository formats and another user's repository (with and without
//! `safe.directory`), where git refuses to work and the widget must show its error; and a
//! reftable repository, whose refs only git reads (the widget shows the refresher's `git
//! status` answer, marked stale: the deferred states). Every state must equal git.
//! The focused regression tests of the same bugs follow the differential one.

use crate::support::git as git_support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use git_support::{Rng, Sandbox, write};

/// Extra environment for both git and blinkline (the global config's location).
type Env = Vec<(&'static str, PathBuf)>;

/// What the widget showed: its text and state (`ok`, `stale`, `hidden`, `error`).
#[derive(Debug, PartialEq, Eq)]
struct Shown {
    text: String,
    state: String,
}

fn git_with(sb: &Sandbox, dir: &Path, env: &Env, args: &[&str]) -> std::process::Output {
    let mut cmd = sb.git_cli().command(dir, args);
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
    cmd.output().expect("git runs")
}

fn git_ok(sb: &Sandbox, dir: &Path, env: &Env, args: &[&str]) -> String {
    let out = git_with(sb, dir, env, args);
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The refresher, then one render of `git_branch` as JSON.
fn shown(sb: &Sandbox, dir: &Path, env: &Env) -> Shown {
    let mut refresh = sb.command(&["__refresh-git", dir.to_str().unwrap()]);
    refresh.envs(env.iter().map(|(k, v)| (k, v)));
    // It fails where git refuses the repository; the render then shows the error.
    refresh.output().unwrap();
    let mut cmd = sb.command(&[
        "--format",
        "json",
        "--widgets",
        "git_branch",
        "--set",
        "git_branch.max_length=0",
    ]);
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
    let out = sb.run_in(dir, cmd);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    Shown {
        text: json[0]["text"].as_str().unwrap_or("").to_owned(),
        state: json[0]["state"].as_str().unwrap_or("").to_owned(),
    }
}

/// The operation as `git status` words it (`None`: no operation).
fn operation_of(sb: &Sandbox, dir: &Path, env: &Env) -> Option<&'static str> {
    let long = git_ok(sb, dir, env, &["status"]);
    [
        ("You are currently rebasing", "REBASE"),
        ("rebase in progress", "REBASE"),
        (
            "You are currently editing a commit while rebasing",
            "REBASE",
        ),
        ("You are in the middle of an am session", "AM"),
        ("You have unmerged paths", "MERGING"),
        ("you are still merging", "MERGING"),
        ("You are currently cherry-picking", "CHERRY-PICKING"),
        ("Cherry-pick currently in progress", "CHERRY-PICKING"),
        ("You are currently reverting", "REVERTING"),
        ("Revert currently in progress", "REVERTING"),
        ("You are currently bisecting", "BISECTING"),
    ]
    .into_iter()
    .find(|(words, _)| long.contains(words))
    .map(|(_, label)| label)
}

/// What the widget must show, from git's own output. `with_operation` asks `git status`
/// for the operation (one more process; only operation states need it).
fn expected(sb: &Sandbox, dir: &Path, env: &Env, with_operation: bool) -> String {
    let porcelain = git_ok(
        sb,
        dir,
        env,
        &["status", "--porcelain=v2", "--branch", "--show-stash"],
    );
    let mut head = String::new();
    let mut oid = String::new();
    let mut ab = String::new();
    for line in porcelain.lines() {
        if let Some(h) = line.strip_prefix("# branch.head ") {
            head = h.to_owned();
        }
        if let Some(o) = line.strip_prefix("# branch.oid ") {
            oid = o.to_owned();
        }
        if let Some(counts) = line.strip_prefix("# branch.ab ") {
            ab = git_support::ab_arrows(counts);
        }
    }
    let operation = if with_operation {
        operation_of(sb, dir, env)
    } else {
        None
    };
    let mut text = if head == "(detached)" {
        let describe = git_with(sb, dir, env, &["describe", "--tags", "--exact-match"]);
        let tag = String::from_utf8(describe.stdout).unwrap();
        match describe.status.success() {
            true => format!("({})", tag.trim()),
            false => format!("({})", &oid[..7]),
        }
    } else if oid == "(initial)" {
        format!("{head} (no commits)")
    } else {
        head
    };
    if let Some(op) = operation {
        let _ = write!(text, "|{op}");
        // As git's prompt shows them: the rebased branch (which `git status` names; HEAD
        // is detached) and the step from the files git's rebase and am keep.
        if op == "REBASE" {
            let long = git_ok(sb, dir, env, &["status"]);
            let branch = long.split("rebasing branch '").nth(1).unwrap();
            let branch = &branch[..branch.find('\'').unwrap()];
            text = format!("{branch}|{op}");
        }
        let git_dir = dir.join(".git");
        let read = |rel: &str| std::fs::read_to_string(git_dir.join(rel)).ok();
        let steps = match op {
            "REBASE" => read("rebase-merge/msgnum").zip(read("rebase-merge/end")),
            "AM" => read("rebase-apply/next").zip(read("rebase-apply/last")),
            _ => None,
        };
        if let Some((step, total)) = steps {
            let _ = write!(text, " {}/{}", step.trim(), total.trim());
        }
    }
    text + &ab
}

/// Tallies states and the ones that differ.
#[derive(Default)]
struct Tally {
    tried: usize,
    equal: usize,
    deferred: usize,
    differences: Vec<String>,
}

impl Tally {
    fn compare(&mut self, label: &str, want: String, got: Shown) {
        self.tried += 1;
        // Where git refuses the repository the widget shows its error marker.
        let state = if want == "⚠ git" { "error" } else { "ok" };
        if got.text == want && got.state == state {
            self.equal += 1;
        } else {
            self.differences.push(format!(
                "{label}: git {want:?}, blinkline {:?} ({})",
                got.text, got.state
            ));
        }
    }

    fn check(&mut self, sb: &Sandbox, dir: &Path, env: &Env, label: &str, operation: bool) {
        let refused = !git_with(sb, dir, env, &["status"]).status.success();
        let want = match refused {
            true => "⚠ git".to_owned(),
            false => expected(sb, dir, env, operation),
        };
        let got = shown(sb, dir, env);
        self.compare(label, want, got);
    }
}

/// `count` commits with random parents (one or two earlier commits) and dates that go
/// backwards along history as often as forwards, written with `git fast-import`; returns
/// their marks in order (`:1` …).
fn random_dag(sb: &Sandbox, dir: &Path, rng: &mut Rng, count: usize) -> Vec<String> {
    let mut stream = String::new();
    for i in 1..=count {
        let time = 1_700_000_000 + rng.below(100_000);
        let _ = write!(
            stream,
            "commit refs/heads/dag\nmark :{i}\ncommitter T <t@example.com> {time} +0000\ndata 2\nc\n"
        );
        if i > 1 {
            let first = 1 + rng.below(i as u64 - 1);
            let _ = writeln!(stream, "from :{first}");
            if i > 2 && rng.below(3) == 0 {
                let second = 1 + rng.below(i as u64 - 1);
                if second != first {
                    let _ = writeln!(stream, "merge :{second}");
                }
            } else if rng.below(8) == 0 {
                // An unrelated root now and then: disjoint histories.
                stream.truncate(stream.len() - format!("from :{first}\n").len());
            }
        }
        let _ = writeln!(stream, "M 644 inline f\ndata 2\n{}\n", i % 10);
    }
    stream.push_str("done\n");
    let marks = dir.join(".git/marks");
    let export = format!("--export-marks={}", marks.display());
    sb.git_cli().run_with_input(
        dir,
        &["fast-import", "--quiet", "--done", &export],
        stream.as_bytes(),
    );
    let text = std::fs::read_to_string(&marks).unwrap();
    let mut oids = vec![String::new(); count];
    for line in text.lines() {
        let (mark, oid) = line.split_once(' ').unwrap();
        let n: usize = mark[1..].parse().unwrap();
        oids[n - 1] = oid.to_owned();
    }
    oids
}

fn dag_states(sb: &Sandbox, tally: &mut Tally) {
    let env = Env::new();
    let mut rng = Rng(0x5eed_2026);
    for round in 0..10 {
        let dir = sb.path(&format!("dag{round}"));
        std::fs::create_dir_all(&dir).unwrap();
        sb.git(&dir, &["init", "-q"]);
        let oids = random_dag(sb, &dir, &mut rng, 14 + round * 2);
        if round % 2 == 1 {
            sb.git(&dir, &["commit-graph", "write", "--reachable"]);
        }
        sb.git(&dir, &["config", "remote.origin.url", "/nowhere"]);
        sb.git(
            &dir,
            &[
                "config",
                "remote.origin.fetch",
                "+refs/heads/*:refs/remotes/origin/*",
            ],
        );
        sb.git(&dir, &["config", "branch.main.remote", "origin"]);
        sb.git(&dir, &["config", "branch.main.merge", "refs/heads/main"]);
        for pair in 0..6 {
            let local = &oids[rng.below(oids.len() as u64) as usize];
            let up = &oids[rng.below(oids.len() as u64) as usize];
            sb.git(&dir, &["update-ref", "refs/heads/main", local]);
            sb.git(&dir, &["update-ref", "refs/remotes/origin/main", up]);
            sb.git(&dir, &["symbolic-ref", "HEAD", "refs/heads/main"]);
            tally.check(sb, &dir, &env, &format!("dag {round} pair {pair}"), false);
        }
    }
}

/// A clone one commit ahead of and one behind `origin`, on `main`.
fn diverged_clone(sb: &Sandbox, name: &str) -> PathBuf {
    let origin = sb.path(&format!("{name}-origin"));
    sb.git_cli().repo_with(&origin, &[("a.txt", "a\n")]);
    sb.git(&sb.root, &["clone", "-q", origin.to_str().unwrap(), name]);
    let clone = sb.path(name);
    write(&origin, "o.txt", "o\n");
    sb.git(&origin, &["add", "."]);
    sb.git(&origin, &["commit", "-qm", "upstream"]);
    sb.git(&clone, &["fetch", "-q"]);
    write(&clone, "l.txt", "l\n");
    sb.git(&clone, &["add", "."]);
    sb.git(&clone, &["commit", "-qm", "local"]);
    clone
}

/// Writes `.git/config` of `dir` as `base` plus `extra`.
fn rewrite_branch_config(dir: &Path, base: &str, extra: &str) {
    std::fs::write(dir.join(".git/config"), format!("{base}{extra}")).unwrap();
}

/// Upstream settings git accepts, one state each.
const CONFIG_VARIANTS: &[(&str, &str)] = &[
    (
        "plain",
        "[branch \"main\"]\n\tremote = origin\n\tmerge = refs/heads/main\n",
    ),
    (
        "old-style",
        "[branch.main]\n\tremote = origin\n\tmerge = refs/heads/main\n",
    ),
    (
        "one line",
        "[branch \"main\"] remote = origin\n[branch \"main\"] merge = refs/heads/main\n",
    ),
    (
        "continued",
        "[branch \"main\"]\n\tremote = ori\\\ngin\n\tmerge = refs/heads/\\\nmain\n",
    ),
    (
        "quoted",
        "[branch \"main\"]\n\tremote = \"origin\" ; comment\n\tmerge = \"refs/heads/\"main# c\n",
    ),
    (
        "cases",
        "[BRANCH \"main\"]\n\tREMOTE = origin\n\tMeRgE = refs/heads/main\n",
    ),
    (
        "first merge",
        "[branch \"main\"]\n\tremote = origin\n\tmerge = refs/heads/main\n\tmerge = refs/heads/other\n",
    ),
    (
        "last remote",
        "[branch \"main\"]\n\tremote = nowhere\n\tmerge = refs/heads/main\n\tremote = origin\n",
    ),
    (
        "other case subsection",
        "[branch \"Main\"]\n\tremote = origin\n\tmerge = refs/heads/main\n",
    ),
    (
        "remote dot",
        "[branch \"main\"]\n\tremote = .\n\tmerge = refs/remotes/origin/main\n",
    ),
    (
        "negative refspec",
        "[remote \"origin\"]\n\tfetch = ^refs/heads/main\n[branch \"main\"]\n\tremote = origin\n\tmerge = refs/heads/main\n",
    ),
    (
        "unknown remote",
        "[branch \"main\"]\n\tremote = elsewhere\n\tmerge = refs/heads/main\n",
    ),
];

fn config_states(sb: &Sandbox, tally: &mut Tally) {
    let none = Env::new();
    let clone = diverged_clone(sb, "cfg");
    sb.git(&clone, &["config", "--remove-section", "branch.main"]);
    let base = std::fs::read_to_string(clone.join(".git/config")).unwrap();
    for (label, section) in CONFIG_VARIANTS {
        rewrite_branch_config(&clone, &base, section);
        tally.check(sb, &clone, &none, &format!("config {label}"), false);
    }
    // A custom fetch refspec: the remote-tracking refs live under `mirror/`.
    rewrite_branch_config(&clone, &base, CONFIG_VARIANTS[0].1);
    sb.git(
        &clone,
        &[
            "config",
            "remote.origin.fetch",
            "+refs/heads/*:refs/remotes/mirror/*",
        ],
    );
    sb.git(&clone, &["fetch", "-q"]);
    sb.git(&clone, &["update-ref", "-d", "refs/remotes/origin/main"]);
    tally.check(sb, &clone, &none, "config custom refspec", false);
    sb.git(&clone, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
    tally.check(
        sb,
        &clone,
        &none,
        "config custom refspec, stale origin ref",
        false,
    );
    sb.git(
        &clone,
        &[
            "config",
            "remote.origin.fetch",
            "+refs/heads/*:refs/remotes/origin/*",
        ],
    );
    sb.git(&clone, &["fetch", "-q"]);
    // The upstream in each global file git reads.
    rewrite_branch_config(&clone, &base, "");
    let section = CONFIG_VARIANTS[0].1;
    let home_config = sb.path("home/.gitconfig");
    std::fs::write(&home_config, section).unwrap();
    tally.check(sb, &clone, &none, "config ~/.gitconfig", false);
    std::fs::remove_file(&home_config).unwrap();
    let xdg = sb.path("xdg");
    write(&xdg, "git/config", section);
    tally.check(
        sb,
        &clone,
        &vec![("XDG_CONFIG_HOME", xdg.clone())],
        "config XDG",
        false,
    );
    let global = sb.path("global.ini");
    std::fs::write(&global, section).unwrap();
    let env = vec![("GIT_CONFIG_GLOBAL", global.clone())];
    tally.check(sb, &clone, &env, "config GIT_CONFIG_GLOBAL", false);
    // GIT_CONFIG_GLOBAL replaces ~/.gitconfig.
    std::fs::write(&home_config, section).unwrap();
    let empty = sb.path("empty.ini");
    std::fs::write(&empty, "").unwrap();
    let env = vec![("GIT_CONFIG_GLOBAL", empty)];
    tally.check(
        sb,
        &clone,
        &env,
        "config GIT_CONFIG_GLOBAL hides ~/.gitconfig",
        false,
    );
    std::fs::remove_file(&home_config).unwrap();
}

fn tag_states(sb: &Sandbox, tally: &mut Tally) {
    let env = Env::new();
    let dir = sb.path("tags");
    sb.git_cli().repo_with(&dir, &[("a.txt", "a\n")]);
    let steps: &[(&str, &[&[&str]])] = &[
        ("sha", &[&["checkout", "-q", "--detach"]]),
        ("lightweight", &[&["tag", "light"]]),
        (
            "annotated",
            &[&["tag", "-d", "light"], &["tag", "-a", "v1", "-m", "v1"]],
        ),
        (
            "nested annotated",
            &[
                &["tag", "-d", "v1"],
                &["tag", "-a", "release/v2", "-m", "r"],
            ],
        ),
        (
            "tag of a tag",
            &[
                &["tag", "-d", "release/v2"],
                &["tag", "-a", "inner", "-m", "i"],
                &["tag", "-a", "outer", "-m", "o", "inner"],
                &["tag", "-d", "inner"],
            ],
        ),
        ("packed annotated", &[&["pack-refs", "--all"]]),
        (
            "packed nested",
            &[
                &["tag", "-d", "outer"],
                &["tag", "-a", "rc/1", "-m", "r"],
                &["pack-refs", "--all"],
            ],
        ),
        (
            "tag elsewhere",
            &[
                &["tag", "-d", "rc/1"],
                &["commit", "-q", "--allow-empty", "-m", "x"],
                &["tag", "-a", "old", "-m", "o", "HEAD~1"],
            ],
        ),
    ];
    for (label, commands) in steps {
        for args in *commands {
            sb.git(&dir, args);
        }
        tally.check(sb, &dir, &env, &format!("detached {label}"), false);
    }
    // A branch that is a symbolic ref to another.
    sb.git(&dir, &["checkout", "-q", "main"]);
    sb.git(
        &dir,
        &["symbolic-ref", "refs/heads/alias", "refs/heads/main"],
    );
    sb.git(&dir, &["symbolic-ref", "HEAD", "refs/heads/alias"]);
    tally.check(sb, &dir, &env, "symbolic branch", false);
    sb.git(&dir, &["config", "branch.main.remote", "."]);
    sb.git(&dir, &["config", "branch.main.merge", "refs/tags/old"]);
    tally.check(sb, &dir, &env, "symbolic branch with upstream", false);
}

fn commit_file(sb: &Sandbox, dir: &Path, name: &str, text: &str) {
    write(dir, name, text);
    sb.git(dir, &["add", "."]);
    sb.git(dir, &["commit", "-qm", text.trim()]);
}

fn operation_states(sb: &Sandbox, tally: &mut Tally) {
    let env = Env::new();
    let dir = sb.path("ops");
    sb.git_cli().repo_with(&dir, &[("f.txt", "base\n")]);
    sb.git(&dir, &["checkout", "-qb", "side"]);
    commit_file(sb, &dir, "f.txt", "side\n");
    commit_file(sb, &dir, "g.txt", "g\n");
    commit_file(sb, &dir, "h.txt", "h\n");
    sb.git(&dir, &["checkout", "-q", "main"]);
    commit_file(sb, &dir, "f.txt", "main\n");
    let fails = |args: &[&str]| assert!(!sb.git_output(&dir, args).status.success(), "{args:?}");
    fails(&["merge", "-q", "side"]);
    tally.check(sb, &dir, &env, "merge conflict", true);
    sb.git(&dir, &["merge", "--abort"]);
    fails(&["cherry-pick", "side~2"]);
    tally.check(sb, &dir, &env, "cherry-pick conflict", true);
    sb.git(&dir, &["cherry-pick", "--abort"]);
    // A sequence stopped at its first commit, resolved and committed by hand: the todo
    // list is left without CHERRY_PICK_HEAD.
    fails(&["cherry-pick", "side~2", "side~1", "side"]);
    write(&dir, "f.txt", "resolved\n");
    sb.git(&dir, &["add", "."]);
    sb.git(&dir, &["commit", "-qm", "resolved"]);
    assert!(!dir.join(".git/CHERRY_PICK_HEAD").exists());
    assert!(dir.join(".git/sequencer/todo").exists());
    tally.check(sb, &dir, &env, "cherry-pick sequence between commits", true);
    sb.git(&dir, &["cherry-pick", "--quit"]);
    sb.git(&dir, &["reset", "-q", "--hard", "main"]);
    commit_file(sb, &dir, "f.txt", "again\n");
    commit_file(sb, &dir, "f.txt", "and again\n");
    fails(&["revert", "--no-edit", "HEAD~1", "HEAD"]);
    tally.check(sb, &dir, &env, "revert sequence", true);
    sb.git(&dir, &["revert", "--abort"]);
    sb.git(&dir, &["bisect", "start"]);
    tally.check(sb, &dir, &env, "bisect", true);
    sb.git(&dir, &["bisect", "reset"]);
    fails(&["rebase", "-q", "side"]);
    tally.check(sb, &dir, &env, "rebase conflict", true);
    sb.git(&dir, &["rebase", "--abort"]);
    let patch = sb.git(&dir, &["format-patch", "-1", "--stdout", "side~2"]);
    sb.git(&dir, &["checkout", "-q", "side~3"]);
    commit_file(sb, &dir, "f.txt", "conflicting\n");
    let am = sb
        .git_cli()
        .command(&dir, &["am", "-q"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let mut am = am.unwrap();
    use std::io::Write as _;
    am.stdin
        .take()
        .unwrap()
        .write_all(patch.as_bytes())
        .unwrap();
    assert!(!am.wait().unwrap().success());
    tally.check(sb, &dir, &env, "am conflict", true);
}

fn replace_states(sb: &Sandbox, tally: &mut Tally) {
    let env = Env::new();
    let clone = diverged_clone(sb, "replace");
    // Replace the local commit by one whose parent is the upstream's tip: git counts
    // through the replacement (`+1 -0`), a walk of the stored objects would not.
    let tree = sb.git(&clone, &["rev-parse", "HEAD^{tree}"]);
    let replacement = sb.git(
        &clone,
        &[
            "commit-tree",
            tree.trim(),
            "-p",
            "origin/main",
            "-m",
            "replacement",
        ],
    );
    sb.git(&clone, &["replace", "HEAD", replacement.trim()]);
    tally.check(sb, &clone, &env, "replace ref", false);
    sb.git(&clone, &["pack-refs", "--all"]);
    tally.check(sb, &clone, &env, "packed replace ref", false);
}

/// Repository formats and ownership git refuses or accepts.
fn refusal_states(sb: &Sandbox, tally: &mut Tally) {
    let env = Env::new();
    let dir = sb.path("formats");
    sb.git_cli().repo_with(&dir, &[("a.txt", "a\n")]);
    let config = dir.join(".git/config");
    let base = std::fs::read_to_string(&config).unwrap();
    for (label, version, extension) in [
        ("v0 unknown extension", "0", "noSuchThing = true"),
        ("v1 unknown extension", "1", "noSuchThing = true"),
        ("v1 known extension", "1", "preciousObjects = true"),
        ("v2", "2", "noop = true"),
    ] {
        let text = base.replace(
            "repositoryformatversion = 0",
            &format!("repositoryformatversion = {version}"),
        );
        std::fs::write(&config, format!("{text}[extensions]\n\t{extension}\n")).unwrap();
        tally.check(sb, &dir, &env, label, false);
    }
    std::fs::write(&config, &base).unwrap();
    // Another user's repository: only a privileged run can make one.
    if std::os::unix::fs::chown(&dir, Some(4242), None).is_err() {
        return;
    }
    let home = sb.path("home/.gitconfig");
    let real = dir.canonicalize().unwrap();
    let parent = real.parent().unwrap().display().to_string();
    let real = real.display().to_string();
    for (label, safe) in [
        ("another owner", String::new()),
        ("safe.directory *", "\tdirectory = *\n".to_owned()),
        ("safe.directory path", format!("\tdirectory = {real}\n")),
        (
            "safe.directory prefix",
            format!("\tdirectory = {parent}/*\n"),
        ),
        (
            "safe.directory other",
            "\tdirectory = /elsewhere\n".to_owned(),
        ),
        (
            "safe.directory reset",
            "\tdirectory = *\n\tdirectory =\n".to_owned(),
        ),
    ] {
        std::fs::write(&home, format!("[safe]\n{safe}")).unwrap();
        tally.check(sb, &dir, &env, label, false);
    }
    std::fs::remove_file(&home).unwrap();
}

/// A reftable repository: only git reads its refs, so the widget shows what the
/// refresher's `git status` said, marked stale (nothing was read by the render itself).
/// Every state must equal git.
fn reftable_state(sb: &Sandbox, tally: &mut Tally) {
    let dir = sb.path("reftable");
    std::fs::create_dir_all(&dir).unwrap();
    sb.git(&dir, &["init", "-q", "--ref-format=reftable"]);
    let env = Env::new();
    let check = |label: &str, tally: &mut Tally| {
        let want = expected(sb, &dir, &env, true);
        let got = shown(sb, &dir, &env);
        tally.tried += 1;
        if got.text == want && got.state == "stale" {
            tally.deferred += 1;
        } else {
            tally.differences.push(format!(
                "reftable {label}: git {want:?}, blinkline {:?} ({})",
                got.text, got.state
            ));
        }
    };
    check("unborn", tally);
    commit_file(sb, &dir, "a.txt", "a\n");
    check("branch", tally);
    sb.git(&dir, &["checkout", "-qb", "topic/x"]);
    commit_file(sb, &dir, "b.txt", "b\n");
    sb.git(&dir, &["config", "branch.topic/x.remote", "."]);
    sb.git(&dir, &["config", "branch.topic/x.merge", "refs/heads/main"]);
    check("ahead", tally);
    sb.git(&dir, &["checkout", "-q", "main"]);
    commit_file(sb, &dir, "c.txt", "c\n");
    sb.git(&dir, &["checkout", "-q", "topic/x"]);
    check("ahead and behind", tally);
    sb.git(&dir, &["checkout", "-q", "--detach", "main"]);
    check("detached", tally);
    sb.git(&dir, &["tag", "v1"]);
    check("detached at a tag", tally);
    sb.git(&dir, &["tag", "-a", "-m", "annotated", "v2", "HEAD~1"]);
    sb.git(&dir, &["checkout", "-q", "v2"]);
    check("detached at an annotated tag", tally);
    sb.git(&dir, &["checkout", "-q", "main"]);
    sb.git(&dir, &["merge", "-q", "--no-edit", "topic/x"]);
    check("merged", tally);
}

#[test]
fn git_branch_equals_git_over_generated_states() {
    let sb = Sandbox::new("diff-refs");
    let mut tally = Tally::default();
    dag_states(&sb, &mut tally);
    config_states(&sb, &mut tally);
    tag_states(&sb, &mut tally);
    operation_states(&sb, &mut tally);
    replace_states(&sb, &mut tally);
    refusal_states(&sb, &mut tally);
    reftable_state(&sb, &mut tally);
    eprintln!(
        "git_differential_refs: {} states tried, {} equal to git, {} deferred to git",
        tally.tried, tally.equal, tally.deferred
    );
    assert!(
        tally.differences.is_empty(),
        "{} of {} states differ from git:\n{}",
        tally.differences.len(),
        tally.tried,
        tally.differences.join("\n")
    );
    assert_eq!(tally.equal + tally.deferred, tally.tried);
}

// Focused regression tests, one per bug the differential test found.

fn render_branch(sb: &Sandbox, dir: &Path, env: &Env) -> Shown {
    let mut cmd = sb.command(&["--format", "json", "--widgets", "git_branch"]);
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
    let out = sb.run_in(dir, cmd);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    Shown {
        text: json[0]["text"].as_str().unwrap_or("").to_owned(),
        state: json[0]["state"].as_str().unwrap_or("").to_owned(),
    }
}

fn assert_equals_git(sb: &Sandbox, dir: &Path, env: &Env, want: &str) {
    assert_eq!(expected(sb, dir, env, false), want, "git's own view");
    let got = shown(sb, dir, env);
    assert_eq!((got.text.as_str(), got.state.as_str()), (want, "ok"));
}

#[test]
fn an_upstream_walk_over_its_budget_is_marked_stale_not_shown_as_even() {
    let sb = Sandbox::new("ab-budget");
    let dir = sb.path("r");
    sb.git_cli().repo_with(&dir, &[("a.txt", "a\n")]);
    // 5,000 commits on the upstream: more than a render walks inline.
    let mut stream = String::from("reset refs/heads/up\nfrom refs/heads/main\n");
    for i in 0..5000 {
        let _ = write!(
            stream,
            "commit refs/heads/up\ncommitter T <t@example.com> {} +0000\ndata 1\nc\n",
            1_800_000_000 + i
        );
    }
    sb.git_cli()
        .run_with_input(&dir, &["fast-import", "--quiet"], stream.as_bytes());
    sb.git(&dir, &["config", "branch.main.remote", "."]);
    sb.git(&dir, &["config", "branch.main.merge", "refs/heads/up"]);
    let first = render_branch(&sb, &dir, &Env::new());
    assert_eq!(
        (first.text.as_str(), first.state.as_str()),
        ("main", "stale")
    );
    git_support::wait_for_refreshers(&sb.cache());
    assert_equals_git(&sb, &dir, &Env::new(), "main ↓5000");
}

#[test]
fn an_upstream_set_in_a_global_config_file_shows_ahead_behind() {
    let sb = Sandbox::new("global-upstream");
    let clone = diverged_clone(&sb, "c");
    sb.git(&clone, &["config", "--remove-section", "branch.main"]);
    let section = CONFIG_VARIANTS[0].1;
    std::fs::write(sb.path("home/.gitconfig"), section).unwrap();
    assert_equals_git(&sb, &clone, &Env::new(), "main ↑1 ↓1");
    std::fs::remove_file(sb.path("home/.gitconfig")).unwrap();
    write(&sb.path("xdg"), "git/config", section);
    let xdg = vec![("XDG_CONFIG_HOME", sb.path("xdg"))];
    assert_equals_git(&sb, &clone, &xdg, "main ↑1 ↓1");
    std::fs::write(sb.path("global"), section).unwrap();
    let global = vec![("GIT_CONFIG_GLOBAL", sb.path("global"))];
    assert_equals_git(&sb, &clone, &global, "main ↑1 ↓1");
}

#[test]
fn old_style_one_line_continued_and_quoted_branch_sections_set_the_upstream() {
    let sb = Sandbox::new("config-syntax");
    let clone = diverged_clone(&sb, "c");
    sb.git(&clone, &["config", "--remove-section", "branch.main"]);
    let base = std::fs::read_to_string(clone.join(".git/config")).unwrap();
    for (label, section) in &CONFIG_VARIANTS[1..6] {
        rewrite_branch_config(&clone, &base, section);
        assert_eq!(
            shown(&sb, &clone, &Env::new()).text,
            "main ↑1 ↓1",
            "{label}"
        );
    }
    assert_equals_git(&sb, &clone, &Env::new(), "main ↑1 ↓1");
}

#[test]
fn a_custom_fetch_refspec_maps_the_upstream_to_its_tracking_ref() {
    let sb = Sandbox::new("refspec");
    let clone = diverged_clone(&sb, "c");
    sb.git(
        &clone,
        &[
            "config",
            "remote.origin.fetch",
            "+refs/heads/*:refs/remotes/mirror/*",
        ],
    );
    sb.git(&clone, &["fetch", "-q"]);
    sb.git(&clone, &["update-ref", "-d", "refs/remotes/origin/main"]);
    assert_equals_git(&sb, &clone, &Env::new(), "main ↑1 ↓1");
}

#[test]
fn a_one_line_core_filemode_false_is_read_as_git_reads_it() {
    let sb = Sandbox::new("filemode-line");
    let dir = sb.path("r");
    sb.git_cli().repo_with(&dir, &[("a.sh", "echo\n")]);
    let config = std::fs::read_to_string(dir.join(".git/config")).unwrap();
    let config = config.replace("filemode = true", "");
    std::fs::write(
        dir.join(".git/config"),
        config + "[core] filemode = false\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.join("a.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(sb.line(&dir), sb.expected(&dir, "main"));
    assert_eq!(sb.line(&dir), "main │ ✔");
}

#[test]
fn a_detached_head_at_an_annotated_or_nested_loose_tag_shows_the_tag() {
    let sb = Sandbox::new("tags");
    let dir = sb.path("r");
    sb.git_cli().repo_with(&dir, &[("a.txt", "a\n")]);
    sb.git(&dir, &["checkout", "-q", "--detach"]);
    sb.git(&dir, &["tag", "-a", "v1", "-m", "v1"]);
    assert_equals_git(&sb, &dir, &Env::new(), "(v1)");
    sb.git(&dir, &["tag", "-d", "v1"]);
    sb.git(&dir, &["tag", "release/v2"]);
    assert_equals_git(&sb, &dir, &Env::new(), "(release/v2)");
}

#[test]
fn a_branch_that_is_a_symbolic_ref_shows_the_branch_it_points_to() {
    let sb = Sandbox::new("symref");
    let clone = diverged_clone(&sb, "c");
    sb.git(
        &clone,
        &["symbolic-ref", "refs/heads/alias", "refs/heads/main"],
    );
    sb.git(&clone, &["symbolic-ref", "HEAD", "refs/heads/alias"]);
    assert_equals_git(&sb, &clone, &Env::new(), "main ↑1 ↓1");
}

#[test]
fn a_cherry_pick_sequence_without_cherry_pick_head_is_named() {
    let sb = Sandbox::new("sequencer");
    let dir = sb.path("r");
    sb.git_cli().repo_with(&dir, &[("f.txt", "base\n")]);
    sb.git(&dir, &["checkout", "-qb", "side"]);
    commit_file(&sb, &dir, "f.txt", "side\n");
    commit_file(&sb, &dir, "g.txt", "g\n");
    sb.git(&dir, &["checkout", "-q", "main"]);
    commit_file(&sb, &dir, "f.txt", "main\n");
    let out = sb.git_output(&dir, &["cherry-pick", "side~1", "side"]);
    assert!(!out.status.success());
    write(&dir, "f.txt", "resolved\n");
    sb.git(&dir, &["add", "."]);
    sb.git(&dir, &["commit", "-qm", "resolved"]);
    assert!(!dir.join(".git/CHERRY_PICK_HEAD").exists());
    assert_eq!(operation_of(&sb, &dir, &Env::new()), Some("CHERRY-PICKING"));
    assert_eq!(
        render_branch(&sb, &dir, &Env::new()).text,
        "main|CHERRY-PICKING"
    );
}

#[test]
fn replace_refs_count_ahead_behind_through_the_replacement_as_git_does() {
    let sb = Sandbox::new("replace");
    let clone = diverged_clone(&sb, "c");
    let tree = sb.git(&clone, &["rev-parse", "HEAD^{tree}"]);
    let args = ["commit-tree", tree.trim(), "-p", "origin/main", "-m", "r"];
    let replacement = sb.git(&clone, &args);
    sb.git(&clone, &["replace", "HEAD", replacement.trim()]);
    assert_equals_git(&sb, &clone, &Env::new(), "main ↑1");
}

#[test]
fn a_reftable_repository_shows_git_s_branch_and_counts() {
    let sb = Sandbox::new("reftable");
    let dir = sb.path("r");
    std::fs::create_dir_all(&dir).unwrap();
    sb.git(&dir, &["init", "-q", "--ref-format=reftable"]);
    commit_file(&sb, &dir, "a.txt", "a\n");
    sb.git(&dir, &["checkout", "-qb", "feature"]);
    commit_file(&sb, &dir, "b.txt", "b\n");
    sb.git(&dir, &["config", "branch.feature.remote", "."]);
    sb.git(&dir, &["config", "branch.feature.merge", "refs/heads/main"]);
    write(&dir, "a.txt", "changed\n");
    write(&dir, "new.txt", "new\n");
    // The first render has no answer from git yet: it shows nothing, never a guess, and
    // starts the refresher.
    // Watching is on: a watcher would hold the record's lock for minutes.
    let widgets = "git_branch,git_status";
    let mut cmd = sb.command(&["--format", "plain", "--widgets", widgets]);
    cmd.env("BLINKLINE_GIT_WATCH", "1")
        .env("BLINKLINE_GIT_WATCH_IDLE_MS", "120000");
    let first = sb.run_in(&dir, cmd);
    assert!(first.status.success());
    assert_eq!(String::from_utf8_lossy(&first.stdout).trim_end(), "");
    let (done, finished) = std::sync::mpsc::channel();
    let cache = sb.cache();
    std::thread::spawn(move || {
        git_support::wait_for_refreshers(&cache);
        let _ = done.send(());
    });
    assert!(
        finished
            .recv_timeout(std::time::Duration::from_secs(60))
            .is_ok(),
        "the refresher stayed on as a watcher"
    );
    let record = cached_record(&sb).expect("the refresher wrote a record");
    assert_eq!(
        (record.source, record.watched_until_ms),
        (blinkline::testing::git::record::StatusSource::Git, 0)
    );
    let got = render_branch(&sb, &dir, &Env::new());
    assert_eq!(expected(&sb, &dir, &Env::new(), false), "feature ↑1");
    assert_eq!(
        (got.text.as_str(), got.state.as_str()),
        ("feature ↑1", "stale")
    );
    assert_eq!(sb.render(&dir, widgets), "feature ↑1 │ !1 ?1");
    let mut cmd = sb.command(&["--format", "json", "--widgets", "git_status"]);
    cmd.envs(Env::new().iter().map(|(k, v)| (k, v)));
    let status = sb.run_in(&dir, cmd);
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(json[0]["state"], "stale", "{json}");
}

/// The one git record in the sandbox's cache.
fn cached_record(sb: &Sandbox) -> Option<blinkline::testing::git::record::StatusRecord> {
    let dir = sb.cache().join("blinkline");
    let cache = blinkline::testing::cache::Cache::at(dir.clone()).unwrap();
    let name = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .find(|n| n.starts_with("git-") && !n.ends_with(".lock"))?;
    blinkline::testing::git::record::StatusRecord::decode(&cache.read(&name)?)
}

#[test]
fn a_repository_format_git_refuses_shows_the_error() {
    let sb = Sandbox::new("extension");
    let dir = sb.path("r");
    sb.git_cli().repo_with(&dir, &[("a.txt", "a\n")]);
    sb.git(&dir, &["config", "core.repositoryFormatVersion", "1"]);
    sb.git(&dir, &["config", "extensions.noSuchThing", "true"]);
    let out = sb.git_output(&dir, &["status"]);
    assert!(!out.status.success(), "git refuses the repository");
    let got = render_branch(&sb, &dir, &Env::new());
    assert_eq!((got.text.as_str(), got.state.as_str()), ("⚠ git", "error"));
    // Version 0 ignores extensions, as git does.
    std::fs::write(
        dir.join(".git/config"),
        std::fs::read_to_string(dir.join(".git/config"))
            .unwrap()
            .replace("repositoryformatversion = 1", "repositoryformatversion = 0")
            .replace("repositoryFormatVersion = 1", "repositoryFormatVersion = 0"),
    )
    .unwrap();
    assert_equals_git(&sb, &dir, &Env::new(), "main");
}

#[test]
fn an_fsmonitor_leaves_the_status_to_git() {
    let sb = Sandbox::new("fsmonitor");
    let dir = sb.path("r");
    sb.git_cli().repo_with(&dir, &[("a.txt", "a\n")]);
    // A hook that reports nothing: git trusts it; only git knows how.
    write(&dir, ".git/hooks/query-watchman", "#!/bin/sh\nexit 1\n");
    sb.git(
        &dir,
        &["config", "core.fsmonitor", ".git/hooks/query-watchman"],
    );
    sb.refresh(&dir);
    let dir = sb.cache().join("blinkline");
    let cache = blinkline::testing::cache::Cache::at(dir.clone()).unwrap();
    let name = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .find(|n| n.starts_with("git-") && !n.ends_with(".lock"))
        .unwrap();
    let record = blinkline::testing::git::record::StatusRecord::decode(&cache.read(&name).unwrap());
    assert_eq!(
        record.map(|r| r.source),
        Some(blinkline::testing::git::record::StatusSource::Git)
    );
}

#[test]
fn a_repository_of_another_user_is_refused_as_git_refuses_it() {
    use std::os::unix::fs::MetadataExt;
    let sb = Sandbox::new("ownership");
    let dir = sb.path("r");
    sb.git_cli().repo_with(&dir, &[("a.txt", "a\n")]);
    let me = std::fs::metadata(&sb.root).unwrap().uid();
    // Only a privileged test run can give the repository to another user.
    if me != 0 || std::os::unix::fs::chown(&dir, Some(4242), None).is_err() {
        eprintln!("skipped: cannot give the repository to another user");
        return;
    }
    assert!(!sb.git_output(&dir, &["status"]).status.success());
    let got = render_branch(&sb, &dir, &Env::new());
    assert_eq!((got.text.as_str(), got.state.as_str()), ("⚠ git", "error"));
    std::fs::write(sb.path("home/.gitconfig"), "[safe]\n\tdirectory = *\n").unwrap();
    assert_equals_git(&sb, &dir, &Env::new(), "main");
}
