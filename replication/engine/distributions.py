"""Normal and chi-square tail probabilities from ``scipy.special``, without ``scipy.stats``.

Importing ``scipy.stats`` loads scipy's spatial, interpolation and image modules, most of the
start-up time of a small fit. The functions here call the same special functions that
``scipy.stats`` calls (``ndtr``, ``chdtr``, ``chdtrc``, ``chndtr`` and Boost's noncentral
chi-square survival function) with the same handling of the support's edges, so the values are
bit-identical to ``scipy.stats.norm.sf``, ``chi2.sf``, ``chi2.cdf``, ``ncx2.cdf`` and ``ncx2.sf``
(checked in ``tests/test_distributions.py``).

References
----------
Johnson, N. L., Kotz, S., & Balakrishnan, N. (1994, 1995). *Continuous Univariate
Distributions*, Vols. 1-2 (2nd ed.). Wiley, ch. 13 (normal), 18 (chi-square), 29 (noncentral
chi-square). scipy ``stats/_continuous_distns.py`` (``norm_gen``, ``chi2_gen``, ``ncx2_gen``).
"""

from __future__ import annotations

import numpy as np
from scipy import special

try:
    from scipy.special._ufuncs import _ncx2_sf
except ImportError:  # pragma: no cover - older or newer scipy without the private ufunc
    _ncx2_sf = None

__all__ = ["norm_sf", "chi2_sf", "chi2_cdf", "ncx2_cdf", "ncx2_sf"]


def norm_sf(z):
    """Standard normal upper tail ``P(Z > z) = Phi(-z)`` (scipy's ``norm.sf``)."""
    return special.ndtr(-np.asarray(z, dtype=float))[()]


def chi2_sf(x, df):
    """``P(chi2_df > x)``: 1 for ``x <= 0``, NaN for ``df <= 0`` (scipy's ``chi2.sf``)."""
    x, df = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(df, dtype=float))
    out = np.where(x <= 0, 1.0, special.chdtrc(df, x))
    return np.where(df > 0, out, np.nan)[()]


def chi2_cdf(x, df):
    """``P(chi2_df <= x)``: 0 for ``x <= 0``, NaN for ``df <= 0`` (scipy's ``chi2.cdf``)."""
    x, df = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(df, dtype=float))
    out = np.where(x <= 0, 0.0, special.chdtr(df, x))
    return np.where(df > 0, out, np.nan)[()]


def ncx2_cdf(x: float, df: float, nc: float) -> float:
    """Noncentral chi-square CDF (scipy's ``ncx2.cdf``; the central one when ``nc == 0``)."""
    if not (df > 0 and nc >= 0) or np.isnan(x):
        return np.float64(np.nan)
    if x <= 0:
        return np.float64(0.0)
    if x == np.inf:
        return np.float64(1.0)
    if nc == 0:
        return chi2_cdf(x, df)
    with np.errstate(over="ignore"):
        return special.chndtr(np.float64(x), df, nc)


def ncx2_sf(x: float, df: float, nc: float) -> float:
    """Noncentral chi-square upper tail (scipy's ``ncx2.sf``; Boost's routine)."""
    if _ncx2_sf is None:  # pragma: no cover
        from scipy import stats
        return stats.ncx2.sf(x, df, nc)
    if not (df > 0 and nc >= 0) or np.isnan(x):
        return np.float64(np.nan)
    if x <= 0:
        return np.float64(1.0)
    if x == np.inf:
        return np.float64(0.0)
    if nc == 0:
        return chi2_sf(x, df)
    with np.errstate(over="ignore"):
        return _ncx2_sf(np.float64(x), df, nc)
