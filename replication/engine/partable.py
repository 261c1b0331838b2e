"""lavaan's parameter table of a model: :func:`specify` and the defined parameters.

:func:`specify` turns lavaan syntax into lavaan's parameter table (:class:`ModelSpec`) with
lavaan's defaults, in the named steps lavaan's ``lav_partable`` takes: the variables
(:func:`_variables`), the user's rows (:func:`_user_rows`), the default rows
(:func:`_default_rows`), and the free-parameter numbering (:func:`_number_free`).
:func:`eval_defined` and :func:`label_values` evaluate ``:=`` parameters.

Defaults are lavaan's (``lavaan(model, auto.var = TRUE, auto.fix.first = TRUE,
auto.cov.lv.x = TRUE)``, with ``fixed.x``; ``cov_y=True`` adds ``auto.cov.y`` as ``sem()`` and
``cfa()`` do).

References
----------
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
Statistical Software*, 48(2), 1-36. lavaan ``R/lav_partable.R``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np

from replication.engine.errors import InputError
from replication.engine.expressions import (Name, Num, Unary, compile_expression, names,
                                            parse_expression)
from replication.engine.syntax import Statement, parse_model

__all__ = ["ModelSpec", "specify", "eval_defined", "label_values", "MAX_LATENT", "MAX_OBSERVED"]

#: Largest model the table is built for: latent and observed variables (the covariances among
#: exogenous latent variables grow with the square of their number; a fit's memory with the
#: square of the moments of the observed ones).
MAX_LATENT = 500
MAX_OBSERVED = 2_000

@dataclass
class ModelSpec:
    """lavaan's parameter table of a model, with the RAM index arrays.

    ``rows`` holds one dict per parameter: ``lhs, op, rhs, free`` (0-based index into the
    free-parameter vector, ``-1`` when fixed), ``value`` (fixed value or 0), ``label``,
    ``exo`` (a fixed.x moment set to its sample value) and ``user`` (written in the model).
    """

    ov: list[str]
    lv: list[str]
    rows: list[dict]
    n_free: int
    defined: list[tuple[str, str]] = field(default_factory=list)
    ov_x: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return self.ov + self.lv

    def free_rows(self) -> list[dict]:
        """First row of each free parameter, in parameter order."""
        first: dict[int, dict] = {}
        for r in self.rows:
            if r["free"] >= 0 and r["free"] not in first:
                first[r["free"]] = r
        return [first[k] for k in range(self.n_free)]

    def free_keys(self) -> list[str]:
        """``"lhs op rhs"`` of each free parameter."""
        return [f"{r['lhs']} {r['op']} {r['rhs']}" for r in self.free_rows()]

    @property
    def df(self) -> int:
        """Degrees of freedom of the covariance structure, ``p(p+1)/2 - k(k+1)/2 - q``.

        ``p`` observed variables, ``k`` of them fixed.x (their moments are not fitted), ``q``
        free parameters; lavaan's ``df`` without a mean structure.

        References
        ----------
        Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, ch. 4 (t-rule).
        lavaan ``R/lav_partable.R`` (``lav_partable_df``).
        """
        p, k = len(self.ov), len(self.ov_x)
        return p * (p + 1) // 2 - k * (k + 1) // 2 - self.n_free


def _ordered_unique(seq) -> list:
    out: list = []
    for x in seq:
        if x not in out:
            out.append(x)
    return out


@dataclass
class _Variables:
    """The variables of a model in lavaan's order and roles."""

    ov: list[str]
    lv: list[str]
    ov_x: list[str]
    lv_x: list[str]
    lhs_reg: set
    rhs_reg: set
    indicators: set


class _Table:
    """Rows of a parameter table under construction, refusing a parameter written twice."""

    def __init__(self):
        self.rows: list[dict] = []
        self.seen: dict[tuple[str, str, str], dict] = {}

    @staticmethod
    def key(lhs: str, op: str, rhs: str) -> tuple[str, str, str]:
        if op == "~~":
            return (min(lhs, rhs), op, max(lhs, rhs))
        return (lhs, op, rhs)

    def __contains__(self, k: tuple[str, str, str]) -> bool:
        return self.key(*k) in self.seen

    def add(self, lhs, op, rhs, *, fixed=None, label=None, user=False, exo=False, line=0):
        k = self.key(lhs, op, rhs)
        if k in self.seen:
            raise InputError(f"model line {line}: parameter {lhs} {op} {rhs} is specified twice")
        row = {"lhs": lhs, "op": op, "rhs": rhs, "fixed": fixed, "label": label, "user": user,
               "exo": exo}
        self.seen[k] = row
        self.rows.append(row)


