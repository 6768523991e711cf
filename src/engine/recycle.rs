//! Recycled memory blocks for the queue's nodes: a per-thread free list per size class,
//! with a small shared exchange between threads.
//!
//! The queue takes a node's memory with [`take`] and, after popping it, hands it back with
//! [`give`] from a closure deferred through crossbeam-epoch: the epoch runs that closure
//! only once no thread pinned in the queue's collector can still hold a pointer to the node.
//! So a block reaches a free list only when nothing can read it, and a pusher that takes it
//! writes memory no one else sees. That is also what rules out ABA on the queue's `head`
//! and `tail` CASes: a node cannot come back into the list while any thread that loaded a
//! pointer to it is still pinned.
//!
//! # Layout
//! Blocks come in [`CLASSES`] classes of 16, 32, …, 128 bytes, all aligned to 16, so any
//! node whose size and alignment fit a class can use any block of it, whatever its type.
//! Larger nodes are not recycled (`class_of` says `None`).
//!
//! Each thread keeps up to [`LOCAL_MAX`] free blocks per class (an intrusive list through
//! the block's first word; no atomics). Past that it moves [`CHUNK`] of them into the
//! shared exchange (a mutex taken once per chunk), where a thread whose own list is empty
//! takes a chunk before it carves a fresh slab (`slab.rs`: one allocation per 31 blocks).
//! This is what keeps a one-way stream (one thread pushes, another pops and so collects
//! the garbage) from allocating: the collector's surplus flows back to the producer in
//! chunks. Beyond [`SHARED_MAX`] chunks (256: 8192 blocks, 128 KiB of the smallest class;
//! 32 made a stream whose consumer lags carve and free a slab every 31 nodes), blocks go
//! back to their slabs. A thread's blocks go back when it exits.
//!
//! # Retiring many at a time
//! Deferring every popped node through the epoch costs a closure in crossbeam-epoch's bag
//! per pop, a sealed 2 KiB bag (an allocation and a copy) per 64 pops, and a closure call
//! per block when it comes back. So a queue on the default collector does not defer its
//! nodes one by one: it [`hold`]s each unlinked block's *address* on a per-thread list,
//! and every [`HELD`] blocks defers one closure for all of them, their addresses carried in
//! a recycled block of the largest class ([`Chain`]). The held blocks are not touched
//! until the closure runs: a thread pinned before the unlink may still read them. Deferring
//! a node later than it was unlinked is always safe: the bag it lands in is sealed with a
//! later epoch, so it is reclaimed later, never earlier, than if it had been deferred at
//! once (crossbeam-epoch's own thread-local bag holds garbage back the same way). A thread
//! holds fewer than [`HELD`] blocks per class; when it exits it defers them through a
//! handle of its own.
//!
//! Under loom the exchange is left out (a static would carry state from one execution of a
//! model to the next), nothing is held (every node is deferred on its own, so the models
//! see each reclamation) and the per-thread lists are loom's thread-locals.

use core::alloc::Layout;
use core::cell::Cell;
use core::ptr;

use super::slab;

/// Bytes per class step, and the alignment of every block.
const STEP: usize = 16;
/// Classes of blocks: 16, 32, …, `STEP * CLASSES` bytes.
pub(crate) const CLASSES: usize = 8;
/// Free blocks a thread keeps per class before it moves a chunk to the exchange.
const LOCAL_MAX: usize = 64;
/// Blocks moved between a thread's list and the exchange at once.
const CHUNK: usize = 32;
/// Chunks the exchange holds per class before blocks go back to the allocator.
#[cfg(not(crossbeam_loom))]
const SHARED_MAX: usize = 256;

/// The size class of a node's layout, or `None` when it is too large to recycle.
#[inline]
pub(crate) const fn class_of(layout: Layout) -> Option<usize> {
    if layout.size() == 0 || layout.size() > STEP * CLASSES || layout.align() > STEP {
        return None;
    }
    Some(layout.size().div_ceil(STEP) - 1)
}

/// The size of every block of `class`; blocks are aligned to [`STEP`] (`slab.rs`).
#[inline]
const fn block_size(class: usize) -> usize {
    (class + 1) * STEP
}

/// A free block: its first word links to the next free block of the same list.
struct Free {
    next: *mut Free,
}

/// One class of a thread's free blocks.
struct LocalList {
    head: Cell<*mut Free>,
    len: Cell<usize>,
}

/// A thread's free blocks, one list per class.
struct Local {
    lists: [LocalList; CLASSES],
}

impl Local {
    const fn new() -> Self {
        Local {
            lists: [const {
                LocalList {
                    head: Cell::new(ptr::null_mut()),
                    len: Cell::new(0),
                }
            }; CLASSES],
        }
    }
}

impl Drop for Local {
    fn drop(&mut self) {
        for (class, list) in self.lists.iter().enumerate() {
            // SAFETY: (1) every block in a thread's list is free (given back after the epoch
            // said no one can read it) and owned by the list alone; (2) each was carved
            // from a slab of `class`.
            unsafe { free_chain(list.head.replace(ptr::null_mut()), class) };
        }
    }
}

#[cfg(not(crossbeam_loom))]
std::thread_local! {
    static LOCAL: Local = const { Local::new() };
}
#[cfg(crossbeam_loom)]
loom::thread_local! {
    static LOCAL: Local = Local::new();
}

/// Returns every block of the chain that starts at `head` to its slab.
///
/// # Safety
/// Every block of the chain must be free, owned by the caller, linked through its first
/// word, null-terminated, and carved from a slab of `class` (`slab::carve`).
unsafe fn free_chain(mut head: *mut Free, class: usize) {
    while !head.is_null() {
        // SAFETY: `head` is a free block of the chain (the caller's contract): reading its
        // link and returning it to its slab once is sound; nothing else refers to it.
        unsafe {
            let next = (*head).next;
            slab::release(head.cast(), block_size(class));
            head = next;
        }
    }
}

/// A block of `class` (uninitialised, `block_size(class)` bytes aligned to 16): a recycled
/// one when this thread or the exchange has one, else the first of a fresh slab, whose
/// other blocks go onto this thread's list.
#[inline]
pub(crate) fn take(class: usize) -> *mut u8 {
    let recycled = LOCAL
        .try_with(|local| {
            let list = &local.lists[class];
            let mut head = list.head.get();
            if head.is_null() {
                let (chain, len) = exchange::take(class);
                head = chain;
                list.len.set(len);
            }
            if head.is_null() {
                return ptr::null_mut();
            }
            // SAFETY: `head` is a free block owned by this thread's list (see `give`), so
            // reading its link is sound and unlinking it hands it to the caller alone.
            list.head.set(unsafe { (*head).next });
            list.len.set(list.len.get() - 1);
            head.cast::<u8>()
        })
        .unwrap_or(ptr::null_mut());
    if !recycled.is_null() {
        return recycled;
    }
    let size = block_size(class);
    let (first, blocks) = slab::carve(size);
    // The other blocks of the slab, linked in address order: the list hands them out so.
    let mut chain: *mut Free = ptr::null_mut();
    for i in (1..blocks).rev() {
        // SAFETY: block `i` of the run `carve` handed out: fresh, ours alone, 16-aligned and
        // at least 16 bytes, so it can hold the link.
        unsafe {
            let block = first.add(i * size).cast::<Free>();
            block.write(Free { next: chain });
            chain = block;
        }
    }
    if !chain.is_null() {
        let kept = LOCAL.try_with(|local| {
            let list = &local.lists[class];
            // Only reached with this thread's list empty (or its thread-local gone).
            if !list.head.get().is_null() {
                return false;
            }
            list.head.set(chain);
            list.len.set(blocks - 1);
            true
        });
        if !matches!(kept, Ok(true)) {
            // SAFETY: the chain is free blocks of a slab of `class`, null-terminated, ours.
            unsafe { free_chain(chain, class) };
        }
    }
    first
}

