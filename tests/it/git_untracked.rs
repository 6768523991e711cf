//! The untracked count against git itself: every case builds a repository with the git
//! CLI and compares `count_untracked` with the number of `?` records of
//! `git status --porcelain=v2 -z` in the normal, `-uall` and `no` modes, with and without
//! the untracked cache. A property test does the same for random trees and ignore files.
//! `$BLINKLINE_FIXTURES` (the directory `make-fixtures.py` fills) adds its repositories.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;

use blinkline::testing::git::discover::{GitEnv, discover};
use blinkline::testing::git::untracked::{
    ConfigEnv, TrackedPaths, UntrackedCache, UntrackedMode, UntrackedSettings, count_untracked,
    count_untracked_with,
};
use support::{Rng, Sandbox, write_file as write};

const MODES: [(UntrackedMode, &str); 3] = [
    (UntrackedMode::Normal, "normal"),
    (UntrackedMode::All, "all"),
    (UntrackedMode::No, "no"),
];

fn git_in(sandbox: &Sandbox, dir: &Path, args: &[&str]) -> Vec<u8> {
    sandbox.git_cli().run(dir, args)
}

/// A repository at `sandbox/repo` with one commit (`a.txt`, `src/lib.rs`).
fn new_repo(sandbox: &Sandbox) -> PathBuf {
    let dir = sandbox.path("repo");
    sandbox
        .git_cli()
        .repo_with(&dir, &[("a.txt", "a"), ("src/lib.rs", "b")]);
    dir
}

/// git's answer: the `?` records of `git status --porcelain=v2 -z`.
fn git_untracked(sandbox: &Sandbox, dir: &Path, mode: &str) -> (u32, String) {
    let flag = format!("--untracked-files={mode}");
    let out = git_in(sandbox, dir, &["status", "--porcelain=v2", "-z", &flag]);
    let mut records = out.split(|&b| b == 0);
    let (mut count, mut listed) = (0, String::new());
    while let Some(record) = records.next() {
        if record.starts_with(b"2 ") {
            records.next();
        }
        if let Some(path) = record.strip_prefix(b"? ") {
            count += 1;
            listed.push_str(&format!("{:?} ", String::from_utf8_lossy(path)));
        }
    }
    (count, listed)
}

/// The index's paths and gitlinks, from `git ls-files -s -z` (sorted, as the index is).
fn index_paths(sandbox: &Sandbox, dir: &Path) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let out = git_in(sandbox, dir, &["ls-files", "-s", "-z"]);
    let (mut paths, mut gitlinks) = (Vec::new(), Vec::new());
    for record in out.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let tab = record.iter().position(|&b| b == b'\t').unwrap();
        let path = record[tab + 1..].to_vec();
        if record.starts_with(b"160000 ") {
            gitlinks.push(path.clone());
        }
        paths.push(path);
    }
    (paths, gitlinks)
}

/// Our answer, with `cache` when given.
fn ours(
    sandbox: &Sandbox,
    dir: &Path,
    mode: Option<UntrackedMode>,
    cache: Option<&mut UntrackedCache>,
) -> u32 {
    ours_with(sandbox, dir, &index_paths(sandbox, dir), mode, cache)
}

/// Our answer for the index `(paths, gitlinks)`.
fn ours_with(
    sandbox: &Sandbox,
    dir: &Path,
    (paths, gitlinks): &(Vec<Vec<u8>>, Vec<Vec<u8>>),
    mode: Option<UntrackedMode>,
    cache: Option<&mut UntrackedCache>,
) -> u32 {
    let repo = discover(dir, &GitEnv::default()).unwrap().unwrap();
    let paths: Vec<&[u8]> = paths.iter().map(Vec::as_slice).collect();
    let gitlinks: Vec<&[u8]> = gitlinks.iter().map(Vec::as_slice).collect();
    let tracked = TrackedPaths {
        paths: &paths,
        gitlinks: &gitlinks,
    };
    let home = ConfigEnv {
        home: Some(sandbox.path("home")),
        no_system: true,
        ..ConfigEnv::default()
    };
    let settings = UntrackedSettings::load(&repo, &home).unwrap();
    count_untracked(&repo, &tracked, mode, &settings, cache).unwrap()
}

