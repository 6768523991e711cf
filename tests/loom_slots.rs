//! Loom models of the slot publication protocol (`blinkline::testing::engine::slots`).
//!
//! Each model runs every interleaving of two tiny threads: the frame owner (`begin`,
//! `abandon`, `read`) and one renderer (`claim`, write, publish on drop). Under loom the
//! slot's buffers sit in loom's `UnsafeCell`, so besides the assertions loom fails any
//! model in which a read of a buffer races a write of it (a torn or mixed value).
//!
//! The first three models give the renderer one claim; [`buffers_are_reused_across_frames`]
//! gives one long-lived renderer three claims in a row, so each buffer is read in one frame
//! and written again two frames later: the case the `begin` → `claim` orderings exist for.
//! The search of that model is bounded by [`PREEMPTIONS`] preemptions per thread (override
//! with `LOOM_MAX_PREEMPTIONS`).
//!
//! Run: `RUSTFLAGS="--cfg crossbeam_loom" cargo test --release --test loom_slots`
//! (use a separate target directory: the cfg rebuilds every crate).
#![cfg(crossbeam_loom)]

use blinkline::testing::engine::slots::{SlotClaims, SlotTable, SlotView};
use loom::thread;

/// Default preemption bound of the reuse model (see the module doc).
const PREEMPTIONS: usize = 3;

/// A one-slot table that published `text` for generation `generation`, and its claims.
fn published(generation: u64, text: &str) -> (SlotTable, SlotClaims) {
    let mut slot = SlotTable::new(1);
    let claims = slot.claims();
    assert!(slot.begin(0, generation));
    claims
        .claim(0, generation)
        .expect("a pending slot is claimable")
        .push_str(text);
    (slot, claims)
}

/// Starts `render(slot, generation, text)` on a new thread and lets it run first.
///
/// Loom's DPOR remembers only the last access to each atomic, so an owner that reads before
/// the renderer's first load is never reordered after its later CAS. Yielding puts the
/// renderer first; the owner's loads then race its CAS and store and loom backtracks into
/// every earlier point.
fn spawn_renderer(
    claims: &SlotClaims,
    generation: u64,
    text: &'static str,
) -> thread::JoinHandle<bool> {
    let claims = claims.clone();
    let handle = thread::spawn(move || render(&claims, generation, text));
    thread::yield_now();
    handle
}

/// Claims `generation` and publishes `text` in two writes; whether the claim succeeded.
fn render(claims: &SlotClaims, generation: u64, text: &str) -> bool {
    let Some(mut writer) = claims.claim(0, generation) else {
        return false;
    };
    let (head, tail) = text.split_at(text.len() / 2);
    writer.push_str(head);
    writer.push_str(tail);
    true
}

#[test]
fn owner_reads_the_old_value_as_late_or_the_new_one_as_fresh() {
    loom::model(|| {
        let (mut slot, claims) = published(1, "old");
        assert!(slot.begin(0, 2));
        let writer = spawn_renderer(&claims, 2, "new");
        let (content, view) = slot.read(0, 2);
        match view {
            SlotView::Fresh => assert_eq!(content.text.as_str(), "new"),
            SlotView::Late => assert_eq!(content.text.as_str(), "old"),
        }
        assert!(writer.join().unwrap(), "nobody else claims generation 2");
        let (content, view) = slot.read(0, 2);
        assert_eq!((content.text.as_str(), view), ("new", SlotView::Fresh));
    });
}

