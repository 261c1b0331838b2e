"""Checks of the arguments of the public functions, shared by every layer.

Each checker returns the value in its plain form (an ``int`` for a numpy integer, a ``str`` for
a path) or raises with one sentence naming the argument and what was expected:
:class:`TypeError` for a value of the wrong type, :class:`~replication.engine.errors.InputError`
for a value of the right type outside its range or set of choices. A ``bool`` is never taken
for a number, and a float is never taken for a whole number (``seed=1.5`` and ``seed=1.0`` are
both refused).
"""

from __future__ import annotations

import math
import numbers
import os
from typing import Any, Sequence

from replication.engine.errors import InputError

__all__ = ["SEED_MAX", "MAX_BOOTSTRAP", "MAX_N", "check_int", "check_seed", "check_number",
           "check_choice", "check_str", "check_bool", "check_path", "check_optional_callable",
           "check_names", "described"]

#: Largest seed: numpy's and R's seeds are 32-bit unsigned integers.
SEED_MAX = 2**32 - 1
#: Most bootstrap resamples (the command line's ``--bootstrap`` bound).
MAX_BOOTSTRAP = 100_000
#: Most rows generated (the command line's ``--n`` bound).
MAX_N = 1_000_000


def described(value: Any) -> str:
    """A short rendering of a value and its type for a message: ``'x' (str)``, ``1.5 (float)``."""
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{text} ({type(value).__name__})"


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and \
        not (hasattr(value, "dtype") and getattr(value.dtype, "kind", "i") == "b")


def check_int(value: Any, name: str, minimum: int | None = None,
              maximum: int | None = None) -> int:
    """A whole number from ``minimum`` to ``maximum`` (either bound may be absent)."""
    if minimum is not None and maximum is not None:
        expected = f"a whole number from {minimum:,} to {maximum:,}"
    elif minimum is not None:
        expected = f"a whole number of at least {minimum:,}"
    elif maximum is not None:
        expected = f"a whole number of at most {maximum:,}"
    else:
        expected = "a whole number"
    if not _is_int(value):
        raise TypeError(f"{name}: expected {expected}, got {described(value)}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise InputError(f"{name}: expected {expected}, got {value}")
    return value


def check_seed(value: Any, name: str = "seed") -> int:
    """A seed: a whole number from 0 to 2**32 - 1."""
    return check_int(value, name, 0, SEED_MAX)


def check_number(value: Any, name: str, *, positive: bool = False,
                 minimum: float | None = None, maximum: float | None = None) -> float:
    """A finite real number (``positive``: above 0; else within ``minimum`` and ``maximum``)."""
    if positive:
        expected = "a finite number above 0"
    elif minimum is not None and maximum is not None:
        expected = f"a finite number from {minimum:g} to {maximum:g}"
    else:
        expected = "a finite number"
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name}: expected {expected}, got {described(value)}")
    number = float(value)
    if not math.isfinite(number) or (positive and number <= 0) or \
            (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise InputError(f"{name}: expected {expected}, got {value!r}")
    return number


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    """One of ``choices`` (text, compared exactly)."""
    expected = "one of " + ", ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected {expected}, got {described(value)}")
    if value not in choices:
        raise InputError(f"{name}: expected {expected}, got {value!r}")
    return value


def check_str(value: Any, name: str, what: str = "a text", *, empty: bool = False) -> str:
    """A ``str`` (not blank unless ``empty``); ``what`` says what the text is."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected {what}, got {described(value)}")
    if not empty and not value.strip():
        raise InputError(f"{name}: expected {what}, got an empty text")
    return value


def check_bool(value: Any, name: str) -> bool:
    """``True`` or ``False`` (a numpy bool too; never a number or a text)."""
    if isinstance(value, bool) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") == "b"
                                   and getattr(value, "ndim", 1) == 0):
        return bool(value)
    raise TypeError(f"{name}: expected True or False, got {described(value)}")


def check_path(value: Any, name: str, what: str = "a file path") -> str:
    """A file path given as ``str`` or ``os.PathLike`` (not blank, no NUL character)."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected {what} (str or os.PathLike), got {described(value)}")
    if not value.strip() or "\x00" in value:
        raise InputError(f"{name}: expected {what}, got {value!r}")
    return value


def check_optional_callable(value: Any, name: str) -> Any:
    """``None`` or a callable."""
    if value is not None and not callable(value):
        raise TypeError(f"{name}: expected a callable or None, got {described(value)}")
    return value


def check_names(value: Any, name: str) -> list[str]:
    """A list (or tuple) of distinct, non-empty names."""
    if isinstance(value, (str, bytes, dict, set, frozenset)) or not hasattr(value, "__len__") \
            or not hasattr(value, "__iter__") or getattr(value, "ndim", 1) != 1:
        raise TypeError(f"{name}: expected a list of column names, got {described(value)}")
    names = list(value)
    bad = [v for v in names if not isinstance(v, str) or not v.strip()]
    if bad:
        raise TypeError(f"{name}: expected a list of non-empty column names (str), got "
                        f"{described(bad[0])} among them")
    seen: set[str] = set()
    for v in names:
        if v in seen:
            raise InputError(f"{name}: column name {v!r} appears twice; expected distinct names")
        seen.add(v)
    return names
