//! The object database against git itself: every object of repositories that are loose,
//! packed with deep `OFS_DELTA` chains, packed with `REF_DELTA`, borrowing through
//! alternates, and with or without a commit-graph (single file and split chain) reads the
//! same bytes as `git cat-file`, every tree lists as `git ls-tree`, every commit's links
//! match `git log`; ahead/behind matches `git rev-list --left-right --count`.

mod ahead_behind;
mod corrupt;
mod repo;

use std::os::unix::fs::PermissionsExt;

use blinkline::testing::git::object::pack::{EntryHeader, Pack};
use blinkline::testing::git::object::pack_index::PackIndex;
use blinkline::testing::git::object::{ObjectKind, ObjectStore};
use repo::{Repo, TempDir, assert_store_matches_git, raw};

/// `revisions` commits of similar files in nested directories (so trees and blobs
/// deltify against each other), with an executable, a symlink, a gitlink and tags.
fn build_history(repo: &Repo, revisions: usize) {
    for rev in 0..revisions {
        let body: String = (0..120)
            .map(|line| {
                if line <= rev {
                    format!("line {line} changed in revision {line}\n")
                } else {
                    format!("line {line} of a file that changes a little each time\n")
                }
            })
            .collect();
        repo.write("src/lib.rs", &body);
        repo.write(
            &format!("src/deep/a/b/c/file{}.txt", rev % 5),
            &format!("{body}{rev}\n"),
        );
        repo.write(
            "docs/notes.md",
            &format!("# Notes\n{}\n", "text ".repeat(rev + 10)),
        );
        if rev == 1 {
            repo.write("empty.txt", "");
            repo.write("run.sh", "#!/bin/sh\necho hi\n");
            let path = repo.dir.join("run.sh");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            std::os::unix::fs::symlink("src/lib.rs", repo.dir.join("link")).unwrap();
        }
        repo.commit(&format!("revision {rev}"));
    }
    let head = repo.git(&["rev-parse", "HEAD"]);
    let cacheinfo = format!("160000,{},vendor/sub", head.trim());
    repo.git(&["update-index", "--add", "--cacheinfo", &cacheinfo]);
    repo.commit("a gitlink");
    repo.git(&["tag", "-a", "-m", "annotated", "v1"]);
    repo.git(&["tag", "-a", "-m", "tag of a tag", "v1-again", "v1"]);
}

/// The longest delta chain `git verify-pack -v` reports for the repository's packs.
fn longest_chain(repo: &Repo) -> usize {
    let packs = repo.dir.join(".git/objects/pack");
    let mut longest = 0;
    for entry in std::fs::read_dir(&packs).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "idx") {
            let out = repo.git(&["verify-pack", "-v", path.to_str().unwrap()]);
            for line in out.lines().filter(|l| l.starts_with("chain length = ")) {
                let n: usize = line["chain length = ".len()..]
                    .split(':')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                longest = longest.max(n);
            }
        }
    }
    longest
}

/// How many entries of each delta kind the repository's packs hold, read with our parser.
fn delta_kinds(repo: &Repo) -> (usize, usize) {
    let (mut ofs, mut refs) = (0, 0);
    let packs = repo.dir.join(".git/objects/pack");
    for entry in std::fs::read_dir(&packs).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "idx") {
            let index = PackIndex::parse(std::fs::read(&path).unwrap()).unwrap();
            let offsets: Vec<u64> = (0..index.count())
                .map(|i| index.offset(i).unwrap())
                .collect();
            let pack = Pack::open(path.with_extension("pack"), index).unwrap();
            for offset in offsets {
                match pack.entry_header(offset).unwrap().0 {
                    EntryHeader::OfsDelta { .. } => ofs += 1,
                    EntryHeader::RefDelta { .. } => refs += 1,
                    EntryHeader::Base { .. } => {}
                }
            }
        }
    }
    (ofs, refs)
}

#[test]
fn every_loose_object_reads_as_git_cat_file_shows_it() {
    let tmp = TempDir::new("loose");
    let repo = tmp.repo("r");
    build_history(&repo, 6);
    assert!(
        std::fs::read_dir(repo.dir.join(".git/objects/pack"))
            .unwrap()
            .next()
            .is_none()
    );
    let checked = assert_store_matches_git(&repo, &repo.store());
    assert!(checked > 30, "{checked}");
}

