//! Loom models of the slot publication protocol (`blinkline::testing::engine::slots`).
//!
//! Each model runs every interleaving of two tiny threads: the frame owner (`begin`,
//! `abandon`, `read`) and one renderer (`claim`, write, publish on drop). Under loom the
//! slot's buffers sit in loom's `UnsafeCell`, so besides the assertions loom fails any
//! model in which a read of a buffer races a write of it (a torn or mixed value).
//!
//! Run: `RUSTFLAGS="--cfg crossbeam_loom" cargo test --release --test loom_slots`
//! (use a separate target directory: the cfg rebuilds every crate).
#![cfg(crossbeam_loom)]

use blinkline::testing::engine::slots::{Slot, SlotView};
use loom::sync::Arc;
use loom::thread;

/// A slot that published `text` for generation `generation`.
fn published(generation: u64, text: &str) -> Slot {
    let slot = Slot::new();
    assert!(slot.begin(generation));
    slot.claim(generation)
        .expect("a pending slot is claimable")
        .push_str(text);
    slot
}

/// Starts `render(slot, generation, text)` on a new thread and lets it run first.
///
/// Loom's DPOR remembers only the last access to each atomic, so an owner that reads before
/// the renderer's first load is never reordered after its later CAS. Yielding puts the
/// renderer first; the owner's loads then race its CAS and store and loom backtracks into
/// every earlier point.
fn spawn_renderer(
    slot: &Arc<Slot>,
    generation: u64,
    text: &'static str,
) -> thread::JoinHandle<bool> {
    let slot = Arc::clone(slot);
    let handle = thread::spawn(move || render(&slot, generation, text));
    thread::yield_now();
    handle
}

/// Claims `generation` and publishes `text` in two writes; whether the claim succeeded.
fn render(slot: &Slot, generation: u64, text: &str) -> bool {
    let Some(mut writer) = slot.claim(generation) else {
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
        let slot = Arc::new(published(1, "old"));
        assert!(slot.begin(2));
        let writer = spawn_renderer(&slot, 2, "new");
        let (content, view) = slot.read(2);
        match view {
            SlotView::Fresh => assert_eq!(content.text.as_str(), "new"),
            SlotView::Late => assert_eq!(content.text.as_str(), "old"),
        }
        assert!(writer.join().unwrap(), "nobody else claims generation 2");
        let (content, view) = slot.read(2);
        assert_eq!((content.text.as_str(), view), ("new", SlotView::Fresh));
    });
}

#[test]
fn a_straggler_blocks_begin_and_never_lands_in_the_newer_frame() {
    loom::model(|| {
        let slot = Arc::new(published(1, "one"));
        assert!(slot.begin(2));
        let straggler = spawn_renderer(&slot, 2, "two");
        let began = slot.begin(3);
        let (content, view) = slot.read(3);
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
                slot.begin(3),
                "the straggler has published: the slot is free"
            );
        }
        let (content, view) = slot.read(3);
        let expected = if claimed { "two" } else { "one" };
        assert_eq!((content.text.as_str(), view), (expected, SlotView::Late));
        assert!(slot.claim(2).is_none(), "generation 2 is over");
        assert!(slot.claim(3).is_some(), "generation 3 is pending");
    });
}

#[test]
fn abandon_racing_a_claim_has_exactly_one_winner() {
    loom::model(|| {
        let slot = Arc::new(published(1, "one"));
        assert!(slot.begin(2));
        let renderer = spawn_renderer(&slot, 2, "two");
        let late = slot.abandon(2);
        let claimed = renderer.join().unwrap();
        if !late {
            assert!(claimed, "on time means published");
        }
        let (content, view) = slot.read(2);
        if claimed {
            assert_eq!((content.text.as_str(), view), ("two", SlotView::Fresh));
        } else {
            assert!(late, "an abandoned widget is late");
            assert_eq!((content.text.as_str(), view), ("one", SlotView::Late));
        }
        assert!(
            slot.claim(2).is_none(),
            "claimed or abandoned: never claimable again"
        );
    });
}
