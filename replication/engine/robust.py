"""Robust maximum likelihood: MLM (Satorra-Bentler) and MLR (Yuan-Bentler, Huber-White).

Plain functions compute each quantity from matrices (moments in lavaan's order: the means,
when there is a mean structure, then ``vech`` of the covariance matrix, column by column):

* :func:`vech_index`, :func:`duplication`: the half-vectorization and its duplication matrix;
* :func:`normal_weight`: the normal-theory weight ``W`` (lavaan's ``A1``, the unit information of
  the saturated model);
* :func:`gamma_adf`: the asymptotic covariance of the sample moments (lavaan's ``NACOV``);
* :func:`moment_scores`: casewise scores of the normal log-likelihood with respect to the
  moments (lavaan's ``first.order`` information is their mean cross-product);
* :func:`trace_ugamma_sb`, :func:`trace_ugamma_mplus`: ``tr(U Gamma)`` of the Satorra-Bentler
  test and of the Mplus variant of the Yuan-Bentler test;
* :func:`scaled_measures`: lavaan 0.6's ``chisq.scaled`` ... ``rmsea.robust`` from the
  unscaled statistics and the scaling factors of the model and of its baseline;
* :func:`sb2001_difference`: the Satorra-Bentler (2001) scaled difference test.

The wrapper :func:`robust_fit` takes a model fitted by ML to complete data
(:func:`replication.engine.sem.fit`) and the data rows, and returns a :class:`RobustResult` with
the robust covariance matrix of the estimates and the scaled and robust fit measures.
Multi-group fits (:mod:`replication.engine.multigroup`) use the same plain functions with one
block per group.

Notes
-----
With ``Delta`` the Jacobian of the moments, ``W`` the normal weight at the model-implied
moments, ``E = sum_g f_g Delta_g' W_g Delta_g`` (``f_g = n_g / N``) the expected information and
``Gamma_g`` the ADF covariance of the moments of group ``g``:

* MLM: ``U_g = W_g - f_g W_g Delta_g E^-1 Delta_g' W_g``, ``c = sum_g tr(U_g Gamma_g) / df``,
  ``T_SB = T / c``; robust covariance ``E^-1 (sum_g f_g Delta_g' W_g Gamma_g W_g Delta_g)
  E^-1 / N`` (lavaan ``se = "robust.sem"``, ``test = "satorra.bentler"``).
* MLR: ``c = (tr(B1 A1^-1) - tr(B0 H^-1)) / df`` with ``A1``, ``B1`` the expected and first-order
  information of the saturated model at the sample moments, ``B0`` the first-order information
  of the model at its estimates and ``H`` its observed information (Hessian); robust covariance
  ``H^-1 B0 H^-1 / N`` (lavaan ``se = "robust.huber.white"``, ``test = "yuan.bentler.mplus"``).

Checked against lavaan 0.6.14 (``scripts/robust_fixtures.R``, ``tests/fixtures/estimators``).

References
----------
Satorra, A., & Bentler, P. M. (1994). Corrections to test statistics and standard errors in
covariance structure analysis. In A. von Eye & C. C. Clogg (Eds.), *Latent Variables
Analysis* (pp. 399-419). Sage.
Yuan, K.-H., & Bentler, P. M. (2000). Three likelihood-based methods for mean and covariance
structure analysis with nonnormal missing data. *Sociological Methodology*, 30, 165-200.
Browne, M. W. (1984). Asymptotically distribution-free methods for the analysis of covariance
structures. *British Journal of Mathematical and Statistical Psychology*, 37, 62-83.
Brosseau-Liard, P. E., & Savalei, V. (2014). Adjusting incremental fit indices for
nonnormality. *Multivariate Behavioral Research*, 49, 460-470.
Brosseau-Liard, P. E., Savalei, V., & Li, L. (2012). An investigation of the sample performance
of two nonnormality corrections for RMSEA. *Multivariate Behavioral Research*, 47, 904-930.
Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test statistic for moment
structure analysis. *Psychometrika*, 66, 507-514.
lavaan ``R/lav_test_satorra_bentler.R``, ``R/lav_test_yuan_bentler.R``, ``R/lav_model_vcov.R``,
``R/lav_fit_cfi.R``, ``R/lav_fit_rmsea.R``, ``R/lav_test_diff.R``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from replication.engine import fit_indices as fi
from replication.engine.distributions import chi2_sf, norm_sf
from replication.engine.errors import InputError
from replication.engine.partable import ModelSpec
from replication.engine.ram import RAM
from replication.engine.results import rmsea_pvalues

__all__ = [
    "ROBUST_ESTIMATORS",
    "SCALED_MEASURES",
    "vech_index",
    "duplication",
    "normal_weight",
    "gamma_adf",
    "moment_scores",
    "trace_ugamma_sb",
    "trace_ugamma_mplus",
    "sandwich",
    "scaled_measures",
    "rmsea_pvalues",
    "sb2001_difference",
    "independence_spec",
    "RobustResult",
    "robust_fit",
]

ROBUST_ESTIMATORS = ("MLM", "MLR")
SCALED_MEASURES = [
    "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
    "baseline.chisq.scaled", "baseline.df.scaled", "baseline.pvalue.scaled",
    "baseline.chisq.scaling.factor", "cfi.scaled", "tli.scaled", "cfi.robust", "tli.robust",
    "rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "rmsea.robust",
    "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "rmsea.pvalue.scaled",
    "rmsea.notclose.pvalue.scaled", "rmsea.pvalue.robust", "rmsea.notclose.pvalue.robust",
]


# ------------------------------------------------------------------------------------------
# Moments: vech, duplication, normal weight, ADF Gamma, casewise scores
# ------------------------------------------------------------------------------------------
def vech_index(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of ``vech`` (lower triangle, column by column, as lavaan's
    ``lav_matrix_vech``)."""
    cols, rows = np.triu_indices(p)  # (j, i) with i >= j, ordered by j then i
    return rows.astype(int), cols.astype(int)


