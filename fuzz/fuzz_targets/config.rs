//! Arbitrary text as a config file: the checker never panics, and every problem it reports
//! names a line and column inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (_, problems) = blinkline::testing::config::check::parse(text);
    for problem in problems {
        let rendered = problem.render("config.toml", text);
        assert!(rendered.starts_with("config.toml:"), "{rendered}");
    }
});
