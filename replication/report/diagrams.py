"""Path diagrams of a replicated model, laid out by Graphviz ``dot`` and drawn as SVG (and PDF).

:func:`path_diagram` draws the structural model of a record as the field draws it (semPlot,
lavaanPlot, tidySEM) with Graphviz's layered layout (Gansner, Koutsofios, North and Vo 1993,
"A technique for drawing directed graphs", IEEE TSE 19(3)): constructs as ellipses in ranks from
the exogenous constructs (left) to the last outcomes (right). Every path carries its label *on*
the path: the label is a small node that the arrow runs through, so it belongs to one edge and
``dot`` never places two labels on each other or on a crossing. Styles say one thing each:

- solid black: a path significant at .05; dashed grey: a path that is not;
- dotted orange with an arrow onto a path's label: a moderation (Hayes' conceptual diagram: the
  moderator points at the path it moderates; the label shows the interaction). With more than
  :data:`MAX_INLINE_MODERATED` moderated paths the structural diagram keeps the paths alone and
  each moderator gets a panel of its own (:attr:`Diagram.panels`);
- two-headed grey arcs (``dir=both``) with their value: covariances of exogenous constructs.

A legend under each diagram says so. Every path label reads ``replicated [reference]`` in one
metric: the metric in which the paper printed its estimates (``model.estimate_metric`` of the
record, printed or assumed), or the standardized metric for estimates the record assumes.

:func:`measurement_diagram` is the measurement view: each construct with its items, standardized
loadings on the arrows, the items' residual variances (two-headed self-loops) and R-squared.

Every :class:`Diagram` shows in a notebook as inline SVG (vector) with its caption, and
:meth:`Diagram.write` writes it as SVG and PDF files.
"""

from __future__ import annotations

import html
import math
import os
import re
import shutil
import subprocess
from pathlib import Path
from collections.abc import Sequence
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter

import numpy as np
import pandas as pd

from replication.engine.errors import InputError
from replication.record.lavaan import structure

__all__ = ["Diagram", "layers", "stars", "path_diagram", "diagram_source", "measurement_diagram",
           "measurement_source", "legend_label", "published_vs_replicated_plot", "render",
           "fixed_pdf_dates", "interaction_effect"]



def __getattr__(name: str):
    """``published_vs_replicated_plot`` moved to :mod:`replication.report.plots`; still
    importable from here (without loading matplotlib until it is asked for)."""
    if name == "published_vs_replicated_plot":
        from replication.report.plots import published_vs_replicated_plot

        return published_vs_replicated_plot
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_FONT = "Helvetica,Arial,sans-serif"
#: Covariances among more exogenous constructs than this are stated in the caption, not drawn.
MAX_ARCS = 4
#: More moderated paths than this: one panel per moderator instead of arrows in the main diagram.
MAX_INLINE_MODERATED = 2

#: Colours and dot styles of the kinds of edge (the legend lists the same).
SIG = "#111111"
NONSIG = "#8c8c8c"
MODERATION = "#c05a00"
COVARIANCE = "#4a6785"


def stars(p: float, legend: Sequence[tuple[str, float]] | None = None) -> str:
    """Significance marker of a p-value.

    Parameters
    ----------
    p : float
        Two-sided p-value (NaN gives ``""``).
    legend : sequence of (marker, p_below), optional
        The paper's legend (``record.results.significance``); default ``* < .05, ** < .01,
        *** < .001``.

    Returns
    -------
    str
        The marker of the smallest threshold ``p`` is below, or ``""``.
    """
    if p is None or not np.isfinite(p):
        return ""
    if legend is None:
        legend = [("*", 0.05), ("**", 0.01), ("***", 0.001)]
    best, cut = "", math.inf
    for marker, below in legend:
        if p < below < cut:
            best, cut = marker, below
    return best


