//! The commit-graph (`objects/info/commit-graph`, or the layers listed in
//! `objects/info/commit-graphs/commit-graph-chain`): each commit's tree, parents,
//! committer date and topological level, without inflating the commit.
//!
//! File: `CGPH | version 1 | hash 1 | chunk count | base layer count`, a table of chunk
//! ids and offsets, then the chunks we read: `OIDF` (fanout), `OIDL` (sorted ids), `CDAT`
//! (tree id, two parent positions, level and date), `EDGE` (third and later parents).
//! Positions are global across layers: layer `i` numbers its commits after all commits of
//! layers `0..i`.
//!
//! The graph is a cache git may leave damaged or stale-formatted: a file whose structure
//! does not check out at open is ignored (commits are then inflated), as git does. Damage
//! found later (a parent position out of range) is an error.

use std::path::{Path, PathBuf};

use crate::git::{GitError, Oid, RawOid, read_into};

const CHUNK_OIDF: u32 = u32::from_be_bytes(*b"OIDF");
const CHUNK_OIDL: u32 = u32::from_be_bytes(*b"OIDL");
const CHUNK_CDAT: u32 = u32::from_be_bytes(*b"CDAT");
const CHUNK_EDGE: u32 = u32::from_be_bytes(*b"EDGE");
const NO_PARENT: u32 = 0x7000_0000;
const EXTRA_PARENTS: u32 = 0x8000_0000;
const CDAT_LEN: usize = 36;
/// At most this many layers in a chain (git merges layers long before).
const MAX_LAYERS: usize = 64;
/// At most this many parents of one commit (an octopus merge).
const MAX_PARENTS: usize = 1 << 16;

/// A commit's place in history, as the graph records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GraphCommit {
    pub committer_time: i64,
    /// Topological level (1 for a root, else 1 + the largest parent level); `None` when
    /// the graph was written without levels.
    pub level: Option<u32>,
}

struct Layer {
    data: Vec<u8>,
    path: PathBuf,
    count: usize,
    base: usize,
    oidf: usize,
    oidl: usize,
    cdat: usize,
    edge: Option<(usize, usize)>,
}

/// Every layer of the commit-graph, base first.
pub struct CommitGraph {
    layers: Vec<Layer>,
}

impl CommitGraph {
    /// Loads the graph from `objects/info`; `Ok(None)` when there is none (or it is damaged).
    pub fn open(info: &Path) -> Result<Option<CommitGraph>, GitError> {
        let mut data = Vec::new();
        let single = info.join("commit-graph");
        if read_into(&single, &mut data)? {
            return Ok(parse_layer(data, single, 0).map(|layer| CommitGraph {
                layers: vec![layer],
            }));
        }
        let dir = info.join("commit-graphs");
        if !read_into(&dir.join("commit-graph-chain"), &mut data)? {
            return Ok(None);
        }
        let mut layers: Vec<Layer> = Vec::new();
        for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let Some(hex) = Oid::parse(line).filter(|o| o.as_bytes().len() == 40) else {
                return Ok(None);
            };
            let path = dir.join(format!("graph-{}.graph", hex.as_str()));
            let mut bytes = Vec::new();
            let base = layers.last().map_or(0, |l| l.base + l.count);
            let layer =
                read_into(&path, &mut bytes)?.then(|| parse_layer(bytes, path, layers.len()));
            match layer.flatten() {
                Some(mut layer) if layers.len() < MAX_LAYERS => {
                    layer.base = base;
                    layers.push(layer);
                }
                _ => return Ok(None),
            }
        }
        Ok((!layers.is_empty()).then_some(CommitGraph { layers }))
    }

    /// Whether every layer records topological levels (git wrote none before 2.18's
    /// format settled; a walk must not order by levels that are all zero).
    pub fn has_levels(&self) -> bool {
        self.layers
            .iter()
            .all(|l| l.count == 0 || be32(&l.data, l.cdat + 28) >> 2 != 0)
    }

    /// The global position of `oid`, if the graph has it.
    pub fn lookup(&self, oid: &RawOid) -> Option<usize> {
        self.layers
            .iter()
            .find_map(|layer| layer.lookup(oid).map(|i| layer.base + i))
    }

    /// The root tree of the commit at `pos`.
    pub fn tree_at(&self, pos: usize) -> Result<RawOid, GitError> {
        let (layer, i) = self.layer_of(pos)?;
        Ok(read_oid(&layer.data, layer.cdat + i * CDAT_LEN))
    }

    /// The commit at `pos`: its date and level, with its parents' ids pushed to `parents`
    /// (cleared first).
    pub fn commit_at(
        &self,
        pos: usize,
        parents: &mut Vec<RawOid>,
    ) -> Result<GraphCommit, GitError> {
        parents.clear();
        let (layer, i) = self.layer_of(pos)?;
        let at = layer.cdat + i * CDAT_LEN;
        let first = be32(&layer.data, at + 20);
        let second = be32(&layer.data, at + 24);
        if first != NO_PARENT {
            parents.push(self.oid_at(first as usize, layer)?);
        }
        if second & EXTRA_PARENTS != 0 {
            self.extra_parents(layer, (second & !EXTRA_PARENTS) as usize, parents)?;
        } else if second != NO_PARENT {
            parents.push(self.oid_at(second as usize, layer)?);
        }
        let high = be32(&layer.data, at + 28);
        let low = be32(&layer.data, at + 32);
        let level = high >> 2;
        Ok(GraphCommit {
            committer_time: (i64::from(high & 3) << 32) | i64::from(low),
            level: (level != 0).then_some(level),
        })
    }

    /// Parents from the `EDGE` list starting at `start`, up to the entry marked last.
    fn extra_parents(
        &self,
        layer: &Layer,
        start: usize,
        parents: &mut Vec<RawOid>,
    ) -> Result<(), GitError> {
        let (edge_at, edge_count) = layer
            .edge
            .ok_or_else(|| layer.corrupt("git: commit-graph without its EDGE chunk"))?;
        for index in start..edge_count.min(start + MAX_PARENTS) {
            let value = be32(&layer.data, edge_at + index * 4);
            parents.push(self.oid_at((value & !EXTRA_PARENTS) as usize, layer)?);
            if value & EXTRA_PARENTS != 0 {
                return Ok(());
            }
        }
        Err(layer.corrupt("git: commit-graph EDGE list without an end"))
    }

    fn oid_at(&self, pos: usize, from: &Layer) -> Result<RawOid, GitError> {
        if pos >= from.base + from.count {
            return Err(from.corrupt("git: commit-graph parent out of range"));
        }
        let (layer, i) = self.layer_of(pos)?;
        Ok(read_oid(&layer.data, layer.oidl + i * 20))
    }

    fn layer_of(&self, pos: usize) -> Result<(&Layer, usize), GitError> {
        self.layers
            .iter()
            .find(|l| pos >= l.base && pos < l.base + l.count)
            .map(|l| (l, pos - l.base))
            .ok_or_else(|| self.layers[0].corrupt("git: commit-graph position out of range"))
    }
}

