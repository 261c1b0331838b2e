"""Explained variance implied by a standardized structural model, and its admissibility.

In a completely standardized solution every construct has variance 1. Given the standardized
paths ``B`` (``B[y, x]`` the path ``x -> y``), the correlations ``Phi`` among exogenous
constructs and the correlations among disturbances, the disturbance variances ``psi_y`` are
whatever makes the implied variances equal to 1, and the explained variance of an endogenous
construct is ``R2_y = 1 - psi_y``. A printed solution with ``R2_y > 1`` (a negative disturbance
variance) is inadmissible: no data can produce it.

Exogenous correlations are often not printed. :func:`min_r2` therefore minimises ``R2_y`` over
every admissible exogenous correlation matrix (and over the printed rounding of the paths): if
even the minimum exceeds 1, the printed paths are inadmissible whatever the correlations were.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from replication.engine.errors import InputError

__all__ = ["implied_r2", "min_r2", "MinR2", "ancestors"]

Pair = tuple[str, str]


def _variables(paths: Sequence[Pair]) -> tuple[list[str], list[str]]:
    names: list[str] = []
    for x, y in paths:
        for v in (x, y):
            if v not in names:
                names.append(v)
    targets = {y for _, y in paths}
    exo = [v for v in names if v not in targets]
    endo = [v for v in names if v in targets]
    return exo, endo


def ancestors(paths: Sequence[Pair], target: str) -> set[str]:
    """Constructs with a directed path into ``target`` (not including it)."""
    parents: dict[str, set[str]] = {}
    for x, y in paths:
        parents.setdefault(y, set()).add(x)
    out: set[str] = set()
    stack = [target]
    while stack:
        v = stack.pop()
        for u in parents.get(v, ()):
            if u not in out:
                out.add(u)
                stack.append(u)
    out.discard(target)
    return out


def _pair_get(d: Mapping[Pair, float], a: str, b: str):
    if (a, b) in d:
        return d[(a, b)]
    if (b, a) in d:
        return d[(b, a)]
    return None


def _solve(order: list[str], exo: list[str], B: np.ndarray, Phi: np.ndarray,
           dist: list[tuple[int, int, float]]) -> np.ndarray:
    """Disturbance variances that make every implied variance 1 (fixed-point iteration)."""
    k = len(order)
    m = len(exo)
    A = np.linalg.inv(np.eye(k) - B)
    psi = np.ones(k - m)
    for _ in range(500):
        Psi = np.zeros((k, k))
        Psi[:m, :m] = Phi
        Psi[m:, m:] = np.diag(psi)
        for i, j, rho in dist:
            c = rho * math.sqrt(max(psi[i - m], 0.0) * max(psi[j - m], 0.0))
            Psi[i, j] = Psi[j, i] = c
        S = A @ Psi @ A.T
        step = 1.0 - np.diag(S)[m:]
        psi = psi + step
        if np.max(np.abs(step)) < 1e-13:
            break
    return psi


def _build(paths: Mapping[Pair, float], exo_corr: Mapping[Pair, float],
           disturbance_corr: Mapping[Pair, float]):
    exo, endo = _variables(list(paths))
    order = exo + endo
    idx = {v: i for i, v in enumerate(order)}
    B = np.zeros((len(order), len(order)))
    for (x, y), b in paths.items():
        B[idx[y], idx[x]] = float(b)
    Phi = np.eye(len(exo))
    for i, a in enumerate(exo):
        for j in range(i + 1, len(exo)):
            r = _pair_get(exo_corr, a, exo[j])
            if r is None:
                raise InputError(f"implied_r2: exo_corr: the correlation {a}~~{exo[j]} is missing")
            Phi[i, j] = Phi[j, i] = float(r)
    dist = []
    for (a, b), rho in disturbance_corr.items():
        if a not in idx or b not in idx or a in exo or b in exo:
            raise InputError(f"implied_r2: disturbance_corr: {a}~~{b} must join two endogenous constructs")
        dist.append((idx[a], idx[b], float(rho)))
    return order, exo, endo, B, Phi, dist


def implied_r2(paths: Mapping[Pair, float], exo_corr: Mapping[Pair, float] | None = None,
               disturbance_corr: Mapping[Pair, float] | None = None) -> dict[str, float]:
    """R-squared of every endogenous construct implied by standardized paths.

    Parameters
    ----------
    paths : mapping
        ``{(x, y): beta}`` standardized path coefficients ``x -> y``.
    exo_corr : mapping, optional
        ``{(a, b): r}`` correlations of every pair of exogenous constructs (required when there
        are two or more).
    disturbance_corr : mapping, optional
        ``{(y1, y2): rho}`` correlations between disturbances (default: uncorrelated).

    Returns
    -------
    dict
        ``{y: R2_y}``; a value above 1 means a negative disturbance variance (inadmissible).

    Notes
    -----
    With ``A = (I - B)^-1`` and ``Psi`` holding ``Phi``, the disturbance variances ``psi`` and
    the disturbance covariances ``rho sqrt(psi_i psi_j)``, the implied correlation matrix is
    ``A Psi A'`` (Bollen, 1989, eq. 4.16). ``psi`` is found by iterating
    ``psi <- psi + (1 - diag(A Psi A'))`` until every implied variance is 1; for a recursive
    model without correlated disturbances this is exact after as many steps as the longest
    chain, and ``R2_y = b' R_xx b`` for the predictors ``x`` of ``y`` (``b`` their
    standardized paths into ``y``, ``R_xx`` their implied correlations): the squared multiple
    correlation of a standardized regression, so that ``psi_y = 1 - b' R_xx b``.

    References
    ----------
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, ch. 4 and 8.
    Duncan, O. D. (1975). *Introduction to Structural Equation Models*. Academic Press, ch. 4
    (decomposition of a standardized variance into explained and disturbance parts).

    Examples
    --------
    >>> round(implied_r2({("a", "y"): 0.5, ("b", "y"): 0.5}, {("a", "b"): 0.2})["y"], 3)
    0.6
    """
    if not paths:
        raise InputError("implied_r2: paths: expected at least one path")
    order, exo, endo, B, Phi, dist = _build(paths, exo_corr or {}, disturbance_corr or {})
    psi = _solve(order, exo, B, Phi, dist)
    return {y: float(1.0 - psi[i]) for i, y in enumerate(endo)}


@dataclass(frozen=True)
class MinR2:
    """Result of :func:`min_r2`.

    Attributes
    ----------
    value : float
        Smallest R-squared of the target found.
    exo_corr : dict
        Exogenous correlations at the minimum.
    paths : dict
        Path values (inside their boxes) at the minimum.
    """

    value: float
    exo_corr: dict[Pair, float]
    paths: dict[Pair, float]


def min_r2(paths_box: Mapping[Pair, tuple[float, float]], target: str,
           free_disturbance: Sequence[Pair] = (), starts: int = 6) -> MinR2:
    """Smallest R-squared of ``target`` over all admissible exogenous correlations.

    Parameters
    ----------
    paths_box : mapping
        ``{(x, y): (low, high)}`` standardized paths as intervals (the printed rounding).
    target : str
        Endogenous construct.
    free_disturbance : sequence of pairs, optional
        Disturbance pairs whose correlation is free (ranges over [-1, 1]).
    starts : int, default 6
        Deterministic random starts in addition to the structured ones (r = 0, +1, -1).

    Returns
    -------
    MinR2

    Notes
    -----
    Only ``target`` and its ancestors enter. The exogenous correlation matrix is parameterised
    as ``Phi = D U U' D`` (rows of ``U`` scaled to unit length), which covers every correlation
    matrix; paths vary within their intervals. L-BFGS-B minimises ``R2_target`` from several
    deterministic starts (seeded generator), so the result is reproducible.

    The objective is :func:`implied_r2`, ``R2_y = b' R_xx b`` in the recursive case: for fixed
    paths a quadratic form in the exogenous correlations, minimised over the set of
    correlation matrices (positive semidefinite, unit diagonal), which the unit-row
    parameterisation spans exactly.

    References
    ----------
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, ch. 4 (implied
    covariance and explained variance of a structural model).
    Duncan, O. D. (1975). *Introduction to Structural Equation Models*. Academic Press, ch. 4.
    Rapisarda, F., Brigo, D., & Mercurio, F. (2007). Parameterizing correlations: a geometric
    interpretation. *IMA Journal of Management Mathematics*, 18, 55-73 (correlation matrices
    as ``U U'`` with unit-length rows).
    Byrd, R. H., Lu, P., Nocedal, J., & Zhu, C. (1995). A limited memory algorithm for bound
    constrained optimization. *SIAM Journal on Scientific Computing*, 16, 1190-1208.
    """
    anc = ancestors(list(paths_box), target)
    if not anc:
        raise InputError(f"min_r2: target {target!r} has no incoming path")
    keep = anc | {target}
    box = {k: v for k, v in paths_box.items() if k[0] in keep and k[1] in keep}
    keys = list(box)
    exo, _ = _variables(keys)
    dpairs = [p for p in free_disturbance if p[0] in keep and p[1] in keep]
    m = len(exo)
    objective = _R2Objective(keys, dpairs, target)

    bounds = [(-1.0, 1.0)] * (m * m) + [box[k] for k in keys] + [(-1.0, 1.0)] * len(dpairs)
    mid = np.array([(lo + hi) / 2 for lo, hi in (box[k] for k in keys)])
    rng = np.random.default_rng(0)
    x0s = []
    eye = np.eye(m)
    same = np.zeros((m, m))
    same[:, 0] = 1.0
    alt = same.copy()
    alt[1::2, 0] = -1.0
    for U in (eye, same + 0.01 * eye, alt + 0.01 * eye):
        x0s.append(np.concatenate([U.ravel(), mid, np.zeros(len(dpairs))]))
    for _ in range(starts):
        U = rng.uniform(-1, 1, (m, m))
        b = np.array([rng.uniform(lo, hi) for lo, hi in (box[k] for k in keys)])
        x0s.append(np.concatenate([U.ravel(), b, rng.uniform(-1, 1, len(dpairs))]))
    best = None
    for x0 in x0s:
        res = optimize.minimize(objective.value_and_gradient, x0, jac=True, method="L-BFGS-B",
                                bounds=bounds)
        val = objective.value(res.x)
        if best is None or val < best[0]:
            best = (val, res.x)
    corr, betas = objective.unpack(best[1])
    return MinR2(value=float(best[0]), exo_corr=corr, paths=betas)


class _R2Objective:
    """``R2_target`` of :func:`min_r2` and its gradient as functions of the optimiser's vector.

    The vector holds the ``m x m`` matrix ``U`` (exogenous correlations ``Phi = D U U' D``), the
    paths in ``keys`` and the free disturbance correlations ``dpairs``. The value is
    :func:`implied_r2`'s. The gradient follows from the implicit function theorem: the
    disturbance variances ``psi`` solve ``F(psi, theta) = diag(A Psi A')_endo - 1 = 0``, so with
    ``J = dF/dpsi`` and ``J' lam = e_target``, ``dR2_target/dtheta = lam' dF/dtheta``, which is
    the derivative of ``tr(G Psi)`` with ``G = A' diag(lam) A`` at fixed ``psi`` (``dA = A dB A``).
    Where the fixed-point iteration did not converge the gradient is taken by forward
    differences, as scipy would.
    """

    def __init__(self, keys: list[Pair], dpairs: list[Pair], target: str):
        exo, endo = _variables(keys)
        self.exo, self.order = exo, exo + endo
        self.m, self.k, self.nb = len(exo), len(exo) + len(endo), len(keys)
        idx = {v: i for i, v in enumerate(self.order)}
        self.keys, self.dpairs = keys, dpairs
        self.rows = np.array([idx[y] for _, y in keys], dtype=int)
        self.cols = np.array([idx[x] for x, _ in keys], dtype=int)
        self.didx = [(idx[a], idx[b]) for a, b in dpairs]
        self.t = idx[target]

    def _parts(self, x: np.ndarray):
        m = self.m
        U = x[: m * m].reshape(m, m)
        norms = np.linalg.norm(U, axis=1)
        norms[norms < 1e-12] = 1e-12
        Un = U / norms[:, None]
        Phi = np.clip(Un @ Un.T, -1.0, 1.0)
        np.fill_diagonal(Phi, 1.0)
        B = np.zeros((self.k, self.k))
        B[self.rows, self.cols] = x[m * m: m * m + self.nb]
        rho = x[m * m + self.nb:]
        dist = [(i, j, float(r)) for (i, j), r in zip(self.didx, rho)]
        return Un, norms, Phi, B, rho, dist

    def unpack(self, x: np.ndarray) -> tuple[dict[Pair, float], dict[Pair, float]]:
        _, _, Phi, _, _, _ = self._parts(x)
        exo, m = self.exo, self.m
        corr = {(exo[i], exo[j]): float(Phi[i, j]) for i in range(m) for j in range(i + 1, m)}
        betas = {k: float(v) for k, v in zip(self.keys, x[m * m: m * m + self.nb])}
        return corr, betas

    def value(self, x: np.ndarray) -> float:
        _, _, Phi, B, _, dist = self._parts(x)
        psi = _solve(self.order, self.exo, B, Phi, dist)
        v = float(1.0 - psi[self.t - self.m])
        return v if math.isfinite(v) else 1e300

    def _numeric(self, x: np.ndarray, f0: float) -> tuple[float, np.ndarray]:
        h = np.sqrt(np.finfo(float).eps) * np.maximum(1.0, np.abs(x))
        g = np.empty_like(x)
        for i in range(x.size):
            xi = x.copy()
            xi[i] += h[i]
            g[i] = (self.value(xi) - f0) / h[i]
        return f0, g

    def value_and_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        m, k = self.m, self.k
        Un, norms, Phi, B, rho, dist = self._parts(x)
        A = np.linalg.inv(np.eye(k) - B)
        psi = _solve(self.order, self.exo, B, Phi, dist)
        f = float(1.0 - psi[self.t - m])
        if not math.isfinite(f):
            return 1e300, np.zeros_like(x)
        Psi = np.zeros((k, k))
        Psi[:m, :m] = Phi
        Psi[m:, m:] = np.diag(psi)
        root = np.sqrt(np.maximum(psi, 0.0))
        for i, j, r in dist:
            Psi[i, j] = Psi[j, i] = r * root[i - m] * root[j - m]
        if np.max(np.abs(1.0 - np.diag(A @ Psi @ A.T)[m:]), initial=0.0) > 1e-10:
            return self._numeric(x, f)
        Ae = A[m:, :]  # rows of the endogenous constructs
        J = Ae[:, m:] ** 2
        for i, j, r in dist:
            pi, pj = psi[i - m], psi[j - m]
            if pi <= 0.0 or pj <= 0.0:
                continue
            dS = 2.0 * Ae[:, i] * Ae[:, j]
            J[:, i - m] += dS * r * root[j - m] / (2.0 * root[i - m])
            J[:, j - m] += dS * r * root[i - m] / (2.0 * root[j - m])
        e = np.zeros(k - m)
        e[self.t - m] = 1.0
        try:
            lam = np.linalg.solve(J.T, e)
        except np.linalg.LinAlgError:
            return self._numeric(x, f)
        G = Ae.T @ (lam[:, None] * Ae)
        gPhi = G[:m, :m].copy()
        np.fill_diagonal(gPhi, 0.0)
        gUn = 2.0 * gPhi @ Un
        gU = (gUn - np.sum(gUn * Un, axis=1)[:, None] * Un) / norms[:, None]
        C = A @ Psi @ G
        gB = 2.0 * C[self.cols, self.rows]
        grho = np.array([2.0 * G[i, j] * root[i - m] * root[j - m] for i, j, _ in dist])
        grad = np.concatenate([gU.ravel(), gB, grho])
        if not np.all(np.isfinite(grad)):
            return self._numeric(x, f)
        return f, grad
