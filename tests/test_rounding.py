"""Interval arithmetic of printed numbers."""

import math

import pytest

from replication.record.schema import Published
from replication.audit.rounding import exact_interval, fmt, fmt_interval, image, overlaps, printed_interval


def test_printed_interval_matches_record_interval():
    p = Published(value=0.78, printed="0.78", where="T")
    assert printed_interval(0.78, 2) == pytest.approx(p.interval)
    assert printed_interval(3.205, 3) == pytest.approx((3.2045, 3.2055))
    assert printed_interval(0.001, 3, "<") == (-math.inf, 0.001)
    assert printed_interval(50, 0, ">") == (50.0, math.inf)
    assert exact_interval(231) == (231.0, 231.0)


def test_image_of_monotone_function_is_exact_at_corners():
    lo, hi = image(lambda x: x[0] / x[1], [1.115, 0.605], [1.125, 0.615], monotone=True)
    assert lo == pytest.approx(1.115 / 0.615)
    assert hi == pytest.approx(1.125 / 0.605)


def test_image_of_non_monotone_function_finds_interior_extreme():
    lo, hi = image(lambda x: (x[0] - 0.5) ** 2 + (x[1] + 0.2) ** 2, [0.0, -1.0], [1.0, 1.0])
    assert lo == pytest.approx(0.0, abs=1e-8)
    assert hi == pytest.approx(0.25 + 1.44)


def test_image_ignores_non_finite_values_and_handles_empty_box():
    assert image(lambda x: math.nan, [0.0], [1.0]) != image(lambda x: 1.0, [0.0], [1.0])
    assert image(lambda x: 2.0, [], []) == (2.0, 2.0)


def test_overlaps_and_formatting():
    assert overlaps((0.0, 1.0), (1.0, 2.0))
    assert not overlaps((0.0, 1.0), (1.1, 2.0))
    assert overlaps((0.1 + 0.005, 0.2), (0.0, 0.105))
    assert fmt(0.12345, 3) == "0.123"
    assert fmt(math.inf) == "inf"
    assert fmt_interval((0.5, 0.5004), 3) == "0.500"
    assert fmt_interval((0.5, 0.6), 2) == "[0.50, 0.60]"
