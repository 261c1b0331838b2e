"""Fit statistics printed from scaled (Satorra-Bentler) chi-squares, and printed baselines.

A paper that estimates with MLM often prints the Satorra-Bentler chi-square (``chisq.scaled``)
and computes chi-square/df, CFI, TLI and NFI from it and from the scaled baseline chi-square
(``baseline.chisq.scaled``). lavaan's ``cfi.scaled`` and ``tli.scaled`` are the plain formulas
with both chi-squares scaled (``R/lav_fit_cfi.R``). The checks here:

- chi-square/df against the plain chi-square, else the scaled one (whichever the printed ratio
  follows, named in the detail);
- CFI, TLI (``.scaled`` names, or plain names when only the scaled chi-square is printed) against
  one scaled baseline chi-square per block, and one across blocks;
- a printed ``baseline.chisq`` or ``baseline.chisq.scaled`` inside the baseline range that the
  block's indices imply.

See :mod:`replication.audit.checks` for the conventions every check follows.
"""

from __future__ import annotations

from replication.audit.fit_checks import check_chisq_df
from replication.audit.finding import Finding, _finding, not_checkable
from replication.audit.incremental_checks import baseline_range, check_common_baseline, check_incremental_fit
from replication.audit.model_df import block_groups
from replication.audit.rounding import fmt_interval, overlaps
from replication.record.schema import Published

__all__ = ["chisq_df_finding", "check_printed_baseline", "scaled_findings"]

_INDICES = ("nfi", "cfi", "tli", "ifi")


def chisq_df_finding(m: dict) -> Finding | None:
    """The printed chi-square/df against the plain chi-square and df, else the scaled one.

    Returns the plain check when it is consistent or no scaled chi-square is printed; the check
    against ``chisq.scaled`` when that one is consistent (the detail says so) or the plain
    chi-square is not printed; ``None`` without a ratio, df or chi-square.
    """
    ratio, df = m.get("chisq_df"), m.get("df")
    plain, scaled = m.get("chisq"), m.get("chisq.scaled")
    if ratio is None or df is None or (plain is None and scaled is None):
        return None
    first = check_chisq_df(plain, df, ratio) if plain is not None else None
    if scaled is None or (first is not None and first.severity is None):
        return first
    f = check_chisq_df(scaled, df, ratio)
    if first is not None and f.severity is not None:
        return first
    note = (" The ratio follows the Satorra-Bentler scaled chi-square, not the plain one."
            if first is not None else " (scaled chi-square)")
    return Finding(f.check, f.where, f.reported, f.recomputed, f.status, f.detail + note, f.severity)


def check_printed_baseline(printed: Published, rng: tuple[float, float] | None, label: str,
                           scaled: bool = False) -> Finding:
    """A printed baseline chi-square against the range the block's incremental indices imply
    (:func:`replication.audit.incremental_checks.baseline_range`). Major when outside."""
    name = "baseline.chisq.scaled" if scaled else "baseline.chisq"
    if rng is None:
        return not_checkable("baseline_chisq", printed.where, printed.printed,
                             f"{label}: no baseline chi-square reproduces the printed indices (see incremental_fit)")
    ok = overlaps(rng, printed.interval)
    detail = (f"{label} {'scaled ' if scaled else ''}CFI/TLI/NFI imply a baseline chi-square in "
              f"{fmt_interval(rng, 1)}; the printed {name} {printed.printed} "
              + ("lies in it." if ok else "does not: the indices were not computed from this baseline."))
    return _finding("baseline_chisq", printed.where, printed.printed, fmt_interval(rng, 1), ok, detail, "major")


def _block_p(rec, block, count) -> int:
    if count is not None:
        return count.n_items
    return sum(len(v) for c, v in rec.items.items() if c in rec.latent_constructs)


def scaled_findings(rec, counts: dict) -> list[Finding]:
    """Incremental indices of scaled chi-squares and printed baselines of every fit block.

    ``counts`` is ``{block: DfCount}`` (df and observed variables where not printed).
    """
    out: list[Finding] = []
    ranges: dict[str, tuple[float, float]] = {}
    wheres: list[str] = []
    for b in rec.results.fit:
        m, label, count = b.measures, b.model.upper(), counts.get(b.model)
        df = float(m["df"].value) if "df" in m else (float(count.df) if count is not None else None)
        p, groups = _block_p(rec, b, count), block_groups(rec, b) or 1
        if not df or not p:
            continue
        plain = m.get("chisq")
        if plain is not None and m.get("baseline.chisq") is not None:
            idx = {k: m[k] for k in _INDICES if k in m}
            rng = baseline_range(plain.interval, df, p, idx, groups=groups) if idx else None
            out.append(check_printed_baseline(m["baseline.chisq"], rng, label))
        sc = m.get("chisq.scaled")
        if sc is None:
            continue
        idx = {k: m[f"{k}.scaled"] for k in _INDICES if f"{k}.scaled" in m}
        if not idx and plain is None:
            idx = {k: m[k] for k in _INDICES if k in m}
        if not idx:
            continue
        f = check_incremental_fit(sc.interval, df, p, idx, f"{label} (scaled)", df_printed="df" in m, groups=groups)
        rng = baseline_range(sc.interval, df, p, idx, groups=groups)
        if f is not None:
            out.append(Finding("incremental_fit_scaled", f.where, f.reported, f.recomputed, f.status, f.detail,
                               f.severity))
            if f.severity is None and rng is not None and "df" in m:
                ranges[label] = rng
                wheres.append(f.where)
        if m.get("baseline.chisq.scaled") is not None:
            out.append(check_printed_baseline(m["baseline.chisq.scaled"], rng, label, scaled=True))
    common = check_common_baseline(ranges, "; ".join(wheres), _block_p(rec, None, None)) if len(ranges) >= 2 else None
    if common is not None:
        out.append(Finding("baseline_scaled", common.where, common.reported, common.recomputed, common.status,
                           common.detail, common.severity))
    return out
