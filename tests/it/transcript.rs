//! Transcript figures against an independent, straightforward full parse (serde_json::Value
//! per line, keep the last row of each `message.id` + `requestId`), on generated
//! transcripts: whole scans, appends in pieces (splits inside lines and inside UTF-8
//! sequences), truncation, rotation, concurrent renders, and hostile paths; and the
//! parallel first scan against the sequential one on hostile transcripts.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use blinkline::testing::tempdir::TempDir;
use blinkline::testing::transcript::{
    Plan, Problem, State, catch_up_file, scan_file, scan_file_with,
};
use serde_json::Value;

/// A small deterministic generator of realistic transcripts.
struct Gen(u64);

impl Gen {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }

    fn transcript(&mut self, turns: usize) -> String {
        let mut t = String::from("{\"type\":\"summary\",\"summary\":\"Work\"}\n");
        let mut call = 0;
        for turn in 0..turns {
            let ts = format!("2026-11-20T{:02}:{:02}:00.000Z", 9 + turn / 60, turn % 60);
            t += &format!(
                "{{\"isSidechain\":false,\"type\":\"user\",\"timestamp\":\"{ts}\",\"message\":{{\"role\":\"user\",\"content\":\"é ✓ turn {turn}\"}}}}\n"
            );
            for _ in 0..=self.next(3) {
                call += 1;
                let side = self.next(8) == 0;
                let rows = 1 + self.next(4);
                let usage = [
                    self.next(50),
                    self.next(3000),
                    self.next(200_000),
                    self.next(20_000),
                ];
                for row in 0..rows {
                    // Later rows may carry a larger output count: the last one is billed.
                    let out = usage[1] + row * 7;
                    let block = if row + 1 == rows {
                        r#"{"type":"tool_use","id":"toolu","name":"Read","input":{"usage":{"input_tokens":1}}}"#
                    } else {
                        r#"{"type":"thinking","thinking":"Ünïcödé 🚀 \"usage\": {\"input_tokens\": 5} \\ end"}"#
                    };
                    t += &format!(
                        "{{\"parentUuid\":\"p\",\"isSidechain\":{side},\"type\":\"assistant\",\"timestamp\":\"{ts}\",\"message\":{{\"model\":\"claude-opus-4-6\",\"id\":\"msg_{call}\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{block}],\"usage\":{{\"input_tokens\":{},\"cache_creation_input_tokens\":{},\"cache_read_input_tokens\":{},\"output_tokens\":{out}}}}},\"requestId\":\"req_{call}\"}}\n",
                        usage[0], usage[3], usage[2]
                    );
                }
                t += &format!(
                    "{{\"isSidechain\":{side},\"type\":\"user\",\"timestamp\":\"{ts}\",\"message\":{{\"role\":\"user\",\"content\":[{{\"tool_use_id\":\"toolu\",\"type\":\"tool_result\",\"content\":\"line\\n\\\"usage\\\": 99 ✓\"}}]}},\"toolUseResult\":{{\"usage\":{{\"input_tokens\":99999}}}}}}\n"
                );
            }
            if self.next(10) == 0 {
                t += "{\"type\":\"system\",\"subtype\":\"compact_boundary\",\"isSidechain\":false,\"compactMetadata\":{\"preTokens\":1}}\n";
            }
            if self.next(5) == 0 {
                t += "{\"type\":\"file-history-snapshot\",\"messageId\":\"x\",\"snapshot\":{}}\n";
            }
        }
        t
    }
}

/// What the reference parse finds in the complete lines of `text`.
#[derive(Debug, PartialEq, Eq, Clone, Copy, Default)]
struct Figures {
    input: u64,
    output: u64,
    cache_read: u64,
    cache_write: u64,
    calls: u64,
    tools: u64,
    compactions: u64,
}

impl Figures {
    fn total(&self) -> u64 {
        self.input + self.output + self.cache_read + self.cache_write
    }

    fn of(state: &State) -> Figures {
        let t = state.totals();
        Figures {
            input: t.input,
            output: t.output,
            cache_read: t.cache_read,
            cache_write: t.cache_write(),
            calls: state.calls,
            tools: state.tool_uses,
            compactions: state.compactions,
        }
    }
}