def duplication(p: int) -> np.ndarray:
    """Duplication matrix ``D`` with ``vec(M) = D vech(M)`` for symmetric ``M``.

    References
    ----------
    Magnus, J. R., & Neudecker, H. (1999). *Matrix Differential Calculus*. Wiley, ch. 3.8.
    """
    r, c = vech_index(p)
    D = np.zeros((p * p, len(r)))
    k = np.arange(len(r))
    D[r * p + c, k] = 1.0
    D[c * p + r, k] = 1.0
    return D


def _half_dup_kron(A: np.ndarray) -> np.ndarray:
    """``1/2 D' (A (x) A) D`` for a symmetric ``A`` without forming the Kronecker product.

    Its element for ``vech`` positions ``(i, j)`` and ``(k, l)`` is
    ``c_ij c_kl (a_ik a_jl + a_il a_jk) / 4``, with ``c = 2`` off the diagonal and 1 on it
    (Magnus & Neudecker, 1999, ch. 3.8: ``D`` sums the two positions of an off-diagonal element).
    """
    r, c = vech_index(len(A))
    f = A[np.ix_(r, r)] * A[np.ix_(c, c)] + A[np.ix_(r, c)] * A[np.ix_(c, r)]
    w = np.where(r == c, 1.0, 2.0)
    return f * np.outer(w, w) / 4.0


