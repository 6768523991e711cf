//! One transcript line as an API call's usage, read the way ccusage reads it, so that
//! totals match `ccusage claude daily` token for token.
//!
//! A line counts when it is a JSON object with a `timestamp` (ISO 8601 with a `T` and a
//! zone) and `message.usage.input_tokens` / `output_tokens` (non-negative integers); the
//! line's `type` does not matter. `cache_creation_input_tokens`, `cache_read_input_tokens`,
//! `message.model`, `message.id`, `requestId` and `costUSD` are optional. Lines without the
//! text `"usage"` are not parsed at all (the prefilter that keeps a scan near memchr speed).
//!
//! Junk: a line that is not a JSON object, or one that mentions `"usage"` but is not valid
//! JSON, is skipped and counted.
//!
//! Read next: `index.rs`, where a call is deduplicated and summed.

use std::borrow::Cow;

use memchr::memmem::Finder;
use serde::Deserialize;

use crate::cache::fnv1a;
use crate::transcript::scan::parse_timestamp;
use crate::transcript::state::Tokens;

#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(borrow)]
    timestamp: Cow<'a, str>,
    #[serde(rename = "requestId", borrow, default)]
    request_id: Option<Cow<'a, str>>,
    #[serde(rename = "costUSD", default)]
    cost_usd: Option<f64>,
    #[serde(borrow)]
    message: Message<'a>,
}

#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    model: Option<Cow<'a, str>>,
    usage: Usage,
}

#[derive(Deserialize)]
struct Usage {
    input_tokens: u64,
    output_tokens: u64,
    #[serde(default)]
    cache_creation_input_tokens: Option<u64>,
    #[serde(default)]
    cache_read_input_tokens: Option<u64>,
    #[serde(default)]
    cache_creation: Option<CacheCreation>,
}

#[derive(Deserialize)]
struct CacheCreation {
    #[serde(default)]
    ephemeral_1h_input_tokens: Option<u64>,
}

/// The usage of one line.
#[derive(Clone, Debug, PartialEq)]
pub struct Call<'l> {
    /// Hash of `message.id` and `requestId`; `None` unless the line has both (such lines
    /// are never deduplicated, as in ccusage).
    pub key: Option<u64>,
    pub ms: i64,
    /// Empty when the line names no model.
    pub model: Cow<'l, str>,
    pub tokens: Tokens,
    pub cost_usd: Option<f64>,
}

/// What a line is.
#[derive(Debug, PartialEq)]
pub enum Line<'l> {
    Usage(Call<'l>),
    /// Anything else that is well-formed (user prompts, summaries, tool results).
    Other,
    /// Not a JSON object, or broken JSON.
    Junk,
}

/// The prefilter, built once per scan.
pub struct Parser {
    usage: Finder<'static>,
}

impl Default for Parser {
    fn default() -> Self {
        Parser {
            usage: Finder::new(b"\"usage\""),
        }
    }
}

impl Parser {
    /// Reads one line (without its `\n`).
    pub fn parse<'l>(&self, line: &'l [u8]) -> Line<'l> {
        let line = line.trim_ascii();
        if line.first() != Some(&b'{') || line.last() != Some(&b'}') {
            return Line::Junk;
        }
        if self.usage.find(line).is_none() {
            return Line::Other;
        }
        match serde_json::from_slice::<Entry<'l>>(line) {
            Ok(entry) => call(entry).map_or(Line::Other, Line::Usage),
            Err(e) if e.is_syntax() || e.is_eof() => Line::Junk,
            // A shape error may come before a syntax error further on: check the syntax.
            Err(_) => match serde_json::from_slice::<serde::de::IgnoredAny>(line) {
                Ok(_) => Line::Other,
                Err(_) => Line::Junk,
            },
        }
    }
}

fn call(entry: Entry<'_>) -> Option<Call<'_>> {
    let ms = parse_timestamp(entry.timestamp.as_bytes())?;
    let u = &entry.message.usage;
    let cache_write = u.cache_creation_input_tokens.unwrap_or(0);
    let write_1h = u
        .cache_creation
        .as_ref()
        .and_then(|c| c.ephemeral_1h_input_tokens)
        .unwrap_or(0)
        .min(cache_write);
    let tokens = Tokens {
        input: u.input_tokens,
        output: u.output_tokens,
        cache_read: u.cache_read_input_tokens.unwrap_or(0),
        cache_write_5m: cache_write - write_1h,
        cache_write_1h: write_1h,
    };
    let key = match (&entry.message.id, &entry.request_id) {
        (Some(id), Some(req)) => Some(fnv1a(id.as_bytes()) ^ fnv1a(req.as_bytes()).rotate_left(29)),
        _ => None,
    };
    Some(Call {
        key,
        ms,
        model: entry.message.model.unwrap_or(Cow::Borrowed("")),
        tokens,
        cost_usd: entry.cost_usd.filter(|c| c.is_finite()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(line: &str) -> Call<'_> {
        match Parser::default().parse(line.as_bytes()) {
            Line::Usage(c) => c,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn any_line_with_message_usage_counts_whatever_its_type() {
        let c = usage(
            r#"{"type":"user","timestamp":"2026-11-20T09:00:04.000Z","message":{"usage":{"input_tokens":7,"output_tokens":3}}}"#,
        );
        assert_eq!((c.tokens.input, c.tokens.output, c.key), (7, 3, None));
        assert_eq!(c.model, "");
    }

    #[test]
    fn a_key_needs_both_the_message_id_and_the_request_id() {
        let both = usage(
            r#"{"timestamp":"2026-11-20T09:00:00Z","requestId":"r","message":{"id":"m","model":"claude-opus-4-6","usage":{"input_tokens":1,"output_tokens":2,"cache_creation_input_tokens":30,"cache_creation":{"ephemeral_1h_input_tokens":10}}}}"#,
        );
        assert!(both.key.is_some());
        assert_eq!(
            (both.tokens.cache_write_5m, both.tokens.cache_write_1h),
            (20, 10)
        );
        let id_only = usage(
            r#"{"timestamp":"2026-11-20T09:00:00Z","message":{"id":"m","usage":{"input_tokens":1,"output_tokens":2}}}"#,
        );
        assert_eq!(id_only.key, None);
    }

    #[test]
    fn lines_ccusage_rejects_are_not_usage() {
        let p = Parser::default();
        for line in [
            // output_tokens missing, a fractional count, a timestamp without `T`.
            r#"{"timestamp":"2026-11-21T01:00:00Z","message":{"usage":{"input_tokens":1}}}"#,
            r#"{"timestamp":"2026-11-21T01:00:00Z","message":{"usage":{"input_tokens":2.5,"output_tokens":1}}}"#,
            r#"{"timestamp":"2026-11-21 03:00:00","message":{"usage":{"input_tokens":2,"output_tokens":1}}}"#,
            r#"{"type":"user","message":{"content":"the word \"usage\" in a prompt"}}"#,
        ] {
            assert_eq!(p.parse(line.as_bytes()), Line::Other, "{line}");
        }
        for junk in ["garbage", "{\"usage\":{", "[1,2]", "{\"usage\":1}}"] {
            assert_eq!(p.parse(junk.as_bytes()), Line::Junk, "{junk}");
        }
    }
}
