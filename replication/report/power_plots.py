"""Figures of a replication plan: power curves over N, one line per hypothesis.

:func:`power_curves` draws the rows of
:attr:`replication.pipeline.planning.ReplicationPlan.power` (analytic power, or power among
converged replications with its 95% Monte Carlo interval, ``power +/- 1.96 mcse``) and the
target levels as labelled dotted lines. Built without pyplot (works under any backend, no global
figure state).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from replication.engine.errors import InputError

__all__ = ["power_curves"]


def power_curves(power: pd.DataFrame, targets=(0.80, 0.90, 0.95), title: str | None = None,
                 figsize: tuple[float, float] = (7.0, 4.2)) -> Figure:
    """Power over N per hypothesis.

    Parameters
    ----------
    power : DataFrame
        Columns ``hypothesis, effect, n, power, mcse`` (NaN for analytic power: no band) and
        optionally ``method`` (``analytic`` or ``Monte Carlo``, for the title).
    targets : sequence of float
        Power levels drawn as horizontal dotted lines.
    title : str, optional
    figsize : tuple of float

    Returns
    -------
    matplotlib.figure.Figure
    """
    need = {"hypothesis", "effect", "n", "power", "mcse"}
    if not isinstance(power, pd.DataFrame) or not need <= set(power.columns):
        raise InputError(f"power_curves: expected columns {sorted(need)}")
    fig = Figure(figsize=figsize)
    ax = fig.add_subplot(1, 1, 1)
    for h, rows in power.groupby("hypothesis", sort=False):
        rows = rows.sort_values("n")
        p = rows["power"].astype(float)
        half = 1.959963984540054 * rows["mcse"].astype(float).fillna(0.0)
        line = ax.plot(rows["n"], p, marker="o", markersize=3.5, linewidth=1.2,
                       label=f"{h} ({rows['effect'].iloc[0]})")[0]
        ax.fill_between(rows["n"], (p - half).clip(0, 1), (p + half).clip(0, 1),
                        color=line.get_color(), alpha=0.12, linewidth=0)
    for t in targets:
        ax.axhline(t, color="0.5", linestyle=":", linewidth=0.9)
        ax.annotate(f"{t:.0%} power", (0, t), xycoords=("axes fraction", "data"),
                    xytext=(2, 2), textcoords="offset points", fontsize=7, color="0.35")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("N (respondents)")
    ax.set_ylabel("power")
    simulated = "method" not in power.columns or (power["method"] == "Monte Carlo").any()
    ax.set_title(title or ("Monte Carlo power of each hypothesis" if simulated else
                           "Power of each hypothesis (Wald test, expected information)"),
                 fontsize=11)
    ax.legend(frameon=False, fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig
