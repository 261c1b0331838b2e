"""Printed parameters (``results.parameters``, keyed by lavaan's ``lhs op rhs``) and the fit of
every named model beside the replicated ones.

:func:`compare_parameters` compares each printed ``est``, ``se``, ``z``, ``pvalue`` and
``std_all`` with the same column of the replicated parameter table of the model it belongs to;
:func:`compare_named_fit` compares the printed fit measures of any named fit block (a competing
or revised model with its own syntax). Rows and tolerances are those of
:mod:`replication.compare.core` (``estimate``, ``se``, ``statistic``, ``pvalue``, ``std``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from replication.compare.core import _finite, _frame, _get, _params, _row, compare_fit
from replication.engine.results import parameter_row
from replication.record.schema import Value

__all__ = ["compare_parameters", "compare_named_fit"]

_COLUMNS = {"est": ("estimate", "est"), "se": ("se", "se"), "z": ("statistic", "z"),
            "pvalue": ("pvalue", "pvalue"), "std_all": ("std", "std_all")}


def compare_parameters(record, fits: Mapping[str, object],
                       tolerance: float | Mapping[str, float] | None = None) -> pd.DataFrame:
    """Every printed parameter value beside the replicated one.

    Parameters
    ----------
    record : replication.record.schema.Record
    fits : mapping
        ``{model name: fitted model}``; ``"main"`` is the record's main model (parameters without
        ``model``), other keys the fit blocks the parameters name.
    tolerance : float or mapping, optional
        Override of :data:`replication.compare.core.TOLERANCES`.

    Returns
    -------
    DataFrame
        Columns ``parameter`` then :data:`~replication.compare.core.COLUMNS` (``target`` is
        ``parameters.<lhs op rhs>.<column>``); a parameter of a model that was not fitted is
        ``not comparable``.
    """
    rows = []
    for p in record.results.parameters:
        fit = fits.get(p.model or "main")
        params = _params(fit, "compare_parameters") if fit is not None else None
        hit = None
        if params is not None:
            hit = parameter_row(params, p.lhs, p.op, p.rhs)
        for field, (quantity, col) in _COLUMNS.items():
            pub = getattr(p, field)
            if pub is None:
                continue
            target = f"parameters.{p.key}.{field}" + (f" ({p.model})" if p.model else "")
            val = Value(target=target, value=pub.value, status="published", where=pub.where,
                        printed=pub.printed)
            rep = _get(hit, col)
            r = _row(target, quantity, val, rep if _finite(rep) else None, tolerance,
                     relation=pub.relation)
            r["parameter"] = p.key
            rows.append(r)
    return _frame(rows, ["parameter"])


def compare_named_fit(record, fit_measures: Mapping[str, float] | None, model: str,
                      tolerance: float | Mapping[str, float] | None = None) -> pd.DataFrame:
    """Printed fit measures of the fit block named ``model`` beside the replicated ones
    (:func:`replication.compare.core.compare_fit`, which takes any fit block's name)."""
    return compare_fit(record, fit_measures, model=model, tolerance=tolerance)