#[test]
fn deep_ofs_delta_chains_read_as_git_cat_file_shows_them() {
    let tmp = TempDir::new("deep");
    let repo = tmp.repo("r");
    build_history(&repo, 70);
    repo.git(&["repack", "-a", "-d", "-f", "--depth=50", "--window=250"]);
    let longest = longest_chain(&repo);
    assert!(longest >= 15, "chains too short to test: {longest}");
    let (ofs, refs) = delta_kinds(&repo);
    assert!(ofs > 50 && refs == 0, "{ofs} {refs}");
    assert_store_matches_git(&repo, &repo.store());
    let uncached = ObjectStore::open_with_cache(&repo.dir.join(".git"), 0).unwrap();
    assert_store_matches_git(&repo, &uncached);
}

#[test]
fn ref_delta_packs_read_as_git_cat_file_shows_them() {
    let tmp = TempDir::new("refdelta");
    let repo = tmp.repo("r");
    build_history(&repo, 30);
    repo.git(&[
        "-c",
        "repack.useDeltaBaseOffset=false",
        "repack",
        "-a",
        "-d",
        "-f",
        "--depth=30",
    ]);
    let (ofs, refs) = delta_kinds(&repo);
    assert!(refs > 20 && ofs == 0, "{ofs} {refs}");
    assert_store_matches_git(&repo, &repo.store());
}

#[test]
fn version_1_pack_indexes_read_as_git_cat_file_shows_them() {
    let tmp = TempDir::new("idx-v1");
    let repo = tmp.repo("r");
    build_history(&repo, 10);
    repo.git(&["-c", "pack.indexVersion=1", "repack", "-a", "-d", "-f"]);
    let idx = std::fs::read_dir(repo.dir.join(".git/objects/pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .unwrap();
    assert_ne!(
        &std::fs::read(idx).unwrap()[..4],
        b"\xfftOc",
        "not a v1 index"
    );
    assert_store_matches_git(&repo, &repo.store());
}

#[test]
fn a_shared_clone_reads_its_own_and_its_alternates_objects() {
    let tmp = TempDir::new("alternates");
    let origin = tmp.repo("origin");
    build_history(&origin, 12);
    origin.git(&["repack", "-a", "-d"]);
    let clone_dir = tmp.root.join("clone");
    origin.git(&[
        "clone",
        "-q",
        "--shared",
        origin.dir.to_str().unwrap(),
        clone_dir.to_str().unwrap(),
    ]);
    let clone = origin.at(clone_dir);
    clone.write("new.txt", "only in the clone\n");
    clone.commit("clone commit");
    let store = clone.store();
    assert_eq!(store.objects_dirs().len(), 2);
    assert_store_matches_git(&clone, &store);
    let own = clone.rev("HEAD");
    assert!(
        std::fs::metadata(
            clone
                .dir
                .join(".git/objects")
                .join(&own.to_hex().as_str()[..2])
        )
        .is_ok()
    );
}

#[test]
fn commit_graph_single_and_split_give_the_links_git_log_gives() {
    let tmp = TempDir::new("graph");
    let repo = tmp.repo("r");
    build_history(&repo, 15);
    repo.git(&["checkout", "-q", "-b", "side", "HEAD~5"]);
    repo.write("side.txt", "side\n");
    repo.commit("side");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge side", "side"]);
    assert!(!repo.store().has_commit_graph());
    repo.git(&["commit-graph", "write", "--reachable"]);
    let store = repo.store();
    assert!(store.has_commit_graph());
    assert_store_matches_git(&repo, &store);

    repo.git(&["commit-graph", "write", "--reachable", "--split=no-merge"]);
    repo.write("after.txt", "after\n");
    repo.commit("after the graph");
    repo.git(&["commit-graph", "write", "--reachable", "--split=no-merge"]);
    std::fs::remove_file(repo.dir.join(".git/objects/info/commit-graph")).ok();
    let chain = std::fs::read_to_string(
        repo.dir
            .join(".git/objects/info/commit-graphs/commit-graph-chain"),
    )
    .unwrap();
    assert!(chain.lines().count() >= 2, "{chain}");
    let store = repo.store();
    assert!(store.has_commit_graph());
    repo::assert_commits_match_log(&repo, &store);
}

#[test]
fn octopus_merges_read_their_extra_parents_from_the_graph() {
    let tmp = TempDir::new("octopus");
    let repo = tmp.repo("r");
    repo.commit("root");
    for b in ["b1", "b2", "b3", "b4"] {
        repo.git(&["checkout", "-q", "-b", b, "main"]);
        repo.write(&format!("{b}.txt"), b);
        repo.commit(b);
    }
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "-m", "octopus", "b1", "b2", "b3", "b4"]);
    repo.git(&["commit-graph", "write", "--reachable"]);
    let store = repo.store();
    let mut parents = Vec::new();
    store.commit_links(&repo.rev("HEAD"), &mut parents).unwrap();
    assert_eq!(parents.len(), 4);
    repo::assert_commits_match_log(&repo, &store);
}

