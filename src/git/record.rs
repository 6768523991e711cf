//! What a render knows about a repository (a [`Snapshot`] read from `.git` inline) and
//! what the refresher leaves in the cache (a [`StatusRecord`]), with the keys that tell
//! whether the record still describes the repository.
//!
//! A record is a few lines of text: `blinkline-git 3`, then `key`, `ab_key` (hex),
//! `time` (Unix ms), `counts` (seven numbers or `-`), `ab` (two numbers or `-`), `lines`
//! (two numbers or `-`), `source` (`engine`, `inline`, `git` or `-`: which engine computed
//! the counts), optionally `watched` (Unix ms until which a watcher vouches for the
//! counts), optionally `head` (what git said `HEAD` is, in a repository whose refs only
//! git reads: `branch NAME`, `unborn NAME` or `detached OID TAG`, names in hex, `-` for
//! no tag) and optionally `error TEXT`. Records of another version read as absent.
//! Decoding never allocates; [`head_name_into`] reads the `head` line's name.
//!
//! Read next: `refresh.rs`.

use crate::cache::fnv1a;
use crate::git::discover::Repo;
use crate::git::porcelain::Counts;
use crate::git::refs::{HeadTarget, Scratch, parse_head, resolve, resolve_to_name};
use crate::git::state::{Operation, load_config, operation, upstream};
use crate::git::{GitError, Oid, join_into, read_into};

/// What `HEAD` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadKind {
    /// On a branch that has commits.
    Branch,
    /// On a branch with no commits yet.
    Unborn,
    /// Not on a branch.
    Detached,
}

/// The repository's state read inline: `HEAD`, operation, upstream. The branch and
/// upstream names are in the [`Scratch`] (`head_ref`, `upstream_ref`).
#[derive(Clone, Copy, Debug)]
pub struct Snapshot {
    pub kind: HeadKind,
    pub oid: Option<Oid>,
    pub operation: Option<Operation>,
    /// The upstream's commit; `None` without an upstream, when it is not fetched, or when
    /// `HEAD` is detached (a rebase in progress included).
    pub upstream: Option<Oid>,
    /// Only git reads this repository's refs (reftable): `HEAD`, its commit and the
    /// upstream are not read inline ([`deferred`]); what git said is in the record.
    pub deferred: bool,
}

/// The snapshot of a repository whose refs only git reads (reftable): the operation in
/// progress (read from files in the git directory, as elsewhere), nothing from the refs.
/// The branch a rebase works on is left in `s.head_ref`; the rest comes from the record
/// the refresher wrote from `git status`.
pub fn deferred(repo: &Repo, s: &mut Scratch) -> Snapshot {
    s.head_ref.clear();
    s.upstream_ref.clear();
    Snapshot {
        kind: HeadKind::Branch,
        oid: None,
        operation: operation(repo, s),
        upstream: None,
        deferred: true,
    }
}