def layers(record) -> list[list[str]]:
    """Constructs of the structural model grouped by depth (exogenous first).

    Parameters
    ----------
    record : replication.record.schema.Record

    Returns
    -------
    list of list of str
        ``layers[0]`` are the constructs that receive no path; a construct sits one layer to
        the right of its deepest predictor (longest path from an exogenous construct).
        Moderators that receive no path sit in the layer of the predictor they moderate.
        Constructs keep record order within a layer.
    """
    order = list(record.constructs)
    preds: dict[str, set[str]] = {}
    used = []
    for p in record.model.paths:
        preds.setdefault(p.to, set()).add(p.from_)
        preds.setdefault(p.from_, set())
        used += [p.from_, p.to]
    for m in record.model.moderations:
        used += [m.x, m.m, m.y]
        preds.setdefault(m.m, set())
    try:
        sorted_nodes = list(TopologicalSorter(preds).static_order())
    except CycleError:
        raise InputError(f"{record.id}: model.paths contain a cycle; a layered diagram needs "
                         "none") from None
    depth: dict[str, int] = {}
    for node in sorted_nodes:
        depth[node] = 1 + max(depth[q] for q in preds[node]) if preds[node] else 0
    for m in record.model.moderations:
        if not preds[m.m] and m.m not in {p.from_ for p in record.model.paths}:
            depth[m.m] = depth.get(m.x, 0)
    n_layers = 1 + max(depth.values()) if depth else 0
    out: list[list[str]] = [[] for _ in range(n_layers)]
    for c in sorted(set(used), key=order.index):
        out[depth[c]].append(c)
    return [layer for layer in out if layer]


# --------------------------------------------------------------------------------------------
# The diagram object
# --------------------------------------------------------------------------------------------
@dataclass
class Diagram:
    """A diagram: ``svg`` (inline SVG text), ``source`` (dot), caption, notes and panels.

    ``name`` is the stem of its files (:meth:`write`); ``panels`` are further diagrams shown
    under it (one per moderator when the moderations would crowd the structural diagram).
    """

    svg: str
    source: str
    caption: str = ""
    notes: list[str] = field(default_factory=list)
    name: str = "path_diagram"
    panels: list["Diagram"] = field(default_factory=list)

    def to_html(self) -> str:
        """The SVG inside a ``<figure>`` with its caption and notes (panels below)."""
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        notes = f'<ul style="margin: 0.3em 0; font-size: 12px; color: #333;">{notes}</ul>' if notes else ""
        cap = (f'<figcaption style="font-size: 12px; color: #333; max-width: 60em;">'
               f"{html.escape(self.caption)}</figcaption>") if self.caption else ""
        panels = "".join(p.to_html() for p in self.panels)
        return (f'<figure class="path-diagram" style="margin: 0.5em 0;">'
                f'<div style="max-width: 100%; overflow-x: auto;">{self.svg}</div>{cap}{notes}'
                f"</figure>{panels}")

    def _repr_html_(self) -> str:
        return self.to_html()

    def diagrams(self) -> list["Diagram"]:
        """This diagram and its panels, in order."""
        return [self] + [d for p in self.panels for d in p.diagrams()]

    def write(self, folder: str | Path, prefix: str = "") -> list[Path]:
        """Write this diagram and its panels as ``<prefix><name>.svg`` and ``.pdf`` in ``folder``.

        Returns
        -------
        list of Path
            The files written (SVG and PDF of each diagram).
        """
        folder = Path(folder)
        out = []
        for d in self.diagrams():
            stem = folder / f"{prefix}{d.name}"
            svg = render(d.source, "svg").decode("utf-8")
            stem.with_suffix(".svg").write_text(svg, encoding="utf-8")
            stem.with_suffix(".pdf").write_bytes(render(d.source, "pdf"))
            out += [stem.with_suffix(".svg"), stem.with_suffix(".pdf")]
        return out


# --------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------
def _num(x: float, decimals: int = 2) -> str:
    if x is None or not np.isfinite(x):
        return "\u2013"
    text = f"{x:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _metric(record) -> tuple[str, str]:
    """(metric, status) in which the paper's estimates are read."""
    v = record.values().get("model.estimate_metric")
    if v is None:
        return "standardized", "assumed"
    return str(v.value), str(v.status)


