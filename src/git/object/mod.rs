//! The object database, read-only and without a git process: loose objects, packs,
//! alternates, the commit-graph, and ahead/behind counts between two commits.
//!
//! # Layout
//! - `store.rs`: [`ObjectStore`]: opening `objects/` (packs, alternates, commit-graph) and
//!   the typed reads: [`ObjectStore::read`], [`ObjectStore::tree`],
//!   [`ObjectStore::commit`], [`ObjectStore::commit_tree`], [`ObjectStore::peel_to_commit`].
//! - `loose.rs`, `pack_index.rs`, `pack.rs`: the file formats; `resolve.rs`: delta chains
//!   (iterative) with `base_cache.rs`; `delta.rs`: applying one delta; `inflate.rs`: zlib.
//! - `parse.rs`: trees, commits, tags, loose headers (pure, fuzzed).
//! - `commit_graph.rs`: parents, dates and generations without inflating commits.
//! - `ahead_behind.rs`: what `git rev-list --left-right --count A...B` prints.
//!
//! # Formats
//! SHA-1 repositories only ([`ObjectStore::open`] refuses `extensions.objectFormat =
//! sha256` with a clear error). Pack index v1 and v2 (64-bit offsets), pack v2/v3 with
//! `OFS_DELTA` and `REF_DELTA` (bases in the same pack, another pack or loose), loose
//! objects, `objects/info/alternates` (nested up to [`MAX_ALTERNATE_DEPTH`]), the
//! commit-graph as one file or a chain of layers. Not read: `.midx`, `.bitmap`, `.rev`,
//! replace refs and grafts, promisor (partial clone) remotes. A shallow clone's boundary
//! commits (`shallow`) have no parents, as git sees them.
//!
//! # Limits (a damaged or hostile repository gives `GitError::Corrupt`, never a panic)
//! Objects and delta results over [`MAX_OBJECT_SIZE`]; delta chains over
//! [`MAX_DELTA_DEPTH`] (git writes at most 4095); index and graph files over
//! `MAX_INLINE_FILE`; every offset, count and size read from a file is checked before use.
//! Ahead/behind gives up with [`GitError::TooCostly`] past its commit and time budget.
//!
//! # Snapshot
//! The pack list is read at open. A store is meant to live for one status computation; a
//! concurrent `git gc` can remove a pack under it, which shows as an error: reopen.
//!
//! # Costs
//! The delta base cache (4 MiB, 64 entries) stays because it saves about a fifth of a
//! whole-tree read; ahead/behind reads the commit-graph when there is one, since inflating
//! every commit is an order of magnitude slower (figures in BENCHMARKS.md, "Git").

pub mod ahead_behind;
pub mod base_cache;
pub mod commit_graph;
pub mod delta;
pub mod inflate;
pub mod loose;
pub mod pack;
pub mod pack_index;
pub mod parse;
mod resolve;
pub mod store;

pub use ahead_behind::{WalkBudget, ahead_behind, ahead_behind_within};
pub use parse::TreeEntry;
pub use store::ObjectStore;

/// The largest object (or delta result) read; larger ones are treated as damage. Trees
/// and commits are far smaller; a status never reads blobs.
pub const MAX_OBJECT_SIZE: u64 = 256 << 20;

/// The longest delta chain followed (git's `pack.depth` is capped at 4095).
pub const MAX_DELTA_DEPTH: usize = 5000;

/// How deep `objects/info/alternates` may nest (git's own limit).
pub const MAX_ALTERNATE_DEPTH: usize = 5;

/// The four kinds of object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    Commit,
    Tree,
    Blob,
    Tag,
}

impl ObjectKind {
    /// The kind named as in a loose header or a tag (`commit`, `tree`, `blob`, `tag`).
    pub fn from_name(name: &[u8]) -> Option<ObjectKind> {
        match name {
            b"commit" => Some(ObjectKind::Commit),
            b"tree" => Some(ObjectKind::Tree),
            b"blob" => Some(ObjectKind::Blob),
            b"tag" => Some(ObjectKind::Tag),
            _ => None,
        }
    }

    /// The name `git cat-file -t` prints.
    pub fn name(self) -> &'static str {
        match self {
            ObjectKind::Commit => "commit",
            ObjectKind::Tree => "tree",
            ObjectKind::Blob => "blob",
            ObjectKind::Tag => "tag",
        }
    }
}

/// Opens a file for reading without blocking (a FIFO planted in `objects/` cannot hang
/// us) and checks that it is a regular file. `Ok(None)` when it does not exist.
pub(crate) fn open_regular(
    path: &std::path::Path,
) -> Result<Option<(std::fs::File, u64)>, crate::git::GitError> {
    let io = |source| crate::git::GitError::Io {
        path: path.to_owned(),
        source,
    };
    let opened =
        crate::sys::fs::open_flags(std::fs::OpenOptions::new().read(true), false, true).open(path);
    let file = match opened {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(crate::git::GitError::Corrupt {
            path: path.to_owned(),
            what: "git: not a regular file",
        });
    }
    Ok(Some((file, meta.len())))
}
