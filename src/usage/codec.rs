//! The usage index as cache records: LEB128 varints (zigzag for signed numbers), strings
//! with their length, costs as the 8 bytes of an `f64`. Two records: the index (files,
//! names, buckets), read by every report, and the call table (the winning line of every
//! call), read only when new lines arrive. Anything that is not exactly a record of this
//! version reads as `None`, and the index is then built again.

use crate::transcript::state::{FileId, Tokens};
use crate::usage::index::{BucketKey, Calls, FileEntry, Index, Session, Sums, Winner};

/// Bumped whenever the encoding or the meaning of a field changes.
const VERSION: u64 = 1;

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn u64(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }
    fn i64(&mut self, v: i64) {
        self.u64(((v << 1) ^ (v >> 63)) as u64);
    }
    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn tokens(&mut self, t: &Tokens) {
        for v in [
            t.input,
            t.output,
            t.cache_read,
            t.cache_write_5m,
            t.cache_write_1h,
        ] {
            self.u64(v);
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn u64(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for i in 0..10 {
            let (&b, rest) = self.0.split_first()?;
            self.0 = rest;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b < 0x80 {
                return Some(v);
            }
        }
        None
    }
    fn i64(&mut self) -> Option<i64> {
        let v = self.u64()?;
        Some((v >> 1) as i64 ^ -((v & 1) as i64))
    }
    fn f64(&mut self) -> Option<f64> {
        let (b, rest) = self.0.split_first_chunk::<8>()?;
        self.0 = rest;
        Some(f64::from_le_bytes(*b))
    }
    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.u64()?).ok()
    }
    /// A count that cannot exceed the bytes left (each item takes at least one).
    fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.0.len()).then_some(n)
    }
    fn str(&mut self) -> Option<String> {
        let n = self.count()?;
        let (s, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8(s.to_vec()).ok()
    }
    fn tokens(&mut self) -> Option<Tokens> {
        Some(Tokens {
            input: self.u64()?,
            output: self.u64()?,
            cache_read: self.u64()?,
            cache_write_5m: self.u64()?,
            cache_write_1h: self.u64()?,
        })
    }
}

/// The index record; `roots` (the config directories) are part of it, so an index made
/// for other directories reads as absent.
pub fn encode_index(index: &Index, roots: &str) -> Vec<u8> {
    let mut w = Writer::default();
    w.u64(VERSION);
    w.str(roots);
    w.u64(index.lines);
    w.u64(index.junk);
    for list in [&index.projects, &index.models] {
        w.u64(list.len() as u64);
        list.iter().for_each(|s| w.str(s));
    }
    w.u64(index.sessions.len() as u64);
    for s in &index.sessions {
        w.str(&s.name);
        w.u64(u64::from(s.project));
    }
    w.u64(index.files.len() as u64);
    for f in &index.files {
        w.str(&f.path);
        for v in [f.id.dev, f.id.ino, f.id.size] {
            w.u64(v);
        }
        w.i64(f.id.mtime_ns);
        w.u64(f.offset);
        w.0.extend_from_slice(&f.tail_hash.to_le_bytes());
        w.u64(u64::from(f.session));
    }
    w.u64(index.buckets.len() as u64);
    let mut last_quarter = 0;
    for (k, s) in &index.buckets {
        w.i64(k.quarter - last_quarter);
        last_quarter = k.quarter;
        w.u64(u64::from(k.session));
        w.u64(u64::from(k.model));
        w.tokens(&s.tokens);
        w.tokens(&s.costed);
        w.f64(s.cost_usd);
        w.u64(s.calls);
        w.i64(s.first_ms - k.quarter * crate::usage::index::QUARTER_MS);
        w.i64(s.last_ms - s.first_ms);
    }
    w.0
}

pub fn decode_index(bytes: &[u8], roots: &str) -> Option<Index> {
    let mut r = Reader(bytes);
    if r.u64()? != VERSION || r.str()? != roots {
        return None;
    }
    let mut index = Index {
        lines: r.u64()?,
        junk: r.u64()?,
        ..Index::default()
    };
    for list in [&mut index.projects, &mut index.models] {
        let n = r.count()?;
        for _ in 0..n {
            list.push(r.str()?);
        }
    }
    let n = r.count()?;
    for _ in 0..n {
        let name = r.str()?;
        let project = r.u32()?;
        if project as usize >= index.projects.len() {
            return None;
        }
        index.sessions.push(Session { name, project });
    }
    let n = r.count()?;
    for _ in 0..n {
        let path = r.str()?;
        let id = FileId {
            dev: r.u64()?,
            ino: r.u64()?,
            size: r.u64()?,
            mtime_ns: r.i64()?,
        };
        let offset = r.u64()?;
        let (hash, rest) = r.0.split_first_chunk::<8>()?;
        r.0 = rest;
        let session = r.u32()?;
        if session as usize >= index.sessions.len() {
            return None;
        }
        index.files.push(FileEntry {
            path,
            id,
            offset,
            tail_hash: u64::from_le_bytes(*hash),
            session,
        });
    }
    let n = r.count()?;
    let mut quarter = 0i64;
    for _ in 0..n {
        quarter = quarter.checked_add(r.i64()?)?;
        let key = BucketKey {
            quarter,
            session: r.u32()?,
            model: r.u32()?,
        };
        if key.session as usize >= index.sessions.len() || key.model as usize >= index.models.len()
        {
            return None;
        }
        let tokens = r.tokens()?;
        let costed = r.tokens()?;
        let cost_usd = r.f64()?;
        let calls = r.u64()?;
        let first_ms = quarter
            .checked_mul(crate::usage::index::QUARTER_MS)?
            .checked_add(r.i64()?)?;
        let last_ms = first_ms.checked_add(r.i64()?)?;
        index.buckets.insert(
            key,
            Sums {
                tokens,
                costed,
                cost_usd,
                calls,
                first_ms,
                last_ms,
            },
        );
    }
    r.0.is_empty().then_some(index)
}

/// The call table record; it belongs to the index whose `lines` count it carries.
pub fn encode_calls(calls: &Calls, lines: u64) -> Vec<u8> {
    // ~33 bytes a call: sized once, so the buffer never doubles past what it needs.
    let mut w = Writer(Vec::with_capacity(calls.len() * 36 + 16));
    w.u64(VERSION);
    w.u64(lines);
    w.u64(calls.len() as u64);
    for (key, c, cost) in calls.iter() {
        w.0.extend_from_slice(&key.to_le_bytes());
        w.i64(c.ms());
        w.u64(u64::from(c.session()));
        w.u64(u64::from(c.model()));
        w.tokens(&c.tokens());
        match cost {
            Some(cost) => {
                w.u64(1);
                w.f64(cost);
            }
            None => w.u64(0),
        }
    }
    w.0
}

pub fn decode_calls(bytes: &[u8], lines: u64) -> Option<Calls> {
    let mut r = Reader(bytes);
    if r.u64()? != VERSION || r.u64()? != lines {
        return None;
    }
    let n = r.count()?;
    let mut entries = Vec::with_capacity(n);
    let mut costs = std::collections::HashMap::new();
    for _ in 0..n {
        let (key, rest) = r.0.split_first_chunk::<8>()?;
        r.0 = rest;
        let ms = r.i64()?;
        let session = r.u32()?;
        let model = r.u32()?;
        let tokens = r.tokens()?;
        let cost = match r.u64()? {
            0 => None,
            1 => Some(r.f64()?),
            _ => return None,
        };
        let key = u64::from_le_bytes(*key);
        entries.push((key, Winner::new(ms, session, model, &tokens)));
        if let Some(c) = cost {
            costs.insert(key, c);
        }
    }
    r.0.is_empty().then(|| Calls::from_entries(entries, costs))
}
