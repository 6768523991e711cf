//! Feeds transcript lines into a [`Sink`] (usually a [`State`](crate::transcript::State)).
//!
//! Lines are found with `memchr`. Each line is walked once (`members.rs`): its top-level
//! `type` decides what it contributes. Assistant lines give a usage row from the same walk
//! (serde_json for what the walker does not read exactly); user lines their time and a
//! prompt or tool result (sub-agent or meta lines only their time), without decoding the
//! tool output they may carry. Lines the walker cannot read (garbage, a head kept from an
//! over-long line, text after the object) and lines of other kinds go by their first
//! `"type":"`: `system` lines are checked for `compact_boundary`, other kinds are parsed
//! only when they contain `"usage"` (so a writer that puts keys in another order is still
//! counted right). Only complete lines (ending in `\n`) are consumed: an incomplete last
//! line is left for the next scan, so any split of the file into pieces gives the same
//! state as one scan of the whole.
//!
//! What a line contributes goes to a [`Sink`]: the state itself, or a batch of a parallel
//! scan.
//!
//! What is parsed and how it counts is in `state.rs`; sub-agent (`isSidechain: true`)
//! calls are billed, so they count toward token totals, but not toward the context size,
//! the message counts or the cache timer.

use std::sync::OnceLock;

use memchr::memchr;
use memchr::memmem::Finder;

use crate::transcript::assistant::{parse_line, parse_walked};
use crate::transcript::members::{ASSISTANT, Members, USER};
use crate::transcript::sink::Sink;
use crate::transcript::walk::Walk;

/// The substring searchers, built once per process (building nine costs more than scanning
/// the ten lines a render usually reads).
struct Finders {
    kind: Finder<'static>,
    usage: Finder<'static>,
    timestamp: Finder<'static>,
    message: Finder<'static>,
    tool_use_id: Finder<'static>,
    tool_result: Finder<'static>,
    sidechain: Finder<'static>,
    meta: Finder<'static>,
    compact: Finder<'static>,
}

impl Finders {
    fn get() -> &'static Finders {
        static FINDERS: OnceLock<Finders> = OnceLock::new();
        FINDERS.get_or_init(Finders::new)
    }

    fn new() -> Self {
        Finders {
            kind: Finder::new(b"\"type\":\""),
            usage: Finder::new(b"\"usage\""),
            timestamp: Finder::new(b"\"timestamp\":\""),
            message: Finder::new(b"\"message\":"),
            tool_use_id: Finder::new(b"\"tool_use_id\""),
            tool_result: Finder::new(b"\"type\":\"tool_result\""),
            sidechain: Finder::new(b"\"isSidechain\":true"),
            meta: Finder::new(b"\"isMeta\":true"),
            compact: Finder::new(b"\"compact_boundary\""),
        }
    }
}

/// Bytes of a cut user line searched for its flags.
const HEAD: usize = 2048;
/// Bytes of `message` searched for a tool result marker (content comes first).
const CONTENT_HEAD: usize = 512;

/// Consumes the complete lines at the start of `bytes`; returns how many bytes they span.
pub fn scan(sink: &mut dyn Sink, bytes: &[u8]) -> usize {
    scan_until(sink, bytes, bytes.len())
}

/// Consumes the complete lines at the start of `bytes` that start before `limit`; returns
/// how many bytes they span.
pub fn scan_until(sink: &mut dyn Sink, bytes: &[u8], limit: usize) -> usize {
    let finders = Finders::get();
    let mut pos = 0;
    while pos < limit {
        let Some(end) = memchr(b'\n', &bytes[pos..]) else {
            break;
        };
        line(sink, finders, &bytes[pos..pos + end]);
        pos += end + 1;
    }
    pos
}

/// Counts one line that was too long to hold: only its head is known.
pub fn skipped_line(sink: &mut dyn Sink, head: &[u8]) {
    let finders = Finders::get();
    sink.line();
    match first_kind(finders, head) {
        Some(b"user") => user_line(sink, finders, head),
        Some(b"system") | Some(b"summary") | Some(b"file-history-snapshot") => {}
        _ => sink.bad_line(),
    }
}

fn line(sink: &mut dyn Sink, f: &Finders, line: &[u8]) {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.is_empty() {
        return;
    }
    sink.line();
    let mut m = Members::default();
    match m.read(line) {
        Some(()) if m.kind == Some(ASSISTANT) => parse_walked(sink, &mut m, line),
        Some(()) if m.kind == Some(USER) => {
            user_facts(sink, f, (m.timestamp, m.sidechain, m.meta, m.message));
        }
        _ => by_first_kind(sink, f, line),
    }
}

