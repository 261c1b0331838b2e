"""Checks of printed fit statistics: chi-square/df, p, RMSEA, AGFI, degrees of freedom.

See :mod:`replication.audit.checks` for the conventions every check follows.
"""

from __future__ import annotations

import math

from replication.engine import fit_indices
from replication.audit.model_df import DfCount, items_implied_by_df
from replication.record.schema import Published
from replication.audit.rounding import exact_interval, fmt, fmt_interval, image, overlaps
from replication.audit.finding import (Finding, _dp, _finding, _fmt_p, _fmt_p_range, _iv,
                                       not_checkable)

__all__ = ["SOFTWARE_NOTES", "software_note", "check_chisq_df", "check_chisq_pvalue", "check_rmsea",
           "check_rmsea_ratio", "check_agfi", "check_df"]


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
    if count.groups > 1:
        imp_txt = f"{count.groups} groups with a mean structure, counted as lavaan counts them"
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
