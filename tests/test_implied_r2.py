"""Implied R-squared of standardized structural models."""

import numpy as np
import pytest

from replication.engine.errors import InputError
from replication.audit.implied_r2 import ancestors, implied_r2, min_r2


def test_two_predictors_is_b_R_b():
    b = np.array([0.5, 0.3])
    R = np.array([[1.0, 0.4], [0.4, 1.0]])
    out = implied_r2({("a", "y"): 0.5, ("b", "y"): 0.3}, {("a", "b"): 0.4})
    assert out["y"] == pytest.approx(b @ R @ b)


def test_chain_propagates_correlations():
    # a -> m -> y and a -> y: corr(a, m) = 0.6, R2(y) = .3^2 + .4^2 + 2 .3 .4 .6
    out = implied_r2({("a", "m"): 0.6, ("m", "y"): 0.3, ("a", "y"): 0.4})
    assert out["m"] == pytest.approx(0.36)
    assert out["y"] == pytest.approx(0.09 + 0.16 + 2 * 0.3 * 0.4 * 0.6)


def test_correlated_disturbances_keep_unit_variances():
    # y and z both from a, disturbances correlated: R2 unchanged (no path between them)
    out = implied_r2({("a", "y"): 0.5, ("a", "z"): 0.6}, {}, {("y", "z"): 0.3})
    assert out == pytest.approx({"y": 0.25, "z": 0.36})
    # z also predicted by y: the disturbance covariance enters R2(z) = 1 - psi_z
    out = implied_r2({("a", "y"): 0.5, ("y", "z"): 0.4}, {}, {("y", "z"): 0.2})
    psi_y = 0.75
    # var(z) = .16 + psi_z + 2 * .4 * cov(y, zeta_z); cov(y, zeta_z) = .2 sqrt(psi_y psi_z)
    psi_z = 1 - out["z"]
    assert 0.16 + psi_z + 2 * 0.4 * 0.2 * np.sqrt(psi_y * psi_z) == pytest.approx(1.0)


def test_missing_exogenous_correlation_raises():
    with pytest.raises(InputError, match="a~~b"):
        implied_r2({("a", "y"): 0.5, ("b", "y"): 0.3})
    with pytest.raises(InputError):
        implied_r2({})


def test_ancestors():
    paths = [("a", "m"), ("b", "m"), ("m", "y"), ("c", "z")]
    assert ancestors(paths, "y") == {"a", "b", "m"}
    assert ancestors(paths, "a") == set()


def test_min_r2_finds_admissible_correlation():
    # .8 and .7 give R2 = 1.13 + 1.12 r: admissible for r <= ~0
    box = {("a", "y"): (0.795, 0.805), ("b", "y"): (0.695, 0.705)}
    res = min_r2(box, "y")
    assert res.value < 1
    assert res.value == pytest.approx((0.795 - 0.705) ** 2, abs=1e-6)
    assert res.exo_corr[("a", "b")] == pytest.approx(-1.0, abs=1e-6)


def test_min_r2_detects_inadmissible_paths():
    # y from m and n, both driven by a alone: corr(m, n) is fixed at .81, R2 > 1 whatever
    box = {("a", "m"): (0.9, 0.9), ("a", "n"): (0.9, 0.9), ("m", "y"): (0.7, 0.7), ("n", "y"): (0.7, 0.7)}
    res = min_r2(box, "y")
    assert res.value == pytest.approx(0.49 * 2 + 2 * 0.49 * 0.81)
    assert res.value > 1


def test_min_r2_is_deterministic():
    box = {("a", "y"): (0.4, 0.5), ("b", "y"): (0.2, 0.3), ("c", "y"): (0.1, 0.2)}
    assert min_r2(box, "y") == min_r2(box, "y")
    with pytest.raises(InputError):
        min_r2(box, "a")


def test_min_r2_gradient_matches_central_differences():
    # the analytic gradient of the objective (implicit function theorem through the disturbance
    # variances), with and without free disturbance correlations
    from replication.audit.implied_r2 import _R2Objective

    keys = [("a", "m"), ("b", "m"), ("a", "y"), ("m", "y"), ("b", "y")]
    rng = np.random.default_rng(3)
    for dpairs in ([], [("m", "y")]):
        objective = _R2Objective(keys, dpairs, "y")
        for _ in range(5):
            x = np.concatenate([rng.uniform(-1, 1, 4), rng.uniform(-0.4, 0.4, len(keys)),
                                rng.uniform(-0.3, 0.3, len(dpairs))])
            value, grad = objective.value_and_gradient(x)
            assert value == objective.value(x)
            h = 1e-6
            numeric = [(objective.value(x + h * e) - objective.value(x - h * e)) / (2 * h)
                       for e in np.eye(x.size)]
            assert grad == pytest.approx(numeric, abs=1e-7)