def _references(reference: pd.DataFrame | None) -> dict[str, dict]:
    """Per path: the reference estimate row of a :func:`compare_paths` table."""
    if reference is None or reference.empty or "path" not in reference.columns:
        return {}
    main = reference[reference["quantity"].isin(["estimate", "std"])]
    return {str(r["path"]): r for r in main.drop_duplicates("path").to_dict("records")}


def _path_label(key: str, eff: dict | None, ref: dict | None, metric: str, legend) -> tuple[str, bool]:
    """Label text of a path (two lines) and whether the replicated effect is significant."""
    sig = True
    rep = np.nan
    p = np.nan
    if eff is not None:
        p = float(eff.get("pvalue", np.nan))
        sig = not (np.isfinite(p) and p >= 0.05)
        rep = float(eff.get("est" if metric == "unstandardized" else "std", np.nan))
    if ref is not None:
        quantity = ref.get("quantity")
        r = ref.get("replicated", np.nan)
        if r is not None and np.isfinite(r):
            rep = float(r)  # compare_paths reads the replicated value in the reference's metric
        elif quantity == "std" and eff is not None:
            rep = float(eff.get("std", np.nan))
    line1 = f"{_num(rep)}{stars(p, legend)}" if np.isfinite(rep) else "n/a"
    if ref is None:
        return line1, sig
    if ref.get("status") == "published":
        printed = ref.get("printed") or _num(ref.get("reference", np.nan))
        return f"{line1}\n[{printed}]", sig
    return f"{line1}\n[{_num(ref.get('reference', np.nan))} assumed]", sig


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _attrs(**kw) -> str:
    return ", ".join(f"{k}={v if isinstance(v, (int, float)) else _quote(str(v))}"
                     for k, v in kw.items() if v is not None)


def legend_label(kinds: Sequence[str]) -> str:
    """A dot HTML label: one sample line and its meaning per kind of edge drawn.

    ``kinds`` among ``significant``, ``not significant``, ``moderation``, ``covariance``,
    ``loading``, ``residual``.
    """
    samples = {
        "significant": ("solid", SIG, "1", "path, significant at .05"),
        "not significant": ("dashed", NONSIG, "1", "path, not significant"),
        "moderation": ("dotted", MODERATION, "2", "moderation: moderator \u2192 moderated path"),
        "covariance": ("solid", COVARIANCE, "1", "covariance (two-headed)"),
        "loading": ("solid", SIG, "1", "standardized loading"),
        "residual": ("solid", COVARIANCE, "1", "residual variance (std.); R\u00b2 in the box"),
    }
    cells = []
    for k in kinds:
        style, colour, width, text = samples[k]
        cells.append(f'<TR><TD WIDTH="34" HEIGHT="8" BORDER="{width}" SIDES="B" STYLE="{style}" '
                     f'COLOR="{colour}"></TD><TD ALIGN="LEFT">{html.escape(text)}</TD></TR>')
    return ('<<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="0"><TR><TD ALIGN="LEFT" '
            'COLSPAN="2"><B>Legend</B></TD></TR>' + "".join(cells) + "</TABLE>>")


def _graph_head(name: str, kinds: Sequence[str], ranksep: float = 0.55) -> list[str]:
    return [f"digraph {_quote(name)} {{",
            f'  graph [rankdir=LR, nodesep=0.3, ranksep={ranksep}, splines=true, '
            f'fontname="{_FONT}", fontsize=10, bgcolor="white", pad=0.2, newrank=true, '
            f"forcelabels=true, labelloc=b, labeljust=l, label={legend_label(kinds)}];",
            f'  node [shape=ellipse, fontname="{_FONT}", fontsize=12, penwidth=1.2,'
            ' style=filled, fillcolor="white", margin="0.12,0.04"];',
            f'  edge [fontname="{_FONT}", fontsize=10, arrowsize=0.7, penwidth=1.1];']


def _label_node(ident: str, text: str, colour: str) -> str:
    """A label that sits on its edge: a small box in the edge's colour that the edge runs through."""
    return (f"  {_quote(ident)} [shape=box, style=\"filled,rounded\", fillcolor=white, "
            f"color={_quote(colour)}, penwidth=0.8, fontsize=10, margin=\"0.05,0.02\", width=0, "
            f"height=0, fontcolor={_quote(colour)}, label={_quote(text)}, class=\"edge-label\"];")


