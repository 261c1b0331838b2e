"""Cross-field validation of a record: model structure, assumption targets, results, hypotheses.

Each function takes a :class:`replication.record.core.Record` whose fields are individually
valid and raises ``_FieldError`` naming the first field that does not fit the others.
"""

from __future__ import annotations

import re
from typing import Any

from replication.record.printed import _ID, Assumption, _FieldError, _got, _is_count, _is_real

__all__ = ["check_model", "check_assumption_targets", "assumption_value_problem",
           "check_assumption_refs", "check_results", "check_hypotheses", "target_kind"]

_TARGETS: list[tuple[str, str]] = [
    ("sample", r"sample\.(?P<field>n|scale_points)"),
    ("construct", r"constructs\.(?P<c>[^.]+)\.(?P<field>n_items|loading|mean|sd|alpha|ave|cr)"),
    ("item", r"items\.(?P<i>[^.]+)\.loading"),
    ("path", r"paths\.(?P<x>[^.>-]+)->(?P<y>[^.]+)\.(?P<field>std|estimate|se|statistic)"),
    ("correlation", r"correlations\.(?P<a>[^.~]+)~~(?P<b>[^.]+)"),
    ("interaction", r"interactions\.(?P<key>[^.]+x[^.]+->[^.]+)\.std"),
    ("model", r"model\.(?P<field>estimate_metric|controls)"),
    ("control", r"controls\.(?P<v>[^.>-]+)->(?P<cy>[^.]+)\.std"),
    ("hypothesis", r"hypotheses\.(?P<h>[^.]+)\.path"),
]
_TARGET_PATTERNS = [pattern for _, pattern in _TARGETS]


def target_kind(target: str) -> tuple[str, dict[str, str]] | None:
    """The kind of an assumption target and the names it holds (``None`` when unknown)."""
    for name, pattern in _TARGETS:
        m = re.fullmatch(pattern, target)
        if m:
            return name, {k: v for k, v in m.groupdict().items() if v is not None}
    return None


