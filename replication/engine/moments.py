"""Sample moments of the model's variables: validated data, the covariance matrix (divisor N).

:func:`prepare_data` picks the model's observed columns as floats (refusing absent, non-numeric
or infinite values with one line naming the column and rows), :func:`sample_cov` is the one
divisor-N covariance of the package, :func:`covariance_input` validates a covariance matrix
given instead of data, and :func:`check_pd` refuses a matrix that is not positive definite.

Notes
-----
lavaan (``likelihood = "normal"``, its default) computes ``S`` with divisor N and reports
``T = N F_ML``.

References
----------
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
Statistical Software*, 48(2), 1-36. lavaan ``R/lav_samplestats.R``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from replication.engine.errors import InputError

if TYPE_CHECKING:  # pandas is loaded for DataFrame input only
    import pandas as pd

__all__ = ["describe_rows", "prepare_data", "array_moments", "sample_cov", "covariance_input",
           "check_pd"]


def describe_rows(rows, limit: int = 5) -> str:
    """Human row numbers (1 = first data row, as a spreadsheet shows after the header)."""
    rows = [int(r) for r in rows]
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


def _numeric_column(col: pd.Series, name: str) -> pd.Series:
    import pandas as pd

    if not (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)):
        conv = pd.to_numeric(col, errors="coerce")
        bad = np.flatnonzero((conv.isna() & col.notna()).to_numpy())
        if len(bad):
            raise InputError(f"data: column {name!r}, {describe_rows(bad + 1)}: non-numeric value "
                             f"{str(col.iloc[bad[0]])!r}; expected numbers")
        col = conv
    return col.astype(float)


def prepare_data(spec, data: pd.DataFrame, missing: str) -> pd.DataFrame:
    """The model's observed columns of ``data`` as floats, after missing-value handling.

    Parameters
    ----------
    spec : ModelSpec
        The model (its ``ov``, observed variables).
    data : DataFrame
    missing : {"listwise", "fiml"}
        ``"listwise"`` drops incomplete rows; ``"fiml"`` keeps them.

    Raises
    ------
    InputError
        A column named in the model but absent from the data, not numeric, or infinite.
    """
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        raise InputError("data: expected a pandas DataFrame")
    absent = [v for v in spec.ov if v not in data.columns]
    if absent:
        raise InputError(f"data: column {absent[0]!r} named in the model is not in the data "
                         f"(columns: {', '.join(map(str, data.columns[:12]))}"
                         f"{', ...' if len(data.columns) > 12 else ''})")
    cols = data[spec.ov] if data.columns.is_unique else None
    if cols is not None and all(pd.api.types.is_numeric_dtype(t)
                                and not pd.api.types.is_bool_dtype(t) for t in cols.dtypes):
        X = cols.to_numpy(dtype=float)
        _infinite(X, spec.ov)
        index = data.index
        if missing == "listwise":
            keep = ~np.isnan(X).any(axis=1)
            X, index = X[keep], index[keep]
        return pd.DataFrame(np.asfortranarray(X), index=index, columns=spec.ov, copy=False)
    df = pd.DataFrame({v: _numeric_column(data[v], v) for v in spec.ov})
    for v in spec.ov:
        inf = np.flatnonzero(np.isinf(df[v].to_numpy()))
        if len(inf):
            raise InputError(f"data: column {v!r}, {describe_rows(inf + 1)}: infinite value; "
                             "expected finite numbers")
    if missing == "listwise":
        df = df.dropna()
    return df


def _infinite(X: np.ndarray, names: list[str]) -> None:
    bad = np.isinf(X).any(axis=0)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        inf = np.flatnonzero(np.isinf(X[:, j]))
        raise InputError(f"data: column {names[j]!r}, {describe_rows(inf + 1)}: infinite value; "
                         "expected finite numbers")


def array_moments(X: np.ndarray, names: list[str]) -> tuple[np.ndarray, int]:
    """Covariance matrix (divisor N) and N of the complete rows of a float array.

    Parameters
    ----------
    X : ndarray
        Rows are respondents, columns the variables ``names`` (NaN missing); in Fortran order
        (one column after the other, as :mod:`replication.data.csvfile` reads a file), used
        without a copy when no row is incomplete.
    names : list of str
        Named in the messages.

    Returns
    -------
    tuple
        ``(S, n)``: :func:`sample_cov` of the complete rows (listwise deletion), and their
        number. The same numbers :func:`prepare_data` and :func:`sample_cov` give for the same
        columns in a DataFrame.

    Raises
    ------
    InputError
        An infinite value (column and rows named).
    """
    X = np.asarray(X, dtype=float)
    if not np.all(np.isfinite(X.sum(axis=0))):  # one pass: a NaN or infinity somewhere
        _infinite(X, names)
        X = X[~np.isnan(X).any(axis=1)]
    if X.shape[0] == 0:
        return np.full((X.shape[1], X.shape[1]), np.nan), 0
    return sample_cov(np.asfortranarray(X)), int(X.shape[0])


_BLOCK = 1 << 16  # rows centred at a time by sample_cov


def sample_cov(X: np.ndarray) -> np.ndarray:
    """Covariance matrix of the rows of ``X`` with divisor N (lavaan's ML ``S``).

    ``S = (X - 1 m')' (X - 1 m') / N`` with ``m`` the column means. Up to 65,536 rows the
    centred matrix is formed whole; beyond, it is formed and multiplied in blocks of that many
    rows in one reused buffer (the sum of the blocks' cross-products), so that a large data
    set is not copied.

    References
    ----------
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, ch. 4 (the ML
    fitting function uses the divisor-N moments).
    """
    n = X.shape[0]
    m = X.mean(axis=0)
    if n <= _BLOCK:
        Xc = X - m
        return Xc.T @ Xc / n
    buf = np.empty((_BLOCK, X.shape[1]), order="F")
    cross = np.zeros((X.shape[1], X.shape[1]))
    for start in range(0, n, _BLOCK):
        B = buf[:min(_BLOCK, n - start)]
        np.subtract(X[start:start + _BLOCK], m, out=B)
        cross += B.T @ B
    return cross / n


def check_pd(S: np.ndarray, names: list[str], what: str) -> None:
    """Refuse a covariance matrix that is not positive definite.

    Checked on the correlation scale, so that the verdict does not depend on the units of the
    variables; a variable without variance is named.
    """
    d = np.diag(S)
    if not np.all(np.isfinite(S)):
        raise InputError(f"{what}: covariance matrix of the model variables is not finite; "
                         "expected finite numbers of moderate size")
    var0 = [n for n, v in zip(names, d) if v <= 0]
    if var0:
        raise InputError(f"{what}: column {var0[0]!r} has no variance; expected variables that vary")
    scale = 1.0 / np.sqrt(d)
    R = S * np.outer(scale, scale)
    ev = np.linalg.eigvalsh(R)
    if not np.all(np.isfinite(ev)) or ev.min() <= 1e-10:
        raise InputError(f"{what}: covariance matrix of the model variables is not positive "
                         "definite; expected linearly independent variables")


def covariance_input(spec, cov, n, names: list[str] | None = None) -> tuple[np.ndarray, int]:
    """The model's block of a covariance matrix given instead of data, and its sample size.

    ``cov`` is a DataFrame with the variable names as index and columns, or (with ``names``)
    a square array whose rows and columns are the variables ``names``.

    Raises
    ------
    InputError
        ``n`` not an integer of at least 2, ``cov`` not a named DataFrame, a model variable
        absent, an asymmetric or not positive definite matrix.
    """
    if n is None or int(n) != n or n < 2:
        raise InputError("n: expected the sample size (an integer >= 2) with cov")
    if names is not None and isinstance(cov, np.ndarray):
        absent = [v for v in spec.ov if v not in names]
        if cov.shape != (len(names), len(names)):
            raise InputError(f"cov: a {cov.shape} array for {len(names)} variable names; "
                             "expected a square matrix with a row and column per name")
        idx = [list(names).index(v) for v in spec.ov] if not absent else []
        S = np.asarray(cov, dtype=float)[np.ix_(idx, idx)] if not absent else None
    else:
        import pandas as pd

        if not isinstance(cov, pd.DataFrame):
            raise InputError("cov: expected a DataFrame with variable names as index and "
                             "columns")
        absent = [v for v in spec.ov if v not in cov.columns or v not in cov.index]
        S = None if absent else cov.loc[spec.ov, spec.ov].to_numpy(dtype=float)
    if absent:
        raise InputError(f"cov: variable {absent[0]!r} named in the model is not in the "
                         "covariance matrix")
    if not np.allclose(S, S.T, atol=1e-10 * max(1.0, np.abs(S).max())):
        raise InputError("cov: matrix is not symmetric")
    check_pd(S, spec.ov, "cov")
    return S, int(n)
