"""Consistency checks of published numbers: plain functions of printed values.

Each check takes printed numbers (:class:`replication.record.schema.Published`, which carry their text,
their location and their rounding) and returns a :class:`Finding`. A printed value is
``inconsistent`` only when no inputs within their printed precision reproduce it: the inputs are
intervals (see :mod:`replication.audit.rounding`), the recomputed quantity is the image interval, and
the finding reports it. A check that lacks an input is ``not_checkable`` and says what is missing.

Every inconsistent finding carries a severity: ``major`` when the published solution cannot be
true in a way that bears on the model or a hypothesis (inadmissible estimates, degrees of freedom
or fit statistics that cannot come from one model and sample, a test statistic whose recomputed
value changes significance at the paper's own level, verdicts that contradict the paper's own
rule), ``minor`` otherwise (reliability indices, significance markers, text against tables,
sample description: correcting them leaves every conclusion unchanged).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from replication.engine import fit_indices
from replication.analyses.measurement import average_variance_extracted, composite_reliability
from replication.audit.model_df import DfCount, items_implied_by_df
from replication.record.schema import Claim, Marker, Published
from replication.audit.rounding import TOL, exact_interval, fmt, fmt_interval, image, overlaps

__all__ = [
    "SOFTWARE_NOTES",
    "software_note",
    "Finding",
    "Evidence",
    "CONSISTENT",
    "INCONSISTENT",
    "NOT_CHECKABLE",
    "not_checkable",
    "two_sided_p",
    "p_range_from_statistic",
    "check_ave",
    "check_cr",
    "check_loading_bounds",
    "check_chisq_df",
    "check_chisq_pvalue",
    "check_rmsea",
    "check_rmsea_ratio",
    "check_agfi",
    "check_df",
    "baseline_range",
    "check_incremental_fit",
    "check_common_baseline",
    "check_statistic",
    "check_p_value",
    "check_marker",
    "check_verdict",
    "check_verdict_coherence",
    "check_standardized_bound",
    "check_implied_r2",
    "check_group_sum",
    "check_group_percent",
    "check_percent_sum",
    "check_response_rate",
    "check_claim",
    "check_harman",
    "check_mean_sd",
]

CONSISTENT = "consistent"
INCONSISTENT = "inconsistent"
NOT_CHECKABLE = "not_checkable"


@dataclass(frozen=True)
class Finding:
    """One audited number.

    Attributes
    ----------
    check : str
        Name of the check (``ave``, ``rmsea``, ``statistic`` ...).
    where : str
        Where the number stands in the paper (table, row, column or section).
    reported : str
        The number as printed (or the printed inputs, for a check of several numbers).
    recomputed : str
        The number recomputed from the other printed numbers, or its feasible interval.
    status : str
        ``consistent``, ``inconsistent`` or ``not_checkable``.
    detail : str
        One or two sentences a reviewer can read.
    severity : str or None
        ``major`` or ``minor`` for an inconsistent finding, else ``None``.
    """

    check: str
    where: str
    reported: str
    recomputed: str
    status: str
    detail: str
    severity: str | None = None


def _finding(check, where, reported, recomputed, ok, detail, severity="minor") -> Finding:
    return Finding(check, where, reported, recomputed, CONSISTENT if ok else INCONSISTENT, detail,
                   None if ok else severity)


def not_checkable(check: str, where: str, reported: str, missing: str) -> Finding:
    """A finding for a check that lacks an input; ``missing`` says what is not printed."""
    return Finding(check, where, reported, "", NOT_CHECKABLE, missing)


def _iv(p: Published) -> tuple[float, float]:
    return p.interval


def _show(p: Published) -> str:
    return p.printed + (p.marker or "")


def _dp(p: Published, extra: int = 1) -> int:
    return max(p.decimals + extra, 2)


# --------------------------------------------------------------------------------------------
# Normal p-values
# --------------------------------------------------------------------------------------------
def two_sided_p(z: float) -> float:
    """Two-sided normal p-value of a z, t or C.R. statistic, ``2 (1 - Phi(|z|))``.

    References
    ----------
    Arbuckle, J. L. (2011). *IBM SPSS Amos 20 User's Guide* (C.R. and P columns); lavaan
    ``parameterEstimates`` (``pvalue = 2 * pnorm(-abs(z))``).
    """
    return float(2.0 * stats.norm.sf(abs(z)))


def p_range_from_statistic(iv: tuple[float, float]) -> tuple[float, float]:
    """Two-sided p-values of every statistic in the interval ``iv``.

    Parameters
    ----------
    iv : (float, float)
        Interval of a z, t or C.R. statistic (its printed rounding).

    Returns
    -------
    (float, float)
        ``(p(max |z|), p(min |z|))`` with ``p(z) = 2 (1 - Phi(|z|))`` (:func:`two_sided_p`),
        which decreases in ``|z|``; ``min |z| = 0`` when the interval contains 0.

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
    lo, hi = iv
    if lo <= 0 <= hi:
        amin = 0.0
    else:
        amin = min(abs(lo), abs(hi))
    amax = max(abs(lo), abs(hi))
    return (two_sided_p(amax), two_sided_p(amin))


def _fmt_p(p: float) -> str:
    if p < 0.0001:
        return f"{p:.1e}"
    return f"{p:.4f}"


def _fmt_p_range(iv: tuple[float, float]) -> str:
    a, b = _fmt_p(iv[0]), _fmt_p(iv[1])
    return a if a == b else f"[{a}, {b}]"


# --------------------------------------------------------------------------------------------
# Measurement model
# --------------------------------------------------------------------------------------------
def _loading_box(loadings: Sequence[Published]) -> tuple[np.ndarray, np.ndarray, bool]:
    lows = np.array([_iv(p)[0] for p in loadings])
    highs = np.array([_iv(p)[1] for p in loadings])
    mono = bool(np.all(lows >= 0) and np.all(highs <= 1)) or bool(np.all(highs <= 0) and np.all(lows >= -1))
    return lows, highs, mono


def _reliability(check: str, name: str, fn, loadings: Sequence[Published], printed: Published,
                 items: Sequence[str] | None, construct: str | None) -> Finding:
    if not loadings:
        return not_checkable(check, printed.where, printed.printed,
                             f"no standardized loadings printed for {construct or 'the construct'}")
    lows, highs, mono = _loading_box(loadings)
    point = fn([p.value for p in loadings])
    iv = image(lambda x: fn(x), lows, highs, monotone=mono)
    ok = overlaps(iv, _iv(printed))
    d = _dp(printed)
    who = f"{name} of {construct}" if construct else name
    src = ", ".join(f"{i} {p.printed}" for i, p in zip(items, loadings)) if items else \
        ", ".join(p.printed for p in loadings)
    if ok:
        detail = (f"{who} from the printed loadings ({src}) is {fmt(point, d)}; "
                  f"{printed.printed} is within rounding.")
    else:
        detail = (f"{who} from the printed loadings ({src}) is {fmt(point, d)}, and no loadings "
                  f"within their printed rounding give {printed.printed} (they give "
                  f"{fmt_interval(iv, d)}).")
    return _finding(check, printed.where, printed.printed,
                    f"{fmt(point, d)} (feasible {fmt_interval(iv, d)})", ok, detail, "minor")


