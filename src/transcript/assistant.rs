//! Assistant lines (and other lines that may carry usage): one structural pass with the
//! walker (`walk.rs`) for the shapes Claude Code writes, serde_json for everything else.
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
use crate::transcript::scan::parse_timestamp;
use crate::transcript::sink::Sink;
use crate::transcript::state::{Call, Tokens};
use crate::transcript::walk::Walk;

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

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    input_tokens: Option<u64>,
    #[serde(default)]
    output_tokens: Option<u64>,
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
/// One pass: `message` and its `content` are walked into where they stand, not skipped and
/// walked again.
fn fast_assistant(sink: &mut dyn Sink, line: &[u8]) -> Option<()> {
    let (mut kind, mut side, mut ts, mut req, mut msg) = (None, None, None, None, None);
    let mut w = Walk::new(line);
    w.object_with(|k, w| {
        if k == b"message" {
            msg = Some(message_parts(w)?);
            return Some(());
        }
        let v = w.value()?;
        match k {
            b"type" => kind = Some(v),
            b"isSidechain" => side = Some(v),
            b"timestamp" => ts = Some(v),
            b"requestId" => req = Some(v),
            _ => {}
        }
        Some(())
    })?;
    if !w.at_end() || kind != Some(&b"\"assistant\""[..]) {
        return None;
    }
    let sidechain = match side {
        None | Some(b"null") | Some(b"false") => false,
        Some(b"true") => true,
        Some(_) => return None,
    };
    let ms = match ts {
        None | Some(b"null") => 0,
        Some(t) => parse_timestamp(plain_bytes(t)?).unwrap_or(0),
    };
    let msg = msg?;
    let usage = match msg.usage {
        None | Some(UsageAt::Null) => None,
        Some(UsageAt::Read(u)) => Some(u),
        Some(UsageAt::Raw(u)) => Some(serde_json::from_slice::<Usage>(u).ok()?),
    };
    let row = Row {
        sidechain,
        ms,
        id: opt_bytes(msg.id)?,
        request_id: opt_bytes(req)?,
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

/// `message.usage` as the walk found it.
enum UsageAt<'l> {
    /// Read in place by the walker.
    Read(Usage),
    Null,
    /// A value the walker does not read exactly: its bytes, for serde_json.
    Raw(&'l [u8]),
}

/// Reads the `message.usage` value at the cursor where it stands (skipping it and walking
/// its bytes again cost ~6% of a scan's instructions); a value the walker cannot read
/// exactly is skipped and kept for serde_json.
fn usage_at<'l>(w: &mut Walk<'l>) -> Option<UsageAt<'l>> {
    let start = *w;
    if w.peek() == Some(b'{') {
        if let Some(usage) = fast_usage(w) {
            return Some(UsageAt::Read(usage));
        }
        *w = start;
    }
    let v = w.value()?;
    Some(if v == b"null" {
        UsageAt::Null
    } else {
        UsageAt::Raw(v)
    })
}

/// The usage object at the cursor read by the walker; `None` for anything serde_json
/// might read differently (a number that is not a plain unsigned integer, a repeated key,
/// an escaped key), which then goes to serde_json.
fn fast_usage(w: &mut Walk<'_>) -> Option<Usage> {
    fn number(v: &[u8]) -> Option<Option<u64>> {
        if v == b"null" {
            return Some(None);
        }
        if v.is_empty() || (v.len() > 1 && v[0] == b'0') {
            return None;
        }
        v.iter()
            .try_fold(0u64, |n, &c| {
                let digit = c.checked_sub(b'0').filter(|d| *d <= 9)?;
                n.checked_mul(10)?.checked_add(u64::from(digit))
            })
            .map(Some)
    }
    fn set<T>(slot: &mut Option<Option<T>>, value: Option<T>) -> Option<()> {
        slot.is_none().then(|| *slot = Some(value))
    }
    let (mut input, mut output, mut write, mut read, mut one_hour) = (None, None, None, None, None);
    w.object_with(|k, w| match k {
        b"input_tokens" => set(&mut input, number(w.value()?)?),
        b"output_tokens" => set(&mut output, number(w.value()?)?),
        b"cache_creation_input_tokens" => set(&mut write, number(w.value()?)?),
        b"cache_read_input_tokens" => set(&mut read, number(w.value()?)?),
        b"cache_creation" => {
            let mut h = None;
            if w.peek() == Some(b'{') {
                w.object_with(|k, w| match k {
                    b"ephemeral_1h_input_tokens" => set(&mut h, number(w.value()?)?),
                    _ => w.value().map(drop),
                })?;
                set(
                    &mut one_hour,
                    Some(CacheCreation {
                        ephemeral_1h_input_tokens: h.flatten(),
                    }),
                )
            } else if w.value()? == b"null" {
                set(&mut one_hour, None)
            } else {
                None
            }
        }
        _ => w.value().map(drop),
    })?;
    Some(Usage {
        input_tokens: input.flatten(),
        output_tokens: output.flatten(),
        cache_creation_input_tokens: write.flatten(),
        cache_read_input_tokens: read.flatten(),
        cache_creation: one_hour.flatten(),
    })
}

/// The members of `message` that an assistant line contributes.
#[derive(Default)]
struct MessageParts<'l> {
    id: Option<&'l [u8]>,
    model: Option<&'l [u8]>,
    usage: Option<UsageAt<'l>>,
    tool_uses: u64,
}

/// Walks the `message` object at the cursor; `None` if it is not an object.
fn message_parts<'l>(w: &mut Walk<'l>) -> Option<MessageParts<'l>> {
    let mut m = MessageParts::default();
    w.object_with(|k, w| {
        if k == b"content" {
            m.tool_uses = count_tool_uses(w)?;
            return Some(());
        }
        if k == b"usage" {
            m.usage = Some(usage_at(w)?);
            return Some(());
        }
        let v = w.value()?;
        match k {
            b"id" => m.id = Some(v),
            b"model" => m.model = Some(v),
            _ => {}
        }
        Some(())
    })?;
    Some(m)
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

/// The `tool_use` blocks of the `content` value at the cursor (0 unless it is an array).
fn count_tool_uses(w: &mut Walk<'_>) -> Option<u64> {
    if w.peek() != Some(b'[') {
        return w.value().map(|_| 0);
    }
    let mut n = 0;
    w.array_with(|block| {
        if block.peek() != Some(b'{') {
            return block.value().map(drop);
        }
        block.object_with(|k, v| {
            n += u64::from(v.value()? == b"\"tool_use\"" && k == b"type");
            Some(())
        })
    })?;
    Some(n)
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
    use crate::transcript::state::State;

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
