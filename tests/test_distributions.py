"""The scipy.special tail probabilities are bit-identical to scipy.stats (the reference)."""

import numpy as np
import pytest
from scipy import stats

from replication.engine import distributions as dist

RNG = np.random.default_rng(20261129)
Z = np.concatenate([RNG.normal(0, 3, 20000), RNG.normal(0, 30, 2000),
                    [0.0, -0.0, np.inf, -np.inf, np.nan, 40.0, -40.0, 1e-300]])
X = np.concatenate([RNG.exponential(50, 5000), RNG.exponential(5000, 1000),
                    [0.0, -0.0, -1e-10, -5.0, 1e-300, np.inf, np.nan]])
DFS = [1, 2, 3, 5, 8, 24, 51, 100, 171, 1000]


def test_norm_sf_identical():
    assert np.array_equal(dist.norm_sf(Z), stats.norm.sf(Z), equal_nan=True)
    for z in Z[:200]:
        assert np.array_equal(dist.norm_sf(abs(z)), stats.norm.sf(abs(z)), equal_nan=True)


@pytest.mark.parametrize("df", DFS + [0, -1])
def test_central_chi2_identical(df):
    assert np.array_equal(dist.chi2_sf(X, df), stats.chi2.sf(X, df), equal_nan=True)
    assert np.array_equal(dist.chi2_cdf(X, df), stats.chi2.cdf(X, df), equal_nan=True)


@pytest.mark.parametrize("df", DFS)
def test_noncentral_chi2_identical(df):
    lam = np.concatenate([[0.0, 0.0], RNG.exponential(100, 300)])
    for x, nc in zip(X[:len(lam)], lam):
        assert np.array_equal(dist.ncx2_cdf(x, df, nc), stats.ncx2.cdf(x, df, nc), equal_nan=True)
        assert np.array_equal(dist.ncx2_sf(x, df, nc), stats.ncx2.sf(x, df, nc), equal_nan=True)
    for x in [-1.0, 0.0, np.nan, np.inf]:
        assert np.array_equal(dist.ncx2_cdf(x, df, 3.0), stats.ncx2.cdf(x, df, 3.0), equal_nan=True)
        assert np.array_equal(dist.ncx2_sf(x, df, 3.0), stats.ncx2.sf(x, df, 3.0), equal_nan=True)
