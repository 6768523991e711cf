//! Transcript scanning: the first full scan of a ~50 MB transcript (on every allowed core,
//! and on one), the catch-up after 10 appended lines, and the save of its cache record after a frame (`Cache::replace`, an
//! exchange with a spare file, against `Cache::write`, a rename over the record). Uses
//! `$BLINKLINE_BENCH_TRANSCRIPT` when set (e.g. a fixture from `make-fixtures.py`), else
//! generates a synthetic transcript of the same shape. The record benchmarks write under
//! `$BLINKLINE_BENCH_CACHE` when set (use a directory on the filesystem that holds the real
//! cache), else under the temporary directory.

use std::io::Write;

use blinkline::testing::cache::Cache;
use blinkline::testing::tempdir::TempDir;
use blinkline::testing::transcript::{Plan, State, catch_up_file, scan_file, scan_file_with};
use criterion::{Criterion, criterion_group, criterion_main};

fn synthetic(path: &std::path::Path, target: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let words = "prompt theme config session parse dirty cost gamma request handler ";
    let (mut written, mut call) = (0, 0u64);
    while written < target {
        call += 1;
        let tool_output = words
            .repeat(40 + (call as usize % 7) * 60)
            .replace("handler ", "handler\\n");
        let user = format!(
            r#"{{"parentUuid":"p","isSidechain":false,"type":"user","timestamp":"2026-11-20T09:00:00.000Z","message":{{"role":"user","content":[{{"tool_use_id":"toolu_{call}","type":"tool_result","content":"{tool_output}"}}]}},"toolUseResult":{{"stdout":"{tool_output}"}}}}"#
        );
        let thinking = words.repeat(20 + (call as usize % 5) * 10);
        let mut lines = user + "\n";
        for block in [
            format!(r#"{{"type":"thinking","thinking":"{thinking}","signature":"Bjp+nIH7to7dkdqbGJRDbg1YWC7ZgvMBelFgMffhfm1jKvZgavB9vgcDZkFSg"}}"#),
            format!(r#"{{"type":"text","text":"{}"}}"#, &thinking[..200]),
            r#"{"type":"tool_use","id":"toolu_x","name":"Bash","input":{"command":"git diff --stat"}}"#.to_string(),
        ] {
            lines.push_str(&format!(
                r#"{{"parentUuid":"p","isSidechain":false,"type":"assistant","timestamp":"2026-11-20T09:00:11.338Z","message":{{"model":"claude-opus-4-6","id":"msg_{call}","type":"message","role":"assistant","content":[{block}],"stop_reason":null,"usage":{{"input_tokens":4,"cache_creation_input_tokens":1919,"cache_read_input_tokens":90000,"output_tokens":676}}}},"requestId":"req_{call}"}}"#
            ));
            lines.push('\n');
        }
        written += lines.len();
        out.write_all(lines.as_bytes()).unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let dir = TempDir::new("bench-transcript").unwrap();
    let path = match std::env::var("BLINKLINE_BENCH_TRANSCRIPT") {
        Ok(p) => std::path::PathBuf::from(p),
        Err(_) => {
            let p = dir.join("synthetic.jsonl");
            synthetic(&p, 50_000_000);
            p
        }
    };
    let path_str = path.to_str().unwrap().to_owned();
    let mut group = c.benchmark_group("transcript");
    group.sample_size(20);
    group.bench_function("first_scan", |b| b.iter(|| scan_file(&path_str).unwrap()));
    group.bench_function("first_scan_one_thread", |b| {
        b.iter(|| scan_file_with(&path_str, &Plan::sequential()).unwrap())
    });

    // Catch-up after 10 appended lines: a copy that grows by the last 10 lines each round.
    let copy = dir.join("growing.jsonl");
    std::fs::copy(&path, &copy).unwrap();
    let copy_str = copy.to_str().unwrap().to_owned();
    let text = std::fs::read(&path).unwrap();
    let tail_start = text[..text.len() - 1]
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, c)| **c == b'\n')
        .nth(9)
        .map_or(0, |(i, _)| i + 1);
    let tail = text[tail_start..].to_vec();
    drop(text);
    let mut state: State = scan_file(&copy_str).unwrap();
    let mut buf = Vec::new();
    group.bench_function("append_10_lines", |b| {
        b.iter_batched(
            || {
                let mut f = std::fs::OpenOptions::new()
                    .append(true)
                    .open(&copy)
                    .unwrap();
                f.write_all(&tail).unwrap();
            },
            |()| catch_up_file(&copy_str, &mut state, &mut buf).unwrap(),
            criterion::BatchSize::PerIteration,
        )
    });

    // Saving the record after a frame: the state of the whole transcript, encoded.
    let record = blinkline::testing::transcript::record::encode(&state, &copy_str);
    let cache_dir = std::env::var_os("BLINKLINE_BENCH_CACHE").map_or_else(
        || dir.join("cache"),
        |d| std::path::PathBuf::from(d).join("blinkline-bench"),
    );
    let cache = Cache::at(cache_dir.clone()).unwrap();
    group.bench_function("save_record_rename", |b| {
        b.iter(|| cache.write("transcript-bench", &record).unwrap())
    });
    group.bench_function("save_record_exchange", |b| {
        b.iter(|| cache.replace("transcript-bench", &record).unwrap())
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&cache_dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
