"""lavaan-style model syntax: built from a published record, and parsed for validation.

Builders return lists of lines so that other modules can add parts (product indicators,
control variables) before joining them with :func:`join`. The text is lavaan syntax
(``=~`` measured by, ``~`` regressed on, ``~~`` covaries with, ``:=`` defined parameter) and
is read by :mod:`replication.engine.sem`, by semopy and by lavaan alike.

Defaults follow AMOS and LISREL path diagrams (and lavaan's ``lavaan()`` with
``auto.var``, ``auto.fix.first`` and ``auto.cov.lv.x``): exogenous latent variables covary
freely; dependent latent variables that predict nothing do not covary unless the record lists
the covariance in ``model.covariances``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from replication.engine.errors import InputError
from replication.engine.expressions import NAME_PATTERN, parse_expression

__all__ = [
    "Statement",
    "parse_model",
    "measurement_lines",
    "structural_lines",
    "covariance_lines",
    "exogenous_covariance_lines",
    "join",
    "measurement_syntax",
    "cfa_syntax",
    "sem_syntax",
]

# an R name: letters, digits, '.' and '_', not starting with a digit or a dot and a digit
# ('a.1', 'lambda' and 'True' are names like any other)
#: Longest model text read (a model of thousands of items fits in a few hundred kilobytes).
MAX_MODEL_CHARS = 1_000_000

_NAME = NAME_PATTERN
_NAME_RE = re.compile(rf"^{_NAME}$")
_NUM_RE = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_OPS = ("=~", "~~", ":=", "==", "<", ">", "~")


@dataclass(frozen=True)
class Statement:
    """One parsed term of a model: ``lhs op rhs`` with an optional modifier.

    ``fixed`` is the value a term is fixed to (``0.8*x``), ``free`` is True for ``NA*x``,
    ``label`` is a parameter label (``a*x``); ``expr`` holds the right-hand side of ``:=`` as
    written (an expression :func:`replication.engine.expressions.parse_expression` reads).
    ``line`` is the 1-based line number in the model text.
    """

    lhs: str
    op: str
    rhs: str
    line: int
    fixed: float | None = None
    free: bool = False
    label: str | None = None
    expr: str | None = None


def _strip_comment(line: str) -> str:
    for ch in ("#", "!"):
        pos = line.find(ch)
        if pos >= 0:
            line = line[:pos]
    return line.strip()


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Split into statements (newline or ``;``), joining continuation lines."""
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for i, raw in enumerate(text.splitlines(), start=1):
        for part in _strip_comment(raw).split(";"):
            part = part.strip()
            if not part:
                continue
            if pending is not None:
                pending = (pending[0], pending[1] + " " + part)
            elif out and (part.startswith("+") or part.startswith("*")):
                ln, prev = out.pop()
                pending = (ln, prev + " " + part)
            else:
                pending = (i, part)
            if re.search(r"(=~|~~|~|\+|\*|:=)\s*$", pending[1]):
                continue
            out.append(pending)
            pending = None
    if pending is not None:
        out.append(pending)
    return out


def _parse_term(term: str, lineno: int) -> tuple[str, float | None, bool, str | None]:
    term = term.strip()
    if not term:
        raise InputError(f"model line {lineno}: empty term (two '+' in a row or a trailing '+')")
    fixed: float | None = None
    free = False
    label: str | None = None
    if "*" in term:
        parts = [p.strip() for p in term.split("*")]
        *mods, name = parts
        for mod in mods:
            m_start = re.fullmatch(r"start\(\s*([^)]*)\s*\)", mod)
            if m_start:
                if not _NUM_RE.match(m_start.group(1).strip()):
                    raise InputError(f"model line {lineno}: start() needs a number, got {mod!r}")
                continue
            m_lab = re.fullmatch(r"label\(\s*['\"]?([^'\")]*)['\"]?\s*\)", mod)
            if m_lab:
                mod = m_lab.group(1).strip()
            if mod in ("NA", "na"):
                free = True
            elif _NUM_RE.match(mod):
                fixed = float(mod)
            elif _NAME_RE.match(mod):
                label = mod
            else:
                raise InputError(f"model line {lineno}: cannot read modifier {mod!r} in {term!r}; "
                                 "expected a number, NA, a label or start(number)")
    else:
        name = term
    if name == "1":
        return "1", fixed, free, label
    if not _NAME_RE.match(name):
        raise InputError(f"model line {lineno}: {name!r} is not a variable name")
    return name, fixed, free, label


