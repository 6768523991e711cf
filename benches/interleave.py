#!/usr/bin/env python3
"""Whole-process wall time of two commands, run alternately (A B, B A, ...) so that machine
noise hits both alike. Prints both medians and their ratio.

    interleave.py RUNS "COMMAND A" "COMMAND B"

Commands are split on spaces (no quoting); stdout and stderr go to /dev/null. The first 20
rounds are warm-up and not counted.
"""
import os
import statistics
import sys
import time


def main():
    runs = int(sys.argv[1])
    cmds = [sys.argv[2].split(), sys.argv[3].split()]
    devnull = os.open(os.devnull, os.O_WRONLY)
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
    times = [[], []]
    for i in range(runs + 20):
        for k in (0, 1) if i % 2 == 0 else (1, 0):
            start = time.perf_counter()
            pid = os.posix_spawn(cmds[k][0], cmds[k], os.environ, file_actions=actions)
            os.waitpid(pid, 0)
            if i >= 20:
                times[k].append(time.perf_counter() - start)
    a, b = (statistics.median(t) * 1e3 for t in times)
    print(f"A median {a:.2f} ms, B median {b:.2f} ms, A/B {a / b:.3f} ({runs} runs each, interleaved)")
    print(f"  A: {' '.join(cmds[0])}\n  B: {' '.join(cmds[1])}")


if __name__ == "__main__":
    main()
