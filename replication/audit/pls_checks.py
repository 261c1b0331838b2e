"""Checks of printed PLS-SEM tables (``results.pls`` of a PLS record).

Each check follows :mod:`replication.audit.checks`: printed numbers are intervals of their
rounding, a recomputed number is the image of those intervals, and a printed number is
inconsistent only when no inputs within their rounding reproduce it.

- ``cr`` and ``ave``: rho_C and AVE of each construct from its printed outer loadings;
- ``fornell_larcker_diagonal``: the printed square root of AVE against the printed AVE;
- ``statistic``: the bootstrap t against original estimate / bootstrap SD;
- ``p_value``: the printed p against the two-sided p of the t, normal or Student t with
  B - 1 degrees of freedom (B bootstrap resamples);
- ``htmt`` and ``fornell_larcker``: the paper's verdict of discriminant validity against its
  printed table (every HTMT below the threshold the paper used; every square root of AVE
  above the construct's correlations);
- ``r2_adj``: ``1 - (1 - R2)(N - 1)/(N - k - 1)`` with k the construct's predictors;
- ``f2``: ``(R2_incl - R2_excl)/(1 - R2_incl)``, where the R-squared without the predictor is
  printed, or is 0 because it is the construct's only predictor.
"""
from __future__ import annotations

import math

from replication.audit.estimate_checks import check_statistic
from replication.audit.finding import Finding, _dp, _finding, _iv, not_checkable
from replication.audit.measurement_checks import check_ave, check_cr
from replication.audit.rounding import fmt, fmt_interval, image, overlaps
from replication.record.pls import PLSResults, is_pls
from replication.record.schema import Published, Record

__all__ = ["pls_findings", "check_r2_adj", "check_f2", "check_pls_p", "check_htmt_verdict",
           "check_fornell_larcker_verdict", "check_sqrt_ave"]


def _paths_of(rec: Record) -> list[tuple[str, str]]:
    return [(p.from_, p.to) for p in rec.model.paths]


# ----------------------------------------------------------------------------------- reliability
def _reliability(rec: Record, pls: PLSResults) -> list[Finding]:
    out: list[Finding] = []
    for c, rel in pls.reliability.items():
        row = pls.loadings.get(c, {})
        items = [it for it in rec.items[c] if it in row]
        loads = [row[it] for it in items]
        complete = len(items) == len(rec.items[c])
        for check, printed, fn in (("cr", rel.rho_c, check_cr), ("ave", rel.ave, check_ave)):
            if printed is None:
                continue
            if not complete:
                out.append(not_checkable(check, printed.where, printed.printed,
                                         f"not every outer loading of {c} is printed"))
            else:
                out.append(fn(loads, printed, items, c))
    return out


def check_sqrt_ave(construct: str, ave: Published, sqrt_ave: Published) -> Finding:
    """The printed square root of AVE (Fornell-Larcker diagonal) against the printed AVE."""
    lo, hi = _iv(ave)
    iv = (math.sqrt(max(lo, 0.0)), math.sqrt(max(hi, 0.0)))
    ok = overlaps(iv, _iv(sqrt_ave))
    d = _dp(sqrt_ave)
    detail = (f"sqrt(AVE) of {construct} from the printed AVE {ave.printed} is "
              f"{fmt_interval(iv, d)}; the Fornell-Larcker table prints {sqrt_ave.printed}"
              + ("." if ok else ", which no AVE within its rounding gives."))
    return _finding("fornell_larcker_diagonal", sqrt_ave.where, sqrt_ave.printed,
                    fmt_interval(iv, d), ok, detail, "minor")


# ----------------------------------------------------------------------------------- t and p
def _t_df(pls: PLSResults) -> int | None:
    return int(pls.bootstrap.value) - 1 if pls.bootstrap is not None else None


def check_pls_p(t: Published, p: Published, df: int | None, method: str | None,
                alpha: float = 0.05) -> Finding:
    """Printed p against the two-sided p of the printed t.

    ``method`` ``normal`` (``2 (1 - Phi(|t|))``), ``t`` (Student t with ``df`` = B - 1, as
    seminr and SmartPLS print) or ``None`` (either). Major when the printed p and every
    recomputed one lie on different sides of ``alpha``.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A Primer on Partial
    Least Squares Structural Equation Modeling (PLS-SEM)* (3rd ed.), ch. 5 and 6 (bootstrap t
    and p). Ray, S., Danks, N. P., & Calero Valdez, A. (2022). seminr (bootstrap_model).
    """
    from scipy import stats  # Student t, imported only for a PLS record

    lo, hi = _iv(t)
    amin = 0.0 if lo <= 0 <= hi else min(abs(lo), abs(hi))
    amax = max(abs(lo), abs(hi))
    dists = {}
    if method in (None, "normal"):
        dists["normal"] = stats.norm
    if method in (None, "t") and df is not None and df > 0:
        dists[f"t({df})"] = stats.t(df)
    ranges = {k: (float(2 * dist.sf(amax)), float(2 * dist.sf(amin))) for k, dist in dists.items()}
    if not ranges:
        return not_checkable("p_value", p.where, p.printed, "the bootstrap resamples (B) are not "
                                                            "printed for a t with B - 1 df")
    p_iv = _iv(p)
    fits = [k for k, r in ranges.items() if overlaps(r, p_iv)]
    shown = "; ".join(f"{k} {fmt_interval(r, 4)}" for k, r in ranges.items())
    ok = bool(fits)
    sig_printed = p_iv[1] < alpha
    major = not ok and all((r[1] < alpha) != sig_printed for r in ranges.values())
    detail = (f"two-sided p of t {t.printed}: {shown}; printed {p.printed}"
              + (f" (matches the {', '.join(fits)} p)." if ok else
                 ", which no p of a t within its rounding gives."))
    return _finding("p_value", p.where, p.printed, shown, ok, detail,
                    "major" if major else "minor")


