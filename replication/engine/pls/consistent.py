"""Consistent PLS (PLSc): rho_A and the correction of loadings and construct correlations.

A common factor's PLS score is a weighted sum of its indicators and carries their measurement
error; Dijkstra and Henseler's rho_A estimates the squared correlation between the score and
the factor, so that dividing the score correlations by ``sqrt(rho_A,i rho_A,j)`` recovers the
factor correlations and ``sqrt(rho_A) w / (w'w)`` the factor loadings. Composites (Mode B
blocks) and single indicators keep ``rho_A = 1``.
"""
from __future__ import annotations

import numpy as np

from replication.engine.pls.algorithm import path_coefficients

__all__ = ["rho_a", "consistent_loadings", "disattenuated", "plsc_paths"]


def rho_a(R_block: np.ndarray, w: np.ndarray) -> float:
    """Dijkstra-Henseler's rho_A of one block.

    Parameters
    ----------
    R_block : ndarray (q, q)
        Correlations of the block's indicators.
    w : ndarray (q,)
        The block's PLS outer weights (unit score variance).

    Returns
    -------
    float
        ``(w'w)^2 * w'(S - diag S) w / w'(w w' - diag(w w')) w``; 1 for a single indicator.

    References
    ----------
    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path modeling.
    *MIS Quarterly, 39*(2), 297-316 (equation 11).
    """
    if w.size == 1:
        return 1.0
    S = R_block - np.diag(np.diag(R_block))
    A = np.outer(w, w)
    A -= np.diag(np.diag(A))
    return float((w @ w) ** 2 * (w @ S @ w) / (w @ A @ w))


def consistent_loadings(w: np.ndarray, rho: float) -> np.ndarray:
    """Consistent loadings of a common factor: ``sqrt(rho_A) w / (w'w)``.

    Parameters
    ----------
    w : ndarray (q,)
        PLS outer weights of the block.
    rho : float
        The block's rho_A.

    Returns
    -------
    ndarray (q,)

    References
    ----------
    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path modeling.
    *MIS Quarterly, 39*(2), 297-316 (the loading estimator ``c w``).
    """
    return w * np.sqrt(rho) / (w @ w)


def disattenuated(C: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Construct correlations corrected for attenuation: ``C_ij / sqrt(rho_i rho_j)``, unit
    diagonal.

    Parameters
    ----------
    C : ndarray (k, k)
        Correlations of the PLS construct scores.
    rho : ndarray (k,)
        rho_A of every construct (1 for composites and single indicators).

    Returns
    -------
    ndarray (k, k)

    References
    ----------
    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path modeling.
    *MIS Quarterly, 39*(2), 297-316 (equation 12).
    """
    adj = np.sqrt(np.outer(rho, rho))
    np.fill_diagonal(adj, 1.0)
    out = C / adj
    np.fill_diagonal(out, 1.0)
    return out


def plsc_paths(C: np.ndarray, rho: np.ndarray, P: np.ndarray) -> tuple:
    """PLSc path coefficients: OLS on the disattenuated construct correlations.

    Parameters
    ----------
    C : ndarray (k, k)
        Correlations of the PLS construct scores.
    rho : ndarray (k,)
        rho_A of every construct.
    P : ndarray (k, k)
        Structural adjacency ``P[source, target]``.

    Returns
    -------
    (B, Cc) : path coefficients ``B[source, target]`` and the corrected correlations.

    References
    ----------
    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path modeling.
    *MIS Quarterly, 39*(2), 297-316.
    """
    Cc = disattenuated(C, rho)
    return path_coefficients(Cc, P), Cc