def normal_weight(Sigma: np.ndarray, meanstructure: bool = False) -> np.ndarray:
    """Unit expected information of the saturated normal model in its moments.

    ``W = 1/2 D' (Sigma^-1 (x) Sigma^-1) D`` for ``vech(Sigma)``, preceded by the block
    ``Sigma^-1`` for the means when ``meanstructure``. lavaan's ``A1`` (``h1.information =
    "structured"`` at the model-implied, ``"unstructured"`` at the sample moments).

    References
    ----------
    Browne, M. W. (1974). Generalized least squares estimators in the analysis of covariance
    structures. *South African Statistical Journal*, 8, 1-24.
    """
    p = len(Sigma)
    Si = np.linalg.inv(Sigma)
    W = _half_dup_kron(Si)
    if not meanstructure:
        return W
    k = len(W)
    out = np.zeros((p + k, p + k))
    out[:p, :p] = Si
    out[p:, p:] = W
    return out


def _moment_deviations(X: np.ndarray, mu: np.ndarray, Sigma: np.ndarray,
                       meanstructure: bool) -> np.ndarray:
    Z = X - mu
    r, c = vech_index(X.shape[1])
    dev = Z[:, r] * Z[:, c] - Sigma[r, c]
    return np.hstack([Z, dev]) if meanstructure else dev


def gamma_adf(X: np.ndarray, meanstructure: bool = False) -> np.ndarray:
    """Asymptotic covariance of the sample moments, divisor N (lavaan's ``NACOV``).

    ``Gamma = 1/N sum_i (d_i - dbar)(d_i - dbar)'`` with ``d_i = vech((x_i - xbar)(x_i -
    xbar)')`` (and ``x_i`` itself first when ``meanstructure``), lavaan's default
    ``gamma.n.minus.one = FALSE``.

    References
    ----------
    Browne, M. W. (1984). Asymptotically distribution-free methods for the analysis of
    covariance structures. *British Journal of Mathematical and Statistical Psychology*, 37,
    62-83.
    lavaan ``R/lav_samplestats_gamma.R`` (``lav_samplestats_Gamma``).
    """
    X = np.asarray(X, float)
    xbar = X.mean(axis=0)
    Z = X - xbar
    r, c = vech_index(X.shape[1])
    d = Z[:, r] * Z[:, c]
    if meanstructure:
        d = np.hstack([Z, d])
    d = d - d.mean(axis=0)
    return d.T @ d / X.shape[0]


def moment_scores(X: np.ndarray, mu: np.ndarray, Sigma: np.ndarray,
                  meanstructure: bool = False) -> np.ndarray:
    """Casewise scores of the normal log-likelihood with respect to the moments.

    ``d l_i / d mu = Sigma^-1 (x_i - mu)`` and ``d l_i / d vech(Sigma) = W (vech((x_i - mu)
    (x_i - mu)') - vech(Sigma))`` with ``W`` of :func:`normal_weight`; their mean cross-product
    is lavaan's ``first.order`` information.

    References
    ----------
    lavaan ``R/lav_mvnorm.R`` (``lav_mvnorm_scores_mu_vech_sigma``).
    """
    W = normal_weight(Sigma, meanstructure)
    return _moment_deviations(np.asarray(X, float), mu, Sigma, meanstructure) @ W


# ------------------------------------------------------------------------------------------
# Traces of U Gamma and the sandwich
# ------------------------------------------------------------------------------------------
def trace_ugamma_sb(deltas: list[np.ndarray], weights: list[np.ndarray],
                    gammas: list[np.ndarray], fractions: list[float],
                    E_inv: np.ndarray) -> float:
    """``sum_g tr(U_g Gamma_g)`` of the Satorra-Bentler test.

    ``U_g = W_g - f_g W_g Delta_g E^-1 Delta_g' W_g`` with ``E = sum_g f_g Delta_g' W_g
    Delta_g``; the trace over ``df`` is the scaling factor.

    References
    ----------
    Satorra, A., & Bentler, P. M. (1994), eq. 16.4.
    lavaan ``R/lav_test_satorra_bentler.R`` (``lav_test_satorra_bentler_trace_original``).
    """
    total = 0.0
    for D, W, G, f in zip(deltas, weights, gammas, fractions):
        WD = W @ D
        U = W - f * WD @ E_inv @ WD.T
        total += float(np.sum(U * G))
    return total


