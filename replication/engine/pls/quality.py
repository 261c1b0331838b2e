"""Quality criteria of a PLS path model: reliability, validity, collinearity, effects.

Plain formulas of correlation matrices, loadings and path coefficients; every function takes
numpy arrays and returns numbers or arrays.
"""
from __future__ import annotations

import functools
import itertools

import numpy as np

__all__ = ["cronbach_alpha", "rho_c", "ave", "htmt", "htmt_pairs", "htmt2", "fornell_larcker", "vif",
           "f_squared", "total_effects", "specific_indirect_effects"]


def cronbach_alpha(R_block: np.ndarray) -> float:
    """Cronbach's alpha of standardized indicators.

    Parameters
    ----------
    R_block : ndarray (q, q)
        Correlations of the block's indicators.

    Returns
    -------
    float
        ``q / (q - 1) * (1 - tr R / sum R)``; 1 for a single indicator (as seminr).

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A Primer on Partial
    Least Squares Structural Equation Modeling (PLS-SEM)* (3rd ed.). Sage, ch. 4.
    """
    q = R_block.shape[0]
    if q == 1:
        return 1.0
    return float(q / (q - 1) * (1 - np.trace(R_block) / R_block.sum()))


def rho_c(loadings: np.ndarray) -> float:
    """Composite reliability rho_C (Dillon-Goldstein's rho).

    Parameters
    ----------
    loadings : ndarray (q,)
        Standardized outer loadings of the block.

    Returns
    -------
    float
        ``(sum l)^2 / ((sum l)^2 + sum (1 - l^2))``; 1 for a single indicator.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A Primer on Partial
    Least Squares Structural Equation Modeling (PLS-SEM)* (3rd ed.). Sage, ch. 4.
    """
    if loadings.size == 1:
        return 1.0
    s = loadings.sum() ** 2
    return float(s / (s + np.sum(1 - loadings ** 2)))


def ave(loadings: np.ndarray) -> float:
    """Average variance extracted: the mean squared loading; 1 for a single indicator.

    Parameters
    ----------
    loadings : ndarray (q,)

    Returns
    -------
    float

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A Primer on Partial
    Least Squares Structural Equation Modeling (PLS-SEM)* (3rd ed.). Sage, ch. 4.
    """
    if loadings.size == 1:
        return 1.0
    return float(np.mean(loadings ** 2))


def _monotrait(R: np.ndarray, block: np.ndarray, mean) -> float:
    if block.size == 1:
        return 1.0
    sub = np.abs(R[np.ix_(block, block)])
    return float(mean(sub[np.triu_indices(block.size, 1)]))


def htmt(R: np.ndarray, block_i: np.ndarray, block_j: np.ndarray) -> float:
    """Heterotrait-monotrait ratio of correlations of two blocks.

    Parameters
    ----------
    R : ndarray (p, p)
        Indicator correlations.
    block_i, block_j : ndarray of int
        Positions of the two blocks' indicators in ``R``.

    Returns
    -------
    float
        Mean absolute heterotrait correlation over the geometric mean of the two mean
        absolute monotrait (off-diagonal) correlations; a single indicator's monotrait
        mean is 1 (as seminr).

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. *Journal of the
    Academy of Marketing Science, 43*(1), 115-135 (equation 6).
    """
    hetero = float(np.mean(np.abs(R[np.ix_(block_i, block_j)])))
    mono = _monotrait(R, block_i, np.mean) * _monotrait(R, block_j, np.mean)
    return hetero / np.sqrt(mono)


def htmt_pairs(R: np.ndarray, blocks: list) -> np.ndarray:
    """:func:`htmt` of every pair of blocks ``(a, b)``, ``a < b``, in row order, at once.

    The block sums of ``|R|`` come from one product with the item-by-block indicator matrix
    ``G``: ``S = G' |R| G``; the heterotrait mean of ``(a, b)`` is ``S_ab / (q_a q_b)`` and
    the monotrait mean of ``a`` is ``(S_aa - q_a) / (q_a (q_a - 1))`` (the unit diagonal left
    out), 1 for a single indicator (Henseler, Ringle & Sarstedt 2015, equation 6).
    """
    k = len(blocks)
    G = np.zeros((R.shape[0], k))
    for j, b in enumerate(blocks):
        G[np.asarray(b, dtype=int), j] = 1.0
    q = G.sum(axis=0)
    A = np.abs(R)
    S = G.T @ A @ G
    inside = S.diagonal() - np.array([A[b, b].sum() for b in map(np.asarray, blocks)])
    with np.errstate(invalid="ignore", divide="ignore"):
        mono = np.where(q > 1, inside / (q * (q - 1)), 1.0)
        hetero = S / np.outer(q, q)
    a, b = np.triu_indices(k, 1)
    return hetero[a, b] / np.sqrt(mono[a] * mono[b])


def _geomean(x: np.ndarray) -> float:
    return float(np.exp(np.mean(np.log(x))))


