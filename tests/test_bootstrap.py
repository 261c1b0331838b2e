"""Bootstrap: determinism across jobs, failures counted, agreement with lavaan's se = "bootstrap"."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from replication.engine import bootstrap as boot_mod
from replication.engine.bootstrap import bias_corrected_ci, bootstrap, percentile_ci
from replication.engine.errors import InputError

FX = Path(__file__).parent / "fixtures" / "lavaan"


@pytest.fixture(scope="module")
def med():
    d = json.loads((FX / "med_boot.json").read_text())
    data = pd.read_csv(FX / d["data"])
    return d, data


@pytest.fixture(scope="module")
def med_boot(med):
    d, data = med
    return bootstrap(d["model"], data, n_boot=d["n_boot"], seed=11)


def test_agrees_with_lavaan_within_monte_carlo_error(med, med_boot):
    d, _ = med
    ref = pd.DataFrame(d["parameters"])
    ref = ref[ref.se > 0]  # free and defined parameters (fixed loadings have se 0)
    summ = med_boot.summary(0.95)
    m = ref.merge(summ, on=["lhs", "op", "rhs"], suffixes=("_lav", ""))
    assert len(m) == len(ref)
    assert np.max(np.abs(m.est_lav - m.est)) < 1e-3
    # Monte Carlo error with B = 1000 each: an SD estimate has relative SE 1/sqrt(2B) = 2.2 %
    # and a 2.5 % quantile about 0.085 SD, so differences between two independent runs have
    # SDs of 3.2 % and 0.12 SD; the bounds are about 3.5 of those SDs
    rel_se = np.abs(m.boot_se / m.se - 1)
    lo = np.abs(m.ci_lower - m.ci_lower_lav) / m.se
    hi = np.abs(m.ci_upper - m.ci_upper_lav) / m.se
    print("largest relative SE difference", rel_se.max(), "largest CI end difference (in SE)",
          max(lo.max(), hi.max()))
    assert rel_se.max() < 0.12
    assert lo.max() < 0.42 and hi.max() < 0.42
    ind = summ[summ.lhs == "ind"].iloc[0]
    assert ind.op == ":=" and ind.ci_lower > 0


def test_estimates_layout(med, med_boot):
    b = med_boot
    assert b.estimates.shape == (1000, len(b.columns))
    assert "PI ~ T" in b.estimates.columns and "ind := a*b" in b.estimates.columns
    assert b.std_estimates.shape == b.estimates.shape
    assert b.n_failed == 0 and b.failed == []
    prod = b.estimates["PI ~ T"] * b.estimates["RB ~ PI"]
    assert np.allclose(prod, b.estimates["ind := a*b"])
    s = b.summary()
    assert list(s.columns) == ["lhs", "op", "rhs", "est", "boot_se", "ci_lower", "ci_upper",
                               "bc_lower", "bc_upper"]
    assert (s.ci_lower <= s.ci_upper).all() and (s.bc_lower <= s.bc_upper).all()


def test_same_seed_same_draws_for_any_jobs(med):
    d, data = med
    a = bootstrap(d["model"], data, n_boot=24, seed=5, jobs=1)
    b = bootstrap(d["model"], data, n_boot=24, seed=5, jobs=2)
    c = bootstrap(d["model"], data, n_boot=24, seed=6, jobs=1)
    pd.testing.assert_frame_equal(a.estimates, b.estimates)
    pd.testing.assert_frame_equal(a.std_estimates, b.std_estimates)
    assert not a.estimates.equals(c.estimates)


def test_workers_without_fork_give_the_same_draws(med, monkeypatch):
    # where fork is missing (Windows, macOS) the workers are joblib's loky processes
    d, data = med
    a = bootstrap(d["model"], data, n_boot=12, seed=5, jobs=1)
    monkeypatch.setattr(boot_mod.mp, "get_all_start_methods", lambda: ["spawn"])
    b = bootstrap(d["model"], data, n_boot=12, seed=5, jobs=2)
    pd.testing.assert_frame_equal(a.estimates, b.estimates)
    pd.testing.assert_frame_equal(a.std_estimates, b.std_estimates)


def test_failed_resamples_are_counted(med, monkeypatch):
    d, data = med
    real = boot_mod._one
    calls = {"n": 0}

    def flaky(seed):
        calls["n"] += 1
        return (boot_mod.NOT_CONVERGED, None, None) if calls["n"] in (2, 5) else real(seed)

    monkeypatch.setattr(boot_mod, "_one", flaky)
    b = bootstrap(d["model"], data, n_boot=8, seed=1, jobs=1)
    assert b.n_failed == 2 and b.failed == [1, 4] and b.nonconverged == [1, 4]
    assert b.n_used == 6 and "2 of 8 bootstrap runs failed" in b.warnings[0]
    assert b.estimates.iloc[[1, 4]].isna().all().all()
    assert b.estimates.drop(index=[1, 4]).notna().all().all()
    summ = b.summary()
    assert np.isfinite(summ.boot_se).all()
    ok = b.estimates.drop(index=[1, 4])
    assert summ.boot_se.to_numpy() == pytest.approx(ok.std(ddof=1).to_numpy(), rel=1e-12)
    ci = np.array([percentile_ci(ok[c]) for c in ok.columns])
    assert np.array_equal(summ[["ci_lower", "ci_upper"]].to_numpy(), ci)


def test_interval_helpers():
    draws = np.arange(1, 101, dtype=float)
    # lavaan's norm.inter(1:100, c(.05, .95)) (the function inside parameterEstimates)
    assert percentile_ci(draws, 0.9) == pytest.approx((5.0536089480626032, 95.9463910519373968),
                                                      rel=1e-12)
    # estimate at the median: bias correction leaves the percentile interval
    assert bias_corrected_ci(draws, 50.5, 0.9) == pytest.approx(percentile_ci(draws, 0.9))
    assert all(np.isnan(bias_corrected_ci(draws, 1000.0)))
    assert all(np.isnan(bias_corrected_ci(draws, 0.0)))
    # failed resamples (NaN) are left out; constant draws keep the estimate, as lavaan
    with_nan = np.r_[draws, np.nan, np.nan]
    assert percentile_ci(with_nan, 0.9) == percentile_ci(draws, 0.9)
    assert bias_corrected_ci(with_nan, 50.5, 0.9) == bias_corrected_ci(draws, 50.5, 0.9)
    assert bias_corrected_ci(np.full(10, 2.0), 2.0) == (2.0, 2.0)
    assert all(np.isnan(percentile_ci([np.nan, np.nan])))


def test_mediation_uses_the_same_intervals():
    from replication.analyses import mediation

    assert mediation.percentile_ci is percentile_ci
    assert mediation.bias_corrected_ci is bias_corrected_ci


def test_bad_input(med):
    d, data = med
    with pytest.raises(InputError, match="n_boot"):
        bootstrap(d["model"], data, n_boot=0)
    with pytest.raises(InputError, match="jobs"):
        bootstrap(d["model"], data, n_boot=5, jobs=0)
    with pytest.raises(InputError, match="level"):
        bootstrap(d["model"], data, n_boot=3, seed=1).summary(level=95)


@pytest.mark.slow
def test_political_democracy_against_lavaan_bootstrap():
    """PoliticalDemocracy, ind60 -> dem60 -> dem65 with the indirect effect, 2,000 resamples
    here and in lavaan (se = "bootstrap", scripts/bootstrap_fixtures.R): the same rule for
    which resamples count (none fails; inadmissible ones, mostly a negative residual variance
    of dem65, are kept and counted), the same SEs and percentile limits within Monte Carlo
    error, identical draws for one and two jobs.

    Monte Carlo error with B = 2000 each: the share of inadmissible resamples (about 0.32) has
    an SD of sqrt(0.32 * 0.68 / 2000) = 1.0 % per run, so the counts of two independent runs
    differ with an SD of about 30 (the bound, 120, is 4 of those); an SD estimate has a
    relative SE of about 1/sqrt(2B) = 1.6 % (more for the skewed variances), a difference of
    two runs 2.2 %, bounded at 10 %; a 2.5 % quantile has an SE of about 0.06 SD, a difference
    0.085 SD, bounded at 0.35 SD."""
    fx = json.loads((Path(__file__).parent / "fixtures" / "bootstrap" / "pd_boot.json").read_text())
    data = pd.read_csv(FX / fx["data"])
    b = bootstrap(fx["model"], data, n_boot=fx["n_boot"], seed=2024, jobs=2)
    assert b.n_failed == fx["n_failed"] == 0
    print("inadmissible resamples", b.n_inadmissible, "lavaan", fx["n_inadmissible"])
    assert abs(b.n_inadmissible - fx["n_inadmissible"]) < 120
    assert b.n_used == fx["n_boot"] and any("nonadmissible" in w for w in b.warnings)
    ref = pd.DataFrame(fx["parameters"])
    ref = ref[ref.se > 0]
    m = ref.merge(b.summary(), on=["lhs", "op", "rhs"], suffixes=("_lav", ""))
    assert len(m) == len(ref)
    assert np.max(np.abs(m.est_lav - m.est)) < 1e-3
    rel = np.abs(m.boot_se / m.se - 1)
    ends = np.maximum(np.abs(m.ci_lower - m.ci_lower_lav), np.abs(m.ci_upper - m.ci_upper_lav)) / m.se
    print("largest relative SE difference", rel.max(), "largest CI end difference (in SE)", ends.max())
    assert rel.max() < 0.10 and ends.max() < 0.35
    one = bootstrap(fx["model"], data, n_boot=40, seed=2024, jobs=1)
    pd.testing.assert_frame_equal(one.estimates, b.estimates.iloc[:40])
    assert one.inadmissible == [i for i in b.inadmissible if i < 40]


def test_resample_status_follows_is_admissible_and_refit_matches_fisher():
    """Each kept resample's status is estimation.is_admissible of its estimates (PoliticalDemocracy,
    where about a third of the resamples end with a negative variance), and the bootstrap's
    refit (RAM.refit, the Newton kernel) lands where RAM.fisher lands, to within the
    optimizer's tolerance (both stop once the Newton decrement is below 1e-14)."""
    from replication.engine.estimation import is_admissible
    from replication.engine.moments import prepare_data, sample_cov

    fx = json.loads((Path(__file__).parent / "fixtures" / "bootstrap" / "pd_boot.json").read_text())
    data = pd.read_csv(FX / fx["data"])
    b = bootstrap(fx["model"], data, n_boot=120, seed=2024)
    spec = b.full.spec
    X = prepare_data(spec, data, "listwise").to_numpy(dtype=float)
    Xc = X - X.mean(axis=0)
    ram = boot_mod.RAM(spec, Xc.T @ Xc / len(X))
    q = spec.n_free
    flags = [is_admissible(spec, ram, row[:q]) for row in b.estimates.to_numpy()]
    assert [i for i, ok in enumerate(flags) if not ok] == b.inadmissible
    assert 10 < b.n_inadmissible < 110
    children = np.random.SeedSequence(2024).spawn(120)
    worst = 0.0
    for k in range(0, 120, 6):
        rng = np.random.default_rng(children[k])
        S = sample_cov(Xc[rng.integers(0, len(X), size=len(X))])
        theta, conv, _ = ram.fisher(b.full.theta, S, max_iter=100, tol=1e-8)
        assert conv
        worst = max(worst, np.max(np.abs(theta - b.estimates.to_numpy()[k, :q])))
    print("largest difference between RAM.fisher and the bootstrap's refit", worst)
    assert worst < 1e-6


def test_no_resamples_when_the_full_sample_fit_does_not_converge():
    """lavaan computes no standard errors for a model that did not converge; neither does the
    bootstrap draw resamples then (pure-noise data where lavaan does not converge either)."""
    starts = Path(__file__).resolve().parent / "fixtures" / "starts"
    fx = json.loads((starts / "noise.json").read_text())
    case = next(c for c in fx["cases"] if c["data"] == "noise_1.csv")
    assert case["converged"] is False
    data = pd.read_csv(starts / "noise_1.csv")
    res = bootstrap(fx["model"], data, n_boot=20, seed=1)
    assert not res.full.converged and not res.drawn
    assert res.n_failed == 20 and res.n_used == 0
    assert res.estimates.isna().all().all()
    assert res.warnings[0].startswith("no bootstrap resamples were drawn")
    assert res.summary()["boot_se"].isna().all()
