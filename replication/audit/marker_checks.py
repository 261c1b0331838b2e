"""Significance markers on loadings, parameters and chi-squares, and the sign of an estimate
against the sign of its statistic.

A marker (``*``, ``**``, ``***``) stands for a band of p-values given by the paper's legend
(``results.significance``: ``* p < .05``, ...; no marker means p at or above the largest
level). The p a printed number allows is recomputed from its z, t or C.R. (two-sided normal),
else from estimate / S.E., else read from its printed p, and checked against the band
(:func:`replication.audit.estimate_checks.check_marker`). A marker on a chi-square stands for
the chi-square test's p at its df. An estimate and its z (or t, C.R.) share their sign: a
statistic is the estimate divided by a positive S.E.

See :mod:`replication.audit.checks` for the conventions every check follows.
"""

from __future__ import annotations

from replication.audit.estimate_checks import check_marker
from replication.audit.finding import Finding, _finding, not_checkable, p_range_from_statistic
from replication.audit.rounding import image
from replication.engine import fit_indices
from replication.record.schema import Published

__all__ = ["check_sign", "check_chisq_marker", "parameter_p_range", "marker_findings", "sign_findings"]


def check_sign(estimate: Published, statistic: Published, key: str, label: str = "z") -> Finding | None:
    """The sign of a printed estimate against the sign of its printed statistic.

    Returns
    -------
    Finding or None
        ``sign``: major when the estimate and its z, t or C.R. have opposite signs outside
        rounding (``statistic = estimate / S.E.`` with ``S.E. > 0``); ``None`` when either may be 0
        within rounding.

    References
    ----------
    Arbuckle, J. L. (2011). *IBM SPSS Amos 20 User's Guide* (C.R. = estimate / S.E.); lavaan
    ``parameterEstimates`` (``z = est / se``).
    """
    e, s = estimate.interval, statistic.interval
    if e[0] <= 0 <= e[1] or s[0] <= 0 <= s[1]:
        return None
    ok = (e[0] > 0) == (s[0] > 0)
    sign = "positive" if e[0] > 0 else "negative"
    detail = (f"The estimate {estimate.printed} of {key} is {sign} and its {label} {statistic.printed} "
              + ("has the same sign." if ok else "has the opposite sign: a statistic is the estimate over a "
                 "positive S.E., so one of the two signs is misprinted."))
    return _finding("sign", statistic.where, f"estimate {estimate.printed}, {label} {statistic.printed}",
                    f"{label} of sign {'+' if e[0] > 0 else '-'}", ok, detail, "major")


def check_chisq_marker(chisq: Published, df: float, marker: str | None, legend, df_source: str = "printed") -> Finding:
    """A marker on a printed chi-square against its p at ``df`` and the paper's legend.

    ``p = P(chi2_df > chisq)`` over the rounding of chi-square (decreasing in it; df exact),
    then :func:`replication.audit.estimate_checks.check_marker`. Minor when inconsistent.

    References
    ----------
    lavaan ``R/lav_test.R`` (``pchisq(stat, df, lower.tail = FALSE)``).
    """
    lo, hi = chisq.interval
    p_iv = image(lambda x: fit_indices.chisq_pvalue(x[0], df), [max(lo, 0.0)], [hi], monotone=True)
    p_iv = (min(p_iv[0], 1.0 - 1e-12), p_iv[1])  # p = 1 (chi-square 0) lies in the top band
    f = check_marker(p_iv, marker, legend, chisq.where, f"chi-square {chisq.printed} on {int(df)} df ({df_source})")
    return Finding("chisq_marker", f.where, f.reported, f.recomputed, f.status, f.detail, f.severity)


def parameter_p_range(est: Published | None, se: Published | None, z: Published | None,
                      pvalue: Published | None) -> tuple[tuple[float, float], str] | None:
    """The two-sided p a printed parameter allows: from z, else estimate / S.E., else its p."""
    if z is not None:
        return p_range_from_statistic(z.interval), f"z = {z.printed}"
    if est is not None and se is not None and se.interval[0] > 0:
        e, s = est.interval, se.interval
        cands = [a / b for a in e for b in s]
        return p_range_from_statistic((min(cands), max(cands))), f"estimate / S.E. = {est.printed} / {se.printed}"
    if pvalue is not None:
        lo, hi = pvalue.interval
        return (max(lo, 0.0), min(hi, 1.0)), f"p {pvalue.printed}"
    return None