def trace_ugamma_mplus(A1s: list[np.ndarray], B1s: list[np.ndarray],
                       B0: np.ndarray, H_inv: np.ndarray) -> float:
    """``tr(U Gamma)`` of the Yuan-Bentler test as Mplus computes it (lavaan's default for MLR).

    ``sum_g tr(B1_g A1_g^-1) - tr(B0 H^-1)``: ``A1_g`` and ``B1_g`` the expected and first-order
    unit information of the saturated model of group ``g`` at its sample moments, ``B0`` the
    first-order information of the model (weighted by ``f_g``), ``H`` its observed information.

    References
    ----------
    Yuan, K.-H., & Bentler, P. M. (2000), sec. 4.
    lavaan ``R/lav_test_yuan_bentler.R`` (``lav_test_yuan_bentler_mplus_trace``).
    """
    h1 = sum(float(np.sum(B1 * np.linalg.inv(A1).T)) for A1, B1 in zip(A1s, B1s))
    return h1 - float(np.sum(B0 * H_inv.T))


def sandwich(bread_inv: np.ndarray, meat: np.ndarray, n: int) -> np.ndarray:
    """Robust covariance of the estimates ``A^-1 B A^-1 / N``.

    References
    ----------
    Huber, P. J. (1967). The behavior of maximum likelihood estimates under nonstandard
    conditions. *Proceedings of the Fifth Berkeley Symposium*, 1, 221-233.
    White, H. (1982). Maximum likelihood estimation of misspecified models. *Econometrica*,
    50, 1-25.
    lavaan ``R/lav_model_vcov.R`` (``lav_model_vcov``, ``robust.sem`` and
    ``robust.huber.white``).
    """
    V = bread_inv @ meat @ bread_inv / n
    return 0.5 * (V + V.T)


# ------------------------------------------------------------------------------------------
# Scaled and robust fit measures
# ------------------------------------------------------------------------------------------
def _cfi(x2, df, x2b, dfb, c=1.0, cb=1.0):
    """lavaan ``lav_fit_cfi`` (with ``c.hat``, Brosseau-Liard & Savalei 2014)."""
    t1 = max(x2 - c * df, 0.0)
    t2 = max(x2 - c * df, x2b - cb * dfb, 0.0)
    if math.isclose(t1, 0.0, abs_tol=1.5e-8) and math.isclose(t2, 0.0, abs_tol=1.5e-8):
        return 1.0
    return 1.0 - t1 / t2


def _tli(x2, df, x2b, dfb, c=1.0, cb=1.0):
    """lavaan ``lav_fit_tli`` (with ``c.hat``, Brosseau-Liard & Savalei 2014)."""
    t1 = (x2 - c * df) * dfb
    t2 = (x2b - cb * dfb) * df
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    return 1.0


def _rmsea(x2, df, n, groups=1, c=1.0):
    """lavaan ``lav_fit_rmsea``: ``sqrt(max(X2 / (N df) - c / N, 0)) sqrt(G)``."""
    if not df > 0:
        return 0.0
    return math.sqrt(max(x2 / n / df - c / n, 0.0)) * math.sqrt(groups)


def _rmsea_ci(x2, df, n, groups=1, c=1.0, level=0.90):
    """lavaan ``lav_fit_rmsea_ci`` with ``c.hat``: noncentrality bounds times ``c / (N df)``."""
    if not (math.isfinite(x2) and math.isfinite(df) and df >= 1):
        return (0.0, 0.0) if math.isfinite(x2) else (math.nan, math.nan)
    lo, hi = fi.rmsea_ci(x2, df, n)  # c = 1, one group
    scale = math.sqrt(c * groups)
    return lo * scale, hi * scale


