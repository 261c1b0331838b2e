"""The ML discrepancy of two matrices and the minimizer that follows it (misfit calibration).

:func:`ml_discrepancy` is ``F_ML`` of a covariance matrix and a model-implied one;
:func:`fit_ml` minimizes it over a :class:`replication.engine.ram.RAM` by Fisher scoring with a
stopping rule on ``F`` itself, as :mod:`replication.data.misfit` needs while it moves the
population matrix. Both are re-exported by :mod:`replication.engine.ram`.

References
----------
Joreskog, K. G. (1969). A general approach to confirmatory maximum likelihood factor
analysis. *Psychometrika*, 34, 183-202.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ml_discrepancy", "MLFit", "fit_ml"]


def ml_discrepancy(S: np.ndarray, Sigma: np.ndarray) -> float:
    """Maximum-likelihood discrepancy ``F = log|Sigma| + tr(S Sigma^-1) - log|S| - p``.

    ``inf`` when ``Sigma`` or ``S`` is not positive definite. lavaan reports ``T = N * F`` (its
    ``fmin`` is ``F / 2``), with ``S`` computed with divisor N.

    References
    ----------
    Joreskog, K. G. (1969). A general approach to confirmatory maximum likelihood factor
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


@dataclass
class MLFit:
    """Result of :func:`fit_ml`: estimates, minimum of F, convergence and iterations."""

    theta: np.ndarray
    fmin: float
    converged: bool
    iterations: int
    gradient_norm: float


def fit_ml(ram, S: np.ndarray, theta0: np.ndarray, tol: float = 1e-10,
           max_iter: int = 200) -> MLFit:
    """Minimize the ML discrepancy by Fisher scoring with step halving.

    Parameters
    ----------
    ram : replication.engine.ram.RAM
    S : ndarray
        Covariance matrix (``ram.spec.ov`` order).
    theta0 : ndarray
        Start values, near the minimum.
    tol : float
        Stop when ``F`` changes by less than ``tol`` and no step element exceeds 1e-7.
    max_iter : int

    Returns
    -------
    MLFit

    Notes
    -----
    The step is ``I^-1 g`` with ``I_kl = tr(Sigma^-1 dSigma_k Sigma^-1 dSigma_l)`` and
    ``g_k = tr(Sigma^-1 (Sigma - S) Sigma^-1 dSigma_k)``, halved until ``F`` does not increase.
    Used by the misfit calibration to follow the minimum as the covariance matrix moves, with
    a stopping rule on ``F`` itself (the quantity calibrated); :meth:`RAM.fisher` is the
    estimator of :mod:`replication.engine.sem`.

    References
    ----------
    Lee, S.-Y., & Jennrich, R. I. (1979). A study of algorithms for covariance structure
    analysis with specific comparisons using factor analysis. *Psychometrika*, 44, 99-113.
    """
    theta = np.asarray(theta0, float).copy()
    f = ml_discrepancy(S, ram.implied(theta))
    g = np.zeros_like(theta)
    for it in range(1, max_iter + 1):
        J, Sigma = ram.delta(theta)
        Wi = np.linalg.inv(Sigma)
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
            fc = ml_discrepancy(S, ram.implied(cand))
            if fc <= f + 1e-14:
                break
            t /= 2
        else:
            return MLFit(theta, f, False, it, float(np.linalg.norm(g)))
        theta, f_old, f = cand, f, fc
        if abs(f_old - f) < tol and np.max(np.abs(t * step)) < 1e-7:
            g = ram.gradient(theta, S)
            return MLFit(theta, f, True, it, float(np.linalg.norm(g)))
    return MLFit(theta, f, False, max_iter, float(np.linalg.norm(g)))
