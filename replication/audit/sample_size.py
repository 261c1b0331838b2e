"""The sample size a paper's N-dependent numbers imply.

RMSEA, its confidence interval and the test of close fit depend on N; a printed chi-square, df
and RMSEA therefore pin N down to an interval, whether the paper prints N or not. Each printed
number gives the set of N (a closed interval, for each of the two conventions: lavaan's divisor
N and the N - 1 of AMOS and LISREL) for which some inputs within their rounding reproduce it:

- ``RMSEA^2 = max(chisq - df, 0) / (df m)`` with ``m = N / G`` (``N - 1`` for the other
  convention, ``G`` groups): for chi-square in ``[c0, c1]`` and RMSEA in ``[r0, r1]``,
  ``m in [max(c0 - df, 0) / (df r1^2), (c1 - df) / (df r0^2)]``;
- the 90% interval bounds ``sqrt(lambda / (df m))``, where ``lambda`` is the noncentrality at
  which the noncentral chi-square CDF at chi-square is 0.95 (lower) or 0.05 (upper) and grows
  with chi-square: ``m in [lambda(c0) / (df u1^2), lambda(c1) / (df u0^2)]``;
- the close-fit p, ``1 - F(chisq; df, m df 0.05^2)``, increasing in ``m``: bisection.

Blocks fitted to the same sample share one N: the audit intersects their sets (one convention
for the whole paper), reports the N that fits them all and names the blocks no common N explains.
A printed N (the record's analysed N, or a block's own ``n``) is checked against the same sets.

References
----------
Steiger, J. H. (1990). Structural model evaluation and modification: an interval estimation
approach. *Multivariate Behavioral Research*, 25, 173-180.
Browne, M. W., & Cudeck, R. (1993). Alternative ways of assessing model fit. In K. A. Bollen &
J. S. Long (Eds.), *Testing Structural Equation Models* (pp. 136-162). Sage.
lavaan ``R/lav_fit_rmsea.R`` (divisor N, ``sqrt(G)`` for several groups).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from replication.audit.finding import CONSISTENT, INCONSISTENT, NOT_CHECKABLE, Finding
from replication.audit.model_df import block_groups
from replication.audit.rounding import fmt_interval
from replication.engine import fit_indices
from replication.record.schema import Published

__all__ = ["NConstraint", "rmsea_n_set", "ci_n_set", "pclose_n_set", "block_constraints",
           "common_n", "sample_n_findings", "N_MAX"]

#: Largest N considered (an RMSEA printed as 0 allows any N).
N_MAX = 10_000_000
_CONVENTIONS = ("N", "N-1")
_BIG = 1e6  # N at which the noncentrality bounds are read off lavaan's interval


@dataclass(frozen=True)
class NConstraint:
    """The N that one printed number allows.

    ``sets`` maps each convention (``"N"``, ``"N-1"``) to a closed interval of N (``None``: no
    N at all).
    """

    block: str
    measure: str
    where: str
    printed: str
    sets: dict[str, tuple[float, float] | None]


def _clip(lo: float, hi: float, shift: float) -> tuple[float, float] | None:
    lo, hi = max(lo + shift, 1.0 + shift), min(hi + shift, float(N_MAX))
    lo_i, hi_i = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
    return (float(lo_i), float(hi_i)) if lo_i <= hi_i else None


def _m_interval(num_lo: float, num_hi: float, df: float, v_lo: float, v_hi: float
                ) -> tuple[float, float] | None:
    """``{m > 0: some a in [num_lo, num_hi] has sqrt(a / (df m)) in [v_lo, v_hi]}``."""
    v_lo = max(v_lo, 0.0)
    if v_hi < 0:
        return None
    if num_hi <= 0:  # the quantity is 0 whatever m
        return (0.0, math.inf) if v_lo <= 0 else None
    low = 0.0 if num_lo <= 0 else (math.inf if v_hi <= 0 else num_lo / (df * v_hi ** 2))
    high = math.inf if v_lo <= 0 else num_hi / (df * v_lo ** 2)
    return (low, high) if low <= high else None


def _sets(m_iv: tuple[float, float] | None, groups: int) -> dict[str, tuple[float, float] | None]:
    out: dict[str, tuple[float, float] | None] = {}
    for conv in _CONVENTIONS:
        if m_iv is None:
            out[conv] = None
            continue
        shift = 1.0 if conv == "N-1" else 0.0
        out[conv] = _clip(m_iv[0] * groups, m_iv[1] * groups, shift)
    return out


def rmsea_n_set(chisq_iv: tuple[float, float], df: float, rmsea_iv: tuple[float, float],
                groups: int = 1) -> dict[str, tuple[float, float] | None]:
    """The N (per convention) at which a chi-square and df within rounding give the RMSEA.

    ``RMSEA = sqrt(G) sqrt(max(chisq - df, 0) / (df N))`` (lavaan); the ``N - 1`` convention
    replaces ``N`` by ``N - 1``. Solved for N over the rounding intervals of chi-square and RMSEA.
    """
    if not df > 0:
        return {c: None for c in _CONVENTIONS}
    m = _m_interval(chisq_iv[0] - df, chisq_iv[1] - df, df, rmsea_iv[0], rmsea_iv[1])
    return _sets(m, groups)


def _lambda(chisq: float, df: float, which: int, level: float) -> float:
    """Noncentrality of the lower (``which=0``) or upper bound of lavaan's RMSEA interval."""
    bound = fit_indices.rmsea_ci(max(chisq, 0.0), df, _BIG, level)[which]
    return bound ** 2 * _BIG * df if math.isfinite(bound) else math.nan


