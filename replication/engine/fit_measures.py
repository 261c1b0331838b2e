"""lavaan's ``fitMeasures()`` of a fitted model: one builder for every estimator path.

Plain function: :func:`build` takes the model's test statistic, the baseline model's, the
log-likelihoods, GFI and SRMR, and returns the dict of :data:`FIT_MEASURES` with lavaan's
names, masking what is undefined when ``df < 0`` (lavaan reports no test either). Wrappers on
a fitted model: :func:`ml_measures` (complete data, ``T = N F_ML``) and
:func:`replication.engine.fiml_fit.fit_fiml` (missing data) collect those inputs and call
:func:`build`, so that every estimator path goes through the same plain formulas of
:mod:`replication.engine.fit_indices`.

References
----------
lavaan ``R/lav_fit_measures.R``, ``R/lav_fit_cfi.R``, ``R/lav_fit_rmsea.R``,
``R/lav_fit_gfi.R``, ``R/lav_fit_srmr.R``, ``R/lav_fit_aic.R``.
"""

from __future__ import annotations

import math

import numpy as np

from replication.engine import fit_indices as fi

__all__ = ["FIT_MEASURES", "build", "ml_baseline", "ml_measures"]

FIT_MEASURES = [
    "npar", "ntotal", "chisq", "df", "pvalue", "chisq_df", "baseline.chisq", "baseline.df",
    "cfi", "tli", "nfi", "ifi", "gfi", "agfi", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
    "rmsea.pvalue", "srmr", "logl", "unrestricted.logl", "aic", "bic", "bic2",
]

# defined whatever the degrees of freedom (the rest needs a test statistic)
_WITHOUT_TEST = {"npar", "ntotal", "df", "baseline.chisq", "baseline.df", "logl",
                 "unrestricted.logl", "aic", "bic", "bic2"}


def build(*, chisq: float, df: float, npar: float, n: float, baseline_chisq: float,
          baseline_df: float, gfi: float, nel: float, srmr: float, logl: float,
          logl_h1: float) -> dict[str, float]:
    """The fit measures of one model with lavaan's names and definitions.

    Parameters
    ----------
    chisq, df : float
        Test statistic of the model and its degrees of freedom.
    npar : float
        Free parameters (lavaan counts the intercepts of a mean structure).
    n : float
        Sample size N.
    baseline_chisq, baseline_df : float
        Independence model.
    gfi : float
        Goodness-of-fit index (:func:`replication.engine.fit_indices.gfi`, or its mean-structure
        form).
    nel : float
        Number of sample moments, for AGFI.
    srmr : float
    logl, logl_h1 : float
        Log-likelihoods of the model and the saturated model.

    Returns
    -------
    dict
        :data:`FIT_MEASURES` as floats; when ``df < 0`` (the model is not identified) every
        measure that needs a test statistic is NaN.
    """
    lo, hi = fi.rmsea_ci(chisq, df, n)
    out = {
        "npar": npar, "ntotal": n, "chisq": chisq, "df": df,
        "pvalue": fi.chisq_pvalue(chisq, df), "chisq_df": fi.chisq_df(chisq, df),
        "baseline.chisq": baseline_chisq, "baseline.df": baseline_df,
        "cfi": fi.cfi(chisq, df, baseline_chisq, baseline_df),
        "tli": fi.tli(chisq, df, baseline_chisq, baseline_df),
        "nfi": fi.nfi(chisq, baseline_chisq, df=df, base_df=baseline_df),
        "ifi": fi.ifi(chisq, df, baseline_chisq),
        "gfi": gfi, "agfi": fi.agfi(gfi, df, nel=nel),
        "rmsea": fi.rmsea(chisq, df, n), "rmsea.ci.lower": lo, "rmsea.ci.upper": hi,
        "rmsea.pvalue": fi.rmsea_pvalue(chisq, df, n),
        "srmr": srmr, "logl": logl, "unrestricted.logl": logl_h1,
        "aic": fi.aic(logl, npar), "bic": fi.bic(logl, npar, n), "bic2": fi.sabic(logl, npar, n),
    }
    if df < 0:
        out = {k: (v if k in _WITHOUT_TEST else math.nan) for k, v in out.items()}
    return {k: float(out[k]) for k in FIT_MEASURES}


def ml_baseline(spec, S: np.ndarray, n: int) -> tuple[float, int]:
    """Independence model (free variances; fixed.x block kept): chi-square and df.

    References
    ----------
    Bentler, P. M., & Bonett, D. G. (1980). Significance tests and goodness of fit in the
    analysis of covariance structures. *Psychological Bulletin*, 88, 588-606.
    lavaan ``R/lav_fit_cfi.R`` (the baseline model with ``fixed.x``).
    """
    p = len(spec.ov)
    x_idx = [spec.ov.index(v) for v in spec.ov_x]
    y_idx = [i for i in range(p) if i not in x_idx]
    k = len(x_idx)
    logdet_S = np.linalg.slogdet(S)[1]
    logdet0 = float(np.sum(np.log(np.diag(S)[y_idx])))
    if k:
        logdet0 += np.linalg.slogdet(S[np.ix_(x_idx, x_idx)])[1]
    chisq = n * (logdet0 - logdet_S)
    df = p * (p + 1) // 2 - k * (k + 1) // 2 - len(y_idx)
    return float(chisq), int(df)


def ml_measures(spec, ram, theta: np.ndarray, S: np.ndarray, n: int) -> dict[str, float]:
    """Fit measures of a complete-data ML fit (``T = N F_ML``, ``S`` with divisor N).

    ``logl = -N/2 (p log 2 pi + log|Sigma| + tr(Sigma^-1 S))`` and the saturated model's
    ``-N/2 (p log 2 pi + log|S| + p)``; GFI with the fixed.x block left out, SRMR without mean
    structure (:mod:`replication.engine.fit_indices`).
    """
    p = len(spec.ov)
    Sigma = ram.implied(theta)
    logdet_S = np.linalg.slogdet(S)[1]
    chisq = n * ram.fml(theta, S, logdet_S)
    bchisq, bdf = ml_baseline(spec, S, n)
    logl = -0.5 * n * (p * math.log(2 * math.pi) + np.linalg.slogdet(Sigma)[1]
                       + np.trace(np.linalg.solve(Sigma, S)))
    logl_h1 = -0.5 * n * (p * math.log(2 * math.pi) + logdet_S + p)
    g = fi.gfi(S, Sigma, fixed_x=[spec.ov.index(v) for v in spec.ov_x])
    return build(chisq=chisq, df=float(spec.df), npar=float(spec.n_free), n=float(n),
                 baseline_chisq=bchisq, baseline_df=float(bdf), gfi=g, nel=p * (p + 1) / 2,
                 srmr=fi.srmr(S, Sigma), logl=float(logl), logl_h1=float(logl_h1))
