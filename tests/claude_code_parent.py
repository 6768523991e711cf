#!/usr/bin/env python3
"""Runs blinkline the way Claude Code runs its statusLine command, and reports what it saw.

Usage: claude_code_parent.py BLINKLINE WORKDIR > report.json

Claude Code (read in its public npm bundle, 2.1.197) starts the command through a shell
(`sh -c`), detached (a session of its own, so no controlling terminal), with the payload on
a stdin pipe and stdout a pipe, no COLUMNS before 2.1.153; it keeps its own terminal on its
stdin/stdout. It debounces updates by 300 ms and cancels a run still in flight when a newer
update comes. This parent does the same:

- "ancestor": this process holds a pseudo-terminal of ANCESTOR_COLUMNS on its stdin, and
  each run starts in a new session without a controlling terminal (as Claude Code);
- "ctty": each run's session has a second pseudo-terminal of CTTY_COLUMNS as its
  controlling terminal, so /dev/tty answers (a terminal that runs the command directly);
- "debounce": updates come faster than the debounce, and each update kills the process
  group of the run in flight before the next run starts;
- "cancels": a run whose slow command would write a marker later is cancelled (SIGTERM,
  then SIGKILL, to the run's process group); the command must not survive it.

It prints one JSON object: the runs (case, mode, exit code or null when killed, stdout,
stderr), this process's pid, and the processes still alive in the runs' sessions after they
all ended (each run's session id is its shell's pid).
"""

import fcntl
import json
import os
import signal
import struct
import subprocess
import sys
import termios
import time

ANCESTOR_COLUMNS = 50
CTTY_COLUMNS = 44
DEBOUNCE = 0.3

PAYLOAD = json.dumps({
    "model": {"display_name": "Opus 4.6 (1M context)"},
    "workspace": {"current_dir": "/home/user/a-project-with-a-long-name"},
    "cost": {"total_cost_usd": 12.5, "total_duration_ms": 3_600_000,
             "total_lines_added": 1200, "total_lines_removed": 300},
    "context_window": {"used_percentage": 61, "context_window_size": 1_000_000},
    "rate_limits": {"five_hour": {"used_percentage": 40, "resets_at": 4102444800}},
}).encode()


def pty_of(columns):
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    return master, slave


