"""Checks of incremental fit indices (NFI, CFI, TLI, IFI) through the baseline chi-square.

See :mod:`replication.audit.checks` for the conventions every check follows.
"""

from __future__ import annotations

import math

import numpy as np

from replication.engine import fit_indices
from replication.record.schema import Published
from replication.audit.rounding import TOL, fmt_interval
from replication.audit.finding import Finding, _finding, not_checkable

__all__ = ["baseline_range", "check_incremental_fit", "check_common_baseline"]


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
                   measures: dict[str, Published], grid: int = 21, groups: int = 1) -> tuple[float, float] | None:
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
    groups : int, default 1
        Groups of a multi-group model: the baseline has ``G p (p - 1) / 2`` df (lavaan's
        independence model in every group, intercepts free).

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
    base_df = groups * n_items * (n_items - 1) / 2
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
                          label: str = "", df_printed: bool = True, groups: int = 1) -> Finding | None:
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
    rng = baseline_range(chisq, df, n_items, measures, groups=groups)
    base = (f"{label + ' ' if label else ''}{'/'.join(k.upper() for k in names)} with chi-square "
            f"{fmt_interval(chisq, 2)}, df {df:g} and {n_items} items (baseline df {groups * n_items * (n_items - 1) // 2})")
    if rng is not None:
        return _finding("incremental_fit", where, reported, f"baseline chi-square in {fmt_interval(rng, 0)}", True,
                        base + f" all follow from one baseline chi-square in {fmt_interval(rng, 0)}.")
    each = []
    for k in names:
        r = baseline_range(chisq, df, n_items, {k: measures[k]}, groups=groups)
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