def _on_edge(a: str, b: str, ident: str, text: str, style: str, colour: str,
             cls: str = "path") -> list[str]:
    """``a -> b`` drawn as two segments through the label node ``ident`` (head at ``b``)."""
    seg = _attrs(style=style, color=colour, **{"class": cls})
    return [_label_node(ident, text, colour if colour != SIG else "#111111"),
            f"  {_quote(a)} -> {_quote(ident)} [{seg}, arrowhead=none];",
            f"  {_quote(ident)} -> {_quote(b)} [{seg}];"]


def interaction_effect(eff: dict, mo) -> dict | None:
    """The effect row of a moderation's interaction in ``eff`` (keyed as the hypotheses key it).

    ``XxM->Y`` first (:func:`replication.compare.core.effects_table`), then the product term's
    own spellings (``X:M->Y``, ``MxX->Y``, ``M:X->Y``), so every moderation finds its estimate
    whichever analysis (regression or latent product) gave it.
    """
    for key in (mo.key, f"{mo.x}:{mo.m}->{mo.y}", f"{mo.m}x{mo.x}->{mo.y}",
                f"{mo.m}:{mo.x}->{mo.y}"):
        row = eff.get(key)
        if row is not None:
            return row
    return None


def _reference_text(value) -> str:
    """``[printed]`` for a value the paper prints, ``[value assumed]`` for an assumption."""
    if value is None:
        return ""
    if value.status == "published":
        return f"[{value.printed or _num(float(value.value))}]"
    return f"[{_num(float(value.value))} assumed]"


def _interaction_text(mo, eff: dict, legend, values: dict | None = None) -> str:
    """``× M estimate stars [reference]``: the interaction (standardized when known)."""
    row = interaction_effect(eff, mo)
    text = f"\u00d7 {mo.m} "
    if row is None:
        text += "n/a"
    else:
        v = float(row.get("std", np.nan) if row.get("std") is not None else np.nan)
        if not np.isfinite(v):
            v = float(row.get("est", np.nan) if row.get("est") is not None else np.nan)
        p = row.get("pvalue")
        text += f"{_num(v)}{stars(float(p) if p is not None else np.nan, legend)}" \
            if np.isfinite(v) else "n/a"
    values = values or {}
    ref = (values.get(f"interactions.{mo.key}.estimate")
           or values.get(f"interactions.{mo.key}.std"))
    ref_text = _reference_text(ref)
    return f"{text} {ref_text}" if ref_text else text


def _covariance_values(parameters: pd.DataFrame | None, metric: str) -> dict:
    """``{(a, b): (value, p)}`` of the ``~~`` rows between two different variables."""
    if parameters is None or len(parameters) == 0:
        return {}
    df = pd.DataFrame(parameters)
    col = "est" if metric == "unstandardized" else "std_all"
    out = {}
    for r in df[df["op"] == "~~"].to_dict("records"):
        if r["lhs"] != r["rhs"]:
            v = (float(r.get(col, np.nan)), float(r.get("pvalue", np.nan)))
            out[(str(r["lhs"]), str(r["rhs"]))] = out[(str(r["rhs"]), str(r["lhs"]))] = v
    return out


def _structure(record):
    """Names, layers, moderations grouped by path, and the covariance pairs drawn."""
    lay = layers(record)
    names = {c: getattr(record.constructs[c], "name", None) or c for c in record.constructs} \
        if isinstance(record.constructs, dict) else {}
    moderated: dict[tuple[str, str], list] = {}
    for mo in record.model.moderations:
        moderated.setdefault((mo.x, mo.y), []).append(mo)
    exo = [c for c in lay[0] if c in record.exogenous()] if lay else []
    pairs = [(a, b) for i, a in enumerate(exo) for b in exo[i + 1:]] if len(exo) <= MAX_ARCS else []
    pairs += [(c.a, c.b) for c in record.model.covariances if (c.a, c.b) not in pairs]
    pairs += [pair for pair in _syntax_covariances(record)
              if pair not in pairs and pair[::-1] not in pairs]
    return lay, names, moderated, pairs