#[test]
fn annotated_tags_peel_to_their_commit() {
    let tmp = TempDir::new("peel");
    let repo = tmp.repo("r");
    build_history(&repo, 2);
    let store = repo.store();
    let head = repo.rev("HEAD");
    assert_eq!(store.peel_to_commit(&repo.rev("v1")).unwrap(), head);
    assert_eq!(store.peel_to_commit(&repo.rev("v1-again")).unwrap(), head);
    assert_eq!(store.peel_to_commit(&head).unwrap(), head);
    let tree = repo.rev("HEAD^{tree}");
    assert!(store.peel_to_commit(&tree).is_err());
    let mut buf = Vec::new();
    assert_eq!(
        store.read(&repo.rev("v1"), &mut buf).unwrap(),
        ObjectKind::Tag
    );
}

#[test]
fn sha256_repositories_are_refused_with_a_clear_error() {
    let tmp = TempDir::new("sha256");
    let repo = tmp.repo("r");
    repo.git(&["config", "core.repositoryformatversion", "1"]);
    repo.git(&["config", "extensions.objectFormat", "sha256"]);
    let err = ObjectStore::open(&repo.dir.join(".git"))
        .err()
        .expect("refused");
    assert!(
        err.to_string()
            .contains("SHA-256 repositories are not supported"),
        "{err}"
    );
}

#[test]
fn a_missing_object_is_an_error_that_says_so() {
    let tmp = TempDir::new("missing");
    let repo = tmp.repo("r");
    repo.commit("one");
    let store = repo.store();
    let absent = raw("0123456789abcdef0123456789abcdef01234567");
    assert!(!store.contains(&absent).unwrap());
    assert!(store.contains(&repo.rev("HEAD")).unwrap());
    let err = store.read(&absent, &mut Vec::new()).unwrap_err();
    assert!(err.to_string().contains("object missing"), "{err}");
}

/// HEAD's whole tree of the 20,000-file benchmark fixture, walked recursively, lists as
/// `git ls-tree -r HEAD` does, and its ahead/behind matches `git rev-list`. Uses
/// `$BLINKLINE_BENCH_REPO`, else `sl-fixtures/repo-large` under the temporary directory
/// (where `make bench-peers` generates it); skipped when absent.
#[test]
fn the_large_fixture_tree_lists_as_git_ls_tree_r() {
    let fixture = std::env::var_os("BLINKLINE_BENCH_REPO")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("sl-fixtures/repo-large"));
    if !fixture.join(".git").is_dir() {
        eprintln!("skipped: no fixture repository at {}", fixture.display());
        return;
    }
    let tmp = TempDir::new("large");
    let repo = tmp.repo("unused").at(fixture.clone());
    let store = repo.store();
    let root = store.commit_tree(&repo.rev("HEAD")).unwrap();
    let mut got = Vec::new();
    let mut stack = vec![(Vec::new(), root)];
    while let Some((prefix, tree)) = stack.pop() {
        for entry in store.tree(&tree).unwrap() {
            let mut path = prefix.clone();
            path.extend_from_slice(&entry.name);
            if entry.mode == 0o40000 {
                path.push(b'/');
                stack.push((path, entry.oid));
            } else {
                got.push(format!(
                    "{:06o} {:?}\t{}",
                    entry.mode,
                    entry.oid,
                    String::from_utf8_lossy(&path)
                ));
            }
        }
    }
    got.sort();
    let listing = repo.git(&[
        "ls-tree",
        "-r",
        "--format=%(objectmode) %(objectname)\t%(path)",
        "HEAD",
    ]);
    let mut expected: Vec<String> = listing.lines().map(str::to_owned).collect();
    expected.sort();
    assert_eq!(got.len(), expected.len());
    assert!(
        got == expected,
        "the recursive tree differs from git ls-tree -r"
    );

    let counts = repo.git(&["rev-list", "--left-right", "--count", "HEAD...@{upstream}"]);
    let mut n = counts.split_whitespace().map(|n| n.parse::<u32>().unwrap());
    let upstream = repo.rev("@{upstream}");
    let got = blinkline::testing::git::object::ahead_behind(&store, &repo.rev("HEAD"), &upstream)
        .unwrap();
    assert_eq!(got, (n.next().unwrap(), n.next().unwrap()));
}
