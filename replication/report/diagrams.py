"""Path diagrams of a replicated model, laid out by Graphviz ``dot`` and drawn as SVG.

:func:`path_diagram` draws the structural model of a record as semPlot-like tools and semopy's
``semplot`` do, with Graphviz's layered layout (Gansner, Koutsofios, North and Vo 1993, "A
technique for drawing directed graphs", IEEE TSE 19(3)): constructs as ellipses in ranks from the
exogenous constructs (left) to the last outcomes (right); one arrow per structural path, solid
when the replicated effect is significant at .05 and dashed otherwise; a moderated path passes
through a small junction point that the moderator's dashed arrow points at, so the moderation is
drawn onto the path it moderates; covariances among exogenous constructs (and any the record
lists) as curved two-headed arrows on the left side. ``dot`` places every edge label as a node
of its own, so labels do not overlap each other or the arrows' crossings.

Every path label reads ``replicated [reference]`` in one metric: the metric in which the paper
printed its estimates (``model.estimate_metric`` of the record, printed or assumed), or the
standardized metric for estimates the record assumes; the caption says which.

:func:`path_diagram` returns a :class:`Diagram` that a notebook shows as inline SVG (vector, no
image file), with the caption and notes as HTML below it.
"""

from __future__ import annotations

import html
import math
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from replication.engine.errors import InputError
from replication.record.lavaan import structure
from replication.report.plots import published_vs_replicated_plot  # noqa: F401 - moved, kept importable

__all__ = ["Diagram", "layers", "stars", "path_diagram", "diagram_source",
           "published_vs_replicated_plot"]

_FONT = "Helvetica,Arial,sans-serif"
#: Covariances among more exogenous constructs than this are stated in the caption, not drawn.
MAX_ARCS = 4


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
    g = nx.DiGraph()
    order = list(record.constructs)
    used = []
    for p in record.model.paths:
        g.add_edge(p.from_, p.to)
        used += [p.from_, p.to]
    for m in record.model.moderations:
        used += [m.x, m.m, m.y]
        g.add_node(m.m)
    if not nx.is_directed_acyclic_graph(g):
        raise InputError(f"{record.id}: model.paths contain a cycle; a layered diagram needs none")
    depth: dict[str, int] = {}
    for node in nx.topological_sort(g):
        preds = list(g.predecessors(node))
        depth[node] = 1 + max(depth[q] for q in preds) if preds else 0
    for m in record.model.moderations:
        if g.in_degree(m.m) == 0 and m.m not in {p.from_ for p in record.model.paths}:
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
    """A path diagram: ``svg`` (inline SVG text), ``source`` (dot), caption and notes."""

    svg: str
    source: str
    caption: str = ""
    notes: list[str] = field(default_factory=list)

    def to_html(self) -> str:
        """The SVG inside a ``<figure>`` with its caption and notes."""
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        notes = f'<ul style="margin: 0.3em 0; font-size: 12px; color: #333;">{notes}</ul>' if notes else ""
        cap = (f'<figcaption style="font-size: 12px; color: #333; max-width: 60em;">'
               f"{html.escape(self.caption)}</figcaption>") if self.caption else ""
        return (f'<figure class="path-diagram" style="margin: 0.5em 0;">'
                f'<div style="max-width: 100%; overflow-x: auto;">{self.svg}</div>{cap}{notes}'
                f"</figure>")

    def _repr_html_(self) -> str:
        return self.to_html()


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


