#!/usr/bin/env python3
"""How fast the git watcher's status record follows changes, against `git status`.

Usage: git-watch-latency.py BLINKLINE REPO [ROUNDS]

REPO is a scratch copy of a repository (the script edits, creates and deletes files in
it and puts them back). The script starts `BLINKLINE __refresh-git REPO` as the watcher
with a private cache directory, then per round:
- edit: appends a line to a clean tracked file (modified + 1), then writes its old bytes
  back (modified - 1; stat data changed, so the watcher hashes it);
- create: creates an untracked file (untracked + 1), then removes it;
- index (half the rounds): stages an edited file with `git add` (staged + 1, modified
  - 1) and unstages it with `git reset` (the index changes: everything is recomputed),
  timed from just before git starts, so git's own run is included;
and times each change from just before the write until the record shows the expected
counts. The record is polled with stat() (a rename gives it a new inode), never opened
between changes, so the polling does not wake the watcher. In the same run it times
`git --no-optional-locks status --porcelain=v2 --branch` and the one-shot refresher
(`BLINKLINE_GIT_WATCH=0`). Medians are printed, with ratios to `git status`.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TIMEOUT = 10.0


def record_path(cache_dir):
    base = os.path.join(cache_dir, "blinkline")
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if os.path.isdir(base):
            for name in os.listdir(base):
                if name.startswith("git-") and "." not in name:
                    return os.path.join(base, name)
        time.sleep(0.01)
    sys.exit("no status record appeared")


def read_record(path):
    with open(path, "rb") as f:
        data = f.read()
    fields = {}
    for line in data[17:].decode().splitlines():
        tag, _, rest = line.partition(" ")
        fields[tag] = rest
    return fields


def counts(fields):
    return [int(n) for n in fields["counts"].split()]


def wait_watched(path):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        fields = read_record(path)
        if "watched" in fields:
            return fields
        time.sleep(0.01)
    sys.exit("the refresher did not become a watcher")


def timed_change(path, change, expect, after_change=None):
    """Runs change(); returns seconds until the record's counts equal expect. With a
    list `after_change`, also appends the seconds from the end of change() (for a git
    command: the time the watcher added after git exited)."""
    before = os.stat(path).st_ino
    start = time.perf_counter()
    change()
    changed = time.perf_counter()
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        st = os.stat(path)
        if st.st_ino != before:
            before = st.st_ino
            if counts(read_record(path)) == expect:
                now = time.perf_counter()
                if after_change is not None:
                    after_change.append(now - changed)
                return now - start
    sys.exit(f"the record never showed {expect}")


def clean_files(repo, n):
    out = subprocess.run(
        ["git", "-C", repo, "ls-files", "-z"], capture_output=True, check=True
    ).stdout
    dirty = subprocess.run(
        ["git", "-C", repo, "diff", "--name-only", "-z"], capture_output=True, check=True
    ).stdout
    dirty = set(dirty.split(b"\0"))
    files = [p for p in out.split(b"\0") if p and p not in dirty]
    step = max(1, len(files) // n)
    return [os.path.join(repo, p.decode()) for p in files[::step][:n]]


def median_ms(samples):
    return statistics.median(samples) * 1000


def time_command(cmd, rounds, env=None):
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        samples.append(time.perf_counter() - start)
    return samples


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    blinkline, repo = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    cache = tempfile.mkdtemp(prefix="blinkline-watch-latency-")
    env = dict(os.environ, XDG_CACHE_HOME=cache, BLINKLINE_GIT_WATCH_IDLE_MS="60000")
    watcher = subprocess.Popen(
        [blinkline, "__refresh-git", repo],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        path = record_path(cache)
        base = counts(wait_watched(path))
        edits, creates, index, after_git = [], [], [], []
        for i, file in enumerate(clean_files(repo, rounds)):
            with open(file, "rb") as f:
                old = f.read()

            def append(file=file):
                with open(file, "ab") as f:
                    f.write(b"watched change\n")

            def restore(file=file, old=old):
                with open(file, "wb") as f:
                    f.write(old)

            more = list(base)
            more[1] += 1
            edits.append(timed_change(path, append, more))
            edits.append(timed_change(path, restore, base))
            new = os.path.join(repo, f"watch-latency-{i}.txt")
            more = list(base)
            more[4] += 1
            creates.append(timed_change(path, lambda new=new: open(new, "w").close(), more))
            creates.append(timed_change(path, lambda new=new: os.remove(new), base))
            if i < rounds // 2:
                edited = list(base)
                edited[1] += 1
                added = list(base)
                added[0] += 1
                timed_change(path, append, edited)
                git_add = ["git", "-C", repo, "add", "--", file]
                git_reset = ["git", "-C", repo, "reset", "-q", "--", file]
                index.append(timed_change(path, lambda c=git_add: subprocess.run(c), added, after_git))
                index.append(timed_change(path, lambda c=git_reset: subprocess.run(c), edited, after_git))
                timed_change(path, restore, base)
        git = time_command(
            ["git", "-C", repo, "--no-optional-locks", "status", "--porcelain=v2", "--branch"],
            rounds,
        )
        one_shot_env = dict(env, BLINKLINE_GIT_WATCH="0", XDG_CACHE_HOME=cache + "-one-shot")
        one_shot = time_command([blinkline, "__refresh-git", repo], rounds, one_shot_env)
    finally:
        watcher.terminate()
        watcher.wait()
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(cache + "-one-shot", ignore_errors=True)
    g = median_ms(git)
    rows = [
        ("git status --porcelain=v2 --branch", git),
        ("one-shot refresher (BLINKLINE_GIT_WATCH=0)", one_shot),
        ("watcher: tracked file edited or restored", edits),
        ("watcher: untracked file created or removed", creates),
        ("watcher: git add / git reset of one file", index),
        ("  of which after git exited", after_git),
    ]
    print(f"{'what':<46} {'median':>10} {'x git':>7}  n")
    for name, samples in rows:
        m = median_ms(samples)
        print(f"{name:<46} {m:>8.2f}ms {m / g:>7.3f}  {len(samples)}")


if __name__ == "__main__":
    main()
