"""The lavaan model syntax of a record: its main model, its CFA and every fitted model.

A record gives its model either from ``constructs`` and ``model.paths`` (built by the engine's
builders, :func:`replication.engine.syntax.cfa_syntax` and
:func:`~replication.engine.syntax.sem_syntax`) or exactly, as lavaan syntax in ``model.syntax``.
The functions here return the text every layer fits, audits and reconstructs, so that one model
is used everywhere:

* :func:`main_syntax`: the model the paper reports (``model.syntax`` when given; else the CFA
  for kind ``cfa`` and the structural model for kinds ``sem`` and ``regression``);
* :func:`cfa_syntax_of`: the record's CFA, the measurement part of the main model with all
  factors correlated, keeping residual covariances between items and constraints on loadings
  (lavaan's ``cfa()`` of the ``=~`` and item ``~~`` lines);
* :func:`fit_syntaxes`: the syntax of each printed fit block (its own ``syntax``, else the
  record's CFA or main model by its name);
* :func:`structure`: latent variables, indicators, observed variables and regressions of a
  syntax, read with :func:`replication.engine.syntax.parse_model`.

References
----------
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
Statistical Software*, 48(2), 1-36 (model syntax; ``cfa()`` correlates all latent variables).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from replication.engine import syntax as lavsyntax
from replication.engine.syntax import Statement, parse_model

__all__ = ["Structure", "structure", "render", "main_syntax", "cfa_syntax_of", "fit_syntaxes"]


@dataclass
class Structure:
    """What a model syntax declares.

    Attributes
    ----------
    statements : list of Statement
    latents : list of str
        Left-hand sides of ``=~``, in order.
    indicators : dict
        ``{latent: [indicators]}`` in order.
    observed : list of str
        Variables that are not latent (indicators, observed predictors and outcomes).
    regressions : list of tuple
        ``(outcome, predictor)`` of every ``~`` statement.
    lines : dict
        ``{name: first line}`` where each variable first appears (for messages).
    """

    statements: list[Statement]
    latents: list[str] = field(default_factory=list)
    indicators: dict[str, list[str]] = field(default_factory=dict)
    observed: list[str] = field(default_factory=list)
    regressions: list[tuple[str, str]] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)


def structure(text: str) -> Structure:
    """Parse a model and collect its latent and observed variables and regressions.

    Raises
    ------
    InputError
        From :func:`replication.engine.syntax.parse_model` (one line naming the model line).
    """
    stmts = parse_model(text)
    st = Structure(statements=stmts)
    for s in stmts:
        if s.op == "=~":
            st.indicators.setdefault(s.lhs, []).append(s.rhs)
            if s.lhs not in st.latents:
                st.latents.append(s.lhs)
        if s.op == "~":
            st.regressions.append((s.lhs, s.rhs))
        if s.op not in (":=", "=="):
            for name in (s.lhs, s.rhs):
                st.lines.setdefault(name, s.line)
    for s in stmts:
        if s.op in (":=", "=="):
            continue
        for name in ((s.rhs,) if s.op == "=~" else (s.lhs, s.rhs)):
            if name not in st.latents and name not in st.observed:
                st.observed.append(name)
    return st


def _term(s: Statement) -> str:
    if s.free:
        return f"NA*{s.rhs}"
    if s.fixed is not None:
        return f"{s.fixed:g}*{s.rhs}"
    if s.label:
        return f"{s.label}*{s.rhs}"
    return s.rhs


def render(statements: list[Statement]) -> str:
    """lavaan text of statements, one statement a line (modifiers and labels kept)."""
    lines: list[str] = []
    for s in statements:
        if s.op == ":=":
            lines.append(f"{s.lhs} := {s.expr}")
        elif s.op == "==":
            lines.append(s.expr)
        else:
            lines.append(f"{s.lhs} {s.op} {_term(s)}")
    return "\n".join(lines) + "\n"


def _cfa_of_syntax(text: str) -> str:
    """Measurement part of a syntax, all factors correlated, item (co)variances kept."""
    st = structure(text)
    lat = set(st.latents)
    keep = [s for s in st.statements
            if s.op == "=~" or (s.op == "~~" and (s.lhs not in lat) and (s.rhs not in lat))
            or (s.op == "~~" and s.lhs == s.rhs and s.lhs in lat)]
    written = {frozenset((s.lhs, s.rhs)) for s in keep if s.op == "~~"}
    extra = [f"{a} ~~ {b}" for i, a in enumerate(st.latents) for b in st.latents[i + 1:]
             if frozenset((a, b)) not in written]
    return render(keep) + "".join(line + "\n" for line in extra)


def main_syntax(record) -> str:
    """The model the paper reports, as lavaan syntax (module docstring)."""
    if record.model.syntax is not None:
        return record.model.syntax.strip() + "\n"
    if record.model.kind == "cfa":
        return lavsyntax.cfa_syntax(record)
    return lavsyntax.sem_syntax(record)


def cfa_syntax_of(record) -> str:
    """The record's CFA as lavaan syntax (module docstring)."""
    if record.model.syntax is not None:
        if record.model.kind == "cfa":
            return main_syntax(record)
        return _cfa_of_syntax(record.model.syntax)
    return lavsyntax.cfa_syntax(record)


def fit_syntaxes(record) -> dict[str, str]:
    """``{fit block name: syntax}`` for every printed fit block of a record."""
    out: dict[str, str] = {}
    for block in record.results.fit:
        if block.syntax is not None:
            out[block.model] = block.syntax.strip() + "\n"
        elif block.model == "cfa":
            out[block.model] = cfa_syntax_of(record)
        else:
            out[block.model] = main_syntax(record)
    return out
