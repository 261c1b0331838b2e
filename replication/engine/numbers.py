"""Numbers for JSON: rounded to a fixed number of decimals, non-finite values as ``null``.

:func:`json_float` is the one rounding rule of the outputs (``replicate fit --json``,
``results.json``): the same fit gives byte-identical JSON, and ``-0.0`` never appears.
"""

from __future__ import annotations

import math

__all__ = ["json_float"]


def json_float(x, digits: int = 6) -> float | None:
    """``x`` rounded to ``digits`` decimals; ``None`` for None, NaN and infinities; ``-0.0``
    becomes ``0.0``.

    Examples
    --------
    >>> json_float(-0.0000001), json_float(float("nan")), json_float(1.23456789, 3)
    (0.0, None, 1.235)
    """
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    v = round(x, digits)
    return 0.0 if v == 0 else v
