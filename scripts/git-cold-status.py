#!/usr/bin/env python3
"""A cold exact git status from blinkline's refresher, against `git status`.

Usage: git-cold-status.py REPO ROUNDS LABEL=BLINKLINE [LABEL=BLINKLINE ...]

Per round, in alternating order (forwards on even rounds, backwards on odd ones), it runs
`git --no-optional-locks status --porcelain=v2 --branch` and, for each binary and each
worker count in $THREADS (default "1 2"), `BLINKLINE --threads N __refresh-git REPO` with
a fresh, empty cache directory (`XDG_CACHE_HOME`, made and removed untimed) and
`BLINKLINE_GIT_WATCH=0`, so every run computes the whole status with nothing cached: the
index compare, the untracked walk without its listing cache, ahead/behind, and writing
the record. Each run is one process, timed from start to exit, as git's is. The page
cache stays warm (dropping it needs root). Medians of wall time are printed with the ratio
to git's median of the same run, then medians of CPU time (user + system, all threads, from
`wait4`), which a loaded machine changes less, and the load average at the end.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    repo, rounds, binaries = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    base = dict(os.environ, BLINKLINE_GIT_WATCH="0")
    git = ["git", "--no-optional-locks", "status", "--porcelain=v2", "--branch"]
    commands = [("git status", git, False)]
    for binary in binaries:
        label, path = binary.split("=", 1)
        for threads in os.environ.get("THREADS", "1 2").split():
            argv = [path, "--threads", threads, "__refresh-git", repo]
            commands.append((f"{label}, {threads} worker(s)", argv, True))
    times = {label: [] for label, _, _ in commands}
    cpu = {label: [] for label, _, _ in commands}
    for r in range(rounds):
        for label, argv, fresh in commands if r % 2 == 0 else commands[::-1]:
            home = tempfile.mkdtemp(prefix="blinkline-cold-") if fresh else None
            env = dict(base, XDG_CACHE_HOME=home) if home else base
            started = time.perf_counter()
            child = subprocess.Popen(
                argv, cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            _, status, usage = os.wait4(child.pid, 0)
            elapsed = (time.perf_counter() - started) * 1000
            child.returncode = 0
            if home:
                shutil.rmtree(home)
            if status != 0:
                sys.exit(f"{label} failed with wait status {status}")
            times[label].append(elapsed)
            cpu[label].append((usage.ru_utime + usage.ru_stime) * 1000)
    for name, table in (("wall", times), ("cpu", cpu)):
        git_median = statistics.median(table["git status"])
        for label, values in table.items():
            median = statistics.median(values)
            ratio = median / git_median
            print(f"{name} {label:28s} median {median:7.1f} ms   x git {ratio:5.2f}")
    load = " ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"{rounds} rounds; load average {load}")


if __name__ == "__main__":
    main()
