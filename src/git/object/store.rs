//! [`ObjectStore`]: every place a repository keeps objects, opened once, read by id.
//!
//! Open order: refuse SHA-256 (`config`), collect the objects directories (the
//! repository's, then its alternates breadth-first, each once), read every `pack/*.idx`
//! that has its `.pack`, and load the commit-graph if there is one. A read looks in the
//! packs first (where nearly everything lives), then in each directory's loose objects.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::git::object::base_cache::BaseCache;
use crate::git::object::commit_graph::{CommitGraph, GraphCommit};
use crate::git::object::loose::read_loose;
use crate::git::object::pack::Pack;
use crate::git::object::pack_index::PackIndex;
use crate::git::object::parse::{Commit, TreeEntry, parse_commit, parse_tag, parse_tree};
use crate::git::object::{MAX_ALTERNATE_DEPTH, ObjectKind};
use crate::git::state::config_value;
use crate::git::{GitError, Oid, RawOid, read_into};

/// The default size of the delta base cache (see `base_cache.rs`).
pub const DEFAULT_CACHE_BYTES: usize = 4 << 20;

/// The most packs opened (each holds a file descriptor).
const MAX_PACKS: usize = 4096;

/// How many tags deep peeling goes before giving up.
const MAX_PEEL_DEPTH: usize = 16;

/// A repository's object database, read-only. `Sync`: reads may run on several threads.
pub struct ObjectStore {
    pub(crate) objects_dirs: Vec<PathBuf>,
    pub(crate) packs: Vec<Pack>,
    pub(crate) graph: Option<CommitGraph>,
    pub(crate) cache: Mutex<BaseCache>,
    /// Commits of a shallow clone whose parents are cut off (`shallow`).
    shallow: HashSet<RawOid>,
}

// Reads may run on several threads (the status engine reads trees in parallel).
const _: () = {
    const fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<ObjectStore>()
};

impl ObjectStore {
    /// Opens the object database of the repository whose shared directory is `common_dir`.
    pub fn open(common_dir: &Path) -> Result<ObjectStore, GitError> {
        Self::open_with_cache(common_dir, DEFAULT_CACHE_BYTES)
    }

    /// [`open`](Self::open) with a delta base cache of `cache_bytes` (0: none).
    pub fn open_with_cache(common_dir: &Path, cache_bytes: usize) -> Result<ObjectStore, GitError> {
        refuse_sha256(common_dir)?;
        let objects = common_dir.join("objects");
        if !objects.is_dir() {
            return Err(GitError::Corrupt {
                path: objects,
                what: "git: no objects directory",
            });
        }
        let objects_dirs = with_alternates(objects)?;
        let mut packs = Vec::new();
        for dir in &objects_dirs {
            open_packs(&dir.join("pack"), &mut packs)?;
        }
        let graph = CommitGraph::open(&objects_dirs[0].join("info"))?;
        Ok(ObjectStore {
            objects_dirs,
            packs,
            graph,
            cache: Mutex::new(BaseCache::new(cache_bytes)),
            shallow: read_shallow(common_dir)?,
        })
    }

    /// The objects directories searched: the repository's first, then its alternates.
    pub fn objects_dirs(&self) -> &[PathBuf] {
        &self.objects_dirs
    }

    /// Whether a commit-graph was found (and is used for parents and dates).
    pub fn has_commit_graph(&self) -> bool {
        self.graph.is_some()
    }

    /// Drops the commit-graph, so commits are read by inflating them (for comparisons).
    pub fn without_commit_graph(mut self) -> ObjectStore {
        self.graph = None;
        self
    }

    /// Reads object `oid` into `out` (replacing its content) and returns its kind.
    pub fn read(&self, oid: &RawOid, out: &mut Vec<u8>) -> Result<ObjectKind, GitError> {
        if let Some((pack, offset)) = self.locate(oid)? {
            return self.read_packed(pack, offset, out);
        }
        let mut file = Vec::new();
        for dir in &self.objects_dirs {
            if let Some(kind) = read_loose(dir, oid, &mut file, out)? {
                return Ok(kind);
            }
        }
        Err(GitError::Corrupt {
            path: self.objects_dirs[0].clone(),
            what: "git: object missing",
        })
    }

