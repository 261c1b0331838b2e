"""Analytic power of the RMSEA tests of model fit (MacCallum, Browne and Sugawara 1996).

Plain functions (numbers in, numbers out), in the split of lavaan's fit-measure files:

- :func:`noncentrality`: ``lambda = (N - 1) df RMSEA^2``;
- :func:`rmsea_power`: power of the test of exact fit (``rmsea0 = 0``), of close fit
  (``rmsea0 < rmsea``) or of not-close fit (``rmsea0 > rmsea``) at a given N;
- :func:`rmsea_sample_size`: the smallest N that reaches a target power;
- :func:`rmsea_analysis`: either of the two as the JSON of ``replicate power --rmsea``.

Conventions are semPower's and semTools' (``findRMSEApower``, ``findRMSEAsamplesize``): the
noncentrality uses ``N - 1`` (Wishart likelihood), the critical value is the ``1 - alpha``
quantile of the chi-square with the null noncentrality, and the N reported is the smallest
whole number whose power is at least the target (semPower's continuous root rounded up).
Checked against semTools 0.5 (``tests/fixtures/power/rmsea.json``, made by
``scripts/power_fixtures.R``): anchors RMSEA .05, df 50, power .80 -> N = 243 (exact fit) and
close fit .05 vs .08, df 100, power .80 -> N = 132.

References
----------
MacCallum, R. C., Browne, M. W., & Sugawara, H. M. (1996). Power analysis and determination of
sample size for covariance structure modeling. *Psychological Methods*, 1, 130-149.
Moshagen, M., & Erdfelder, E. (2016). A new strategy for testing structural equation models.
*Structural Equation Modeling*, 23, 54-60 (semPower).
"""

from __future__ import annotations

import math
from numbers import Integral, Real

from replication.engine.errors import InputError

__all__ = ["N_MAX", "noncentrality", "rmsea_power", "rmsea_sample_size", "rmsea_analysis"]

#: Largest N :func:`rmsea_sample_size` searches; a target not reached by then is an input error.
N_MAX = 1_000_000
#: Largest model df taken (a model of 2,000 observed variables has about two million moments).
DF_MAX = 100_000_000


def _check(rmsea: float, rmsea0: float, df: int, alpha: float) -> None:
    for name, v in (("--rmsea", rmsea), ("--rmsea0", rmsea0)):
        if not isinstance(v, Real) or not math.isfinite(v) or v < 0:
            raise InputError(f"{name}: expected a number >= 0, got {v!r}")
    if rmsea == rmsea0:
        raise InputError(f"--rmsea: equals --rmsea0 ({rmsea0:g}); the test has no power beyond "
                         "alpha; expected two different values")
    if not isinstance(df, Integral) or isinstance(df, bool) or not 1 <= df <= DF_MAX:
        raise InputError(f"--df: expected a whole number from 1 to {DF_MAX:,}, got {df!r}")
    if not isinstance(alpha, Real) or not 0 < alpha < 1:
        raise InputError(f"--alpha: expected a number between 0 and 1, got {alpha!r}")


def noncentrality(rmsea: float, df: int, n: int, groups: int = 1) -> float:
    """Noncentrality of the ML test statistic at a population RMSEA.

    Parameters
    ----------
    rmsea : float
        Population RMSEA ``epsilon``.
    df : int
        Model degrees of freedom.
    n : int
        Sample size.
    groups : int, default 1
        Number of groups (semPower and semTools subtract one per group).

    Returns
    -------
    float
        ``lambda = (N - groups) * df * epsilon^2``, since ``F0 = df * epsilon^2`` (Steiger and
        Lind's RMSEA ``epsilon = sqrt(F0 / df)``) and ``lambda = (N - 1) F0``.

    References
    ----------
    MacCallum, Browne & Sugawara (1996), eq. 3 and 4.
    """
    return float((n - groups) * df * rmsea ** 2)


