#!/usr/bin/env bash
# The performance regression guard (`make perf-check`). It asserts only machine-independent
# facts and ratios measured in the same run, and prints every figure it saw:
#   - 0 allocations per warm in-process frame (default line, and every cheap widget);
#   - whole-process median wall of `blinkline < payload` <= 1.5x the floor binary
#     (blinkline-floor: reads stdin, prints a fixed line), runs interleaved;
#   - peak RSS of a render <= 5 MiB (the glibc build: about 4.4 MiB median, 4.6 MiB max over
#     100 runs, of which ld.so, libc and the relocated read-only data of a 3.9 MB binary are
#     most; the static musl build that `make release` prefers stays lower);
#   - what reading the transcript adds to a render's CPU time (median, interleaved runs):
#     10 lines appended to a ~50 MB transcript vs a render without transcript widgets,
#     <= 200 us (the product's +0.2 ms). Measured here at 113-164 us in five runs at load
#     2-10; the extra wall time is printed, not asserted (at load 10 it moved by
#     milliseconds with the other builds), and so are the instructions both renders
#     execute (callgrind, when valgrind is installed: exact, for comparing versions).
#   - the same ratio inside a small git repository (50 files and a commit, an edit, an
#     untracked file; the default line then shows git_branch and git_status, and a render
#     reuses the recorded status while its stored witness holds): printed, not asserted.
#     Measured at 1.38-1.50x with load 12-21 on the 2-vCPU VM, 1.69-1.97x before: the
#     margin under 1.5x is not safe under load. Instructions (callgrind) are printed
#     beside the ones outside a repository.
# A check that fails is measured once more before it counts: shared machines stall.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/blinkline}
RUNS=${RUNS:-300}
MAX_WALL_RATIO=${MAX_WALL_RATIO:-1.5}
MAX_RSS_KIB=${MAX_RSS_KIB:-5120}
MAX_TRANSCRIPT_CPU_US=${MAX_TRANSCRIPT_CPU_US:-200}
TRANSCRIPT_RUNS=${TRANSCRIPT_RUNS:-300}
fail=0

json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$1"; }

echo "== in-process frames (default line)"
out=$("$BIN" bench --frames 20000 --warmup 200 --json)
allocs=$(json_get '["allocations_per_frame"]' <<<"$out")
p50=$(json_get '["frame"]["p50_ns"]' <<<"$out"); p99=$(json_get '["frame"]["p99_ns"]' <<<"$out")
echo "frame p50 ${p50} ns, p99 ${p99} ns, allocations/frame ${allocs}"
if python3 -c "import sys; sys.exit(0 if float($allocs) == 0 else 1)"; then :; else echo "FAIL: warm frames allocate ($allocs per frame)"; fail=1; fi

echo "== whole process vs floor ($RUNS interleaved runs)"
check_ratio() {
  local out ratio rss
  out=$("$BIN" bench --processes "$RUNS" --json)
  ratio=$(json_get '["wall_ratio"]' <<<"$out")
  rss=$(json_get '["blinkline"]["max_rss_kib"]' <<<"$out")
  echo "$out"
  echo "wall ratio ${ratio} (max ${MAX_WALL_RATIO}), peak RSS ${rss} KiB (max ${MAX_RSS_KIB})"
  python3 -c "import sys; sys.exit(0 if $ratio <= $MAX_WALL_RATIO and $rss <= $MAX_RSS_KIB else 1)"
}
if ! check_ratio; then
  echo "-- over the bound; measuring once more"
  check_ratio || { echo "FAIL: whole-process ratio or RSS over its bound twice"; fail=1; }
fi

echo "== whole process vs floor inside a 50-file git repository ($RUNS interleaved runs, printed)"
repo_ratio() {
  local tmp repo out
  tmp=$(mktemp -d)
  repo="$tmp/repo"
  mkdir -p "$repo/src"
  for i in $(seq 1 50); do printf 'line %s\n' "$i" > "$repo/src/file-$i.txt"; done
  git -C "$repo" -c init.defaultBranch=main init -q
  git -C "$repo" add -A
  git -C "$repo" -c user.name=perf -c user.email=perf@example.com commit -qm fixture
  printf 'edited\n' >> "$repo/src/file-1.txt"
  printf 'new\n' > "$repo/untracked.txt"
  python3 -c "import json,sys; d=sys.argv[1]; print(json.dumps({'session_id': 'perf-check-repo', 'cwd': d, 'workspace': {'current_dir': d, 'project_dir': d}, 'model': {'id': 'claude-opus-4-6', 'display_name': 'Opus 4.6'}}))" "$repo" > "$tmp/payload.json"
  mkdir -m 700 "$tmp/cache"
  # Older than the witness's racy window, then one render that stores the status.
  sleep 0.1
  XDG_CACHE_HOME="$tmp/cache" "$BIN" < "$tmp/payload.json" > /dev/null
  out=$(XDG_CACHE_HOME="$tmp/cache" "$BIN" bench --processes "$RUNS" --input "$tmp/payload.json" --json)
  echo "$out"
  echo "wall ratio in a repository $(json_get '["wall_ratio"]' <<<"$out") (printed: see the header)"
  if command -v valgrind > /dev/null; then
    local inside outside
    inside=$(XDG_CACHE_HOME="$tmp/cache" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" < "$tmp/payload.json" 2>&1 >/dev/null | sed -n 's/.*Collected : //p')
    sed "s|$repo|$tmp/none|g" "$tmp/payload.json" > "$tmp/outside.json"
    outside=$(XDG_CACHE_HOME="$tmp/cache" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" < "$tmp/outside.json" 2>&1 >/dev/null | sed -n 's/.*Collected : //p')
    echo "instructions: inside the repository ${inside}, outside ${outside}"
  fi
  rm -rf "$tmp"
}
repo_ratio

echo "== transcript read in a render: 10 appended lines vs no transcript widget ($TRANSCRIPT_RUNS interleaved runs)"
check_transcript() {
  local out cpu
  out=$(python3 scripts/transcript-render.py "$BIN" "$TRANSCRIPT_RUNS")
  echo "$out"
  cpu=$(json_get '["extra_cpu_us"]' <<<"$out")
  echo "extra CPU ${cpu} us (max ${MAX_TRANSCRIPT_CPU_US}), extra wall $(json_get '["extra_wall_us"]' <<<"$out") us (printed), extra instructions $(json_get '.get("extra_instructions", "n/a (no valgrind)")' <<<"$out")"
  python3 -c "import sys; sys.exit(0 if $cpu <= $MAX_TRANSCRIPT_CPU_US else 1)"
}
if ! check_transcript; then
  echo "-- over the bound; measuring once more"
  check_transcript || { echo "FAIL: a transcript render's extra CPU over its bound twice"; fail=1; }
fi

[ "$fail" = 0 ] && echo "perf-check: ok"
exit "$fail"
