//! The memory under `recycle.rs`'s blocks: one allocation per [`SLAB_BLOCKS`] blocks.
//!
//! A queue whose consumer lags behind its producer (a stream on a loaded machine, where the
//! two threads rarely run at once) grows by thousands of nodes, and one allocation per node
//! then cost more than the queue itself: the producer allocates, the consumer frees, and
//! both go through the allocator's cross-thread path. So a block that no free list has
//! comes from a *slab*: one allocation carved into [`SLAB_BLOCKS`] blocks of one class,
//! the first of which is the slab's header, the others handed out (one malloc per 31 nodes,
//! as crossbeam's `SegQueue` allocates one block per 31 slots).
//!
//! A block goes back to its slab only when the free lists have no room for it
//! ([`release`]); the slab is freed when all of its blocks are back. The slab is aligned
//! to its size rounded up to a power of two, so a block finds its header by masking its
//! address. The header's count is the only shared state: Release on every return, Acquire
//! on the last, as `Arc` counts its drops, so the thread that frees the slab sees every
//! other thread done with its blocks.
//!
//! Memory: a slab stays allocated while any of its blocks is in use or on a free list, so
//! what is kept is bounded by the free lists' caps (`recycle.rs`) times the slab size.
//!
//! Under loom every "slab" is one block of its own, allocated and freed as it is: the
//! models check the queue's reclamation, not this count.

/// Blocks per slab, the header included (unused under loom, where a slab is one block).
#[cfg_attr(crossbeam_loom, allow(dead_code))]
pub(crate) const SLAB_BLOCKS: usize = 32;

/// Panics unless `size` is a block class size: a multiple of 16 from 16 to 128.
fn assert_class_size(size: usize) {
    assert!(
        (16..=128).contains(&size) && size.is_multiple_of(16),
        "slab blocks are 16 to 128 bytes in steps of 16, not {size}"
    );
}

#[cfg(crossbeam_loom)]
pub(crate) use self::single::{carve, release};
#[cfg(not(crossbeam_loom))]
pub(crate) use self::slabs::{carve, release};

#[cfg(not(crossbeam_loom))]
mod slabs {
    use core::alloc::Layout;
    use core::sync::atomic::AtomicUsize;
    use core::sync::atomic::Ordering::{Acquire, Release};

    use super::SLAB_BLOCKS;

    /// The first block of a slab.
    struct Header {
        /// Blocks of the slab returned by [`release`].
        returned: AtomicUsize,
    }

    /// Blocks a slab hands out: all but its header.
    const USABLE: usize = SLAB_BLOCKS - 1;

    /// The layout of a slab of `size`-byte blocks: aligned to its size rounded up to a
    /// power of two, so masking a block's address finds the header.
    fn slab_layout(size: usize) -> Layout {
        let bytes = size * SLAB_BLOCKS;
        // `size` is a class size (16 to 128): at most 4 KiB, a valid power-of-two alignment.
        match Layout::from_size_align(bytes, bytes.next_power_of_two()) {
            Ok(layout) => layout,
            Err(_) => unreachable!("slabs are a few KiB"),
        }
    }

    /// A fresh slab of `size`-byte blocks (`size` a multiple of 16, at most 128): the first
    /// of its blocks and how many follow it, consecutive, `size` bytes apart.
    pub(crate) fn carve(size: usize) -> (*mut u8, usize) {
        // Checked, not only documented: a safe caller with another size would get a
        // zero-sized allocation, blocks over the header, or an overflowing slab size.
        super::assert_class_size(size);
        let layout = slab_layout(size);
        // SAFETY: `layout` has a non-zero size.
        let slab = unsafe { std::alloc::alloc(layout) };
        if slab.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        // SAFETY: the slab is fresh and at least `size` ≥ 16 bytes, aligned far past the
        // header's alignment.
        unsafe {
            slab.cast::<Header>().write(Header {
                returned: AtomicUsize::new(0),
            })
        };
        // SAFETY: block 1 of the slab: `size` bytes in, within its `SLAB_BLOCKS * size`.
        (unsafe { slab.add(size) }, USABLE)
    }

    /// Returns `block` to its slab, and frees the slab when it was the last one out.
    ///
    /// # Safety
    /// (1) `block` came from [`carve`]`(size)` (as one of the blocks it handed out) and is
    /// returned once; (2) nothing reads or writes it any more.
    pub(crate) unsafe fn release(block: *mut u8, size: usize) {
        let layout = slab_layout(size);
        let slab = block.map_addr(|addr| addr & !(layout.align() - 1));
        // SAFETY: the slab is aligned to `layout.align()` and no larger, so masking a block's
        // address gives its start, whose header `carve` wrote; the slab is alive because this
        // block was not returned yet (1).
        let header = unsafe { &*slab.cast::<Header>() };
        // Release: our use of the block happens before the free below on whichever thread
        // returns last; Acquire: pairs with the other blocks' Release returns.
        if header.returned.fetch_add(1, Release) + 1 == USABLE {
            core::sync::atomic::fence(Acquire);
            // SAFETY: every block of the slab is back (each returned once, 1) and unused (2):
            // nothing refers to the slab, allocated by `carve` with this layout.
            unsafe { std::alloc::dealloc(slab, layout) };
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_size_that_is_no_block_class_is_refused_before_anything_is_allocated() {
            for size in [0, 8, 24, 144, usize::MAX / 2] {
                let refused = std::panic::catch_unwind(|| carve(size));
                assert!(refused.is_err(), "carve({size}) was accepted");
            }
        }

        #[test]
        fn a_slab_is_freed_once_every_block_is_back_from_any_thread() {
            let (first, n) = carve(48);
            assert_eq!(n, SLAB_BLOCKS - 1);
            let blocks: Vec<usize> = (0..n).map(|i| first as usize + i * 48).collect();
            for &block in &blocks {
                assert_eq!(block % 16, 0);
                // SAFETY: a block of the slab, ours alone: writing it is sound.
                unsafe { (block as *mut u8).write_bytes(0xA5, 48) };
            }
            let (mine, theirs) = blocks.split_at(n / 2);
            let theirs = theirs.to_vec();
            std::thread::spawn(move || {
                for block in theirs {
                    // SAFETY: carved by `carve(48)`, returned once, unused from here on.
                    unsafe { release(block as *mut u8, 48) };
                }
            })
            .join()
            .unwrap();
            for &block in mine {
                // SAFETY: as above; the last one frees the slab (miri checks it is freed
                // exactly once and not leaked).
                unsafe { release(block as *mut u8, 48) };
            }
        }
    }
}

#[cfg(crossbeam_loom)]
mod single {
    use core::alloc::Layout;

    fn layout(size: usize) -> Layout {
        match Layout::from_size_align(size, 16) {
            Ok(layout) => layout,
            Err(_) => unreachable!("class sizes are small multiples of 16"),
        }
    }

    /// One fresh block.
    pub(crate) fn carve(size: usize) -> (*mut u8, usize) {
        super::assert_class_size(size);
        let layout = layout(size);
        // SAFETY: `layout` has a non-zero size.
        let block = unsafe { std::alloc::alloc(layout) };
        if block.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        (block, 1)
    }

    /// # Safety
    /// `block` came from [`carve`]`(size)` and nothing uses it any more.
    pub(crate) unsafe fn release(block: *mut u8, size: usize) {
        // SAFETY: allocated by `carve` with this layout; the caller's contract.
        unsafe { std::alloc::dealloc(block, layout(size)) };
    }
}
