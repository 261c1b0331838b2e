"""The PLS model: constructs, their indicators and measurement mode, and structural paths.

A small parser of its own, for exactly three operators with ``+`` terms, one statement a line
and ``#`` comments:

``C =~ x1 + x2``
    reflective block: Mode A outer weights (PLS) or a common factor (PLSc).
``C <~ x1 + x2``
    formative composite: Mode B outer weights (regression weights).
``Y ~ X1 + X2``
    structural paths ``X1 -> Y``, ``X2 -> Y``.

Anything else raises :class:`~replication.engine.errors.InputError` with the line number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from replication.engine.errors import InputError

__all__ = ["PLSModel", "parse_pls_model"]

_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")
_OPERATORS = ("=~", "<~", "~")


@dataclass(frozen=True)
class PLSModel:
    """A parsed PLS path model.

    Attributes
    ----------
    constructs : tuple of str
        Construct names in order of first definition.
    items : dict
        ``{construct: tuple of indicator names}``.
    modes : dict
        ``{construct: "A" | "B"}``; ``"A"`` for ``=~`` blocks, ``"B"`` for ``<~`` blocks.
    paths : tuple of (str, str)
        Structural relations ``(source, target)`` in order of appearance.
    """

    constructs: tuple
    items: dict
    modes: dict
    paths: tuple
    indicators: tuple = field(default=())

    def __post_init__(self):
        if not self.indicators:
            flat = tuple(x for c in self.constructs for x in self.items[c])
            object.__setattr__(self, "indicators", flat)

    @property
    def endogenous(self) -> tuple:
        """Constructs with at least one incoming path, in construct order."""
        targets = {t for _, t in self.paths}
        return tuple(c for c in self.constructs if c in targets)

    @property
    def exogenous(self) -> tuple:
        """Constructs without incoming paths, in construct order."""
        targets = {t for _, t in self.paths}
        return tuple(c for c in self.constructs if c not in targets)

    def predictors(self, target: str) -> tuple:
        """Direct antecedents of ``target`` in construct order."""
        src = {s for s, t in self.paths if t == target}
        return tuple(c for c in self.constructs if c in src)

    def without_path(self, source: str, target: str) -> "PLSModel":
        """The same model without the path ``source -> target``; constructs left without any
        path are dropped (as seminr, which takes the constructs from the structural model)."""
        paths = tuple(p for p in self.paths if p != (source, target))
        used = {c for p in paths for c in p}
        keep = tuple(c for c in self.constructs if c in used)
        return PLSModel(keep, {c: self.items[c] for c in keep},
                        {c: self.modes[c] for c in keep}, paths)


def _terms(rhs: str, lineno: int) -> list:
    terms = [t.strip() for t in rhs.split("+")]
    for t in terms:
        if not _NAME.match(t):
            raise InputError(f"model line {lineno}: '{t}' is not a plain name "
                             "(only 'name + name' terms are allowed)")
    if len(set(terms)) != len(terms):
        raise InputError(f"model line {lineno}: a name is repeated on the right-hand side")
    return terms


def _split(line: str, lineno: int) -> tuple:
    for op in _OPERATORS:
        if op in line:
            lhs, rhs = line.split(op, 1)
            if any(o in rhs for o in _OPERATORS):
                raise InputError(f"model line {lineno}: one operator per line")
            lhs = lhs.strip()
            if not _NAME.match(lhs):
                raise InputError(f"model line {lineno}: '{lhs}' is not a construct name")
            if op == "=~" and lhs.endswith("<"):
                break
            return lhs, op, _terms(rhs, lineno)
    raise InputError(f"model line {lineno}: expected 'C =~ x1 + x2', 'C <~ x1 + x2' or "
                     "'Y ~ X1 + X2'")


def parse_pls_model(text: str) -> PLSModel:
    """Parse lavaan-style PLS syntax into a :class:`PLSModel`.

    Parameters
    ----------
    text : str
        One statement a line: ``=~`` (Mode A / common factor), ``<~`` (Mode B composite) or
        ``~`` (structural paths); ``#`` starts a comment; ``;`` is not a separator.

    Returns
    -------
    PLSModel

    Raises
    ------
    InputError
        ``model line N: ...`` for any other operator, a modifier (``0.5*x``), a repeated
        block, an indicator in two blocks, a path to or from an undefined construct, a
        construct without paths, a self-loop or a cycle.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A Primer on Partial
    Least Squares Structural Equation Modeling (PLS-SEM)* (3rd ed.). Sage. (Chapter 2:
    measurement and structural model specification.)
    """
    items, modes, paths, where = {}, {}, [], {}
    owner = {}
    for lineno, raw in enumerate(str(text).splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if ";" in line:
            raise InputError(f"model line {lineno}: one statement a line (no ';')")
        lhs, op, terms = _split(line, lineno)
        if op == "~":
            for t in terms:
                if (t, lhs) in paths:
                    raise InputError(f"model line {lineno}: path {t} -> {lhs} given twice")
                paths.append((t, lhs))
                where[(t, lhs)] = lineno
            continue
        if lhs in items:
            raise InputError(f"model line {lineno}: construct '{lhs}' is defined twice")
        for t in terms:
            if t in owner:
                raise InputError(f"model line {lineno}: indicator '{t}' already measures "
                                 f"'{owner[t]}'")
            owner[t] = lhs
        items[lhs] = tuple(terms)
        modes[lhs] = "A" if op == "=~" else "B"
        where[lhs] = lineno
    return _checked(items, modes, paths, where)


def _checked(items: dict, modes: dict, paths: list, where: dict) -> PLSModel:
    if not items:
        raise InputError("model line 1: no construct defined (use 'C =~ x1 + x2')")
    for s, t in paths:
        for c in (s, t):
            if c not in items:
                raise InputError(f"model line {where[(s, t)]}: '{c}' is not a construct "
                                 "defined with =~ or <~")
        if s == t:
            raise InputError(f"model line {where[(s, t)]}: path from '{s}' to itself")
    clash = set(items) & set(owner_names(items))
    if clash:
        name = sorted(clash)[0]
        raise InputError(f"model line {where[name]}: '{name}' is both a construct and an "
                         "indicator")
    used = {c for p in paths for c in p}
    for c in items:
        if c not in used:
            raise InputError(f"model line {where[c]}: construct '{c}' has no structural "
                             "path")
    _acyclic(tuple(items), paths, where)
    constructs = tuple(items)
    return PLSModel(constructs, dict(items), dict(modes), tuple(paths))


def owner_names(items: dict) -> list:
    """All indicator names of ``items`` in order."""
    return [x for c in items for x in items[c]]


def _acyclic(constructs: tuple, paths: list, where: dict) -> None:
    remaining = list(paths)
    nodes = set(constructs)
    while nodes:
        sources = {n for n in nodes if not any(t == n for _, t in remaining)}
        if not sources:
            first = min(where[p] for p in remaining if p in where)
            raise InputError(f"model line {first}: the structural model is not recursive "
                             "(a cycle of paths)")
        nodes -= sources
        remaining = [p for p in remaining if p[0] not in sources]
