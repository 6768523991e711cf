//! Assistant lines (and other lines that may carry usage): the members one walk found
//! (`members.rs`) for the shapes Claude Code writes, serde_json for everything else.
//! serde_json stays the reference: the tests compare both paths line by line.
//!
//! A line contributes its non-sidechain `tool_use` blocks and, when it has usage and a
//! real model, one usage row of its call to the [`Sink`] (deduplication happens there).
//!
//! Read next: `sink.rs` (where rows go), `state.rs` (how they count).

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};

use crate::cache::fnv1a;
use crate::transcript::find::{has_backslash, is_plain_ascii};
use crate::transcript::members::{ASSISTANT, Members, Usage, UsageAt};
use crate::transcript::scan::parse_timestamp;
use crate::transcript::sink::Sink;
use crate::transcript::state::{Call, Tokens};

#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(rename = "isSidechain", default)]
    sidechain: Option<bool>,
    #[serde(borrow, default)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(rename = "requestId", borrow, default)]
    request_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    subtype: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    message: Option<Message<'a>>,
}

#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    model: Option<Cow<'a, str>>,
    #[serde(default)]
    usage: Option<Usage>,
    #[serde(default)]
    content: ToolUses,
}

/// The number of `tool_use` blocks in `message.content`, counted without allocating.
#[derive(Default)]
struct ToolUses(u64);

impl<'de> Deserialize<'de> for ToolUses {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Block<'a> {
            #[serde(rename = "type", borrow, default)]
            kind: Option<Cow<'a, str>>,
        }
        struct Count;
        impl<'de> Visitor<'de> for Count {
            type Value = ToolUses;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("message content")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ToolUses, A::Error> {
                let mut n = 0;
                while let Some(block) = seq.next_element::<Option<Block<'de>>>()? {
                    n += u64::from(block.and_then(|b| b.kind).as_deref() == Some("tool_use"));
                }
                Ok(ToolUses(n))
            }
            fn visit_str<E>(self, _: &str) -> Result<ToolUses, E> {
                Ok(ToolUses(0))
            }
            fn visit_unit<E>(self) -> Result<ToolUses, E> {
                Ok(ToolUses(0))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<ToolUses, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(ToolUses(0))
            }
        }
        d.deserialize_any(Count)
    }
}

/// Parses a line that may carry usage or a compaction; unparsable ones are counted bad.
pub fn parse_line(sink: &mut dyn Sink, line: &[u8]) {
    if fast_assistant(sink, line).is_none() {
        serde_line(sink, line);
    }
}

/// The same for a line whose members were walked already.
pub fn parse_walked(sink: &mut dyn Sink, m: &mut Members<'_>, line: &[u8]) {
    if walked_assistant(sink, m).is_none() {
        serde_line(sink, line);
    }
}

/// The reference path: the whole line through serde_json.
fn serde_line(sink: &mut dyn Sink, line: &[u8]) {
    let Ok(entry) = serde_json::from_slice::<Entry<'_>>(line) else {
        sink.bad_line();
        return;
    };
    let sidechain = entry.sidechain.unwrap_or(false);
    let ms = entry
        .timestamp
        .as_deref()
        .and_then(|t| parse_timestamp(t.as_bytes()))
        .unwrap_or(0);
    match entry.kind.as_deref() {
        Some("system") if entry.subtype.as_deref() == Some("compact_boundary") && !sidechain => {
            sink.compaction();
        }
        Some("assistant") => {
            let Some(message) = entry.message else { return };
            let row = Row {
                sidechain,
                ms,
                id: message.id.as_deref().map(str::as_bytes),
                request_id: entry.request_id.as_deref().map(str::as_bytes),
                model: message.model.as_deref(),
                usage: message.usage,
                tool_uses: message.content.0,
            };
            row.apply(sink);
        }
        _ => {}
    }
}