def diagram_source(record, effects: pd.DataFrame | None = None,
                   reference: pd.DataFrame | None = None,
                   parameters: pd.DataFrame | None = None,
                   inline_moderation: bool | None = None) -> tuple[str, str]:
    """The dot source of a record's structural diagram and the metric its labels are in.

    Parameters
    ----------
    record : replication.record.schema.Record
    effects : DataFrame, optional
        :func:`replication.compare.core.effects_table` output (``key, est, std, pvalue``).
    reference : DataFrame, optional
        :func:`replication.compare.core.compare_paths` output.
    parameters : DataFrame, optional
        The structural model's parameter table (``lhs, op, rhs, est, std_all, pvalue``): the
        values of the covariance arcs.
    inline_moderation : bool, optional
        Draw the moderators' arrows in this diagram (default: when at most
        :data:`MAX_INLINE_MODERATED` paths are moderated).

    Returns
    -------
    (str, str)
        dot source; ``"standardized"`` or ``"unstandardized"``.
    """
    lay, names, moderated, pairs = _structure(record)
    if inline_moderation is None:
        inline_moderation = len(moderated) <= MAX_INLINE_MODERATED
    legend = [(m.marker, m.p_below) for m in record.results.significance] or None
    eff = ({str(r["key"]): r for r in effects.to_dict("records")}
           if effects is not None and not effects.empty else {})
    refs = _references(reference)
    metric, _ = _metric(record)
    kinds, body = set(), []
    for layer in lay:
        body.append(f"  {{ rank=same; {' '.join(_quote(c) for c in layer)} }}")
        body += [f"  {_quote(c)} [tooltip={_quote(str(names.get(c, c)))}];" for c in layer]
    for p in record.model.paths:
        label, sig = _path_label(p.key, eff.get(p.key), refs.get(p.key), metric, legend)
        kinds.add("significant" if sig else "not significant")
        mods = moderated.get((p.from_, p.to), []) if inline_moderation else []
        if mods:
            values = record.values()
            label += "\n" + "\n".join(_interaction_text(mo, eff, legend, values) for mo in mods)
        ident = f"label {p.key}"
        body += _on_edge(p.from_, p.to, ident, label, "solid" if sig else "dashed",
                         SIG if sig else NONSIG)
        for mo in mods:
            kinds.add("moderation")
            body.append(f"  {_quote(mo.m)} -> {_quote(ident)} [{_moderation_attrs()}];")
    drawn = {(p.from_, p.to) for p in record.model.paths}
    for mo in record.model.moderations:  # a moderation of a path the record does not draw
        if inline_moderation and (mo.x, mo.y) not in drawn:
            kinds.add("moderation")
            body.append(f"  {_quote(mo.m)} -> {_quote(mo.y)} [{_moderation_attrs()}];")
    covs = _covariance_values(parameters, metric)
    for a, b in pairs:
        kinds.add("covariance")
        v, p = covs.get((a, b), (np.nan, np.nan))
        text = f"{_num(v)}{stars(p, legend)}" if np.isfinite(v) else ""
        body.append(f"  {_quote(a)} -> {_quote(b)} [dir=both, constraint=false, "
                    f"{_attrs(color=COVARIANCE, fontcolor=COVARIANCE)}, arrowsize=0.6, "
                    f"penwidth=1.0, class=\"covariance\", xlabel={_quote(text)}];")
    order = [k for k in ("significant", "not significant", "moderation", "covariance") if k in kinds]
    lines = _graph_head("model", order) + body + ["}"]
    return "\n".join(lines) + "\n", metric


def _moderation_attrs() -> str:
    return (f"style=dotted, penwidth=1.8, {_attrs(color=MODERATION)}, arrowsize=0.7, "
            "constraint=false, class=\"moderation\"")


