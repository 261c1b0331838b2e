"""Fit CFA and SEM models by maximum likelihood with lavaan's definitions and names.

:func:`fit` reads lavaan syntax, builds lavaan's parameter table (``lavaan()`` with
``auto.var``, ``auto.fix.first``, ``auto.cov.lv.x`` and ``fixed.x``; ``cov_y=True`` adds the
covariances among pure dependent variables that ``sem()`` frees), estimates it with semopy and
refines the solution with Fisher scoring on lavaan's ML discrepancy, so that estimates,
standard errors (expected information), standardized solution, R-squared, fit measures and
modification indices are lavaan's.

Notes
-----
The model-implied covariance matrix uses the RAM form (McArdle & McDonald 1984):
``Sigma = F (I - A)^-1 S (I - A)^-T F'``. The discrepancy is
``F_ML = log|Sigma| + tr(S Sigma^-1) - log|S| - p`` with ``S`` computed with divisor N, the test
statistic is ``T = N F_ML`` (lavaan's ``chisq``, with lavaan's ``fmin = F_ML / 2``), and the
covariance matrix of the estimates is the inverse of ``N`` times the expected information
``I = 1/2 Delta' (Sigma^-1 (x) Sigma^-1) Delta`` (lavaan's default ``information = "expected"``).
"""

from __future__ import annotations

import json
import math
import warnings as _warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, stats

from replication import fit_indices as fi
from replication.errors import InputError
from replication.syntax import Statement, parse_model

__all__ = [
    "SEMResult",
    "ModelSpec",
    "specify",
    "fit",
    "modindices",
    "to_json",
    "fit_files",
    "FIT_MEASURES",
]

FIT_MEASURES = [
    "npar", "ntotal", "chisq", "df", "pvalue", "chisq_df", "baseline.chisq", "baseline.df",
    "cfi", "tli", "nfi", "ifi", "gfi", "agfi", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
    "srmr", "logl", "unrestricted.logl", "aic", "bic",
]
_EPS13 = np.finfo(float).eps ** (1 / 3)


# ------------------------------------------------------------------------------------------
# Parameter table
# ------------------------------------------------------------------------------------------
@dataclass
class ModelSpec:
    """lavaan's parameter table of a model, with the RAM index arrays.

    ``rows`` holds one dict per parameter: ``lhs, op, rhs, free`` (0-based index into the
    free-parameter vector, ``-1`` when fixed), ``value`` (fixed value or 0), ``label``,
    ``exo`` (a fixed.x moment set to its sample value) and ``user`` (written in the model).
    """

    ov: list[str]
    lv: list[str]
    rows: list[dict]
    n_free: int
    defined: list[tuple[str, str]] = field(default_factory=list)
    ov_x: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return self.ov + self.lv

    def free_rows(self) -> list[dict]:
        """First row of each free parameter, in parameter order."""
        first: dict[int, dict] = {}
        for r in self.rows:
            if r["free"] >= 0 and r["free"] not in first:
                first[r["free"]] = r
        return [first[k] for k in range(self.n_free)]

    def free_keys(self) -> list[str]:
        """``"lhs op rhs"`` of each free parameter."""
        return [f"{r['lhs']} {r['op']} {r['rhs']}" for r in self.free_rows()]


def _ordered_unique(seq) -> list:
    out: list = []
    for x in seq:
        if x not in out:
            out.append(x)
    return out


def specify(model: str | list[Statement], *, cov_y: bool = False) -> ModelSpec:
    """Build lavaan's parameter table from model syntax.

    Parameters
    ----------
    model : str or list of Statement
        lavaan syntax (see :func:`replication.syntax.parse_model`).
    cov_y : bool, default False
        Free the residual covariances among dependent variables that predict nothing, as
        lavaan's ``sem()``/``cfa()`` do (``auto.cov.y``). The default matches
        ``lavaan(model, auto.var = TRUE, auto.fix.first = TRUE, auto.cov.lv.x = TRUE)``, which is
        how AMOS and LISREL diagrams count degrees of freedom.

    Returns
    -------
    ModelSpec

    Notes
    -----
    Defaults as lavaan's: the first indicator of each latent variable has its loading fixed to 1
    (unless a modifier is written for it), every variable gets a free (residual) variance,
    exogenous latent variables covary freely, and observed variables used only as predictors are
    fixed.x (their variances and covariances are fixed to the sample values and are not
    parameters). Parameters that share a label are one parameter (an equality constraint).
    """
    stmts = parse_model(model) if isinstance(model, str) else list(model)
    lv = _ordered_unique(s.lhs for s in stmts if s.op == "=~")
    names_all: list[str] = []
    for s in stmts:
        if s.op == ":=":
            continue
        for nm in (s.lhs, s.rhs) if s.op != "=~" else (s.rhs,):
            if nm not in lv and nm not in names_all:
                names_all.append(nm)
    # lavaan orders observed variables: indicators first, then the others in order of appearance
    indicators = _ordered_unique(s.rhs for s in stmts if s.op == "=~" and s.rhs not in lv)
    ov = indicators + [n for n in names_all if n not in indicators]
    labels = {s.label for s in stmts if s.label}
    clash = sorted(labels & (set(ov) | set(lv)))
    if clash:
        raise InputError(f"model: label {clash[0]!r} is also a variable name")
    lhs_reg = {s.lhs for s in stmts if s.op == "~"}
    rhs_reg = {s.rhs for s in stmts if s.op == "~"}
    ind_set = {s.rhs for s in stmts if s.op == "=~"}
    ov_x = [v for v in ov if v in rhs_reg and v not in lhs_reg and v not in ind_set]
    lv_x = [v for v in lv if v not in lhs_reg]

    rows: list[dict] = []
    seen: dict[tuple[str, str, str], dict] = {}
    first_ind: dict[str, str] = {}
    for s in stmts:
        if s.op == "=~" and s.lhs not in first_ind:
            first_ind[s.lhs] = s.rhs

    def key(lhs, op, rhs):
        if op == "~~":
            return (min(lhs, rhs), op, max(lhs, rhs))
        return (lhs, op, rhs)

    def add(lhs, op, rhs, *, fixed=None, label=None, user=False, exo=False, line=0):
        k = key(lhs, op, rhs)
        if k in seen:
            raise InputError(f"model line {line}: parameter {lhs} {op} {rhs} is specified twice")
        row = {"lhs": lhs, "op": op, "rhs": rhs, "fixed": fixed, "label": label, "user": user,
               "exo": exo}
        seen[k] = row
        rows.append(row)

    for s in stmts:
        if s.op == ":=":
            continue
        if s.op == "~" and s.lhs == s.rhs:
            raise InputError(f"model line {s.line}: {s.lhs!r} cannot be regressed on itself")
        fixed = s.fixed
        if s.op == "=~" and first_ind[s.lhs] == s.rhs and fixed is None and not s.free and \
                s.label is None:
            fixed = 1.0
        add(s.lhs, s.op, s.rhs, fixed=fixed, label=s.label, user=True, line=s.line)
    for v in ov:
        if v in ov_x:
            continue
        if key(v, "~~", v) not in seen:
            add(v, "~~", v)
    for v in lv:
        if key(v, "~~", v) not in seen:
            add(v, "~~", v)
    for i, a in enumerate(lv_x):
        for b in lv_x[i + 1:]:
            if key(a, "~~", b) not in seen:
                add(a, "~~", b)
    if cov_y:
        ys = [v for v in lv + ov if v in lhs_reg and v not in rhs_reg and v not in ind_set]
        for i, a in enumerate(ys):
            for b in ys[i + 1:]:
                if key(a, "~~", b) not in seen:
                    add(a, "~~", b)
    for i, a in enumerate(ov_x):
        for b in ov_x[i:]:
            k = key(a, "~~", b)
            if k in seen:
                raise InputError(f"model: {a} ~~ {b} is fixed to the sample value (fixed.x); "
                                 "remove the statement")
            add(a, "~~", b, exo=True)
    # free-parameter indices (labels shared -> one parameter)
    n_free = 0
    by_label: dict[str, int] = {}
    for r in rows:
        if r["exo"] or r["fixed"] is not None:
            r["free"] = -1
            r["value"] = 0.0 if r["fixed"] is None else float(r["fixed"])
            continue
        r["value"] = 0.0
        if r["label"] and r["label"] in by_label:
            r["free"] = by_label[r["label"]]
            continue
        r["free"] = n_free
        if r["label"]:
            by_label[r["label"]] = n_free
        n_free += 1
    defined = [(s.lhs, s.expr) for s in stmts if s.op == ":="]
    known = set(by_label) | {r["label"] for r in rows if r["label"]}
    for name, expr in defined:
        import re as _re
        for tok in _re.findall(r"[A-Za-z_.][A-Za-z0-9_.]*", expr):
            if tok not in known and tok not in {d for d, _ in defined}:
                raise InputError(f"model: defined parameter {name!r} uses {tok!r}, which is not "
                                 "a parameter label")
    return ModelSpec(ov=ov, lv=lv, rows=rows, n_free=n_free, defined=defined, ov_x=ov_x)