/// What an assistant line contributes.
struct Row<'l> {
    sidechain: bool,
    ms: i64,
    id: Option<&'l [u8]>,
    request_id: Option<&'l [u8]>,
    model: Option<&'l str>,
    usage: Option<Usage>,
    tool_uses: u64,
}

impl Row<'_> {
    fn apply(self, sink: &mut dyn Sink) {
        if !self.sidechain {
            sink.tool_uses(self.tool_uses);
        }
        let (Some(usage), Some(model)) = (self.usage, self.model) else {
            return;
        };
        if model == "<synthetic>" {
            return;
        }
        let cache_write = usage.cache_creation_input_tokens.unwrap_or(0);
        let write_1h = usage
            .cache_creation
            .and_then(|c| c.ephemeral_1h_input_tokens)
            .unwrap_or(0)
            .min(cache_write);
        let tokens = Tokens {
            input: usage.input_tokens.unwrap_or(0),
            output: usage.output_tokens.unwrap_or(0),
            cache_read: usage.cache_read_input_tokens.unwrap_or(0),
            cache_write_5m: cache_write - write_1h,
            cache_write_1h: write_1h,
        };
        sink.row(
            model,
            Call {
                key: call_key(self.id, self.request_id),
                sidechain: self.sidechain,
                tokens,
                end_ms: self.ms,
                ..Call::default()
            },
        );
    }
}

/// The fast path for assistant lines (see `walk.rs`): `None` hands the line to serde_json.
fn fast_assistant(sink: &mut dyn Sink, line: &[u8]) -> Option<()> {
    let mut m = Members::default();
    m.read(line)?;
    walked_assistant(sink, &mut m)
}

/// What an assistant line contributes, from its walked members; `None` for anything the
/// walker does not read exactly, which then goes to serde_json.
fn walked_assistant(sink: &mut dyn Sink, m: &mut Members<'_>) -> Option<()> {
    if m.kind != Some(ASSISTANT) {
        return None;
    }
    let sidechain = match m.sidechain {
        None | Some(b"null") | Some(b"false") => false,
        Some(b"true") => true,
        Some(_) => return None,
    };
    let ms = match m.timestamp {
        None | Some(b"null") => 0,
        Some(t) => parse_timestamp(plain_bytes(t)?).unwrap_or(0),
    };
    let request_id = opt_bytes(m.request_id)?;
    let msg = m.read_parts()?;
    let usage = match msg.usage {
        None | Some(UsageAt::Null) => None,
        Some(UsageAt::Read(u)) => Some(u),
        Some(UsageAt::Raw(u)) => Some(serde_json::from_slice::<Usage>(u).ok()?),
    };
    let row = Row {
        sidechain,
        ms,
        id: opt_bytes(msg.id)?,
        request_id,
        model: opt_bytes(msg.model)?
            .map(std::str::from_utf8)
            .transpose()
            .ok()?,
        usage,
        tool_uses: msg.tool_uses,
    };
    row.apply(sink);
    Some(())
}

/// The text of a JSON string with no escapes, valid UTF-8 as serde_json requires; `None`
/// otherwise. ASCII, the common case, is checked a word at a time (`str::from_utf8` on the
/// ids, timestamp and model cost ~4% of a scan's instructions).
fn plain_bytes(v: &[u8]) -> Option<&[u8]> {
    let inner = v.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    let valid =
        is_plain_ascii(inner) || (!has_backslash(inner) && std::str::from_utf8(inner).is_ok());
    valid.then_some(inner)
}

/// An optional plain string member: `Some(None)` when absent or null.
fn opt_bytes(v: Option<&[u8]>) -> Option<Option<&[u8]>> {
    match v {
        None | Some(b"null") => Some(None),
        Some(v) => plain_bytes(v).map(Some),
    }
}

