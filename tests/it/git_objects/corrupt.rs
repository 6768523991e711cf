//! Damaged repositories: a truncated pack, flipped bytes in a zlib stream, a delta that
//! copies out of range, a `REF_DELTA` cycle, an index whose fanout goes down, a loose
//! object whose header lies about its size. Each read is an error, never a panic or hang.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use blinkline::testing::git::RawOid;
use blinkline::testing::git::object::delta::encode_size;
use blinkline::testing::git::object::{ObjectKind, ObjectStore};

use super::repo::{Repo, TempDir, all_objects};

fn zlib(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// A pack entry: type, size header, optional base, zlib data.
fn entry(kind: u8, size: usize, base: &[u8], data: &[u8]) -> Vec<u8> {
    let mut e = vec![(kind << 4) | (size & 15) as u8];
    let mut rest = size >> 4;
    while rest > 0 {
        *e.last_mut().unwrap() |= 0x80;
        e.push((rest & 0x7f) as u8);
        rest >>= 7;
    }
    e.extend_from_slice(base);
    e.extend_from_slice(&zlib(data));
    e
}

/// Writes `objects/pack/pack-test.{pack,idx}` holding `entries` under the given ids.
fn write_pack(objects: &Path, entries: &[(RawOid, Vec<u8>)]) {
    let mut pack = b"PACK\0\0\0\x02".to_vec();
    pack.extend_from_slice(&(entries.len() as u32).to_be_bytes());
    let mut offsets = Vec::new();
    for (oid, bytes) in entries {
        offsets.push((*oid, pack.len() as u32));
        pack.extend_from_slice(bytes);
    }
    pack.extend_from_slice(&[0; 20]);
    offsets.sort();
    let mut idx = b"\xfftOc\0\0\0\x02".to_vec();
    for b in 0..256usize {
        let n = offsets
            .iter()
            .filter(|(o, _)| usize::from(o.0[0]) <= b)
            .count() as u32;
        idx.extend_from_slice(&n.to_be_bytes());
    }
    offsets
        .iter()
        .for_each(|(o, _)| idx.extend_from_slice(&o.0));
    offsets.iter().for_each(|_| idx.extend_from_slice(&[0; 4]));
    offsets
        .iter()
        .for_each(|(_, at)| idx.extend_from_slice(&at.to_be_bytes()));
    idx.extend_from_slice(&[0; 40]);
    std::fs::create_dir_all(objects.join("pack")).unwrap();
    std::fs::write(objects.join("pack/pack-test.pack"), pack).unwrap();
    std::fs::write(objects.join("pack/pack-test.idx"), idx).unwrap();
}

fn delta(base_len: usize, result_len: usize, body: &[u8]) -> Vec<u8> {
    let mut d = Vec::new();
    encode_size(base_len as u64, &mut d);
    encode_size(result_len as u64, &mut d);
    d.extend_from_slice(body);
    d
}

fn empty_repo(tmp: &TempDir) -> Repo {
    tmp.repo("r")
}

#[test]
fn hand_built_deltas_resolve_and_bad_ones_are_errors() {
    let tmp = TempDir::new("bad-delta");
    let repo = empty_repo(&tmp);
    let objects = repo.dir.join(".git/objects");
    let base = b"0123456789abcdef";
    let (good_base, good, out_of_range, cycle_a, cycle_b, too_far) = (
        RawOid([1; 20]),
        RawOid([2; 20]),
        RawOid([3; 20]),
        RawOid([4; 20]),
        RawOid([5; 20]),
        RawOid([6; 20]),
    );
    let good_delta = delta(16, 6, &[0x91, 10, 6]); // copy "abcdef"
    let bad_delta = delta(16, 6, &[0x91, 14, 6]); // copy 14..20 of a 16-byte base
    let base_entry = entry(3, 16, &[], base);
    let base_len = base_entry.len() as u8;
    let mut entries = vec![(good_base, base_entry)];
    entries.push((good, entry(6, good_delta.len(), &[base_len], &good_delta)));
    let second = entries[1].1.len() as u8;
    entries.push((
        out_of_range,
        entry(6, bad_delta.len(), &[base_len + second], &bad_delta),
    ));
    entries.push((cycle_a, entry(7, good_delta.len(), &cycle_b.0, &good_delta)));
    entries.push((cycle_b, entry(7, good_delta.len(), &cycle_a.0, &good_delta)));
    entries.push((too_far, entry(6, good_delta.len(), &[0x7f], &good_delta)));
    write_pack(&objects, &entries);

    let store = ObjectStore::open(&repo.dir.join(".git")).unwrap();
    let mut out = Vec::new();
    assert_eq!(store.read(&good_base, &mut out).unwrap(), ObjectKind::Blob);
    assert_eq!(out, base);
    assert_eq!(store.read(&good, &mut out).unwrap(), ObjectKind::Blob);
    assert_eq!(out, b"abcdef");
    let err = store.read(&out_of_range, &mut out).unwrap_err().to_string();
    assert!(
        err.contains("delta copy out of range") && err.contains("pack-test.pack"),
        "{err}"
    );
    let err = store.read(&cycle_a, &mut out).unwrap_err().to_string();
    assert!(err.contains("delta chain too long"), "{err}");
    let err = store.read(&too_far, &mut out).unwrap_err().to_string();
    assert!(err.contains("offset out of range"), "{err}");
}

/// A repository with a pack and some loose objects of real content.
fn packed_repo(tmp: &TempDir) -> Repo {
    let repo = tmp.repo("r");
    for i in 0..20 {
        repo.write("f.txt", &"some text that repeats\n".repeat(50 + i));
        repo.write(&format!("d/{i}.txt"), &format!("{i}\n"));
        repo.commit(&format!("c{i}"));
    }
    repo.git(&["repack", "-a", "-d", "-f"]);
    repo
}

fn pack_path(repo: &Repo, ext: &str) -> std::path::PathBuf {
    let dir = repo.dir.join(".git/objects/pack");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == ext))
        .unwrap()
}

