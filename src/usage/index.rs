//! The usage index: every transcript under the Claude config directories, summed into
//! quarter-hour buckets per session and model, kept current incrementally.
//!
//! # What is stored
//! Per file: its identity (device, inode, size, mtime), the offset of the last complete
//! line read, a hash of the bytes before it, and its session. Sums live in buckets keyed by
//! (UTC quarter hour, session, model): tokens (input, output, 5-minute and 1-hour cache
//! writes, cache reads), the `costUSD` the transcript wrote, the tokens of the calls that
//! had one, the call count and the first and last call time. A quarter hour is the unit
//! every time zone's day starts on, and a 5-hour block starts on the hour: days, weeks,
//! months and blocks are all exact sums of buckets. Sessions belong to projects.
//!
//! # Deduplication (ccusage's rule)
//! A call is identified by `message.id` + `requestId` (lines with only one of them are
//! never merged). Of all lines of one call, in any file, the one with the most tokens
//! (input + output + cache writes + cache reads) counts; on a tie, the one with the earlier
//! timestamp. The rule does not depend on the order files are read in, so an index that
//! grew file by file holds the same sums as one full scan. The winner of each call is kept
//! (`calls`, a separate, larger record read only when new lines arrive), so a better line
//! arriving later replaces it in its bucket.
//!
//! # Incremental updates
//! A file that grew is read from its offset (a partial last line is left for later). A file
//! that shrank, changed inode, was rewritten before its offset, or disappeared makes the
//! index start over: its winning calls may have hidden other files' lines, which only a
//! new scan can bring back. Lines are streamed through a fixed buffer: memory depends on
//! the number of calls and buckets, not on the transcripts' size.
//!
//! Read next: `line.rs` (what a line is), `codec.rs` (the records), `report.rs`.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;

use crate::transcript::file::{self, CHUNK, MAX_LINE};
use crate::transcript::state::{FileId, Tokens};
use crate::usage::dirs::Found;
use crate::usage::line::{Call, Line, Parser};

/// A bucket's width: 15 minutes, in milliseconds.
pub const QUARTER_MS: i64 = 900_000;

/// Where a call's figures are summed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BucketKey {
    pub quarter: i64,
    pub session: u32,
    pub model: u32,
}

/// The figures of a bucket (or of any group of buckets).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sums {
    pub tokens: Tokens,
    /// The tokens of the calls that carried their own `costUSD`.
    pub costed: Tokens,
    /// The sum of those `costUSD`.
    pub cost_usd: f64,
    pub calls: u64,
    pub first_ms: i64,
    pub last_ms: i64,
}

impl Sums {
    pub fn add(&mut self, o: &Sums) {
        self.first_ms = if self.calls == 0 {
            o.first_ms
        } else {
            self.first_ms.min(o.first_ms)
        };
        self.last_ms = self.last_ms.max(o.last_ms);
        add_tokens(&mut self.tokens, &o.tokens);
        add_tokens(&mut self.costed, &o.costed);
        self.cost_usd += o.cost_usd;
        self.calls += o.calls;
    }
}

pub fn add_tokens(a: &mut Tokens, b: &Tokens) {
    a.input += b.input;
    a.output += b.output;
    a.cache_read += b.cache_read;
    a.cache_write_5m += b.cache_write_5m;
    a.cache_write_1h += b.cache_write_1h;
}

fn sub_tokens(a: &mut Tokens, b: &Tokens) {
    a.input = a.input.saturating_sub(b.input);
    a.output = a.output.saturating_sub(b.output);
    a.cache_read = a.cache_read.saturating_sub(b.cache_read);
    a.cache_write_5m = a.cache_write_5m.saturating_sub(b.cache_write_5m);
    a.cache_write_1h = a.cache_write_1h.saturating_sub(b.cache_write_1h);
}

/// One transcript file.
#[derive(Clone, Debug, PartialEq)]
pub struct FileEntry {
    pub path: String,
    pub id: FileId,
    pub offset: u64,
    pub tail_hash: u64,
    pub session: u32,
}

/// A session (a top-level transcript and its sub-agents' transcripts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub name: String,
    pub project: u32,
}

/// The whole index.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Index {
    pub files: Vec<FileEntry>,
    pub projects: Vec<String>,
    pub sessions: Vec<Session>,
    pub models: Vec<String>,
    pub buckets: BTreeMap<BucketKey, Sums>,
    /// Non-empty lines read, and those that were not JSON objects.
    pub lines: u64,
    pub junk: u64,
}

pub use crate::usage::calls::{Calls, Winner};

/// What a [`Index::update`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Updated {
    /// Files read (wholly or from their offset).
    pub scanned: usize,
    /// The index started over.
    pub rebuilt: bool,
}