def _variables(stmts: list[Statement], observed: list[str] | None) -> _Variables:
    """Observed and latent variables in lavaan's order, with the fixed.x and exogenous ones.

    lavaan orders observed variables with indicators first, then the others in order of
    appearance; ``observed`` (the columns of a covariance matrix) overrides that order.
    """
    lv = _ordered_unique(s.lhs for s in stmts if s.op == "=~")
    if len(lv) > MAX_LATENT:
        raise InputError(f"model: {len(lv):,} latent variables; expected at most {MAX_LATENT:,} "
                         "(their covariances alone would make a table of "
                         f"{len(lv) * (len(lv) - 1) // 2:,} parameters)")
    names_all: list[str] = []
    for s in stmts:
        if s.op in (":=", "=="):
            continue
        for nm in (s.lhs, s.rhs) if s.op != "=~" else (s.rhs,):
            if nm not in lv and nm not in names_all:
                names_all.append(nm)
    indicators = _ordered_unique(s.rhs for s in stmts if s.op == "=~" and s.rhs not in lv)
    ov = indicators + [n for n in names_all if n not in indicators]
    if len(ov) > MAX_OBSERVED:
        raise InputError(f"model: {len(ov):,} observed variables; expected at most "
                         f"{MAX_OBSERVED:,}")
    if observed is not None:
        absent = [v for v in ov if v not in observed]
        if absent:
            raise InputError(f"model: variable {absent[0]!r} is not among the observed variables")
        ov = [v for v in observed if v in ov]
    labels = {s.label for s in stmts if s.label}
    clash = sorted(labels & (set(ov) | set(lv)))
    if clash:
        raise InputError(f"model: label {clash[0]!r} is also a variable name")
    lhs_reg = {s.lhs for s in stmts if s.op == "~"}
    rhs_reg = {s.rhs for s in stmts if s.op == "~"}
    ind_set = {s.rhs for s in stmts if s.op == "=~"}
    ov_x = [v for v in ov if v in rhs_reg and v not in lhs_reg and v not in ind_set]
    # a first-order factor of a second-order factor is endogenous: it covaries through that
    # factor only (lavaan)
    lv_x = [v for v in lv if v not in lhs_reg and v not in ind_set]
    return _Variables(ov=ov, lv=lv, ov_x=ov_x, lv_x=lv_x, lhs_reg=lhs_reg, rhs_reg=rhs_reg,
                      indicators=ind_set)


def _user_rows(stmts: list[Statement], table: _Table) -> None:
    """The rows written in the model; the first loading of each factor fixed to 1
    (``auto.fix.first``) unless a modifier is written for it."""
    first_ind: dict[str, str] = {}
    for s in stmts:
        if s.op == "=~" and s.lhs not in first_ind:
            first_ind[s.lhs] = s.rhs
    for s in stmts:
        if s.op in (":=", "=="):
            continue
        if s.op == "~" and s.lhs == s.rhs:
            raise InputError(f"model line {s.line}: {s.lhs!r} cannot be regressed on itself")
        fixed = s.fixed
        if s.op == "=~" and first_ind[s.lhs] == s.rhs and fixed is None and not s.free:
            fixed = 1.0
        table.add(s.lhs, s.op, s.rhs, fixed=fixed, label=s.label, user=True, line=s.line)


def _default_rows(stmts: list[Statement], v: _Variables, table: _Table, cov_y: bool) -> None:
    """lavaan's default rows: (residual) variances (``auto.var``, with ``auto.fix.single``),
    covariances among exogenous latent variables (``auto.cov.lv.x``), among pure dependent
    variables with ``cov_y`` (``auto.cov.y``), and the fixed.x moments."""
    n_ind: dict[str, list[str]] = {}
    for s in stmts:
        if s.op == "=~":
            n_ind.setdefault(s.lhs, []).append(s.rhs)
    # auto.fix.single: the only indicator of a latent variable has its residual variance fixed
    # to 0, so the latent variable is that observed variable
    single = {inds[0] for inds in n_ind.values() if len(inds) == 1 and inds[0] not in v.lv}
    for x in v.ov:
        if x not in v.ov_x and (x, "~~", x) not in table:
            table.add(x, "~~", x, fixed=0.0 if x in single else None)
    for x in v.lv:
        if (x, "~~", x) not in table:
            table.add(x, "~~", x)
    for i, a in enumerate(v.lv_x):
        for b in v.lv_x[i + 1:]:
            if (a, "~~", b) not in table:
                table.add(a, "~~", b)
    if cov_y:
        ys = [x for x in v.lv + v.ov
              if x in v.lhs_reg and x not in v.rhs_reg and x not in v.indicators]
        for i, a in enumerate(ys):
            for b in ys[i + 1:]:
                if (a, "~~", b) not in table:
                    table.add(a, "~~", b)
    for i, a in enumerate(v.ov_x):
        for b in v.ov_x[i:]:
            if (a, "~~", b) in table:
                raise InputError(f"model: {a} ~~ {b} is fixed to the sample value (fixed.x); "
                                 "remove the statement")
            table.add(a, "~~", b, exo=True)


