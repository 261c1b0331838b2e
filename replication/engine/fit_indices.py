"""Plain fit-index formulas with lavaan's definitions and names.

Every function here takes published-style numbers (a chi-square, its degrees of freedom, N, a
baseline chi-square) or the two covariance matrices S and Sigma, and returns one number. Nothing
here reads a fitted model: :mod:`replication.engine.sem` wraps these functions for a fitted model, and
:mod:`replication.audit.core` calls them on the numbers a paper printed.

The definitions follow lavaan 0.6 (``R/lav_fit_rmsea.R``, ``R/lav_fit_cfi.R``,
``R/lav_fit_gfi.R``, ``R/lav_fit_srmr.R``, ``R/lav_fit_aic.R``), including its edge cases
(clipping of CFI to [0, 1], RMSEA of 0 when chi-square < df, IFI of 1 when the baseline
chi-square is below df).
"""

from __future__ import annotations

import math

import numpy as np

from replication.engine import distributions as dist
from replication.engine.roots import bracketed_root, narrow_bracket

__all__ = [
    "chisq_pvalue",
    "chisq_df",
    "rmsea",
    "rmsea_ci",
    "rmsea_pvalue",
    "cfi",
    "tli",
    "nfi",
    "ifi",
    "gfi",
    "agfi",
    "srmr",
    "aic",
    "bic",
    "sabic",
]


def _finite(*values: float) -> bool:
    return all(v is not None and math.isfinite(float(v)) for v in values)


def chisq_pvalue(chisq: float, df: float) -> float:
    """Upper-tail p-value of the model chi-square test.

    Parameters
    ----------
    chisq : float
        Test statistic T (lavaan: ``N * F_ML``).
    df : float
        Degrees of freedom.

    Returns
    -------
    float
        ``P(chi2_df > chisq)``; NaN when ``df < 1`` or an input is not finite, as lavaan.

    References
    ----------
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, ch. 7.
    lavaan ``R/lav_test.R`` (``pchisq(stat, df, lower.tail = FALSE)``).
    """
    if not _finite(chisq, df) or df < 1:
        return float("nan")
    return float(dist.chi2_sf(chisq, df))


def chisq_df(chisq: float, df: float) -> float:
    """Normed chi-square, chi-square divided by its degrees of freedom.

    Parameters
    ----------
    chisq, df : float
        Model chi-square and degrees of freedom.

    Returns
    -------
    float
        ``chisq / df`` (NaN when ``df <= 0``). lavaan does not print it; AMOS calls it CMIN/DF.

    References
    ----------
    Wheaton, B., Muthen, B., Alwin, D. F., & Summers, G. F. (1977). Assessing reliability and
    stability in panel models. *Sociological Methodology*, 8, 84-136.
    """
    if not _finite(chisq, df) or df <= 0:
        return float("nan")
    return float(chisq) / float(df)


def _n_eff(n: float, n_minus_one: bool) -> float:
    return float(n) - 1.0 if n_minus_one else float(n)


def rmsea(chisq: float, df: float, n: float, *, n_minus_one: bool = False) -> float:
    """Root mean square error of approximation.

    Parameters
    ----------
    chisq, df : float
        Model chi-square and degrees of freedom.
    n : float
        Sample size N.
    n_minus_one : bool, default False
        Use N - 1 instead of N (the convention of AMOS, LISREL and lavaan before 0.6).

    Returns
    -------
    float
        ``sqrt(max(0, (chisq - df) / (df * N)))``; 0 when ``df == 0`` (lavaan).

    Notes
    -----
    lavaan ``lav_fit_rmsea``: ``sqrt(max((X2 / N) / df - 1 / N, 0))``.

    References
    ----------
    Steiger, J. H. (1990). Structural model evaluation and modification: an interval estimation
    approach. *Multivariate Behavioral Research*, 25, 173-180.
    Browne, M. W., & Cudeck, R. (1993). Alternative ways of assessing model fit.
    lavaan ``R/lav_fit_rmsea.R``.
    """
    if not _finite(chisq, df, n):
        return float("nan")
    if df <= 0:
        return 0.0
    n_ = _n_eff(n, n_minus_one)
    return math.sqrt(max((chisq - df) / (df * n_), 0.0))


