"""Maximum-likelihood estimation from several starts, keeping the best admissible optimum.

:func:`estimate_ml` minimizes lavaan's ML discrepancy ``F_ML`` with the Newton / Fisher
scoring iterations of :class:`replication.engine.ram.RAM` from lavaan's default starting values
(:func:`replication.engine.starts.lavaan_start`). When that run does not converge, or converges
to an inadmissible solution (a negative variance, a latent covariance matrix that is not
positive definite), it retries from other starts (lavaan's ``"simple"`` start, semopy's
estimates, then starts jittered around the best point so far) and keeps the best of them:
a converged admissible solution with the lowest ``F_ML`` when there is one, otherwise the
converged solution with the lowest ``F_ML`` (lavaan reports an inadmissible optimum with a
warning), otherwise the lowest ``F_ML`` reached.

:func:`is_admissible` is the check of lavaan's ``lav_object_post_check``.

References
----------
Lee, S.-Y., & Jennrich, R. I. (1979). A study of algorithms for covariance structure analysis
with specific comparisons using factor analysis. *Psychometrika*, 44, 99-113.
lavaan ``R/lav_start.R``, ``R/lav_object_post_check.R``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from replication.engine import starts
from replication.engine.partable import ModelSpec
from replication.engine.ram import RAM

__all__ = ["Estimate", "estimate_ml", "is_admissible", "N_JITTER"]

N_JITTER = 6  # jittered retries after the named starts
_SAME = 1e-9  # two minima of F_ML closer than this (relative) are the same optimum


@dataclass
class Estimate:
    """The chosen optimum of :func:`estimate_ml`.

    Attributes
    ----------
    theta : ndarray
        Free parameters.
    converged : bool
    fmin : float
        ``F_ML`` at ``theta``.
    iterations : int
        Newton / scoring iterations of the chosen run.
    start : str
        Which start led there (``"lavaan"``, ``"simple"``, ``"semopy"``, ``"jitter k"``).
    admissible : bool
    tried : list of (str, float, bool, bool)
        Every start tried: name, ``F_ML`` reached, converged, admissible.
    """

    theta: np.ndarray
    converged: bool
    fmin: float
    iterations: int
    start: str
    admissible: bool
    tried: list = field(default_factory=list)


def is_admissible(spec: ModelSpec, ram: RAM, theta: np.ndarray) -> bool:
    """No negative (residual) variance and a positive definite latent covariance matrix.

    References
    ----------
    lavaan ``R/lav_object_post_check.R`` (``lav_object_post_check``: negative variances of
    observed and latent variables, covariance matrix of the latent variables not positive
    definite).
    """
    if not np.all(np.isfinite(theta)):
        return False
    A, Sm = ram.matrices(theta)
    if np.any(np.diag(Sm) < 0):
        return False
    if spec.lv:
        C = ram.total_cov(theta)
        lv = np.arange(ram.p, ram.m)
        ev = np.linalg.eigvalsh(C[np.ix_(lv, lv)])
        if not np.all(np.isfinite(ev)) or ev.min() <= 0:
            return False
    return True


def _run(ram: RAM, theta0: np.ndarray, S: np.ndarray) -> tuple[np.ndarray, bool, int]:
    """Newton / scoring from ``theta0``; L-BFGS then Newton again when that does not converge."""
    theta, conv, it = ram.fisher(theta0, S)
    if not conv:
        theta = ram.lbfgs(theta, S)
        theta, conv, it2 = ram.fisher(theta, S)
        it += it2
    return theta, conv, it


def _better(cand: Estimate, best: Estimate | None) -> bool:
    """Converged beats not converged, admissible beats inadmissible, then the lower F_ML."""
    if best is None:
        return True
    rank_c = (cand.converged, cand.converged and cand.admissible)
    rank_b = (best.converged, best.converged and best.admissible)
    if rank_c != rank_b:
        return rank_c > rank_b
    return cand.fmin < best.fmin - _SAME * max(1.0, abs(best.fmin))


def _starts(spec: ModelSpec, S: np.ndarray, n: int):
    yield "lavaan", lambda: starts.lavaan_start(spec, S)
    yield "simple", lambda: starts.simple_start(spec, S)
    yield "semopy", lambda: starts.semopy_start(spec, S, n)


def estimate_ml(ram: RAM, spec: ModelSpec, S: np.ndarray, n: int) -> Estimate:
    """ML estimates of a model from lavaan's starts, with retries (see the module notes).

    Parameters
    ----------
    ram : RAM
        The model's matrices (fixed.x moments set from ``S``).
    spec : ModelSpec
    S : ndarray
        Sample covariance matrix (divisor N, ``spec.ov`` order).
    n : int
        Sample size.

    Returns
    -------
    Estimate
        The first converged admissible optimum; otherwise the best over every start.
    """
    logdet_S = np.linalg.slogdet(S)[1]
    best: Estimate | None = None
    tried: list = []

    def attempt(name: str, theta0) -> bool:
        nonlocal best
        if theta0 is None or not np.isfinite(ram.fml(theta0, S, logdet_S)):
            tried.append((name, float("nan"), False, False))
            return False
        theta, conv, it = _run(ram, theta0, S)
        f = ram.fml(theta, S, logdet_S)
        ok = bool(conv and np.isfinite(f) and is_admissible(spec, ram, theta))
        cand = Estimate(theta, bool(conv and np.isfinite(f)), f, it, name, ok)
        tried.append((name, float(f), cand.converged, ok))
        if _better(cand, best):
            best = cand
        return ok

    for name, make in _starts(spec, S, n):
        if attempt(name, make()):
            break
    else:
        rng = np.random.default_rng(20240)
        for k in range(N_JITTER):
            centre = best.theta if best is not None else starts.simple_start(spec, S)
            if attempt(f"jitter {k + 1}", starts.jittered(spec, centre, rng)):
                break
    if best is None:
        theta0 = starts.lavaan_start(spec, S)
        best = Estimate(theta0, False, float("inf"), 0, "lavaan", False)
    best.tried = tried
    return best
