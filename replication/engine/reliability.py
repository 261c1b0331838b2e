"""Plain reliability formulas of standardized loadings: composite reliability and AVE.

They take printed or estimated standardized loadings and nothing else, so every layer above the
engine (the population of a record, the analyses, the audit of printed numbers) uses the same
definitions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from replication.engine.errors import InputError

__all__ = ["composite_reliability", "average_variance_extracted"]


# --------------------------------------------------------------------------------------------
# Plain functions of standardized loadings
# --------------------------------------------------------------------------------------------
def _loadings(std_loadings: Sequence[float], what: str) -> np.ndarray:
    try:
        lam = np.asarray(list(std_loadings), dtype=float).ravel()
    except (TypeError, ValueError):
        raise InputError(f"{what}: expected a list of standardized loadings (numbers)") from None
    if lam.size == 0:
        raise InputError(f"{what}: expected at least one standardized loading, got none")
    if not np.all(np.isfinite(lam)):
        raise InputError(f"{what}: standardized loadings must be finite numbers, got {lam.tolist()}")
    return lam


def composite_reliability(std_loadings: Sequence[float]) -> float:
    """Composite (construct) reliability from standardized loadings.

    Parameters
    ----------
    std_loadings : sequence of float
        Completely standardized loadings of the items of one construct.

    Returns
    -------
    float
        ``rho_c = (sum l)^2 / ((sum l)^2 + sum(1 - l^2))``.

    Notes
    -----
    The error variance of a standardized item is ``1 - l^2`` (uncorrelated errors). A loading
    above 1 in absolute value (a Heywood case) gives a negative error variance; the formula is
    applied as printed and the result may then exceed 1, which is what a reader of the paper
    would compute.

    References
    ----------
    Joreskog, K. G. (1971). Statistical analysis of sets of congeneric tests. Psychometrika, 36,
    109-133. Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. Journal of Marketing Research, 18(1), 39-50.

    Examples
    --------
    >>> round(composite_reliability([0.7, 0.8, 0.9]), 4)
    0.8446
    """
    lam = _loadings(std_loadings, "composite_reliability")
    s = lam.sum() ** 2
    return float(s / (s + np.sum(1.0 - lam**2)))


def average_variance_extracted(std_loadings: Sequence[float]) -> float:
    """Average variance extracted (AVE) from standardized loadings.

    Parameters
    ----------
    std_loadings : sequence of float
        Completely standardized loadings of the items of one construct.

    Returns
    -------
    float
        ``AVE = sum(l^2) / (sum(l^2) + sum(1 - l^2)) = mean(l^2)``.

    Notes
    -----
    ``semTools::AVE`` is a different, variance-weighted quantity (``sum(lambda^2 phi) /
    sum(sigma_ii)`` on the unstandardized solution); it equals this one only when all items
    have the same variance. Papers compute AVE from the printed standardized loadings, as here.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Journal of Marketing Research, 18(1), 39-50, eq. (10).

    Examples
    --------
    >>> round(average_variance_extracted([0.7, 0.8, 0.9]), 4)
    0.6467
    """
    lam = _loadings(std_loadings, "average_variance_extracted")
    return float(np.mean(lam**2))