def _constant(node) -> float | None:
    """The value of a number or a negated number in a constraint; None for anything else."""
    if isinstance(node, Num):
        return float(node.value)
    if isinstance(node, Unary) and isinstance(node.operand, Num):
        return -float(node.operand.value) if node.op == "-" else float(node.operand.value)
    return None


def _apply_constraints(stmts: list[Statement], rows: list[dict]) -> None:
    """lavaan's equality constraints (``a == b``, ``a == 0.5``) on the table: two labels become
    one parameter (``share``: the label whose index they take), a label equal to a number is
    fixed to it. The parameter and its df are those of a shared label, as in lavaan."""
    labels = {r["label"] for r in rows if r["label"]}
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    fixed: dict[str, float] = {}
    for s in stmts:
        if s.op != "==":
            continue
        where = f"model line {s.line}"
        sides = [parse_expression(t, where) for t in (s.lhs, s.rhs)]
        names_ = [n.id if isinstance(n, Name) else None for n in sides]
        values = [_constant(n) for n in sides]
        for nm in names_:
            if nm is not None and nm not in labels:
                raise InputError(f"{where}: constraint {s.expr!r} uses {nm!r}, which is not a "
                                 "parameter label")
        if all(names_):
            parent[root(names_[1])] = root(names_[0])
        elif names_[0] and values[1] is not None:
            fixed[names_[0]] = values[1]
        elif names_[1] and values[0] is not None:
            fixed[names_[1]] = values[0]
        else:
            raise InputError(f"{where}: constraint {s.expr!r}: expected two parameter labels or "
                             "a label and a number (a == b, a == 1); write other constraints "
                             "as shared labels")
    for r in rows:
        if r["label"]:
            r["share"] = root(r["label"])
            if r["label"] in fixed and r["fixed"] is None:
                r["fixed"] = fixed[r["label"]]


def _number_free(rows: list[dict]) -> tuple[int, set]:
    """Free-parameter indices: parameters sharing a label (or labels set equal by ``==``) are
    one parameter, and a label shared with a fixed parameter fixes every parameter that
    carries it. Returns the number of free parameters and the labels of free parameters."""
    n_free = 0
    by_label: dict[str, int] = {}

    def key(r):
        return r.get("share") or r["label"]

    fixed_label = {key(r): float(r["fixed"]) for r in rows
                   if r["label"] and r["fixed"] is not None}
    for r in rows:
        if r["label"] and key(r) in fixed_label and r["fixed"] is None:
            r["fixed"] = fixed_label[key(r)]
        if r["exo"] or r["fixed"] is not None:
            r["free"] = -1
            r["value"] = 0.0 if r["fixed"] is None else float(r["fixed"])
            continue
        r["value"] = 0.0
        if r["label"] and key(r) in by_label:
            r["free"] = by_label[key(r)]
            continue
        r["free"] = n_free
        if r["label"]:
            by_label[key(r)] = n_free
        n_free += 1
    labels = {r["label"] for r in rows if r["label"] and r["free"] >= 0}
    return n_free, labels


def _defined(stmts: list[Statement], rows: list[dict], labels: set) -> list[tuple[str, str]]:
    """The ``:=`` parameters, each expression read by
    :func:`~replication.engine.expressions.parse_expression` and using only parameter labels
    and defined parameters written before it (as lavaan evaluates them, in order)."""
    known = set(labels) | {r["label"] for r in rows if r["label"]}
    later = {s.lhs for s in stmts if s.op == ":="}
    defined: list[tuple[str, str]] = []
    for s in stmts:
        if s.op != ":=":
            continue
        where = f"model line {s.line}"
        if s.lhs in known:
            raise InputError(f"{where}: defined parameter {s.lhs!r} has the name of a "
                             "parameter label")
        if any(s.lhs == d for d, _ in defined):
            raise InputError(f"{where}: defined parameter {s.lhs!r} is defined twice")
        for tok in names(parse_expression(s.expr, where)):
            if tok in known or any(tok == d for d, _ in defined):
                continue
            why = "which is defined after it" if tok in later else "which is not a parameter label"
            raise InputError(f"{where}: defined parameter {s.lhs!r} uses {tok!r}, {why}")
        defined.append((s.lhs, s.expr))
    return defined


