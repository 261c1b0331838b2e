"""Printed discriminant-validity tables: Fornell-Larcker, HTMT and loading ranges per construct.

``results.discriminant`` records them as printed::

    discriminant:
      fornell_larcker:
        where: "Table 3"
        diagonal: {TR: {value: 0.81, printed: ".81", where: "Table 3, TR row"}}   # sqrt(AVE)
        correlations: {"TR~~SQ": {value: 0.52, printed: ".52", where: "Table 3, SQ row"}}
        verdict: {value: established, where: "Section 4.2"}
      htmt:
        where: "Table 4"
        threshold: 0.85
        method: htmt              # or htmt2 (geometric means; semTools' default)
        values: {"TR~~SQ": {value: 0.61, printed: ".61", where: "Table 4"}}
        verdict: {value: established, where: "Section 4.2"}
      loading_ranges:
        TR: {min: {value: 0.71, printed: ".71", where: "Table 2"}, max: {value: 0.88, printed: ".88", where: "Table 2"}}
      item_correlations:          # optional: a printed item correlation matrix (lower triangle)
        where: "Appendix B"
        items: [x1, x2, x3]
        decimals: 2
        values: [[1], [0.45, 1], [0.38, 0.52, 1]]

Pairs are written ``A~~B`` with construct names. A verdict reads ``established`` / ``supported``
/ ``yes`` or ``not established`` / ``not supported`` / ``no``.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from replication.record.printed import Published, PublishedText, _FieldError, _Strict

__all__ = ["FornellLarcker", "HTMTTable", "LoadingRange", "ItemCorrelations", "Discriminant", "pair",
           "verdict_holds"]

_PAIR = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*~~\s*([A-Za-z][A-Za-z0-9_]*)\s*$")
_YES = {"established", "supported", "yes", "met", "satisfied", "confirmed", "true"}
_NO = {"not established", "not supported", "no", "not met", "violated", "not satisfied", "false"}


def pair(key: str) -> tuple[str, str]:
    """``"A~~B"`` as ``("A", "B")``."""
    m = _PAIR.match(key)
    if not m:
        raise ValueError(f"expected a pair of constructs written A~~B, got {key!r}")
    return m.group(1), m.group(2)


def verdict_holds(v: PublishedText | None) -> bool | None:
    """A printed verdict as a boolean (``None`` when not printed)."""
    if v is None:
        return None
    t = v.value.strip().lower()
    if t in _YES:
        return True
    if t in _NO:
        return False
    raise ValueError(f"unreadable verdict {v.value!r}")


def _pairs(v: dict[str, Published]) -> dict[str, Published]:
    for k in v:
        a, b = pair(k)
        if a == b:
            raise _FieldError(k, f"expected two different constructs, got {k!r}")
    return v


def _verdict(v: PublishedText | None) -> PublishedText | None:
    if v is not None:
        t = v.value.strip().lower()
        if t not in _YES | _NO:
            raise ValueError(f"expected a verdict such as 'established' or 'not established', got {v.value!r}")
    return v


class FornellLarcker(_Strict):
    """sqrt(AVE) on the diagonal and the construct correlations off it, as printed."""

    where: str = Field(min_length=1)
    diagonal: dict[str, Published] = {}
    correlations: dict[str, Published] = {}
    verdict: PublishedText | None = None

    _p = field_validator("correlations")(classmethod(lambda cls, v: _pairs(v)))
    _v = field_validator("verdict")(classmethod(lambda cls, v: _verdict(v)))


class HTMTTable(_Strict):
    """HTMT ratios per pair of constructs with the threshold the paper applies (0.85 or 0.90);
    ``method`` ``htmt`` (arithmetic means; Henseler et al., 2015) or ``htmt2`` (geometric means;
    Roemer et al., 2021)."""

    where: str = Field(min_length=1)
    threshold: float = Field(default=0.85, gt=0, le=1)
    method: Literal["htmt", "htmt2"] = "htmt"
    values: dict[str, Published] = {}
    verdict: PublishedText | None = None

    _p = field_validator("values")(classmethod(lambda cls, v: _pairs(v)))
    _v = field_validator("verdict")(classmethod(lambda cls, v: _verdict(v)))


class LoadingRange(_Strict):
    """The smallest and largest standardized loading printed for one construct."""

    min: Published
    max: Published

    @model_validator(mode="after")
    def _ordered(self) -> "LoadingRange":
        if self.min.value > self.max.value:
            raise _FieldError("min", f"expected at most max ({self.max.value:g}), got {self.min.value:g}")
        return self


class ItemCorrelations(_Strict):
    """A printed item correlation matrix: lower triangle rows (diagonal included) in ``items`` order."""

    where: str = Field(min_length=1)
    items: list[str] = Field(min_length=2)
    decimals: int = Field(default=2, ge=0, le=6)
    values: list[list[float]]

    @model_validator(mode="after")
    def _triangle(self) -> "ItemCorrelations":
        if len(self.values) != len(self.items):
            raise _FieldError("values", f"expected {len(self.items)} rows (one per item), got {len(self.values)}")
        for i, row in enumerate(self.values):
            if len(row) not in (i, i + 1):
                raise _FieldError(f"values[{i}]", f"expected {i + 1} numbers (lower triangle with the diagonal), "
                                                  f"got {len(row)}")
            if any(not -1.0 <= r <= 1.0 for r in row):
                raise _FieldError(f"values[{i}]", "expected correlations within [-1, 1]")
        return self

    def r(self, a: str, b: str) -> float:
        """The printed correlation of items ``a`` and ``b``."""
        i, j = self.items.index(a), self.items.index(b)
        if i == j:
            return 1.0
        i, j = max(i, j), min(i, j)
        return float(self.values[i][j])


class Discriminant(_Strict):
    """The discriminant-validity tables a paper printed (module docstring)."""

    fornell_larcker: FornellLarcker | None = None
    htmt: HTMTTable | None = None
    loading_ranges: dict[str, LoadingRange] = {}
    item_correlations: ItemCorrelations | None = None
