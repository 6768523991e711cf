//! Transcript bytes scanned in arbitrary pieces give the same state as one scan of the
//! whole: the incremental scanner keeps an incomplete last line for later, whatever the
//! split (inside a line, inside a UTF-8 sequence).
#![no_main]

use blinkline::testing::transcript::scan::scan;
use blinkline::testing::transcript::state::State;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&split_seed, body)) = data.split_first() else {
        return;
    };
    // Piecewise scans re-read the pending tail: keep inputs small so runs stay fast.
    let body = &body[..body.len().min(8192)];
    let mut whole = State::default();
    let consumed = scan(&mut whole, body);
    assert!(consumed <= body.len());

    let mut pieces = State::default();
    let mut pending: Vec<u8> = Vec::new();
    let step = usize::from(split_seed % 37) + 1;
    for chunk in body.chunks(step) {
        pending.extend_from_slice(chunk);
        let used = scan(&mut pieces, &pending);
        pending.drain(..used);
    }
    assert_eq!(pieces, whole, "piecewise scan differs from a whole scan");
});
