"""Maximum-likelihood estimation from several starts, keeping the best admissible optimum.

:func:`estimate_ml` minimizes lavaan's ML discrepancy ``F_ML`` with the Newton / Fisher
scoring iterations of :class:`replication.engine.ram.RAM` from lavaan's default starting values
(:func:`replication.engine.starts.lavaan_start`). When that run does not converge, or converges
to an inadmissible solution (a negative variance, a latent covariance matrix that is not
positive definite), it retries: the same start with quasi-Newton (BFGS, as lavaan's
``nlminb``) and trust-region Newton, lavaan's ``"simple"`` start, then starts jittered around
lavaan's. It stops at the first converged admissible solution and keeps:

* when the run from lavaan's start converged (admissible or not), that solution, unless a
  retry converges to an admissible one with a lower ``F_ML`` (the best admissible optimum);
  an admissible solution with a higher ``F_ML`` never replaces it, since the ML estimate is
  the minimum and lavaan reports an inadmissible minimum with a warning;
* otherwise the best converged solution: an admissible one before an inadmissible one, then
  the lowest ``F_ML``; when nothing converged, the lowest ``F_ML`` reached (reported as not
  converged).

:func:`is_admissible` is the check of lavaan's ``lav_object_post_check``.

References
----------
Lee, S.-Y., & Jennrich, R. I. (1979). A study of algorithms for covariance structure analysis
with specific comparisons using factor analysis. *Psychometrika*, 44, 99-113.
lavaan ``R/lav_start.R``, ``R/lav_object_post_check.R``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from replication.engine import starts
from replication.engine.partable import ModelSpec
from replication.engine.ram import RAM

__all__ = ["Estimate", "estimate_ml", "is_admissible", "N_JITTER"]

#: Jittered retries after the named starts: with them, a fit that finds no optimum (data without
#: structure) takes about as long as lavaan's one run of up to 10,000 nlminb iterations.
N_JITTER = 3
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
        Which start and method led there (``"lavaan (newton)"``, ``"simple (trust)"``,
        ``"jitter k (newton)"``...).
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
    """lavaan's ``post.check``: no negative variance (observed or latent), and positive
    (semi)definite covariance matrices of the latent variables and of the residuals of the
    observed variables (no eigenvalue below ``-eps^(3/4)``).

    References
    ----------
    lavaan ``R/lav_object_post_check.R`` (``lav_object_post_check``).
    """
    if not np.all(np.isfinite(theta)):
        return False
    A, Sm = ram.matrices(theta)
    if np.any(np.diag(Sm) < 0):
        return False
    tol = -np.finfo(float).eps ** 0.75
    if spec.lv:
        lv = np.arange(ram.p, ram.m)
        C = ram.total_cov(theta)
        if np.linalg.eigvalsh(C[np.ix_(lv, lv)]).min() < tol:
            return False
    x = set(spec.ov_x)
    y = [i for i, v in enumerate(spec.ov) if v not in x]
    if y and np.linalg.eigvalsh(Sm[np.ix_(y, y)]).min() < tol:
        return False
    return True


def _polish(ram: RAM, theta: np.ndarray, S: np.ndarray, it: int) -> tuple[np.ndarray, bool, int]:
    theta, conv, it2 = ram.fisher(theta, S, max_iter=100)
    return theta, conv, it + it2


def _objective(ram: RAM, S: np.ndarray):
    logdet_S = np.linalg.slogdet(S)[1]

    def fun(t):
        f = ram.fml(t, S, logdet_S)
        return f if np.isfinite(f) else 1e10

    return fun


def _hessian(ram: RAM, S: np.ndarray):
    def hess(t):
        try:
            return ram.newton_step(t, S)[2]
        except np.linalg.LinAlgError:
            return np.eye(len(t))

    return hess


def _run(ram: RAM, theta0: np.ndarray, S: np.ndarray, method: str) -> tuple[np.ndarray, bool, int]:
    """Minimize ``F_ML`` from ``theta0`` and polish with Newton / scoring iterations.

    ``"newton"``: Newton with step halving (:meth:`RAM.fisher`), then BFGS and Newton again
    when that does not converge; ``"bfgs"``: quasi-Newton with the analytic gradient (as
    lavaan's ``nlminb``); ``"trust"``: trust-region Newton with the analytic Hessian, which
    handles an indefinite Hessian far from the optimum.

    References
    ----------
    Nocedal, J., & Wright, S. J. (2006). *Numerical Optimization* (2nd ed.). Springer, ch. 4
    (trust regions) and 6 (BFGS).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy's notes on precision loss; convergence is ours
        if method == "newton":
            theta, conv, it = ram.fisher(theta0, S)
            if conv:
                return theta, conv, it
            theta, conv, it2 = _run(ram, theta, S, "bfgs")
            return theta, conv, it + it2
        from scipy import optimize  # the retries only: a fit that converges never loads scipy

        fun, grad = _objective(ram, S), (lambda t: ram.gradient(t, S))
        if method == "bfgs":
            res = optimize.minimize(fun, theta0, jac=grad, method="BFGS",
                                    options={"gtol": 1e-10, "maxiter": 300})
        else:
            res = optimize.minimize(fun, theta0, jac=grad, hess=_hessian(ram, S),
                                    method="trust-exact", options={"gtol": 1e-10, "maxiter": 100})
    return _polish(ram, res.x, S, int(res.nit))


def _better(cand: Estimate, best: Estimate | None) -> bool:
    """Converged before not converged, admissible before inadmissible, then the lower
    ``F_ML``."""
    if best is None:
        return True
    rank_c = (cand.converged, cand.admissible)
    rank_b = (best.converged, best.admissible)
    if rank_c != rank_b:
        return rank_c > rank_b
    return cand.fmin < best.fmin - _SAME * max(1.0, abs(best.fmin))


def _plan(spec: ModelSpec, S: np.ndarray):
    """Starts and methods in the order tried: lavaan's start with each method, lavaan's
    ``"simple"`` start, then starts jittered around lavaan's (a fixed random stream, so that
    the same data give the same estimates)."""
    lav = starts.lavaan_start(spec, S)
    yield "lavaan", "newton", lav
    yield "lavaan", "bfgs", lav
    yield "lavaan", "trust", lav
    simple = starts.simple_start(spec, S)
    yield "simple", "newton", simple
    yield "simple", "trust", simple
    rng = np.random.default_rng(20240)
    for k in range(N_JITTER):
        yield f"jitter {k + 1}", ("trust", "newton")[k % 2], starts.jittered(spec, lav, rng)


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
        The first run from lavaan's start when it converges to an admissible solution;
        otherwise the best of every run (:func:`_better`), where a converged first run is
        replaced only by a converged admissible solution with a lower ``F_ML``.
    """
    logdet_S = np.linalg.slogdet(S)[1]
    best = first = None
    tried: list = []
    for name, method, theta0 in _plan(spec, S):
        label = f"{name} ({method})"
        if theta0 is None or not np.isfinite(ram.fml(theta0, S, logdet_S)):
            tried.append((label, float("nan"), False, False))
            continue
        theta, conv, it = _run(ram, theta0, S, method)
        f = ram.fml(theta, S, logdet_S)
        conv = bool(conv and np.isfinite(f))
        cand = Estimate(theta, conv, f, it, label, bool(conv and is_admissible(spec, ram, theta)))
        tried.append((label, float(f), cand.converged, cand.admissible))
        if first is None:
            first = best = cand
        elif first.converged:
            # lavaan's own start converged: only a lower admissible minimum replaces it
            if cand.admissible and cand.fmin < best.fmin - _SAME * max(1.0, abs(best.fmin)):
                best = cand
        elif _better(cand, best):
            best = cand
        if best.admissible:
            break
    if best is None:
        theta0 = starts.lavaan_start(spec, S)
        best = Estimate(theta0, False, float("inf"), 0, "lavaan (newton)", False)
    best.tried = tried
    return best
