"""Checks of printed measurement-model numbers: AVE, CR, loading bounds.

See :mod:`replication.audit.checks` for the conventions every check follows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from replication.analyses.measurement import average_variance_extracted, composite_reliability
from replication.record.schema import Published
from replication.audit.rounding import TOL, fmt, fmt_interval, image, overlaps
from replication.audit.finding import Finding, _dp, _finding, _iv, not_checkable

__all__ = ["check_ave", "check_cr", "check_loading_bounds"]


def _loading_box(loadings: Sequence[Published]) -> tuple[np.ndarray, np.ndarray, bool]:
    lows = np.array([_iv(p)[0] for p in loadings])
    highs = np.array([_iv(p)[1] for p in loadings])
    mono = bool(np.all(lows >= 0) and np.all(highs <= 1)) or bool(np.all(highs <= 0) and np.all(lows >= -1))
    return lows, highs, mono


def _reliability(check: str, name: str, fn, loadings: Sequence[Published], printed: Published,
                 items: Sequence[str] | None, construct: str | None) -> Finding:
    if not loadings:
        return not_checkable(check, printed.where, printed.printed,
                             f"no standardized loadings printed for {construct or 'the construct'}")
    lows, highs, mono = _loading_box(loadings)
    point = fn([p.value for p in loadings])
    iv = image(lambda x: fn(x), lows, highs, monotone=mono)
    ok = overlaps(iv, _iv(printed))
    d = _dp(printed)
    who = f"{name} of {construct}" if construct else name
    src = ", ".join(f"{i} {p.printed}" for i, p in zip(items, loadings)) if items else \
        ", ".join(p.printed for p in loadings)
    if ok:
        detail = (f"{who} from the printed loadings ({src}) is {fmt(point, d)}; "
                  f"{printed.printed} is within rounding.")
    else:
        detail = (f"{who} from the printed loadings ({src}) is {fmt(point, d)}, and no loadings "
                  f"within their printed rounding give {printed.printed} (they give "
                  f"{fmt_interval(iv, d)}).")
    return _finding(check, printed.where, printed.printed,
                    f"{fmt(point, d)} (feasible {fmt_interval(iv, d)})", ok, detail, "minor")


def check_ave(loadings: Sequence[Published], printed: Published, items: Sequence[str] | None = None,
              construct: str | None = None) -> Finding:
    """Printed AVE against the AVE of the printed standardized loadings.

    Parameters
    ----------
    loadings : sequence of Published
        Standardized loadings of the construct's items, as printed.
    printed : Published
        The printed AVE.
    items, construct : optional
        Names used in the explanation.

    Returns
    -------
    Finding
        ``ave``: consistent when some loadings within their rounding give an AVE that rounds to
        the printed one. The AVE is :func:`replication.analyses.measurement.average_variance_extracted`
        (Fornell & Larcker, 1981), monotone in each loading on [0, 1], so the feasible interval
        is exact at the corners of the rounding box.

    Notes
    -----
    ``AVE = sum(lambda_i^2) / (sum(lambda_i^2) + sum(1 - lambda_i^2)) = mean(lambda_i^2)`` for
    standardized loadings ``lambda_i``.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. *Journal of Marketing Research*, 18, 39-50.
    """
    return _reliability("ave", "AVE", average_variance_extracted, loadings, printed, items, construct)


def check_cr(loadings: Sequence[Published], printed: Published, items: Sequence[str] | None = None,
             construct: str | None = None) -> Finding:
    """Printed composite reliability against the CR of the printed standardized loadings.

    Parameters
    ----------
    loadings : sequence of Published
        Standardized loadings of the construct's items, as printed.
    printed : Published
        The printed CR.
    items, construct : optional
        Names used in the explanation.

    Returns
    -------
    Finding
        ``cr``: :func:`replication.analyses.measurement.composite_reliability` (Joreskog, 1971) over the
        rounding box of the loadings (monotone in each loading on [0, 1]).

    Notes
    -----
    ``CR = (sum lambda_i)^2 / ((sum lambda_i)^2 + sum(1 - lambda_i^2))`` for standardized
    loadings ``lambda_i``.

    References
    ----------
    Joreskog, K. G. (1971). Statistical analysis of sets of congeneric tests. *Psychometrika*,
    36, 109-133.
    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. *Journal of Marketing Research*, 18, 39-50.
    """
    return _reliability("cr", "CR", composite_reliability, loadings, printed, items, construct)


def check_loading_bounds(loadings: dict[str, Published], where: str = "standardized loadings") -> list[Finding]:
    """Printed standardized loadings lie within [-1, 1].

    Parameters
    ----------
    loadings : dict
        ``{item: Published}`` standardized loadings.
    where : str
        Location used for the summary finding when all loadings pass.

    Returns
    -------
    list of Finding
        One ``loading_bound`` finding per loading outside [-1, 1] beyond rounding (major: a
        standardized loading is the correlation of an item with its construct and cannot exceed
        1 in absolute value, Joreskog, 1999), or one consistent finding for all of them.

    Notes
    -----
    For an item loading on one construct the standardized loading is ``lambda sd(f) / sd(x)``,
    the correlation of item and construct, and its residual variance ``1 - lambda^2`` is
    negative when ``|lambda| > 1``.

    References
    ----------
    Joreskog, K. G. (1999). *How large can a standardized coefficient be?* Scientific Software
    International, technical note.
    Dillon, W. R., Kumar, A., & Mulani, N. (1987). Offending estimates in covariance structure
    analysis. *Psychological Bulletin*, 101, 126-135.
    """
    if not loadings:
        return []
    out = []
    for item, p in loadings.items():
        lo, hi = _iv(p)
        if min(abs(lo), abs(hi)) > 1 + TOL and lo * hi > 0:
            out.append(_finding(
                "loading_bound", p.where, p.printed, "|loading| <= 1", False,
                f"The standardized loading of {item} ({p.printed}) exceeds 1 in absolute value: "
                f"a negative residual variance (Heywood case), inadmissible.", "major"))
    if not out:
        vals = [p.value for p in loadings.values()]
        out.append(_finding(
            "loading_bound", where, f"{len(vals)} loadings in [{min(vals):g}, {max(vals):g}]",
            "all within [-1, 1]", True,
            f"All {len(vals)} printed standardized loadings lie within [-1, 1]."))
    return out