def _near_root(f, a: float, b: float, chisq: float, df: float, prob: float) -> tuple[float, float]:
    """A narrower bracket of the noncentrality at which ``F(chisq; df, lambda) = prob``:
    around the root of the normal approximation (mean ``df + lambda``, variance
    ``2 (df + 2 lambda)``), 8 standard deviations either side, when ``f`` changes sign there;
    otherwise ``(a, b)``. It spares the root finder the flat tails of ``F``."""
    z = float(dist.norm_ppf(prob))  # F(chisq) = prob where chisq = df + lambda + z sd
    # solve (chisq - df - lam)^2 = 2 z^2 (df + 2 lam) on the side where sign(chisq - df - lam)
    # is sign(z): lam^2 - 2 lam (c + 2 z^2) + c^2 - 2 z^2 df = 0 with c = chisq - df
    c = chisq - df
    disc = (c + 2 * z * z) ** 2 - (c * c - 2 * z * z * df)
    if disc < 0:
        return a, b
    roots = [c + 2 * z * z - math.sqrt(disc), c + 2 * z * z + math.sqrt(disc)]
    guess = [r for r in roots if (c - r) * z >= 0]
    if not guess:
        return a, b
    sd = math.sqrt(2 * (df + 2 * max(guess[0], 0.0)))
    return narrow_bracket(f, a, b, guess[0], 8 * sd + 10)


def rmsea_ci(
    chisq: float, df: float, n: float, level: float = 0.90, *, n_minus_one: bool = False
) -> tuple[float, float]:
    """Confidence interval of the RMSEA from the noncentral chi-square distribution.

    Parameters
    ----------
    chisq, df : float
        Model chi-square and degrees of freedom.
    n : float
        Sample size N.
    level : float, default 0.90
        Confidence level (lavaan's ``rmsea.ci.level``).
    n_minus_one : bool, default False
        Use N - 1 instead of N.

    Returns
    -------
    (float, float)
        ``(lower, upper)``.

    Notes
    -----
    The lower bound is ``sqrt(lambda_L / (N df))`` where ``lambda_L`` solves
    ``F(chisq; df, lambda_L) = (1 + level) / 2`` (F the noncentral chi-square CDF), and 0 when
    ``F(chisq; df, 0)`` is already below that; the upper bound solves
    ``F(chisq; df, lambda_U) = (1 - level) / 2`` on ``[0, max(N, 4 chisq)]``, and is 0 when the
    root is not bracketed, exactly as lavaan ``lav_fit_rmsea_ci``.

    References
    ----------
    Steiger, J. H., & Lind, J. C. (1980). Statistically based tests for the number of common
    factors. Steiger, J. H. (1990), *Multivariate Behavioral Research*, 25, 173-180.
    lavaan ``R/lav_fit_rmsea.R``.
    """
    nan = float("nan")
    if not _finite(chisq, df, n, level):
        return (nan, nan)
    if not 0 < level < 1:
        level = 0.90
    n_ = _n_eff(n, n_minus_one)
    upper_perc = 1 - (1 - level) / 2
    lower_perc = (1 - level) / 2

    def cdf(lam: float) -> float:
        if lam <= 0:
            return float(dist.chi2_cdf(chisq, df))
        return float(dist.ncx2_cdf(chisq, df, lam))

    def lower_fn(lam: float) -> float:
        return cdf(lam) - upper_perc

    def upper_fn(lam: float) -> float:
        return cdf(lam) - lower_perc

    if df < 1 or lower_fn(0.0) < 0:
        lo = 0.0
    else:
        try:
            lam_l = bracketed_root(lower_fn, *_near_root(lower_fn, 0.0, chisq, chisq, df,
                                                         upper_perc))
            lo = math.sqrt(lam_l / (n_ * df))
        except ValueError:
            lo = nan
    n_rmsea = max(n_, chisq * 4)
    if df < 1 or upper_fn(n_rmsea) > 0 or upper_fn(0.0) < 0:
        hi = 0.0
    else:
        try:
            lam_u = bracketed_root(upper_fn, *_near_root(upper_fn, 0.0, n_rmsea, chisq, df,
                                                         lower_perc))
            hi = math.sqrt(lam_u / (n_ * df))
        except ValueError:
            hi = nan
    return (lo, hi)


def rmsea_pvalue(chisq: float, df: float, n: float, h0: float = 0.05) -> float:
    """Test of close fit: P(chi-square >= observed) when the RMSEA is ``h0`` (lavaan's
    ``rmsea.pvalue``).

    Parameters
    ----------
    chisq, df : float
        Model chi-square and degrees of freedom.
    n : float
        Sample size N (lavaan's ``ntotal`` with the normal likelihood).
    h0 : float, default 0.05
        RMSEA under the null hypothesis (lavaan's ``rmsea.close.h0``).

    Returns
    -------
    float
        ``1 - F(chisq; df, N df h0^2)`` with ``F`` the noncentral chi-square CDF; NaN when
        ``df <= 0`` (NA in lavaan).

    References
    ----------
    Browne, M. W., & Cudeck, R. (1993). Alternative ways of assessing model fit. In K. A.
    Bollen & J. S. Long (Eds.), *Testing Structural Equation Models* (pp. 136-162). Sage.
    lavaan ``R/lav_fit_rmsea.R`` (``lav_fit_rmsea_closefit``).
    """
    if not _finite(chisq, df, n) or df <= 0:
        return float("nan")
    return noncentral_chi2_sf(chisq, df, n * df * h0 ** 2)


