//! Fault injection: refreshers killed with SIGKILL at random moments while they write
//! cache records. The cache promises that a reader sees the old record or the new one,
//! never half of one (write to a temporary file, then rename): every record left behind
//! must read back and decode, and the next render must print a consistent line.

use crate::support;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use blinkline::testing::cache::Cache;
use support::{Rng, Sandbox, Transcript, payload, tokens_of};

/// A process under test (a refresher, or a render that saves its transcript state after
/// the frame), what it reads on stdin, and how long an unkilled run takes.
struct Target {
    args: Vec<String>,
    stdin: Option<String>,
    typical: Duration,
}

fn spawn(sb: &Sandbox, target: &Target) -> Child {
    let args: Vec<&str> = target.args.iter().map(String::as_str).collect();
    let mut child = sb
        .command(&args)
        .stdin(if target.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    if let (Some(input), Some(mut pipe)) = (&target.stdin, child.stdin.take()) {
        use std::io::Write;
        let _ = pipe.write_all(input.as_bytes());
    }
    child
}

/// The median wall time of a few complete runs.
fn typical_run(sb: &Sandbox, target: &Target) -> Duration {
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let start = Instant::now();
            let status = spawn(sb, target).wait().unwrap();
            assert!(status.success(), "{:?}", target.args);
            start.elapsed()
        })
        .collect();
    times.sort();
    times[2]
}

/// Appends lines `from..to` of `t` to the transcript at `path`.
fn append(path: &Path, t: &Transcript, from: usize, to: usize) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(t.lines[from..to].concat().as_bytes()).unwrap();
}