/// Compares every mode with git; `what` names the case in failures.
fn check(sandbox: &Sandbox, dir: &Path, what: &str) {
    let index = index_paths(sandbox, dir);
    for (mode, name) in MODES {
        let (expected, listed) = git_untracked(sandbox, dir, name);
        let got = ours_with(sandbox, dir, &index, Some(mode), None);
        assert_eq!(got, expected, "{what}, mode {name}: git lists {listed}");
    }
}

#[test]
fn untracked_files_at_the_top_and_deep_are_counted() {
    let s = Sandbox::new("untracked-deep");
    let dir = new_repo(&s);
    write(&dir, "new.txt", "n");
    write(&dir, "src/deep/er/still/new.rs", "n");
    write(&dir, "src/also.rs", "n");
    check(&s, &dir, "top and deep");
}

#[test]
fn a_wholly_untracked_tree_is_one_entry_in_normal_mode() {
    let s = Sandbox::new("untracked-tree");
    let dir = new_repo(&s);
    for rel in ["tree/a", "tree/b/c", "tree/b/d/e", "tree/x/y/z"] {
        write(&dir, rel, "t");
    }
    check(&s, &dir, "untracked tree");
}

#[test]
fn empty_and_ignored_only_directories_are_not_reported() {
    let s = Sandbox::new("untracked-empty");
    let dir = new_repo(&s);
    std::fs::create_dir_all(dir.join("empty/deeper/still")).unwrap();
    write(&dir, ".gitignore", "*.o\n");
    write(&dir, "objs/a.o", "o");
    write(&dir, "objs/sub/b.o", "o");
    write(&dir, "mixed/a.o", "o");
    write(&dir, "mixed/deep/keep.c", "c");
    check(&s, &dir, "empty and ignored-only directories");
}

#[test]
fn negation_and_an_excluded_parent_that_cannot_be_reincluded() {
    let s = Sandbox::new("untracked-negate");
    let dir = new_repo(&s);
    write(
        &dir,
        ".gitignore",
        "*.log\n!keep.log\nbuild/\n!build/keep.txt\n",
    );
    write(&dir, "x.log", "l");
    write(&dir, "keep.log", "l");
    write(&dir, "src/keep.log", "l");
    write(&dir, "build/keep.txt", "k");
    write(&dir, "build/tracked.txt", "t");
    git_in(&s, &dir, &["add", "-f", "build/tracked.txt"]);
    write(&dir, "build/other.txt", "o");
    check(&s, &dir, "negation");
}

#[test]
fn anchors_double_stars_classes_escapes_and_trailing_spaces() {
    let s = Sandbox::new("untracked-patterns");
    let dir = new_repo(&s);
    let ignore = "**/build/\n/anchored\na/**/b\nfile[0-3].txt\n[!x]y.z\n\\#hash\n\\!bang\nspace   \nesc\\ \n# comment\n";
    write(&dir, ".gitignore", ignore);
    for rel in [
        "build/o",
        "src/build/o",
        "src/deep/build/o",
        "anchored",
        "src/anchored",
        "a/b",
        "a/x/y/b",
        "a/xb",
        "file1.txt",
        "file7.txt",
        "ay.z",
        "xy.z",
        "#hash",
        "!bang",
        "space",
        "space ",
        "esc ",
        "esc",
        "src/buildx",
        "nested/a/q/b",
    ] {
        write(&dir, rel, "p");
    }
    check(&s, &dir, "patterns");
}