def _find_cycle(edges: list[tuple[str, str]]) -> list[str] | None:
    """One directed cycle among ``edges`` as ``[A, B, ..., A]`` (depth-first search), else ``None``."""
    graph: dict[str, list[str]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
        graph.setdefault(b, [])
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    for root in graph:
        if state.get(root):
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path = [root]
        state[root] = 1
        while stack:
            node, k = stack[-1]
            if k < len(graph[node]):
                stack[-1] = (node, k + 1)
                nxt = graph[node][k]
                if state.get(nxt) == 1:
                    return path[path.index(nxt):] + [nxt]
                if not state.get(nxt):
                    state[nxt] = 1
                    stack.append((nxt, 0))
                    path.append(nxt)
            else:
                state[node] = 2
                stack.pop()
                path.pop()
    return None


def _check_mediators(field: str, mediators: list[str], x: str, y: str) -> None:
    """Mediators are named once each and are neither the predictor nor the outcome."""
    for j, v in enumerate(mediators):
        if v in mediators[:j]:
            raise _FieldError(f"{field}[{j}]", f"mediator {v!r} listed twice")
        if v in (x, y):
            raise _FieldError(f"{field}[{j}]", f"expected a mediator other than x ({x}) and y ({y}), "
                                               f"got {v!r}")


def check_model(rec) -> None:
    """Names, references and structure of ``constructs`` and ``model``."""
    cons = rec.constructs
    for name in cons:
        if not re.match(_ID, name):
            raise _FieldError(f"constructs.{name}", "expected a name of letters, digits and _ "
                                                    f"(starting with a letter), got {name!r}")
    controls = {c for c, con in cons.items() if con.role == "control"}
    m = rec.model
    for i, p in enumerate(m.paths):
        for end, c in (("from", p.from_), ("to", p.to)):
            if c not in cons:
                raise _FieldError(f"model.paths[{i}].{end}", f"construct {c!r} is not defined")
        if p.from_ == p.to:
            raise _FieldError(f"model.paths[{i}]", f"expected a path between two constructs, "
                                                   f"got {p.key} (a construct to itself)")
    keys = [p.key for p in m.paths]
    for i, k in enumerate(keys):
        if k in keys[:i]:
            raise _FieldError(f"model.paths[{i}]", f"path {k} listed twice")
    cycle = _find_cycle([(p.from_, p.to) for p in m.paths])
    if cycle:
        raise _FieldError("model.paths", "expected a recursive model (no feedback loops), got the "
                                         f"directed cycle {'->'.join(cycle)}")
    exo = set(rec.exogenous())
    pairs: dict[frozenset[str], int] = {}
    for i, c in enumerate(m.covariances):
        for end, v in (("a", c.a), ("b", c.b)):
            if v not in cons:
                raise _FieldError(f"model.covariances[{i}].{end}", f"construct {v!r} is not defined")
            if v in controls:
                raise _FieldError(f"model.covariances[{i}].{end}",
                                  f"expected a construct, got control variable {v!r}")
        if c.a == c.b:
            raise _FieldError(f"model.covariances[{i}]", f"expected two different constructs, "
                                                         f"got {c.a}~~{c.b}")
        pair = frozenset((c.a, c.b))
        if pair in pairs:
            raise _FieldError(f"model.covariances[{i}]", f"covariance {c.a}~~{c.b} listed twice "
                                                         f"(also model.covariances[{pairs[pair]}])")
        pairs[pair] = i
        if c.a in exo and c.b in exo:
            raise _FieldError(f"model.covariances[{i}]",
                              f"{c.a}~~{c.b} is free by default (both constructs are exogenous); "
                              "expected only further covariances")
    mods: dict[str, int] = {}
    for i, mo in enumerate(m.moderations):
        for end, v in (("x", mo.x), ("m", mo.m), ("y", mo.y)):
            if v not in cons:
                raise _FieldError(f"model.moderations[{i}].{end}", f"construct {v!r} is not defined")
        if mo.m in (mo.x, mo.y) or mo.x == mo.y:
            raise _FieldError(f"model.moderations[{i}]", "expected three different constructs "
                                                         f"x, m, y, got x={mo.x}, m={mo.m}, y={mo.y}")
        if mo.key in mods:
            raise _FieldError(f"model.moderations[{i}]", f"moderation {mo.key} listed twice")
        mods[mo.key] = i
        path_keys = {p.key for p in m.paths}
        for main in (f"{mo.x}->{mo.y}", f"{mo.m}->{mo.y}"):
            if main not in path_keys:
                raise _FieldError(f"model.moderations[{i}]",
                                  f"expected the main effect {main} in model.paths (a moderated "
                                  "effect is tested beside both main effects)")
    for i, me in enumerate(m.mediations):
        for end, v in (("x", me.x), ("y", me.y)):
            if v not in cons:
                raise _FieldError(f"model.mediations[{i}].{end}", f"construct {v!r} is not defined")
        for j, v in enumerate(me.mediators):
            if v not in cons:
                raise _FieldError(f"model.mediations[{i}].mediators[{j}]",
                                  f"construct {v!r} is not defined")
        if me.x == me.y:
            raise _FieldError(f"model.mediations[{i}]", f"expected x and y to differ, got {me.x} twice")
        _check_mediators(f"model.mediations[{i}].mediators", me.mediators, me.x, me.y)
        path_keys = {p.key for p in m.paths}
        for j, v in enumerate(me.mediators):
            for need in (f"{me.x}->{v}", f"{v}->{me.y}"):
                if need not in path_keys:
                    raise _FieldError(f"model.mediations[{i}].mediators[{j}]",
                                      f"expected the path {need} in model.paths (each mediator "
                                      "carries one indirect effect x -> m -> y)")
    for i, c in enumerate(m.controls):
        if c not in cons:
            raise _FieldError(f"model.controls[{i}]", f"control {c!r} is not defined in constructs")
        if c not in controls:
            raise _FieldError(f"model.controls[{i}]", f"expected a construct with role: control, "
                                                      f"got {c!r} (role {cons[c].role})")
        if c in m.controls[:i]:
            raise _FieldError(f"model.controls[{i}]", f"control {c!r} listed twice")

def check_assumption_targets(rec) -> set[str]:
    """Known targets, no collision with published values, no duplicates, typed values."""
    published = rec._published_values()
    targets: set[str] = set()
    pairs: dict[frozenset[str], str] = {}
    for i, a in enumerate(rec.assumptions):
        kind = target_kind(a.target)
        if kind is None:
            raise _FieldError(f"assumptions[{i}].target", f"unknown target {a.target!r}")
        if a.target in published:
            raise _FieldError(f"assumptions[{i}].target",
                              f"{a.target} is published ({published[a.target].where}); "
                              "an assumption may not replace it")
        if a.target in targets:
            raise _FieldError(f"assumptions[{i}].target", f"{a.target} assumed twice")
        targets.add(a.target)
        if kind[0] == "correlation":
            pair = frozenset((kind[1]["a"], kind[1]["b"]))
            if pair in pairs:
                raise _FieldError(f"assumptions[{i}].target",
                                  f"{a.target} assumed twice (also as {pairs[pair]})")
            pairs[pair] = a.target
        problem = assumption_value_problem(rec, a.target, kind, a.value)
        if problem:
            raise _FieldError(f"assumptions[{i}].value", f"{a.target}: expected {problem}, "
                                                         f"got {_got(a.value)}")
    return targets

def assumption_value_problem(rec, target: str, kind: tuple[str, dict[str, str]],
                              v: Any) -> str | None:
    """What an assumed value should have been (``None`` when it is fine)."""
    name, groups = kind
    field = groups.get("field")
    if target == "sample.n":
        return None if _is_count(v, 1) else "a positive integer"
    if target == "sample.scale_points":
        return None if _is_count(v, 2) else "an integer >= 2"
    if name in ("construct", "item"):
        if field == "n_items":
            return None if _is_count(v, 1) else "a positive integer"
        if field in (None, "loading"):
            ok = _is_real(v) and 0.0 < v <= 1.0
            return None if ok else "a standardized loading, a real number in (0, 1]"
        if field == "mean":
            return None if _is_real(v) else "a finite real number"
        if field == "sd":
            return None if _is_real(v) and v > 0 else "a real number > 0"
        return None if _is_real(v) and 0.0 <= v <= 1.0 else "a real number in [0, 1]"
    if name in ("path", "interaction", "control"):
        if field in ("std", None):
            ok = _is_real(v) and -1.0 <= v <= 1.0
            return None if ok else "a standardized coefficient, a real number in [-1, 1]"
        if field == "se":
            return None if _is_real(v) and v > 0 else "a standard error, a real number > 0"
        return None if _is_real(v) else "a finite real number"
    if name == "correlation":
        return None if _is_real(v) and abs(v) < 1.0 else "a correlation, a real number with |r| < 1"
    if target == "model.estimate_metric":
        return None if v in ("standardized", "unstandardized") else "'standardized' or 'unstandardized'"
    if target == "model.controls":
        controls = [c for c, con in rec.constructs.items() if con.role == "control"]
        expected = f"a list of constructs with role control ({', '.join(controls) or 'none defined'})"
        if not isinstance(v, list) or len(set(map(str, v))) != len(v):
            return expected + " named once each"
        if any(not isinstance(c, str) or c not in controls for c in v):
            return expected
        if rec.model.controls and list(rec.model.controls) != v:
            return f"the controls of model.controls {rec.model.controls}"
        return None
    if name == "hypothesis":
        h = next((h for h in rec.hypotheses if h.id == groups["h"]), None)
        if h is not None and h.kind == "moderation":
            known = sorted(mo.key for mo in rec.model.moderations)
        else:
            known = [p.key for p in rec.model.paths]
        if isinstance(v, str) and v in known:
            return None
        return f"a modelled {'moderation' if h and h.kind == 'moderation' else 'path'} such as " \
               f"{known[0] if known else 'X->Y'!r}"
    return None

def check_assumption_refs(rec, i: int, a: Assumption) -> None:
    """The constructs, items, paths and hypotheses an assumption target names exist."""
    kind = target_kind(a.target)
    if kind is None:  # reported by _check_assumption_targets
        return
    name, g = kind
    field = f"assumptions[{i}].target"
    cons = rec.constructs
    for group in ("c", "x", "y", "a", "b", "v", "cy"):
        c = g.get(group)
        if c is not None and c not in cons:
            raise _FieldError(field, f"construct {c!r} is not defined")
    if name == "item" and g["i"] not in set(rec.all_items_unchecked()):
        raise _FieldError(field, f"item {g['i']!r} is not an item of any construct")
    if name == "path":
        key = f"{g['x']}->{g['y']}"
        if key not in {p.key for p in rec.model.paths}:
            raise _FieldError(field, f"path {key} is not in model.paths")
    if name == "correlation" and g["a"] == g["b"]:
        raise _FieldError(field, f"expected two different constructs, got {g['a']}~~{g['b']}")
    if name == "interaction":
        known = sorted(mo.key for mo in rec.model.moderations)
        if g["key"] not in known:
            raise _FieldError(field, f"interaction {g['key']} is not in model.moderations "
                                     f"(expected one of {', '.join(known) or 'none'})")
    if name == "control" and cons[g["v"]].role != "control":
        raise _FieldError(field, f"expected a control variable (role: control), got {g['v']!r}")
    if name == "hypothesis":
        h = next((h for h in rec.hypotheses if h.id == g["h"]), None)
        if h is None:
            raise _FieldError(field, f"hypothesis {g['h']!r} not defined")
        if h.kind == "mediation":
            raise _FieldError(field, f"hypothesis {h.id} is a mediation hypothesis; expected a "
                                     "path or moderation hypothesis")
        if h.path_key is not None:
            raise _FieldError(field, f"hypothesis {h.id} states its path ({h.path_key}); an "
                                     "assumption may not replace it")

def check_results(rec) -> None:
    cons = rec.constructs
    keys = {p.key for p in rec.model.paths}
    for i, r in enumerate(rec.results.paths):
        if r.key not in keys:
            raise _FieldError(f"results.paths[{i}]", f"path {r.key} is not in model.paths")
    items = set(rec.all_items_unchecked())
    for item in rec.results.loadings:
        if item not in items:
            raise _FieldError(f"results.loadings.{item}", "item is not an item of any construct")
    for c in rec.results.constructs:
        if c not in cons:
            raise _FieldError(f"results.constructs.{c}", "construct is not defined")
    for name in rec.results.r2:
        if name not in items and name not in cons:
            raise _FieldError(f"results.r2.{name}", "expected an item or a construct of the record")


def check_hypotheses(rec, targets: set[str]) -> None:
    cons = rec.constructs
    keys = {p.key for p in rec.model.paths}
    mod_keys = {m.key for m in rec.model.moderations}
    seen: dict[str, int] = {}
    for i, h in enumerate(rec.hypotheses):
        where = f"hypotheses[{i}]"
        if h.id in seen:
            raise _FieldError(f"{where}.id", f"id {h.id!r} used twice (also hypotheses[{seen[h.id]}])")
        seen[h.id] = i
        for end, c in (("from", h.from_), ("to", h.to), ("moderator", h.moderator)):
            if c is not None and c not in cons:
                raise _FieldError(f"{where}.{end}", f"construct {c!r} is not defined")
        for j, c in enumerate(h.mediators):
            if c not in cons:
                raise _FieldError(f"{where}.mediators[{j}]", f"construct {c!r} is not defined")
        assumed = f"hypotheses.{h.id}.path" in targets
        if h.kind == "mediation":
            if h.from_ is None or h.to is None:
                raise _FieldError(where, f"({h.id}) expected from and to for a mediation hypothesis")
            if h.from_ == h.to:
                raise _FieldError(where, f"({h.id}) expected from and to to differ, got {h.from_} twice")
            _check_mediators(f"{where}.mediators", h.mediators, h.from_, h.to)
        else:
            if h.mediators:
                raise _FieldError(f"{where}.mediators", f"({h.id}) expected mediators only on a "
                                                        f"mediation hypothesis, got kind {h.kind}")
            needed = ["from", "to"] + (["moderator"] if h.kind == "moderation" else [])
            given = {"from": h.from_, "to": h.to, "moderator": h.moderator}
            missing = [k for k in needed if given[k] is None]
            if missing and len(missing) < len(needed):
                raise _FieldError(where, f"({h.id}) expected {', '.join(needed)} together, "
                                         f"got no {', '.join(missing)}")
            if missing and not assumed:
                raise _FieldError(where, f"({h.id}) expected {', '.join(needed)} or an assumption "
                                         f"hypotheses.{h.id}.path")
        pk = h.path_key
        if h.kind == "path" and pk is not None and pk not in keys:
            raise _FieldError(where, f"({h.id}) path {pk} is not in model.paths")
        if h.kind == "moderation" and pk is not None and pk not in mod_keys:
            raise _FieldError(where, f"({h.id}) moderation {pk} is not in model.moderations")
        if h.verdict is not None:
            try:
                h.supported
            except ValueError as exc:
                raise _FieldError(f"{where}.verdict", f"{exc}; expected yes/no, supported/not "
                                                      "supported") from None
