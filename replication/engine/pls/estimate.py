"""One PLS or PLSc estimation of a complete data matrix: the point estimates every other
module (tables, bootstrap, f-squared, PLSpredict) starts from."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from replication.engine.pls.algorithm import (PLSFit, block_mask, path_coefficients,
                                              path_matrix, pls_path, r_squared)
from replication.engine.pls.consistent import consistent_loadings, plsc_paths, rho_a
from replication.engine.pls.model import PLSModel

__all__ = ["Estimates", "estimate", "ESTIMATORS", "ZeroVariance"]

ESTIMATORS = ("PLS", "PLSc")


class ZeroVariance(ValueError):
    """An indicator has no variance in the (re)sampled data."""


@dataclass
class Estimates:
    """Point estimates of one data matrix.

    Attributes
    ----------
    model, estimator, scheme, n :
        What was estimated on how many rows.
    mean, sd : ndarray (p,)
        Indicator means and standard deviations (divisor n - 1).
    R : ndarray (p, p)
        Indicator correlations.
    fit : PLSFit
        The PLS iteration (weights, PLS loadings, score correlations, iterations).
    rho_a : ndarray (k,)
        rho_A of every construct (1 for Mode B blocks and single indicators).
    loadings : ndarray (p, k)
        Outer loadings (PLSc: consistent loadings of the common factors).
    C : ndarray (k, k)
        Construct correlations of the structural model (PLSc: disattenuated).
    B : ndarray (k, k)
        Path coefficients ``B[source, target]``.
    r2, r2_adj : ndarray (k,)
        NaN for exogenous constructs.
    """

    model: PLSModel
    estimator: str
    scheme: str
    n: int
    mean: np.ndarray
    sd: np.ndarray
    R: np.ndarray
    fit: PLSFit
    rho_a: np.ndarray
    loadings: np.ndarray
    C: np.ndarray
    B: np.ndarray
    r2: np.ndarray
    r2_adj: np.ndarray

    @property
    def P(self) -> np.ndarray:
        return path_matrix(self.model)

    @property
    def weights(self) -> np.ndarray:
        return self.fit.weights


def blocks(model: PLSModel) -> list:
    """Positions of each construct's indicators in ``model.indicators``."""
    mask = block_mask(model)
    return [np.flatnonzero(mask[:, j]) for j in range(mask.shape[1])]


def correlations(X: np.ndarray) -> tuple:
    """Means, standard deviations (n - 1) and correlations of the columns of ``X``; raises
    :class:`ZeroVariance` for a constant column."""
    mean = X.mean(axis=0)
    Xc = X - mean
    sd = np.sqrt((Xc ** 2).sum(axis=0) / (X.shape[0] - 1))
    if np.any(sd <= 1e-12 * np.maximum(1.0, np.abs(mean))):
        raise ZeroVariance(int(np.flatnonzero(sd <= 1e-12 * np.maximum(1.0, np.abs(mean)))[0]))
    Z = Xc / sd
    R = Z.T @ Z / (X.shape[0] - 1)
    np.fill_diagonal(R, 1.0)
    return mean, sd, R


def estimate(X: np.ndarray, model: PLSModel, estimator: str = "PLS",
             scheme: str = "path", tol: float = 1e-7, max_iter: int = 300) -> Estimates:
    """PLS (or PLSc) point estimates of the complete data matrix ``X``.

    Parameters
    ----------
    X : ndarray (n, p)
        Indicators in ``model.indicators`` order, no missing values.
    model : PLSModel
    estimator : {"PLS", "PLSc"}
        ``PLSc`` treats the ``=~`` blocks as common factors (Dijkstra & Henseler 2015).
    scheme : {"path", "centroid", "factorial"}
    tol, max_iter :
        Stop criterion of the iteration.

    Returns
    -------
    Estimates

    References
    ----------
    Lohmoeller, J.-B. (1989). *Latent Variable Path Modeling with Partial Least Squares*.
    Physica. Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path
    modeling. *MIS Quarterly, 39*(2), 297-316.
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}")
    mean, sd, R = correlations(np.asarray(X, dtype=float))
    fit = pls_path(R, model, scheme, tol, max_iter)
    P = path_matrix(model)
    idx = blocks(model)
    rho = np.ones(len(model.constructs))
    for j, c in enumerate(model.constructs):
        if model.modes[c] == "A":
            b = idx[j]
            rho[j] = rho_a(R[np.ix_(b, b)], fit.weights[b, j])
    loadings = fit.loadings.copy()
    if estimator == "PLSc":
        B, C = plsc_paths(fit.scores_cor, rho, P)
        for j, c in enumerate(model.constructs):
            if model.modes[c] == "A" and idx[j].size > 1:
                loadings[idx[j], j] = consistent_loadings(fit.weights[idx[j], j], rho[j])
    else:
        C = fit.scores_cor
        B = path_coefficients(C, P)
    r2, r2_adj = r_squared(C, P, X.shape[0])
    return Estimates(model, estimator, scheme, int(X.shape[0]), mean, sd, R, fit, rho,
                     loadings, C, B, r2, r2_adj)
