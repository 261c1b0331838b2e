"""The Hessian of an objective from central differences of its analytic gradient.

Used where the second derivatives are not written out: the FIML observed information and the
multi-group Hessians.

References
----------
Nocedal, J., & Wright, S. J. (2006). *Numerical Optimization* (2nd ed.). Springer, sec. 8.1
(finite-difference derivative approximations).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["gradient_jacobian"]


def gradient_jacobian(gradient: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                      rel_step: float) -> np.ndarray:
    """Symmetrized central-difference Jacobian of ``gradient`` at ``x``.

    Parameters
    ----------
    gradient : callable
        The analytic gradient of the objective.
    x : ndarray
        The point.
    rel_step : float
        Step ``h_j = rel_step * max(1, |x_j|)`` of coordinate ``j``.

    Returns
    -------
    ndarray
        ``H`` with column ``j`` ``(g(x + h_j e_j) - g(x - h_j e_j)) / (2 h_j)``, returned as
        ``(H + H') / 2``.
    """
    k = len(x)
    H = np.zeros((k, k))
    for j in range(k):
        h = rel_step * max(1.0, abs(x[j]))
        e = np.zeros(k)
        e[j] = h
        H[:, j] = (gradient(x + e) - gradient(x - e)) / (2 * h)
    return 0.5 * (H + H.T)
