"""Item counts a paper does not print, as its printed df and indices constrain them.

A record that does not list the items of some constructs assumes their counts
(``constructs.<C>.n_items``). The df of a model described without syntax depends on the item
total ``p`` (and on how many constructs have a single item, whose residual variance is fixed):
``df = p (p + 1) / 2 - q(p)``. Every printed df therefore admits a set of totals for the
constructs whose counts are assumed; AGFI, PGFI and PNFI, which depend on ``p`` too, narrow it.
:func:`item_count_findings` reports the totals that fit every fit block, rather than the df
check passing by construction of the assumed counts.
"""

from __future__ import annotations

from replication.audit.finding import CONSISTENT, INCONSISTENT, Finding
from replication.audit.model_df import described_df
from replication.audit.rounding import overlaps

__all__ = ["MAX_ITEMS", "totals_for_block", "p_fits_indices", "item_count_findings", "describe_totals"]

#: Largest item count tried for one construct.
MAX_ITEMS = 40


def _candidates(a: int):
    """``(T, s)``: ``T`` items over ``a`` constructs, ``s`` of them single-item (others >= 2)."""
    for s in range(a + 1):
        if s == a:
            yield a, s
            continue
        for t in range(s + 2 * (a - s), s + MAX_ITEMS * (a - s) + 1):
            yield t, s


def p_fits_indices(measures: dict, df: float, p: int) -> list[str]:
    """The printed indices that ``p`` observed variables cannot reproduce (empty: all fit).

    AGFI ``= 1 - (p (p + 1) / 2 / df) (1 - GFI)`` (Joreskog & Sorbom, 1984), PGFI
    ``= df / (p (p + 1) / 2) GFI`` (Mulaik et al., 1989) and PNFI ``= df / (p (p - 1) / 2) NFI``
    (James, Mulaik & Brett, 1982), each over the rounding of GFI or NFI.
    """
    bad = []
    gfi, nfi = measures.get("gfi"), measures.get("nfi")
    mom, base = p * (p + 1) / 2, p * (p - 1) / 2
    if gfi is not None and measures.get("agfi") is not None and df > 0:
        iv = (1 - mom / df * (1 - gfi.interval[0]), 1 - mom / df * (1 - gfi.interval[1]))
        if not overlaps(iv, measures["agfi"].interval):
            bad.append("agfi")
    if gfi is not None and measures.get("pgfi") is not None:
        iv = (df / mom * gfi.interval[0], df / mom * gfi.interval[1])
        if not overlaps(iv, measures["pgfi"].interval):
            bad.append("pgfi")
    if nfi is not None and measures.get("pnfi") is not None and base > 0:
        iv = (df / base * nfi.interval[0], df / base * nfi.interval[1])
        if not overlaps(iv, measures["pnfi"].interval):
            bad.append("pnfi")
    return bad


def totals_for_block(rec, block, n_assumed: int, p_known: int, single_known: int) -> tuple[set, set]:
    """``(T, s)`` pairs that give the block's printed df, and those that also reproduce its
    AGFI, PGFI and PNFI (:func:`p_fits_indices`)."""
    df = int(block.measures["df"].value)
    by_df, by_all = set(), set()
    for t, s in _candidates(n_assumed):
        p = p_known + t
        if described_df(rec, block.model, p, single_known + s).df != df:
            continue
        by_df.add((t, s))
        if not p_fits_indices(block.measures, df, p):
            by_all.add((t, s))
    return by_df, by_all


def _ranges(xs: list[int]) -> str:
    out, xs = [], sorted(xs)
    i = 0
    while i < len(xs):
        j = i
        while j + 1 < len(xs) and xs[j + 1] == xs[j] + 1:
            j += 1
        out.append(str(xs[i]) if i == j else f"{xs[i]}-{xs[j]}")
        i = j + 1
    return ", ".join(out)


def describe_totals(pairs: set) -> str:
    """``(T, s)`` pairs as text: ``21`` or ``20, 23 (one single-item construct)``."""
    if not pairs:
        return "none"
    parts = []
    for s in sorted({s for _, s in pairs}):
        ts = _ranges([t for t, k in pairs if k == s])
        parts.append(ts if s == 0 else f"{ts} with {s} single-item construct{'s' if s > 1 else ''}")
    return "; ".join(parts)


def _assumed(rec) -> list[str]:
    cons = rec.latent_constructs
    return [c for c in cons if rec.constructs[c].items is None and rec.constructs[c].n_items is None]


def item_count_findings(rec) -> list[Finding]:
    """The totals of the assumed item counts that fit every printed df (``item_counts``).

    For a record described without syntax whose constructs' item counts are partly assumed: per
    fit block of the described CFA or SEM with a printed df, the totals ``T`` of the assumed
    constructs (and how many of them have a single item) that give that df, then those that
    also reproduce AGFI, PGFI and PNFI. Consistent when some total fits every block; major when
    no total gives every printed df (no one set of items explains them); minor when the df agree
    but the indices that depend on the number of variables exclude every such total.
    """
    assumed = _assumed(rec)
    if not assumed or rec.model.syntax is not None or rec.model.kind == "regression" or rec.model.moderations:
        return []
    if rec.model.n_groups != 1:
        return []
    items = rec.items
    known = [c for c in rec.latent_constructs if c not in assumed]
    p_known = sum(len(items[c]) for c in known)
    single_known = sum(1 for c in known if len(items[c]) == 1)
    blocks = [b for b in rec.results.fit if b.model in ("cfa", "sem") and b.syntax is None
              and b.groups == 1 and "df" in b.measures]
    if not blocks:
        return []
    per, by_df, by_all = [], None, None
    for b in blocks:
        d, a = totals_for_block(rec, b, len(assumed), p_known, single_known)
        by_df = d if by_df is None else by_df & d
        by_all = a if by_all is None else by_all & a
        per.append(f"{b.model.upper()} df {b.measures['df'].printed}: {describe_totals(d)}"
                   + (f" ({describe_totals(a)} with its AGFI, PGFI, PNFI)" if a != d else ""))
    mine = (sum(len(items[c]) for c in assumed), sum(1 for c in assumed if len(items[c]) == 1))
    where = "; ".join(b.measures["df"].where for b in blocks)
    who = f"{', '.join(assumed)} ({len(assumed)} construct{'s' if len(assumed) > 1 else ''} without printed items)"
    reported = "; ".join(f"{b.model.upper()} df {b.measures['df'].printed}" for b in blocks)
    rec_txt = f"the record assumes {mine[0]}" + ("" if mine in by_all else ", which is not among them")
    if by_all:
        detail = (f"Item totals of {who} that fit every printed df and index: {describe_totals(by_all)} "
                  f"({'; '.join(per)}); {rec_txt}.")
        return [Finding("item_counts", where, reported, describe_totals(by_all), CONSISTENT, detail, None)]
    if by_df:
        detail = (f"Item totals of {who} that give every printed df: {describe_totals(by_df)}, but AGFI, PGFI "
                  f"or PNFI exclude each of them ({'; '.join(per)}); {rec_txt}.")
        return [Finding("item_counts", where, reported, describe_totals(by_df), INCONSISTENT, detail, "minor")]
    detail = (f"No item total of {who} gives every printed df of the described model ({'; '.join(per)}): the "
              f"printed dfs cannot come from one set of items; {rec_txt}.")
    return [Finding("item_counts", where, reported, "none", INCONSISTENT, detail, "major")]
