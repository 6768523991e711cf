//! gitignore parsing and matching on arbitrary bytes, and the untracked cache's decoder.
//! Input: an ignore file, a NUL, then NUL-separated paths. Checks: no panic and no hang
//! (libFuzzer's timeout), a pattern of escaped bytes matches exactly its text, a glob-free
//! name matches only itself, and a decoded cache encodes to bytes that decode the same.
#![no_main]

use blinkline::testing::git::ignore::PatternList;
use blinkline::testing::git::untracked::UntrackedCache;
use blinkline::testing::git::wildmatch::{PATHNAME, is_glob_special, wildmatch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0);
    let content = parts.next().unwrap_or_default();
    let list = PatternList::parse(content, b"");
    let nested = PatternList::parse(content, b"dir/");
    for path in parts.filter(|p| !p.is_empty()) {
        for is_dir in [false, true] {
            let _ = list.decide(path, is_dir);
            let _ = nested.decide(path, is_dir);
        }
        let _ = wildmatch(content, path, PATHNAME);
        let _ = wildmatch(content, path, 0);
        let escaped: Vec<u8> = path.iter().flat_map(|&b| [b'\\', b]).collect();
        assert!(wildmatch(&escaped, path, PATHNAME), "escaped {path:?}");
        if !path.iter().any(|&b| is_glob_special(b)) {
            assert!(wildmatch(path, path, PATHNAME) && wildmatch(path, path, 0));
            let mut other = path.to_vec();
            other.push(b'x');
            assert!(!wildmatch(path, &other, 0));
        }
    }
    if let Some(cache) = UntrackedCache::decode(data) {
        let bytes = cache.encode();
        let again = UntrackedCache::decode(&bytes).expect("an encoded cache decodes");
        assert_eq!(again.encode().len(), bytes.len());
    }
});