def check_ave(loadings: Sequence[Published], printed: Published, items: Sequence[str] | None = None,
              construct: str | None = None) -> Finding:
    """Printed AVE against the AVE of the printed standardized loadings.

    Parameters
    ----------
    loadings : sequence of Published
        Standardized loadings of the construct's items, as printed.
    printed : Published
        The printed AVE.
    items, construct : optional
        Names used in the explanation.

    Returns
    -------
    Finding
        ``ave``: consistent when some loadings within their rounding give an AVE that rounds to
        the printed one. The AVE is :func:`replication.analyses.measurement.average_variance_extracted`
        (Fornell & Larcker, 1981), monotone in each loading on [0, 1], so the feasible interval
        is exact at the corners of the rounding box.

    Notes
    -----
    ``AVE = sum(lambda_i^2) / (sum(lambda_i^2) + sum(1 - lambda_i^2)) = mean(lambda_i^2)`` for
    standardized loadings ``lambda_i``.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. *Journal of Marketing Research*, 18, 39-50.
    """
    return _reliability("ave", "AVE", average_variance_extracted, loadings, printed, items, construct)


def check_cr(loadings: Sequence[Published], printed: Published, items: Sequence[str] | None = None,
             construct: str | None = None) -> Finding:
    """Printed composite reliability against the CR of the printed standardized loadings.

    Parameters
    ----------
    loadings : sequence of Published
        Standardized loadings of the construct's items, as printed.
    printed : Published
        The printed CR.
    items, construct : optional
        Names used in the explanation.

    Returns
    -------
    Finding
        ``cr``: :func:`replication.analyses.measurement.composite_reliability` (Joreskog, 1971) over the
        rounding box of the loadings (monotone in each loading on [0, 1]).

    Notes
    -----
    ``CR = (sum lambda_i)^2 / ((sum lambda_i)^2 + sum(1 - lambda_i^2))`` for standardized
    loadings ``lambda_i``.

    References
    ----------
    Joreskog, K. G. (1971). Statistical analysis of sets of congeneric tests. *Psychometrika*,
    36, 109-133.
    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. *Journal of Marketing Research*, 18, 39-50.
    """
    return _reliability("cr", "CR", composite_reliability, loadings, printed, items, construct)


def check_loading_bounds(loadings: dict[str, Published], where: str = "standardized loadings") -> list[Finding]:
    """Printed standardized loadings lie within [-1, 1].

    Parameters
    ----------
    loadings : dict
        ``{item: Published}`` standardized loadings.
    where : str
        Location used for the summary finding when all loadings pass.

    Returns
    -------
    list of Finding
        One ``loading_bound`` finding per loading outside [-1, 1] beyond rounding (major: a
        standardized loading is the correlation of an item with its construct and cannot exceed
        1 in absolute value, Joreskog, 1999), or one consistent finding for all of them.

    Notes
    -----
    For an item loading on one construct the standardized loading is ``lambda sd(f) / sd(x)``,
    the correlation of item and construct, and its residual variance ``1 - lambda^2`` is
    negative when ``|lambda| > 1``.

    References
    ----------
    Joreskog, K. G. (1999). *How large can a standardized coefficient be?* Scientific Software
    International, technical note.
    Dillon, W. R., Kumar, A., & Mulani, N. (1987). Offending estimates in covariance structure
    analysis. *Psychological Bulletin*, 101, 126-135.
    """
    if not loadings:
        return []
    out = []
    for item, p in loadings.items():
        lo, hi = _iv(p)
        if min(abs(lo), abs(hi)) > 1 + TOL and lo * hi > 0:
            out.append(_finding(
                "loading_bound", p.where, p.printed, "|loading| <= 1", False,
                f"The standardized loading of {item} ({p.printed}) exceeds 1 in absolute value: "
                f"a negative residual variance (Heywood case), inadmissible.", "major"))
    if not out:
        vals = [p.value for p in loadings.values()]
        out.append(_finding(
            "loading_bound", where, f"{len(vals)} loadings in [{min(vals):g}, {max(vals):g}]",
            "all within [-1, 1]", True,
            f"All {len(vals)} printed standardized loadings lie within [-1, 1]."))
    return out


# --------------------------------------------------------------------------------------------
# Fit statistics
# --------------------------------------------------------------------------------------------
def _count_iv(p: Published) -> tuple[float, float]:
    """A whole-number count (df, N) is exact; a number printed with decimals is rounded."""
    if p.decimals == 0 and float(p.value).is_integer():
        return exact_interval(p.value)
    return _iv(p)


def check_chisq_df(chisq: Published, df: Published, printed: Published) -> Finding:
    """Printed chi-square/df against chi-square and df.

    Parameters
    ----------
    chisq, df, printed : Published
        Printed chi-square, degrees of freedom and chi-square/df.

    Returns
    -------
    Finding
        ``chisq_df``: :func:`replication.engine.fit_indices.chisq_df` over the rounding of chi-square
        (df exact). Major when inconsistent.

    References
    ----------
    Wheaton, B., Muthen, B., Alwin, D. F., & Summers, G. F. (1977). Assessing reliability and
    stability in panel models. *Sociological Methodology*, 8, 84-136.
    """
    c_iv, d_iv = _iv(chisq), _count_iv(df)
    iv = image(lambda x: fit_indices.chisq_df(x[0], x[1]), [c_iv[0], d_iv[0]], [c_iv[1], d_iv[1]], monotone=True)
    point = fit_indices.chisq_df(chisq.value, df.value)
    d = _dp(printed)
    ok = overlaps(iv, _iv(printed))
    detail = (f"chi-square / df = {chisq.printed} / {df.printed} = {fmt(point, d)}"
              + ("; within rounding." if ok else f"; no chi-square within rounding gives {printed.printed}."))
    return _finding("chisq_df", printed.where, printed.printed, f"{fmt(point, d)} (feasible {fmt_interval(iv, d)})",
                    ok, detail, "major")


def check_chisq_pvalue(chisq: Published, df: Published, printed: Published) -> Finding:
    """Printed p-value of the chi-square test against chi-square and df.

    Parameters
    ----------
    chisq, df, printed : Published
        Printed chi-square, degrees of freedom and p-value.

    Returns
    -------
    Finding
        ``chisq_pvalue``: :func:`replication.engine.fit_indices.chisq_pvalue` (upper tail of the
        chi-square distribution) over the rounding of chi-square. Major when inconsistent.

    Notes
    -----
    ``p = P(chi2_df > chisq)``, decreasing in chi-square.

    References
    ----------
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, ch. 7.
    lavaan ``R/lav_test.R`` (``pchisq(stat, df, lower.tail = FALSE)``).
    """
    c_iv, d_iv = _iv(chisq), _count_iv(df)
    iv = image(lambda x: fit_indices.chisq_pvalue(x[0], x[1]), [c_iv[0], d_iv[0]], [c_iv[1], d_iv[1]], monotone=True)
    point = fit_indices.chisq_pvalue(chisq.value, df.value)
    ok = overlaps(iv, _iv(printed))
    detail = (f"P(chi-square({df.printed}) > {chisq.printed}) = {_fmt_p(point)}"
              + ("; consistent with the printed p." if ok else f"; the printed {printed.printed} cannot be reached."))
    return _finding("chisq_pvalue", printed.where, printed.printed, f"{_fmt_p(point)} (feasible {_fmt_p_range(iv)})",
                    ok, detail, "major")