def moderation_panel_source(record, moderator: str, effects: pd.DataFrame | None = None,
                            reference: pd.DataFrame | None = None) -> str:
    """dot source of the conceptual diagram of one moderator (Hayes 2018, model 1 per path).

    The moderator sits above the paths it moderates; a dotted arrow points at each path's label,
    which reads, line by line: the path's replicated estimate with its stars, the paper's value in
    brackets (``[0.25 assumed]`` when the record assumes it), then the interaction
    ``× M estimate stars`` (standardized) with its own reference.
    """
    legend = [(m.marker, m.p_below) for m in record.results.significance] or None
    eff = ({str(r["key"]): r for r in effects.to_dict("records")}
           if effects is not None and not effects.empty else {})
    refs = _references(reference)
    metric, _ = _metric(record)
    mods = [mo for mo in record.model.moderations if mo.m == moderator]
    values = record.values()
    xs = list(dict.fromkeys(mo.x for mo in mods))
    ys = list(dict.fromkeys(mo.y for mo in mods))
    kinds, body = {"moderation"}, []
    body.append(f"  {{ rank=same; {' '.join(_quote(x) for x in xs)} }}")
    body.append(f"  {{ rank=same; {' '.join(_quote(y) for y in ys)} }}")
    body.append(f"  {_quote(moderator)} [style=\"filled\", fillcolor=\"#fff4ea\", "
                f"{_attrs(color=MODERATION)}];")
    for mo in mods:
        key = f"{mo.x}->{mo.y}"
        label, sig = _path_label(key, eff.get(key), refs.get(key), metric, legend)
        kinds.add("significant" if sig else "not significant")
        ident = f"label {key}"
        text = label + "\n" + _interaction_text(mo, eff, legend, values)
        body += _on_edge(mo.x, mo.y, ident, text, "solid" if sig else "dashed",
                         SIG if sig else NONSIG)
        body.append(f"  {_quote(moderator)} -> {_quote(ident)} [{_moderation_attrs()}];")
    order = [k for k in ("significant", "not significant", "moderation") if k in kinds]
    return "\n".join(_graph_head(f"moderator {moderator}", order, 0.7) + body + ["}"]) + "\n"


def _syntax_covariances(record) -> list[tuple[str, str]]:
    """Covariances between two constructs written in ``model.syntax`` (drawn as arcs too)."""
    if getattr(record.model, "syntax", None) is None:
        return []
    return [(s.lhs, s.rhs) for s in structure(record.model.syntax).statements
            if s.op == "~~" and s.lhs != s.rhs and s.lhs in record.constructs
            and s.rhs in record.constructs]


def _arcs_drawn(record) -> bool:
    lay = layers(record)
    exo = [c for c in lay[0] if c in record.exogenous()] if lay else []
    return len(exo) <= MAX_ARCS


# --------------------------------------------------------------------------------------------
# Measurement view
# --------------------------------------------------------------------------------------------
def measurement_source(parameters: pd.DataFrame, r2: dict | pd.Series | None = None,
                       name: str = "measurement") -> str:
    """dot source of the measurement model: constructs, items, loadings, residuals, R-squared.

    Parameters
    ----------
    parameters : DataFrame
        A CFA parameter table (``lhs, op, rhs, est, std_all, pvalue``): ``=~`` rows give the
        items and their standardized loadings, ``~~`` rows of an item with itself its residual
        variance (standardized: 1 - R-squared).
    r2 : mapping, optional
        R-squared per item (shown in the item's box).
    """
    df = pd.DataFrame(parameters)
    r2 = {} if r2 is None else dict(r2)
    loads = df[df["op"] == "=~"]
    resid = {str(r["lhs"]): float(r.get("std_all", np.nan))
             for r in df[(df["op"] == "~~") & (df["lhs"] == df["rhs"])].to_dict("records")}
    body = []
    for construct, rows in loads.groupby("lhs", sort=False):
        body.append(f"  {_quote(str(construct))};")
        for r in rows.to_dict("records"):
            item = str(r["rhs"])
            text = item + (f"\nR\u00b2 {_num(float(r2[item]))}" if item in r2 else "")
            body.append(f"  {_quote(item)} [shape=box, style=filled, fillcolor=white, "
                        f"fontsize=11, label={_quote(text)}];")
            body.append(f"  {_quote(str(construct))} -> {_quote(item)} "
                        f"[{_attrs(color=SIG)}, class=\"loading\", "
                        f"label={_quote(_num(float(r.get('std_all', np.nan))))}];")
            if np.isfinite(resid.get(item, np.nan)):
                body.append(f"  {_quote(item)}:e -> {_quote(item)}:e [dir=both, "
                            f"{_attrs(color=COVARIANCE, fontcolor=COVARIANCE)}, arrowsize=0.5, "
                            f"class=\"residual\", label={_quote('  ' + _num(resid[item]))}];")
    lines = _graph_head(name, ["loading", "residual"], 1.2)
    lines[1] = lines[1].replace("nodesep=0.3", "nodesep=0.12")
    return "\n".join(lines + body + ["}"]) + "\n"


