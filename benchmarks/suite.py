"""Time `replicate run` for all five papers with default settings and print the wall time.

Usage::

    python benchmarks/suite.py [--jobs N] [--repeat K] [--papers ID ...]

Runs the installed ``replicate`` command (the same entry point as ``make report``) into a
temporary folder, so the project's ``reports/`` is left alone, and prints per run the wall time,
the CPU time of the whole process tree (user + system of ``replicate`` and every kernel it
started: the work done, less sensitive than the wall time to other programs on the machine)
and the seconds of each paper as ``replicate run`` reports them, then the best wall time. The
load average is printed first: on a busy machine the wall time is noisy. The target on a quiet
2-core machine is 15 s of wall time for the five papers with ``--jobs 2``.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _children_cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=2, help="papers at once (make report uses 2)")
    ap.add_argument("--repeat", type=int, default=1, help="number of timed runs")
    ap.add_argument("--papers", nargs="*", default=[], help="paper ids (default: the five papers)")
    args = ap.parse_args(argv)
    exe = Path(sys.executable).with_name("replicate")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "replication"]
    print("load average (1, 5, 15 min): " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
    times = []
    for k in range(args.repeat):
        out = Path(tempfile.mkdtemp(prefix="replicate-bench-"))
        try:
            start, cpu0 = time.perf_counter(), _children_cpu()
            proc = subprocess.run(cmd + ["run", *args.papers, "--jobs", str(args.jobs),
                                         "--out", str(out)],
                                  capture_output=True, text=True, env=dict(os.environ))
            wall, cpu = time.perf_counter() - start, _children_cpu() - cpu0
        finally:
            shutil.rmtree(out, ignore_errors=True)
        if proc.returncode != 0:
            print(proc.stdout + proc.stderr, file=sys.stderr)
            print(f"run {k + 1}: replicate run failed (exit {proc.returncode})")
            return 1
        times.append(wall)
        what = ", ".join(args.papers) if args.papers else "5 papers"
        print(f"run {k + 1}: replicate run ({what}, default settings, --jobs {args.jobs}): "
              f"{wall:.1f} s wall, {cpu:.1f} s CPU")
        for line in proc.stdout.splitlines():
            m = re.match(r"\s+ok\s+(\S+) \(([\d.]+) s\)", line)
            if m:
                print(f"    {m.group(1):20s} {float(m.group(2)):6.1f} s")
    print(f"best wall time: {min(times):.1f} s on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
