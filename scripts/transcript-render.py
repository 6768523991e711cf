#!/usr/bin/env python3
"""The cost of reading the transcript in a render (`scripts/perf-check.sh` runs it).

Times whole `blinkline` processes as Claude Code starts them, after 10 lines were appended
to a long transcript whose state is already cached, against the same render without a
transcript widget. Runs are interleaved (the order alternates every round) and every
figure is a median of the same run, so machine load shifts both sides alike. The 10 lines
are appended before each transcript render (so it reads exactly those) and are not timed.

usage: transcript-render.py BIN RUNS [TRANSCRIPT]
Without TRANSCRIPT, a ~50 MB transcript of Claude Code's line shapes is generated.
Prints one JSON object: medians (µs) of wall and CPU time per side, and their differences;
with valgrind installed, also the instructions of one render of each side (callgrind, after
the same 10 appended lines) and their difference.
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def compact(value):
    return json.dumps(value, separators=(",", ":"))


def synthetic(path, target):
    """Turns of a user prompt, an assistant reply in three content blocks (each line
    repeating the call's usage, as Claude Code writes them) and a long tool result."""
    words = "prompt theme config session parse dirty cost gamma request handler "
    written, call = 0, 0
    with open(path, "w") as out:
        while written < target:
            call += 1
            result = (words * (40 + call % 7 * 60)).replace("handler ", "handler\\n")
            lines = [compact({
                "parentUuid": "p", "isSidechain": False, "type": "user",
                "timestamp": "2026-11-20T09:00:00.000Z",
                "message": {"role": "user", "content": [
                    {"tool_use_id": f"toolu_{call}", "type": "tool_result", "content": result}]},
                "toolUseResult": {"stdout": result}})]
            thinking = words * (20 + call % 5 * 10)
            for block in ({"type": "thinking", "thinking": thinking, "signature": "Bjp+nIH7to7dkd"},
                          {"type": "text", "text": thinking[:200]},
                          {"type": "tool_use", "id": "toolu_x", "name": "Bash",
                           "input": {"command": "git diff --stat"}}):
                lines.append(compact({
                    "parentUuid": "p", "isSidechain": False, "type": "assistant",
                    "timestamp": "2026-11-20T09:00:11.338Z",
                    "message": {"model": "claude-opus-4-6", "id": f"msg_{call}",
                                "type": "message", "role": "assistant", "content": [block],
                                "usage": {"input_tokens": 4,
                                          "cache_creation_input_tokens": 1919,
                                          "cache_read_input_tokens": 90000,
                                          "output_tokens": 676}},
                    "requestId": f"req_{call}"}))
            text = "\n".join(lines) + "\n"
            out.write(text)
            written += len(text)


def instructions(argv, env, work):
    """Instructions one process executes (callgrind: exact and repeatable, unlike times on a
    shared machine); None when valgrind is not installed."""
    if shutil.which("valgrind") is None:
        return None
    out = os.path.join(work, "callgrind.out")
    run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + argv,
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    found = re.search(r"Collected : (\d+)", run.stderr)
    return int(found.group(1)) if run.returncode == 0 and found else None


def last_lines_and_payload(work, transcript):
    """The transcript's last 10 lines (appended again to make it grow) and a payload file
    that names it."""
    with open(transcript, "rb") as f:
        tail = b"".join(f.read().splitlines(keepends=True)[-10:])
    payload = os.path.join(work, "payload.json")
    with open(payload, "w") as f:
        json.dump({"transcript_path": transcript, "cwd": work,
                   "model": {"id": "claude-opus-4-6", "display_name": "Opus 4.6"},
                   "cost": {"total_cost_usd": 1.5}}, f)
    return tail, payload


def timed(argv, env, devnull):
    """One process started as Claude Code starts it, stdout to `devnull`: its wall and CPU
    time in microseconds. Exits when it fails."""
    start = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter_ns() - start
    if status != 0:
        sys.exit(f"{' '.join(argv)} exited with status {status}")
    return elapsed / 1e3, (usage.ru_utime + usage.ru_stime) * 1e6


def main():
    exe, runs = sys.argv[1], int(sys.argv[2])
    work = tempfile.mkdtemp(prefix="blinkline-perf-")
    transcript = os.path.join(work, "t.jsonl")
    if len(sys.argv) > 3:
        with open(sys.argv[3], "rb") as src, open(transcript, "wb") as dst:
            dst.write(src.read())
    else:
        synthetic(transcript, 50_000_000)
    tail, payload = last_lines_and_payload(work, transcript)
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"),
               XDG_CONFIG_HOME=os.path.join(work, "config"), NO_COLOR="1")
    # The first scan, as a refresher does it: the renders below find the state cached.
    subprocess.run([exe, "__refresh-transcript", transcript], env=env, check=True)
    sides = {
        "transcript": [exe, "--widgets", "model,cost,session_tokens", "-i", payload],
        "no_transcript": [exe, "--widgets", "model,cost", "-i", payload],
    }
    devnull = os.open(os.devnull, os.O_WRONLY)
    wall = {k: [] for k in sides}
    cpu = {k: [] for k in sides}
    warmup = 10
    for i in range(runs + warmup):
        for side in (sides if i % 2 == 0 else reversed(list(sides))):
            if side == "transcript":
                # Exactly 10 new lines for each transcript render (untimed).
                with open(transcript, "ab") as f:
                    f.write(tail)
            elapsed_us, cpu_us = timed(sides[side], env, devnull)
            if i >= warmup:
                wall[side].append(elapsed_us)
                cpu[side].append(cpu_us)
    with open(transcript, "ab") as f:
        f.write(tail)
    counted = {side: instructions(argv, env, work) for side, argv in sides.items()}
    med = statistics.median
    report = {"runs": runs}
    for side in sides:
        report[side] = {"wall_p50_us": round(med(wall[side]), 1),
                        "cpu_p50_us": round(med(cpu[side]), 1)}
    report["extra_wall_us"] = round(med(wall["transcript"]) - med(wall["no_transcript"]), 1)
    report["extra_cpu_us"] = round(med(cpu["transcript"]) - med(cpu["no_transcript"]), 1)
    if None not in counted.values():
        report["instructions"] = counted
        report["extra_instructions"] = counted["transcript"] - counted["no_transcript"]
    print(json.dumps(report))
    subprocess.run(["rm", "-rf", work], check=False)


if __name__ == "__main__":
    main()
