"""Mediation against lavaan's ``se = "bootstrap"`` (scripts/mediation_fixtures.R and
scripts/lavaan_fixtures.R), within stated Monte Carlo error.

Two bootstraps of the same data with different random numbers differ only by Monte Carlo
error. For a bound at quantile p from B draws that error has SD ~ sqrt(p (1 - p) / B) /
f(q_p); with f approximated by a normal density of SD sigma (the bootstrap SE) the difference
of two intervals (B1, B2 draws) has SD ``sqrt(p (1-p)) / phi(z_p) * sigma * sqrt(1/B1 + 1/B2)``
(about 0.084 sigma for p = 0.025 and B1 = B2 = 2000). Bounds must agree within 4 of those SDs
(5 for bias-corrected bounds, whose z0 adds noise); bootstrap SEs within 5 SDs of
``sigma * sqrt(1/(2 B1) + 1/(2 B2))``.
"""

from __future__ import annotations

import json
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from replication.engine.errors import InputError
from replication.analyses.mediation import bias_corrected_ci, mediation, percentile_ci

FIX = Path(__file__).parent / "fixtures"
LEVEL = 0.95
KEYS = {"ind_PI": "T -> PI -> RB", "ind_HI": "T -> HI -> RB", "total_indirect": "total indirect",
        "direct": "T -> RB", "total": "total"}


def _bound_sd(sigma, b1, b2, p=(1 - LEVEL) / 2):
    return np.sqrt(p * (1 - p)) / stats.norm.pdf(stats.norm.ppf(p)) * sigma * np.sqrt(1 / b1 + 1 / b2)


def _compare(res, ref: pd.DataFrame, b_ref: int, est_tol: float):
    eff = res.effects.set_index("path")
    worst = 0.0
    for label, key in KEYS.items():
        r = ref[ref.lhs == label].iloc[0]
        e = eff.loc[key]
        assert e.estimate == pytest.approx(r.est, abs=est_tol)
        sd = _bound_sd(r.boot_se, res.n_ok, b_ref)
        se_sd = r.boot_se * np.sqrt(1 / (2 * res.n_ok) + 1 / (2 * b_ref))
        assert abs(e.boot_se - r.boot_se) < 5 * se_sd, (key, e.boot_se, r.boot_se)
        for ours, theirs, k in ((e.ci_low, r.perc_lower, 4), (e.ci_high, r.perc_upper, 4),
                                (e.bc_low, r.bc_lower, 5), (e.bc_high, r.bc_upper, 5)):
            assert abs(ours - theirs) < k * sd, (key, ours, theirs, k * sd)
            worst = max(worst, abs(ours - theirs) / sd)
    return worst


@pytest.fixture(scope="module")
def lc():
    return pd.read_csv(FIX / "lavaan" / "live_commerce_synth.csv")


@pytest.fixture(scope="module")
def composite(lc):
    return pd.DataFrame({c: lc[[f"{c}{i}" for i in (1, 2, 3)]].mean(axis=1) for c in ["T", "PI", "HI", "RB"]})


def _fixture(name):
    fx = json.loads((FIX / "mediation" / f"{name}.json").read_text())
    return fx, pd.DataFrame(fx["parameters"])


# ------------------------------------------------------------------ plain functions
def test_percentile_ci_order_statistics():
    rng = np.random.default_rng(0)
    t = rng.normal(size=999)
    s = np.sort(t)
    lo, hi = percentile_ci(t, 0.95)  # (R + 1) * 0.025 = 25: the 25th and 975th order statistics
    assert lo == pytest.approx(s[24], abs=1e-12) and hi == pytest.approx(s[974], abs=1e-12)
    # BC with the estimate at the median of symmetric draws is the percentile interval
    sym = np.r_[s[:500], -s[:500][::-1]]  # 1000 draws, half below 0: z0 = 0
    assert bias_corrected_ci(sym, 0.0, 0.95) == pytest.approx(percentile_ci(sym, 0.95), abs=1e-12)