def noncentral_chi2_sf(x: float, df: float, ncp: float) -> float:
    """Upper tail of the noncentral chi-square, with a log-space fallback.

    Parameters
    ----------
    x, df, ncp : float
        Quantile, degrees of freedom and noncentrality (``ncp >= 0``).

    Returns
    -------
    float
        ``P(X > x)`` from :func:`replication.engine.distributions.ncx2_sf`; should that fail
        (an overflow), the tail is summed as its Poisson mixture of central chi-squares,
        ``sum_j Pois(j; ncp/2) P(chi2_{df+2j} > x)``, over the terms carrying the mass (in
        log space; scipy imported only then).

    References
    ----------
    Johnson, N. L., Kotz, S., & Balakrishnan, N. (1995). *Continuous Univariate
    Distributions*, Vol. 2 (2nd ed.), ch. 29 (the Poisson mixture representation). Wiley.
    """
    try:
        value = float(dist.ncx2_sf(x, df, ncp))
    except (OverflowError, FloatingPointError):
        value = float("nan")
    if math.isfinite(value):
        return min(1.0, max(0.0, value))  # the series can overshoot 1 by rounding near x = 0
    half = ncp / 2.0
    spread = 12.0 * math.sqrt(half + 1.0)
    j = np.arange(max(0, int(half - spread)), int(half + spread) + 1)
    from scipy import stats

    log_terms = stats.poisson.logpmf(j, half) + stats.chi2.logsf(x, df + 2 * j)
    return min(1.0, float(np.exp(np.logaddexp.reduce(log_terms))))


def cfi(chisq: float, df: float, base_chisq: float, base_df: float) -> float:
    """Comparative fit index.

    Parameters
    ----------
    chisq, df : float
        Model chi-square and degrees of freedom.
    base_chisq, base_df : float
        Chi-square and df of the baseline (independence) model.

    Returns
    -------
    float
        ``1 - max(chisq - df, 0) / max(chisq - df, base_chisq - base_df, 0)``, in [0, 1]; 1 when
        both terms are 0 (lavaan ``lav_fit_cfi``).

    References
    ----------
    Bentler, P. M. (1990). Comparative fit indexes in structural models. *Psychological
    Bulletin*, 107, 238-246. lavaan ``R/lav_fit_cfi.R``.
    """
    if not _finite(chisq, df, base_chisq, base_df):
        return float("nan")
    t1 = max(chisq - df, 0.0)
    t2 = max(chisq - df, base_chisq - base_df, 0.0)
    if math.isclose(t1, 0.0, abs_tol=1.5e-8) and math.isclose(t2, 0.0, abs_tol=1.5e-8):
        return 1.0
    return 1.0 - t1 / t2


def tli(chisq: float, df: float, base_chisq: float, base_df: float) -> float:
    """Tucker-Lewis index (non-normed fit index, NNFI).

    Parameters
    ----------
    chisq, df : float
        Model chi-square and degrees of freedom.
    base_chisq, base_df : float
        Chi-square and df of the baseline (independence) model.

    Returns
    -------
    float
        ``1 - ((chisq - df) * base_df) / ((base_chisq - base_df) * df)``; not clipped; 1 when
        ``df == 0`` (lavaan ``lav_fit_tli``).

    References
    ----------
    Tucker, L. R., & Lewis, C. (1973). A reliability coefficient for maximum likelihood factor
    analysis. *Psychometrika*, 38, 1-10. Bentler, P. M., & Bonett, D. G. (1980).
    lavaan ``R/lav_fit_cfi.R``.
    """
    if not _finite(chisq, df, base_chisq, base_df):
        return float("nan")
    t1 = (chisq - df) * base_df
    t2 = (base_chisq - base_df) * df
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    return 1.0


