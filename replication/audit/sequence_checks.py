"""Checks of model sequences (competing, nested models and invariance steps) and parsimony indices.

A printed comparison of two fit blocks (``results.comparisons``) is checked against the blocks'
own printed numbers: Delta df against the two df, Delta chi-square against the two chi-squares
(plain, or the Satorra-Bentler 2001 scaled difference from the unscaled chi-squares and their
scaling factors), its p against Delta chi-square and Delta df, Delta CFI, TLI and RMSEA against
the printed indices, and Delta AIC and BIC against Delta chi-square and Delta df (on one sample
``AIC_a - AIC_b = (chisq_a - chisq_b) + 2 (q_a - q_b)`` and ``q = moments - df``, whether the
program prints ``-2 logL + 2q`` or ``chisq + 2q``; BIC with ``q log N``). Printed differences are
compared by magnitude: papers print them in either order.

PGFI and PNFI are checked against GFI, NFI, df and the number of observed variables:
``PGFI = df / (p (p + 1) / 2) GFI`` and ``PNFI = df / (p (p - 1) / 2) NFI`` (lavaan
``R/lav_fit_gfi.R``, ``R/lav_fit_cfi.R``; James, Mulaik & Brett 1982; Mulaik et al. 1989).

See :mod:`replication.audit.checks` for the conventions every check follows.
"""

from __future__ import annotations

import math

from replication.audit.finding import Finding, _finding, _fmt_p, _fmt_p_range, not_checkable
from replication.audit.rounding import exact_interval, fmt, fmt_interval, image, overlaps
from replication.engine import fit_indices
from replication.engine.robust import sb2001_difference
from replication.record.schema import Published

__all__ = ["check_pgfi", "check_pnfi", "comparison_findings", "sb2001_interval", "abs_interval"]


def _iv(p: Published) -> tuple[float, float]:
    if p.decimals == 0 and float(p.value).is_integer() and p.relation == "=":
        return p.interval if p.interval[0] != p.interval[1] else exact_interval(p.value)
    return p.interval


def abs_interval(iv: tuple[float, float]) -> tuple[float, float]:
    """``{|x|: x in iv}``."""
    lo, hi = iv
    if lo <= 0 <= hi:
        return (0.0, max(-lo, hi))
    return (min(abs(lo), abs(hi)), max(abs(lo), abs(hi)))


