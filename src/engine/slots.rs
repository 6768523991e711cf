//! Preallocated output slots: one per widget, written by whichever thread renders it.
//!
//! A [`SlotTable`] holds one slot per widget; each slot holds two fixed-capacity content
//! buffers and one atomic state word. The table itself belongs to the frame owner: it opens
//! slot `i` for generation `g` with [`SlotTable::begin`] and reads the published values with
//! [`SlotTable::read`]. Renderers (the main thread or pool workers) hold a [`SlotClaims`]
//! handle, which can do one thing: [`SlotClaims::claim`] slot `i` for exactly generation
//! `g`, fill the *back* buffer through the returned [`SlotWriter`], and publish it when the
//! writer is dropped. The assembler reads the *front* buffer.
//!
//! # State word
//! `generation << 3 | front << 2 | phase`, phase one of `PENDING`, `WRITING`, `READY`,
//! `ABANDONED`. Transitions:
//! - `begin(g)`: any phase but `WRITING` → `(g, PENDING)` (frame owner only);
//! - `claim(g)`: `(g, PENDING)` → `(g, WRITING)` by CAS, so at most one writer per
//!   generation and a job of an older generation can never claim a newer frame's slot;
//! - writer drop: `(g, WRITING)` → `(g, READY)` with the front bit flipped;
//! - `abandon(g)` at the deadline: `(g, PENDING)` → `(g, ABANDONED)` by CAS.
//!
//! # Invariants
//! 1. Only the holder of the `WRITING` phase touches the back buffer.
//! 2. The front buffer is only written while it is the back buffer, i.e. never while it can
//!    be read. The type system enforces it: a reference from [`SlotTable::read`] borrows the
//!    table, and [`SlotTable::begin`] (the only way a slot becomes claimable again) needs the
//!    table mutably, so no `begin` can happen while a read reference lives. Between two
//!    `begin`s a slot is claimed at most once, so the front flips at most once and the buffer
//!    a live reference points at is never handed to a writer.
//! 3. Content of the front buffer is the last published value, so a late widget can show
//!    its previous value marked stale.
//!
//! ```compile_fail,E0502
//! // A value read in one frame cannot be kept across the next frame's `begin`, which would
//! // let a renderer rewrite it while it is read:
//! use blinkline::testing::engine::slots::SlotTable;
//! let mut table = SlotTable::new(1);
//! let claims = table.claims();
//! table.begin(0, 1);
//! claims.claim(0, 1).unwrap().push_str("one");
//! let (kept, _) = table.read(0, 1);
//! table.begin(0, 2); // error[E0502]: `table` is also borrowed as immutable
//! claims.claim(0, 2).unwrap().push_str("two");
//! table.begin(0, 3);
//! claims.claim(0, 3).unwrap().push_str("three");
//! assert_eq!(kept.text.as_str(), "one");
//! ```
//!
//! The same frames, each value read before the next `begin`, compile:
//!
//! ```
//! use blinkline::testing::engine::slots::SlotTable;
//! let mut table = SlotTable::new(1);
//! let claims = table.claims();
//! for (generation, text) in [(1, "one"), (2, "two"), (3, "three")] {
//!     assert!(table.begin(0, generation));
//!     claims.claim(0, generation).unwrap().push_str(text);
//!     assert_eq!(table.read(0, generation).0.text.as_str(), text);
//! }
//! ```
//!
//! # Loom
//! Under `--cfg crossbeam_loom` the state words are loom's atomics and the buffers sit in
//! loom's `UnsafeCell` (`cell.rs`), so the models in `tests/loom_slots.rs` check every
//! interleaving of claim, publish, begin, abandon and read, buffer accesses included. A
//! writer's access is tracked for the life of its [`SlotWriter`]; a [`SlotTable::read`] is
//! tracked when it is made (a later write that races it is caught against that point).
//!
//! Read next: `frame.rs`, which joins the slots.

use core::fmt;
use core::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};

#[cfg(not(crossbeam_loom))]
use core::sync::atomic::AtomicU64;
#[cfg(crossbeam_loom)]
use loom::sync::atomic::AtomicU64;

use super::cell::{MutRef, UnsafeCell};

