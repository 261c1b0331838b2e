"""Time the suite's bootstrap against lavaan's ``se = "bootstrap"`` on the same problem.

The model is the live_commerce SEM (21 items, 7 latent variables, 12 paths), the data the
seeded synthetic set ``tests/fixtures/lavaan/live_commerce_synth.csv`` (N = 465), and both
programs draw the same number of resamples (default 2,000) on the same number of cores
(default 2: lavaan with ``parallel = "multicore"``, the suite with ``jobs``). Two comparisons,
each printed with the ratio of resamples per second (suite / lavaan; the target is 8):

* in process: ``bootstrap()`` against lavaan's ``lavaan(..., se = "bootstrap")`` call, each
  including the full-sample fit;
* end to end: the whole ``replicate fit MODEL CSV --bootstrap N --jobs J --json`` process
  against a whole ``Rscript`` process that reads the CSV, fits and bootstraps.

The load average is printed first: on a machine busy with other work the ratios are noisy.

Usage: ``python benchmarks/bootstrap.py [--n-boot 2000] [--jobs 2] [--seed 1]``
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

import pandas as pd

from replication.engine.bootstrap import bootstrap

import models  # benchmarks/models.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "fixtures" / "lavaan" / "live_commerce_synth.csv"
MODEL = models.LIVE_COMMERCE_MODEL

R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); model <- paste(readLines(args[2]), collapse = "\n")
nboot <- as.integer(args[3]); ncpus <- as.integer(args[4])
set.seed(as.integer(args[5]))
t0 <- proc.time()[["elapsed"]]
fit <- lavaan(model, data = d, auto.var = TRUE, auto.fix.first = TRUE, auto.cov.lv.x = TRUE,
              se = "bootstrap", bootstrap = nboot,
              parallel = if (ncpus > 1) "multicore" else "no", ncpus = ncpus)
t1 <- proc.time()[["elapsed"]]
cat(sprintf("%.6f %d\n", t1 - t0, nrow(lavInspect(fit, "boot"))))
"""


def time_suite(n_boot: int, jobs: int, seed: int) -> tuple[float, int]:
    data = pd.read_csv(DATA)
    bootstrap(MODEL, data, n_boot=5, seed=seed, jobs=1)  # import and first-call costs
    t0 = time.perf_counter()
    res = bootstrap(MODEL, data, n_boot=n_boot, seed=seed, jobs=jobs)
    return time.perf_counter() - t0, n_boot - res.n_failed


def _lavaan_command(tmp: Path, n_boot: int, jobs: int, seed: int) -> list[str]:
    """The ``Rscript`` command line of the lavaan run, its model and script written to ``tmp``."""
    model_file = tmp / "model.lav"
    model_file.write_text(MODEL)
    script = tmp / "boot.R"
    script.write_text(R_SCRIPT)
    return ["Rscript", str(script), str(DATA), str(model_file), str(n_boot), str(jobs), str(seed)]


def time_lavaan(n_boot: int, jobs: int, seed: int) -> tuple[float, int] | None:
    if shutil.which("Rscript") is None:
        return None
    check = subprocess.run(["Rscript", "-e", "library(lavaan)"], capture_output=True)
    if check.returncode != 0:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(_lavaan_command(Path(tmp), n_boot, jobs, seed), capture_output=True,
                             text=True, check=True)
    secs, ok = out.stdout.strip().split()[-2:]
    return float(secs), int(ok)


def time_suite_process(n_boot: int, jobs: int, seed: int) -> float:
    """Wall-clock seconds of a whole ``replicate fit --bootstrap`` process."""
    with tempfile.TemporaryDirectory() as tmp:
        model_file = Path(tmp) / "model.lav"
        model_file.write_text(MODEL)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "replication", "fit", str(model_file), str(DATA),
                        "--bootstrap", str(n_boot), "--jobs", str(jobs), "--seed", str(seed),
                        "--json", "--quiet"], capture_output=True, check=True)
        return time.perf_counter() - t0


def time_lavaan_process(n_boot: int, jobs: int, seed: int) -> float | None:
    """Wall-clock seconds of a whole ``Rscript`` process doing the same."""
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        command = _lavaan_command(Path(tmp), n_boot, jobs, seed)
        t0 = time.perf_counter()
        out = subprocess.run(command, capture_output=True)
        if out.returncode != 0:
            return None
        return time.perf_counter() - t0


def _ratio(label: str, n_boot: int, t_suite: float, t_lav: float) -> None:
    rate_suite, rate_lav = n_boot / t_suite, n_boot / t_lav
    print(f"{label:<12}: suite {t_suite:8.2f} s ({rate_suite:7.1f} resamples/s), lavaan "
          f"{t_lav:8.2f} s ({rate_lav:7.1f} resamples/s); ratio {rate_suite / rate_lav:5.2f} "
          "(target 8)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-boot", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} on {os.cpu_count()} cores"
          + ("  (busy machine: the ratios are noisy)" if load > (os.cpu_count() or 1) else ""))
    t_suite, ok_suite = time_suite(args.n_boot, args.jobs, args.seed)
    print(f"suite  : {args.n_boot} resamples, {args.jobs} jobs, {ok_suite} used")
    lav = time_lavaan(args.n_boot, args.jobs, args.seed)
    if lav is None:
        print("lavaan : skipped (Rscript with the lavaan package is not available)")
        return 0
    t_lav, ok_lav = lav
    print(f"lavaan : {args.n_boot} resamples, {args.jobs} cores, {ok_lav} kept")
    _ratio("in process", args.n_boot, t_suite, t_lav)
    t_suite_p = time_suite_process(args.n_boot, args.jobs, args.seed)
    t_lav_p = time_lavaan_process(args.n_boot, args.jobs, args.seed)
    if t_lav_p is not None:
        _ratio("end to end", args.n_boot, t_suite_p, t_lav_p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
