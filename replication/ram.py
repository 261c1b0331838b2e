"""Reticular action model (RAM) of a lavaan-syntax model: implied covariance, derivatives, ML fit.

A small, dependency-free representation of the covariance structure of a CFA or SEM written in
lavaan syntax, used where the exact derivatives of the implied covariance matrix are needed
(misfit calibration, admissibility checks): ``Sigma(theta) = F (I - A)^-1 S (I - A)^-T F'``.

Defaults are those of lavaan's ``lavaan(model, auto.var = TRUE, auto.fix.first = TRUE,
auto.cov.lv.x = TRUE)``, the models AMOS and LISREL draw: a free residual variance for every
observed and latent variable, the first loading of each factor fixed to 1, free covariances among
exogenous latent variables, and whatever ``~~`` lines the model lists.

References
----------
McArdle, J. J., & McDonald, R. P. (1984). Some algebraic properties of the reticular action
model for moment structures. *British Journal of Mathematical and Statistical Psychology*, 37,
234-251.
Browne, M. W. (1974). Generalized least squares estimators in the analysis of covariance
structures. *South African Statistical Journal*, 8, 1-24 (derivatives, Fisher scoring).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from replication.errors import InputError
from replication.syntax import parse_model

__all__ = ["RamModel", "ml_discrepancy", "ml_gradient", "fit_ml", "MLFit"]


@dataclass
class RamModel:
    """Free and fixed parameters of a model in RAM form.

    Attributes
    ----------
    observed : list of str
        Observed variables, in the order of the covariance matrix the model is fitted to.
    latent : list of str
        Latent variables (left-hand sides of ``=~``).
    params : list of tuple
        One entry per free parameter: ``(matrix, row, col, lhs, op, rhs)`` with ``matrix``
        ``"A"`` (directed: ``row`` <- ``col``) or ``"S"`` (symmetric).
    A_fixed, S_fixed : ndarray
        Fixed values (free positions hold 0).
    """

    observed: list[str]
    latent: list[str]
    params: list[tuple[str, int, int, str, str, str]]
    A_fixed: np.ndarray
    S_fixed: np.ndarray
    labels: list[str | None] = field(default_factory=list)

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_syntax(cls, text: str, observed: list[str] | None = None) -> "RamModel":
        """Build the model from lavaan syntax.

        Parameters
        ----------
        text : str
            Model in lavaan syntax (``=~``, ``~``, ``~~``; ``:=`` lines are ignored).
        observed : list of str, optional
            Order of the observed variables (default: order of appearance).

        Raises
        ------
        InputError
            When ``observed`` lacks a variable the model uses.
        """
        stm = [s for s in parse_model(text) if s.op in ("=~", "~", "~~")]
        latent: list[str] = []
        for s in stm:
            if s.op == "=~" and s.lhs not in latent:
                latent.append(s.lhs)
        seen: list[str] = []
        for s in stm:
            for v in (s.lhs, s.rhs):
                if v not in latent and v not in seen:
                    seen.append(v)
        if observed is None:
            observed = seen
        else:
            missing = [v for v in seen if v not in observed]
            if missing:
                raise InputError(f"model: variable {missing[0]!r} is not among the observed variables")
            observed = [v for v in observed if v in seen]
        names = list(observed) + latent
        idx = {v: i for i, v in enumerate(names)}
        m = len(names)
        A_fixed = np.zeros((m, m))
        S_fixed = np.zeros((m, m))
        free: dict[tuple[str, int, int], tuple[str, str, str, str | None]] = {}
        first_done: set[str] = set()
        dependent: set[str] = set()
        for s in stm:
            if s.op == "=~":
                i, j = idx[s.rhs], idx[s.lhs]
                if s.fixed is not None:
                    A_fixed[i, j] = s.fixed
                elif s.lhs not in first_done and not s.free:
                    A_fixed[i, j] = 1.0
                else:
                    free[("A", i, j)] = (s.lhs, "=~", s.rhs, s.label)
                first_done.add(s.lhs)
                dependent.add(s.rhs)
            elif s.op == "~":
                i, j = idx[s.lhs], idx[s.rhs]
                if s.fixed is not None:
                    A_fixed[i, j] = s.fixed
                else:
                    free[("A", i, j)] = (s.lhs, "~", s.rhs, s.label)
                dependent.add(s.lhs)
        for s in stm:
            if s.op == "~~":
                i, j = sorted((idx[s.lhs], idx[s.rhs]))
                if s.fixed is not None:
                    S_fixed[i, j] = S_fixed[j, i] = s.fixed
                    free.pop(("S", i, j), None)
                else:
                    free[("S", i, j)] = (names[i], "~~", names[j], s.label)
        fixed_s = {(min(idx[s.lhs], idx[s.rhs]), max(idx[s.lhs], idx[s.rhs]))
                   for s in stm if s.op == "~~" and s.fixed is not None}
        for v in names:  # auto.var
            i = idx[v]
            if (i, i) not in fixed_s and ("S", i, i) not in free:
                free[("S", i, i)] = (v, "~~", v, None)
        exo = [v for v in latent if v not in dependent]  # auto.cov.lv.x
        for a_pos, a in enumerate(exo):
            for b in exo[a_pos + 1:]:
                i, j = sorted((idx[a], idx[b]))
                if (i, j) not in fixed_s and ("S", i, j) not in free:
                    free[("S", i, j)] = (names[i], "~~", names[j], None)
        params = [(k[0], k[1], k[2], *v[:3]) for k, v in free.items()]
        labels = [v[3] for v in free.values()]
        return cls(list(observed), latent, params, A_fixed, S_fixed, labels)

    # ---------------------------------------------------------------- algebra
    @property
    def names(self) -> list[str]:
        return self.observed + self.latent

    @property
    def n_free(self) -> int:
        """Number of distinct free parameters (shared labels count once)."""
        return len(self._groups())

    @property
    def df(self) -> int:
        """Degrees of freedom ``p(p+1)/2 - q`` (covariance structure, no mean structure)."""
        p = len(self.observed)
        return p * (p + 1) // 2 - self.n_free

    def _groups(self) -> list[list[int]]:
        groups: dict[str, list[int]] = {}
        out: list[list[int]] = []
        for k, lab in enumerate(self.labels or [None] * len(self.params)):
            if lab is None:
                out.append([k])
            elif lab in groups:
                groups[lab].append(k)
            else:
                groups[lab] = [k]
                out.append(groups[lab])
        return out

    def matrices(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``A`` and ``S`` at ``theta`` (one value per distinct free parameter)."""
        A = self.A_fixed.copy()
        S = self.S_fixed.copy()
        for g, val in zip(self._groups(), np.asarray(theta, float)):
            for k in g:
                mat, i, j = self.params[k][:3]
                if mat == "A":
                    A[i, j] = val
                else:
                    S[i, j] = S[j, i] = val
        return A, S

    def implied(self, theta: np.ndarray) -> np.ndarray:
        """Model-implied covariance of the observed variables, ``F G S G' F'``."""
        A, S = self.matrices(theta)
        G = np.linalg.inv(np.eye(len(A)) - A)
        p = len(self.observed)
        return (G @ S @ G.T)[:p, :p]

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """Derivatives of the implied covariance, shape ``(q, p, p)``.

        ``dSigma/dA_ij = F G E_ij G S G' F' + transpose`` and
        ``dSigma/dS_ij = F G (E_ij + E_ji) G' F'`` (``E_ii`` once on the diagonal).
        """
        A, S = self.matrices(theta)
        m = len(A)
        p = len(self.observed)
        G = np.linalg.inv(np.eye(m) - A)
        GSG = G @ S @ G.T
        Gf = G[:p, :]
        groups = self._groups()
        out = np.zeros((len(groups), p, p))
        for gi, g in enumerate(groups):
            for k in g:
                mat, i, j = self.params[k][:3]
                if mat == "A":
                    d = np.outer(Gf[:, i], GSG[j, :p])
                    out[gi] += d + d.T
                elif i == j:
                    out[gi] += np.outer(Gf[:, i], Gf[:, i])
                else:
                    d = np.outer(Gf[:, i], Gf[:, j])
                    out[gi] += d + d.T
        return out

    def theta_from(self, A: np.ndarray, S: np.ndarray, names: list[str]) -> np.ndarray:
        """Read free parameters from full matrices ``A``, ``S`` indexed by ``names``.

        Latent variables are first rescaled so that every fixed loading takes its fixed value
        (``A' = D A D^-1``, ``S' = D S D`` with ``D`` the latent scale factors).
        """
        pos = {v: names.index(v) for v in self.names}
        order = [pos[v] for v in self.names]
        A = np.asarray(A, float)[np.ix_(order, order)]
        S = np.asarray(S, float)[np.ix_(order, order)]
        p = len(self.observed)
        d = np.ones(len(self.names))
        for j in range(p, len(self.names)):
            fixed_rows = np.nonzero(self.A_fixed[:p, j])[0]
            if len(fixed_rows):
                i = fixed_rows[0]
                if A[i, j] == 0:
                    raise InputError(f"model: marker loading of {self.names[j]} is zero in the population")
                d[j] = A[i, j] / self.A_fixed[i, j]
        A = (d[:, None] * A) / d[None, :]
        S = d[:, None] * S * d[None, :]
        theta = []
        for g in self._groups():
            mat, i, j = self.params[g[0]][:3]
            theta.append(A[i, j] if mat == "A" else S[i, j])
        return np.array(theta)


