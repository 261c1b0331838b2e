"""Roots of a monotone function of one variable inside a bracket, without scipy.

:func:`bracketed_root` is the root finder of the RMSEA confidence interval
(:func:`replication.engine.fit_indices.rmsea_ci`, which lavaan solves with R's ``uniroot``);
:func:`narrow_bracket` tries a narrower bracket around a guess first.

References
----------
Dowell, M., & Jarratt, P. (1971). A modified regula falsi method for computing the root of an
equation. *BIT*, 11, 168-174.
Brent, R. P. (1973). *Algorithms for Minimization without Derivatives*. Prentice-Hall, ch. 4.
Press, W. H., Teukolsky, S. A., Vetterling, W. T., & Flannery, B. P. (2007). *Numerical
Recipes* (3rd ed.). Cambridge University Press, sec. 9.2-9.3.
"""

from __future__ import annotations

import math

__all__ = ["bracketed_root", "narrow_bracket"]


def bracketed_root(f, a: float, b: float, xtol: float = 1e-12, rtol: float = 1e-12,
                   maxiter: int = 500) -> float:
    """A root of ``f`` in ``[a, b]`` where ``f(a)`` and ``f(b)`` differ in sign.

    Regula falsi with the Illinois modification (the function value kept at an end that stays
    twice in a row is halved); a bisection step whenever four steps have not halved the
    bracket, so that it shrinks at least geometrically; and, as in Brent's method, a step of
    the tolerance inwards when the new point would lie closer than that to an end, which
    closes the bracket once the root is found. Stops when the bracket is narrower than
    ``xtol + rtol |x|``.

    Raises
    ------
    ValueError
        When ``f(a)`` and ``f(b)`` have the same sign (the root is not bracketed).

    References
    ----------
    Dowell, M., & Jarratt, P. (1971). A modified regula falsi method for computing the root of
    an equation. *BIT*, 11, 168-174. Brent, R. P. (1973). *Algorithms for Minimization
    without Derivatives*, ch. 4. Prentice-Hall. Press et al. (2007), *Numerical Recipes*
    (3rd ed.), sec. 9.2-9.3.
    """
    fa, fb = f(a), f(b)
    if fa == 0:
        return a
    if fb == 0:
        return b
    if (fa > 0) == (fb > 0):
        raise ValueError("f(a) and f(b) must have different signs")
    side, widths = 0, [abs(b - a)] * 4
    x = 0.5 * (a + b)
    for _ in range(maxiter):
        x = (a * fb - b * fa) / (fb - fa)
        tol = xtol + rtol * abs(x)
        near = a if abs(x - a) <= abs(x - b) else b
        if min(a, b) < x < max(a, b) and abs(x - near) < tol:
            # a step below the tolerance: one of the tolerance inwards closes the bracket
            x = near + math.copysign(min(tol, 0.5 * abs(b - a)), (b if near == a else a) - near)
        elif not min(a, b) < x < max(a, b) or abs(b - a) > 0.5 * widths[-4]:
            x = 0.5 * (a + b)
        fx = f(x)
        if fx == 0:
            return x
        if (fx > 0) == (fb > 0):
            b, fb = x, fx
            if side == -1:
                fa *= 0.5
            side = -1
        else:
            a, fa = x, fx
            if side == 1:
                fb *= 0.5
            side = 1
        widths.append(abs(b - a))
        if abs(b - a) <= xtol + rtol * abs(x):
            return x
    return x


def narrow_bracket(f, a: float, b: float, center: float, halfwidth: float) -> tuple[float, float]:
    """``[center - halfwidth, center + halfwidth]`` within ``[a, b]`` when ``f`` changes sign
    there (a root is inside), otherwise ``(a, b)``."""
    lo, hi = max(a, center - halfwidth), min(b, center + halfwidth)
    if not lo < hi:
        return a, b
    flo, fhi = f(lo), f(hi)
    if flo == 0 or fhi == 0 or (flo > 0) != (fhi > 0):
        return lo, hi
    return a, b