impl Layer {
    fn lookup(&self, oid: &RawOid) -> Option<usize> {
        let first = usize::from(oid.0[0]);
        let mut lo = if first == 0 {
            0
        } else {
            be32(&self.data, self.oidf + (first - 1) * 4) as usize
        };
        let mut hi = be32(&self.data, self.oidf + first * 4) as usize;
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let at = self.oidl + mid * 20;
            match self.data[at..at + 20].cmp(&oid.0[..]) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    fn corrupt(&self, what: &'static str) -> GitError {
        GitError::Corrupt {
            path: self.path.clone(),
            what,
        }
    }
}

/// Checks a graph file's structure; `None` when it does not hold up.
fn parse_layer(data: Vec<u8>, path: PathBuf, expected_bases: usize) -> Option<Layer> {
    if data.len() < 8 + 12 + 20 || &data[..4] != b"CGPH" || data[4] != 1 || data[5] != 1 {
        return None;
    }
    if usize::from(data[7]) != expected_bases {
        return None;
    }
    let chunks = usize::from(data[6]);
    let end = data.len() - 20;
    let mut found = [None::<(usize, usize)>; 4];
    for c in 0..chunks {
        let at = 8 + c * 12;
        let id = be32(data.get(..at + 24)?, at);
        let start = usize::try_from(be64(&data, at + 4)).ok()?;
        let stop = usize::try_from(be64(&data, at + 16)).ok()?;
        if start > stop || stop > end {
            return None;
        }
        let slot = [CHUNK_OIDF, CHUNK_OIDL, CHUNK_CDAT, CHUNK_EDGE]
            .iter()
            .position(|&k| k == id);
        if let Some(slot) = slot {
            found[slot] = Some((start, stop - start));
        }
    }
    let [Some(oidf), Some(oidl), Some(cdat), edge] = found else {
        return None;
    };
    if oidf.1 != 1024 {
        return None;
    }
    let fanout: Vec<u32> = (0..256).map(|b| be32(&data, oidf.0 + b * 4)).collect();
    if fanout.windows(2).any(|w| w[0] > w[1]) {
        return None;
    }
    let count = fanout[255] as usize;
    if oidl.1 != count * 20 || cdat.1 != count * CDAT_LEN || edge.is_some_and(|e| e.1 % 4 != 0) {
        return None;
    }
    Some(Layer {
        data,
        path,
        count,
        base: 0,
        oidf: oidf.0,
        oidl: oidl.0,
        cdat: cdat.0,
        edge: edge.map(|(at, len)| (at, len / 4)),
    })
}

fn be32(data: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
}

fn be64(data: &[u8], at: usize) -> u64 {
    u64::from(be32(data, at)) << 32 | u64::from(be32(data, at + 4))
}

fn read_oid(data: &[u8], at: usize) -> RawOid {
    let mut raw = [0u8; 20];
    raw.copy_from_slice(&data[at..at + 20]);
    RawOid(raw)
}
