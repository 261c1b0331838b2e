"""Plain formulas of the population builder: loadings from alpha, item SDs from composites,
the nearest admissible correlation matrix, causal order, and latents from composites."""

from __future__ import annotations

import math

import numpy as np

from replication.engine.errors import InputError

__all__ = ["spearman_brown_loading", "item_sd_from_composite", "nearest_correlation",
           "topological_order", "latent_from_composites"]


# ------------------------------------------------------------------------------------------------
# Plain formulas
# ------------------------------------------------------------------------------------------------
def spearman_brown_loading(alpha: float, k: int) -> float:
    """Equal standardized loading implied by Cronbach's alpha for ``k`` parallel items.

    Spearman-Brown: ``alpha = k r / (1 + (k - 1) r)`` with ``r = lambda^2`` the inter-item
    correlation of parallel standardized items, so ``lambda = sqrt(alpha / (k - (k - 1) alpha))``.

    References
    ----------
    Brown, W. (1910); Spearman, C. (1910). *British Journal of Psychology*, 3, 271-295 and
    296-322. Lord, F. M., & Novick, M. R. (1968). *Statistical theories of mental test scores*,
    ch. 4.
    """
    if k < 2:
        raise InputError(f"alpha needs at least 2 items, got {k}")
    if not 0 < alpha < 1:
        raise InputError(f"alpha: expected a value between 0 and 1, got {alpha}")
    return math.sqrt(alpha / (k - (k - 1) * alpha))


def item_sd_from_composite(sd: float, corr_block: np.ndarray) -> float:
    """Common item SD that gives a mean score (average of the items) the standard deviation ``sd``.

    ``Var(mean) = s^2 * sum(R) / k^2`` for items with equal SD ``s`` and correlations ``R``, so
    ``s = sd * k / sqrt(sum(R))``.
    """
    k = len(corr_block)
    return float(sd * k / math.sqrt(float(np.sum(corr_block))))


def nearest_correlation(R: np.ndarray, min_eigen: float = 1e-3) -> np.ndarray:
    """Raise eigenvalues below ``min_eigen`` and rescale to unit diagonal.

    A one-step spectral projection (Higham, 2002, section 1) that leaves positive-definite
    matrices with all eigenvalues above ``min_eigen`` unchanged.

    References
    ----------
    Higham, N. J. (2002). Computing the nearest correlation matrix. *IMA Journal of Numerical
    Analysis*, 22, 329-343.
    """
    R = np.asarray(R, float)
    w, V = np.linalg.eigh((R + R.T) / 2)
    if w.min() >= min_eigen:
        return R
    X = (V * np.maximum(w, min_eigen)) @ V.T
    d = np.sqrt(np.diag(X))
    return X / np.outer(d, d)


# ------------------------------------------------------------------------------------------------
# Building the population
# ------------------------------------------------------------------------------------------------
def topological_order(latents: list[str], edges: list[tuple[str, str]]) -> list[str]:
    parents = {c: {x for x, y in edges if y == c} for c in latents}
    order: list[str] = []
    left = list(latents)
    while left:
        ready = [c for c in left if parents[c] <= set(order)]
        if not ready:
            raise InputError(f"model.paths: the paths into {left[0]} form a cycle; "
                             "expected a recursive model")
        order.extend(ready)
        left = [c for c in left if c not in ready]
    return order


