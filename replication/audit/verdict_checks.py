"""Checks of hypothesis verdicts and of admissible standardized solutions.

See :mod:`replication.audit.checks` for the conventions every check follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from replication.record.schema import Published
from replication.audit.rounding import TOL, fmt
from replication.audit.finding import Finding, _finding, _fmt_p, _fmt_p_range, _iv, not_checkable

__all__ = ["Evidence", "check_verdict", "check_verdict_coherence", "check_standardized_bound",
           "check_implied_r2"]


@dataclass(frozen=True)
class Evidence:
    """What the printed numbers say about one hypothesis, for the verdict checks.

    Attributes
    ----------
    id : str
        Hypothesis id.
    supported : bool
        The paper's verdict.
    p_range : (float, float)
        Two-sided p compatible with the printed numbers.
    estimate_range : (float, float) or None
        The printed estimate's rounding interval (for the sign).
    sign : str
        Hypothesised sign, ``+`` or ``-``.
    source : str
        What the p was computed from (``"t = 1.78"``).
    where : str
        Location of the verdict.
    """

    id: str
    supported: bool
    p_range: tuple[float, float]
    estimate_range: tuple[float, float] | None
    sign: str
    source: str
    where: str


def _sign_possible(ev: Evidence, right: bool) -> bool:
    if ev.estimate_range is None:
        return True
    lo, hi = ev.estimate_range
    if ev.sign == "+":
        return hi > 0 if right else lo <= 0
    return lo < 0 if right else hi >= 0


def _fits(ev: Evidence, alpha: float) -> bool:
    """Whether the verdict agrees with 'right sign and p < alpha' for some printed-consistent values."""
    if ev.supported:
        return ev.p_range[0] < alpha and _sign_possible(ev, True)
    return ev.p_range[1] >= alpha or _sign_possible(ev, False)


def check_verdict(ev: Evidence, levels: Sequence[float]) -> Finding:
    """A hypothesis verdict against the paper's own significance rule.

    Parameters
    ----------
    ev : Evidence
        The printed evidence and verdict.
    levels : sequence of float
        The significance levels the paper uses (its legend; 0.05 when it prints none).

    Returns
    -------
    Finding
        ``verdict``: consistent when, at some level the paper uses, "supported" coincides with
        "estimate of the hypothesised sign and p below the level". Major when inconsistent.
    """
    ok_levels = [a for a in levels if _fits(ev, a)]
    ok = bool(ok_levels)
    verdict = "supported" if ev.supported else "not supported"
    lv = ", ".join(f"{a:g}" for a in sorted(levels))
    if ok:
        detail = (f"{ev.id} is {verdict}; {ev.source} gives p = {_fmt_p_range(ev.p_range)}, which agrees "
                  f"at level {', '.join(f'{a:g}' for a in sorted(ok_levels))}.")
    else:
        detail = (f"{ev.id} is {verdict} although {ev.source} gives p = {_fmt_p_range(ev.p_range)}"
                  f"{' and an estimate of the hypothesised sign' if _sign_possible(ev, True) else ''}: "
                  f"no level the paper uses ({lv}) gives this verdict.")
    return _finding("verdict", ev.where, f"{ev.id}: {verdict}", f"p = {_fmt_p_range(ev.p_range)}", ok, detail,
                    "major")


def check_verdict_coherence(evidence: Sequence[Evidence], levels: Sequence[float],
                            where: str = "hypothesis verdicts") -> Finding:
    """The verdicts of all hypotheses against one another: does one level separate them?

    Parameters
    ----------
    evidence : sequence of Evidence
        Every hypothesis with a verdict and a p.
    levels : sequence of float
        The paper's significance levels.
    where : str
        Location (the table of verdicts).

    Returns
    -------
    Finding
        ``verdict_coherence``: consistent when a single level the paper uses reproduces every
        verdict. Otherwise the two hypotheses that conflict most closely are named: a supported
        one whose p is as large as (or close to) that of a rejected one, and the only thresholds
        that would separate them. Major when inconsistent.
    """
    if len(evidence) < 2:
        return not_checkable("verdict_coherence", where, f"{len(evidence)} verdict(s)",
                             "fewer than two verdicts with a printed statistic to compare")
    good = [a for a in sorted(levels) if all(_fits(e, a) for e in evidence)]
    reported = ", ".join(f"{e.id} {'yes' if e.supported else 'no'}" for e in evidence)
    if good:
        return _finding("verdict_coherence", where, reported, f"level {good[-1]:g} reproduces every verdict",
                        True, f"All {len(evidence)} verdicts follow 'p < {good[-1]:g}' with the printed statistics.")
    sup = [e for e in evidence if e.supported and _sign_possible(e, True)]
    rej = [e for e in evidence if not e.supported and _sign_possible(e, True)]
    if sup and rej:
        s = max(sup, key=lambda e: e.p_range[0])
        r = min(rej, key=lambda e: e.p_range[1])
        if s.p_range[0] >= r.p_range[1]:
            gap = (f"{r.id} has the stronger evidence, so no threshold separates them")
        else:
            gap = (f"only a threshold between {_fmt_p(s.p_range[0])} and {_fmt_p(r.p_range[1])} separates them, "
                   f"and the paper uses {', '.join(f'{a:g}' for a in sorted(levels))}")
        detail = (f"{s.id} is supported ({s.source}, p = {_fmt_p_range(s.p_range)}) while {r.id} is not "
                  f"({r.source}, p = {_fmt_p_range(r.p_range)}): {gap}.")
        rec = f"{s.id} p = {_fmt_p_range(s.p_range)} vs {r.id} p = {_fmt_p_range(r.p_range)}"
    else:
        detail = ("No single level the paper uses "
                  f"({', '.join(f'{a:g}' for a in sorted(levels))}) reproduces every verdict.")
        rec = "no common level"
    return _finding("verdict_coherence", where, reported, rec, False, detail, "major")


def check_standardized_bound(estimate: Published, predictors: int, path: str = "",
                             r2_min: float | None = None, outcome: str = "",
                             r2_min_free: float | None = None) -> Finding:
    """A standardized structural coefficient against [-1, 1].

    Parameters
    ----------
    estimate : Published
        The printed standardized coefficient.
    predictors : int
        Number of predictors of the outcome. With one predictor the coefficient is the
        correlation of predictor and outcome and must lie in [-1, 1].
    path : str
        ``"X->Y"``, for the explanation.
    r2_min : float, optional
        With several predictors, the smallest R-squared of the outcome over all admissible
        correlations (:func:`replication.audit.implied_r2.min_r2`): a coefficient above 1 is then
        inadmissible only when that exceeds 1.
    outcome : str
        Outcome construct, for the explanation.
    r2_min_free : float, optional
        The minimum when the disturbance correlations the described model fixes at zero are free
        (see :func:`check_implied_r2`).

    Returns
    -------
    Finding
        ``standardized_bound``. Major when inconsistent, minor when it rests on the described
        model's zero disturbance correlations (``r2_min_free <= 1``).

    Notes
    -----
    With one predictor the standardized coefficient is a correlation. With several,
    ``R2_y = b' R_xx b`` must not exceed 1 (:func:`replication.audit.implied_r2.min_r2` minimises it
    over admissible correlations); a coefficient above 1 alone is not inadmissible.

    References
    ----------
    Deegan, J. (1978). On the occurrence of standardized regression coefficients greater than
    one. *Educational and Psychological Measurement*, 38, 873-888.
    Joreskog, K. G. (1999). *How large can a standardized coefficient be?* Scientific Software
    International, technical note.
    """
    lo, hi = _iv(estimate)
    least = 0.0 if lo <= 0 <= hi else min(abs(lo), abs(hi))
    if predictors <= 1:
        ok = least <= 1 + TOL
        boundary = ok and max(abs(lo), abs(hi)) >= 1 - TOL
        if ok:
            detail = (f"The standardized coefficient of {path} (the only predictor of {outcome}) is a "
                      f"correlation; {estimate.printed} lies within [-1, 1]"
                      + (" only at the boundary (R-squared 1, a zero disturbance variance)." if boundary else "."))
        else:
            detail = (f"The standardized coefficient of {path} is its only predictor's correlation with "
                      f"{outcome}, so it cannot exceed 1; {estimate.printed} implies R-squared "
                      f"{fmt(estimate.value ** 2, 2)} (a negative disturbance variance): inadmissible.")
        return _finding("standardized_bound", estimate.where, estimate.printed, "|beta| <= 1", ok, detail, "major")
    if r2_min is None:
        return not_checkable("standardized_bound", estimate.where, estimate.printed,
                             f"{outcome} has {predictors} predictors; the bound needs every path into it "
                             "printed in the standardized metric")
    ok = r2_min <= 1 + 1e-9
    detail = (f"With {predictors} predictors of {outcome} a standardized coefficient is not a correlation and "
              f"exceeds 1 only with strongly correlated predictors; "
              + (f"some admissible correlations keep R-squared of {outcome} at or below 1 (minimum "
                 f"{fmt(r2_min, 3)})." if ok else
                 f"here no admissible correlation does: R-squared of {outcome} is at least {fmt(r2_min, 3)}."))
    severity = "major"
    if not ok and r2_min_free is not None:
        detail += (f" This rests on the described model's uncorrelated disturbances; with them free the "
                   f"minimum is {fmt(r2_min_free, 3)}.")
        severity = "minor" if r2_min_free <= 1 + 1e-9 else "major"
    return _finding("standardized_bound", estimate.where, estimate.printed,
                    f"min R2({outcome}) = {fmt(r2_min, 3)}", ok, detail, severity)


def check_implied_r2(target: str, paths: dict[tuple[str, str], Published], r2_min: float,
                     r2_assumed: float | None = None, assumed: Sequence[str] = (), where: str = "",
                     argmin: dict[tuple[str, str], float] | None = None,
                     r2_min_free: float | None = None, fixed: Sequence[str] = ()) -> Finding:
    """Admissibility of the R-squared implied by printed standardized paths.

    Parameters
    ----------
    target : str
        Endogenous construct.
    paths : dict
        ``{(x, target): Published}`` printed standardized paths into ``target``.
    r2_min : float
        Smallest implied R-squared over every admissible exogenous correlation and the printed
        rounding (:func:`replication.audit.implied_r2.min_r2`).
    r2_assumed : float, optional
        R-squared with the record's assumed correlations (:func:`replication.audit.implied_r2.implied_r2`).
    assumed : sequence of str
        The assumed correlations used, as ``"A~~B = r"``.
    where : str
        Location of the paths.
    argmin : dict, optional
        Exogenous correlations at the minimum, for the explanation.
    r2_min_free : float, optional
        The same minimum when the disturbance correlations ``fixed`` (zero in the described
        model, as LISREL's default diagonal PSI and AMOS diagrams have them) are free too.
    fixed : sequence of str
        Those disturbance pairs, as ``"A~~B"``.

    Returns
    -------
    Finding
        ``implied_r2``: inconsistent when ``r2_min > 1``: under the described model the printed
        paths need a negative disturbance variance for every admissible correlation. Major when
        freeing the described model's zero disturbance correlations would not help either
        (``r2_min_free > 1`` or nothing to free), minor otherwise; the explanation names the
        disturbance correlations the verdict rests on.

    Notes
    -----
    R-squared of a standardized recursive model: ``R2_y = b' R_x b`` with ``R_x`` the implied
    correlations of the predictors of ``y`` (Bollen 1989, ch. 4; Duncan 1975 path tracing).

    References
    ----------
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, ch. 4.
    Duncan, O. D. (1975). *Introduction to Structural Equation Models*. Academic Press, ch. 4.
    """
    reported = ", ".join(f"{x}->{y} {p.printed}" for (x, y), p in paths.items())
    ok = r2_min <= 1 + 1e-9
    rec = f"min {fmt(r2_min, 3)} over admissible correlations"
    if r2_assumed is not None:
        rec += f"; {fmt(r2_assumed, 3)} with " + (", ".join(assumed) if assumed else "the model's correlations")
    at = ""
    if argmin:
        at = " (reached at " + ", ".join(f"{a}~~{b} = {fmt(v, 2)}" for (a, b), v in argmin.items()) + ")"
    if ok:
        detail = f"The printed standardized paths into {target} can give an R-squared at or below 1 (minimum {fmt(r2_min, 3)}{at})"
        if r2_assumed is not None and r2_assumed > 1 + 1e-9:
            detail += f"; with {', '.join(assumed)} it is {fmt(r2_assumed, 3)}, above 1"
        detail += "."
    else:
        basis = (f" with the disturbances of {', '.join(fixed)} uncorrelated as in the described model"
                 if fixed else "")
        detail = (f"The printed standardized paths into {target} imply R-squared above 1 for every admissible "
                  f"correlation among the exogenous constructs{basis} (minimum {fmt(r2_min, 3)}{at}"
                  + (f"; {fmt(r2_assumed, 3)} with {', '.join(assumed)}" if r2_assumed is not None and assumed else "")
                  + "): a negative disturbance variance, so the printed solution is inadmissible.")
        if r2_min_free is not None:
            rec += f"; min {fmt(r2_min_free, 3)} if those disturbances may correlate"
            detail += (f" Letting those disturbances correlate (a model the paper does not describe) "
                       f"gives a minimum of {fmt(r2_min_free, 3)}"
                       + (", still above 1." if r2_min_free > 1 + 1e-9 else ", admissible."))
    severity = "minor" if (not ok and r2_min_free is not None and r2_min_free <= 1 + 1e-9) else "major"
    return _finding("implied_r2", where, reported, rec, ok, detail, severity)