/// Reads `HEAD`, the operation in progress and the upstream.
pub fn inspect(repo: &Repo, s: &mut Scratch) -> Result<Snapshot, GitError> {
    load_config(repo, s)?;
    let path = join_into(&mut s.path, &repo.git_dir, "HEAD");
    if !read_into(path, &mut s.data)? {
        return Err(GitError::Corrupt {
            path: repo.git_dir.join("HEAD"),
            what: "git: HEAD is missing",
        });
    }
    s.head_ref.clear();
    let (mut kind, oid) = match parse_head(&s.data) {
        Some(HeadTarget::Detached(oid)) => (HeadKind::Detached, Some(oid)),
        Some(HeadTarget::Symbolic(name)) => {
            s.head_ref.extend_from_slice(name);
            let head_ref = std::mem::take(&mut s.head_ref);
            // A branch that is itself a symbolic ref names the branch it ends at.
            let mut last = std::mem::take(&mut s.upstream_ref);
            let oid = resolve_to_name(repo, &head_ref, s, &mut last);
            s.head_ref = head_ref;
            if last.starts_with(b"refs/") && last != s.head_ref {
                std::mem::swap(&mut s.head_ref, &mut last);
            }
            s.upstream_ref = last;
            match oid? {
                Some(oid) => (HeadKind::Branch, Some(oid)),
                None => (HeadKind::Unborn, None),
            }
        }
        None => {
            return Err(GitError::Corrupt {
                path: repo.git_dir.join("HEAD"),
                what: "git: corrupt HEAD",
            });
        }
    };
    let operation = operation(repo, s);
    let detached = kind == HeadKind::Detached;
    if detached && !s.head_ref.is_empty() {
        // Rebasing: show the branch being rebased.
        kind = HeadKind::Branch;
    }
    // A detached HEAD has no upstream (as `git status` reports it), even mid-rebase.
    let mut upstream_oid = None;
    if !detached && !s.head_ref.is_empty() && upstream(repo, s)? {
        let up = std::mem::take(&mut s.upstream_ref);
        let found = resolve(repo, &up, s);
        s.upstream_ref = up;
        upstream_oid = found?;
    }
    Ok(Snapshot {
        kind,
        oid,
        operation,
        upstream: upstream_oid,
        deferred: false,
    })
}

fn mix(hash: u64, bytes: &[u8]) -> u64 {
    (hash ^ fnv1a(bytes))
        .rotate_left(23)
        .wrapping_mul(0x0100_0000_01b3)
}

fn mix_meta(hash: u64, meta: Option<std::fs::Metadata>) -> u64 {
    match meta {
        Some(m) => {
            let m = crate::sys::fs::stat_of(&m);
            let mut bytes = [0u8; 40];
            bytes[..8].copy_from_slice(&m.size.to_le_bytes());
            bytes[8..16].copy_from_slice(&m.mtime.to_le_bytes());
            bytes[16..24].copy_from_slice(&m.mtime_nsec.to_le_bytes());
            bytes[24..32].copy_from_slice(&m.ino.to_le_bytes());
            bytes[32..40].copy_from_slice(&m.ctime_nsec.to_le_bytes());
            mix(hash, &bytes)
        }
        None => mix(hash, b"-"),
    }
}

/// The identity a status record is valid for: git directory, `HEAD` (ref and commit), the
/// index's stat data and the stash reflog's. In a reftable repository, where `HEAD` is not
/// read inline, the reftable stacks' `tables.list` (rewritten on every ref update, `HEAD`
/// and the stash included) stands for the refs.
pub fn status_key(repo: &Repo, snap: &Snapshot, s: &mut Scratch) -> u64 {
    let mut hash = mix(0, repo.git_dir.as_os_str().as_encoded_bytes());
    if snap.deferred {
        for dir in [&repo.git_dir, &repo.common_dir] {
            let tables = join_into(&mut s.path, dir, "reftable/tables.list");
            hash = mix_meta(hash, std::fs::metadata(tables).ok());
        }
    }
    hash = mix(hash, &s.head_ref);
    hash = mix(hash, snap.oid.as_ref().map_or(&b"-"[..], Oid::as_bytes));
    let index = std::fs::metadata(join_into(&mut s.path, &repo.git_dir, "index")).ok();
    hash = mix_meta(hash, index);
    let stash = std::fs::metadata(join_into(&mut s.path, &repo.common_dir, "logs/refs/stash")).ok();
    mix_meta(hash, stash)
}

/// The identity ahead/behind is valid for: the two commits.
pub fn ab_key(snap: &Snapshot) -> u64 {
    let hash = mix(0, snap.oid.as_ref().map_or(&b"-"[..], Oid::as_bytes));
    mix(
        hash,
        snap.upstream.as_ref().map_or(&b"-"[..], Oid::as_bytes),
    )
}

/// The cache record name of a repository (one per worktree).
pub fn record_name(repo: &Repo) -> String {
    crate::cache::record_name("git", &[repo.git_dir.as_os_str().as_encoded_bytes()])
}