#[test]
fn kill_9_at_any_point_during_a_cache_write_leaves_a_valid_cache() {
    let sb = Sandbox::new("faults");
    let started = Instant::now();
    // Transcripts over the inline limit: a render can only show their totals from a valid
    // record; without one it shows the "first scan running" mark.
    let transcripts: Vec<(PathBuf, Transcript)> = (0..3)
        .map(|i| {
            let t = Transcript::generate(100 + i, 1400, 1900);
            let path = sb.path(&format!("t{i}.jsonl"));
            std::fs::write(&path, t.text(t.lines.len() - 600)).unwrap();
            (path, t)
        })
        .collect();
    assert!(
        std::fs::metadata(&transcripts[0].0).unwrap().len()
            > blinkline::testing::transcript::INLINE_LIMIT
    );
    let mut written: Vec<usize> = transcripts
        .iter()
        .map(|(_, t)| t.lines.len() - 600)
        .collect();
    let repo = sb.repo("repo");

    let mut targets: Vec<Target> = transcripts
        .iter()
        .map(|(p, _)| vec!["__refresh-transcript".into(), p.to_str().unwrap().into()])
        .chain([vec!["__refresh-git".into(), repo.to_str().unwrap().into()]])
        .map(|args| Target {
            args,
            stdin: None,
            typical: Duration::ZERO,
        })
        .collect();
    // A render of the last transcript: it saves its state after the frame through
    // `Cache::replace` (a spare file exchanged with the record).
    targets.push(Target {
        args: ["--format", "plain", "--widgets", "session_tokens"]
            .map(String::from)
            .to_vec(),
        stdin: Some(payload(&transcripts[2].0, None)),
        typical: Duration::ZERO,
    });
    for target in &mut targets {
        target.typical = typical_run(&sb, target);
    }

    let mut rng = Rng(0x5eed_f417);
    let (mut killed, mut rounds) = (0, 0);
    while rounds < 60 && started.elapsed() < Duration::from_secs(6) {
        rounds += 1;
        for (i, (path, t)) in transcripts.iter().enumerate() {
            let more = (written[i] + 1 + rng.below(3) as usize).min(t.lines.len());
            append(path, t, written[i], more);
            written[i] = more;
        }
        std::fs::write(repo.join(format!("u{rounds}.txt")), "u\n").unwrap();
        std::fs::write(repo.join("a.txt"), format!("a {rounds}\n")).unwrap();
        // All five write at once; each is killed at a random moment between a quarter of
        // and a quarter past its usual run time, where its write and rename happen.
        let mut running: Vec<(Child, Instant)> = targets
            .iter()
            .map(|target| {
                let micros = target.typical.as_micros() as u64;
                let at = micros / 4 + rng.below(micros.max(1));
                (
                    spawn(&sb, target),
                    Instant::now() + Duration::from_micros(at),
                )
            })
            .collect();
        while !running.is_empty() {
            running.retain_mut(|(child, deadline)| {
                if child.try_wait().unwrap().is_some() {
                    return false;
                }
                if Instant::now() < *deadline {
                    return true;
                }
                let _ = child.kill();
                let status = child.wait().unwrap();
                killed += usize::from(status.signal() == Some(libc::SIGKILL));
                false
            });
            std::hint::spin_loop();
        }
    }
    assert!(
        killed > rounds,
        "only {killed} kills landed in {rounds} rounds"
    );

    // Every record left behind reads back and decodes; temporary files may be left over.
    let cache = Cache::at(sb.cache_dir()).unwrap();
    let (mut records, mut leftovers, mut listing_caches) = (0, 0, 0);
    for entry in std::fs::read_dir(sb.cache_dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".lock") {
            continue;
        }
        // Temporary files of killed writers, and spares (possibly half-written: they are
        // never read as records).
        if name.starts_with('.') && (name.ends_with(".tmp") || name.ends_with(".spare")) {
            leftovers += usize::from(name.ends_with(".tmp"));
            continue;
        }
        records += 1;
        let bytes = cache
            .read(&name)
            .unwrap_or_else(|| panic!("record {name} does not read back"));
        if name.starts_with("git-") {
            assert!(
                blinkline::testing::git::record::StatusRecord::decode(&bytes).is_some(),
                "git record {name} does not decode"
            );
        }
        if name.starts_with("untracked-") {
            listing_caches += 1;
            assert!(
                blinkline::testing::git::untracked::UntrackedCache::decode(&bytes).is_some(),
                "untracked listing cache {name} does not decode"
            );
        }
    }
    let mut transcript_records = 0;
    for (path, t) in &transcripts {
        let name = blinkline::testing::transcript::record_for(path.to_str().unwrap());
        let bytes = cache
            .read(&name)
            .unwrap_or_else(|| panic!("no record {name}"));
        let state = blinkline::testing::transcript::record::decode(&bytes, path.to_str().unwrap())
            .unwrap_or_else(|| panic!("transcript record {name} does not decode"));
        let total = state.totals().total();
        assert!(
            t.totals.contains(&total),
            "{total} is the total of no prefix"
        );
        transcript_records += 1;
    }
    // The repository's status record, and its untracked listing cache once a refresher
    // finished its walk.
    assert!(listing_caches <= 1, "{listing_caches} listing caches");
    assert_eq!(
        records,
        transcript_records + 1 + listing_caches,
        "three transcripts and one repository"
    );

    // The next refresher sweeps the temporary files once they are old enough to be
    // leftovers rather than writes in progress.
    let past = std::time::SystemTime::now() - blinkline::testing::cache::STALE_TEMPORARY * 2;
    let temporaries = || {
        std::fs::read_dir(sb.cache_dir())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "tmp"))
            .collect::<Vec<_>>()
    };
    for path in temporaries() {
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(past).unwrap();
    }
    let swept = spawn(&sb, &targets[0]).wait().unwrap();
    assert!(swept.success());
    assert_eq!(temporaries(), Vec::<PathBuf>::new());

    // A render right after the storm prints the exact figures: from the surviving records
    // plus the few lines appended since.
    for ((path, t), &n) in transcripts.iter().zip(&written) {
        let out = sb
            .render("session_tokens", &payload(path, None))
            .wait_with_output()
            .unwrap();
        assert!(out.status.success());
        let line = String::from_utf8(out.stdout).unwrap();
        assert_eq!(tokens_of(&line), Some(t.totals[n]), "line {line:?}");
    }
    let refreshed = sb
        .command(&["__refresh-git", repo.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(refreshed.success());
    let out = sb
        .render(
            "git_branch,git_status",
            &payload(&transcripts[0].0, Some(&repo)),
        )
        .wait_with_output()
        .unwrap();
    let line = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        line.trim_end(),
        format!("main │ !1 ?{rounds}"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(sb.refreshers_done_within(Duration::from_secs(5)));
    eprintln!(
        "{rounds} rounds, {killed} kills, {records} records, {leftovers} temporary files left, {:?}",
        started.elapsed()
    );
}
