"""Printed numbers of a record: the number a text states, and published or assumed values.

:class:`Published` holds a number exactly as the paper printed it (text, reading, where it
stands); :class:`Assumption` a value the suite needs that the paper did not print. The helpers
here (reading a printed text, messages naming a field) are shared by the other record modules.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from replication.engine.errors import InputError

__all__ = ["RecordError", "Published", "PublishedText", "Assumption"]

_ID = r"^[A-Za-z][A-Za-z0-9_]*$"


def unique_names(names: list[str], kind: str, repeated: str) -> list[str]:
    """``names`` when each is an identifier (:data:`_ID`) and none repeats; otherwise a
    ``ValueError`` naming the first offender (``kind`` of the names in the message, "item" or
    none; ``repeated``: what a repeated name is called, "item" or "variable")."""
    for name in names:
        if not re.match(_ID, name):
            raise ValueError(f"expected {kind + ' ' if kind else ''}names of letters, digits and _ "
                             f"(starting with a letter), got {name!r}")
    dup = sorted({name for name in names if names.count(name) > 1})
    if dup:
        raise ValueError(f"{repeated} {dup[0]!r} listed twice")
    return names


class RecordError(InputError):
    """A record file failed to load or validate; the message is one line naming file and field."""


class _FieldError(ValueError):
    """A validation failure of one field, ``field`` given relative to the model that raised it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"field {field}: {message}" if field else message)
        self.field = field
        self.message = message


def _got(v: Any) -> str:
    """A short rendering of a value as the record wrote it, for messages."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_real(v: Any) -> bool:
    """A finite real number (YAML int or float; not a bool, a string or null)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_count(v: Any, low: int) -> bool:
    """An integer (not a bool) of at least ``low``."""
    return isinstance(v, int) and not isinstance(v, bool) and v >= low


def _whole(x: float) -> bool:
    return float(x).is_integer()


_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_MARKER_CHARS = "*%\u2020\u2021"  # significance markers (*, dagger, double dagger) and percent
_LEADING_RELATION = re.compile(r"^(?:p\s*)?(<=|>=|[<>\u2264\u2265=])\s*", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])([-+\u2212]?)(\d+(?:\.(\d*))?|\.(\d+))(?:[eE]([-+]?\d+))?")
_NUMBER_WORD = re.compile(r"^(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)


def _read_printed(text: str) -> tuple[float | None, int, str]:
    """Read the number a printed text states.

    Significance markers (``*``, daggers) and ``%`` are dropped, then a leading relation
    (``<``, ``>``, ``p <``, ``p<``, ``<=``, ``=``), thousands commas and surrounding white space.
    The first number left (``0.80``, ``-0.25``, ``1,024``, ``1e-05``) is the reading; without one,
    a leading number word ``zero`` .. ``twenty`` ("seven", "three items").

    Returns
    -------
    tuple
        ``(number, decimals, relation)``: the number (``None`` when the text states none), the
        decimals printed, and the leading relation (``"<"``, ``">"``, ``"="`` or ``""``).
    """
    s = "".join(ch for ch in text if ch not in _MARKER_CHARS).strip()
    relation = ""
    m = _LEADING_RELATION.match(s)
    if m:
        rel = m.group(1)
        relation = {"<=": "<", ">=": ">", "\u2264": "<", "\u2265": ">"}.get(rel, rel)
        s = s[m.end():]
    s = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", s).strip()
    m = _NUMBER.search(s)
    if m and m.start() > 0 and s[m.start() - 1] in "-+\u2212.":
        raise _FieldError("printed", f"malformed number {text!r}: a stray {s[m.start() - 1]!r} before "
                                     f"{m.group(0)!r}; expected the text as printed with one sign and one "
                                     "decimal point (record a typo such as '.-.390' with the value the paper "
                                     "meant and say so in notes)")
    if m:
        sign = -1.0 if m.group(1) in ("-", "\u2212") else 1.0
        body = m.group(2)
        decimals = len(m.group(3) or m.group(4) or "")
        number = float(body if not body.startswith(".") else "0" + body)
        if m.group(5) is not None:
            number *= 10.0 ** int(m.group(5))
            decimals = max(0, decimals - int(m.group(5)))
        return sign * number, decimals, relation
    w = _NUMBER_WORD.match(s)
    if w:
        return float(_NUMBER_WORDS[w.group(1).lower()]), 0, relation
    return None, 0, relation


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)



class Published(_Strict):
    """A number as the paper printed it.

    ``printed`` is the exact text (typos included, significance marker stripped into ``marker``),
    ``value`` its numeric reading, ``relation`` is ``"<"`` or ``">"`` for bounds such as
    ``p < 0.001``, and ``where`` names the table, row and column or the section of the text.

    Validation reads the number ``printed`` states (markers ``*``, ``%``, a leading ``<``, ``>``,
    ``p <``, thousands commas and white space dropped; "seven" or "three items" read as 7 and 3)
    and requires it to equal ``value`` rounded to the printed decimals; a text that states no
    number is refused, and so is a leading ``<`` or ``>`` that ``relation`` does not repeat.
    A ``percent`` lies within [0, 100].
    """

    value: float
    printed: str
    where: str = Field(min_length=1)
    relation: Literal["=", "<", ">"] = "="
    marker: str | None = None
    unit: Literal["", "percent"] = ""

    @field_validator("value", mode="before")
    @classmethod
    def _number(cls, v: Any) -> Any:
        if isinstance(v, (bool, str)) or v is None:
            raise ValueError(f"expected a number, got {_got(v)}")
        return v

    @field_validator("value")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v

    @model_validator(mode="after")
    def _printed_agrees(self) -> "Published":
        number, decimals, relation = _read_printed(self.printed)
        if number is None:
            raise _FieldError("printed", f"printed text has no number, got {self.printed!r}")
        exact = abs(self.value - number) <= 1e-12 * max(1.0, abs(number))
        if not exact and abs(round(self.value, decimals) - number) > 1e-12:
            raise _FieldError("printed", f"expected the printed text to state value {self.value:g}, "
                                         f"got {self.printed!r} (reads {number:g})")
        if relation in ("<", ">") and relation != self.relation:
            raise _FieldError("relation", f"printed {self.printed!r} states {relation!r}, "
                                          f"got relation {self.relation!r}")
        if self.unit == "percent" and not 0.0 <= self.value <= 100.0:
            raise _FieldError("value", f"expected a percent within [0, 100], got {self.value:g}")
        return self

    @property
    def decimals(self) -> int:
        """Number of decimals printed (precision of the rounding), of the number the text states."""
        return _read_printed(self.printed)[1]

    @property
    def half_unit(self) -> float:
        """Half a unit in the last printed decimal: the rounding half-width."""
        return 0.5 * 10.0 ** (-self.decimals)

    @property
    def interval(self) -> tuple[float, float]:
        """Values that round to what was printed (closed interval)."""
        if self.relation == "<":
            return (-math.inf, self.value)
        if self.relation == ">":
            return (self.value, math.inf)
        return (self.value - self.half_unit, self.value + self.half_unit)


class PublishedText(_Strict):
    """A piece of text as printed (a verdict, a software name) and where it stands."""

    value: str
    where: str = Field(min_length=1)


class Assumption(_Strict):
    """A value the suite needs that the paper did not print, with the reason it was chosen."""

    target: str = Field(min_length=1)
    value: Any
    reason: str = Field(min_length=1)