impl Index {
    /// Brings the index up to the transcripts in `found`; `calls` is loaded by `load_calls`
    /// only if some file has new bytes. Returns what changed.
    pub fn update(
        &mut self,
        found: &[Found],
        calls: &mut Option<Calls>,
        load_calls: &mut dyn FnMut() -> Option<Calls>,
    ) -> Updated {
        let mut stats: Vec<Option<FileId>> =
            found.iter().map(|f| file::stat(&f.path).ok()).collect();
        let rebuilt = !self.consistent_with(found, &stats);
        if rebuilt {
            *self = Index::default();
            *calls = Some(Calls::new());
        }
        let by_path: HashMap<String, usize> = self
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.clone(), i))
            .collect();
        let mut todo: Vec<(usize, FileId)> = Vec::new();
        for (i, f) in found.iter().enumerate() {
            let Some(id) = stats[i].take() else { continue };
            match by_path.get(&f.path) {
                Some(&at) if self.files[at].id == id => {}
                Some(&at) => todo.push((at, id)),
                None => {
                    let session = self.session(&f.project, &f.session);
                    self.files.push(FileEntry {
                        path: f.path.clone(),
                        id: FileId::default(),
                        offset: 0,
                        tail_hash: 0,
                        session,
                    });
                    todo.push((self.files.len() - 1, id));
                }
            }
        }
        if todo.is_empty() {
            return Updated {
                scanned: 0,
                rebuilt,
            };
        }
        if calls.is_none() {
            *calls = load_calls();
            if calls.is_none() {
                // The call table is lost: the sums cannot be extended exactly.
                *self = Index::default();
                *calls = Some(Calls::new());
                let again = self.update(found, calls, &mut || None);
                return Updated {
                    scanned: again.scanned,
                    rebuilt: true,
                };
            }
        }
        let rewritten = {
            let Some(calls) = calls.as_mut() else {
                return Updated::default();
            };
            let parser = Parser::default();
            let mut buf = Vec::with_capacity(CHUNK);
            todo.iter()
                .any(|&(at, id)| self.scan(at, id, calls, &parser, &mut buf).is_err())
        };
        if rewritten {
            // A file was rewritten under its offset: start over, from nothing (every offset
            // is then 0, so this cannot happen twice).
            *self = Index::default();
            *calls = Some(Calls::new());
            let again = self.update(found, calls, &mut || None);
            return Updated {
                scanned: again.scanned,
                rebuilt: true,
            };
        }
        Updated {
            scanned: todo.len(),
            rebuilt,
        }
    }

    /// False when a known file disappeared, shrank or changed identity.
    fn consistent_with(&self, found: &[Found], stats: &[Option<FileId>]) -> bool {
        let now: HashMap<&str, Option<FileId>> = found
            .iter()
            .zip(stats)
            .map(|(f, s)| (f.path.as_str(), *s))
            .collect();
        self.files.iter().all(|e| match now.get(e.path.as_str()) {
            Some(Some(id)) => id.dev == e.id.dev && id.ino == e.id.ino && id.size >= e.offset,
            _ => false,
        })
    }

    fn intern(list: &mut Vec<String>, name: &str) -> u32 {
        match list.iter().position(|n| n == name) {
            Some(i) => i as u32,
            None => {
                list.push(name.to_owned());
                (list.len() - 1) as u32
            }
        }
    }

    fn session(&mut self, project: &str, name: &str) -> u32 {
        let project = Index::intern(&mut self.projects, project);
        match self
            .sessions
            .iter()
            .position(|s| s.project == project && s.name == name)
        {
            Some(i) => i as u32,
            None => {
                self.sessions.push(Session {
                    name: name.to_owned(),
                    project,
                });
                (self.sessions.len() - 1) as u32
            }
        }
    }

    fn model(&mut self, name: &str) -> u32 {
        // Few models exist; the last one used is the likely one.
        if let Some(i) = self.models.iter().rposition(|m| m == name) {
            return i as u32;
        }
        Index::intern(&mut self.models, name)
    }

    /// Reads file `at` from its offset to `id.size`.
    fn scan(
        &mut self,
        at: usize,
        id: FileId,
        calls: &mut Calls,
        parser: &Parser,
        buf: &mut Vec<u8>,
    ) -> Result<(), Rewritten> {
        let Ok(file) = file::open(&self.files[at].path) else {
            return Ok(());
        };
        let entry = &self.files[at];
        if entry.offset > 0 && file::tail_hash(&file, entry.offset) != Some(entry.tail_hash) {
            return Err(Rewritten);
        }
        let session = entry.session;
        let mut pos = entry.offset;
        while pos < id.size {
            let want = ((id.size - pos) as usize).min(CHUNK);
            let Ok(n) = file::fill(&file, buf, want, pos) else {
                break;
            };
            if n == 0 {
                break;
            }
            let used = self.lines(&buf[..n], session, calls, parser);
            if used > 0 {
                pos += used as u64;
                continue;
            }
            // A line longer than a chunk.
            match self.long_line(&file, pos, id.size, session, calls, parser) {
                Some(next) => pos = next,
                None => break,
            }
        }
        if buf.capacity() > 2 * CHUNK {
            *buf = Vec::with_capacity(CHUNK);
        }
        let entry = &mut self.files[at];
        entry.offset = pos;
        entry.tail_hash = file::tail_hash(&file, pos).unwrap_or(0);
        entry.id = id;
        if pos < id.size {
            // An incomplete last line: the identity says so, so the next look reads again.
            entry.id.size = pos;
        }
        Ok(())
    }

    /// Consumes the complete lines of `bytes`; returns how many bytes they span.
    fn lines(&mut self, bytes: &[u8], session: u32, calls: &mut Calls, parser: &Parser) -> usize {
        let mut pos = 0;
        while let Some(nl) = memchr::memchr(b'\n', &bytes[pos..]) {
            self.line(&bytes[pos..pos + nl], session, calls, parser);
            pos += nl + 1;
        }
        pos
    }

    fn long_line(
        &mut self,
        file: &File,
        start: u64,
        end: u64,
        session: u32,
        calls: &mut Calls,
        parser: &Parser,
    ) -> Option<u64> {
        let mut line = Vec::new();
        let mut chunk = vec![0u8; CHUNK];
        let mut at = start;
        while at < end {
            let want = ((end - at) as usize).min(CHUNK);
            let n = file::read_full_at(file, &mut chunk[..want], at).ok()?;
            if n == 0 {
                return None;
            }
            let nl = memchr::memchr(b'\n', &chunk[..n]);
            let take = nl.unwrap_or(n);
            if line.len() < MAX_LINE {
                line.extend_from_slice(&chunk[..take.min(MAX_LINE - line.len())]);
            }
            at += take as u64;
            if nl.is_some() {
                if line.len() >= MAX_LINE {
                    self.lines += 1;
                    self.junk += 1;
                } else {
                    self.line(&line, session, calls, parser);
                }
                return Some(at + 1);
            }
        }
        None
    }

    fn line(&mut self, line: &[u8], session: u32, calls: &mut Calls, parser: &Parser) {
        if line.trim_ascii().is_empty() {
            return;
        }
        self.lines += 1;
        match parser.parse(line) {
            Line::Usage(call) => self.add(session, call, calls),
            Line::Other => {}
            Line::Junk => self.junk += 1,
        }
    }

    fn add(&mut self, session: u32, call: Call<'_>, calls: &mut Calls) {
        let model = self.model(&call.model);
        let win = Winner::new(call.ms, session, model, &call.tokens);
        if let Some(key) = call.key {
            if let Some((old, old_cost)) = calls.get(key) {
                let (new_total, old_total) = (win.tokens().total(), old.tokens().total());
                if new_total < old_total || (new_total == old_total && win.ms() >= old.ms()) {
                    return;
                }
                self.sum(&old, old_cost, -1);
            }
            calls.insert(key, win, call.cost_usd);
        }
        self.sum(&win, call.cost_usd, 1);
    }

    fn sum(&mut self, w: &Winner, cost: Option<f64>, sign: i8) {
        let key = w.bucket();
        let tokens = w.tokens();
        let b = self.buckets.entry(key).or_default();
        if sign > 0 {
            add_tokens(&mut b.tokens, &tokens);
            if let Some(c) = cost {
                add_tokens(&mut b.costed, &tokens);
                b.cost_usd += c;
            }
            b.first_ms = if b.calls == 0 {
                w.ms()
            } else {
                b.first_ms.min(w.ms())
            };
            b.last_ms = b.last_ms.max(w.ms());
            b.calls += 1;
        } else {
            sub_tokens(&mut b.tokens, &tokens);
            if let Some(c) = cost {
                sub_tokens(&mut b.costed, &tokens);
                b.cost_usd -= c;
            }
            b.calls = b.calls.saturating_sub(1);
            if b.calls == 0 {
                self.buckets.remove(&key);
            }
        }
    }
}