/// Blocks a thread holds per class before it defers them: as many pointers as fill the
/// largest block, which carries them to the epoch.
pub(crate) const HELD: usize = STEP * CLASSES / core::mem::size_of::<usize>();
/// The class of the carrier block.
const CARRIER_CLASS: usize = CLASSES - 1;

/// [`HELD`] blocks of one class a thread retired, listed in a *carrier*: a block of the
/// largest class that holds their addresses (null past the last one). The held blocks
/// themselves are not written before the epoch says no one can read them: a retired node
/// may still be read by a thread pinned before it was unlinked, and a link written into it
/// would look like its `next` (a stalled pusher could even link a node onto it). The chain
/// is two words, so crossbeam-epoch stores its closure inline, without an allocation.
pub(crate) struct Chain {
    carrier: *mut usize,
    class: usize,
}

/// What [`hold`] did with a block (under loom, always [`Hold::Refused`]).
#[cfg_attr(crossbeam_loom, allow(dead_code))]
pub(crate) enum Hold {
    /// Kept on this thread's list, to be deferred with the next blocks.
    Kept,
    /// The block completed a chain: the caller must defer [`Chain::give`] through the epoch.
    Full(Chain),
    /// Not kept (under loom, or this thread's list is gone): defer the block on its own.
    Refused,
}

/// Keeps the address of an unlinked block of a default-collector queue until [`HELD`] of
/// its class are kept, then hands them over as one [`Chain`]. Never writes the block.
///
/// # Safety
/// (1) `block` came from [`take`] with this `class`; (2) it is unlinked and its value moved
/// out: only threads pinned in the *default* collector may still read it, which is the
/// collector a [`Hold::Full`] chain, or the thread's exit, defers it through.
#[inline]
pub(crate) unsafe fn hold(block: *mut u8, class: usize) -> Hold {
    #[cfg(not(crossbeam_loom))]
    {
        HELD_BLOCKS
            .try_with(|held| {
                let list = &held.lists[class];
                let len = list.len.get();
                list.blocks[len].set(block as usize);
                if len + 1 < HELD {
                    list.len.set(len + 1);
                    return Hold::Kept;
                }
                list.len.set(0);
                Hold::Full(Chain {
                    carrier: list.carry(HELD),
                    class,
                })
            })
            .unwrap_or(Hold::Refused)
    }
    #[cfg(crossbeam_loom)]
    {
        let _ = (block, class);
        Hold::Refused
    }
}

impl Chain {
    /// Hands the chain's blocks back for reuse, then its carrier.
    ///
    /// # Safety
    /// Nothing reads or writes the chain's blocks any more: the queue calls this only from
    /// the closure it deferred through the epoch when [`hold`] returned the chain.
    pub(crate) unsafe fn give(self) {
        // SAFETY: the carrier is a private block of the carrier class holding HELD addresses
        // (`carry`); the blocks it lists are free now and of `class` (the contract).
        unsafe { give_carried(self.carrier, self.class) };
    }
}

