"""Checks of printed structural estimates: statistic vs estimate/SE, p vs statistic, markers.

See :mod:`replication.audit.checks` for the conventions every check follows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from replication.record.schema import Marker, Published
from replication.audit.rounding import TOL, fmt, fmt_interval, image, overlaps
from replication.audit.finding import (Finding, _dp, _finding, _fmt_p, _fmt_p_range, _iv,
                                       not_checkable, p_range_from_statistic, two_sided_p)

__all__ = ["STATISTIC_MAJOR_SHARE", "check_statistic", "check_p_value", "check_marker"]

STATISTIC_MAJOR_SHARE = 0.05
"""Relative distance beyond rounding at which a printed statistic is a major finding."""


def _sig_changes(printed_p: tuple[float, float], recomputed_p: tuple[float, float], alpha: float) -> bool:
    """Whether every recomputed p lies on the other side of alpha from every printed one."""
    printed_sig = printed_p[1] < alpha
    printed_ns = printed_p[0] >= alpha
    if printed_sig:
        return recomputed_p[0] >= alpha
    if printed_ns:
        return recomputed_p[1] < alpha
    return False


def check_statistic(estimate: Published, se: Published, statistic: Published, label: str = "C.R.",
                    alpha: float = 0.05) -> Finding:
    """Printed C.R. or t-value against estimate / S.E.

    Parameters
    ----------
    estimate, se, statistic : Published
        Printed estimate, standard error and C.R. (or t).
    label : str
        The statistic's name as printed.
    alpha : float
        The paper's significance level: an inconsistency is major when the recomputed statistic
        falls on the other side of it, or when the printed statistic is more than
        :data:`STATISTIC_MAJOR_SHARE` (5%) away from every value its printed estimate and S.E.
        allow within rounding (it cannot follow from them by rounding and a few per cent).

    Returns
    -------
    Finding
        ``statistic``: ``estimate / S.E.`` (Wald z; Arbuckle, 2011; lavaan ``z``) over the
        rounding box (extremes at its corners, S.E. > 0). The detail gives the S.E. that the
        printed statistic would imply.

    References
    ----------
    Arbuckle, J. L. (2011). *IBM SPSS Amos 20 User's Guide* (C.R. = estimate / S.E., P
    two-sided normal); lavaan ``parameterEstimates`` (``z = est / se``,
    ``pvalue = 2 * pnorm(-abs(z))``).
    Nuijten, M. B., Hartgerink, C. H. J., van Assen, M. A. L. M., Epskamp, S., & Wicherts,
    J. M. (2016). The prevalence of statistical reporting errors in psychology (1985-2013).
    *Behavior Research Methods*, 48, 1205-1226 (p-values recomputed from printed statistics,
    allowing for their rounding).
    """
    e_iv, s_iv = _iv(estimate), _iv(se)
    where = statistic.where
    if s_iv[0] <= 0:
        return not_checkable("statistic", where, statistic.printed,
                             f"the printed S.E. {se.printed} may be 0 within rounding: estimate / S.E. is unbounded")
    iv = image(lambda x: x[0] / x[1], [e_iv[0], s_iv[0]], [e_iv[1], s_iv[1]], monotone=True)
    point = estimate.value / se.value
    d = _dp(statistic)
    ok = overlaps(iv, _iv(statistic))
    base = f"{label} = estimate / S.E. = {estimate.printed} / {se.printed} = {fmt(point, d)}"
    if ok:
        return _finding("statistic", where, statistic.printed, f"{fmt(point, d)} (feasible {fmt_interval(iv, d)})",
                        True, base + f"; {statistic.printed} is within rounding.")
    st_iv = _iv(statistic)
    se_need = image(lambda x: x[0] / x[1], [e_iv[0], st_iv[0]], [e_iv[1], st_iv[1]], monotone=True) \
        if st_iv[0] > 0 or st_iv[1] < 0 else (math.nan, math.nan)
    p_printed = p_range_from_statistic(st_iv)
    p_rec = p_range_from_statistic(iv)
    sig = _sig_changes(p_printed, p_rec, alpha)
    gap = max(iv[0] - st_iv[1], st_iv[0] - iv[1])
    nearest = iv[0] if st_iv[1] < iv[0] else iv[1]
    share = gap / max(abs(nearest), 1e-12)
    far = share > STATISTIC_MAJOR_SHARE
    major = sig or far
    detail = (base + f" (any value in {fmt_interval(iv, d)} within rounding), not {statistic.printed}; "
              f"the printed {label} would need S.E. {fmt_interval(se_need, 3)}. The recomputed two-sided "
              f"p is {_fmt_p_range(p_rec)}"
              + (f", on the other side of the paper's level {alpha:g}" if sig else "")
              + (f"; the printed {label} is {100 * share:.0f}% away from every value its estimate and "
                 f"S.E. allow (more than rounding and {100 * STATISTIC_MAJOR_SHARE:.0f}%)" if far else "")
              + ".")
    return _finding("statistic", where, statistic.printed, f"{fmt(point, d)} (feasible {fmt_interval(iv, d)})",
                    False, detail, "major" if major else "minor")


def check_p_value(statistic: Published, printed_p: Published, label: str = "C.R.",
                  alpha: float = 0.05) -> Finding:
    """Printed p-value against the two-sided normal p of the printed statistic.

    Parameters
    ----------
    statistic, printed_p : Published
        Printed z, t or C.R. and its printed p.
    label : str
        The statistic's name as printed.
    alpha : float
        The paper's significance level.

    Returns
    -------
    Finding
        ``p_value``: ``2 (1 - Phi(|z|))`` over the rounding of the statistic, against the
        printed p (an interval, or a half-line for ``p < 0.01``). Major when the printed p and
        the recomputed one lie on different sides of the paper's level ``alpha``.

    References
    ----------
    Arbuckle, J. L. (2011). *IBM SPSS Amos 20 User's Guide* (C.R. = estimate / S.E., P
    two-sided normal); lavaan ``parameterEstimates`` (``z = est / se``,
    ``pvalue = 2 * pnorm(-abs(z))``).
    Nuijten, M. B., Hartgerink, C. H. J., van Assen, M. A. L. M., Epskamp, S., & Wicherts,
    J. M. (2016). The prevalence of statistical reporting errors in psychology (1985-2013).
    *Behavior Research Methods*, 48, 1205-1226 (p-values recomputed from printed statistics,
    allowing for their rounding).
    """
    p_iv = p_range_from_statistic(_iv(statistic))
    pp_iv = _iv(printed_p)
    pp_iv = (max(pp_iv[0], 0.0), min(pp_iv[1], 1.0))
    ok = overlaps(p_iv, pp_iv)
    point = two_sided_p(statistic.value)
    detail = (f"Two-sided normal p of {label} {statistic.printed} is {_fmt_p(point)}"
              + ("; consistent with the printed p." if ok else f" (feasible {_fmt_p_range(p_iv)}), "
                 f"not {printed_p.printed}."))
    # "p < a" states p strictly below a
    pp_sig = (pp_iv[0], pp_iv[1] - 1e-12) if printed_p.relation == "<" else pp_iv
    sev = "major" if (not ok and _sig_changes(pp_sig, p_iv, alpha)) else "minor"
    return _finding("p_value", printed_p.where, printed_p.printed, f"{_fmt_p(point)} (feasible {_fmt_p_range(p_iv)})",
                    ok, detail, sev)


def _marker_ranges(legend: Sequence[Marker]) -> dict[str, tuple[float, float]]:
    """p-range each legend marker (and no marker, ``""``) stands for."""
    levels = sorted(legend, key=lambda m: m.p_below)
    out = {}
    prev = 0.0
    for m in levels:
        out[m.marker] = (prev, m.p_below)
        prev = m.p_below
    out[""] = (prev, 1.0)
    return out


def check_marker(p_range: tuple[float, float], marker: str | None, legend: Sequence[Marker], where: str,
                 source: str) -> Finding:
    """A printed significance marker against the paper's legend and the p of the statistic.

    Parameters
    ----------
    p_range : (float, float)
        Two-sided p-values compatible with the printed numbers.
    marker : str or None
        Marker as printed (``None``: no marker).
    legend : sequence of Marker
        The paper's legend (``***`` means ``p < 0.001``...). No marker means ``p`` at or above
        the largest level.
    where : str
        Location of the marker.
    source : str
        What the p was computed from, for the explanation (``"t = 2.64"``).

    Returns
    -------
    Finding
        ``marker``: consistent when some p in ``p_range`` falls in the marker's band of the
        legend. Minor when inconsistent (the verdict checks judge the conclusions).
    """
    ranges = _marker_ranges(legend)
    m = marker or ""
    shown = m or "no marker"
    if m not in ranges:
        return not_checkable("marker", where, shown, f"marker {m!r} is not in the paper's legend")
    band = ranges[m]
    ok = p_range[0] < band[1] and p_range[1] >= band[0] - TOL
    fits = [k or "no marker" for k, b in ranges.items() if p_range[0] < b[1] and p_range[1] >= b[0] - TOL]
    one_sided = (p_range[0] / 2, p_range[1] / 2)
    fits1 = [k or "no marker" for k, b in ranges.items() if one_sided[0] < b[1] and one_sided[1] >= b[0] - TOL]
    detail = (f"{source} gives two-sided p = {_fmt_p_range(p_range)}, which the legend "
              f"({', '.join(f'{k} p < {b[1]:g}' for k, b in ranges.items() if k)}) marks "
              f"{' or '.join(fits)}; printed {shown}.")
    if not ok and m in [f if f != "no marker" else "" for f in fits1]:
        detail += f" A one-sided p ({_fmt_p_range(one_sided)}) would fit {shown}."
    return _finding("marker", where, shown, " or ".join(fits), ok, detail, "minor")
