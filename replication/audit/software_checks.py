"""The N convention of the paper's software against its N-dependent numbers.

Programs differ in the N of their N-dependent fit statistics: AMOS, LISREL and EQS take the
minimum of the fit function times ``N - 1`` (and RMSEA, its interval and the close-fit p with
``N - 1``), lavaan and Mplus (ML) ``N``. A record that names ``sample.software`` is checked under
that program's convention: every RMSEA, interval bound and close-fit p
(:func:`replication.audit.sample_size.block_constraints`) must be reproduced at the printed N
(or at one common N, when N is not printed) with it; when it is not and the other convention
reproduces them, the finding names the convention that explains the printed numbers.

References
----------
Arbuckle, J. L. (2011). *IBM SPSS Amos 20 User's Guide* (``F0`` and RMSEA with ``N - 1``).
Joreskog, K. G., & Sorbom, D. (1996). *LISREL 8: User's Reference Guide* (``N - 1``).
Bentler, P. M. (2006). *EQS 6 Structural Equations Program Manual* (``T = (N - 1) F``).
Muthen, L. K., & Muthen, B. O. (2017). *Mplus User's Guide* and lavaan ``R/lav_fit_rmsea.R``
(divisor ``N``; ``sqrt(G)`` for several groups).
"""

from __future__ import annotations

from replication.audit.finding import CONSISTENT, INCONSISTENT, NOT_CHECKABLE, Finding
from replication.audit.model_df import block_groups
from replication.audit.sample_size import _block_inputs, block_constraints, common_n

__all__ = ["CONVENTIONS", "software_convention", "explained_by", "software_convention_findings"]

#: The divisor of each program's N-dependent statistics (lowercase name fragments).
CONVENTIONS = {"amos": "N-1", "lisrel": "N-1", "eqs": "N-1", "lavaan": "N", "mplus": "N"}
_PROGRAMS = {"N-1": "AMOS, LISREL and EQS", "N": "lavaan and Mplus"}


def software_convention(name: str | None) -> str | None:
    """``"N"`` or ``"N-1"`` for a program's name (``None`` when not one of :data:`CONVENTIONS`)."""
    if not name:
        return None
    low = name.lower()
    return next((conv for key, conv in CONVENTIONS.items() if key in low), None)


def explained_by(constraints, n: float | None) -> dict[str, bool]:
    """For each convention, whether it reproduces every constraint at ``n`` (at one common N
    when ``n`` is ``None``)."""
    out = {}
    for conv in ("N", "N-1"):
        if n is None:
            out[conv] = common_n(constraints)[conv] is not None
        else:
            out[conv] = all(k.sets[conv] is not None and k.sets[conv][0] <= n <= k.sets[conv][1]
                            for k in constraints)
    return out


def software_convention_findings(rec) -> list[Finding]:
    """``software_convention``: whether the named program's N convention reproduces the printed
    N-dependent numbers; minor when only the other convention does (the conclusions stand, the
    numbers come from another program or setting than the one named)."""
    sw = rec.sample.software
    conv = software_convention(sw.value if sw is not None else None)
    if conv is None:
        return []
    printed = rec.sample.n_analysed or rec.sample.n
    constraints = []
    for b in rec.results.fit:
        if b.n is not None or b.assumed("n") is not None:
            continue
        chisq_iv, df, measures = _block_inputs(b)
        constraints += block_constraints(b.model, measures, chisq_iv, df, block_groups(rec, b) or 1)
    if not constraints:
        return []
    n = float(printed.value) if printed is not None else None
    ok = explained_by(constraints, n)
    other = "N" if conv == "N-1" else "N-1"
    names = ", ".join(f"{k.block.upper()} {k.measure} {k.printed}" for k in constraints)
    at = f"at N {printed.printed}" if printed is not None else "at one common N"
    where = sw.where
    reported = f"{sw.value} ({conv})"
    if ok[conv]:
        both = " (so does the other convention: the rounding cannot tell them apart)" if ok[other] else ""
        return [Finding("software_convention", where, reported, conv, CONSISTENT,
                        f"{sw.value} divides by {conv}; that convention reproduces {names} {at}{both}.", None)]
    if ok[other]:
        return [Finding("software_convention", where, reported, other, INCONSISTENT,
                        f"{sw.value} divides by {conv}, which does not reproduce {names} {at}; the divisor {other} of "
                        f"{_PROGRAMS[other]} does, so the printed numbers follow {other}.", "minor")]
    return [Finding("software_convention", where, reported, "neither", NOT_CHECKABLE,
                    f"Neither N nor N - 1 reproduces {names} {at}; see the rmsea and sample_n findings.")]
