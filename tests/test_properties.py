"""Property-based tests of the formula functions and of the audit's rounding rules.

The central property of the audit: a number computed from true inputs and then printed with
rounding is never flagged, whatever the inputs (no false alarms); and a printed value far outside
every feasible value is always flagged.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from replication.audit import checks as ac
from replication.engine import fit_indices as fi
from replication.analyses.measurement import average_variance_extracted, composite_reliability, cronbach_alpha
from replication.record.schema import Published
from replication.audit.rounding import image, printed_interval

loading = st.floats(min_value=0.05, max_value=0.99, allow_nan=False)
loadings = st.lists(loading, min_size=2, max_size=8)


def _pub(x: float, decimals: int, where: str = "test") -> Published:
    text = f"{x:.{decimals}f}"
    return Published(value=float(text), printed=text, where=where)


@settings(max_examples=200, deadline=None)
@given(loadings)
def test_cr_and_ave_bounds_and_order(ls):
    cr = composite_reliability(ls)
    ave = average_variance_extracted(ls)
    assert 0 < ave < 1 and 0 < cr < 1
    assert math.isclose(ave, float(np.mean(np.square(ls))), rel_tol=1e-12)
    # CR >= AVE for standardized loadings (Fornell & Larcker 1981): a known inequality
    assert cr >= ave - 1e-12


@settings(max_examples=200, deadline=None)
@given(loading, st.integers(min_value=2, max_value=10))
def test_equal_loadings_closed_form(lam, k):
    cr = composite_reliability([lam] * k)
    expected = (k * lam) ** 2 / ((k * lam) ** 2 + k * (1 - lam**2))
    assert math.isclose(cr, expected, rel_tol=1e-12)
    assert math.isclose(average_variance_extracted([lam] * k), lam**2, rel_tol=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=2, max_value=6), st.integers(min_value=30, max_value=200),
       st.integers(min_value=0, max_value=2**31 - 1))
def test_alpha_matches_covariance_formula(k, n, seed):
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n, 1))
    x = common + rng.normal(size=(n, k))
    df = pd.DataFrame(x, columns=[f"i{j}" for j in range(k)])
    c = np.cov(x, rowvar=False)
    expected = k / (k - 1) * (1 - np.trace(c) / c.sum())
    assert math.isclose(cronbach_alpha(df, list(df.columns)), expected, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=0, max_value=5000), st.integers(min_value=1, max_value=500),
       st.integers(min_value=10, max_value=5000))
def test_rmsea_properties(chisq, df, n):
    r = fi.rmsea(chisq, df, n)
    assert r >= 0
    if chisq <= df:
        assert r == 0
    else:
        assert math.isclose(r, math.sqrt((chisq - df) / (df * n)), rel_tol=1e-12)
    assert fi.rmsea(chisq, df, n, n_minus_one=True) >= r  # N - 1 divisor gives the larger value


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-50, max_value=50, allow_nan=False), st.integers(min_value=0, max_value=4))
def test_printed_interval_contains_value_and_rounds_back(x, decimals):
    text = f"{x:.{decimals}f}"
    lo, hi = printed_interval(float(text), decimals)
    assert lo <= float(text) <= hi
    assert math.isclose(hi - lo, 10.0**-decimals, rel_tol=1e-9)
    assert lo - 1e-9 <= x <= hi + 1e-9


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(-3, 3), st.floats(0.001, 0.5)), min_size=1, max_size=4))
def test_image_of_monotone_function_is_exact(box):
    lows = [a for a, _ in box]
    highs = [a + w for a, w in box]
    lo, hi = image(lambda v: float(np.sum(v)), lows, highs, monotone=True)
    assert math.isclose(lo, sum(lows), abs_tol=1e-12) and math.isclose(hi, sum(highs), abs_tol=1e-12)


# ---- no false alarms: true values, printed with rounding, are always consistent ----------------
@settings(max_examples=150, deadline=None)
@given(loadings, st.sampled_from([2, 3]))
def test_audit_never_flags_correctly_rounded_ave_and_cr(ls, decimals):
    printed_l = [_pub(x, 2) for x in ls]
    # the paper computed AVE/CR from the loadings it printed (rounded), or from unrounded ones
    ave = average_variance_extracted(ls)
    cr = composite_reliability(ls)
    assert ac.check_ave(printed_l, _pub(ave, decimals)).status == "consistent"
    assert ac.check_cr(printed_l, _pub(cr, decimals)).status == "consistent"


@settings(max_examples=150, deadline=None)
@given(loadings)
def test_audit_flags_a_far_off_ave(ls):
    printed_l = [_pub(x, 2) for x in ls]
    ave = average_variance_extracted([p.value for p in printed_l])
    wrong = ave + 0.1 if ave < 0.85 else ave - 0.1
    assert ac.check_ave(printed_l, _pub(wrong, 3)).status == "inconsistent"


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0.05, max_value=3), st.floats(min_value=0.01, max_value=0.5),
       st.sampled_from([2, 3]))
def test_audit_never_flags_correctly_rounded_critical_ratio(est, se, decimals):
    z = est / se
    assume(z < 60)
    f = ac.check_statistic(_pub(est, decimals), _pub(se, decimals), _pub(z, 2))
    assert f.status in ("consistent", "not_checkable"), f.detail


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=1, max_value=2000), st.integers(min_value=1, max_value=400),
       st.integers(min_value=50, max_value=3000))
def test_audit_never_flags_correctly_rounded_rmsea(chisq, df, n):
    true = fi.rmsea(chisq, df, n)
    f = ac.check_rmsea(_pub(chisq, 2), Published(value=df, printed=str(df), where="t"),
                       Published(value=n, printed=str(n), where="t"), _pub(true, 3))
    assert f.status == "consistent", f.detail


@settings(max_examples=200, deadline=None)
@given(loadings, st.integers(min_value=2, max_value=3))
def test_cr_within_its_ave_bounds_and_printed_pairs_never_flagged(ls, dec):
    """AVE <= CR <= k AVE / (1 + (k - 1) AVE) for non-negative loadings, and a CR and AVE
    computed from the same loadings and printed with rounding are never flagged."""
    from replication.audit.bound_checks import check_cr_ave_bound, cr_bounds
    cr, ave = composite_reliability(ls), average_variance_extracted(ls)
    lo, hi = cr_bounds(ave, len(ls))
    assert lo - 1e-12 <= cr <= hi + 1e-12
    assert check_cr_ave_bound(_pub(cr, dec), _pub(ave, dec), len(ls)).status == "consistent"


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-0.99, max_value=0.99, allow_nan=False), st.integers(min_value=2, max_value=3))
def test_smc_of_a_printed_loading_never_flagged(lam, dec):
    from replication.audit.bound_checks import check_smc
    assert check_smc(_pub(lam, dec), _pub(lam**2, dec)).status == "consistent"


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-3, max_value=3, allow_nan=False), st.floats(min_value=0.02, max_value=1),
       st.integers(min_value=2, max_value=3))
def test_z_of_printed_estimate_and_se_never_flagged(est, se, dec):
    assume(abs(est) > 10 ** -dec and se > 2 * 10 ** -dec)
    e, s = _pub(est, dec), _pub(se, dec)
    assert ac.check_statistic(e, s, _pub(est / se, dec)).status == "consistent"


# ------------------------------------------------------------------ checks of published reports
@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=20, max_value=2000), st.integers(min_value=5, max_value=300),
       st.integers(min_value=60, max_value=4000), st.integers(min_value=2, max_value=4))
def test_multigroup_rmsea_of_lavaans_formula_never_flagged(chisq, df, n, groups):
    """lavaan's multi-group RMSEA, sqrt(G) sqrt(max(chisq - df, 0) / (df N)), printed with
    rounding, is reproduced at the true total N."""
    from replication.audit.sample_size import rmsea_n_set
    c = _pub(chisq, 3)
    r = _pub(math.sqrt(groups) * fi.rmsea(c.value, df, n), 3)
    s = rmsea_n_set(c.interval, df, r.interval, groups)["N"]
    assert s is not None and s[0] <= n <= s[1]


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0.02, max_value=0.98), st.integers(min_value=2, max_value=3))
def test_fornell_larcker_diagonal_of_the_true_ave_never_flagged(ave, dec):
    from replication.audit.discriminant_checks import check_fl_diagonal
    assert check_fl_diagonal(_pub(math.sqrt(ave), dec), _pub(ave, dec), "c").status == "consistent"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0.3, max_value=0.95), min_size=3, max_size=3),
       st.lists(st.floats(min_value=-0.9, max_value=0.9), min_size=3, max_size=3), st.integers(min_value=2, max_value=3))
def test_fornell_larcker_verdict_of_the_true_numbers_never_flagged(roots, rs, dec):
    from replication.audit.discriminant_checks import check_fl_verdict
    names = ["a", "b", "c"]
    pairs = [("a", "b"), ("a", "c"), ("b", "c")]
    truth = all(abs(r) < min(roots[names.index(x)], roots[names.index(y)]) for (x, y), r in zip(pairs, rs))
    f = check_fl_verdict(truth, {c: _pub(v, dec).interval for c, v in zip(names, roots)},
                         {p: _pub(r, dec).interval for p, r in zip(pairs, rs)}, "t", "t")
    assert f.status == "consistent", f.detail


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0.05, max_value=1.2), min_size=1, max_size=6), st.sampled_from([0.85, 0.90]),
       st.integers(min_value=2, max_value=3))
def test_htmt_verdict_of_the_true_ratios_never_flagged(values, threshold, dec):
    from replication.audit.discriminant_checks import check_htmt_verdict
    printed = {f"a{i}~~b{i}": _pub(v, dec) for i, v in enumerate(values)}
    f = check_htmt_verdict(printed, threshold, all(v < threshold for v in values), "t")
    assert f.status == "consistent", f.detail


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-3, max_value=3, allow_nan=False), st.floats(min_value=0.02, max_value=1),
       st.integers(min_value=2, max_value=3))
def test_marker_of_a_parameters_true_p_never_flagged(est, se, dec):
    from replication.audit.finding import two_sided_p
    from replication.audit.marker_checks import parameter_p_range
    from replication.record.schema import Marker
    legend = [Marker(marker="*", p_below=0.05), Marker(marker="**", p_below=0.01), Marker(marker="***", p_below=0.001)]
    z = _pub(est / se, dec)
    p = two_sided_p(est / se)
    marker = next((m.marker for m in sorted(legend, key=lambda m: m.p_below) if p < m.p_below), None)
    pr = parameter_p_range(_pub(est, dec), None, z, None)
    assert ac.check_marker(pr[0], marker, legend, "t", pr[1]).status == "consistent"


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=10, max_value=3000), st.floats(min_value=1.0, max_value=2.5),
       st.integers(min_value=1, max_value=400), st.integers(min_value=1, max_value=3))
def test_chisq_df_of_a_scaled_chisq_never_flagged(chisq, scaling, df, dec):
    from replication.audit.scaled_checks import chisq_df_finding
    sc = _pub(chisq / scaling, dec)
    m = {"chisq": _pub(chisq, dec), "chisq.scaled": sc, "df": Published(value=df, printed=str(df), where="t"),
         "chisq_df": _pub(sc.value / df, 2)}
    assert chisq_df_finding(m).status == "consistent"