def _paths(pls: PLSResults, alpha: float) -> list[Finding]:
    out: list[Finding] = []
    for r in pls.paths:
        if r.t is not None and r.estimate is not None and r.se is not None:
            if r.se.value > 0:
                out.append(check_statistic(r.estimate, r.se, r.t, "t", alpha))
        if r.p is not None:
            if r.t is not None:
                out.append(check_pls_p(r.t, r.p, _t_df(pls), pls.p_method, alpha))
            else:
                out.append(not_checkable("p_value", r.p.where, r.p.printed,
                                         f"no t printed for {r.key}"))
    return out


# ----------------------------------------------------------------------------- discriminant validity
def check_htmt_verdict(pairs, threshold: float, established: bool, where: str) -> Finding:
    """The paper's HTMT verdict against its printed ratios: discriminant validity is
    established when every HTMT is below the threshold (0.85 or 0.90; Henseler, Ringle &
    Sarstedt, 2015). Pairs whose rounding straddles the threshold support either verdict."""
    above = [pr for pr in pairs if _iv(pr.value)[0] >= threshold]
    edge = [pr for pr in pairs if _iv(pr.value)[0] < threshold <= _iv(pr.value)[1]]
    implied_ok = not above
    ok = (implied_ok == established) or (not above and bool(edge) and not established)
    listed = ", ".join(f"{p.a}-{p.b} {p.value.printed}" for p in above) or "none"
    said = "established" if established else "not established"
    detail = (f"HTMT at or above {threshold:g}: {listed}; the paper says discriminant validity "
              f"is {said}" + ("." if ok else f", which its HTMT table contradicts."))
    return _finding("htmt", where, said, "established" if implied_ok else "not established",
                    ok, detail, "major")


def _fl_violations(fl) -> tuple[list, list]:
    """Pairs whose correlation is surely (and possibly) not below both square roots of AVE."""
    sure, maybe = [], []
    for pr in fl.pairs:
        roots = [fl.sqrt_ave.get(pr.a), fl.sqrt_ave.get(pr.b)]
        if any(r is None for r in roots):
            continue
        r_lo, r_hi = sorted(abs(x) for x in _iv(pr.value))
        low_root = min(_iv(r)[0] for r in roots)
        high_root = min(_iv(r)[1] for r in roots)
        if r_lo >= high_root:
            sure.append(pr)
        elif r_hi >= low_root:
            maybe.append(pr)
    return sure, maybe


def check_fornell_larcker_verdict(fl, established: bool, where: str) -> Finding:
    """The paper's Fornell-Larcker verdict against its table: established when every square
    root of AVE exceeds the construct's correlations with the others (Fornell & Larcker, 1981)."""
    sure, maybe = _fl_violations(fl)
    ok = (established and not sure) or (not established and bool(sure or maybe))
    listed = ", ".join(f"{p.a}-{p.b} {p.value.printed}" for p in sure) or "none"
    said = "established" if established else "not established"
    detail = (f"correlations not below both square roots of AVE: {listed}; the paper says "
              f"discriminant validity is {said}" + ("." if ok else ", which its table contradicts."))
    return _finding("fornell_larcker", where, said,
                    "not established" if sure else "established", ok, detail, "major")


