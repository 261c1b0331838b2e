"""Monte Carlo power: exact Likert moments, seeds and parallel layers (joblib, Dask), summaries,
the one-step bootstrap, bad input; and agreement with a lavaan simulate-and-fit loop
(fixtures from scripts/power_fixtures.R)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import integrate, stats

from replication.analyses import montecarlo as mc
from replication.analyses.montecarlo_design import record_design
from replication.engine.errors import InputError
from replication.record.schema import load_record
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def design():
    return record_design(load_record("value_cocreation"), bootstrap=60)


def _bvn_by_quadrature(h, k, rho):
    # Phi2(h, k; rho) - Phi(h) Phi(k) = integral over r in [0, rho] of the bivariate density
    f = lambda r: math.exp(-(h * h - 2 * r * h * k + k * k) / (2 * (1 - r * r))) / (
        2 * math.pi * math.sqrt(1 - r * r))
    return stats.norm.cdf(h) * stats.norm.cdf(k) + integrate.quad(f, 0, rho, epsabs=1e-13)[0]


@pytest.mark.parametrize("h, k, rho", [(0.3, -1.2, 0.5), (-0.8, -0.1, 0.9), (1.5, 0.7, -0.4),
                                       (0.0, 0.4, 0.3), (-2.0, 1.0, 0.97)])
def test_bivariate_normal_cdf(h, k, rho):
    got = mc._bvn_cdf(np.array(h), np.array(k), np.array(rho))
    assert float(got) == pytest.approx(_bvn_by_quadrature(h, k, rho), abs=1e-9)


def test_likert_covariance_matches_a_large_sample():
    cov = np.array([[1.0, 0.6, 0.3], [0.6, 2.0, 0.5], [0.3, 0.5, 0.8]])
    taus = [np.array([-1.5, -0.5, 0.4, 1.3]), np.array([-1.0, 0.2, 1.1, 2.0]),
            np.array([-0.3, 0.0, 0.6, 0.9])]
    exact = mc.likert_covariance(cov, taus)
    gen = mc.Generator("normal", ["a", "b", "c"], cov, np.zeros(3), taus)
    X = gen.draw(400_000, np.random.default_rng(5))
    S = np.cov(X, rowvar=False)
    # sampling SD of a covariance of bounded items at n = 400,000 is below 0.005
    assert np.max(np.abs(S - exact)) < 0.01
    assert exact[0, 0] > 0 and np.allclose(exact, exact.T)


def _dump(out):
    return json.dumps(out, sort_keys=True)


def test_same_bytes_with_jobs_and_batches(design):
    a = mc.simulate(design, [300], 6, seed=11, jobs=1, batch=6)
    b = mc.simulate(design, [300], 6, seed=11, jobs=2, batch=1)
    assert _dump(a) == _dump(b)
    c = mc.simulate(design, [300], 6, seed=12, jobs=1)
    assert _dump(a) != _dump(c)


def test_same_bytes_on_a_local_dask_cluster(design):
    from dask.distributed import LocalCluster

    ref = mc.simulate(design, [300, 400], 4, seed=3, jobs=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        got = mc.simulate(design, [300, 400], 4, seed=3, scheduler=cluster.scheduler_address)
    assert _dump(got) == _dump(ref)


def test_replication_streams_do_not_depend_on_the_grid(design):
    one = mc.run_batch(design, 300, range(2, 4), 7, 0.05)
    many = mc.run_batch(design, 300, range(0, 4), 7, 0.05)
    assert one == many[2:]


def test_summary_is_recomputable(design):
    out = mc.simulate(design, [350], 10, seed=4)
    recs = mc.run_batch(design, 350, range(10), 4, 0.05)
    for r in out["results"]:
        t = next(t for t in design.targets if t.hypothesis == r["hypothesis"])
        vals = np.array([x["values"][t.hypothesis] for x in recs if x["converged"][t.analysis]])
        p = vals[:, 2].mean()
        assert r["power"] == pytest.approx(p, abs=1e-6)
        assert r["mcse"] == pytest.approx(math.sqrt(p * (1 - p) / len(vals)), abs=1e-6)
        assert r["bias"] == pytest.approx(vals[:, 0].mean() - t.true_value, abs=2e-6)
        sd = vals[:, 0].std(ddof=1)
        assert r["relative_se_bias"] == pytest.approx((vals[:, 1].mean() - sd) / sd, abs=2e-6)
        cover = np.mean((vals[:, 3] <= t.true_value) & (t.true_value <= vals[:, 4]))
        assert r["coverage"] == pytest.approx(cover, abs=1e-9)
        assert r["converged"] == len(vals) and r["reps"] == 10
    assert set(out["n_for_power"]) == {t.hypothesis for t in design.targets}


def test_one_step_bootstrap_agrees_with_full_refits(design):
    # one data set; percentile interval of the indirect effect from fully iterated refits
    # (replication.engine.bootstrap) and from the one-step bootstrap
    import pandas as pd

    from replication.engine.bootstrap import bootstrap, percentile_ci
    from replication.engine.ram import RAM

    a = design.analyses[0]
    t = next(t for t in design.targets if t.kind == "mediation")
    X = design.generator.draw(502, np.random.default_rng(8))[:, a.columns]
    ram = RAM(a.spec(), np.eye(len(a.columns)))
    S = mc._cov_n(X)
    theta, conv = mc._fit(ram, a.theta0, S)
    assert conv
    one = mc._indirect(mc._one_step_draws(ram, theta, X, 1500, np.random.default_rng(9)), t.index)
    names = a.spec().ov
    full = bootstrap(a.model, pd.DataFrame(X, columns=names), n_boot=400, seed=9)
    spec = a.spec()
    keys = [(r["lhs"], r["op"], r["rhs"]) for r in spec.free_rows()]
    ind = sum(full.estimates[f"{keys[i][0]} {keys[i][1]} {keys[i][2]}"].to_numpy()
              * full.estimates[f"{keys[j][0]} {keys[j][1]} {keys[j][2]}"].to_numpy()
              for i, j in t.index)
    sd_full, sd_one = np.std(ind, ddof=1), np.std(one, ddof=1)
    # SD of a bootstrap SD from B draws is about SD / sqrt(2 B); allow 3 of those (both sides)
    assert abs(sd_one - sd_full) < 3 * sd_full * math.sqrt(1 / 800 + 1 / 3000)
    lo_f, hi_f = percentile_ci(ind, 0.95)
    lo_o, hi_o = percentile_ci(one, 0.95)
    assert abs(lo_o - lo_f) < 0.35 * sd_full and abs(hi_o - hi_f) < 0.35 * sd_full


@pytest.mark.parametrize("kwargs, needle", [
    (dict(n_list=[40], reps=5), "above the number of free parameters (46)"),
    (dict(n_list=[300], reps=0), "--reps"),
    (dict(n_list=[300], reps=5, target_power=1.0), "--target-power"),
    (dict(n_list=[300], reps=5, target_power=0.0), "--target-power"),
    (dict(n_list=[300], reps=5, alpha=0.0), "--alpha"),
])
def test_bad_input(design, kwargs, needle):
    with pytest.raises(InputError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        mc.simulate(design, **kwargs)


@pytest.mark.parametrize("args, needle", [
    (["value_cocreation", "--n", "30", "--reps", "2"], "free parameters"),
    (["value_cocreation", "--reps", "0"], "--reps"),
    (["value_cocreation", "--reps", "2", "--target-power", "1"], "--target-power"),
    (["value_cocreation", "--reps", "2", "--scheduler", "tcp://127.0.0.1:9"], "cannot reach"),
    (["value_cocreation", "--reps", "2", "--scheduler", "nonsense"], "tcp://HOST:PORT"),
    (["value_cocreation", "--reps", "3", "--bootstrap", "20", "--n", "300",
      "--target-power", "0.999"], "is not reached by any N up to"),
    (["no_such_paper"], "no_such_paper"),
])
def test_cli_bad_input_one_line(args, needle):
    res = run_cli("power", *args)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in res.stderr


def test_cli_json_contract():
    res = run_cli("power", "value_cocreation", "--n", "300,400", "--reps", "4", "--bootstrap",
                  "50", "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert {"paper", "reps", "alpha", "seed", "results", "n_for_power"} <= set(doc)
    assert doc["paper"] == "value_cocreation" and doc["reps"] == 4 and doc["seed"] == 2024
    assert doc["population"]["source"] == "assumed"
    for r in doc["results"]:
        assert {"hypothesis", "n", "power", "mcse", "converged"} <= set(r)
    assert {r["n"] for r in doc["results"]} == {300, 400}


def _fixture_design(case):
    import pandas as pd

    from replication.analyses.montecarlo_design import model_design
    from tests.conftest import ROOT

    d = json.loads((ROOT / "tests" / "fixtures" / "power" / f"montecarlo_{case}.json").read_text())
    pop = d["population"]
    cov = pd.DataFrame(pop["cov"]["values"], index=pop["cov"]["rows"], columns=pop["cov"]["cols"])
    hyps = [(t["hypothesis"], f"{t['rhs']}->{t['lhs']}", t["sign"]) for t in pop["targets"]]
    taus = [pop["thresholds"]] * len(cov) if case == "likert" else None
    return d, model_design(pop["model"], cov, hypotheses=hyps, thresholds=taus)


@pytest.mark.parametrize("case", ["continuous", "likert"])
def test_power_equals_a_lavaan_loop_within_monte_carlo_error(case):
    # held-out population (scripts/power_fixtures.R): 1000 lavaan fits per N against 1000 here
    d, design = _fixture_design(case)
    out = mc.simulate(design, [r["n"] for r in d["runs"]], 1000, seed=5)
    worst = 0.0
    for run in d["runs"]:
        for ref in run["results"]:
            got = next(r for r in out["results"]
                       if r["n"] == run["n"] and r["hypothesis"] == ref["hypothesis"])
            z = (got["power"] - ref["power"]) / math.hypot(got["mcse"], ref["mcse"])
            worst = max(worst, abs(z))
            assert abs(z) < 3, (case, run["n"], ref["hypothesis"], got["power"], ref["power"])
            se_mean = ref["sd_estimate"] * math.sqrt(1 / ref["converged"] + 1 / got["converged"])
            assert abs(got["mean_estimate"] - ref["mean_estimate"]) < 3 * se_mean
            se_sd = ref["sd_estimate"] / math.sqrt(2 * (ref["converged"] - 1)) * math.sqrt(2)
            assert abs(got["sd_estimate"] - ref["sd_estimate"]) < 3 * se_sd
            assert got["convergence_rate"] >= 0.99 and ref["converged"] >= 0.99 * ref["reps"]
            # admissible solutions (lavaan's post.check: no negative variance, PD matrices)
            a_ref = ref["admissible"] / ref["converged"]
            a_bar = (a_ref + got["admissible_rate"]) / 2
            se_a = math.sqrt(max(a_bar * (1 - a_bar), 1e-4) * (1 / ref["converged"]
                                                                + 1 / got["converged"]))
            assert abs(got["admissible_rate"] - a_ref) < 3 * se_a
    assert worst < 3
