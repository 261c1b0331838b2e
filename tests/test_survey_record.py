"""A survey SEM with reverse-keyed items and incomplete rows, recorded in lavaan syntax and
replicated from its real data, listwise and by FIML.

Data and reference values: psych::bfi (25 Big Five items, 2,800 respondents, 2,436 complete rows,
six-point scale, seven reverse-keyed items) and lavaan 0.6.14 fits of a five-factor model with one
regression, written by scripts/survey_fixtures.R to tests/fixtures/record/.
"""

from __future__ import annotations

import json

import pytest
import yaml

from replication.audit import audit
from replication.pipeline.inputs import load_inputs
from replication.pipeline.steps import run_cfa, run_sem
from replication.record.schema import load_record
from tests.conftest import ROOT

FIX = ROOT / "tests" / "fixtures" / "record"
CONSTRUCTS = {"agree": "A", "consc": "C", "extra": "E", "neuro": "N", "open": "O"}


def _pub(v: float, where: str, dec: int = 3) -> dict:
    return {"value": round(v, dec), "printed": f"{v:.{dec}f}", "where": where}


def _record(tmp_path, missing: str) -> tuple:
    ref = json.loads((FIX / f"bfi_{missing}.json").read_text())
    fm = ref["fit_measures"]
    rev = ref["reversed"]
    params = []
    for p in ref["parameters"]:
        entry = {"lhs": p["lhs"], "op": p["op"], "rhs": p["rhs"]}
        for k in ("est", "se", "z", "pvalue", "std_all"):
            if p[k] is not None and not (k == "se" and p[k] == 0):
                entry[k] = _pub(p[k], f"lavaan output, {p['lhs']} {p['op']} {p['rhs']}, {k}")
        params.append(entry)
    raw = {
        "id": f"bfi_{missing}", "title": "Big Five survey", "short_title": "bfi",
        "citation": {"authors": ["W. Revelle"], "year": 2024, "title": "psych::bfi",
                     "venue": "R package psych", "source_file": "psych::bfi"},
        "evidence": "tables",
        "sample": {"n": _pub(2800, "text", 0), "missing": missing,
                   "scale_points": _pub(6, "text", 0)},
        "constructs": {c: {"name": c, "items": [f"{L}{k}" for k in range(1, 6)],
                           "reversed": [it for it in rev if it.startswith(L)]}
                       for c, L in CONSTRUCTS.items()},
        "model": {"kind": "sem", "syntax": ref["model"] + "\n"},
        "results": {"fit": [{"model": "sem", "measures": {
            "chisq": _pub(fm["chisq"], "fit, chisq"), "df": _pub(fm["df"], "fit, df", 0),
            "cfi": _pub(fm["cfi"], "fit, cfi"), "tli": _pub(fm["tli"], "fit, tli"),
            "rmsea": _pub(fm["rmsea"], "fit, rmsea")}}], "parameters": params},
    }
    if missing == "listwise":
        raw["sample"]["n_analysed"] = _pub(fm["ntotal"], "text", 0)
    path = tmp_path / f"bfi_{missing}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path, ref


@pytest.mark.parametrize("missing", ["listwise", "fiml"])
def test_survey_sem_with_reversed_items_and_incomplete_rows(tmp_path, missing):
    path, ref = _record(tmp_path, missing)
    rec = load_record(path)
    assert rec.n == 2800 and rec.n_analysed == ref["fit_measures"]["ntotal"]
    # the printed numbers are consistent, with the analysed N in the N-based checks
    assert not [f for f in audit(rec).findings if f.status == "inconsistent"]
    inputs = load_inputs(str(path), data_path=str(FIX / "bfi_survey.csv"))
    assert inputs.missing == missing and len(inputs.data) == ref["fit_measures"]["ntotal"]
    fit = run_sem(inputs)
    assert fit.fit_measures["df"] == ref["fit_measures"]["df"] == 268
    assert fit.fit_measures["chisq"] == pytest.approx(ref["fit_measures"]["chisq"], rel=1e-3)
    pt = fit.params
    worst = 0.0
    for p in ref["parameters"]:
        row = pt[(pt.lhs == p["lhs"]) & (pt.op == p["op"]) & (pt.rhs == p["rhs"])]
        if row.empty:
            row = pt[(pt.lhs == p["rhs"]) & (pt.op == p["op"]) & (pt.rhs == p["lhs"])]
        worst = max(worst, abs(float(row.est.iloc[0]) - p["est"]))
    assert worst < 2e-3
    cfa = run_cfa(inputs)
    assert cfa.fit_measures["df"] == 265  # five correlated factors
    # the analyses see the reverse-scored items: every item of a scale correlates positively
    # with the sum of the others (C4, C5 as answered correlate negatively with C1-C3)
    from replication.analyses.measurement import cronbach_alpha
    items = [f"C{k}" for k in range(1, 6)]
    rest = {it: inputs.data[[o for o in items if o != it]].sum(axis=1) for it in items}
    assert all(inputs.data[it].corr(rest[it]) > 0 for it in items)
    assert cronbach_alpha(inputs.data.dropna(), items) > 0.7


def test_replicate_run_follows_the_record_and_missing_overrides_it(tmp_path):
    """`replicate run RECORD --data CSV` of a record that says listwise, with --missing fiml:
    the incomplete rows are kept (lavaan's FIML chi-square on the same data). The record's own
    treatment is followed by default (test above, through load_inputs)."""
    from tests.conftest import run_cli

    path, _ = _record(tmp_path, "listwise")
    fiml = json.loads((FIX / "bfi_fiml.json").read_text())
    for extra, n, chisq in ((("--missing", "fiml"), 2800, fiml["fit_measures"]["chisq"]),):
        out = tmp_path / f"out{n}"
        res = run_cli("run", str(path), "--data", str(FIX / "bfi_survey.csv"), "--out", str(out),
                      "--bootstrap", "2", *extra)
        assert res.returncode == 0, res.stdout + res.stderr
        got = json.loads((out / "bfi_listwise" / "results.json").read_text())
        assert got["sem"]["n"] == n
        if chisq is not None:
            assert got["sem"]["fit"]["chisq"] == pytest.approx(chisq, rel=1e-3)
            assert any("full-information ML" in note for note in got["data_notes"])
