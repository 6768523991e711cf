//! `blinkline usage` over a hand-written set of transcripts (`usage_fixture/`): duplicates
//! within and across files, a sub-agent transcript, junk, lines ccusage rejects, several
//! days and time zones. The expected totals are worked out by hand below; a second test
//! compares with ccusage itself when it is installed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use blinkline::testing::tempdir::TempDir;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/usage_fixture");

/// A copy of the fixture as a Claude config directory, and a cache and home beside it.
struct Sandbox {
    dir: TempDir,
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = TempDir::new("usage").unwrap();
        copy_dir(Path::new(FIXTURE), &dir.path().join("claude/projects"));
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        Sandbox { dir }
    }

    fn projects(&self) -> PathBuf {
        self.dir.path().join("claude/projects")
    }

    fn usage(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_blinkline"))
            .arg("usage")
            .args(args)
            .env_clear()
            .env("HOME", self.dir.path().join("home"))
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"))
            .env("CLAUDE_CONFIG_DIR", self.dir.path().join("claude"))
            .env("TZ", "UTC")
            .output()
            .unwrap()
    }

    /// `(date, input, output, cache create, cache read, cost in µ$)` per day.
    fn daily(&self, args: &[&str]) -> Vec<(String, u64, u64, u64, u64, i64)> {
        let mut all = vec!["daily", "--json"];
        all.extend_from_slice(args);
        let out = self.usage(&all);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        days(&out.stdout)
    }
}

fn days(json: &[u8]) -> Vec<(String, u64, u64, u64, u64, i64)> {
    let v: serde_json::Value = serde_json::from_slice(json).unwrap();
    v["daily"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap().to_owned(),
                d["inputTokens"].as_u64().unwrap(),
                d["outputTokens"].as_u64().unwrap(),
                d["cacheCreationTokens"].as_u64().unwrap(),
                d["cacheReadTokens"].as_u64().unwrap(),
                (d["totalCost"].as_f64().unwrap() * 1e6).round() as i64,
            )
        })
        .collect()
}

// The fixture merges several hand-made sets, so some calls share a key across sets (m1/r1,
// m3/r3, m5/r5): each such call counts once, with its line of most tokens, earliest on a tie.
// Worked through line by line (and checked against `ccusage claude daily`):
const UTC: [(&str, u64, u64, u64, u64, i64); 3] = [
    // Cost: opus-4-6 at $5/$25/$6.25/$0.50 per Mtok.
    ("2026-11-20", 33_047, 660, 100, 2_000, 183_150),
    // m5 has costUSD 1.5 (auto mode takes it), m9 (+02:00 offset) is priced: 4 in, 1 out at
    // sonnet's $3/$15; m6 (no output_tokens), m7 (2.5 tokens), m8 (no `T`) are rejected.
    ("2026-11-21", 1_004, 1_001, 0, 0, 1_500_027),
    // haiku: b's session and the sub-agent of p2/s9 (20 + 30 each way at $1/$5).
    ("2026-11-22", 50, 50, 0, 0, 300),
];

fn expected(rows: &[(&str, u64, u64, u64, u64, i64)]) -> Vec<(String, u64, u64, u64, u64, i64)> {
    rows.iter()
        .map(|&(d, a, b, c, e, f)| (d.to_owned(), a, b, c, e, f))
        .collect()
}

#[test]
fn daily_totals_match_the_hand_computed_ones() {
    let s = Sandbox::new();
    assert_eq!(s.daily(&[]), expected(&UTC));
    // Read again from the index: the same.
    assert_eq!(s.daily(&[]), expected(&UTC));
    assert_eq!(
        s.daily(&["--since", "20261121", "--until", "2026-11-21"]),
        expected(&UTC[1..2])
    );
}

#[test]
fn days_follow_the_time_zone() {
    let s = Sandbox::new();
    // In New York (UTC-5) everything before 05:00 UTC belongs to the day before: the
    // 11-21 01:00-04:00 UTC calls (1,004 in, 1,001 out) move to 11-20.
    let ny = s.daily(&["--timezone", "America/New_York"]);
    assert_eq!(ny[0].0, "2026-11-20");
    assert_eq!((ny[0].1, ny[0].2), (33_047 + 1_004, 660 + 1_001));
    // In Kolkata (UTC+5:30) the only line near midnight (m3 at 23:30 UTC) loses its call
    // to a/x's m3 at 11:00 UTC, whatever the zone: the days are the UTC ones.
    let ist = s.daily(&["--timezone", "Asia/Kolkata"]);
    assert_eq!(ist, expected(&UTC));
}

