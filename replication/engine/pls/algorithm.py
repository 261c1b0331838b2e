"""Wold and Lohmoeller's PLS path modelling algorithm on standardized indicators.

Everything the iteration needs is a function of the indicators' correlation matrix ``R``:
with outer weights ``W`` scaled so that the construct scores ``Z W`` have unit variance, the
scores' correlations are ``W' R W`` and the covariances of the indicators with any linear
combination of scores ``Z W E`` are ``R W E``. The steps are seminr's ``simplePLS``:

1. outer estimate: scores from the current weights, standardized;
2. inner estimate: proxies ``scores E`` with the inner weights ``E`` of the scheme, standardized;
3. new outer weights (Mode A: covariances of the block with its proxy; Mode B: regression of
   the proxy on the block), scaled to unit score variance;
4. stop when the sum of absolute weight changes falls below the tolerance (1e-7), at most
   300 iterations.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from replication.engine.pls.model import PLSModel

__all__ = ["PLSFit", "inner_weights", "pls_path", "path_coefficients", "r_squared",
           "SCHEMES"]

SCHEMES = ("path", "centroid", "factorial")


@dataclass
class PLSFit:
    """The outcome of the PLS iteration on a correlation matrix.

    Attributes
    ----------
    weights : ndarray (p, k)
        Outer weights (zero outside a construct's block), unit score variance.
    loadings : ndarray (p, k)
        Outer loadings: correlations of each indicator with its own construct score.
    cross_loadings : ndarray (p, k)
        Correlations of every indicator with every construct score.
    scores_cor : ndarray (k, k)
        Correlations of the construct scores.
    iterations : int
        seminr's count: the index (from 0) of the iteration at which the stop criterion held,
        ``max_iter`` when it never did.
    converged : bool
    weight_change : float
        The last sum of absolute weight changes.
    """

    weights: np.ndarray
    loadings: np.ndarray
    cross_loadings: np.ndarray
    scores_cor: np.ndarray
    iterations: int
    converged: bool
    weight_change: float


def block_mask(model: PLSModel) -> np.ndarray:
    """``(p, k)`` 0/1 matrix: indicator ``i`` belongs to construct ``j``."""
    pos = {c: j for j, c in enumerate(model.constructs)}
    mask = np.zeros((len(model.indicators), len(model.constructs)))
    i = 0
    for c in model.constructs:
        for _ in model.items[c]:
            mask[i, pos[c]] = 1.0
            i += 1
    return mask


def path_matrix(model: PLSModel) -> np.ndarray:
    """``(k, k)`` 0/1 matrix ``P[source, target]``."""
    pos = {c: j for j, c in enumerate(model.constructs)}
    P = np.zeros((len(model.constructs),) * 2)
    for s, t in model.paths:
        P[pos[s], pos[t]] = 1.0
    return P


def inner_weights(C: np.ndarray, P: np.ndarray, scheme: str = "path") -> np.ndarray:
    """Inner weights ``E``: the proxy of construct ``j`` is ``sum_i score_i E[i, j]``.

    Parameters
    ----------
    C : ndarray (k, k)
        Correlations of the current (standardized) construct scores.
    P : ndarray (k, k)
        Structural adjacency ``P[source, target] = 1``.
    scheme : {"path", "centroid", "factorial"}
        ``path``: a construct's predecessors enter with their multiple-regression
        coefficients, its successors with their correlations (seminr's ``path_weighting``);
        ``factorial``: correlations with all adjacent constructs (seminr's
        ``path_factorial``); ``centroid``: signs of those correlations.

    Returns
    -------
    ndarray (k, k)

    References
    ----------
    Lohmoeller, J.-B. (1989). *Latent Variable Path Modeling with Partial Least Squares*.
    Physica. (Inner weighting schemes, sections 2.3 and 2.4.)
    """
    adjacent = P + P.T
    if scheme == "factorial":
        return C * adjacent
    if scheme == "centroid":
        return np.sign(C) * adjacent
    E = C * P.T
    for j in range(P.shape[0]):
        pred = np.flatnonzero(P[:, j])
        if pred.size:
            E[pred, j] = np.linalg.solve(C[np.ix_(pred, pred)], C[pred, j])
    return E


def _standardize_weights(R: np.ndarray, W: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.einsum("ij,ik,kj->j", W, R, W))
    return W / sd


def _outer_update(R, W, E, mask, mode_b) -> np.ndarray:
    """New outer weights from the standardized inner proxies."""
    proxy_cov = R @ W @ E
    proxy_sd = np.sqrt(np.einsum("ij,ik,kj->j", E, W.T @ R @ W, E))
    cov = proxy_cov / proxy_sd
    new = cov * mask
    for j in np.flatnonzero(mode_b):
        b = np.flatnonzero(mask[:, j])
        new[b, j] = np.linalg.solve(R[np.ix_(b, b)], cov[b, j])
    return _standardize_weights(R, new)


def pls_path(R: np.ndarray, model: PLSModel, scheme: str = "path", tol: float = 1e-7,
             max_iter: int = 300) -> PLSFit:
    """Estimate outer weights, loadings and score correlations by PLS path modelling.

    Parameters
    ----------
    R : ndarray (p, p)
        Correlation matrix of the indicators in ``model.indicators`` order.
    model : PLSModel
    scheme : {"path", "centroid", "factorial"}
        Inner weighting scheme (see :func:`inner_weights`).
    tol : float
        Stop when ``sum |W_new - W_old| < tol`` (seminr's ``stopCriterion = 7``).
    max_iter : int
        Iterations are counted from 0 to ``max_iter`` as in seminr.

    Returns
    -------
    PLSFit

    References
    ----------
    Lohmoeller, J.-B. (1989). *Latent Variable Path Modeling with Partial Least Squares*.
    Physica. Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A Primer on
    Partial Least Squares Structural Equation Modeling (PLS-SEM)* (3rd ed.). Sage, ch. 3.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}")
    mask = block_mask(model)
    P = path_matrix(model)
    mode_b = np.array([model.modes[c] == "B" for c in model.constructs])
    W = mask.copy()
    change, converged, it = np.inf, False, max_iter
    for k in range(max_iter + 1):
        Ws = _standardize_weights(R, W)
        C = Ws.T @ R @ Ws
        E = inner_weights(C, P, scheme)
        new = _outer_update(R, Ws, E, mask, mode_b)
        change = float(np.abs(new - W).sum())
        W = new
        if change < tol:
            converged, it = True, k
            break
    cross = R @ W
    return PLSFit(weights=W, loadings=cross * mask, cross_loadings=cross,
                  scores_cor=W.T @ R @ W, iterations=it, converged=converged,
                  weight_change=change)


def path_coefficients(C: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Path coefficients: OLS of each endogenous construct on its predecessors.

    Parameters
    ----------
    C : ndarray (k, k)
        Construct correlations (PLS: of the scores; PLSc: disattenuated).
    P : ndarray (k, k)
        Structural adjacency ``P[source, target]``.

    Returns
    -------
    ndarray (k, k)
        ``B[source, target]``.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A Primer on Partial
    Least Squares Structural Equation Modeling (PLS-SEM)* (3rd ed.). Sage, ch. 3 (stage 4).
    """
    B = np.zeros_like(P)
    for j in range(P.shape[0]):
        pred = np.flatnonzero(P[:, j])
        if pred.size:
            B[pred, j] = np.linalg.solve(C[np.ix_(pred, pred)], C[pred, j])
    return B


def r_squared(C: np.ndarray, P: np.ndarray, n: int) -> tuple:
    """R-squared and adjusted R-squared of every endogenous construct.

    Parameters
    ----------
    C : ndarray (k, k)
        Construct correlations (PLS: of the scores; PLSc: disattenuated).
    P : ndarray (k, k)
        Structural adjacency ``P[source, target]``.
    n : int
        Sample size (for the adjustment).

    Returns
    -------
    (r2, r2_adj) : ndarray (k,) each
        ``R2_j = c_j' C_pp^-1 c_j``; ``R2adj = 1 - (1 - R2) (n - 1) / (n - m - 1)`` with ``m``
        predictors; NaN for exogenous constructs.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A Primer on Partial
    Least Squares Structural Equation Modeling (PLS-SEM)* (3rd ed.). Sage, ch. 6.
    """
    B = path_coefficients(C, P)
    k = C.shape[0]
    r2 = np.full(k, np.nan)
    adj = np.full(k, np.nan)
    for j in range(k):
        pred = np.flatnonzero(P[:, j])
        if pred.size:
            r2[j] = float(B[pred, j] @ C[pred, j])
            adj[j] = 1 - (1 - r2[j]) * (n - 1) / (n - pred.size - 1)
    return r2, adj