def specify(model: str | list[Statement], *, cov_y: bool = False,
            observed: list[str] | None = None) -> ModelSpec:
    """Build lavaan's parameter table from model syntax.

    Parameters
    ----------
    model : str or list of Statement
        lavaan syntax (see :func:`replication.engine.syntax.parse_model`).
    cov_y : bool, default False
        Free the residual covariances among dependent variables that predict nothing, as
        lavaan's ``sem()``/``cfa()`` do (``auto.cov.y``). The default matches
        ``lavaan(model, auto.var = TRUE, auto.fix.first = TRUE, auto.cov.lv.x = TRUE)``, which is
        how AMOS and LISREL diagrams count degrees of freedom.
    observed : list of str, optional
        Order of the observed variables (of a covariance matrix the model will be fitted to);
        names the model does not use are dropped. Default: lavaan's order (indicators first,
        then the other observed variables in order of appearance).

    Returns
    -------
    ModelSpec

    Notes
    -----
    Defaults as lavaan's: the first indicator of each latent variable has its loading fixed to 1
    (unless a modifier is written for it), every variable gets a free (residual) variance except
    the only indicator of a latent variable, whose residual variance is fixed to 0
    (``auto.fix.single``), exogenous latent variables covary freely, and observed variables used
    only as predictors are
    fixed.x (their variances and covariances are fixed to the sample values and are not
    parameters). Parameters that share a label are one parameter (an equality constraint).
    A label alone does not free the first loading (as in lavaan); ``NA*`` does.

    Raises
    ------
    InputError
        Syntax errors, a parameter written twice, a label that is also a variable name, a
        defined parameter that uses an unknown label, or ``observed`` without a variable the
        model uses.
    """
    stmts = parse_model(model) if isinstance(model, str) else list(model)
    variables = _variables(stmts, observed)
    table = _Table()
    _user_rows(stmts, table)
    _default_rows(stmts, variables, table, cov_y)
    _apply_constraints(stmts, table.rows)
    n_free, labels = _number_free(table.rows)
    defined = _defined(stmts, table.rows, labels)
    return ModelSpec(ov=variables.ov, lv=variables.lv, rows=table.rows, n_free=n_free,
                     defined=defined, ov_x=variables.ov_x)


# ------------------------------------------------------------------------------------------
# Defined parameters
# ------------------------------------------------------------------------------------------
def eval_defined(spec: ModelSpec, values: dict[str, float]) -> dict[str, float]:
    """Values of the defined parameters (``name := expression``) of a model.

    Parameters
    ----------
    spec : ModelSpec
        Model with ``spec.defined``, pairs ``(name, expression text)`` in the order written.
    values : dict
        ``{label: value}`` of the labelled parameters (:func:`label_values`).

    Returns
    -------
    dict
        ``{name: value}``; each expression is an R arithmetic expression of labels and
        earlier defined parameters (``+ - * / ^``, parentheses and R's math functions, read by
        :mod:`replication.engine.expressions`), evaluated in order in float64 as R does
        (``Inf`` on overflow or division by zero, ``NaN`` for ``0/0``, no warnings), so that
        ``ind := a*b`` gives the indirect effect ``a b`` and ``total := c + a*b`` the total
        effect.

    Raises
    ------
    InputError
        When an expression cannot be evaluated.

    Notes
    -----
    The standard errors of defined parameters (:mod:`replication.engine.results`) come from the delta
    method on these values.

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
    Statistical Software*, 48(2), 1-36 (the ``:=`` operator).
    Sobel, M. E. (1982). Asymptotic confidence intervals for indirect effects in structural
    equation models. *Sociological Methodology*, 13, 290-312.
    """
    env = dict(values)
    out = {}
    for name, expr in spec.defined:
        try:
            val = _compiled(expr)(env)
        except InputError as exc:
            raise InputError(f"model: cannot evaluate defined parameter {name} := {expr}: "
                             f"{exc}") from None
        env[name] = val
        out[name] = val
    return out


@lru_cache(maxsize=1024)
def _compiled(expr: str) -> Callable[[dict], float]:
    """The function of the values computing ``expr``, read once per text
    (:func:`replication.engine.expressions.compile_expression`)."""
    return compile_expression(parse_expression(expr))


def label_values(spec: ModelSpec, theta: np.ndarray) -> dict[str, float]:
    """Values of labelled parameters (for ``:=`` expressions)."""
    return {r["label"]: (theta[r["free"]] if r["free"] >= 0 else r["value"])
            for r in spec.rows if r["label"]}
