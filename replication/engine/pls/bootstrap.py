"""Bootstrap of every PLS estimate: standard errors, t-values, percentile and BCa intervals.

Resample ``b`` draws its rows from its own stream ``SeedSequence(seed).spawn(B)[b]``, so the
draws, and therefore every number, are the same for any number of workers. A resample whose
iteration does not converge, or whose data have a constant indicator or a singular block, is
counted as failed and left out (seminr drops resamples that raise an error or a warning).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from replication.engine.distributions import norm_ppf, norm_sf
from replication.engine.pls.estimate import Estimates, ZeroVariance, estimate

__all__ = ["BootResult", "bootstrap", "percentile_interval", "bca_interval", "BOOT_COLUMNS"]

BOOT_COLUMNS = ("se", "t", "pvalue", "ci.lower", "ci.upper", "bca.lower", "bca.upper")


@dataclass
class BootResult:
    """Bootstrap draws of the estimate vector.

    Attributes
    ----------
    draws : ndarray (B_ok, m)
        Successful resamples only, in resample order.
    estimate : ndarray (m,)
        Full-sample estimates (same order as ``draws``' columns).
    jackknife : ndarray (n, m)
        Leave-one-out estimates (for the BCa acceleration).
    requested, failed : int
    """

    draws: np.ndarray
    estimate: np.ndarray
    jackknife: np.ndarray
    requested: int
    failed: int

    def table(self, level: float = 0.95) -> dict:
        """``{se, t, pvalue, ci.lower, ci.upper, bca.lower, bca.upper}`` arrays."""
        m = self.estimate.size
        se = self.draws.std(axis=0, ddof=1) if len(self.draws) > 1 else np.full(m, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(se > 0, self.estimate / se, np.nan)
        p = np.array([2 * float(norm_sf(abs(v))) if np.isfinite(v) else np.nan for v in t])
        pc = np.array([percentile_interval(self.draws[:, i], level) for i in range(m)])
        bca = np.array([bca_interval(self.draws[:, i], self.estimate[i],
                                     self.jackknife[:, i], level) for i in range(m)])
        return {"se": se, "t": t, "pvalue": p, "ci.lower": pc[:, 0], "ci.upper": pc[:, 1],
                "bca.lower": bca[:, 0], "bca.upper": bca[:, 1]}


def percentile_interval(draws: np.ndarray, level: float = 0.95) -> tuple:
    """Percentile interval: the ``(1 -/+ level) / 2`` quantiles of the draws (linear
    interpolation of order statistics, R's ``quantile`` type 7 as seminr).

    Parameters
    ----------
    draws : ndarray
    level : float

    Returns
    -------
    (lower, upper)

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman &
    Hall, ch. 13.
    """
    d = draws[np.isfinite(draws)]
    if d.size == 0:
        return (np.nan, np.nan)
    a = (1 - level) / 2
    return float(np.quantile(d, a)), float(np.quantile(d, 1 - a))


def bca_interval(draws: np.ndarray, est: float, jack: np.ndarray,
                 level: float = 0.95) -> tuple:
    """Bias-corrected and accelerated (BCa) interval.

    Parameters
    ----------
    draws : ndarray
        Bootstrap replicates.
    est : float
        Full-sample estimate.
    jack : ndarray
        Leave-one-out (jackknife) estimates.
    level : float

    Returns
    -------
    (lower, upper)
        Quantiles (type 7) of the draws at ``Phi(z0 + (z0 + z_a) / (1 - a (z0 + z_a)))`` with
        ``z0 = Phi^-1(share of draws below est)`` and the acceleration
        ``a = sum d^3 / (6 (sum d^2)^1.5)``, ``d = mean(jack) - jack``. NaN when every draw
        lies on one side of the estimate; ``(est, est)`` for constant draws.

    References
    ----------
    Efron, B. (1987). Better bootstrap confidence intervals. *Journal of the American
    Statistical Association, 82*(397), 171-185.
    """
    d = draws[np.isfinite(draws)]
    if d.size == 0:
        return (np.nan, np.nan)
    if np.ptp(d) == 0:
        return (est, est)
    share = float(np.mean(d < est))
    if share <= 0 or share >= 1:
        return (np.nan, np.nan)
    z0 = float(norm_ppf(share))
    dj = jack.mean() - jack
    den = 6 * float(np.sum(dj ** 2)) ** 1.5
    acc = float(np.sum(dj ** 3)) / den if den > 0 else 0.0
    out = []
    for q in ((1 - level) / 2, (1 + level) / 2):
        z = float(norm_ppf(q))
        prob = float(norm_sf(-(z0 + (z0 + z) / (1 - acc * (z0 + z)))))
        out.append(float(np.quantile(d, min(max(prob, 0.0), 1.0))))
    return tuple(out)


def _one(X, model, estimator, scheme, vector, rows):
    try:
        e = estimate(X[rows], model, estimator, scheme)
    except (ZeroVariance, np.linalg.LinAlgError):
        return None
    if not e.fit.converged:
        return None
    v = vector(e)
    return v if np.all(np.isfinite(v)) else None


def _chunk(args):
    X, model, estimator, scheme, vector, seeds = args
    n = X.shape[0]
    out = []
    for s in seeds:
        rows = np.random.default_rng(s).integers(0, n, size=n)
        out.append(_one(X, model, estimator, scheme, vector, rows))
    return out


def _jackknife(X, model, estimator, scheme, vector, m) -> np.ndarray:
    n = X.shape[0]
    jack = np.full((n, m), np.nan)
    for i in range(n):
        rows = np.delete(np.arange(n), i)
        v = _one(X, model, estimator, scheme, vector, rows)
        if v is not None:
            jack[i] = v
    ok = np.all(np.isfinite(jack), axis=1)
    return jack[ok]


def bootstrap(X: np.ndarray, est: Estimates, vector, resamples: int, seed: int = 2024,
              jobs: int = 1) -> BootResult:
    """Resample rows, re-estimate, and collect ``vector(estimates)`` of every resample.

    Parameters
    ----------
    X : ndarray (n, p)
        The complete indicator matrix of the fit.
    est : Estimates
        The full-sample fit (model, estimator and scheme are reused).
    vector : callable
        ``Estimates -> ndarray (m,)``: the statistics to bootstrap.
    resamples : int
    seed : int
        Seed of the ``SeedSequence`` whose children drive the resamples.
    jobs : int
        Worker processes (forked, at most ``os.cpu_count()``); the result does not depend
        on it.

    Returns
    -------
    BootResult

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A Primer on Partial
    Least Squares Structural Equation Modeling (PLS-SEM)* (3rd ed.). Sage, ch. 5.
    Efron, B. (1987). Better bootstrap confidence intervals. *JASA, 82*(397), 171-185.
    """
    seeds = np.random.SeedSequence(seed).spawn(int(resamples))
    args = (X, est.model, est.estimator, est.scheme, vector)
    jobs = max(1, min(int(jobs), os.cpu_count() or 1, len(seeds) or 1))
    size = math.ceil(len(seeds) / jobs) if seeds else 1
    chunks = [seeds[i:i + size] for i in range(0, len(seeds), size)]
    if jobs == 1 or len(chunks) == 1:
        parts = [_chunk(args + (c,)) for c in chunks]
    else:
        parts = _parallel(args, chunks, jobs)
    results = [r for part in parts for r in part]
    good = [r for r in results if r is not None]
    m = vector(est).size
    draws = np.array(good) if good else np.empty((0, m))
    jack = _jackknife(X, est.model, est.estimator, est.scheme, vector, m)
    return BootResult(draws, vector(est), jack, len(results), len(results) - len(good))


def _parallel(args, chunks, jobs):
    import multiprocessing as mp

    if "fork" in mp.get_all_start_methods():
        with mp.get_context("fork").Pool(jobs) as pool:
            return pool.map(_chunk, [args + (c,) for c in chunks])
    from joblib import Parallel, delayed

    return Parallel(n_jobs=jobs)(delayed(_chunk)(args + (c,)) for c in chunks)