/// Gives back every block a carrier lists (up to the first null), then the carrier: linked
/// into one chain and spliced onto this thread's list when it has room for all of them.
///
/// # Safety
/// `carrier` came from [`take`]`(CARRIER_CLASS)`, was written by `carry` and is read by no
/// one else; every block it lists is of `class`, free, and listed once.
unsafe fn give_carried(carrier: *mut usize, class: usize) {
    let (mut head, mut tail, mut len) = (ptr::null_mut::<Free>(), ptr::null_mut::<Free>(), 0);
    for i in 0..HELD {
        // SAFETY: the carrier holds HELD words (`HELD * 8` is its class's size).
        let block = unsafe { carrier.add(i).read() } as *mut Free;
        if block.is_null() {
            break;
        }
        // SAFETY: a block of `class` nothing reads any more (the contract), at least 16
        // bytes and aligned to 16: it can hold the link, and writing it is ours to do.
        unsafe { block.write(Free { next: head }) };
        if tail.is_null() {
            tail = block;
        }
        head = block;
        len += 1;
    }
    let spliced = !head.is_null()
        && matches!(
            LOCAL.try_with(|local| {
                let list = &local.lists[class];
                if list.len.get() + len > LOCAL_MAX {
                    return false;
                }
                // SAFETY: `tail` is the chain's last block, free and ours (linked above).
                unsafe { (*tail).next = list.head.get() };
                list.head.set(head);
                list.len.set(list.len.get() + len);
                true
            }),
            Ok(true)
        );
    if !spliced {
        while !head.is_null() {
            // SAFETY: a block of the chain linked above: read its link, then give it once.
            let next = unsafe { (*head).next };
            // SAFETY: a free block of `class` (the contract).
            unsafe { give(head.cast(), class) };
            head = next;
        }
    }
    // SAFETY: the carrier never held a value of a queue: no other thread knows it.
    unsafe { give(carrier.cast(), CARRIER_CLASS) };
}

/// One class of the blocks a thread holds before it defers them (`hold`).
#[cfg(not(crossbeam_loom))]
struct HeldList {
    blocks: [Cell<usize>; HELD],
    len: Cell<usize>,
}

#[cfg(not(crossbeam_loom))]
impl HeldList {
    /// A carrier listing the first `len` held blocks, null-terminated when short.
    fn carry(&self, len: usize) -> *mut usize {
        let carrier = take(CARRIER_CLASS).cast::<usize>();
        for (i, block) in self.blocks.iter().enumerate() {
            let word = if i < len { block.get() } else { 0 };
            // SAFETY: a fresh block of the carrier class, `HELD` words long, ours alone.
            unsafe { carrier.add(i).write(word) };
        }
        carrier
    }
}

/// The blocks a thread holds, one list per class.
#[cfg(not(crossbeam_loom))]
struct Held {
    lists: [HeldList; CLASSES],
}

#[cfg(not(crossbeam_loom))]
impl Drop for Held {
    fn drop(&mut self) {
        use crossbeam_epoch as epoch;
        if self.lists.iter().all(|list| list.len.get() == 0) {
            return;
        }
        // The thread's own handle may be gone already: register a fresh one.
        let handle = epoch::default_collector().register();
        let guard = handle.pin();
        for (class, list) in self.lists.iter().enumerate() {
            let len = list.len.replace(0);
            if len == 0 {
                continue;
            }
            let carrier = list.carry(len) as usize;
            // SAFETY: the held blocks are unlinked from default-collector queues and only
            // threads pinned in that collector may read them (`hold`'s contract); the closure
            // runs once they have all unpinned, and gives each block back once.
            unsafe { guard.defer_unchecked(move || give_carried(carrier as *mut usize, class)) };
        }
    }
}

#[cfg(not(crossbeam_loom))]
std::thread_local! {
    static HELD_BLOCKS: Held = const {
        Held {
            lists: [const {
                HeldList {
                    blocks: [const { Cell::new(0) }; HELD],
                    len: Cell::new(0),
                }
            }; CLASSES],
        }
    };
}