def check_rmsea(chisq: Published, df: Published, n: Published, printed: Published) -> Finding:
    """Printed RMSEA against chi-square, df and N (lavaan's N and the N - 1 convention).

    Parameters
    ----------
    chisq, df, n, printed : Published
        Printed chi-square, degrees of freedom, sample size and RMSEA.

    Returns
    -------
    Finding
        ``rmsea``: :func:`replication.engine.fit_indices.rmsea` over the rounding of chi-square, with
        ``N`` (lavaan) and ``N - 1`` (AMOS, LISREL); consistent when either reaches the printed
        value. When inconsistent the detail gives the chi-square the printed RMSEA would need.
        Major when inconsistent.

    Notes
    -----
    ``RMSEA = sqrt(max(0, (chisq - df) / (df N)))``, and with ``N - 1`` in place of ``N``;
    increasing in chi-square, so the feasible interval is the image of the chi-square
    interval's ends. The chi-square a printed RMSEA ``r`` needs is ``df (1 + N r^2)``.

    References
    ----------
    Steiger, J. H. (1990). Structural model evaluation and modification: an interval estimation
    approach. *Multivariate Behavioral Research*, 25, 173-180.
    Browne, M. W., & Cudeck, R. (1993). Alternative ways of assessing model fit. In K. A.
    Bollen & J. S. Long (Eds.), *Testing Structural Equation Models* (pp. 136-162). Sage.
    lavaan ``R/lav_fit_rmsea.R`` (divisor N); Joreskog, K. G., & Sorbom, D. (1996). *LISREL 8:
    User's Reference Guide*. Scientific Software International (divisor N - 1).
    """
    c_iv, d_iv, n_iv = _iv(chisq), _count_iv(df), _count_iv(n)
    d = _dp(printed)
    ivs, points = {}, {}
    for label, nm1 in (("N", False), ("N-1", True)):
        ivs[label] = image(lambda x, nm1=nm1: fit_indices.rmsea(x[0], x[1], x[2], n_minus_one=nm1),
                           [c_iv[0], d_iv[0], n_iv[0]], [c_iv[1], d_iv[1], n_iv[1]], monotone=True)
        points[label] = fit_indices.rmsea(chisq.value, df.value, n.value, n_minus_one=nm1)
    ok = any(overlaps(iv, _iv(printed)) for iv in ivs.values())
    rec = "; ".join(f"{fmt(points[k], d)} with {k} (feasible {fmt_interval(ivs[k], d)})" for k in ivs)
    base = (f"RMSEA = sqrt(max(0, (chi-square - df) / (df N))) with chi-square {chisq.printed}, "
            f"df {df.printed}, N {n.printed}")
    if ok:
        detail = base + f" agrees with {printed.printed} within rounding."
    else:
        lo, hi = _iv(printed)
        need = (df.value * (1 + n.value * max(lo, 0) ** 2), df.value * (1 + n.value * hi ** 2))
        detail = (base + f" gives {fmt(points['N'], d)}, not {printed.printed}; the printed RMSEA would "
                  f"need chi-square in {fmt_interval(need, 1)} on {df.printed} df.")
    return _finding("rmsea", printed.where, printed.printed, rec, ok, detail, "major")


#: What programs print next to the conventions checked here (N and N - 1), for explanations.
SOFTWARE_NOTES = {
    "lisrel": ("LISREL 8 prints several chi-squares and bases RMSEA on the normal-theory weighted "
               "least-squares chi-square (C2), while chi-square/df is often taken from the minimum "
               "fit function chi-square (C1); the two printed numbers agree only if C2 is about "
               "{factor} times C1."),
}


def software_note(software: str | None, factor: float | None = None) -> str:
    """The note of :data:`SOFTWARE_NOTES` for a program named in a record ("" when none)."""
    if not software:
        return ""
    for key, note in SOFTWARE_NOTES.items():
        if key in software.lower():
            return " " + note.format(factor=fmt(factor, 1) if factor else "several")
    return ""


def check_rmsea_ratio(ratio: Published, n: Published, printed: Published, df: int | None = None,
                      df_source: str = "", software: str | None = None) -> Finding:
    """Printed RMSEA against a printed chi-square/df and N, when chi-square and df are not printed.

    Parameters
    ----------
    ratio : Published
        Printed chi-square / df.
    n : Published
        Printed N.
    printed : Published
        Printed RMSEA.
    df : int, optional
        Degrees of freedom of the described model, used to state the implied chi-square (the
        RMSEA itself does not depend on it: ``(chisq - df) / (df N) = (chisq/df - 1) / N``).
    df_source : str
        How ``df`` was obtained, for the explanation.
    software : str, optional
        The program the paper used; a known difference in how it computes RMSEA is named in the
        explanation (:data:`SOFTWARE_NOTES`).

    Returns
    -------
    Finding
        ``rmsea``: :func:`replication.engine.fit_indices.rmsea` at ``chisq = ratio * df`` for every
        ratio within rounding, with N and N - 1. When inconsistent the detail gives the ratio
        and the N that the printed RMSEA would need. Major when inconsistent.

    Notes
    -----
    ``RMSEA = sqrt(max(0, (chisq/df - 1) / N))`` (or ``N - 1``).

    References
    ----------
    Steiger, J. H. (1990). Structural model evaluation and modification: an interval estimation
    approach. *Multivariate Behavioral Research*, 25, 173-180.
    Browne, M. W., & Cudeck, R. (1993). Alternative ways of assessing model fit. In K. A.
    Bollen & J. S. Long (Eds.), *Testing Structural Equation Models* (pp. 136-162). Sage.
    lavaan ``R/lav_fit_rmsea.R`` (divisor N); Joreskog, K. G., & Sorbom, D. (1996). *LISREL 8:
    User's Reference Guide*. Scientific Software International (divisor N - 1).
    """
    dd = float(df) if df else 1.0
    r_iv, n_iv = _iv(ratio), _count_iv(n)
    d = _dp(printed)
    ivs, points = {}, {}
    for label, nm1 in (("N", False), ("N-1", True)):
        ivs[label] = image(lambda x, nm1=nm1: fit_indices.rmsea(x[0] * dd, dd, x[1], n_minus_one=nm1),
                           [r_iv[0], n_iv[0]], [r_iv[1], n_iv[1]], monotone=True)
        points[label] = fit_indices.rmsea(ratio.value * dd, dd, n.value, n_minus_one=nm1)
    ok = any(overlaps(iv, _iv(printed)) for iv in ivs.values())
    rec = "; ".join(f"{fmt(points[k], d)} with {k} (feasible {fmt_interval(ivs[k], d)})" for k in ivs)
    base = f"RMSEA = sqrt((chi-square/df - 1) / N) with chi-square/df {ratio.printed} and N {n.printed}"
    if df:
        base += f" (df {int(df)}{', ' + df_source if df_source else ''}: chi-square = {fmt(ratio.value * df, 1)})"
    if ok:
        detail = base + f" agrees with {printed.printed} within rounding."
    else:
        lo, hi = _iv(printed)
        need_ratio = (1 + n.value * max(lo, 0) ** 2, 1 + n.value * hi ** 2)
        need_n = ((ratio.value - 1) / hi ** 2, (ratio.value - 1) / max(lo, 1e-12) ** 2)
        detail = (base + f" gives {fmt(points['N'], d)}, not {printed.printed}; the printed RMSEA would need "
                  f"chi-square/df in {fmt_interval(need_ratio, 2)} at this N, or N in "
                  f"{fmt_interval(need_n, 0)} at this chi-square/df.")
        factor = (need_ratio[0] + need_ratio[1]) / 2 / ratio.value if ratio.value > 0 else None
        detail += software_note(software, factor)
    return _finding("rmsea", printed.where, printed.printed, rec, ok, detail, "major")


