"""lavaan's expression language of ``:=`` and constraints: R arithmetic, parsed and evaluated.

The right-hand side of ``name := expression`` (and both sides of a constraint ``==``, ``<``,
``>``) is an R expression of parameter labels. :func:`parse_expression` reads it with a
tokenizer and a recursive-descent parser into an immutable tree (:class:`Num`, :class:`Name`,
:class:`Unary`, :class:`Binary`, :class:`Call`); :func:`evaluate` and
:func:`compile_expression` compute it with numpy float64 arithmetic as R does: overflow gives
``Inf``, ``0/0`` and ``(-1)^0.5`` give ``NaN``, ``x/0`` gives ``Inf``, without warnings. Nothing
is handed to Python's ``eval``; a label is a name and nothing else, whatever it spells
(``True``, ``lambda``, ``a.real``, ``a.__class__``).

Grammar (R's precedence, highest first: ``^`` right-associative; unary ``-`` ``+``; ``*`` ``/``;
binary ``+`` ``-``; ``**`` is read as ``^`` as R does)::

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := ("-" | "+") unary | power
    power      := primary ("^" unary)?
    primary    := NUMBER | NAME | NAME "(" expression ("," expression)* ")" | "(" expression ")"

so that ``-2^2`` is -4, ``2^3^2`` is 512, ``2^-1`` is 0.5 and ``2^-1*3`` is 1.5, as in R.
Numbers are R's decimal constants (``2``, ``.5``, ``2.``, ``1e-3``); names are R names
(letters, digits, ``.`` and ``_``, starting with a letter, ``_`` or a dot not followed by a
digit: ``a.1`` is one name). Functions are R's elementwise mathematical functions
(:data:`FUNCTIONS`).

Input is bounded: :data:`MAX_LENGTH` characters, :data:`MAX_DEPTH` levels of nesting, a
tree :data:`MAX_TREE_DEPTH` deep and :data:`MAX_NODES` nodes; beyond them, as for any text
that is not an expression, :func:`parse_expression` raises :class:`~replication.engine.errors.InputError` with one line.

References
----------
R Core Team. *R Language Definition*, section 10.4.2 "Infix and prefix operators" (operator
precedence), and ``?Syntax`` in R.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
Statistical Software*, 48(2), 1-36. lavaan ``R/lav_syntax.R`` (the ``:=``, ``==``, ``<`` and
``>`` operators) and ``R/lav_partable_constraints.R`` (the expressions as R functions of the
labels).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Union

import numpy as np

from replication.engine.distributions import norm_ppf, norm_sf
from replication.engine.errors import InputError

__all__ = [
    "NAME_PATTERN",
    "MAX_LENGTH",
    "MAX_DEPTH",
    "MAX_TREE_DEPTH",
    "MAX_NODES",
    "FUNCTIONS",
    "Num",
    "Name",
    "Unary",
    "Binary",
    "Call",
    "parse_expression",
    "names",
    "evaluate",
    "compile_expression",
]

#: An R name (also a label or variable name of the model syntax).
NAME_PATTERN = r"(?:[A-Za-z_][A-Za-z0-9._]*|\.(?![0-9])[A-Za-z0-9._]*)"
#: Longest expression text read.
MAX_LENGTH = 10_000
#: Deepest nesting of an expression: parentheses, calls, signs and powers inside one another.
MAX_DEPTH = 100
#: Deepest tree (a chain ``a + b + ...`` nests to the left, one level an operator).
MAX_TREE_DEPTH = 2 * MAX_DEPTH
#: Largest number of nodes in an expression tree.
MAX_NODES = 5_000

_TOKEN_RE = re.compile(
    r"(?P<space>[ \t\r\n\f\v]+)"
    r"|(?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)"
    rf"|(?P<name>{NAME_PATTERN})"
    r"|(?P<op>\*\*|[-+*/^(),])")


# ------------------------------------------------------------------------------------------
# The tree
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Num:
    """A numeric constant."""

    value: float


@dataclass(frozen=True)
class Name:
    """A name: a parameter label or an earlier defined parameter."""

    id: str


@dataclass(frozen=True)
class Unary:
    """``-operand`` or ``+operand``."""

    op: str
    operand: "Node"


@dataclass(frozen=True)
class Binary:
    """``left op right`` with ``op`` one of ``+ - * / ^``."""

    op: str
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Call:
    """``func(args...)``, ``func`` a key of :data:`FUNCTIONS`."""

    func: str
    args: tuple


Node = Union[Num, Name, Unary, Binary, Call]


# ------------------------------------------------------------------------------------------
# Functions (R's elementwise math; NaN and Inf as R returns them)
# ------------------------------------------------------------------------------------------
def _log(x, base=None):
    if base is None:
        return np.log(x)
    return np.log(x) / np.log(base)


def _z(x, mean, sd):
    """``(x - mean) / sd``, or None when ``sd`` is not positive (R: NaN for ``sd < 0``)."""
    return (x - mean) / sd if sd > 0 else None


def _pnorm(q, mean=0.0, sd=1.0):
    z = _z(q, mean, sd)
    if z is None:
        if sd == 0 and not math.isnan(q - mean):
            return np.float64(1.0 if q >= mean else 0.0)
        return np.float64(math.nan)
    return np.float64(norm_sf(-z))


def _dnorm(x, mean=0.0, sd=1.0):
    z = _z(x, mean, sd)
    if z is None:
        if sd == 0 and not math.isnan(x - mean):
            return np.float64(np.inf if x == mean else 0.0)
        return np.float64(math.nan)
    return np.exp(-0.5 * z * z) / (sd * np.sqrt(2.0 * np.pi))


def _qnorm(p, mean=0.0, sd=1.0):
    if not sd >= 0:
        return np.float64(math.nan)
    if p == 0.0 or p == 1.0:
        z = np.float64(-np.inf if p == 0.0 else np.inf)
    else:
        z = norm_ppf(float(p))
    return np.float64(mean + sd * z) if sd > 0 else np.float64(mean if 0 <= p <= 1 else np.nan)


#: R functions an expression may call: ``name -> (fewest arguments, most arguments, function)``.
FUNCTIONS: dict[str, tuple[int, int, Callable]] = {
    "exp": (1, 1, np.exp), "expm1": (1, 1, np.expm1),
    "log": (1, 2, _log), "log10": (1, 1, np.log10), "log2": (1, 1, np.log2),
    "log1p": (1, 1, np.log1p), "sqrt": (1, 1, np.sqrt), "abs": (1, 1, np.abs),
    "sin": (1, 1, np.sin), "cos": (1, 1, np.cos), "tan": (1, 1, np.tan),
    "asin": (1, 1, np.arcsin), "acos": (1, 1, np.arccos), "atan": (1, 1, np.arctan),
    "sinh": (1, 1, np.sinh), "cosh": (1, 1, np.cosh), "tanh": (1, 1, np.tanh),
    "asinh": (1, 1, np.arcsinh), "acosh": (1, 1, np.arccosh), "atanh": (1, 1, np.arctanh),
    "pnorm": (1, 3, _pnorm), "dnorm": (1, 3, _dnorm), "qnorm": (1, 3, _qnorm),
}


# ------------------------------------------------------------------------------------------
# Parsing
# ------------------------------------------------------------------------------------------
class _Failure(Exception):
    """A reason the text is not an expression (turned into one InputError)."""


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """``(kind, text, position)`` of every token, ``kind`` one of num, name, op; an ``end``
    token last."""
    out: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            raise _Failure(f"unexpected character {text[pos]!r} at position {pos + 1}")
        kind = m.lastgroup
        if kind == "num" and m.end() < len(text) and (text[m.end()].isalnum()
                                                        or text[m.end()] in "._"):
            raise _Failure(f"malformed number at position {pos + 1}")
        if kind != "space":
            tok = m.group()
            out.append((kind, "^" if tok == "**" else tok, pos))
        pos = m.end()
    out.append(("end", "", len(text)))
    return out


class _Parser:
    """Recursive descent over the tokens, one method a precedence level."""

    def __init__(self, tokens: list[tuple[str, str, int]]):
        self.toks = tokens
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str, int]:
        return self.toks[self.i]

    def take(self) -> tuple[str, str, int]:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, text: str) -> None:
        kind, tok, pos = self.take()
        if tok != text or kind != "op":
            found = "the end" if kind == "end" else repr(tok)
            raise _Failure(f"expected {text!r} at position {pos + 1}, found {found}")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Failure(f"nested deeper than {MAX_DEPTH} levels")

    def expression(self) -> Node:
        self.enter()
        node = self.term()
        while self.peek()[0] == "op" and self.peek()[1] in "+-":
            op = self.take()[1]
            node = Binary(op, node, self.term())
        self.depth -= 1
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in "*/":
            op = self.take()[1]
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> Node:
        kind, tok, _ = self.peek()
        if kind == "op" and tok in "+-":
            self.take()
            self.enter()
            node = Unary(tok, self.unary())
            self.depth -= 1
            return node
        return self.power()

    def power(self) -> Node:
        base = self.primary()
        kind, tok, _ = self.peek()
        if kind == "op" and tok == "^":
            self.take()
            self.enter()
            node = Binary("^", base, self.unary())  # right-associative, '-' allowed after '^'
            self.depth -= 1
            return node
        return base

    def primary(self) -> Node:
        kind, tok, pos = self.take()
        if kind == "num":
            return Num(float(tok))
        if kind == "name":
            if self.peek()[:2] == ("op", "("):
                return self.call(tok, pos)
            return Name(tok)
        if kind == "op" and tok == "(":
            node = self.expression()
            self.expect(")")
            return node
        found = "the end" if kind == "end" else repr(tok)
        raise _Failure(f"expected a number, a name or '(' at position {pos + 1}, found {found}")

    def call(self, func: str, pos: int) -> Node:
        if func not in FUNCTIONS:
            raise _Failure(f"unknown function {func!r} at position {pos + 1}")
        self.take()  # "("
        args = [self.expression()]
        while self.peek()[:2] == ("op", ","):
            self.take()
            args.append(self.expression())
        self.expect(")")
        lo, hi, _ = FUNCTIONS[func]
        if not lo <= len(args) <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            raise _Failure(f"{func}() takes {want} argument{'s' if hi > 1 else ''}, "
                           f"got {len(args)}")
        return Call(func, tuple(args))


def _children(node: Node) -> tuple:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def _check_size(tree: Node) -> None:
    """Refuse a tree with more than :data:`MAX_NODES` nodes or deeper than
    :data:`MAX_TREE_DEPTH` (a long chain ``a + a + ...`` nests to the left)."""
    count = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise _Failure(f"more than {MAX_NODES} terms")
        if depth > MAX_TREE_DEPTH:
            raise _Failure(f"more than {MAX_TREE_DEPTH} operations chained or nested")
        stack.extend((c, depth + 1) for c in _children(node))


def _shown(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "...")


@lru_cache(maxsize=1024)
def _parse(text: str) -> Node:
    if len(text) > MAX_LENGTH:
        raise _Failure(f"longer than {MAX_LENGTH} characters")
    parser = _Parser(_tokens(text))
    if parser.peek()[0] == "end":
        raise _Failure("empty expression")
    tree = parser.expression()
    kind, tok, pos = parser.peek()
    if kind != "end":
        raise _Failure(f"unexpected {tok!r} at position {pos + 1}")
    _check_size(tree)
    return tree


def parse_expression(text: str, where: str = "model") -> Node:
    """Parse an R arithmetic expression (the right-hand side of ``:=``).

    Parameters
    ----------
    text : str
        The expression, e.g. ``"0.5*a.1*lambda"`` or ``"c + a*b"``.
    where : str, default "model"
        Context of the error message (``"model line 7"``).

    Returns
    -------
    Num, Name, Unary, Binary or Call
        The root of an immutable tree.

    Raises
    ------
    InputError
        One line: ``<where>: cannot read expression '<text>': <reason>``, for text that is
        not an expression, calls an unknown function or exceeds :data:`MAX_LENGTH`,
        :data:`MAX_DEPTH`, :data:`MAX_TREE_DEPTH` or :data:`MAX_NODES`.

    References
    ----------
    R Core Team. *R Language Definition*, 10.4.2 (operator precedence). lavaan
    ``R/lav_syntax.R``.

    Examples
    --------
    >>> parse_expression("-2^2")
    Unary(op='-', operand=Binary(op='^', left=Num(value=2.0), right=Num(value=2.0)))
    """
    if not isinstance(text, str):
        raise InputError(f"{where}: cannot read expression {text!r}: expected text")
    try:
        return _parse(text)
    except _Failure as exc:
        raise InputError(f"{where}: cannot read expression {_shown(text)}: {exc}") from None


def names(tree: Node) -> list[str]:
    """The names an expression uses (labels, defined parameters), in order of first use;
    function names are not included."""
    out: list[str] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            if node.id not in out:
                out.append(node.id)
        else:
            stack.extend(reversed(_children(node)))
    return out


# ------------------------------------------------------------------------------------------
# Evaluation
# ------------------------------------------------------------------------------------------
_BINARY = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": np.power}


def _closure(node: Node) -> Callable[[dict], np.float64]:
    """A function of the values computing ``node`` in float64 (call under np.errstate)."""
    if isinstance(node, Num):
        value = np.float64(node.value)
        return lambda env: value
    if isinstance(node, Name):
        key = node.id
        return lambda env: np.float64(env[key])
    if isinstance(node, Unary):
        inner = _closure(node.operand)
        if node.op == "-":
            return lambda env: np.negative(inner(env))
        return inner
    if isinstance(node, Binary):
        op, left, right = _BINARY[node.op], _closure(node.left), _closure(node.right)
        return lambda env: op(left(env), right(env))
    fn = FUNCTIONS[node.func][2]
    args = tuple(_closure(a) for a in node.args)
    return lambda env: np.float64(fn(*(a(env) for a in args)))


def compile_expression(tree: Node) -> Callable[[dict], float]:
    """A function computing the expression from ``{name: value}``, built once.

    Parameters
    ----------
    tree : Node
        From :func:`parse_expression`.

    Returns
    -------
    callable
        ``f(values) -> float``: float64 arithmetic as R's (``Inf`` on overflow and for
        ``x/0``, ``NaN`` for ``0/0`` and ``(-1)^0.5``), no warnings. Raises
        :class:`~replication.engine.errors.InputError` when a name has no value.
    """
    inner = _closure(tree)

    def run(values: dict) -> float:
        with np.errstate(all="ignore"):
            try:
                return float(inner(values))
            except KeyError as exc:
                raise InputError(f"expression uses {exc.args[0]!r}, which has no value") from None

    return run


def evaluate(tree: Node, values: dict) -> float:
    """Value of an expression at ``{name: value}`` (see :func:`compile_expression`).

    Examples
    --------
    >>> evaluate(parse_expression("0.5*a.1*lambda"), {"a.1": 2.0, "lambda": 3.0})
    3.0
    >>> evaluate(parse_expression("9^9^9^9"), {})
    inf
    """
    return compile_expression(tree)(values)
