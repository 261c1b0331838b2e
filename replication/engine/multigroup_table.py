"""lavaan's multi-group parameter table (``group.equal``, ``group.partial``) and the split of
the data by group, for :mod:`replication.engine.multigroup`.

References
----------
lavaan ``R/lav_partable.R`` (``group.equal``, ``group.partial``), ``R/lav_data.R`` (group labels
in order of first appearance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from replication.engine.errors import InputError
from replication.engine.partable import ModelSpec

__all__ = ["EQUAL_CATEGORIES", "GroupTable", "category", "group_table", "split_groups"]

EQUAL_CATEGORIES = ("loadings", "intercepts", "means", "residuals", "residual.covariances",
                    "lv.variances", "lv.covariances", "regressions")


# ------------------------------------------------------------------------------------------
# Parameter table
# ------------------------------------------------------------------------------------------
def category(row: dict, lv: set) -> str:
    """lavaan's group.equal category of a parameter-table row (``loadings``, ``intercepts``,
    ``means``, ``residuals``, ``residual.covariances``, ``lv.variances``, ``lv.covariances``,
    ``regressions``)."""
    op, lhs, rhs = row["op"], row["lhs"], row["rhs"]
    if op == "=~":
        return "loadings"
    if op == "~":
        return "regressions"
    if op == "~1":
        return "means" if lhs in lv else "intercepts"
    if lhs in lv:
        return "lv.variances" if lhs == rhs else "lv.covariances"
    return "residuals" if lhs == rhs else "residual.covariances"


def _partial_key(text: str) -> tuple[str, str, str]:
    """``"f =~ x2"``, ``"x3 ~ 1"`` or ``"x1 ~~ x1"`` as ``(lhs, op, rhs)``."""
    t = text.replace(" ", "")
    for op in ("=~", "~~", "~1", "~"):
        if op == "~1" and t.endswith("~1"):
            return (t[:-2], "~1", "")
        if op != "~1" and op in t:
            lhs, rhs = t.split(op, 1)
            if lhs and rhs:
                return (lhs, op, rhs)
    raise InputError(f"--group-partial: {text!r} is not a parameter; expected e.g. 'f =~ x2', "
                     "'x3 ~ 1' or 'x1 ~~ x1'")


@dataclass
class GroupTable:
    """lavaan's multi-group parameter table with one local model per group.

    ``rows`` holds one dict per parameter and group (``group`` index, ``lhs, op, rhs``,
    ``free`` global index or -1, ``value``); ``specs[g]`` is group ``g``'s covariance
    structure with local parameter indices, ``cov_map[g]`` their global indices, and
    ``mean_map[g]`` pairs ``(position in ov + lv, global index)`` of its free means.
    """

    base: ModelSpec
    labels: list[str]
    rows: list[dict]
    n_free: int
    specs: list[ModelSpec]
    cov_map: list[np.ndarray]
    mean_map: list[list[tuple[int, int]]]

    @property
    def df(self) -> int:
        p = len(self.base.ov)
        return len(self.labels) * (p * (p + 1) // 2 + p) - self.n_free


def group_table(base: ModelSpec, labels: list[str], equal=(), partial=()) -> GroupTable:
    """Replicate ``base`` over the groups with lavaan's ``group.equal`` and ``group.partial``.

    Parameters
    ----------
    base : ModelSpec
        The single-group parameter table (:func:`replication.engine.ram.specify`).
    labels : list of str
        Group labels, in lavaan's order (first appearance in the data).
    equal : iterable of str
        Categories of :data:`EQUAL_CATEGORIES` held equal across groups.
    partial : iterable of str
        Parameters exempt from ``equal`` (``"f =~ x2"``, ``"x3 ~ 1"``).

    Returns
    -------
    GroupTable

    Notes
    -----
    As lavaan: a label written in the model names one parameter in every group; latent means
    are fixed to 0 in the first group, and free in the others when intercepts are equal and
    means are not; fixed parameters (marker loadings) stay fixed in every group.
    """
    equal = set(equal)
    bad = sorted(equal - set(EQUAL_CATEGORIES))
    if bad:
        raise InputError(f"--group-equal: {bad[0]!r} is not a category; expected some of "
                         f"{', '.join(EQUAL_CATEGORIES)}")
    if base.ov_x:
        raise InputError(f"multi-group models: observed predictors (fixed.x: "
                         f"{', '.join(base.ov_x)}) are not supported")
    part = set()
    for t in partial:
        lhs, op, rhs = _partial_key(t)
        part.add((lhs, op, rhs))
        if op == "~~":
            part.add((rhs, op, lhs))
    lv = set(base.lv)
    names = base.names
    free_lv_means = "intercepts" in equal and "means" not in equal
    rows: list[dict] = []
    shared: dict[tuple, int] = {}
    by_label: dict[str, int] = {}
    n_free = 0
    specs, cov_map, mean_map = [], [], []
    for g in range(len(labels)):
        grows = [dict(r, group=g) for r in base.rows]
        for v in names:
            fixed_mean = v in lv and (g == 0 or not free_lv_means)
            grows.append({"lhs": v, "op": "~1", "rhs": "", "fixed": 0.0 if fixed_mean else None,
                          "label": None, "user": False, "exo": False, "group": g,
                          "value": 0.0})
        for r in grows:
            if r["fixed"] is not None:
                r["free"] = -1
                r["value"] = float(r["fixed"])
                continue
            key = (r["lhs"], r["op"], r["rhs"])
            if r["label"]:
                if r["label"] not in by_label:
                    by_label[r["label"]] = n_free
                    n_free += 1
                r["free"] = by_label[r["label"]]
            elif category(r, lv) in equal and key not in part and g > 0 and key in shared:
                r["free"] = shared[key]
            else:
                r["free"] = n_free
                n_free += 1
                if g == 0:
                    shared[key] = r["free"]
        cov_rows = [r for r in grows if r["op"] != "~1"]
        glob = []
        local_rows = []
        for r in cov_rows:
            lr = dict(r)
            if r["free"] >= 0:
                if r["free"] not in glob:
                    glob.append(r["free"])
                lr["free"] = glob.index(r["free"])
            local_rows.append(lr)
        specs.append(ModelSpec(ov=base.ov, lv=base.lv, rows=local_rows, n_free=len(glob)))
        cov_map.append(np.array(glob, int))
        mean_map.append([(names.index(r["lhs"]), r["free"]) for r in grows
                         if r["op"] == "~1" and r["free"] >= 0])
        rows += grows
    _check_partial(partial, [r for r in rows if r["group"] == 0])
    return GroupTable(base=base, labels=list(labels), rows=rows, n_free=n_free, specs=specs,
                      cov_map=cov_map, mean_map=mean_map)


def _check_partial(partial, rows: list[dict]) -> None:
    """Every ``group.partial`` entry names a parameter of the model (lavaan ignores one that
    does not, which hides a typing error: it is refused here, naming it)."""
    keys = {(r["lhs"], r["op"], r["rhs"]) for r in rows}
    for t in partial:
        lhs, op, rhs = _partial_key(t)
        if (lhs, op, rhs) in keys or (op == "~~" and (rhs, op, lhs) in keys):
            continue
        examples = []
        for want in ("=~", "~1", "~~", "~"):
            r = next((r for r in rows if r["op"] == want), None)
            if r is not None:
                op_rhs = "~ 1" if want == "~1" else f"{want} {r['rhs']}"
                examples.append(f"'{r['lhs']} {op_rhs}'")
        raise InputError(f"--group-partial: {t!r} is not a parameter of the model; expected "
                         f"'lhs op rhs' of one of its parameters, e.g. {', '.join(examples)}")


# ------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------
def _label(value):
    """A group value as its label: whole numbers without a decimal point (``2.0`` -> ``"2"``),
    as R prints them; missing values stay missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def split_groups(data: pd.DataFrame, group: str, ov: list[str],
                 missing: str = "listwise") -> tuple[list[str], list]:
    """Group labels in order of first appearance and each group's rows of ``ov``.

    Rows without a group value are left out (as lavaan); within a group, rows with a missing
    value in ``ov`` are deleted listwise, or with ``missing="fiml"`` kept (NaN) unless they have
    no value at all.
    """
    if group not in data.columns:
        raise InputError(f"data: no column {group!r} to define the groups")
    absent = [v for v in ov if v not in data.columns]
    if absent:
        raise InputError(f"data: column {absent[0]!r} named in the model is not in the data")
    gcol = data[group].map(_label)
    keep = gcol.notna()
    labels = list(dict.fromkeys(gcol[keep]))
    if len(labels) < 2:
        raise InputError(f"data: column {group!r} has {len(labels)} group(s); expected at least 2")
    X_all = data[ov].apply(pd.to_numeric, errors="coerce")
    bad = [v for v in ov if (X_all[v].isna() & data[v].notna()).any()]
    if bad:
        raise InputError(f"data: column {bad[0]!r} holds non-numeric values; expected numbers")
    out = []
    glab = gcol
    for lab in labels:
        sub = X_all[keep & (glab == lab)]
        sub = sub.dropna() if missing == "listwise" else sub.dropna(how="all")
        X = sub.to_numpy(float)
        if len(X) <= len(ov):
            what = "complete " if missing == "listwise" else ""
            raise InputError(f"data: group {lab!r} of column {group!r} has {len(X)} {what}"
                             f"rows for {len(ov)} variables; expected more rows")
        out.append(X)
    return labels, out
