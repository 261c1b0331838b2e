"""Likert responses from continuous ones: thresholds that give an item a chosen mean and SD.

A K-point item is read as a discretized normal response: category ``k`` is chosen when a normal
variable ``Y* ~ N(mu, sigma^2)`` falls in ``(k - 1/2, k + 1/2]`` (the end categories open). The two
parameters ``mu`` and ``sigma`` are solved so that the discrete item has the target mean and
standard deviation; the thresholds on the standardized continuous response are then
``tau_k = (k + 1/2 - mu) / sigma``, ``k = 1 .. K-1``.

References
----------
Muthén, B., & Kaplan, D. (1985). A comparison of some methodologies for the factor analysis of
non-normal Likert variables. *British Journal of Mathematical and Statistical Psychology*, 38,
171-189 (threshold model of ordinal items).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import least_squares

from replication.engine.distributions import norm_cdf
from replication.engine.errors import InputError

__all__ = ["category_probabilities", "discrete_moments", "thresholds_for", "to_likert", "reverse_items"]


def category_probabilities(mu: float, sigma: float, K: int) -> np.ndarray:
    """Probabilities of categories ``1..K`` for ``N(mu, sigma^2)`` cut at ``1.5, 2.5, ..., K-0.5``.

    Parameters
    ----------
    mu, sigma : float
        Mean and standard deviation of the latent normal response ``Y*``.
    K : int
        Number of categories.

    Returns
    -------
    ndarray, shape (K,)
        ``P(k) = Phi((k + 1/2 - mu) / sigma) - Phi((k - 1/2 - mu) / sigma)`` with the end
        categories open (``Phi(-inf) = 0``, ``Phi(inf) = 1``).

    References
    ----------
    Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation coefficient.
    *Psychometrika*, 44, 443-460 (ordinal categories as intervals of a latent normal).
    Muthen, B. (1984). A general structural equation model with dichotomous, ordered
    categorical, and continuous latent variable indicators. *Psychometrika*, 49, 115-132.
    """
    cuts = np.arange(1.5, K, 1.0)
    cdf = norm_cdf((cuts - mu) / sigma)
    return np.diff(np.concatenate([[0.0], cdf, [1.0]]))


def discrete_moments(mu: float, sigma: float, K: int) -> tuple[float, float]:
    """Mean and SD of the discretized normal (population, divisor N).

    Parameters
    ----------
    mu, sigma : float
        Mean and standard deviation of the latent normal response.
    K : int
        Number of categories.

    Returns
    -------
    (float, float)
        ``m = sum_k k P(k)`` and ``sd = sqrt(sum_k (k - m)^2 P(k))`` with ``P`` from
        :func:`category_probabilities`.

    References
    ----------
    Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation coefficient.
    *Psychometrika*, 44, 443-460 (ordinal categories as intervals of a latent normal).
    Muthen, B. (1984). A general structural equation model with dichotomous, ordered
    categorical, and continuous latent variable indicators. *Psychometrika*, 49, 115-132.
    """
    pr = category_probabilities(mu, sigma, K)
    k = np.arange(1, K + 1)
    m = float(pr @ k)
    return m, float(math.sqrt(max(pr @ (k - m) ** 2, 0.0)))


def thresholds_for(mean: float, sd: float, K: int) -> tuple[np.ndarray, dict]:
    """Thresholds on a standard normal response that give a K-point item ``mean`` and ``sd``.

    Parameters
    ----------
    mean, sd : float
        Target moments on the 1..K scale. A mean outside ``(1, K)`` or an SD above the
        largest possible for that mean (``sqrt((mean - 1)(K - mean))``, Bhatia and Davis, 2000)
        is moved inside, and the report says so.
    K : int

    Returns
    -------
    tau : ndarray, shape (K-1,)
    info : dict
        ``mu``, ``sigma`` of the underlying normal, ``mean``/``sd`` achieved, ``target_mean``,
        ``target_sd`` and ``adjusted`` (True when the target had to be moved inside).

    Notes
    -----
    ``(mu, sigma)`` solve ``discrete_moments(mu, sigma, K) = (mean, sd)`` by least squares
    (``sigma`` on the log scale); the thresholds of the standardized response are
    ``tau_k = (k + 1/2 - mu) / sigma``.

    References
    ----------
    Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation coefficient.
    *Psychometrika*, 44, 443-460 (ordinal categories as intervals of a latent normal).
    Muthen, B. (1984). A general structural equation model with dichotomous, ordered
    categorical, and continuous latent variable indicators. *Psychometrika*, 49, 115-132.
    Bhatia, R., & Davis, C. (2000). A better bound on the variance. *The American
    Mathematical Monthly*, 107, 353-357.
    """
    if K < 2:
        raise InputError(f"scale_points: expected at least 2, got {K}")
    tm, ts = float(mean), float(sd)
    adjusted = False
    lo, hi = 1 + 0.05, K - 0.05
    if not lo <= tm <= hi:
        tm, adjusted = min(max(tm, lo), hi), True
    smax = 0.95 * math.sqrt((tm - 1) * (K - tm))
    if ts > smax or ts <= 0.05:
        ts, adjusted = min(max(ts, 0.05), smax), True

    def resid(x):
        m, s = discrete_moments(x[0], math.exp(x[1]), K)
        return [m - tm, s - ts]

    sol = least_squares(resid, x0=[tm, math.log(ts)], xtol=1e-14, ftol=1e-14, gtol=1e-14)
    mu, sigma = float(sol.x[0]), float(math.exp(sol.x[1]))
    m, s = discrete_moments(mu, sigma, K)
    tau = (np.arange(1.5, K, 1.0) - mu) / sigma
    return tau, {"mu": mu, "sigma": sigma, "mean": m, "sd": s, "target_mean": float(mean),
                 "target_sd": float(sd), "adjusted": adjusted}


def to_likert(z: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Categories ``1 + #(z > tau_k)`` of standardized responses ``z``.

    Parameters
    ----------
    z : ndarray
        Standardized continuous responses.
    tau : ndarray, shape (K-1,)
        Increasing thresholds (:func:`thresholds_for`).

    Returns
    -------
    ndarray of int
        ``1 + #{k : z > tau_k}``, same shape as ``z``.

    References
    ----------
    Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation coefficient.
    *Psychometrika*, 44, 443-460 (ordinal categories as intervals of a latent normal).
    Muthen, B. (1984). A general structural equation model with dichotomous, ordered
    categorical, and continuous latent variable indicators. *Psychometrika*, 49, 115-132.
    """
    return 1 + np.sum(np.asarray(z)[..., None] > np.asarray(tau), axis=-1)


def reverse_items(data, items, K: int):
    """Reverse-score ``items`` of a response table on a 1..K scale: ``x -> (1 + K) - x``.

    The scoring a paper applies to reverse-keyed items before every analysis (min + max - x);
    applied twice it gives the responses back, so response files keep the answers as given and
    the analyses read them reversed. Missing values stay missing. Returns a copy.

    References
    ----------
    Nunnally, J. C., & Bernstein, I. H. (1994). *Psychometric theory* (3rd ed.), ch. 8
    (reverse-keyed items are reflected before scale scores and reliabilities are computed).
    """
    out = data.copy()
    for it in items:
        out[it] = (1 + K) - out[it]
    return out