fn reference(text: &[u8]) -> Figures {
    let complete = &text[..text.iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1)];
    let mut calls: HashMap<(String, String), [u64; 4]> = HashMap::new();
    let mut f = Figures::default();
    for line in complete.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
        let v: Value = serde_json::from_slice(line).expect("generated lines are valid");
        let side = v["isSidechain"].as_bool().unwrap_or(false);
        match v["type"].as_str() {
            Some("assistant") => {
                let m = &v["message"];
                if !side {
                    let blocks = m["content"].as_array().map_or(&[][..], |a| a.as_slice());
                    f.tools += blocks.iter().filter(|b| b["type"] == "tool_use").count() as u64;
                }
                let u = &m["usage"];
                let n = |k: &str| u[k].as_u64().unwrap_or(0);
                let key = (m["id"].to_string(), v["requestId"].to_string());
                let usage = [
                    n("input_tokens"),
                    n("output_tokens"),
                    n("cache_read_input_tokens"),
                    n("cache_creation_input_tokens"),
                ];
                calls.insert(key, usage);
            }
            Some("system") if v["subtype"] == "compact_boundary" && !side => f.compactions += 1,
            _ => {}
        }
    }
    for u in calls.values() {
        f.input += u[0];
        f.output += u[1];
        f.cache_read += u[2];
        f.cache_write += u[3];
    }
    f.calls = calls.len() as u64;
    f
}

/// The reference total after each complete line, in one pass (same rules as `reference`).
fn prefix_totals(text: &[u8]) -> BTreeSet<u64> {
    let mut calls: HashMap<(String, String), u64> = HashMap::new();
    let mut total = 0u64;
    let mut all = BTreeSet::from([0]);
    for line in text
        .split_inclusive(|&c| c == b'\n')
        .filter(|l| l.ends_with(b"\n"))
    {
        let v: Value = serde_json::from_slice(line).expect("generated lines are valid");
        if v["type"] == "assistant" {
            let u = &v["message"]["usage"];
            let sum: u64 = [
                "input_tokens",
                "output_tokens",
                "cache_read_input_tokens",
                "cache_creation_input_tokens",
            ]
            .iter()
            .map(|k| u[k].as_u64().unwrap_or(0))
            .sum();
            let key = (v["message"]["id"].to_string(), v["requestId"].to_string());
            total = total - calls.insert(key, sum).unwrap_or(0) + sum;
        }
        all.insert(total);
    }
    all
}

