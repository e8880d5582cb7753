"""Validation time and memory against a hostile bank file's size, up to the CLI's 20 MB limit.

The file is the worst case an attacker found: one question with a huge number of unknown
keys, each an error. Validation must grow linearly with the size (seconds per MB about the
same at every size) and list at most a bounded number of problems. Each size runs in a fresh
process, so its peak RSS is its own.

    .venv/bin/python -m bench.validation_speed [--sizes 1 2 5 10 20]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

HEAD = "id: hostile\ntitle: Hostile\nquestions:\n  - id: q\n    type: flashcard\n" \
       "    front: F\n    back: B\n"


def hostile_bank(megabytes: float) -> bytes:
    """About `megabytes` MB of YAML whose every line after the head is an unknown key."""
    lines, size, n = [HEAD], len(HEAD), 0
    target = int(megabytes * 1024 * 1024)
    while True:  # at most the target: the 20 MB file must be within the CLI's limit
        line = f"    unknown{n:07d}: x\n"
        if size + len(line) > target:
            break
        lines.append(line)
        size += len(line)
        n += 1
    return "".join(lines).encode()


def one(megabytes: float) -> dict:
    """Validate one file in this process: seconds, problems listed, peak RSS."""
    from quizapp.banks import BankErrors, load_bank_bytes

    data = hostile_bank(megabytes)
    start = time.perf_counter()
    try:
        load_bank_bytes(data, "hostile.yaml", max_bytes=20 * 1024 * 1024)
        listed = 0
    except BankErrors as exc:
        listed = len(exc.errors)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"mb": round(len(data) / 1024 / 1024, 2), "seconds": round(seconds, 3),
            "seconds_per_mb": round(seconds / (len(data) / 1024 / 1024), 3),
            "problems_listed": listed, "peak_rss_mb": round(peak)}


def run(sizes: list[float]) -> dict:
    rows = []
    for mb in sizes:
        done = subprocess.run([sys.executable, "-m", "bench.validation_speed", "--one",
                               str(mb)], capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout))
    per_mb = [r["seconds_per_mb"] for r in rows]
    return {"sizes": rows, "spread": round(max(per_mb) / min(per_mb), 2)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 2, 5, 10, 20])
    parser.add_argument("--one", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(one(args.one)))
        return {}
    result = run(args.sizes)
    for r in result["sizes"]:
        print(f"validation of {r['mb']} MB: {r['seconds']} s ({r['seconds_per_mb']} s/MB), "
              f"{r['problems_listed']} lines, peak RSS {r['peak_rss_mb']} MB")
    print(f"seconds per MB, largest over smallest: {result['spread']}x")
    return {"validation": result}


if __name__ == "__main__":
    main()