def robust_rmsea(x2s: float, df: float, n: float, groups: int, c: float) -> dict:
    """``rmsea.robust``, its interval and p-values from the scaled statistic ``x2s`` and the
    scaling factor ``c`` (Brosseau-Liard, Savalei & Li 2012; lavaan 0.6.14)."""
    lo, hi = _rmsea_ci(x2s, df, n, groups, c=c)
    close, notclose = rmsea_pvalues(x2s, df, n, groups, c)
    return {"rmsea.robust": _rmsea(x2s * c, df, n, groups, c=c), "rmsea.ci.lower.robust": lo,
            "rmsea.ci.upper.robust": hi, "rmsea.pvalue.robust": close,
            "rmsea.notclose.pvalue.robust": notclose}


def scaled_measures(chisq: float, df: float, c: float, trace_ugamma: float,
                    base_chisq: float, base_df: float, base_c: float, n: int,
                    groups: int = 1) -> dict:
    """lavaan 0.6's scaled and robust fit measures from the unscaled statistics.

    Parameters
    ----------
    chisq, df : float
        Unscaled test statistic and degrees of freedom of the model.
    c : float
        Its scaling factor (``chisq.scaling.factor``); ``trace_ugamma = c * df``.
    base_chisq, base_df, base_c : float
        The same for the baseline (independence) model.
    n : int
        Total sample size; ``groups`` the number of groups.

    Returns
    -------
    dict
        ``chisq.scaled = chisq / c``, ``pvalue.scaled``; ``cfi.scaled``, ``tli.scaled`` from the
        scaled statistics; ``cfi.robust``, ``tli.robust`` with ``chisq - c df`` and
        ``base_chisq - base_c base_df`` as noncentralities (Brosseau-Liard & Savalei 2014);
        ``rmsea.scaled = sqrt(max(chisq / (N tr(U Gamma)) - 1 / N, 0))`` and ``rmsea.robust =
        sqrt(max(chisq / (N df) - c / N, 0))`` (times ``sqrt(G)``; Brosseau-Liard, Savalei & Li
        2012), with their 90% intervals (the robust one with the scaled statistic and ``c``).

    References
    ----------
    lavaan 0.6.14 ``R/lav_fit_cfi.R`` (``lav_fit_cfi``, ``lav_fit_tli``), ``R/lav_fit_rmsea.R``
    (``lav_fit_rmsea``, ``lav_fit_rmsea_ci``); Brosseau-Liard & Savalei (2014);
    Brosseau-Liard, Savalei & Li (2012).
    """
    x2s = chisq / c
    bx2s = base_chisq / base_c
    lo_s, hi_s = _rmsea_ci(chisq, trace_ugamma, n, groups)
    close_s, notclose_s = rmsea_pvalues(chisq, trace_ugamma, n, groups)
    out = {
        "chisq.scaled": x2s,
        "df.scaled": float(df),
        "pvalue.scaled": float(chi2_sf(x2s, df)) if df > 0 else math.nan,
        "chisq.scaling.factor": c,
        "baseline.chisq.scaled": bx2s,
        "baseline.df.scaled": float(base_df),
        "baseline.pvalue.scaled": float(chi2_sf(bx2s, base_df)),
        "baseline.chisq.scaling.factor": base_c,
        "cfi.scaled": _cfi(x2s, df, bx2s, base_df),
        "tli.scaled": _tli(x2s, df, bx2s, base_df),
        "cfi.robust": _cfi(chisq, df, base_chisq, base_df, c, base_c),
        "tli.robust": _tli(chisq, df, base_chisq, base_df, c, base_c),
        "rmsea.scaled": _rmsea(chisq, trace_ugamma, n, groups),
        "rmsea.ci.lower.scaled": lo_s,
        "rmsea.ci.upper.scaled": hi_s,
        "rmsea.pvalue.scaled": close_s,
        "rmsea.notclose.pvalue.scaled": notclose_s,
    }
    out.update(robust_rmsea(x2s, df, n, groups, c))
    return out