/// A fresh temporary directory, removed on drop.
fn temp_dir(tag: &str) -> TempDir {
    TempDir::new(&format!("it-{tag}")).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_full_scan_equals_the_reference_parse() {
    let dir = temp_dir("full");
    for seed in 1..=4 {
        let text = Gen(seed).transcript(150);
        let path = dir.join(format!("{seed}.jsonl"));
        std::fs::write(&path, &text).unwrap();
        let state = scan_file(s(&path)).unwrap();
        assert_eq!(
            Figures::of(&state),
            reference(text.as_bytes()),
            "seed {seed}"
        );
        assert_eq!(state.bad_lines, 0);
        assert!(state.calls > 150);
    }
}

#[test]
fn appending_in_pieces_gives_the_same_figures_as_one_scan() {
    let dir = temp_dir("pieces");
    let text = Gen(7).transcript(40).into_bytes();
    let path = dir.join("t.jsonl");
    let mut file = std::fs::File::create(&path).unwrap();
    let (mut state, mut buf) = (State::default(), Vec::new());
    let mut g = Gen(99);
    let mut at = 0;
    let mut split_in_utf8 = 0;
    while at < text.len() {
        let next = (at + 1 + g.next(700) as usize).min(text.len());
        split_in_utf8 += usize::from(next < text.len() && (text[next] & 0xc0) == 0x80);
        file.write_all(&text[at..next]).unwrap();
        at = next;
        catch_up_file(s(&path), &mut state, &mut buf).unwrap();
        assert_eq!(
            Figures::of(&state),
            reference(&text[..at]),
            "after {at} bytes"
        );
    }
    assert!(split_in_utf8 > 0, "some pieces end inside a UTF-8 sequence");
    assert_eq!(state, scan_file(s(&path)).unwrap());
}

#[test]
fn a_truncated_rotated_or_rewritten_transcript_is_rescanned() {
    let dir = temp_dir("rotate");
    let path = dir.join("t.jsonl");
    let first = Gen(3).transcript(80);
    std::fs::write(&path, &first).unwrap();
    let (mut state, mut buf) = (State::default(), Vec::new());
    catch_up_file(s(&path), &mut state, &mut buf).unwrap();

    let cut = first[..first.len() / 2].rfind('\n').unwrap() + 1;
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(cut as u64)
        .unwrap();
    catch_up_file(s(&path), &mut state, &mut buf).unwrap();
    assert_eq!(
        Figures::of(&state),
        reference(&first.as_bytes()[..cut]),
        "truncated"
    );

    let other = Gen(4).transcript(90);
    let swapped = dir.join("other.jsonl");
    std::fs::write(&swapped, &other).unwrap();
    std::fs::rename(&swapped, &path).unwrap();
    catch_up_file(s(&path), &mut state, &mut buf).unwrap();
    assert_eq!(Figures::of(&state), reference(other.as_bytes()), "rotated");

    let rewritten = Gen(5).transcript(95);
    assert!(rewritten.len() > other.len());
    std::fs::write(&path, &rewritten).unwrap(); // same inode, new bytes
    catch_up_file(s(&path), &mut state, &mut buf).unwrap();
    assert_eq!(
        Figures::of(&state),
        reference(rewritten.as_bytes()),
        "rewritten"
    );
}

#[test]
fn paths_that_are_not_transcripts_are_refused_without_reading() {
    let dir = temp_dir("hostile");
    assert_eq!(scan_file(s(&dir)).err(), Some(Problem::NotAFile));
    #[cfg(unix)]
    assert_eq!(scan_file("/dev/zero").err(), Some(Problem::NotAFile));
    assert_eq!(
        scan_file(s(&dir.join("missing.jsonl"))).err(),
        Some(Problem::Missing)
    );
    // FIFOs (made with mkfifo) are Unix only.
    #[cfg(unix)]
    {
        let fifo = dir.join("fifo");
        assert!(
            Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        assert_eq!(scan_file(s(&fifo)).err(), Some(Problem::NotAFile));
    }
}

#[test]
fn garbage_lines_are_counted_and_never_stop_the_scan() {
    let dir = temp_dir("garbage");
    let good = Gen(11).transcript(20);
    let mut bytes =
        b"{\"type\":\"assistant\",\"message\":{\"usage\":{\"input_tok\n\xff\xfe\x00\n".to_vec();
    bytes.extend_from_slice(good.as_bytes());
    bytes.extend_from_slice(&[b'x'; 3 << 20]); // a 3 MiB line with no end yet
    let path = dir.join("t.jsonl");
    std::fs::write(&path, &bytes).unwrap();
    let state = scan_file(s(&path)).unwrap();
    assert_eq!(Figures::of(&state), reference(good.as_bytes()));
    assert_eq!(state.bad_lines, 1);
    assert_eq!(state.offset as usize, bytes.len() - (3 << 20));
}

impl Gen {
    /// A generated transcript with the lines a parallel scan must not get wrong: a call's
    /// rows far apart (duplicates in other chunks), a dozen models (slot order), invalid
    /// and blank lines, CRLF, sidechain and meta user lines, a line longer than a read
    /// chunk, and an incomplete last line.
    fn hostile(&mut self, turns: usize, mut long_lines: usize) -> String {
        let mut out = String::new();
        for (i, line) in self.transcript(turns).lines().enumerate() {
            out += &match self.next(9) {
                0 if line.contains("\"assistant\"") => {
                    line.replace("claude-opus-4-6", &format!("model-{}", self.next(12)))
                }
                1 => format!("{line}\r"),
                _ => line.to_owned(),
            };
            out.push('\n');
            match self.next(23) {
                0 => out += "{\"type\":\"assistant\",\"message\":{\"usage\":{\"input_tok\n",
                1 => out += "\n\u{1}garbage \"usage\" \u{ff}\n",
                2 => {
                    out += "{\"type\":\"user\",\"isMeta\":true,\"timestamp\":\"2026-11-21T01:00:00Z\",\"message\":{\"content\":\"x\"}}\n"
                }
                // A late repeat of an earlier call (a row far from its call's others).
                3 if i > 20 => {
                    let id = 1 + self.next(i as u64 / 3);
                    out += &format!(
                        "{{\"type\":\"assistant\",\"timestamp\":\"2026-11-21T02:00:00Z\",\"message\":{{\"model\":\"claude-opus-4-6\",\"id\":\"msg_{id}\",\"usage\":{{\"input_tokens\":1,\"output_tokens\":{i}}}}},\"requestId\":\"req_{id}\"}}\n"
                    );
                }
                4 if long_lines > 0 => {
                    long_lines -= 1;
                    let body = "long \\\"usage\\\" ".repeat(30_000);
                    out += &format!(
                        "{{\"type\":\"user\",\"timestamp\":\"2026-11-21T03:00:00Z\",\"message\":{{\"content\":[{{\"type\":\"tool_result\",\"content\":\"{body}\"}}]}}}}\n"
                    );
                }
                _ => {}
            }
        }
        out + "{\"type\":\"assistant\",\"message\":{\"usage\":"
    }
}

#[test]
fn the_parallel_scan_equals_the_sequential_scan_field_for_field() {
    let dir = temp_dir("parallel");
    let cases: &[(u64, usize, usize, &[u64])] = &[
        (1, 4, 0, &[1, 2, 3, 5, 8, 13, 50]),
        (2, 60, 0, &[97, 256, 1000, 4096]),
        (3, 120, 2, &[777, 4096, 65_536, 300_000, 1 << 20]),
        (4, 200, 1, &[10_000, 123_457]),
    ];
    for &(seed, turns, long_lines, chunks) in cases {
        let text = Gen(seed).hostile(turns, long_lines);
        let path = dir.join(format!("{seed}.jsonl"));
        std::fs::write(&path, &text).unwrap();
        let want = scan_file_with(s(&path), &Plan::sequential()).unwrap();
        assert!(want.bad_lines > 0 && want.models.len() > 4, "seed {seed}");
        assert!(
            (want.offset as usize) < text.len(),
            "an incomplete last line"
        );
        let longest = text.lines().map(str::len).max().unwrap_or(0);
        assert_eq!(
            longest > 256 << 10,
            long_lines > 0,
            "seed {seed}: {longest}"
        );
        for &chunk in chunks {
            for threads in [1, 2, 3] {
                let plan = Plan {
                    threads,
                    chunk,
                    min_bytes: 0,
                };
                let got = scan_file_with(s(&path), &plan).unwrap();
                assert_eq!(got, want, "seed {seed}, {threads} threads, chunk {chunk}");
            }
        }
    }
}

#[test]
fn the_refresher_scan_equals_the_reference_parse() {
    let dir = temp_dir("refresher");
    let mut text = String::new();
    let mut seed = 60;
    while text.len() < 3 << 20 {
        seed += 1;
        text += &Gen(seed)
            .transcript(60)
            .replace("msg_", &format!("m{seed}_"));
    }
    let path = dir.join("t.jsonl");
    std::fs::write(&path, &text).unwrap();
    let state = scan_file(s(&path)).unwrap();
    assert_eq!(Figures::of(&state), reference(text.as_bytes()));
    assert_eq!(
        state,
        scan_file_with(s(&path), &Plan::sequential()).unwrap()
    );
}

fn render(cache: &Path, transcript: &Path, extra: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_blinkline"))
        .args(["--format", "plain", "--widgets", "session_tokens"])
        .args(["--set", "session_tokens.style=exact"])
        .args(extra)
        .env_clear()
        .env("BLINKLINE_TTY_WIDTH", "0")
        .env("HOME", "/nonexistent")
        .env("XDG_CACHE_HOME", cache)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map(|mut child| {
            let payload = format!(r#"{{"transcript_path":{}}}"#, Value::from(s(transcript)));
            let _ = child.stdin.take().unwrap().write_all(payload.as_bytes());
            child
        })
        .unwrap()
}

fn printed_total(out: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(out).unwrap().trim();
    text.strip_suffix(" tok")?.parse().ok()
}

#[test]
fn concurrent_renders_while_a_writer_appends_print_totals_of_prefixes() {
    let dir = temp_dir("concurrent");
    let cache = dir.join("cache");
    let path = dir.join("t.jsonl");
    let text = Gen(21).transcript(300);
    let half = text[..text.len() / 3].rfind('\n').unwrap() + 1;
    std::fs::write(&path, &text[..half]).unwrap();
    let valid = prefix_totals(text.as_bytes());
    let rest = text.as_bytes()[half..].to_vec();
    let file_path = path.clone();
    let writer = std::thread::spawn(move || {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&file_path)
            .unwrap();
        for chunk in rest.chunks(97) {
            f.write_all(chunk).unwrap();
        }
    });
    let children: Vec<_> = (0..32).map(|_| render(&cache, &path, &[])).collect();
    writer.join().unwrap();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        let total = printed_total(&out.stdout)
            .unwrap_or_else(|| panic!("no total in {:?}", String::from_utf8_lossy(&out.stdout)));
        assert!(
            valid.contains(&total),
            "{total} is not the total of any prefix"
        );
    }
    let last = render(&cache, &path, &[]).wait_with_output().unwrap();
    assert_eq!(
        printed_total(&last.stdout),
        Some(reference(text.as_bytes()).total())
    );
}

#[test]
fn a_corrupt_cache_record_or_an_unusable_cache_dir_heals_or_is_bypassed() {
    let dir = temp_dir("cache");
    let path = dir.join("t.jsonl");
    let text = Gen(31).transcript(40);
    std::fs::write(&path, &text).unwrap();
    let want = reference(text.as_bytes()).total();
    let cache = dir.join("cache");
    let first = render(&cache, &path, &[]).wait_with_output().unwrap();
    assert_eq!(printed_total(&first.stdout), Some(want));
    for entry in std::fs::read_dir(cache.join("blinkline")).unwrap() {
        let p = entry.unwrap().path();
        if !p.to_string_lossy().ends_with(".lock") {
            std::fs::write(&p, b"BLNK\x01garbage").unwrap();
        }
    }
    let healed = render(&cache, &path, &[]).wait_with_output().unwrap();
    assert_eq!(printed_total(&healed.stdout), Some(want));

    let blocked = dir.join("blocked");
    std::fs::write(&blocked, b"a file where the cache directory should be").unwrap();
    let bypassed = render(&blocked, &path, &[]).wait_with_output().unwrap();
    assert_eq!(printed_total(&bypassed.stdout), Some(want));
}

#[test]
#[cfg_attr(
    not(unix),
    ignore = "the lock files cannot be locked again under wine; not checked on Windows itself"
)]
fn a_transcript_too_large_for_a_frame_is_finished_by_one_refresher() {
    let dir = temp_dir("large");
    let path = dir.join("t.jsonl");
    let mut text = String::new();
    let mut seed = 40;
    while text.len() < 3 << 20 {
        seed += 1;
        text += &Gen(seed)
            .transcript(60)
            .replace("msg_", &format!("m{seed}_"));
    }
    std::fs::write(&path, &text).unwrap();
    let cache = dir.join("cache");
    let first = render(&cache, &path, &[]).wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&first.stdout).trim(), "\u{2026}");
    // Finish the scan here unless the refresher the render started holds the lock; then
    // wait for that one by taking its lock (the kernel hands it over when it is done).
    let done = Command::new(env!("CARGO_BIN_EXE_blinkline"))
        .args(["__refresh-transcript", s(&path)])
        .env_clear()
        .env("XDG_CACHE_HOME", &cache)
        .status()
        .unwrap();
    assert!(done.success());
    for entry in std::fs::read_dir(cache.join("blinkline")).unwrap() {
        let p = entry.unwrap().path();
        if p.to_string_lossy().ends_with(".lock") {
            let held = std::fs::File::open(&p).unwrap();
            held.lock().unwrap();
            held.unlock().unwrap();
        }
    }
    let second = render(&cache, &path, &[]).wait_with_output().unwrap();
    assert_eq!(
        printed_total(&second.stdout),
        Some(reference(text.as_bytes()).total())
    );
}
