"""What makes a covariance matrix singular, named: empty, constant, identical or collinear
columns and too few rows.

:func:`check_structure` runs on the numbers :mod:`replication.data.csvfile` read (an array or a
DataFrame) before any fit, so that a problem a user can fix is one
:class:`~replication.engine.errors.InputError` line naming the columns, instead of a matrix that
is "not positive definite".

References
----------
Golub, G. H., & Van Loan, C. F. (2013). *Matrix Computations* (4th ed.). Johns Hopkins, sec.
8.1 (the symmetric eigenproblem; the smallest eigenvalue of a correlation matrix and its
eigenvector name a near-linear dependence).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from replication.engine.errors import InputError

__all__ = ["check_structure"]


def check_structure(data, path: str | os.PathLike, *, listwise: bool = True,
                    min_rows: int | None = None, columns: Sequence[str] | None = None,
                    covariance: Callable[[np.ndarray], np.ndarray] | None = None) -> int:
    """Refuse columns whose covariance matrix cannot be positive definite, naming them.

    Parameters
    ----------
    data : DataFrame or ndarray
        Numeric columns (NaN missing), before missing-value handling; an array has its columns
        named by ``columns``.
    path : path
        Named in the messages.
    listwise : bool
        Check the complete rows (listwise deletion); with ``False`` (full-information ML) the
        rows with at least one value.
    min_rows : int, optional
        Fewest usable rows; default the number of columns plus one.
    columns : sequence of str, optional
        Names of the columns of an array.
    covariance : callable, optional
        Computes the covariance matrix of the complete rows (given as an array) for the
        listwise checks; default a blockwise divisor-N covariance. ``replicate fit`` passes
        the engine's, so that the matrix is computed once.

    Returns
    -------
    int
        The usable rows (complete rows with ``listwise``).

    Raises
    ------
    InputError
        In this order: an empty column; fewer usable rows than ``min_rows``; a constant column;
        two identical columns; a set of collinear columns (the smallest eigenvalue of their
        correlation matrix below 1e-10 times the largest; the columns with weight in its
        eigenvector are named).

    Notes
    -----
    With ``listwise`` the covariance matrix, needed for the collinearity check, also points
    at the candidates for a constant column (a variance of at most 1e-20 times the squared
    mean) and for identical columns (``var(x_i - x_j)`` at most 1e-12 of ``var x_i + var
    x_j`` and equal means); each candidate is then confirmed on the data exactly, so the
    data are not scanned column by column.
    """
    p = Path(path)
    if columns is None:
        cols = list(data.columns)
        X = data.to_numpy(dtype=float, copy=False)
    else:
        cols, X = list(columns), np.asarray(data, dtype=float)
    n_ok = _usable_rows(X, cols, p, listwise, min_rows)
    if not listwise:
        lo, hi = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
        _constant([c for c, a, b in zip(cols, lo, hi) if a == b], p)
        _identical(X, cols, p)
        return n_ok
    if n_ok < len(X):
        X = X[~np.isnan(X).any(axis=1)]
    S = (covariance or _covariance)(X)
    var = np.diag(S)
    mean = X.mean(axis=0)
    cand = np.flatnonzero(var <= 1e-20 * mean ** 2)
    _constant([cols[j] for j in cand if X[:, j].min() == X[:, j].max()], p)
    _identical_from_cov(X, S, mean, cols, p)
    _collinear(S, cols, p)
    return n_ok


def _usable_rows(X: np.ndarray, cols: list[str], p: Path, listwise: bool,
                 min_rows: int | None) -> int:
    """Refuse an empty column and too few usable rows; the number of usable rows."""
    if len(X) and np.all(np.isfinite(X.sum(axis=0))):  # no cell missing (one pass)
        n_ok = len(X)
    else:
        observed = ~np.isnan(X)
        empty = [c for c, k in zip(cols, observed.sum(axis=0)) if k == 0]
        if empty:
            raise InputError(f"{p}: empty column{'s' if len(empty) > 1 else ''} "
                             f"{', '.join(empty)}: no answers at all; expected responses in "
                             "every item column")
        rows = observed.all(axis=1) if listwise else observed.any(axis=1)
        n_ok = int(rows.sum())
    need = min_rows if min_rows is not None else len(cols) + 1
    if n_ok < need:
        what = "complete rows" if listwise else "rows with answers"
        what = what[:-1] if n_ok == 1 else what
        raise InputError(f"{p}: {n_ok} {what}; expected at least {need} (more respondents than "
                         f"the {len(cols)} items)")
    return n_ok


def _constant(constant: list[str], p: Path) -> None:
    if constant:
        raise InputError(f"{p}: constant column{'s' if len(constant) > 1 else ''} "
                         f"{', '.join(constant)}: every respondent gave the same answer; "
                         "expected items that vary")


def _identical_from_cov(X: np.ndarray, S: np.ndarray, mean: np.ndarray, cols: list[str],
                        p: Path) -> None:
    """The first column (in order) identical to an earlier one, found among the pairs whose
    difference has no variance and no mean, and confirmed exactly."""
    var = np.diag(S)
    for j in range(1, len(cols)):
        for i in range(j):
            spread = var[i] + var[j] - 2.0 * S[i, j]
            if spread <= 1e-12 * (var[i] + var[j]) and \
                    abs(mean[i] - mean[j]) <= 1e-12 * (abs(mean[i]) + abs(mean[j])) and \
                    np.array_equal(X[:, i], X[:, j]):
                raise InputError(f"{p}: columns {cols[i]} and {cols[j]} are identical; expected "
                                 "items that differ (check the export for a duplicated column)")


def _identical(X: np.ndarray, cols: list[str], p: Path) -> None:
    """Identical columns among all rows (missing cells included), by a hash of each column."""
    seen: dict[bytes, str] = {}
    for j, c in enumerate(cols):
        key = hashlib.blake2b(np.ascontiguousarray(X[:, j]).data, digest_size=16).digest()
        if key in seen and np.array_equal(X[:, cols.index(seen[key])], X[:, j], equal_nan=True):
            raise InputError(f"{p}: columns {seen[key]} and {c} are identical; expected items that "
                             "differ (check the export for a duplicated column)")
        seen[key] = c


def _covariance(X: np.ndarray, block: int = 1 << 16) -> np.ndarray:
    """Covariance (divisor n) of complete rows, accumulated in blocks around a provisional mean
    (no copy of the data; accurate also when the means are large against the spread)."""
    n, k = X.shape
    shift = X[: min(n, 1024)].mean(axis=0)
    total, cross = np.zeros(k), np.zeros((k, k))
    for start in range(0, n, block):
        B = X[start:start + block] - shift
        total += B.sum(axis=0)
        cross += B.T @ B
    mean = total / n
    return cross / n - np.outer(mean, mean)


def _collinear(cov: np.ndarray, cols: list[str], p: Path) -> None:
    d = np.sqrt(np.diag(cov))
    R = cov / np.outer(d, d)
    w, v = np.linalg.eigh(R)
    if w[0] > 1e-10 * w[-1]:
        return
    weight = np.abs(v[:, 0])
    names = [c for c, a in zip(cols, weight) if a > 1e-6]
    raise InputError(f"{p}: columns {', '.join(names)} are collinear (one is an exact linear "
                     "combination of the others, such as a sum score); expected items only")