/// Hands the block `block` of `class` back for reuse.
///
/// # Safety
/// (1) `block` came from [`take`] with this `class`; (2) nothing reads or writes it any
/// more, now or later: the queue calls this only from a closure deferred through the epoch
/// after the node was unlinked, and after its value was moved out.
pub(crate) unsafe fn give(block: *mut u8, class: usize) {
    let block = block.cast::<Free>();
    let kept = LOCAL.try_with(|local| {
        let list = &local.lists[class];
        // SAFETY: the block is free and ours (the caller's contract) and at least 16 bytes,
        // aligned to 16: it can hold the link.
        unsafe {
            block.write(Free {
                next: list.head.get(),
            })
        };
        list.head.set(block);
        let len = list.len.get() + 1;
        if len < LOCAL_MAX {
            list.len.set(len);
            return;
        }
        // Too many: move a chunk to the exchange.
        let chunk = list.head.get();
        let mut last = chunk;
        for _ in 1..CHUNK {
            // SAFETY: the list holds `len >= CHUNK` blocks, so the first CHUNK links are
            // non-null free blocks of this thread.
            last = unsafe { (*last).next };
        }
        // SAFETY: as above; `last` is a free block of the list.
        unsafe {
            list.head.set((*last).next);
            (*last).next = ptr::null_mut();
        }
        list.len.set(len - CHUNK);
        // SAFETY: the chunk is CHUNK free blocks of `class`, unlinked from our list.
        unsafe { exchange::give(chunk, class) };
    });
    if kept.is_err() {
        // The thread is exiting and its list is gone: free the block.
        // SAFETY: a lone free block of `class` (the caller's contract), null-terminated.
        unsafe {
            block.write(Free {
                next: ptr::null_mut(),
            });
            free_chain(block, class);
        }
    }
}

/// Chunks of free blocks shared between threads.
#[cfg(not(crossbeam_loom))]
mod exchange {
    use super::{CHUNK, CLASSES, Free, SHARED_MAX, free_chain};
    use arrayvec::ArrayVec;
    use std::sync::Mutex;

    /// A null-terminated chain of CHUNK free blocks.
    struct Chunk(*mut Free);

    // SAFETY: a chunk owns its free blocks outright (no other pointer to them exists), so
    // moving it to another thread moves that ownership.
    unsafe impl Send for Chunk {}

    static SHARED: [Mutex<ArrayVec<Chunk, SHARED_MAX>>; CLASSES] =
        [const { Mutex::new(ArrayVec::new_const()) }; CLASSES];

    /// A chunk of `class` and its length, or a null chain when there is none.
    pub(super) fn take(class: usize) -> (*mut Free, usize) {
        let chunk = SHARED[class]
            .lock()
            .ok()
            .and_then(|mut chunks| chunks.pop());
        chunk.map_or((core::ptr::null_mut(), 0), |chunk| (chunk.0, CHUNK))
    }

    /// Stores a chunk, or frees its blocks when the exchange is full.
    ///
    /// # Safety
    /// `chain` is a null-terminated chain of CHUNK free blocks of `class`, owned by the
    /// caller.
    pub(super) unsafe fn give(chain: *mut Free, class: usize) {
        let overflow = match SHARED[class].lock() {
            Ok(mut chunks) => chunks.try_push(Chunk(chain)).err().map(|e| e.element().0),
            Err(_) => Some(chain),
        };
        if let Some(chain) = overflow {
            // SAFETY: the caller's contract: free blocks of `class` we own.
            unsafe { free_chain(chain, class) };
        }
    }
}

/// Under loom: no exchange (see the module doc); a surplus chunk is freed.
#[cfg(crossbeam_loom)]
mod exchange {
    use super::{Free, free_chain};

    pub(super) fn take(_class: usize) -> (*mut Free, usize) {
        (core::ptr::null_mut(), 0)
    }

    /// # Safety
    /// As the normal build's `give`.
    pub(super) unsafe fn give(chain: *mut Free, class: usize) {
        // SAFETY: the caller's contract: free blocks of `class` we own.
        unsafe { free_chain(chain, class) };
    }
}

#[cfg(all(test, not(crossbeam_loom)))]
mod tests {
    use super::*;

    #[test]
    fn classes_cover_small_layouts_and_refuse_large_ones() {
        assert_eq!(class_of(Layout::new::<u64>()), Some(0));
        assert_eq!(class_of(Layout::new::<[u64; 2]>()), Some(0));
        assert_eq!(class_of(Layout::new::<[u64; 3]>()), Some(1));
        assert_eq!(class_of(Layout::new::<[u8; 128]>()), Some(7));
        assert_eq!(class_of(Layout::new::<[u8; 129]>()), None);
        assert_eq!(class_of(Layout::new::<()>()), None);
    }

