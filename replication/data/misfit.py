"""Misfit calibration: a covariance matrix with a given ML minimizer and a given chi-square.

Cudeck and Browne (1992) build ``Sigma = Sigma0 + E`` so that the parameters ``theta0`` of a
model (with ``Sigma(theta0) = Sigma0``) remain the maximum-likelihood solution and the minimum
discrepancy takes a specified value. ``theta0`` stays a stationary point when ``E`` is
orthogonal, in the ML metric ``<A, B> = tr(W A W B)`` with ``W = Sigma0^-1``, to every derivative
``dSigma/dtheta_k``; the size of ``E`` then sets the minimum. Here ``E`` is drawn in whitened
coordinates, ``E = H M H`` with ``H = Sigma0^(1/2)`` and ``M`` a random symmetric matrix projected
off the whitened tangent space ``H^-1 dSigma_k H^-1`` (the ML metric becomes the Frobenius
product), so ``Sigma = H (I + kappa M) H`` is positive definite for every
``kappa < 1 / max(-eig(M))`` and ``F = -log|I + kappa M| + kappa tr(M)`` grows without bound
before that limit: any chi-square can be reached.

With two printed chi-squares (a CFA and the structural model nested in it), ``M = a E1 + b E2``
with ``E1`` orthogonal to the CFA tangent space and ``E2`` inside the CFA tangent space but
orthogonal to the structural one: the structural estimates stay stationary for any ``(a, b)``,
and ``a`` and ``b`` are found so that both minima take the printed values.

Chi-square is ``T = N * F_min`` (lavaan, ``likelihood = "normal"``; ``S`` with divisor N).

References
----------
Cudeck, R., & Browne, M. W. (1992). Constructing a covariance matrix that yields a specified
minimizer and a specified minimum discrepancy function value. *Psychometrika*, 57, 357-369.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from replication.engine.ram import RAM, fit_ml, specify

__all__ = ["Calibration", "model_at_population", "chisq_targets", "whitened_tangent",
           "perturb_single", "calibrate", "sqrtm_sym"]


@dataclass
class Calibration:
    """Result of :func:`calibrate`: the calibrated covariance and what was achieved."""

    cov: pd.DataFrame
    report: dict = field(default_factory=dict)


def sqrtm_sym(S: np.ndarray) -> np.ndarray:
    """Symmetric square root of a symmetric positive definite matrix.

    Parameters
    ----------
    S : ndarray (p, p)

    Returns
    -------
    ndarray (p, p)
        ``S^1/2 = V diag(sqrt(w)) V'`` from the eigendecomposition ``S = V diag(w) V'``.

    References
    ----------
    Higham, N. J. (2008). *Functions of Matrices: Theory and Computation*. SIAM, ch. 6.
    """
    w, V = np.linalg.eigh(S)
    return (V * np.sqrt(w)) @ V.T


def model_at_population(pop, syntax: str) -> tuple[RAM, np.ndarray, bool]:
    """The model of ``syntax`` and its parameters at the population.

    Loadings and structural coefficients are read from the population; the symmetric matrix of
    the model is ``(I - B_m) C (I - B_m)'`` with ``B_m`` the population coefficients on the
    model's own paths and ``C`` the population covariance of the latent variables, so that a
    CFA receives the latent covariances and a structural model the disturbance variances.

    Returns
    -------
    model : replication.engine.ram.RAM
        The model with its observed variables in the order of ``pop.items``.
    theta0 : ndarray
    contains : bool
        Whether ``Sigma(theta0)`` reproduces the population covariance of the model's items
        (False when the population has a path or covariance the model fixes to 0).
    """
    spec = specify(syntax, observed=pop.items)
    model = RAM(spec, pop.cov.loc[spec.ov, spec.ov].to_numpy())
    if pop.syntax is not None and syntax == pop.syntax and spec.ov == pop.items:
        return model, np.asarray(pop.theta, float), True
    names = spec.names
    m = len(names)
    idx = {v: i for i, v in enumerate(names)}
    p = model.p
    A = np.zeros((m, m))
    S = np.zeros((m, m))
    lat = spec.lv
    for it in spec.ov:
        for c in lat:
            A[idx[it], idx[c]] = pop.loadings.loc[it, c] if c in pop.loadings.columns else 0.0
        S[idx[it], idx[it]] = pop.residuals[it]
    if pop.residual_cov is not None:  # residual covariances between items (syntax populations)
        ov = list(spec.ov)
        S[:len(ov), :len(ov)] = pop.residual_cov.loc[ov, ov].to_numpy()
    free_latent_edges = {(i, j) for i, j in zip(model.a_rows, model.a_cols) if i >= p and j >= p}
    fixed_latent_edges = {(i, j) for i in range(p, m) for j in range(p, m) if model.A0[i, j] != 0}
    for i, j in free_latent_edges | fixed_latent_edges:
        A[i, j] = pop.beta.loc[names[i], names[j]]
    C = pop.latent_cov.loc[lat, lat].to_numpy()
    Bm = A[p:, p:]
    S[p:, p:] = (np.eye(len(lat)) - Bm) @ C @ (np.eye(len(lat)) - Bm).T
    theta0 = model.theta_from(A, S, names)
    target = pop.cov.loc[spec.ov, spec.ov].to_numpy()
    diff = np.max(np.abs(model.implied(theta0) - target))
    return model, theta0, bool(diff <= 1e-8 * max(1.0, np.max(np.abs(target))))


def chisq_targets(record, models: dict[str, RAM]) -> dict[str, dict]:
    """Chi-square to reach for each model (``cfa``, ``sem``) from the printed fit blocks.

    A printed ``chisq`` is used as is; with only ``chisq_df`` printed, the target is
    ``chisq_df * df`` with ``df`` of the described model (``p(p+1)/2 - q``, fixed.x
    moments excluded).

    Parameters
    ----------
    record : replication.record.schema.Record
    models : dict
        ``{"cfa" | "sem": RAM}`` models of the record.

    Returns
    -------
    dict
        Per model ``df_model``, ``df_printed``, ``target_chisq`` and ``target_source``.

    References
    ----------
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, ch. 7
    (``df = p (p + 1) / 2 - q``).
    """
    out: dict[str, dict] = {}
    for block in record.results.fit:
        if block.model not in models:
            continue
        ms = block.measures
        df_model = models[block.model].spec.df
        entry = {"df_model": df_model,
                 "df_printed": ms["df"].value if "df" in ms else None}
        if "chisq" in ms:
            entry.update(target_chisq=float(ms["chisq"].value),
                         target_source=f"printed chi-square ({ms['chisq'].where})")
        elif "chisq_df" in ms:
            entry.update(target_chisq=float(ms["chisq_df"].value) * df_model,
                         target_source=(f"printed chi-square/df {ms['chisq_df'].printed} times df "
                                        f"{df_model} of the described model"))
        else:
            continue
        out[block.model] = entry
    return out


def whitened_tangent(model: RAM, theta0: np.ndarray, Hinv: np.ndarray) -> np.ndarray:
    """Orthonormal basis (columns, length ``p*p``) of the whitened tangent space at ``theta0``.

    Parameters
    ----------
    model : RAM
    theta0 : ndarray
        Parameters at which the tangent space is taken.
    Hinv : ndarray (p, p)
        ``Sigma0^-1/2``.

    Returns
    -------
    ndarray (p*p, r)
        Left singular vectors of ``[vec(H^-1 dSigma/dtheta_k H^-1)]_k`` with singular value
        above ``1e-10`` times the largest (``r`` the rank of the Jacobian).

    Notes
    -----
    In whitened coordinates the ML metric ``tr(W A W B)`` (``W = Sigma0^-1``) is the
    Frobenius inner product, so a misfit orthogonal to these columns leaves ``theta0``
    stationary.

    References
    ----------
    Cudeck, R., & Browne, M. W. (1992). Constructing a covariance matrix that yields a
    specified minimizer and a specified minimum discrepancy function value. *Psychometrika*,
    57, 357-369.
    """
    J = model.jacobian(theta0)
    D = np.einsum("ij,kjl,lm->kim", Hinv, J, Hinv).reshape(len(J), -1).T
    U, s, _ = np.linalg.svd(D, full_matrices=False)
    rank = int(np.sum(s > s[0] * 1e-10))
    return U[:, :rank]


def _random_sym(rng, p: int) -> np.ndarray:
    Z = rng.standard_normal((p, p))
    return ((Z + Z.T) / 2).reshape(-1)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _F_whitened(M: np.ndarray) -> float:
    """``F(H (I + M) H, H H) = -log|I + M| + tr(M)``; ``inf`` when not positive definite."""
    w = np.linalg.eigvalsh(np.eye(len(M)) + M)
    if w.min() <= 0:
        return math.inf
    return float(-np.sum(np.log(w)) + np.trace(M))


def _solve_scale(M: np.ndarray, target: float, base: np.ndarray | None = None) -> float:
    """Smallest ``k >= 0`` with ``F(base + k M) = target`` (``F`` increases along the ray)."""
    base = np.zeros_like(M) if base is None else base

    def g(k):
        return min(_F_whitened(base + k * M), 1e6) - target

    if g(0.0) > 0:
        return 0.0
    hi = 0.5
    while g(hi) < 0:
        hi *= 2
        if hi > 1e6:
            raise ValueError("chi-square target not reachable")
    return brentq(g, 0.0, hi, xtol=1e-15, rtol=1e-15, maxiter=500)


def perturb_single(Sigma0: np.ndarray, basis: np.ndarray, f_target: float, rng) -> np.ndarray:
    """``Sigma0 + E`` with ``E`` orthogonal to ``basis`` (whitened) and ``F(Sigma, Sigma0) = f_target``.

    Parameters
    ----------
    Sigma0 : ndarray (p, p)
        Model-implied covariance at the published parameters.
    basis : ndarray (p*p, r)
        :func:`whitened_tangent` of the model.
    f_target : float
        Minimum ML discrepancy to reach (``chisq / N``).
    rng : numpy.random.Generator

    Returns
    -------
    ndarray (p, p)
        ``Sigma = H (I + kappa M) H`` with ``H = Sigma0^1/2``, ``M`` a random symmetric unit
        direction projected off ``basis`` and ``kappa`` solving
        ``F = -log|I + kappa M| + kappa tr(M) = f_target``.

    References
    ----------
    Cudeck, R., & Browne, M. W. (1992). Constructing a covariance matrix that yields a
    specified minimizer and a specified minimum discrepancy function value. *Psychometrika*,
    57, 357-369.
    """
    p = len(Sigma0)
    H = sqrtm_sym(Sigma0)
    r = _random_sym(rng, p)
    r = _unit(r - basis @ (basis.T @ r)).reshape(p, p)
    r = (r + r.T) / 2
    k = _solve_scale(r, f_target)
    Sigma = H @ (np.eye(p) + k * r) @ H
    return (Sigma + Sigma.T) / 2


def _fit_report(model, theta0, Sigma, n, name, target=None) -> dict:
    fit = fit_ml(model, Sigma, theta0)
    grad0 = model.gradient(theta0, Sigma)
    rep = {"model": name, "df": model.spec.df, "n": n,
           "achieved_chisq": n * fit.fmin, "fmin": fit.fmin, "converged": fit.converged,
           "gradient_norm_at_published": float(np.linalg.norm(grad0)),
           "max_change_from_published": float(np.max(np.abs(fit.theta - theta0)))}
    if target:
        rep.update(target)
        rep["relative_error"] = rep["achieved_chisq"] / target["target_chisq"] - 1
    return rep


def _admissible(model: RAM, theta: np.ndarray) -> bool:
    """Positive definite latent covariance and positive residual variances at ``theta``."""
    _, S = model.matrices(theta)
    p = model.p
    return bool(np.all(np.diag(S)[:p] > 0) and np.linalg.eigvalsh(S[p:, p:]).min() > 0)


def calibrate(record, pop, seed: int = 2024, max_draws: int = 20,
              progress: Callable[[int], None] | None = None) -> Calibration:
    """Calibrate the population covariance to the printed chi-square(s).

    Parameters
    ----------
    record : replication.record.schema.Record
    pop : replication.data.population.Population
    seed : int
        Seed of the random direction of the misfit.
    max_draws : int
        With two targets, directions are drawn until the CFA solution is admissible (at most
        ``max_draws`` times); the number of draws is reported.
    progress : callable, optional
        Called with 1 after each model fit of the root search (a command line passes its bar's
        ``update``); it changes no result.

    Returns
    -------
    Calibration
        ``cov`` (items x items) and ``report`` with keys ``method``, ``n``, ``divisor``,
        ``models`` (per model: ``target_chisq``, ``target_source``, ``achieved_chisq``, ``df``,
        ``gradient_norm_at_published``, ``max_change_from_published``) and ``notes``.

    Notes
    -----
    Both chi-squares printed (CFA and SEM): two-target construction (module docstring). One
    printed: ``E`` orthogonal to that model's tangent space. None, or a population the model
    does not contain: the population covariance unchanged.

    The discrepancy is ``F(S, Sigma0) = log|Sigma0| + tr(S Sigma0^-1) - log|S| - p``; in
    whitened coordinates ``S = H (I + E) H`` it is ``-log|I + E| + tr(E)``, and the target is
    ``F = chisq / N``.

    References
    ----------
    Cudeck, R., & Browne, M. W. (1992). Constructing a covariance matrix that yields a
    specified minimizer and a specified minimum discrepancy function value. *Psychometrika*,
    57, 357-369.
    """
    n = pop.n
    Sigma0 = pop.cov.to_numpy()
    report: dict = {"n": n, "divisor": "N (lavaan ML convention: chisq = N * F_ML)",
                    "models": {}, "notes": [], "seed": seed}
    out = Calibration(cov=pop.cov.copy(), report=report)
    if record.model.kind == "regression":
        report["method"] = "none"
        report["notes"].append("model.kind is regression: no chi-square to calibrate.")
        return out
    models, targets, usable = _models_and_targets(record, pop, report)
    rng = np.random.default_rng(seed)
    H = sqrtm_sym(Sigma0)
    Hinv = np.linalg.inv(H)
    Sigma = Sigma0
    if "cfa" in usable and "sem" in usable and usable["cfa"]["target_chisq"] < usable["sem"]["target_chisq"]:
        Sigma = _two_targets(models, usable, n, H, Hinv, rng, max_draws, report, progress)
    elif "sem" in usable or "cfa" in usable:
        Sigma = _one_target(models, usable, pop, n, Sigma0, Hinv, rng, report)
    else:
        report["method"] = "none"
        report["notes"].append("No printed chi-square usable; the population covariance is used as is.")
    Sigma = (Sigma + Sigma.T) / 2
    for name, (model, th, contains) in models.items():
        if model.spec.ov != pop.items:
            continue
        report["models"][name] = _fit_report(model, th, Sigma, n, name, targets.get(name))
    out.cov = pd.DataFrame(Sigma, index=pop.items, columns=pop.items)
    return out


# ------------------------------------------------------------------------------------------------
# Steps of calibrate()
# ------------------------------------------------------------------------------------------------
def _models_and_targets(record, pop, report: dict):
    """The CFA and SEM at the population, their printed targets, and the targets usable here."""
    models: dict[str, tuple[RAM, np.ndarray, bool]] = {}
    for name, syn in (("cfa", record.cfa_syntax()), ("sem", record.main_syntax())):
        models[name] = model_at_population(pop, syn)
    targets = chisq_targets(record, {k: v[0] for k, v in models.items()})
    for name, (model, _, contains) in models.items():
        if name in targets and targets[name]["df_printed"] not in (None, model.spec.df):
            report["notes"].append(f"{name}: printed df {targets[name]['df_printed']:g} differs from "
                                   f"df {model.spec.df} of the described model.")
        if not contains:
            report["notes"].append(f"{name}: the population is not inside the model (a path or "
                                   "covariance the model fixes to 0 is not 0); no calibration.")
    usable = {k: v for k, v in targets.items()
              if models[k][2] and models[k][0].spec.ov == pop.items}
    return models, targets, usable


def _two_targets(models, usable, n, H, Hinv, rng, max_draws, report: dict,
                 progress: Callable[[int], None] | None = None) -> np.ndarray:
    """Cudeck-Browne with both printed chi-squares: a root search on ``(a, b)`` (module notes)."""
    p = len(H)
    report["method"] = "Cudeck-Browne, two targets (CFA and SEM)"
    mc, tc, _ = models["cfa"]
    ms, ts, _ = models["sem"]
    Qc = whitened_tangent(mc, tc, Hinv)
    Qs = whitened_tangent(ms, ts, Hinv)
    nested = np.linalg.norm(Qs - Qc @ (Qc.T @ Qs))
    report["notes"].append(f"SEM tangent space inside the CFA tangent space to {nested:.1e}.")
    f_c = usable["cfa"]["target_chisq"] / n
    f_s = usable["sem"]["target_chisq"] / n
    for attempt in range(1, max_draws + 1):
        r1 = _random_sym(rng, p)
        e1 = _unit(r1 - Qc @ (Qc.T @ r1)).reshape(p, p)
        r2 = _random_sym(rng, p)
        r2 = Qc @ (Qc.T @ r2)
        e2 = _unit(r2 - Qs @ (Qs.T @ r2)).reshape(p, p)
        e1, e2 = (e1 + e1.T) / 2, (e2 + e2.T) / 2
        a_max = _solve_scale(e1, f_s)
        state = {"theta": tc}

        def sigma_ab(a):
            b = _solve_scale(e2, f_s, base=a * e1)
            S_ab = H @ (np.eye(p) + a * e1 + b * e2) @ H
            return (S_ab + S_ab.T) / 2, b

        def g(a):
            fit = fit_ml(mc, sigma_ab(a)[0], state["theta"])
            if progress is not None:
                progress(1)
            if fit.converged:
                state["theta"] = fit.theta
            return fit.fmin - f_c

        a = brentq(g, 0.0, a_max, xtol=1e-12, rtol=1e-12, maxiter=200)
        Sigma, b = sigma_ab(a)
        if _admissible(mc, fit_ml(mc, Sigma, state["theta"]).theta):
            break
    report["a"], report["b"], report["draws"] = float(a), float(b), attempt
    if attempt == max_draws:
        report["notes"].append(f"No admissible CFA solution in {max_draws} draws; the last is used.")
    else:
        report["notes"].append(f"Misfit direction drawn {attempt} time(s) until the CFA solution "
                               "was admissible (positive definite latent covariance, positive "
                               "residual variances).")
    return Sigma


def _one_target(models, usable, pop, n, Sigma0, Hinv, rng, report: dict) -> np.ndarray:
    """Cudeck-Browne with one printed chi-square (orthogonal to the CFA too where possible)."""
    name = "sem" if "sem" in usable else "cfa"
    if "cfa" in usable and "sem" in usable:
        report["notes"].append("CFA chi-square is not below the SEM chi-square; SEM target only.")
    report["method"] = f"Cudeck-Browne, one target ({name.upper()})"
    model, th, _ = models[name]
    Q = whitened_tangent(model, th, Hinv)
    mc, tc, cfa_ok = models["cfa"]
    if name == "sem" and cfa_ok and mc.spec.ov == pop.items:
        # orthogonal to the CFA too: Table-level loadings stay the ML solution of both models
        Qc = whitened_tangent(mc, tc, Hinv)
        U, s_, _ = np.linalg.svd(np.hstack([Q, Qc]), full_matrices=False)
        Q = U[:, : int(np.sum(s_ > s_[0] * 1e-10))]
        report["notes"].append("Misfit orthogonal to the CFA and SEM tangent spaces: both keep "
                               "the population estimates; the CFA chi-square equals the SEM's.")
    return perturb_single(Sigma0, Q, usable[name]["target_chisq"] / n, rng)
