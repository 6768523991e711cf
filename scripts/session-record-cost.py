#!/usr/bin/env python3
"""What recording the session costs a one-shot render, whole process.

Usage: scripts/session-record-cost.py BEFORE AFTER [RUNS]

BEFORE is a blinkline built without session records, AFTER one with them. Both render
the sample payload (src/input/sample.json, which has a session_id) from stdin, as Claude
Code runs them, in a fresh cache. Three cases run interleaved in a shuffled order each
round: BEFORE; AFTER with the payload it recorded last time (compare only); AFTER with a
payload changed before every run (compare and write). Prints median wall and CPU (user +
sys) per case and the ratio to BEFORE, then the instructions each case executes
(callgrind, when valgrind is installed: exact, unlike the times on a busy machine).
"""

import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    before, after = map(os.path.abspath, sys.argv[1:3])
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    work = tempfile.mkdtemp(prefix="blinkline-session-cost-")
    try:
        measure(before, after, runs, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(before, after, runs, work):
    sample = open(os.path.join(ROOT, "src/input/sample.json")).read()
    sample = sample.replace('"{{FIVE_HOUR_RESET}}"', "1796680000")
    sample = sample.replace('"{{SEVEN_DAY_RESET}}"', "1796900000")
    payload = json.loads(sample)
    same = os.path.join(work, "same.json")
    changed = os.path.join(work, "changed.json")
    with open(same, "w") as f:
        json.dump(payload, f)

    def change():
        payload["cost"]["total_duration_ms"] = time.time_ns() // 1000
        with open(changed, "w") as f:
            json.dump(payload, f)

    os.makedirs(os.path.join(work, "home"))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.path.join(work, "home"),
        "XDG_CACHE_HOME": os.path.join(work, "cache"),
        "COLUMNS": "120",
    }
    cases = {
        "before": (before, same, None),
        "after, payload unchanged (compare only)": (after, same, None),
        "after, payload changed every run (written)": (after, changed, change),
    }

    def run(exe, path, prepare, argv_prefix=()):
        if prepare:
            prepare()
        with open(path, "rb") as stdin:
            return subprocess.run(
                [*argv_prefix, exe], stdin=stdin, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, env=env, check=True,
            )

    for exe, path, prepare in cases.values():
        run(exe, path, prepare)  # the first render creates the cache and the record
    wall = {k: [] for k in cases}
    cpu = {k: [] for k in cases}
    for _ in range(runs):
        order = list(cases)
        random.shuffle(order)
        for name in order:
            exe, path, prepare = cases[name]
            if prepare:
                prepare()
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter_ns()
            run(exe, path, None)
            t1 = time.perf_counter_ns()
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall[name].append((t1 - t0) / 1000)
            cpu[name].append(
                (r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1e6)
    w0, c0 = statistics.median(wall["before"]), statistics.median(cpu["before"])
    print(f"{runs} interleaved rounds, load average {os.getloadavg()[0]:.1f}")
    for name in cases:
        w, c = statistics.median(wall[name]), statistics.median(cpu[name])
        print(f"{name:44s} wall {w:7.0f} us ({w / w0:.2f}x)  cpu {c:6.0f} us ({c / c0:.2f}x)")
    if shutil.which("valgrind"):
        print("instructions (callgrind):")
        for name, (exe, path, prepare) in cases.items():
            out = run(exe, path, prepare,
                      ("valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"))
            total = [line for line in out.stderr.decode().splitlines() if "Collected :" in line]
            print(f"  {name:44s} {total[-1].split(':')[-1].strip() if total else 'n/a'}")


if __name__ == "__main__":
    main()