    #[test]
    fn a_given_block_is_taken_again_by_the_same_thread() {
        let first = take(3);
        // SAFETY: fresh from `take(3)`, never shared.
        unsafe { give(first, 3) };
        assert_eq!(take(3), first);
        // SAFETY: as above.
        unsafe { give(first, 3) };
    }

    #[test]
    fn held_blocks_come_back_together_through_one_chain() {
        // Class 4 is used by no other test of this module, and by no node in the crate's
        // tests. This thread holds nothing of it yet.
        let blocks: Vec<usize> = (0..HELD).map(|_| take(4) as usize).collect();
        let mut chain = None;
        for (i, &block) in blocks.iter().enumerate() {
            // SAFETY: each block is fresh from `take(4)`, held once, and read by no one.
            match unsafe { hold(block as *mut u8, 4) } {
                Hold::Kept => assert!(i + 1 < HELD, "the last block was kept"),
                Hold::Full(full) => {
                    assert_eq!(i + 1, HELD, "a chain came back early");
                    chain = Some(full);
                }
                Hold::Refused => panic!("this thread's list is alive"),
            }
        }
        let chain = chain.expect("a full chain");
        // SAFETY: no one reads the held blocks: handing them back is the epoch's closure's job,
        // done here at once.
        unsafe { chain.give() };
        let again: Vec<usize> = (0..HELD).map(|_| take(4) as usize).collect();
        for block in &again {
            assert!(blocks.contains(block), "a block of the chain was lost");
            // SAFETY: taken just now, given back once.
            unsafe { give(*block as *mut u8, 4) };
        }
    }

    /// A retired node may still be read by a thread pinned before it was unlinked: holding
    /// it once wrote the free-list link into its first word, where a stalled pusher read a
    /// null `next` and linked its node onto the dead one (values lost and seen twice in
    /// `queue_stress::producers_and_consumers_see_every_value_once_in_producer_order`).
    #[test]
    fn holding_a_block_leaves_its_bytes_alone() {
        // Class 3: used by no other test of this module.
        let block = take(3);
        // SAFETY: fresh from `take(3)` (64 bytes), ours alone.
        unsafe { block.write_bytes(0xA5, 64) };
        // SAFETY: taken from class 3, held once, and read below only by this thread.
        let held = unsafe { hold(block, 3) };
        assert!(matches!(held, Hold::Kept));
        // SAFETY: the block is still allocated (held, not given back).
        let bytes = unsafe { core::slice::from_raw_parts(block, 64) };
        assert!(
            bytes.iter().all(|&b| b == 0xA5),
            "hold wrote into the block"
        );
    }

    #[test]
    fn a_fresh_slab_is_handed_out_in_address_order() {
        // Class 5: used by no other test. Empty this thread's list and the exchange first.
        let mut taken = Vec::new();
        loop {
            let block = take(5) as usize;
            taken.push(block);
            if LOCAL.with(|local| local.lists[5].len.get()) > 0 {
                break;
            }
        }
        // The last take carved a slab: the blocks after it follow it, 96 bytes apart.
        let first = *taken.last().unwrap();
        let next = take(5) as usize;
        assert_eq!(next, first + block_size(5));
        taken.push(next);
        for block in taken {
            // SAFETY: each taken once above, given back once.
            unsafe { give(block as *mut u8, 5) };
        }
    }

    #[test]
    fn a_surplus_moves_to_another_thread_through_the_exchange() {
        // Class 6 is used by no other test of this module.
        let blocks: Vec<usize> = (0..LOCAL_MAX).map(|_| take(6) as usize).collect();
        for &block in &blocks {
            // SAFETY: each block is fresh from `take(6)` and given back once.
            unsafe { give(block as *mut u8, 6) };
        }
        let other = std::thread::spawn(|| {
            let block = take(6) as usize;
            // SAFETY: taken just now on this thread, given back once.
            unsafe { give(block as *mut u8, 6) };
            block
        })
        .join()
        .unwrap();
        assert!(
            blocks.contains(&other),
            "the other thread allocated a fresh block"
        );
    }
}
