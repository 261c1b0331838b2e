"""Multi-group models fitted to incomplete rows by full-information ML (lavaan ``group =``,
``missing = "ml"``), with ML or MLR standard errors and tests.

:func:`fit_groups_fiml` maximizes ``sum_g log L_g(mu_g(theta), Sigma_g(theta))`` (the casewise
normal log-likelihood of each group on its observed variables) over the parameters of
:func:`replication.engine.multigroup_table.group_table`, and returns a
:class:`replication.engine.multigroup.MultiGroupResult`.

Notes
-----
Estimation: scoring steps with the complete-data information ``sum_g n_g Delta_g' W_g
Delta_g`` and step halving, then Newton steps with the observed information (central
differences of the analytic gradient). ``chisq = 2 (log L_h1 - log L)`` with the saturated
model of each group estimated by EM; the baseline has each variable's own ML mean and
variance per group. Standard errors: the inverse observed information (lavaan's default with
missing data); MLR: ``H^-1 B0 H^-1`` with ``B0`` the cross-product of the casewise scores, the
Yuan-Bentler (Mplus) scaling ``(sum_g tr(B1_g A1_g^-1) - tr(B0 H^-1)) / df`` and lavaan's
FIML-corrected robust CFI, TLI and RMSEA with each group's block weighted by ``n_g / N``
(:mod:`replication.engine.robust_fiml`).

Checked against lavaan 0.6.14 (``scripts/multigroup_fixtures.R``: HolzingerSwineford1939 with
missing answers by school).

References
----------
Arbuckle, J. L. (1996). Full information estimation in the presence of incomplete data. In
G. A. Marcoulides & R. E. Schumacker (Eds.), *Advanced Structural Equation Modeling*.
Erlbaum.
Yuan, K.-H., & Bentler, P. M. (2000). *Sociological Methodology*, 30, 165-200.
Zhang, X., & Savalei, V. (2023). *Psychological Methods*, 28, 263-283.
lavaan ``R/lav_mvnorm_missing.R``, ``R/lav_fit_utils.R`` (``lav_fit_fiml_corrected``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.linalg import block_diag

from replication.engine import fit_indices as fi
from replication.engine import robust as rb
from replication.engine import robust_fiml as rf
from replication.engine.errors import InputError
from replication.engine.fiml import Patterns
from replication.engine.multigroup import (MultiGroupResult, _Group, _param_table, _srmr,
                                           r2_of)
from replication.engine.multigroup_table import GroupTable, group_table, split_groups
from replication.engine.numdiff import gradient_jacobian
from replication.engine.partable import specify

__all__ = ["fit_groups_fiml"]


class _FimlProblem:
    """Groups, their missing-data patterns and EM moments, and the FIML log-likelihood."""

    def __init__(self, table: GroupTable, Xs: list[np.ndarray]):
        self.table = table
        self.groups = [_Group(table, g) for g in range(len(Xs))]
        self.Xs = Xs
        self.pats = [rf._patterns(X) for X in Xs]
        self.summ = [rf._summaries(p) for p in self.pats]
        self.n = np.array([len(X) for X in Xs], float)
        self.P = [Patterns(X) for X in Xs]
        em = [P.em() for P in self.P]
        self.xbar = [m for m, _ in em]  # h1 moments (used by the SRMR, as lavaan)
        self.S = [S for _, S in em]

    def loglik(self, theta: np.ndarray) -> float:
        total = 0.0
        for grp, P in zip(self.groups, self.P):
            mu, Sigma = grp.moments(theta)[:2]
            ll = P.loglik(mu, Sigma)
            if not np.isfinite(ll):
                return -math.inf
            total += ll
        return float(total)

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        g = np.zeros(self.table.n_free)
        for grp, summ in zip(self.groups, self.summ):
            mu, Sigma, D = grp.jacobian(theta)
            g += D.T @ rf._score_sum(summ, mu, Sigma)
        return g

    def metric(self, theta: np.ndarray) -> np.ndarray:
        Q = self.table.n_free
        info = np.zeros((Q, Q))
        for grp, n in zip(self.groups, self.n):
            mu, Sigma, D = grp.jacobian(theta)
            info += n * D.T @ rb.normal_weight(Sigma, meanstructure=True) @ D
        return info

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        """Observed information (minus the Hessian of log L) by central differences."""
        return -gradient_jacobian(self.gradient, theta, 1e-6)

    def _search(self, theta, step, ll):
        t = 1.0
        while t > 1e-10:
            cand = theta + t * step
            lc = self.loglik(cand)
            if np.isfinite(lc) and lc >= ll - 1e-12 * max(1.0, abs(ll)):
                return cand, lc
            t *= 0.5
        return None, ll

    def fit(self, theta0: np.ndarray, max_iter: int = 1000) -> tuple[np.ndarray, bool]:
        theta, ll = theta0.copy(), self.loglik(theta0)
        ntot = float(self.n.sum())
        for _ in range(max_iter):
            g = self.gradient(theta)
            step = np.linalg.solve(self.metric(theta), g)
            if float(g @ step) < 1e-8 * ntot:
                break
            cand, ll = self._search(theta, step, ll)
            if cand is None:
                break
            theta = cand
        for _ in range(20):  # Newton with the observed information
            g = self.gradient(theta)
            try:
                step = np.linalg.solve(self.hessian(theta), g)
            except np.linalg.LinAlgError:
                return theta, False
            if float(g @ step) < 1e-12 * ntot:
                return theta, True
            cand, ll = self._search(theta, step, ll)
            if cand is None:
                return theta, bool(float(g @ step) < 1e-8 * ntot)
            theta = cand
        return theta, False


def _start(prob: _FimlProblem) -> np.ndarray:
    from replication.engine.multigroup import _simple_start  # same layer
    from replication.engine.ram import RAM

    base = prob.table.base
    ntot = prob.n.sum()
    S = sum(n * S_g for n, S_g in zip(prob.n, prob.S)) / ntot
    ram = RAM(base)
    theta, conv, _ = ram.fisher(_simple_start(base, S), S)
    if not conv:
        theta, conv, _ = ram.fisher(ram.lbfgs(theta, S), S)
    est = {(r["lhs"], r["op"], r["rhs"]): (theta[r["free"]] if r["free"] >= 0 else r["value"])
           for r in base.rows}
    out = np.zeros(prob.table.n_free)
    for r in prob.table.rows:
        if r["free"] < 0:
            continue
        if r["op"] == "~1":
            out[r["free"]] = (prob.xbar[r["group"]][base.ov.index(r["lhs"])]
                              if r["lhs"] in base.ov else 0.0)
        else:
            out[r["free"]] = est.get((r["lhs"], r["op"], r["rhs"]), 0.0)
    return out


def _independence(prob: _FimlProblem):
    """The baseline model of every group at its FIML estimates."""
    base = rb.independence_spec(prob.table.base.ov)
    table = group_table(base, prob.table.labels)
    prob0 = _FimlProblem.__new__(_FimlProblem)
    prob0.__dict__.update(prob.__dict__)
    prob0.table = table
    prob0.groups = [_Group(table, g) for g in range(len(prob.Xs))]
    theta0 = np.zeros(table.n_free)
    for r in table.rows:
        P = prob.P[r["group"]]
        mu, _ = P._available_means()
        i = base.ov.index(r["lhs"])
        theta0[r["free"]] = mu[i] if r["op"] == "~1" else P._marginal_vars(mu)[i]
    return prob0, theta0


def _robust(prob: _FimlProblem, theta: np.ndarray, H: np.ndarray):
    """(vcov, tr(U Gamma), B0, Deltas) of MLR with FIML."""
    N = prob.n.sum()
    Ds, B0 = [], np.zeros_like(H)
    for grp, pats in zip(prob.groups, prob.pats):
        mu, Sigma, D = grp.jacobian(theta)
        s = rf.casewise_scores(pats, mu, Sigma) @ D
        B0 += s.T @ s / N
        Ds.append(D)
    H1_inv = np.linalg.inv(H / N)
    return rb.sandwich(H1_inv, B0, N), B0, H1_inv, Ds


def _fiml_corrected(prob, A1s, B1s, Ds, theta, df):
    """(T3, c3) of lavaan's ``lav_fit_fiml_corrected`` (V3) over the groups."""
    N = prob.n.sum()
    f = prob.n / N
    Wm = block_diag(*[fg * A for fg, A in zip(f, A1s)])
    Wmi = block_diag(*[np.linalg.inv(A) / fg for fg, A in zip(f, A1s)])
    Wc = block_diag(*[fg * rb.normal_weight(S, meanstructure=True) for fg, S in zip(f, prob.S)])
    Gam = block_diag(*[np.linalg.inv(A) @ B @ np.linalg.inv(A) / fg
                       for fg, A, B in zip(f, A1s, B1s)])
    D = np.vstack(Ds)
    E_inv = np.linalg.inv(D.T @ Wm @ D)
    U = Wm - Wm @ D @ E_inv @ D.T @ Wm
    k = float(np.trace(U @ Wmi @ Wc @ Wmi @ U @ Gam))
    t3 = 0.0
    for grp, n, m, S in zip(prob.groups, prob.n, prob.xbar, prob.S):
        mu, Sigma = grp.moments(theta)[:2]
        t3 += n * rf._f_ml(mu, Sigma, m, S)
    return t3, k / df


