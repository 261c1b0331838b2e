"""Normal and chi-square tail probabilities with ``math`` and numpy alone.

Every fit reports a chi-square p-value, z-test p-values and the RMSEA interval; computing them
here keeps scipy (whose special-function module takes longer to import than a small fit takes to
run) off the path of a plain ML fit. ``scipy.stats`` is the reference in
``tests/test_distributions.py`` (agreement to about 1e-13, relative, on a grid with large
degrees of freedom, large noncentralities and far tails), with the same conventions at the
edges of the support (``x <= 0``, ``x = inf``, ``df <= 0``, NaN).

* :func:`norm_cdf`, :func:`norm_sf`: ``Phi(z)``, ``Phi(-z)`` from ``math.erf`` / ``math.erfc`` (Cephes' ``ndtr`` split).
* :func:`chi2_sf`, :func:`chi2_cdf`: the regularized incomplete gamma functions
  ``P(df/2, x/2)`` and ``Q(df/2, x/2)``, by the series for ``x < a + 1`` and the continued
  fraction (modified Lentz) otherwise (Press et al., sec. 6.2), with the factor
  ``x^a e^-x / Gamma(a + 1)`` computed as Loader's saddle-point form
  ``exp(-stirlerr(a) - bd0(a, x)) / sqrt(2 pi a)`` (as R's ``dpois_raw``), which keeps full
  relative precision for large ``a``.
* :func:`ncx2_cdf`, :func:`ncx2_sf`: the Poisson mixture of central chi-squares,
  ``sum_j Pois(j; nc/2) P(chi2_{df+2j} <= x)`` (as R's ``pnchisq``), summed around the Poisson
  mode over every term that carries mass. The central terms follow from one direct evaluation
  by the recurrence ``P(a + 1, y) = P(a, y) - y^a e^-y / Gamma(a + 1)``, run in the direction
  in which it only adds positive terms (towards smaller ``a`` for the lower tail, larger ``a``
  for the upper tail), so that no tail is obtained by cancellation.

References
----------
Press, W. H., Teukolsky, S. A., Vetterling, W. T., & Flannery, B. P. (2007). *Numerical
Recipes* (3rd ed.). Cambridge University Press, sec. 6.2 (incomplete gamma function) and 5.2
(modified Lentz's method).
Loader, C. (2000). Fast and accurate computation of binomial probabilities. Technical report
(``stirlerr`` and ``bd0``; R ``src/nmath/stirlerr.c``, ``bd0.c``, ``dpois.c``).
Ding, C. G. (1992). Algorithm AS 275: Computing the non-central chi-squared distribution
function. *Applied Statistics*, 41, 478-482. R ``src/nmath/pnchisq.c``.
Johnson, N. L., Kotz, S., & Balakrishnan, N. (1994, 1995). *Continuous Univariate
Distributions*, Vols. 1-2 (2nd ed.). Wiley, ch. 13 (normal), 18 (chi-square), 29 (noncentral
chi-square: the Poisson mixture).
Cody, W. J. (1969). Rational Chebyshev approximations for the error function. *Mathematics of
Computation*, 23, 631-637 (the split of ``ndtr`` between ``erf`` and ``erfc``).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["norm_cdf", "norm_sf", "norm_ppf", "chi2_sf", "chi2_cdf", "ncx2_cdf", "ncx2_sf"]

_EPS = 2.220446049250313e-16
_TINY = 1e-300
_SQRT1_2 = math.sqrt(0.5)
_LN_SQRT_2PI = 0.918938533204672741780329736406
_TWO_PI = 2.0 * math.pi

#: ``stirlerr(n / 2)`` for ``n = 0, ..., 30``: ``log Gamma(a + 1) - (a + 1/2) log a + a -
#: log sqrt(2 pi)`` at ``a = n / 2`` (R's ``sferr_halves``; 25 digits, mpmath). Entry 0 unused.
_SFERR_HALVES = (
    0.0,
    0.1534264097200273452913839, 0.08106146679532725821967026, 0.0548141210519176538961387,
    0.04134069595540929409382208, 0.03316287351993628748511051, 0.02767792568499833914878929,
    0.02374616365629749597133028, 0.02079067210376509311152277, 0.01848845053267318523077936,
    0.01664469118982119216319487, 0.01513497322191737887351384, 0.01387612882307074799874573,
    0.01281046524292022692425066, 0.01189670994589177009505572, 0.01110455975820691732663076,
    0.01041126526197209649747857, 0.009799416126158803298390373, 0.009255462182712732917728637,
    0.008768700134139385462955047, 0.008330563433362871256469319, 0.007934114564314020547249562,
    0.007573675487951840794972024, 0.007244554301320383179546197, 0.006942840107209529865664153,
    0.006665247032707682442356181, 0.006408994188004207068439631, 0.006171712263039457647534605,
    0.005951370112758847735624416, 0.005746216513010115682026102, 0.00555473355196280137103869,
)
# Stirling series of stirlerr: 1/12, 1/360, 1/1260, 1/1680, 1/1188
_S0, _S1, _S2, _S3, _S4 = 1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188


# --------------------------------------------------------------------------------------------
# Normal
# --------------------------------------------------------------------------------------------
def _ndtr(a: float) -> float:
    """``Phi(a)``: ``1/2 + erf(a / sqrt 2) / 2`` near 0, ``erfc(|a| / sqrt 2) / 2`` in the
    tails (no cancellation in either)."""
    if math.isnan(a):
        return math.nan
    x = a * _SQRT1_2
    z = abs(x)
    if z < _SQRT1_2:
        return 0.5 + 0.5 * math.erf(x)
    y = 0.5 * math.erfc(z)
    return 1.0 - y if x > 0 else y


def _elementwise(f, *args):
    """``f`` applied to every element of the broadcast float arrays; a numpy scalar for
    scalar input."""
    arrays = np.broadcast_arrays(*[np.asarray(a, dtype=float) for a in args])
    out = np.empty(arrays[0].shape)
    flat = [a.ravel().tolist() for a in arrays]
    res = out.reshape(-1)
    for i, vals in enumerate(zip(*flat)):
        res[i] = f(*vals)
    return out[()]


def norm_cdf(z):
    """Standard normal distribution function ``Phi(z)`` (scipy's ``norm.cdf``)."""
    return _elementwise(_ndtr, z)


def norm_sf(z):
    """Standard normal upper tail ``P(Z > z) = Phi(-z)`` (scipy's ``norm.sf``)."""
    return _elementwise(lambda v: _ndtr(-v), z)


def norm_ppf(p: float) -> np.float64:
    """Standard normal quantile ``Phi^-1(p)`` by bisection on :func:`_ndtr` over [-40, 40]
    (70 halvings: to the spacing of doubles; the lower tail, ``p > 1/2`` by symmetry; NaN
    outside ``0 < p < 1``). For a handful of
    calls (the start of the RMSEA interval's search), not for arrays."""
    if not 0.0 < p < 1.0:
        return np.float64(math.nan)
    if p > 0.5:  # the upper half by symmetry: 1 - p is exact there and its tail is accurate
        return np.float64(-norm_ppf(1.0 - p))
    lo, hi = -40.0, 40.0
    for _ in range(70):
        mid = 0.5 * (lo + hi)
        if _ndtr(mid) < p:
            lo = mid
        else:
            hi = mid
    return np.float64(0.5 * (lo + hi))


# --------------------------------------------------------------------------------------------
# Incomplete gamma
# --------------------------------------------------------------------------------------------
def _stirlerr(a: float) -> float:
    """``log Gamma(a + 1) - ((a + 1/2) log a - a + log sqrt(2 pi))`` for ``a > 0``: the table at
    half-integers up to 15, the Stirling series beyond (Loader 2000)."""
    if a <= 15.0:
        nn = a + a
        if nn == int(nn):
            return _SFERR_HALVES[int(nn)]
        return math.lgamma(a + 1.0) - (a + 0.5) * math.log(a) + a - _LN_SQRT_2PI
    nn = a * a
    return (_S0 - (_S1 - (_S2 - (_S3 - _S4 / nn) / nn) / nn) / nn) / a


def _bd0(x: float, m: float) -> float:
    """``x log(x / m) + m - x`` (the deviance term of Loader 2000), by its series when ``x``
    is near ``m`` (no cancellation)."""
    if abs(x - m) < 0.1 * (x + m):
        v = (x - m) / (x + m)
        s = (x - m) * v
        if abs(s) < 2.2250738585072014e-308:
            return s
        ej = 2.0 * x * v
        v *= v
        for j in range(1, 1000):
            ej *= v
            s1 = s + ej / (2 * j + 1)
            if s1 == s:
                return s1
            s = s1
    return x * math.log(x / m) + m - x


def _pois_raw(a: float, lam: float) -> float:
    """``lam^a e^-lam / Gamma(a + 1)`` for ``a >= 0``, ``lam >= 0`` (R's ``dpois_raw``)."""
    if lam == 0:
        return 1.0 if a == 0 else 0.0
    if not math.isfinite(lam):
        return 0.0
    if a <= lam * 2.2250738585072014e-308:
        return math.exp(-lam)
    if lam < a * 2.2250738585072014e-308:
        return math.exp(-lam + a * math.log(lam) - math.lgamma(a + 1.0))
    return math.exp(-_stirlerr(a) - _bd0(a, lam)) / math.sqrt(_TWO_PI * a)


def _lower_series(a: float, x: float) -> float:
    """``sum_n x^n / ((a + 1) ... (a + n))``: ``P(a, x) = pois_raw(a, x)`` times this."""
    total = term = 1.0
    k = a
    while True:
        k += 1.0
        term *= x / k
        total += term
        if term <= total * _EPS * 0.5:
            return total


def _upper_cf(a: float, x: float) -> float:
    """Continued fraction ``1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - ...))`` by the modified
    Lentz method: ``Q(a, x) = a pois_raw(a, x)`` times this (Press et al. 2007, eq. 6.2.7)."""
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    i = 1
    while True:
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        if abs(d) < _TINY:
            d = _TINY
        c = b + an / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) <= _EPS * 0.5:
            return h
        i += 1


def _gamma_pq(a: float, x: float) -> tuple[float, float]:
    """Regularized incomplete gamma functions ``(P(a, x), Q(a, x))`` for ``a > 0`` and
    ``0 <= x < inf``: the series below ``a + 1``, the continued fraction above; the other one
    as the complement (it is then the larger, at least about a third)."""
    if x <= 0:
        return 0.0, 1.0
    f = _pois_raw(a, x)
    if x < a + 1.0:
        p = min(1.0, f * _lower_series(a, x))
        return p, 1.0 - p
    q = min(1.0, a * f * _upper_cf(a, x))
    return 1.0 - q, q


def _chi2(x: float, df: float, upper: bool) -> float:
    if math.isnan(x) or math.isnan(df) or not df > 0:
        return math.nan
    if x <= 0:
        return 1.0 if upper else 0.0
    if x == math.inf:
        return 0.0 if upper else 1.0
    if df == math.inf:
        return math.nan
    return _gamma_pq(0.5 * df, 0.5 * x)[1 if upper else 0]


def chi2_sf(x, df):
    """``P(chi2_df > x)``: 1 for ``x <= 0``, NaN for ``df <= 0`` (scipy's ``chi2.sf``)."""
    return _elementwise(lambda a, b: _chi2(a, b, True), x, df)


