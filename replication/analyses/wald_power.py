"""Power of a hypothesis's Wald test at any N, from the population's expected information.

A path estimate is asymptotically normal with SD ``sigma / sqrt(N)``, where ``sigma`` (the
target's ``unit_sd``) comes from the expected information of one observation at the population
values (:func:`replication.analyses.montecarlo_design.unit_sds`). The paper's test supports a
hypothesis when ``|z| > z_(1 - alpha/2)`` and the estimate has the hypothesised sign, so its power
at N is ``Phi(s sqrt(N) theta / sigma - z_(1 - alpha/2))`` (``s`` +1 for a positive hypothesis,
-1 for a negative one), and the N for a power ``P`` is
``((z_(1 - alpha/2) + z_P) sigma / theta)^2``. Where the asymptotics do not hold (small N,
bootstrap intervals, non-convergence and inadmissible solutions) the Monte Carlo of
:mod:`replication.analyses.montecarlo` answers instead; :func:`smallest_reliable_n` simulates at
the computed N to check that the model converges and is admissible there.

References
----------
Satorra, A., & Saris, W. E. (1985). Power of the likelihood ratio test in covariance structure
analysis. *Psychometrika*, 50, 83-90.
Wald, A. (1943). Tests of statistical hypotheses concerning several parameters when the number
of observations is large. *Transactions of the American Mathematical Society*, 54, 426-482.
"""

from __future__ import annotations

import math

from replication.analyses.montecarlo import N_MAX, Design, Target, run_batch
from replication.engine.distributions import norm_ppf, norm_sf

__all__ = ["RELIABLE_RATE", "FLOOR_REPS", "wald_power", "wald_n", "analytic_power",
           "admissible_share", "reliable", "smallest_reliable_n", "analytic_n_for_power"]

#: Share of replications (most: four in five) that must converge to an admissible solution at a
#: reported N.
RELIABLE_RATE = 0.80
#: Replications of the convergence and admissibility check at a computed N.
FLOOR_REPS = 50
#: Replications run at a time by :func:`reliable` before it checks whether its verdict is settled.
_BATCH = 10


def norm_isf(p: float) -> float:
    """The upper ``p`` quantile of the standard normal."""
    return -float(norm_ppf(p))


def _supported_z(target: Target, n: int) -> float:
    """``s sqrt(N) theta / sigma``: the expected z in the hypothesised direction."""
    s = 1.0 if target.sign == "+" else -1.0
    return s * math.sqrt(n) * target.true_value / target.unit_sd


def wald_power(target: Target, n: int, alpha: float = 0.05) -> float:
    """Power of the two-sided Wald test at level ``alpha`` to support ``target`` (significant
    and in the hypothesised direction) with ``n`` respondents; NaN without a finite SD."""
    if not (math.isfinite(target.unit_sd) and target.unit_sd > 0
            and math.isfinite(target.true_value)):
        return math.nan
    return float(norm_sf(norm_isf(alpha / 2) - _supported_z(target, n)))


def wald_n(target: Target, power: float, alpha: float = 0.05) -> int | None:
    """The smallest N whose Wald power reaches ``power``; ``None`` when the population effect
    is zero or on the other side, or the N exceeds :data:`N_MAX`."""
    if not (math.isfinite(target.unit_sd) and target.unit_sd > 0):
        return None
    per_root_n = _supported_z(target, 1)
    if not per_root_n > 0:
        return None
    n = math.ceil(((norm_isf(alpha / 2) + norm_isf(1 - power)) / per_root_n) ** 2)
    while n > 1 and wald_power(target, n - 1, alpha) >= power:  # guard the rounding
        n -= 1
    return n if n <= N_MAX else None


def analytic_power(design: Design, n_list: list[int], alpha: float = 0.05) -> list[dict]:
    """One row per hypothesis and N: ``hypothesis, kind, effect, sign, n, power, true_value,
    se`` (the asymptotic SD of the estimate at that N), ``method: "analytic"``."""
    rows = []
    for n in sorted(set(int(v) for v in n_list)):
        for t in design.targets:
            p = wald_power(t, n, alpha)
            rows.append({"hypothesis": t.hypothesis, "kind": t.kind, "effect": t.effect,
                         "sign": t.sign, "n": n, "power": p, "true_value": t.true_value,
                         "se": t.unit_sd / math.sqrt(n), "method": "analytic"})
    return rows


