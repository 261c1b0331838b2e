"""lavaan's ``group: LABEL`` blocks in a record's model syntax.

lavaan reads a multi-group model written block by block::

    group: Pasteur
      visual =~ x1 + x2 + x3
    group: Grant-White
      visual =~ x1 + x2 + x3

:func:`split_group_blocks` splits such a text into its groups. The suite fits one model in
every group, with constraints across groups through ``model.group_equal`` and
``model.group_partial`` (lavaan's ``group.equal`` and ``group.partial``): blocks that write the
same statements give that model and the group labels in order; blocks that differ (a parameter
fixed or labelled in one group only, a line present in one group only) are refused with one
line naming the model line, never fitted as something else.

References
----------
lavaan ``R/lav_syntax.R`` (``group:`` blocks of ``lavParseModelString``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from replication.engine.errors import InputError
from replication.engine.syntax import parse_model

__all__ = ["GroupBlocks", "split_group_blocks"]

_BLOCK = re.compile(r"^\s*group\s*:\s*(.*?)\s*$")


@dataclass(frozen=True)
class GroupBlocks:
    """The model of a text written in ``group:`` blocks.

    ``syntax`` is the one model every block writes (the first block's lines, blank lines in
    place of the other lines so that line numbers stay those of the record), ``labels`` the
    group labels in the order written.
    """

    syntax: str
    labels: list[str]


def _label(text: str, line: int) -> str:
    label = text.strip().strip("\"'")
    if not label:
        raise InputError(f"line {line}: 'group:' without a label; expected 'group: LABEL'")
    return label


def _terms(body: str) -> list[tuple]:
    return [(s.lhs, s.op, s.rhs, s.fixed, s.free, s.label, s.expr) for s in parse_model(body)]


def _shown(term: tuple) -> str:
    lhs, op, rhs, fixed, free, label, expr = term
    mod = "NA*" if free else f"{fixed:g}*" if fixed is not None else f"{label}*" if label else ""
    return f"{lhs} {op} {expr}" if op == ":=" else f"{lhs} {op} {mod}{rhs}"


def split_group_blocks(text: str) -> GroupBlocks | None:
    """The groups of a model written in ``group: LABEL`` blocks (``None`` without blocks).

    Raises
    ------
    InputError
        A statement before the first block, a label given twice, a block that does not parse,
        or blocks that differ (one line naming the model line and both groups).
    """
    lines = text.split("\n")
    starts = [(i, m.group(1)) for i, ln in enumerate(lines) if (m := _BLOCK.match(ln.split("#")[0]))]
    if not starts:
        return None
    before = "\n".join(lines[:starts[0][0]])
    if parse_model(before + "\n") if before.strip() else []:
        raise InputError(f"line {starts[0][0]}: a statement before the first 'group:' block; "
                         "expected every statement inside a group block")
    labels, bodies = [], []
    for k, (i, raw) in enumerate(starts):
        label = _label(raw, i + 1)
        if label in labels:
            raise InputError(f"line {i + 1}: group {label!r} written twice; expected one block "
                             "per group")
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        bodies.append("\n" * (i + 1) + "\n".join(lines[i + 1:end]) + "\n")
        labels.append(label)
    terms = [_terms(b) for b in bodies]
    first = terms[0]
    for label, (i, _), these, body in zip(labels[1:], starts[1:], terms[1:], bodies[1:]):
        if these == first:
            continue
        stmts = parse_model(body)
        extra = [t for t in these if t not in first]
        if extra:
            line = stmts[these.index(extra[0])].line
            raise InputError(f"line {line}: '{_shown(extra[0])}' of group {label!r} is not in group "
                             f"{labels[0]!r}; the suite fits the same model in every group "
                             "(constraints across groups through model.group_equal and "
                             "model.group_partial): expected the same statements in each block")
        missing = next(t for t in first if t not in these)
        raise InputError(f"line {i + 1}: group {label!r} has no '{_shown(missing)}' of group "
                         f"{labels[0]!r}; the suite fits the same model in every group: expected "
                         "the same statements in each block")
    return GroupBlocks(syntax=bodies[0], labels=labels)