use std::sync::Arc;

use arrayvec::ArrayString;

/// Bytes of visible text a widget may write; longer output is cut at a char boundary.
pub const SLOT_CAPACITY: usize = 384;
/// Bytes of a hyperlink target; a longer URL is not linked at all.
pub const LINK_CAPACITY: usize = 512;

const PENDING: u64 = 0;
const WRITING: u64 = 1;
const READY: u64 = 2;
const ABANDONED: u64 = 3;
const PHASE_MASK: u64 = 0b11;
const FRONT_BIT: u64 = 0b100;
const GEN_SHIFT: u32 = 3;

/// How a widget's render ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Outcome {
    /// Text was written and should be shown.
    #[default]
    Shown,
    /// The widget's data is absent: nothing to show.
    Hidden,
    /// The widget failed; the text holds a short marker.
    Error,
}

/// The colour role of a widget's text, mapped to colours by the theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Tone {
    #[default]
    Normal,
    Good,
    Warn,
    Critical,
    Muted,
}

/// What a widget produced for one frame.
#[derive(Clone, Debug, Default)]
pub struct SlotContent {
    pub text: ArrayString<SLOT_CAPACITY>,
    /// A shorter form shown when the line is too narrow (empty: no short form).
    pub short: ArrayString<64>,
    pub tone: Tone,
    pub outcome: Outcome,
    /// Where the value came from (a payload field or a file), for `explain`.
    pub source: &'static str,
    /// Set when the text was cut to fit the slot.
    pub truncated: bool,
    /// A validated `http(s)` URL the text links to (empty: no link). Set it with
    /// [`SlotContent::set_link`]; the ANSI format wraps the text in an OSC 8 hyperlink.
    pub link: ArrayString<LINK_CAPACITY>,
    /// Set by a widget that shows its last known value because the fresh one is not ready
    /// (e.g. read from the cross-process cache while a refresher works).
    pub stale: bool,
    /// The parts of the value a widget declares as format fields (`{percent}`, `{usd}`),
    /// for a user's `format` string.
    pub fields: Fields,
}

/// Bytes of all of one widget's format fields together.
pub const FIELDS_CAPACITY: usize = 192;
/// The most format fields one widget declares.
pub const MAX_FIELDS: usize = 8;

/// A widget's format fields for one frame, by the position the widget declares them at:
/// fixed capacity, so setting them allocates nothing. A field not set this frame is empty.
#[derive(Clone, Debug, Default)]
pub struct Fields {
    text: ArrayString<FIELDS_CAPACITY>,
    /// Each field's byte range in `text` (start, end); (0, 0) when not set.
    ranges: [(u16, u16); MAX_FIELDS],
}

impl Fields {
    /// Forgets every field.
    pub fn clear(&mut self) {
        self.text.clear();
        self.ranges = [(0, 0); MAX_FIELDS];
    }

    /// Sets field `index` to as much of `value` as fits.
    pub fn set(&mut self, index: usize, value: &str) {
        if index >= MAX_FIELDS {
            return;
        }
        let start = self.text.len();
        let room = self.text.capacity() - start;
        self.text.push_str(cut_at_char_boundary(value, room));
        self.ranges[index] = (start as u16, self.text.len() as u16);
    }

    /// Sets field `index` to the sanitized form of untrusted `value`.
    pub fn set_clean(&mut self, index: usize, value: &str) {
        let mut writer = self.writer(index);
        for piece in crate::sanitize::clean(value) {
            let _ = fmt::Write::write_str(&mut writer, piece);
        }
    }

    /// A writer that sets field `index` to what is written to it (cut when full).
    pub fn writer(&mut self, index: usize) -> FieldWriter<'_> {
        let start = self.text.len();
        FieldWriter {
            fields: self,
            index,
            start,
        }
    }

    /// Field `index`, empty when it was not set.
    pub fn get(&self, index: usize) -> &str {
        let (start, end) = self.ranges.get(index).copied().unwrap_or((0, 0));
        self.text
            .get(usize::from(start)..usize::from(end))
            .unwrap_or("")
    }
}