def check_agfi(gfi: Published, printed: Published, df: int, n_items: int, df_source: str = "printed",
               items_source: str = "printed", df_printed: bool = True) -> Finding:
    """Printed AGFI against the printed GFI, df and the number of observed variables.

    Parameters
    ----------
    gfi, printed : Published
        Printed GFI and AGFI.
    df : int
        Degrees of freedom (printed, or of the described model).
    n_items : int
        Observed variables ``p``.
    df_source, items_source : str
        Where ``df`` and ``p`` come from, for the explanation.
    df_printed : bool
        Whether ``df`` is printed.

    Returns
    -------
    Finding
        ``agfi``: :func:`replication.engine.fit_indices.agfi`, ``1 - (p (p + 1) / 2 / df) (1 - GFI)``
        (Joreskog & Sorbom, 1984), over the rounding of GFI. Major when inconsistent. When df
        is not printed (``df_printed=False``, the described model's df is used) a failure is
        ``not_checkable``: the estimated model may not be the described one.

    Notes
    -----
    ``AGFI = 1 - (p (p + 1) / 2) / df * (1 - GFI)``, increasing in GFI.

    References
    ----------
    Joreskog, K. G., & Sorbom, D. (1984). *LISREL VI User's Guide*. Scientific Software.
    Joreskog, K. G., & Sorbom, D. (1993). *LISREL 8: Structural Equation Modeling with the
    SIMPLIS Command Language*. Scientific Software International.
    lavaan ``R/lav_fit_gfi.R``.
    """
    g_iv = _iv(gfi)
    iv = image(lambda x: fit_indices.agfi(x[0], df, n_items), [g_iv[0]], [g_iv[1]], monotone=True)
    point = fit_indices.agfi(gfi.value, df, n_items)
    d = _dp(printed)
    ok = overlaps(iv, _iv(printed))
    base = (f"AGFI = 1 - (p(p+1)/2 / df)(1 - GFI) with GFI {gfi.printed}, p = {n_items} items "
            f"({items_source}) and df = {df} ({df_source}) is {fmt(point, d)}")
    detail = base + ("; within rounding of the printed AGFI." if ok else
                     f", feasible {fmt_interval(iv, d)}: the printed {printed.printed} cannot be reached.")
    if not ok and not df_printed:
        return not_checkable("agfi", printed.where, printed.printed,
                             detail + " df is not printed, so this is not counted as an inconsistency.")
    return _finding("agfi", printed.where, printed.printed, f"{fmt(point, d)} (feasible {fmt_interval(iv, d)})",
                    ok, detail, "major")


def check_df(printed: Published, count: DfCount, model: str = "sem") -> Finding:
    """Printed degrees of freedom against the df of the described model.

    Parameters
    ----------
    printed : Published
        Printed df.
    count : DfCount
        Parameter count of the described model (:func:`replication.audit.model_df.record_df`).
    model : str
        ``cfa`` or ``sem``, for the explanation.

    Returns
    -------
    Finding
        ``df``. With every item count printed: consistent when the counts agree. When some item
        counts are assumed (not printed) the check is what the printed df implies: the item
        total ``p`` solving ``p (p + 1) / 2 - 2 p - c = df``; consistent when that is a whole
        number equal to the record's total. Major when inconsistent.

    References
    ----------
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, ch. 7 (t-rule).
    Kline, R. B. (2016). *Principles and Practice of Structural Equation Modeling* (4th ed.).
    Guilford (``df_M = v (v + 1) / 2 - q``).
    """
    implied = items_implied_by_df(int(printed.value), count.structural)
    whole = math.isfinite(implied) and abs(implied - round(implied)) < 1e-9
    imp_txt = (f"the printed df implies {int(round(implied))} items" if whole else
               f"no whole number of items gives the printed df (p = {implied:.2f})")
    if count.assumed_items:
        ok = whole and int(round(implied)) == count.n_items
        detail = (f"Item counts of {', '.join(count.assumed_items)} are not printed; for the described "
                  f"{model.upper()} {imp_txt}" + (f", the record's total ({count.n_items})." if ok else
                                                   f", the record has {count.n_items}."))
    else:
        ok = int(printed.value) == count.df
        detail = (f"The described {model.upper()}: {count.describe()}; " + imp_txt + "."
                  + ("" if ok else " The printed model is not the described one."))
    return _finding("df", printed.where, printed.printed, f"{count.df} ({count.describe()})", ok, detail, "major")


_INCREMENTAL = ("nfi", "cfi", "tli", "ifi")


def _incremental(name: str, chisq: float, df: float, base: float, base_df: float) -> float:
    if name == "nfi":
        return fit_indices.nfi(chisq, base, df=df, base_df=base_df)
    if name == "cfi":
        return fit_indices.cfi(chisq, df, base, base_df)
    if name == "tli":
        return fit_indices.tli(chisq, df, base, base_df)
    return fit_indices.ifi(chisq, df, base)


def _level_set(g, increasing: bool, a: float, b: float, lo: float, hi: float) -> tuple[float, float] | None:
    """``{B in [lo, hi]: a <= g(B) <= b}`` for a monotone ``g`` (bisection on a log scale)."""
    if not increasing:
        lo_set = _level_set(lambda x: -g(x), True, -b, -a, lo, hi)
        return lo_set

    def first(pred):  # smallest B with pred(B) true, pred monotone false -> true
        if pred(lo):
            return lo
        if not pred(hi):
            return None
        x0, x1 = math.log(lo), math.log(hi)
        for _ in range(80):
            xm = (x0 + x1) / 2
            if pred(math.exp(xm)):
                x1 = xm
            else:
                x0 = xm
        return math.exp(x1)

    start = first(lambda B: g(B) >= a - TOL)
    if start is None:
        return None
    beyond = first(lambda B: g(B) > b + TOL)
    end = hi if beyond is None else beyond
    if beyond is not None and beyond <= start:
        return None
    return (start, end)