# ------------------------------------------------------------------ composite scores
def test_composite_matches_lavaan(composite):
    fx, ref = _fixture("composite_parallel")
    res = mediation(composite, "T", ["PI", "HI"], "RB", n_boot=2000, seed=11, progress=False)
    assert res.kind == "composite" and res.n_ok == 2000 and res.n_failed == 0
    _compare(res, ref, fx["n_ok"], est_tol=1e-8)
    paths = res.paths.set_index(["lhs", "rhs"])
    for r in ref[ref.op == "~"].itertuples():
        assert paths.loc[(r.lhs, r.rhs), "est"] == pytest.approx(r.est, abs=1e-8)


def test_composite_identities_and_determinism(composite):
    a = mediation(composite, "T", ["PI", "HI"], "RB", covar=None, n_boot=300, seed=5, progress=False)
    b = mediation(composite, "T", ["PI", "HI"], "RB", n_boot=300, seed=5, progress=False)
    pd.testing.assert_frame_equal(a.effects, b.effects)
    e = a.effects.set_index("effect")
    # total = OLS slope of RB on T; total indirect = sum of specific indirect effects
    slope = np.polyfit(composite["T"], composite["RB"], 1)[0]
    assert e.loc["total", "estimate"] == pytest.approx(slope, abs=1e-10)
    assert e.loc["total_indirect", "estimate"] == pytest.approx(
        a.effects.query("effect == 'indirect'").estimate.sum(), abs=1e-12)
    np.testing.assert_allclose(a.draws["total"], a.draws["total indirect"] + a.draws["T -> RB"], atol=1e-12)
    sd = composite.std(ddof=1)
    assert e.loc["total", "std_estimate"] == pytest.approx(slope * sd["T"] / sd["RB"], abs=1e-10)


def test_composite_failed_resamples_are_counted():
    rng = np.random.default_rng(3)
    n = 30
    d = pd.DataFrame({"x": rng.normal(size=n), "m": rng.normal(size=n), "rare": np.r_[1.0, np.zeros(n - 1)]})
    d["y"] = d.x + d.m + rng.normal(size=n)
    res = mediation(d, "x", "m", "y", covar="rare", n_boot=200, seed=1, progress=False)
    # a resample without the one case with rare = 1 has a constant covariate: singular design
    assert 0 < res.n_failed < 200 and res.n_ok + res.n_failed == 200 and len(res.draws) == res.n_ok
    assert res.warnings and "200" in res.warnings[0]


# ------------------------------------------------------------------ latent variables
def _latent_model(fx):
    return "\n".join(line for line in fx["model"].splitlines() if ":=" not in line)


def test_latent_matches_lavaan(lc):
    pytest.importorskip("replication.engine.bootstrap")
    fx, ref = _fixture("latent_parallel")
    res = mediation(lc, "T", ["PI", "HI"], "RB", latent_model=_latent_model(fx), n_boot=2000,
                    seed=7, jobs=1, progress=False)
    assert res.kind == "latent" and res.n_ok + res.n_failed == 2000
    _compare(res, ref, fx["n_ok"], est_tol=1e-3)


def test_latent_single_mediator_matches_lavaan_fixture(lc):
    pytest.importorskip("replication.engine.bootstrap")
    fx = json.loads((FIX / "lavaan" / "med_boot.json").read_text())
    ref = pd.DataFrame(fx["parameters"]).set_index("lhs")
    model = "\n".join(line for line in fx["model"].splitlines() if ":=" not in line)
    res = mediation(lc, "T", "PI", "RB", latent_model=model, n_boot=1000, seed=3, progress=False)
    e = res.effects.set_index("effect")
    for ours, label in (("indirect", "ind"), ("total", "total")):
        r = ref.loc[label]
        assert e.loc[ours, "estimate"] == pytest.approx(r.est, abs=1e-3)
        sd = _bound_sd(r.se, res.n_ok, fx["n_ok"])
        assert abs(e.loc[ours, "ci_low"] - r.ci_lower) < 4 * sd
        assert abs(e.loc[ours, "ci_high"] - r.ci_upper) < 4 * sd


