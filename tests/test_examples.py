"""The bundled worked examples replicated from their real data, as `replicate run RECORD --data CSV`
does: the published model is fitted (its df), lavaan's estimates and chi-square are matched, and
the run classifies the study "reproduced".

Reference values: tests/fixtures/lavaan/{hs_cfa,pd_sem}.json (scripts/lavaan_fixtures.R, lavaan
0.6.14 on the same data as data/examples/<id>/data.csv, written by scripts/example_data.R).
"""

from __future__ import annotations

import json

import pytest

from replication.pipeline.paper import replicate
from tests.conftest import ROOT


@pytest.mark.parametrize("eid, case", [("holzinger_swineford", "hs_cfa"), ("political_democracy", "pd_sem")])
def test_worked_example_on_its_data_is_reproduced(eid, case):
    ref = json.loads((ROOT / "tests" / "fixtures" / "lavaan" / f"{case}.json").read_text())
    res = replicate(eid, data=ROOT / "data" / "examples" / eid / "data.csv", n_bootstrap=0)
    fit = res.sem if res.sem is not None else res.cfa
    fm = fit.fit_measures
    assert fm["df"] == ref["fit_measures"]["df"]
    assert fm["chisq"] == pytest.approx(ref["fit_measures"]["chisq"], rel=1e-3)
    pt = fit.params
    worst = 0.0
    for p in ref["parameters"]:
        row = pt[(pt.lhs == p["lhs"]) & (pt.op == p["op"]) & (pt.rhs == p["rhs"])]
        worst = max(worst, abs(float(row.est.iloc[0]) - p["est"]))
    assert worst < 2e-3
    assert res.classification["label"] == "reproduced"
    assert "parameters" in res.comparisons
    assert (res.comparisons["parameters"]["verdict"] == "reproduced").all()
