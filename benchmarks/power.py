"""Time the suite's Monte Carlo power against a lavaan simulate-and-fit loop on the same problem.

Population and analysis model are those of ``tests/fixtures/power/montecarlo_continuous.json``
(``scripts/power_fixtures.R``: three factors with three items each, X -> M -> Y and X -> Y),
continuous responses at N = 250. Both programs draw and fit the same number of replications
(default 400) on the same number of cores (default 2: the lavaan loop through
``parallel::mclapply``, the suite with ``jobs``). Prints replications per second of each and
their ratio.

Usage: ``python benchmarks/power.py [--reps 400] [--n 250] [--jobs 2] [--seed 1]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from replication.analyses import montecarlo as mc
from replication.analyses.montecarlo_design import model_design

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "power" / "montecarlo_continuous.json"

R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
Sigma <- as.matrix(read.csv(args[1])); model <- paste(readLines(args[2]), collapse = "\n")
n <- as.integer(args[3]); reps <- as.integer(args[4]); ncpus <- as.integer(args[5])
RNGkind("L'Ecuyer-CMRG"); set.seed(as.integer(args[6]))
one <- function(r) {
  X <- MASS::mvrnorm(n, rep(0, ncol(Sigma)), Sigma); colnames(X) <- colnames(Sigma)
  fit <- tryCatch(suppressWarnings(lavaan(model, data = as.data.frame(X), auto.var = TRUE,
                  auto.fix.first = TRUE, auto.cov.lv.x = TRUE)), error = function(e) NULL)
  if (is.null(fit)) return(NA)
  pe <- parameterEstimates(fit); pe$z[pe$op == "~"][1]
}
t0 <- proc.time()[["elapsed"]]
z <- unlist(parallel::mclapply(seq_len(reps), one, mc.cores = ncpus))
t1 <- proc.time()[["elapsed"]]
cat(sprintf("%.6f %d\n", t1 - t0, sum(is.finite(z))))
"""


def _design():
    d = json.loads(FIXTURE.read_text())
    pop = d["population"]
    cov = pd.DataFrame(pop["cov"]["values"], index=pop["cov"]["rows"], columns=pop["cov"]["cols"])
    hyps = [(t["hypothesis"], f"{t['rhs']}->{t['lhs']}", t["sign"]) for t in pop["targets"]]
    return model_design(pop["model"], cov, hypotheses=hyps), cov, pop["model"]


def time_suite(design, n: int, reps: int, jobs: int, seed: int) -> float:
    mc.simulate(design, [n], 4, seed=seed, jobs=jobs)  # imports, worker start-up
    t0 = time.perf_counter()
    mc.simulate(design, [n], reps, seed=seed, jobs=jobs)
    return time.perf_counter() - t0


def time_lavaan(cov, model: str, n: int, reps: int, jobs: int, seed: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        cov_path, model_path, script = (Path(tmp) / "cov.csv", Path(tmp) / "model.lav",
                                        Path(tmp) / "loop.R")
        cov.to_csv(cov_path, index=False)
        model_path.write_text(model)
        script.write_text(R_SCRIPT)
        res = subprocess.run(["Rscript", str(script), str(cov_path), str(model_path), str(n),
                              str(reps), str(jobs), str(seed)],
                             capture_output=True, text=True, check=True)
        return float(res.stdout.split()[0])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=400)
    ap.add_argument("--n", type=int, default=250)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    design, cov, model = _design()
    suite = time_suite(design, args.n, args.reps, args.jobs, args.seed)
    print(f"suite : {args.reps} replications in {suite:.2f} s ({args.reps / suite:.1f} per second, "
          f"jobs {args.jobs})")
    if shutil.which("Rscript") is None:
        print("Rscript not found: lavaan loop not timed")
        return 0
    lav = time_lavaan(cov, model, args.n, args.reps, args.jobs, args.seed)
    print(f"lavaan: {args.reps} replications in {lav:.2f} s ({args.reps / lav:.1f} per second, "
          f"{args.jobs} cores)")
    print(f"ratio (suite / lavaan replications per second): {lav / suite:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