def baseline_range(chisq: tuple[float, float], df: float, n_items: int,
                   measures: dict[str, Published], grid: int = 21) -> tuple[float, float] | None:
    """Baseline (independence-model) chi-squares that reproduce every printed incremental index.

    Parameters
    ----------
    chisq : (float, float)
        Model chi-square interval (printed rounding).
    df : float
        Model degrees of freedom.
    n_items : int
        Observed variables ``p``; the baseline model has ``p (p - 1) / 2`` df.
    measures : dict
        Printed indices among ``nfi, cfi, tli, ifi`` (others are ignored).
    grid : int
        Chi-square values tried across its interval.

    Returns
    -------
    (float, float) or None
        Smallest and largest baseline chi-square for which every printed index rounds to its
        printed value (for some chi-square in its interval); ``None`` when there is none.

    Notes
    -----
    NFI and CFI never decrease as the baseline chi-square grows; TLI and IFI increase when
    ``chisq > df`` and decrease otherwise. Each printed interval therefore defines an interval
    of baseline chi-squares (found by bisection); the indices agree when those intersect.
    Formulas: :mod:`replication.engine.fit_indices` (lavaan's definitions).

    The formulas, with ``B`` and ``df_B`` the baseline chi-square and df:
    ``NFI = (B - chisq) / B``, ``CFI = 1 - max(chisq - df, 0) / max(B - df_B, chisq - df, 0)``,
    ``TLI = (B / df_B - chisq / df) / (B / df_B - 1)``, ``IFI = (B - chisq) / (B - df)``.

    References
    ----------
    Bentler, P. M., & Bonett, D. G. (1980). Significance tests and goodness of fit in the
    analysis of covariance structures. *Psychological Bulletin*, 88, 588-606 (NFI, TLI).
    Tucker, L. R., & Lewis, C. (1973). A reliability coefficient for maximum likelihood factor
    analysis. *Psychometrika*, 38, 1-10.
    Bentler, P. M. (1990). Comparative fit indexes in structural models. *Psychological
    Bulletin*, 107, 238-246 (CFI).
    Bollen, K. A. (1989). A new incremental fit index for general structural equation models.
    *Sociological Methods & Research*, 17, 303-316 (IFI).
    lavaan ``R/lav_fit_cfi.R``.
    """
    base_df = n_items * (n_items - 1) / 2
    names = [k for k in _INCREMENTAL if k in measures]
    found = []
    for c in np.linspace(chisq[0], chisq[1], grid if chisq[1] > chisq[0] else 1):
        lo_b, hi_b = max(c, df, base_df) * (1 + 1e-9) + 1e-9, 1e9
        cur = (lo_b, hi_b)
        for name in names:
            increasing = name in ("nfi", "cfi") or c > df
            a, b = measures[name].interval
            rng = _level_set(lambda B, n=name, c=c: _incremental(n, c, df, B, base_df), increasing, a, b, lo_b, hi_b)
            if rng is None:
                cur = None
                break
            cur = (max(cur[0], rng[0]), min(cur[1], rng[1]))
            if cur[0] > cur[1]:
                cur = None
                break
        if cur is not None:
            found.append(cur)
    if not found:
        return None
    return (min(f[0] for f in found), max(f[1] for f in found))


def check_incremental_fit(chisq: tuple[float, float], df: float, n_items: int, measures: dict[str, Published],
                          label: str = "", df_printed: bool = True) -> Finding | None:
    """Printed NFI, CFI, TLI and IFI against one another: is there one baseline chi-square?

    Parameters
    ----------
    chisq : (float, float)
        Model chi-square interval (printed, or printed ratio times df).
    df : float
        Model df.
    n_items : int
        Observed variables.
    measures : dict
        Printed fit measures of the block (two or more incremental indices are needed).
    label : str
        Model name for the explanation.
    df_printed : bool
        Whether df (and so chi-square) is printed. When it is the df of the described model
        instead, a failure is reported as ``not_checkable``: the estimated model may differ.

    Returns
    -------
    Finding or None
        ``incremental_fit`` (major when inconsistent); ``None`` with fewer than two indices.

    Notes
    -----
    The printed indices are consistent when :func:`baseline_range` finds one baseline
    chi-square (on ``p (p - 1) / 2`` df) that reproduces all of them; the formulas are given
    there.

    References
    ----------
    Bentler, P. M., & Bonett, D. G. (1980). Significance tests and goodness of fit in the
    analysis of covariance structures. *Psychological Bulletin*, 88, 588-606 (NFI, TLI).
    Tucker, L. R., & Lewis, C. (1973). A reliability coefficient for maximum likelihood factor
    analysis. *Psychometrika*, 38, 1-10.
    Bentler, P. M. (1990). Comparative fit indexes in structural models. *Psychological
    Bulletin*, 107, 238-246 (CFI).
    Bollen, K. A. (1989). A new incremental fit index for general structural equation models.
    *Sociological Methods & Research*, 17, 303-316 (IFI).
    lavaan ``R/lav_fit_cfi.R``.
    """
    names = [k for k in _INCREMENTAL if k in measures]
    if len(names) < 2:
        return None
    where = measures[names[0]].where
    reported = ", ".join(f"{k.upper()} {measures[k].printed}" for k in names)
    rng = baseline_range(chisq, df, n_items, measures)
    base = (f"{label + ' ' if label else ''}{'/'.join(k.upper() for k in names)} with chi-square "
            f"{fmt_interval(chisq, 2)}, df {df:g} and {n_items} items (baseline df {n_items * (n_items - 1) // 2})")
    if rng is not None:
        return _finding("incremental_fit", where, reported, f"baseline chi-square in {fmt_interval(rng, 0)}", True,
                        base + f" all follow from one baseline chi-square in {fmt_interval(rng, 0)}.")
    each = []
    for k in names:
        r = baseline_range(chisq, df, n_items, {k: measures[k]})
        each.append(f"{k.upper()} needs {fmt_interval(r, 0) if r else 'none'}")
    detail = base + ": no single baseline chi-square gives them all (" + "; ".join(each) + ")."
    if not df_printed:
        return not_checkable("incremental_fit", where, reported,
                             detail + " df is not printed (the described model's df was used), so this is not "
                             "counted as an inconsistency.")
    return _finding("incremental_fit", where, reported, "no common baseline chi-square", False, detail, "major")


def check_common_baseline(ranges: dict[str, tuple[float, float]], where: str, n_items: int) -> Finding | None:
    """Baseline chi-squares implied by two fit blocks on the same items and sample must agree.

    Parameters
    ----------
    ranges : dict
        ``{block label: (low, high)}`` from :func:`baseline_range`.
    where : str
        Location (the fit blocks).
    n_items : int
        Observed variables, for the explanation.

    Returns
    -------
    Finding or None
        ``baseline`` (major when inconsistent): the independence model depends only on the data,
        so a CFA and an SEM of the same items and respondents share its chi-square.
        ``None`` with fewer than two blocks.

    References
    ----------
    Bentler, P. M., & Bonett, D. G. (1980). Significance tests and goodness of fit in the
    analysis of covariance structures. *Psychological Bulletin*, 88, 588-606 (the null model
    of uncorrelated variables, with ``p (p - 1) / 2`` df).
    Widaman, K. F., & Thompson, J. S. (2003). On specifying the null model for incremental fit
    indices in structural equation modeling. *Psychological Methods*, 8, 16-37.
    """
    if len(ranges) < 2:
        return None
    lo = max(r[0] for r in ranges.values())
    hi = min(r[1] for r in ranges.values())
    reported = "; ".join(f"{k}: {fmt_interval(r, 0)}" for k, r in ranges.items())
    ok = lo <= hi
    detail = (f"The baseline model of the same {n_items} items and sample is the same for "
              f"{' and '.join(ranges)}; their incremental indices imply baseline chi-squares {reported}, "
              + (f"which share [{lo:.0f}, {hi:.0f}]." if ok else "which do not overlap."))
    return _finding("baseline", where, reported, f"[{lo:.0f}, {hi:.0f}]" if ok else "no overlap", ok, detail, "major")


# --------------------------------------------------------------------------------------------
# Structural estimates
# --------------------------------------------------------------------------------------------
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
        falls on the other side of it.

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
    major = _sig_changes(p_printed, p_rec, alpha)
    detail = (base + f" (any value in {fmt_interval(iv, d)} within rounding), not {statistic.printed}; "
              f"the printed {label} would need S.E. {fmt_interval(se_need, 3)}. The recomputed two-sided "
              f"p is {_fmt_p_range(p_rec)}"
              + (f", on the other side of the paper's level {alpha:g}." if major else "."))
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


