"""Time each estimator of the suite against lavaan's on the same model, data and machine.

Cases (real data that ship with lavaan and psych, as in ``tests/fixtures/estimators``):
ML, MLM and MLR on the HolzingerSwineford1939 three-factor CFA (N = 301); MLR with
full-information ML on bfi neuroticism and conscientiousness (N = 2800, incomplete rows); WLSMV
with the ten bfi items ordered (N = 2617); the scalar-invariance model of the CFA by school
(two groups: ML and MLR on complete rows, MLR with full-information ML on incomplete rows). Each fit is repeated (``--reps``, default 3) and the median
wall-clock time is printed, for the suite (after one warm-up fit, so that imports do not count)
and for lavaan 0.6 (timed inside R, so that starting R does not count), with their ratio.

Usage: ``python benchmarks/estimators.py [--reps 3]`` (needs R with lavaan).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from replication.engine import robust, robust_fiml
from replication.engine.multigroup import fit_groups
from replication.engine.multigroup_fiml import fit_groups_fiml
from replication.engine.ordinal import fit_ordinal
from replication.engine.sem import fit

ROOT = Path(__file__).resolve().parent.parent
FX = ROOT / "tests" / "fixtures" / "estimators"
HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
NC = "neuro =~ N1 + N2 + N3 + N4 + N5\nconsc =~ C1 + C2 + C3 + C4 + C5\n"
ITEMS = [f"N{k}" for k in range(1, 6)] + [f"C{k}" for k in range(1, 6)]

# name, data file, model, lavaan call (inside R: d is the data, m the model)
CASES = [
    ("ML", "holzinger_swineford_school.csv", HS, 'cfa(m, data = d)'),
    ("MLM", "holzinger_swineford_school.csv", HS, 'cfa(m, data = d, estimator = "MLM")'),
    ("MLR", "holzinger_swineford_school.csv", HS, 'cfa(m, data = d, estimator = "MLR")'),
    ("MLR + FIML", "bfi_nc.csv", NC, 'cfa(m, data = d, estimator = "MLR", missing = "ml")'),
    ("WLSMV (ordered)", "bfi_nc.csv", NC,
     'cfa(m, data = d[complete.cases(d[, items]), ], ordered = items, estimator = "WLSMV")'),
    ("ML scalar, 2 groups", "holzinger_swineford_school.csv", HS,
     'cfa(m, data = d, group = "school", group.equal = c("loadings", "intercepts"))'),
    ("MLR scalar, 2 groups", "holzinger_swineford_school.csv", HS,
     'cfa(m, data = d, group = "school", estimator = "MLR", '
     'group.equal = c("loadings", "intercepts"))'),
    ("MLR + FIML scalar, 2 groups", "holzinger_swineford_missing_school.csv", HS,
     'cfa(m, data = d, group = "school", estimator = "MLR", missing = "ml", '
     'group.equal = c("loadings", "intercepts"))'),
]

R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); m <- paste(readLines(args[2]), collapse = "\n")
reps <- as.integer(args[4]); items <- strsplit(args[5], ",")[[1]]
call <- parse(text = readLines(args[3]))
eval(call[[1]])  # warm-up
times <- numeric(reps)
for (r in seq_len(reps)) {
  t0 <- proc.time()[["elapsed"]]; fit <- eval(call[[1]]); fm <- fitMeasures(fit)
  times[r] <- proc.time()[["elapsed"]] - t0
}
cat(sprintf("%.6f\n", median(times)))
"""


def _suite(name: str, data: pd.DataFrame, model: str):
    if name in ("ML", "MLM", "MLR"):
        res = fit(model, data, cov_y=True)
        if name != "ML":
            X = data[res.spec.ov].dropna().to_numpy(float)
            robust.robust_fit(res.spec, res.theta, X, name, res.fit_measures["chisq"],
                              res.fit_measures["baseline.chisq"])
    elif name == "MLR + FIML":
        res = fit(model, data, cov_y=True, missing="fiml")
        robust_fiml.robust_fiml(res.spec, res.theta, data[res.spec.ov].to_numpy(float),
                                res.fit_measures["chisq"], res.fit_measures["baseline.chisq"])
    elif name.startswith("WLSMV"):
        fit_ordinal(model, data, ordered=ITEMS, estimator="WLSMV")
    elif "FIML" in name:
        fit_groups_fiml(model, data, "school", group_equal=["loadings", "intercepts"],
                        estimator="MLR")
    else:
        fit_groups(model, data, "school", group_equal=["loadings", "intercepts"],
                   estimator=name.split()[0])


def time_suite(name: str, data_file: str, model: str, reps: int) -> float:
    data = pd.read_csv(FX / data_file)
    _suite(name, data, model)  # warm-up: imports and first-call costs
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        _suite(name, data, model)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def time_lavaan(data_file: str, model: str, call: str, reps: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        (t / "bench.R").write_text(R_SCRIPT)
        (t / "model.lav").write_text(model)
        (t / "call.R").write_text(call + "\n")
        out = subprocess.run(["Rscript", str(t / "bench.R"), str(FX / data_file),
                              str(t / "model.lav"), str(t / "call.R"), str(reps),
                              ",".join(ITEMS)],
                             capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if shutil.which("Rscript") is None:
        print("Rscript not found: lavaan is needed for the comparison", file=sys.stderr)
        return 2
    rows = []
    for name, data_file, model, call in CASES:
        ts = time_suite(name, data_file, model, args.reps)
        tl = time_lavaan(data_file, model, call, args.reps)
        rows.append({"estimator": name, "suite_s": round(ts, 3), "lavaan_s": round(tl, 3),
                     "suite_over_lavaan": round(ts / tl, 2) if tl > 0 else None})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'estimator':<30}{'suite (s)':>11}{'lavaan (s)':>12}{'suite/lavaan':>14}")
    for r in rows:
        print(f"{r['estimator']:<30}{r['suite_s']:>11.3f}{r['lavaan_s']:>12.3f}"
              f"{r['suite_over_lavaan']:>14.2f}")
    print(f"(median of {args.reps} fits each, fit measures included; same machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
