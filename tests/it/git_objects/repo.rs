//! Repositories built with the git CLI in temporary directories, and the oracle: what
//! `git cat-file`, `git ls-tree`, `git log` and `git rev-list` say about them.

use std::cell::Cell;
use std::ops::Deref;
use std::path::PathBuf;

use blinkline::testing::git::object::{ObjectKind, ObjectStore};
use blinkline::testing::git::{Oid, RawOid};

use crate::support::{GitCli, Sandbox};

/// A temporary directory with a home, removed on drop.
pub struct TempDir(Sandbox);

impl Deref for TempDir {
    type Target = Sandbox;

    fn deref(&self) -> &Sandbox {
        &self.0
    }
}

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        TempDir(Sandbox::new(&format!("odb-{tag}")))
    }

    /// A new repository at `name` inside this directory.
    pub fn repo(&self, name: &str) -> Repo {
        let dir = self.root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let repo = Repo {
            dir,
            home: self.root.join("home"),
            clock: Cell::new(0),
        };
        repo.git(&["init", "-q"]);
        repo.git(&["config", "gc.auto", "0"]);
        repo
    }
}

/// A repository whose commits get increasing committer dates (or one date, when asked).
pub struct Repo {
    pub dir: PathBuf,
    home: PathBuf,
    clock: Cell<u64>,
}

impl Repo {
    /// An existing directory (a clone) handled with the same environment.
    pub fn at(&self, dir: PathBuf) -> Repo {
        Repo {
            dir,
            home: self.home.clone(),
            clock: Cell::new(self.clock.get()),
        }
    }

    /// Runs git here, asserting success; returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_with_input(args, b"")
    }

    pub fn git_with_input(&self, args: &[&str], input: &[u8]) -> String {
        let bytes = self.git_bytes(args, input);
        String::from_utf8(bytes).expect("git output is UTF-8")
    }

    pub fn git_bytes(&self, args: &[&str], input: &[u8]) -> Vec<u8> {
        let date = format!("{} +0000", 1_700_000_000 + self.clock.get() * 60);
        GitCli::new(&self.home)
            .date(Some(date))
            .run_with_input(&self.dir, args, input)
    }

    pub fn write(&self, rel: &str, content: &str) {
        let path = self.dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    /// Stages everything and commits; the next commit is a minute later (unless `freeze`).
    pub fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.clock.set(self.clock.get() + 1);
    }

    /// Commits on without moving the clock: every later commit has the same date.
    pub fn commit_same_time(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    pub fn rev(&self, name: &str) -> RawOid {
        raw(self.git(&["rev-parse", name]).trim())
    }

    pub fn store(&self) -> ObjectStore {
        ObjectStore::open(&self.dir.join(".git")).expect("the store opens")
    }
}

pub fn raw(hex: &str) -> RawOid {
    RawOid::from_hex(&Oid::parse(hex.as_bytes()).expect("hex id")).expect("SHA-1 id")
}

/// Every object git sees (alternates included): id, kind and content, from one
/// `git cat-file --batch-all-objects --batch`.
pub fn all_objects(repo: &Repo) -> Vec<(RawOid, ObjectKind, Vec<u8>)> {
    let out = repo.git_bytes(&["cat-file", "--batch-all-objects", "--batch"], b"");
    let mut rest = &out[..];
    let mut objects = Vec::new();
    while !rest.is_empty() {
        let nl = rest.iter().position(|&b| b == b'\n').unwrap();
        let header = std::str::from_utf8(&rest[..nl]).unwrap();
        let mut fields = header.split(' ');
        let (id, kind, size) = (
            fields.next().unwrap(),
            fields.next().unwrap(),
            fields.next().unwrap(),
        );
        let size: usize = size.parse().unwrap();
        let content = rest[nl + 1..nl + 1 + size].to_vec();
        rest = &rest[nl + 2 + size..];
        let kind = ObjectKind::from_name(kind.as_bytes()).unwrap();
        objects.push((raw(id), kind, content));
    }
    objects
}

/// Reads every object through `store` and compares kind and bytes with git; every tree
/// with `git ls-tree`; every commit with `git log`. Returns how many objects were checked.
pub fn assert_store_matches_git(repo: &Repo, store: &ObjectStore) -> usize {
    let objects = all_objects(repo);
    let mut buf = Vec::new();
    for (oid, kind, content) in &objects {
        let got = store
            .read(oid, &mut buf)
            .unwrap_or_else(|e| panic!("{oid:?}: {e}"));
        assert_eq!(got, *kind, "{oid:?}");
        assert!(
            buf == *content,
            "{oid:?}: content differs from git cat-file"
        );
        if *kind == ObjectKind::Tree {
            assert_tree_matches_ls_tree(repo, store, oid);
        }
    }
    assert_commits_match_log(repo, store);
    objects.len()
}

/// `store.tree` against `git ls-tree -z`.
pub fn assert_tree_matches_ls_tree(repo: &Repo, store: &ObjectStore, oid: &RawOid) {
    let hex = oid.to_hex();
    let listing = repo.git_bytes(&["ls-tree", "-z", hex.as_str()], b"");
    let expected: Vec<String> = listing
        .split(|&b| b == 0)
        .filter(|l| !l.is_empty())
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect();
    let got: Vec<String> = store
        .tree(oid)
        .unwrap()
        .iter()
        .map(|e| {
            let kind = match e.mode {
                0o40000 => "tree",
                0o160000 => "commit",
                _ => "blob",
            };
            format!(
                "{:06o} {kind} {:?}\t{}",
                e.mode,
                e.oid,
                String::from_utf8_lossy(&e.name)
            )
        })
        .collect();
    assert_eq!(got, expected, "tree {hex:?}");
}

/// Tree, parents and committer time of every commit, inflated and through the graph.
pub fn assert_commits_match_log(repo: &Repo, store: &ObjectStore) {
    let log = repo.git(&["log", "--all", "--format=%H %T %ct %P"]);
    let mut parents = Vec::new();
    for line in log.lines() {
        let fields: Vec<&str> = line.split(' ').filter(|f| !f.is_empty()).collect();
        let oid = raw(fields[0]);
        let expected_parents: Vec<RawOid> = fields[3..].iter().map(|p| raw(p)).collect();
        let commit = store.commit(&oid).unwrap();
        assert_eq!(commit.tree, raw(fields[1]));
        assert_eq!(commit.committer_time.to_string(), fields[2]);
        assert_eq!(commit.parents, expected_parents);
        assert_eq!(store.commit_tree(&oid).unwrap(), raw(fields[1]));
        let links = store.commit_links(&oid, &mut parents).unwrap();
        assert_eq!(parents, expected_parents, "parents of {oid:?}");
        assert_eq!(links.committer_time.to_string(), fields[2]);
    }
}