/// What the refresher computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatusRecord {
    pub key: u64,
    pub ab_key: u64,
    /// When it was computed, Unix milliseconds.
    pub time_ms: i64,
    /// `None` in a bare repository, or when `git status` failed.
    pub counts: Option<Counts>,
    pub ahead_behind: Option<(u32, u32)>,
    /// Insertions and deletions against `HEAD`, when asked for.
    pub lines: Option<(u64, u64)>,
    /// `git status` failed (details are on the refresher's record line).
    pub failed: bool,
    /// Which engine computed the counts.
    pub source: StatusSource,
    /// Until when (Unix ms) a running watcher vouches for the counts (`git/watch/`):
    /// it sees every change in the work tree and rewrites the record at once, so the
    /// record stays fresh whatever its age. 0: no watcher.
    pub watched_until_ms: i64,
    /// What git said `HEAD` is, in a repository whose refs only git reads (the branch or
    /// tag name is on the record's `head` line: [`head_name_into`]).
    pub head: RecordHead,
}

/// `HEAD` as `git status` reported it (`# branch.head`, `# branch.oid`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RecordHead {
    /// Not recorded (a repository whose refs are read inline, or git failed).
    #[default]
    Unknown,
    /// On a branch that has commits.
    Branch,
    /// On a branch with no commits yet.
    Unborn,
    /// Not on a branch; the name is the tag `git describe --tags --exact-match` gave.
    Detached(Oid),
}

/// Decodes the name on the `head` line of record `bytes` (hex) into `out`; false when
/// there is none (no `head` line, no tag, or not hex).
pub fn head_name_into(bytes: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let text = memchr::memchr(0, bytes).map_or(bytes, |end| &bytes[..end]);
    let Some(line) = text
        .split(|&b| b == b'\n')
        .find_map(|l| l.strip_prefix(b"head "))
    else {
        return false;
    };
    let Some(hex) = line.rsplit(|&b| b == b' ').next() else {
        return false;
    };
    let nibble = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    };
    if hex.len() % 2 != 0 || hex.is_empty() {
        return false;
    }
    for pair in hex.chunks_exact(2) {
        match (nibble(pair[0]), nibble(pair[1])) {
            (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
            _ => {
                out.clear();
                return false;
            }
        }
    }
    true
}

/// Which engine answered, for `explain`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatusSource {
    /// No counts (a bare repository, or nothing computed yet).
    #[default]
    None,
    /// The own engine (`engine.rs`), in the refresher.
    Engine,
    /// The own engine, inline in a render of a small repository.
    Inline,
    /// `git status`: the engine left this repository's state to git.
    Git,
}

impl StatusSource {
    fn name(self) -> &'static str {
        match self {
            StatusSource::None => "-",
            StatusSource::Engine => "engine",
            StatusSource::Inline => "inline",
            StatusSource::Git => "git",
        }
    }

    fn from_name(name: &str) -> Option<StatusSource> {
        [
            StatusSource::None,
            StatusSource::Engine,
            StatusSource::Inline,
            StatusSource::Git,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }
}

const MAGIC: &str = "blinkline-git 3";

impl StatusRecord {
    pub fn encode(&self, error: Option<&str>) -> Vec<u8> {
        self.encode_with_name(error, b"")
    }