def measurement_diagram(parameters: pd.DataFrame, r2: dict | pd.Series | None = None,
                        title: str | None = None) -> Diagram:
    """The measurement view of a fitted CFA (see :func:`measurement_source`).

    Parameters
    ----------
    parameters : DataFrame
        The CFA's parameter table (``FitResult.params`` or ``results.json`` ``cfa.parameters``).
    r2 : mapping, optional
        R-squared of the items (``FitResult.r2`` or ``results.json`` ``cfa.r2``).
    title : str, optional
    """
    source = measurement_source(parameters, r2)
    caption = title or ("Measurement model: standardized loadings on the arrows from each "
                        "construct to its items, the items' standardized residual variances on "
                        "the two-headed loops and their R-squared in the boxes.")
    return Diagram(svg=_inline(render(source, "svg")), source=source, caption=caption,
                   name="measurement_diagram")


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------
def render(source: str, fmt: str = "svg") -> bytes:
    """A dot source rendered by Graphviz's ``dot`` (``svg`` or ``pdf``); the same bytes every time.

    ``dot`` runs with ``SOURCE_DATE_EPOCH=0`` (honoured by cairo from 1.17.2 on); older cairo
    writes the time of the run as the PDF's ``/CreationDate``, which :func:`fixed_pdf_dates`
    replaces by a fixed date of the same length (the cross-reference offsets stay valid).
    """
    binary = shutil.which("dot")
    if binary is None:
        raise RuntimeError("Graphviz 'dot' not found: install Graphviz (Debian: apt-get install "
                           "graphviz; `make report` does it as root) to draw path diagrams")
    if fmt not in ("svg", "pdf"):
        raise ValueError(f"fmt: expected 'svg' or 'pdf', got {fmt!r}")
    env = dict(os.environ, SOURCE_DATE_EPOCH="0")
    proc = subprocess.run([binary, "-Kdot", f"-T{fmt}"], input=source.encode("utf-8"),
                          capture_output=True, env=env, timeout=300, check=False)
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"Graphviz dot failed (exit {proc.returncode}): "
                           f"{detail[-1] if detail else 'no message'}")
    return fixed_pdf_dates(proc.stdout) if fmt == "pdf" else proc.stdout


_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate)\s*\(D:)(\d{4,14})([^)]*)\)")


def fixed_pdf_dates(pdf: bytes) -> bytes:
    """The PDF with its ``/CreationDate`` and ``/ModDate`` set to 2000-01-01 00:00:00 UTC.

    Each date keeps its length (digits replaced by the fixed date's, the offset by zeros), so
    the byte offsets of the PDF's cross-reference table stay right.
    """
    def fix(m: re.Match) -> bytes:
        digits = b"20000101000000"[:len(m.group(2))]
        offset = re.sub(rb"\d", b"0", m.group(3))
        return m.group(1) + digits + offset + b")"

    return _PDF_DATE.sub(fix, pdf)


