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
//! takes a chunk before it allocates. This is what keeps a one-way stream (one thread
//! pushes, another pops and so collects the garbage) from allocating: the collector's
//! surplus flows back to the producer in chunks. Beyond [`SHARED_MAX`] chunks, blocks go
//! back to the allocator. A thread's blocks are freed when it exits.
//!
//! Under loom the exchange is left out (a static would carry state from one execution of a
//! model to the next) and the per-thread lists are loom's thread-locals.

use core::alloc::Layout;
use core::cell::Cell;
use core::ptr;

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
const SHARED_MAX: usize = 32;

/// The size class of a node's layout, or `None` when it is too large to recycle.
#[inline]
pub(crate) const fn class_of(layout: Layout) -> Option<usize> {
    if layout.size() == 0 || layout.size() > STEP * CLASSES || layout.align() > STEP {
        return None;
    }
    Some(layout.size().div_ceil(STEP) - 1)
}

/// The layout every block of `class` has.
#[inline]
fn block_layout(class: usize) -> Layout {
    // `(class + 1) * STEP` is at most 128 and STEP a power of two: always a valid layout.
    match Layout::from_size_align((class + 1) * STEP, STEP) {
        Ok(layout) => layout,
        Err(_) => unreachable!("class sizes are small multiples of a power of two"),
    }
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
            // said no one can read it) and owned by the list alone; (2) each was allocated
            // with `block_layout(class)`.
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

/// Frees every block of the chain that starts at `head`.
///
/// # Safety
/// Every block of the chain must be free, owned by the caller, linked through its first
/// word, null-terminated, and allocated with `block_layout(class)`.
unsafe fn free_chain(mut head: *mut Free, class: usize) {
    while !head.is_null() {
        // SAFETY: `head` is a free block of the chain (the caller's contract): reading its
        // link and freeing it with its own layout is sound; nothing else refers to it.
        unsafe {
            let next = (*head).next;
            std::alloc::dealloc(head.cast(), block_layout(class));
            head = next;
        }
    }
}

/// A block of `class` (uninitialised, `block_layout(class)`): a recycled one when this
/// thread or the exchange has one, else a fresh allocation.
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
    let layout = block_layout(class);
    // SAFETY: `layout` has a non-zero size.
    let fresh = unsafe { std::alloc::alloc(layout) };
    if fresh.is_null() {
        std::alloc::handle_alloc_error(layout);
    }
    fresh
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