impl SlotContent {
    fn reset(&mut self) {
        self.text.clear();
        self.short.clear();
        self.tone = Tone::Normal;
        self.outcome = Outcome::Shown;
        self.source = "";
        self.truncated = false;
        self.link.clear();
        self.stale = false;
        self.fields.clear();
    }

    /// Links the text to `url` when it is a safe `http(s)` URL that fits (see
    /// [`crate::sanitize::is_safe_url`]); returns whether the link was set.
    pub fn set_link(&mut self, url: &str) -> bool {
        self.link.clear();
        crate::sanitize::is_safe_url(url) && self.link.try_push_str(url).is_ok()
    }

    /// Appends as much of `s` as fits, cutting at a char boundary.
    pub fn push_str(&mut self, s: &str) {
        if self.text.try_push_str(s).is_err() {
            let room = self.text.capacity() - self.text.len();
            self.text.push_str(cut_at_char_boundary(s, room));
            self.truncated = true;
        }
    }

    /// Appends one char if it fits.
    pub fn push(&mut self, c: char) {
        if self.text.try_push(c).is_err() {
            self.truncated = true;
        }
    }
}

/// Writes one field (see [`Fields::writer`]); the field is set when the writer is dropped.
pub struct FieldWriter<'a> {
    fields: &'a mut Fields,
    index: usize,
    start: usize,
}

impl fmt::Write for FieldWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let text = &mut self.fields.text;
        let room = text.capacity() - text.len();
        text.push_str(cut_at_char_boundary(s, room));
        Ok(())
    }
}

impl Drop for FieldWriter<'_> {
    fn drop(&mut self) {
        if let Some(range) = self.fields.ranges.get_mut(self.index) {
            *range = (self.start as u16, self.fields.text.len() as u16);
        }
    }
}

impl fmt::Write for SlotContent {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_str(s);
        Ok(())
    }
}

/// The longest prefix of `s` that is at most `max` bytes and ends on a char boundary.
pub fn cut_at_char_boundary(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// One widget's double-buffered output cell, reached only through [`SlotTable`] (begin,
/// read) and [`SlotClaims`] (claim).
struct Slot {
    state: AtomicU64,
    buffers: [UnsafeCell<SlotContent>; 2],
    /// Render time of the last published value, in nanoseconds.
    nanos: AtomicU64,
}

// SAFETY: the buffers are only accessed under the state protocol of the module doc: the
// back buffer by the single `WRITING` claimant, the front buffer by readers, and the two
// never alias (invariants 1 and 2). `SlotContent` is plain data (`Send`).
unsafe impl Sync for Slot {}

/// What the assembler sees in a slot for a given generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotView {
    /// Published for this generation.
    Fresh,
    /// Not published for this generation; the content is an older value (or empty).
    Late,
}

impl Slot {
    fn new() -> Self {
        Slot {
            state: AtomicU64::new(READY),
            buffers: [
                UnsafeCell::new(SlotContent::default()),
                UnsafeCell::new(SlotContent::default()),
            ],
            nanos: AtomicU64::new(0),
        }
    }

    /// Opens the slot for generation `generation`. Returns false if a writer of an older
    /// generation still holds it (a straggler): the slot then keeps its last value.
    fn begin(&self, generation: u64) -> bool {
        let mut current = self.state.load(Acquire);
        loop {
            if current & PHASE_MASK == WRITING {
                return false;
            }
            let next = (generation << GEN_SHIFT) | (current & FRONT_BIT) | PENDING;
            // AcqRel: the Acquire half pairs with the Release publish in `SlotWriter::drop`.
            match self
                .state
                .compare_exchange_weak(current, next, AcqRel, Acquire)
            {
                Ok(_) => return true,
                Err(seen) => current = seen,
            }
        }
    }

    /// Re-stamps the last published value as `generation`'s, without rendering: for a
    /// widget that is not due for a refresh (long-running modes). Returns false, leaving
    /// the slot as it is, unless the slot holds a published value nobody is writing.
    /// Frame owner only, in place of [`Slot::begin`].
    fn carry(&self, generation: u64) -> bool {
        let current = self.state.load(Acquire);
        if current & PHASE_MASK != READY {
            return false;
        }
        let next = (generation << GEN_SHIFT) | (current & FRONT_BIT) | READY;
        // AcqRel: the Acquire half pairs with the Release publish of the value we keep.
        self.state
            .compare_exchange(current, next, AcqRel, Acquire)
            .is_ok()
    }