def parse_model(text: str) -> list[Statement]:
    """Parse lavaan model syntax into statements, validating every line.

    Parameters
    ----------
    text : str
        Model in lavaan syntax: ``=~``, ``~``, ``~~`` and ``:=`` statements, one a line (or
        separated by ``;``), ``#`` or ``!`` comments, modifiers ``1*x`` (fixed), ``NA*x``
        (free), ``a*x`` (label) and ``start(v)*x``. A line ending in an operator or ``+``
        continues on the next line. Labels are R names (``a.1``, ``lambda``); the right-hand
        side of ``:=`` is an R arithmetic expression of labels
        (:func:`replication.engine.expressions.parse_expression`). Constraints (``==``,
        ``<``, ``>``) are read and refused.

    Returns
    -------
    list of Statement
        One per term, in the order written.

    Raises
    ------
    InputError
        One line naming the model line number and what was expected.

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
    Statistical Software*, 48(2). Model syntax as in lavaan ``R/lav_syntax.R``.

    Examples
    --------
    >>> [(s.lhs, s.op, s.rhs) for s in parse_model("F =~ x1 + x2 + x3")]
    [('F', '=~', 'x1'), ('F', '=~', 'x2'), ('F', '=~', 'x3')]
    """
    if not isinstance(text, str):
        raise InputError("model: expected lavaan syntax as text")
    if len(text) > MAX_MODEL_CHARS:
        raise InputError(f"model: {len(text):,} characters; expected at most "
                         f"{MAX_MODEL_CHARS:,} of lavaan syntax")
    out: list[Statement] = []
    for lineno, line in _logical_lines(text):
        op = None
        pos = -1
        for cand in _OPS:
            pos = line.find(cand)
            if pos >= 0:
                op = cand
                break
        if op is None:
            raise InputError(f"model line {lineno}: no operator in {line!r}; expected one of "
                             "=~, ~, ~~, :=")
        lhs_text, rhs_text = line[:pos].strip(), line[pos + len(op):].strip()
        if not lhs_text:
            raise InputError(f"model line {lineno}: nothing on the left of {op!r}")
        if not rhs_text:
            raise InputError(f"model line {lineno}: nothing on the right of {op!r}")
        where = f"model line {lineno}"
        if op in ("==", "<", ">"):
            parse_expression(lhs_text, where)
            parse_expression(rhs_text, where)
            if op != "==":
                raise InputError(f"{where}: inequality constraints ({op}) are not supported; "
                                 "expected equality constraints (==) or shared labels")
            out.append(Statement(lhs_text, op, rhs_text, lineno, expr=f"{lhs_text} == {rhs_text}"))
            continue
        if op == ":=":
            if not _NAME_RE.match(lhs_text):
                raise InputError(f"{where}: {lhs_text!r} is not a parameter name")
            parse_expression(rhs_text, where)
            out.append(Statement(lhs_text, op, "", lineno, expr=rhs_text))
            continue
        if any(o in rhs_text for o in ("=~", "~")):
            raise InputError(f"model line {lineno}: more than one operator in {line!r}")
        lhs_names = [t.strip() for t in lhs_text.split("+")]
        for name in lhs_names:
            if not _NAME_RE.match(name):
                raise InputError(f"model line {lineno}: {name!r} is not a variable name")
        for term in rhs_text.split("+"):
            name, fixed, free, label = _parse_term(term, lineno)
            if name == "1":
                raise InputError(f"model line {lineno}: intercepts ('~ 1') are not supported")
            for lhs in lhs_names:
                if op == "=~" and name == lhs:
                    raise InputError(f"model line {lineno}: {lhs!r} cannot be its own indicator")
                out.append(Statement(lhs, op, name, lineno, fixed=fixed, free=free, label=label))
    if not any(s.op in ("=~", "~", "~~") for s in out):
        raise InputError("model: no =~, ~ or ~~ statement found")
    return out


