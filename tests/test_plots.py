"""Figures of the reports (replication.report.plots)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from replication.analyses import latent_moderation as latent_mod
from replication.analyses import moderation as mod
from replication.report import plots


def figure_texts(fig) -> list[str]:
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        out += [t.get_text() for t in ax.texts]
        leg = ax.get_legend()
        if leg is not None:
            out += [t.get_text() for t in leg.get_texts()]
    return out


def assert_readable(fig):
    for text in figure_texts(fig):
        assert "p = 0.000" not in text and "-0.00" not in text, text
        assert "e-" not in text.lower().replace("one-", ""), text


@pytest.fixture(scope="module")
def regression_case():
    rng = np.random.default_rng(7)
    n = 300
    x, w = rng.normal(size=n), rng.normal(size=n)
    y = 0.4 * x + 0.2 * w + 0.25 * x * w + rng.normal(size=n)
    data = pd.DataFrame({"X": x, "W": w, "Y": y})
    return mod.regression_moderation(data, "X", "W", "Y")


def test_one_figure_per_moderation_without_duplicates(regression_case):
    # the same moderation listed twice (as a record with two outcomes' hypotheses may) gives one figure
    mo = SimpleNamespace(x="X", m="W", y="Y", method="regression")
    record = SimpleNamespace(model=SimpleNamespace(moderations=[mo, mo]))
    figs = plots.moderation_plots(record, {"regression": regression_case, "latent": []})
    assert len(figs) == 1
    fig = figs[0]
    assert len(fig.axes) == 2  # simple slopes and Johnson-Neyman side by side
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "Simple slopes" and titles[1].startswith("Johnson-Neyman")
    assert_readable(fig)


def test_simple_slopes_legend_uses_apa_p(regression_case):
    slopes = mod.simple_slopes(regression_case)
    slopes.loc[:, "pvalue"] = [1e-9, 0.0004, 0.2]
    slopes.loc[0, "slope"] = -0.0001
    fig = plots.simple_slopes_plot(slopes)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("p < .001" in t for t in legend) and any("p = .200" in t for t in legend)
    assert any("slope 0.000" in t for t in legend)
    assert_readable(fig)


def test_latent_moderation_gets_a_johnson_neyman_panel():
    rng = np.random.default_rng(3)
    n = 400
    fx, fw = rng.normal(size=n), rng.normal(size=n)
    fy = 0.4 * fx + 0.2 * fw + 0.3 * fx * fw + rng.normal(scale=0.8, size=n)
    cols = {}
    for name, f in (("X", fx), ("W", fw), ("Y", fy)):
        for i in (1, 2, 3):
            cols[f"{name}{i}"] = 0.8 * f + rng.normal(scale=0.6, size=n)
    data = pd.DataFrame(cols)
    res = latent_mod.latent_moderation(data, "X", ["X1", "X2", "X3"], "W", ["W1", "W2", "W3"], "Y",
                                ["Y1", "Y2", "Y3"])
    fig = plots.latent_moderation_figure(res)
    assert len(fig.axes) == 2
    assert "latent" in fig.texts[0].get_text()
    assert_readable(fig)


def test_published_vs_replicated_labels_outliers():
    t = pd.DataFrame({"path": ["A->B", "B->C", "C->D"], "quantity": ["estimate"] * 3,
                      "status": ["published", "published", "assumed"],
                      "reference": [0.5, 0.3, 0.2], "replicated": [0.5, 0.6, 0.2],
                      "verdict": ["reproduced", "not reproduced", "reproduced"]})
    fig = plots.published_vs_replicated_plot(t)
    labels = [a.get_text() for a in fig.axes[0].texts]
    assert labels == ["B->C"]
    assert_readable(fig)


def test_forest_plot_from_replication_records():
    hyps = [{"hypothesis": "H1", "replication": {"original": {"estimate": 0.3, "se": 0.05},
                                                 "replication": {"estimate": 0.2, "se": 0.04},
                                                 "prediction_interval": [0.15, 0.45]}},
            {"hypothesis": "H2"}]
    rows = plots.replication_rows(hyps)
    assert rows["label"].tolist() == ["H1"]
    fig = plots.forest_plot(rows)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["H1"]
    assert_readable(fig)