def chi2_cdf(x, df):
    """``P(chi2_df <= x)``: 0 for ``x <= 0``, NaN for ``df <= 0`` (scipy's ``chi2.cdf``)."""
    return _elementwise(lambda a, b: _chi2(a, b, False), x, df)


# --------------------------------------------------------------------------------------------
# Noncentral chi-square: Poisson mixture
# --------------------------------------------------------------------------------------------
def _stirlerr_vec(a: np.ndarray) -> np.ndarray:
    out = np.empty_like(a)
    big = a > 15.0
    ab = a[big]
    nn = ab * ab
    out[big] = (_S0 - (_S1 - (_S2 - (_S3 - _S4 / nn) / nn) / nn) / nn) / ab
    small = np.flatnonzero(~big)
    if small.size:
        out[small] = [_stirlerr(float(v)) for v in a[small]]
    return out


def _bd0_vec(x: np.ndarray, m: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = x * np.log(x / m) + m - x
    near = np.abs(x - m) < 0.1 * (x + m)
    if near.any():
        xs = x[near]
        v = (xs - m) / (xs + m)
        s = (xs - m) * v
        ej = 2.0 * xs * v
        v2 = v * v
        for j in range(1, 20):  # |v| < 0.1: the terms fall by 100 each step at least
            ej = ej * v2
            step = ej / (2 * j + 1)
            s = s + step
            if np.all(np.abs(step) <= 1e-17 * np.abs(s)):
                break
        out[near] = s
    return out


def _pois_raw_vec(a: np.ndarray, lam: float) -> np.ndarray:
    """:func:`_pois_raw` over an array of ``a >= 0`` (``lam > 0`` finite)."""
    out = np.empty_like(a)
    zero = a == 0
    out[zero] = math.exp(-lam)
    pos = ~zero
    ap = a[pos]
    with np.errstate(over="ignore", under="ignore"):
        out[pos] = np.exp(-_stirlerr_vec(ap) - _bd0_vec(ap, lam)) / np.sqrt(_TWO_PI * ap)
    return out


def _mixture(x: float, df: float, nc: float, upper: bool) -> float:
    """``sum_j Pois(j; nc/2) F_{df+2j}(x)`` with ``F`` the central lower (or upper) tail, over
    ``j`` around the Poisson mode, widened until what is left out (bounded by the Poisson tails
    times the largest central tail there) is below ``1e-17`` of the sum."""
    h, y, a0 = 0.5 * nc, 0.5 * x, 0.5 * df
    mode = math.floor(h)
    k = int(10.0 * math.sqrt(h)) + 20
    while True:
        lo, hi = max(0, mode - k), mode + k
        j = np.arange(lo, hi + 1, dtype=float)
        w = _pois_raw_vec(j, h)
        d = _pois_raw_vec(a0 + j, y).astype(np.longdouble)  # y^a e^-y / Gamma(a + 1)
        if upper:  # Q(a + 1, y) = Q(a, y) + d(a): from the lowest a upwards
            edge = _gamma_pq(a0 + lo, y)[1]
            tail = np.concatenate(([0.0], np.cumsum(d[:-1])))
        else:  # P(a, y) = P(a + 1, y) + d(a): from the highest a downwards
            edge = _gamma_pq(a0 + hi, y)[0]
            tail = np.concatenate((np.cumsum(d[-2::-1])[::-1], [0.0]))
        terms = w * (edge + tail)
        total = float(terms.sum())
        # Poisson mass left out: below lo (j/h ratio) and above hi (h/(j+1) ratio)
        below = w[0] * lo / h / (1.0 - (lo - 1) / h) if lo > 0 else 0.0
        above = w[-1] * h / (hi + 1) / (1.0 - h / (hi + 2)) if hi + 2 > h else 1.0
        left = (below * edge + above) if upper else (below + above * edge)
        if left <= 1e-17 * total or total == 0.0 and max(w[0], w[-1]) == 0.0 or k > 1 << 22:
            return min(1.0, total)
        k *= 2


def _ncx2(x: float, df: float, nc: float, upper: bool) -> np.float64:
    if not (df > 0 and nc >= 0) or math.isnan(x) or df == math.inf or nc == math.inf:
        return np.float64(math.nan)
    if x <= 0:
        return np.float64(1.0 if upper else 0.0)
    if x == math.inf:
        return np.float64(0.0 if upper else 1.0)
    if nc == 0:
        return np.float64(_chi2(x, df, upper))
    return np.float64(_mixture(x, df, nc, upper))


def ncx2_cdf(x: float, df: float, nc: float) -> np.float64:
    """Noncentral chi-square CDF (scipy's ``ncx2.cdf``; the central one when ``nc == 0``)."""
    return _ncx2(float(x), float(df), float(nc), False)


def ncx2_sf(x: float, df: float, nc: float) -> np.float64:
    """Noncentral chi-square upper tail (scipy's ``ncx2.sf``)."""
    return _ncx2(float(x), float(df), float(nc), True)
