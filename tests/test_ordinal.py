"""Ordered items (thresholds, polychoric correlations, DWLS and WLSMV) against lavaan 0.6
(fixtures from scripts/ordinal_fixtures.R on psych's bfi items)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from replication.engine import ordinal as od
from replication.engine.errors import InputError

FX = Path(__file__).parent / "fixtures" / "estimators"
CASES = sorted(p.stem[len("ordinal_"):] for p in FX.glob("ordinal_*.json"))
EST_TOL = 2e-3   # estimates, absolute
SE_TOL = 1e-2    # standard errors, relative
STAT_TOL = 1e-3  # test statistics and fit measures, relative


@pytest.fixture(scope="module", params=CASES)
def fitted(request):
    fx = json.loads((FX / f"ordinal_{request.param}.json").read_text())
    data = pd.read_csv(FX / fx["data"])
    res = od.fit_ordinal(fx["model"], data, ordered=fx["items"], estimator=fx["estimator"])
    return fx, res


def test_cases_cover_wlsmv_and_dwls():
    assert {"bfi_nc_wlsmv", "bfi_nc_dwls", "bfi_n_wlsmv"} <= set(CASES)


def test_thresholds_and_polychoric_correlations_as_lavcor(fitted):
    fx, res = fitted
    R = np.array(fx["polychoric"]["values"])
    assert np.max(np.abs(res.polychoric.to_numpy() - R)) < 1e-6
    tau = np.concatenate([res.thresholds[v] for v in fx["items"]])
    assert np.max(np.abs(tau - np.array(fx["thresholds"]["values"]))) < 1e-9


def test_parameters_match_lavaan(fitted):
    fx, res = fitted
    assert res.converged
    ref = pd.DataFrame(fx["parameters"])
    ref["rhs"] = ref["rhs"].fillna("")
    m = res.parameters.merge(ref, on=["lhs", "op", "rhs"], suffixes=("", "_ref"))
    assert len(m) == len(ref)
    assert np.max(np.abs(m.est - m.est_ref)) < EST_TOL
    free = m.se_ref > 0
    assert free.sum() == res.fit_measures["npar"]
    assert np.max(np.abs(m.se[free] - m.se_ref[free]) / m.se_ref[free]) < SE_TOL
    assert np.max(np.abs(m.std_all - m["std.all"])) < EST_TOL
    assert np.max(np.abs(m.std_lv - m["std.lv"])) < EST_TOL


def test_fit_measures_match_lavaan(fitted):
    fx, res = fitted
    ref = fx["fit_measures"]
    for key, val in res.fit_measures.items():
        assert val == pytest.approx(ref[key], rel=STAT_TOL, abs=1e-8), key
    if fx["estimator"] == "WLSMV":
        assert {"chisq.scaled", "cfi.scaled", "rmsea.scaled", "cfi.robust", "tli.robust",
                "rmsea.robust"} <= set(res.fit_measures)


def test_bivariate_normal_against_quadrature():
    h = np.array([-1.0, 0.3, 1.5, -2.0, 0.0, 2.5])
    k = np.array([0.5, -0.7, 1.2, -1.5, 0.0, 2.4])
    for r in (-0.97, -0.5, 0.1, 0.8, 0.95):
        s = np.sqrt(1 - r * r)
        ref = [integrate.quad(lambda x: stats.norm.pdf(x) * stats.norm.cdf((b - r * x) / s),
                              -np.inf, a, epsabs=1e-14)[0] for a, b in zip(h, k)]
        assert np.max(np.abs(od.bvn_cdf(h, k, r) - ref)) < 1e-12


def test_polychoric_recovers_a_known_correlation():
    rng = np.random.default_rng(7)
    z = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], size=20000)
    cuts = np.array([-1.0, 0.0, 0.8])
    y = np.searchsorted(cuts, z)
    t1, t2 = od.thresholds(y[:, 0], 4), od.thresholds(y[:, 1], 4)
    table = np.zeros((4, 4))
    np.add.at(table, (y[:, 0], y[:, 1]), 1)
    assert od.polychoric(table, t1, t2) == pytest.approx(0.6, abs=0.02)
    assert np.allclose(t1, cuts, atol=0.03)


def test_ordinal_refusals():
    fx = json.loads((FX / "ordinal_bfi_n_wlsmv.json").read_text())
    data = pd.read_csv(FX / fx["data"])
    with pytest.raises(InputError, match="not ordered"):
        od.fit_ordinal(fx["model"], data, ordered=["N1", "N2"])
    with pytest.raises(InputError, match="estimator"):
        od.fit_ordinal(fx["model"], data, estimator="ML")
    with pytest.raises(InputError, match="single category"):
        od.fit_ordinal(fx["model"], data.assign(N1=3))


def test_binary_items_with_empty_cells_as_lavcor():
    fx = json.loads((FX / "polychoric_bfi_nc_binary.json").read_text())
    assert fx["n_zero_pairs"] > 0
    data = pd.read_csv(FX / fx["data"])
    Y, levels = od._codes(data, fx["items"])
    tau, R, _ = od.sample_statistics(Y, [len(lv) for lv in levels])
    assert np.max(np.abs(R - np.array(fx["polychoric"]["values"]))) < 1e-6
    assert np.max(np.abs(np.concatenate(tau) - np.array(fx["thresholds"]))) < 1e-9
