"""The bivariate standard normal distribution function in double precision (Genz's algorithm),
for the polychoric correlations of :mod:`replication.engine.ordinal`.

References
----------
Genz, A. (2004). Numerical computation of rectangular bivariate and trivariate normal and t
probabilities. *Statistics and Computing*, 14, 251-260.
Drezner, Z., & Wesolowsky, G. O. (1990). On the computation of the bivariate normal integral.
*Journal of Statistical Computation and Simulation*, 35, 101-107.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr

__all__ = ["bvn_cdf"]

_GL = {
    6: (np.array([0.1713244923791705, 0.3607615730481384, 0.4679139345726904]),
        np.array([0.9324695142031522, 0.6612093864662647, 0.2386191860831970])),
    12: (np.array([.04717533638651177, 0.1069393259953183, 0.1600783285433464,
                   0.2031674267230659, 0.2334925365383547, 0.2491470458134029]),
         np.array([0.9815606342467191, 0.9041172563704750, 0.7699026741943050,
                   0.5873179542866171, 0.3678314989981802, 0.1252334085114692])),
    20: (np.array([.01761400713915212, .04060142980038694, .06267204833410906,
                   .08327674157670475, 0.1019301198172404, 0.1181945319615184,
                   0.1316886384491766, 0.1420961093183821, 0.1491729864726037,
                   0.1527533871307259]),
         np.array([0.9931285991850949, 0.9639719272779138, 0.9122344282513259,
                   0.8391169718222188, 0.7463319064601508, 0.6360536807265150,
                   0.5108670019508271, 0.3737060887154196, 0.2277858511416451,
                   0.07652652113349733])),
}


def _bvnu(h: np.ndarray, k: np.ndarray, r: float) -> np.ndarray:
    """``P(X > h, Y > k)`` for a standard bivariate normal with correlation ``r`` (Genz's
    ``bvnu``, double precision)."""
    Phi = ndtr
    if r == 0:
        return Phi(-h) * Phi(-k)
    w, x = _GL[6 if abs(r) < 0.3 else 12 if abs(r) < 0.75 else 20]
    hk = h * k
    if abs(r) < 0.925:
        hs = (h * h + k * k) / 2
        asr = math.asin(r) / 2
        bvn = np.zeros_like(h, dtype=float)
        for xs in (1 - x, 1 + x):
            sn = np.sin(asr * xs)
            bvn = bvn + (np.exp((sn[None, :] * hk[:, None] - hs[:, None])
                                / (1 - sn[None, :] ** 2)) @ w)
        return np.clip(bvn * asr / (2 * math.pi) + Phi(-h) * Phi(-k), 0, 1)
    if r < 0:
        k = -k
        hk = -hk
    bvn = np.zeros_like(h, dtype=float)
    if abs(r) < 1:
        as_ = 1 - r * r
        a = math.sqrt(as_)
        bs = (h - k) ** 2
        asr = -(bs / as_ + hk) / 2
        c = (4 - hk) / 8
        d = (12 - hk) / 80
        bvn = np.where(asr > -100, a * np.exp(asr) * (1 - c * (bs - as_) * (1 - d * bs) / 3
                                                      + c * d * as_ * as_), 0.0)
        b = np.sqrt(bs)
        sp = math.sqrt(2 * math.pi) * Phi(-b / a)
        bvn = np.where(hk > -100, bvn - np.exp(-hk / 2) * sp * b * (1 - c * bs * (1 - d * bs) / 3),
                       bvn)
        a = a / 2
        tot = np.zeros_like(bvn)
        for sgn in (-1, 1):
            xs = (a * (sgn * x + 1)) ** 2
            asr2 = -(bs[:, None] / xs[None, :] + hk[:, None]) / 2
            sp2 = 1 + c[:, None] * xs[None, :] * (1 + 5 * d[:, None] * xs[None, :])
            rs = np.sqrt(1 - xs)
            ep = np.exp(-(hk[:, None] / 2) * xs[None, :] / (1 + rs[None, :]) ** 2) / rs[None, :]
            term = np.where(asr2 > -100, np.exp(np.maximum(asr2, -100)) * (sp2 - ep), 0.0)
            tot = tot + term @ w
        bvn = (a * tot - bvn) / (2 * math.pi)
    if r > 0:
        bvn = bvn + Phi(-np.maximum(h, k))
    else:
        L = np.where(h < 0, Phi(k) - Phi(h), Phi(-h) - Phi(-k))
        bvn = np.where(h >= k, -bvn, L - bvn)
    return np.clip(bvn, 0, 1)


def bvn_cdf(h, k, r: float) -> np.ndarray:
    """Bivariate standard normal distribution function ``P(X <= h, Y <= k)``, correlation ``r``.

    References
    ----------
    Genz, A. (2004). *Statistics and Computing*, 14, 251-260 (``bvnu``; Drezner &
    Wesolowsky 1990 with Gauss-Legendre quadrature).
    """
    h = np.atleast_1d(np.asarray(h, float))
    k = np.atleast_1d(np.asarray(k, float))
    return _bvnu(-h, -k, float(r))
