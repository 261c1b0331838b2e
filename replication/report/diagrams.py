"""Figures of a replicated model: path diagram with estimates, published vs replicated.

:func:`path_diagram` draws the structural model of a record the way the papers draw it:
constructs as ellipses in layers from the exogenous constructs (left) to the last outcomes
(right), one arrow per structural path labelled with the replicated standardized estimate and
its significance stars, the reference value (printed, or assumed) in brackets, dashed arrows
from moderators to the path they moderate, and curved lines for covariances among exogenous
constructs. :func:`published_vs_replicated_plot` is a scatter of every comparable number
(reference on x, replicated on y) where printed references are filled and assumed ones are open
markers, so an assumed value can never be mistaken for a published one.

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot (works under
the Agg backend in headless runs and leaves no global figure state behind).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse, FancyArrowPatch

from replication.engine.errors import InputError

__all__ = ["layers", "stars", "path_diagram", "published_vs_replicated_plot"]


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


def _positions(lay: list[list[str]]) -> dict[str, tuple[float, float]]:
    """Layer ``i`` at x = 3.2 i; constructs of a layer evenly spaced, centred on y = 0."""
    pos = {}
    for i, layer in enumerate(lay):
        k = len(layer)
        for j, c in enumerate(layer):
            pos[c] = (3.2 * i, 1.6 * ((k - 1) / 2.0 - j))
    return pos


def _label(row: pd.Series | None, ref: pd.Series | None, legend) -> str:
    txt = ""
    if row is not None and np.isfinite(row.get("std", np.nan)):
        txt = f"{row['std']:.2f}{stars(row.get('pvalue', np.nan), legend)}"
    if ref is not None:
        if ref["status"] == "published":
            txt += f"\n[{ref['printed']}]"
        else:
            txt += f"\n[{ref['reference']:.2f} assumed]"
    return txt or "n/a"


def _free_spot(start, end, placed, min_dx=0.9, min_dy=0.32):
    """First point along ``start -> end`` (fractions 0.5, 0.38, 0.62, ...) clear of ``placed``.

    Labels are about ``min_dx`` wide and ``min_dy`` high in data units; when no candidate is clear
    the one farthest from its nearest placed label is used.
    """
    best, best_gap = None, -1.0
    for f in (0.5, 0.38, 0.62, 0.3, 0.7, 0.24, 0.76):
        x = start[0] + f * (end[0] - start[0])
        y = start[1] + f * (end[1] - start[1])
        gap = min((max(abs(x - px) / min_dx, abs(y - py) / min_dy) for px, py in placed),
                  default=math.inf)
        if gap >= 1.0:
            return x, y
        if gap > best_gap:
            best, best_gap = (x, y), gap
    return best


def path_diagram(record, effects: pd.DataFrame | None = None,
                 reference: pd.DataFrame | None = None, title: str | None = None,
                 figsize: tuple[float, float] | None = None) -> Figure:
    """Structural model with replicated standardized estimates, like the papers' figures.

    Parameters
    ----------
    record : replication.record.schema.Record
    effects : DataFrame, optional
        :func:`replication.compare.core.effects_table` output (``key, std, pvalue``); each path
        ``X->Y`` is labelled with ``std`` and the significance stars of ``pvalue`` (the paper's
        own legend when the record has one). Interactions ``XxM->Y`` label the moderation
        arrows.
    reference : DataFrame, optional
        :func:`replication.compare.core.compare_paths` output; the reference value of each path
        is shown in brackets, as printed, or with the word "assumed".
    title : str, optional
    figsize : tuple of float, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    lay = layers(record)
    pos = _positions(lay)
    legend = [(m.marker, m.p_below) for m in record.results.significance] or None
    eff = effects.set_index("key") if effects is not None and not effects.empty else None
    ref = None
    if reference is not None and not reference.empty:
        main = reference[reference["quantity"].isin(["estimate", "std"])]
        ref = main.drop_duplicates("path").set_index("path")
    width = max(7.0, 3.0 * len(lay) + 1.5)
    height = max(4.0, 1.5 * max(len(layer) for layer in lay) + 1.0)
    fig = Figure(figsize=figsize or (width, height))
    ax = fig.add_subplot(1, 1, 1)
    ax.set_axis_off()
    ew, eh = 1.5, 0.75
    for c, (x, y) in pos.items():
        ax.add_patch(Ellipse((x, y), ew, eh, facecolor="white", edgecolor="black", linewidth=1.2,
                             zorder=3))
        ax.text(x, y, c, ha="center", va="center", fontsize=10, zorder=4)

    def clip(p0, p1):
        (x0, y0), (x1, y1) = p0, p1
        d = math.hypot(x1 - x0, y1 - y0) or 1.0
        ux, uy = (x1 - x0) / d, (y1 - y0) / d
        a, b = ew / 2, eh / 2
        r = 1.0 / math.sqrt((ux / a) ** 2 + (uy / b) ** 2)
        return (x0 + ux * r, y0 + uy * r), (x1 - ux * r, y1 - uy * r)

    mids = {}
    placed: list[tuple[float, float]] = []
    for p in record.model.paths:
        s, e = clip(pos[p.from_], pos[p.to])
        sig = True
        row = None
        if eff is not None and p.key in eff.index:
            row = eff.loc[p.key]
            pv = row.get("pvalue", np.nan)
            sig = not (np.isfinite(pv) and pv >= 0.05)
        ax.add_patch(FancyArrowPatch(s, e, arrowstyle="-|>", mutation_scale=12,
                                     linewidth=1.3 if sig else 0.9,
                                     linestyle="-" if sig else (0, (4, 2)), color="black",
                                     zorder=2))
        mids[p.key] = ((s[0] + e[0]) / 2, (s[1] + e[1]) / 2)
        # each label goes to the first point along its arrow (middle first) that keeps clear of the
        # labels already placed, so labels of crossing or fanning arrows do not overlap
        mx, my = _free_spot(s, e, placed)
        placed.append((mx, my))
        rrow = ref.loc[p.key] if ref is not None and p.key in ref.index else None
        ax.text(mx, my, _label(row, rrow, legend), ha="center", va="center", fontsize=7.5,
                zorder=5, bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                                "edgecolor": "none", "alpha": 0.85})
    for mo in record.model.moderations:
        target = mids.get(f"{mo.x}->{mo.y}")
        if target is None or mo.m not in pos:
            continue
        mx, my = pos[mo.m]
        start = (mx, my - eh / 2 if my > target[1] else my + eh / 2)
        ax.add_patch(FancyArrowPatch(start, target, arrowstyle="-|>", mutation_scale=10,
                                     linestyle=(0, (3, 2)), color="0.3", linewidth=1.0, zorder=1))
        row = eff.loc[mo.key] if eff is not None and mo.key in eff.index else None
        if row is not None:
            ax.text((start[0] + target[0]) / 2 + 0.15, (start[1] + target[1]) / 2,
                    f"{mo.x}×{mo.m}: {row['std']:.2f}{stars(row.get('pvalue', np.nan), legend)}",
                    fontsize=7, color="0.2", zorder=5)
    exo = [c for c in lay[0] if c in record.exogenous()]
    for i, a in enumerate(exo):
        for b in exo[i + 1:]:
            (xa, ya), (xb, yb) = pos[a], pos[b]
            ax.add_patch(FancyArrowPatch((xa - ew / 2, ya), (xb - ew / 2, yb), arrowstyle="<|-|>",
                                         mutation_scale=8, connectionstyle="arc3,rad=0.35",
                                         color="0.5", linewidth=0.8, zorder=1))
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    ax.set_xlim(min(xs) - 1.6, max(xs) + 1.2)
    ax.set_ylim(min(ys) - 0.9, max(ys) + 0.9)
    ax.set_aspect("equal")
    ax.set_title(title or f"{record.id}: standardized estimates (replicated), [reference]",
                 fontsize=10)
    fig.text(0.01, 0.01, "dashed arrow: p >= .05 or moderation; [x] printed in the paper; "
             "[x assumed] assumed by the record", fontsize=7, color="0.3")
    fig.tight_layout()
    return fig