def ci_n_set(chisq_iv: tuple[float, float], df: float, bound_iv: tuple[float, float], which: int,
             groups: int = 1, level: float = 0.90) -> dict[str, tuple[float, float] | None]:
    """The N at which the lower (``which=0``) or upper (``1``) RMSEA bound is reached.

    The bound is ``sqrt(G) sqrt(lambda / (df N))`` with ``lambda`` the noncentrality at which
    ``F(chisq; df, lambda)`` is ``(1 + level) / 2`` (lower) or ``(1 - level) / 2`` (upper), 0
    when the central CDF is already past it (lavaan ``lav_fit_rmsea_ci``); ``lambda`` grows
    with chi-square, so the extremes come from the ends of the chi-square interval.
    """
    if not df >= 1:
        return {c: None for c in _CONVENTIONS}
    lam = (_lambda(chisq_iv[0], df, which, level), _lambda(chisq_iv[1], df, which, level))
    if not all(math.isfinite(x) for x in lam):
        return {c: None for c in _CONVENTIONS}
    return _sets(_m_interval(min(lam), max(lam), df, bound_iv[0], bound_iv[1]), groups)


def pclose_n_set(chisq_iv: tuple[float, float], df: float, p_iv: tuple[float, float],
                 groups: int = 1, h0: float = 0.05) -> dict[str, tuple[float, float] | None]:
    """The N at which the test of close fit (lavaan's ``rmsea.pvalue``) gives the printed p.

    ``p(c, m) = 1 - F(c; df, m df h0^2 / G)`` decreases in chi-square and increases in ``m``:
    the printed p is reached for ``m`` with ``p(c0, m) >= p0`` and ``p(c1, m) <= p1``.
    """
    if not df > 0:
        return {c: None for c in _CONVENTIONS}

    def p(c: float, m: float) -> float:
        return fit_indices.noncentral_chi2_sf(c, df, m * df * h0 ** 2 / groups)

    def first(pred) -> float | None:  # smallest m in [1, N_MAX] with pred, pred monotone
        lo, hi = 1.0, float(N_MAX)
        if pred(lo):
            return lo
        if not pred(hi):
            return None
        for _ in range(60):
            mid = math.sqrt(lo * hi)
            lo, hi = (lo, mid) if pred(mid) else (mid, hi)
        return hi

    c0, c1 = max(chisq_iv[0], 0.0), chisq_iv[1]
    start = first(lambda m: p(c0, m) >= p_iv[0] - 1e-12)
    beyond = first(lambda m: p(c1, m) > p_iv[1] + 1e-12)
    if start is None or (beyond is not None and beyond <= start):
        return {c: None for c in _CONVENTIONS}
    return _sets((start / groups, (beyond if beyond is not None else math.inf) / groups), 1)


def block_constraints(block: str, measures: dict, chisq_iv: tuple[float, float] | None,
                      df: float | None, groups: int = 1) -> list[NConstraint]:
    """Every N constraint of one fit block's printed RMSEA, interval bounds and close-fit p."""
    if chisq_iv is None or df is None or not df > 0:
        return []
    out: list[NConstraint] = []
    for name, fn in (("rmsea", lambda iv: rmsea_n_set(chisq_iv, df, iv, groups)),
                     ("rmsea.ci.lower", lambda iv: ci_n_set(chisq_iv, df, iv, 0, groups)),
                     ("rmsea.ci.upper", lambda iv: ci_n_set(chisq_iv, df, iv, 1, groups)),
                     ("rmsea.pvalue", lambda iv: pclose_n_set(chisq_iv, df, iv, groups))):
        p = measures.get(name)
        if p is None:
            continue
        out.append(NConstraint(block, name, p.where, p.printed, fn(p.interval)))
    return out


def _intersect(sets: list[tuple[float, float] | None]) -> tuple[float, float] | None:
    lo, hi = 1.0, float(N_MAX)
    for s in sets:
        if s is None:
            return None
        lo, hi = max(lo, s[0]), min(hi, s[1])
    return (lo, hi) if lo <= hi else None


def common_n(constraints: list[NConstraint]) -> dict[str, tuple[float, float] | None]:
    """The N every constraint allows, per convention."""
    return {c: _intersect([k.sets[c] for k in constraints]) for c in _CONVENTIONS}


def _show(iv: tuple[float, float] | None) -> str:
    if iv is None:
        return "none"
    if iv[1] >= N_MAX:
        return f">= {int(iv[0])}"
    return fmt_interval(iv, 0)


def _sets_text(sets: dict) -> str:
    return "; ".join(f"{_show(sets[c])} ({c})" for c in _CONVENTIONS)


def _best_n(constraints: list[NConstraint]) -> tuple[str, float, list[NConstraint]]:
    """The convention and N that the most constraints allow, and the constraints left out."""
    best = ("N", math.nan, list(constraints))
    for conv in _CONVENTIONS:
        points = sorted({s[0] for k in constraints if (s := k.sets[conv]) is not None}
                        | {s[1] for k in constraints if (s := k.sets[conv]) is not None})
        for x in points:
            out = [k for k in constraints if not (k.sets[conv] and k.sets[conv][0] <= x <= k.sets[conv][1])]
            if len(out) < len(best[2]):
                best = (conv, x, out)
    return best


def _name(k: NConstraint) -> str:
    return f"{k.block.upper()} {k.measure} {k.printed}"