    /// Whether the object exists (in a pack or loose), without reading it.
    pub fn contains(&self, oid: &RawOid) -> Result<bool, GitError> {
        if self.locate(oid)?.is_some() {
            return Ok(true);
        }
        let found = self
            .objects_dirs
            .iter()
            .any(|d| super::loose::loose_path(d, oid).is_file());
        Ok(found)
    }

    /// The entries of tree `oid`, in git's order.
    pub fn tree(&self, oid: &RawOid) -> Result<Vec<TreeEntry>, GitError> {
        let mut data = Vec::new();
        let mut entries = Vec::new();
        self.tree_into(oid, &mut data, &mut entries)?;
        Ok(entries)
    }

    /// [`tree`](Self::tree) reusing the caller's buffers (`data` holds the raw object).
    pub fn tree_into(
        &self,
        oid: &RawOid,
        data: &mut Vec<u8>,
        entries: &mut Vec<TreeEntry>,
    ) -> Result<(), GitError> {
        self.expect_kind(oid, data, ObjectKind::Tree)?;
        parse_tree(data, entries).map_err(|what| self.corrupt_object(what))
    }

    /// Commit `oid`'s tree, parents and committer time, inflated from its object.
    pub fn commit(&self, oid: &RawOid) -> Result<Commit, GitError> {
        let mut data = Vec::new();
        self.expect_kind(oid, &mut data, ObjectKind::Commit)?;
        parse_commit(&data).map_err(|what| self.corrupt_object(what))
    }

    /// Commit `oid`'s parents (into `parents`, cleared first), committer time and level,
    /// from the commit-graph when it has the commit, else from the inflated commit. The
    /// boundary commits of a shallow clone have no parents, as git sees them.
    pub fn commit_links(
        &self,
        oid: &RawOid,
        parents: &mut Vec<RawOid>,
    ) -> Result<GraphCommit, GitError> {
        let graph = self.graph.as_ref();
        let links = match graph.and_then(|g| g.lookup(oid).map(|pos| (g, pos))) {
            Some((graph, pos)) => graph.commit_at(pos, parents)?,
            None => {
                let commit = self.commit(oid)?;
                parents.clear();
                parents.extend_from_slice(&commit.parents);
                GraphCommit {
                    committer_time: commit.committer_time,
                    level: None,
                }
            }
        };
        if self.shallow.contains(oid) {
            parents.clear();
        }
        Ok(links)
    }

    /// The root tree of commit `oid` (from the commit-graph when it has the commit).
    pub fn commit_tree(&self, oid: &RawOid) -> Result<RawOid, GitError> {
        if let Some(graph) = &self.graph
            && let Some(pos) = graph.lookup(oid)
        {
            return graph.tree_at(pos);
        }
        Ok(self.commit(oid)?.tree)
    }

    /// The commit `oid` names, following annotated tags (a tag of a tag included).
    pub fn peel_to_commit(&self, oid: &RawOid) -> Result<RawOid, GitError> {
        let mut data = Vec::new();
        let mut current = *oid;
        for _ in 0..MAX_PEEL_DEPTH {
            match self.read(&current, &mut data)? {
                ObjectKind::Commit => return Ok(current),
                ObjectKind::Tag => {
                    current = parse_tag(&data)
                        .map_err(|what| self.corrupt_object(what))?
                        .0;
                }
                ObjectKind::Tree | ObjectKind::Blob => {
                    return Err(self.corrupt_object("git: tag does not point to a commit"));
                }
            }
        }
        Err(self.corrupt_object("git: tags nested too deep"))
    }