# ------------------------------------------------------------------------------------------
# RAM engine: implied covariance, ML discrepancy, gradient, expected information
# ------------------------------------------------------------------------------------------
class RAM:
    """Vectorized RAM representation of a :class:`ModelSpec` for ML estimation."""

    def __init__(self, spec: ModelSpec, S: np.ndarray):
        self.spec = spec
        names = spec.names
        self.p = len(spec.ov)
        self.m = len(names)
        pos = {n: i for i, n in enumerate(names)}
        m = self.m
        self.A0 = np.zeros((m, m))
        self.S0 = np.zeros((m, m))
        a_rows, a_cols, a_par = [], [], []
        s_rows, s_cols, s_par = [], [], []
        ov_pos = {n: i for i, n in enumerate(spec.ov)}
        self.exo_entries: list[tuple[int, int, int, int]] = []
        for r in spec.rows:
            if r["op"] == "=~":
                i, j = pos[r["rhs"]], pos[r["lhs"]]
                mat = "A"
            elif r["op"] == "~":
                i, j = pos[r["lhs"]], pos[r["rhs"]]
                mat = "A"
            else:
                i, j = pos[r["lhs"]], pos[r["rhs"]]
                mat = "S"
            if r["exo"]:
                oi, oj = ov_pos[r["lhs"]], ov_pos[r["rhs"]]
                self.exo_entries.append((i, j, oi, oj))
                r["value"] = float(S[oi, oj])
            if r["free"] < 0:
                if mat == "A":
                    self.A0[i, j] = r["value"]
                else:
                    self.S0[i, j] = self.S0[j, i] = r["value"]
                continue
            if mat == "A":
                a_rows.append(i), a_cols.append(j), a_par.append(r["free"])
            else:
                s_rows.append(i), s_cols.append(j), s_par.append(r["free"])
        self.a_rows, self.a_cols, self.a_par = (np.array(a_rows, int), np.array(a_cols, int),
                                                np.array(a_par, int))
        self.s_rows, self.s_cols, self.s_par = (np.array(s_rows, int), np.array(s_cols, int),
                                                np.array(s_par, int))
        self.q = spec.n_free
        self.eye = np.eye(m)
        par = np.concatenate([self.a_par, self.s_par])
        self._unique = len(np.unique(par)) == len(par) == self.q
        self._order = np.argsort(par, kind="stable")

    def set_exo(self, S: np.ndarray) -> None:
        """Fix the fixed.x variances and covariances to the sample values of ``S``."""
        for i, j, oi, oj in self.exo_entries:
            self.S0[i, j] = self.S0[j, i] = S[oi, oj]

    def _scatter(self, values: np.ndarray, par: np.ndarray) -> np.ndarray:
        if self._unique:
            return values[self._order]
        out = np.zeros((self.q,) + values.shape[1:])
        np.add.at(out, par, values)
        return out

    # -- matrices
    def matrices(self, theta: np.ndarray):
        A = self.A0.copy()
        Sm = self.S0.copy()
        A[self.a_rows, self.a_cols] = theta[self.a_par]
        Sm[self.s_rows, self.s_cols] = theta[self.s_par]
        Sm[self.s_cols, self.s_rows] = theta[self.s_par]
        return A, Sm

    def parts(self, theta: np.ndarray):
        A, Sm = self.matrices(theta)
        B = np.linalg.inv(self.eye - A)
        G = B[: self.p]
        Sigma = G @ Sm @ G.T
        return A, Sm, B, G, Sigma

    def implied(self, theta: np.ndarray) -> np.ndarray:
        return self.parts(theta)[4]

    def total_cov(self, theta: np.ndarray) -> np.ndarray:
        """Model-implied covariance of all (observed and latent) variables."""
        A, Sm, B, _, _ = self.parts(theta)
        return B @ Sm @ B.T

    # -- discrepancy
    def fml(self, theta: np.ndarray, S: np.ndarray, logdet_S: float) -> float:
        """``F_ML = log|Sigma| + tr(S Sigma^-1) - log|S| - p`` (inf where Sigma is not PD)."""
        Sigma = self.implied(theta)
        try:
            K = np.linalg.cholesky(Sigma)
        except np.linalg.LinAlgError:
            return np.inf
        Ki = np.linalg.inv(K)
        logdet = 2.0 * np.sum(np.log(np.diag(K)))
        tr = float(np.einsum("ij,ij->", Ki @ S, Ki))
        return float(logdet + tr - logdet_S - self.p)

    def _entries(self, theta: np.ndarray):
        """Low-rank pieces u, v with dSigma/dtheta_e = u v' + v u' for each matrix entry e."""
        A, Sm, B, G, Sigma = self.parts(theta)
        R = B @ Sm @ G.T  # m x p
        U_a = G[:, self.a_rows].T  # (na, p)
        V_a = R[self.a_cols]  # (na, p)
        U_s = G[:, self.s_rows].T
        V_s = G[:, self.s_cols].T.copy()
        diag = self.s_rows == self.s_cols
        V_s[diag] *= 0.5
        U = np.vstack([U_a, U_s])
        V = np.vstack([V_a, V_s])
        par = np.concatenate([self.a_par, self.s_par])
        return Sigma, U, V, par

    def gradient(self, theta: np.ndarray, S: np.ndarray) -> tuple[float, np.ndarray]:
        """``F_ML`` and its gradient (analytic)."""
        Sigma, U, V, par = self._entries(theta)
        Si = np.linalg.inv(Sigma)
        W = Si - Si @ S @ Si
        g_e = 2.0 * np.einsum("ep,ep->e", U @ W, V)
        return self._scatter(g_e, par)

    def delta(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``dSigma/dtheta`` as an array (q, p, p), and Sigma."""
        Sigma, U, V, par = self._entries(theta)
        D_e = U[:, :, None] * V[:, None, :]
        D_e = D_e + D_e.transpose(0, 2, 1)
        return self._scatter(D_e, par), Sigma

    def information(self, theta: np.ndarray) -> np.ndarray:
        """Expected information per observation, ``1/2 tr(Sigma^-1 dS_a Sigma^-1 dS_b)``."""
        D, Sigma = self.delta(theta)
        return self._info(D, np.linalg.inv(Sigma))

    def _info(self, D: np.ndarray, Si: np.ndarray) -> np.ndarray:
        q, p = D.shape[0], self.p
        X = Si @ D  # (q, p, p)
        Xt = X.transpose(0, 2, 1).reshape(q, p * p)
        return 0.5 * (X.reshape(q, p * p) @ Xt.T)

    def score_step(self, theta: np.ndarray, S: np.ndarray):
        """Fisher-scoring direction, gradient and information at ``theta``."""
        D, Sigma = self.delta(theta)
        Si = np.linalg.inv(Sigma)
        W = Si - Si @ S @ Si
        g = D.reshape(D.shape[0], -1) @ W.reshape(-1)
        info = self._info(D, Si)
        try:
            step = np.linalg.solve(2.0 * info, -g)
        except np.linalg.LinAlgError:
            step = -np.linalg.lstsq(2.0 * info, g, rcond=None)[0]
        return step, g, info

    def newton_step(self, theta: np.ndarray, S: np.ndarray):
        """Newton direction with the analytic Hessian of ``F_ML`` (scoring if not PD).

        Notes
        -----
        ``d2F/da db = tr(W Sigma_ab) - tr(X_a X_b) + 2 tr(X_b Sigma^-1 S X_a)`` with
        ``W = Sigma^-1 - Sigma^-1 S Sigma^-1`` and ``X_a = Sigma^-1 Sigma_a``; the second
        derivatives ``Sigma_ab`` of the RAM form are nonzero for pairs of directed paths and for
        a directed path with a (co)variance. The traces are computed in whitened form
        (``Sigma = K K'``, ``T_a = K^-1 Sigma_a K^-T``), where each ``Sigma_a`` is a sum of
        rank-one terms.
        """
        A, Sm = self.matrices(theta)
        B = np.linalg.inv(self.eye - A)
        G = B[: self.p]
        Sigma = G @ Sm @ G.T
        K = np.linalg.cholesky(Sigma)
        Ki = np.linalg.inv(K)
        Si = Ki.T @ Ki
        St = Ki @ S @ Ki.T
        W = Si - Si @ S @ Si
        R = B @ Sm @ G.T
        U = np.vstack([G[:, self.a_rows].T, G[:, self.s_rows].T])
        V = np.vstack([R[self.a_cols], G[:, self.s_cols].T])
        nd = len(self.a_rows)
        diag = np.concatenate([np.zeros(nd, bool), self.s_rows == self.s_cols])
        V[diag] *= 0.5
        g_e = 2.0 * np.einsum("ep,ep->e", U @ W, V)
        Ut = U @ Ki.T
        Vt = V @ Ki.T
        T = Ut[:, :, None] * Vt[:, None, :]
        T = T + T.transpose(0, 2, 1)
        TS = T @ St
        ne, p = T.shape[0], self.p
        Tf = T.reshape(ne, p * p)
        info2 = Tf @ Tf.T
        hess_e = 2.0 * (Tf @ TS.reshape(ne, p * p).T) - info2
        if nd:
            H = G.T @ W @ G
            P = R @ W @ G
            C = B @ Sm @ B.T
            i, j = self.a_rows[:, None], self.a_cols[:, None]
            k, l = self.a_rows[None, :], self.a_cols[None, :]
            hess_e[:nd, :nd] += 2.0 * (B[l, i] * P[j, k] + B[j, k] * P[l, i] + C[j, l] * H[k, i])
            si, sj = self.s_rows[None, :], self.s_cols[None, :]
            has = 2.0 * (B[j, si] * H[i, sj] + B[j, sj] * H[i, si])
            has = np.where(si == sj, 0.5 * has, has)
            hess_e[:nd, nd:] += has
            hess_e[nd:, :nd] += has.T
        if self._unique:
            o = self._order
            g = g_e[o]
            hess = hess_e[np.ix_(o, o)]
            info2 = info2[np.ix_(o, o)]
        else:
            par = np.concatenate([self.a_par, self.s_par])
            M = np.zeros((self.q, len(par)))
            M[par, np.arange(len(par))] = 1.0
            g = M @ g_e
            hess = M @ hess_e @ M.T
            info2 = M @ info2 @ M.T
        scoring = np.linalg.solve(info2, -g)
        try:
            L = np.linalg.cholesky(hess)
            step = -np.linalg.solve(L.T, np.linalg.solve(L, g))
        except np.linalg.LinAlgError:
            step = scoring
        return step, g, hess, scoring

    def fisher(self, theta0: np.ndarray, S: np.ndarray, *, max_iter: int = 200,
               tol: float = 1e-9, newton: bool = True,
               decrement: float = 1e-14) -> tuple[np.ndarray, bool, int]:
        """Newton (or Fisher scoring) iterations with step halving from ``theta0``.

        Returns ``(theta, converged, iterations)``; converged when the largest absolute
        gradient element of ``F_ML`` is below ``tol`` (lavaan's nlminb stops on the relative
        change of the objective; the gradient criterion here is at least as strict). Newton
        steps use the analytic Hessian and fall back to scoring where it is not positive
        definite; iterations also stop after a full Newton step whose Newton decrement
        ``-g' step`` (twice the predicted decrease of ``F_ML``) was below ``decrement``, since the
        step leaves an error of the order of that decrement squared.
        """
        logdet_S = np.linalg.slogdet(S)[1]
        theta = np.asarray(theta0, float).copy()
        f = self.fml(theta, S, logdet_S)
        if not np.isfinite(f):
            return theta, False, 0
        for it in range(1, max_iter + 1):
            try:
                if newton:
                    step, g, _, scoring = self.newton_step(theta, S)
                else:
                    step, g, _ = self.score_step(theta, S)
                    scoring = step
            except np.linalg.LinAlgError:
                return theta, False, it
            if np.max(np.abs(g)) < tol:
                return theta, True, it
            cand = theta + step
            fc = self.fml(cand, S, logdet_S)
            t = 1.0
            if not (np.isfinite(fc) and fc <= f + 1e-14):
                # far from the optimum: scoring steps with halving
                step = scoring
                while t > 1e-10:
                    cand = theta + t * step
                    fc = self.fml(cand, S, logdet_S)
                    if np.isfinite(fc) and fc <= f + 1e-14:
                        break
                    t *= 0.5
                else:
                    return theta, bool(np.max(np.abs(g)) < 1e-6), it
                t = 0.0  # not a full Newton step
            theta, f_old, f = cand, f, fc
            if newton and t == 1.0 and -float(g @ step) < decrement:
                return theta, True, it
            if abs(f_old - f) < 1e-15 and np.max(np.abs(step)) < 1e-12:
                g = self.gradient(theta, S)
                return theta, bool(np.max(np.abs(g)) < 1e-6), it
        g = self.gradient(theta, S)
        return theta, bool(np.max(np.abs(g)) < 1e-6), max_iter

    def lbfgs(self, theta0: np.ndarray, S: np.ndarray) -> np.ndarray:
        """Quasi-Newton minimization of ``F_ML`` (used when Fisher scoring cannot start)."""
        logdet_S = np.linalg.slogdet(S)[1]

        def fun(t):
            f = self.fml(t, S, logdet_S)
            if not np.isfinite(f):
                return 1e10, np.zeros_like(t)
            return f, self.gradient(t, S)

        res = optimize.minimize(fun, theta0, jac=True, method="L-BFGS-B",
                                options={"maxiter": 5000, "gtol": 1e-10, "ftol": 1e-15})
        return res.x

    # -- standardized solution
    def _std_index(self):
        if getattr(self, "_std_idx", None) is None:
            pos = {n: i for i, n in enumerate(self.spec.names)}
            kind, ii, jj = [], [], []
            for r in self.spec.rows:
                if r["op"] == "=~":
                    kind.append(0), ii.append(pos[r["rhs"]]), jj.append(pos[r["lhs"]])
                elif r["op"] == "~":
                    kind.append(0), ii.append(pos[r["lhs"]]), jj.append(pos[r["rhs"]])
                else:
                    a, b = pos[r["lhs"]], pos[r["rhs"]]
                    kind.append(1 if a == b else 2), ii.append(a), jj.append(b)
            self._std_idx = (np.array(kind), np.array(ii, int), np.array(jj, int))
        return self._std_idx

    def standardized(self, theta: np.ndarray) -> np.ndarray:
        """lavaan's ``std.all`` for every row of the parameter table (``cov.std = TRUE``).

        Loadings and regressions are scaled by the model-implied SDs of both variables,
        variances divided by the implied total variance, covariances divided by the square
        root of the product of the two (residual) variances.
        """
        kind, ii, jj = self._std_index()
        A, Sm = self.matrices(theta)
        B = np.linalg.inv(self.eye - A)
        C = B @ Sm @ B.T
        with np.errstate(invalid="ignore", divide="ignore"):
            sd = np.sqrt(np.diag(C))
            dS = np.diag(Sm)
            out = np.where(
                kind == 0, A[ii, jj] * sd[jj] / sd[ii],
                np.where(kind == 1, Sm[ii, jj] / C[ii, ii],
                         Sm[ii, jj] / np.sqrt(np.where((dS[ii] > 0) & (dS[jj] > 0),
                                                       dS[ii] * dS[jj], np.nan))))
        return out.astype(float)


# ------------------------------------------------------------------------------------------
# Result
# ------------------------------------------------------------------------------------------
@dataclass
class SEMResult:
    """A fitted model with lavaan's outputs.

    Attributes
    ----------
    params : DataFrame
        ``lhs, op, rhs, est, se, z, pvalue, std_all`` (float columns; fixed parameters have
        NaN ``se``, ``z``, ``pvalue`` as lavaan prints blanks); ``:=`` rows for defined
        parameters with delta-method standard errors.
    fit_measures : dict
        lavaan's ``fitMeasures()`` names (see :data:`FIT_MEASURES`); ``chisq_df`` is chisq/df.
    r2 : Series
        R-squared of every endogenous variable (lavaan ``inspect(fit, "r2")``).
    converged : bool
    warnings : list of str
        Non-convergence, Heywood cases, standardized values outside [-1, 1], non-positive-
        definite matrices.
    n : int
    model : str
    implied_cov, sample_cov : DataFrame
    """

    params: pd.DataFrame
    fit_measures: dict
    r2: pd.Series
    converged: bool
    warnings: list[str]
    n: int
    model: str
    implied_cov: pd.DataFrame
    sample_cov: pd.DataFrame
    spec: ModelSpec = field(repr=False, default=None)
    theta: np.ndarray = field(repr=False, default=None)
    vcov: np.ndarray = field(repr=False, default=None)
    estimator: str = "ML"
    missing: str = "listwise"
    cov_y: bool = False

    def estimate(self, lhs: str, op: str, rhs: str, column: str = "est") -> float:
        """One value of the parameter table."""
        p = self.params
        m = p[(p.lhs == lhs) & (p.op == op) & (p.rhs == rhs)]
        if m.empty and op == "~~":
            m = p[(p.lhs == rhs) & (p.op == op) & (p.rhs == lhs)]
        if m.empty:
            raise InputError(f"parameter {lhs} {op} {rhs} is not in the model")
        return float(m[column].iloc[0])


# ------------------------------------------------------------------------------------------
# Input handling
# ------------------------------------------------------------------------------------------
def _prepare_data(spec: ModelSpec, data: pd.DataFrame, missing: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise InputError("data: expected a pandas DataFrame")
    absent = [v for v in spec.ov if v not in data.columns]
    if absent:
        raise InputError(f"data: column {absent[0]!r} named in the model is not in the data "
                         f"(columns: {', '.join(map(str, data.columns[:12]))}"
                         f"{', ...' if len(data.columns) > 12 else ''})")
    out = {}
    for v in spec.ov:
        col = data[v]
        if not (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)):
            conv = pd.to_numeric(col, errors="coerce")
            bad = col[conv.isna() & col.notna()]
            if len(bad):
                raise InputError(f"data: column {v!r} has non-numeric value {str(bad.iloc[0])!r}; "
                                 "expected numbers")
            col = conv
        out[v] = col.astype(float)
    df = pd.DataFrame(out)
    if np.isinf(df.to_numpy()).any():
        raise InputError("data: infinite value in a used column")
    if missing == "listwise":
        df = df.dropna()
    return df


def _sample_cov(X: np.ndarray) -> np.ndarray:
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / X.shape[0]


def _check_pd(S: np.ndarray, names: list[str], what: str) -> None:
    ev = np.linalg.eigvalsh(S)
    if not np.all(np.isfinite(ev)) or ev.min() <= 1e-12 * max(1.0, abs(ev.max())):
        var0 = [n for n, d in zip(names, np.diag(S)) if d <= 0]
        detail = f" (column {var0[0]!r} has no variance)" if var0 else ""
        raise InputError(f"{what}: covariance matrix of the model variables is not positive "
                         f"definite{detail}; expected linearly independent variables")


# ------------------------------------------------------------------------------------------
# Start values and estimation
# ------------------------------------------------------------------------------------------
def _start_values(spec: ModelSpec, S: np.ndarray) -> np.ndarray:
    """Simple start values (lavaan ``start = "simple"`` style, with fabin-like loadings)."""
    ovi = {n: i for i, n in enumerate(spec.ov)}
    theta = np.zeros(spec.n_free)
    ind: dict[str, list[str]] = {}
    for r in spec.rows:
        if r["op"] == "=~":
            ind.setdefault(r["lhs"], []).append(r["rhs"])
    lv_var = {}
    for f, items in ind.items():
        obs = [i for i in items if i in ovi]
        if obs:
            lv_var[f] = max(0.05, 0.5 * float(np.mean([S[ovi[i], ovi[i]] for i in obs])))
    for r in spec.free_rows():
        k = r["free"]
        if r["op"] == "=~":
            first = ind[r["lhs"]][0]
            if r["rhs"] in ovi and first in ovi and first != r["rhs"]:
                c = S[ovi[first], ovi[r["rhs"]]]
                v1 = S[ovi[first], ovi[first]]
                theta[k] = c / (0.5 * v1) if v1 > 0 else 1.0
                theta[k] = float(np.clip(theta[k], -5, 5)) or 1.0
            else:
                theta[k] = 1.0
        elif r["op"] == "~":
            theta[k] = 0.0
        elif r["lhs"] == r["rhs"]:
            if r["lhs"] in ovi:
                theta[k] = 0.5 * S[ovi[r["lhs"]], ovi[r["lhs"]]]
            else:
                theta[k] = lv_var.get(r["lhs"], 0.05)
        else:
            theta[k] = 0.0
    return theta


def _semopy_syntax(spec: ModelSpec) -> str:
    lines = []
    for r in spec.rows:
        if r["exo"]:
            continue
        if r["op"] == "=~":
            lhs, op, rhs = r["lhs"], "=~", r["rhs"]
        else:
            lhs, op, rhs = r["lhs"], r["op"], r["rhs"]
        if r["free"] < 0:
            rhs = f"{r['value']!r}*{rhs}"
        elif r["label"]:
            rhs = f"{r['label']}*{rhs}"
        lines.append(f"{lhs} {op} {rhs}")
    return "\n".join(lines) + "\n"


def _semopy_start(spec: ModelSpec, data: pd.DataFrame | None, S: np.ndarray, n: int):
    """Estimates from semopy mapped onto the parameter table (None when semopy fails)."""
    try:
        import semopy
    except ImportError:  # pragma: no cover
        return None
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            model = semopy.Model(_semopy_syntax(spec))
            cov = pd.DataFrame(S * n / (n - 1), index=spec.ov, columns=spec.ov)
            res = model.fit(cov=cov, n_samples=n, obj="MLW")
            if not getattr(res, "success", True):
                return None
            tab = model.inspect()
    except Exception:
        return None
    lv = set(spec.lv)
    est: dict[tuple[str, str, str], float] = {}
    for row in tab.itertuples(index=False):
        lval, op, rval, val = row[0], row[1], row[2], row[3]
        try:
            val = float(val)
        except (TypeError, ValueError):
            continue
        if op == "~" and rval in lv and lval not in lv:
            est[(rval, "=~", lval)] = val
        est[(lval, op, rval)] = val
        if op == "~~":
            est[(rval, op, lval)] = val
    theta = np.full(spec.n_free, np.nan)
    for r in spec.free_rows():
        key = (r["lhs"], r["op"], r["rhs"])
        if key in est:
            theta[r["free"]] = est[key]
    if np.isnan(theta).any():
        return None
    return theta


def _estimate(ram: RAM, spec: ModelSpec, S: np.ndarray, n: int, data) -> tuple[np.ndarray, bool]:
    logdet_S = np.linalg.slogdet(S)[1]
    candidates = []
    t_semopy = _semopy_start(spec, data, S, n)
    if t_semopy is not None:
        candidates.append(t_semopy)
    candidates.append(_start_values(spec, S))
    best, best_f, best_conv = None, np.inf, False
    for t0 in candidates:
        if not np.isfinite(ram.fml(t0, S, logdet_S)):
            continue
        theta, conv, _ = ram.fisher(t0, S)
        if not conv:
            theta = ram.lbfgs(theta, S)
            theta, conv, _ = ram.fisher(theta, S)
        f = ram.fml(theta, S, logdet_S)
        if f < best_f - 1e-10 or (conv and not best_conv and abs(f - best_f) < 1e-8):
            best, best_f, best_conv = theta, f, conv
        if conv:
            break
    if best is None:
        return candidates[-1], False
    return best, best_conv


# ------------------------------------------------------------------------------------------
# Defined parameters
# ------------------------------------------------------------------------------------------
def _eval_defined(spec: ModelSpec, values: dict[str, float]) -> dict[str, float]:
    env = dict(values)
    out = {}
    for name, expr in spec.defined:
        try:
            val = eval(expr.replace("^", "**"), {"__builtins__": {}}, env)  # noqa: S307
        except Exception:
            raise InputError(f"model: cannot evaluate defined parameter {name} := {expr}") from None
        env[name] = float(val)
        out[name] = float(val)
    return out


def label_values(spec: ModelSpec, theta: np.ndarray) -> dict[str, float]:
    """Values of labelled parameters (for ``:=`` expressions)."""
    return {r["label"]: (theta[r["free"]] if r["free"] >= 0 else r["value"])
            for r in spec.rows if r["label"]}


# ------------------------------------------------------------------------------------------
# Fit measures
# ------------------------------------------------------------------------------------------
def _baseline(spec: ModelSpec, S: np.ndarray, n: int) -> tuple[float, int]:
    """Independence model (free variances; fixed.x block kept) chi-square and df."""
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


def _fit_measures(spec: ModelSpec, ram: RAM, theta: np.ndarray, S: np.ndarray, n: int) -> dict:
    p = len(spec.ov)
    k = len(spec.ov_x)
    Sigma = ram.implied(theta)
    logdet_S = np.linalg.slogdet(S)[1]
    f = ram.fml(theta, S, logdet_S)
    chisq = n * f
    df = p * (p + 1) // 2 - k * (k + 1) // 2 - spec.n_free
    bchisq, bdf = _baseline(spec, S, n)
    logl = -0.5 * n * (p * math.log(2 * math.pi) + np.linalg.slogdet(Sigma)[1]
                       + np.trace(np.linalg.solve(Sigma, S)))
    logl_h1 = -0.5 * n * (p * math.log(2 * math.pi) + logdet_S + p)
    lo, hi = fi.rmsea_ci(chisq, df, n)
    g = fi.gfi(S, Sigma)
    out = {
        "npar": float(spec.n_free),
        "ntotal": float(n),
        "chisq": chisq,
        "df": float(df),
        "pvalue": fi.chisq_pvalue(chisq, df),
        "chisq_df": fi.chisq_df(chisq, df),
        "baseline.chisq": bchisq,
        "baseline.df": float(bdf),
        "cfi": fi.cfi(chisq, df, bchisq, bdf),
        "tli": fi.tli(chisq, df, bchisq, bdf),
        "nfi": fi.nfi(chisq, bchisq, df=df, base_df=bdf),
        "ifi": fi.ifi(chisq, df, bchisq),
        "gfi": g,
        "agfi": fi.agfi(g, df, p),
        "rmsea": fi.rmsea(chisq, df, n),
        "rmsea.ci.lower": lo,
        "rmsea.ci.upper": hi,
        "srmr": fi.srmr(S, Sigma),
        "logl": float(logl),
        "unrestricted.logl": float(logl_h1),
        "aic": fi.aic(logl, spec.n_free),
        "bic": fi.bic(logl, spec.n_free, n),
    }
    return {k_: float(out[k_]) for k_ in FIT_MEASURES}


# ------------------------------------------------------------------------------------------
# Fit
# ------------------------------------------------------------------------------------------
def fit(model: str, data: pd.DataFrame | None = None, *, cov: pd.DataFrame | None = None,
        n: int | None = None, estimator: str = "ML", missing: str = "listwise",
        cov_y: bool = False) -> SEMResult:
    """Fit a lavaan-syntax model by maximum likelihood.

    Parameters
    ----------
    model : str
        lavaan syntax.
    data : DataFrame, optional
        Raw responses; columns named as the observed variables of the model.
    cov : DataFrame, optional
        A covariance matrix (rows and columns named) instead of data; read with divisor N.
    n : int, optional
        Sample size, required with ``cov``.
    estimator : {"ML"}
        Maximum likelihood (the only estimator).
    missing : {"listwise", "fiml"}
        Listwise deletion (lavaan's default) or full-information ML (semopy ``ModelMeans``).
    cov_y : bool, default False
        Free covariances among pure dependent variables, as lavaan's ``sem()`` does.

    Returns
    -------
    SEMResult

    Notes
    -----
    Matches ``lavaan(model, data, auto.var = TRUE, auto.fix.first = TRUE,
    auto.cov.lv.x = TRUE)`` (and ``sem()``/``cfa()`` with ``cov_y=True``): the sample covariance
    matrix uses divisor N, ``chisq = N * F_ML``, standard errors come from the expected
    information, ``std_all`` is ``standardizedSolution()``'s column. Checked against lavaan 0.6
    on HolzingerSwineford1939, PoliticalDemocracy and a synthetic 21-item SEM
    (``tests/fixtures/lavaan``).

    References
    ----------
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley.
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
    Statistical Software*, 48(2), 1-36.
    """
    if estimator.upper() != "ML":
        raise InputError(f"estimator: {estimator!r} is not supported; expected 'ML'")
    if missing not in ("listwise", "fiml", "ml"):
        raise InputError(f"missing: {missing!r}; expected 'listwise' or 'fiml'")
    spec = specify(model, cov_y=cov_y)
    if (data is None) == (cov is None):
        raise InputError("fit: give either data or cov (with n)")
    if missing in ("fiml", "ml"):
        if data is None:
            raise InputError("missing='fiml' needs raw data, not a covariance matrix")
        return _fit_fiml(spec, data, model, cov_y)
    if data is not None:
        df = _prepare_data(spec, data, "listwise")
        n_obs = len(df)
        if n_obs < 2 or n_obs <= len(spec.ov) // 2:
            raise InputError(f"data: {n_obs} complete rows for {len(spec.ov)} observed variables; "
                             "expected more rows")
        S = _sample_cov(df.to_numpy())
        _check_pd(S, spec.ov, "data")
    else:
        if n is None or int(n) != n or n < 2:
            raise InputError("n: expected the sample size (an integer >= 2) with cov")
        n_obs = int(n)
        if not isinstance(cov, pd.DataFrame):
            raise InputError("cov: expected a DataFrame with variable names as index and columns")
        absent = [v for v in spec.ov if v not in cov.columns or v not in cov.index]
        if absent:
            raise InputError(f"cov: variable {absent[0]!r} named in the model is not in the "
                             "covariance matrix")
        S = cov.loc[spec.ov, spec.ov].to_numpy(dtype=float)
        if not np.allclose(S, S.T, atol=1e-10 * max(1.0, np.abs(S).max())):
            raise InputError("cov: matrix is not symmetric")
        _check_pd(S, spec.ov, "cov")
        df = None
    ram = RAM(spec, S)
    theta, converged = _estimate(ram, spec, S, n_obs, df)
    return _assemble(spec, ram, theta, converged, S, n_obs, model, cov_y)


# ------------------------------------------------------------------------------------------
# Full-information ML (missing data)
# ------------------------------------------------------------------------------------------
class _Patterns:
    """Missing-data patterns with their sizes, means and covariances (divisor n_g)."""

    def __init__(self, X: np.ndarray):
        obs = ~np.isnan(X)
        keys, inv = np.unique(obs, axis=0, return_inverse=True)
        self.groups = []
        for g, key in enumerate(keys):
            if not key.any():
                continue
            rows = X[inv.ravel() == g][:, key]
            m = rows.mean(axis=0)
            c = rows - m
            self.groups.append((np.flatnonzero(key), len(rows), m, c.T @ c / len(rows)))
        self.n = int(sum(g[1] for g in self.groups))
        self.p = X.shape[1]

    def loglik(self, mu: np.ndarray, Sigma: np.ndarray, grad: bool = False):
        """Casewise normal log-likelihood and, optionally, d/dmu and d/dSigma."""
        ll = 0.0
        gmu = np.zeros(self.p)
        gS = np.zeros((self.p, self.p))
        for idx, n_g, m, S_g in self.groups:
            Soo = Sigma[np.ix_(idx, idx)]
            try:
                K = np.linalg.cholesky(Soo)
            except np.linalg.LinAlgError:
                return (-np.inf, None, None) if grad else -np.inf
            Ki = np.linalg.inv(K)
            Si = Ki.T @ Ki
            d = m - mu[idx]
            M = S_g + np.outer(d, d)
            ll += -0.5 * n_g * (len(idx) * np.log(2 * np.pi) + 2 * np.sum(np.log(np.diag(K)))
                                + np.sum(Si * M))
            if grad:
                gmu[idx] += n_g * (Si @ d)
                gS[np.ix_(idx, idx)] += -0.5 * n_g * (Si - Si @ M @ Si)
        return (ll, gmu, gS) if grad else ll

    def em(self, tol: float = 1e-10, max_iter: int = 5000):
        """Saturated (h1) mean and covariance by the EM algorithm."""
        p = self.p
        mu = np.zeros(p)
        cnt = np.zeros(p)
        for idx, n_g, m, _ in self.groups:
            mu[idx] += n_g * m
            cnt[idx] += n_g
        mu = mu / cnt
        Sigma = np.diag([max(1e-6, v) for v in self._marginal_vars(mu)])
        for _ in range(max_iter):
            T1 = np.zeros(p)
            T2 = np.zeros((p, p))
            for idx, n_g, m, S_g in self.groups:
                mis = np.setdiff1d(np.arange(p), idx)
                if len(mis):
                    B = Sigma[np.ix_(mis, idx)] @ np.linalg.inv(Sigma[np.ix_(idx, idx)])
                    cond = Sigma[np.ix_(mis, mis)] - B @ Sigma[np.ix_(idx, mis)]
                else:
                    B = np.zeros((0, len(idx)))
                    cond = np.zeros((0, 0))
                # expected sufficient statistics of the group
                full_m = np.empty(p)
                full_m[idx] = m
                full_m[mis] = mu[mis] + B @ (m - mu[idx])
                C = np.zeros((p, p))
                C[np.ix_(idx, idx)] = S_g
                C[np.ix_(mis, idx)] = B @ S_g
                C[np.ix_(idx, mis)] = (B @ S_g).T
                C[np.ix_(mis, mis)] = B @ S_g @ B.T + cond
                T1 += n_g * full_m
                T2 += n_g * (C + np.outer(full_m, full_m))
            mu_new = T1 / self.n
            Sigma_new = T2 / self.n - np.outer(mu_new, mu_new)
            done = max(np.abs(mu_new - mu).max(), np.abs(Sigma_new - Sigma).max()) < tol
            mu, Sigma = mu_new, Sigma_new
            if done:
                break
        return mu, Sigma

    def _marginal_vars(self, mu):
        p = self.p
        ss = np.zeros(p)
        cnt = np.zeros(p)
        for idx, n_g, m, S_g in self.groups:
            ss[idx] += n_g * (np.diag(S_g) + (m - mu[idx]) ** 2)
            cnt[idx] += n_g
        return ss / cnt

    def independence_loglik(self) -> float:
        """Log-likelihood of the independence model (each variable's own ML mean and variance)."""
        p = self.p
        mu = np.zeros(p)
        cnt = np.zeros(p)
        for idx, n_g, m, _ in self.groups:
            mu[idx] += n_g * m
            cnt[idx] += n_g
        mu = mu / cnt
        v = self._marginal_vars(mu)
        return float(np.sum(-0.5 * cnt * (np.log(2 * np.pi) + np.log(v) + 1)))


def _fit_fiml(spec: ModelSpec, data: pd.DataFrame, model: str, cov_y: bool) -> SEMResult:
    """Full-information ML with free intercepts (lavaan ``missing = "ml"``).

    Standard errors come from the observed information (lavaan's default with missing data),
    the chi-square is twice the log-likelihood difference from the EM-estimated saturated
    model, and the baseline model has its own ML mean and variance per variable.
    """
    if spec.ov_x:
        raise InputError("missing='fiml': observed predictors (fixed.x) are not supported; "
                         "use listwise deletion")
    df = _prepare_data(spec, data, "fiml")
    X = df.to_numpy(float)
    X = X[~np.isnan(X).all(axis=1)]
    pat = _Patterns(X)
    n, p = pat.n, pat.p
    if n <= p:
        raise InputError(f"data: {n} rows with any observed value for {p} variables; "
                         "expected more rows")
    mu1, S1 = pat.em()
    _check_pd(S1, spec.ov, "data (EM estimate)")
    ram = RAM(spec, S1)
    theta0, _ = _estimate(ram, spec, S1, n, None)
    q = spec.n_free

    def negll(x):
        theta, mu = x[:q], x[q:]
        Sigma = ram.implied(theta)
        ll, gmu, gS = pat.loglik(mu, Sigma, grad=True)
        if not np.isfinite(ll):
            return 1e20, np.zeros_like(x)
        D, _ = ram.delta(theta)
        gth = D.reshape(q, -1) @ gS.reshape(-1)
        return -ll / n, -np.concatenate([gth, gmu]) / n

    def num_hess(x):
        k = len(x)
        H = np.zeros((k, k))
        for j in range(k):
            h = 1e-5 * max(1.0, abs(x[j]))
            e = np.zeros(k)
            e[j] = h
            H[:, j] = (negll(x + e)[1] - negll(x - e)[1]) / (2 * h)
        return 0.5 * (H + H.T)

    x0 = np.concatenate([theta0, mu1])
    res = optimize.minimize(negll, x0, jac=True, method="L-BFGS-B",
                            options={"maxiter": 10000, "gtol": 1e-9, "ftol": 1e-15})
    x = res.x
    # Newton iterations (finite-difference Hessian of the analytic gradient) to convergence
    f, g = negll(x)
    for _ in range(50):
        if np.max(np.abs(g)) < 1e-9:
            break
        try:
            step = -np.linalg.solve(num_hess(x), g)
        except np.linalg.LinAlgError:
            break
        t = 1.0
        while t > 1e-8:
            fc, gc = negll(x + t * step)
            if fc <= f + 1e-15:
                break
            t *= 0.5
        else:
            break
        x, f, g = x + t * step, fc, gc
    converged = bool(np.max(np.abs(g)) < 1e-6)
    H = num_hess(x)
    H = 0.5 * (H + H.T) * n
    theta, mu = x[:q], x[q:]
    Sigma = ram.implied(theta)
    out = _assemble(spec, ram, theta, converged, S1, n, model, cov_y)
    try:
        vcov_all = np.linalg.inv(H)
        vcov = vcov_all[:q, :q]
        if np.any(np.diag(vcov) < 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        vcov = np.full((q, q), np.nan)
        out.warnings.append("the observed information matrix is singular; standard errors "
                            "are not available")
    se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    P = out.params
    for r_i, r in enumerate(spec.rows):
        if r["free"] >= 0:
            s_ = se[r["free"]]
            z = P.at[r_i, "est"] / s_ if s_ > 0 else np.nan
            P.at[r_i, "se"] = s_
            P.at[r_i, "z"] = z
            P.at[r_i, "pvalue"] = 2 * stats.norm.sf(abs(z)) if np.isfinite(z) else np.nan
    if spec.defined:
        P.drop(P.index[P.op == ":="], inplace=True)
        defined = _defined_rows(spec, ram, theta, vcov, ram.standardized(theta))
        out.params = pd.concat([P, pd.DataFrame(defined)], ignore_index=True)
    out.vcov = vcov
    # fit measures (lavaan missing = "ml": npar counts the intercepts)
    logl = pat.loglik(mu, Sigma)
    logl_h1 = pat.loglik(mu1, S1)
    npar = q + p
    chisq = 2 * (logl_h1 - logl)
    dfm = p * (p + 1) // 2 + p - npar
    b_chisq = 2 * (logl_h1 - pat.independence_loglik())
    b_df = p * (p + 1) // 2 + p - 2 * p
    lo, hi = fi.rmsea_ci(chisq, dfm, n)
    # GFI with the mean structure (lavaan: residual means weighted by Sigma^-1)
    Si = np.linalg.inv(Sigma)
    Rm = Si @ (S1 - Sigma)
    Am = Si @ S1
    t1 = 0.5 * np.trace(Rm @ Rm) + (mu1 - mu) @ Si @ (mu1 - mu)
    t2 = 0.5 * np.trace(Am @ Am) + mu1 @ Si @ mu1
    g = float(1 - t1 / t2)
    nel = p * (p + 1) / 2 + p
    agfi = 1 - (nel / dfm) * (1 - g) if dfm > 0 else 1.0
    sd = np.sqrt(np.diag(S1))
    R = (S1 - Sigma) / np.outer(sd, sd)
    e_mean = (mu1 - mu) / sd
    srmr = float(np.sqrt((np.sum(R[np.tril_indices(p)] ** 2) + np.sum(e_mean ** 2))
                         / (p * (p + 1) / 2 + p)))
    fm = {
        "npar": npar, "ntotal": n, "chisq": chisq, "df": dfm,
        "pvalue": fi.chisq_pvalue(chisq, dfm), "chisq_df": fi.chisq_df(chisq, dfm),
        "baseline.chisq": b_chisq, "baseline.df": b_df,
        "cfi": fi.cfi(chisq, dfm, b_chisq, b_df), "tli": fi.tli(chisq, dfm, b_chisq, b_df),
        "nfi": fi.nfi(chisq, b_chisq, df=dfm, base_df=b_df), "ifi": fi.ifi(chisq, dfm, b_chisq),
        "gfi": g, "agfi": agfi, "rmsea": fi.rmsea(chisq, dfm, n),
        "rmsea.ci.lower": lo, "rmsea.ci.upper": hi, "srmr": srmr, "logl": logl,
        "unrestricted.logl": logl_h1, "aic": fi.aic(logl, npar), "bic": fi.bic(logl, npar, n),
    }
    out.fit_measures = {k_: float(fm[k_]) for k_ in FIT_MEASURES}
    out.missing = "fiml"
    out.sample_cov = pd.DataFrame(S1, index=spec.ov, columns=spec.ov)
    if not converged and not any("converge" in w for w in out.warnings):
        out.warnings.insert(0, "the optimizer did not converge; estimates are not a "
                               "maximum-likelihood solution")
    return out


def _assemble(spec: ModelSpec, ram: RAM, theta: np.ndarray, converged: bool, S: np.ndarray,
              n: int, model: str, cov_y: bool) -> SEMResult:
    warn: list[str] = []
    if not converged:
        warn.append("the optimizer did not converge; estimates are not a maximum-likelihood "
                    "solution")
    info = ram.information(theta)
    vcov = None
    try:
        vcov = np.linalg.inv(n * info)
        if not np.all(np.isfinite(vcov)) or np.any(np.diag(vcov) < 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        vcov = np.full((spec.n_free, spec.n_free), np.nan)
        warn.append("the information matrix is singular: the model may not be identified; "
                    "standard errors are not available")
    se_free = np.sqrt(np.clip(np.diag(vcov), 0, None))
    std = ram.standardized(theta)
    records = []
    for k, r in enumerate(spec.rows):
        if r["free"] >= 0:
            est = float(theta[r["free"]])
            se = float(se_free[r["free"]])
            z = est / se if se > 0 else np.nan
            pv = 2 * stats.norm.sf(abs(z)) if np.isfinite(z) else np.nan
        else:
            est, se, z, pv = float(r["value"]), np.nan, np.nan, np.nan
        records.append({"lhs": r["lhs"], "op": r["op"], "rhs": r["rhs"], "est": est, "se": se,
                        "z": z, "pvalue": pv, "std_all": float(std[k])})
    if spec.defined:
        records += _defined_rows(spec, ram, theta, vcov, std)
    params = pd.DataFrame(records, columns=["lhs", "op", "rhs", "est", "se", "z", "pvalue",
                                            "std_all"])
    for c in ["est", "se", "z", "pvalue", "std_all"]:
        params[c] = params[c].astype(float)
    C = ram.total_cov(theta)
    names = spec.names
    pos = {nm: i for i, nm in enumerate(names)}
    _, Sm = ram.matrices(theta)
    endo = _ordered_unique([r["rhs"] for r in spec.rows if r["op"] == "=~"] +
                           [r["lhs"] for r in spec.rows if r["op"] == "~"])
    endo = [v for v in spec.ov if v in endo] + [v for v in spec.lv if v in endo]
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = pd.Series({v: float(1 - Sm[pos[v], pos[v]] / C[pos[v], pos[v]]) for v in endo},
                       dtype=float, name="r2")
    # warnings: Heywood cases, std outside [-1, 1], non-PD latent covariance
    for k, r in enumerate(spec.rows):
        if r["op"] == "~~" and r["lhs"] == r["rhs"] and records[k]["est"] < 0:
            warn.append(f"negative variance (Heywood case): {r['lhs']} ~~ {r['rhs']} = "
                        f"{records[k]['est']:.4f}")
        if r["op"] in ("=~", "~") and np.isfinite(std[k]) and abs(std[k]) > 1:
            warn.append(f"standardized estimate outside [-1, 1]: {r['lhs']} {r['op']} {r['rhs']} "
                        f"= {std[k]:.4f}")
        if r["op"] == "~~" and r["lhs"] != r["rhs"] and np.isfinite(std[k]) and abs(std[k]) > 1:
            warn.append(f"correlation outside [-1, 1]: {r['lhs']} ~~ {r['rhs']} = {std[k]:.4f}")
    if spec.lv:
        lvi = [pos[v] for v in spec.lv]
        ev = np.linalg.eigvalsh(C[np.ix_(lvi, lvi)])
        if ev.min() <= 0:
            warn.append("the model-implied covariance matrix of the latent variables is not "
                        "positive definite")
    Sigma = ram.implied(theta)
    fm = _fit_measures(spec, ram, theta, S, n)
    return SEMResult(
        params=params, fit_measures=fm, r2=r2, converged=bool(converged), warnings=warn, n=int(n),
        model=model, implied_cov=pd.DataFrame(Sigma, index=spec.ov, columns=spec.ov),
        sample_cov=pd.DataFrame(S, index=spec.ov, columns=spec.ov), spec=spec, theta=theta,
        vcov=vcov, cov_y=cov_y)


def _defined_rows(spec, ram, theta, vcov, std) -> list[dict]:
    def values(t):
        return _eval_defined(spec, label_values(spec, t))

    base = values(theta)
    names = list(base)
    J = np.zeros((len(names), spec.n_free))
    for j in range(spec.n_free):
        h = 1e-6 * max(1.0, abs(theta[j]))
        tp, tm = theta.copy(), theta.copy()
        tp[j] += h
        tm[j] -= h
        vp, vm = values(tp), values(tm)
        J[:, j] = [(vp[nm] - vm[nm]) / (2 * h) for nm in names]
    cov = J @ vcov @ J.T
    std_labels = {r["label"]: std[k] for k, r in enumerate(spec.rows) if r["label"]}
    std_def = _eval_defined(spec, std_labels)
    out = []
    for i, nm in enumerate(names):
        expr = dict(spec.defined)[nm]
        se = float(np.sqrt(cov[i, i])) if np.isfinite(cov[i, i]) and cov[i, i] >= 0 else np.nan
        z = base[nm] / se if se and se > 0 else np.nan
        pv = 2 * stats.norm.sf(abs(z)) if np.isfinite(z) else np.nan
        out.append({"lhs": nm, "op": ":=", "rhs": expr.replace(" ", ""), "est": base[nm],
                    "se": se, "z": z, "pvalue": pv, "std_all": std_def[nm]})
    return out


# ------------------------------------------------------------------------------------------
# Modification indices
# ------------------------------------------------------------------------------------------
def modindices(result: SEMResult) -> pd.DataFrame:
    """Modification indices and expected parameter changes (lavaan ``modindices``).

    Parameters
    ----------
    result : SEMResult

    Returns
    -------
    DataFrame
        ``lhs, op, rhs, mi, epc`` for every parameter that is fixed to zero and could be
        freed: cross-loadings (``=~``), covariances among observed residuals and among latent
        variables (``~~``) and regressions among latent variables (``~``); sorted by ``mi``
        descending. Candidates whose freeing is not identified given the model (lavaan drops
        them as NA) are left out.

    Notes
    -----
    Score test with the expected information of the extended model at the estimates:
    ``mi = N s^2 / V`` and ``epc = -s / V`` with ``s`` the derivative of lavaan's ``fmin``
    (``F_ML / 2``) and ``V = I11 - I12 I22^-1 I21``.

    References
    ----------
    Sorbom, D. (1989). Model modification. *Psychometrika*, 54, 371-384.
    Saris, W. E., Satorra, A., & Sorbom, D. (1987). The detection and correction of
    specification errors in structural equation models. lavaan ``R/lav_modindices.R``.
    """
    spec = result.spec
    S = result.sample_cov.to_numpy()
    present = set()
    for r in spec.rows:
        present.add((r["lhs"], r["op"], r["rhs"]))
        if r["op"] == "~~":
            present.add((r["rhs"], "~~", r["lhs"]))
    cands: list[tuple[str, str, str]] = []
    for f in spec.lv:
        for v in spec.ov:
            if (f, "=~", v) not in present:
                cands.append((f, "=~", v))
    for i, a in enumerate(spec.ov):
        for b in spec.ov[i + 1:]:
            if (a, "~~", b) not in present and not (a in spec.ov_x and b in spec.ov_x):
                cands.append((a, "~~", b))
    for i, a in enumerate(spec.lv):
        for b in spec.lv[i + 1:]:
            if (a, "~~", b) not in present:
                cands.append((a, "~~", b))
    for a in spec.lv:
        for b in spec.lv:
            if a != b and (a, "~", b) not in present:
                cands.append((a, "~", b))
    if not cands:
        return pd.DataFrame(columns=["lhs", "op", "rhs", "mi", "epc"])
    q = spec.n_free
    rows = [dict(r) for r in spec.rows]
    for j, (l, o, rr) in enumerate(cands):
        rows.append({"lhs": l, "op": o, "rhs": rr, "fixed": None, "label": None, "user": False,
                     "exo": False, "free": q + j, "value": 0.0})
    ext = ModelSpec(ov=spec.ov, lv=spec.lv, rows=rows, n_free=q + len(cands), ov_x=spec.ov_x)
    ram = RAM(ext, S)
    theta = np.concatenate([result.theta, np.zeros(len(cands))])
    D, Sigma = ram.delta(theta)
    Si = np.linalg.inv(Sigma)
    W = Si - Si @ S @ Si
    g = 0.5 * np.einsum("aij,ij->a", D, W)  # derivative of lavaan's fmin = F_ML / 2
    info = ram._info(D, Si)
    I22 = info[:q, :q]
    I12 = info[q:, :q]
    I11 = info[q:, q:]
    try:
        V = np.diag(I11) - np.einsum("ij,ji->i", I12, np.linalg.solve(I22, I12.T))
    except np.linalg.LinAlgError:
        V = np.full(len(cands), np.nan)
    s = g[q:]
    with np.errstate(invalid="ignore", divide="ignore"):
        V = np.where(V < _EPS13, np.nan, V)
        mi = result.n * s * s / V
        epc = -s / V
    out = pd.DataFrame({"lhs": [c[0] for c in cands], "op": [c[1] for c in cands],
                        "rhs": [c[2] for c in cands], "mi": mi, "epc": epc})
    out = out[np.isfinite(out["mi"])]
    out = out.sort_values("mi", ascending=False, kind="mergesort").reset_index(drop=True)
    return out


# ------------------------------------------------------------------------------------------
# JSON and files
# ------------------------------------------------------------------------------------------
def _num(x, digits: int = 6):
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    v = round(x, digits)
    return 0.0 if v == 0 else v


def to_json(result: SEMResult, digits: int = 6) -> dict:
    """JSON-ready dict ``{"parameters": [...], "fit_measures": {...}}``.

    Floats are rounded to ``digits`` decimals and NaN becomes ``None`` (``null``), so that the
    same fit gives byte-identical JSON.
    """
    params = [
        {"lhs": r.lhs, "op": r.op, "rhs": r.rhs, "est": _num(r.est, digits),
         "se": _num(r.se, digits), "z": _num(r.z, digits), "pvalue": _num(r.pvalue, digits),
         "std_all": _num(r.std_all, digits)}
        for r in result.params.itertuples(index=False)
    ]
    fm = {k: _num(v, digits) for k, v in result.fit_measures.items()}
    return {"parameters": params, "fit_measures": fm,
            "r2": {k: _num(v, digits) for k, v in result.r2.items()},
            "converged": bool(result.converged), "warnings": list(result.warnings),
            "n": int(result.n)}


def read_csv(path: str | Path) -> pd.DataFrame:
    """Read a data CSV with one-line errors naming the file."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found")
    try:
        return pd.read_csv(p)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: cannot read as CSV ({exc.__class__.__name__}); expected a header "
                         "row of column names and comma-separated numbers") from None


def fit_files(model_path: str | Path, data_path: str | Path, bootstrap: int | None = None,
              seed: int | None = None, jobs: int = 1) -> dict:
    """Fit the model in ``model_path`` to the CSV ``data_path`` (the ``replicate fit`` command).

    Returns
    -------
    dict
        :func:`to_json` output, plus ``"bootstrap"`` (a list of ``lhs, op, rhs, est, boot_se,
        ci_lower, ci_upper, bc_lower, bc_upper`` and ``n_boot``, ``n_failed``) when ``bootstrap``
        is a number of resamples.
    """
    mp = Path(model_path)
    if not mp.exists():
        raise InputError(f"{mp}: model file not found")
    try:
        text = mp.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise InputError(f"{mp}: cannot read the model file as UTF-8 text") from None
    data = read_csv(data_path)
    try:
        res = fit(text, data)
    except InputError as exc:
        raise InputError(f"{mp}: {exc}") from None
    out = to_json(res)
    if bootstrap is not None:
        if int(bootstrap) != bootstrap or bootstrap < 1:
            raise InputError(f"--bootstrap: expected a positive number of resamples, got {bootstrap}")
        from replication.bootstrap import bootstrap as _boot

        b = _boot(text, data, n_boot=int(bootstrap), seed=seed, jobs=jobs)
        summ = b.summary()
        out["bootstrap"] = {
            "n_boot": int(bootstrap), "n_failed": int(b.n_failed), "seed": seed,
            "parameters": [
                {"lhs": r.lhs, "op": r.op, "rhs": r.rhs, "est": _num(r.est),
                 "boot_se": _num(r.boot_se), "ci_lower": _num(r.ci_lower),
                 "ci_upper": _num(r.ci_upper), "bc_lower": _num(r.bc_lower),
                 "bc_upper": _num(r.bc_upper)}
                for r in summ.itertuples(index=False)],
        }
    json.dumps(out)
    return out
