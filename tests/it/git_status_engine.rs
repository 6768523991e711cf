//! The tracked-file status engine (`git::status`) against git itself: every case builds a
//! repository with the git CLI and compares our counts with
//! `git --no-optional-locks status --porcelain=v2 -z -uno` parsed by `porcelain::parse`.
//! Trees come from `git ls-tree` (an implementation independent of ours).

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;

use blinkline::testing::git::discover::{GitEnv, discover};
use blinkline::testing::git::porcelain::{self, Counts};
use blinkline::testing::git::status::{
    ConfigEnv, Options, StatusError, TreeEntry, TreeSource, Unsupported, tracked_status_with,
};
use blinkline::testing::git::{GitError, Oid, RawOid};
use support::{GitCli, Sandbox};

/// A temporary repository (with its own empty HOME), removed on drop.
struct Repo {
    sandbox: Sandbox,
    dir: PathBuf,
}

/// git with the sandbox's settings and `/dev/null` as its global config (as [`Repo::env`]
/// tells the engine).
fn git_cli(home: &Path) -> GitCli {
    GitCli::new(home).global_config("/dev/null")
}

fn git_in(dir: &Path, home: &Path, args: &[&str]) -> Vec<u8> {
    git_cli(home).run(dir, args)
}

fn git_command(dir: &Path, home: &Path, args: &[&str]) -> Command {
    git_cli(home).command(dir, args)
}

impl Repo {
    fn new(tag: &str) -> Repo {
        let sandbox = Sandbox::new(&format!("status-{tag}"));
        let dir = sandbox.path("repo");
        std::fs::create_dir_all(&dir).unwrap();
        let repo = Repo { sandbox, dir };
        repo.git(&["init", "-q"]);
        repo
    }

    /// A repository with a few committed files in nested directories.
    fn committed(tag: &str) -> Repo {
        let repo = Repo::new(tag);
        for (path, text) in [
            ("a.txt", "alpha\n"),
            ("b.txt", "bravo\n"),
            ("dir/c.txt", "charlie\n"),
            ("dir/sub/d.txt", "delta\n"),
            ("dir.x", "x\n"),
            ("e/f/g.txt", "golf\n"),
        ] {
            repo.write(path, text);
        }
        repo.git(&["add", "."]);
        repo.git(&["commit", "-qm", "one"]);
        repo
    }

    fn git(&self, args: &[&str]) -> Vec<u8> {
        self.git_at(&self.dir, args)
    }