    /// The pack and offset of `oid`, if a pack holds it.
    pub(crate) fn locate(&self, oid: &RawOid) -> Result<Option<(usize, u64)>, GitError> {
        for (i, pack) in self.packs.iter().enumerate() {
            match pack.index.lookup(oid) {
                Ok(Some(offset)) => return Ok(Some((i, offset))),
                Ok(None) => {}
                Err(what) => return Err(pack.corrupt(what)),
            }
        }
        Ok(None)
    }

    fn expect_kind(
        &self,
        oid: &RawOid,
        data: &mut Vec<u8>,
        want: ObjectKind,
    ) -> Result<(), GitError> {
        let kind = self.read(oid, data)?;
        if kind != want {
            return Err(self.corrupt_object(match want {
                ObjectKind::Tree => "git: object is not a tree",
                _ => "git: object is not a commit",
            }));
        }
        Ok(())
    }

    fn corrupt_object(&self, what: &'static str) -> GitError {
        GitError::Corrupt {
            path: self.objects_dirs[0].clone(),
            what,
        }
    }
}

/// The commits listed in `shallow` (one hex id a line); empty when not a shallow clone.
fn read_shallow(common_dir: &Path) -> Result<HashSet<RawOid>, GitError> {
    let mut text = Vec::new();
    let path = common_dir.join("shallow");
    if !read_into(&path, &mut text)? {
        return Ok(HashSet::new());
    }
    text.split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            Oid::parse(line)
                .and_then(|oid| RawOid::from_hex(&oid))
                .ok_or(GitError::Corrupt {
                    path: path.clone(),
                    what: "git: bad id in shallow",
                })
        })
        .collect()
}

/// Refuses repositories whose `extensions.objectFormat` is not SHA-1.
fn refuse_sha256(common_dir: &Path) -> Result<(), GitError> {
    let mut config = Vec::new();
    let path = common_dir.join("config");
    if !read_into(&path, &mut config)? {
        return Ok(());
    }
    match config_value(&config, b"extensions", None, b"objectformat") {
        Some(format) if !format.eq_ignore_ascii_case(b"sha1") => Err(GitError::Corrupt {
            path,
            what: "git: SHA-256 repositories are not supported",
        }),
        _ => Ok(()),
    }
}

/// `objects` and every directory its alternates name, breadth-first, each once.
fn with_alternates(objects: PathBuf) -> Result<Vec<PathBuf>, GitError> {
    let mut dirs = vec![objects];
    let mut level = 0..1;
    let mut text = Vec::new();
    for _ in 0..MAX_ALTERNATE_DEPTH {
        let end = dirs.len();
        for i in level.clone() {
            let file = dirs[i].join("info/alternates");
            if !read_into(&file, &mut text)? {
                continue;
            }
            for line in text.split(|&b| b == b'\n') {
                let line = line.trim_ascii();
                if line.is_empty() || line[0] == b'#' {
                    continue;
                }
                let dir = dirs[i].join(&*crate::sys::fs::os_str(line));
                let dir = dir.canonicalize().unwrap_or(dir);
                if dir.is_dir() && !dirs.contains(&dir) {
                    dirs.push(dir);
                }
            }
        }
        level = end..dirs.len();
        if level.is_empty() {
            break;
        }
    }
    Ok(dirs)
}

/// Opens every `pack-*.idx` in `dir` that has its `.pack` (a missing directory is fine).
fn open_packs(dir: &Path, packs: &mut Vec<Pack>) -> Result<(), GitError> {
    let io = |source| GitError::Io {
        path: dir.to_owned(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(e)),
    };
    let mut names: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "idx") && path.with_extension("pack").is_file() {
            names.push(path);
        }
    }
    names.sort();
    for idx_path in names {
        if packs.len() >= MAX_PACKS {
            return Err(GitError::Corrupt {
                path: dir.to_owned(),
                what: "git: too many packs",
            });
        }
        let mut data = Vec::new();
        read_into(&idx_path, &mut data)?;
        let index = PackIndex::parse(data).map_err(|what| GitError::Corrupt {
            path: idx_path.clone(),
            what,
        })?;
        packs.push(Pack::open(idx_path.with_extension("pack"), index)?);
    }
    Ok(())
}