@dataclass(frozen=True)
class Evidence:
    """What the printed numbers say about one hypothesis, for the verdict checks.

    Attributes
    ----------
    id : str
        Hypothesis id.
    supported : bool
        The paper's verdict.
    p_range : (float, float)
        Two-sided p compatible with the printed numbers.
    estimate_range : (float, float) or None
        The printed estimate's rounding interval (for the sign).
    sign : str
        Hypothesised sign, ``+`` or ``-``.
    source : str
        What the p was computed from (``"t = 1.78"``).
    where : str
        Location of the verdict.
    """

    id: str
    supported: bool
    p_range: tuple[float, float]
    estimate_range: tuple[float, float] | None
    sign: str
    source: str
    where: str


def _sign_possible(ev: Evidence, right: bool) -> bool:
    if ev.estimate_range is None:
        return True
    lo, hi = ev.estimate_range
    if ev.sign == "+":
        return hi > 0 if right else lo <= 0
    return lo < 0 if right else hi >= 0


def _fits(ev: Evidence, alpha: float) -> bool:
    """Whether the verdict agrees with 'right sign and p < alpha' for some printed-consistent values."""
    if ev.supported:
        return ev.p_range[0] < alpha and _sign_possible(ev, True)
    return ev.p_range[1] >= alpha or _sign_possible(ev, False)


def check_verdict(ev: Evidence, levels: Sequence[float]) -> Finding:
    """A hypothesis verdict against the paper's own significance rule.

    Parameters
    ----------
    ev : Evidence
        The printed evidence and verdict.
    levels : sequence of float
        The significance levels the paper uses (its legend; 0.05 when it prints none).

    Returns
    -------
    Finding
        ``verdict``: consistent when, at some level the paper uses, "supported" coincides with
        "estimate of the hypothesised sign and p below the level". Major when inconsistent.
    """
    ok_levels = [a for a in levels if _fits(ev, a)]
    ok = bool(ok_levels)
    verdict = "supported" if ev.supported else "not supported"
    lv = ", ".join(f"{a:g}" for a in sorted(levels))
    if ok:
        detail = (f"{ev.id} is {verdict}; {ev.source} gives p = {_fmt_p_range(ev.p_range)}, which agrees "
                  f"at level {', '.join(f'{a:g}' for a in sorted(ok_levels))}.")
    else:
        detail = (f"{ev.id} is {verdict} although {ev.source} gives p = {_fmt_p_range(ev.p_range)}"
                  f"{' and an estimate of the hypothesised sign' if _sign_possible(ev, True) else ''}: "
                  f"no level the paper uses ({lv}) gives this verdict.")
    return _finding("verdict", ev.where, f"{ev.id}: {verdict}", f"p = {_fmt_p_range(ev.p_range)}", ok, detail,
                    "major")


def check_verdict_coherence(evidence: Sequence[Evidence], levels: Sequence[float],
                            where: str = "hypothesis verdicts") -> Finding:
    """The verdicts of all hypotheses against one another: does one level separate them?

    Parameters
    ----------
    evidence : sequence of Evidence
        Every hypothesis with a verdict and a p.
    levels : sequence of float
        The paper's significance levels.
    where : str
        Location (the table of verdicts).

    Returns
    -------
    Finding
        ``verdict_coherence``: consistent when a single level the paper uses reproduces every
        verdict. Otherwise the two hypotheses that conflict most closely are named: a supported
        one whose p is as large as (or close to) that of a rejected one, and the only thresholds
        that would separate them. Major when inconsistent.
    """
    if len(evidence) < 2:
        return not_checkable("verdict_coherence", where, f"{len(evidence)} verdict(s)",
                             "fewer than two verdicts with a printed statistic to compare")
    good = [a for a in sorted(levels) if all(_fits(e, a) for e in evidence)]
    reported = ", ".join(f"{e.id} {'yes' if e.supported else 'no'}" for e in evidence)
    if good:
        return _finding("verdict_coherence", where, reported, f"level {good[-1]:g} reproduces every verdict",
                        True, f"All {len(evidence)} verdicts follow 'p < {good[-1]:g}' with the printed statistics.")
    sup = [e for e in evidence if e.supported and _sign_possible(e, True)]
    rej = [e for e in evidence if not e.supported and _sign_possible(e, True)]
    if sup and rej:
        s = max(sup, key=lambda e: e.p_range[0])
        r = min(rej, key=lambda e: e.p_range[1])
        if s.p_range[0] >= r.p_range[1]:
            gap = (f"{r.id} has the stronger evidence, so no threshold separates them")
        else:
            gap = (f"only a threshold between {_fmt_p(s.p_range[0])} and {_fmt_p(r.p_range[1])} separates them, "
                   f"and the paper uses {', '.join(f'{a:g}' for a in sorted(levels))}")
        detail = (f"{s.id} is supported ({s.source}, p = {_fmt_p_range(s.p_range)}) while {r.id} is not "
                  f"({r.source}, p = {_fmt_p_range(r.p_range)}): {gap}.")
        rec = f"{s.id} p = {_fmt_p_range(s.p_range)} vs {r.id} p = {_fmt_p_range(r.p_range)}"
    else:
        detail = ("No single level the paper uses "
                  f"({', '.join(f'{a:g}' for a in sorted(levels))}) reproduces every verdict.")
        rec = "no common level"
    return _finding("verdict_coherence", where, reported, rec, False, detail, "major")


