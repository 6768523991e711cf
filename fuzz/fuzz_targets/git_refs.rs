//! The git parsers on arbitrary bytes: `HEAD`/loose refs, `packed-refs` lookups and tag
//! search, `.git` files (`gitdir: PATH`), a branch's upstream from `config`, `git status
//! --porcelain=v2 -z` output, config text as git's syntax reads it, `git diff --shortstat` output and the cached status record.
//! None may panic, and what each returns must hold up: a symbolic `HEAD` names a ref that
//! is safe to turn into a path, a packed-refs hit is a line of the file, a decoded status
//! record encodes back to itself.
//!
//! Input: `NAME \0 BODY`; NAME is the ref looked up (and the branch whose upstream is
//! asked for), BODY is fed to every parser.
#![no_main]

use blinkline::testing::git::config_syntax::{Item, items};
use blinkline::testing::git::discover::parse_gitdir_file;
use blinkline::testing::git::record::StatusRecord;
use blinkline::testing::git::refs::{
    HeadTarget, packed_lookup, packed_tag_for, parse_head, valid_ref_name,
};
use blinkline::testing::git::state::parse_config_upstream;
use blinkline::testing::git::{porcelain, refresh};
use libfuzzer_sys::fuzz_target;

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

fuzz_target!(|data: &[u8]| {
    let (name, body) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&b"refs/heads/main"[..], data),
    };

    match parse_head(body) {
        Some(HeadTarget::Symbolic(target)) => {
            assert!(
                valid_ref_name(target),
                "HEAD names an unsafe ref {target:?}"
            );
            assert!(!target.starts_with(b"/") && !contains(target, b".."));
        }
        Some(HeadTarget::Detached(oid)) => {
            assert!(matches!(oid.as_str().len(), 40 | 64));
            assert!(contains(body, oid.as_bytes()));
        }
        None => {}
    }

    if let Ok(Some(oid)) = packed_lookup(body, name) {
        let mut line = oid.as_bytes().to_vec();
        line.push(b' ');
        line.extend_from_slice(name);
        assert!(
            contains(body, &line),
            "a packed-refs hit that is not a line of the file"
        );
        if let Some(tag) = packed_tag_for(body, &oid) {
            assert!(contains(body, tag));
        }
    }

    if let Some(target) = parse_gitdir_file(body) {
        assert!(!target.is_empty() && target.trim_ascii() == target);
    }

    for item in items(body) {
        match item {
            Item::Entry(entry) => {
                assert!(entry.end <= body.len() && entry.header.end <= entry.end);
                assert!(entry.key.first().is_some_and(u8::is_ascii_alphabetic));
            }
            Item::Header(range) => assert!(range.end <= body.len()),
            Item::Error { line } => assert!(line >= 1),
        }
    }

    let mut upstream = Vec::new();
    if parse_config_upstream(body, name, &mut upstream) {
        assert!(
            name.starts_with(b"refs/heads/"),
            "an upstream for a non-branch"
        );
    } else {
        assert!(upstream.is_empty());
    }

    if let Ok(p) = porcelain::parse(body) {
        let fields = body.split(|&b| b == 0).count() as u64;
        let c = p.counts;
        let entries = [c.staged, c.renamed, c.untracked, c.conflicted];
        assert!(entries.iter().all(|&n| u64::from(n) <= fields));
    }

    if let Ok(text) = std::str::from_utf8(body) {
        let _ = refresh::parse_shortstat(text);
    }

    if let Some(record) = StatusRecord::decode(body) {
        let again = record.encode(record.failed.then_some("failed"));
        assert_eq!(
            StatusRecord::decode(&again),
            Some(record),
            "record does not round-trip"
        );
    }
});
