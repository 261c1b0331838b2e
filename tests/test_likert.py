"""Likert thresholds: discretized normal with a target mean and SD."""

import numpy as np
import pytest

from replication.data.likert import discrete_moments, thresholds_for, to_likert


@pytest.mark.parametrize("mean,sd,K", [(3.0, 1.0, 5), (5.44, 1.2, 7), (4.0, 1.5, 7), (2.2, 0.8, 5)])
def test_thresholds_give_target_moments(mean, sd, K):
    tau, info = thresholds_for(mean, sd, K)
    assert len(tau) == K - 1 and np.all(np.diff(tau) > 0)
    assert not info["adjusted"]
    m, s = discrete_moments(info["mu"], info["sigma"], K)
    assert m == pytest.approx(mean, abs=1e-8)
    assert s == pytest.approx(sd, abs=1e-8)
    # a large standard-normal sample reproduces them within sampling error
    z = np.random.default_rng(0).standard_normal(200_000)
    y = to_likert(z, tau)
    assert y.min() >= 1 and y.max() <= K
    assert y.mean() == pytest.approx(mean, abs=0.02)
    assert y.std() == pytest.approx(sd, abs=0.02)


def test_unattainable_target_is_moved_inside_and_reported():
    tau, info = thresholds_for(4.9, 2.0, 5)
    assert info["adjusted"]
    assert info["sd"] <= np.sqrt((info["mean"] - 1) * (5 - info["mean"]))
