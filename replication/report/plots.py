"""Figures: simple slopes, Johnson-Neyman, path diagrams, published vs replicated.

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot, so it works
under any backend (including Agg in headless runs) and leaves no global figure state behind.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from replication.engine.errors import InputError

__all__ = [
    "simple_slopes_plot",
    "johnson_neyman_plot",
]


# --------------------------------------------------------------------------------------------
# Moderation
# --------------------------------------------------------------------------------------------
def simple_slopes_plot(
    slopes: pd.DataFrame,
    x: str | None = None,
    m: str | None = None,
    y: str | None = None,
    x_span: float = 1.0,
    title: str | None = None,
    figsize: tuple[float, float] = (5.5, 4.0),
) -> Figure:
    """Lines of predicted ``y`` against ``x`` at each probed moderator value.

    Parameters
    ----------
    slopes : DataFrame
        Output of :func:`replication.analyses.moderation.simple_slopes` (columns ``y, x, m, sd_units,
        m_value, slope, pvalue, intercept, x_mean, x_sd``).
    x, m, y : str, optional
        Which predictor, moderator and outcome to draw; needed only when ``slopes`` holds more
        than one combination.
    x_span : float
        Lines run from ``x_mean - x_span * x_sd`` to ``x_mean + x_span * x_sd``.
    title : str, optional
        Figure title (default ``"<m> moderates <x> -> <y>"``).
    figsize : tuple of float
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One line per moderator level, labelled with its value, slope and p.
    """
    need = {"y", "x", "m", "sd_units", "m_value", "slope", "pvalue", "intercept", "x_mean", "x_sd"}
    if not isinstance(slopes, pd.DataFrame) or not need <= set(slopes.columns):
        raise InputError(f"simple_slopes_plot: slopes must be a DataFrame with columns {sorted(need)}")
    sel = slopes
    for col, val in (("x", x), ("m", m), ("y", y)):
        if val is not None:
            sel = sel[sel[col] == val]
    if sel.empty:
        raise InputError(f"simple_slopes_plot: no slopes for x={x}, m={m}, y={y}")
    combos = sel[["x", "m", "y"]].drop_duplicates()
    if len(combos) > 1:
        raise InputError(
            "simple_slopes_plot: slopes hold several x/m/y combinations; pass x, m and y"
        )
    xv, mv, yv = combos.iloc[0]
    fig = Figure(figsize=figsize)
    ax = fig.add_subplot(1, 1, 1)
    styles = ["--", "-", ":", "-.", (0, (5, 1)), (0, (3, 1, 1, 1))]
    for i, r in enumerate(sel.sort_values("sd_units").itertuples(index=False)):
        xs = np.linspace(r.x_mean - x_span * r.x_sd, r.x_mean + x_span * r.x_sd, 2)
        ys = r.intercept + r.slope * (xs - r.x_mean)
        u = f"{r.sd_units:+g} SD" if r.sd_units != 0 else "mean"
        ax.plot(xs, ys, linestyle=styles[i % len(styles)], color="black", linewidth=1.6,
                label=f"{mv} = {r.m_value:.2f} ({u}): slope {r.slope:.3f}, p = {r.pvalue:.3f}")
    ax.set_xlabel(str(xv))
    ax.set_ylabel(f"predicted {yv}")
    ax.set_title(title or f"{mv} moderates {xv} -> {yv}")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def johnson_neyman_plot(
    jn,
    title: str | None = None,
    figsize: tuple[float, float] = (5.5, 4.0),
) -> Figure:
    """Conditional effect of ``x`` across the moderator with its confidence band.

    Parameters
    ----------
    jn : JohnsonNeymanResult
        Output of :func:`replication.analyses.moderation.johnson_neyman`.
    title : str, optional
        Figure title (default ``"Johnson-Neyman: effect of <x> on <y> across <m>"``).
    figsize : tuple of float
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        The conditional slope, its ``1 - alpha`` band, the region of significance shaded and
        the Johnson-Neyman bounds inside the observed range marked with vertical lines.
    """
    grid = getattr(jn, "grid", None)
    need = {"m_value", "slope", "ci_low", "ci_high", "significant"}
    if not isinstance(grid, pd.DataFrame) or not need <= set(grid.columns):
        raise InputError("johnson_neyman_plot: expected the result of johnson_neyman()")
    fig = Figure(figsize=figsize)
    ax = fig.add_subplot(1, 1, 1)
    w = grid["m_value"].to_numpy()
    ax.plot(w, grid["slope"], color="black", linewidth=1.6, label=f"effect of {jn.x}")
    ax.fill_between(w, grid["ci_low"], grid["ci_high"], color="0.8",
                    label=f"{100 * (1 - jn.alpha):g}% confidence band")
    sig = grid["significant"].to_numpy()
    lo, hi = np.nanmin(grid["ci_low"]), np.nanmax(grid["ci_high"])
    ax.fill_between(w, lo, hi, where=sig, color="tab:blue", alpha=0.12, step="mid",
                    label="region of significance")
    ax.axhline(0.0, color="0.4", linewidth=0.8)
    for b in jn.bounds:
        if jn.m_range[0] <= b <= jn.m_range[1]:
            ax.axvline(b, color="tab:red", linestyle="--", linewidth=1.0)
            ax.annotate(f"{b:.2f}", (b, hi), textcoords="offset points", xytext=(3, -10),
                        fontsize=8, color="tab:red")
    ax.set_xlabel(str(jn.m))
    ax.set_ylabel(f"conditional effect of {jn.x} on {jn.y}")
    ax.set_title(title or f"Johnson-Neyman: effect of {jn.x} on {jn.y} across {jn.m}")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig
