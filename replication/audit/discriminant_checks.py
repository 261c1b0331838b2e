"""Checks of printed discriminant-validity tables (``results.discriminant``).

- Fornell-Larcker: each diagonal entry is ``sqrt(AVE)`` of the AVE printed elsewhere; each
  off-diagonal entry the construct correlation printed elsewhere (``results.parameters``
  ``A ~~ B`` ``std_all``); the criterion (every ``|r_AB| < sqrt(AVE_A)`` and ``< sqrt(AVE_B)``;
  Fornell & Larcker, 1981) against the verdict the paper states.
- HTMT: each ratio recomputed from a printed item correlation matrix (Henseler, Ringle &
  Sarstedt, 2015; semTools ``htmt`` with absolute correlations), and every ratio below the
  paper's threshold (0.85 or 0.90) against its verdict.
- Loading ranges: the printed min and max loading of a construct bound its AVE (the mean of
  the squared loadings lies between the smallest and largest square) and its CR (increasing in
  every loading: between the CR of ``k`` equal loadings at the min and at the max).

Every comparison allows for the rounding of each printed number. A verdict that contradicts the
paper's own rule is major; a number that does not follow from the others is minor.

See :mod:`replication.audit.checks` for the conventions every check follows.
"""

from __future__ import annotations

import math

from replication.audit.finding import Finding, _finding, not_checkable
from replication.audit.rounding import fmt, fmt_interval, overlaps
from replication.record.discriminant import pair, verdict_holds
from replication.record.schema import Published

__all__ = ["equal_cr", "htmt_interval", "check_fl_diagonal", "check_fl_correlation", "check_fl_verdict",
           "check_htmt", "check_htmt_verdict", "check_loading_range", "discriminant_findings"]


def _abs_iv(iv: tuple[float, float]) -> tuple[float, float]:
    lo, hi = iv
    if lo <= 0 <= hi:
        return (0.0, max(-lo, hi))
    return (min(abs(lo), abs(hi)), max(abs(lo), abs(hi)))


def equal_cr(k: int, lam: float) -> float:
    """CR of ``k`` equal standardized loadings ``lam``: ``(k lam)^2 / ((k lam)^2 + k (1 - lam^2))``."""
    s = (k * lam) ** 2
    return s / (s + k * (1 - lam ** 2)) if s + k * (1 - lam ** 2) > 0 else 1.0


def htmt_interval(corr, items_a: list[str], items_b: list[str], method: str = "htmt") -> tuple[float, float, float]:
    """HTMT of two constructs from a printed item correlation matrix, over its rounding.

    ``HTMT = mean |r_ij| (i in A, j in B) / sqrt(mean |r_ii'| (A) x mean |r_jj'| (B))`` with
    arithmetic means (``htmt``) or geometric means (``htmt2``); it increases in every
    heterotrait and decreases in every monotrait correlation, so its extremes are at the ends of
    their rounding intervals. Returns ``(value, low, high)``.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. *Journal of the
    Academy of Marketing Science*, 43, 115-135. Roemer, E., Schuberth, F., & Henseler, J.
    (2021). HTMT2. *Industrial Management & Data Systems*, 121, 2637-2650. semTools ``htmt``
    (``absolute = TRUE``; ``htmt2 = TRUE`` by default in 0.5-6).
    """
    h = 0.5 * 10.0 ** (-corr.decimals)

    def mean_abs(pairs, shift):
        vals = [max(abs(corr.r(a, b)) + shift, 0.0) for a, b in pairs]
        if method == "htmt2":
            return math.exp(sum(math.log(v) for v in vals) / len(vals)) if all(v > 0 for v in vals) else 0.0
        return sum(vals) / len(vals)

    het = [(a, b) for a in items_a for b in items_b]
    mono_a = [(a, b) for i, a in enumerate(items_a) for b in items_a[i + 1:]]
    mono_b = [(a, b) for i, a in enumerate(items_b) for b in items_b[i + 1:]]

    def ratio(s_het, s_mono):
        den = math.sqrt(mean_abs(mono_a, s_mono) * mean_abs(mono_b, s_mono))
        return mean_abs(het, s_het) / den if den > 0 else math.inf

    return ratio(0.0, 0.0), ratio(-h, h), ratio(h, -h)


def check_fl_diagonal(diag: Published, ave: Published, construct: str) -> Finding:
    """A Fornell-Larcker diagonal entry against ``sqrt(AVE)`` of the printed AVE. Minor."""
    lo, hi = ave.interval
    iv = (math.sqrt(max(lo, 0.0)), math.sqrt(max(hi, 0.0)))
    ok = overlaps(iv, diag.interval)
    d = max(diag.decimals + 1, 3)
    detail = (f"sqrt(AVE) of {construct} with AVE {ave.printed} is {fmt(math.sqrt(max(ave.value, 0)), d)}"
              + ("; the diagonal agrees within rounding." if ok else
                 f" (feasible {fmt_interval(iv, d)}), not the printed diagonal {diag.printed}."))
    return _finding("fornell_larcker", diag.where, diag.printed, fmt_interval(iv, d), ok, detail, "minor")


def check_fl_correlation(printed: Published, other: Published, key: str) -> Finding:
    """A Fornell-Larcker off-diagonal entry against the same correlation printed elsewhere. Minor."""
    ok = overlaps(printed.interval, other.interval)
    detail = (f"The correlation {key} is {printed.printed} in the Fornell-Larcker table and {other.printed} "
              f"at {other.where}" + ("; they agree within rounding." if ok else ": they differ beyond rounding."))
    return _finding("fornell_larcker_correlation", printed.where, printed.printed, other.printed, ok, detail, "minor")


def check_fl_verdict(stated: bool, roots: dict[str, tuple[float, float]],
                     corrs: dict[tuple[str, str], tuple[float, float]], where: str, verdict_where: str) -> Finding:
    """The paper's Fornell-Larcker verdict against its own numbers (major when contradicted).

    ``roots`` holds the interval of each ``sqrt(AVE)``, ``corrs`` each correlation's interval.
    The criterion holds for sure when every ``|r|`` is below both roots at every rounding, fails
    for sure when some ``|r|`` is at least a root at every rounding; else the verdict stands.
    """
    fails, doubtful = [], []
    for (a, b), iv in corrs.items():
        r = _abs_iv(iv)
        top = min(roots[a][1], roots[b][1])
        bottom = min(roots[a][0], roots[b][0])
        if r[0] >= top:
            fails.append(f"|r({a}, {b})| {fmt_interval(r, 3)} >= sqrt(AVE) {fmt(top, 3)}")
        elif r[1] >= bottom:
            doubtful.append(f"{a}~~{b}")
    return _stated_verdict("fornell_larcker_verdict", verdict_where, stated,
                           "the Fornell-Larcker criterion; its numbers", fails, doubtful,
                           "; ".join(fails[:3]))


def _stated_verdict(check: str, where: str, stated: bool, criterion: str, failed: list,
                    undecided: list, shown: str) -> Finding:
    """The paper's verdict on a discriminant-validity criterion against what its own printed
    numbers show: the criterion holds (nothing ``failed`` or ``undecided``), fails, or is
    undecided within rounding. Major when the verdict is contradicted."""
    holds = not failed and not undecided
    outcome = "holds" if holds else ("fails" if failed else "is undecided within rounding")
    ok = not ((stated and failed) or (not stated and holds))
    detail = (f"The paper states discriminant validity is {'established' if stated else 'not established'} by "
              f"{criterion} show the criterion {outcome}" + (f" ({shown})" if failed else "") + ".")
    return _finding(check, where, "established" if stated else "not established", outcome, ok,
                    detail + ("" if ok else " The verdict contradicts the paper's own table."), "major")


def check_htmt(printed: Published, iv: tuple[float, float, float], key: str, source: str) -> Finding:
    """A printed HTMT against its value from the printed item correlations. Minor."""
    ok = overlaps((iv[1], iv[2]), printed.interval)
    d = max(printed.decimals + 1, 3)
    detail = (f"HTMT of {key} from the item correlations ({source}) is {fmt(iv[0], d)} (feasible "
              f"{fmt_interval(iv[1:], d)})" + ("; the printed ratio agrees." if ok else f", not {printed.printed}."))
    return _finding("htmt", printed.where, printed.printed, f"{fmt(iv[0], d)} (feasible {fmt_interval(iv[1:], d)})",
                    ok, detail, "minor")


def check_htmt_verdict(values: dict[str, Published], threshold: float, stated: bool, verdict_where: str) -> Finding:
    """The paper's HTMT verdict against its printed ratios and threshold (major when contradicted)."""
    above = [f"{k} {p.printed}" for k, p in values.items() if p.interval[0] >= threshold]
    edge = [k for k, p in values.items() if p.interval[0] < threshold <= p.interval[1]]
    return _stated_verdict("htmt_verdict", verdict_where, stated,
                           f"HTMT below {threshold:g}; its {len(values)} printed ratios", above, edge,
                           f"{', '.join(above[:4])} at or above {threshold:g}")


def check_loading_range(rng, k: int, construct: str, ave: Published | None = None,
                        cr: Published | None = None, printed: list[Published] | None = None) -> list[Finding]:
    """A printed loading range against the printed loadings, AVE and CR of ``k`` items.

    ``loading_range`` (min and max of the printed loadings), ``loading_range_ave`` (AVE between
    the squares of min and max) and ``loading_range_cr`` (CR between :func:`equal_cr` at min and
    at max). Minor when inconsistent.
    """
    out: list[Finding] = []
    lo_iv, hi_iv = _abs_iv(rng.min.interval), _abs_iv(rng.max.interval)
    span = f"{rng.min.printed} to {rng.max.printed}"
    if printed:
        got_min = min(abs(p.value) for p in printed)
        got_max = max(abs(p.value) for p in printed)
        ok = (overlaps(lo_iv, (min(_abs_iv(p.interval)[0] for p in printed), min(_abs_iv(p.interval)[1] for p in printed)))
              and overlaps(hi_iv, (max(_abs_iv(p.interval)[0] for p in printed),
                                   max(_abs_iv(p.interval)[1] for p in printed))))
        out.append(_finding("loading_range", rng.min.where, span, f"{got_min:g} to {got_max:g}", ok,
                            f"The printed loadings of {construct} range from {got_min:g} to {got_max:g}"
                            + ("; the printed range agrees." if ok else f", not {span}."), "minor"))
    if ave is not None:
        iv = (lo_iv[0] ** 2, hi_iv[1] ** 2)
        ok = overlaps(iv, ave.interval)
        out.append(_finding("loading_range_ave", ave.where, ave.printed, fmt_interval(iv, 3), ok,
                            f"AVE of {construct}, the mean squared loading of loadings from {span}, lies in "
                            f"{fmt_interval(iv, 3)}" + ("; the printed AVE does." if ok else
                                                         f"; the printed AVE {ave.printed} does not."), "minor"))
    if cr is not None and k >= 1:
        iv = (equal_cr(k, lo_iv[0]), equal_cr(k, min(hi_iv[1], 1.0)))
        ok = overlaps(iv, cr.interval)
        out.append(_finding("loading_range_cr", cr.where, cr.printed, fmt_interval(iv, 3), ok,
                            f"CR of {construct}'s {k} loadings from {span} lies between the CR of {k} equal "
                            f"loadings at the min and at the max, {fmt_interval(iv, 3)}"
                            + ("; the printed CR does." if ok else f"; the printed CR {cr.printed} does not."),
                            "minor"))
    return out


def _correlations(rec) -> dict[frozenset, Published]:
    return {frozenset((p.lhs, p.rhs)): p.std_all for p in rec.results.parameters
            if p.op == "~~" and p.lhs != p.rhs and p.std_all is not None and p.model is None
            and p.lhs in rec.constructs and p.rhs in rec.constructs}


def _fornell_larcker(rec, fl) -> list[Finding]:
    out: list[Finding] = []
    stats = rec.results.constructs
    roots: dict[str, tuple[float, float]] = {}
    for c, d in fl.diagonal.items():
        roots[c] = d.interval
        ave = stats[c].ave if c in stats else None
        if ave is not None:
            out.append(check_fl_diagonal(d, ave, c))
    for c, st in stats.items():
        if c not in roots and st.ave is not None:
            roots[c] = tuple(math.sqrt(max(x, 0.0)) for x in st.ave.interval)
    others = _correlations(rec)
    corrs: dict[tuple[str, str], tuple[float, float]] = {}
    for key, p in fl.correlations.items():
        a, b = pair(key)
        corrs[(a, b)] = p.interval
        if frozenset((a, b)) in others:
            out.append(check_fl_correlation(p, others[frozenset((a, b))], key))
    stated = verdict_holds(fl.verdict)
    if stated is not None:
        missing = sorted({c for ab in corrs for c in ab if c not in roots})
        if missing or not corrs:
            out.append(not_checkable("fornell_larcker_verdict", fl.verdict.where, fl.verdict.value,
                                     f"no sqrt(AVE) or AVE is printed for {', '.join(missing)}" if missing
                                     else "no construct correlations are printed in the table"))
        else:
            out.append(check_fl_verdict(stated, roots, corrs, fl.where, fl.verdict.where))
    return out


def _htmt(rec, table, corr) -> list[Finding]:
    out: list[Finding] = []
    items = rec.items
    for key, p in table.values.items():
        a, b = pair(key)
        if corr is None:
            continue
        ia, ib = items.get(a, []), items.get(b, [])
        if len(ia) < 2 or len(ib) < 2 or any(i not in corr.items for i in ia + ib):
            out.append(not_checkable("htmt", p.where, p.printed, f"the item correlations of {key} are not all printed "
                                     "(two or more items per construct needed)"))
            continue
        out.append(check_htmt(p, htmt_interval(corr, ia, ib, table.method), key, corr.where))
    stated = verdict_holds(table.verdict)
    if stated is not None and table.values:
        out.append(check_htmt_verdict(table.values, table.threshold, stated, table.verdict.where))
    return out


def discriminant_findings(rec) -> list[Finding]:
    """Findings of the printed Fornell-Larcker and HTMT tables and loading ranges."""
    disc = rec.results.discriminant
    if disc is None:
        return []
    out: list[Finding] = []
    if disc.fornell_larcker is not None:
        out += _fornell_larcker(rec, disc.fornell_larcker)
    if disc.htmt is not None:
        out += _htmt(rec, disc.htmt, disc.item_correlations)
    stats, loads = rec.results.constructs, rec.results.loadings
    for c, rng in disc.loading_ranges.items():
        its = rec.items.get(c, [])
        st = stats.get(c)
        printed = [loads[i] for i in its] if its and all(i in loads for i in its) else None
        out += check_loading_range(rng, len(its), c, st.ave if st else None, st.cr if st else None, printed)
    return out
