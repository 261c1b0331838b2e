"""Time `replicate run` for all five papers with default settings and print the wall time.

Usage::

    python benchmarks/suite.py [--jobs N] [--repeat K]

Runs the installed ``replicate`` command (the same entry point as ``make report``) into a
temporary folder, so the project's ``reports/`` is left alone, and prints one line per run and
the best wall time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=2, help="papers at once (make report uses 2)")
    ap.add_argument("--repeat", type=int, default=1, help="number of timed runs")
    args = ap.parse_args(argv)
    exe = Path(sys.executable).with_name("replicate")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "replication"]
    times = []
    for k in range(args.repeat):
        out = Path(tempfile.mkdtemp(prefix="replicate-bench-"))
        try:
            start = time.perf_counter()
            proc = subprocess.run(cmd + ["run", "--jobs", str(args.jobs), "--out", str(out)],
                                  capture_output=True, text=True, env=dict(os.environ))
            wall = time.perf_counter() - start
        finally:
            shutil.rmtree(out, ignore_errors=True)
        if proc.returncode != 0:
            print(proc.stdout + proc.stderr, file=sys.stderr)
            print(f"run {k + 1}: replicate run failed (exit {proc.returncode})")
            return 1
        times.append(wall)
        print(f"run {k + 1}: replicate run (5 papers, default settings, --jobs {args.jobs}): "
              f"{wall:.1f} s wall")
    print(f"best wall time: {min(times):.1f} s on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
