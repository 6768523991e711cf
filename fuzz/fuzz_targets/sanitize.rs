//! The sanitizer on arbitrary text: its output never holds a control character, ESC, C1
//! control, bidi override or zero-width mark, a joiner only between two pictographs, and
//! cleaning is idempotent.
#![no_main]

use blinkline::testing::sanitize::clean;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let once: String = clean(&text).collect();
    assert!(
        !once.chars().any(|c| c.is_control()
            || matches!(
                c,
                '\u{202A}'..='\u{202E}'
                    | '\u{2066}'..='\u{2069}'
                    | '\u{200B}'
                    | '\u{200C}'
                    | '\u{200E}'
                    | '\u{200F}'
                    | '\u{061C}'
                    | '\u{FEFF}'
                    | '\u{2028}'
                    | '\u{2029}'
                    | '\u{2060}'..='\u{2064}'
            )),
        "unsafe character left in {once:?}"
    );
    let chars: Vec<char> = once.chars().collect();
    for (i, _) in chars.iter().enumerate().filter(|&(_, &c)| c == '\u{200D}') {
        assert!(
            i > 0 && i + 1 < chars.len() && !chars[i + 1].is_ascii() && !chars[i - 1].is_ascii(),
            "a joiner outside an emoji sequence in {once:?}"
        );
    }
    let twice: String = clean(&once).collect();
    assert_eq!(once, twice, "cleaning is idempotent");
});