def htmt2(R: np.ndarray, block_i: np.ndarray, block_j: np.ndarray) -> float:
    """HTMT2: the HTMT with geometric instead of arithmetic means of the correlations.

    Parameters
    ----------
    R : ndarray (p, p)
        Indicator correlations.
    block_i, block_j : ndarray of int
        Positions of the two blocks' indicators in ``R``.

    Returns
    -------
    float
        ``GM(|r_het|) / sqrt(GM(|r_mono,i|) GM(|r_mono,j|))``; absolute correlations (the
        criterion assumes positive ones), a single indicator's monotrait mean is 1; 0 when a
        heterotrait correlation is exactly 0.

    References
    ----------
    Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2 - an improved criterion for
    assessing discriminant validity in structural equation modeling. *Industrial Management
    & Data Systems, 121*(12), 2637-2650 (equation 5).
    """
    het = np.abs(R[np.ix_(block_i, block_j)]).ravel()
    if np.any(het == 0):
        return 0.0
    mono = _monotrait(R, block_i, _geomean) * _monotrait(R, block_j, _geomean)
    return _geomean(het) / np.sqrt(mono)


def fornell_larcker(C: np.ndarray, aves: np.ndarray) -> np.ndarray:
    """Fornell-Larcker table: construct correlations below, ``sqrt(AVE)`` on the diagonal,
    NaN above.

    Parameters
    ----------
    C : ndarray (k, k)
        Construct score correlations.
    aves : ndarray (k,)

    Returns
    -------
    ndarray (k, k)

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. *Journal of Marketing Research, 18*(1),
    39-50. Hair et al. (2022), *Primer* (3rd ed.), ch. 4.
    """
    out = np.array(C, dtype=float)
    out[np.triu_indices(out.shape[0], 1)] = np.nan
    np.fill_diagonal(out, np.sqrt(aves))
    return out


def vif(R: np.ndarray) -> np.ndarray:
    """Variance inflation factors of a set of variables from their correlations.

    Parameters
    ----------
    R : ndarray (m, m)
        Correlations of the predictors (indicators of one block, or the antecedents of one
        endogenous construct).

    Returns
    -------
    ndarray (m,)
        ``1 / (1 - R2_j)`` = the diagonal of ``R^-1``; 1 for a single variable.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A Primer on Partial
    Least Squares Structural Equation Modeling (PLS-SEM)* (3rd ed.). Sage, ch. 5 and 6.
    """
    if R.shape[0] == 1:
        return np.ones(1)
    return np.diag(np.linalg.inv(R)).copy()


def f_squared(r2_included: float, r2_excluded: float) -> float:
    """Cohen's effect size f-squared of one predictor.

    Parameters
    ----------
    r2_included : float
        R-squared of the outcome with the predictor.
    r2_excluded : float
        R-squared of the outcome when the model is re-estimated without the path (0 when it
        was the only predictor).

    Returns
    -------
    float
        ``(R2_incl - R2_excl) / (1 - R2_incl)``.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A Primer on Partial
    Least Squares Structural Equation Modeling (PLS-SEM)* (3rd ed.). Sage, ch. 6. Cohen, J.
    (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.).
    """
    return (r2_included - r2_excluded) / (1 - r2_included)


def total_effects(B: np.ndarray) -> np.ndarray:
    """Total effects ``sum_{m>=1} B^m = (I - B)^-1 - I`` of a recursive model.

    Parameters
    ----------
    B : ndarray (k, k)
        Path coefficients ``B[source, target]``.

    Returns
    -------
    ndarray (k, k)
        ``T[source, target]``; the total indirect effects are ``T - B``.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A Primer on Partial
    Least Squares Structural Equation Modeling (PLS-SEM)* (3rd ed.). Sage, ch. 6 and 7.
    """
    k = B.shape[0]
    return np.linalg.inv(np.eye(k) - B) - np.eye(k)


def specific_indirect_effects(B: np.ndarray, A: np.ndarray | None = None) -> list:
    """Every specific indirect effect: the product of the coefficients along each directed
    path of two or more steps.

    Parameters
    ----------
    B : ndarray (k, k)
        Path coefficients ``B[source, target]`` of a recursive model.
    A : ndarray of bool (k, k), optional
        The structure ``A[source, target]``; read from the non-zero entries of ``B`` when
        not given.

    Returns
    -------
    list of (tuple of int, float)
        ``(route, effect)`` with the construct positions along the route, sorted by source,
        target and route.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A Primer on Partial
    Least Squares Structural Equation Modeling (PLS-SEM)* (3rd ed.). Sage, ch. 7.
    """
    return [(r, float(np.prod([B[a, b] for a, b in itertools.pairwise(r)])))
            for r in indirect_routes(B != 0 if A is None else A)]


def indirect_routes(A: np.ndarray) -> list:
    """All directed routes of two or more steps in the acyclic adjacency ``A[source,
    target]``, sorted (found once per adjacency: a bootstrap asks for the same one at every
    resample)."""
    A = np.asarray(A, dtype=bool)
    return list(_routes(A.tobytes(), A.shape[0]))


@functools.lru_cache(maxsize=64)
def _routes(packed: bytes, k: int) -> tuple:
    A = np.frombuffer(packed, dtype=bool).reshape(k, k)
    routes = []

    def extend(route):
        for nxt in np.flatnonzero(A[route[-1]]):
            longer = route + (int(nxt),)
            if len(longer) > 2:
                routes.append(longer)
            extend(longer)

    for s in range(k):
        extend((s,))
    return tuple(sorted(routes, key=lambda r: (r[0], r[-1], r)))
