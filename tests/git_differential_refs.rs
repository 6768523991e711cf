//! `git_branch` against git itself over generated repository states: the branch (or the
//! detached commit or tag), the upstream's ahead/behind and the operation in progress,
//! compared with what `git status --porcelain=v2 --branch --show-stash` (and, for the
//! operation, `git status`'s own words; for a detached tag, `git describe --tags
//! --exact-match`) says. States: random commit DAGs whose dates go backwards along
//! history, with and without a commit-graph; upstreams set in the global config files,
//! old-style and one-line sections, continued and quoted values, custom and negative
//! fetch refspecs; loose, nested, annotated and packed tags; a symbolic branch; replace
//! refs; merges, cherry-picks (a sequence between commits included), reverts, bisects,
//! rebases and `am`. Every state must equal git; the one accepted deferral is a reftable
//! repository, whose refs only git reads (the widget shows nothing there, never a guess).
//! The focused regression tests of the same bugs follow the differential one.

mod git_support;

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
    let out = refresh.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
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
        ("You are currently editing a commit while rebasing", "REBASE"),
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
            let (a, b) = counts.split_once(' ').unwrap();
            let (a, b) = (&a[1..], &b[1..]);
            if a != "0" {
                ab.push_str(&format!(" ↑{a}"));
            }
            if b != "0" {
                ab.push_str(&format!(" ↓{b}"));
            }
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
        let fresh = got.state == "ok";
        if got.text == want && fresh {
            self.equal += 1;
        } else {
            self.differences.push(format!(
                "{label}: git {want:?}, blinkline {:?} ({})",
                got.text, got.state
            ));
        }
    }

    fn check(&mut self, sb: &Sandbox, dir: &Path, env: &Env, label: &str, operation: bool) {
        let want = expected(sb, dir, env, operation);
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
    let _ = write!(stream, "done\n");
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
            &["config", "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*"],
        );
        sb.git(&dir, &["config", "branch.main.remote", "origin"]);
        sb.git(&dir, &["config", "branch.main.merge", "refs/heads/main"]);
        for pair in 0..8 {
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
    ("plain", "[branch \"main\"]\n\tremote = origin\n\tmerge = refs/heads/main\n"),
    ("old-style", "[branch.main]\n\tremote = origin\n\tmerge = refs/heads/main\n"),
    ("one line", "[branch \"main\"] remote = origin\n[branch \"main\"] merge = refs/heads/main\n"),
    ("continued", "[branch \"main\"]\n\tremote = ori\\\ngin\n\tmerge = refs/heads/\\\nmain\n"),
    ("quoted", "[branch \"main\"]\n\tremote = \"origin\" ; comment\n\tmerge = \"refs/heads/\"main# c\n"),
    ("cases", "[BRANCH \"main\"]\n\tREMOTE = origin\n\tMeRgE = refs/heads/main\n"),
    ("first merge", "[branch \"main\"]\n\tremote = origin\n\tmerge = refs/heads/main\n\tmerge = refs/heads/other\n"),
    ("last remote", "[branch \"main\"]\n\tremote = nowhere\n\tmerge = refs/heads/main\n\tremote = origin\n"),
    ("other case subsection", "[branch \"Main\"]\n\tremote = origin\n\tmerge = refs/heads/main\n"),
    ("remote dot", "[branch \"main\"]\n\tremote = .\n\tmerge = refs/remotes/origin/main\n"),
    ("negative refspec", "[remote \"origin\"]\n\tfetch = ^refs/heads/main\n[branch \"main\"]\n\tremote = origin\n\tmerge = refs/heads/main\n"),
    ("unknown remote", "[branch \"main\"]\n\tremote = elsewhere\n\tmerge = refs/heads/main\n"),
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
    sb.git(&clone, &["config", "remote.origin.fetch", "+refs/heads/*:refs/remotes/mirror/*"]);
    sb.git(&clone, &["fetch", "-q"]);
    sb.git(&clone, &["update-ref", "-d", "refs/remotes/origin/main"]);
    tally.check(sb, &clone, &none, "config custom refspec", false);
    sb.git(&clone, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
    tally.check(sb, &clone, &none, "config custom refspec, stale origin ref", false);
    sb.git(&clone, &["config", "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*"]);
    // The upstream in each global file git reads.
    rewrite_branch_config(&clone, &base, "");
    let section = CONFIG_VARIANTS[0].1;
    let home_config = sb.path("home/.gitconfig");
    std::fs::write(&home_config, section).unwrap();
    tally.check(sb, &clone, &none, "config ~/.gitconfig", false);
    std::fs::remove_file(&home_config).unwrap();
    let xdg = sb.path("xdg");
    write(&xdg, "git/config", section);
    tally.check(sb, &clone, &vec![("XDG_CONFIG_HOME", xdg.clone())], "config XDG", false);
    let global = sb.path("global.ini");
    std::fs::write(&global, section).unwrap();
    let env = vec![("GIT_CONFIG_GLOBAL", global.clone())];
    tally.check(sb, &clone, &env, "config GIT_CONFIG_GLOBAL", false);
    // GIT_CONFIG_GLOBAL replaces ~/.gitconfig.
    std::fs::write(&home_config, section).unwrap();
    let empty = sb.path("empty.ini");
    std::fs::write(&empty, "").unwrap();
    let env = vec![("GIT_CONFIG_GLOBAL", empty)];
    tally.check(sb, &clone, &env, "config GIT_CONFIG_GLOBAL hides ~/.gitconfig", false);
    std::fs::remove_file(&home_config).unwrap();
}

fn tag_states(sb: &Sandbox, tally: &mut Tally) {
    let env = Env::new();
    let dir = sb.path("tags");
    sb.git_cli().repo_with(&dir, &[("a.txt", "a\n")]);
    let steps: &[(&str, &[&[&str]])] = &[
        ("sha", &[&["checkout", "-q", "--detach"]]),
        ("lightweight", &[&["tag", "light"]]),
        ("annotated", &[&["tag", "-d", "light"], &["tag", "-a", "v1", "-m", "v1"]]),
        ("nested annotated", &[&["tag", "-d", "v1"], &["tag", "-a", "release/v2", "-m", "r"]]),
        ("tag of a tag", &[&["tag", "-d", "release/v2"], &["tag", "-a", "inner", "-m", "i"], &["tag", "-a", "outer", "-m", "o", "inner"], &["tag", "-d", "inner"]]),
        ("packed annotated", &[&["pack-refs", "--all"]]),
        ("packed nested", &[&["tag", "-d", "outer"], &["tag", "-a", "rc/1", "-m", "r"], &["pack-refs", "--all"]]),
        ("tag elsewhere", &[&["tag", "-d", "rc/1"], &["commit", "-q", "--allow-empty", "-m", "x"], &["tag", "-a", "old", "-m", "o", "HEAD~1"]]),
    ];
    for (label, commands) in steps {
        for args in *commands {
            sb.git(&dir, args);
        }
        tally.check(sb, &dir, &env, &format!("detached {label}"), false);
    }
    // A branch that is a symbolic ref to another.
    sb.git(&dir, &["checkout", "-q", "main"]);
    sb.git(&dir, &["symbolic-ref", "refs/heads/alias", "refs/heads/main"]);
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
    am.stdin.take().unwrap().write_all(patch.as_bytes()).unwrap();
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
        &["commit-tree", tree.trim(), "-p", "origin/main", "-m", "replacement"],
    );
    sb.git(&clone, &["replace", "HEAD", replacement.trim()]);
    tally.check(sb, &clone, &env, "replace ref", false);
    sb.git(&clone, &["pack-refs", "--all"]);
    tally.check(sb, &clone, &env, "packed replace ref", false);
}

/// A reftable repository: git reads its refs; the widget must not guess (it defers).
fn reftable_state(sb: &Sandbox, tally: &mut Tally) {
    let dir = sb.path("reftable");
    std::fs::create_dir_all(&dir).unwrap();
    sb.git(&dir, &["init", "-q", "--ref-format=reftable"]);
    commit_file(sb, &dir, "a.txt", "a\n");
    let got = shown(sb, &dir, &Env::new());
    tally.tried += 1;
    if got.text.is_empty() && got.state != "error" {
        tally.deferred += 1;
    } else {
        tally.differences.push(format!("reftable: blinkline {got:?}"));
    }
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
