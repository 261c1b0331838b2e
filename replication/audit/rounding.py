"""Interval arithmetic for printed (rounded) numbers.

A number printed as ``0.78`` stands for any value in ``[0.775, 0.785]``. A quantity recomputed
from printed inputs is therefore an interval too: the image of the box of input intervals under
the formula. A printed result is consistent with its printed inputs when its own interval meets
that image. These helpers compute such images (exactly at the box corners for functions that are
monotone in each input, by bounded optimisation otherwise) and format them for reports.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy import optimize

__all__ = [
    "TOL",
    "printed_interval",
    "exact_interval",
    "image",
    "overlaps",
    "fmt",
    "fmt_interval",
]

#: Numerical slack added when comparing intervals (guards against floating-point edges such as
#: 0.1 + 0.005 != 0.105).
TOL = 1e-9


def printed_interval(value: float, decimals: int, relation: str = "=") -> tuple[float, float]:
    """Values that round to ``value`` printed with ``decimals`` decimals.

    Parameters
    ----------
    value : float
        The number as read.
    decimals : int
        Decimals printed.
    relation : {"=", "<", ">"}
        ``"<"`` and ``">"`` give the half-lines of a printed bound (``p < 0.001``).

    Returns
    -------
    (float, float)
        Closed interval ``[value - h, value + h]`` with ``h = 0.5 * 10**-decimals``.
    """
    if relation == "<":
        return (-math.inf, float(value))
    if relation == ">":
        return (float(value), math.inf)
    h = 0.5 * 10.0 ** (-int(decimals))
    return (float(value) - h, float(value) + h)


def exact_interval(value: float) -> tuple[float, float]:
    """A degenerate interval ``[value, value]`` (counts, degrees of freedom, N)."""
    return (float(value), float(value))


def _corners(lows: np.ndarray, highs: np.ndarray):
    for bits in itertools.product((0, 1), repeat=len(lows)):
        yield np.where(np.array(bits, dtype=bool), highs, lows)


def image(
    f: Callable[[np.ndarray], float],
    lows: Sequence[float],
    highs: Sequence[float],
    monotone: bool = False,
    starts: int = 4,
) -> tuple[float, float]:
    """Range of ``f`` over the box ``[lows, highs]``.

    Parameters
    ----------
    f : callable
        Function of one vector (one entry per input).
    lows, highs : sequence of float
        Bounds of each input (finite).
    monotone : bool, default False
        ``True`` when ``f`` is monotone in each input separately: the extremes are then attained
        at corners of the box and the result is exact.
    starts : int, default 4
        Extra optimisation starts (deterministic points inside the box) when ``monotone`` is
        ``False``.

    Returns
    -------
    (float, float)
        ``(min f, max f)`` over the box. Non-finite values of ``f`` are ignored; ``(nan, nan)``
        when ``f`` is nowhere finite on the points tried.

    Notes
    -----
    For monotone functions all ``2**k`` corners are evaluated (``k <= 16``). Otherwise corners
    (``k <= 10``), the centre, and L-BFGS-B minimisation of ``f`` and ``-f`` from the centre and
    from ``starts`` fixed interior points are combined. Printed-precision boxes are narrow, so
    the local optimum found from the centre is the global one for the smooth formulas used here.
    """
    lo = np.asarray(lows, dtype=float)
    hi = np.asarray(highs, dtype=float)
    k = lo.size
    vals: list[float] = []

    def ev(x: np.ndarray) -> float:
        try:
            v = float(f(np.asarray(x, dtype=float)))
        except (ValueError, ZeroDivisionError, FloatingPointError, OverflowError):
            return math.nan
        return v

    if k == 0:
        v = ev(lo)
        return (v, v)
    if monotone and k <= 16:
        vals = [ev(c) for c in _corners(lo, hi)]
    else:
        if k <= 10:
            vals = [ev(c) for c in _corners(lo, hi)]
        centre = (lo + hi) / 2
        points = [centre] + [lo + (hi - lo) * (j + 1) / (starts + 1) for j in range(starts)]
        bounds = list(zip(lo, hi))
        for sign in (1.0, -1.0):
            def obj(x: np.ndarray, s: float = sign) -> float:
                v = ev(x)
                return s * v if math.isfinite(v) else 1e300
            for x0 in points:
                vals.append(ev(x0))
                res = optimize.minimize(obj, x0, method="L-BFGS-B", bounds=bounds)
                vals.append(ev(res.x))
    finite = [v for v in vals if math.isfinite(v)]
    if not finite:
        return (math.nan, math.nan)
    return (min(finite), max(finite))


def overlaps(a: tuple[float, float], b: tuple[float, float], tol: float = TOL) -> bool:
    """Whether two closed intervals meet (with slack ``tol``)."""
    return a[0] <= b[1] + tol and b[0] <= a[1] + tol


def fmt(x: float, decimals: int = 3) -> str:
    """A number with ``decimals`` decimals (``inf``/``nan`` spelt out)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.{decimals}f}"


def fmt_interval(iv: tuple[float, float], decimals: int = 3) -> str:
    """An interval as ``[lo, hi]`` (a single number when both ends print the same)."""
    a, b = fmt(iv[0], decimals), fmt(iv[1], decimals)
    return a if a == b else f"[{a}, {b}]"
