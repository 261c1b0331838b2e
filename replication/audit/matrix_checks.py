"""Audit of a printed correlation or covariance matrix (``results.matrix``).

Two checks:

- ``matrix_positive_definite``: the printed matrix is one a sample can have (validation
  refuses a matrix that is not; the finding states the smallest eigenvalue).
- ``matrix_alpha``: a construct's printed Cronbach's alpha against the alpha of its items'
  printed correlations or covariances. With SDs (or a covariance matrix) the raw alpha
  ``k / (k - 1) (1 - sum s_i^2 / sum_ij s_ij)``; from correlations alone the standardized alpha
  ``k r / (1 + (k - 1) r)`` with ``r`` the mean inter-item correlation. Both increase in every
  off-diagonal entry, so moving every entry by half a unit of the matrix's printed precision
  bounds the alpha of the unrounded matrix; the printed alpha is consistent when its rounding
  interval meets those bounds (or, failing that, the other alpha's bounds: papers print either).

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. *Psychometrika*,
16, 297-334. Falk, C. F., & Savalei, V. (2011). The relationship between unstandardized and
standardized alpha, true reliability, and the underlying measurement model. *Journal of
Personality Assessment*, 93, 445-453.
"""

from __future__ import annotations

import numpy as np

from replication.audit.finding import CONSISTENT, Finding, _finding, not_checkable

__all__ = ["matrix_findings", "raw_alpha", "standardized_alpha"]


def raw_alpha(cov: np.ndarray) -> float:
    """Cronbach's alpha of a covariance matrix: ``k / (k - 1) (1 - tr(S) / sum(S))``."""
    k = len(cov)
    return float(k / (k - 1) * (1.0 - np.trace(cov) / cov.sum()))


def standardized_alpha(cor: np.ndarray) -> float:
    """Standardized alpha of a correlation matrix: ``k r / (1 + (k - 1) r)``, ``r`` the mean
    off-diagonal correlation."""
    k = len(cor)
    r = float((cor.sum() - np.trace(cor)) / (k * (k - 1)))
    return k * r / (1.0 + (k - 1) * r)


def _shifted(m: np.ndarray, h: float) -> np.ndarray:
    """``m`` with every off-diagonal entry moved by ``h``."""
    return m + h * (np.ones_like(m) - np.eye(len(m)))


def _bounds(m: np.ndarray, half: float, of) -> tuple[float, float]:
    return of(_shifted(m, -half)), of(_shifted(m, half))


def _alpha_finding(c: str, p, items: list[str], matrix) -> Finding:
    index = [matrix.variables.index(it) for it in items]
    sub = np.ix_(index, index)
    half = 0.5 * 10.0 ** (-matrix.precision)
    raw_ok = matrix.kind == "covariance" or matrix.sd is not None
    cor = matrix.correlation[sub]
    candidates = []
    if raw_ok:
        if matrix.kind == "covariance":
            candidates.append(("raw", raw_alpha(matrix.covariance[sub]),
                               _bounds(matrix.covariance[sub], half, raw_alpha)))
        else:  # D R D: the correlations move by half a unit, the SDs as printed
            d = np.asarray(matrix.sd, float)[index]
            scale = np.outer(d, d)
            candidates.append(("raw", raw_alpha(cor * scale),
                               _bounds(cor, half, lambda r: raw_alpha(r * scale))))
    candidates.append(("standardized", standardized_alpha(cor),
                       _bounds(cor, half if matrix.kind == "correlation" else 0.0, standardized_alpha)))
    lo_p, hi_p = p.interval
    where = f"{p.where}; {matrix.where}"
    for name, value, (lo, hi) in candidates:
        if lo - 1e-12 <= hi_p and lo_p <= hi + 1e-12:
            return _finding("matrix_alpha", where, p.printed, f"{value:.3f} [{lo:.3f}, {hi:.3f}]", True,
                            f"{c}: the printed alpha agrees with the {name} alpha of its {len(items)} "
                            f"items' printed {matrix.kind}s (within their rounding).")
    name, value, (lo, hi) = candidates[0]
    return _finding("matrix_alpha", where, p.printed, f"{value:.3f} [{lo:.3f}, {hi:.3f}]", False,
                    f"{c}: the printed alpha {p.printed} lies outside the {name} alpha of its "
                    f"{len(items)} items' printed {matrix.kind}s, {lo:.3f} to {hi:.3f} over their "
                    "rounding" + ("" if name == "standardized" else
                                  f" (standardized: {candidates[-1][1]:.3f})") + ".")


def matrix_findings(record) -> list[Finding]:
    """Findings of the printed matrix: positive definite, and the printed alphas against it."""
    matrix = getattr(record.results, "matrix", None)
    if matrix is None:
        return []
    smallest = float(np.linalg.eigvalsh(matrix.matrix).min())
    out = [Finding("matrix_positive_definite", matrix.where, f"{len(matrix.variables)} x "
                   f"{len(matrix.variables)} {matrix.kind} matrix", f"smallest eigenvalue {smallest:.4g}",
                   CONSISTENT, "The printed matrix is positive definite: a sample can have it.")]
    for c, items in record.items.items():
        stat = record.results.constructs.get(c)
        if stat is None or stat.alpha is None:
            continue
        if len(items) < 2 or not set(items) <= set(matrix.variables):
            out.append(not_checkable("matrix_alpha", stat.alpha.where, stat.alpha.printed,
                                     f"{c}: its items are not all rows of the printed matrix"))
            continue
        out.append(_alpha_finding(c, stat.alpha, items, matrix))
    return out