def _discriminant(pls: PLSResults, source: str) -> list[Finding]:
    out: list[Finding] = []
    h = pls.htmt
    if h is not None and h.pairs:
        where = h.where or h.pairs[0].value.where
        if h.established is not None:
            out.append(check_htmt_verdict(h.pairs, h.threshold, h.established, where))
        else:
            above = [f"{p.a}-{p.b} {p.value.printed}" for p in h.pairs
                     if _iv(p.value)[0] >= h.threshold]
            out.append(not_checkable("htmt", where, "no verdict printed",
                                     f"HTMT at or above {h.threshold:g}: {', '.join(above) or 'none'}"))
    fl = pls.fornell_larcker
    if fl is not None:
        where = fl.where or source
        for c, root in fl.sqrt_ave.items():
            rel = pls.reliability.get(c)
            if rel is not None and rel.ave is not None:
                out.append(check_sqrt_ave(c, rel.ave, root))
        if fl.established is not None and fl.pairs:
            out.append(check_fornell_larcker_verdict(fl, fl.established, where))
        elif fl.pairs:
            sure, _ = _fl_violations(fl)
            listed = ", ".join(f"{p.a}-{p.b} {p.value.printed}" for p in sure) or "none"
            out.append(not_checkable("fornell_larcker", where, "no verdict printed",
                                     f"correlations not below both square roots of AVE: {listed}"))
    return out


# ----------------------------------------------------------------------------------- R2 and f2
def check_r2_adj(construct: str, r2: Published, r2_adj: Published, n: int, k: int) -> Finding:
    """Printed adjusted R-squared against ``1 - (1 - R2)(N - 1)/(N - k - 1)`` of the printed
    R-squared, N and the k predictors of the construct (monotone in R2)."""
    if n - k - 1 <= 0:
        return not_checkable("r2_adj", r2_adj.where, r2_adj.printed, f"N {n} with {k} predictors")
    f = (n - 1) / (n - k - 1)
    lo, hi = _iv(r2)
    iv = (1 - (1 - lo) * f, 1 - (1 - hi) * f)
    point = 1 - (1 - r2.value) * f
    ok = overlaps(iv, _iv(r2_adj))
    d = _dp(r2_adj)
    detail = (f"adjusted R2 of {construct} from R2 {r2.printed}, N {n} and {k} predictor(s) is "
              f"{fmt(point, d)}; printed {r2_adj.printed}" + ("." if ok else
                                                               f" (R2 within rounding gives {fmt_interval(iv, d)})."))
    return _finding("r2_adj", r2_adj.where, r2_adj.printed,
                    f"{fmt(point, d)} (feasible {fmt_interval(iv, d)})", ok, detail, "minor")


def check_f2(source: str, target: str, f2: Published, r2_incl: Published,
             r2_excl: Published | None) -> Finding:
    """Printed f-squared against ``(R2_incl - R2_excl)/(1 - R2_incl)`` (Cohen, 1988); without a
    printed ``r2_excl`` the predictor is the construct's only one and ``R2_excl = 0``."""
    lows = [_iv(r2_incl)[0], _iv(r2_excl)[0] if r2_excl is not None else 0.0]
    highs = [_iv(r2_incl)[1], _iv(r2_excl)[1] if r2_excl is not None else 0.0]

    def fn(x):
        return (x[0] - x[1]) / (1 - x[0])

    iv = image(fn, lows, highs, monotone=True)
    point = fn([r2_incl.value, r2_excl.value if r2_excl is not None else 0.0])
    ok = overlaps(iv, _iv(f2))
    d = _dp(f2)
    excl = r2_excl.printed if r2_excl is not None else "0 (its only predictor)"
    detail = (f"f2 of {source} on {target} from R2 {r2_incl.printed} with and {excl} without it "
              f"is {fmt(point, d)}; printed {f2.printed}" + ("." if ok else
                                                             f" (feasible {fmt_interval(iv, d)})."))
    return _finding("f2", f2.where, f2.printed, f"{fmt(point, d)} (feasible {fmt_interval(iv, d)})",
                    ok, detail, "minor")


def _r2_checks(rec: Record, pls: PLSResults) -> list[Finding]:
    out: list[Finding] = []
    paths = _paths_of(rec)
    n = rec.sample.n_analysed or rec.sample.n
    for c, adj in pls.r2_adj.items():
        r2 = pls.r2.get(c)
        if r2 is None or n is None:
            out.append(not_checkable("r2_adj", adj.where, adj.printed,
                                     f"R2 of {c} or N not printed"))
            continue
        out.append(check_r2_adj(c, r2, adj, int(n.value), sum(1 for _, y in paths if y == c)))
    for e in pls.f2:
        if e.value is None:
            continue
        r2 = pls.r2.get(e.to)
        only = sum(1 for _, y in paths if y == e.to) == 1
        if r2 is None or (e.r2_excluded is None and not only):
            out.append(not_checkable("f2", e.value.where, e.value.printed,
                                     f"R2 of {e.to} without {e.from_} not printed"))
            continue
        out.append(check_f2(e.from_, e.to, e.value, r2, e.r2_excluded))
    return out


def pls_findings(rec: Record, alpha: float = 0.05) -> list[Finding]:
    """Every check of a PLS record's printed tables (none for other records)."""
    pls = rec.results.pls
    if not is_pls(rec.model) or pls is None:
        return []
    return (_reliability(rec, pls) + _discriminant(pls, rec.citation.source_file)
            + _r2_checks(rec, pls) + _paths(pls, alpha))
