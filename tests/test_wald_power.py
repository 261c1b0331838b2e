"""Power of the Wald test at any N from the population's expected information
(``replication.analyses.wald_power``), against a closed form and a lavaan simulate-and-fit loop.

Reference: tests/fixtures/power/montecarlo_{continuous,likert}.json (scripts/power_fixtures.R,
lavaan 0.6.14, 1000 replications per N on a held-out population).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from replication.analyses import wald_power as wp
from replication.analyses.montecarlo_design import model_design
from replication.engine.distributions import norm_sf
from tests.test_montecarlo import _fixture_design


def _fixture(case):
    return _fixture_design(case)


def test_regression_of_observed_variables_has_the_closed_form_power():
    # y = 0.3 x + e, var(x) = 1, var(e) = 0.91: SE of the slope at N is sqrt(0.91 / N)
    cov = pd.DataFrame([[1.0, 0.3], [0.3, 1.0]], index=["x", "y"], columns=["x", "y"])
    design = model_design("y ~ x", cov, hypotheses=[("H", "x->y", "+")])
    target = design.targets[0]
    assert target.unit_sd == pytest.approx(math.sqrt(0.91), rel=1e-9)
    z = 1.959963984540054
    for n in (30, 100, 400):
        expected = float(norm_sf(z - math.sqrt(n) * 0.3 / math.sqrt(0.91)))
        assert wp.wald_power(target, n) == pytest.approx(expected, abs=1e-12)
    n80 = wp.wald_n(target, 0.80)
    assert wp.wald_power(target, n80) >= 0.80 > wp.wald_power(target, n80 - 1)
    assert n80 == math.ceil(((z + 0.8416212335729143) * math.sqrt(0.91) / 0.3) ** 2)


def test_a_hypothesis_on_the_wrong_side_has_no_n():
    cov = pd.DataFrame([[1.0, 0.3], [0.3, 1.0]], index=["x", "y"], columns=["x", "y"])
    design = model_design("y ~ x", cov, hypotheses=[("H", "x->y", "-")])
    assert wp.wald_n(design.targets[0], 0.8) is None
    assert wp.wald_power(design.targets[0], 500) < 0.025


@pytest.mark.parametrize("case", ["continuous", "likert"])
def test_analytic_power_equals_a_lavaan_loop(case):
    # the Wald approximation against 1000 lavaan fits per N: within 3 Monte Carlo SEs (largest
    # difference seen 0.027, 1.9 SEs, hypothesis c at N = 250)
    d, design = _fixture(case)
    worst = 0.0
    for run in d["runs"]:
        rows = {r["hypothesis"]: r for r in wp.analytic_power(design, [run["n"]])}
        for ref in run["results"]:
            diff = abs(rows[ref["hypothesis"]]["power"] - ref["power"])
            worst = max(worst, diff)
            assert diff < 3 * ref["mcse"], (case, run["n"], ref["hypothesis"])
    assert worst > 0  # compared, not skipped


def test_n_for_power_is_never_below_the_n_with_admissible_solutions():
    _, design = _fixture("continuous")
    floor = wp.smallest_reliable_n(design, seed=3)
    assert floor is not None and floor > design.n_free
    found = wp.analytic_n_for_power(design, (0.80, 0.95), seed=3)
    smallest = min(by_power[0.80]["n"] for by_power in found.values())
    assert wp.reliable(design, smallest, seed=3)
    for h, by_power in found.items():
        assert by_power[0.95]["n"] >= by_power[0.80]["n"]
        target = next(t for t in design.targets if t.hypothesis == h)
        assert wp.wald_power(target, by_power[0.80]["n"]) >= 0.80
    assert np.isfinite([t.unit_sd for t in design.targets]).all()


def test_a_wald_n_below_the_admissible_n_is_raised_to_it():
    # a strong path between two factors of two indicators each: the Wald test needs a few dozen
    # of respondents, the model converges to admissible solutions only at far more
    cov = _two_factor_cov(loading=0.7, path=0.9)
    design = model_design("f1 =~ a1 + a2\nf2 =~ b1 + b2\nf2 ~ f1", cov,
                          hypotheses=[("H", "f1->f2", "+")])
    found = wp.analytic_n_for_power(design, (0.80,), seed=5)["H"][0.80]
    wald = wp.wald_n(design.targets[0], 0.80)
    assert found["n"] > wald and "raised to" in found["method"]
    assert wp.reliable(design, found["n"], seed=5)
    assert not wp.reliable(design, wald, seed=5)


def test_the_verdict_of_reliable_does_not_depend_on_stopping_early(monkeypatch):
    _, design = _fixture("continuous")
    n = design.n_free + 5
    early = wp.reliable(design, n, seed=3, reps=20)
    monkeypatch.setattr(wp, "_BATCH", 20)
    recs = wp.run_batch(design, n, range(20), 3, 0.05)
    ok = sum(all(c and a for c, a in zip(r["converged"], r["admissible"])) for r in recs)
    assert early == (ok >= math.ceil(wp.RELIABLE_RATE * 20))


def _two_factor_cov(loading: float, path: float) -> pd.DataFrame:
    """Implied correlations of ``f1 =~ a1 + a2``, ``f2 =~ b1 + b2``, ``f2 ~ f1`` with unit
    factor variances and standardized indicators."""
    names = ["a1", "a2", "b1", "b2"]
    lam = np.array([[loading, 0], [loading, 0], [0, loading], [0, loading]])
    phi = np.array([[1.0, path], [path, 1.0]])
    sigma = lam @ phi @ lam.T
    np.fill_diagonal(sigma, 1.0)
    return pd.DataFrame(sigma, index=names, columns=names)
