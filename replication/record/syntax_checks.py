"""Validation of a record against its lavaan model syntax.

Whatever a record describes is exactly what is fitted: the constructs, items, paths and printed
parameters must all be in the model, or the record is refused with one line naming the field
(and the model line). Without ``model.syntax`` the model is the one built from ``constructs``
and ``model.paths``; a ``sem`` record whose construct is in no path is refused rather than
fitted without it.
"""

from __future__ import annotations

from replication.engine.errors import InputError
from replication.engine.ram import specify
from replication.record.lavaan import Structure, fit_syntaxes, main_syntax, structure
from replication.record.printed import _FieldError

__all__ = ["paths_from_syntax", "check_syntax", "check_parameters", "check_fit_blocks",
           "check_constructs_in_model"]


def _syntax_error(field: str, exc: InputError) -> _FieldError:
    """A parse error of a model text as a field error, its model line kept."""
    msg = str(exc)
    for prefix in ("model line ", "model: "):
        if msg.startswith(prefix):
            msg = ("line " + msg[len(prefix):]) if prefix == "model line " else msg[len(prefix):]
    return _FieldError(field, msg)


def _parse(field: str, text: str) -> Structure:
    try:
        st = structure(text)
        specify(st.statements)
    except InputError as exc:
        raise _syntax_error(field, exc) from None
    return st


def paths_from_syntax(raw: dict) -> dict:
    """Raw record with ``model.paths`` read from ``model.syntax`` where the record gives none.

    Every ``~`` statement between two declared constructs is a path ``from`` predictor ``to``
    outcome. A syntax that does not parse is left for :func:`check_syntax` to report.
    """
    model = raw.get("model")
    if not isinstance(model, dict) or not isinstance(model.get("syntax"), str) or "paths" in model:
        return raw
    constructs = raw.get("constructs") if isinstance(raw.get("constructs"), dict) else {}
    try:
        st = structure(model["syntax"])
    except InputError:
        return raw
    paths = [{"from": x, "to": y} for y, x in st.regressions if x in constructs and y in constructs]
    return {**raw, "model": {**model, "paths": paths}}


def _items_match(rec, st: Structure) -> None:
    items = rec.items
    for c, con in rec.constructs.items():
        if c in st.latents:
            declared, written = items[c], st.indicators[c]
            for it in declared:
                if it not in written:
                    raise _FieldError(f"constructs.{c}.items", f"item {it!r} is not an indicator of {c} "
                                      f"in model.syntax (line {st.lines[c]}: {c} =~ {' + '.join(written)})")
            for it in written:
                if it not in declared:
                    raise _FieldError("model.syntax", f"line {st.lines[it]}: indicator {it!r} of {c} is "
                                      f"not in constructs.{c}.items")
        elif len(items[c]) == 1 and items[c][0] in st.observed:
            continue  # a single observed variable used as such
        else:
            raise _FieldError(f"constructs.{c}", f"construct {c!r} is not in model.syntax; expected "
                              f"a latent variable '{c} =~ ...' (or a single item used as observed)")


def check_syntax(rec) -> None:
    """``model.syntax`` parses and agrees with ``constructs``, ``model.paths`` and ``ordered``."""
    if rec.model.syntax is None:
        return
    st = _parse("model.syntax", rec.model.syntax)
    _items_match(rec, st)
    for lat in st.latents:
        if lat not in rec.constructs:
            raise _FieldError("model.syntax", f"line {st.lines[lat]}: latent variable {lat!r} is not "
                              "in constructs; expected every factor declared there with its items")
    all_items = set(rec.item_list)
    for v in st.observed:
        if v not in all_items:
            raise _FieldError("model.syntax", f"line {st.lines[v]}: observed variable {v!r} is not an "
                              "item of any construct; expected it declared (a construct with items "
                              f"[{v}])")
    if rec.model.kind == "cfa" and st.regressions:
        y, x = st.regressions[0]
        raise _FieldError("model.syntax", f"line {st.lines[y]}: regression {y} ~ {x} in a model of "
                          "kind cfa; expected kind sem")
    written = {(x, y) for y, x in st.regressions}
    for i, p in enumerate(rec.model.paths):
        if (p.from_, p.to) not in written:
            raise _FieldError(f"model.paths[{i}]", f"path {p.key} is not in model.syntax (expected "
                              f"'{p.to} ~ {p.from_}')")


def check_constructs_in_model(rec) -> None:
    """Without syntax, a ``sem`` record fits only constructs in paths: refuse any other."""
    if rec.model.syntax is not None or rec.model.kind != "sem":
        return
    used: set[str] = set()
    for p in rec.model.paths:
        used |= {p.from_, p.to}
    for m in rec.model.moderations:
        used |= {m.x, m.m, m.y}
    for c in rec.latent_constructs:
        if c not in used:
            raise _FieldError(f"constructs.{c}", f"construct {c!r} is in no path of model.paths, so "
                              "the structural model would not contain it; expected its paths, "
                              "model.syntax, or kind cfa")


def _model_keys(text: str) -> set[tuple[str, str, str]]:
    spec = specify(text)
    keys = set()
    for r in spec.rows:
        keys.add((r["lhs"], r["op"], r["rhs"]))
        if r["op"] == "~~":
            keys.add((r["rhs"], r["op"], r["lhs"]))
    keys |= {(name, ":=", "") for name, _ in spec.defined}
    return keys


def check_fit_blocks(rec) -> dict[str, str]:
    """Each fit block names a model with a syntax that parses; returns ``{name: syntax}``."""
    for i, b in enumerate(rec.results.fit):
        if b.syntax is not None:
            _parse(f"results.fit[{i}].syntax", b.syntax)
        elif b.model not in ("cfa", "sem"):
            raise _FieldError(f"results.fit[{i}].syntax", f"model {b.model!r} is neither the record's "
                              "cfa nor its sem; expected its lavaan syntax")
        elif b.model == "sem" and rec.model.kind == "cfa":
            raise _FieldError(f"results.fit[{i}].model", "a record of kind cfa has no structural model; "
                              "expected model cfa, or a syntax for this fit")
    return fit_syntaxes(rec)


def check_parameters(rec, syntaxes: dict[str, str]) -> None:
    """Every printed parameter is a parameter of the model it names (default: the main model)."""
    if not rec.results.parameters:
        return
    cache: dict[str, set] = {}
    main = main_syntax(rec)
    for i, p in enumerate(rec.results.parameters):
        name = p.model or "main model"
        if p.model is not None and p.model not in syntaxes:
            raise _FieldError(f"results.parameters[{i}].model", f"no fit block named {p.model!r} "
                              f"(expected one of {', '.join(syntaxes) or 'none'})")
        text = syntaxes[p.model] if p.model is not None else main
        if name not in cache:
            try:
                cache[name] = _model_keys(text)
            except InputError as exc:
                raise _syntax_error("model.syntax", exc) from None
        if (p.lhs, p.op, p.rhs) not in cache[name]:
            raise _FieldError(f"results.parameters[{i}]", f"parameter {p.key} is not in the {name} "
                              "(expected lhs, op, rhs of a parameter of lavaan's parameter table)")