    /// Claims the slot for writing generation `generation`; `None` if it is not pending for
    /// that generation (already claimed, abandoned, or a newer frame began).
    fn claim(&self, generation: u64) -> Option<SlotWriter<'_>> {
        let current = self.state.load(Relaxed);
        if current >> GEN_SHIFT != generation || current & PHASE_MASK != PENDING {
            return None;
        }
        let claimed = (current & !PHASE_MASK) | WRITING;
        // Acquire: pairs with the AcqRel `begin` and the Release publish of the previous
        // writer, so the back buffer is no longer read by anyone we synchronise with.
        self.state
            .compare_exchange(current, claimed, Acquire, Relaxed)
            .ok()?;
        let back = usize::from(current & FRONT_BIT == 0);
        // SAFETY: (1) our CAS won the WRITING phase for this generation, so no other writer
        // exists (invariant 1); (2) readers only read the front buffer, and `back` is the
        // other one (invariant 2); (3) the reference lives inside the writer, which ends the
        // WRITING phase when dropped.
        let content = unsafe { self.buffers[back].deref_mut() };
        let mut writer = SlotWriter {
            slot: self,
            content,
            state: claimed,
            nanos: 0,
        };
        writer.content().reset();
        Some(writer)
    }

    /// Marks a pending slot abandoned at the deadline. Returns true if the widget is late
    /// (pending or still being written), false if it was published in time.
    fn abandon(&self, generation: u64) -> bool {
        let current = self.state.load(Acquire);
        if current >> GEN_SHIFT != generation {
            return true;
        }
        match current & PHASE_MASK {
            READY => false,
            PENDING => {
                let next = (current & !PHASE_MASK) | ABANDONED;
                // A lost race means a worker claimed it just now: it is late all the same.
                let _ = self.state.compare_exchange(current, next, AcqRel, Acquire);
                true
            }
            _ => true,
        }
    }

    /// The front content and whether it belongs to `generation`.
    ///
    /// # Safety
    /// No `begin` of this slot may happen while the returned reference lives (invariant 2).
    /// [`SlotTable::read`] guarantees it by borrowing the table, which `begin` needs mutably.
    unsafe fn read(&self, generation: u64) -> (&SlotContent, SlotView) {
        // Acquire: pairs with the Release publish in `SlotWriter::drop`.
        let state = self.state.load(Acquire);
        let front = usize::from(state & FRONT_BIT != 0);
        let view = if state >> GEN_SHIFT == generation && state & PHASE_MASK == READY {
            SlotView::Fresh
        } else {
            SlotView::Late
        };
        // SAFETY: (1) the front buffer is written only while it is the back buffer of a
        // WRITING claim (invariant 1); (2) a straggler writing now writes the *other* buffer
        // and flips `front` only when done; (3) making this buffer the back buffer of a new
        // claim needs a `begin`, which the caller promises will not happen while the
        // returned reference lives (invariant 2).
        let content = self.buffers[front].with(|front| unsafe { &*front });
        (content, view)
    }

    /// Render time of the last published value (0 when it was not timed).
    fn nanos(&self) -> u64 {
        self.nanos.load(Relaxed)
    }
}

/// Exclusive access to a slot's back buffer; publishes on drop.
pub struct SlotWriter<'a> {
    slot: &'a Slot,
    content: MutRef<'a, SlotContent>,
    state: u64,
    /// The render time published with the content (0 when nobody timed it).
    nanos: u64,
}

impl SlotWriter<'_> {
    // `content` is a `MutRef`: a plain `&mut` normally, loom's guard under loom.
    #[cfg_attr(crossbeam_loom, allow(clippy::explicit_auto_deref))]
    pub fn content(&mut self) -> &mut SlotContent {
        &mut *self.content
    }

    /// Sets the render time published with the content.
    pub fn set_nanos(&mut self, nanos: u64) {
        self.nanos = nanos;
    }
}