def _measures(prob, theta, chisq_g, b_chisq, estimator, H) -> tuple[dict, np.ndarray]:
    table = prob.table
    G, p = len(prob.groups), len(table.base.ov)
    N = float(prob.n.sum())
    chisq = float(np.sum(chisq_g))
    df = table.df
    b_df = G * p * (p - 1) // 2
    logl_h1 = float(sum(P.loglik(m, S) for P, m, S in zip(prob.P, prob.xbar, prob.S)))
    logl = logl_h1 - 0.5 * chisq
    lo, hi = fi.rmsea_ci(chisq, df, N) if df > 0 else (0.0, 0.0)
    fm = {"npar": float(table.n_free), "ntotal": N, "chisq": chisq, "df": float(df),
          "pvalue": fi.chisq_pvalue(chisq, df), "baseline.chisq": b_chisq,
          "baseline.df": float(b_df), "cfi": fi.cfi(chisq, df, b_chisq, b_df),
          "tli": fi.tli(chisq, df, b_chisq, b_df), "rmsea": rb._rmsea(chisq, df, N, G),
          "rmsea.ci.lower": lo * math.sqrt(G), "rmsea.ci.upper": hi * math.sqrt(G),
          **dict(zip(("rmsea.pvalue", "rmsea.notclose.pvalue"),
                     rb.rmsea_pvalues(chisq, df, N, G))),
          "srmr": _srmr(prob, theta), "logl": logl, "unrestricted.logl": logl_h1,
          "aic": fi.aic(logl, table.n_free), "bic": fi.bic(logl, table.n_free, N)}
    vcov = np.linalg.inv(H)
    if estimator != "MLR":
        return fm, vcov
    A1s = [rf.observed_information(pats, m, S) for pats, m, S in zip(prob.pats, prob.xbar,
                                                                      prob.S)]
    B1s = []
    for pats, m, S in zip(prob.pats, prob.xbar, prob.S):
        s1 = rf.casewise_scores(pats, m, S)
        B1s.append(s1.T @ s1 / len(s1))
    h1 = sum(float(np.sum(B * np.linalg.inv(A).T)) for A, B in zip(A1s, B1s))
    vcov, B0, H1_inv, Ds = _robust(prob, theta, H)
    tr = h1 - float(np.sum(B0 * H1_inv.T))
    prob0, theta0 = _independence(prob)
    _, B00, H01_inv, Ds0 = _robust(prob0, theta0, prob0.hessian(theta0))
    tr0 = h1 - float(np.sum(B00 * H01_inv.T))
    c = tr / df if df > 0 else math.nan
    fm.update(rb.scaled_measures(chisq, df, c, tr, b_chisq, b_df, tr0 / b_df, int(N), G))
    t3, c3 = _fiml_corrected(prob, A1s, B1s, Ds, theta, df)
    t3b, c3b = _fiml_corrected(prob0, A1s, B1s, Ds0, theta0, b_df)
    fm.update({"cfi.robust": rb._cfi(t3, df, t3b, b_df, c3, c3b),
               "tli.robust": rb._tli(t3, df, t3b, b_df, c3, c3b)})
    fm.update(rb.robust_rmsea(t3 / c3, df, N, G, c3))
    return fm, vcov


def fit_groups_fiml(model: str, data: pd.DataFrame, group: str, *, group_equal=(),
                    group_partial=(), estimator: str = "ML",
                    cov_y: bool = True) -> MultiGroupResult:
    """Fit a lavaan-syntax model to several groups with incomplete rows (lavaan ``group =
    group, missing = "ml"``); arguments as
    :func:`replication.engine.multigroup.fit_groups`, ``estimator`` ML or MLR.

    Raises
    ------
    InputError
        As :func:`~replication.engine.multigroup.fit_groups`; MLM (lavaan refuses it with
        missing data).
    """
    estimator = estimator.upper()
    if estimator not in ("ML", "MLR"):
        raise InputError(f"estimator: {estimator!r} with full-information ML; expected ML or "
                         "MLR (lavaan refuses MLM with missing = \"ml\")")
    base = specify(model, cov_y=cov_y)
    labels, Xs = split_groups(data, group, base.ov, missing="fiml")
    table = group_table(base, labels, group_equal, group_partial)
    prob = _FimlProblem(table, Xs)
    theta, converged = prob.fit(_start(prob))
    warn = [] if converged else ["the optimizer did not converge; estimates are not a "
                                 "maximum-likelihood solution"]
    ll_h1 = [P.loglik(m, S) for P, m, S in zip(prob.P, prob.xbar, prob.S)]
    chisq_g = np.array([2 * (h1 - P.loglik(*grp.moments(theta)[:2]))
                        for h1, P, grp in zip(ll_h1, prob.P, prob.groups)])
    b_chisq = float(sum(2 * (h1 - P.independence_loglik()) for h1, P in zip(ll_h1, prob.P)))
    H = prob.hessian(theta)
    try:
        fm, vcov = _measures(prob, theta, chisq_g, b_chisq, estimator, H)
    except np.linalg.LinAlgError:
        raise InputError("the information matrix cannot be inverted; the model may not be "
                         "identified") from None
    return MultiGroupResult(params=_param_table(prob, theta, vcov), fit_measures=fm,
                            chisq_group=dict(zip(labels, map(float, chisq_g))),
                            group_labels=labels, nobs=[len(X) for X in Xs],
                            estimator=estimator, converged=converged, warnings=warn,
                            theta=theta, vcov=vcov, table=table,
                            r2_groups=r2_of(prob.groups, labels, theta), missing="fiml",
                            group_equal=list(group_equal), group_partial=list(group_partial))
