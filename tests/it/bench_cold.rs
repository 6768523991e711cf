//! `blinkline bench --cold`: every cold frame redoes the uncached work (the whole
//! transcript read again, one git refresh), counted by the bench's own counters, while warm
//! frames read nothing; and the cold bench never touches the user's cache.

use crate::support;

use std::path::Path;

use support::{Sandbox, Transcript, payload};

const WIDGETS: &str = "session_tokens,git_branch,git_status";

/// Runs `blinkline bench ARGS --json` in `sb` on `input` and returns the report.
fn bench(sb: &Sandbox, input: &Path, args: &[&str]) -> serde_json::Value {
    let mut cmd = sb.command(&["bench", "--json", "--widgets", WIDGETS]);
    cmd.args(args).arg("--input").arg(input);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A session in a fresh repository with a transcript of `calls` API calls; returns the
/// payload file and the transcript's length.
fn session(sb: &Sandbox, calls: usize) -> (std::path::PathBuf, f64) {
    let t = Transcript::generate(3, calls, 200);
    let transcript = sb.path("t.jsonl");
    std::fs::write(&transcript, t.text(t.lines.len())).unwrap();
    let repo = sb.repo("repo");
    let input = sb.path("payload.json");
    std::fs::write(&input, payload(&transcript, Some(&repo))).unwrap();
    let len = std::fs::metadata(&transcript).unwrap().len() as f64;
    (input, len)
}

fn field(report: &serde_json::Value, name: &str) -> f64 {
    report[name]
        .as_f64()
        .unwrap_or_else(|| panic!("no {name} in {report}"))
}

#[test]
#[cfg_attr(not(unix), ignore = "needs git")]
fn every_cold_frame_reads_the_transcript_again_and_refreshes_git_once() {
    let sb = Sandbox::new("bench-cold");
    let (input, len) = session(&sb, 40);
    let report = bench(&sb, &input, &["--cold", "--frames", "3", "--warmup", "1"]);
    assert_eq!(report["cold"], true);
    assert_eq!(report["frames"], 3);
    assert!(
        field(&report, "transcript_bytes_per_frame") >= len,
        "a cold frame read less than the whole transcript ({len} bytes): {report}"
    );
    assert_eq!(field(&report, "git_refreshes_per_frame"), 1.0, "{report}");
    assert!(
        !sb.cache_dir().exists(),
        "the cold bench wrote into the user's cache"
    );
}

#[test]
#[cfg_attr(not(unix), ignore = "needs git")]
fn warm_frames_read_nothing_new() {
    let sb = Sandbox::new("bench-warm");
    let (input, _) = session(&sb, 40);
    // A repository changed within the racy window cannot be told unchanged from its
    // timestamps, so its status is counted again until it is older (see git/witness.rs);
    // a fresh sandbox's files age past that window first.
    std::thread::sleep(blinkline::testing::git::witness::RACY * 3);
    let report = bench(&sb, &input, &["--frames", "20", "--warmup", "1"]);
    assert_eq!(report["cold"], false);
    assert_eq!(
        field(&report, "transcript_bytes_per_frame"),
        0.0,
        "{report}"
    );
    assert_eq!(field(&report, "git_refreshes_per_frame"), 0.0, "{report}");
}

#[test]
#[cfg_attr(not(unix), ignore = "needs git")]
fn a_cold_frame_scans_a_transcript_too_long_for_a_render_in_process() {
    // Past the 2 MiB a render reads itself, the scan is the refresher's: cold, it runs
    // in-process and is counted.
    let sb = Sandbox::new("bench-cold-long");
    let (input, len) = session(&sb, 3000);
    assert!(len > f64::from(2u32 << 20), "the transcript is {len} bytes");
    let report = bench(&sb, &input, &["--cold", "--frames", "1", "--warmup", "0"]);
    assert!(
        field(&report, "transcript_bytes_per_frame") >= len,
        "{report}"
    );
}

/// A cold git refresh of an index past the parallel threshold (2,048 entries) compares it
/// in chunks on the engine's pool: the report counts the helper jobs, their queue
/// operations and the chunks the workers took; `--threads 0` keeps everything on the
/// calling thread.
#[test]
#[cfg_attr(not(unix), ignore = "needs git")]
fn a_cold_status_of_a_large_index_runs_on_the_engine_pool() {
    let sb = Sandbox::new("bench-cold-pool");
    let (input, _) = session(&sb, 4);
    let repo = sb.path("repo");
    for dir in 0..30 {
        let dir_path = repo.join(format!("d{dir}"));
        std::fs::create_dir_all(&dir_path).unwrap();
        for file in 0..80 {
            std::fs::write(dir_path.join(format!("f{file}")), format!("{dir} {file}\n")).unwrap();
        }
    }
    sb.git(&repo, &["add", "."]);
    let args = |threads| {
        [
            "--cold",
            "--frames",
            "4",
            "--warmup",
            "1",
            "--threads",
            threads,
        ]
    };
    let report = bench(&sb, &input, &args("2"));
    let engine = &report["engine"];
    assert_eq!(engine["threads"], 2, "{report}");
    let per_frame = |name: &str| engine[name].as_f64().unwrap_or(-1.0);
    assert!(per_frame("jobs_per_frame") >= 1.0, "{report}");
    assert!(per_frame("queue_ops_per_frame") >= 2.0, "{report}");
    let inline = bench(&sb, &input, &args("0"));
    assert_eq!(inline["engine"]["threads"], 0, "{inline}");
    assert_eq!(inline["engine"]["jobs_per_frame"], 0.0, "{inline}");
}

/// `bench --cold` measured the sample payload when the session's payload came on stdin
/// (only `--input FILE` was read): the transcript on stdin was never scanned.
#[test]
#[cfg_attr(not(unix), ignore = "needs git")]
fn bench_cold_reads_a_payload_piped_on_stdin() {
    let sb = Sandbox::new("bench-cold-stdin");
    let (input, len) = session(&sb, 40);
    let out = sb
        .command(&["bench", "--json", "--widgets", WIDGETS])
        .args(["--cold", "--frames", "2", "--warmup", "0"])
        .stdin(std::fs::File::open(&input).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        field(&report, "transcript_bytes_per_frame") >= len,
        "the piped payload's transcript ({len} bytes) was not read: {report}"
    );
    assert_eq!(field(&report, "git_refreshes_per_frame"), 1.0, "{report}");
}
