"""Cudeck-Browne calibration: the published parameters stay the ML minimizer at the set chi-square."""

import numpy as np
import pytest

from replication.data.misfit import calibrate, model_at_population, perturb_single, sqrtm_sym, whitened_tangent
from replication.data.population import population
from replication.engine.ram import fit_ml, ml_discrepancy
from replication.engine.syntax import cfa_syntax, sem_syntax
from tests.toy_records import make_record

ITEMS = {"X": ["X1", "X2", "X3"], "M": ["M1", "M2", "M3"], "Y": ["Y1", "Y2", "Y3"],
         "Z": ["Z1", "Z2", "Z3"]}
PATHS = [("X", "Y"), ("M", "Y"), ("Y", "Z")]
ASSUME = [("constructs.X.loading", 0.8), ("constructs.M.loading", 0.7),
          ("constructs.Y.loading", 0.75), ("constructs.Z.loading", 0.85),
          ("paths.X->Y.std", 0.4), ("paths.M->Y.std", 0.3), ("paths.Y->Z.std", 0.5),
          ("correlations.X~~M", 0.3)]


def _record(fit):
    return make_record(PATHS, ITEMS, assumptions=ASSUME, fit=fit, n=300)


def test_single_target_minimizer_property():
    rec = _record([("sem", {"chisq": 120.0})])
    pop = population(rec)
    model, th0, contains = model_at_population(pop, sem_syntax(rec))
    assert contains
    Sigma0 = pop.cov.to_numpy()
    Q = whitened_tangent(model, th0, np.linalg.inv(sqrtm_sym(Sigma0)))
    f_target = 120.0 / 300
    Sigma = perturb_single(Sigma0, Q, f_target, np.random.default_rng(5))
    # the gradient of F_ML at the published parameters vanishes ...
    assert np.linalg.norm(model.gradient(th0, Sigma)) < 1e-10
    # ... and F at them is the specified minimum
    assert ml_discrepancy(Sigma, model.implied(th0)) == pytest.approx(f_target, rel=1e-10)
    # a fit from a distant start comes back to the published parameters
    fit = fit_ml(model, Sigma, th0 * 0.7 + 0.1)
    assert fit.converged
    assert np.max(np.abs(fit.theta - th0)) < 1e-6
    assert fit.fmin == pytest.approx(f_target, rel=1e-8)
    assert np.linalg.eigvalsh(Sigma).min() > 0


def test_calibrate_reports_chisq_from_ratio_and_df():
    rec = _record([("sem", {"chisq_df": 2.5})])
    cal = calibrate(rec, population(rec), seed=1)
    sem = cal.report["models"]["sem"]
    assert sem["df"] == 78 - 28
    assert sem["target_chisq"] == pytest.approx(2.5 * sem["df"])
    assert "chi-square/df" in sem["target_source"]
    assert sem["achieved_chisq"] == pytest.approx(sem["target_chisq"], rel=1e-8)
    assert sem["max_change_from_published"] < 1e-6
    # misfit orthogonal to the CFA too: CFA estimates unchanged, same chi-square
    assert cal.report["models"]["cfa"]["max_change_from_published"] < 1e-6


def test_two_targets_reach_both_chisq():
    rec = _record([("cfa", {"chisq": 70.0, "df": 48}), ("sem", {"chisq": 95.0, "df": 50})])
    cal = calibrate(rec, population(rec), seed=3)
    rep = cal.report["models"]
    assert cal.report["method"].startswith("Cudeck-Browne, two targets")
    assert rep["cfa"]["df"] == 48 and rep["sem"]["df"] == 50
    assert rep["cfa"]["achieved_chisq"] == pytest.approx(70.0, rel=1e-6)
    assert rep["sem"]["achieved_chisq"] == pytest.approx(95.0, rel=1e-6)
    assert rep["sem"]["gradient_norm_at_published"] < 1e-8
    assert rep["sem"]["max_change_from_published"] < 1e-6


def test_no_printed_chisq_leaves_population_unchanged():
    rec = _record([])
    pop = population(rec)
    cal = calibrate(rec, pop)
    assert cal.report["method"] == "none"
    assert np.array_equal(cal.cov.to_numpy(), pop.cov.to_numpy())


def test_same_seed_same_matrix():
    rec = _record([("sem", {"chisq": 120.0})])
    pop = population(rec)
    a = calibrate(rec, pop, seed=9).cov.to_numpy()
    b = calibrate(rec, pop, seed=9).cov.to_numpy()
    c = calibrate(rec, pop, seed=10).cov.to_numpy()
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)
