//! Soak: many renders against one cache while the session's transcript grows and files
//! change in its repository. Every render must print a line (never a blank one), every
//! token total must be exact for some prefix of the transcript, and no refresher may be
//! left running at the end.
//!
//! By default each of the 64 lanes renders twice (a few seconds, bounded for CI). With
//! `BLINKLINE_SOAK_SECS=N` the lanes keep rendering for N seconds while the appends are
//! spread over the N seconds and the tree keeps changing (`make soak`: 20 s). The
//! summary line on stderr counts renders, distinct lines, tree changes and git refreshes.

use crate::support;

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use support::{Rng, Sandbox, Transcript, payload, tokens_of};

const LANES: usize = 64;
const RENDERS_PER_LANE: usize = 2;

/// How long the lanes render: `None` for the CI-bounded default.
fn soak_duration() -> Option<Duration> {
    let secs = std::env::var("BLINKLINE_SOAK_SECS").ok()?;
    let secs: u64 = secs
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("BLINKLINE_SOAK_SECS must be whole seconds, got {secs:?}"));
    Some(Duration::from_secs(secs))
}

/// Average bytes of one append (pieces are 1 to 3,000 bytes).
const AVERAGE_PIECE: usize = 1500;

/// The pause between two appends: 3 ms by default, else spread so that the appends last
/// about as long as the soak.
fn append_pause(duration: Option<Duration>, rest: usize) -> Duration {
    let pieces = (rest / AVERAGE_PIECE).max(1) as u32;
    duration.map_or(Duration::from_millis(3), |d| d / pieces)
}

/// The most tree changes: 40 by default, else about 40 a second of soak.
fn most_changes(duration: Option<Duration>) -> usize {
    duration.map_or(40, |d| 40 * d.as_secs().max(1) as usize)
}

/// Renders until `deadline` (at least [`RENDERS_PER_LANE`] times), asserting success.
fn render_lane(sb: &Sandbox, input: &str, trace: &Path, deadline: Option<Instant>) -> Vec<String> {
    let mut lines = Vec::new();
    while lines.len() < RENDERS_PER_LANE || deadline.is_some_and(|d| Instant::now() < d) {
        let out = sb
            .render_with_env(WIDGETS, input, &[("BLINKLINE_TRACE_REFRESH", trace)])
            .wait_with_output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        lines.push(String::from_utf8(out.stdout).unwrap());
    }
    lines
}

const WIDGETS: &str = "session_tokens,git_branch,git_status";

/// Appends the rest of the transcript in pieces of random size (splitting lines, and
/// UTF-8 sequences), paced so that the renders see it grow.
fn append_in_pieces(path: &Path, rest: &[u8], pause: Duration, stop: &AtomicBool) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    let mut rng = Rng(42);
    let mut at = 0;
    while at < rest.len() && !stop.load(Ordering::Relaxed) {
        let next = (at + 1 + rng.below(2 * AVERAGE_PIECE as u64) as usize).min(rest.len());
        f.write_all(&rest[at..next]).unwrap();
        at = next;
        // Pacing for the renders in other processes (nothing here waits for a thread).
        std::thread::sleep(pause);
    }
    f.write_all(&rest[at..]).unwrap();
}

