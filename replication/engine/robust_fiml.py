"""MLR with full-information ML for incomplete rows (lavaan ``estimator = "MLR", missing =
"ml"``): Huber-White standard errors, the Yuan-Bentler test (Mplus variant) and lavaan's
robust fit measures for FIML (Zhang & Savalei's FIML-corrected CFI, TLI and RMSEA).

Plain functions:

* :func:`casewise_scores`: scores of the casewise normal log-likelihood with respect to the
  moments ``(mu, vech Sigma)``, each row on its observed variables;
* :func:`observed_information`: minus the mean Hessian of that log-likelihood in the moments
  (central differences of the analytic score sum);
* :func:`fiml_means`: the ML means given ``Sigma`` (closed form).

The wrapper :func:`robust_fiml` takes a model fitted with ``missing="fiml"``
(:func:`replication.engine.sem.fit`) and its rows, and returns a
:class:`replication.engine.robust.RobustResult`.

Notes
-----
Parameters are the model's ``theta`` and the free intercepts ``mu`` (saturated mean
structure); ``Delta`` stacks ``d mu / d(theta, mu)`` and ``d vech Sigma / d(theta, mu)``.
With ``H`` the observed information of the model (in ``(theta, mu)``), ``B0`` the mean
cross-product of the casewise scores ``s_i Delta`` at the estimates, ``A1`` and ``B1`` the
observed and first-order information of the saturated model at its EM estimates:
robust covariance ``H^-1 B0 H^-1 / N``, scaling factor ``(tr(B1 A1^-1) - tr(B0 H^-1)) / df``.
The robust CFI/TLI/RMSEA (lavaan's ``lav_fit_fiml_corrected``, version V3) use
``T3 = N F_ML`` of the model moments against the EM moments and
``c3 = tr(U A1^-1 Wc A1^-1 U Gamma) / df`` with ``U = A1 - A1 Delta H^-1 Delta' A1``,
``Gamma = A1^-1 B1 A1^-1`` and ``Wc`` the complete-data normal weight at the EM moments;
the same for the baseline (independence) model, with the information in ``U`` taken as
``Delta' A1 Delta`` (lavaan recomputes it with ``observed.information = "h1"``).

Checked against lavaan 0.6.14 (``scripts/robust_fixtures.R``: HolzingerSwineford1939 with
missing answers, bfi).

References
----------
Yuan, K.-H., & Bentler, P. M. (2000). Three likelihood-based methods for mean and covariance
structure analysis with nonnormal missing data. *Sociological Methodology*, 30, 165-200.
Savalei, V. (2010). Expected versus observed information in SEM with incomplete normal and
nonnormal data. *Psychological Methods*, 15, 352-367.
Zhang, X., & Savalei, V. (2023). New computations for RMSEA and CFI following FIML and TS
estimation with missing data. *Psychological Methods*, 28, 263-283.
lavaan ``R/lav_mvnorm_missing.R``, ``R/lav_test_yuan_bentler.R``, ``R/lav_fit_utils.R``
(``lav_fit_fiml_corrected``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from replication.engine import robust as rb
from replication.engine.distributions import norm_sf
from replication.engine.errors import InputError
from replication.engine.fiml import Patterns
from replication.engine.partable import ModelSpec
from replication.engine.ram import RAM

__all__ = ["casewise_scores", "observed_information", "fiml_means", "robust_fiml"]


def _patterns(X: np.ndarray):
    obs = ~np.isnan(X)
    keys, inv = np.unique(obs, axis=0, return_inverse=True)
    inv = inv.ravel()
    return [(np.flatnonzero(k), X[inv == g][:, k]) for g, k in enumerate(keys) if k.any()]


def casewise_scores(X, mu: np.ndarray, Sigma: np.ndarray) -> np.ndarray:
    """Scores of each row's normal log-likelihood on its observed variables.

    Returns an array ``(N, p + p*)``: ``Sigma_oo^-1 (x_o - mu_o)`` in the observed means and
    ``1/2 (Sigma_oo^-1 z z' Sigma_oo^-1 - Sigma_oo^-1)`` in ``vech(Sigma)`` (off-diagonal
    elements twice), zero for the moments of unobserved variables; rows in the order of
    their missing-data patterns. ``X`` is the data matrix (NaN for missing) or its patterns
    as returned by ``_patterns``.

    References
    ----------
    lavaan ``R/lav_mvnorm_missing.R`` (``lav_mvnorm_missing_scores_mu_vech_sigma``).
    """
    p = len(mu)
    vr, vc = rb.vech_index(p)
    vpos = np.full((p, p), -1)
    vpos[vr, vc] = np.arange(len(vr))
    out = []
    pats = _patterns(X) if isinstance(X, np.ndarray) else X
    for idx, Xp in pats:
        Si = np.linalg.inv(Sigma[np.ix_(idx, idx)])
        Y = (Xp - mu[idx]) @ Si
        a, b = np.tril_indices(len(idx))
        k = p + vpos[idx[a], idx[b]]  # idx is increasing, so idx[a] >= idx[b]
        mult = np.where(a == b, 0.5, 1.0)
        s = np.zeros((len(Xp), p + len(vr)))
        s[:, idx] = Y
        s[:, k] = mult * (Y[:, a] * Y[:, b] - Si[a, b])
        out.append(s)
    return np.vstack(out)


def _moments(v: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    vr, vc = rb.vech_index(p)
    Sigma = np.zeros((p, p))
    Sigma[vr, vc] = v[p:]
    Sigma[vc, vr] = v[p:]
    return v[:p], Sigma


def _summaries(pats) -> list:
    """Per pattern: observed indices, count, mean and scatter (divisor n) of its rows."""
    out = []
    for idx, Xp in pats:
        m = Xp.mean(axis=0)
        Z = Xp - m
        out.append((idx, len(Xp), m, Z.T @ Z / len(Xp)))
    return out


def _score_sum(summ, mu: np.ndarray, Sigma: np.ndarray) -> np.ndarray:
    """Sum over rows of :func:`casewise_scores`, from the pattern summaries: ``n Sigma_oo^-1
    d`` and ``n/2 (Sigma_oo^-1 (C + d d') Sigma_oo^-1 - Sigma_oo^-1)`` (``d = m - mu_o``)."""
    p = len(mu)
    vr, vc = rb.vech_index(p)
    G = np.zeros((p, p))
    g_mu = np.zeros(p)
    for idx, n, m, C in summ:
        Si = np.linalg.inv(Sigma[np.ix_(idx, idx)])
        d = m - mu[idx]
        g_mu[idx] += n * (Si @ d)
        G[np.ix_(idx, idx)] += 0.5 * n * (Si @ (C + np.outer(d, d)) @ Si - Si)
    mult = np.where(vr == vc, 1.0, 2.0)
    return np.concatenate([g_mu, mult * G[vr, vc]])


def observed_information(X, mu: np.ndarray, Sigma: np.ndarray) -> np.ndarray:
    """Unit observed information of the saturated FIML log-likelihood in ``(mu, vech Sigma)``,
    minus the Hessian over N by central differences of the analytic score sum.

    References
    ----------
    Savalei, V. (2010), eq. 7; lavaan ``R/lav_mvnorm_missing.R``
    (``lav_mvnorm_missing_information_observed_samplestats``).
    """
    p = len(mu)
    vr, vc = rb.vech_index(p)
    v0 = np.concatenate([mu, Sigma[vr, vc]])
    pats = _patterns(X) if isinstance(X, np.ndarray) else X
    summ = _summaries(pats)
    n = sum(len(Xp) for _, Xp in pats)
    H = np.zeros((len(v0), len(v0)))
    for j in range(len(v0)):
        h = 1e-5 * max(1.0, abs(v0[j]))
        e = np.zeros(len(v0))
        e[j] = h
        gp = _score_sum(summ, *_moments(v0 + e, p))
        gm = _score_sum(summ, *_moments(v0 - e, p))
        H[:, j] = -(gp - gm) / (2 * h) / n
    return 0.5 * (H + H.T)


def fiml_means(X: np.ndarray, Sigma: np.ndarray) -> np.ndarray:
    """ML means of incomplete rows given ``Sigma``: ``(sum_i P_i' Sigma_oo^-1 P_i)^-1 sum_i
    P_i' Sigma_oo^-1 x_io`` (``P_i`` selects row i's observed variables).

    References
    ----------
    Little, R. J. A., & Rubin, D. B. (2002). *Statistical Analysis with Missing Data* (2nd
    ed.). Wiley, ch. 11.
    """
    pats = _patterns(X) if isinstance(X, np.ndarray) else X
    p = len(Sigma)
    M = np.zeros((p, p))
    v = np.zeros(p)
    for idx, Xp in pats:
        Si = np.linalg.inv(Sigma[np.ix_(idx, idx)])
        M[np.ix_(idx, idx)] += len(Xp) * Si
        v[idx] += Si @ Xp.sum(axis=0)
    return np.linalg.solve(M, v)


def _jacobian(ram: RAM, theta: np.ndarray) -> np.ndarray:
    """``d(mu, vech Sigma) / d(theta, mu)`` of a model with free intercepts."""
    p, q = ram.p, len(theta)
    D, _ = ram.delta(theta)
    vr, vc = rb.vech_index(p)
    J = np.zeros((p + len(vr), q + p))
    J[p:, :q] = D[:, vr, vc].T
    J[:p, q:] = np.eye(p)
    return J


def _model_parts(ram: RAM, theta: np.ndarray, X, n: int):
    """(Delta, H, B0) of a model with free intercepts at its FIML estimates (``X`` the data
    or its patterns)."""
    Sigma = ram.implied(theta)
    mu = fiml_means(X, Sigma)
    J = _jacobian(ram, theta)
    A = observed_information(X, mu, Sigma)
    # second-order terms of Sigma(theta) vanish at the estimates only for the score sum; add
    # them: H = J' A J - sum_k g_k d2 m_k, by central differences of the model score
    g = casewise_scores(X, mu, Sigma).sum(axis=0) / n
    x0 = np.concatenate([theta, mu])
    H2 = np.zeros((len(x0), len(x0)))
    q = len(theta)
    for j in range(q):
        h = 1e-6 * max(1.0, abs(x0[j]))
        e = np.zeros(q)
        e[j] = h
        Jp, Jm = _jacobian(ram, theta + e), _jacobian(ram, theta - e)
        H2[:, j] = -((Jp - Jm).T @ g) / (2 * h)
    H = J.T @ A @ J + 0.5 * (H2 + H2.T)
    s = casewise_scores(X, mu, Sigma) @ J
    return J, H, s.T @ s / n, mu, Sigma


def _independence_parts(X, n: int, mu: np.ndarray, var: np.ndarray):
    """(Delta, H, B0) of the independence model (free means and variances)."""
    p = len(mu)
    vr, vc = rb.vech_index(p)
    Sigma = np.diag(var)
    J = np.zeros((p + len(vr), 2 * p))
    J[:p, :p] = np.eye(p)
    for j in range(p):
        J[p + int(np.flatnonzero((vr == j) & (vc == j))[0]), p + j] = 1.0
    H = J.T @ observed_information(X, mu, Sigma) @ J
    s = casewise_scores(X, mu, Sigma) @ J
    return J, H, s.T @ s / n, Sigma


def _f_ml(mu, Sigma, m_em, S_em) -> float:
    Si = np.linalg.inv(Sigma)
    d = m_em - mu
    return float(np.linalg.slogdet(Sigma)[1] + np.sum(Si * S_em) - np.linalg.slogdet(S_em)[1]
                 - len(mu) + d @ Si @ d)


def _fiml_corrected(A1, B1, m_em, S_em, n, J, H_inv, mu, Sigma, df):
    """``(T3, c3)`` of lavaan's ``lav_fit_fiml_corrected`` (version V3)."""
    A1i = np.linalg.inv(A1)
    Wc = rb.normal_weight(S_em, meanstructure=True)
    Gamma = A1i @ B1 @ A1i
    U = A1 - A1 @ J @ H_inv @ J.T @ A1
    k = float(np.trace(U @ A1i @ Wc @ A1i @ U @ Gamma))
    return n * _f_ml(mu, Sigma, m_em, S_em), k / df


def robust_fiml(spec: ModelSpec, theta: np.ndarray, X: np.ndarray, chisq: float,
                base_chisq: float) -> rb.RobustResult:
    """MLR standard errors, scaled test and robust fit measures of a FIML fit.

    Parameters
    ----------
    spec : ModelSpec
        The model (no fixed.x variables).
    theta : ndarray
        FIML estimates of ``spec``'s free parameters (intercepts are re-derived).
    X : ndarray
        Rows used in the fit (NaN for missing; rows with no value are dropped), columns in
        ``spec.ov`` order.
    chisq, base_chisq : float
        Unscaled statistics ``2 (logl_h1 - logl)`` of the model and of the independence model.

    Returns
    -------
    RobustResult
        ``vcov`` and ``se`` of ``theta`` (the intercepts' block is left out).
    """
    if spec.ov_x:
        raise InputError("estimator MLR with missing='fiml': observed predictors (fixed.x) are "
                         "not supported")
    X = np.asarray(X, float)
    X = X[~np.isnan(X).all(axis=1)]
    n, p = X.shape
    pat = Patterns(X)
    m_em, S_em = pat.em()
    pats = _patterns(X)
    A1 = observed_information(pats, m_em, S_em)
    s1 = casewise_scores(pats, m_em, S_em)
    B1 = s1.T @ s1 / n
    h1 = float(np.sum(B1 * np.linalg.inv(A1).T))
    try:
        J, H, B0, mu, Sigma = _model_parts(RAM(spec), np.asarray(theta, float), pats, n)
        H_inv = np.linalg.inv(H)
        mu0, cnt = pat._available_means()
        var0 = pat._marginal_vars(mu0)
        J0, H0, B00, Sigma0 = _independence_parts(pats, n, mu0, var0)
        H0_inv = np.linalg.inv(H0)
    except np.linalg.LinAlgError:
        raise InputError("estimator MLR: the information matrix cannot be inverted; the model "
                         "may not be identified") from None
    q = spec.n_free
    vcov_all = rb.sandwich(H_inv, B0, n)
    tr = h1 - float(np.sum(B0 * H_inv.T))
    tr0 = h1 - float(np.sum(B00 * H0_inv.T))
    df = spec.df
    base_df = p * (p + 1) // 2 - p
    c = tr / df if df > 0 else math.nan
    fm = rb.scaled_measures(chisq, df, c, tr, base_chisq, base_df, tr0 / base_df, n)
    # lavaan recomputes the information here with observed.information = "h1" and the
    # unstructured h1: Delta' A1 Delta
    t3, c3 = _fiml_corrected(A1, B1, m_em, S_em, n, J, np.linalg.inv(J.T @ A1 @ J), mu, Sigma,
                             df)
    t3b, c3b = _fiml_corrected(A1, B1, m_em, S_em, n, J0, np.linalg.inv(J0.T @ A1 @ J0), mu0,
                               Sigma0, base_df)
    fm["cfi.robust"] = rb._cfi(t3, df, t3b, base_df, c3, c3b)
    fm["tli.robust"] = rb._tli(t3, df, t3b, base_df, c3, c3b)
    fm.update(rb.robust_rmsea(t3 / c3, df, n, 1, c3))
    vcov = vcov_all[:q, :q]
    return rb.RobustResult(estimator="MLR", vcov=vcov,
                           se=np.sqrt(np.clip(np.diag(vcov), 0, None)), trace_ugamma=tr,
                           scaling_factor=c, fit_measures=fm,
                           extra=_intercepts(spec, mu, Sigma, vcov_all[q:, q:]))


def _intercepts(spec: ModelSpec, mu: np.ndarray, Sigma: np.ndarray,
                vcov: np.ndarray) -> pd.DataFrame:
    """Rows ``v ~1`` of the observed variables with robust standard errors (``std_lv`` is the
    estimate and ``std_all`` is ``mu / sd``, as lavaan) and the latent means, fixed to 0."""
    se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    z = mu / se
    k = len(spec.lv)
    nan = np.full(k, np.nan)
    return pd.DataFrame({"lhs": spec.ov + spec.lv, "op": "~1", "rhs": "",
                         "est": np.concatenate([mu, np.zeros(k)]),
                         "se": np.concatenate([se, nan]), "z": np.concatenate([z, nan]),
                         "pvalue": np.concatenate([2 * norm_sf(np.abs(z)), nan]),
                         "std_lv": np.concatenate([mu, np.zeros(k)]),
                         "std_all": np.concatenate([mu / np.sqrt(np.diag(Sigma)), np.zeros(k)])})
