#!/usr/bin/env python3
"""Whole-process wall and CPU time of several render variants, run in rotating order each
round (so machine noise hits all alike), payload on stdin, stdout a pipe read to EOF.
Prints each variant's medians and its ratio to the first variant (put the floor first).

    variants.py RUNS VARIANT...      VARIANT = "LABEL|DIR|PAYLOAD|VAR=VALUE,...|ARGV..."

DIR is the working directory, PAYLOAD the file on stdin, then environment variables set on
top of this process's environment (empty for none; VAR= removes VAR), then the command,
split on spaces. The first 20 rounds are warm-up. CPU is user + system from wait4, the
steadier figure on a loaded machine.
"""
import os
import statistics
import sys
import time


def parse(spec):
    label, cwd, payload, env, argv = spec.split("|", 4)
    environ = dict(os.environ)
    for pair in filter(None, env.split(",")):
        name, value = pair.split("=", 1)
        if value:
            environ[name] = value
        else:
            environ.pop(name, None)
    return label, cwd, payload, environ, argv.split()


def run(cwd, payload, environ, argv):
    read, write = os.pipe()
    actions = [(os.POSIX_SPAWN_OPEN, 0, payload, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_DUP2, write, 1),
               (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
               (os.POSIX_SPAWN_CLOSE, read)]
    os.chdir(cwd)
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, environ, file_actions=actions)
    os.close(write)
    while os.read(read, 65536):
        pass
    _, _, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    os.close(read)
    return wall * 1e3, (usage.ru_utime + usage.ru_stime) * 1e3


def main():
    runs = int(sys.argv[1])
    variants = [parse(v) for v in sys.argv[2:]]
    walls = [[] for _ in variants]
    cpus = [[] for _ in variants]
    for i in range(runs + 20):
        order = list(range(len(variants)))
        order = order[i % len(order):] + order[:i % len(order)]
        for k in order:
            _, cwd, payload, environ, argv = variants[k]
            wall, cpu = run(cwd, payload, environ, argv)
            if i >= 20:
                walls[k].append(wall)
                cpus[k].append(cpu)
    base_wall, base_cpu = statistics.median(walls[0]), statistics.median(cpus[0])
    for k, (label, *_rest) in enumerate(variants):
        wall, cpu = statistics.median(walls[k]), statistics.median(cpus[k])
        print(f"{label:<28} wall {wall:6.3f} ms ({wall / base_wall:4.2f}x)  "
              f"cpu {cpu:6.3f} ms ({cpu / base_cpu:4.2f}x)")
    print(f"{runs} rounds, medians; ratios to {variants[0][0]}")


if __name__ == "__main__":
    main()