def main():
    binary, workdir = sys.argv[1], sys.argv[2]
    bad_config = os.path.join(workdir, "bad.toml")
    with open(bad_config, "w") as f:
        f.write('theme = "nord"\ncolour = 1\n[[line]]\nleft = ["cwd", "modle", "model", "context", "cost"]\n')
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.path.join(workdir, "home"),
        "XDG_CACHE_HOME": os.path.join(workdir, "cache"),
        "BLINKLINE_GIT_WATCH": "0",
        "TERM": "xterm-256color",
    }
    os.makedirs(env["HOME"], exist_ok=True)

    # Claude Code's own terminal, on this process's stdin.
    _ancestor_master, ancestor_slave = pty_of(ANCESTOR_COLUMNS)
    os.dup2(ancestor_slave, 0)
    _ctty_master, ctty_slave = pty_of(CTTY_COLUMNS)

    def with_ctty():
        os.setsid()
        fcntl.ioctl(ctty_slave, termios.TIOCSCTTY, 0)

    cases = [
        ("good", "", PAYLOAD),
        ("bad json", "", b'{"model": {"display_name": "Opus'),
        ("empty stdin", "", b""),
        ("unknown flag", "--bogus --theme nordd --widgets cwd,modle,cost", PAYLOAD),
        ("bad config", f"--config '{bad_config}'", PAYLOAD),
        ("explain", "explain", PAYLOAD),
        ("no terminal width", "", PAYLOAD),
    ]
    runs = []
    sessions = []

    def start(args, mode, prefix=""):
        command = f"{prefix}'{binary}' {args}".strip()
        options = dict(stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       cwd=workdir, env=env)
        if mode == "ctty":
            options["preexec_fn"] = with_ctty
        else:
            options["start_new_session"] = True
        child = subprocess.Popen(["sh", "-c", command], **options)
        sessions.append(child.pid)
        return child

    def finish(child, case, mode, payload, killed=False):
        if killed:
            os.killpg(child.pid, signal.SIGTERM)
        out, err = child.communicate(None if killed else payload)
        runs.append({"case": case, "mode": mode, "code": None if killed else child.returncode,
                     "stdout": out.decode("utf-8", "replace"),
                     "stderr": err.decode("utf-8", "replace")})

    for mode in ("ancestor", "ctty"):
        for case, args, payload in cases:
            prefix = "BLINKLINE_TTY_WIDTH=0 " if case == "no terminal width" else ""
            finish(start(args, mode, prefix), case, mode, payload)

    # Each update starts a run 300 ms later; the next update comes 150 ms into that run,
    # while it still waits for its slow command, and cancels it (its whole process group).
    slow = ("--widgets model,command --deadline 2s --budget 2s --set command.wait=1s "
            "--set 'command.command=sleep 0.4; echo ok'")
    in_flight = None
    for update in range(4):
        if in_flight is not None:
            finish(in_flight, "cancelled", "debounce", None, killed=True)
        time.sleep(DEBOUNCE)
        in_flight = start(slow, "ancestor")
        in_flight.stdin.write(PAYLOAD)
        in_flight.stdin.close()
        in_flight.stdin = None
        time.sleep(0.15 if update < 3 else 0)
    finish(in_flight, "last update", "debounce", None)

    # A run cancelled while its slow command runs: the command must die with it, so the
    # marker it would write later never appears. SIGTERM is node's abort; SIGKILL leaves
    # blinkline no chance to clean up (the parent-death signal must do it).
    cancels = {}
    for name, sig in (("sigterm", signal.SIGTERM), ("sigkill", signal.SIGKILL)):
        marker = os.path.join(workdir, f"marker-{name}")
        pid_file = os.path.join(workdir, f"pid-{name}")
        command = (f"--widgets model,command --deadline 2s --budget 2s --set command.wait=2s "
                   f"--set command.timeout=5s --set 'command.command=echo $$ > {pid_file}; "
                   f"sleep 0.6; touch {marker}; echo late'")
        child = start(command, "ancestor")
        child.stdin.write(PAYLOAD)
        child.stdin.close()
        child.stdin = None
        until = time.monotonic() + 5
        while not os.path.exists(pid_file) and time.monotonic() < until:
            time.sleep(0.01)
        time.sleep(0.05)
        os.killpg(child.pid, sig)
        child.communicate()
        time.sleep(1.2)
        with open(pid_file) as f:
            command_group = int(f.read().strip() or 0)
        cancels[name] = {"marker_written": os.path.exists(marker),
                         "group_left": in_group(command_group)}

    # What the runs left behind.
    deadline = time.monotonic() + 5
    while True:
        left = alive_in(set(sessions))
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    json.dump({"runs": runs, "parent_pid": os.getpid(), "left_running": left,
               "cancels": cancels,
               "columns": {"ancestor": ANCESTOR_COLUMNS, "ctty": CTTY_COLUMNS}},
              sys.stdout)


def in_group(pgid):
    """The live processes of process group `pgid` (pid and state)."""
    left = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
            fields = stat[stat.rindex(b")") + 2:].split()
            if int(fields[2]) == pgid and fields[0] != b"Z":
                left.append(entry)
        except (OSError, ValueError):
            continue
    return left


def alive_in(sessions):
    """The processes (pid and command line) whose session is one of `sessions`."""
    left = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
            fields = stat[stat.rindex(b")") + 2:].split()
            state, session = fields[0], int(fields[3])
            if session in sessions and state != b"Z":
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    command = f.read().replace(b"\0", b" ").decode(errors="replace")
                left.append(f"{entry}: {command}")
        except (OSError, ValueError):
            continue
    return left


if __name__ == "__main__":
    main()
