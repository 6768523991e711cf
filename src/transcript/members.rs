//! What the walker (`walk.rs`) reads of a line: the top-level members any line kind
//! contributes, and for assistant lines the parts of `message` (ids, model, usage, the
//! count of `tool_use` blocks), in one pass over the line.
//!
//! The top-level `type` decides what a line is. In Claude Code's key order it comes before
//! `message`, which an assistant line's walk then reads where it stands; in another order
//! `message` is skipped and read from its bytes afterwards. One walk replaced a substring
//! search for the first `"type":"` before each walk, and a nested `"type":"…"` before the
//! top-level one no longer decides the kind: 19.2M → 18.8M instructions for the scan of a
//! 5 MB transcript (callgrind). The members are filled in place ([`Members::read`]):
//! returning them by value copied ~250 bytes twice a line and cost more than the search
//! saved.
//!
//! Read next: `assistant.rs` (what an assistant line contributes), `scan.rs` (user lines).

use serde::Deserialize;

use crate::transcript::walk::Walk;

/// The top-level members of a line, as raw JSON values (strings with their quotes).
#[derive(Default)]
pub struct Members<'l> {
    pub kind: Option<&'l [u8]>,
    pub sidechain: Option<&'l [u8]>,
    pub meta: Option<&'l [u8]>,
    pub timestamp: Option<&'l [u8]>,
    pub request_id: Option<&'l [u8]>,
    /// The bytes of the last `message` value.
    pub message: Option<&'l [u8]>,
    /// That `message` read in place, when the line was an assistant's by then.
    pub parts: Option<MessageParts<'l>>,
}

/// The value of `type` in an assistant line.
pub const ASSISTANT: &[u8] = b"\"assistant\"";
/// The value of `type` in a user line.
pub const USER: &[u8] = b"\"user\"";

impl<'l> Members<'l> {
    /// Fills `self` (fresh) from `line`, walked whole; `None` when the line is not one JSON
    /// object (text after it included) or holds what the walker does not read (`walk.rs`).
    pub fn read(&mut self, line: &'l [u8]) -> Option<()> {
        let mut w = Walk::new(line);
        w.object_with(|k, w| {
            if k == b"message" {
                return self.read_message(line, w);
            }
            let v = Some(w.value()?);
            match k {
                b"type" => self.kind = v,
                b"isSidechain" => self.sidechain = v,
                b"isMeta" => self.meta = v,
                b"timestamp" => self.timestamp = v,
                b"requestId" => self.request_id = v,
                _ => {}
            }
            Some(())
        })?;
        w.at_end().then_some(())
    }

    fn read_message(&mut self, line: &'l [u8], w: &mut Walk<'l>) -> Option<()> {
        w.peek()?;
        let start = w.pos();
        self.parts = None;
        if self.kind == Some(ASSISTANT) {
            self.parts = Some(message_parts(w)?);
        } else {
            w.value()?;
        }
        self.message = Some(&line[start..w.pos()]);
        Some(())
    }

    /// Reads the assistant's `message` from its bytes when the walk did not read it in
    /// place (`type` came after it); `None` when it is absent or not an object.
    pub fn read_parts(&mut self) -> Option<&MessageParts<'l>> {
        if self.parts.is_none() {
            self.parts = Some(message_parts(&mut Walk::new(self.message?))?);
        }
        self.parts.as_ref()
    }
}

#[derive(Clone, Copy, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub input_tokens: Option<u64>,
    #[serde(default)]
    pub output_tokens: Option<u64>,
    #[serde(default)]
    pub cache_creation_input_tokens: Option<u64>,
    #[serde(default)]
    pub cache_read_input_tokens: Option<u64>,
    #[serde(default)]
    pub cache_creation: Option<CacheCreation>,
}

#[derive(Clone, Copy, Deserialize)]
pub struct CacheCreation {
    #[serde(default)]
    pub ephemeral_1h_input_tokens: Option<u64>,
}

/// `message.usage` as the walk found it.
#[derive(Clone, Copy)]
pub enum UsageAt<'l> {
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
pub fn fast_usage(w: &mut Walk<'_>) -> Option<Usage> {
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
#[derive(Clone, Copy, Default)]
pub struct MessageParts<'l> {
    pub id: Option<&'l [u8]>,
    pub model: Option<&'l [u8]>,
    pub usage: Option<UsageAt<'l>>,
    pub tool_uses: u64,
}

/// Walks the `message` object at the cursor; `None` if it is not an object.
pub fn message_parts<'l>(w: &mut Walk<'l>) -> Option<MessageParts<'l>> {
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
