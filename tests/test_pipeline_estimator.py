"""The record's estimator in the paper pipeline: MLM and MLR fits carry lavaan's scaled and
robust fit measures and robust standard errors (reference: lavaan 0.6 fixtures of
scripts/robust_fixtures.R, HolzingerSwineford1939), ML fits are unchanged, and a printed
scaled chi-square is compared with the scaled statistic."""

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from replication.compare.core import compare_fit
from replication.engine.sem import fit
from replication.pipeline.estimation import fit_record_model
from replication.record.results import FitBlock

FX = Path(__file__).parent / "fixtures" / "estimators"
STAT_TOL = 1e-3  # scaled statistics, relative (as tests/test_robust.py)
SE_TOL = 1e-2    # standard errors, relative
SCALED = ("chisq.scaled", "chisq.scaling.factor", "pvalue.scaled", "cfi.scaled", "tli.scaled",
          "rmsea.scaled", "cfi.robust", "tli.robust", "rmsea.robust")


def _record(estimator):
    return SimpleNamespace(model=SimpleNamespace(estimator=estimator))


@pytest.mark.parametrize("case", ["hs_mlm", "hs_mlr", "hs_fiml_mlr"])
def test_record_estimator_gives_lavaans_scaled_measures_and_robust_se(case):
    fx = json.loads((FX / f"robust_{case}.json").read_text())
    data = pd.read_csv(FX / fx["data"])
    missing = "fiml" if fx.get("missing") == "ml" else "listwise"
    res = fit_record_model(_record(fx["estimator"]), fx["model"], data, missing=missing)
    assert res.estimator == fx["estimator"]
    ref = fx["fit_measures"]
    for k in SCALED:
        assert res.fit_measures[k] == pytest.approx(ref[k], rel=STAT_TOL), k
    assert res.fit_measures["chisq"] == pytest.approx(ref["chisq"], rel=STAT_TOL)
    p = pd.DataFrame(fx["parameters"]).fillna({"rhs": ""})
    m = res.parameters.merge(p, on=["lhs", "op", "rhs"], suffixes=("", "_ref"))
    assert len(m) == len(p)
    free = m["se_ref"] > 0
    rel = np.abs(m.se[free] - m.se_ref[free]) / m.se_ref[free]
    assert rel.max() < SE_TOL


def test_ml_record_fit_is_the_engine_fit():
    fx = json.loads((FX / "robust_hs_mlm.json").read_text())
    data = pd.read_csv(FX / fx["data"])
    got = fit_record_model(_record("ML"), fx["model"], data)
    plain = fit(fx["model"], data)
    pd.testing.assert_frame_equal(got.parameters, plain.parameters)
    assert got.fit_measures == plain.fit_measures
    assert "chisq.scaled" not in got.fit_measures


def test_printed_scaled_chisq_is_compared_with_the_scaled_statistic():
    fx = json.loads((FX / "robust_hs_mlm.json").read_text())
    data = pd.read_csv(FX / fx["data"])
    res = fit_record_model(_record("MLM"), fx["model"], data)
    # the MLM anchor of issue 14 as a paper would print it: S-B chi-square 80.87 on 24 df
    block = FitBlock(model="cfa", measures={
        "chisq.scaled": {"value": 80.87, "printed": "80.87", "where": "Table 2"},
        "df": {"value": 24, "printed": "24", "where": "Table 2"}})
    record = SimpleNamespace(results=SimpleNamespace(fit=[block]))
    table = compare_fit(record, res.fit_measures, model="cfa").set_index("measure")
    assert table.at["chisq.scaled", "replicated"] == pytest.approx(ref := 80.8717834914071,
                                                                   rel=STAT_TOL), ref
    assert table.at["chisq.scaled", "verdict"] == "reproduced"