def latent_from_composites(order, products, C, B, rel, a, scale, endo, betas, changes,
                            min_eigen, min_disturbance):
    """Latent covariance, coefficients and disturbances that give the composites ``C``.

    ``C`` and ``B`` hold the composite-level structure over ``order + products`` in the
    metric of the printed coefficients; ``scale[c]`` is the variance of the item-mean score
    of ``c`` over its variance in that metric, ``a[c]`` the loading of the (unit-variance)
    latent variable on the item mean and ``rel[c] = a[c]^2 / Var(mean)`` its reliability.

    Latent correlations are ``R_c[i, j] / sqrt(rel_i rel_j)`` (the correction for
    attenuation; Spearman, 1904), made positive definite by :func:`nearest_correlation` if
    needed. A product of centred composites ``P = X M`` is an observed variable (reliability
    1): the latent ``Y`` gets the coefficient ``g / a_Y`` on ``P`` when the composite ``Y``
    has the (total) coefficient ``g = Var(P)^-1 Cov(P, Y)``. The linear parts ``R_lat - G Var(P) G'`` must stay positive definite; where
    the disturbance of a construct would fall below ``min_disturbance`` its interaction
    coefficients are scaled down by a common factor (reported).

    Returns
    -------
    tuple of ndarray
        Latent covariance over ``order + products``, the latent coefficients of each
        dependent construct on its model predictors, and ``(I - B) C (I - B)'``.

    References
    ----------
    Spearman, C. (1904). The proof and measurement of association between two things.
    *American Journal of Psychology*, 15, 72-101.
    """
    pnames = [f"{x}:{m}" for x, m in products]
    u = list(order) + pnames
    nl, nu = len(order), len(u)
    s = np.array([math.sqrt(scale[c]) for c in order]
                 + [math.sqrt(scale[x] * scale[m]) for x, m in products])
    Cc = C * np.outer(s, s)  # composites (and their products) in the item metric
    d = np.sqrt(np.diag(Cc)[:nl])
    Rc = Cc[:nl, :nl] / np.outer(d, d)
    r = np.sqrt([rel[c] for c in order])
    Rl = Rc / np.outer(r, r)
    np.fill_diagonal(Rl, 1.0)
    if np.linalg.eigvalsh(Rl).min() < min_eigen or np.max(np.abs(Rl - np.eye(nl))) >= 1:
        Ru = nearest_correlation(Rl, min_eigen)
        for i in range(nl):
            for j in range(i + 1, nl):
                if abs(Ru[i, j] - Rl[i, j]) > 1e-12:
                    changes.append(dict(
                        target=f"composites.{order[i]}~~{order[j]}", published=Rc[i, j],
                        used=Ru[i, j] * r[i] * r[j], change=Ru[i, j] * r[i] * r[j] - Rc[i, j],
                        reason=f"latent correlation {Rl[i, j]:.3f} (composite correlation / "
                        "sqrt of the reliabilities) not admissible; nearest positive definite "
                        f"latent correlation matrix used (eigenvalues raised to {min_eigen})"))
        Rl = Ru
    VarP = Cc[nl:, nl:]
    G = np.zeros((nl, len(pnames)))
    if pnames:  # reduced form: total effect of each product (through mediators too)
        G = np.linalg.solve(VarP, Cc[nl:, :nl]).T / np.array([a[c] for c in order])[:, None]
        G[np.abs(G) < 1e-15] = 0.0

    def cond_var(Gm, i):
        Cl = Rl - Gm @ VarP @ Gm.T
        if i == 0:
            return Cl[0, 0]
        return Cl[i, i] - Cl[i, :i] @ np.linalg.solve(Cl[:i, :i], Cl[:i, i])

    for y in endo:
        i = order.index(y)
        if not np.any(G[i]) or cond_var(G, i) >= min_disturbance:
            continue
        lo, hi = 0.0, 1.0
        for _ in range(60):
            c = (lo + hi) / 2
            Gc = G.copy()
            Gc[i] *= c
            lo, hi = (c, hi) if cond_var(Gc, i) >= min_disturbance else (lo, c)
        G[i] *= lo
        for k, (x, m) in enumerate(products):
            key = (x, m, y)
            if key in betas and B[i, nl + k] != 0:
                changes.append(dict(
                    target=f"interactions.{x}x{m}->{y}.std", published=betas[key],
                    used=betas[key] * lo, change=betas[key] * (lo - 1),
                    reason=f"latent disturbance of {y} below {min_disturbance:g} with the "
                    f"composite-level interactions; interactions into {y} scaled by {lo:.4f}"))
    Cu = np.zeros((nu, nu))
    Cu[:nl, :nl] = Rl
    Cu[:nl, nl:] = G @ VarP
    Cu[nl:, :nl] = Cu[:nl, nl:].T
    Cu[nl:, nl:] = VarP
    Bl = np.zeros((nu, nu))
    for y in endo:
        i = order.index(y)
        pred = [j for j in range(nu) if B[i, j] != 0]
        if pred:
            Bl[i, pred] = np.linalg.solve(Cu[np.ix_(pred, pred)], Cu[pred, i])
    Il = np.eye(nu) - Bl
    Psi = Il @ Cu @ Il.T
    return Cu, Bl, (Psi + Psi.T) / 2
