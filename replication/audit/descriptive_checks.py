"""Checks of the sample description, text claims, Harman's test and descriptives.

See :mod:`replication.audit.checks` for the conventions every check follows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from replication.record.schema import Claim, Published
from replication.audit.rounding import TOL, exact_interval, fmt, overlaps
from replication.audit.finding import Finding, _dp, _finding, _iv, not_checkable

__all__ = ["check_group_sum", "check_group_percent", "check_percent_sum", "check_response_rate",
           "check_claim", "check_harman", "check_mean_sd", "check_grim", "check_grimmer", "grim_findings"]


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


def _grim_sums(mean: Published, n: int, k: int, scale_min: float, scale_max: float) -> list[int]:
    """Integer response totals ``S`` over ``n`` respondents and ``k`` items whose mean
    ``S / (n k)`` rounds to the printed mean and lies on the scale."""
    lo, hi = _iv(mean)
    nk = n * k
    first = max(math.ceil(lo * nk - 1e-9), math.ceil(scale_min * nk))
    last = min(math.floor(hi * nk + 1e-9), math.floor(scale_max * nk))
    return list(range(first, last + 1))


def check_grim(mean: Published, n: int, k: int, scale_min: float, scale_max: float, construct: str = "") -> Finding | None:
    """GRIM: a mean of whole-number responses to ``k`` items from ``n`` respondents is a multiple
    of ``1 / (n k)``; some multiple must round to the printed mean.

    Returns ``None`` when ``n k`` is at least ``10^decimals`` (every printed mean is then
    possible). ``grim``, minor when inconsistent.

    References
    ----------
    Brown, N. J. L., & Heathers, J. A. J. (2017). The GRIM test: A simple technique detects
    numerous anomalies in the reporting of results in psychology. *Social Psychological and
    Personality Science*, 8, 363-369.
    """
    if n * k >= 10 ** mean.decimals or mean.relation != "=":
        return None
    sums = _grim_sums(mean, n, k, scale_min, scale_max)
    ok = bool(sums)
    near = round(mean.value * n * k)
    detail = (f"A mean of whole-number answers to {k} item{'s' if k > 1 else ''} from N = {n} is a multiple of "
              f"1/{n * k}; " + (f"{sums[0]}/{n * k} = {sums[0] / (n * k):.{mean.decimals + 2}f} rounds to "
                                f"{mean.printed}." if ok else
                                f"none rounds to {mean.printed} (nearest {near}/{n * k} = {near / (n * k):.{mean.decimals + 2}f})."))
    return _finding("grim", mean.where, mean.printed, f"multiples of 1/{n * k}", ok,
                    (f"{construct}: " if construct else "") + detail, "minor")


def check_grimmer(mean: Published, sd: Published, n: int, k: int, scale_min: float, scale_max: float,
                  construct: str = "") -> Finding | None:
    """GRIMMER: the SD of scores that are means of ``k`` whole-number answers.

    With per-respondent totals ``y_i`` (integers), ``S = sum y_i`` (GRIM) and ``Q = sum y_i^2`` an
    integer of the parity of ``S``; the sample SD (divisor ``n - 1``) is
    ``sqrt((Q - S^2 / n) / (n - 1)) / k``. Consistent when some GRIM-consistent ``S`` and such a
    ``Q`` give an SD that rounds to the printed one. ``None`` when GRIM does not apply
    (:func:`check_grim`) or ``n < 2``. ``grimmer``, minor when inconsistent.

    References
    ----------
    Anaya, J. (2016). The GRIMMER test: A method for testing the validity of reported measures
    of variability. *PeerJ Preprints*, 4, e2400v1. Heathers, J. A., Anaya, J., van der Zee, T.,
    & Brown, N. J. (2018). Recovering data from summary statistics: Sample Parameter
    Reconstruction via Iterative TEchniques (SPRITE). *PeerJ Preprints*, 6, e26968v1.
    """
    if n < 2 or n * k >= 10 ** mean.decimals or mean.relation != "=" or sd.relation != "=":
        return None
    sums = _grim_sums(mean, n, k, scale_min, scale_max)
    if not sums:
        return None  # the mean itself fails GRIM; its own finding says so
    s_lo, s_hi = _iv(sd)
    s_lo = max(s_lo, 0.0)
    found = None
    for s in sums:
        q_lo = k * k * (n - 1) * s_lo ** 2 + s * s / n
        q_hi = k * k * (n - 1) * s_hi ** 2 + s * s / n
        q = math.ceil(q_lo - 1e-9)
        if q % 2 != s % 2:
            q += 1
        if q <= q_hi + 1e-9:
            found = (s, q)
            break
    ok = found is not None
    detail = (f"SDs of means of {k} whole-number answers from N = {n} need an integer sum of squared totals of "
              f"the parity of the sum; " + (f"S = {found[0]}, Q = {found[1]} gives an SD that rounds to {sd.printed}."
                                            if ok else f"no such sums give an SD that rounds to {sd.printed}."))
    return _finding("grimmer", sd.where, sd.printed, "reachable" if ok else "unreachable", ok,
                    (f"{construct}: " if construct else "") + detail, "minor")


def grim_findings(rec) -> list[Finding]:
    """GRIM and GRIMMER on every construct mean and SD where N, the scale and the printed item
    count are known (assumed item counts are not used)."""
    out: list[Finding] = []
    k_scale = rec.sample.scale_points
    n_p = rec.sample.n_analysed or rec.sample.n
    if k_scale is None or n_p is None:
        return out
    n = int(n_p.value)
    for c, st in rec.results.constructs.items():
        con = rec.constructs.get(c)
        if st.mean is None or con is None or (con.items is None and con.n_items is None):
            continue
        k = len(rec.items.get(c, [])) or 1
        f = check_grim(st.mean, n, k, 1, k_scale.value, c)
        if f is not None:
            out.append(f)
        if st.sd is not None:
            g = check_grimmer(st.mean, st.sd, n, k, 1, k_scale.value, c)
            if g is not None:
                out.append(g)
    return out
