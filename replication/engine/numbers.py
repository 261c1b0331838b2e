"""Numbers for JSON: kept to a fixed number of significant digits, non-finite values as ``null``.

:func:`json_float` is the one rounding rule of the outputs (``replicate fit --json``,
``results.json``): the same fit gives byte-identical JSON, ``-0.0`` never appears, and a small
number (a p-value of ``2.8e-8``) keeps its digits instead of becoming zero.
"""

from __future__ import annotations

import math

__all__ = ["json_float", "SIGNIFICANT_DIGITS"]

#: Significant digits of every number written to JSON: more than any printed value needs (lavaan
#: prints 3 decimals; a chi-square of 4165.473 needs 7), and few enough that the last bits of
#: floating-point sums (amplified in a p-value far in the tail) do not show.
SIGNIFICANT_DIGITS = 10


def json_float(x, digits: int = SIGNIFICANT_DIGITS) -> float | None:
    """``x`` to ``digits`` significant digits (never fewer than :data:`SIGNIFICANT_DIGITS`);
    ``None`` for None, NaN and infinities; ``-0.0`` becomes ``0.0``.

    Examples
    --------
    >>> json_float(-0.0), json_float(float("nan")), json_float(2.8123456789012345e-8)
    (0.0, None, 2.812345679e-08)
    >>> json_float(0.55350021234567891)
    0.5535002123
    """
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    v = float(f"{x:.{max(int(digits), SIGNIFICANT_DIGITS)}g}")
    return 0.0 if v == 0 else v