def sb2001_difference(chisq1: float, df1: float, c1: float, chisq0: float, df0: float,
                      c0: float) -> dict:
    """Satorra-Bentler (2001) scaled chi-square difference of nested models.

    Model 1 is the less restricted (``df1 < df0``). ``cd = (df0 c0 - df1 c1) / (df0 - df1)``,
    ``T = (T0 - T1) / cd`` on ``df0 - df1`` degrees of freedom (``cd`` NaN when negative, as
    lavaan); a saturated model 1 has ``c1 = 1``.

    Returns
    -------
    dict
        ``chisq_diff, df_diff, scaling_factor, pvalue``.

    References
    ----------
    Satorra, A., & Bentler, P. M. (2001), eq. 9.
    lavaan ``R/lav_test_diff.R`` (``lav_test_diff_SatorraBentler2001``).
    """
    if df1 == 0:
        c1 = 1.0
    m = df0 - df1
    if m <= 0:
        raise InputError(f"difference test: the restricted model must have more degrees of "
                         f"freedom ({df0:g}) than the other ({df1:g})")
    cd = (df0 * c0 - df1 * c1) / m
    if cd < 0:
        cd = math.nan
    t = (chisq0 - chisq1) / cd
    p = float(chi2_sf(t, m)) if math.isfinite(t) else math.nan
    return {"chisq_diff": float(t), "df_diff": float(m), "scaling_factor": float(cd),
            "pvalue": p}


# ------------------------------------------------------------------------------------------
# Single-group wrapper on a fitted model
# ------------------------------------------------------------------------------------------
def independence_spec(ov: list[str]) -> ModelSpec:
    """lavaan's baseline model: a free variance for every observed variable, nothing else."""
    rows = [{"lhs": v, "op": "~~", "rhs": v, "fixed": None, "label": None, "user": False,
             "exo": False, "free": k, "value": 0.0} for k, v in enumerate(ov)]
    return ModelSpec(ov=list(ov), lv=[], rows=rows, n_free=len(ov))


@dataclass
class RobustResult:
    """Robust standard errors and scaled test of a model fitted by ML.

    Attributes
    ----------
    estimator : str
        ``"MLM"`` or ``"MLR"``.
    vcov : ndarray
        Robust covariance matrix of the free parameters.
    se : ndarray
        Its square-root diagonal.
    trace_ugamma, scaling_factor : float
        ``tr(U Gamma)`` and ``c = tr(U Gamma) / df``.
    fit_measures : dict
        :data:`SCALED_MEASURES` under lavaan's names.
    extra : DataFrame or None
        Rows the ML fit does not list (the intercepts ``~1`` of a FIML fit), with the columns
        of the parameter table.
    """

    estimator: str
    vcov: np.ndarray
    se: np.ndarray
    trace_ugamma: float
    scaling_factor: float
    fit_measures: dict = field(default_factory=dict)
    extra: pd.DataFrame | None = None

    def apply(self, params: pd.DataFrame, spec: ModelSpec) -> pd.DataFrame:
        """``params`` (one row per row of ``spec.rows`` first) with robust ``se``, ``z`` and
        ``pvalue``, followed by :attr:`extra`; defined parameters are left as they are."""
        out = params.copy()
        for i, r in enumerate(spec.rows):
            if r["free"] < 0:
                continue
            s = float(self.se[r["free"]])
            z = out.at[i, "est"] / s if s > 0 else math.nan
            out.at[i, "se"] = s
            out.at[i, "z"] = z
            out.at[i, "pvalue"] = 2 * norm_sf(abs(z)) if math.isfinite(z) else math.nan
        if self.extra is not None and len(self.extra):
            out = pd.concat([out, self.extra.reindex(columns=out.columns)], ignore_index=True)
        return out