def _marked(*values: Published | None) -> tuple[str | None, str]:
    for v in values:
        if v is not None and v.marker:
            return v.marker, v.where
    base = next((v for v in values if v is not None), None)
    return None, base.where if base is not None else ""


def _parameter_markers(rec, legend) -> list[Finding]:
    out: list[Finding] = []
    in_paths = {(r.to, "~", r.from_) for r in rec.results.paths}
    params = [p for p in rec.results.parameters if (p.lhs, p.op, p.rhs) not in in_paths]
    if not any(_marked(p.est, p.std_all, p.z, p.pvalue)[0] for p in params):
        return out
    for p in params:
        marker, where = _marked(p.est, p.std_all, p.z, p.pvalue)
        pr = parameter_p_range(p.est, p.se, p.z, p.pvalue)
        if pr is None:
            if marker:
                out.append(not_checkable("marker", where, marker, f"{p.key}: no z, S.E. or p is printed"))
            continue
        out.append(check_marker(pr[0], marker, legend, where, f"{p.key}: {pr[1]}"))
    return out


def _loading_markers(rec, legend) -> list[Finding]:
    loads = rec.results.loadings
    if not any(v.marker for v in loads.values()):
        return []
    by_item = {p.rhs: p for p in rec.results.parameters if p.op == "=~" and p.model is None}
    out: list[Finding] = []
    bare: list[str] = []
    for item, v in loads.items():
        p = by_item.get(item)
        pr = parameter_p_range(p.est, p.se, p.z, p.pvalue) if p is not None else None
        if pr is None:
            if v.marker:
                bare.append(f"{item} {v.printed}{v.marker}")
            continue
        out.append(check_marker(pr[0], v.marker, legend, v.where, f"loading of {item}: {pr[1]}"))
    if bare:
        first = next(iter(loads.values())).where.split(", row")[0]
        out.append(not_checkable("marker", f"{first}, loadings", ", ".join(bare[:5]) + (" ..." if len(bare) > 5 else ""),
                                 f"{len(bare)} marked loadings have no z, S.E. or p printed to recompute their p"))
    return out


def _chisq_markers(rec, legend, counts: dict) -> list[Finding]:
    out: list[Finding] = []
    for b in rec.results.fit:
        for name in ("chisq", "chisq.scaled"):
            c = b.measures.get(name)
            if c is None or not c.marker:
                continue
            if not legend:
                out.append(not_checkable("chisq_marker", c.where, c.printed + c.marker,
                                         "the paper's significance legend is not recorded (results.significance)"))
                continue
            df = b.measures.get("df")
            count = counts.get(b.model)
            if df is not None:
                out.append(check_chisq_marker(c, float(df.value), c.marker, legend))
            elif count is not None:
                out.append(check_chisq_marker(c, float(count.df), c.marker, legend, "of the described model"))
            else:
                out.append(not_checkable("chisq_marker", c.where, c.printed + c.marker, "df is neither printed nor countable"))
    return out


def marker_findings(rec, counts: dict | None = None) -> list[Finding]:
    """Markers on printed parameters (``results.parameters``), loadings and chi-squares against
    the legend (``results.significance``) and the p their printed numbers allow.

    ``counts`` is ``{block: DfCount}`` for chi-squares printed without their df. Parameters also
    printed under ``results.paths`` are checked there.
    """
    legend = rec.results.significance
    out = _chisq_markers(rec, legend, counts or {})
    if not legend:
        return out
    return _parameter_markers(rec, legend) + _loading_markers(rec, legend) + out


def sign_findings(rec) -> list[Finding]:
    """The sign of each printed estimate against its printed statistic where no S.E. is printed
    (with an S.E., estimate / S.E. is checked against the statistic instead)."""
    out: list[Finding] = []
    for r in rec.results.paths:
        if r.estimate is not None and r.statistic is not None and r.se is None:
            f = check_sign(r.estimate, r.statistic, r.key, r.statistic_label or "C.R.")
            if f is not None:
                out.append(f)
    in_paths = {(r.to, "~", r.from_) for r in rec.results.paths}
    for p in rec.results.parameters:
        if (p.lhs, p.op, p.rhs) in in_paths or p.z is None or (p.est is not None and p.se is not None):
            continue
        est = p.est if p.est is not None else p.std_all
        if est is not None:
            f = check_sign(est, p.z, p.key)
            if f is not None:
                out.append(f)
    return out