/// Lines the walker does not read (or of other kinds): the kind is the first
/// `"type":"…"` of the line, and only lines that may count are parsed.
fn by_first_kind(sink: &mut dyn Sink, f: &Finders, line: &[u8]) {
    match first_kind(f, line) {
        Some(b"user") => user_line(sink, f, line),
        Some(b"system") => {
            if f.compact.find(line).is_some() {
                parse_line(sink, line);
            }
        }
        Some(b"assistant") => parse_line(sink, line),
        _ => {
            if f.usage.find(line).is_some() {
                parse_line(sink, line);
            }
        }
    }
}

/// The value of the first `"type":"…"` in the line (the top-level one in Claude Code's
/// key order).
fn first_kind<'l>(f: &Finders, line: &'l [u8]) -> Option<&'l [u8]> {
    let at = f.kind.find(line)? + 8;
    let rest = &line[at..];
    let end = memchr(b'"', rest)?;
    Some(&rest[..end])
}

fn user_line(sink: &mut dyn Sink, f: &Finders, line: &[u8]) {
    let (mut ts, mut side, mut meta, mut msg) = (None, None, None, None);
    let walked = Walk::new(line).object(|k, v| match k {
        b"timestamp" => ts = Some(v),
        b"isSidechain" => side = Some(v),
        b"isMeta" => meta = Some(v),
        b"message" => msg = Some(v),
        _ => {}
    });
    if walked.is_none() {
        // A cut line (a head kept from an over-long line, or garbage): flags from its head.
        let head = &line[..line.len().min(HEAD)];
        ts = f.timestamp.find(head).map(|i| &head[i + 12..]);
        side = f.sidechain.find(head).map(|_| &b"true"[..]);
        meta = f.meta.find(head).map(|_| &b"true"[..]);
        msg = f.message.find(line).map(|i| &line[i + 10..]);
    }
    user_facts(sink, f, (ts, side, meta, msg));
}

/// The raw `timestamp`, `isSidechain`, `isMeta` and `message` values of a user line.
type UserMembers<'l> = (
    Option<&'l [u8]>,
    Option<&'l [u8]>,
    Option<&'l [u8]>,
    Option<&'l [u8]>,
);

/// What a user line contributes: its time, and a prompt or a tool result (main chain).
fn user_facts(sink: &mut dyn Sink, f: &Finders, (ts, side, meta, msg): UserMembers<'_>) {
    if let Some(ms) = ts.and_then(|t| parse_timestamp(t.strip_prefix(b"\"")?)) {
        sink.user_time(ms);
    }
    if side == Some(b"true") || meta == Some(b"true") {
        return;
    }
    let Some(msg) = msg else {
        return;
    };
    let content = &msg[..msg.len().min(CONTENT_HEAD)];
    if f.tool_use_id.find(content).is_some() || f.tool_result.find(content).is_some() {
        sink.tool_result();
    } else {
        sink.prompt();
    }
}