def test_latent_failed_resamples_reported(lc, monkeypatch):
    """Contract with replication.engine.bootstrap: failed resamples are NaN rows and n_failed."""
    fx, _ = _fixture("latent_parallel")
    model = _latent_model(fx)
    params = pd.DataFrame([
        {"lhs": "PI", "op": "~", "rhs": "T", "est": 0.5, "se": 0.1, "z": 5.0, "pvalue": 0.0, "std_all": 0.5},
        {"lhs": "HI", "op": "~", "rhs": "T", "est": 0.4, "se": 0.1, "z": 4.0, "pvalue": 0.0, "std_all": 0.4},
        {"lhs": "RB", "op": "~", "rhs": "PI", "est": 0.3, "se": 0.1, "z": 3.0, "pvalue": 0.0, "std_all": 0.3},
        {"lhs": "RB", "op": "~", "rhs": "HI", "est": 0.2, "se": 0.1, "z": 2.0, "pvalue": 0.0, "std_all": 0.2},
        {"lhs": "RB", "op": "~", "rhs": "T", "est": 0.1, "se": 0.1, "z": 1.0, "pvalue": 0.3, "std_all": 0.1}])
    rng = np.random.default_rng(0)
    est = pd.DataFrame(rng.normal(0.3, 0.05, size=(50, 5)),
                       columns=["PI ~ T", "HI ~ T", "RB ~ PI", "RB ~ HI", "RB ~ T"])
    est.iloc[[3, 17, 41]] = np.nan
    fake = lambda *a, **k: types.SimpleNamespace(  # noqa: E731 - a stand-in for the bootstrap
        estimates=est, n_failed=3, full=types.SimpleNamespace(params=params, warnings=[]))
    monkeypatch.setattr("replication.analyses.mediation.bootstrap", fake)
    res = mediation(lc, "T", ["PI", "HI"], "RB", latent_model=model, n_boot=50, seed=1, progress=False)
    assert res.n_failed == 3 and res.n_ok == 47 and len(res.draws) == 47
    assert any("3 of 50" in w for w in res.warnings)
    e = res.effects.set_index("path")
    assert e.loc["T -> PI -> RB", "estimate"] == pytest.approx(0.15)
    assert e.loc["total", "estimate"] == pytest.approx(0.1 + 0.15 + 0.08)
    ok = est.dropna()
    assert e.loc["T -> HI -> RB", "boot_se"] == pytest.approx(np.std(ok["HI ~ T"] * ok["RB ~ HI"], ddof=1))


# ------------------------------------------------------------------ bad input
def test_bad_inputs(lc, composite):
    fx, _ = _fixture("latent_parallel")
    model = _latent_model(fx)
    with pytest.raises(InputError, match="mediator 'XX'"):
        mediation(composite, "T", ["PI", "XX"], "RB", n_boot=10, progress=False)
    with pytest.raises(InputError, match="complete cases"):
        mediation(composite.head(8), "T", "PI", "RB", n_boot=10, progress=False)
    with pytest.raises(InputError, match="complete cases"):
        mediation(composite.assign(PI=np.where(np.arange(len(composite)) < 5, 1.0, np.nan)),
                  "T", "PI", "RB", n_boot=10, progress=False)
    with pytest.raises(InputError, match="constant"):
        mediation(composite.assign(PI=1.0), "T", "PI", "RB", n_boot=10, progress=False)
    with pytest.raises(InputError, match="n_boot"):
        mediation(composite, "T", "PI", "RB", n_boot=1, progress=False)
    with pytest.raises(InputError, match="not a variable of the model"):
        mediation(lc, "T", ["PI", "SN"], "RB", latent_model=model, n_boot=10, progress=False)
    with pytest.raises(InputError, match="not regressed"):
        mediation(lc, "PI", ["HI"], "RB", latent_model=model, n_boot=10, progress=False)
    with pytest.raises(InputError, match="complete cases"):
        mediation(lc.head(12), "T", ["PI", "HI"], "RB", latent_model=model, n_boot=10, progress=False)
    with pytest.raises(InputError, match="RB1"):
        mediation(lc.drop(columns="RB1"), "T", ["PI", "HI"], "RB", latent_model=model, n_boot=10,
                  progress=False)
    with pytest.raises(InputError, match="covar"):
        mediation(lc, "T", "PI", "RB", covar="SN1", latent_model=model, n_boot=10, progress=False)