#[test]
fn a_straggler_blocks_begin_and_never_lands_in_the_newer_frame() {
    loom::model(|| {
        let (mut slot, claims) = published(1, "one");
        assert!(slot.begin(0, 2));
        let straggler = spawn_renderer(&claims, 2, "two");
        let began = slot.begin(0, 3);
        let (content, view) = slot.read(0, 3);
        assert_eq!(view, SlotView::Late, "nobody published generation 3");
        assert!(matches!(content.text.as_str(), "one" | "two"));
        let claimed = straggler.join().unwrap();
        if !claimed {
            assert!(began, "the claim of 2 failed only because 3 began first");
        }
        if !began {
            assert!(
                claimed,
                "begin failed only because the straggler was writing"
            );
            assert!(
                slot.begin(0, 3),
                "the straggler has published: the slot is free"
            );
        }
        let (content, view) = slot.read(0, 3);
        let expected = if claimed { "two" } else { "one" };
        assert_eq!((content.text.as_str(), view), (expected, SlotView::Late));
        assert!(claims.claim(0, 2).is_none(), "generation 2 is over");
        assert!(claims.claim(0, 3).is_some(), "generation 3 is pending");
    });
}

#[test]
fn abandon_racing_a_claim_has_exactly_one_winner() {
    loom::model(|| {
        let (mut slot, claims) = published(1, "one");
        assert!(slot.begin(0, 2));
        let renderer = spawn_renderer(&claims, 2, "two");
        let late = slot.abandon(0, 2);
        let claimed = renderer.join().unwrap();
        if !late {
            assert!(claimed, "on time means published");
        }
        let (content, view) = slot.read(0, 2);
        if claimed {
            assert_eq!((content.text.as_str(), view), ("two", SlotView::Fresh));
        } else {
            assert!(late, "an abandoned widget is late");
            assert_eq!((content.text.as_str(), view), ("one", SlotView::Late));
        }
        assert!(
            claims.claim(0, 2).is_none(),
            "claimed or abandoned: never claimable again"
        );
    });
}

/// Spins (yielding to loom) until `generation` can be claimed, then publishes `text`.
fn render_when_open(claims: &SlotClaims, generation: u64, text: &str) {
    loop {
        if let Some(mut writer) = claims.claim(0, generation) {
            writer.push_str(text);
            return;
        }
        thread::yield_now();
    }
}

/// One renderer thread, started before the frames, renders generations 2 and 3 of a slot
/// whose generation 1 the owner published. Buffer `b` holds "one" (front) when frame 2
/// begins; frame 2's writer fills the other buffer, and frame 3's writer writes `b` again,
/// which the owner read (as late) during frame 2. Only the chain owner read → `begin(3)`
/// (Release) → `claim(3)` (Acquire) orders that write after the read.
///
/// Catches (each applied alone, the model fails with a data race on the buffer):
/// - `claim`'s CAS weakened from Acquire to Relaxed (the writer does not see the read);
/// - `begin`'s CAS weakened from AcqRel to Relaxed (the read is not published by it).
#[test]
fn buffers_are_reused_across_frames() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound.get_or_insert(PREEMPTIONS);
    builder.check(|| {
        let (mut slot, claims) = published(1, "one");
        let renderer = {
            let claims = claims.clone();
            thread::spawn(move || {
                render_when_open(&claims, 2, "two");
                render_when_open(&claims, 3, "three");
            })
        };
        assert!(slot.begin(0, 2));
        // Read while the renderer may still be writing: the old value, late, or the new.
        match slot.read(0, 2) {
            (content, SlotView::Late) => assert_eq!(content.text.as_str(), "one"),
            (content, SlotView::Fresh) => assert_eq!(content.text.as_str(), "two"),
        }
        while slot.read(0, 2).1 != SlotView::Fresh {
            thread::yield_now();
        }
        assert_eq!(slot.read(0, 2).0.text.as_str(), "two");
        assert!(
            slot.begin(0, 3),
            "generation 2 was published: nobody holds the slot"
        );
        match slot.read(0, 3) {
            (content, SlotView::Late) => assert_eq!(content.text.as_str(), "two"),
            (content, SlotView::Fresh) => assert_eq!(content.text.as_str(), "three"),
        }
        renderer.join().unwrap();
        let (content, view) = slot.read(0, 3);
        assert_eq!((content.text.as_str(), view), ("three", SlotView::Fresh));
    });
}