#[test]
fn deeper_ignore_files_win_and_info_exclude_and_excludes_file_apply() {
    let s = Sandbox::new("untracked-sources");
    let dir = new_repo(&s);
    write(&dir, ".gitignore", "*.tmp\n");
    write(&dir, "src/.gitignore", "!*.tmp\nlocal\n");
    write(&dir, "top.tmp", "t");
    write(&dir, "src/kept.tmp", "t");
    write(&dir, "src/local", "l");
    write(&dir, "local", "l");
    write(&dir, ".git/info/exclude", "info-*\n");
    write(&dir, "info-x", "i");
    write(&dir, "src/info-y", "i");
    write(&s.path("home"), "global-ignore", "glob?l\n");
    write(
        &s.path("home"),
        ".gitconfig",
        "[core]\n\texcludesFile = ~/global-ignore\n",
    );
    write(&dir, "global", "g");
    write(&dir, "src/global", "g");
    check(&s, &dir, "ignore sources");
    std::fs::remove_file(s.path("home/.gitconfig")).unwrap();
    write(&s.path("home"), ".config/git/ignore", "src/\n");
    check(&s, &dir, "XDG default excludes file");
}

#[test]
fn nested_repositories_and_submodules() {
    let s = Sandbox::new("untracked-nested");
    let dir = new_repo(&s);
    let nested = dir.join("inner");
    std::fs::create_dir_all(&nested).unwrap();
    git_in(&s, &nested, &["init", "-q"]);
    write(&nested, "f", "f");
    let other = s.path("other");
    std::fs::create_dir_all(&other).unwrap();
    git_in(&s, &other, &["init", "-q"]);
    write(&other, "o", "o");
    git_in(&s, &other, &["add", "."]);
    git_in(&s, &other, &["commit", "-qm", "o"]);
    git_in(
        &s,
        &dir,
        &["submodule", "add", "-q", other.to_str().unwrap(), "sub"],
    );
    write(&dir, "sub/untracked-in-sub", "x");
    write(&dir, "deep/er/.git", "gitdir: ../../inner/.git\n");
    write(&dir, "fake/.git", "not a gitfile");
    write(&dir, "fake/x", "x");
    std::fs::create_dir_all(dir.join("fakedir/.git")).unwrap();
    check(&s, &dir, "nested repositories");
}

#[test]
fn symlinks_are_files_and_fifos_are_not_reported() {
    let s = Sandbox::new("untracked-special");
    let dir = new_repo(&s);
    write(&dir, "target/inside", "i");
    git_in(&s, &dir, &["add", "target"]);
    std::os::unix::fs::symlink("target", dir.join("link-to-dir")).unwrap();
    std::os::unix::fs::symlink("missing", dir.join("dangling")).unwrap();
    std::os::unix::fs::symlink("../target", dir.join("src/up")).unwrap();
    // A symlinked .gitignore inside the tree is not read (git opens it with O_NOFOLLOW).
    write(&dir, "patterns", "*\n");
    std::os::unix::fs::symlink("../patterns", dir.join("src/.gitignore")).unwrap();
    write(&dir, "src/not-ignored", "n");
    let fifo = dir.join("a-fifo");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    std::fs::create_dir_all(dir.join("only-fifo")).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(dir.join("only-fifo/f"))
            .status()
            .unwrap()
            .success()
    );
    let socket = std::os::unix::net::UnixListener::bind(dir.join("sock")).unwrap();
    check(&s, &dir, "symlinks, FIFOs and sockets");
    drop(socket);
}

#[test]
fn a_tracked_file_replaced_by_a_directory_and_an_ignored_ignore_file() {
    let s = Sandbox::new("untracked-typechange");
    let dir = new_repo(&s);
    std::fs::remove_file(dir.join("a.txt")).unwrap();
    write(&dir, "a.txt/inside", "i");
    write(&dir, "src/.gitignore", ".gitignore\n*.rs\n!lib.rs\n");
    write(&dir, "src/new.rs", "n");
    check(&s, &dir, "type change");
}