/// The dedupe key of a call; 0 (never matched) when the line has no message id.
fn call_key(id: Option<&[u8]>, request: Option<&[u8]>) -> u64 {
    let Some(id) = id.filter(|i| !i.is_empty()) else {
        return 0;
    };
    let key = fnv1a(id) ^ fnv1a(request.unwrap_or(b"")).rotate_left(29);
    key.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::members::fast_usage;
    use crate::transcript::state::State;
    use crate::transcript::walk::Walk;

    #[test]
    fn the_fast_path_agrees_with_serde_json() {
        let lines: &[&[u8]] = &[
            br#"{"type":"assistant","isSidechain":false,"timestamp":"2026-11-20T09:00:11.338Z","message":{"model":"claude-opus-4-6","id":"msg_1","content":[{"type":"thinking","thinking":"a \"quoted\" }{ usage"},{"type":"tool_use","id":"t","input":{"usage":{"input_tokens":5}}}],"usage":{"input_tokens":4,"cache_creation_input_tokens":100,"cache_read_input_tokens":7,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":100},"output_tokens":676}},"requestId":"req_1"}"#,
            br#"{"type":"assistant","isSidechain":true,"message":{"model":"claude-haiku-4-5","id":"msg_2","content":"plain","usage":{"input_tokens":1,"output_tokens":2}}}"#,
            br#"{"type":"assistant","message":{"model":"<synthetic>","id":"m","usage":{"input_tokens":1}}}"#,
            br#"{"type":"assistant","message":{"model":"claude-opus-4-6","usage":null,"content":[]}}"#,
            br#"{"type":"assistant","message":{"model":"m","id":"a","usage":{"input_tokens":null,"output_tokens":0,"cache_creation":null,"server_tool_use":{"web_search_requests":0},"service_tier":"standard"}}}"#,
            br#"{"type":"assistant","message":{"model":"m","id":"b","usage":{"cache_creation_input_tokens":18446744073709551615,"cache_creation":{"ephemeral_1h_input_tokens":null}}}}"#,
        ];
        for line in lines {
            let (mut fast, mut reference) = (State::default(), State::default());
            assert!(
                fast_assistant(&mut fast, line).is_some(),
                "{}",
                String::from_utf8_lossy(line)
            );
            serde_line(&mut reference, line);
            assert_eq!(fast, reference, "{}", String::from_utf8_lossy(line));
        }
    }

    /// A line in Claude Code's shape with `text` as its first content block's text, `input`
    /// as its tool use's input and `usage` as its usage.
    fn shaped(text: &[u8], input: &[u8], usage: &[u8]) -> Vec<u8> {
        let mut line = br#"{"parentUuid":"p","isSidechain":false,"type":"assistant","timestamp":"2026-11-20T09:00:11.338Z","message":{"model":"claude-opus-4-6","id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":""#.to_vec();
        line.extend_from_slice(text);
        line.extend_from_slice(br#""},{"type":"tool_use","id":"t","name":"Read","input":"#);
        line.extend_from_slice(input);
        line.extend_from_slice(br#"}],"stop_reason":null,"usage":"#);
        line.extend_from_slice(usage);
        line.extend_from_slice(br#"},"requestId":"req_1"}"#);
        line
    }

    fn assert_same_as_serde_json(line: &[u8]) {
        let (mut fast, mut reference) = (State::default(), State::default());
        parse_line(&mut fast, line);
        serde_line(&mut reference, line);
        assert_eq!(fast, reference, "{}", String::from_utf8_lossy(line));
    }

    #[test]
    fn hostile_lines_count_as_serde_json_counts_them() {
        let usage = br#"{"input_tokens":4,"cache_creation_input_tokens":100,"cache_read_input_tokens":7,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":100},"output_tokens":676,"server_tool_use":{"web_search_requests":0,"x":[{"y":"}]"}]},"service_tier":"standard"}"#;
        let nested = format!("{}1{}", r#"{"a":["#.repeat(300), "]}".repeat(300));
        let texts: &[&[u8]] = &[
            b"plain",
            br#""usage":{"input_tokens":5},"type":"tool_use""#,
            br#"ends in an escaped backslash \"#,
            br#"\\\" odd then even \\"#,
            "Ünïcödé ✓ 🚀".as_bytes(),
            b"invalid \xff\xfe utf-8",
            br#"" 
 	 }]{["#,
        ];
        let inputs: &[&[u8]] = &[
            br#"{"command":"ls"}"#,
            br#"{"usage":{"input_tokens":99},"type":"tool_use"}"#,
            nested.as_bytes(),
            br#"[1,"]",{"}":"{"}]"#,
            br#"{"k":1{"j":2}"#,
        ];
        let usages: &[&[u8]] = &[
            usage,
            br#"null"#,
            br#"{}"#,
            br#"{"input_tokens":1,"input_tokens":2}"#,
            br#"{"input_tokens":3}"#,
            br#"{"output_tokens":1.5}"#,
            br#"{"output_tokens":7,"x":1{"y":2}}"#,
            br#"{ "output_tokens" : 7 , "cache_creation" : { "ephemeral_1h_input_tokens" : 1 } }"#,
            br#"[]"#,
        ];
        for text in texts {
            for input in inputs {
                for usage in usages {
                    assert_same_as_serde_json(&shaped(text, input, usage));
                }
            }
        }
        // Every cut of a line, as a writer caught mid-line leaves it.
        let line = shaped(texts[3], inputs[3], usage);
        for cut in 0..line.len() {
            assert_same_as_serde_json(&line[..cut]);
        }
        // Invalid UTF-8 in the strings the line contributes.
        for field in [&b"msg_1"[..], b"claude-opus-4-6", b"req_1", b"09:00:11"] {
            let at = line.windows(field.len()).position(|w| w == field).unwrap();
            let mut bad = line.clone();
            bad[at + 2] = 0xff;
            assert_same_as_serde_json(&bad);
        }
    }

    #[test]
    fn usage_the_walker_cannot_read_exactly_goes_to_serde_json() {
        let odd: &[&[u8]] = &[
            br#"{"output_tokens":1.5}"#,
            br#"{"output_tokens":-1}"#,
            br#"{"output_tokens":01}"#,
            br#"{"output_tokens":2,"output_tokens":3}"#,
            br#"{"input_tokens":18446744073709551616}"#,
            br#"{"cache_creation":[]}"#,
            br#"{"input\u005ftokens":1}"#,
        ];
        for usage in odd {
            assert!(
                fast_usage(&mut Walk::new(usage)).is_none(),
                "{}",
                String::from_utf8_lossy(usage)
            );
            let mut line =
                br#"{"type":"assistant","message":{"model":"m","id":"x","usage":"#.to_vec();
            line.extend_from_slice(usage);
            line.extend_from_slice(b"}}");
            let (mut fast, mut reference) = (State::default(), State::default());
            parse_line(&mut fast, &line);
            serde_line(&mut reference, &line);
            assert_eq!(fast, reference, "{}", String::from_utf8_lossy(&line));
        }
    }

    #[test]
    fn lines_the_fast_path_cannot_read_go_to_serde_json() {
        let mut s = State::default();
        let escaped = br#"{"type":"assistant","message":{"model":"claude-opus-\u0034","id":"m","usage":{"input_tokens":1,"output_tokens":1}}}"#;
        assert!(fast_assistant(&mut s, escaped).is_none());
        parse_line(&mut s, escaped);
        assert_eq!((s.calls, s.model_name(0)), (1, "claude-opus-4"));
        let two_objects =
            br#"{"type":"assistant","message":{"usage":{"input_tokens":1}}}{"type":"user"}"#;
        assert!(fast_assistant(&mut s, two_objects).is_none());
        parse_line(&mut s, two_objects);
        assert_eq!(s.bad_lines, 1);
    }
}
