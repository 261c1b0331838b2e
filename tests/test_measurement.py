"""Reliability and validity: closed forms, semTools fixtures (scripts/semtools_fixtures.R)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from replication.engine.errors import InputError
from replication.analyses.measurement import (
    average_variance_extracted,
    composite_reliability,
    cronbach_alpha,
    fornell_larcker,
    harman_single_factor,
    htmt,
    latent_correlations,
    reliability_table,
)

FIX = Path(__file__).parent / "fixtures"
CASES = ["hs", "lc"]


def _case(name):
    fx = json.loads((FIX / "semtools" / f"{name}.json").read_text())
    data = pd.read_csv(FIX / "lavaan" / fx["data"])
    return fx, data


def _matrix(m):
    return pd.DataFrame(m["values"], index=m["rows"], columns=m["cols"])


# ------------------------------------------------------------------ CR and AVE
def test_cr_ave_closed_form():
    lam = [0.7, 0.8, 0.9]
    assert composite_reliability(lam) == pytest.approx(2.4**2 / (2.4**2 + 0.51 + 0.36 + 0.19), abs=1e-15)
    assert average_variance_extracted(lam) == pytest.approx((0.49 + 0.64 + 0.81) / 3, abs=1e-15)
    # equal loadings: CR is the Spearman-Brown formula of the item reliability l^2
    k, l2 = 5, 0.6**2
    assert composite_reliability([0.6] * k) == pytest.approx(k * l2 / (1 + (k - 1) * l2), abs=1e-15)


# ------------------------------------------------------------------ alpha
def test_alpha_closed_form():
    rng = np.random.default_rng(11)
    f = rng.normal(size=(150, 1))
    X = pd.DataFrame(f + rng.normal(size=(150, 4)), columns=list("abcd"))
    k = 4
    closed = k / (k - 1) * (1 - X.var(ddof=1).sum() / X.sum(axis=1).var(ddof=1))
    assert cronbach_alpha(X, list("abcd")) == pytest.approx(closed, abs=1e-12)


def test_alpha_matches_pingouin():
    # the closed form against pingouin's cronbach_alpha (listwise deletion of incomplete rows)
    pg = pytest.importorskip("pingouin")
    rng = np.random.default_rng(5)
    f = rng.normal(size=(200, 1))
    X = pd.DataFrame(np.round(3 + f + rng.normal(size=(200, 5)), 0), columns=list("abcde"))
    X.iloc[[3, 17, 40], [0, 2, 4]] = np.nan
    for items in (list("ab"), list("abc"), list("abcde")):
        expected, _ = pg.cronbach_alpha(data=X[items].dropna(), nan_policy="listwise")
        assert cronbach_alpha(X, items) == pytest.approx(expected, abs=1e-14)


@pytest.mark.parametrize("name", CASES)
def test_alpha_matches_semtools(name):
    fx, data = _case(name)
    for c, items in fx["items"].items():
        assert cronbach_alpha(data, items) == pytest.approx(fx["alpha_semtools"][c], abs=1e-10)


# ------------------------------------------------------------------ HTMT
@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("kind,key", [("arithmetic", "htmt_arithmetic"), ("geometric", "htmt_geometric")])
def test_htmt_matches_semtools(name, kind, key):
    fx, data = _case(name)
    ours = htmt(data, fx["items"], kind=kind)
    ref = _matrix(fx[key]).loc[ours.index, ours.columns]
    np.testing.assert_allclose(ours.to_numpy(), ref.to_numpy(), atol=1e-10)


def test_htmt_single_item_construct_is_nan():
    _, data = _case("hs")
    out = htmt(data, {"a": ["x1", "x2", "x3"], "b": ["x4"]})
    assert np.isnan(out.loc["a", "b"]) and out.loc["a", "a"] == 1.0


# ------------------------------------------------------------------ Harman
def test_harman_equicorrelated_closed_form():
    p, r, n = 6, 0.4, 200
    R = np.full((p, p), r) + (1 - r) * np.eye(p)
    rng = np.random.default_rng(5)
    Z = rng.normal(size=(n, p))
    Z = Z - Z.mean(axis=0)
    Z = Z @ np.linalg.inv(np.linalg.cholesky(np.cov(Z.T))).T  # exactly identity covariance
    X = pd.DataFrame(Z @ np.linalg.cholesky(R).T, columns=[f"i{j}" for j in range(p)])
    out = harman_single_factor(X, list(X.columns))
    assert out["first_eigenvalue"] == pytest.approx(1 + (p - 1) * r, abs=1e-10)
    assert out["first_factor_share"] == pytest.approx((1 + (p - 1) * r) / p, abs=1e-10)
    assert out["n_eigen_gt_1"] == 1 and out["n_obs"] == n


# ------------------------------------------------------------------ wrappers on fitted models
def _fake_fit(fx):
    load = pd.DataFrame(fx["std_loadings"])
    rows = [{"lhs": r.lhs, "op": "=~", "rhs": r.rhs, "est": np.nan, "std_all": r.std_all}
            for r in load.itertuples()]
    return SimpleNamespace(params=pd.DataFrame(rows))


def test_reliability_table_from_loadings():
    fx, data = _case("hs")
    tab = reliability_table(_fake_fit(fx), data, fx["items"])
    assert list(tab.columns) == ["n_items", "alpha", "cr", "ave", "min_loading", "max_loading"]
    for c in fx["items"]:
        assert tab.loc[c, "alpha"] == pytest.approx(fx["alpha"][c], abs=1e-10)
        lam = pd.DataFrame(fx["std_loadings"]).query("lhs == @c").std_all.to_numpy()
        assert tab.loc[c, "ave"] == pytest.approx(np.mean(lam**2), abs=1e-12)
        assert tab.loc[c, "cr"] == pytest.approx(lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum()))


def test_fornell_larcker_and_latent_correlations_of_a_structural_model():
    sem = pytest.importorskip("replication.engine.sem")
    _, data = _case("hs")
    meas = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
    cfa = sem.fit(meas, data)
    # a saturated recursive structure implies the same latent correlations as the CFA
    full = sem.fit(meas + "\ntextual ~ visual\nspeed ~ visual + textual", data)
    r_cfa, r_sem = latent_correlations(cfa), latent_correlations(full)
    np.testing.assert_allclose(r_sem.to_numpy(), r_cfa.to_numpy(), atol=2e-4)
    fl = fornell_larcker(cfa)
    p = cfa.params
    for c in ["visual", "textual", "speed"]:
        lam = p[(p.op == "=~") & (p.lhs == c)].std_all.to_numpy()
        assert fl.loc[c, c] == pytest.approx(np.sqrt(np.mean(lam**2)), abs=1e-12)
        assert fl.loc[c, "passes"] == (fl.loc[c, "sqrt_ave"] > fl.loc[c, "max_abs_corr"])
    vt = p[(p.op == "~~") & (p.lhs == "visual") & (p.rhs == "textual")].std_all.iloc[0]
    assert fl.loc["visual", "textual"] == pytest.approx(vt, abs=1e-10)


# ------------------------------------------------------------------ bad input
def test_bad_inputs():
    _, data = _case("hs")
    with pytest.raises(InputError, match="x99"):
        cronbach_alpha(data, ["x1", "x99"])
    with pytest.raises(InputError, match="at least two"):
        cronbach_alpha(data, ["x1"])
    with pytest.raises(InputError, match="numeric"):
        htmt(data.assign(x1="a"), {"a": ["x1", "x2"], "b": ["x3", "x4"]})
    with pytest.raises(InputError, match="kind"):
        htmt(data, {"a": ["x1", "x2"], "b": ["x3", "x4"]}, kind="harmonic")
    with pytest.raises(InputError, match="at least one"):
        composite_reliability([])
    with pytest.raises(InputError, match="finite"):
        average_variance_extracted([0.7, float("nan")])
    with pytest.raises(InputError, match="constant"):
        harman_single_factor(data.assign(x2=1.0), ["x1", "x2", "x3"])
    with pytest.raises(InputError, match="not measured"):
        reliability_table(_fake_fit(_case("hs")[0]), None, {"nope": ["x1"]})
    with pytest.raises(InputError, match="params"):
        fornell_larcker(object())


# ------------------------------------------------------------------ fits that find nothing
def _fit_with_undefined_loadings(converged=True):
    """A fitted model whose factor ``b`` has a negative variance: its std_all are undefined."""
    rows = [("a", "=~", "x1", 0.7), ("a", "=~", "x2", 0.8), ("a", "=~", "x3", 0.6),
            ("b", "=~", "x4", np.nan), ("b", "=~", "x5", np.nan), ("b", "=~", "x6", np.nan),
            ("a", "~~", "b", np.nan), ("a", "~~", "a", 1.0), ("b", "~~", "b", np.nan)]
    params = pd.DataFrame([{"lhs": l, "op": o, "rhs": r, "est": 1.0, "std_all": v}
                           for l, o, r, v in rows])
    return SimpleNamespace(params=params, converged=converged)


def test_undefined_loadings_give_undefined_cr_and_ave_with_the_reason():
    _, data = _case("hs")
    items = {"a": ["x1", "x2", "x3"], "b": ["x4", "x5", "x6"]}
    tab = reliability_table(_fit_with_undefined_loadings(), data, items)
    assert list(tab.columns) == ["n_items", "alpha", "cr", "ave", "min_loading", "max_loading", "note"]
    assert np.isnan(tab.loc["b", "cr"]) and np.isnan(tab.loc["b", "ave"])
    assert np.isnan(tab.loc["b", "min_loading"])
    assert "x4, x5, x6 undefined" in tab.loc["b", "note"]
    assert tab.loc["a", "note"] == ""
    assert tab.loc["a", "cr"] == pytest.approx(composite_reliability([0.7, 0.8, 0.6]), abs=1e-15)
    # alpha comes from the data, not the fit: defined whatever the fit
    assert tab.loc["b", "alpha"] == pytest.approx(cronbach_alpha(data, items["b"]), abs=1e-15)


def test_non_converged_fit_is_noted_for_every_construct():
    _, data = _case("hs")
    items = {"a": ["x1", "x2", "x3"], "b": ["x4", "x5", "x6"]}
    tab = reliability_table(_fit_with_undefined_loadings(converged=False), data, items)
    assert all(n.startswith("the fit did not converge") for n in tab["note"])


def test_fornell_larcker_undefined_after_a_negative_variance():
    fit = _fit_with_undefined_loadings()
    R = latent_correlations(fit)
    assert R.isna().all().all()
    fl = fornell_larcker(fit)
    assert fl.loc["a", "sqrt_ave"] == pytest.approx(np.sqrt(np.mean(np.square([0.7, 0.8, 0.6]))))
    assert np.isnan(fl.loc["b", "sqrt_ave"])
    assert fl["passes"].tolist() == [None, None]


def test_htmt_uncorrelated_items_is_undefined():
    # a1 and a2 are exactly orthogonal (correlation 0): the monotrait mean of "a" is 0
    a1, a2 = np.tile([1.0, -1.0, 1.0, -1.0], 50), np.tile([1.0, 1.0, -1.0, -1.0], 50)
    rng = np.random.default_rng(5)
    b1 = rng.normal(size=200)
    data = pd.DataFrame({"a1": a1, "a2": a2, "b1": b1, "b2": b1 + rng.normal(size=200)})
    out = htmt(data, {"a": ["a1", "a2"], "b": ["b1", "b2"]})
    assert np.isnan(out.loc["a", "b"]) and out.loc["a", "a"] == 1.0
