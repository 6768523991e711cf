//! The sanitizer on arbitrary text: its output never holds a control character, ESC, C1
//! control or bidi override, and cleaning is idempotent.
#![no_main]

use blinkline::testing::sanitize::clean;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let once: String = clean(&text).collect();
    assert!(
        !once
            .chars()
            .any(|c| c.is_control()
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')),
        "unsafe character left in {once:?}"
    );
    let twice: String = clean(&once).collect();
    assert_eq!(once, twice, "cleaning is idempotent");
});
