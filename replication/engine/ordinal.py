"""Ordered (Likert) items: thresholds, polychoric correlations and their asymptotic covariance,
and DWLS / WLSMV estimation in the delta parameterization (lavaan ``cfa(..., ordered = TRUE,
estimator = "WLSMV")``).

Plain functions:

* :func:`bvn_cdf`: the bivariate normal distribution function (Genz's algorithm);
* :func:`thresholds`: ``tau_k = Phi^-1(P(y <= k))`` of one item;
* :func:`polychoric`: the two-step ML polychoric correlation of two items;
* :func:`sample_statistics`: thresholds, polychoric matrix and their asymptotic covariance
  ``Gamma`` (Muthen 1984; lavaan's ``NACOV``), as ``lavaan::lavCor``.

:func:`fit_ordinal` fits a model and returns an :class:`OrdinalResult`.

Notes
-----
The statistics are ``s = (tau, r)``: the thresholds of every item, then the polychoric
correlations below the diagonal, column by column. The model (delta parameterization) has free
thresholds and ``rho(theta) = offdiag(Lambda Psi Lambda' + Theta)`` with the residual variances
``1 - diag(Lambda Psi Lambda')`` not free. DWLS minimizes ``F = (s - sigma)' W (s - sigma)``
with ``W = diag(Gamma)^-1``; ``chisq = (N - 1) F`` (lavaan's ``fmin`` of the least-squares
estimators carries ``(N - 1) / N``). With ``Delta = d sigma / d theta`` and
``E = Delta' W Delta``: DWLS standard errors ``((N - 1) E)^-1`` (lavaan ``se = "standard"``,
divisor ``N - 1`` for these estimators); WLSMV robust
``E^-1 Delta' W Gamma W Delta E^-1 / (N - 1)``; RMSEA with ``N - 1``; and the scaled-and-shifted test
``a chisq + b`` with ``U = W - W Delta E^-1 Delta' W``, ``a = sqrt(df / tr((U Gamma)^2))``,
``b = df - a tr(U Gamma)`` (lavaan ``chisq.scaling.factor = 1 / a``). The baseline model has
free thresholds and zero correlations.

Checked against lavaan 0.6.14 on bfi items (``scripts/ordinal_fixtures.R``).

References
----------
Muthen, B. (1984). A general structural equation model with dichotomous, ordered categorical,
and continuous latent variable indicators. *Psychometrika*, 49, 115-132.
Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation coefficient.
*Psychometrika*, 44, 443-460.
Genz, A. (2004). Numerical computation of rectangular bivariate and trivariate normal and t
probabilities. *Statistics and Computing*, 14, 251-260.
Muthen, B., du Toit, S. H. C., & Spisic, D. (1997). Robust inference using weighted least
squares and quadratic estimating equations in latent variable modeling with categorical and
continuous outcomes. Unpublished manuscript (the WLSMV test).
Asparouhov, T., & Muthen, B. (2010). Simple second order chi-square correction. Mplus note.
lavaan ``R/lav_muthen1984.R``, ``R/lav_bvord.R``, ``R/lav_uvord.R``,
``R/lav_test_satorra_bentler.R``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from replication.engine.bvnorm import bvn_cdf
from replication.engine.errors import InputError
from replication.engine.numbers import json_float
from replication.engine.partable import ModelSpec, specify
from replication.engine.ram import RAM
from replication.engine.result_base import ResultBase

__all__ = ["bvn_cdf", "thresholds", "polychoric", "sample_statistics", "OrdinalResult",
           "fit_ordinal"]

_BIG = 12.0  # stands for an infinite threshold (Phi(12) = 1 in double precision)


def thresholds(codes: np.ndarray, n_cat: int) -> np.ndarray:
    """Thresholds of an item with categories ``0 .. n_cat - 1``: ``Phi^-1`` of the cumulative
    proportions (the univariate ML estimates; lavaan ``lav_uvord_fit`` without covariates)."""
    counts = np.bincount(codes, minlength=n_cat)
    return stats.norm.ppf(np.cumsum(counts)[:-1] / len(codes))


def _ext(tau: np.ndarray) -> np.ndarray:
    return np.concatenate([[-_BIG], tau, [_BIG]])


def _cell_probs(t1: np.ndarray, t2: np.ndarray, rho: float) -> np.ndarray:
    e1, e2 = _ext(t1), _ext(t2)
    H, K = np.meshgrid(e1, e2, indexing="ij")
    F = bvn_cdf(H.ravel(), K.ravel(), rho).reshape(H.shape)
    return np.diff(np.diff(F, axis=0), axis=1)


def _phi2(H, K, rho):
    s2 = 1 - rho * rho
    return np.exp(-(H * H - 2 * rho * H * K + K * K) / (2 * s2)) / (2 * math.pi * math.sqrt(s2))


def _two_by_two(table: np.ndarray, t1: np.ndarray, t2: np.ndarray):
    """lavaan's special cases of a 2 x 2 table: ``(rho or None, table)``.

    Two empty cells give ``rho = 1`` (or -1); one empty cell gets 0.5 added to the cells of its
    diagonal and taken from the other two (the margins kept); a table with equal cross
    products has ``rho = 0``; two median splits give ``-cos(2 pi p_11)``.
    """
    zero = table == 0
    if zero.sum() == 2:
        return (1.0 if table[0, 0] > 0 else -1.0), table
    if zero.sum() == 1:
        table = table.astype(float).copy()
        sign = 1.0 if zero[0, 0] or zero[1, 1] else -1.0
        table += sign * np.array([[0.5, -0.5], [-0.5, 0.5]])
    if table[0, 0] * table[1, 1] == table[0, 1] * table[1, 0]:
        return 0.0, table
    if t1[0] == 0 and t2[0] == 0:
        return -math.cos(2 * math.pi * table[0, 0] / table.sum()), table
    return None, table


def polychoric(table: np.ndarray, t1: np.ndarray, t2: np.ndarray) -> float:
    """Two-step ML polychoric correlation of a contingency table given the thresholds.

    Maximizes ``sum_ab n_ab log P_ab(rho)`` on ``[-0.999, 0.999]`` (lavaan's bounds); a 2 x 2
    table follows lavaan's special cases (:func:`_two_by_two`).

    References
    ----------
    Olsson, U. (1979). *Psychometrika*, 44, 443-460.
    lavaan ``R/lav_bvord.R`` (``lav_bvord_cor_twostep_fit``, ``zero.add = c(0.5, 0)``,
    ``zero.keep.margins = TRUE``).
    """
    if table.shape == (2, 2):
        rho, table = _two_by_two(table, t1, t2)
        if rho is not None:
            return float(rho)

    def negll(rho):
        P = np.maximum(_cell_probs(t1, t2, rho), 1e-300)
        return -float(np.sum(table * np.log(P)))

    res = optimize.minimize_scalar(negll, bounds=(-0.999, 0.999), method="bounded",
                                   options={"xatol": 1e-10})
    return float(res.x)


def _pair_scores(t1, t2, rho):
    """Per-cell derivatives of ``log P_ab`` in ``rho``, ``t1`` and ``t2``."""
    e1, e2 = _ext(t1), _ext(t2)
    P = np.maximum(_cell_probs(t1, t2, rho), 1e-300)
    H, K = np.meshgrid(e1, e2, indexing="ij")
    dens = _phi2(H, K, rho)
    dens[[0, -1], :] = 0.0
    dens[:, [0, -1]] = 0.0
    d_rho = np.diff(np.diff(dens, axis=0), axis=1) / P
    s = math.sqrt(1 - rho * rho)
    # d F(e1_a, e2_b) / d e1_a = phi(e1_a) Phi((e2_b - rho e1_a) / s)
    G1 = stats.norm.pdf(H) * stats.norm.cdf((K - rho * H) / s)
    G1[[0, -1], :] = 0.0
    G1 = np.diff(G1, axis=1)  # (K1 + 1, K2): over b
    G2 = stats.norm.pdf(K) * stats.norm.cdf((H - rho * K) / s)
    G2[:, [0, -1]] = 0.0
    G2 = np.diff(G2, axis=0)  # (K1, K2 + 1): over a
    n1, n2 = len(t1) + 1, len(t2) + 1
    d_t1 = np.zeros((n1, n2, len(t1)))
    d_t2 = np.zeros((n1, n2, len(t2)))
    for k in range(len(t1)):  # cells a = k (upper bound) and a = k + 1 (lower bound)
        d_t1[k, :, k] = G1[k + 1] / P[k]
        d_t1[k + 1, :, k] = -G1[k + 1] / P[k + 1]
    for k in range(len(t2)):
        d_t2[:, k, k] = G2[:, k + 1] / P[:, k]
        d_t2[:, k + 1, k] = -G2[:, k + 1] / P[:, k + 1]
    return d_rho, d_t1, d_t2


def _codes(data: pd.DataFrame, items: list[str]) -> tuple[np.ndarray, list[list]]:
    """Items as category codes ``0 .. K-1`` (sorted observed values, as lavaan's levels)."""
    codes, levels = [], []
    for v in items:
        col = data[v].to_numpy(float)
        lev = np.unique(col)
        if len(lev) < 2:
            raise InputError(f"data: ordered column {v!r} has a single category; expected at "
                             "least two")
        if len(lev) > 20:
            raise InputError(f"data: ordered column {v!r} has {len(lev)} distinct values; "
                             "expected an item with a few ordered categories")
        codes.append(np.searchsorted(lev, col))
        levels.append(list(lev))
    return np.column_stack(codes), levels


def sample_statistics(Y: np.ndarray, n_cat: list[int]):
    """Thresholds, polychoric correlations and their asymptotic covariance (lavaan's NACOV).

    Parameters
    ----------
    Y : ndarray of int
        Category codes ``0 .. n_cat[j] - 1`` (complete rows).
    n_cat : list of int

    Returns
    -------
    tau : list of ndarray
        Thresholds of each item.
    R : ndarray
        Polychoric correlation matrix.
    Gamma : ndarray
        ``N`` times the asymptotic covariance of ``(tau, r)`` (``r`` below the diagonal,
        column by column), from the casewise scores of the univariate and bivariate
        likelihoods with the two-step correction ``B^-1 (sum_i s_i s_i') B^-T``.

    References
    ----------
    Muthen, B. (1984). *Psychometrika*, 49, 115-132.
    lavaan ``R/lav_muthen1984.R`` (``muthen1984``).
    """
    N, p = Y.shape
    tau = [thresholds(Y[:, j], n_cat[j]) for j in range(p)]
    th_start = np.concatenate([[0], np.cumsum([len(t) for t in tau])])
    T = int(th_start[-1])
    sc_th = np.zeros((N, T))
    for j in range(p):
        P = np.diff(stats.norm.cdf(_ext(tau[j])))
        dens = stats.norm.pdf(tau[j])
        for k in range(len(tau[j])):
            sc_th[:, th_start[j] + k] = np.where(Y[:, j] == k, dens[k] / P[k], 0.0) - np.where(
                Y[:, j] == k + 1, dens[k] / P[k + 1], 0.0)
    pairs = [(i, j) for j in range(p - 1) for i in range(j + 1, p)]
    R = np.eye(p)
    sc_cor = np.zeros((N, len(pairs)))
    A21 = np.zeros((len(pairs), T))
    for c, (i, j) in enumerate(pairs):
        table = np.zeros((n_cat[i], n_cat[j]))
        np.add.at(table, (Y[:, i], Y[:, j]), 1.0)
        rho = polychoric(table, tau[i], tau[j])
        R[i, j] = R[j, i] = rho
        d_rho, d_t1, d_t2 = _pair_scores(tau[i], tau[j], rho)
        s = d_rho[Y[:, i], Y[:, j]]
        sc_cor[:, c] = s
        A21[c, th_start[i]:th_start[i + 1]] = s @ d_t1[Y[:, i], Y[:, j]]
        A21[c, th_start[j]:th_start[j + 1]] = s @ d_t2[Y[:, i], Y[:, j]]
    SC = np.hstack([sc_th, sc_cor])
    inner = SC.T @ SC
    A11 = np.zeros((T, T))
    for j in range(p):
        b = slice(th_start[j], th_start[j + 1])
        A11[b, b] = inner[b, b]
    A11_inv = np.linalg.inv(A11)
    A22_inv = np.diag(1.0 / np.sum(sc_cor ** 2, axis=0))
    B_inv = np.zeros((T + len(pairs), T + len(pairs)))
    B_inv[:T, :T] = A11_inv
    B_inv[T:, :T] = -A22_inv @ A21 @ A11_inv
    B_inv[T:, T:] = A22_inv
    Gamma = B_inv @ inner @ B_inv.T * N
    return tau, R, 0.5 * (Gamma + Gamma.T)


# ------------------------------------------------------------------------------------------
# DWLS / WLSMV fit (delta parameterization)
# ------------------------------------------------------------------------------------------
def _delta_spec(spec: ModelSpec) -> tuple[ModelSpec, np.ndarray]:
    """``spec`` with the residual variances of the observed items fixed (they follow from the
    other parameters), and the map of its free parameters to ``spec``'s."""
    rows, old = [], []
    k = 0
    for r in spec.rows:
        r = dict(r)
        if r["op"] == "~~" and r["lhs"] == r["rhs"] and r["lhs"] in spec.ov:
            r["free"], r["value"] = -1, 0.0
        elif r["free"] >= 0:
            if r["free"] in old:
                r["free"] = old.index(r["free"])
            else:
                old.append(r["free"])
                r["free"] = k
                k += 1
        rows.append(r)
    return ModelSpec(ov=spec.ov, lv=spec.lv, rows=rows, n_free=k), np.array(old, int)


def _offdiag(p: int) -> tuple[np.ndarray, np.ndarray]:
    pairs = [(i, j) for j in range(p - 1) for i in range(j + 1, p)]
    return np.array([a for a, _ in pairs], int), np.array([b for _, b in pairs], int)


def _start(model: str, R: np.ndarray, n: int, spec: ModelSpec, dspec: ModelSpec,
           old: np.ndarray) -> np.ndarray:
    """ML estimates for the polychoric matrix as start values."""
    from replication.engine.sem import fit as _fit  # same layer

    res = _fit(model, cov=pd.DataFrame(R, index=spec.ov, columns=spec.ov), n=n)
    theta = np.asarray(res.theta, float)
    return theta[old]


def _dwls(ram: RAM, theta: np.ndarray, r: np.ndarray, w: np.ndarray, ii, jj,
          max_iter: int = 500) -> tuple[np.ndarray, bool]:
    """Gauss-Newton minimization of ``sum w (r - rho(theta))^2`` with step halving."""
    def f(t):
        return float(np.sum(w * (r - ram.implied(t)[ii, jj]) ** 2))

    fx = f(theta)
    for _ in range(max_iter):
        D, Sigma = ram.delta(theta)
        J = D[:, ii, jj].T
        e = r - Sigma[ii, jj]
        g = J.T @ (w * e)
        step = np.linalg.solve(J.T @ (w[:, None] * J), g)
        if float(g @ step) < 1e-14:
            return theta, True
        t = 1.0
        while t > 1e-10:
            cand = theta + t * step
            fc = f(cand)
            if fc <= fx + 1e-15 * max(1.0, fx):
                break
            t *= 0.5
        else:
            return theta, False
        theta, fx = cand, fc
    return theta, False


def _scaled_shifted(T: float, df: int, UG: np.ndarray) -> tuple[float, float, float]:
    """lavaan's scaled-and-shifted statistic ``a T + b``: returns (stat, 1/a, b)."""
    tr, tr2 = float(np.trace(UG)), float(np.sum(UG * UG.T))
    a = math.sqrt(df / tr2)
    b = df - a * tr
    return a * T + b, 1.0 / a, b


@dataclass(frozen=True)
class OrdinalResult(ResultBase):
    """A model fitted to ordered items by DWLS or WLSMV.

    Attributes
    ----------
    parameters : DataFrame
        ``lhs, op, rhs, group, label, est, se, z, pvalue, std_lv, std_all`` (``group`` is
        ``""``: one group): loadings, latent (co)variances, thresholds (``item | t1``),
        residual variances of the items (``1 - explained``, not free) and lavaan's fixed
        scale factors ``~*~`` and intercepts ``~1``. A copy on every access.
    fit_measures : dict
        lavaan's names: ``npar, ntotal, chisq, df, pvalue, baseline.chisq, baseline.df, cfi,
        tli, rmsea`` (with its interval and p-values), ``srmr`` and, for WLSMV,
        ``chisq.scaled, df.scaled, pvalue.scaled, chisq.scaling.factor,
        chisq.shift.parameters, baseline.chisq.scaled, baseline.pvalue.scaled, cfi.scaled,
        tli.scaled, rmsea.scaled, cfi.robust, tli.robust, rmsea.robust`` (with their
        intervals and p-values).
    r2 : Series
        R-squared of the items (``1 -`` the residual variance of ``y*``) and of the
        endogenous latent variables.
    thresholds : dict
    polychoric : DataFrame
    estimator : str
    converged : bool
    warnings : list of str
    n : int
    """

    table: pd.DataFrame
    fit_measures: dict
    thresholds: dict
    polychoric: pd.DataFrame
    estimator: str
    converged: bool
    warnings: list[str] = field(default_factory=list)
    n: int = 0
    r2_values: dict = field(default_factory=dict)
    missing: str = "listwise"
    shift: float = math.nan

    @property
    def parameters(self) -> pd.DataFrame:
        """The parameter table (a copy)."""
        return self.table.copy()

    @property
    def params(self) -> pd.DataFrame:
        """The parameter table (the name of other results)."""
        return self.parameters

    @property
    def r2(self) -> pd.Series:
        """R-squared (a Series named ``r2``)."""
        return pd.Series(self.r2_values, dtype=float, name="r2")

    def _json(self, digits: int = 6) -> dict:
        """``parameters``, ``fit_measures``, ``r2``, ``converged``, ``warnings``, ``n``,
        ``estimator``, ``missing`` (floats rounded, NaN as null)."""
        from replication.engine.results import parameter_dicts

        fm = dict(self.fit_measures)
        if math.isfinite(self.shift):  # lavaan's summary prints it; fitMeasures() has it not
            fm["chisq.shift.parameters"] = self.shift
        return {"parameters": parameter_dicts(self.table, digits),
                "fit_measures": {k: json_float(v, digits) for k, v in fm.items()},
                "r2": {k: json_float(v, digits) for k, v in self.r2_values.items()},
                "converged": bool(self.converged), "warnings": list(self.warnings),
                "n": int(self.n), "estimator": self.estimator, "missing": self.missing}


def _items(spec: ModelSpec, data: pd.DataFrame, ordered) -> pd.DataFrame:
    if spec.ov_x:
        raise InputError(f"ordered items: observed predictors (fixed.x: {', '.join(spec.ov_x)}) "
                         "are not supported")
    ordered = list(spec.ov) if ordered is None else list(ordered)
    unknown = [v for v in ordered if v not in spec.ov]
    if unknown:
        raise InputError(f"--ordered: {unknown[0]!r} is not an observed variable of the model")
    if set(ordered) != set(spec.ov):
        rest = [v for v in spec.ov if v not in ordered]
        raise InputError(f"--ordered: {rest[0]!r} is not ordered; expected every observed "
                         "variable of the model among the ordered items (--ordered all)")
    absent = [v for v in spec.ov if v not in data.columns]
    if absent:
        raise InputError(f"data: column {absent[0]!r} named in the model is not in the data")
    X = data[spec.ov].apply(pd.to_numeric, errors="coerce")
    bad = [v for v in spec.ov if (X[v].isna() & data[v].notna()).any()]
    if bad:
        raise InputError(f"data: column {bad[0]!r} holds non-numeric values; expected category "
                         "codes")
    X = X.dropna()
    if len(X) <= len(spec.ov):
        raise InputError(f"data: {len(X)} complete rows for {len(spec.ov)} ordered items; "
                         "expected more rows")
    return X


def _table(spec, dspec, old, theta, vcov, tau, levels, Sigma) -> tuple[pd.DataFrame, dict]:
    """lavaan's parameter table of the fitted model (delta parameterization) and the
    R-squared of the items and of the endogenous latent variables."""
    T = sum(len(t) for t in tau)
    se_all = np.sqrt(np.clip(np.diag(vcov), 0, None))
    se_th, se_m = se_all[:T], se_all[T:]
    resid = 1.0 - np.diag(Sigma)
    full = np.zeros(spec.n_free)
    full[old] = theta
    ovi = {v: i for i, v in enumerate(spec.ov)}
    for r in spec.rows:
        if r["op"] == "~~" and r["lhs"] == r["rhs"] and r["lhs"] in ovi and r["free"] >= 0:
            full[r["free"]] = resid[ovi[r["lhs"]]]
    ram = RAM(spec)
    std, std_lv = ram.standardized(full), ram.standardized_lv(full)
    recs = []
    for r, dr, s_all, s_lv in zip(spec.rows, dspec.rows, std, std_lv):
        if dr["free"] >= 0:
            est, se = float(theta[dr["free"]]), float(se_m[dr["free"]])
        elif r["op"] == "~~" and r["lhs"] == r["rhs"] and r["lhs"] in ovi:
            est, se = float(resid[ovi[r["lhs"]]]), math.nan
        else:
            est, se = float(r["value"]), math.nan
        recs.append({"lhs": r["lhs"], "op": r["op"], "rhs": r["rhs"], "est": est, "se": se,
                     "std_lv": float(s_lv), "std_all": float(s_all)})
    k = 0
    for v, t in zip(spec.ov, tau):
        for m, val in enumerate(t):
            recs.append({"lhs": v, "op": "|", "rhs": f"t{m + 1}", "est": float(val),
                         "se": float(se_th[k]), "std_lv": float(val), "std_all": float(val)})
            k += 1
    recs += [{"lhs": v, "op": "~*~", "rhs": v, "est": 1.0, "se": math.nan, "std_lv": 1.0,
              "std_all": 1.0} for v in spec.ov]
    recs += [{"lhs": v, "op": "~1", "rhs": "", "est": 0.0, "se": math.nan, "std_lv": 0.0,
              "std_all": 0.0} for v in spec.ov + spec.lv]
    out = pd.DataFrame(recs)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["z"] = np.where(out.se > 0, out.est / out.se, np.nan)
    out["pvalue"] = 2 * stats.norm.sf(np.abs(out["z"]))
    out["group"] = ""
    labels = [r.get("label") or "" for r in spec.rows]
    out["label"] = labels + [""] * (len(out) - len(labels))
    from replication.engine.results import PARAMETER_COLUMNS, _r_squared

    return out[PARAMETER_COLUMNS], _r_squared(spec, ram, full)


def _catml(R: np.ndarray, Sigma: np.ndarray, J: np.ndarray, w_cor: np.ndarray,
           Gamma_cor: np.ndarray, N: int, df: int) -> dict:
    """lavaan's robust CFI, TLI and RMSEA of a DWLS fit to ordered items (``cfi.robust``,
    ``tli.robust``, ``rmsea.robust`` with its interval).

    ``T3 = N F_ML(R, Sigma(theta))`` (the normal-theory ML discrepancy of the DWLS solution
    from the polychoric matrix) and ``c3 = tr(M' V M Gamma) / df`` with ``M = I - J (J' W J)^-1
    J' W``, ``V`` the normal-theory weight of the correlations at ``Sigma(theta)``; for the
    baseline ``T3 = -N log|R|`` and ``c3 = tr(Gamma) / p*``; then the formulas of
    :func:`replication.engine.robust.scaled_measures` with ``N - 1``.

    References
    ----------
    Savalei, V. (2021). Improving fit indices in structural equation modeling with categorical
    data. *Multivariate Behavioral Research*, 56, 390-407.
    lavaan ``R/lav_fit_utils.R`` (``lav_fit_catml_dwls``), ``R/lav_object_generate.R``
    (``lav_object_catml``).
    """
    from replication.engine import robust as rb  # same layer

    p = len(R)
    Si = np.linalg.inv(Sigma)
    vr, vc = rb.vech_index(p)
    off = np.flatnonzero(vr != vc)  # the order of _offdiag
    Dp = rb.duplication(p)
    V = (0.5 * Dp.T @ np.kron(Si, Si) @ Dp)[np.ix_(off, off)]
    M = np.eye(len(w_cor)) - J @ np.linalg.solve(J.T @ (w_cor[:, None] * J), J.T) * w_cor[None, :]
    t3 = N * float(np.linalg.slogdet(Sigma)[1] + np.sum(R * Si) - np.linalg.slogdet(R)[1] - p)
    t3b = -N * float(np.linalg.slogdet(R)[1])
    c3 = float(np.trace(M.T @ V @ M @ Gamma_cor)) / df
    bdf = len(w_cor)
    c3b = float(np.trace(Gamma_cor)) / bdf
    return {"cfi.robust": rb._cfi(t3, df, t3b, bdf, c3, c3b),
            "tli.robust": rb._tli(t3, df, t3b, bdf, c3, c3b),
            **rb.robust_rmsea(t3 / c3, df, N - 1, 1, c3)}


def _measures(estimator, N, T, q, chisq, base_chisq, UG, UG0, r_res, p) -> dict:
    pstar = p * (p - 1) // 2
    df, bdf = pstar - q, pstar
    fm = {"npar": float(T + q), "chisq": chisq, "df": float(df),
          "pvalue": float(stats.chi2.sf(chisq, df)) if df > 0 else math.nan,
          "baseline.chisq": base_chisq, "baseline.df": float(bdf)}
    from replication.engine import robust as rb  # same layer

    fm["cfi"] = rb._cfi(chisq, df, base_chisq, bdf)
    fm["tli"] = rb._tli(chisq, df, base_chisq, bdf)
    fm["rmsea"] = rb._rmsea(chisq, df, N - 1)
    fm["rmsea.ci.lower"], fm["rmsea.ci.upper"] = rb._rmsea_ci(chisq, df, N - 1)
    fm["rmsea.pvalue"], fm["rmsea.notclose.pvalue"] = rb.rmsea_pvalues(chisq, df, N - 1)
    fm["srmr"] = float(math.sqrt(np.sum(r_res ** 2) / (p * (p + 1) / 2)))
    if estimator == "WLSMV" and df > 0:
        xs, c, b = _scaled_shifted(chisq, df, UG)
        bxs, bc, bb = _scaled_shifted(base_chisq, bdf, UG0)
        fm.update({"chisq.scaled": xs, "df.scaled": float(df),
                   "pvalue.scaled": float(stats.chi2.sf(xs, df)),
                   "chisq.scaling.factor": c,
                   "baseline.chisq.scaled": bxs, "baseline.df.scaled": float(bdf),
                   "baseline.pvalue.scaled": float(stats.chi2.sf(bxs, bdf)),
                   "baseline.chisq.scaling.factor": bc,
                   "cfi.scaled": rb._cfi(xs, df, bxs, bdf), "tli.scaled": rb._tli(xs, df, bxs, bdf),
                   "rmsea.scaled": rb._rmsea(xs, df, N - 1)})
        fm["_shift"] = b
        fm["rmsea.ci.lower.scaled"], fm["rmsea.ci.upper.scaled"] = rb._rmsea_ci(xs, df, N - 1)
        fm["rmsea.pvalue.scaled"], fm["rmsea.notclose.pvalue.scaled"] = rb.rmsea_pvalues(
            xs, df, N - 1)
    return fm


def fit_ordinal(model: str, data: pd.DataFrame, *, ordered=None, estimator: str = "WLSMV",
                cov_y: bool = True) -> OrdinalResult:
    """Fit a model to ordered items by DWLS or WLSMV (lavaan ``cfa(model, data, ordered =
    TRUE, estimator = "WLSMV")``, delta parameterization, listwise deletion).

    Parameters
    ----------
    model : str
        lavaan syntax; every observed variable must be ordered.
    data : DataFrame
        Item answers coded as ordered numbers (categories are the sorted observed values).
    ordered : list of str, optional
        The ordered items (default: every observed variable of the model).
    estimator : {"WLSMV", "DWLS"}
    cov_y : bool, default True

    Returns
    -------
    OrdinalResult

    Raises
    ------
    InputError
        Unknown estimator, items that are not all ordered, observed predictors, an item with
        one category or with more than 20 values, too few rows.
    """
    estimator = estimator.upper()
    if estimator not in ("DWLS", "WLSMV"):
        raise InputError(f"estimator: {estimator!r}; expected DWLS or WLSMV for ordered items")
    spec = specify(model, cov_y=cov_y)
    X = _items(spec, data, ordered)
    Y, levels = _codes(X, spec.ov)
    tau, R, Gamma = sample_statistics(Y, [len(lv) for lv in levels])
    N, p = Y.shape
    T = sum(len(t) for t in tau)
    ii, jj = _offdiag(p)
    r = R[ii, jj]
    w = 1.0 / np.diag(Gamma)
    dspec, old = _delta_spec(spec)
    ram = RAM(dspec)
    theta, conv = _dwls(ram, _start(model, R, N, spec, dspec, old), r, w[T:], ii, jj)
    D, Sigma = ram.delta(theta)
    q = dspec.n_free
    Delta = np.zeros((T + len(r), T + q))
    Delta[:T, :T] = np.eye(T)
    Delta[T:, T:] = D[:, ii, jj].T
    WD = w[:, None] * Delta
    E_inv = np.linalg.inv(Delta.T @ WD)
    if estimator == "WLSMV":
        vcov = E_inv @ (WD.T @ Gamma @ WD) @ E_inv / (N - 1)
    else:
        vcov = E_inv / (N - 1)
    U = np.diag(w) - WD @ E_inv @ WD.T
    U0 = np.diag(np.concatenate([np.zeros(T), w[T:]]))
    e = r - Sigma[ii, jj]
    chisq = float((N - 1) * np.sum(w[T:] * e ** 2))
    base = float((N - 1) * np.sum(w[T:] * r ** 2))
    fm = _measures(estimator, N, T, q, chisq, base, U @ Gamma, U0 @ Gamma, e, p)
    if estimator == "WLSMV" and fm["df"] > 0:
        S1 = Sigma.copy()
        np.fill_diagonal(S1, 1.0)
        fm.update(_catml(R, S1, Delta[T:, T:], w[T:], Gamma[T:, T:], N, int(fm["df"])))
    warn = [] if conv else ["the optimizer did not converge; estimates are not a DWLS solution"]
    table, r2 = _table(spec, dspec, old, theta, vcov, tau, levels, Sigma)
    shift = fm.pop("_shift", math.nan)
    return OrdinalResult(
        shift=shift,
        table=table, fit_measures=fm, r2_values=r2,
        thresholds={v: [float(x) for x in t] for v, t in zip(spec.ov, tau)},
        polychoric=pd.DataFrame(R, index=spec.ov, columns=spec.ov),
        estimator=estimator, converged=conv, warnings=warn, n=N)