def nfi(chisq: float, base_chisq: float, *, df: float | None = None,
        base_df: float | None = None) -> float:
    """Normed fit index.

    Parameters
    ----------
    chisq : float
        Model chi-square.
    base_chisq : float
        Baseline (independence) chi-square.
    df, base_df : float, optional
        When given, lavaan's edge cases apply: NaN if ``df > base_df``, 1 if ``df == 0``.

    Returns
    -------
    float
        ``(base_chisq - chisq) / base_chisq``.

    References
    ----------
    Bentler, P. M., & Bonett, D. G. (1980). Significance tests and goodness of fit in the
    analysis of covariance structures. *Psychological Bulletin*, 88, 588-606.
    lavaan ``R/lav_fit_cfi.R``.
    """
    if not _finite(chisq, base_chisq):
        return float("nan")
    if df is not None and base_df is not None and df > base_df:
        return float("nan")
    if math.isclose(base_chisq, 0.0, abs_tol=1.5e-8):
        return float("nan")
    if df is not None and df <= 0:
        return 1.0
    return (base_chisq - chisq) / base_chisq


def ifi(chisq: float, df: float, base_chisq: float) -> float:
    """Bollen's incremental fit index (IFI, delta 2).

    Parameters
    ----------
    chisq, df : float
        Model chi-square and degrees of freedom.
    base_chisq : float
        Baseline (independence) chi-square.

    Returns
    -------
    float
        ``(base_chisq - chisq) / (base_chisq - df)``; 1 when the denominator is negative, NaN when
        it is 0 (lavaan ``lav_fit_ifi``).

    References
    ----------
    Bollen, K. A. (1989). A new incremental fit index for general structural equation models.
    *Sociological Methods & Research*, 17, 303-316. lavaan ``R/lav_fit_cfi.R``.
    """
    if not _finite(chisq, df, base_chisq):
        return float("nan")
    t1 = base_chisq - chisq
    t2 = base_chisq - df
    if t2 < 0:
        return 1.0
    if math.isclose(t2, 0.0, abs_tol=1.5e-8):
        return float("nan")
    return t1 / t2


def gfi(S: np.ndarray, Sigma: np.ndarray, fixed_x=()) -> float:
    """Goodness-of-fit index of a maximum-likelihood solution.

    Parameters
    ----------
    S : array (p, p)
        Sample covariance matrix.
    Sigma : array (p, p)
        Model-implied covariance matrix.
    fixed_x : sequence of int, optional
        Positions of exogenous observed variables whose moments are not modelled (lavaan's
        ``fixed.x = TRUE``): their variances and covariances among themselves get zero weight.

    Returns
    -------
    float
        ``1 - e' V e / s' V s`` with ``e = vech(S - Sigma)``, ``s = vech(S)`` and the ML weight
        ``V = 1/2 D' (Sigma^-1 x Sigma^-1) D``; equal to
        ``1 - tr((Sigma^-1 S - I)^2) / tr((Sigma^-1 S)^2)`` when nothing is fixed.x.

    Notes
    -----
    ``v' V v = 1/2 tr(Sigma^-1 M Sigma^-1 M)`` for ``v = vech(M)``. lavaan's ``WLS.V`` for ML
    has zero rows and columns for the moments among fixed.x variables, so those entries of
    ``S`` (and of ``S - Sigma``, zero there anyway) drop out of both sums (checked against
    lavaan 0.6.14 ``fitMeasures(..., "gfi")`` with observed predictors). semopy 2.3.11's "GFI"
    is a different quantity (the NFI).

    References
    ----------
    Joreskog, K. G., & Sorbom, D. (1984). *LISREL VI User's Guide*. Scientific Software.
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*, p. 276.
    lavaan ``R/lav_fit_gfi.R`` (``lav_fit_gfi``: ``1 - t1 / t2`` with ``WLS.V``).
    """
    S = np.asarray(S, dtype=float)
    Sigma = np.asarray(Sigma, dtype=float)
    try:
        Ainv = np.linalg.inv(Sigma)
    except np.linalg.LinAlgError:
        return float("nan")
    E = S - Sigma
    S0 = S.copy()
    x = list(fixed_x)
    if x:
        ix = np.ix_(x, x)
        E[ix] = 0.0
        S0[ix] = 0.0
    AE = Ainv @ E
    AS = Ainv @ S0
    return float(1.0 - np.trace(AE @ AE) / np.trace(AS @ AS))


