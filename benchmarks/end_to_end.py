"""End to end against lavaan: whole processes, the same files, one machine, one run.

Each case runs ``replicate fit MODEL DATA --json`` and an ``Rscript`` that reads the same CSV with
``read.csv`` and fits the same model with lavaan (``lavaan(..., auto.var = TRUE, auto.fix.first =
TRUE, auto.cov.lv.x = TRUE)``, the suite's defaults), as separate processes, alternately, and
prints the median wall-clock time of each, the ratio suite / lavaan (below 1: the suite is
faster) and both chi-squares (they must agree):

``cfa``
    Holzinger and Swineford's three-factor CFA on ``tests/fixtures/lavaan/holzinger_swineford.csv``
    (N = 301): start-up, reading and fitting of a small model.
``sem``
    The 21-item ``live_commerce`` SEM (7 factors, 12 paths) on 1,000,000 rows drawn (seed 1) from
    the covariance of ``tests/fixtures/lavaan/live_commerce_synth.csv``, three decimals (about
    124 MB of CSV): reading a large file.
``fiml``
    The Holzinger-Swineford CFA on 10,000 rows drawn (seed 2) from the covariance of the
    Holzinger-Swineford data, each cell missing with probability 0.10 (MCAR); full-information ML
    (``--missing fiml``; lavaan ``missing = "ml"``).

It also times ``replicate --help`` (start-up of the command alone; the target is under 0.3 s).

Usage: ``python benchmarks/end_to_end.py [--repeat 3] [--cases cfa,sem,fiml] [--work DIR]``
(``--work`` keeps the generated data files between runs).
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

import numpy as np
import pandas as pd

import models  # benchmarks/models.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "lavaan"

HS_MODEL, SEM21_MODEL = models.HS_MODEL, models.LIVE_COMMERCE_MODEL

R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
model <- paste(readLines(args[1]), collapse = "\n")
d <- read.csv(args[2])
fit <- lavaan(model, data = d, auto.var = TRUE, auto.fix.first = TRUE, auto.cov.lv.x = TRUE,
              int.ov.free = TRUE, missing = if (args[3] == "fiml") "ml" else "listwise")
fm <- fitMeasures(fit, c("chisq", "df", "cfi", "rmsea", "srmr"))
cat(sprintf("%.6f %d\n", fm[["chisq"]], as.integer(fm[["df"]])))
"""


def _replicate() -> list[str]:
    script = Path(sys.executable).with_name("replicate")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "replication"]


def _draw(source: pd.DataFrame, n: int, seed: int, decimals: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = source.to_numpy(float)
    sample = rng.multivariate_normal(X.mean(axis=0), np.cov(X.T), size=n)
    return pd.DataFrame(sample.round(decimals), columns=source.columns)


def prepare(work: Path, cases: list[str]) -> dict[str, tuple[Path, Path, str]]:
    """Model and data files of each case: ``{case: (model, data, missing)}``."""
    work.mkdir(parents=True, exist_ok=True)
    out = {}
    hs_model = work / "hs.lav"
    hs_model.write_text(HS_MODEL)
    if "cfa" in cases:
        out["cfa"] = (hs_model, FIX / "holzinger_swineford.csv", "listwise")
    if "sem" in cases:
        data = work / "sem21_1m.csv"
        if not data.is_file():
            _draw(pd.read_csv(FIX / "live_commerce_synth.csv"), 1_000_000, 1, 3).to_csv(data, index=False)
        model = work / "sem21.lav"
        model.write_text(SEM21_MODEL)
        out["sem"] = (model, data, "listwise")
    if "fiml" in cases:
        data = work / "hs_fiml_10k.csv"
        if not data.is_file():
            hs = pd.read_csv(FIX / "holzinger_swineford.csv")[[f"x{i}" for i in range(1, 10)]]
            df = _draw(hs, 10_000, 2, 4)
            mask = np.random.default_rng(3).random(df.shape) < 0.10
            df = df.mask(mask)
            df.to_csv(data, index=False, na_rep="NA")
        out["fiml"] = (hs_model, data, "fiml")
    return out


def _run(cmd: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({res.returncode}):\n{res.stderr[-2000:]}")
    return seconds, res.stdout


def suite_cmd(model: Path, data: Path, missing: str) -> list[str]:
    cmd = _replicate() + ["fit", str(model), str(data), "--json", "--quiet"]
    return cmd + (["--missing", "fiml"] if missing == "fiml" else [])


def time_case(model: Path, data: Path, missing: str, r_script: Path, repeat: int) -> dict:
    """Alternate suite and lavaan runs ``repeat`` times; medians and both chi-squares."""
    py, r = [], []
    chisq_py = chisq_r = None
    for _ in range(repeat):
        t, out = _run(suite_cmd(model, data, missing))
        py.append(t)
        chisq_py = json.loads(out)["fit_measures"]["chisq"]
        t, out = _run(["Rscript", str(r_script), str(model), str(data), missing])
        r.append(t)
        chisq_r = float(out.split()[0])
    return {"suite": statistics.median(py), "lavaan": statistics.median(r),
            "chisq_suite": chisq_py, "chisq_lavaan": chisq_r}


def time_help(repeat: int) -> float:
    _run(_replicate() + ["--help"])  # warm the file cache
    return statistics.median(_run(_replicate() + ["--help"])[0] for _ in range(max(repeat, 5)))


def lavaan_version() -> str:
    res = subprocess.run(["Rscript", "-e", 'cat(as.character(packageVersion("lavaan")))'],
                         capture_output=True, text=True)
    return res.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cases", default="cfa,sem,fiml")
    ap.add_argument("--work", default=None, help="folder for the generated data (kept)")
    args = ap.parse_args(argv)
    if shutil.which("Rscript") is None:
        print("Rscript not found: install R with lavaan to compare", file=sys.stderr)
        return 1
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    tmp = None if args.work else tempfile.mkdtemp(prefix="replication-bench-")
    work = Path(args.work or tmp)
    try:
        files = prepare(work, cases)
        r_script = work / "fit.R"
        r_script.write_text(R_SCRIPT)
        print(f"lavaan {lavaan_version()}; median of {args.repeat} alternating runs, whole "
              "processes, wall clock")
        print(f"{'case':<6}{'suite s':>10}{'lavaan s':>10}{'ratio':>8}  chisq suite / lavaan")
        for case in cases:
            t = time_case(*files[case], r_script, args.repeat)
            print(f"{case:<6}{t['suite']:>10.2f}{t['lavaan']:>10.2f}{t['suite'] / t['lavaan']:>8.2f}"
                  f"  {t['chisq_suite']:.4f} / {t['chisq_lavaan']:.4f}", flush=True)
        print(f"replicate --help: {time_help(args.repeat):.3f} s")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