#[test]
fn names_with_spaces_utf8_and_newlines() {
    let s = Sandbox::new("untracked-names");
    let dir = new_repo(&s);
    write(&dir, ".gitignore", "*ignored*\n");
    for rel in [
        "with space",
        "ünïcödé/ファイル",
        "new\nline",
        "tab\there",
        "x ignored y",
        "-dash",
    ] {
        write(&dir, rel, "n");
    }
    check(&s, &dir, "odd names");
}

#[test]
fn show_untracked_files_from_config_is_honoured_when_asked() {
    let s = Sandbox::new("untracked-config");
    let dir = new_repo(&s);
    write(&dir, "newdir/a", "a");
    write(&dir, "newdir/b", "b");
    for (value, mode) in [("all", "all"), ("no", "no"), ("normal", "normal")] {
        git_in(&s, &dir, &["config", "status.showUntrackedFiles", value]);
        let expected = git_untracked(&s, &dir, mode).0;
        assert_eq!(ours(&s, &dir, None, None), expected, "config {value}");
    }
}

#[test]
fn an_unreadable_directory_is_treated_as_empty_as_git_does() {
    let s = Sandbox::new("untracked-unreadable");
    let dir = new_repo(&s);
    write(&dir, "locked/secret", "s");
    write(&dir, "src/locked/secret", "s");
    use std::os::unix::fs::PermissionsExt;
    for rel in ["locked", "src/locked"] {
        std::fs::set_permissions(dir.join(rel), std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    // As root every directory stays readable: the comparison still holds, it just does
    // not exercise the unreadable case.
    check(&s, &dir, "unreadable directories");
    for rel in ["locked", "src/locked"] {
        std::fs::set_permissions(dir.join(rel), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// Waits until the file system's clock has moved past the last change, so that a change
/// made next gets a different timestamp (what the racy window guards against in real use).
fn next_timestamp_tick(s: &Sandbox) {
    let probe = s.path("tick");
    std::fs::write(&probe, "t").unwrap();
    let first = std::fs::metadata(&probe).unwrap().modified().unwrap();
    while std::fs::metadata(&probe).unwrap().modified().unwrap() == first {
        std::fs::write(&probe, "t").unwrap();
    }
}

#[test]
fn the_cache_follows_every_kind_of_change() {
    let s = Sandbox::new("untracked-cache");
    let dir = new_repo(&s);
    write(&dir, "src/sub/new.rs", "n");
    write(&dir, "untracked/tree/f", "f");
    let mut cache = UntrackedCache::new(&dir).with_racy_window(std::time::Duration::ZERO);
    type Change<'c> = (&'static str, Box<dyn Fn() + 'c>);
    let changes: Vec<Change> = vec![
        ("nothing", Box::new(|| {})),
        (
            "new file",
            Box::new(|| write(&dir, "src/sub/another.rs", "a")),
        ),
        (
            "deleted file",
            Box::new(|| std::fs::remove_file(dir.join("src/sub/new.rs")).unwrap()),
        ),
        (
            "new .gitignore",
            Box::new(|| write(&dir, "src/.gitignore", "another.rs\n")),
        ),
        (
            "edited .gitignore",
            Box::new(|| write(&dir, "src/.gitignore", "other.rs\n")),
        ),
        (
            "info/exclude",
            Box::new(|| write(&dir, ".git/info/exclude", "untracked/\n")),
        ),
        (
            "newly tracked",
            Box::new(|| {
                git_in(&s, &dir, &["add", "-f", "src/sub/another.rs"]);
            }),
        ),
        (
            "new dir deep",
            Box::new(|| write(&dir, "src/sub/deeper/x", "x")),
        ),
        (
            "file to dir",
            Box::new(|| {
                std::fs::remove_file(dir.join("src/sub/deeper/x")).unwrap();
                write(&dir, "src/sub/deeper/x/y", "y");
            }),
        ),
        (
            "info/exclude removed",
            Box::new(|| std::fs::remove_file(dir.join(".git/info/exclude")).unwrap()),
        ),
    ];
    let mut hits = 0;
    for (what, change) in &changes {
        change();
        for (mode, name) in MODES {
            let expected = git_untracked(&s, &dir, name).0;
            assert_eq!(
                ours(&s, &dir, Some(mode), Some(&mut cache)),
                expected,
                "after {what}, {name}"
            );
            hits += cache.hits;
        }
        let bytes = cache.encode();
        cache = UntrackedCache::decode(&bytes)
            .expect("decodes")
            .with_racy_window(std::time::Duration::ZERO);
        next_timestamp_tick(&s);
    }
    assert!(hits > 0, "the cache was used");
}

/// Our answer with `threads` (1: every directory read by the walk itself; 0: the
/// directories holding tracked paths read ahead on the engine's pool).
fn ours_threads(
    sandbox: &Sandbox,
    dir: &Path,
    mode: UntrackedMode,
    cache: Option<&mut UntrackedCache>,
    threads: usize,
) -> u32 {
    let (paths, gitlinks) = index_paths(sandbox, dir);
    let repo = discover(dir, &GitEnv::default()).unwrap().unwrap();
    let paths: Vec<&[u8]> = paths.iter().map(Vec::as_slice).collect();
    let gitlinks: Vec<&[u8]> = gitlinks.iter().map(Vec::as_slice).collect();
    let tracked = TrackedPaths {
        paths: &paths,
        gitlinks: &gitlinks,
    };
    let home = ConfigEnv {
        home: Some(sandbox.path("home")),
        no_system: true,
        ..ConfigEnv::default()
    };
    let settings = UntrackedSettings::load(&repo, &home).unwrap();
    count_untracked_with(&repo, &tracked, Some(mode), &settings, cache, threads).unwrap()
}

#[test]
fn a_wide_tree_read_ahead_on_the_pool_agrees_with_git_and_a_serial_walk() {
    let s = Sandbox::new("untracked-wide");
    let dir = s.path("repo");
    let mut files: Vec<(String, &str)> = Vec::new();
    for i in 0..40 {
        files.push((format!("d{i:02}/f.txt"), "f"));
        files.push((format!("d{i:02}/sub/g.txt"), "g"));
    }
    files.push(("e/f/g/h/deep.txt".to_owned(), "d"));
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), *c)).collect();
    s.git_cli().repo_with(&dir, &refs);
    write(&dir, ".gitignore", "d05/\n*.tmp\n");
    write(&dir, "d05/ignored-but-tracked-dir.txt", "i");
    write(&dir, "d06/sub/x.tmp", "t");
    write(&dir, "d06/sub/counted.txt", "c");
    write(&dir, "d11/.gitignore", "hidden\n");
    write(&dir, "d11/hidden", "h");
    write(&dir, "d11/sub/new/tree/file", "n");
    write(&dir, "e/f/g/h/new.txt", "n");
    write(&dir, "e/f/g/untracked/only", "u");
    // A tracked directory now a symlink to another: read ahead through the link, never
    // entered by the walk (a symlink is a file).
    std::fs::remove_dir_all(dir.join("d07")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("d08", dir.join("d07")).unwrap();
    // A tracked directory gone, and one replaced by a file.
    std::fs::remove_dir_all(dir.join("d09")).unwrap();
    std::fs::remove_dir_all(dir.join("d10")).unwrap();
    write(&dir, "d10", "now a file");
    for (mode, name) in MODES {
        let (expected, listed) = git_untracked(&s, &dir, name);
        for threads in [1, 0, 2] {
            let got = ours_threads(&s, &dir, mode, None, threads);
            assert_eq!(
                got, expected,
                "mode {name}, threads {threads}: git lists {listed}"
            );
            let mut cache = UntrackedCache::new(&dir);
            let cached = ours_threads(&s, &dir, mode, Some(&mut cache), threads);
            assert_eq!(cached, expected, "mode {name}, threads {threads}, cache");
        }
    }
}

/// Random names, trees and ignore lines for the property test.
struct Gen(Rng);

impl Gen {
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.0.below(items.len() as u64) as usize]
    }

    fn path(&mut self) -> String {
        let depth = 1 + self.0.below(4);
        let names = [
            "a", "b", "c", "d.log", "x.txt", "build", "keep.log", "Sp ace", "[x]", "#h",
        ];
        (0..depth)
            .map(|_| self.pick(&names))
            .collect::<Vec<_>>()
            .join("/")
    }

    fn pattern(&mut self) -> String {
        let prefix = self.pick(&["", "", "!", "/", "**/", "\\#", "\\!"]);
        let body = self.pick(&[
            "a", "b", "*.log", "build", "a/b", "*/c", "a/**/c", "[a-c]", "[!b]", "?", "x.*",
            "keep.log", "d.*", "**", "b/**", "Sp\\ ace", "\\[x]", "#h", "*", "c  ",
        ]);
        let suffix = self.pick(&["", "", "/", "/**"]);
        format!("{prefix}{body}{suffix}")
    }

    fn ignore_file(&mut self) -> String {
        let lines = 1 + self.0.below(5);
        (0..lines).map(|_| self.pattern() + "\n").collect()
    }
}

#[test]
fn random_trees_and_ignore_files_agree_with_git() {
    for seed in 0..200u64 {
        let s = Sandbox::new("untracked-prop");
        let dir = s.path("repo");
        std::fs::create_dir_all(&dir).unwrap();
        git_in(&s, &dir, &["init", "-q"]);
        let mut g = Gen(Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
        let files: Vec<String> = (0..3 + g.0.below(15)).map(|_| g.path()).collect();
        for file in &files {
            let path = dir.join(file);
            if path.is_dir() || path.ancestors().skip(1).any(|a| a.is_file()) {
                continue;
            }
            write(&dir, file, "x");
        }
        for _ in 0..g.0.below(4) {
            let base = g.pick(&["", "a/", "b/", "a/b/", "build/"]);
            if dir.join(base).is_dir() {
                write(&dir, &format!("{base}.gitignore"), &g.ignore_file());
            }
        }
        if g.0.below(2) == 0 {
            write(&dir, ".git/info/exclude", &g.ignore_file());
        }
        for file in files.iter().filter(|_| g.0.below(3) == 0) {
            if dir.join(file).is_file() {
                git_in(&s, &dir, &["add", "-f", "--", file]);
            }
        }
        if g.0.below(4) == 0 {
            std::fs::create_dir_all(dir.join(g.path())).ok();
        }
        let inner = dir.join(g.pick(&["a", "b", "c", "build", "a/b"]));
        if g.0.below(6) == 0 && inner.is_dir() {
            git_in(&s, &inner, &["init", "-q"]);
        }
        check(&s, &dir, &format!("seed {seed}"));
    }
}

#[test]
fn fixture_repositories_agree_with_git() {
    let Some(fixtures) = std::env::var_os("BLINKLINE_FIXTURES").map(PathBuf::from) else {
        eprintln!("BLINKLINE_FIXTURES not set: fixture comparison skipped");
        return;
    };
    let s = Sandbox::new("untracked-fixtures");
    for name in ["repo-small", "repo-large"] {
        let dir = fixtures.join(name);
        if !dir.join(".git").exists() {
            eprintln!("{} missing: skipped", dir.display());
            continue;
        }
        check(&s, &dir, name);
        let mut cache = UntrackedCache::new(&dir);
        for pass in 0..2 {
            let expected = git_untracked(&s, &dir, "normal").0;
            let got = ours(&s, &dir, Some(UntrackedMode::Normal), Some(&mut cache));
            assert_eq!(got, expected, "{name} cached pass {pass}");
        }
    }
}
