"""Plain fit-index functions against lavaan's fitMeasures() (fixtures from scripts/lavaan_fixtures.R)."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from replication.engine import fit_indices as fi

FX = Path(__file__).parent / "fixtures" / "lavaan"
CASES = ["hs_cfa", "pd_sem", "lc_lavaan", "lc_sem", "lc_cfa"]


def load(case):
    return json.loads((FX / f"{case}.json").read_text())


def sample_and_implied(d):
    data = pd.read_csv(FX / d["data"])
    names = d["implied_cov"]["names"]
    X = data[names].to_numpy(float)
    Xc = X - X.mean(axis=0)
    S = Xc.T @ Xc / len(X)
    Sigma = np.array(d["implied_cov"]["values"])
    return S, Sigma


@pytest.mark.parametrize("case", CASES)
def test_chisq_based_indices_match_lavaan(case):
    fm = load(case)["fit_measures"]
    x2, df, n = fm["chisq"], fm["df"], fm["ntotal"]
    b2, bdf = fm["baseline.chisq"], fm["baseline.df"]
    got = {
        "pvalue": fi.chisq_pvalue(x2, df),
        "rmsea": fi.rmsea(x2, df, n),
        "rmsea.ci.lower": fi.rmsea_ci(x2, df, n)[0],
        "rmsea.ci.upper": fi.rmsea_ci(x2, df, n)[1],
        "cfi": fi.cfi(x2, df, b2, bdf),
        "tli": fi.tli(x2, df, b2, bdf),
        "nfi": fi.nfi(x2, b2, df=df, base_df=bdf),
        "ifi": fi.ifi(x2, df, b2),
        "aic": fi.aic(fm["logl"], fm["npar"]),
        "bic": fi.bic(fm["logl"], fm["npar"], n),
    }
    diffs = {k: abs(v - fm[k]) for k, v in got.items()}
    print(case, "largest difference", max(diffs.items(), key=lambda kv: kv[1]))
    for k, v in got.items():
        assert v == pytest.approx(fm[k], abs=1e-6), k


@pytest.mark.parametrize("case", CASES)
def test_matrix_indices_match_lavaan(case):
    d = load(case)
    fm = d["fit_measures"]
    S, Sigma = sample_and_implied(d)
    p = S.shape[0]
    assert fi.gfi(S, Sigma) == pytest.approx(fm["gfi"], abs=1e-6)
    assert fi.agfi(fi.gfi(S, Sigma), fm["df"], p) == pytest.approx(fm["agfi"], abs=1e-6)
    assert fi.agfi(S, fm["df"], Sigma=Sigma) == pytest.approx(fm["agfi"], abs=1e-6)
    assert fi.srmr(S, Sigma) == pytest.approx(fm["srmr"], abs=1e-6)


def test_chisq_df_is_ratio():
    assert fi.chisq_df(352.55, 110) == pytest.approx(3.205, abs=1e-3)
    assert math.isnan(fi.chisq_df(10.0, 0))


def test_edge_cases_follow_lavaan():
    # chi-square below df: RMSEA 0, CFI 1, lower CI bound 0
    assert fi.rmsea(10.0, 20, 300) == 0.0
    assert fi.cfi(10.0, 20, 500.0, 28) == 1.0
    assert fi.rmsea_ci(10.0, 20, 300)[0] == 0.0
    # saturated model
    assert fi.rmsea(0.0, 0, 300) == 0.0
    assert fi.tli(0.0, 0, 500.0, 28) == 1.0
    assert fi.nfi(0.0, 500.0, df=0, base_df=28) == 1.0
    # CFI is clipped to [0, 1] (semopy's is not)
    assert 0.0 <= fi.cfi(900.0, 20, 500.0, 28) <= 1.0
    # IFI of 1 when the baseline chi-square is below df
    assert fi.ifi(5.0, 20, 10.0) == 1.0
    # N - 1 convention
    assert fi.rmsea(85.306, 24, 301, n_minus_one=True) == pytest.approx(
        math.sqrt((85.306 - 24) / (24 * 300)))
    assert all(math.isnan(v) for v in fi.rmsea_ci(float("nan"), 24, 301))


def test_gfi_is_one_at_perfect_fit():
    S = np.array([[2.0, 0.5], [0.5, 1.0]])
    assert fi.gfi(S, S) == pytest.approx(1.0)
    assert fi.srmr(S, S) == pytest.approx(0.0)


def test_agfi_needs_p_or_sigma():
    with pytest.raises(TypeError):
        fi.agfi(0.9, 10)


def test_noncentral_tail_survives_scipy_overflow(monkeypatch):
    from scipy import stats

    from replication.engine import fit_indices as fi

    cases = [(350.0, 300.0, 30.0), (420.0, 168.0, 105.0), (60.0, 24.0, 15.0)]
    expected = [float(stats.ncx2.sf(*c)) for c in cases]

    def overflow(*args, **kwargs):
        raise OverflowError("tgamma")

    monkeypatch.setattr(fi.dist, "ncx2_sf", overflow)
    for case, value in zip(cases, expected):
        assert fi.noncentral_chi2_sf(*case) == pytest.approx(value, rel=1e-9, abs=1e-15)
    assert fi.rmsea_pvalue(5000.0, 300, 451) == pytest.approx(0.0, abs=1e-300)


def test_rmsea_pvalue_is_a_probability_near_zero_chisq():
    from replication.engine.fit_indices import rmsea_pvalue

    for chisq in (0.0, 1e-9, 1e-3, 0.5):
        assert 0.0 <= rmsea_pvalue(chisq, 24, 301) <= 1.0


def test_bracketed_root_finds_roots_to_the_tolerance():
    from replication.engine import roots

    cases = [(lambda x: x ** 3 - 2.0, 0.0, 5.0, 2.0 ** (1 / 3)),
             (lambda x: math.exp(-x) - 1e-9, 0.0, 1000.0, -math.log(1e-9)),
             (lambda x: math.tanh(50 * (x - 0.3)), -10.0, 7.0, 0.3),
             (lambda x: 1.0 - x, 1.0, 3.0, 1.0)]
    for f, a, b, root in cases:
        x = roots.bracketed_root(f, a, b)
        assert abs(x - root) <= 2e-12 * max(1.0, abs(root)), (x, root)
        lo, hi = roots.narrow_bracket(f, a, b, root + 0.01, 0.1)
        assert lo == pytest.approx(max(a, root - 0.09)) and hi == pytest.approx(min(b, root + 0.11))
        assert roots.narrow_bracket(f, a, b, root + 5.0, 0.1) == (a, b)
    with pytest.raises(ValueError):
        roots.bracketed_root(lambda x: x * x + 1.0, -1.0, 1.0)


def test_rmsea_interval_agrees_with_brent_on_scipy():
    """The interval of the numpy/math noncentral chi-square and the bracketing root finder
    against scipy's ``brentq`` on ``ncx2.cdf`` (the implementation it replaces), including a
    million cases' worth of noncentrality; the largest difference seen is below 1e-13."""
    from scipy import optimize, stats

    def reference(chisq, df, n, level=0.90):
        up, lp = 1 - (1 - level) / 2, (1 - level) / 2

        def cdf(lam):
            return stats.chi2.cdf(chisq, df) if lam <= 0 else stats.ncx2.cdf(chisq, df, lam)

        lo = 0.0
        if cdf(0.0) - up >= 0:
            lo = math.sqrt(optimize.brentq(lambda x: cdf(x) - up, 0.0, chisq, xtol=1e-12,
                                           rtol=1e-12) / (n * df))
        bound = max(n, 4 * chisq)
        hi = 0.0
        if cdf(bound) - lp <= 0 <= cdf(0.0) - lp:
            hi = math.sqrt(optimize.brentq(lambda x: cdf(x) - lp, 0.0, bound, xtol=1e-12,
                                           rtol=1e-12) / (n * df))
        return lo, hi

    rng = np.random.default_rng(5)
    cases = [(85.306, 24, 301), (38.125, 35, 75), (5000.0, 300, 451), (0.5, 24, 301),
             (20000.0, 168, 1_000_000), (180.0, 168, 1_000_000), (705138.43218, 176, 1_000_000)]
    cases += [(int(d) * rng.exponential(1.5), int(d), int(n))
              for d, n in zip(rng.integers(1, 300, 60), rng.integers(50, 5000, 60))]
    for chisq, df, n in cases:
        got, ref = fi.rmsea_ci(chisq, df, n), reference(chisq, df, n)
        assert max(abs(a - b) for a, b in zip(got, ref)) < 1e-10, (chisq, df, n, got, ref)