def agfi(gfi_or_S, df: float, p=None, *, Sigma: np.ndarray | None = None,
         nel: float | None = None) -> float:
    """Adjusted goodness-of-fit index.

    Parameters
    ----------
    gfi_or_S : float or array (p, p)
        The GFI, or the sample covariance matrix S (then ``Sigma`` is required).
    df : float
        Model degrees of freedom.
    p : int, optional
        Number of observed variables (taken from S when S is given).
    Sigma : array (p, p), optional
        Model-implied covariance matrix when S is given.
    nel : float, optional
        Number of sample moments, ``p (p + 1) / 2`` by default; ``p (p + 1) / 2 + p`` with a
        mean structure (lavaan counts the means).

    Returns
    -------
    float
        ``1 - (nel / df) * (1 - GFI)``; 1 when ``df == 0`` (lavaan ``lav_fit_agfi``).

    References
    ----------
    Joreskog, K. G., & Sorbom, D. (1984). *LISREL VI User's Guide*.
    lavaan ``R/lav_fit_gfi.R``.
    """
    if Sigma is not None or np.ndim(gfi_or_S) == 2:
        S = np.asarray(gfi_or_S, dtype=float)
        if Sigma is None:
            raise TypeError("agfi: Sigma is required when S is given")
        g = gfi(S, Sigma)
        p = S.shape[0]
    else:
        g = float(gfi_or_S)
        if p is None and nel is None:
            raise TypeError("agfi: p (number of observed variables) is required with a GFI value")
    if nel is None:
        nel = p * (p + 1) / 2
    if not _finite(g, nel, df):
        return float("nan")
    if df > 0:
        return 1.0 - (nel / df) * (1.0 - g)
    return 1.0


def srmr(S: np.ndarray, Sigma: np.ndarray) -> float:
    """Standardized root mean square residual (Bentler's, without a mean structure).

    Parameters
    ----------
    S : array (p, p)
        Sample covariance matrix.
    Sigma : array (p, p)
        Model-implied covariance matrix.

    Returns
    -------
    float
        ``sqrt(mean over i <= j of ((s_ij - sigma_ij) / sqrt(s_ii s_jj))^2)``.

    Notes
    -----
    This is lavaan's ``srmr`` (= ``srmr_bentler``) for a single group without mean structure:
    residuals are scaled by the sample standard deviations, the diagonal is included, and the
    mean runs over ``p (p + 1) / 2`` elements.

    References
    ----------
    Bentler, P. M. (1995). *EQS Structural Equations Program Manual*.
    Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure
    analysis. *Structural Equation Modeling*, 6, 1-55. lavaan ``R/lav_fit_srmr.R``,
    ``R/lav_residuals.R``.
    """
    S = np.asarray(S, dtype=float)
    Sigma = np.asarray(Sigma, dtype=float)
    sd = np.sqrt(np.diag(S))
    R = (S - Sigma) / np.outer(sd, sd)
    idx = np.tril_indices(S.shape[0])
    return float(np.sqrt(np.mean(R[idx] ** 2)))


def aic(loglik: float, npar: float) -> float:
    """Akaike information criterion, ``-2 logL + 2 npar`` (lavaan ``lav_fit_aic``).

    Parameters
    ----------
    loglik : float
        Log-likelihood of the model (lavaan ``logl``).
    npar : float
        Number of free parameters (lavaan counts the means of a saturated mean structure too).

    Returns
    -------
    float

    References
    ----------
    Akaike, H. (1974). A new look at the statistical model identification. *IEEE Transactions
    on Automatic Control*, 19, 716-723. lavaan ``R/lav_fit_aic.R``.
    """
    return -2.0 * float(loglik) + 2.0 * float(npar)


def bic(loglik: float, npar: float, n: float) -> float:
    """Bayesian information criterion, ``-2 logL + npar log(N)`` (lavaan ``lav_fit_bic``).

    Parameters
    ----------
    loglik : float
        Log-likelihood of the model.
    npar : float
        Number of free parameters.
    n : float
        Sample size N.

    Returns
    -------
    float

    References
    ----------
    Schwarz, G. (1978). Estimating the dimension of a model. *Annals of Statistics*, 6,
    461-464. lavaan ``R/lav_fit_aic.R``.
    """
    return -2.0 * float(loglik) + float(npar) * math.log(float(n))


def sabic(loglik: float, npar: float, n: float) -> float:
    """Sample-size adjusted BIC, ``-2 logL + npar log((N + 2) / 24)`` (lavaan's ``bic2``).

    Parameters
    ----------
    loglik : float
        Log-likelihood of the model.
    npar : float
        Number of free parameters.
    n : float
        Sample size N.

    Returns
    -------
    float

    References
    ----------
    Sclove, S. L. (1987). Application of model-selection criteria to some problems in
    multivariate analysis. *Psychometrika*, 52, 333-343. lavaan ``R/lav_fit_aic.R``
    (``lav_fit_sabic``).
    """
    return -2.0 * float(loglik) + float(npar) * math.log((float(n) + 2.0) / 24.0)
