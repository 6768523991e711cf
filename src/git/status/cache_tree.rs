//! The index's `TREE` extension (the cache-tree): for directories whose entries have not
//! changed since the last `git write-tree`/`commit`, the id of the tree object they form.
//!
//! Stored depth-first: a node is `NAME\0COUNT SUBTREES\n` followed by the 20-byte tree id
//! when `COUNT >= 0`, then its `SUBTREES` children. `COUNT` is how many index entries the
//! directory covers; `-1` marks a node invalidated by a later change (it has no id). The
//! root's name is empty. `staged.rs` uses a valid node whose id equals HEAD's tree for the
//! same directory to skip that whole range without reading any object.
//!
//! Read next: `staged.rs`.

use super::index::ParseError;
use crate::git::RawOid;

/// Deepest nesting accepted; deeper data is damage (and would exhaust the stack).
const MAX_DEPTH: usize = 1024;

/// One directory of the cache-tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub name: Box<[u8]>,
    /// The tree id and the number of index entries it covers; `None` when invalidated.
    pub valid: Option<(RawOid, u32)>,
    /// How many nodes follow this one in depth-first order before its next sibling.
    descendants: u32,
    subtrees: u32,
}

/// The whole cache-tree, in depth-first order; node 0 is the root.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CacheTree {
    nodes: Vec<Node>,
}

impl CacheTree {
    /// Parses the extension's data.
    pub fn parse(data: &[u8]) -> Result<CacheTree, ParseError> {
        let mut tree = CacheTree { nodes: Vec::new() };
        let mut rest = data;
        if !rest.is_empty() {
            read_node(&mut rest, &mut tree.nodes, 0)?;
        }
        if !rest.is_empty() {
            return Err(ParseError::Corrupt("git index: bytes after the cache-tree"));
        }
        Ok(tree)
    }

    /// The root node (`None` for an empty extension).
    pub fn root(&self) -> Option<NodeRef<'_>> {
        (!self.nodes.is_empty()).then_some(NodeRef { tree: self, at: 0 })
    }
}

/// A node and the tree it lives in, to find its children.
#[derive(Clone, Copy, Debug)]
pub struct NodeRef<'t> {
    tree: &'t CacheTree,
    at: usize,
}

impl<'t> NodeRef<'t> {
    pub fn node(&self) -> &'t Node {
        &self.tree.nodes[self.at]
    }

    /// The child directory called `name`, if the cache-tree has it.
    pub fn child(&self, name: &[u8]) -> Option<NodeRef<'t>> {
        let mut at = self.at + 1;
        for _ in 0..self.node().subtrees {
            let node = self.tree.nodes.get(at)?;
            if &*node.name == name {
                return Some(NodeRef {
                    tree: self.tree,
                    at,
                });
            }
            at += 1 + node.descendants as usize;
        }
        None
    }
}

fn damaged(what: &'static str) -> ParseError {
    ParseError::Corrupt(what)
}

/// Reads one node and its children; returns how many nodes it added.
fn read_node(rest: &mut &[u8], nodes: &mut Vec<Node>, depth: usize) -> Result<u32, ParseError> {
    if depth > MAX_DEPTH {
        return Err(damaged("git index: cache-tree nested too deep"));
    }
    let nul = memchr::memchr(0, rest).ok_or(damaged("git index: cache-tree name unterminated"))?;
    let name: Box<[u8]> = rest[..nul].into();
    *rest = &rest[nul + 1..];
    let newline = memchr::memchr(b'\n', rest).ok_or(damaged("git index: cache-tree counts"))?;
    let counts = std::str::from_utf8(&rest[..newline])
        .map_err(|_| damaged("git index: cache-tree counts"))?;
    *rest = &rest[newline + 1..];
    let (count, subtrees) = counts
        .split_once(' ')
        .and_then(|(c, s)| Some((c.parse::<i64>().ok()?, s.parse::<u32>().ok()?)))
        .ok_or(damaged("git index: cache-tree counts"))?;
    // Each child takes at least 4 bytes ("\0" "0 0\n"...): refuse counts the data cannot hold.
    if subtrees as usize > rest.len() / 4 + 1 {
        return Err(damaged("git index: cache-tree counts"));
    }
    let valid = match u32::try_from(count) {
        Ok(count) => {
            let oid = rest
                .get(..20)
                .ok_or(damaged("git index: cache-tree truncated"))?;
            let mut raw = [0u8; 20];
            raw.copy_from_slice(oid);
            *rest = &rest[20..];
            Some((RawOid(raw), count))
        }
        Err(_) if count == -1 => None,
        Err(_) => return Err(damaged("git index: cache-tree counts")),
    };
    let at = nodes.len();
    nodes.push(Node {
        name,
        valid,
        descendants: 0,
        subtrees,
    });
    let mut descendants = 0u32;
    for _ in 0..subtrees {
        descendants += read_node(rest, nodes, depth + 1)?;
    }
    nodes[at].descendants = descendants;
    Ok(descendants + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, count: i32, subtrees: u32, oid: u8) -> Vec<u8> {
        let mut out = format!("{name}\0{count} {subtrees}\n").into_bytes();
        if count >= 0 {
            out.extend_from_slice(&[oid; 20]);
        }
        out
    }

    #[test]
    fn children_are_found_by_name_past_their_siblings_descendants() {
        let mut data = node("", 3, 2, 1);
        data.extend(node("a", 2, 1, 2));
        data.extend(node("deep", -1, 0, 0));
        data.extend(node("b", 1, 0, 3));
        let tree = CacheTree::parse(&data).unwrap();
        let root = tree.root().unwrap();
        assert_eq!(root.node().valid, Some((RawOid([1; 20]), 3)));
        let b = root.child(b"b").unwrap();
        assert_eq!(b.node().valid, Some((RawOid([3; 20]), 1)));
        let deep = root.child(b"a").unwrap().child(b"deep").unwrap();
        assert_eq!(deep.node().valid, None);
        assert!(root.child(b"deep").is_none());
    }

    #[test]
    fn damaged_cache_trees_are_errors() {
        let good = node("", 1, 0, 1);
        for bad in [
            &good[..good.len() - 1],
            b"\0x y\n",
            b"\0-2 0\n",
            b"\x001 4000000000\n",
            b"no nul",
        ] {
            assert!(CacheTree::parse(bad).is_err(), "{bad:?}");
        }
        let mut trailing = good.clone();
        trailing.push(b'x');
        assert!(CacheTree::parse(&trailing).is_err());
    }
}
