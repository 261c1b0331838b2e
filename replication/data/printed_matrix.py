"""Responses whose moments are exactly a printed correlation or covariance matrix.

A record with an item-level ``results.matrix`` is replicated from that matrix rather than
reconstructed from its estimates: rows with the printed means and, with divisor N, the
covariance ``(N - 1) / N * S`` (``S`` the printed covariance, or ``D R D`` from printed
correlations and SDs as lavaan's ``cor2cov``), drawn by Kaiser and Dickman's exact-moments
method (:func:`replication.data.reconstruct.exact_moments`). Every ML fit of these rows equals
lavaan's fit with ``sample.cov = S, sample.nobs = N`` (lavaan rescales ``S`` by ``(N - 1) / N``
too). Estimators that need the raw data (MLM, MLR, DWLS, WLSMV, full-information ML, ordered
items) are refused in one line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from replication.data.reconstruct import exact_moments
from replication.engine.errors import InputError

__all__ = ["SOURCE", "applies", "matrix_responses"]

#: provenance ``source`` of responses made from a printed matrix
SOURCE = "printed matrix"


def applies(record) -> bool:
    """The record prints a matrix of every item of its model (an item-level matrix)."""
    m = getattr(record.results, "matrix", None)
    return m is not None and set(record.item_list) <= set(m.variables)


def _refuse_raw_only(record, missing: str) -> None:
    """One line for the results a printed matrix cannot reproduce (they need raw data)."""
    model = record.model
    estimator = getattr(model, "estimator", None) or "ML"
    if estimator != "ML":
        raise InputError(f"{record.id}: model.estimator {estimator}: not reproducible from a matrix "
                         "(results.matrix); the estimator needs raw data: give --data, or ML")
    if getattr(model, "ordered", None):
        raise InputError(f"{record.id}: model.ordered: not reproducible from a matrix (results.matrix); "
                         "ordered items need raw data: give --data")
    if missing == "fiml":
        raise InputError(f"{record.id}: sample.missing fiml: not reproducible from a matrix "
                         "(results.matrix); full-information ML needs raw data: give --data")
    if getattr(model, "group", None):
        raise InputError(f"{record.id}: model.group: not reproducible from one matrix (results.matrix); "
                         "several groups need raw data: give --data")


def matrix_responses(record, seed: int, n: int | None = None,
                     missing: str = "listwise") -> tuple[pd.DataFrame, dict, list[str]]:
    """Rows with exactly the printed matrix's moments, for the items of the record.

    Parameters
    ----------
    record : Record
        With an item-level ``results.matrix``.
    seed : int
        Seed of the normal draws the exact moments are imposed on (the moments do not depend on it).
    n : int, optional
        Rows (default: the record's analysed N, the ``sample.nobs`` of lavaan).
    missing : str
        ``listwise`` (``fiml`` is refused).

    Returns
    -------
    tuple
        ``(data, provenance, notes)``; provenance ``source`` is ``"printed matrix"``.

    Raises
    ------
    InputError
        An estimator, ordered items, full-information ML or groups that need raw data, or
        ``n`` not above the number of items.
    """
    _refuse_raw_only(record, missing)
    m = record.results.matrix
    values = record.values()
    printed_n = values.get("sample.n_analysed") or values.get("sample.n")
    if n is None:
        if printed_n is None:
            raise InputError(f"{record.id}: sample.n: not printed; a printed matrix needs the N it "
                             "was computed from")
        n = int(printed_n.value)
    items = list(record.item_list)
    index = [m.variables.index(it) for it in items]
    cov = m.covariance[np.ix_(index, index)]
    means = np.asarray(m.mean, float)[index] if m.mean is not None else np.zeros(len(items))
    rng = np.random.default_rng(seed)
    X = exact_moments(rng.standard_normal((n, len(items))), cov * (n - 1) / n, means)
    data = pd.DataFrame(X, columns=items)
    notes = [f"Responses with exactly the moments of the printed {m.kind} matrix ({m.where}; "
             f"{len(m.variables)} variables, N {n}): covariance (N - 1) / N times "
             + ("D R D with the printed SDs" if m.kind == "correlation" and m.sd is not None
                else f"the printed {m.kind} matrix")
             + (", printed means" if m.mean is not None else ", means 0")
             + "; every ML fit equals lavaan's fit to sample.cov with sample.nobs."]
    if m.kind == "correlation" and m.sd is None:
        notes.append("No SDs printed: the model is fitted to the correlation matrix (unstandardized "
                     "estimates are in the metric of standardized items).")
    prov = {"source": SOURCE, "seed": seed, "n_rows": int(n), "matrix": m.kind, "where": m.where,
            "n_published": int(printed_n.value) if printed_n is not None else None,
            "n_status": printed_n.status if printed_n is not None else "not printed"}
    return data, prov, notes
