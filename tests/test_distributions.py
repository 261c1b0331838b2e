"""The numpy/math tail probabilities against scipy.stats (the reference) and, where scipy's own
error is larger than 1e-13 (large degrees of freedom or noncentrality, far tails), against the
same quantities in 35-digit arithmetic (mpmath)."""

import json
import math
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
from scipy import stats

from replication.engine import distributions as dist

RNG = np.random.default_rng(20261129)
Z = np.concatenate([RNG.normal(0, 3, 20000), RNG.normal(0, 30, 2000),
                    [0.0, -0.0, np.inf, -np.inf, np.nan, 40.0, -40.0, 1e-300, 0.7071, -0.7072]])
X = np.concatenate([RNG.exponential(50, 3000), RNG.exponential(5000, 500),
                    [0.0, -0.0, -1e-10, -5.0, 1e-300, np.inf, np.nan]])
DFS = [0.5, 1, 2, 2.7, 3, 5, 8, 13.3, 24, 37.9, 51, 100, 171]
EDGES = [-1.0, 0.0, -0.0, np.nan, np.inf]


def _close(got, ref, rtol, floor=1e-30):
    """Same NaNs, same zeros and ones at the edges, relative agreement where ``ref > floor``."""
    got, ref = np.asarray(got, dtype=float), np.asarray(ref, dtype=float)
    assert got.shape == ref.shape
    assert np.array_equal(np.isnan(got), np.isnan(ref))
    m = np.isfinite(ref) & (ref > floor)
    assert m.sum() > 0
    worst = float(np.max(np.abs(got[m] - ref[m]) / ref[m]))
    assert worst <= rtol, worst
    small = np.isfinite(ref) & (ref <= floor)
    assert np.all(got[small] <= max(10 * floor, 1e-300) + ref[small])


def test_norm_cdf_against_scipy():
    _close(dist.norm_cdf(Z), stats.norm.cdf(Z), 1e-13, floor=0)
    assert dist.norm_cdf(np.inf) == 1.0 and dist.norm_cdf(-np.inf) == 0.0
    assert dist.norm_cdf(0.0) == 0.5 and np.isnan(dist.norm_cdf(np.nan))


def test_norm_sf_against_scipy():
    _close(dist.norm_sf(Z), stats.norm.sf(Z), 1e-13, floor=0)
    assert dist.norm_sf(np.inf) == 0.0 and dist.norm_sf(-np.inf) == 1.0
    assert dist.norm_sf(0.0) == 0.5 and isinstance(dist.norm_sf(1.0), np.float64)


def test_norm_ppf_against_scipy():
    p = np.concatenate([[1e-300, 1e-20, 0.05, 0.5, 0.95, 1 - 1e-12], RNG.random(200)])
    got = np.array([dist.norm_ppf(v) for v in p])
    assert np.max(np.abs(got - stats.norm.ppf(p))) < 1e-13 * 40
    assert all(math.isnan(dist.norm_ppf(v)) for v in (0.0, 1.0, -0.5, np.nan))


@pytest.mark.parametrize("df", DFS)
def test_central_chi2_against_scipy(df):
    _close(dist.chi2_sf(X, df), stats.chi2.sf(X, df), 1e-13)
    _close(dist.chi2_cdf(X, df), stats.chi2.cdf(X, df), 1e-13)


@pytest.mark.parametrize("df", [0, -1, np.nan])
def test_central_chi2_outside_its_parameters_is_nan(df):
    assert np.all(np.isnan(dist.chi2_sf(X, df))) and np.all(np.isnan(stats.chi2.sf(X, df)))
    assert np.all(np.isnan(dist.chi2_cdf(X, df)))


def test_central_chi2_edges_and_broadcasting():
    x = np.array(EDGES)
    assert np.array_equal(dist.chi2_sf(x, 3), stats.chi2.sf(x, 3), equal_nan=True)
    assert np.array_equal(dist.chi2_cdf(x, 3), stats.chi2.cdf(x, 3), equal_nan=True)
    got = dist.chi2_sf(np.array([[1.0], [2.0]]), np.array([1.0, 2.0, 3.0]))
    _close(got, stats.chi2.sf(np.array([[1.0], [2.0]]), np.array([1.0, 2.0, 3.0])), 1e-13)


@pytest.mark.parametrize("df", [1, 2, 5, 24, 100, 171, 1000])
def test_noncentral_chi2_against_scipy(df):
    got, ref = [], []
    for nc in [0.0, 0.01, 0.5, 3.0, 30.0, 100.0, 300.0, 1000.0, 3000.0]:
        mean, sd = df + nc, math.sqrt(2 * (df + 2 * nc))
        for x in mean + sd * np.linspace(-6, 8, 29):
            if x > 0:
                got += [dist.ncx2_cdf(x, df, nc), dist.ncx2_sf(x, df, nc)]
                ref += [stats.ncx2.cdf(x, df, nc), stats.ncx2.sf(x, df, nc)]
    _close(got, ref, 2e-13)
    for x in EDGES:
        assert np.array_equal(dist.ncx2_cdf(x, df, 3.0), stats.ncx2.cdf(x, df, 3.0), equal_nan=True)
        assert np.array_equal(dist.ncx2_sf(x, df, 3.0), stats.ncx2.sf(x, df, 3.0), equal_nan=True)
    assert math.isnan(dist.ncx2_cdf(5.0, df, -1.0)) and math.isnan(dist.ncx2_sf(5.0, 0, 1.0))