def admissible_share(design: Design, n: int, seed: int,
                     reps: int = FLOOR_REPS) -> tuple[bool, float]:
    """Whether at least :data:`RELIABLE_RATE` of ``reps`` replications at ``n`` converge to an
    admissible solution in every analysis, and the share of those run that did.

    The replications run in batches and stop as soon as the verdict is settled (enough
    admissible ones, or too many failures for the rest to make up): each replication has its
    own seed (``seed``, ``n`` and its index), so the verdict equals that of all ``reps``.
    """
    needed = math.ceil(RELIABLE_RATE * reps)
    ok = done = 0
    while ok < needed and (done - ok) <= reps - needed:
        batch = range(done, min(done + _BATCH, reps))
        recs = run_batch(design, n, batch, seed, 0.05)
        ok += sum(all(c and a for c, a in zip(r["converged"], r["admissible"])) for r in recs)
        done = batch.stop
    return ok >= needed, ok / max(done, 1)


def reliable(design: Design, n: int, seed: int, reps: int = FLOOR_REPS) -> bool:
    """Whether the model converges to an admissible solution in at least
    :data:`RELIABLE_RATE` of ``reps`` simulated samples of ``n`` (:func:`admissible_share`)."""
    return admissible_share(design, n, seed, reps)[0]


def smallest_reliable_n(design: Design, seed: int, reps: int = FLOOR_REPS,
                        precision: float = 1.25, start: int | None = None) -> int | None:
    """The smallest N (within a factor ``precision``, erring upwards) at which the model
    converges to an admissible solution in at least :data:`RELIABLE_RATE` of ``reps`` simulated
    samples; ``None`` when no N up to :data:`N_MAX` reaches it.

    Tried first at ``start`` (default, and at least, one more respondent than free
    parameters), then at larger N: a factor ``precision`` larger when at least half the
    samples were admissible (once; a near miss there doubles), twice as large otherwise, and
    bisected back to within ``precision`` after a doubling (the rate grows with N). The rate is estimated from
    ``reps`` samples (its standard error near 80% is about 0.06 with 50), so a finer N would be
    spurious precision.
    """
    if not precision > 1:
        raise ValueError(f"precision: expected a factor above 1, got {precision!r}")
    lo = min(max(int(start or 0), design.n_free + 1), N_MAX)
    ok, share = admissible_share(design, lo, seed, reps)
    if ok:
        return lo
    if lo == N_MAX:
        return None
    near = share >= 0.5
    while True:
        hi = min(math.ceil(lo * (precision if near else 2.0)), N_MAX)
        ok, share = admissible_share(design, hi, seed, reps)
        if ok:
            break
        if hi == N_MAX:
            return None
        lo, near = hi, share >= 0.5 and not near
    while hi > math.ceil(precision * lo):
        mid = (lo + hi) // 2
        if reliable(design, mid, seed, reps):
            hi = mid
        else:
            lo = mid
    return hi


def analytic_n_for_power(design: Design, targets: tuple[float, ...], alpha: float = 0.05,
                         seed: int = 2024) -> dict[str, dict[float, dict]]:
    """``{hypothesis: {power: {"n", "method"}}}``: the Wald N for each target power
    (:func:`wald_n`), raised to the smallest N with admissible solutions where it lies below
    it; ``n`` is ``None`` with the reason in ``method``.

    The search for that N (:func:`smallest_reliable_n`) starts at the smallest of the Wald N
    (at least one more respondent than free parameters): when the model converges to
    admissible solutions there, every N is reported as computed (or raised to that N).
    """
    wald = {t.hypothesis: {p: wald_n(t, p, alpha) for p in targets} for t in design.targets}
    found = [n for by_power in wald.values() for n in by_power.values() if n is not None]
    floor = smallest_reliable_n(design, seed, start=min(found)) if found else 0
    return {h: {p: _entry(n, floor) for p, n in by_power.items()} for h, by_power in wald.items()}


def _entry(n: int | None, floor: int | None) -> dict:
    """One N for power with how it was found."""
    if n is None:
        return {"n": None, "method": "none: the population effect is zero or on the other "
                f"side, or needs more than {N_MAX:,} respondents"}
    if floor is None:
        return {"n": None, "method": f"none: no N up to {N_MAX:,} gives admissible solutions "
                f"in {RELIABLE_RATE:.0%} of simulated samples"}
    method = "analytic (Wald test, expected information)"
    if floor > n:
        return {"n": floor, "method": f"{method} gives {n}; raised to {floor}, the smallest N "
                f"at which {RELIABLE_RATE:.0%} of {FLOOR_REPS} simulated samples converge to "
                "an admissible solution"}
    return {"n": n, "method": method}
