"""Published-vs-replicated tables: tolerances, provenance labels and hypothesis verdicts."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from replication import pipeline as analysis
from replication.compare import core as compare
from replication.engine.errors import InputError
from replication.record.schema import load_record


def _fake_fit(record, path_std=None, path_est=None, loading=0.78, pvalue=0.001, converged=True):
    """A parameter table with one row per path and per loading of the record."""
    rows = []
    for p in record.model.paths:
        std = (path_std or {}).get(p.key, 0.3)
        est = (path_est or {}).get(p.key, std)
        rows.append(dict(lhs=p.to, op="~", rhs=p.from_, est=est, se=0.05, z=est / 0.05,
                         pvalue=(pvalue.get(p.key, 0.001) if isinstance(pvalue, dict) else pvalue),
                         std_all=std))
    for c, its in record.items.items():
        for i in its:
            rows.append(dict(lhs=c, op="=~", rhs=i, est=1.0, se=0.1, z=10.0, pvalue=0.0,
                             std_all=loading))
    return SimpleNamespace(params=pd.DataFrame(rows), converged=converged)


@pytest.fixture(scope="module")
def lc():
    return load_record("live_commerce")


def test_paths_read_standardized_estimates_with_printed_tolerance(lc):
    printed = {r.key: r.estimate.value for r in lc.results.paths}
    # every path 0.015 away from print: within max(0.02, half unit 0.005)
    fit = _fake_fit(lc, path_std={k: v + 0.015 for k, v in printed.items()})
    tab = compare.compare_paths(lc, fit)
    est = tab[tab["quantity"] == "estimate"]
    assert len(est) == 12
    assert (est["verdict"] == "reproduced").all()
    assert np.allclose(est["difference"], 0.015)
    assert (est["tolerance"] == 0.02).all()
    assert (est["status"] == "published").all()
    assert est.set_index("path").loc["T->PI", "printed"] == "0.80"
    assert est.set_index("path").loc["T->PI", "hypothesis"] == "H1a"
    # 0.03 away is outside the tolerance
    far = compare.compare_paths(lc, _fake_fit(lc, path_std={k: v + 0.03 for k, v in printed.items()}))
    assert (far[far["quantity"] == "estimate"]["verdict"] == "not reproduced").all()


def test_statistics_use_a_relative_tolerance(lc):
    tab = compare.compare_paths(lc, _fake_fit(lc))
    st = tab[tab["quantity"] == "statistic"].set_index("path")
    # printed t 8.63: tolerance 10 % = 0.863; replicated z = 0.3 / 0.05 = 6
    assert st.loc["T->PI", "tolerance"] == pytest.approx(0.863)
    assert st.loc["T->PI", "verdict"] == "not reproduced"
    assert st.loc["T->PI", "replicated"] == pytest.approx(6.0)


def test_unstandardized_metric_compares_est_and_says_it_is_assumed():
    rec = load_record("e_engagement")
    printed = {r.key: r.estimate.value for r in rec.results.paths}
    fit = _fake_fit(rec, path_std={k: 0.1 for k in printed}, path_est=printed)
    tab = compare.compare_paths(rec, fit)
    est = tab[tab["quantity"] == "estimate"]
    assert (est["verdict"] == "reproduced").all()
    assert (est["read_as"] == "unstandardized (assumed)").all()
    assert not est["where"].str.contains("assumed").any()  # the location is the printed one


def test_abstract_papers_are_labelled_assumed_never_published():
    for pid in ("social_crm", "value_cocreation", "service_recovery"):
        rec = load_record(pid)
        fit = _fake_fit(rec)
        for tab in (compare.compare_paths(rec, fit), compare.compare_loadings(rec, fit)):
            assert len(tab) > 0
            assert (tab["status"] == "assumed").all(), pid
            assert (tab["printed"] == "").all(), pid
            assert tab["where"].str.startswith("assumption").all()


def test_loadings_use_item_values_and_half_unit_floor(lc):
    tab = compare.compare_loadings(lc, _fake_fit(lc, loading=0.78))
    t = tab.set_index("item")
    assert t.loc["T1", "verdict"] == "reproduced"
    assert t.loc["T2", "verdict"] == "not reproduced"  # printed 0.75
    assert t.loc["T1", "tolerance"] == 0.01


def test_non_converged_model_is_not_comparable(lc):
    tab = compare.compare_paths(lc, _fake_fit(lc, converged=False))
    assert (tab["verdict"] == "not comparable").all()


def test_fit_bounds_and_ratio(lc):
    rec = load_record("e_engagement")
    fm = {"chisq": 382.0, "df": 231.0, "pvalue": 0.0001, "cfi": 0.975, "tli": 0.985,
          "nfi": 0.96, "rmsea": 0.035}
    tab = compare.compare_fit(rec, fm, model="cfa").set_index("measure")
    assert tab.loc["pvalue", "verdict"] == "reproduced"  # printed "p < 0.001"
    assert tab.loc["chisq_df", "replicated"] == pytest.approx(382.0 / 231.0)
    assert tab.loc["df", "tolerance"] == pytest.approx(0.5)  # df printed as integer
    assert tab.loc["cfi", "verdict"] == "reproduced"
    assert (tab["status"] == "published").all()
    fm["pvalue"] = 0.2
    assert compare.compare_fit(rec, fm, model="cfa").set_index("measure").loc["pvalue", "verdict"] == "not reproduced"
    assert compare.compare_fit(lc, fm, model="cfa").empty
    with pytest.raises(InputError):
        compare.compare_fit(lc, fm, model="path")


def test_reliability_and_harman():
    rec = load_record("e_engagement")
    rel = pd.DataFrame({"alpha": [0.80, 0.90], "cr": [0.8, 0.9], "ave": [0.5, 0.6]},
                       index=pd.Index(["CF", "CFB"], name="construct"))
    tab = compare.compare_reliability(rec, rel).set_index("construct")
    assert tab.loc["CF", "verdict"] == "reproduced"       # 0.81 vs 0.80
    assert tab.loc["CFB", "verdict"] == "not reproduced"  # 0.85 vs 0.90
    assert tab.loc["PR", "verdict"] == "not comparable"
    h = compare.compare_harman(rec, {"first_factor_share": 0.30, "n_eigen_gt_1": 7})
    assert (h["verdict"] == "reproduced").all()
    assert compare.compare_harman(load_record("live_commerce"), {}).empty


def test_hypothesis_verdicts_compare_support(lc):
    p = {"SN->PI": 0.3, "PI->RD": 0.6}  # paper: H2a "No", H3b "No"
    fit = _fake_fit(lc, pvalue={**{k.key: 0.001 for k in lc.model.paths}, **p})
    h = compare.hypothesis_verdicts(lc, fit).set_index("hypothesis")
    assert h.loc["H2a", "replicated_supported"] is False or h.loc["H2a", "replicated_supported"] == False  # noqa: E712
    assert h.loc["H2a", "verdict"] == "reproduced"
    assert h.loc["H1a", "verdict"] == "reproduced"
    assert (h["status"] == "published").all()
    neg = _fake_fit(lc, path_std={k.key: -0.3 for k in lc.model.paths})
    h2 = compare.hypothesis_verdicts(lc, neg).set_index("hypothesis")
    assert h2.loc["H1a", "verdict"] == "not reproduced"  # wrong sign


def test_hypotheses_with_assumed_paths_are_assumed():
    rec = load_record("service_recovery")
    h = compare.hypothesis_verdicts(rec)
    assert (h["effect_status"] == "assumed").all()
    assert (h["status"] == "assumed").all()
    assert (h["verdict"] == "not comparable").all()


def test_mediation_verdict_from_bootstrap_interval():
    rec = load_record("value_cocreation")
    effects = pd.DataFrame([
        {"effect": "total_indirect", "path": "total indirect", "estimate": 0.2,
         "std_estimate": 0.2, "boot_se": 0.05, "pvalue": 0.0001, "ci_low": 0.1, "ci_high": 0.3},
        {"effect": "direct", "path": "PRI -> PVC", "estimate": 0.0, "std_estimate": 0.0,
         "boot_se": 0.05, "pvalue": 0.9, "ci_low": -0.1, "ci_high": 0.1}])
    med = {"PRI=>PVC": SimpleNamespace(effects=effects)}
    h = compare.hypothesis_verdicts(rec, mediation=med).set_index("hypothesis")
    assert h.loc["A9", "effect"] == "PRI=>PVC"
    assert h.loc["A9", "replicated_supported"] == True  # noqa: E712
    assert h.loc["A9", "verdict"] == "reproduced"
    assert h.loc["A10", "verdict"] == "not comparable"


def test_summarize_keeps_assumed_apart(lc):
    a = compare.compare_loadings(lc, _fake_fit(lc, loading=0.78))
    b = compare.compare_loadings(load_record("social_crm"), _fake_fit(load_record("social_crm"), loading=0.75))
    s = compare.summarize(a, b)
    assert s["reproduced"] + s["not reproduced"] == 21
    assert s["assumed_reproduced"] == 28


def test_results_json_is_deterministic_and_plain():
    data = {"b": [1.0000000001, float("nan"), np.float64(-0.0)], "a": pd.DataFrame({"x": [1, 2]}),
            "c": {"t": np.bool_(True), "n": np.int64(3)}}
    text = analysis.dumps(data)
    assert text == analysis.dumps(data)
    back = json.loads(text)
    assert list(back) == ["a", "b", "c"]
    assert back["b"] == [1.0, None, 0.0]
    assert back["a"] == [{"x": 1}, {"x": 2}]
    assert back["c"] == {"n": 3, "t": True}


def test_classify_reproduction_labels():
    from replication.compare.core import classify_reproduction

    all_ok = classify_reproduction({"reproduced": 12, "not reproduced": 0},
                                   {"reproduced": 40, "not reproduced": 0}, "tables")
    assert all_ok["label"] == "reproduced"
    minor = classify_reproduction({"reproduced": 12, "not reproduced": 0},
                                  {"reproduced": 38, "not reproduced": 2}, "tables")
    assert minor["label"] == "reproduced with minor issues"
    partly = classify_reproduction({"reproduced": 10, "not reproduced": 2},
                                   {"reproduced": 30, "not reproduced": 10}, "tables")
    assert partly["label"] == "partly reproduced"
    assert "10 of 12" in partly["reason"] and "30 of 40" in partly["reason"]
    bad = classify_reproduction({"reproduced": 1, "not reproduced": 5},
                                {"reproduced": 1, "not reproduced": 9}, "tables")
    assert bad["label"] == "not reproduced"
    # abstract-only: assumed magnitudes never count, only the claims
    abstract = classify_reproduction({"reproduced": 6, "not reproduced": 0},
                                     {"reproduced": 0, "not reproduced": 3,
                                      "assumed_not_reproduced": 6}, "abstract")
    assert abstract["label"] == "reproduced"
    assert classify_reproduction({}, {}, "abstract")["label"] == "not comparable"
    # on synthetic data an abstract's claims hold by construction: not a replication
    synthetic = classify_reproduction({"reproduced": 6, "not reproduced": 0}, {}, "abstract",
                                      source="reconstructed")
    assert synthetic["label"] == "not applicable (synthetic data)"
    assert "by construction" in synthetic["reason"]
    tables = classify_reproduction({"reproduced": 11, "not reproduced": 1},
                                   {"reproduced": 46, "not reproduced": 20}, "tables",
                                   source="reconstructed")
    assert tables["label"] == "partly reproduced" and tables["reason"].startswith("on reconstructed data")
