"""Item-level responses reconstructed from a paper's published numbers.

Two sources (README, "Data availability and provenance"):

``reconstructed``
    Continuous responses at N whose sample covariance matrix (divisor N, lavaan's ML
    convention) equals the calibrated population covariance to rounding error and whose means
    equal the item means exactly (exact moments: Kaiser and Dickman, 1962).
``simulated``
    Likert responses on the record's scale, a seeded random sample from the same population,
    with thresholds that give every item its population mean and SD (:mod:`replication.data.likert`).

Pipeline: :func:`replication.data.population.population` (published numbers -> admissible
population), :func:`replication.data.misfit.calibrate` (printed chi-square -> covariance with the
published estimates as ML solution), then the responses. Latent interactions are generated at
the level of the latent variables (products of exogenous constructs), so that the data carry
the interaction and not only its contribution to the covariances. For regression records the
population holds among composite scores (``Population.level == "composite"``) and the
interaction is carried by the product of the centred item means (:func:`composite_draw`), the
term the paper's moderated regression uses.

References
----------
Kaiser, H. F., & Dickman, K. (1962). Sample and population score matrices and sample
correlation matrices from an arbitrary population correlation matrix. *Psychometrika*, 27,
179-182.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from replication.engine.arguments import (MAX_N, check_choice, check_int, check_optional_callable,
                                          check_seed)
from replication.engine.errors import InputError
from replication.engine.moments import sample_cov
from replication.data.files import atomic_write_text
from replication.data.likert import reverse_items, thresholds_for, to_likert
from replication.data.misfit import calibrate, sqrtm_sym
from replication.data.population import Population, population
from replication.record.loading import as_record

__all__ = ["Reconstruction", "reconstruct", "exact_moments", "transport_map", "latent_draw", "normal_draw",
           "composite_draw", "write_csv", "population"]

SOURCES = ("reconstructed", "simulated")


@dataclass
class Reconstruction:
    """Responses and how they were made.

    Attributes
    ----------
    data : DataFrame
        One column per item (record item names), one row per respondent.
    population : Population
    cov : DataFrame
        Covariance the responses were generated from (calibrated target).
    calibration : dict
        ``method``, ``n``, ``divisor``, ``models`` (per model ``target_chisq``,
        ``target_source``, ``achieved_chisq``, ``df``), ``notes``, ``changes`` (records of
        ``population.changes``) and, for simulated data, ``likert`` (per item thresholds and
        moments).
    changes : DataFrame
        ``target, published, used, change, reason`` (admissibility).
    source, seed, n : str, int, int
    notes : list of str
    """

    data: pd.DataFrame
    population: Population
    cov: pd.DataFrame
    calibration: dict
    changes: pd.DataFrame
    source: str
    seed: int
    n: int
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------
# Exact moments
# ------------------------------------------------------------------------------------------------
def _cov_n(X: np.ndarray) -> np.ndarray:
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / len(X)


def transport_map(S: np.ndarray, Sigma: np.ndarray) -> np.ndarray:
    """Symmetric ``T`` with ``T S T = Sigma``: ``S^-1/2 (S^1/2 Sigma S^1/2)^1/2 S^-1/2``.

    The linear map closest to the identity that turns covariance ``S`` into ``Sigma`` (the
    optimal transport map between two centred normal distributions; Olkin & Pukelsheim, 1982).

    Parameters
    ----------
    S, Sigma : ndarray (p, p)
        Symmetric positive definite matrices.

    Returns
    -------
    ndarray (p, p)
        ``T = S^-1/2 (S^1/2 Sigma S^1/2)^1/2 S^-1/2``, symmetric positive definite.

    References
    ----------
    Olkin, I., & Pukelsheim, F. (1982). The distance between two random vectors with given
    dispersion matrices. *Linear Algebra and its Applications*, 48, 257-263.
    """
    Sh = sqrtm_sym(S)
    Shi = np.linalg.inv(Sh)
    return Shi @ sqrtm_sym(Sh @ Sigma @ Sh) @ Shi


def exact_moments(Z: np.ndarray, cov: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Rows whose mean is ``means`` and whose covariance (divisor N) is ``cov``, exactly.

    Kaiser-Dickman: centre ``Z``, whiten it with the Cholesky factor of its own covariance,
    colour it with the Cholesky factor of ``cov``: ``X = Zc L_Z^-T L' + means``.

    Raises
    ------
    InputError
        When there are not more rows than columns.

    Parameters
    ----------
    Z : ndarray (n, p)
        Any full-rank rows (random normal draws).
    cov : ndarray (p, p)
        Target covariance (divisor N), positive definite.
    means : ndarray (p,)
        Target means.

    Returns
    -------
    ndarray (n, p)
        ``X = Zc L_Z^-T L' + means`` with ``Zc`` the centred ``Z``, ``L_Z L_Z' = Zc' Zc / n``
        and ``L L' = cov``; then ``X' X / n - means means' = cov`` up to rounding error.

    References
    ----------
    Kaiser, H. F., & Dickman, K. (1962). Sample and population score matrices and sample
    correlation matrices from an arbitrary population correlation matrix. *Psychometrika*, 27,
    179-182.
    """
    Z = np.asarray(Z, float)
    n, p = Z.shape
    if n <= p:
        raise InputError(f"n: expected more respondents than items ({p}), got {n}")
    Zc = Z - Z.mean(axis=0)
    Lz = np.linalg.cholesky(sample_cov(Z))
    W = np.linalg.solve(Lz, Zc.T).T
    L = np.linalg.cholesky(np.asarray(cov, float))
    return W @ L.T + np.asarray(means, float)