    fn git_at(&self, dir: &Path, args: &[&str]) -> Vec<u8> {
        git_in(dir, &self.sandbox.path("home"), args)
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn env(&self) -> ConfigEnv {
        ConfigEnv {
            home: Some(self.sandbox.path("home")),
            xdg_config_home: None,
            global_override: Some(PathBuf::from("/dev/null")),
            no_system: true,
        }
    }
}

/// Trees read with `git ls-tree`.
struct CliTrees {
    dir: PathBuf,
    home: PathBuf,
}

impl TreeSource for CliTrees {
    fn tree(&self, oid: &RawOid) -> Result<Vec<TreeEntry>, GitError> {
        let out = git_in(
            &self.dir,
            &self.home,
            &["ls-tree", "-z", oid.to_hex().as_str()],
        );
        Ok(out
            .split(|&b| b == 0)
            .filter(|line| !line.is_empty())
            .map(|line| {
                let tab = line.iter().position(|&b| b == b'\t').unwrap();
                let mut meta = line[..tab].split(|&b| b == b' ');
                let mode = std::str::from_utf8(meta.next().unwrap()).unwrap();
                let oid = Oid::parse(meta.nth(1).unwrap()).unwrap();
                TreeEntry {
                    name: line[tab + 1..].into(),
                    mode: u32::from_str_radix(mode, 8).unwrap(),
                    oid: RawOid::from_hex(&oid).unwrap(),
                }
            })
            .collect())
    }
}

/// What git reports (untracked files excluded), without touching the index.
fn git_counts(repo: &Repo, dir: &Path) -> Counts {
    let out = repo.git_at(
        dir,
        &[
            "--no-optional-locks",
            "status",
            "--porcelain=v2",
            "-z",
            "-uno",
        ],
    );
    porcelain::parse(&out).unwrap().counts
}

fn head_tree(dir: &Path) -> Option<RawOid> {
    let out = Command::new("git")
        .args(["rev-parse", "-q", "--verify", "HEAD^{tree}"])
        .current_dir(dir)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    Oid::parse(text.trim().as_bytes()).and_then(|oid| RawOid::from_hex(&oid))
}

fn engine_at(
    repo: &Repo,
    dir: &Path,
    threads: usize,
) -> Result<blinkline::testing::git::status::Tracked, StatusError> {
    let found = discover(dir, &GitEnv::default()).unwrap().unwrap();
    let trees = CliTrees {
        dir: dir.to_owned(),
        home: repo.sandbox.path("home"),
    };
    let options = Options {
        config_env: repo.env(),
        threads,
        index_file: None,
    };
    tracked_status_with(&found, head_tree(dir), &trees, &options)
}

/// Asserts that the engine (one thread and two) agrees with git, before and after git
/// looked; returns the counts.
fn agrees_at(repo: &Repo, dir: &Path) -> Counts {
    let before = engine_at(repo, dir, 1).unwrap().counts;
    let expected = git_counts(repo, dir);
    assert_eq!(before, expected, "engine (1 thread) vs git");
    let parallel = engine_at(repo, dir, 2).unwrap().counts;
    assert_eq!(parallel, expected, "engine (2 threads) vs git");
    expected
}

fn agrees(repo: &Repo) -> Counts {
    agrees_at(repo, &repo.dir)
}

fn unsupported(repo: &Repo) -> Unsupported {
    match engine_at(repo, &repo.dir, 1) {
        Err(StatusError::Unsupported(why)) => why,
        other => panic!("expected unsupported, got {other:?}"),
    }
}

#[test]
fn a_clean_repository_reads_no_tree_thanks_to_the_cache_tree() {
    let repo = Repo::committed("clean");
    assert!(agrees(&repo).is_clean());
    let tracked = engine_at(&repo, &repo.dir, 1).unwrap();
    assert_eq!(tracked.trees_read, 0);
    let paths: Vec<&[u8]> = tracked.paths().collect();
    assert_eq!(paths.len(), 6);
    assert!(paths.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn content_changes_of_the_same_and_another_size_are_modified() {
    let repo = Repo::committed("modified");
    repo.write("a.txt", "ALPHA\n");
    repo.write("dir/sub/d.txt", "a longer delta\n");
    assert_eq!(agrees(&repo).modified, 2);
}

#[test]
fn a_touched_but_unchanged_file_is_clean() {
    let repo = Repo::committed("touched");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    let file = std::fs::File::options()
        .write(true)
        .open(repo.dir.join("b.txt"))
        .unwrap();
    file.set_modified(later).unwrap();
    assert!(agrees(&repo).is_clean());
}

#[test]
fn an_executable_bit_and_a_file_turned_symlink_are_modified() {
    use std::os::unix::fs::PermissionsExt;
    let repo = Repo::committed("mode");
    std::fs::set_permissions(
        repo.dir.join("a.txt"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::fs::remove_file(repo.dir.join("b.txt")).unwrap();
    std::os::unix::fs::symlink("a.txt", repo.dir.join("b.txt")).unwrap();
    assert_eq!(agrees(&repo).modified, 2);
    repo.git(&["config", "core.fileMode", "false"]);
    assert_eq!(agrees(&repo).modified, 1);
}

#[test]
fn deleted_files_and_files_under_a_symlinked_directory_are_deleted() {
    let repo = Repo::committed("deleted");
    std::fs::remove_file(repo.dir.join("a.txt")).unwrap();
    std::fs::rename(repo.dir.join("e"), repo.dir.join("e-moved")).unwrap();
    std::os::unix::fs::symlink("e-moved", repo.dir.join("e")).unwrap();
    std::fs::remove_dir_all(repo.dir.join("dir/sub")).unwrap();
    std::fs::create_dir(repo.dir.join("dir/sub")).unwrap();
    assert_eq!(agrees(&repo).deleted, 3);
}

#[test]
fn a_directory_where_a_file_was_is_a_deletion_and_a_repository_there_is_left_to_git() {
    let repo = Repo::committed("file-to-dir");
    std::fs::remove_file(repo.dir.join("b.txt")).unwrap();
    repo.write("b.txt/inside", "now a directory\n");
    assert_eq!(agrees(&repo).deleted, 1);
    repo.git_at(&repo.dir.join("b.txt"), &["init", "-q"]);
    assert_eq!(unsupported(&repo), Unsupported::Gitlink);
}

#[test]
fn staged_additions_changes_and_deletions_count_as_staged() {
    let repo = Repo::committed("staged");
    repo.write("new/file.txt", "new\n");
    repo.write("a.txt", "changed\n");
    repo.git(&["add", "new/file.txt", "a.txt"]);
    assert_eq!(agrees(&repo).staged, 2);
    repo.git(&["rm", "-q", "--cached", "new/file.txt"]);
    repo.git(&["rm", "-q", "dir/c.txt"]);
    assert_eq!(agrees(&repo).staged, 2);
    repo.git(&["add", "new/file.txt"]);
    repo.git(&["config", "status.renames", "false"]);
    assert_eq!(agrees(&repo).staged, 3);
}

#[test]
fn an_exact_rename_is_renamed_not_staged_and_a_copy_is_an_addition() {
    let repo = Repo::committed("rename");
    repo.git(&["mv", "dir/c.txt", "e/c2.txt"]);
    repo.write("copy.txt", "alpha\n");
    repo.git(&["add", "copy.txt"]);
    let counts = agrees(&repo);
    assert_eq!((counts.renamed, counts.staged), (1, 1));
}

#[test]
fn empty_files_and_symlinks_rename_but_a_symlink_turned_file_does_not() {
    let repo = Repo::committed("rename-kinds");
    repo.write("empty", "");
    std::os::unix::fs::symlink("a.txt", repo.dir.join("link")).unwrap();
    repo.git(&["add", "empty", "link"]);
    repo.git(&["commit", "-qm", "kinds"]);
    repo.git(&["mv", "empty", "empty2"]);
    repo.git(&["mv", "link", "link2"]);
    assert_eq!(agrees(&repo).renamed, 2);
    repo.git(&["rm", "-q", "--cached", "link2"]);
    std::fs::remove_file(repo.dir.join("link2")).unwrap();
    repo.write("link3", "a.txt");
    repo.git(&["add", "link3"]);
    assert_eq!(unsupported(&repo), Unsupported::InexactRenames);
    repo.git(&["config", "status.renames", "false"]);
    assert_eq!(agrees(&repo).staged, 4);
}

#[test]
fn a_deletion_and_an_unrelated_addition_are_left_to_git() {
    let repo = Repo::committed("inexact");
    repo.git(&["rm", "-q", "a.txt"]);
    repo.write("z.txt", "zulu\n");
    repo.git(&["add", "z.txt"]);
    assert_eq!(unsupported(&repo), Unsupported::InexactRenames);
}

#[test]
fn a_staged_file_modified_again_is_staged_and_modified() {
    let repo = Repo::committed("both");
    repo.write("a.txt", "first\n");
    repo.git(&["add", "a.txt"]);
    repo.write("a.txt", "second change\n");
    let counts = agrees(&repo);
    assert_eq!((counts.staged, counts.modified), (1, 1));
}

#[test]
fn merge_conflicts_count_each_path_once() {
    let repo = Repo::committed("conflict");
    repo.git(&["checkout", "-qb", "other"]);
    repo.write("a.txt", "other side\n");
    repo.write("dir/c.txt", "other c\n");
    repo.git(&["commit", "-qam", "other"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.write("a.txt", "main side\n");
    repo.write("dir/c.txt", "main c\n");
    repo.write("b.txt", "clean change\n");
    repo.git(&["commit", "-qam", "main"]);
    let out = git_command(
        &repo.dir,
        &repo.sandbox.path("home"),
        &["merge", "-q", "other"],
    )
    .output()
    .unwrap();
    assert!(!out.status.success(), "the merge conflicts");
    assert_eq!(agrees(&repo).conflicted, 2);
}

#[test]
fn on_an_unborn_branch_every_staged_file_is_added() {
    let repo = Repo::new("unborn");
    repo.write("x.txt", "x\n");
    repo.write("d/y.txt", "y\n");
    repo.git(&["add", "."]);
    assert_eq!(agrees(&repo).staged, 2);
}

#[test]
fn index_version_4_and_intent_to_add_entries_agree() {
    let repo = Repo::committed("v4");
    repo.git(&["update-index", "--index-version", "4"]);
    repo.write("dir/sub/d.txt", "changed delta\n");
    repo.write("later.txt", "later\n");
    repo.write("gone.txt", "gone\n");
    repo.git(&["add", "-N", "later.txt", "gone.txt"]);
    std::fs::remove_file(repo.dir.join("gone.txt")).unwrap();
    let counts = agrees(&repo);
    assert_eq!((counts.modified, counts.deleted), (1, 1));
    let index = std::fs::read(repo.dir.join(".git/index")).unwrap();
    assert_eq!(&index[4..8], &[0, 0, 0, 4]);
    repo.git(&["update-index", "--index-version", "3"]);
    agrees(&repo);
}

#[test]
fn racily_clean_entries_are_decided_by_content() {
    let repo = Repo::new("racy");
    repo.write("r.txt", "aaaa\n");
    repo.git(&["add", "r.txt"]);
    repo.write("r.txt", "bbbb\n");
    assert_eq!(agrees(&repo).modified, 1);
    repo.write("r.txt", "aaaa\n");
    assert_eq!(agrees(&repo).modified, 0);
}

#[test]
fn assume_unchanged_and_skip_worktree_entries_are_not_looked_at() {
    let repo = Repo::committed("skip");
    repo.git(&["update-index", "--assume-unchanged", "a.txt"]);
    repo.git(&["update-index", "--skip-worktree", "b.txt"]);
    repo.write("a.txt", "changed but assumed unchanged\n");
    std::fs::remove_file(repo.dir.join("b.txt")).unwrap();
    assert!(agrees(&repo).is_clean());
}

#[test]
fn a_linked_worktree_has_its_own_index() {
    let repo = Repo::committed("linked");
    let linked = repo.sandbox.path("linked");
    repo.git(&["worktree", "add", "-q", linked.to_str().unwrap()]);
    std::fs::write(linked.join("a.txt"), "linked change\n").unwrap();
    std::fs::remove_file(linked.join("b.txt")).unwrap();
    let counts = agrees_at(&repo, &linked);
    assert_eq!((counts.modified, counts.deleted), (1, 1));
    assert!(agrees(&repo).is_clean());
}

#[test]
fn content_that_git_could_convert_is_left_to_git() {
    let repo = Repo::committed("attributes");
    repo.write(".gitattributes", "*.txt text\n");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    let file = std::fs::File::options()
        .write(true)
        .open(repo.dir.join("a.txt"))
        .unwrap();
    file.set_modified(later).unwrap();
    assert_eq!(unsupported(&repo), Unsupported::ContentFilters);
}

#[test]
fn a_submodule_is_left_to_git() {
    let repo = Repo::committed("submodule");
    let inner = repo.dir.join("inner");
    std::fs::create_dir(&inner).unwrap();
    repo.git_at(&inner, &["init", "-q"]);
    std::fs::write(inner.join("f"), "f\n").unwrap();
    repo.git_at(&inner, &["add", "f"]);
    repo.git_at(&inner, &["commit", "-qm", "inner"]);
    repo.git(&["add", "inner"]);
    assert_eq!(unsupported(&repo), Unsupported::Gitlink);
}

/// The benchmark fixtures, when present (`make-fixtures.py` builds them).
fn fixture(name: &str) -> Option<PathBuf> {
    let root = std::env::var_os("BLINKLINE_FIXTURES")
        .map_or_else(|| std::env::temp_dir().join("sl-fixtures"), PathBuf::from);
    let dir = root.join(name);
    dir.join(".git").exists().then_some(dir)
}

#[test]
fn the_fixture_repositories_agree_with_git() {
    for name in ["repo-small", "repo-large"] {
        let Some(dir) = fixture(name) else {
            eprintln!("{name}: fixture absent, skipped");
            continue;
        };
        let repo = Repo {
            sandbox: Sandbox::new(&format!("status-{name}")),
            dir: dir.clone(),
        };
        let found = discover(&dir, &GitEnv::default()).unwrap().unwrap();
        let trees = CliTrees {
            dir: dir.clone(),
            home: repo.sandbox.path("home"),
        };
        let options = Options {
            config_env: repo.env(),
            threads: 0,
            index_file: None,
        };
        let got = tracked_status_with(&found, head_tree(&dir), &trees, &options)
            .unwrap()
            .counts;
        assert_eq!(got, git_counts(&repo, &dir), "{name}");
    }
}