/// `2026-11-20T09:00:11.338Z` (or `+01:00`) as milliseconds since the Unix epoch.
pub fn parse_timestamp(t: &[u8]) -> Option<i64> {
    fn num(b: &[u8]) -> Option<i64> {
        b.iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    }
    let t = t.get(..t.len().min(40))?;
    if t.len() < 19 || t[4] != b'-' || t[7] != b'-' || t[10] != b'T' {
        return None;
    }
    let (y, m, d) = (num(&t[0..4])?, num(&t[5..7])?, num(&t[8..10])?);
    let (hh, mm, ss) = (num(&t[11..13])?, num(&t[14..16])?, num(&t[17..19])?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let mut rest = &t[19..];
    let mut millis = 0;
    if let Some(frac) = rest.strip_prefix(b".") {
        let digits = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        let mut scaled = num(&frac[..digits.min(3)])?;
        for _ in digits.min(3)..3 {
            scaled *= 10;
        }
        millis = scaled;
        rest = &frac[digits..];
    }
    let offset_min = match rest.first() {
        Some(b'Z') | Some(b'"') | None => 0,
        Some(&sign @ (b'+' | b'-')) if rest.len() >= 6 => {
            let v = num(&rest[1..3])? * 60 + num(&rest[4..6])?;
            if sign == b'+' { v } else { -v }
        }
        _ => return None,
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hh * 3600 + mm * 60 + ss - offset_min * 60;
    Some(secs * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::state::State;

    #[test]
    fn timestamps_parse_to_epoch_milliseconds() {
        assert_eq!(parse_timestamp(b"1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_timestamp(b"2026-11-20T09:00:11.338Z"),
            Some(1_795_165_211_338)
        );
        assert_eq!(
            parse_timestamp(b"2026-11-20T10:00:11.3+01:00\""),
            Some(1_795_165_211_300)
        );
        assert_eq!(parse_timestamp(b"2026-13-20T09:00:11Z"), None);
        assert_eq!(parse_timestamp(b"yesterday"), None);
    }

    #[test]
    fn incomplete_last_line_is_left_unconsumed() {
        let mut s = State::default();
        let text = b"{\"type\":\"summary\"}\n{\"type\":\"user\",\"mess";
        assert_eq!(scan(&mut s, text), 19);
        assert_eq!(s.lines, 1);
    }

    #[test]
    fn usage_inside_a_tool_result_is_not_counted() {
        let mut s = State::default();
        let line = br#"{"type":"user","timestamp":"2026-11-20T09:00:00Z","message":{"role":"user","content":[{"tool_use_id":"t1","type":"tool_result","content":"x"}]},"toolUseResult":{"usage":{"input_tokens":99,"output_tokens":99}}}
"#;
        scan(&mut s, line);
        assert_eq!((s.calls, s.tool_results, s.prompts), (0, 1, 0));
        assert_eq!(s.bad_lines, 0);
    }

    #[test]
    fn key_order_does_not_hide_usage() {
        let mut s = State::default();
        let line = br#"{"message":{"id":"m1","model":"claude-opus-4-6","content":[{"type":"tool_use","id":"x"}],"usage":{"input_tokens":3,"output_tokens":4}},"type":"assistant"}
"#;
        scan(&mut s, line);
        assert_eq!((s.calls, s.totals().total(), s.tool_uses), (1, 7, 1));
    }

    #[test]
    fn the_top_level_type_decides_whatever_the_key_order() {
        let lines: &[&[u8]] = &[
            // `message` before `type`: read from its bytes after the walk.
            br#"{"message":{"id":"m1","model":"claude-opus-4-6","usage":{"input_tokens":3,"output_tokens":4}},"timestamp":"2026-11-20T09:00:00Z","type":"assistant"}"#,
            // A nested `"type":"user"` before the top-level `type`.
            br#"{"toolUseResult":{"type":"user"},"type":"assistant","message":{"id":"m2","model":"claude-opus-4-6","usage":{"input_tokens":5}}}"#,
            br#"{"snapshot":{"type":"assistant"},"type":"user","timestamp":"2026-11-20T09:00:01Z","message":{"content":"hi"}}"#,
        ];
        let mut s = State::default();
        for line in lines {
            let mut text = line.to_vec();
            text.push(b'\n');
            scan(&mut s, &text);
        }
        assert_eq!(
            (s.calls, s.totals().total(), s.prompts, s.bad_lines),
            (2, 12, 1, 0)
        );
        assert_eq!(s.last_user_ms, 1_795_165_201_000);
    }

    #[test]
    fn user_lines_walked_or_not_give_the_same_facts() {
        let lines: &[&[u8]] = &[
            br#"{"isSidechain":false,"type":"user","timestamp":"2026-11-20T09:00:00Z","message":{"role":"user","content":[{"tool_use_id":"t","type":"tool_result","content":"x "usage""}]}}"#,
            br#"{"type":"user","isMeta":true,"timestamp":"2026-11-20T09:00:02Z","message":{"content":"x"}}"#,
            br#"{"type":"user","timestamp":"2026-11-20T09:00:03.5Z","message":{"content":"fix \"it\""}}"#,
        ];
        for line in lines {
            let (mut walked, mut by_kind) = (State::default(), State::default());
            scan(&mut walked, &[*line, b"\n"].concat());
            by_kind.line();
            by_first_kind(&mut by_kind, Finders::get(), line);
            assert_eq!(walked, by_kind, "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn a_broken_assistant_line_is_counted_bad() {
        let mut s = State::default();
        scan(
            &mut s,
            b"{\"type\":\"assistant\",\"message\":{\"usage\":{\"input_tok\n",
        );
        scan(
            &mut s,
            b"\xff\xfe{\"type\":\"assistant\",\"message\":\"\xff\"}\n",
        );
        assert_eq!(s.bad_lines, 2);
    }
}