def ml_discrepancy(S: np.ndarray, Sigma: np.ndarray) -> float:
    """Maximum-likelihood discrepancy ``F = log|Sigma| + tr(S Sigma^-1) - log|S| - p``.

    lavaan reports ``T = N * F`` (its ``fmin`` is ``F / 2``), with ``S`` computed with divisor N.

    References
    ----------
    Jöreskog, K. G. (1969). A general approach to confirmatory maximum likelihood factor
    analysis. *Psychometrika*, 34, 183-202.
    """
    p = len(S)
    try:
        L = np.linalg.cholesky(Sigma)
        Ls = np.linalg.cholesky(S)
    except np.linalg.LinAlgError:
        return float("inf")
    ld_sigma = 2 * np.sum(np.log(np.diag(L)))
    ld_s = 2 * np.sum(np.log(np.diag(Ls)))
    Z = np.linalg.solve(L, Ls)
    return float(ld_sigma + np.sum(Z * Z) - ld_s - p)


def ml_gradient(model: RamModel, theta: np.ndarray, S: np.ndarray) -> np.ndarray:
    """Gradient of :func:`ml_discrepancy` in ``theta``: ``tr(Sigma^-1 (Sigma - S) Sigma^-1 dSigma_k)``."""
    Sigma = model.implied(theta)
    Wi = np.linalg.inv(Sigma)
    R = Wi @ (Sigma - S) @ Wi
    J = model.jacobian(theta)
    return np.einsum("ij,kij->k", R, J)