/// Reads every object: each is either what git had before the damage or an error.
fn read_all_after_damage(store: &ObjectStore, before: &[(RawOid, ObjectKind, Vec<u8>)]) -> usize {
    let mut out = Vec::new();
    let mut errors = 0;
    for (oid, kind, content) in before {
        match store.read(oid, &mut out) {
            Ok(k) => assert!(
                k == *kind && out == *content,
                "{oid:?} read wrong after damage"
            ),
            Err(_) => errors += 1,
        }
    }
    errors
}

#[test]
fn a_truncated_pack_gives_errors_not_panics() {
    let tmp = TempDir::new("truncated");
    let repo = packed_repo(&tmp);
    let before = all_objects(&repo);
    let pack = pack_path(&repo, "pack");
    let len = std::fs::metadata(&pack).unwrap().len();
    let file = std::fs::OpenOptions::new().write(true).open(&pack).unwrap();
    file.set_len(len / 2).unwrap();
    let store = ObjectStore::open(&repo.dir.join(".git")).unwrap();
    assert!(read_all_after_damage(&store, &before) > 0);
}

#[test]
fn flipped_bytes_in_a_pack_give_errors_not_panics() {
    let tmp = TempDir::new("flipped");
    let repo = packed_repo(&tmp);
    let before = all_objects(&repo);
    let pack = pack_path(&repo, "pack");
    let mut bytes = std::fs::read(&pack).unwrap();
    for at in (40..bytes.len() - 20).step_by(97) {
        bytes[at] ^= 0x5a;
    }
    std::fs::write(&pack, bytes).unwrap();
    let store = ObjectStore::open(&repo.dir.join(".git")).unwrap();
    assert!(read_all_after_damage(&store, &before) > before.len() / 2);
}

#[test]
fn a_flipped_byte_in_a_loose_object_is_a_checksum_or_stream_error() {
    let tmp = TempDir::new("loose-flip");
    let repo = tmp.repo("r");
    repo.write("a.txt", &"loose content\n".repeat(40));
    repo.commit("one");
    let blob = repo.rev("HEAD:a.txt");
    let hex = blob.to_hex();
    let path = repo
        .dir
        .join(".git/objects")
        .join(&hex.as_str()[..2])
        .join(&hex.as_str()[2..]);
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(&path, bytes).unwrap();
    let err = repo
        .store()
        .read(&blob, &mut Vec::new())
        .unwrap_err()
        .to_string();
    assert!(err.contains("zlib") || err.contains("header says"), "{err}");
}

#[test]
fn an_index_whose_fanout_goes_down_is_refused_at_open() {
    let tmp = TempDir::new("fanout");
    let repo = packed_repo(&tmp);
    let idx = pack_path(&repo, "idx");
    let mut bytes = std::fs::read(&idx).unwrap();
    bytes[8 + 100 * 4..8 + 101 * 4].copy_from_slice(&u32::MAX.to_be_bytes());
    std::fs::set_permissions(&idx, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(&idx, bytes).unwrap();
    let err = ObjectStore::open(&repo.dir.join(".git"))
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains("fanout is not monotonic") && err.contains(".idx"),
        "{err}"
    );
}

#[test]
fn a_loose_object_whose_header_lies_about_its_size_is_an_error() {
    let tmp = TempDir::new("lying");
    let repo = tmp.repo("r");
    let objects = repo.dir.join(".git/objects");
    let cases: [(&[u8], &str); 4] = [
        (b"blob 5\0twenty bytes of content", "longer than its header"),
        (
            b"blob 99\0twenty bytes of content",
            "shorter than its header",
        ),
        (b"blob 999999999999\0x", "larger than the limit"),
        (b"bolb 1\0x", "unknown kind"),
    ];
    for (i, (content, want)) in cases.iter().enumerate() {
        let oid = RawOid([0x10 + i as u8; 20]);
        let hex = oid.to_hex();
        let dir = objects.join(&hex.as_str()[..2]);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(&hex.as_str()[2..]), zlib(content)).unwrap();
        let err = repo
            .store()
            .read(&oid, &mut Vec::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{want}: {err}");
    }
}

#[test]
fn a_damaged_commit_graph_is_ignored_and_commits_are_inflated() {
    let tmp = TempDir::new("bad-graph");
    let repo = packed_repo(&tmp);
    repo.git(&["checkout", "-q", "-b", "side", "HEAD~3"]);
    repo.commit("side");
    repo.git(&["commit-graph", "write", "--reachable"]);
    let graph = repo.dir.join(".git/objects/info/commit-graph");
    let bytes = std::fs::read(&graph).unwrap();
    std::fs::set_permissions(&graph, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(&graph, &bytes[..bytes.len() / 2]).unwrap();
    let store = repo.store();
    assert!(!store.has_commit_graph());
    let (main, side) = (repo.rev("main"), repo.rev("side"));
    let counts = blinkline::testing::git::object::ahead_behind(&store, &main, &side).unwrap();
    assert_eq!(counts, (3, 1));
}

#[test]
fn a_fifo_in_place_of_a_loose_object_is_refused_without_blocking() {
    let tmp = TempDir::new("fifo");
    let repo = tmp.repo("r");
    let oid = RawOid([0x42; 20]);
    let hex = oid.to_hex();
    let dir = repo.dir.join(".git/objects").join(&hex.as_str()[..2]);
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join(&hex.as_str()[2..]);
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let err = repo
        .store()
        .read(&oid, &mut Vec::new())
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a regular file"), "{err}");
}
