"""Figures: moderation (simple slopes with the Johnson-Neyman region), published vs replicated,
forest plot of replication tests.

- :func:`moderation_plots`: one figure per moderation of a record (each ``x, m, y`` once, latent
  moderations included), each with two panels: the simple slopes of ``x`` at the moderator's mean
  and +/- 1 SD (Aiken and West 1991), and the conditional effect of ``x`` across the moderator
  with its confidence band and the Johnson-Neyman region of significance shaded (Johnson and
  Neyman 1936; Bauer and Curran 2005, "Probing interactions in fixed and multilevel
  regression", Multivariate Behavioral Research 40(3), 373-400).
- :func:`published_vs_replicated_plot`: every comparable number, reference on x and replicated on
  y, filled markers for printed references and open ones for assumed references, the points
  outside their tolerance labelled.
- :func:`forest_plot`: original and replication estimates with their 95% intervals per
  hypothesis (and the prediction interval for the replication where given).

The statistics come from :mod:`replication.analyses.moderation`; this module only draws them.
Every function returns a :class:`matplotlib.figure.Figure` built without pyplot, so it works
under any backend (Agg in headless runs) and leaves no global figure state behind. Numbers in
legends and labels are written by :mod:`replication.report.tables` (``p < .001``, never
``p = 0.000`` or ``-0.00``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy.special import ndtri

from replication.analyses import latent_moderation as latent_mod
from replication.analyses import moderation as mod
from replication.engine.errors import InputError
from replication.report.tables import number_text, p_text

__all__ = [
    "simple_slopes_plot",
    "johnson_neyman_plot",
    "moderation_figure",
    "latent_moderation_figure",
    "moderation_plots",
    "published_vs_replicated_plot",
    "forest_plot",
    "replication_rows",
]

_STYLES = ["--", "-", ":", "-.", (0, (5, 1)), (0, (3, 1, 1, 1))]


def _p_label(p: float) -> str:
    text = p_text(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def _level(u: float) -> str:
    return "mean" if u == 0 else f"{u:+g} SD"


# --------------------------------------------------------------------------------------------
# Panels
# --------------------------------------------------------------------------------------------
def _slopes_panel(ax, rows: pd.DataFrame, xv: str, mv: str, yv: str, x_span: float) -> None:
    """Predicted ``y`` against ``x`` at each probed moderator value (one line each)."""
    for i, r in enumerate(rows.sort_values("sd_units").to_dict("records")):
        x_mean = float(r.get("x_mean", 0.0)) if np.isfinite(r.get("x_mean", np.nan)) else 0.0
        x_sd = float(r.get("x_sd", 1.0)) if np.isfinite(r.get("x_sd", np.nan)) else 1.0
        icpt = float(r.get("intercept", 0.0)) if np.isfinite(r.get("intercept", np.nan)) else 0.0
        xs = np.linspace(x_mean - x_span * x_sd, x_mean + x_span * x_sd, 2)
        ys = icpt + float(r["slope"]) * (xs - x_mean)
        ax.plot(xs, ys, linestyle=_STYLES[i % len(_STYLES)], color="black", linewidth=1.6,
                label=f"{mv} {_level(float(r['sd_units']))} ({number_text(r['m_value'], 2)}): "
                      f"slope {number_text(r['slope'], 3)}, {_p_label(r['pvalue'])}")
    ax.set_xlabel(str(xv))
    ax.set_ylabel(f"predicted {yv}")
    ax.set_title("Simple slopes", fontsize=10)
    ax.legend(frameon=False, fontsize=7.5, loc="best")


def _jn_panel(ax, grid: pd.DataFrame, bounds: Sequence[float], m_range: Sequence[float],
              xv: str, mv: str, yv: str, level: float) -> None:
    """Conditional effect of ``x`` across ``m`` with its band and region of significance."""
    w = grid["m_value"].to_numpy(dtype=float)
    ax.fill_between(w, grid["ci_low"].to_numpy(dtype=float), grid["ci_high"].to_numpy(dtype=float),
                    color="0.82", label=f"{100 * level:g}% confidence band", linewidth=0)
    ax.plot(w, grid["slope"].to_numpy(dtype=float), color="black", linewidth=1.6,
            label=f"effect of {xv} on {yv}")
    sig = grid["significant"].to_numpy(dtype=bool)
    if sig.any():
        ax.fill_between(w, 0, 1, where=sig, transform=ax.get_xaxis_transform(), color="#2b6cb0",
                        alpha=0.10, step="mid", label="region of significance", linewidth=0)
    ax.axhline(0.0, color="0.4", linewidth=0.8, label="no effect (0)")
    inside = [b for b in bounds if np.isfinite(b) and m_range[0] <= b <= m_range[1]]
    for b in inside:
        ax.axvline(b, color="#b3141b", linestyle="--", linewidth=1.0,
                   label="Johnson-Neyman bound" if b == inside[0] else None)
        ax.annotate(number_text(b, 2), (b, 1.0), xycoords=("data", "axes fraction"),
                    textcoords="offset points", xytext=(3, -12), fontsize=8, color="#b3141b")
    ax.set_xlim(float(np.min(w)), float(np.max(w)))
    ax.set_xlabel(str(mv))
    ax.set_ylabel(f"conditional effect of {xv}")
    if inside:
        where = ", ".join(number_text(b, 2) for b in inside)
        title = f"Johnson-Neyman: significance changes at {mv} = {where}"
    elif sig.all():
        title = "Johnson-Neyman: significant over the whole observed range"
    elif not sig.any():
        title = "Johnson-Neyman: not significant anywhere in the observed range"
    else:
        title = "Johnson-Neyman region of significance"
    ax.set_title(title, fontsize=10)
    ax.legend(frameon=False, fontsize=7.5, loc="best")


# --------------------------------------------------------------------------------------------
# One moderation
# --------------------------------------------------------------------------------------------
def _select(slopes: pd.DataFrame, x, m, y) -> tuple[pd.DataFrame, str, str, str]:
    need = {"y", "x", "m", "sd_units", "m_value", "slope", "pvalue"}
    if not isinstance(slopes, pd.DataFrame) or not need <= set(slopes.columns):
        raise InputError(f"moderation plot: slopes must be a DataFrame with columns {sorted(need)}")
    sel = slopes
    for col, val in (("x", x), ("m", m), ("y", y)):
        if val is not None:
            sel = sel[sel[col] == val]
    if sel.empty:
        raise InputError(f"moderation plot: no slopes for x={x}, m={m}, y={y}")
    combos = sel[["x", "m", "y"]].drop_duplicates()
    if len(combos) > 1:
        raise InputError("moderation plot: slopes hold several x/m/y combinations; pass x, m and y")
    xv, mv, yv = (str(v) for v in combos.iloc[0])
    return sel, xv, mv, yv


def moderation_figure(slopes: pd.DataFrame, jn=None, *, x: str | None = None,
                      m: str | None = None, y: str | None = None, x_span: float = 1.0,
                      title: str | None = None, figsize: tuple[float, float] = (10.0, 3.9)) -> Figure:
    """Simple slopes and the Johnson-Neyman plot of one moderation, side by side.

    Parameters
    ----------
    slopes : DataFrame
        :func:`replication.analyses.moderation.simple_slopes` output (``y, x, m, sd_units,
        m_value, slope, pvalue``, and ``intercept, x_mean, x_sd`` for the lines).
    jn : JohnsonNeymanResult, optional
        :func:`replication.analyses.moderation.johnson_neyman` of the same ``x, m, y``; without
        it only the simple slopes are drawn.
    x, m, y : str, optional
        Which moderation, when ``slopes`` holds several.
    x_span : float
        Lines run over ``x_mean +/- x_span * x_sd``.
    title : str, optional
    figsize : tuple of float

    Returns
    -------
    matplotlib.figure.Figure
    """
    sel, xv, mv, yv = _select(slopes, x, m, y)
    grid = getattr(jn, "grid", None)
    two = isinstance(grid, pd.DataFrame) and not grid.empty
    fig = Figure(figsize=figsize if two else (figsize[0] / 2 + 0.5, figsize[1]))
    ax = fig.add_subplot(1, 2 if two else 1, 1)
    _slopes_panel(ax, sel, xv, mv, yv, x_span)
    if two:
        _jn_panel(fig.add_subplot(1, 2, 2), grid, jn.bounds, jn.m_range, xv, mv, yv,
                  1 - float(jn.alpha))
    fig.suptitle(title or f"{mv} moderates {xv} \u2192 {yv}", fontsize=11)
    _panel_margins(fig, two)
    return fig


def _panel_margins(fig: Figure, two: bool) -> None:
    """Fixed margins for the simple-slopes and Johnson-Neyman panels, whose tick labels are
    short numbers: room for the title above, the axis labels and the gap between the panels
    (the notebook's figures are saved with a tight bounding box, which trims the rest). Much
    faster than ``tight_layout``, which measures every text of the figure."""
    fig.subplots_adjust(left=0.09 if two else 0.16, right=0.97, bottom=0.14, top=0.84,
                        wspace=0.32)


def latent_moderation_figure(result, *, alpha: float = 0.05, span: float = 2.5, points: int = 101,
                             title: str | None = None,
                             figsize: tuple[float, float] = (10.0, 3.9)) -> Figure:
    """Simple slopes and Johnson-Neyman plot of a latent interaction.

    Parameters
    ----------
    result : LatentModerationResult
        :func:`replication.analyses.latent_moderation.latent_moderation` output.
    alpha : float
        Level of the band and of the region of significance (normal critical value, as the
        Wald z of the latent model).
    span : float
        The conditional effect is drawn for latent moderator values within +/- ``span`` SD.
    points : int
        Grid points of the conditional effect.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The conditional effect and its standard error at each moderator value are those of
    :func:`replication.analyses.latent_moderation.latent_simple_slopes` (slope ``g1 + g3 w``, delta-
    method S.E.); the region of significance is where ``|z| > z_(1 - alpha/2)`` on that grid
    and its bounds are interpolated between grid points (Bauer and Curran 2005).
    """
    fit = result.fit
    x, m, inter, y = _latent_roles(result)
    levels = np.linspace(-span, span, points)
    grid = latent_mod.latent_simple_slopes(fit, x, m, y, inter, levels=levels)
    crit = float(ndtri(1 - alpha / 2))
    g = pd.DataFrame({"m_value": grid["m_value"], "slope": grid["slope"],
                      "ci_low": grid["slope"] - crit * grid["se"],
                      "ci_high": grid["slope"] + crit * grid["se"],
                      "significant": np.abs(grid["z"]) > crit})
    bounds = []
    z = np.abs(grid["z"].to_numpy(dtype=float)) - crit
    w = grid["m_value"].to_numpy(dtype=float)
    for i in range(len(z) - 1):
        if np.isfinite(z[i]) and np.isfinite(z[i + 1]) and z[i] * z[i + 1] < 0:
            bounds.append(w[i] + (w[i + 1] - w[i]) * z[i] / (z[i] - z[i + 1]))
    slopes = result.slopes.copy()
    slopes["x"], slopes["m"], slopes["y"] = x, m, y
    fig = Figure(figsize=figsize)
    _slopes_panel(fig.add_subplot(1, 2, 1), slopes, x, f"{m} (latent)", y, 1.0)
    _jn_panel(fig.add_subplot(1, 2, 2), g, bounds, (float(w.min()), float(w.max())), x,
              f"{m} (latent, centred)", y, 1 - alpha)
    fig.suptitle(title or f"{m} moderates {x} \u2192 {y} (latent interaction)", fontsize=11)
    _panel_margins(fig, True)
    return fig


def _latent_roles(result) -> tuple[str, str, str, str]:
    """``x, m, interaction, y`` of a latent moderation (its regression ``y ~ x + m + x:m ...``)."""
    paths = result.paths
    rhs = [str(v) for v in paths["rhs"]]
    if len(rhs) < 3:
        raise InputError("latent moderation plot: expected the regression y ~ x + m + interaction")
    return rhs[0], rhs[1], rhs[2], str(paths["lhs"].iloc[0])


def moderation_plots(record, moderation) -> list[Figure]:
    """One figure per moderation of a record, in record order, each ``x, m, y`` once.

    Parameters
    ----------
    record : replication.record.schema.Record
    moderation : dict or object
        :func:`replication.pipeline.steps.run_moderation` output: ``regression`` (a
        ModerationResult or None) and ``latent`` (LatentModerationResults), as keys or attributes.

    Returns
    -------
    list of Figure
        Regression moderations: :func:`moderation_figure` with simple slopes and
        Johnson-Neyman; latent ones: :func:`latent_moderation_figure`.
    """
    get = moderation.get if isinstance(moderation, dict) else \
        (lambda k, d=None: getattr(moderation, k, d))
    reg = get("regression")
    latent = list(get("latent") or [])
    slopes = mod.simple_slopes(reg) if reg is not None else None
    figures, seen = [], set()
    for mo in record.model.moderations:
        key = (mo.x, mo.m, mo.y)
        if key in seen:
            continue
        seen.add(key)
        if mo.method == "regression" and slopes is not None:
            jn = mod.johnson_neyman(reg, mo.x, mo.m, mo.y)
            figures.append(moderation_figure(slopes, jn, x=mo.x, m=mo.m, y=mo.y))
        elif mo.method == "latent_product":
            for res in latent:
                x, m, _, y = _latent_roles(res)
                if (x, m, y) == key:
                    figures.append(latent_moderation_figure(res))
                    break
    return figures


def simple_slopes_plot(slopes: pd.DataFrame, x: str | None = None, m: str | None = None,
                       y: str | None = None, x_span: float = 1.0, title: str | None = None,
                       figsize: tuple[float, float] = (5.5, 4.0)) -> Figure:
    """Simple slopes of one moderation alone (see :func:`moderation_figure`)."""
    sel, xv, mv, yv = _select(slopes, x, m, y)
    fig = Figure(figsize=figsize)
    _slopes_panel(fig.add_subplot(1, 1, 1), sel, xv, mv, yv, x_span)
    fig.suptitle(title or f"{mv} moderates {xv} \u2192 {yv}", fontsize=11)
    fig.tight_layout()
    return fig


def johnson_neyman_plot(jn, title: str | None = None,
                        figsize: tuple[float, float] = (5.5, 4.0)) -> Figure:
    """Johnson-Neyman plot of one moderation alone (see :func:`moderation_figure`)."""
    grid = getattr(jn, "grid", None)
    need = {"m_value", "slope", "ci_low", "ci_high", "significant"}
    if not isinstance(grid, pd.DataFrame) or not need <= set(grid.columns):
        raise InputError("johnson_neyman_plot: expected the result of johnson_neyman()")
    fig = Figure(figsize=figsize)
    _jn_panel(fig.add_subplot(1, 1, 1), grid, jn.bounds, jn.m_range, jn.x, jn.m, jn.y,
              1 - float(jn.alpha))
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Published vs replicated
# --------------------------------------------------------------------------------------------
def _point_name(row: dict) -> str:
    for col in ("path", "item"):
        if str(row.get(col) or "").strip():
            return str(row[col])
    name = str(row.get("construct") or row.get("measure") or row.get("target") or "")
    q = str(row.get("quantity") or "")
    return f"{name} {q}".strip() if q and q != name else name


def published_vs_replicated_plot(*tables: pd.DataFrame,
                                 quantities: Sequence[str] = ("estimate", "std", "loading"),
                                 label_outliers: int = 10, title: str | None = None,
                                 figsize: tuple[float, float] = (5.8, 5.2),
                                 published_only: bool = False) -> Figure | None:
    """Scatter of reference values (x) against replicated values (y).

    Parameters
    ----------
    *tables : DataFrame
        Comparison tables from :mod:`replication.compare.core` (``quantity, status, reference,
        replicated``; ``verdict``, ``difference`` and a row name such as ``path`` or ``item``
        for the labels).
    quantities : sequence of str
        Quantities to plot (default: path estimates and loadings, which share a scale).
    label_outliers : int
        At most this many points outside their tolerance (verdict ``not reproduced``) are
        labelled with their name, the largest differences first.
    title : str, optional
    figsize : tuple of float
    published_only : bool
        Plot only values printed in the paper (an assumed value compared with a replication of
        itself says nothing); None when there is none.

    Returns
    -------
    matplotlib.figure.Figure or None
        Filled markers for published references, open markers for assumed ones, one marker
        shape per quantity, the identity line, the outliers labelled.
    """
    frames = [t for t in tables if t is not None and not t.empty]
    need = {"quantity", "status", "reference", "replicated"}
    for t in frames:
        if not need <= set(t.columns):
            raise InputError(f"published_vs_replicated_plot: tables need columns {sorted(need)}")
    data = pd.DataFrame([r for t in frames for r in t.to_dict("records")],
                        columns=sorted(set().union(*[set(t.columns) for t in frames]) | need))
    data = data[data["quantity"].isin(quantities)]
    if published_only:
        data = data[data["status"] == "published"]
        if data.empty:
            return None
    data = data[np.isfinite(pd.to_numeric(data["reference"], errors="coerce")) &
                np.isfinite(pd.to_numeric(data["replicated"], errors="coerce"))]
    fig = Figure(figsize=figsize)
    ax = fig.add_subplot(1, 1, 1)
    shapes = {"estimate": "o", "std": "o", "loading": "s"}
    names = {"estimate": "path estimate", "std": "path estimate", "loading": "loading"}
    drawn = set()
    for (q, s), g in data.groupby(["quantity", "status"], sort=True):
        label = f"{names.get(q, q)} ({'printed' if s == 'published' else 'assumed'})"
        filled = s == "published"
        ax.scatter(g["reference"].astype(float), g["replicated"].astype(float),
                   marker=shapes.get(q, "^"), s=30, facecolors="black" if filled else "none",
                   edgecolors="black", linewidths=1.0,
                   label=None if label in drawn else label, zorder=3)
        drawn.add(label)
    if len(data):
        lo = float(min(data["reference"].astype(float).min(), data["replicated"].astype(float).min()))
        hi = float(max(data["reference"].astype(float).max(), data["replicated"].astype(float).max()))
    else:
        lo, hi = 0.0, 1.0
    pad = 0.06 * (hi - lo or 1.0)
    ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="0.5", linewidth=0.8, zorder=1,
            label="replicated = reference")
    if "verdict" in data.columns and label_outliers:
        out = data[data["verdict"] == "not reproduced"].copy()
        out["gap"] = (out["replicated"].astype(float) - out["reference"].astype(float)).abs()
        for k, r in enumerate(out.sort_values("gap", ascending=False).head(label_outliers)
                              .to_dict("records")):
            ax.annotate(_point_name(r), (float(r["reference"]), float(r["replicated"])),
                        textcoords="offset points", xytext=(6, -10 if k % 2 else 5), fontsize=7.5,
                        color="#b3141b",
                        arrowprops={"arrowstyle": "-", "color": "#b3141b", "linewidth": 0.5})
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_aspect("equal")
    ax.set_xlabel("published value (printed in the paper)" if published_only
                  else "reference (printed in the paper, or assumed)")
    ax.set_ylabel("replicated value")
    ax.set_title(title or "Published vs replicated", fontsize=11)
    if len(data):
        ax.legend(frameon=False, fontsize=8, loc="upper left")
    else:
        ax.text(0.5, 0.5, "nothing comparable", ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Forest plot of replication tests
# --------------------------------------------------------------------------------------------
def replication_rows(hypotheses: Sequence[dict]) -> pd.DataFrame:
    """Forest-plot rows from hypotheses that carry ``replication`` tests (results.json shape).

    Parameters
    ----------
    hypotheses : sequence of dict
        Each with ``hypothesis`` and ``replication``: ``original`` and ``replication``
        (``{estimate, se}``), optionally ``prediction_interval`` ``[lo, hi]``.

    Returns
    -------
    DataFrame
        ``label, original, original_se, replication, replication_se, pi_low, pi_high``.
    """
    rows = []
    for h in hypotheses:
        rep = h.get("replication")
        if not isinstance(rep, dict):
            continue
        o, r = rep.get("original") or {}, rep.get("replication") or {}
        pi = rep.get("prediction_interval") or [np.nan, np.nan]
        rows.append({"label": str(h.get("hypothesis", h.get("id", ""))),
                     "original": o.get("estimate", np.nan), "original_se": o.get("se", np.nan),
                     "replication": r.get("estimate", np.nan),
                     "replication_se": r.get("se", np.nan),
                     "pi_low": pi[0] if pi[0] is not None else np.nan,
                     "pi_high": pi[1] if pi[1] is not None else np.nan})
    cols = ["label", "original", "original_se", "replication", "replication_se", "pi_low", "pi_high"]
    return pd.DataFrame(rows, columns=cols)


def forest_plot(rows: pd.DataFrame, level: float = 0.95, title: str | None = None,
                figsize: tuple[float, float] | None = None) -> Figure:
    """Original and replication estimates with their intervals, one line per hypothesis.

    Parameters
    ----------
    rows : DataFrame
        :func:`replication_rows` output (``label, original, original_se, replication,
        replication_se``; optional ``pi_low, pi_high``).
    level : float
        Level of the Wald intervals ``estimate +/- z * se``.
    title : str, optional
    figsize : tuple of float, optional

    Returns
    -------
    matplotlib.figure.Figure
        Open squares: original with its interval; filled circles: replication with its interval;
        grey bar: the prediction interval of the replication estimate (Patil, Peng and Leek
        2016) where given.
    """
    need = {"label", "original", "original_se", "replication", "replication_se"}
    if not isinstance(rows, pd.DataFrame) or not need <= set(rows.columns):
        raise InputError(f"forest_plot: rows need columns {sorted(need)}")
    z = float(ndtri(0.5 + level / 2))
    n = len(rows)
    fig = Figure(figsize=figsize or (6.5, 1.0 + 0.45 * max(n, 1)))
    ax = fig.add_subplot(1, 1, 1)
    for i, r in enumerate(rows.to_dict("records")):
        yv = n - 1 - i
        if "pi_low" in r and np.isfinite(r.get("pi_low", np.nan)) and np.isfinite(r.get("pi_high", np.nan)):
            ax.plot([r["pi_low"], r["pi_high"]], [yv, yv], color="0.75", linewidth=6,
                    solid_capstyle="butt", zorder=1, label="prediction interval" if i == 0 else None)
        for est, se, dy, marker, face, name in (
                (r["original"], r["original_se"], 0.15, "s", "white", "original"),
                (r["replication"], r["replication_se"], -0.15, "o", "black", "replication")):
            if not np.isfinite(est):
                continue
            if np.isfinite(se):
                ax.plot([est - z * se, est + z * se], [yv + dy, yv + dy], color="black",
                        linewidth=1.1, zorder=2)
            ax.scatter([est], [yv + dy], marker=marker, facecolors=face, edgecolors="black", s=34,
                       zorder=3, label=name if i == 0 else None)
    ax.axvline(0.0, color="0.4", linewidth=0.8, label="no effect (0)")
    ax.set_yticks(range(n))
    ax.set_ylabel("hypothesis")
    ax.set_yticklabels(list(rows["label"].astype(str))[::-1])
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel(f"estimate with {100 * level:g}% interval")
    ax.set_title(title or "Original and replication estimates", fontsize=11)
    if n:
        ax.legend(frameon=False, fontsize=8, loc="best")
    fig.tight_layout()
    return fig