# --------------------------------------------------------------------------------------------
# dot source
# --------------------------------------------------------------------------------------------
def diagram_source(record, effects: pd.DataFrame | None = None,
                   reference: pd.DataFrame | None = None) -> tuple[str, str]:
    """The dot source of a record's path diagram and the metric its labels are in.

    Parameters
    ----------
    record : replication.record.schema.Record
    effects : DataFrame, optional
        :func:`replication.compare.core.effects_table` output (``key, est, std, pvalue``).
    reference : DataFrame, optional
        :func:`replication.compare.core.compare_paths` output.

    Returns
    -------
    (str, str)
        dot source; ``"standardized"`` or ``"unstandardized"``.
    """
    lay = layers(record)
    legend = [(m.marker, m.p_below) for m in record.results.significance] or None
    eff = ({str(r["key"]): r for r in effects.to_dict("records")}
           if effects is not None and not effects.empty else {})
    refs = _references(reference)
    metric, _ = _metric(record)
    lines = ["digraph model {",
             f'  graph [rankdir=LR, nodesep=0.45, ranksep=1.1, splines=true, fontname="{_FONT}",'
             ' bgcolor="transparent", pad=0.15, newrank=true];',
             f'  node [shape=ellipse, fontname="{_FONT}", fontsize=12, penwidth=1.2,'
             ' style=filled, fillcolor="white", margin="0.12,0.04"];',
             f'  edge [fontname="{_FONT}", fontsize=10, arrowsize=0.7, penwidth=1.1];']
    names = {c: getattr(record.constructs[c], "name", None) or c for c in record.constructs} \
        if isinstance(record.constructs, dict) else {}
    moderated: dict[tuple[str, str], list] = {}
    for mo in record.model.moderations:
        moderated.setdefault((mo.x, mo.y), []).append(mo)
    for layer in lay:
        lines.append(f"  {{ rank=same; {' '.join(_quote(c) for c in layer)} }}")
        for c in layer:
            lines.append(f"  {_quote(c)} [tooltip={_quote(str(names.get(c, c)))}];")
    for p in record.model.paths:
        label, sig = _path_label(p.key, eff.get(p.key), refs.get(p.key), metric, legend)
        style = "solid" if sig else "dashed"
        colour = "#111111" if sig else "#777777"
        attrs = f"style={style}, color={_quote(colour)}, fontcolor={_quote(colour)}"
        if (p.from_, p.to) in moderated:
            # the path runs through a junction point; each moderator's dashed arrow ends there and
            # the interaction estimates label the segment after it, so they read as the path's
            j = _quote(f"junction {p.from_}->{p.to}")
            lines.append(f"  {j} [shape=point, width=0.07, label=\"\", color={_quote(colour)}];")
            lines.append(f"  {_quote(p.from_)} -> {j} [{attrs}, arrowhead=none, label={_quote(label)}];")
            inter = []
            for mo in moderated[(p.from_, p.to)]:
                row = eff.get(mo.key)
                text = f"\u00d7 {mo.m}"
                if row is not None:
                    text += f" {_num(float(row.get('std', np.nan)))}" \
                            f"{stars(float(row.get('pvalue', np.nan)), legend)}"
                inter.append(text)
                lines.append(f"  {_quote(mo.m)} -> {j} [style=dashed, color=\"#555555\", "
                             "arrowsize=0.6];")
            lines.append(f"  {j} -> {_quote(p.to)} [style={style}, color={_quote(colour)}, "
                         f"fontcolor=\"#333333\", label={_quote(chr(10).join(inter))}];")
        else:
            lines.append(f"  {_quote(p.from_)} -> {_quote(p.to)} [{attrs}, label={_quote(label)}];")
    for mo in record.model.moderations:  # a moderation of a path the record does not draw
        if not any((p.from_, p.to) == (mo.x, mo.y) for p in record.model.paths):
            lines.append(f"  {_quote(mo.m)} -> {_quote(mo.y)} [style=dotted, color=\"#555555\"];")
    exo = [c for c in lay[0] if c in record.exogenous()] if lay else []
    pairs = [(a, b) for i, a in enumerate(exo) for b in exo[i + 1:]] if len(exo) <= MAX_ARCS else []
    pairs += [(c.a, c.b) for c in record.model.covariances if (c.a, c.b) not in pairs]
    pairs += [pair for pair in _syntax_covariances(record)
              if pair not in pairs and pair[::-1] not in pairs]
    for a, b in pairs:
        lines.append(f"  {_quote(a)}:w -> {_quote(b)}:w [dir=both, constraint=false, "
                     "color=\"#888888\", arrowsize=0.5, penwidth=0.8];")
    lines.append("}")
    return "\n".join(lines) + "\n", metric


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


def _render_svg(source: str) -> str:
    """SVG text of a dot source (needs Graphviz's ``dot`` program)."""
    import graphviz

    if shutil.which("dot") is None:
        raise RuntimeError("Graphviz 'dot' not found: install Graphviz (Debian: apt-get install "
                           "graphviz; `make report` does it as root) to draw path diagrams")
    svg = graphviz.Source(source, engine="dot").pipe(format="svg").decode("utf-8")
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)
    svg = svg.replace("<svg ", '<svg class="path-diagram-svg" style="max-width: 100%; height: auto;" ', 1)
    return svg


def path_diagram(record, effects: pd.DataFrame | None = None,
                 reference: pd.DataFrame | None = None, title: str | None = None) -> Diagram:
    """Structural model with replicated estimates beside the paper's, laid out by ``dot``.

    Parameters
    ----------
    record : replication.record.schema.Record
    effects : DataFrame, optional
        :func:`replication.compare.core.effects_table` output (``key, est, std, pvalue``); each
        path ``X->Y`` gets the replicated estimate with the significance stars of ``pvalue`` (the
        paper's own legend when the record has one); interactions ``XxM->Y`` label the
        moderators' arrows (standardized), mediations ``X=>Y`` are listed under the diagram.
    reference : DataFrame, optional
        :func:`replication.compare.core.compare_paths` output; the reference value of each path
        is shown in brackets, as printed, or with the word "assumed".
    title : str, optional
        Caption (default: what the labels show and in which metric).

    Returns
    -------
    Diagram
        Inline SVG with a caption; ``source`` is the dot text.
    """
    source, metric = diagram_source(record, effects, reference)
    _, status = _metric(record)
    legend = [(m.marker, m.p_below) for m in record.results.significance] or \
        [("*", 0.05), ("**", 0.01), ("***", 0.001)]
    key = ", ".join(f"{m} p < {str(b).lstrip('0') if b < 1 else b}"
                    for m, b in sorted(legend, key=lambda t: -t[1]))
    how = (f"{metric} estimates" + (" (the metric the paper prints)" if status == "published"
                                   else f" (metric {status})"))
    caption = title or (f"Path diagram of {record.id}: replicated {how} with significance "
                        f"({key}); in brackets the value printed in the paper, or assumed by the "
                        "record. Dashed: not significant at .05 (paths) or a moderation (onto the "
                        "path it moderates; the interaction, standardized, labels the path after the "
                        "junction). " + ("Curved two-headed arrows: covariances of the exogenous "
                                        "constructs." if _arcs_drawn(record) else
                                        "The exogenous constructs covary freely (not drawn)."))
    notes = []
    if effects is not None and not effects.empty:
        for r in effects[effects["kind"] == "mediation"].to_dict("records"):
            x, y = str(r["key"]).split("=>", 1)
            ci = ""
            if np.isfinite(r.get("ci_low", np.nan)) and np.isfinite(r.get("ci_high", np.nan)):
                ci = f", 95% CI [{_num(r['ci_low'], 3)}, {_num(r['ci_high'], 3)}]"
            notes.append(f"Total indirect effect of {x} on {y}: {_num(r.get('est', np.nan), 3)}"
                         f"{stars(r.get('pvalue', np.nan), legend)}{ci}")
    return Diagram(svg=_render_svg(source), source=source, caption=caption, notes=notes)