    /// Encodes the record with `name` (the branch, or the tag of a detached `HEAD`) on
    /// its `head` line.
    pub fn encode_with_name(&self, error: Option<&str>, name: &[u8]) -> Vec<u8> {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{MAGIC}\nkey {:016x}\nab_key {:016x}\ntime {}",
            self.key, self.ab_key, self.time_ms
        );
        match self.counts {
            Some(c) => {
                let _ = writeln!(
                    out,
                    "counts {} {} {} {} {} {} {}",
                    c.staged, c.modified, c.deleted, c.renamed, c.untracked, c.conflicted, c.stash
                );
            }
            None => out.push_str("counts -\n"),
        }
        match self.ahead_behind {
            Some((a, b)) => {
                let _ = writeln!(out, "ab {a} {b}");
            }
            None => out.push_str("ab -\n"),
        }
        match self.lines {
            Some((i, d)) => {
                let _ = writeln!(out, "lines {i} {d}");
            }
            None => out.push_str("lines -\n"),
        }
        let _ = writeln!(out, "source {}", self.source.name());
        if self.watched_until_ms != 0 {
            let _ = writeln!(out, "watched {}", self.watched_until_ms);
        }
        let hex = |out: &mut String| {
            if name.is_empty() {
                out.push('-');
            }
            for b in name {
                let _ = write!(out, "{b:02x}");
            }
            out.push('\n');
        };
        match self.head {
            RecordHead::Unknown => {}
            RecordHead::Branch => {
                out.push_str("head branch ");
                hex(&mut out);
            }
            RecordHead::Unborn => {
                out.push_str("head unborn ");
                hex(&mut out);
            }
            RecordHead::Detached(oid) => {
                let _ = write!(out, "head detached {} ", oid.as_str());
                hex(&mut out);
            }
        }
        if let Some(e) = error {
            let _ = writeln!(out, "error {}", e.replace('\n', " "));
        }
        out.into_bytes()
    }

    /// The record with the witness of its counts after it (`witness.rs`: an inline
    /// status's proof, which a later process checks instead of computing again). The
    /// text ends at a NUL byte; the witness's bytes follow it.
    pub fn encode_with_witness(&self, witness: &[u8]) -> Vec<u8> {
        let mut out = self.encode(None);
        out.push(0);
        out.extend_from_slice(witness);
        out
    }

    /// Decodes a record; `None` for anything this version did not write.
    pub fn decode(bytes: &[u8]) -> Option<StatusRecord> {
        let text = memchr::memchr(0, bytes).map_or(bytes, |end| &bytes[..end]);
        let text = std::str::from_utf8(text).ok()?;
        let mut lines = text.lines();
        if lines.next()? != MAGIC {
            return None;
        }
        let mut record = StatusRecord::default();
        for line in lines {
            let (tag, rest) = line.split_once(' ').unwrap_or((line, ""));
            let mut nums = rest.split(' ');
            let mut next = || nums.next().and_then(|n| n.parse::<u64>().ok());
            match tag {
                "key" => record.key = u64::from_str_radix(rest, 16).ok()?,
                "ab_key" => record.ab_key = u64::from_str_radix(rest, 16).ok()?,
                "time" => record.time_ms = rest.parse().ok()?,
                "counts" if rest == "-" => record.counts = None,
                "counts" => {
                    let mut n = || next().and_then(|v| u32::try_from(v).ok());
                    record.counts = Some(Counts {
                        staged: n()?,
                        modified: n()?,
                        deleted: n()?,
                        renamed: n()?,
                        untracked: n()?,
                        conflicted: n()?,
                        stash: n()?,
                    });
                }
                "ab" if rest == "-" => record.ahead_behind = None,
                "ab" => {
                    let a = u32::try_from(next()?).ok()?;
                    let b = u32::try_from(next()?).ok()?;
                    record.ahead_behind = Some((a, b));
                }
                "lines" if rest == "-" => record.lines = None,
                "lines" => record.lines = Some((next()?, next()?)),
                "source" => record.source = StatusSource::from_name(rest)?,
                "watched" => record.watched_until_ms = rest.parse().ok()?,
                "head" => record.head = decode_head(rest)?,
                "error" => record.failed = true,
                _ => {}
            }
        }
        Some(record)
    }
}

/// The witness stored after a record's text ([`StatusRecord::encode_with_witness`]).
pub fn stored_witness(bytes: &[u8]) -> Option<&[u8]> {
    memchr::memchr(0, bytes).map(|end| &bytes[end + 1..])
}

