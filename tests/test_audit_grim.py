"""GRIM and GRIMMER on construct means and SDs of whole-number answers (closed forms;
Brown & Heathers 2017, Anaya 2016)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

from replication.audit.descriptive_checks import check_grim, check_grimmer
from replication.record.schema import Published


def _p(x: float, dec: int = 2) -> Published:
    return Published(value=round(x, dec), printed=f"{x:.{dec}f}", where="t")


def test_grim_of_brown_and_heathers_example():
    assert check_grim(_p(5.19), 28, 1, 1, 7).status == "inconsistent"  # 145/28 = 5.18, 146/28 = 5.21
    assert check_grim(_p(5.18), 28, 1, 1, 7).status == "consistent"
    assert check_grim(_p(5.19), 28, 4, 1, 7) is None  # 112 answers: every mean of 2 decimals is possible


def test_grimmer_parity():
    # N 10, mean 3.00: S = 30, Q even, SD = sqrt((Q - 90) / 9): 0.471 (Q 92), 0.667 (Q 94); 0.577 needs Q 93
    assert check_grimmer(_p(3.00), _p(0.47), 10, 1, 1, 5).status == "consistent"
    f = check_grimmer(_p(3.00), _p(0.58), 10, 1, 1, 5)
    assert f.status == "inconsistent" and f.severity == "minor"


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=5, max_value=40), st.integers(min_value=1, max_value=3),
       st.integers(min_value=0, max_value=2**31 - 1), st.sampled_from([2, 3]))
def test_means_and_sds_of_whole_number_answers_never_flagged(n, k, seed, dec):
    y = np.random.default_rng(seed).integers(1, 8, size=(n, k))
    score = y.mean(axis=1)
    mean, sd = _p(float(score.mean()), dec), _p(float(score.std(ddof=1)), dec)
    for f in (check_grim(mean, n, k, 1, 7), check_grimmer(mean, sd, n, k, 1, 7)):
        assert f is None or f.status == "consistent", f.detail