def rmsea_power(rmsea: float, df: int, n: int, rmsea0: float = 0.0, alpha: float = 0.05) -> float:
    """Power of the RMSEA test of fit at sample size ``n``.

    Parameters
    ----------
    rmsea : float
        RMSEA under the alternative (the population's).
    df : int
    n : int
        Sample size (at least 2).
    rmsea0 : float, default 0
        RMSEA under the null: 0 is the test of exact fit, ``rmsea0 < rmsea`` the test of close
        fit (e.g. .05 vs .08), ``rmsea0 > rmsea`` the test of not-close fit.
    alpha : float, default 0.05

    Returns
    -------
    float
        With ``rmsea > rmsea0``: ``P(chi2(df, lambda_a) > c)``, ``c`` the ``1 - alpha`` quantile
        of ``chi2(df, lambda_0)``; with ``rmsea < rmsea0``: ``P(chi2(df, lambda_a) < c)``, ``c``
        the ``alpha`` quantile of ``chi2(df, lambda_0)``; ``lambda`` from :func:`noncentrality`.

    References
    ----------
    MacCallum, Browne & Sugawara (1996), eq. 6 to 9; semTools ``findRMSEApower``.

    Examples
    --------
    >>> round(rmsea_power(0.08, 100, 132, rmsea0=0.05), 4)  # semTools: 0.8022
    0.8022
    """
    _check(rmsea, rmsea0, df, alpha)
    if not isinstance(n, Integral) or isinstance(n, bool) or n < 2:
        raise InputError(f"--n: expected a whole number >= 2, got {n!r}")
    from scipy import stats  # noncentral chi-square (boost), imported when power is asked

    lam0, lam1 = noncentrality(rmsea0, df, n), noncentrality(rmsea, df, n)
    null = stats.chi2(df) if lam0 == 0 else stats.ncx2(df, lam0)
    alt = stats.chi2(df) if lam1 == 0 else stats.ncx2(df, lam1)
    if rmsea > rmsea0:
        return float(alt.sf(null.isf(alpha)))
    return float(alt.cdf(null.ppf(alpha)))


def rmsea_sample_size(rmsea: float, df: int, power: float, rmsea0: float = 0.0,
                      alpha: float = 0.05, n_max: int = N_MAX) -> int:
    """Smallest N whose RMSEA test reaches ``power``.

    Parameters
    ----------
    rmsea, df, rmsea0, alpha
        As :func:`rmsea_power`.
    power : float
        Target power, in (0, 1).
    n_max : int, default :data:`N_MAX`
        Largest N searched.

    Returns
    -------
    int
        The smallest ``N >= 2`` with ``rmsea_power(...) >= power`` (power grows with N, so a
        doubling search and bisection on whole numbers find it).

    Raises
    ------
    InputError
        Target outside (0, 1), or not reached by ``n_max``.

    Examples
    --------
    >>> rmsea_sample_size(0.05, 50, 0.80)                 # semPower a priori: 243
    243
    >>> rmsea_sample_size(0.08, 100, 0.80, rmsea0=0.05)   # MacCallum et al. 1996: 132
    132
    """
    _check(rmsea, rmsea0, df, alpha)
    if not isinstance(power, Real) or not 0 < power < 1:
        raise InputError(f"--target-power: expected a number between 0 and 1, got {power!r}")

    def ok(n: int) -> bool:
        return rmsea_power(rmsea, df, n, rmsea0, alpha) >= power

    if ok(2):
        return 2
    lo, hi = 2, 4
    while not ok(hi):
        if hi >= n_max:
            raise InputError(f"--target-power: {power:g} is not reached by any N up to {n_max} "
                             f"(power at N = {n_max}: {rmsea_power(rmsea, df, n_max, rmsea0, alpha):.4f})")
        lo, hi = hi, min(2 * hi, n_max)
    while hi - lo > 1:  # ok(hi), not ok(lo)
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi


def rmsea_analysis(rmsea: float, df: int, *, n: int | None = None,
                   target_power: float | None = None, rmsea0: float = 0.0,
                   alpha: float = 0.05) -> dict:
    """Power at ``n`` or the N for ``target_power``, as ``replicate power --rmsea --json``.

    Returns
    -------
    dict
        ``n, power, rmsea, rmsea0, df, alpha, test`` (``exact fit``, ``close fit`` or
        ``not-close fit``), ``ncp`` (noncentrality at ``n`` under the alternative),
        ``ncp0`` (under the null), ``critical_chisq``, ``target_power`` (``None`` when ``n``
        was given), ``convention``.
    """
    if (n is None) == (target_power is None):
        raise InputError("power: give either --n or --target-power")
    if target_power is not None:
        n = rmsea_sample_size(rmsea, df, target_power, rmsea0, alpha)
    pw = rmsea_power(rmsea, df, n, rmsea0, alpha)
    from scipy import stats

    lam0 = noncentrality(rmsea0, df, n)
    null = stats.chi2(df) if lam0 == 0 else stats.ncx2(df, lam0)
    crit = null.isf(alpha) if rmsea > rmsea0 else null.ppf(alpha)
    test = "exact fit" if rmsea0 == 0 else ("close fit" if rmsea > rmsea0 else "not-close fit")
    return {"n": int(n), "power": pw, "rmsea": float(rmsea), "rmsea0": float(rmsea0),
            "df": int(df), "alpha": float(alpha), "test": test,
            "ncp": noncentrality(rmsea, df, n), "ncp0": lam0, "critical_chisq": float(crit),
            "target_power": None if target_power is None else float(target_power),
            "convention": "ncp = (N - 1) df RMSEA^2 (MacCallum, Browne & Sugawara 1996; semPower)"}