def _inline(svg: bytes) -> str:
    """SVG text for inline HTML: no XML prolog or comments, scaled to its container."""
    text = svg.decode("utf-8")
    text = re.sub(r"^<\?xml[^>]*>\s*", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>\s*", "", text)
    text = re.sub(r"<!--.*?-->\s*", "", text, flags=re.S)
    return text.replace("<svg ", '<svg class="path-diagram-svg" style="max-width: 100%; '
                        'height: auto;" ', 1)


def _render_svg(source: str) -> str:
    """SVG text of a dot source for inline HTML (needs Graphviz's ``dot`` program)."""
    return _inline(render(source, "svg"))


def _legend_text(record) -> str:
    legend = [(m.marker, m.p_below) for m in record.results.significance] or \
        [("*", 0.05), ("**", 0.01), ("***", 0.001)]
    return ", ".join(f"{m} p < {str(b).lstrip('0') if b < 1 else b}"
                     for m, b in sorted(legend, key=lambda t: -t[1]))


def path_diagram(record, effects: pd.DataFrame | None = None,
                 reference: pd.DataFrame | None = None, title: str | None = None,
                 parameters: pd.DataFrame | None = None) -> Diagram:
    """Structural model with replicated estimates beside the paper's, laid out by ``dot``.

    Parameters
    ----------
    record : replication.record.schema.Record
    effects : DataFrame, optional
        :func:`replication.compare.core.effects_table` output (``key, est, std, pvalue``); each
        path ``X->Y`` gets the replicated estimate with the significance stars of ``pvalue`` (the
        paper's own legend when the record has one); interactions ``XxM->Y`` label the
        moderated paths (standardized), mediations ``X=>Y`` are listed under the diagram.
    reference : DataFrame, optional
        :func:`replication.compare.core.compare_paths` output; the reference value of each path
        is shown in brackets, as printed, or with the word "assumed".
    title : str, optional
        Caption (default: what the labels show and in which metric).
    parameters : DataFrame, optional
        The structural model's parameter table: values of the covariance arcs.

    Returns
    -------
    Diagram
        Inline SVG with a caption; ``source`` is the dot text; ``panels`` one conceptual
        diagram per moderator when more than :data:`MAX_INLINE_MODERATED` paths are moderated.
    """
    moderated = {(mo.x, mo.y) for mo in record.model.moderations}
    inline = len(moderated) <= MAX_INLINE_MODERATED
    source, metric = diagram_source(record, effects, reference, parameters, inline)
    _, status = _metric(record)
    how = (f"{metric} estimates" + (" (the metric the paper prints)" if status == "published"
                                   else f" (metric {status})"))
    mod_text = ("" if not moderated else
                "Dotted arrows onto a path's label: a moderation; the label's last line reads "
                "the interaction (\u00d7 moderator, standardized, with stars and the paper's "
                "value in brackets). " if inline else
                "Moderations are drawn in one panel per moderator below. ")
    arcs = ("Two-headed arcs: covariances of the exogenous constructs with their value. "
            if _arcs_drawn(record) else "The exogenous constructs covary freely (not drawn). ")
    caption = title or (f"Path diagram of {record.id}: replicated {how} with significance "
                        f"({_legend_text(record)}); in brackets the value printed in the paper, "
                        f"or assumed by the record. {mod_text}{arcs}".strip())
    notes = []
    if effects is not None and not effects.empty:
        for r in effects[effects["kind"] == "mediation"].to_dict("records"):
            x, y = str(r["key"]).split("=>", 1)
            ci = ""
            if np.isfinite(r.get("ci_low", np.nan)) and np.isfinite(r.get("ci_high", np.nan)):
                ci = f", 95% CI [{_num(r['ci_low'], 3)}, {_num(r['ci_high'], 3)}]"
            notes.append(f"Total indirect effect of {x} on {y}: {_num(r.get('est', np.nan), 3)}"
                         f"{stars(r.get('pvalue', np.nan), legend=None)}{ci}")
    panels = []
    if not inline:
        for w in dict.fromkeys(mo.m for mo in record.model.moderations):
            src = moderation_panel_source(record, w, effects, reference)
            panels.append(Diagram(svg=_render_svg(src), source=src, name=f"moderation_{_safe(w)}",
                                  caption=f"Moderation by {w}: the dotted arrows point at the "
                                          f"paths {w} moderates. Each label reads the path's "
                                          f"replicated estimate with its stars, the paper's value "
                                          f"in brackets (marked \u201cassumed\u201d when the record "
                                          f"assumes it), then the interaction (\u00d7 {w}, "
                                          f"standardized) with its stars and reference."))
    return Diagram(svg=_render_svg(source), source=source, caption=caption, notes=notes,
                   panels=panels)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name)) or "x"
