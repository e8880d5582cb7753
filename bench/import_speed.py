"""Bank import through the CLI against libyaml's parse alone, on the same generated file.

Target (issue: question banks): the import takes at most 3x the time of
yaml.load(..., Loader=yaml.CSafeLoader). Prints both times, the ratio and peak memory.

    .venv/bin/python -m bench.import_speed [--questions 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bench.generate import bank_yaml

ROOT = Path(__file__).resolve().parent.parent


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def cli_import(path: Path, workdir: Path, run: int) -> dict:
    """One `flask banks import` in a fresh process on a fresh SQLite database."""
    env = os.environ | {"QUIZAPP_DATABASE_URL": f"sqlite:///{workdir}/bench-{run}.sqlite3",
                        "QUIZAPP_SECRET_KEY": "bench"}
    flask = [sys.executable, "-m", "flask", "--app", "quizapp"]
    subprocess.run(flask + ["db", "upgrade"], env=env, check=True, capture_output=True,
                   cwd=ROOT)
    code = (
        "import resource, sys, time\n"
        "from quizapp import create_app\n"
        "app = create_app()\n"
        "start = time.perf_counter()\n"
        "result = app.test_cli_runner().invoke(args=['banks', 'import', sys.argv[1]])\n"
        "took = time.perf_counter() - start\n"
        "assert result.exit_code == 0, result.output\n"
        "print(took, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], env=env, check=True,
                         capture_output=True, text=True, cwd=ROOT).stdout.split()
    return {"seconds": float(out[-2]), "peak_rss_mb": int(out[-1]) / 1024}


def measure(questions: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = workdir / "generated.yaml"
        path.write_text(bank_yaml(questions), encoding="utf-8")
        text = path.read_text(encoding="utf-8")
        parse = best_of(repeat, lambda: yaml.load(text, Loader=yaml.CSafeLoader))
        runs = [cli_import(path, workdir, n) for n in range(repeat)]
        best = min(r["seconds"] for r in runs)
        return {
            "questions": questions,
            "file_mb": round(path.stat().st_size / 1024 / 1024, 2),
            "csafeloader_seconds": round(parse, 3),
            "import_seconds": round(best, 3),
            "ratio": round(best / parse, 2),
            "import_peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1),
        }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    results = [measure(n, args.repeat) for n in args.questions]
    for r in results:
        print(f"{r['questions']:>6} questions ({r['file_mb']} MB): CSafeLoader "
              f"{r['csafeloader_seconds']:.3f}s, CLI import {r['import_seconds']:.3f}s, "
              f"ratio {r['ratio']:.2f}x (target <= 3x), import peak RSS "
              f"{r['import_peak_rss_mb']:.0f} MB")
    return {"bank_import": results}


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