def _orthogonal_whitened(Z: np.ndarray, against: np.ndarray | None = None) -> np.ndarray:
    """``Z`` made to have mean 0, identity covariance (divisor N) and no covariance with ``against``."""
    n = len(Z)
    Q = np.ones((n, 1)) if against is None or not against.size else np.column_stack([np.ones(n), against])
    Z = Z - Q @ np.linalg.lstsq(Q, Z, rcond=None)[0]
    L = np.linalg.cholesky(Z.T @ Z / n)
    return np.linalg.solve(L, Z.T).T


def latent_draw(pop: Population, n: int, rng, exact: bool) -> np.ndarray:
    """Continuous item responses (centred) generated through the latent structure.

    Exogenous constructs and disturbances are drawn, latent products formed (and centred) as
    soon as both factors exist, dependent constructs built in causal order from their
    equations, items from their loadings and residuals. With ``exact``, every source block has
    its population covariance exactly in the sample and is uncorrelated with the blocks before
    it; with latent products all sources are drawn in antithetic pairs ``(z, -z)``, which makes
    every product (an even function) exactly uncorrelated with every linear term (an odd
    function), as in the normal population, and so also every product of a construct and an
    item residual with the other items.

    Returns
    -------
    ndarray (n, p)
        Items in ``pop.items`` order, before the final exact-moment step.
    """
    u = list(pop.beta.index)
    Bm = pop.beta.to_numpy()
    Psi = pop.disturbance_cov.to_numpy()
    Cpop = pop.latent_cov.to_numpy()
    pnames = [f"{x}:{m}" for x, m in pop.products]
    lat = pop.latents
    dep = [v for v in lat if np.any(Bm[u.index(v)] != 0)]
    exo = [v for v in lat if v not in dep]
    ie = [u.index(v) for v in exo]
    idp = [u.index(v) for v in dep]
    ip = [u.index(v) for v in pnames]
    sym = exact and bool(pnames)

    def draw(k: int) -> np.ndarray:
        if not sym:
            return rng.standard_normal((n, k))
        half = rng.standard_normal((n // 2, k))
        return np.vstack([half, -half] + ([np.zeros((1, k))] if n % 2 else []))

    U = np.zeros((n, len(u)))
    Zx = draw(len(exo))
    if exact:
        Zx = _orthogonal_whitened(Zx)
    U[:, ie] = Zx @ np.linalg.cholesky(Psi[np.ix_(ie, ie)]).T
    D = np.zeros((n, 0))
    if dep:
        Zd = draw(len(dep))
        if exact:
            Zd = _orthogonal_whitened(Zd, U[:, ie])
        D = Zd @ np.linalg.cholesky(Psi[np.ix_(idp, idp)]).T
    made = set(exo)

    def make_products() -> None:
        for (x, m), pn in zip(pop.products, pnames):
            if pn in made or x not in made or m not in made:
                continue
            prod = U[:, u.index(x)] * U[:, u.index(m)]
            U[:, u.index(pn)] = prod - (prod.mean() if exact else Cpop[u.index(x), u.index(m)])
            made.add(pn)

    make_products()
    for k, v in enumerate(dep):  # causal order
        i = u.index(v)
        U[:, i] = U @ Bm[i] + D[:, k]
        made.add(v)
        make_products()
    Lam = pop.loadings.to_numpy()
    Ulat = U[:, [u.index(v) for v in lat]]
    p = len(pop.items)
    E = draw(p)
    if exact:
        E = _orthogonal_whitened(E, np.column_stack([U[:, ie], D, U[:, ip]]))
    return Ulat @ Lam.T + E * np.sqrt(pop.residuals.to_numpy())


def normal_draw(pop: Population, n: int, rng, exact: bool) -> np.ndarray:
    """Centred normal responses with the population covariance (a model given as syntax).

    With ``exact`` the draws are whitened first (identity sample covariance), so that the
    transport map of :func:`reconstruct` lands exactly on the target.
    """
    Z = rng.standard_normal((n, len(pop.items)))
    if exact:
        Z = _orthogonal_whitened(Z)
    return Z @ np.linalg.cholesky(pop.cov.to_numpy()).T


def composite_draw(pop: Population, n: int, rng, exact: bool) -> np.ndarray:
    """Continuous item responses (centred) whose item means carry the composite-level model.

    For a ``composite``-level population (regression records). Every latent variable is its
    linear part plus ``G P``, with ``P`` the products of the centred item means (composites)
    of ``pop.products`` and ``G = Cov(latent, P) Var(P)^-1`` the latent coefficients on them
    (total effects, through mediators too; from ``pop.latent_cov``). The linear
    parts have covariance ``R_lat - G Var(P) G'`` (``R_lat`` the latent correlations of
    ``pop.latent_cov``), so the latent variables have ``R_lat`` and the composites the
    composite-level correlations; products are uncorrelated with every linear term (normal
    theory, Bohrnstedt & Goldberger, 1969).

    With ``exact``: linear parts and item residuals are drawn in antithetic pairs ``(z, -z)``
    (every product, an even function, is then exactly uncorrelated in the sample with every
    linear term, an odd function) and whitened jointly. The constructs that do not depend on a
    product are coloured first; the sample covariance ``V`` of the products is then known, and
    the coefficient on product ``k`` is ``G_k sd(P_k) / sd_n(P_k)`` (population over sample
    SD) and the covariance of the remaining linear parts ``R_lat - G_n V G_n'``: the sample
    covariance of the items equals ``pop.cov`` and the standardized coefficient of each
    product in the regression of the composites is its population value, both to rounding
    error. Should that covariance not be positive definite, the population ``G`` is used
    (the final transport map then restores the covariance).

    Returns
    -------
    ndarray (n, p)
        Items in ``pop.items`` order, before the final exact-moment step.

    References
    ----------
    Bohrnstedt, G. W., & Goldberger, A. S. (1969). On the exact covariance of products of
    random variables. *JASA*, 64, 1439-1442.
    """
    u = list(pop.beta.index)
    lat = pop.latents
    nl = len(lat)
    pnames = [f"{x}:{m}" for x, m in pop.products]
    ip = [u.index(v) for v in pnames]
    Cu = pop.latent_cov.to_numpy()
    Rl = Cu[:nl, :nl]
    VarP = Cu[np.ix_(ip, ip)]
    G = np.linalg.solve(VarP, Cu[np.ix_(ip, range(nl))]).T if ip else np.zeros((nl, 0))
    G[np.abs(G) < 1e-15] = 0.0
    first = [i for i in range(nl) if not np.any(G[i])]  # constructs no product enters
    rest = [i for i in range(nl) if np.any(G[i])]
    perm = first + rest
    Lam = pop.loadings.to_numpy()
    p = len(pop.items)
    sym = exact and bool(ip)
    if sym:
        half = rng.standard_normal((n // 2, nl + p))
        W = np.vstack([half, -half] + ([np.zeros((1, nl + p))] if n % 2 else []))
    else:
        W = rng.standard_normal((n, nl + p))
    if exact:
        W = _orthogonal_whitened(W)
    Z, E = W[:, :nl], W[:, nl:] * np.sqrt(pop.residuals.to_numpy())
    Zp = Z[:, perm]
    member = {c: [pop.items.index(it) for it in its] for c, its in pop.constructs.items()}
    lin = np.zeros((n, nl))

    def colour(Cl: np.ndarray) -> np.ndarray:
        L = np.linalg.cholesky(Cl[np.ix_(perm, perm)])
        out = np.zeros((n, nl))
        out[:, perm] = Zp @ L.T
        return out

    f = len(first)
    lin[:, perm[:f]] = Zp[:, :f] @ np.linalg.cholesky(Rl[np.ix_(first, first)]).T
    if not ip:
        return colour(Rl) @ Lam.T + E
    X0 = lin @ Lam.T + E  # items of the constructs no product enters are final
    comp = {c: X0[:, member[c]].mean(axis=1) for c in pop.constructs}
    P = np.zeros((n, len(ip)))
    for k, (x, m) in enumerate(pop.products):
        cx, cm = comp[x], comp[m]
        if exact:
            prod = (cx - cx.mean()) * (cm - cm.mean())
            P[:, k] = prod - prod.mean()
        else:
            P[:, k] = cx * cm - _mean_product(pop, x, m)  # centred at the population means
    Gs, V = G, VarP
    if exact:
        Vn = P.T @ P / n
        Gn = G * (np.sqrt(np.diag(VarP)) / P.std(axis=0))
        if np.linalg.eigvalsh(Rl - Gn @ Vn @ Gn.T).min() > 0:
            Gs, V = Gn, Vn
    lin[:, rest] = colour(Rl - Gs @ V @ Gs.T)[:, rest]
    return (lin + P @ Gs.T) @ Lam.T + E


def _mean_product(pop: Population, x: str, m: str) -> float:
    """Population covariance of the composites of ``x`` and ``m`` (the mean of their product)."""
    S = pop.cov.to_numpy()
    ix = [pop.items.index(it) for it in pop.constructs[x]]
    im = [pop.items.index(it) for it in pop.constructs[m]]
    return float(S[np.ix_(ix, im)].mean())


# ------------------------------------------------------------------------------------------------
# Public API
# ------------------------------------------------------------------------------------------------
def _simulated(pop: Population, X: np.ndarray, Sigma: np.ndarray, mu: np.ndarray, report: dict,
               notes: list[str]) -> pd.DataFrame:
    """A random sample mapped onto the calibrated covariance: Likert integers on the record's
    scale (thresholds per item, reported), or continuous scores when it has no scale points."""
    X = X @ transport_map(pop.cov.to_numpy(), Sigma)
    if pop.scale_points is None:  # continuous indicators: no Likert coding
        notes.append("No scale_points: continuous indicators, no Likert coding.")
        return pd.DataFrame(X + mu, columns=pop.items)
    Z = X / np.sqrt(np.diag(Sigma))
    K = pop.scale_points
    cols, lik = {}, {}
    item_sd = pop.item_sd
    for j, it in enumerate(pop.items):
        tau, info = thresholds_for(pop.means[it], item_sd[it], K)
        if info["adjusted"]:
            notes.append(f"{it}: target mean {info['target_mean']:.3f} / SD {info['target_sd']:.3f} "
                         f"is not attainable on a {K}-point scale; moved inside.")
        cols[it] = to_likert(Z[:, j], tau).astype(np.int64)
        lik[it] = {"thresholds": [float(t) for t in tau], "target_mean": info["target_mean"],
                   "target_sd": info["target_sd"], "population_mean": info["mean"],
                   "population_sd": info["sd"]}
    report["likert"] = lik
    return pd.DataFrame(cols, columns=pop.items)


def _least_exact_n(pop: Population) -> int:
    """Fewest rows that always leave room for exact moments: the antithetic item residuals of
    :func:`latent_draw` live in half the rows and must be uncorrelated with every latent source,
    so twice the items and latent variables, and two more."""
    return 2 * (len(pop.items) + len(pop.beta.index)) + 2


def reconstruct(record, source: str = "reconstructed", seed: int = 2024,
                n: int | None = None, progress=None) -> Reconstruction:
    """Responses for a record from its published numbers.

    Parameters
    ----------
    record : Record, str or path
        A record, a bundled paper id or the path of a paper.yaml.
    source : {"reconstructed", "simulated"}
        ``reconstructed``: continuous, exact moments (sample covariance with divisor N equals
        the calibrated target to about 1e-12, means exact). ``simulated``: Likert integers on
        ``record.scale_points``, a random sample from the same population.
    seed : int, default 2024
        From 0 to 2**32 - 1; seeds ``numpy.random.default_rng``; the misfit direction uses the same seed.
    n : int, optional
        Number of respondents (default: the published or assumed N), at most 1,000,000. The
        misfit is calibrated at the published N; at another n the chi-square scales with n.
        Exact moments need at least twice the items and latent variables, plus two.
    progress : callable, optional
        Follows the misfit calibration (:func:`replication.data.misfit.calibrate`).

    Returns
    -------
    Reconstruction

    Raises
    ------
    InputError
        Unknown source or paper, seed or n out of range (n must exceed the number of items).
    TypeError
        An argument of the wrong type (a float seed, a number as record).

    Examples
    --------
    >>> from replication.record.schema import load_record
    >>> rec = reconstruct(load_record("e_engagement"))          # doctest: +SKIP
    >>> rec.calibration["models"]["sem"]["achieved_chisq"]      # doctest: +SKIP
    504.14

    References
    ----------
    Kaiser, H. F., & Dickman, K. (1962). Sample and population score matrices and sample
    correlation matrices from an arbitrary population correlation matrix. *Psychometrika*, 27,
    179-182.
    Cudeck, R., & Browne, M. W. (1992). Constructing a covariance matrix that yields a
    specified minimizer and a specified minimum discrepancy function value. *Psychometrika*,
    57, 357-369 (:func:`replication.data.misfit.calibrate`).
    """
    record = as_record(record, "record")
    check_choice(source, "source", SOURCES)
    seed = check_seed(seed)
    if n is not None:
        n = check_int(n, "n", 1, MAX_N)
    check_optional_callable(progress, "progress")
    if record.model.kind == "pls" or record.model.estimator in ("PLS", "PLSc"):
        raise InputError(f"{record.id}: a PLS-SEM record is not reconstructed from its printed "
                         "tables; replicate it from real responses (--data CSV)")
    pop = population(record)
    n_use = pop.n if n is None else n
    if not isinstance(n_use, (int, np.integer)) or isinstance(n_use, bool) or n_use <= len(pop.items):
        raise InputError(f"n: expected an integer above the number of items ({len(pop.items)}), "
                         f"got {n_use!r}")
    n_use = int(n_use)
    least = _least_exact_n(pop)
    if source == "reconstructed" and n is not None and n_use < least:
        raise InputError(f"n: expected at least {least} rows for exact moments of the record's "
                         f"{len(pop.items)} items and {len(pop.beta.index)} latent variables "
                         f"(or source 'simulated'), got {n_use}")
    cal = calibrate(record, pop, seed=seed, progress=progress)
    Sigma = cal.cov.to_numpy()
    mu = pop.means.to_numpy()
    notes = list(pop.notes) + list(cal.report.get("notes", []))
    if n_use != pop.n:
        notes.append(f"n = {n_use} differs from the published N = {pop.n}: the misfit was "
                     f"calibrated at N, so chi-square scales by {n_use}/{pop.n}.")
    rng = np.random.default_rng([seed, 1])
    report = dict(cal.report)
    report["changes"] = pop.changes.to_dict(orient="records")
    draw = {"composite": composite_draw, "syntax": normal_draw}.get(pop.level, latent_draw)
    if source == "reconstructed":
        try:
            X = draw(pop, n_use, rng, exact=True)
        except np.linalg.LinAlgError:  # too few rows to whiten every block of sources
            raise InputError(f"n: {n_use} rows are too few for exact moments of the record's "
                             f"{len(pop.items)} items; expected at least {least}") from None
        Xc = X - X.mean(axis=0)
        T = transport_map(Xc.T @ Xc / n_use, Sigma)
        X = Xc @ T + mu
        err = float(np.max(np.abs(_cov_n(X) - Sigma)))
        report["max_abs_cov_error"] = err
        report["max_abs_mean_error"] = float(np.max(np.abs(X.mean(axis=0) - mu)))
        data = pd.DataFrame(X, columns=pop.items)
    else:
        data = _simulated(pop, draw(pop, n_use, rng, exact=False), Sigma, mu, report, notes)
    report["source"] = source
    if record.reversed_items:  # files hold the answers as given: reverse-keyed items unreversed
        data = reverse_items(data, record.reversed_items, int(record.scale_points))
        notes.append("Reverse-keyed items (" + ", ".join(record.reversed_items) + ") are written as "
                     "answered; the analyses reverse-score them (min + max - x) as the paper did.")
    return Reconstruction(data=data, population=pop, cov=cal.cov, calibration=report,
                          changes=pop.changes, source=source, seed=int(seed), n=n_use, notes=notes)


def write_csv(df: pd.DataFrame, path) -> Path:
    """Write ``df`` to ``path`` atomically (temporary file in the same folder, then rename).

    Floats are written with the shortest text that reads back to the same number, so exact
    moments survive the round trip. Nothing is left behind if writing fails.

    Raises
    ------
    InputError
        When the folder of ``path`` does not exist or is not writable.
    """
    return atomic_write_text(path, df.to_csv(index=False, lineterminator="\n"), what="--out")