/// A file no longer holds the bytes its offset summarises.
#[derive(Debug, PartialEq, Eq)]
struct Rewritten;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tempdir::TempDir;
    use crate::usage::codec;

    fn line(key: &str, ts: &str, input: u64, output: u64) -> String {
        format!(
            "{{\"timestamp\":\"{ts}\",\"requestId\":\"r{key}\",\"message\":{{\"id\":\"m{key}\",\"model\":\"claude-opus-4-6\",\"usage\":{{\"input_tokens\":{input},\"output_tokens\":{output}}}}}}}\n"
        )
    }

    fn found(dir: &TempDir, files: &[(&str, String)]) -> Vec<Found> {
        files
            .iter()
            .map(|(name, text)| {
                let path = dir.path().join(name);
                std::fs::write(&path, text).unwrap();
                Found {
                    path: path.display().to_string(),
                    project: "p".into(),
                    session: (*name).into(),
                }
            })
            .collect()
    }

    fn totals(index: &Index) -> Tokens {
        let mut t = Tokens::default();
        index
            .buckets
            .values()
            .for_each(|s| add_tokens(&mut t, &s.tokens));
        t
    }

    #[test]
    fn the_line_with_most_tokens_wins_whatever_the_reading_order() {
        let dir = TempDir::new("usage-index").unwrap();
        let a = line("1", "2026-11-20T10:00:00Z", 100, 5)
            + &line("1", "2026-11-20T10:00:01Z", 100, 50)
            + &line("2", "2026-11-20T10:00:00Z", 7, 7);
        let b =
            line("1", "2026-11-20T23:00:00Z", 10, 10) + &line("2", "2026-11-20T09:00:00Z", 8, 6);
        let files = found(&dir, &[("a.jsonl", a), ("b.jsonl", b)]);
        let mut forward = Index::default();
        forward.update(&files, &mut Some(Calls::new()), &mut || None);
        let mut backward = Index::default();
        let reversed: Vec<Found> = files.iter().rev().cloned().collect();
        backward.update(&reversed, &mut Some(Calls::new()), &mut || None);
        // Call 1: a's second line (150 tokens). Call 2: a tie at 14, b's earlier line.
        assert_eq!((totals(&forward).input, totals(&forward).output), (108, 56));
        assert_eq!(totals(&forward), totals(&backward));
        let sums = |i: &Index| i.buckets.values().map(|s| s.calls).sum::<u64>();
        assert_eq!((sums(&forward), sums(&backward)), (2, 2));
    }

    #[test]
    fn the_index_and_its_calls_round_trip_and_truncations_read_as_absent() {
        let dir = TempDir::new("usage-codec").unwrap();
        let files = found(
            &dir,
            &[(
                "s.jsonl",
                line("1", "2026-11-20T10:00:00Z", 1, 2) + "junk\n",
            )],
        );
        let mut index = Index::default();
        let mut calls = Some(Calls::new());
        index.update(&files, &mut calls, &mut || None);
        assert_eq!((index.lines, index.junk), (2, 1));
        let bytes = codec::encode_index(&index, "roots");
        assert_eq!(codec::decode_index(&bytes, "roots"), Some(index.clone()));
        assert_eq!(codec::decode_index(&bytes, "other roots"), None);
        for cut in 0..bytes.len() {
            assert_eq!(codec::decode_index(&bytes[..cut], "roots"), None, "{cut}");
        }
        let calls = calls.unwrap();
        let bytes = codec::encode_calls(&calls, index.lines);
        assert_eq!(codec::decode_calls(&bytes, index.lines), Some(calls));
        assert_eq!(codec::decode_calls(&bytes, index.lines + 1), None);
    }

    #[test]
    fn a_partial_last_line_waits_and_a_rewritten_file_starts_the_index_over() {
        let dir = TempDir::new("usage-grow").unwrap();
        let full = line("1", "2026-11-20T10:00:00Z", 1, 1);
        let files = found(&dir, &[("s.jsonl", full.clone() + &full[..20])]);
        let mut index = Index::default();
        let mut calls = Some(Calls::new());
        index.update(&files, &mut calls, &mut || None);
        assert_eq!(index.files[0].offset, full.len() as u64);
        std::fs::write(
            &files[0].path,
            full.clone() + &line("2", "2026-11-20T11:00:00Z", 2, 2),
        )
        .unwrap();
        index.update(&files, &mut calls, &mut || None);
        assert_eq!(totals(&index).input, 3);
        // Same inode, other bytes before the offset (and one more after it, so the size
        // tells it changed): read again from the start.
        let rewritten = line("3", "2026-11-20T10:00:00Z", 5, 1)
            + &line("4", "2026-11-20T11:00:00Z", 5, 2)
            + "\n";
        std::fs::write(&files[0].path, rewritten).unwrap();
        let updated = index.update(&files, &mut calls, &mut || None);
        assert!(updated.rebuilt);
        assert_eq!(totals(&index).input, 10);
    }
}