#[test]
fn a_grown_file_adds_its_new_lines_and_a_deleted_one_is_dropped() {
    let s = Sandbox::new();
    assert_eq!(s.daily(&[]), expected(&UTC));
    let path = s.projects().join("p2/s2.jsonl");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(r#"{"type":"assistant","timestamp":"2026-11-22T10:00:00.000Z","requestId":"rZ","message":{"id":"mZ","model":"claude-haiku-4-5","usage":{"input_tokens":1000,"output_tokens":0}}}"#);
    text.push('\n');
    // A partial last line is not consumed until it is complete.
    text.push_str(
        r#"{"type":"assistant","timestamp":"2026-11-22T10:00:01.000Z","requestId":"rY","#,
    );
    std::fs::write(&path, &text).unwrap();
    let grown = s.daily(&[]);
    assert_eq!((grown[2].1, grown[2].5), (1_050, 1_300));
    text.push_str(r#""message":{"id":"mY","model":"claude-haiku-4-5","usage":{"input_tokens":1,"output_tokens":0}}}"#);
    text.push('\n');
    std::fs::write(&path, &text).unwrap();
    assert_eq!(s.daily(&[])[2].1, 1_051);
    // Deleting a file whose lines won calls brings back the lines they hid: the index
    // starts over and equals one built without the file from the start.
    std::fs::remove_file(s.projects().join("p2/s2.jsonl")).unwrap();
    let dropped = s.daily(&[]);
    let fresh = Sandbox::new();
    std::fs::remove_file(fresh.projects().join("p2/s2.jsonl")).unwrap();
    assert_eq!(dropped, fresh.daily(&[]));
    assert_ne!(dropped[0], grown[0]);
}

#[test]
fn bad_flags_get_a_short_error() {
    let s = Sandbox::new();
    let out = s.usage(&["--since", "2026-13-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "blinkline: --since `2026-13-01`: expected a date like 20261120 or 2026-11-20\n"
    );
    let out = s.usage(&["--timezone", "Mars/Olympus"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown time zone"));
}

#[test]
fn a_narrow_terminal_gets_fewer_columns_and_names_are_sanitized() {
    let s = Sandbox::new();
    let dir = s.projects().join("evil\u{1b}[31mproj");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("s.jsonl"),
        "{\"timestamp\":\"2026-11-23T10:00:00Z\",\"message\":{\"model\":\"m\\u001b]0;x\\u0007\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n",
    )
    .unwrap();
    let wide = s.usage(&["session", "--breakdown"]);
    let text = String::from_utf8(wide.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(
        text.contains("evilproj") && text.contains("Cache read"),
        "{text}"
    );
    let mut narrow = Command::new(env!("CARGO_BIN_EXE_blinkline"));
    let out = narrow
        .args(["usage"])
        .env_clear()
        .env("HOME", s.dir.path().join("home"))
        .env("XDG_CACHE_HOME", s.dir.path().join("cache"))
        .env("CLAUDE_CONFIG_DIR", s.dir.path().join("claude"))
        .env("TZ", "UTC")
        .env("COLUMNS", "40")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().all(|l| l.chars().count() <= 40), "{text}");
    assert!(!text.contains("Cache read"), "{text}");
}

/// ccusage's binary: `BLINKLINE_CCUSAGE`, else `ccusage` on PATH.
fn ccusage() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("BLINKLINE_CCUSAGE") {
        return Some(PathBuf::from(p));
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join("ccusage"))
        .find(|p| p.is_file())
}

#[test]
fn daily_totals_equal_ccusages_in_several_time_zones() {
    let Some(ccusage) = ccusage() else {
        eprintln!("skipped: ccusage is not installed (set BLINKLINE_CCUSAGE to its binary)");
        return;
    };
    let s = Sandbox::new();
    for zone in ["UTC", "America/New_York", "Asia/Kolkata", "Asia/Tokyo"] {
        let out = Command::new(&ccusage)
            .args(["claude", "daily", "--json", "--offline", "--timezone", zone])
            .env_clear()
            .env("HOME", s.dir.path().join("home"))
            .env("CLAUDE_CONFIG_DIR", s.dir.path().join("claude"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs = days(&out.stdout);
        let ours = s.daily(&["--timezone", zone]);
        // Tokens equal; costs within a micro-dollar (the same per-token prices).
        let tokens = |d: &[(String, u64, u64, u64, u64, i64)]| {
            d.iter()
                .map(|r| (r.0.clone(), r.1, r.2, r.3, r.4))
                .collect::<Vec<_>>()
        };
        assert_eq!(tokens(&ours), tokens(&theirs), "{zone}");
        for (a, b) in ours.iter().zip(&theirs) {
            assert!((a.5 - b.5).abs() <= 1, "{zone} {}: {} vs {}", a.0, a.5, b.5);
        }
    }
}
