"""Robust ML (MLM, MLR) against lavaan 0.6 (fixtures from scripts/robust_fixtures.R)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from replication.engine import robust, robust_fiml
from replication.engine.errors import InputError
from replication.engine.sem import fit

FX = Path(__file__).parent / "fixtures" / "estimators"
CASES = sorted(p.stem[len("robust_"):] for p in FX.glob("robust_*.json"))
DIFFS = sorted(p.stem[len("sbdiff_"):] for p in FX.glob("sbdiff_*.json"))
EST_TOL = 2e-3   # estimates, absolute
SE_TOL = 1e-2    # standard errors, relative
STAT_TOL = 1e-3  # scaled statistics and fit measures, relative


def _fit(fx):
    data = pd.read_csv(FX / fx["data"])
    if fx.get("missing") == "ml":  # MLR with full-information ML
        res = fit(fx["model"], data, cov_y=True, missing="fiml")
        X = data[res.spec.ov].to_numpy(float)
        rob = robust_fiml.robust_fiml(res.spec, res.theta, X, res.fit_measures["chisq"],
                                      res.fit_measures["baseline.chisq"])
        return res, rob
    res = fit(fx["model"], data, cov_y=True)
    X = data[res.spec.ov].dropna().to_numpy(float)
    rob = robust.robust_fit(res.spec, res.theta, X, fx["estimator"], res.fit_measures["chisq"],
                            res.fit_measures["baseline.chisq"])
    return res, rob


@pytest.fixture(scope="module", params=CASES)
def fitted(request):
    fx = json.loads((FX / f"robust_{request.param}.json").read_text())
    return (fx, *_fit(fx))


def test_cases_cover_both_estimators():
    assert {"hs_mlm", "hs_mlr", "bfi_mlm", "bfi_mlr", "hs_fiml_mlr", "bfi_fiml_mlr"} <= set(CASES)


def test_estimates_and_robust_se_match_lavaan(fitted):
    fx, res, rob = fitted
    ref = pd.DataFrame(fx["parameters"])
    got = rob.apply(res.params, res.spec)
    ref["rhs"] = ref["rhs"].fillna("")
    m = got.merge(ref, on=["lhs", "op", "rhs"], suffixes=("", "_ref"))
    assert len(m) == len(ref)
    assert np.max(np.abs(m.est - m.est_ref)) < EST_TOL
    free = m.se_ref > 0
    rel = np.abs(m.se[free] - m.se_ref[free]) / m.se_ref[free]
    assert rel.max() < SE_TOL
    for col, ref_col in (("std_all", "std.all"), ("std_lv", "std.lv")):
        ok = m[ref_col].notna()
        assert np.max(np.abs(m[col][ok] - m[ref_col][ok])) < EST_TOL, col


def test_scaled_and_robust_fit_measures_match_lavaan(fitted):
    fx, res, rob = fitted
    ref = fx["fit_measures"]
    assert res.fit_measures["chisq"] == pytest.approx(ref["chisq"], rel=STAT_TOL)
    for key in robust.SCALED_MEASURES:
        assert rob.fit_measures[key] == pytest.approx(ref[key], rel=STAT_TOL, abs=1e-6), key


def test_holzinger_swineford_anchors():
    # lavaan 0.6.14 as quoted in the issue: MLM chisq 85.306, scaled 80.872, factor 1.055;
    # MLR scaled 87.132, factor 0.979 (the fixtures hold the full-precision values)
    fx = json.loads((FX / "robust_hs_mlm.json").read_text())
    res, rob = _fit(fx)
    assert round(res.fit_measures["chisq"], 3) == 85.306
    assert round(rob.fit_measures["chisq.scaled"], 3) == 80.872
    assert round(rob.scaling_factor, 3) == 1.055
    fx = json.loads((FX / "robust_hs_mlr.json").read_text())
    res, rob = _fit(fx)
    assert round(rob.fit_measures["chisq.scaled"], 3) == 87.132
    assert round(rob.scaling_factor, 3) == 0.979


@pytest.mark.parametrize("case", DIFFS)
def test_sb2001_difference_matches_lavaan(case):
    fx = json.loads((FX / f"sbdiff_{case}.json").read_text())
    data = pd.read_csv(FX / fx["data"])
    out = []
    for model in (fx["model1"], fx["model0"]):
        res, rob = _fit({"model": model, "data": fx["data"], "estimator": fx["estimator"]})
        out.append((res.fit_measures["chisq"], res.spec.df, rob.scaling_factor))
    d = robust.sb2001_difference(*out[0], *out[1])
    assert len(data) > 0
    assert d["df_diff"] == fx["df_diff"]
    assert d["chisq_diff"] == pytest.approx(fx["chisq_diff"], rel=STAT_TOL)
    assert d["pvalue"] == pytest.approx(fx["pvalue"], rel=STAT_TOL, abs=1e-8)


def test_gamma_is_the_covariance_of_the_moments():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((400, 3)) ** 2
    G = robust.gamma_adf(X)
    r, c = robust.vech_index(3)
    Z = X - X.mean(axis=0)
    d = Z[:, r] * Z[:, c]
    assert np.allclose(G, np.cov(d, rowvar=False, bias=True))
    Gm = robust.gamma_adf(X, meanstructure=True)
    assert np.allclose(Gm[:3, :3], np.cov(X, rowvar=False, bias=True))


def test_duplication_and_weight():
    A = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.5]])
    r, c = robust.vech_index(3)
    assert np.allclose(robust.duplication(3) @ A[r, c], A.reshape(-1))
    # the normal weight is the inverse of the normal-theory Gamma 2 D+ (A (x) A) D+'
    D = robust.duplication(3)
    Dp = np.linalg.pinv(D)
    assert np.allclose(np.linalg.inv(robust.normal_weight(A)), 2 * Dp @ np.kron(A, A) @ Dp.T)


def test_difference_test_refuses_wrong_order_and_plain_helpers():
    with pytest.raises(InputError):
        robust.sb2001_difference(10.0, 5, 1.1, 12.0, 5, 1.2)
    # with every scaling factor 1 the measures are the ML ones
    m = robust.scaled_measures(50.0, 20, 1.0, 20.0, 900.0, 36, 1.0, 300)
    assert m["chisq.scaled"] == 50.0
    assert m["cfi.robust"] == pytest.approx(m["cfi.scaled"])
    assert m["rmsea.robust"] == pytest.approx(m["rmsea.scaled"])


def test_robust_refuses_fixed_x_and_unknown_estimator():
    fx = json.loads((FX / "robust_hs_mlm.json").read_text())
    data = pd.read_csv(FX / fx["data"])
    res = fit("visual =~ x1 + x2 + x3\nvisual ~ x4", data)
    X = data[res.spec.ov].to_numpy(float)
    with pytest.raises(InputError, match="fixed.x"):
        robust.robust_fit(res.spec, res.theta, X, "MLM", 1.0, 2.0)
    with pytest.raises(InputError, match="estimator"):
        robust.robust_fit(res.spec, res.theta, X, "WLS", 1.0, 2.0)


def test_fiml_scores_and_means():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((300, 3)) @ np.array([[1, .5, .2], [0, 1, .3], [0, 0, 1.]])
    X[rng.random(X.shape) < 0.15] = np.nan
    X = X[~np.isnan(X).all(axis=1)]
    Sigma = np.array([[1.2, .4, .2], [.4, 1.1, .3], [.2, .3, 1.0]])
    mu = robust_fiml.fiml_means(X, Sigma)
    # the ML means given Sigma set the mean score to zero
    s = robust_fiml.casewise_scores(X, mu, Sigma)
    assert np.allclose(s[:, :3].sum(axis=0), 0, atol=1e-9)
    # complete rows: the observed information at the sample moments is the normal weight
    Xc = rng.standard_normal((200, 3))
    S = np.cov(Xc, rowvar=False, bias=True)
    A = robust_fiml.observed_information(Xc, Xc.mean(axis=0), S)
    assert np.allclose(A, robust.normal_weight(S, meanstructure=True), atol=1e-6)


@pytest.mark.parametrize("p", [1, 2, 5, 12])
def test_normal_weight_equals_its_kronecker_definition(p):
    """``W = 1/2 D' (Sigma^-1 (x) Sigma^-1) D`` (Browne 1974), computed elementwise, is the
    product with the duplication matrix to rounding."""
    rng = np.random.default_rng(p)
    X = rng.normal(size=(40, p))
    Sigma = np.atleast_2d(np.cov(X, rowvar=False)) + 0.1 * np.eye(p)
    Si = np.linalg.inv(Sigma)
    D = robust.duplication(p)
    ref = 0.5 * D.T @ np.kron(Si, Si) @ D
    np.testing.assert_allclose(robust.normal_weight(Sigma), ref, rtol=1e-13, atol=1e-15)
    W = robust.normal_weight(Sigma, meanstructure=True)
    np.testing.assert_allclose(W[:p, :p], Si, rtol=1e-13)
    np.testing.assert_allclose(W[p:, p:], ref, rtol=1e-13, atol=1e-15)
