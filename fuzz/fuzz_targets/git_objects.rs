//! The object database's parsers on arbitrary bytes: delta application, tree entries,
//! commit and tag headers, loose object headers, pack entry headers and pack index files.
//! None may panic, and what each accepts must hold up: a delta's result has the size it
//! announced, tree names are non-empty and hold no `/`, an entry header never claims more
//! bytes than it was given and an `OFS_DELTA` base lies before its entry, an index lookup
//! of an id it lists finds it.
//!
//! Input: two bytes `n` (big-endian) then BODY; the delta is applied to BODY's first `n`
//! bytes (the base) using the rest as the delta. Every other parser reads all of BODY.
#![no_main]

use blinkline::testing::git::RawOid;
use blinkline::testing::git::object::MAX_OBJECT_SIZE;
use blinkline::testing::git::object::delta::{apply_delta, delta_sizes};
use blinkline::testing::git::object::pack::{EntryHeader, parse_entry_header};
use blinkline::testing::git::object::pack_index::PackIndex;
use blinkline::testing::git::object::parse::{
    parse_commit, parse_loose_header, parse_tag, parse_tree,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((head, body)) = data.split_first_chunk::<2>() else {
        return;
    };
    let split = usize::from(u16::from_be_bytes(*head)).min(body.len());
    let (base, delta) = body.split_at(split);
    let mut out = Vec::new();
    if apply_delta(base, delta, &mut out).is_ok() {
        let (base_size, result_size, _) = delta_sizes(delta).expect("sizes of an applied delta");
        assert_eq!(base_size, base.len() as u64);
        assert_eq!(result_size, out.len() as u64);
    }

    let mut entries = Vec::new();
    if parse_tree(body, &mut entries).is_ok() {
        for entry in &entries {
            assert!(!entry.name.is_empty() && !entry.name.contains(&b'/'));
        }
    }
    let _ = parse_commit(body);
    let _ = parse_tag(body);
    if let Ok((_, size, header_len)) = parse_loose_header(body) {
        assert!(size as u64 <= MAX_OBJECT_SIZE && header_len <= body.len());
    }

    let offset = 1 << 20;
    if let Ok((header, len)) = parse_entry_header(body, offset) {
        assert!(len <= body.len() && header.size() <= MAX_OBJECT_SIZE);
        if let EntryHeader::OfsDelta { base, .. } = header {
            assert!(base < offset);
        }
    }

    if let Ok(index) = PackIndex::parse(body.to_vec()) {
        for i in 0..index.count().min(64) {
            let oid = index.oid_at(i).expect("an id below the count");
            let _ = index.offset(i);
            // Ids out of order may hide an entry from the binary search, never invent one.
            if let Ok(Some(found)) = index.lookup(&oid) {
                let listed = (0..index.count())
                    .any(|j| index.oid_at(j) == Some(oid) && index.offset(j) == Ok(found));
                assert!(listed, "a lookup found an offset the index does not list");
            }
        }
        let _ = index.lookup(&RawOid([0xab; 20]));
    }
});
