"""Checks that need no loadings: CR against AVE and the item count, and item R-squared (SMC)
against the printed standardized loading; and printed standardized parameters within bounds.

Plain functions of printed numbers (:class:`replication.record.schema.Published`), as the other
check modules; see :mod:`replication.audit.checks` for the conventions.
"""

from __future__ import annotations

from replication.audit.finding import Finding, _dp, _finding, _iv
from replication.audit.rounding import fmt, fmt_interval, image, overlaps
from replication.record.schema import Published

__all__ = ["cr_bounds", "check_cr_ave_bound", "check_smc", "check_std_all"]


def cr_bounds(ave: float, k: int) -> tuple[float, float]:
    """Range of composite reliability for ``k`` items with non-negative standardized loadings
    whose average variance extracted is ``ave``.

    With ``sum(1 - l^2) = k (1 - AVE)`` fixed, ``(sum l)^2`` lies between ``sum l^2 = k AVE``
    (one non-zero loading) and ``k sum l^2 = k^2 AVE`` (equal loadings; Cauchy-Schwarz), so
    ``AVE <= CR <= k AVE / (1 + (k - 1) AVE)``.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). *Journal of Marketing Research*, 18(1), 39-50
    (CR and AVE from standardized loadings). The upper bound is the Spearman-Brown reliability
    of ``k`` parallel items with reliability AVE (Lord & Novick, 1968, ch. 4).
    """
    return ave, k * ave / (1.0 + (k - 1) * ave) if k >= 1 else ave


def check_cr_ave_bound(cr: Published, ave: Published, k: int, construct: str = "") -> Finding:
    """Printed CR within the range its printed AVE and item count allow (:func:`cr_bounds`).

    Returns
    -------
    Finding
        ``cr_ave_bound``: the CR range over the rounding interval of AVE against the printed
        CR's interval; ``minor`` when they do not overlap (a reliability index).
    """
    a_iv = _iv(ave)
    lo = image(lambda x: cr_bounds(x[0], k)[0], [a_iv[0]], [a_iv[1]], monotone=True)[0]
    hi = image(lambda x: cr_bounds(x[0], k)[1], [a_iv[0]], [a_iv[1]], monotone=True)[1]
    d = _dp(cr)
    ok = overlaps((lo, hi), _iv(cr))
    detail = (f"{construct}: with AVE {ave.printed} and {k} items (non-negative standardized loadings) "
              f"CR lies between AVE and k AVE / (1 + (k - 1) AVE): {fmt_interval((lo, hi), d)}; "
              + (f"{cr.printed} is within it." if ok else f"{cr.printed} is not: CR, AVE and the item "
                 "count cannot all be right."))
    return _finding("cr_ave_bound", cr.where, cr.printed, fmt_interval((lo, hi), d), ok, detail, "minor")


def check_smc(loading: Published, r2: Published, item: str = "") -> Finding:
    """Printed R-squared of an item (squared multiple correlation) against its squared printed
    standardized loading (an item loading on one factor: ``R^2 = lambda^2``; Bollen, 1989,
    p. 288).

    Returns
    -------
    Finding
        ``smc``: ``lambda^2`` over the loading's rounding interval against the printed R-squared;
        ``minor`` when they do not overlap.
    """
    l_iv = _iv(loading)
    if l_iv[0] < 0 < l_iv[1]:
        iv = (0.0, max(l_iv[0] ** 2, l_iv[1] ** 2))
    else:
        iv = image(lambda x: x[0] ** 2, [l_iv[0]], [l_iv[1]], monotone=True)
        iv = (min(iv), max(iv))
    d = _dp(r2)
    ok = overlaps(iv, _iv(r2))
    detail = (f"{item}: R-squared of an item on one factor is its squared standardized loading, "
              f"{loading.printed}^2 = {fmt(loading.value ** 2, d)} (feasible {fmt_interval(iv, d)}); "
              + (f"{r2.printed} is within it." if ok else f"not {r2.printed}."))
    return _finding("smc", r2.where, r2.printed, fmt_interval(iv, d), ok, detail, "minor")


def check_std_all(value: Published, key: str, variance: bool = False) -> Finding:
    """A printed completely standardized parameter is admissible.

    Loadings, regression coefficients of a single predictor and correlations lie within
    [-1, 1]; a standardized (residual) variance lies within [0, 1] for an item or a dependent
    variable. Outside, the solution is inadmissible (a Heywood case; Bollen, 1989, p. 282), a
    ``major`` finding.
    """
    lo_ok, hi_ok = (0.0, 1.0) if variance else (-1.0, 1.0)
    v_iv = _iv(value)
    ok = v_iv[1] >= lo_ok and v_iv[0] <= hi_ok
    what = "standardized variance" if variance else "standardized value"
    detail = (f"{key}: {what} {value.printed} "
              + ("is admissible." if ok else f"lies outside [{lo_ok:g}, {hi_ok:g}]: the printed solution "
                 "is inadmissible."))
    return _finding("std_bound", value.where, value.printed, f"within [{lo_ok:g}, {hi_ok:g}]", ok, detail,
                    "major")