def test_shared_latent_bootstrap_gives_the_same_effects(lc):
    """Several mediations of one SEM can share one bootstrap (as lavaan's := parameters do)."""
    from replication.analyses.mediation import latent_bootstrap

    fx, _ = _fixture("latent_parallel")
    model = _latent_model(fx)
    alone = mediation(lc, "T", ["PI", "HI"], "RB", latent_model=model, n_boot=60, seed=5, progress=False)
    shared = latent_bootstrap(lc, model, 60, 5)
    again = mediation(lc, "T", ["PI", "HI"], "RB", latent_model=model, n_boot=60, seed=5,
                      progress=False, bootstrap_result=shared)
    pd.testing.assert_frame_equal(alone.effects, again.effects)
    with pytest.raises(InputError, match="another model"):
        mediation(lc, "T", ["PI", "HI"], "RB", latent_model=model, n_boot=61, seed=5,
                  progress=False, bootstrap_result=shared)


def test_mediation_notes_name_each_mediation_and_its_bootstrap_warning():
    from types import SimpleNamespace

    from replication.pipeline.steps import mediation_notes

    med = {"X=>Y": SimpleNamespace(warnings=["negative variance (Heywood case): a ~~ a",
                                              "3 of 200 bootstrap resamples failed (no "
                                              "convergence) and were left out of the intervals"]),
           "X=>Z": SimpleNamespace(warnings=[])}
    assert mediation_notes(med) == ["X=>Y: 3 of 200 bootstrap resamples failed (no convergence) "
                                    "and were left out of the intervals"]


def test_a_direct_effect_the_model_fixes_is_shown_as_fixed_and_inadmissible_draws_are_counted():
    # PoliticalDemocracy without the direct path ind60 -> dem65: the direct effect is fixed at 0,
    # so it has no interval; the warnings say so, and name inadmissible resamples (lavaan keeps
    # and counts them)
    import pandas as pd

    from replication.analyses.mediation import mediation
    from tests.conftest import ROOT

    data = pd.read_csv(ROOT / "data" / "examples" / "political_democracy" / "data.csv")
    model = ("ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem65 =~ y5 + y6 + y7 + y8\n"
             "dem60 ~ ind60\ndem65 ~ dem60\n")
    res = mediation(data, "ind60", "dem60", "dem65", latent_model=model, n_boot=60, seed=1,
                    progress=False)
    direct = res.effects.set_index("effect").loc["direct"]
    assert direct["estimate"] == 0.0
    assert pd.isna(direct["ci_low"]) and pd.isna(direct["boot_se"])
    assert not direct["excludes_zero"]
    assert any("fixed at 0" in w for w in res.warnings)
    indirect = res.effects.set_index("effect").loc["indirect"]
    assert indirect["ci_low"] < indirect["ci_high"]


def test_inadmissible_resamples_are_counted_in_the_warnings():
    # lavaan 0.6.14 counts 799 of 2,000 resamples of this model as nonadmissible and keeps them
    import pandas as pd
    import yaml

    from replication.analyses.mediation import mediation
    from tests.conftest import ROOT

    folder = ROOT / "data" / "examples" / "political_democracy"
    model = yaml.safe_load((folder / "paper.yaml").read_text())["model"]["syntax"]
    res = mediation(pd.read_csv(folder / "data.csv"), "ind60", "dem60", "dem65",
                    latent_model=model, n_boot=100, seed=1, progress=False)
    counted = [w for w in res.warnings if "inadmissible solutions" in w]
    assert counted and 10 <= int(counted[0].split(" of ")[0]) <= 70
