//! The usage index as cache records, in `cache::codec`'s varints, words and strings (as
//! the transcript records). Two records: the index (files,
//! names, buckets), read by every report, and the call table (the winning line of every
//! call), read only when new lines arrive. Anything that is not exactly a record of this
//! version reads as `None`, and the index is then built again.

use crate::cache::codec::{Reader, Writer};
use crate::transcript::state::{FileId, Tokens};
use crate::usage::index::{BucketKey, Calls, FileEntry, Index, Session, Sums, Winner};

/// Bumped whenever the encoding or the meaning of a field changes.
const VERSION: u64 = 1;

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
        w.fixed(f.tail_hash);
        w.u64(u64::from(f.session));
    }
    w.u64(index.buckets.len() as u64);
    let mut last_quarter = 0;
    for (k, s) in &index.buckets {
        w.i64(k.quarter - last_quarter);
        last_quarter = k.quarter;
        w.u64(u64::from(k.session));
        w.u64(u64::from(k.model));
        s.tokens.encode(&mut w);
        s.costed.encode(&mut w);
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
            list.push(r.str()?.to_owned());
        }
    }
    let n = r.count()?;
    for _ in 0..n {
        let name = r.str()?.to_owned();
        let project = r.u32()?;
        if project as usize >= index.projects.len() {
            return None;
        }
        index.sessions.push(Session { name, project });
    }
    let n = r.count()?;
    for _ in 0..n {
        let path = r.str()?.to_owned();
        let id = FileId {
            dev: r.u64()?,
            ino: r.u64()?,
            size: r.u64()?,
            mtime_ns: r.i64()?,
        };
        let offset = r.u64()?;
        let tail_hash = r.fixed()?;
        let session = r.u32()?;
        if session as usize >= index.sessions.len() {
            return None;
        }
        index.files.push(FileEntry {
            path,
            id,
            offset,
            tail_hash,
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
        let tokens = Tokens::decode(&mut r)?;
        let costed = Tokens::decode(&mut r)?;
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
    r.done().then_some(index)
}

/// The call table record; it belongs to the index whose `lines` count it carries.
#[cfg(test)]
pub fn encode_calls(calls: &Calls, lines: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = write_calls(&mut out, calls, lines);
    out
}

/// Writes the call table record (it belongs to the index whose `lines` count it carries)
/// into `out` a few kilobytes at a time: a refresher streams it into the cache file, so
/// its ~26 bytes a call are never all in memory at once.
pub fn write_calls(out: &mut dyn std::io::Write, calls: &Calls, lines: u64) -> std::io::Result<()> {
    let mut w = Writer::with_capacity(8 << 10);
    w.u64(VERSION);
    w.u64(lines);
    w.u64(calls.len() as u64);
    for (key, c, cost) in calls.iter() {
        w.fixed(key);
        w.i64(c.ms());
        w.u64(u64::from(c.session()));
        w.u64(u64::from(c.model()));
        c.tokens().encode(&mut w);
        match cost {
            Some(cost) => {
                w.u64(1);
                w.f64(cost);
            }
            None => w.u64(0),
        }
        if w.0.len() >= 8 << 10 {
            out.write_all(&w.0)?;
            w.0.clear();
        }
    }
    out.write_all(&w.0)
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
        let key = r.fixed()?;
        let ms = r.i64()?;
        let session = r.u32()?;
        let model = r.u32()?;
        let tokens = Tokens::decode(&mut r)?;
        let cost = match r.u64()? {
            0 => None,
            1 => Some(r.f64()?),
            _ => return None,
        };
        entries.push((key, Winner::new(ms, session, model, &tokens)));
        if let Some(c) = cost {
            costs.insert(key, c);
        }
    }
    r.done().then(|| Calls::from_entries(entries, costs))
}
