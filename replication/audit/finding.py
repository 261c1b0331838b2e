"""Findings of the audit and the normal p-values they share.

See :mod:`replication.audit.checks` for the conventions every check follows.
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy.special import ndtr

from replication.record.schema import Published

__all__ = ["CONSISTENT", "INCONSISTENT", "NOT_CHECKABLE", "Finding", "not_checkable", "two_sided_p",
           "p_range_from_statistic"]


CONSISTENT = "consistent"
INCONSISTENT = "inconsistent"
NOT_CHECKABLE = "not_checkable"


@dataclass(frozen=True)
class Finding:
    """One audited number.

    Attributes
    ----------
    check : str
        Name of the check (``ave``, ``rmsea``, ``statistic`` ...).
    where : str
        Where the number stands in the paper (table, row, column or section).
    reported : str
        The number as printed (or the printed inputs, for a check of several numbers).
    recomputed : str
        The number recomputed from the other printed numbers, or its feasible interval.
    status : str
        ``consistent``, ``inconsistent`` or ``not_checkable``.
    detail : str
        One or two sentences a reviewer can read.
    severity : str or None
        ``major`` or ``minor`` for an inconsistent finding, else ``None``.
    """

    check: str
    where: str
    reported: str
    recomputed: str
    status: str
    detail: str
    severity: str | None = None


def _finding(check, where, reported, recomputed, ok, detail, severity="minor") -> Finding:
    return Finding(check, where, reported, recomputed, CONSISTENT if ok else INCONSISTENT, detail,
                   None if ok else severity)


def not_checkable(check: str, where: str, reported: str, missing: str) -> Finding:
    """A finding for a check that lacks an input; ``missing`` says what is not printed."""
    return Finding(check, where, reported, "", NOT_CHECKABLE, missing)


def _iv(p: Published) -> tuple[float, float]:
    return p.interval


def _show(p: Published) -> str:
    return p.printed + (p.marker or "")


def _dp(p: Published, extra: int = 1) -> int:
    return max(p.decimals + extra, 2)


# --------------------------------------------------------------------------------------------
# Normal p-values
# --------------------------------------------------------------------------------------------
def two_sided_p(z: float) -> float:
    """Two-sided normal p-value of a z, t or C.R. statistic, ``2 (1 - Phi(|z|))``.

    References
    ----------
    Arbuckle, J. L. (2011). *IBM SPSS Amos 20 User's Guide* (C.R. and P columns); lavaan
    ``parameterEstimates`` (``pvalue = 2 * pnorm(-abs(z))``).
    """
    return float(2.0 * ndtr(-abs(z)))


def p_range_from_statistic(iv: tuple[float, float]) -> tuple[float, float]:
    """Two-sided p-values of every statistic in the interval ``iv``.

    Parameters
    ----------
    iv : (float, float)
        Interval of a z, t or C.R. statistic (its printed rounding).

    Returns
    -------
    (float, float)
        ``(p(max |z|), p(min |z|))`` with ``p(z) = 2 (1 - Phi(|z|))`` (:func:`two_sided_p`),
        which decreases in ``|z|``; ``min |z| = 0`` when the interval contains 0.

    References
    ----------
    Arbuckle, J. L. (2011). *IBM SPSS Amos 20 User's Guide* (C.R. = estimate / S.E., P
    two-sided normal); lavaan ``parameterEstimates`` (``z = est / se``,
    ``pvalue = 2 * pnorm(-abs(z))``).
    Nuijten, M. B., Hartgerink, C. H. J., van Assen, M. A. L. M., Epskamp, S., & Wicherts,
    J. M. (2016). The prevalence of statistical reporting errors in psychology (1985-2013).
    *Behavior Research Methods*, 48, 1205-1226 (p-values recomputed from printed statistics,
    allowing for their rounding).
    """
    lo, hi = iv
    if lo <= 0 <= hi:
        amin = 0.0
    else:
        amin = min(abs(lo), abs(hi))
    amax = max(abs(lo), abs(hi))
    return (two_sided_p(amax), two_sided_p(amin))


def _fmt_p(p: float) -> str:
    if p < 0.0001:
        return f"{p:.1e}"
    return f"{p:.4f}"


def _fmt_p_range(iv: tuple[float, float]) -> str:
    a, b = _fmt_p(iv[0]), _fmt_p(iv[1])
    return a if a == b else f"[{a}, {b}]"