@dataclass
class MLFit:
    """Result of :func:`fit_ml`: estimates, minimum of F, convergence and iterations."""

    theta: np.ndarray
    fmin: float
    converged: bool
    iterations: int
    gradient_norm: float


def fit_ml(model: RamModel, S: np.ndarray, theta0: np.ndarray, tol: float = 1e-10,
           max_iter: int = 200) -> MLFit:
    """Minimise the ML discrepancy by Fisher scoring with step halving.

    The expected information is ``I_kl = tr(Sigma^-1 dSigma_k Sigma^-1 dSigma_l)``; the step is
    ``I^-1 g``. Used to locate the minimum near known values (calibration), not as the suite's
    general estimator (see :mod:`replication.sem`).
    """
    theta = np.asarray(theta0, float).copy()
    f = ml_discrepancy(S, model.implied(theta))
    g = np.zeros_like(theta)
    for it in range(1, max_iter + 1):
        Sigma = model.implied(theta)
        Wi = np.linalg.inv(Sigma)
        J = model.jacobian(theta)
        WJ = np.einsum("ij,kjl->kil", Wi, J)
        info = np.einsum("kij,lji->kl", WJ, WJ)
        g = np.einsum("ij,kij->k", Wi @ (Sigma - S) @ Wi, J)
        try:
            step = np.linalg.solve(info, g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(info, g, rcond=None)[0]
        t = 1.0
        while t > 1e-8:
            cand = theta - t * step
            fc = ml_discrepancy(S, model.implied(cand))
            if fc <= f + 1e-14:
                break
            t /= 2
        else:
            return MLFit(theta, f, False, it, float(np.linalg.norm(g)))
        theta, f_old, f = cand, f, fc
        if abs(f_old - f) < tol and np.max(np.abs(t * step)) < 1e-7:
            g = ml_gradient(model, theta, S)
            return MLFit(theta, f, True, it, float(np.linalg.norm(g)))
    return MLFit(theta, f, False, max_iter, float(np.linalg.norm(g)))