def check_standardized_bound(estimate: Published, predictors: int, path: str = "",
                             r2_min: float | None = None, outcome: str = "",
                             r2_min_free: float | None = None) -> Finding:
    """A standardized structural coefficient against [-1, 1].

    Parameters
    ----------
    estimate : Published
        The printed standardized coefficient.
    predictors : int
        Number of predictors of the outcome. With one predictor the coefficient is the
        correlation of predictor and outcome and must lie in [-1, 1].
    path : str
        ``"X->Y"``, for the explanation.
    r2_min : float, optional
        With several predictors, the smallest R-squared of the outcome over all admissible
        correlations (:func:`replication.audit.implied_r2.min_r2`): a coefficient above 1 is then
        inadmissible only when that exceeds 1.
    outcome : str
        Outcome construct, for the explanation.
    r2_min_free : float, optional
        The minimum when the disturbance correlations the described model fixes at zero are free
        (see :func:`check_implied_r2`).

    Returns
    -------
    Finding
        ``standardized_bound``. Major when inconsistent, minor when it rests on the described
        model's zero disturbance correlations (``r2_min_free <= 1``).

    Notes
    -----
    With one predictor the standardized coefficient is a correlation. With several,
    ``R2_y = b' R_xx b`` must not exceed 1 (:func:`replication.audit.implied_r2.min_r2` minimises it
    over admissible correlations); a coefficient above 1 alone is not inadmissible.

    References
    ----------
    Deegan, J. (1978). On the occurrence of standardized regression coefficients greater than
    one. *Educational and Psychological Measurement*, 38, 873-888.
    Joreskog, K. G. (1999). *How large can a standardized coefficient be?* Scientific Software
    International, technical note.
    """
    lo, hi = _iv(estimate)
    least = 0.0 if lo <= 0 <= hi else min(abs(lo), abs(hi))
    if predictors <= 1:
        ok = least <= 1 + TOL
        boundary = ok and max(abs(lo), abs(hi)) >= 1 - TOL
        if ok:
            detail = (f"The standardized coefficient of {path} (the only predictor of {outcome}) is a "
                      f"correlation; {estimate.printed} lies within [-1, 1]"
                      + (" only at the boundary (R-squared 1, a zero disturbance variance)." if boundary else "."))
        else:
            detail = (f"The standardized coefficient of {path} is its only predictor's correlation with "
                      f"{outcome}, so it cannot exceed 1; {estimate.printed} implies R-squared "
                      f"{fmt(estimate.value ** 2, 2)} (a negative disturbance variance): inadmissible.")
        return _finding("standardized_bound", estimate.where, estimate.printed, "|beta| <= 1", ok, detail, "major")
    if r2_min is None:
        return not_checkable("standardized_bound", estimate.where, estimate.printed,
                             f"{outcome} has {predictors} predictors; the bound needs every path into it "
                             "printed in the standardized metric")
    ok = r2_min <= 1 + 1e-9
    detail = (f"With {predictors} predictors of {outcome} a standardized coefficient is not a correlation and "
              f"exceeds 1 only with strongly correlated predictors; "
              + (f"some admissible correlations keep R-squared of {outcome} at or below 1 (minimum "
                 f"{fmt(r2_min, 3)})." if ok else
                 f"here no admissible correlation does: R-squared of {outcome} is at least {fmt(r2_min, 3)}."))
    severity = "major"
    if not ok and r2_min_free is not None:
        detail += (f" This rests on the described model's uncorrelated disturbances; with them free the "
                   f"minimum is {fmt(r2_min_free, 3)}.")
        severity = "minor" if r2_min_free <= 1 + 1e-9 else "major"
    return _finding("standardized_bound", estimate.where, estimate.printed,
                    f"min R2({outcome}) = {fmt(r2_min, 3)}", ok, detail, severity)


def check_implied_r2(target: str, paths: dict[tuple[str, str], Published], r2_min: float,
                     r2_assumed: float | None = None, assumed: Sequence[str] = (), where: str = "",
                     argmin: dict[tuple[str, str], float] | None = None,
                     r2_min_free: float | None = None, fixed: Sequence[str] = ()) -> Finding:
    """Admissibility of the R-squared implied by printed standardized paths.

    Parameters
    ----------
    target : str
        Endogenous construct.
    paths : dict
        ``{(x, target): Published}`` printed standardized paths into ``target``.
    r2_min : float
        Smallest implied R-squared over every admissible exogenous correlation and the printed
        rounding (:func:`replication.audit.implied_r2.min_r2`).
    r2_assumed : float, optional
        R-squared with the record's assumed correlations (:func:`replication.audit.implied_r2.implied_r2`).
    assumed : sequence of str
        The assumed correlations used, as ``"A~~B = r"``.
    where : str
        Location of the paths.
    argmin : dict, optional
        Exogenous correlations at the minimum, for the explanation.
    r2_min_free : float, optional
        The same minimum when the disturbance correlations ``fixed`` (zero in the described
        model, as LISREL's default diagonal PSI and AMOS diagrams have them) are free too.
    fixed : sequence of str
        Those disturbance pairs, as ``"A~~B"``.

    Returns
    -------
    Finding
        ``implied_r2``: inconsistent when ``r2_min > 1``: under the described model the printed
        paths need a negative disturbance variance for every admissible correlation. Major when
        freeing the described model's zero disturbance correlations would not help either
        (``r2_min_free > 1`` or nothing to free), minor otherwise; the explanation names the
        disturbance correlations the verdict rests on.

    Notes
    -----
    R-squared of a standardized recursive model: ``R2_y = b' R_x b`` with ``R_x`` the implied
    correlations of the predictors of ``y`` (Bollen 1989, ch. 4; Duncan 1975 path tracing).

    References
    ----------
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, ch. 4.
    Duncan, O. D. (1975). *Introduction to Structural Equation Models*. Academic Press, ch. 4.
    """
    reported = ", ".join(f"{x}->{y} {p.printed}" for (x, y), p in paths.items())
    ok = r2_min <= 1 + 1e-9
    rec = f"min {fmt(r2_min, 3)} over admissible correlations"
    if r2_assumed is not None:
        rec += f"; {fmt(r2_assumed, 3)} with " + (", ".join(assumed) if assumed else "the model's correlations")
    at = ""
    if argmin:
        at = " (reached at " + ", ".join(f"{a}~~{b} = {fmt(v, 2)}" for (a, b), v in argmin.items()) + ")"
    if ok:
        detail = f"The printed standardized paths into {target} can give an R-squared at or below 1 (minimum {fmt(r2_min, 3)}{at})"
        if r2_assumed is not None and r2_assumed > 1 + 1e-9:
            detail += f"; with {', '.join(assumed)} it is {fmt(r2_assumed, 3)}, above 1"
        detail += "."
    else:
        basis = (f" with the disturbances of {', '.join(fixed)} uncorrelated as in the described model"
                 if fixed else "")
        detail = (f"The printed standardized paths into {target} imply R-squared above 1 for every admissible "
                  f"correlation among the exogenous constructs{basis} (minimum {fmt(r2_min, 3)}{at}"
                  + (f"; {fmt(r2_assumed, 3)} with {', '.join(assumed)}" if r2_assumed is not None and assumed else "")
                  + "): a negative disturbance variance, so the printed solution is inadmissible.")
        if r2_min_free is not None:
            rec += f"; min {fmt(r2_min_free, 3)} if those disturbances may correlate"
            detail += (f" Letting those disturbances correlate (a model the paper does not describe) "
                       f"gives a minimum of {fmt(r2_min_free, 3)}"
                       + (", still above 1." if r2_min_free > 1 + 1e-9 else ", admissible."))
    severity = "minor" if (not ok and r2_min_free is not None and r2_min_free <= 1 + 1e-9) else "major"
    return _finding("implied_r2", where, reported, rec, ok, detail, severity)


# --------------------------------------------------------------------------------------------
# Sample description
# --------------------------------------------------------------------------------------------
def check_group_sum(counts: Sequence[Published], n: Published, measure: str) -> Finding:
    """Counts of one sample-description variable sum to N (exact whole numbers).

    Returns
    -------
    Finding
        ``sample_sum``. Minor when inconsistent.
    """
    total = sum(int(round(c.value)) for c in counts)
    ok = total == int(n.value)
    where = counts[0].where.split(", column")[0] if counts else n.where
    detail = (f"The {len(counts)} counts of {measure} sum to {total}"
              + (f", the sample size {n.printed}." if ok else f", not the sample size {n.printed}."))
    return _finding("sample_sum", f"{where} (all rows of {measure})" if counts else where,
                    " + ".join(c.printed for c in counts), str(total), ok, detail)


def check_group_percent(count: Published, n: Published, percent: Published, label: str = "") -> Finding:
    """A printed percentage against count / N.

    Returns
    -------
    Finding
        ``sample_percent``: ``100 count / N`` (exact inputs) against the printed percentage's
        rounding. Minor when inconsistent.
    """
    val = 100.0 * count.value / n.value
    d = _dp(percent)
    ok = overlaps(exact_interval(val), _iv(percent))
    detail = (f"{label + ': ' if label else ''}100 x {count.printed} / {n.printed} = {fmt(val, d)} %"
              + ("; within rounding." if ok else f", not {percent.printed} %."))
    return _finding("sample_percent", percent.where, percent.printed, fmt(val, d), ok, detail)


