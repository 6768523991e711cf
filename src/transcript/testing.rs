//! Builds small transcripts for widget tests, in Claude Code's line shapes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::tempdir::TempDir;
use crate::widgets::testing::NOW;

/// A transcript being written line by line; `write` puts it in a fresh temporary file,
/// removed when the returned guard drops.
#[derive(Default)]
pub struct TranscriptBuilder {
    text: String,
}

/// Usage of one API call: input, output, cache read, cache write (5 min).
pub type Use = (u64, u64, u64, u64);

impl TranscriptBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    fn stamp(secs_before_now: i64) -> String {
        let ms = (NOW - secs_before_now) * 1000;
        let days = ms.div_euclid(86_400_000);
        let rem = ms.rem_euclid(86_400_000);
        // Civil from days (Howard Hinnant).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
            rem / 3_600_000,
            rem / 60_000 % 60,
            rem / 1000 % 60,
            rem % 1000
        )
    }

    /// A user prompt sent `ago` seconds before the tester's `NOW`.
    pub fn prompt(mut self, ago: i64) -> Self {
        let _ = writeln!(
            self.text,
            r#"{{"parentUuid":null,"isSidechain":false,"type":"user","timestamp":"{}","message":{{"role":"user","content":"fix the \"usage\" bug"}}}}"#,
            Self::stamp(ago)
        );
        self
    }

    /// A tool result whose echoed output mentions usage.
    pub fn tool_result(mut self, ago: i64) -> Self {
        let _ = writeln!(
            self.text,
            r#"{{"isSidechain":false,"type":"user","timestamp":"{}","message":{{"role":"user","content":[{{"tool_use_id":"t","type":"tool_result","content":"ok"}}]}},"toolUseResult":{{"usage":{{"input_tokens":999}}}}}}"#,
            Self::stamp(ago)
        );
        self
    }

    /// One API call written as `rows` lines (the last one with a tool use), all repeating
    /// the usage, as Claude Code does.
    pub fn call(mut self, id: &str, model: &str, usage: Use, rows: usize, ago: i64) -> Self {
        self.call_rows(id, model, usage, rows, ago, false);
        self
    }

    /// The same from a sub-agent.
    pub fn sidechain_call(mut self, id: &str, usage: Use, ago: i64) -> Self {
        self.call_rows(id, "claude-haiku-4-5", usage, 1, ago, true);
        self
    }

    fn call_rows(&mut self, id: &str, model: &str, u: Use, rows: usize, ago: i64, side: bool) {
        for row in 0..rows {
            let block = if row + 1 == rows {
                r#"{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls"}}"#
            } else {
                r#"{"type":"text","text":"Ünïcödé ✓ \"usage\": {}"}"#
            };
            let _ = writeln!(
                self.text,
                r#"{{"isSidechain":{side},"type":"assistant","timestamp":"{}","message":{{"model":"{model}","id":"{id}","type":"message","role":"assistant","content":[{block}],"usage":{{"input_tokens":{},"cache_creation_input_tokens":{},"cache_read_input_tokens":{},"output_tokens":{}}}}},"requestId":"req_{id}"}}"#,
                Self::stamp(ago),
                u.0,
                u.3,
                u.2,
                u.1
            );
        }
    }

    /// A compaction marker.
    pub fn compact(mut self, ago: i64) -> Self {
        let _ = writeln!(
            self.text,
            r#"{{"isSidechain":false,"type":"system","subtype":"compact_boundary","timestamp":"{}","compactMetadata":{{"trigger":"auto","preTokens":160000}}}}"#,
            Self::stamp(ago)
        );
        self
    }

    /// Any raw text (broken lines and the like).
    pub fn raw(mut self, text: &str) -> Self {
        self.text.push_str(text);
        self
    }

    /// Writes the transcript to `{tag}.jsonl` in a fresh temporary directory; the file
    /// and its directory are removed when the returned guard is dropped.
    pub fn write(self, tag: &str) -> TempTranscript {
        let dir = TempDir::new("tx").expect("temp dir is creatable");
        let path = dir.join(format!("{tag}.jsonl"));
        std::fs::write(&path, self.text).expect("temp transcript is writable");
        TempTranscript { path, _dir: dir }
    }
}

/// A transcript file written by [`TranscriptBuilder::write`]; derefs to its path.
pub struct TempTranscript {
    path: PathBuf,
    _dir: TempDir,
}

impl std::ops::Deref for TempTranscript {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

/// A payload naming `path` as the transcript.
pub fn payload(path: &std::path::Path) -> String {
    format!(
        r#"{{"transcript_path":{}}}"#,
        serde_json::to_string(path.to_str().expect("utf-8 temp path")).expect("json")
    )
}