def _diff(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return (a[0] - b[1], a[1] - b[0])


def _magnitude_check(check: str, printed: Published, iv: tuple[float, float], what: str,
                     severity: str = "major", d: int | None = None) -> Finding:
    d = d if d is not None else max(printed.decimals + 1, 2)
    ok = overlaps(abs_interval(iv), abs_interval(printed.interval))
    mid = (iv[0] + iv[1]) / 2
    detail = (f"{what} gives {fmt(abs(mid), d)} (feasible {fmt_interval(abs_interval(iv), d)})"
              + ("; the printed value agrees within rounding." if ok else f", not {printed.printed}."))
    return _finding(check, printed.where, printed.printed, f"{fmt(abs(mid), d)} (feasible "
                    f"{fmt_interval(abs_interval(iv), d)})", ok, detail, severity)


def check_pgfi(gfi: Published, printed: Published, df: float, p: int) -> Finding:
    """Printed PGFI against GFI, df and ``p`` observed variables: ``df / (p (p + 1) / 2) GFI``."""
    k = df / (p * (p + 1) / 2)
    iv = (k * gfi.interval[0], k * gfi.interval[1])
    return _magnitude_check("pgfi", printed, iv, f"PGFI = df / (p(p+1)/2) x GFI = {int(df)} / {p * (p + 1) // 2} x "
                            f"{gfi.printed}", "minor")


def check_pnfi(nfi: Published, printed: Published, df: float, p: int) -> Finding:
    """Printed PNFI against NFI, df and the baseline df ``p (p - 1) / 2``: ``df / df_base NFI``."""
    k = df / (p * (p - 1) / 2)
    iv = (k * nfi.interval[0], k * nfi.interval[1])
    return _magnitude_check("pnfi", printed, iv, f"PNFI = df / df(baseline) x NFI = {int(df)} / {p * (p - 1) // 2} x "
                            f"{nfi.printed}", "minor")


def sb2001_interval(t0: tuple[float, float], d0: float, c0: tuple[float, float], t1: tuple[float, float],
                    d1: float, c1: tuple[float, float]) -> tuple[float, float]:
    """Satorra-Bentler (2001) scaled difference over the rounding of its inputs.

    ``T = (T0 - T1) / cd`` with ``cd = (d0 c0 - d1 c1) / (d0 - d1)`` (model 0 the restricted
    one); monotone in each input where ``cd > 0``, so the extremes are at the corners.
    """
    def f(x):
        return sb2001_difference(x[2], d1, x[3], x[0], d0, x[1])["chisq_diff"]
    return image(f, [t0[0], c0[0], t1[0], c1[0]], [t0[1], c0[1], t1[1], c1[1]], monotone=True)


def _blocks(rec) -> dict:
    return {b.model: b for b in rec.results.fit}


def _df_of(block, counts: dict) -> float | None:
    if "df" in block.measures:
        return float(block.measures["df"].value)
    c = counts.get(block.model)
    return float(c.df) if c is not None else None


def comparison_findings(rec, counts: dict, n: tuple[float, float] | None) -> list[Finding]:
    """Findings of every printed comparison of two fit blocks.

    Parameters
    ----------
    rec : Record
    counts : dict
        ``{block: DfCount}`` of the described models (used where a df is not printed).
    n : (float, float) or None
        The N (printed, or the interval inferred) for Delta BIC.
    """
    out: list[Finding] = []
    blocks = _blocks(rec)
    for c in rec.results.comparisons:
        a, b = blocks[c.model], blocks[c.against]
        ma, mb = a.measures, b.measures
        da, db = _df_of(a, counts), _df_of(b, counts)
        names = f"{c.model.upper()} against {c.against.upper()}"
        ddf = None if da is None or db is None else da - db
        if c.delta_df is not None:
            if ddf is None:
                out.append(not_checkable("delta_df", c.delta_df.where, c.delta_df.printed, f"{names}: a df is unknown"))
            else:
                ok = abs(abs(c.delta_df.value) - abs(ddf)) < 1e-9
                out.append(_finding("delta_df", c.delta_df.where, c.delta_df.printed, fmt(abs(ddf), 0), ok,
                                    f"{names}: df {fmt(da, 0)} - {fmt(db, 0)} = {fmt(ddf, 0)}"
                                    + ("." if ok else f", not {c.delta_df.printed}."), "major"))
        # Delta chi-square: plain or scaled
        diff_iv, how = None, ""
        if c.scaled:
            need = ("chisq", "chisq.scaling.factor")
            if all(k in ma and k in mb for k in need) and ddf:
                restricted, free = (ma, mb) if ddf > 0 else (mb, ma)
                d0, d1 = max(da, db), min(da, db)
                try:
                    diff_iv = sb2001_interval(restricted["chisq"].interval, d0, restricted["chisq.scaling.factor"].interval,
                                              free["chisq"].interval, d1, free["chisq.scaling.factor"].interval)
                    how = "Satorra-Bentler (2001) scaled difference of the ML chi-squares and scaling factors"
                except ValueError:
                    diff_iv = None
            elif c.delta_chisq is not None:
                out.append(not_checkable("delta_chisq", c.delta_chisq.where, c.delta_chisq.printed,
                                         f"{names}: a scaled difference needs both blocks' unscaled chi-square "
                                         "and scaling factor (chisq, chisq.scaling.factor)"))
        elif "chisq" in ma and "chisq" in mb:
            diff_iv = _diff(_iv(ma["chisq"]), _iv(mb["chisq"]))
            how = f"chi-square {ma['chisq'].printed} - {mb['chisq'].printed}"
        if diff_iv is not None and all(math.isfinite(x) for x in diff_iv):
            if c.delta_chisq is not None:
                out.append(_magnitude_check("delta_chisq", c.delta_chisq, diff_iv, f"{names}: {how}"))
        elif c.delta_chisq is not None and not c.scaled:
            out.append(not_checkable("delta_chisq", c.delta_chisq.where, c.delta_chisq.printed,
                                     f"{names}: a chi-square is not printed"))
        if c.pvalue is not None:
            out.append(_pvalue(c, names, diff_iv, ddf))
        for key, meas in (("delta_cfi", "cfi"), ("delta_tli", "tli"), ("delta_rmsea", "rmsea")):
            p = getattr(c, key)
            if p is None:
                continue
            if meas in ma and meas in mb:
                out.append(_magnitude_check(key, p, _diff(ma[meas].interval, mb[meas].interval),
                                            f"{names}: {meas.upper()} {ma[meas].printed} - {mb[meas].printed}",
                                            "minor", max(p.decimals, 3)))
            else:
                out.append(not_checkable(key, p.where, p.printed, f"{names}: {meas.upper()} of both is not printed"))
        out += _information(c, names, ma, mb, ddf, n)
    return out


def _pvalue(c, names: str, diff_iv, ddf) -> Finding:
    p = c.pvalue
    if c.delta_chisq is not None:
        x_iv = abs_interval(c.delta_chisq.interval)
        src = f"Delta chi-square {c.delta_chisq.printed}"
    elif diff_iv is not None:
        x_iv, src = abs_interval(diff_iv), "the recomputed Delta chi-square"
    else:
        return not_checkable("delta_pvalue", p.where, p.printed, f"{names}: no Delta chi-square")
    m = abs(c.delta_df.value) if c.delta_df is not None else (abs(ddf) if ddf else None)
    if not m:
        return not_checkable("delta_pvalue", p.where, p.printed, f"{names}: Delta df is unknown")
    iv = (fit_indices.chisq_pvalue(x_iv[1], m), fit_indices.chisq_pvalue(max(x_iv[0], 0.0), m))
    ok = overlaps(iv, p.interval)
    point = fit_indices.chisq_pvalue(abs(c.delta_chisq.value) if c.delta_chisq is not None else
                                     (x_iv[0] + x_iv[1]) / 2, m)
    return _finding("delta_pvalue", p.where, p.printed, f"{_fmt_p(point)} (feasible {_fmt_p_range(iv)})", ok,
                    f"{names}: P(chi-square({int(m)}) > {src}) = {_fmt_p(point)}"
                    + ("; consistent with the printed p." if ok else f"; the printed {p.printed} cannot be reached."),
                    "major")


def _information(c, names: str, ma: dict, mb: dict, ddf, n) -> list[Finding]:
    """Delta AIC and BIC against Delta chi-square and Delta df (q = moments - df)."""
    out: list[Finding] = []
    for key, weight in (("delta_aic", "2"), ("delta_bic", "log N")):
        p = getattr(c, key)
        if p is None:
            continue
        if key == "delta_bic" and n is None:
            out.append(not_checkable(key, p.where, p.printed, f"{names}: N is neither printed nor inferred"))
            continue
        if "chisq" in ma and "chisq" in mb and ddf is not None:
            d_iv = _diff(_iv(ma["chisq"]), _iv(mb["chisq"]))
            k = (2.0, 2.0) if key == "delta_aic" else (math.log(n[0]), math.log(n[1]))
            # IC_a - IC_b = Delta chisq + k (q_a - q_b) = Delta chisq - k Delta df
            ends = [d + (-kk * ddf) for d in d_iv for kk in k]
            iv = (min(ends), max(ends))
            what = f"chi-square difference {fmt((d_iv[0] + d_iv[1]) / 2, 2)} - {weight} x Delta df {fmt(ddf, 0)}"
        elif key[6:] in ma and key[6:] in mb:
            iv = _diff(ma[key[6:]].interval, mb[key[6:]].interval)
            what = f"{key[6:].upper()} {ma[key[6:]].printed} - {mb[key[6:]].printed}"
        else:
            out.append(not_checkable(key, p.where, p.printed, f"{names}: chi-squares and df (or both {key[6:].upper()}) "
                                                                 "are not printed"))
            continue
        out.append(_magnitude_check(key, p, iv, f"{names}: {what}", "minor", max(p.decimals, 1)))
    return out


def information_pairs(ma: dict, mb: dict, da: float, db: float, n, key: str) -> tuple[float, float] | None:
    """Interval of ``IC_a - IC_b`` from the two chi-squares and df (for the blocks' own AIC/BIC)."""
    if "chisq" not in ma or "chisq" not in mb:
        return None
    d_iv = _diff(_iv(ma["chisq"]), _iv(mb["chisq"]))
    k = (2.0, 2.0) if key == "aic" else (math.log(n[0]), math.log(n[1]))
    ends = [d - kk * (da - db) for d in d_iv for kk in k]
    return (min(ends), max(ends))