def check_percent_sum(percents: Sequence[Published], measure: str) -> Finding:
    """Printed percentages of one variable can sum to 100 within their rounding.

    Returns
    -------
    Finding
        ``percent_sum``. Minor when inconsistent.
    """
    lo = sum(_iv(p)[0] for p in percents)
    hi = sum(_iv(p)[1] for p in percents)
    s = sum(p.value for p in percents)
    ok = lo - TOL <= 100.0 <= hi + TOL
    where = percents[0].where.split(", column")[0] + f" (all rows of {measure})"
    detail = (f"The printed percentages of {measure} sum to {s:g} (any value in [{lo:g}, {hi:g}] within rounding)"
              + ("; 100 is reachable." if ok else "; they cannot sum to 100."))
    return _finding("percent_sum", where, " + ".join(p.printed for p in percents), f"{s:g}", ok, detail)


def check_response_rate(n: Published, invited: Published, rate: Published) -> Finding:
    """Printed response rate against N / invited.

    Parameters
    ----------
    n, invited, rate : Published
        Printed usable responses, people invited and response rate (percent).

    Returns
    -------
    Finding
        ``response_rate``. Minor when inconsistent.

    Notes
    -----
    ``rate = 100 N / invited`` against the printed rate's rounding.

    References
    ----------
    The American Association for Public Opinion Research (2016). *Standard Definitions: Final
    Dispositions of Case Codes and Outcome Rates for Surveys* (9th ed.). AAPOR.
    """
    val = 100.0 * n.value / invited.value
    d = _dp(rate)
    ok = overlaps(exact_interval(val), _iv(rate)) and n.value <= invited.value
    detail = (f"100 x {n.printed} / {invited.printed} = {fmt(val, d)} %"
              + ("; within rounding of the printed rate." if ok else f", not {rate.printed}."))
    return _finding("response_rate", rate.where, rate.printed, f"{fmt(val, d)} %", ok, detail)


# --------------------------------------------------------------------------------------------
# Text, common-method variance, descriptives
# --------------------------------------------------------------------------------------------
_CMP = {">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}


def _can(iv: tuple[float, float], cmp: str, thr: float) -> bool:
    lo, hi = iv
    return _CMP[cmp](hi, thr) if cmp in (">", ">=") else _CMP[cmp](lo, thr)


def check_claim(claim: Claim, values: Sequence[tuple[str, Published]]) -> Finding:
    """A claim in the text ("all CRs above 0.7") against the printed values it is about.

    Parameters
    ----------
    claim : Claim
        The claim with its quantity, quantifier (``all``/``most``), comparison and threshold.
    values : sequence of (label, Published)
        The printed values of that quantity.

    Returns
    -------
    Finding
        ``claim``: a value contradicts the claim only when no number within its rounding
        satisfies the comparison. ``all`` fails on one contradiction; ``most`` fails when at
        most half the values can satisfy it. Minor when inconsistent.
    """
    what = f"{claim.quantifier} {claim.quantity} {claim.comparison} {claim.threshold:g}"
    if not values:
        return not_checkable("claim", claim.where, claim.text,
                             f"no {claim.quantity} values are printed to check '{what}'")
    can = [(lab, p) for lab, p in values if _can(_iv(p), claim.comparison, claim.threshold)]
    bad = [(lab, p) for lab, p in values if (lab, p) not in can]
    if claim.quantifier == "all":
        ok = not bad
    else:
        ok = len(can) > len(values) / 2
    rec = f"{len(can)} of {len(values)} satisfy {claim.quantity} {claim.comparison} {claim.threshold:g}"
    if ok:
        detail = f"The text claims {what}; {rec}."
    else:
        detail = (f"The text claims {what}, but " + ", ".join(f"{lab} = {p.printed}" for lab, p in bad)
                  + f" ({len(bad)} of {len(values)}) do not.")
    return _finding("claim", claim.where, claim.text, rec, ok, detail)


def check_harman(percent: Published, threshold: float = 50.0) -> Finding:
    """Harman's single-factor share below 50 % (Podsakoff et al., 2003).

    Parameters
    ----------
    percent : Published
        Printed share of variance of the first unrotated factor, in percent.
    threshold : float, default 50
        The share above which one factor accounts for the majority of the covariance.

    Returns
    -------
    Finding
        ``harman``: inconsistent (minor) when even the lower end of the printed share's rounding
        reaches ``threshold``: the first factor then explains the majority of the variance and the
        usual "no common-method bias" reading does not hold.

    References
    ----------
    Podsakoff, P. M., MacKenzie, S. B., Lee, J.-Y., & Podsakoff, N. P. (2003). Common method
    biases in behavioral research: a critical review of the literature and recommended
    remedies. *Journal of Applied Psychology*, 88, 879-903.
    """
    lo, _ = _iv(percent)
    ok = lo < threshold
    detail = (f"The first unrotated factor explains {percent.printed}"
              + (f", below {threshold:g} %." if ok else f", at least {threshold:g} %: common-method variance is a concern."))
    return _finding("harman", percent.where, percent.printed, f"< {threshold:g} %" if ok else f">= {threshold:g} %",
                    ok, detail)


def check_mean_sd(mean: Published, sd: Published, scale_min: float, scale_max: float, n: int | None = None,
                  construct: str = "") -> Finding:
    """A printed mean and SD against the range of the response scale.

    Parameters
    ----------
    mean, sd : Published
        Printed mean and standard deviation of a scale score.
    scale_min, scale_max : float
        Ends of the response scale (1 and the number of points).
    n : int, optional
        Sample size (the largest sample SD carries the factor ``sqrt(n / (n - 1))``).
    construct : str
        Name for the explanation.

    Returns
    -------
    Finding
        ``mean_sd``: the mean must lie on the scale and the SD cannot exceed
        ``sqrt((m - a)(b - m))`` (all responses at the two ends; Bhatia & Davis, 2000). Minor
        when inconsistent.

    References
    ----------
    Bhatia, R., & Davis, C. (2000). A better bound on the variance. *The American
    Mathematical Monthly*, 107, 353-357 (``var <= (b - m)(m - a)``).
    """
    m_lo, m_hi = _iv(mean)
    s_lo, _ = _iv(sd)
    mid = (scale_min + scale_max) / 2
    m_best = min(max(mid, m_lo), m_hi)
    corr = math.sqrt(n / (n - 1)) if n and n > 1 else 1.0
    max_sd = math.sqrt(max((m_best - scale_min) * (scale_max - m_best), 0.0)) * corr
    on_scale = m_hi >= scale_min and m_lo <= scale_max
    ok = on_scale and s_lo <= max_sd + TOL
    d = 2
    if not on_scale:
        detail = f"The mean of {construct} ({mean.printed}) lies outside the scale [{scale_min:g}, {scale_max:g}]."
    else:
        detail = (f"On a {scale_min:g}-{scale_max:g} scale a mean of {mean.printed} allows an SD up to "
                  f"{fmt(max_sd, d)}; printed {sd.printed}" + ("." if ok else ", which is impossible."))
    return _finding("mean_sd", sd.where, f"mean {mean.printed}, SD {sd.printed}", f"SD <= {fmt(max_sd, d)}",
                    ok, detail)
