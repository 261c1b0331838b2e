"""Moderation: statsmodels formula fits, closed forms, and a lavaan/semTools latent fixture."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from matplotlib.figure import Figure
from scipy import stats

from replication.engine.errors import InputError
from replication.analyses.latent_moderation import (
    latent_interaction_syntax,
    latent_moderation,
    product_indicators,
)
from replication.analyses.moderation import (
    johnson_neyman,
    johnson_neyman_bounds,
    regression_moderation,
    simple_slopes,
)
from replication.report.plots import johnson_neyman_plot, simple_slopes_plot

FIX = Path(__file__).parent / "fixtures" / "moderation"


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(2024)
    n = 250
    d = pd.DataFrame({"x1": rng.normal(3, 1, n), "x2": rng.normal(2, 0.8, n),
                      "m1": rng.normal(4, 1.2, n), "m2": rng.normal(0, 1, n),
                      "age": rng.integers(18, 60, n).astype(float), "female": rng.integers(0, 2, n).astype(float)})
    xc, mc = d.x1 - 3, d.m1 - 4
    d["y1"] = 1 + 0.3 * d.x1 + 0.2 * d.m1 + 0.25 * xc * mc + 0.1 * d.x2 * d.m2 + 0.01 * d.age + rng.normal(size=n)
    d["y2"] = 0.5 * d.x2 - 0.2 * d.x1 * d.m2 + rng.normal(size=n)
    return d


def _centred(d, cols):
    return d.assign(**{c: d[c] - d[c].mean() for c in cols})


def test_matches_statsmodels_formula(data):
    res = regression_moderation(data, "x1", "m1", "y1", controls=["age", "female"])
    dc = _centred(data, ["x1", "m1"])
    steps = [smf.ols("y1 ~ age + female", dc).fit(), smf.ols("y1 ~ age + female + x1 + m1", dc).fit(),
             smf.ols("y1 ~ age + female + x1 + m1 + x1:m1", dc).fit()]
    st = res.steps.set_index("step")
    for s, ref in enumerate(steps, start=1):
        assert st.loc[s, "r2"] == pytest.approx(ref.rsquared, abs=1e-12)
        co = res.coefficients.query("step == @s").set_index("term")
        for term in ref.params.index:
            key = "const" if term == "Intercept" else term
            assert co.loc[key, "b"] == pytest.approx(ref.params[term], abs=1e-10)
            assert co.loc[key, "se"] == pytest.approx(ref.bse[term], abs=1e-10)
            assert co.loc[key, "pvalue"] == pytest.approx(ref.pvalues[term], abs=1e-10)
        if s > 1:
            f, p, df1 = ref.compare_f_test(steps[s - 2])
            assert st.loc[s, "f_change"] == pytest.approx(f, rel=1e-10)
            assert st.loc[s, "p_change"] == pytest.approx(p, abs=1e-12)
            assert st.loc[s, "df1"] == df1
            assert st.loc[s, "delta_r2"] == pytest.approx(ref.rsquared - steps[s - 2].rsquared, abs=1e-12)
        else:
            assert st.loc[1, "f_change"] == pytest.approx(ref.fvalue, rel=1e-10)


def test_standardized_beta_is_coefficient_on_z_scores(data):
    res = regression_moderation(data, "x1", "m1", "y1")
    dc = _centred(data, ["x1", "m1"])
    dc["x1m1"] = dc.x1 * dc.m1
    z = (dc - dc.mean()) / dc.std(ddof=1)
    ref = smf.ols("y1 ~ x1 + m1 + x1m1", z).fit()
    co = res.coefficients.query("step == 2").set_index("term")
    assert co.loc["x1", "beta"] == pytest.approx(ref.params["x1"], abs=1e-10)
    assert co.loc["x1:m1", "beta"] == pytest.approx(ref.params["x1m1"], abs=1e-10)


def test_several_x_m_y_at_once(data):
    res = regression_moderation(data, ["x1", "x2"], ["m1", "m2"], ["y1", "y2"], controls="age")
    assert set(res.steps.y) == {"y1", "y2"} and res.steps.groupby("y").size().eq(3).all()
    dc = _centred(data, ["x1", "x2", "m1", "m2"])
    ref = smf.ols("y2 ~ age + x1 + x2 + m1 + m2 + x1:m1 + x1:m2 + x2:m1 + x2:m2", dc).fit()
    co = res.coefficients.query("y == 'y2' and step == 3").set_index("term")
    for term in ["x1:m2", "x2:m1", "m2"]:
        assert co.loc[term, "b"] == pytest.approx(ref.params[term], abs=1e-10)


def test_uncentred_product_same_interaction(data):
    a = regression_moderation(data, "x1", "m1", "y1", center=True)
    b = regression_moderation(data, "x1", "m1", "y1", center=False)
    ca = a.coefficients.query("step == 2").set_index("term")
    cb = b.coefficients.query("step == 2").set_index("term")
    assert ca.loc["x1:m1", "b"] == pytest.approx(cb.loc["x1:m1", "b"], abs=1e-10)
    # simple slopes do not depend on centring
    sa, sb = simple_slopes(a), simple_slopes(b)
    np.testing.assert_allclose(sa[["slope", "se", "intercept"]], sb[["slope", "se", "intercept"]], atol=1e-9)


def test_simple_slopes_closed_form(data):
    res = regression_moderation(data, "x1", "m1", "y1", controls="age")
    dc = _centred(data, ["x1", "m1"])
    ref = smf.ols("y1 ~ age + x1 * m1", dc).fit()
    b, V = ref.params, ref.cov_params()
    sd = data.m1.std(ddof=1)
    ss = simple_slopes(res).set_index("sd_units")
    for u in (-1.0, 0.0, 1.0):
        w = u * sd
        slope = b["x1"] + b["x1:m1"] * w
        se = np.sqrt(V.loc["x1", "x1"] + 2 * w * V.loc["x1", "x1:m1"] + w**2 * V.loc["x1:m1", "x1:m1"])
        assert ss.loc[u, "slope"] == pytest.approx(slope, abs=1e-10)
        assert ss.loc[u, "se"] == pytest.approx(se, abs=1e-10)
        assert ss.loc[u, "pvalue"] == pytest.approx(2 * stats.t.sf(abs(slope / se), ref.df_resid), abs=1e-10)
        assert ss.loc[u, "m_value"] == pytest.approx(data.m1.mean() + w, abs=1e-12)
        pred = ref.predict(pd.DataFrame({"age": [data.age.mean()], "x1": [0.0], "m1": [w]}))[0]
        assert ss.loc[u, "intercept"] == pytest.approx(pred, abs=1e-10)


def test_johnson_neyman_analytic(data):
    res = regression_moderation(data, "x1", "m1", "y1")
    dc = _centred(data, ["x1", "m1"])
    ref = smf.ols("y1 ~ x1 * m1", dc).fit()
    b, V = ref.params, ref.cov_params()
    tc = stats.t.ppf(0.975, ref.df_resid)
    coef = [b["x1:m1"] ** 2 - tc**2 * V.loc["x1:m1", "x1:m1"],
            2 * (b["x1"] * b["x1:m1"] - tc**2 * V.loc["x1", "x1:m1"]),
            b["x1"] ** 2 - tc**2 * V.loc["x1", "x1"]]
    roots = np.sort(np.roots(coef).real) + data.m1.mean()
    jn = johnson_neyman(res, "x1", "m1", "y1")
    np.testing.assert_allclose(jn.bounds, roots, atol=1e-9)
    # at each bound the conditional effect has |t| equal to the critical value
    for r in jn.bounds:
        w = r - data.m1.mean()
        t = (b["x1"] + b["x1:m1"] * w) / np.sqrt(V.loc["x1", "x1"] + 2 * w * V.loc["x1", "x1:m1"]
                                                 + w**2 * V.loc["x1:m1", "x1:m1"])
        assert abs(t) == pytest.approx(tc, abs=1e-8)
    g = jn.grid
    assert (g.significant == jn.significant_at(g.m_value)).all()


def test_johnson_neyman_bounds_cases():
    # constant slope whose SE grows away from w = 0: significant only near 0
    region, b = johnson_neyman_bounds(1.0, 0.0, 0.01, 0.01, 0.0, 2.0)
    assert region == "inside" and b == pytest.approx((-np.sqrt(24), np.sqrt(24)))
    assert johnson_neyman_bounds(1.0, 0.0, 0.01, 0.0, 0.0, 2.0) == ("everywhere", ())
    region, b = johnson_neyman_bounds(0.0, 1.0, 0.0, 0.0, 0.0, 2.0)  # exact linear case
    assert region == "outside" and b == pytest.approx((0.0, 0.0))
    region, b = johnson_neyman_bounds(0.0, 0.0, 1.0, 1.0, 0.0, 2.0)
    assert region == "nowhere" and b == ()
    region, b = johnson_neyman_bounds(0.5, 0.01, 0.01, 1.0, 0.0, 2.0)  # imprecise product term
    assert region == "inside" and b[0] < 0 < b[1]


def test_plots_return_figures(data):
    res = regression_moderation(data, "x1", "m1", "y1")
    assert isinstance(simple_slopes_plot(simple_slopes(res)), Figure)
    assert isinstance(johnson_neyman_plot(johnson_neyman(res, "x1", "m1", "y1")), Figure)
    with pytest.raises(InputError, match="combinations"):
        simple_slopes_plot(simple_slopes(regression_moderation(data, "x1", ["m1", "m2"], "y1")))


# ------------------------------------------------------------------ latent interaction
@pytest.fixture(scope="module")
def latent():
    fx = json.loads((FIX / "latent_interaction.json").read_text())
    d = pd.read_csv(FIX / fx["data"])
    return fx, d


def test_product_indicators_match_semtools(latent):
    fx, d = latent
    p = product_indicators(d, ["x1", "x2", "x3"], ["m1", "m2", "m3"])
    ref = pd.DataFrame(fx["products_first_rows"])
    np.testing.assert_allclose(p.iloc[:5].to_numpy(), ref[p.columns].to_numpy(), atol=1e-12)
    np.testing.assert_allclose(p.mean().to_numpy(), 0.0, atol=1e-12)


def test_product_indicators_leftovers(latent):
    _, d = latent
    drop = product_indicators(d, ["x1", "x2", "x3"], ["m1", "m2"])
    assert list(drop.columns) == ["x1_x_m1", "x2_x_m2"]
    parcel = product_indicators(d, ["x1", "x2", "x3"], ["m1", "m2"], leftovers="parcel")
    xc = d[["x2", "x3"]] - d[["x2", "x3"]].mean()
    expect = xc.mean(axis=1) * (d.m2 - d.m2.mean())
    np.testing.assert_allclose(parcel["x2_x_m2"], expect - expect.mean(), atol=1e-12)
    single = product_indicators(d, ["x1"], ["m1"], method="mean_centered")
    np.testing.assert_allclose(single["x1_x_m1"], (d.x1 - d.x1.mean()) * (d.m1 - d.m1.mean()))


def test_latent_moderation_matches_lavaan(latent):
    pytest.importorskip("replication.engine.sem")
    fx, d = latent
    res = latent_moderation(d, "X", ["x1", "x2", "x3"], "M", ["m1", "m2", "m3"], "Y", ["y1", "y2", "y3"])
    assert res.fit.converged
    ref = pd.DataFrame(fx["parameters"])
    assert res.fit.fit_measures["chisq"] == pytest.approx(fx["chisq"], abs=1e-3)
    for r in ref[ref.op == "~"].itertuples():
        row = res.paths.query("rhs == @r.rhs").iloc[0]
        assert row.est == pytest.approx(r.est, abs=1e-3)
        assert row.se == pytest.approx(r.se, abs=1e-3)
        assert row.std_all == pytest.approx(r.std_all, abs=1e-3)
    slopes = res.slopes.set_index("sd_units")
    for u, name in ((-1.0, "slope_low"), (0.0, "slope_mean"), (1.0, "slope_high")):
        r = ref[ref.lhs == name].iloc[0]
        assert slopes.loc[u, "slope"] == pytest.approx(r.est, abs=1e-3)
        assert slopes.loc[u, "se"] == pytest.approx(r.se, abs=1e-3)
    # the composite-score analogue is there and agrees in sign
    inter = res.composite.coefficients.query("step == 2 and term == 'X:M'").iloc[0]
    assert inter.b > 0 and res.composite_slopes.shape[0] == 3


def test_latent_interaction_syntax_lines():
    lines = latent_interaction_syntax("X", ["x1", "x2"], "M", ["m1", "m2"], "Y", None,
                                      ["x1_x_m1", "x2_x_m2"], controls=["age"])
    assert "XxM =~ x1_x_m1 + x2_x_m2" in lines and "Y ~ X + M + XxM + age" in lines
    assert not any(line.startswith("Y =~") for line in lines)


# ------------------------------------------------------------------ bad input
def test_bad_inputs(data, latent):
    with pytest.raises(InputError, match="moderator 'w'"):
        regression_moderation(data, "x1", "w", "y1")
    with pytest.raises(InputError, match="moderator 'm1' is constant"):
        regression_moderation(data.assign(m1=2.0), "x1", "m1", "y1")
    with pytest.raises(InputError, match="numeric"):
        regression_moderation(data.assign(age="old"), "x1", "m1", "y1", controls="age")
    with pytest.raises(InputError, match="outcome and predictor"):
        regression_moderation(data, "x1", "m1", "x1")
    with pytest.raises(InputError, match="complete rows"):
        regression_moderation(data.head(4), "x1", "m1", "y1")
    res = regression_moderation(data, "x1", "m1", "y1")
    with pytest.raises(InputError, match="not a moderator"):
        simple_slopes(res, m="m2")
    with pytest.raises(InputError, match="not a moderator"):
        johnson_neyman(res, "x1", "m2", "y1")
    with pytest.raises(InputError, match="method"):
        product_indicators(data, ["x1"], ["m1"], method="residual")
    _, d = latent
    with pytest.raises(InputError, match="'m9'"):
        latent_moderation(d, "X", ["x1", "x2"], "M", ["m9"], "Y", ["y1", "y2"])
    with pytest.raises(InputError, match="constant"):
        latent_moderation(d.assign(m1=1.0, m2=1.0), "X", ["x1", "x2"], "M", ["m1", "m2"], "Y", ["y1", "y2"])


def test_latent_interaction_keeps_the_outcomes_other_predictors():
    rng = np.random.default_rng(42)
    n = 600
    x, m = rng.normal(size=n), rng.normal(size=n)
    o = 0.6 * x + 0.8 * rng.normal(size=n)          # another predictor of y, correlated with x
    y = 0.3 * x + 0.2 * m + 0.25 * x * m + 0.4 * o + rng.normal(scale=0.7, size=n)
    cols = {}
    for name, f in (("X", x), ("M", m), ("O", o), ("Y", y)):
        for k in range(1, 4):
            cols[f"{name}{k}"] = 0.8 * f + rng.normal(scale=0.5, size=n)
    data = pd.DataFrame(cols)
    items = {c: [f"{c}{k}" for k in range(1, 4)] for c in "XMOY"}
    without = latent_moderation(data, "X", items["X"], "M", items["M"], "Y", items["Y"])
    kept = latent_moderation(data, "X", items["X"], "M", items["M"], "Y", items["Y"],
                             others={"O": items["O"]})
    assert "O =~ O1 + O2 + O3" in kept.syntax
    assert "Y ~ X + M + XxM + O" in kept.syntax
    assert set(kept.paths["rhs"]) == {"X", "M", "XxM", "O"}
    b_x = {r.rhs: r.est for r in kept.paths.itertuples()}["X"]
    b_x_without = {r.rhs: r.est for r in without.paths.itertuples()}["X"]
    # leaving O out folds its effect into X (omitted-variable bias); keeping it recovers b_x
    assert abs(b_x - 0.3) < abs(b_x_without - 0.3)
    assert "O" in kept.composite.coefficients["term"].tolist()
