"""Multi-group models with a mean structure and equality constraints across groups (lavaan
``group =``, ``group.equal =``, ``group.partial =``), by ML, MLM or MLR.

:func:`group_table` builds lavaan's multi-group parameter table (one copy of the model per
group, intercepts ``~1`` for the observed variables, latent means fixed to 0 in the first
group and free in the others once intercepts are equal); :func:`fit_groups` estimates it and
returns a :class:`MultiGroupResult` with lavaan's outputs: a parameter table with a ``group``
column, the chi-square per group and in total, and fit measures under lavaan's names.

Notes
-----
``T = sum_g n_g F_g`` with ``F_g = log|Sigma_g| + tr(S_g Sigma_g^-1) - log|S_g| - p +
(xbar_g - mu_g)' Sigma_g^-1 (xbar_g - mu_g)`` (``S_g`` with divisor ``n_g``);
``mu_g = F (I - A)^-1 m`` (RAM with a mean vector ``m`` of intercepts and latent means).
Estimation by Fisher scoring on the expected information ``sum_g n_g Delta_g' W_g Delta_g``
(``W_g`` of :func:`replication.engine.robust.normal_weight` with the mean block), standard
errors from its inverse (lavaan's default ``information = "expected"``). Equality constraints
are shared parameters, so ``npar`` counts each constrained parameter once, as lavaan's
``fitMeasures``. Degrees of freedom: ``G (p (p + 1) / 2 + p) - npar``; RMSEA multiplied by
``sqrt(G)``; the baseline is the independence model of every group (free means and variances).
MLM and MLR use the plain functions of :mod:`replication.engine.robust` with one block per
group (the observed information of MLR by differences of the analytic gradient).

Checked against lavaan 0.6.14 (``scripts/multigroup_fixtures.R``).

References
----------
Joreskog, K. G. (1971). Simultaneous factor analysis in several populations. *Psychometrika*,
36, 409-426.
Sorbom, D. (1974). A general method for studying differences in factor means and factor
structure between groups. *British Journal of Mathematical and Statistical Psychology*, 27,
229-239.
Steiger, J. H. (1998). A note on multiple sample extensions of the RMSEA fit index.
*Structural Equation Modeling*, 5, 411-419.
lavaan ``R/lav_partable.R`` (``group.equal``), ``R/lav_model_objective.R``,
``R/lav_fit_rmsea.R``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from replication.engine import fit_indices as fi
from replication.engine import robust as rb
from replication.engine.distributions import norm_sf
from replication.engine.errors import InputError
from replication.engine.multigroup_table import (EQUAL_CATEGORIES, GroupTable, group_table,
                                                split_groups)
from replication.engine.numdiff import gradient_jacobian
from replication.engine.partable import ModelSpec, specify
from replication.engine.numbers import json_float
from replication.engine.ram import RAM
from replication.engine.result_base import ResultBase

__all__ = [
    "EQUAL_CATEGORIES",
    "GroupTable",
    "group_table",
    "MultiGroupResult",
    "fit_groups",
    "split_groups",
]


# ------------------------------------------------------------------------------------------
# Moments and their Jacobian per group
# ------------------------------------------------------------------------------------------
class _Group:
    """Moments ``(mu, vech Sigma)`` of one group and their Jacobian in the global parameters."""

    def __init__(self, table: GroupTable, g: int):
        self.spec = table.specs[g]
        self.ram = RAM(self.spec)
        self.cov_map = table.cov_map[g]
        self.mean_map = table.mean_map[g]
        self.Q = table.n_free
        self.p = self.ram.p
        self.vr, self.vc = rb.vech_index(self.p)

    def local(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        m = np.zeros(self.ram.m)
        for pos, k in self.mean_map:
            m[pos] = theta[k]
        return theta[self.cov_map], m

    def moments(self, theta: np.ndarray):
        th, m = self.local(theta)
        A, Sm, B, G, Sigma = self.ram.parts(th)
        return G @ m, Sigma, B, G, th, m

    def jacobian(self, theta: np.ndarray):
        """``(mu, Sigma, Delta)`` with ``Delta`` of shape ``(p + p*, Q)``, means first."""
        mu, Sigma, B, G, th, m = self.moments(theta)
        p = self.p
        Delta = np.zeros((p + len(self.vr), self.Q))
        if len(th):
            D, _ = self.ram.delta(th)
            Delta[p:, self.cov_map] += D[:, self.vr, self.vc].T
            Bm = B @ m
            r = self.ram
            dmu = G[:, r.a_rows] * Bm[r.a_cols][None, :]  # (p, n_a)
            np.add.at(Delta[:p].T, self.cov_map[r.a_par], dmu.T)
        for pos, k in self.mean_map:
            Delta[:p, k] += G[:, pos]
        return mu, Sigma, Delta


def _discrepancy(mu, Sigma, xbar, S, logdet_S) -> float:
    try:
        K = np.linalg.cholesky(Sigma)
    except np.linalg.LinAlgError:
        return math.inf
    Ki = np.linalg.inv(K)
    Si = Ki.T @ Ki
    d = xbar - mu
    p = len(S)
    return float(2 * np.sum(np.log(np.diag(K))) + np.sum(Si * S) - logdet_S - p + d @ Si @ d)


# ------------------------------------------------------------------------------------------
# Estimation
# ------------------------------------------------------------------------------------------
class _Problem:
    """The multi-group ML problem: groups, sample moments, discrepancy, scoring."""

    def __init__(self, table: GroupTable, Xs: list[np.ndarray]):
        self.table = table
        self.groups = [_Group(table, g) for g in range(len(Xs))]
        self.Xs = Xs
        self.n = np.array([len(X) for X in Xs], float)
        self.xbar = [X.mean(axis=0) for X in Xs]
        self.S = [np.cov(X, rowvar=False, bias=True) for X in Xs]
        self.logdet = [np.linalg.slogdet(S)[1] for S in self.S]

    def chisq_groups(self, theta: np.ndarray) -> np.ndarray:
        return np.array([n * _discrepancy(*grp.moments(theta)[:2], xb, S, ld)
                         for grp, n, xb, S, ld in zip(self.groups, self.n, self.xbar, self.S,
                                                      self.logdet)])

    def objective(self, theta: np.ndarray) -> float:
        return float(np.sum(self.chisq_groups(theta)))

    def scoring_parts(self, theta: np.ndarray):
        """Expected information ``sum n_g Delta' W Delta`` and ``sum n_g Delta' W r_g`` (minus
        half the gradient of ``T``), with ``r_g = (xbar - mu, vech(S + d d' - Sigma))``."""
        Q = self.table.n_free
        info = np.zeros((Q, Q))
        rhs = np.zeros(Q)
        for grp, n, xb, S in zip(self.groups, self.n, self.xbar, self.S):
            mu, Sigma, D = grp.jacobian(theta)
            W = rb.normal_weight(Sigma, meanstructure=True)
            d = xb - mu
            M = S + np.outer(d, d) - Sigma
            r = np.concatenate([d, M[grp.vr, grp.vc]])
            WD = W @ D
            info += n * D.T @ WD
            rhs += n * WD.T @ r
        return info, rhs

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        return -2.0 * self.scoring_parts(theta)[1]

    def fit(self, theta0: np.ndarray, max_iter: int = 300):
        """Fisher scoring with step halving; converged when the scoring decrement
        ``r' I^-1 r`` (half the predicted decrease of ``T``) is below ``1e-12 N``, a criterion
        that does not depend on the units of the variables (Boyd & Vandenberghe 2004, sec.
        9.5.1). Scoring converges in a few dozen iterations when it converges at all (at most
        37 in the test suite's lavaan comparisons); ``max_iter`` bounds the time spent on a
        model that does not converge, as on data that carry no structure."""
        theta = theta0.copy()
        f = self.objective(theta)
        ntot = float(self.n.sum())
        for _ in range(max_iter):
            info, rhs = self.scoring_parts(theta)
            try:
                step = np.linalg.solve(info, rhs)
            except np.linalg.LinAlgError:
                return theta, False
            dec = float(rhs @ step)
            if dec < 1e-12 * ntot:
                return theta, True
            t = 1.0
            slack = 1e-12 * max(1.0, abs(f))  # rounding of T
            while t > 1e-10:
                cand = theta + t * step
                fc = self.objective(cand)
                if np.isfinite(fc) and fc <= f + slack:
                    break
                t *= 0.5
            else:
                return theta, False
            theta, f = cand, fc
        return theta, False

    def lbfgs(self, theta0: np.ndarray) -> np.ndarray:
        """L-BFGS on ``T`` with its analytic gradient (when scoring cannot reach the minimum)."""
        from scipy import optimize

        def fun(t):
            f = self.objective(t)
            if not np.isfinite(f):
                return 1e20, np.zeros_like(t)
            return f, self.gradient(t)

        res = optimize.minimize(fun, theta0, jac=True, method="L-BFGS-B",
                                options={"maxiter": 1000, "gtol": 1e-10, "ftol": 1e-15})
        return res.x

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        """Hessian of ``T`` by central differences of its analytic gradient."""
        return gradient_jacobian(self.gradient, theta, 1e-6)


def _simple_start(spec: ModelSpec, S: np.ndarray) -> np.ndarray:
    """Start values in the manner of lavaan's ``start = "simple"``: half the sample variances
    for residual variances, loadings from the covariance with the marker indicator, 0 for
    regressions and covariances, 0.05 or half the marker variance for latent variances."""
    ovi = {v: i for i, v in enumerate(spec.ov)}
    marker = {}
    for r in spec.rows:
        if r["op"] == "=~" and r["free"] < 0 and r["rhs"] in ovi:
            marker.setdefault(r["lhs"], r["rhs"])
    theta = np.zeros(spec.n_free)
    for r in spec.free_rows():
        k, lhs, op, rhs = r["free"], r["lhs"], r["op"], r["rhs"]
        if op == "=~":
            m = marker.get(lhs)
            theta[k] = 1.0
            if m is not None and rhs in ovi and S[ovi[m], ovi[m]] > 0:
                theta[k] = float(np.clip(S[ovi[m], ovi[rhs]] / (0.5 * S[ovi[m], ovi[m]]), -5, 5))
        elif op == "~~" and lhs == rhs:
            m = lhs if lhs in ovi else marker.get(lhs)
            theta[k] = 0.5 * S[ovi[m], ovi[m]] if m is not None else 0.05
    return theta


def _start(table: GroupTable, Xs: list[np.ndarray], xbars: list[np.ndarray]) -> np.ndarray:
    """Start values: the single-group ML estimates from the pooled within-group covariance
    matrix for the covariance structure, group means for the intercepts, 0 for latent means."""
    base = table.base
    ntot = sum(len(X) for X in Xs)
    S = sum(np.cov(X, rowvar=False, bias=True) * len(X) for X in Xs) / ntot
    ram = RAM(base)
    theta, conv, _ = ram.fisher(_simple_start(base, S), S)
    if not conv:
        theta, conv, _ = ram.fisher(ram.lbfgs(theta, S), S)
    est = {}
    for r in base.rows:
        est[(r["lhs"], r["op"], r["rhs"])] = theta[r["free"]] if r["free"] >= 0 else r["value"]
    ov = base.ov
    out = np.zeros(table.n_free)
    for r in table.rows:
        if r["free"] < 0:
            continue
        if r["op"] == "~1":
            out[r["free"]] = xbars[r["group"]][ov.index(r["lhs"])] if r["lhs"] in ov else 0.0
        else:
            out[r["free"]] = est.get((r["lhs"], r["op"], r["rhs"]), 0.0)
    return out


# ------------------------------------------------------------------------------------------
# Result
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MultiGroupResult(ResultBase):
    """A fitted multi-group model.

    Attributes
    ----------
    params : DataFrame
        ``lhs, op, rhs, group, label, est, se, z, pvalue, std_lv, std_all`` (``group`` the
        group label; ``label`` the user's label or lavaan's equality label ``.pN.`` of a
        parameter shared by the groups; fixed parameters have NaN ``se``, ``z``, ``pvalue``),
        standard errors robust for MLM and MLR. ``parameters`` is a copy of it.
    fit_measures : dict
        lavaan's names: ``npar, ntotal, chisq, df, pvalue, baseline.chisq, baseline.df, cfi,
        tli, rmsea, rmsea.ci.lower, rmsea.ci.upper, rmsea.pvalue, rmsea.notclose.pvalue, srmr,
        logl, unrestricted.logl, aic, bic`` and, for MLM and MLR,
        :data:`replication.engine.robust.SCALED_MEASURES`.
    chisq_group : dict
        ``{label: n_g F_g}`` (lavaan's test statistic for each group).
    group_labels : list of str
    nobs : list of int
    estimator : str
    converged : bool
    warnings : list of str
    r2_groups : dict
        ``{label: {variable: R-squared}}``; ``r2`` is the same as a Series indexed by
        ``(group, variable)``.
    """

    params: pd.DataFrame
    fit_measures: dict
    chisq_group: dict
    group_labels: list[str]
    nobs: list[int]
    estimator: str
    converged: bool
    warnings: list[str] = field(default_factory=list)
    theta: np.ndarray = field(repr=False, default=None)
    vcov: np.ndarray = field(repr=False, default=None)
    table: GroupTable = field(repr=False, default=None)
    r2_groups: dict = field(default_factory=dict)
    missing: str = "listwise"
    group_equal: list = field(default_factory=list)
    group_partial: list = field(default_factory=list)

    @property
    def parameters(self) -> pd.DataFrame:
        """The parameter table (a copy of :attr:`params`)."""
        return self.params.copy()

    @property
    def r2(self) -> pd.Series:
        """R-squared per group, indexed by ``(group, variable)``."""
        pairs = [((g, v), x) for g, d in self.r2_groups.items() for v, x in d.items()]
        index = pd.MultiIndex.from_tuples([k for k, _ in pairs], names=["group", "variable"])
        return pd.Series([x for _, x in pairs], index=index, dtype=float, name="r2")

    @property
    def n(self) -> int:
        """Rows used in all groups."""
        return int(sum(self.nobs))

    def _json(self, digits: int = 6) -> dict:
        """``parameters`` (with ``group``; ``label`` where there is one), ``fit_measures``,
        ``r2`` per group, ``groups`` (``group, n, chisq``), ``group_equal``,
        ``group_partial``, ``converged``, ``warnings``, ``n``, ``estimator``, ``missing``."""
        from replication.engine.results import parameter_dicts

        return {"parameters": parameter_dicts(self.params, digits, group=True),
                "fit_measures": {k: json_float(v, digits) for k, v in self.fit_measures.items()},
                "r2": {str(g): {v: json_float(x, digits) for v, x in d.items()}
                       for g, d in self.r2_groups.items()},
                "groups": [{"group": g, "n": int(n), "chisq": json_float(self.chisq_group[g],
                                                                           digits)}
                           for g, n in zip(self.group_labels, self.nobs)],
                "group_equal": list(self.group_equal), "group_partial": list(self.group_partial),
                "converged": bool(self.converged), "warnings": list(self.warnings),
                "n": self.n, "estimator": self.estimator, "missing": self.missing}


def labels_of(table: GroupTable) -> list[str]:
    """lavaan's label of every row: the user's label, or ``.pN.`` (``N`` the row number of
    the parameter's first row, from 1) when groups share the parameter, else ``""``."""
    first: dict[int, int] = {}
    count: dict[int, int] = {}
    for i, r in enumerate(table.rows):
        if r["free"] >= 0:
            first.setdefault(r["free"], i)
            count[r["free"]] = count.get(r["free"], 0) + 1
    out = []
    for r in table.rows:
        if r.get("label"):
            out.append(r["label"])
        elif r["free"] >= 0 and count[r["free"]] > 1:
            out.append(f".p{first[r['free']] + 1}.")
        else:
            out.append("")
    return out


def r2_of(groups: list, labels: list[str], theta: np.ndarray) -> dict:
    """R-squared of every endogenous variable, group by group."""
    from replication.engine.results import _r_squared

    out = {}
    for lab, grp in zip(labels, groups):
        th, _ = grp.local(theta)
        out[lab] = _r_squared(grp.spec, grp.ram, th)
    return out


def _std_rows(prob: _Problem, theta: np.ndarray) -> list[tuple[float, float]]:
    """``(std_lv, std_all)`` of every row of the table, group by group (lavaan
    ``standardizedSolution``: an intercept keeps its value in ``std_lv`` and is divided by the
    model-implied SD of its variable in ``std_all``; a latent mean is divided by its SD in
    both)."""
    out = []
    lv = set(prob.table.base.lv)
    for g, grp in enumerate(prob.groups):
        th, m = grp.local(theta)
        std, std_lv = grp.ram.standardized(th), grp.ram.standardized_lv(th)
        sd = np.sqrt(np.diag(grp.ram.total_cov(th)))
        names = grp.spec.names
        k = 0
        for r in prob.table.rows:
            if r["group"] != g:
                continue
            if r["op"] == "~1":
                pos = names.index(r["lhs"])
                val = theta[r["free"]] if r["free"] >= 0 else r["value"]
                s_all = float(val / sd[pos]) if sd[pos] > 0 else math.nan
                out.append((s_all if r["lhs"] in lv else float(val), s_all))
            else:
                out.append((float(std_lv[k]), float(std[k])))
                k += 1
    return out


def _param_table(prob: _Problem, theta: np.ndarray, vcov: np.ndarray) -> pd.DataFrame:
    se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    std = _std_rows(prob, theta)
    recs = []
    for r, (s_lv, s_all) in zip(prob.table.rows, std):
        if r["free"] >= 0:
            est, s = float(theta[r["free"]]), float(se[r["free"]])
            z = est / s if s > 0 else math.nan
            pv = 2 * norm_sf(abs(z)) if math.isfinite(z) else math.nan
        else:
            est, s, z, pv = float(r["value"]), math.nan, math.nan, math.nan
        recs.append({"lhs": r["lhs"], "op": r["op"], "rhs": r["rhs"],
                     "group": prob.table.labels[r["group"]], "label": "", "est": est, "se": s,
                     "z": z, "pvalue": pv, "std_lv": s_lv, "std_all": s_all})
    out = pd.DataFrame(recs)
    out["label"] = labels_of(prob.table)
    return out


def _srmr(prob: _Problem, theta: np.ndarray) -> float:
    """lavaan's ``srmr`` of a model with a mean structure: per group the root mean square of
    the residuals of the covariances and the means divided by the sample standard deviations
    (lavaan's ``cor.bentler``; lower triangle with the diagonal), weighted by ``n_g / N``.

    References
    ----------
    lavaan ``R/lav_fit_srmr.R`` (``srmr_bentler`` with means).
    """
    tot = 0.0
    for grp, n, xb, S in zip(prob.groups, prob.n, prob.xbar, prob.S):
        mu, Sigma = grp.moments(theta)[:2]
        sd = np.sqrt(np.diag(S))
        R = (S - Sigma) / np.outer(sd, sd)
        p = len(S)
        e = (xb - mu) / sd
        ss = np.sum(R[np.tril_indices(p)] ** 2) + np.sum(e ** 2)
        tot += n / prob.n.sum() * math.sqrt(ss / (p * (p + 1) / 2 + p))
    return float(tot)


def _ml_measures(prob: _Problem, theta: np.ndarray, chisq_g: np.ndarray) -> dict:
    table = prob.table
    G, p = len(prob.groups), len(table.base.ov)
    N = float(prob.n.sum())
    chisq = float(chisq_g.sum())
    df = table.df
    b_chisq = float(sum(n * (np.sum(np.log(np.diag(S))) - ld)
                        for n, S, ld in zip(prob.n, prob.S, prob.logdet)))
    b_df = G * p * (p - 1) // 2
    logl_h1 = float(sum(-0.5 * n * (p * math.log(2 * math.pi) + ld + p)
                        for n, ld in zip(prob.n, prob.logdet)))
    logl = logl_h1 - 0.5 * chisq
    lo, hi = fi.rmsea_ci(chisq, df, N) if df > 0 else (0.0, 0.0)
    close, notclose = rb.rmsea_pvalues(chisq, df, N, G)
    return {
        "npar": float(table.n_free), "ntotal": N, "chisq": chisq, "df": float(df),
        "pvalue": fi.chisq_pvalue(chisq, df), "baseline.chisq": b_chisq,
        "baseline.df": float(b_df), "baseline.pvalue": fi.chisq_pvalue(b_chisq, b_df),
        "cfi": fi.cfi(chisq, df, b_chisq, b_df),
        "tli": fi.tli(chisq, df, b_chisq, b_df), "rmsea": rb._rmsea(chisq, df, N, G),
        "rmsea.ci.lower": lo * math.sqrt(G), "rmsea.ci.upper": hi * math.sqrt(G),
        "rmsea.pvalue": close, "rmsea.notclose.pvalue": notclose,
        "srmr": _srmr(prob, theta), "logl": logl, "unrestricted.logl": logl_h1,
        "aic": fi.aic(logl, table.n_free), "bic": fi.bic(logl, table.n_free, N),
        "bic2": fi.sabic(logl, table.n_free, N),
    }


def _robust_parts(prob: _Problem, theta: np.ndarray, estimator: str):
    """(vcov, tr(U Gamma)) of a multi-group model for MLM or MLR."""
    N = prob.n.sum()
    f = prob.n / N
    Ds, Ws, mus, Sigmas = [], [], [], []
    for grp in prob.groups:
        mu, Sigma, D = grp.jacobian(theta)
        Ds.append(D)
        Ws.append(rb.normal_weight(Sigma, meanstructure=True))
        mus.append(mu)
        Sigmas.append(Sigma)
    if estimator == "MLM":
        E = sum(fg * D.T @ W @ D for fg, D, W in zip(f, Ds, Ws))
        E_inv = np.linalg.inv(E)
        Gs = [rb.gamma_adf(X, meanstructure=True) for X in prob.Xs]
        meat = sum(fg * D.T @ W @ Gm @ W @ D for fg, D, W, Gm in zip(f, Ds, Ws, Gs))
        return rb.sandwich(E_inv, meat, N), rb.trace_ugamma_sb(Ds, Ws, Gs, list(f), E_inv)
    H = prob.hessian(theta) / (2 * N)
    H_inv = np.linalg.inv(H)
    B0 = np.zeros_like(H)
    A1s, B1s = [], []
    for fg, X, D, mu, Sigma, xb, S in zip(f, prob.Xs, Ds, mus, Sigmas, prob.xbar, prob.S):
        s0 = rb.moment_scores(X, mu, Sigma, meanstructure=True) @ D
        B0 += fg * s0.T @ s0 / len(X)
        s1 = rb.moment_scores(X, xb, S, meanstructure=True)
        B1s.append(s1.T @ s1 / len(X))
        A1s.append(rb.normal_weight(S, meanstructure=True))
    return rb.sandwich(H_inv, B0, N), rb.trace_ugamma_mplus(A1s, B1s, B0, H_inv)


def _independence(prob: _Problem) -> tuple[_Problem, np.ndarray]:
    """The baseline model of every group (free means and variances) at its estimates."""
    base = rb.independence_spec(prob.table.base.ov)
    table = group_table(base, prob.table.labels)
    prob0 = _Problem(table, prob.Xs)
    theta0 = np.zeros(table.n_free)
    ov = base.ov
    for r in table.rows:
        g, i = r["group"], ov.index(r["lhs"])
        theta0[r["free"]] = prob.xbar[g][i] if r["op"] == "~1" else prob.S[g][i, i]
    return prob0, theta0


def fit_groups(model: str, data: pd.DataFrame, group: str, *, group_equal=(),
               group_partial=(), estimator: str = "ML", cov_y: bool = True) -> MultiGroupResult:
    """Fit a lavaan-syntax model to several groups (lavaan ``cfa/sem(..., group = group)``).

    Parameters
    ----------
    model : str
        lavaan syntax.
    data : DataFrame
        Responses with the model's columns and the ``group`` column.
    group : str
        Column whose values define the groups (in order of first appearance, as lavaan).
    group_equal : iterable of str
        Categories of :data:`EQUAL_CATEGORIES` equal across groups (lavaan ``group.equal``).
    group_partial : iterable of str
        Parameters freed from those constraints (lavaan ``group.partial``), e.g. ``"x3 ~ 1"``.
    estimator : {"ML", "MLM", "MLR"}
    cov_y : bool, default True
        Free covariances among pure dependent variables (``sem()``/``cfa()``).

    Returns
    -------
    MultiGroupResult

    Raises
    ------
    InputError
        Unknown column, category or estimator, fewer than two groups, a group with too few
        complete rows, observed predictors, or a model that cannot be estimated.
    """
    estimator = estimator.upper()
    if estimator not in ("ML",) + rb.ROBUST_ESTIMATORS:
        raise InputError(f"estimator: {estimator!r} is not available for multi-group models; "
                         "expected ML, MLM or MLR")
    base = specify(model, cov_y=cov_y)
    labels, Xs = split_groups(data, group, base.ov)
    table = group_table(base, labels, group_equal, group_partial)
    prob = _Problem(table, Xs)
    theta, converged = prob.fit(_start(table, Xs, prob.xbar))
    if not converged:  # quasi-Newton from where scoring stopped, then scoring again
        theta, converged = prob.fit(prob.lbfgs(theta))
    warn = [] if converged else ["the optimizer did not converge; estimates are not a "
                                 "maximum-likelihood solution"]
    chisq_g = prob.chisq_groups(theta)
    fm = _ml_measures(prob, theta, chisq_g)
    info, _ = prob.scoring_parts(theta)
    try:
        vcov = np.linalg.inv(info)
        if estimator != "ML":
            vcov, tr = _robust_parts(prob, theta, estimator)
            prob0, theta0 = _independence(prob)
            _, tr0 = _robust_parts(prob0, theta0, estimator)
            df, b_df = fm["df"], fm["baseline.df"]
            c = tr / df if df > 0 else math.nan
            fm.update(rb.scaled_measures(fm["chisq"], df, c, tr, fm["baseline.chisq"], b_df,
                                         tr0 / b_df, int(fm["ntotal"]), len(labels)))
    except np.linalg.LinAlgError:
        vcov = np.full((table.n_free, table.n_free), np.nan)
        warn.append("the information matrix is singular: the model may not be identified; "
                    "standard errors are not available")
    return MultiGroupResult(params=_param_table(prob, theta, vcov), fit_measures=fm,
                            chisq_group=dict(zip(labels, map(float, chisq_g))),
                            group_labels=labels, nobs=[len(X) for X in Xs],
                            estimator=estimator, converged=converged, warnings=warn,
                            theta=theta, vcov=vcov, table=table,
                            r2_groups=r2_of(prob.groups, labels, theta),
                            group_equal=list(group_equal), group_partial=list(group_partial))