/// Changes the working tree: edits, new untracked files, staged files.
fn churn(sb: &Sandbox, repo: &Path, stop: &AtomicBool, most: usize) -> usize {
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) && n < most {
        n += 1;
        std::fs::write(repo.join(format!("u{n}.txt")), "u\n").unwrap();
        std::fs::write(repo.join("a.txt"), format!("a {n}\n")).unwrap();
        if n % 5 == 0 {
            sb.git(repo, &["add", &format!("u{n}.txt")]);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    n
}

/// Checks one rendered line: `TOTAL tok │ main │ STATUS` (the status is absent until the
/// first refresh has recorded one).
fn check_line(line: &str, totals: &[u64]) {
    let segments: Vec<&str> = line.trim_end().split(" │ ").collect();
    assert!(matches!(segments.len(), 2 | 3), "line {line:?}");
    let total = tokens_of(segments[0]).unwrap_or_else(|| panic!("no total in {line:?}"));
    assert!(
        totals.binary_search(&total).is_ok(),
        "{total} is the total of no prefix (line {line:?})"
    );
    assert_eq!(segments[1], "main", "line {line:?}");
    let Some(status) = segments.get(2) else {
        return;
    };
    let status_ok = status.split(' ').all(|part| {
        let mut chars = part.chars();
        matches!(chars.next(), Some('+' | '!' | '?' | '✘' | '»' | '=' | '✔'))
            && chars.all(|c| c.is_ascii_digit() || c == '*' || c == '…')
    });
    assert!(status_ok, "status {status:?} in {line:?}");
}

#[test]
fn many_renders_with_a_writer_and_a_changing_repository_print_exact_lines() {
    let sb = Sandbox::new("soak");
    let started = Instant::now();
    let duration = soak_duration();
    let t = Transcript::generate(7, 1200, 400);
    let mut totals = t.totals.clone();
    totals.sort_unstable();
    let path = sb.path("t.jsonl");
    let head = t.lines.len() / 4;
    std::fs::write(&path, t.text(head)).unwrap();
    let rest = t.lines[head..].concat().into_bytes();
    let repo = sb.repo("repo");
    let input = payload(&path, Some(&repo));
    let trace = sb.path("refreshes.log");
    let deadline = duration.map(|d| started + d);

    let pause = append_pause(duration, rest.len());
    let stop = AtomicBool::new(false);
    let (lines, changes) = std::thread::scope(|s| {
        s.spawn(|| append_in_pieces(&path, &rest, pause, &stop));
        let churner = s.spawn(|| churn(&sb, &repo, &stop, most_changes(duration)));
        let lanes: Vec<_> = (0..LANES)
            .map(|_| s.spawn(|| render_lane(&sb, &input, &trace, deadline)))
            .collect();
        let lines: Vec<String> = lanes
            .into_iter()
            .flat_map(|lane| lane.join().unwrap())
            .collect();
        stop.store(true, Ordering::Relaxed);
        (lines, churner.join().unwrap())
    });
    assert!(lines.len() >= LANES * RENDERS_PER_LANE);
    for line in &lines {
        assert!(!line.trim().is_empty(), "a blank line");
        check_line(line, &totals);
    }
    assert!(
        sb.refreshers_done_within(Duration::from_secs(10)),
        "a refresher is still running"
    );

    // Once everything has settled, a render shows the whole transcript and the tree as
    // it now is (after one more refresh, which a stale mark would have started anyway).
    // The appender writes what is left at once when the lanes stop: in a long soak that
    // can be more than a render reads itself, so the transcript gets its refresh too.
    for refresher in [
        ["__refresh-git", repo.to_str().unwrap()],
        ["__refresh-transcript", path.to_str().unwrap()],
    ] {
        let refreshed = sb.command(&refresher).status().unwrap();
        assert!(refreshed.success(), "{refresher:?}");
    }
    let last = sb.render(WIDGETS, &input).wait_with_output().unwrap();
    // The compact status leaves out a zero count: a short run may stage nothing.
    let staged = changes / 5;
    let status = [("+", staged), ("!", 1), ("?", changes - staged)]
        .iter()
        .filter(|(_, count)| *count > 0)
        .map(|(mark, count)| format!("{mark}{count}"))
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(
        String::from_utf8(last.stdout).unwrap().trim_end(),
        format!("{} tok │ main │ {status}", t.total())
    );
    assert!(sb.refreshers_done_within(Duration::from_secs(10)));
    let distinct: std::collections::BTreeSet<&str> = lines.iter().map(|l| l.as_str()).collect();
    let refreshes = std::fs::read_to_string(&trace).map_or(0, |t| t.lines().count());
    eprintln!(
        "{} renders checked, {} distinct lines, {changes} tree changes, {refreshes} git refreshes, {} transcript bytes, {:?}",
        lines.len(),
        distinct.len(),
        t.lines.iter().map(String::len).sum::<usize>(),
        started.elapsed()
    );
}
