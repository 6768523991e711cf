//! Ahead/behind: how many commits are reachable from `local` but not `upstream`, and the
//! reverse; what `git rev-list --left-right --count local...upstream` prints.
//!
//! git's approach: paint `local` LEFT and `upstream` RIGHT, pop commits newest first from
//! a priority queue, and pass each one's colours to its parents. A commit painted both is
//! common to both sides (stale); the walk stops once every queued commit is stale and
//! nothing queued can still reach a one-sided commit. Newest first means by generation
//! (the commit-graph's topological level, which always drops from child to parent) and
//! then committer date; commits outside the graph come first, ordered by date.
//!
//! Exactness: with levels the order is topological, so a commit's colours are final when
//! it is popped, and the walk stops once every queued commit is common, has a level, and
//! sorts below every one-sided commit. By date alone, a clock skewed into the future could
//! pop a parent before its child, and a common commit queued below a one-sided one can
//! still have ancestors dated above it that reach it (`^1 v2` where git says `+1 -1`); so
//! a commit that gains a colour after it was popped is queued again, and without levels
//! the walk only stops when the queue is empty (every ancestor of both sides seen). A
//! history too long for that ends in [`GitError::TooCostly`], which callers leave to git.
//!
//! Bounded: [`WalkBudget`] (default 200,000 commits or 2 s) ends the walk with
//! [`GitError::TooCostly`] instead of walking a huge history forever.

use std::collections::{BinaryHeap, HashMap};
use std::time::{Duration, Instant};

use crate::git::object::store::ObjectStore;
use crate::git::{GitError, RawOid};

const LEFT: u8 = 1;
const RIGHT: u8 = 2;
const BOTH: u8 = LEFT | RIGHT;
/// The generation of commits the graph does not order.
const UNKNOWN_LEVEL: u32 = u32::MAX;

/// How much a walk may cost before it gives up.
#[derive(Clone, Copy, Debug)]
pub struct WalkBudget {
    pub max_commits: usize,
    pub max_time: Duration,
}

impl Default for WalkBudget {
    fn default() -> Self {
        WalkBudget {
            max_commits: 200_000,
            max_time: Duration::from_secs(2),
        }
    }
}

/// Queue order: larger is newer (popped first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    level: u32,
    time: i64,
}

struct Node {
    flags: u8,
    key: Key,
    queued: bool,
    parents: std::ops::Range<usize>,
}

/// `(ahead, behind)` of `local` against `upstream`, within the default budget.
pub fn ahead_behind(
    store: &ObjectStore,
    local: &RawOid,
    upstream: &RawOid,
) -> Result<(u32, u32), GitError> {
    ahead_behind_within(store, local, upstream, WalkBudget::default())
}

/// [`ahead_behind`] with an explicit budget.
pub fn ahead_behind_within(
    store: &ObjectStore,
    local: &RawOid,
    upstream: &RawOid,
    budget: WalkBudget,
) -> Result<(u32, u32), GitError> {
    if local == upstream {
        return Ok((0, 0));
    }
    let mut walk = Walk::new(store);
    walk.paint(local, LEFT)?;
    walk.paint(upstream, RIGHT)?;
    let started = Instant::now();
    let mut popped = 0usize;
    while let Some((key, index)) = walk.queue.pop() {
        popped += 1;
        if popped > budget.max_commits
            || (popped.is_multiple_of(1024) && started.elapsed() > budget.max_time)
        {
            return Err(GitError::TooCostly {
                what: "git: ahead/behind walk over budget",
            });
        }
        walk.visit(key, index)?;
        if walk.done() {
            break;
        }
    }
    Ok(walk.counts())
}

struct Walk<'s> {
    store: &'s ObjectStore,
    use_levels: bool,
    index: HashMap<RawOid, usize>,
    nodes: Vec<Node>,
    parents: Vec<RawOid>,
    queue: BinaryHeap<(Key, usize)>,
    /// Queued commits not painted both colours.
    one_sided_queued: usize,
    /// The smallest key a commit had when popped one-sided.
    lowest_one_sided: Option<Key>,
    found: Vec<RawOid>,
}

impl<'s> Walk<'s> {
    fn new(store: &'s ObjectStore) -> Walk<'s> {
        Walk {
            store,
            use_levels: store.graph.as_ref().is_some_and(|g| g.has_levels()),
            index: HashMap::new(),
            nodes: Vec::new(),
            parents: Vec::new(),
            queue: BinaryHeap::new(),
            one_sided_queued: 0,
            lowest_one_sided: None,
            found: Vec::new(),
        }
    }

    /// Adds `flags` to commit `oid`, queueing it when it is new or gained a colour.
    fn paint(&mut self, oid: &RawOid, flags: u8) -> Result<(), GitError> {
        let index = match self.index.get(oid) {
            Some(&index) => index,
            None => self.load(oid)?,
        };
        let node = &mut self.nodes[index];
        let before = node.flags;
        if before | flags == before {
            return Ok(());
        }
        node.flags |= flags;
        if node.queued {
            if node.flags == BOTH && before != 0 {
                self.one_sided_queued -= 1;
            }
            return Ok(());
        }
        node.queued = true;
        if node.flags != BOTH {
            self.one_sided_queued += 1;
        }
        self.queue.push((node.key, index));
        Ok(())
    }

    /// Pops commit `index`: passes its colours to its parents.
    fn visit(&mut self, key: Key, index: usize) -> Result<(), GitError> {
        let node = &mut self.nodes[index];
        node.queued = false;
        let flags = node.flags;
        if flags != BOTH {
            self.one_sided_queued -= 1;
            self.lowest_one_sided = Some(self.lowest_one_sided.map_or(key, |k| k.min(key)));
        }
        for i in node.parents.clone() {
            let parent = self.parents[i];
            self.paint(&parent, flags)?;
        }
        Ok(())
    }

    /// Whether nothing left in the queue can change a count. Stopping early needs the
    /// graph's levels on every queued commit: a level always drops from child to parent,
    /// so nothing below the queue can reach a one-sided commit of a higher level. Dates
    /// promise nothing (a parent may be newer than its child), so a walk ordered by date
    /// goes on until the queue is empty.
    fn done(&self) -> bool {
        if self.one_sided_queued > 0 {
            return false;
        }
        let Some(&(next, _)) = self.queue.peek() else {
            return true;
        };
        let Some(lowest) = self.lowest_one_sided else {
            return true;
        };
        self.use_levels && next.level != UNKNOWN_LEVEL && next < lowest
    }

    fn counts(&self) -> (u32, u32) {
        let count = |want| self.nodes.iter().filter(|n| n.flags == want).count() as u32;
        (count(LEFT), count(RIGHT))
    }

    /// Reads commit `oid` (graph first) and records it, not yet painted.
    fn load(&mut self, oid: &RawOid) -> Result<usize, GitError> {
        let key = self.read_links(oid)?;
        let start = self.parents.len();
        self.parents.extend_from_slice(&self.found);
        let index = self.nodes.len();
        self.nodes.push(Node {
            flags: 0,
            key,
            queued: false,
            parents: start..self.parents.len(),
        });
        self.index.insert(*oid, index);
        Ok(index)
    }

    /// Leaves `oid`'s parents in `self.found` and returns its queue key.
    fn read_links(&mut self, oid: &RawOid) -> Result<Key, GitError> {
        let commit = self.store.commit_links(oid, &mut self.found)?;
        let level = commit.level.filter(|_| self.use_levels);
        Ok(Key {
            level: level.unwrap_or(UNKNOWN_LEVEL),
            time: commit.committer_time,
        })
    }
}
