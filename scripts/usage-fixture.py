#!/usr/bin/env python3
"""Transcripts for timing `blinkline usage` against ccusage.

Usage: usage-fixture.py MAKE_FIXTURES_PY OUT [--copies N]

Writes OUT/projects/... as a Claude config directory: one ~50 MB session and 500 small
sessions over 20 projects, spread over 30 days, with a sub-agent transcript for every 25th
session (built with the bench fixture generator's transcript writer, deterministic). With
--copies N it writes instead N copies of the 50 MB session, each with its own message and
request ids (N=21: ~1 GB), for the memory check.
"""
import importlib.util
import os
import random
import sys
from datetime import timedelta


def load(path):
    spec = importlib.util.spec_from_file_location("make_fixtures", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write(path, tx):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(tx.lines) + "\n")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    copies = int(sys.argv[sys.argv.index("--copies") + 1]) if "--copies" in sys.argv else 0
    if copies:
        args = args[:2]
    mf, out = load(args[0]), args[1]
    base = mf.BASE_TIME
    rng = random.Random(mf.SEED + 12)
    sid = mf.det_uuid(rng)
    big = mf.make_transcript(rng, "large", sid, "/home/u/big", "main")
    if copies:
        data = ("\n".join(big.lines) + "\n").encode()
        d = os.path.join(out, "projects", "-home-u-big")
        os.makedirs(d, exist_ok=True)
        for n in range(copies):
            tag = b"%02d" % n
            copy = data.replace(b'"msg_01', b'"msg_' + tag).replace(b'"req_011C', b'"req_' + tag + b"1C")
            with open(os.path.join(d, "s%02d.jsonl" % n), "wb") as f:
                f.write(copy)
        return
    write(f"{out}/projects/-home-u-big/{sid}.jsonl", big)
    for i in range(500):
        mf.BASE_TIME = base - timedelta(days=30) + timedelta(hours=i * 1.4)
        rng = random.Random(mf.SEED + 1000 + i)
        sid = mf.det_uuid(rng)
        tx = mf.make_transcript(rng, "small", sid, f"/home/u/p{i % 20}", "main")
        write(f"{out}/projects/-home-u-p{i % 20}/{sid}.jsonl", tx)
        if i % 25 == 0:
            write(f"{out}/projects/-home-u-p{i % 20}/{sid}/subagents/agent-{i}.jsonl", tx)


if __name__ == "__main__":
    main()