def sample_n_findings(constraints: list[NConstraint], printed_n, label: str, where: str) -> list[Finding]:
    """Findings of the N implied by a group of constraints sharing one sample.

    One finding per block whose own numbers no N explains (``sample_n_block``, major), and one
    ``sample_n`` finding: with a printed N, whether it lies in the common set; without, the
    common N inferred (consistent) or, when no N fits every block, the N that fits the most and
    the numbers left out (major).
    """
    out: list[Finding] = []
    if not constraints:
        return out
    blocks: dict[str, list[NConstraint]] = {}
    for k in constraints:
        blocks.setdefault(k.block, []).append(k)
    shared = common_n(constraints)
    reported = ", ".join(_name(k) for k in constraints)
    rec = _sets_text(shared)
    if printed_n is not None:
        return out + [_printed_n_finding(constraints, shared, printed_n, label)]
    bad: set[str] = set()
    for b, ks in blocks.items():
        own = common_n(ks)
        if len(ks) > 1 and all(v is None for v in own.values()):
            bad.add(b)
            per = "; ".join(f"{k.measure} {k.printed}: N {_sets_text(k.sets)}" for k in ks)
            out.append(Finding("sample_n_block", ks[0].where, ", ".join(f"{k.measure} {k.printed}" for k in ks),
                               "no N", INCONSISTENT,
                               f"No single N reproduces the {b.upper()} numbers together ({per}).", "major"))
    rest = [k for k in constraints if k.block not in bad]
    shared = common_n(rest)
    if rest and any(v is not None for v in shared.values()):
        rec = _sets_text(shared)
        reported = ", ".join(_name(k) for k in rest)
        skipped = f"; {', '.join(sorted(b.upper() for b in bad))} left out (no N explains its own numbers)" if bad else ""
        out.append(Finding("sample_n", where, "not printed", rec, CONSISTENT,
                           f"N is not printed; {label} implies N {rec} (inferred from {reported}{skipped}).", None))
        return out
    if not rest:
        return out
    conv, x, left = _best_n(rest)
    names = ", ".join(_name(k) for k in left)
    if math.isfinite(x):
        detail = (f"N is not printed and no single N explains {label}: N = {int(x)} ({conv}) fits all but "
                  f"{names}.")
    else:
        detail = f"N is not printed and no N explains {names}."
    out.append(Finding("sample_n", where, "not printed", rec, INCONSISTENT, detail, "major"))
    return out


def _printed_n_finding(constraints: list[NConstraint], shared: dict, printed_n, label: str) -> Finding:
    """A printed N against the N its numbers imply. The numbers that disagree among themselves
    are flagged by their own checks (RMSEA, interval bounds); this finding blames the printed N
    only when the numbers agree on an N that is not the printed one."""
    n = float(printed_n.value)
    rec = _sets_text(shared)
    allowed = [k for k in constraints if any(s is not None and s[0] <= n <= s[1] for s in k.sets.values())]
    left = [k for k in constraints if k not in allowed]
    if not left:
        return Finding("sample_n", printed_n.where, printed_n.printed, rec, CONSISTENT,
                       f"The printed N {printed_n.printed} lies in the N that {label} implies ({rec}).", None)
    if len(constraints) == 1:
        return Finding("sample_n", printed_n.where, printed_n.printed, rec, NOT_CHECKABLE,
                       f"Only one N-dependent number ({_name(constraints[0])}), which needs N {rec}: whether it or "
                       f"the printed N {printed_n.printed} is wrong is left to its own finding.", None)
    if any(v is not None for v in shared.values()):
        return Finding("sample_n", printed_n.where, printed_n.printed, rec, INCONSISTENT,
                       f"{label[0].upper() + label[1:]} agree on N {rec}, not the printed N {printed_n.printed}.",
                       "major")
    names = ", ".join(_name(k) for k in left)
    return Finding("sample_n", printed_n.where, printed_n.printed, rec, CONSISTENT if allowed else INCONSISTENT,
                   f"The printed N {printed_n.printed} reproduces {len(allowed)} of {len(constraints)} N-dependent "
                   f"numbers of {label}; not {names} (see their own findings).", None if allowed else "major")


def not_checkable_n(where: str, printed: str, why: str) -> Finding:
    """A finding of an N-based check that has no N (printed or inferred)."""
    return Finding("sample_n", where, printed, "", NOT_CHECKABLE, why)


def check_rmsea_ci(chisq, df: float, n: float, n_text: str, bound, which: int, groups: int = 1) -> Finding:
    """A printed bound of the 90% RMSEA interval against chi-square, df and N.

    Consistent when the N (either convention) lies in the set :func:`ci_n_set` gives for the
    bound; the recomputed interval is lavaan's at the printed values. Major when inconsistent.
    """
    name = ("rmsea.ci.lower", "rmsea.ci.upper")[which]
    sets = ci_n_set(chisq.interval, df, bound.interval, which, groups)
    ok = any(s is not None and s[0] <= n <= s[1] for s in sets.values())
    ci = fit_indices.rmsea_ci(chisq.value, df, n / groups)
    point = ci[which] * (1.0 if groups == 1 else 1.0)
    d = max(bound.decimals + 1, 3)
    rec = f"{point:.{d}f} (interval {ci[0]:.{d}f} to {ci[1]:.{d}f} at N {n_text})"
    if ok:
        detail = (f"The 90% RMSEA interval of chi-square {chisq.printed} on {int(df)} df at N {n_text} has the "
                  f"{('lower', 'upper')[which]} bound {point:.{d}f}, which agrees with {bound.printed} within rounding.")
    else:
        detail = (f"The 90% RMSEA interval of chi-square {chisq.printed} on {int(df)} df at N {n_text} has the "
                  f"{('lower', 'upper')[which]} bound {point:.{d}f}, not {bound.printed}; the printed bound "
                  f"needs N {_sets_text(sets)}.")
    return Finding(name.replace(".", "_"), bound.where, bound.printed, rec, CONSISTENT if ok else INCONSISTENT,
                   detail, None if ok else "major")


def _block_inputs(block) -> tuple[tuple[float, float] | None, float | None, dict]:
    """Chi-square interval, df and the measures to solve of one block (a printed chi-square/df
    stands for chi-square on 1 df: RMSEA depends on them only through the ratio)."""
    m = block.measures
    chisq, df, ratio = m.get("chisq"), m.get("df"), m.get("chisq_df")
    if chisq is not None and df is not None:
        return chisq.interval, float(df.value), m
    if ratio is not None and "rmsea" in m:
        return ratio.interval, 1.0, {"rmsea": m["rmsea"]}
    return None, None, {}


def record_n_findings(rec) -> list[Finding]:
    """The N each fit block's N-dependent numbers imply, checked against the printed N.

    Blocks with their own ``n`` (printed or assumed) are checked alone; the others share the
    record's analysed N (``sample.n_analysed``, else ``sample.n``), inferred when not printed.
    """
    out: list[Finding] = []
    shared: list[NConstraint] = []
    for b in rec.results.fit:
        chisq_iv, df, measures = _block_inputs(b)
        ks = block_constraints(b.model, measures, chisq_iv, df, block_groups(rec, b) or 1)
        if not ks:
            continue
        own = b.n
        if own is None and b.assumed("n") is not None:
            v = b.assumed("n")
            own = Published(value=v, printed=str(v), where=f"{b.model} block (assumed N)")
        if own is not None:
            out += sample_n_findings(ks, own, f"the {b.model.upper()} fit block", ks[0].where)
        else:
            shared += ks
    printed = rec.sample.n_analysed or rec.sample.n
    label = "the RMSEA, its interval and close-fit p of " + (
        ", ".join(sorted({k.block.upper() for k in shared})) or "no block")
    where = printed.where if printed is not None else "; ".join(dict.fromkeys(k.where for k in shared))
    out += sample_n_findings(shared, printed, label, where)
    return out


def analysed_n(rec) -> tuple[float, float] | None:
    """The analysed N as an interval: printed (``sample.n_analysed``, else ``sample.n``), else
    the N the shared fit blocks imply (both conventions), else ``None``."""
    printed = rec.sample.n_analysed or rec.sample.n
    if printed is not None:
        return (float(printed.value), float(printed.value))
    ks: list[NConstraint] = []
    for b in rec.results.fit:
        if b.n is None and b.assumed("n") is None:
            chisq_iv, df, measures = _block_inputs(b)
            ks += block_constraints(b.model, measures, chisq_iv, df, block_groups(rec, b) or 1)
    sets = [s for s in common_n(ks).values() if s is not None] if ks else []
    if not sets or any(s[1] >= N_MAX for s in sets):
        return None
    return (min(s[0] for s in sets), max(s[1] for s in sets))