def published_vs_replicated_plot(*tables: pd.DataFrame,
                                 quantities: Sequence[str] = ("estimate", "std", "loading"),
                                 title: str | None = None,
                                 figsize: tuple[float, float] = (5.5, 5.0)) -> Figure:
    """Scatter of reference values (x) against replicated values (y).

    Parameters
    ----------
    *tables : DataFrame
        Comparison tables from :mod:`replication.compare.core` (columns ``quantity, status,
        reference, replicated``).
    quantities : sequence of str
        Quantities to plot (default: path estimates and loadings, which share a scale).
    title : str, optional
    figsize : tuple of float

    Returns
    -------
    matplotlib.figure.Figure
        Filled markers for published references, open markers for assumed ones, one marker
        shape per quantity, and the identity line.
    """
    frames = [t for t in tables if t is not None and not t.empty]
    need = {"quantity", "status", "reference", "replicated"}
    for t in frames:
        if not need <= set(t.columns):
            raise InputError(f"published_vs_replicated_plot: tables need columns {sorted(need)}")
    data = pd.concat([t[list(need)] for t in frames], ignore_index=True) if frames else \
        pd.DataFrame(columns=list(need))
    data = data[data["quantity"].isin(quantities)]
    data = data[np.isfinite(data["reference"].astype(float)) & np.isfinite(data["replicated"].astype(float))]
    fig = Figure(figsize=figsize)
    ax = fig.add_subplot(1, 1, 1)
    shapes = {"estimate": "o", "std": "o", "loading": "s"}
    names = {"estimate": "path estimate", "std": "path estimate", "loading": "loading"}
    drawn = set()
    for (q, s), g in data.groupby(["quantity", "status"], sort=True):
        label = f"{names.get(q, q)} ({'published' if s == 'published' else 'assumed'})"
        if label in drawn:
            label = None
        drawn.add(label)
        filled = s == "published"
        ax.scatter(g["reference"].astype(float), g["replicated"].astype(float),
                   marker=shapes.get(q, "^"), s=34,
                   facecolors="black" if filled else "none", edgecolors="black",
                   linewidths=1.0, label=label, zorder=3)
    if len(data):
        lo = float(min(data["reference"].min(), data["replicated"].min()))
        hi = float(max(data["reference"].max(), data["replicated"].max()))
    else:
        lo, hi = 0.0, 1.0
    pad = 0.05 * (hi - lo or 1.0)
    ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="0.5", linewidth=0.8, zorder=1)
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_xlabel("reference (printed in the paper, or assumed)")
    ax.set_ylabel("replicated")
    ax.set_title(title or "Published vs replicated")
    if len(data):
        ax.legend(frameon=False, fontsize=8, loc="upper left")
    else:
        ax.text(0.5, 0.5, "nothing comparable", ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    return fig