impl core::ops::Deref for SlotWriter<'_> {
    type Target = SlotContent;
    // `content` is a `MutRef`: a plain `&mut` normally, loom's guard under loom.
    #[cfg_attr(crossbeam_loom, allow(clippy::explicit_auto_deref))]
    fn deref(&self) -> &SlotContent {
        &*self.content
    }
}

impl core::ops::DerefMut for SlotWriter<'_> {
    // `content` is a `MutRef`: a plain `&mut` normally, loom's guard under loom.
    #[cfg_attr(crossbeam_loom, allow(clippy::explicit_auto_deref))]
    fn deref_mut(&mut self) -> &mut SlotContent {
        &mut *self.content
    }
}

impl Drop for SlotWriter<'_> {
    fn drop(&mut self) {
        self.slot.nanos.store(self.nanos, Relaxed);
        let published = (self.state & !PHASE_MASK & !FRONT_BIT)
            | ((self.state & FRONT_BIT) ^ FRONT_BIT)
            | READY;
        // Release: pairs with the Acquire loads in `read`, `begin` and `claim`; nobody else
        // changes the state while it is WRITING, so a plain store is enough.
        self.slot.state.store(published, Release);
    }
}

/// The slots of one layout, owned by the frame owner: it opens (`begin`, `carry`) and reads
/// them. Renderers write through a [`SlotClaims`] handle from [`SlotTable::claims`].
pub struct SlotTable {
    slots: Arc<[Slot]>,
}

/// The renderers' handle on a [`SlotTable`]: it can only claim a slot a frame opened.
#[derive(Clone)]
pub struct SlotClaims {
    slots: Arc<[Slot]>,
}

impl SlotTable {
    /// Allocates `count` slots once; frames never allocate slots again.
    pub fn new(count: usize) -> Self {
        SlotTable {
            slots: (0..count).map(|_| Slot::new()).collect(),
        }
    }

    /// A handle for the threads that render into these slots.
    pub fn claims(&self) -> SlotClaims {
        SlotClaims {
            slots: Arc::clone(&self.slots),
        }
    }

    /// Opens slot `index` for generation `generation`. Returns false if a writer of an older
    /// generation still holds it (a straggler): the slot then keeps its last value and
    /// cannot be claimed for `generation`.
    pub fn begin(&mut self, index: usize, generation: u64) -> bool {
        self.slots[index].begin(generation)
    }

    /// Re-stamps slot `index`'s last published value as `generation`'s, without rendering:
    /// for a widget that is not due for a refresh (long-running modes). Returns false,
    /// leaving the slot as it is, unless the slot holds a published value nobody is writing.
    /// In place of [`SlotTable::begin`].
    pub fn carry(&mut self, index: usize, generation: u64) -> bool {
        self.slots[index].carry(generation)
    }

    /// Marks slot `index` abandoned at the deadline if it is still pending. Returns true if
    /// the widget is late (pending or still being written), false if it was published in
    /// time.
    pub fn abandon(&self, index: usize, generation: u64) -> bool {
        self.slots[index].abandon(generation)
    }

    /// Slot `index`'s front content and whether it belongs to `generation`.
    pub fn read(&self, index: usize, generation: u64) -> (&SlotContent, SlotView) {
        // SAFETY: the reference borrows `self`, and `begin` needs `&mut self`, so no
        // `begin` can happen while it lives (the contract of `Slot::read`).
        unsafe { self.slots[index].read(generation) }
    }

    /// Render time of slot `index`'s last published value (0 when it was not timed).
    pub fn nanos(&self, index: usize) -> u64 {
        self.slots[index].nanos()
    }
}

impl SlotClaims {
    /// Claims slot `index` for writing generation `generation`; `None` if it is not pending
    /// for that generation (already claimed, abandoned, or a newer frame began).
    pub fn claim(&self, index: usize, generation: u64) -> Option<SlotWriter<'_>> {
        self.slots[index].claim(generation)
    }
}

#[cfg(all(test, not(crossbeam_loom)))]
mod tests {
    use super::*;

    /// A one-slot table and its claims handle.
    fn one() -> (SlotTable, SlotClaims) {
        let table = SlotTable::new(1);
        let claims = table.claims();
        (table, claims)
    }

