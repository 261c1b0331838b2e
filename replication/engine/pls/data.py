"""The indicator matrix of a PLS model from a data frame: columns checked, missing values
handled listwise or by mean replacement (seminr's ``mean_replacement``)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from replication.engine.errors import InputError
from replication.engine.pls.model import PLSModel

__all__ = ["indicator_matrix", "MISSING"]

MISSING = ("listwise", "mean")


def indicator_matrix(data: pd.DataFrame, model: PLSModel, missing: str = "listwise") -> tuple:
    """The complete ``(n, p)`` float matrix of ``model.indicators`` and its warnings.

    Parameters
    ----------
    data : DataFrame
        One column per indicator (other columns are ignored).
    model : PLSModel
    missing : {"listwise", "mean"}
        ``listwise`` drops every row with a missing indicator; ``mean`` replaces each missing
        cell by its column's mean of the observed values (seminr's default).

    Returns
    -------
    (X, warnings) : ndarray (n, p) and list of str
        The warnings count the rows dropped or the cells replaced.

    Raises
    ------
    InputError
        A missing or non-numeric column, an unknown ``missing``, fewer complete rows than
        indicators plus two.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A Primer on Partial
    Least Squares Structural Equation Modeling (PLS-SEM)* (3rd ed.). Sage, ch. 2 (missing
    data treatment: casewise deletion, mean value replacement).
    """
    if missing not in MISSING:
        raise InputError(f"missing must be one of {', '.join(MISSING)}, not '{missing}'")
    if not isinstance(data, pd.DataFrame):
        data = pd.DataFrame(data)
    absent = [x for x in model.indicators if x not in data.columns]
    if absent:
        raise InputError(f"data: no column '{absent[0]}' (an indicator of the model)")
    frame = data.loc[:, list(model.indicators)]
    for col in frame.columns:
        if not (pd.api.types.is_numeric_dtype(frame[col])
                or pd.api.types.is_bool_dtype(frame[col])):
            raise InputError(f"data: column '{col}' is not numeric")
    X = frame.to_numpy(dtype=float)
    bad = ~np.isfinite(X)
    warnings = []
    if bad.any():
        if missing == "listwise":
            rows = bad.any(axis=1)
            X = X[~rows]
            warnings.append(f"listwise deletion: {int(rows.sum())} of {len(rows)} rows with "
                            "missing values dropped")
        else:
            means = np.nanmean(np.where(bad, np.nan, X), axis=0)
            X = np.where(bad, means, X)
            warnings.append(f"mean replacement: {int(bad.sum())} missing cells in "
                            f"{int(bad.any(axis=1).sum())} rows replaced by column means")
    if X.shape[0] < X.shape[1] + 2:
        raise InputError(f"data: {X.shape[0]} complete rows for {X.shape[1]} indicators")
    return X, warnings