# ------------------------------------------------------------------ 35-digit references
mp.mp.dps = 35


def _mp_pq(a, x):
    """Regularized incomplete gamma (P, Q) in mpmath arithmetic (series / continued fraction,
    Press et al. 2007, sec. 6.2), for shapes where ``mpmath.gammainc`` does not converge."""
    f = mp.exp(a * mp.log(x) - x - mp.loggamma(a + 1))
    stop = mp.mpf(10) ** -34
    if x < a + 1:
        t = s = mp.mpf(1)
        k = a
        while t >= s * stop:
            k += 1
            t *= x / k
            s += t
        return f * s, 1 - f * s
    tiny = mp.mpf(10) ** -300
    b, c = x + 1 - a, 1 / tiny
    d = 1 / b
    h, i = d, 1
    while True:
        an = -i * (i - a)
        b += 2
        d, c = 1 / (an * d + b), b + an / c
        h *= d * c
        if abs(d * c - 1) < stop:
            return 1 - a * f * h, a * f * h
        i += 1


def _mp_ncx2(x, df, nc, upper):
    """Poisson mixture over 25 standard deviations of the Poisson weights, 35 digits."""
    x, df, nc = mp.mpf(x), mp.mpf(df), mp.mpf(nc)
    h, y, a0 = nc / 2, x / 2, df / 2
    mode, k = int(mp.floor(h)), int(25 * mp.sqrt(h)) + 60
    lo, hi = max(0, mode - k), mode + k
    j = lo if upper else hi
    tail = _mp_pq(a0 + j, y)[1 if upper else 0]
    dj = mp.exp((a0 + j) * mp.log(y) - y - mp.loggamma(a0 + j + 1))
    w = mp.exp(j * mp.log(h) - h - mp.loggamma(j + 1))
    total = 0
    for _ in range(hi - lo + 1):
        total += w * tail
        if upper:
            tail += dj
            dj *= y / (a0 + j + 1)
            w *= h / (j + 1)
            j += 1
        elif j > lo:
            dj *= (a0 + j) / y
            tail += dj
            w *= j / h
            j -= 1
    return total


def test_mp_reference_agrees_with_mpmath_gammainc():
    for a, x in [(0.5, 0.3), (2.5, 7.0), (12.0, 11.0), (50.0, 80.0)]:
        p, q = _mp_pq(mp.mpf(a), mp.mpf(x))
        assert abs(p - mp.gammainc(a, 0, x, regularized=True)) < mp.mpf(10) ** -30
        assert abs(q - mp.gammainc(a, x, mp.inf, regularized=True)) < mp.mpf(10) ** -30


@pytest.mark.parametrize("df", [1000.0, 1e4, 1e5, 1e6])
def test_central_chi2_large_df_and_tails(df):
    sd = math.sqrt(2 * df)
    for x in df + sd * np.array([-12.0, -6.0, -2.0, -0.3, 0.0, 0.4, 1.0, 3.0, 8.0, 15.0]):
        p, q = _mp_pq(mp.mpf(df) / 2, mp.mpf(x) / 2)
        for got, ref in ((dist.chi2_cdf(x, df), p), (dist.chi2_sf(x, df), q)):
            assert abs(got - ref) <= 1e-13 * ref, (x, float(got), float(ref))


#: Large-noncentrality cases (df, nc) and the points, in SDs from the mean, of their reference
#: values (``scripts/ncx2_fixtures.py`` computes them with :func:`_mp_ncx2` into
#: ``tests/fixtures/distributions/ncx2_large.json``).
LARGE_NC = [(1, 420000.0), (2, 30000.0), (24, 3.0), (100, 420000.0), (168, 210000.0),
            (171, 30000.0), (1000, 3000.0)]
LARGE_NC_SDS = [-10.0, -4.0, -1.0, 0.0, 1.5, 5.0, 12.0]
NCX2_LARGE = Path(__file__).parent / "fixtures" / "distributions" / "ncx2_large.json"


@pytest.mark.parametrize("df, nc", LARGE_NC)
def test_noncentral_chi2_large_noncentrality_and_tails(df, nc):
    cases = [c for c in json.loads(NCX2_LARGE.read_text(encoding="utf-8"))["cases"]
             if c["df"] == df and c["nc"] == nc]
    mean, sd = df + nc, math.sqrt(2 * (df + 2 * nc))
    assert [c["x"] for c in cases] == [float(x) for x in mean + sd * np.array(LARGE_NC_SDS) if x > 0]
    for c in cases:
        for upper, key in ((False, "cdf"), (True, "sf")):
            got = dist.ncx2_sf(c["x"], df, nc) if upper else dist.ncx2_cdf(c["x"], df, nc)
            ref = mp.mpf(c[key])
            assert abs(got - ref) <= 1e-13 * ref, (c["x"], upper, float(got), float(ref))


def test_the_large_noncentrality_reference_is_the_35_digit_sum():
    # one point of the fixture recomputed here, so the stored values stay the mpmath sums
    c = json.loads(NCX2_LARGE.read_text(encoding="utf-8"))["cases"][0]
    assert abs(_mp_ncx2(c["x"], c["df"], c["nc"], True) / mp.mpf(c["sf"]) - 1) < 1e-20
