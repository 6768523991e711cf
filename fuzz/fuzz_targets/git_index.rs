//! The index reader (`git::status::index::parse`) and the cache-tree parser on arbitrary
//! bytes: no panic, and an index that parses holds up: entries strictly sorted by
//! (path, stage), no empty path and no NUL in one, every path inside the range
//! `range_under` gives for its directory, and cache-tree lookups stay in bounds.
//!
//! Seeds (`seeds/git_index`): real indexes of a small repository in versions 2, 3 (an
//! intent-to-add entry) and 4.
#![no_main]

use blinkline::testing::git::status::cache_tree::CacheTree;
use blinkline::testing::git::status::index::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(tree) = CacheTree::parse(data) {
        if let Some(root) = tree.root() {
            let _ = root.child(b"d").and_then(|d| d.child(b"e"));
        }
    }
    let Ok(index) = parse(data) else { return };
    let mut previous: Option<(&[u8], u8)> = None;
    for (at, entry) in index.entries.iter().enumerate() {
        let path = index.path(entry);
        assert!(!path.is_empty() && !path.contains(&0));
        let key = (path, entry.stage());
        assert!(previous.is_none_or(|p| p < key), "entries out of order");
        previous = Some(key);
        if let Some(slash) = path.iter().rposition(|&b| b == b'/') {
            let range = index.range_under(&path[..=slash]);
            assert!(range.contains(&at));
        }
    }
    if let Some(root) = index.cache_tree.as_ref().and_then(|t| t.root()) {
        let _ = root.node().valid;
        for entry in index.entries.iter().take(64) {
            let first = index
                .path(entry)
                .split(|&b| b == b'/')
                .next()
                .unwrap_or(b"");
            let _ = root.child(first);
        }
    }
});