# ------------------------------------------------------------------------------------------
# Builders from a record
# ------------------------------------------------------------------------------------------
def _construct_names(record) -> list[str]:
    return list(record.latent_constructs)


def measurement_lines(record, constructs: list[str] | None = None) -> list[str]:
    """``C =~ item1 + item2 + ...`` for each construct (record order).

    Parameters
    ----------
    record : replication.record.schema.Record
    constructs : list of str, optional
        Constructs to include (default: every latent construct of the record).

    Returns
    -------
    list of str
    """
    items = record.items
    names = _construct_names(record) if constructs is None else list(constructs)
    lines = []
    for c in names:
        if c not in items:
            raise InputError(f"construct {c!r} is not defined in the record")
        if not items[c]:
            raise InputError(f"constructs.{c}: no items")
        lines.append(f"{c} =~ " + " + ".join(items[c]))
    return lines


def structural_lines(record) -> list[str]:
    """``Y ~ X1 + X2`` for each endogenous construct, predictors in record order."""
    by_target: dict[str, list[str]] = {}
    for p in record.model.paths:
        by_target.setdefault(p.to, []).append(p.from_)
    return [f"{y} ~ " + " + ".join(xs) for y, xs in by_target.items()]


def exogenous_covariance_lines(names: list[str]) -> list[str]:
    """Free covariances among all pairs of ``names`` (``A ~~ B``)."""
    return [f"{a} ~~ {b}" for i, a in enumerate(names) for b in names[i + 1:]]


def covariance_lines(record) -> list[str]:
    """``A ~~ B`` for each covariance listed in ``record.model.covariances``."""
    return [f"{c.a} ~~ {c.b}" for c in record.model.covariances]


def join(*parts: list[str]) -> str:
    """Join lists of lines into model text (one statement a line, duplicates dropped)."""
    seen: set[str] = set()
    out: list[str] = []
    for part in parts:
        for line in part:
            if line not in seen:
                seen.add(line)
                out.append(line)
    return "\n".join(out) + "\n"


def measurement_syntax(record, constructs: list[str] | None = None) -> str:
    """Measurement part only (``=~`` lines) as model text."""
    return join(measurement_lines(record, constructs))


def cfa_syntax(record, constructs: list[str] | None = None) -> str:
    """Confirmatory factor analysis: every construct measured, all constructs correlated.

    Returns
    -------
    str
        ``=~`` lines followed by ``~~`` between every pair of constructs (lavaan's ``cfa()``
        default, written out so that any program reads the same model).
    """
    names = _construct_names(record) if constructs is None else list(constructs)
    return join(measurement_lines(record, names), exogenous_covariance_lines(names))


def sem_syntax(record) -> str:
    """Structural model of a record: measurement, paths, listed and exogenous covariances.

    Returns
    -------
    str
        Measurement lines for the constructs used by the structural model, regressions,
        free covariances among exogenous constructs and ``record.model.covariances``. No
        covariance among dependent constructs is added (AMOS/LISREL diagrams; lavaan's
        ``lavaan(..., auto.cov.lv.x = TRUE)`` rather than ``sem()``).
    """
    used: list[str] = []
    for p in record.model.paths:
        for c in (p.from_, p.to):
            if c not in used:
                used.append(c)
    order = [c for c in _construct_names(record) if c in used]
    order += [c for c in used if c not in order]
    return join(measurement_lines(record, order), structural_lines(record),
                exogenous_covariance_lines(record.exogenous()), covariance_lines(record))