/// The kind on a `head` line (its name is read by [`head_name_into`]).
fn decode_head(rest: &str) -> Option<RecordHead> {
    let mut fields = rest.split(' ');
    let head = match fields.next()? {
        "branch" => RecordHead::Branch,
        "unborn" => RecordHead::Unborn,
        "detached" => RecordHead::Detached(Oid::parse(fields.next()?.as_bytes())?),
        _ => return None,
    };
    let name = fields.next()?;
    let hex = name.len() % 2 == 0 && name.bytes().all(|b| b.is_ascii_hexdigit());
    let named = name != "-" || matches!(head, RecordHead::Detached(_));
    (fields.next().is_none() && (hex && !name.is_empty() || name == "-") && named).then_some(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_survives_encoding() {
        let r = StatusRecord {
            key: 0xdead_beef,
            ab_key: 7,
            time_ms: 1_800_000_000_000,
            counts: Some(Counts {
                staged: 1,
                modified: 2,
                deleted: 3,
                renamed: 4,
                untracked: 5,
                conflicted: 6,
                stash: 7,
            }),
            ahead_behind: Some((3, 0)),
            lines: None,
            failed: false,
            source: StatusSource::Git,
            watched_until_ms: 1_800_000_005_000,
            head: RecordHead::Unknown,
        };
        assert_eq!(StatusRecord::decode(&r.encode(None)), Some(r));
        let failed = StatusRecord::decode(&r.encode(Some("boom\nline"))).unwrap();
        assert!(failed.failed);
    }

    #[test]
    fn a_stored_witness_leaves_the_record_as_it_was() {
        let r = StatusRecord {
            key: 9,
            counts: Some(Counts::default()),
            source: StatusSource::Inline,
            ..StatusRecord::default()
        };
        // Paths are any bytes: not UTF-8, with line breaks and what looks like a line.
        let witness = b"\x01\x02\x03\x04\x05\x06\x07\x08a\xff\nhead branch 6d61696e\n\0";
        let bytes = r.encode_with_witness(witness);
        assert_eq!(StatusRecord::decode(&bytes), Some(r));
        assert_eq!(stored_witness(&bytes), Some(&witness[..]));
        assert_eq!(stored_witness(&r.encode(None)), None);
        let mut name = Vec::new();
        assert!(
            !head_name_into(&bytes, &mut name),
            "no name in the record's text"
        );
    }

    #[test]
    fn foreign_or_damaged_records_decode_to_none() {
        assert_eq!(StatusRecord::decode(b"blinkline-git 1\nkey 1\n"), None);
        assert_eq!(StatusRecord::decode(b"blinkline-git 2\nkey 1\n"), None);
        assert_eq!(StatusRecord::decode(b"blinkline-git 4\nkey 1\n"), None);
        assert_eq!(StatusRecord::decode(b"blinkline-git 3\nkey zz\n"), None);
        assert_eq!(StatusRecord::decode(b"blinkline-git 3\ncounts 1 2\n"), None);
        assert_eq!(StatusRecord::decode(b"blinkline-git 3\nsource gix\n"), None);
        assert_eq!(
            StatusRecord::decode(b"blinkline-git 3\nhead branch -\n"),
            None
        );
        assert_eq!(
            StatusRecord::decode(b"blinkline-git 3\nhead branch 6\n"),
            None
        );
        assert_eq!(
            StatusRecord::decode(b"blinkline-git 3\nhead other 61\n"),
            None
        );
        assert_eq!(StatusRecord::decode(b"\xff"), None);
    }

    #[test]
    fn the_head_git_reported_survives_encoding_with_its_name() {
        let oid = Oid::parse(&[b'c'; 40]).unwrap();
        for (head, name) in [
            (RecordHead::Branch, &b"feature/\xff x"[..]),
            (RecordHead::Unborn, b"main"),
            (RecordHead::Detached(oid), b"v1.0"),
            (RecordHead::Detached(oid), b""),
        ] {
            let r = StatusRecord {
                head,
                ..StatusRecord::default()
            };
            let bytes = r.encode_with_name(None, name);
            assert_eq!(StatusRecord::decode(&bytes), Some(r));
            let mut out = Vec::new();
            assert_eq!(head_name_into(&bytes, &mut out), !name.is_empty());
            assert_eq!(out, name);
        }
    }
}
