"""Time the suite's PLS-SEM bootstrap against seminr's ``bootstrap_model`` on the same problem.

The model is the ECSI model of seminr's documentation (seven Mode A composites, twelve paths),
the data seminr's mobi (N = 250, ``data/examples/ecsi_mobi/data.csv``); both programs draw the
same number of resamples (default 1,000) on the same number of cores (default 2: seminr's
``cores``, the suite's ``--jobs``). Each side is a whole process: ``replicate fit MODEL CSV
--estimator PLS --bootstrap N --jobs J --json`` against an ``Rscript`` that loads seminr, reads
the CSV, estimates and bootstraps. The seminr time of ``bootstrap_model`` alone (inside R) is
printed too. The ratio is seminr's time over the suite's (above 1: the suite is faster).

The load average is printed first: on a machine busy with other work the times are noisy.

Usage: ``python benchmarks/pls.py [--n-boot 1000] [--jobs 2] [--seed 123] [--repeat 1]``
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

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "examples" / "ecsi_mobi" / "data.csv"
MODEL = """Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation =~ CUEX1 + CUEX2 + CUEX3
Quality =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5 + PERQ6 + PERQ7
Value =~ PERV1 + PERV2
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Complaints =~ CUSCO
Loyalty =~ CUSL1 + CUSL2 + CUSL3
Expectation ~ Image
Quality ~ Expectation
Value ~ Expectation + Quality
Satisfaction ~ Image + Expectation + Quality + Value
Complaints ~ Satisfaction
Loyalty ~ Image + Satisfaction + Complaints
"""

R_SCRIPT = r"""
suppressPackageStartupMessages(library(seminr))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); nboot <- as.integer(args[2]); cores <- as.integer(args[3])
seed <- as.integer(args[4])
mm <- constructs(
  composite("Image", multi_items("IMAG", 1:5)), composite("Expectation", multi_items("CUEX", 1:3)),
  composite("Quality", multi_items("PERQ", 1:7)), composite("Value", multi_items("PERV", 1:2)),
  composite("Satisfaction", multi_items("CUSA", 1:3)), composite("Complaints", single_item("CUSCO")),
  composite("Loyalty", multi_items("CUSL", 1:3)))
sm <- relationships(
  paths(from = "Image", to = c("Expectation", "Satisfaction", "Loyalty")),
  paths(from = "Expectation", to = c("Quality", "Value", "Satisfaction")),
  paths(from = "Quality", to = c("Value", "Satisfaction")), paths(from = "Value", to = "Satisfaction"),
  paths(from = "Satisfaction", to = c("Complaints", "Loyalty")), paths(from = "Complaints", to = "Loyalty"))
fit <- suppressMessages(estimate_pls(d, mm, sm))
t0 <- proc.time()[["elapsed"]]
boot <- suppressMessages(bootstrap_model(fit, nboot = nboot, cores = cores, seed = seed))
cat(sprintf("%.6f %d\n", proc.time()[["elapsed"]] - t0, boot$boots))
"""


def _suite_command(model_file: Path, n_boot: int, jobs: int, seed: int) -> list[str]:
    exe = Path(sys.executable).with_name("replicate")
    return [str(exe), "fit", str(model_file), str(DATA), "--estimator", "PLS", "--bootstrap",
            str(n_boot), "--jobs", str(jobs), "--seed", str(seed), "--json"]


def time_suite(tmp: Path, n_boot: int, jobs: int, seed: int) -> float:
    model_file = tmp / "ecsi.lav"
    model_file.write_text(MODEL)
    t0 = time.perf_counter()
    subprocess.run(_suite_command(model_file, n_boot, jobs, seed), check=True,
                   capture_output=True)
    return time.perf_counter() - t0


def time_seminr(tmp: Path, n_boot: int, jobs: int, seed: int) -> tuple[float, float] | None:
    """(whole process, bootstrap_model alone) in seconds; None without R and seminr."""
    if shutil.which("Rscript") is None:
        return None
    if subprocess.run(["Rscript", "-e", "library(seminr)"], capture_output=True).returncode != 0:
        return None
    script = tmp / "boot.R"
    script.write_text(R_SCRIPT)
    t0 = time.perf_counter()
    out = subprocess.run(["Rscript", str(script), str(DATA), str(n_boot), str(jobs), str(seed)],
                         capture_output=True, text=True, check=True)
    whole = time.perf_counter() - t0
    inner = float(out.stdout.split()[-2])
    return whole, inner


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-boot", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=123)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each side (the fastest is kept)")
    args = ap.parse_args(argv)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; cpus {os.cpu_count()}")
    print(f"ECSI model on mobi (N 250), {args.n_boot} resamples, {args.jobs} job(s)")
    with tempfile.TemporaryDirectory() as tmp:
        suite = min(time_suite(Path(tmp), args.n_boot, args.jobs, args.seed)
                    for _ in range(args.repeat))
        print(f"suite  replicate fit --estimator PLS --bootstrap {args.n_boot}: {suite:.2f} s")
        runs = [time_seminr(Path(tmp), args.n_boot, args.jobs, args.seed)
                for _ in range(args.repeat)]
    if runs[0] is None:
        print("seminr: not available (Rscript with seminr not found)")
        return 0
    whole = min(r[0] for r in runs)
    inner = min(r[1] for r in runs)
    print(f"seminr Rscript (estimate_pls + bootstrap_model): {whole:.2f} s "
          f"(bootstrap_model alone {inner:.2f} s)")
    print(f"ratio seminr / suite: {whole / suite:.1f} (whole processes), "
          f"{inner / suite:.1f} (seminr's bootstrap alone against the whole suite process)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
