"""Equality constraints of lavaan's model syntax (``a == b``, ``a == 1.1``) against lavaan.

Reference: tests/fixtures/constraints/*.json (scripts/constraint_fixtures.R, lavaan 0.6.14,
``lavaan(model, data, auto.var = TRUE, auto.fix.first = TRUE, auto.cov.lv.x = TRUE)`` on
data/examples/holzinger_swineford/data.csv).
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

import replication
from replication.engine.errors import InputError
from replication.engine.partable import specify
from tests.conftest import ROOT

DATA = ROOT / "data" / "examples" / "holzinger_swineford" / "data.csv"


@pytest.mark.parametrize("case", ["hs_equal", "hs_chain"])
def test_constrained_cfa_equals_lavaan(case):
    ref = json.loads((ROOT / "tests" / "fixtures" / "constraints" / f"{case}.json").read_text())
    res = replication.fit(ref["model"], pd.read_csv(DATA))
    for key in ("chisq", "df", "cfi", "tli", "rmsea", "srmr", "aic", "bic", "npar"):
        assert res.fit_measures[key] == pytest.approx(ref["fit_measures"][key], rel=1e-5, abs=1e-7), key
    pt = res.parameters
    worst = 0.0
    for p in ref["parameters"]:
        row = pt[(pt.lhs == p["lhs"]) & (pt.op == p["op"]) & (pt.rhs.str.replace(" ", "") == p["rhs"].replace(" ", ""))]
        assert len(row) == 1, p
        worst = max(worst, abs(float(row.est.iloc[0]) - p["est"]))
        if p["se"]:
            assert float(row.se.iloc[0]) == pytest.approx(p["se"], rel=1e-4), p
        else:
            assert not float(row.se.iloc[0]) > 0 or math.isnan(float(row.se.iloc[0])), p
    assert worst < 1e-5


def test_constraints_count_as_shared_labels():
    shared = specify("F =~ x1 + a*x2 + a*x3")
    constrained = specify("F =~ x1 + a*x2 + b*x3\na == b")
    assert shared.n_free == constrained.n_free


@pytest.mark.parametrize("model, words", [
    ("F =~ x1 + a*x2 + b*x3\na == 2*b", "expected two parameter labels"),
    ("F =~ x1 + a*x2 + b*x3\na == zz", "'zz', which is not a parameter label"),
    ("F =~ x1 + a*x2 + b*x3\na > 0", "inequality constraints"),
    ("F =~ x1 + a*x2 + b*x3\na == (b", "cannot read expression"),
])
def test_constraints_that_cannot_be_fitted_are_refused_in_one_line(model, words):
    with pytest.raises(InputError) as err:
        specify(model)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_model_size_is_bounded_before_the_table_is_built():
    many = "\n".join(f"F{j} =~ a{j} + b{j} + c{j}" for j in range(600))
    with pytest.raises(InputError, match="600 latent variables; expected at most 500"):
        specify(many)
    with pytest.raises(InputError, match="characters; expected at most 1,000,000"):
        specify("F =~ x1 + x2 + x3\n" * 100_000)


def test_second_order_model_equals_lavaan():
    # first-order factors of a second-order factor are endogenous: no covariances among them
    ref = next(m for m in json.loads(
        (ROOT / "tests" / "fixtures" / "audit" / "hs_models.json").read_text())["models"]
        if m["name"] == "second")
    res = replication.fit(ref["model"], pd.read_csv(DATA))
    assert res.fit_measures["df"] == ref["df"] and res.fit_measures["npar"] == ref["npar"]
    assert res.fit_measures["chisq"] == pytest.approx(ref["chisq"], rel=1e-6)
