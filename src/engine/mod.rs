//! The render engine: the lock-free queue, the worker pool, the output slots, the frame
//! assembler and the metrics. With `sys/` (the operating system's calls) it is the only
//! place where `unsafe` is allowed, and here only for the lock-free structures (queue,
//! recycle, slab, slots, cell, sync, alloc): the engine reaches the operating system (write, local time,
//! CPU affinity) through `sys/`'s safe functions. Every `unsafe` block carries a
//! `// SAFETY:` argument and every non-Relaxed atomic ordering names its partner.
//!
//! Reading order: `queue.rs` (Michael–Scott queue) → `recycle.rs` (its nodes' free lists)
//! → `slab.rs` (the memory under them) → `pool.rs` (pinned workers, futex parking) → `batch.rs` (fork-join batches on one
//! process-wide pool) → `slots.rs` (double-buffered, generation-stamped outputs) → `frame.rs` (the
//! zero-allocation assembler) → `metrics.rs` (atomic counters and histograms). `sync.rs` holds
//! the watch frame ring's primitives, `cell.rs` the loom-aware `UnsafeCell`.
#![allow(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod alloc;
pub mod batch;
mod cell;
pub mod children;
pub mod clock;
pub mod frame;
pub mod metrics;
pub mod pool;
pub mod queue;
mod recycle;
mod slab;
pub mod slots;
pub mod sync;