def _vech_delta(ram: RAM, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    D, Sigma = ram.delta(theta)
    r, c = vech_index(ram.p)
    return D[:, r, c].T, Sigma


def _observed_information(ram: RAM, theta: np.ndarray, S: np.ndarray) -> np.ndarray:
    """Unit observed information ``1/2 d2 F_ML / dtheta dtheta'`` (lavaan's ``hessian``)."""
    return 0.5 * ram.newton_step(theta, S)[2]


def _robust_parts(ram: RAM, theta: np.ndarray, X: np.ndarray, estimator: str):
    """(vcov, trace U Gamma) of one single-group model fitted by ML to the rows ``X``."""
    n = X.shape[0]
    xbar = X.mean(axis=0)
    S = (X - xbar).T @ (X - xbar) / n
    Delta, Sigma = _vech_delta(ram, theta)
    W = normal_weight(Sigma)
    E = Delta.T @ W @ Delta
    if estimator == "MLM":
        G = gamma_adf(X)
        E_inv = np.linalg.inv(E)
        meat = Delta.T @ W @ G @ W @ Delta
        return sandwich(E_inv, meat, n), trace_ugamma_sb([Delta], [W], [G], [1.0], E_inv)
    H = _observed_information(ram, theta, S)
    H_inv = np.linalg.inv(H)
    s0 = moment_scores(X, xbar, Sigma) @ Delta
    B0 = s0.T @ s0 / n
    s1 = moment_scores(X, xbar, S)
    B1 = s1.T @ s1 / n
    A1 = normal_weight(S)
    return sandwich(H_inv, B0, n), trace_ugamma_mplus([A1], [B1], B0, H_inv)


def robust_fit(spec: ModelSpec, theta: np.ndarray, X: np.ndarray, estimator: str,
               chisq: float, base_chisq: float) -> RobustResult:
    """Robust standard errors and scaled fit measures of a model fitted by ML.

    Parameters
    ----------
    spec : ModelSpec
        The fitted model (no fixed.x variables).
    theta : ndarray
        ML estimates.
    X : ndarray
        The complete rows the model was fitted to (columns in ``spec.ov`` order).
    estimator : {"MLM", "MLR"}
    chisq, base_chisq : float
        Unscaled test statistics of the model and of the independence model.

    Returns
    -------
    RobustResult

    Raises
    ------
    InputError
        Unknown estimator, observed predictors (fixed.x), or an information matrix that cannot
        be inverted.
    """
    estimator = estimator.upper()
    if estimator not in ROBUST_ESTIMATORS:
        raise InputError(f"estimator: {estimator!r}; expected one of {', '.join(ROBUST_ESTIMATORS)}")
    if spec.ov_x:
        raise InputError(f"estimator {estimator}: observed predictors (fixed.x: "
                         f"{', '.join(spec.ov_x)}) are not supported; model them as latent or "
                         "use ML")
    X = np.asarray(X, float)
    n = X.shape[0]
    try:
        vcov, tr = _robust_parts(RAM(spec), np.asarray(theta, float), X, estimator)
        base = independence_spec(spec.ov)
        theta0 = np.diag(np.cov(X, rowvar=False, bias=True)).copy()
        _, tr0 = _robust_parts(RAM(base), theta0, X, estimator)
    except np.linalg.LinAlgError:
        raise InputError(f"estimator {estimator}: the information matrix cannot be inverted; "
                         "the model may not be identified") from None
    p = len(spec.ov)
    df = spec.df
    base_df = p * (p + 1) // 2 - p
    c = tr / df if df > 0 else math.nan
    if c < 0:
        c = math.nan
    c0 = tr0 / base_df
    fm = scaled_measures(chisq, df, c, tr, base_chisq, base_df, c0, n) if df > 0 else {
        k: math.nan for k in SCALED_MEASURES}
    se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    return RobustResult(estimator=estimator, vcov=vcov, se=se, trace_ugamma=tr,
                        scaling_factor=c, fit_measures=fm)
