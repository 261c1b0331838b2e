"""Discriminant-validity tables: Fornell-Larcker (sqrt(AVE) diagonal, correlations, verdict),
HTMT (from printed item correlations; semTools reference tests/fixtures/audit/hs_htmt.json) and
loading ranges against AVE and CR (closed forms)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from replication.analyses.measurement import average_variance_extracted, composite_reliability
from replication.audit.discriminant_checks import check_loading_range, equal_cr, htmt_interval
from replication.record.discriminant import ItemCorrelations, LoadingRange
from replication.record.schema import Published
from tests.conftest import ROOT
from tests.test_audit_published import _example, _findings, _pub

HS = ROOT / "data" / "examples" / "holzinger_swineford" / "data.csv"
_REF = json.loads((ROOT / "tests" / "fixtures" / "audit" / "hs_htmt.json").read_text())
HTMT, HTMT2 = _REF["htmt_arithmetic"], _REF["htmt"]  # semTools htmt2 = FALSE, TRUE
ITEMS = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
# lavaan tutorial, std.all of the factor covariances
CORR = {("visual", "textual"): 0.459, ("visual", "speed"): 0.471, ("textual", "speed"): 0.283}


def _hs_raw(stated: str = "established") -> dict:
    raw = _example()
    loads = {k: v["value"] for k, v in raw["results"]["loadings"].items()}
    aves = {c: average_variance_extracted([loads[i] for i in its]) for c, its in ITEMS.items()}
    raw["results"]["constructs"] = {c: {"ave": _pub(aves[c], 3, f"Table 2, {c} AVE")} for c in ITEMS}
    raw["results"]["parameters"] += [{"lhs": a, "op": "~~", "rhs": b, "std_all": _pub(r, 3, f"Covariances {a}~~{b}")}
                                     for (a, b), r in CORR.items()]
    raw["results"]["discriminant"] = {"fornell_larcker": {
        "where": "Table 3",
        "diagonal": {c: _pub(math.sqrt(a), 2, f"Table 3, {c} diagonal") for c, a in aves.items()},
        "correlations": {f"{a}~~{b}": _pub(r, 2, f"Table 3, {a}/{b}") for (a, b), r in CORR.items()},
        "verdict": {"value": stated, "where": "Section 4"}}}
    return raw


def test_fornell_larcker_table_of_lavaans_cfa_is_consistent():
    fs = _findings(_hs_raw())
    got = [f for f in fs if f.check.startswith("fornell_larcker")]
    assert {f.check for f in got} == {"fornell_larcker", "fornell_larcker_correlation", "fornell_larcker_verdict"}
    assert all(f.status == "consistent" for f in got), [f.detail for f in got if f.status != "consistent"]


def test_a_verdict_against_the_fornell_larcker_table_is_major():
    f = _findings(_hs_raw("not established"), "fornell_larcker_verdict")[0]
    assert f.status == "inconsistent" and f.severity == "major"


def test_a_diagonal_that_is_the_ave_not_its_root_is_flagged():
    raw = _hs_raw()
    fl = raw["results"]["discriminant"]["fornell_larcker"]
    fl["diagonal"]["visual"] = raw["results"]["constructs"]["visual"]["ave"]
    bad = [f for f in _findings(raw, "fornell_larcker") if f.status == "inconsistent"]
    assert len(bad) == 1 and "visual" in bad[0].detail and bad[0].severity == "minor"


def _item_corr(decimals: int | None = None) -> ItemCorrelations:
    r = pd.read_csv(HS).corr().to_numpy()
    rows = [[float(round(v, decimals) if decimals is not None else v) for v in r[i, : i + 1]] for i in range(9)]
    return ItemCorrelations(where="Appendix", items=[f"x{i}" for i in range(1, 10)],
                            decimals=decimals if decimals is not None else 6, values=rows)


def test_htmt_and_htmt2_formulas_match_semtools():
    corr = _item_corr()
    names = HTMT["rows"]
    for method, ref in (("htmt", HTMT), ("htmt2", HTMT2)):
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                if i < j:
                    v, lo, hi = htmt_interval(corr, ITEMS[a], ITEMS[b], method)
                    assert abs(v - ref["values"][i][j]) < 1e-6 and lo <= v <= hi, (method, a, b)


def test_printed_htmt_table_and_verdict_checked_against_item_correlations():
    raw = _hs_raw()
    corr = _item_corr(3)
    names = HTMT["rows"]
    raw["results"]["discriminant"]["item_correlations"] = corr.model_dump()
    raw["results"]["discriminant"]["htmt"] = {
        "where": "Table 4", "threshold": 0.85, "verdict": {"value": "established", "where": "Section 4"},
        "values": {f"{a}~~{b}": _pub(HTMT["values"][i][j], 2, "Table 4")
                   for i, a in enumerate(names) for j, b in enumerate(names) if i < j}}
    fs = _findings(raw)
    got = [f for f in fs if f.check in ("htmt", "htmt_verdict")]
    assert len(got) == 4 and all(f.status == "consistent" for f in got), [f.detail for f in got]
    raw["results"]["discriminant"]["htmt"]["threshold"] = 0.30  # textual~~speed .29 below, others above
    v = next(f for f in _findings(raw, "htmt_verdict"))
    assert v.status == "inconsistent" and v.severity == "major"


def test_loading_range_of_visual_bounds_its_ave_and_cr():
    loads = [0.772, 0.424, 0.581]
    rng = LoadingRange(min=Published(value=0.42, printed=".42", where="T2"),
                       max=Published(value=0.77, printed=".77", where="T2"))
    ave = Published(value=0.371, printed=".371", where="T2")
    cr = Published(value=round(composite_reliability(loads), 3), printed=f"{composite_reliability(loads):.3f}",
                   where="T2")
    fs = check_loading_range(rng, 3, "visual", ave, cr, [Published(value=x, printed=f"{x:.3f}", where="T1")
                                                          for x in loads])
    assert [f.status for f in fs] == ["consistent"] * 3
    bad = check_loading_range(rng, 3, "visual", Published(value=0.62, printed=".62", where="T2"),
                              Published(value=0.95, printed=".95", where="T2"))
    assert [f.status for f in bad] == ["inconsistent", "inconsistent"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0.3, max_value=0.97), min_size=2, max_size=8), st.sampled_from([2, 3]))
def test_correctly_rounded_range_ave_and_cr_never_flagged(ls, dec):
    def pub(x):
        return Published(value=round(x, dec), printed=f"{x:.{dec}f}", where="t")
    rng = LoadingRange(min=pub(min(ls)), max=pub(max(ls)))
    fs = check_loading_range(rng, len(ls), "c", pub(average_variance_extracted(ls)), pub(composite_reliability(ls)),
                             [pub(x) for x in ls])
    assert all(f.status == "consistent" for f in fs), [f.detail for f in fs]
    assert equal_cr(len(ls), min(ls)) <= composite_reliability(ls) + 1e-12 <= equal_cr(len(ls), max(ls)) + 2e-12


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=2**31 - 1), st.sampled_from([2, 3]))
def test_htmt_of_correctly_rounded_correlations_contains_the_true_value(seed, dec):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(200, 2)) @ rng.uniform(0.3, 1, size=(2, 6)) + rng.normal(size=(200, 6))
    r = np.corrcoef(x, rowvar=False)
    items = [f"i{k}" for k in range(6)]
    exact = ItemCorrelations(where="t", items=items, decimals=6, values=[list(r[i, : i + 1]) for i in range(6)])
    rounded = ItemCorrelations(where="t", items=items, decimals=dec,
                               values=[[round(float(v), dec) for v in r[i, : i + 1]] for i in range(6)])
    v = htmt_interval(exact, items[:3], items[3:])[0]
    _, lo, hi = htmt_interval(rounded, items[:3], items[3:])
    assert lo - 1e-12 <= v <= hi + 1e-12