    #[test]
    fn published_value_is_fresh_for_its_generation_only() {
        let (mut slot, claims) = one();
        assert!(slot.begin(0, 1));
        {
            let mut w = claims.claim(0, 1).expect("pending slot is claimable");
            w.push_str("hello");
        }
        let (content, view) = slot.read(0, 1);
        assert_eq!(content.text.as_str(), "hello");
        assert_eq!(view, SlotView::Fresh);
        assert!(slot.begin(0, 2));
        let (content, view) = slot.read(0, 2);
        assert_eq!(
            content.text.as_str(),
            "hello",
            "last value is kept for stale use"
        );
        assert_eq!(view, SlotView::Late);
    }

    #[test]
    fn old_generation_cannot_claim_a_newer_frame() {
        let (mut slot, claims) = one();
        assert!(slot.begin(0, 1));
        assert!(slot.begin(0, 2));
        assert!(claims.claim(0, 1).is_none());
        assert!(claims.claim(0, 2).is_some());
    }

    #[test]
    fn a_slot_is_claimed_once_per_generation() {
        let (mut slot, claims) = one();
        assert!(slot.begin(0, 7));
        let first = claims.claim(0, 7);
        assert!(first.is_some());
        assert!(claims.claim(0, 7).is_none());
    }

    #[test]
    fn straggler_keeps_slot_busy_and_readers_see_previous_value() {
        let (mut slot, claims) = one();
        assert!(slot.begin(0, 1));
        claims.claim(0, 1).unwrap().push_str("one");
        assert!(slot.begin(0, 2));
        let mut straggler = claims.claim(0, 2).unwrap();
        straggler.push_str("two");
        assert!(slot.abandon(0, 2), "still writing at the deadline: late");
        assert!(!slot.begin(0, 3), "cannot begin while a writer holds it");
        assert_eq!(slot.read(0, 3).0.text.as_str(), "one");
        drop(straggler);
        assert_eq!(slot.read(0, 3).0.text.as_str(), "two");
        assert!(slot.begin(0, 3));
    }

    #[test]
    fn a_carried_value_is_fresh_for_the_new_generation() {
        let (mut slot, claims) = one();
        assert!(slot.begin(0, 1));
        claims.claim(0, 1).unwrap().push_str("kept");
        assert!(slot.carry(0, 2));
        let (content, view) = slot.read(0, 2);
        assert_eq!((content.text.as_str(), view), ("kept", SlotView::Fresh));
        assert!(
            claims.claim(0, 2).is_none(),
            "a carried slot is not pending"
        );
    }

    #[test]
    fn only_a_published_value_can_be_carried() {
        let (mut slot, claims) = one();
        assert!(slot.begin(0, 1));
        assert!(!slot.carry(0, 2), "pending, never published");
        let writer = claims.claim(0, 1).unwrap();
        assert!(!slot.carry(0, 2), "still being written");
        drop(writer);
        assert!(slot.carry(0, 2));
    }

    #[test]
    fn abandoned_slot_cannot_be_claimed() {
        let (mut slot, claims) = one();
        assert!(slot.begin(0, 4));
        assert!(slot.abandon(0, 4));
        assert!(claims.claim(0, 4).is_none());
    }

    #[test]
    fn only_safe_urls_become_links_and_reset_clears_them() {
        let mut content = SlotContent::default();
        assert!(!content.set_link("javascript:alert(1)"));
        assert!(!content.set_link("https://x.example/\x1b]8;;evil"));
        let long = format!("https://x.example/{}", "a".repeat(LINK_CAPACITY));
        assert!(!content.set_link(&long));
        assert!(content.link.is_empty());
        assert!(content.set_link("https://github.com/o/r/pull/7"));
        assert_eq!(content.link.as_str(), "https://github.com/o/r/pull/7");
        content.reset();
        assert!(content.link.is_empty());
    }

    #[test]
    fn overlong_text_is_cut_at_a_char_boundary() {
        let mut content = SlotContent::default();
        let long = "é".repeat(SLOT_CAPACITY);
        content.push_str(&long);
        assert!(content.truncated);
        assert!(content.text.len() <= SLOT_CAPACITY);
        assert!(content.text.chars().all(|c| c == 'é'));
    }
}
