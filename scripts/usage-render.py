#!/usr/bin/env python3
"""What the `today` widget costs a render when the session's transcript grew.

Times whole `blinkline` processes as Claude Code starts them, with the usage summary
cached, on three sides, interleaved (the order rotates every round) so machine load
shifts them alike; every figure is a median of the same run:
  - grown:   `--widgets model,cost,today` after 10 lines were appended to the session's
             transcript (untimed): the render reads the summary, finds the transcript newer
             and starts the detached `__refresh-usage` after its frame (single flight: not
             when one is at work);
  - steady:  the same widgets with nothing appended (the summary is read and is fresh);
  - without: `--widgets model,cost` (no usage widget).
The render never scans: the refresher (a process of its own) reads the new lines. Its CPU
is not in the render's figures.

usage: usage-render.py BIN RUNS [TRANSCRIPT]
Without TRANSCRIPT, the ~50 MB synthetic transcript of transcript-render.py is used.
Prints one JSON object: medians (us) of wall and CPU time per side and the differences.
"""
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

# The synthetic transcript, the payload and the timed spawn are transcript-render.py's.
_spec = importlib.util.spec_from_file_location(
    "transcript_render", os.path.join(os.path.dirname(os.path.abspath(__file__)), "transcript-render.py"))
tr = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tr)


def main():
    exe, runs = sys.argv[1], int(sys.argv[2])
    work = tempfile.mkdtemp(prefix="blinkline-usage-")
    project = os.path.join(work, "claude", "projects", "-home-u-p")
    os.makedirs(project)
    transcript = os.path.join(project, "s.jsonl")
    if len(sys.argv) > 3:
        with open(sys.argv[3], "rb") as src, open(transcript, "wb") as dst:
            dst.write(src.read())
    else:
        tr.synthetic(transcript, 50_000_000)
    tail, payload = tr.last_lines_and_payload(work, transcript)
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"),
               XDG_CONFIG_HOME=os.path.join(work, "config"), NO_COLOR="1",
               CLAUDE_CONFIG_DIR=os.path.join(work, "claude"))
    env.pop("TZ", None)
    # The index and the summary, as the first refresher leaves them.
    subprocess.run([exe, "usage", "daily"], env=env, check=True, stdout=subprocess.DEVNULL)
    sides = {
        "grown": [exe, "--widgets", "model,cost,today", "-i", payload],
        "steady": [exe, "--widgets", "model,cost,today", "-i", payload],
        "without": [exe, "--widgets", "model,cost", "-i", payload],
    }
    devnull = os.open(os.devnull, os.O_WRONLY)
    wall = {k: [] for k in sides}
    cpu = {k: [] for k in sides}
    warmup = 10
    names = list(sides)
    started = time.perf_counter()
    for i in range(runs + warmup):
        order = names[i % 3:] + names[:i % 3]
        for side in order:
            if side == "grown":
                with open(transcript, "ab") as f:
                    f.write(tail)
            elif side == "steady":
                # A fresh summary: wait for the refresher the grown render started.
                subprocess.run([exe, "usage", "daily"], env=env, check=True,
                               stdout=subprocess.DEVNULL)
            elapsed_us, cpu_us = tr.timed(sides[side], env, devnull)
            if i >= warmup:
                wall[side].append(elapsed_us)
                cpu[side].append(cpu_us)
    med = statistics.median
    report = {"runs": runs, "seconds": round(time.perf_counter() - started, 1)}
    for side in sides:
        report[side] = {"wall_p50_us": round(med(wall[side]), 1),
                        "cpu_p50_us": round(med(cpu[side]), 1)}
    for a, b in (("grown", "without"), ("grown", "steady"), ("steady", "without")):
        report[f"{a}_minus_{b}_cpu_us"] = round(med(cpu[a]) - med(cpu[b]), 1)
        report[f"{a}_minus_{b}_wall_us"] = round(med(wall[a]) - med(wall[b]), 1)
    print(json.dumps(report))
    subprocess.run(["rm", "-rf", work], check=False)


if __name__ == "__main__":
    main()
