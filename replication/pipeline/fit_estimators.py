"""``replicate fit`` with another estimator than ML on complete rows: robust ML (MLM, MLR),
full-information ML for incomplete rows, several groups with equality constraints, ordered
items (DWLS, WLSMV) and PLS-SEM (PLS, PLSc).

Thin: :func:`fit_files_estimator` reads the files (as
:func:`replication.pipeline.fit_files.fit_files` does), reverses reverse-keyed items when
asked, calls the one entry point :func:`replication.engine.api.fit` and returns its
``to_json()`` with the rows used and left out; :func:`check_options` is the engine's rule
(:func:`replication.engine.options.check_options`) with the options named by their flags;
:func:`format_result` is the result's lavaan-like summary
(:func:`replication.engine.summary.format_text`; a PLS fit's own summary).
"""

from __future__ import annotations

import json
from pathlib import Path

from replication.data.csvfile import near_names
from replication.data.responses import read_table, to_numeric
from replication.engine import options as opts
from replication.engine.errors import InputError
from replication.engine.summary import format_text
from replication.pipeline.fit_files import (LISTWISE, MAX_OBSERVED_ROBUST, check_size,
                                             read_model, with_observations)

__all__ = ["ESTIMATORS", "check_options", "parse_list", "fit_files_estimator", "format_result",
           "reverse_items"]

ESTIMATORS = opts.ESTIMATORS
#: ``--group`` cells that are no group besides the reader's missing cells (empty, ``NA``, the
#: ``--na`` codes): the text pandas and numpy write for a missing value. Rows without a group
#: are left out and counted, as lavaan leaves out rows with a missing group.
GROUP_MISSING = ("NaN", "nan")
GROUP_EQUAL = opts.GROUP_EQUAL


def parse_list(text: str | None) -> list[str]:
    """A comma-separated option value as a list (empty items dropped)."""
    if not text:
        return []
    return [t.strip() for t in str(text).split(",") if t.strip()]


def check_options(estimator: str, ordered: list[str], missing: str, group: str | None,
                  group_equal: list[str], group_partial: list[str],
                  bootstrap: int | None = None, scheme: str | None = None) -> None:
    """The engine's rule (:func:`replication.engine.options.check_options`) with the options
    named by their ``replicate fit`` flags.

    Raises
    ------
    InputError
        One line naming the option and what is expected.
    """
    opts.check_options(opts.normal_estimator(estimator), ordered, missing, group,
                       group_equal, group_partial, bootstrap, scheme=scheme, cli=True)


def reverse_items(data, items: list[str], scale: tuple[float, float] | None, dp: Path):
    """Reverse-keyed items turned around: ``value -> (min + max) - value`` with ``min, max``
    the scale's (``--scale``) or the observed ones of each column; returns the data and one
    note per item saying which."""
    notes = []
    data = data.copy()
    for item in items:
        if item not in data.columns:
            raise InputError(f"--reverse: no column {item!r} in {dp}; expected a column of the "
                             "model" + near_names([item], list(data.columns)))
        col = data[item].astype(float)
        lo, hi = scale if scale is not None else (float(col.min()), float(col.max()))
        if scale is not None and ((col < lo) | (col > hi)).any():
            raise InputError(f"--reverse: column {item!r} has values outside --scale "
                             f"{lo:g},{hi:g}")
        data[item] = (lo + hi) - col
        where = "--scale" if scale is not None else "the observed minimum and maximum"
        notes.append(f"{item} reversed as {lo:g} + {hi:g} - value ({where})")
    return data, notes


def _read(model_path, data_path, group: str | None, missing: str = "listwise",
          na: tuple[str, ...] = (), estimator: str = "ML"):
    mp, dp = Path(model_path), Path(data_path)
    text, spec = read_model(mp)
    if estimator == "ML":
        check_size(spec, mp)
    else:
        check_size(spec, mp, MAX_OBSERVED_ROBUST, f" with --estimator {estimator}")
    table = read_table(dp, na=na)
    need = spec.ov + ([group] if group else [])
    absent = [v for v in need if v not in table.columns]
    if absent:
        what = "the --group column" if absent[0] == group else f"a variable of {mp.name}"
        raise InputError(f"{dp}: no column {absent[0]!r} ({what}); expected a header with the "
                         "model's variable names" + near_names(absent[:1], list(table.columns)))
    data = to_numeric(table, spec.ov, dp, missing="fiml" if missing == "fiml" else "listwise")
    dropped: list[dict] = []
    if group:
        cells = table[group]
        none = cells.isna() | cells.map(lambda v: isinstance(v, str) and v.strip() in
                                        GROUP_MISSING)
        if none.any():
            dropped.append({"reason": f"no group (empty, NA, NaN or a --na code in column "
                                      f"{group!r})", "rows": int(none.sum())})
        data = data[~none.to_numpy()].copy()
        data[group] = cells[~none.to_numpy()]
    empty = data[spec.ov].isna()
    if missing == "fiml":
        k = int(empty.all(axis=1).sum())
        reason = "no value in the model's columns (full-information ML uses every other row)"
    else:
        k = int(empty.any(axis=1).sum())
        reason = LISTWISE
    if k:
        dropped.append({"reason": reason, "rows": k})
    return text, spec, data, mp, dp, {"n_total": int(len(table)), "dropped": dropped}


def _account(out: dict, rows: dict) -> None:
    """``n_total``, ``n_dropped`` (rows of the file not used) and ``dropped`` (per reason:
    ``{reason, rows}``) in the output, and a warning per reason, as lavaan's "Number of
    observations ... Used / Total"."""
    n_dropped = sum(d["rows"] for d in rows["dropped"])
    out["n_total"] = rows["n_total"]
    out["n_dropped"] = n_dropped
    out["dropped"] = rows["dropped"]
    notes = [f"{d['rows']} of {rows['n_total']} rows left out: {d['reason']}"
             for d in rows["dropped"]]
    out["warnings"] = notes + [w for w in out.get("warnings", [])
                               if "removed (listwise deletion)" not in w]


def _read_pls(model_path, data_path, na, reverse, scale):
    from replication.engine.pls import parse_pls_model

    mp, dp = Path(model_path), Path(data_path)
    if not mp.is_file():
        raise InputError(f"{mp}: model file not found")
    text = mp.read_text(encoding="utf-8-sig")
    try:
        items = list(parse_pls_model(text).indicators)
    except InputError as exc:
        raise InputError(f"{mp}: {exc}") from None
    table = read_table(dp, na=na)
    absent = [v for v in items if v not in table.columns]
    if absent:
        raise InputError(f"{dp}: no column {absent[0]!r} (a variable of {mp.name}); expected a "
                         "header with the model's variable names"
                         + near_names(absent[:1], list(table.columns)))
    data = to_numeric(table, items, dp)
    data, notes = reverse_items(data, reverse, scale, dp)
    k = int(data[items].isna().any(axis=1).sum())
    rows = {"n_total": int(len(table)), "dropped": [{"reason": LISTWISE, "rows": k}] if k else []}
    return text, data, mp, dp, rows, notes


def _named_errors(exc: InputError, mp: Path, dp: Path) -> InputError:
    msg = str(exc)
    if msg.startswith("--"):  # an option's value, named by the option
        return InputError(msg)
    if msg.startswith("data: "):
        return InputError(f"{dp}: {msg[len('data: '):]}")
    return InputError(f"{mp}: {msg}")


def fit_files_estimator(model_path, data_path, *, estimator: str = "ML",
                        ordered: list[str] | None = None, missing: str = "listwise",
                        group: str | None = None, group_equal: list[str] | None = None,
                        group_partial: list[str] | None = None,
                        na: tuple[str, ...] = (), scheme: str | None = None,
                        bootstrap: int | None = None, seed: int | None = 2024, jobs: int = 1,
                        reverse: list[str] | None = None,
                        scale: tuple[float, float] | None = None) -> dict:
    """Fit the model file to the CSV with the given estimator, missing-data treatment, groups
    or PLS options (the ``replicate fit`` options of docs/architecture.md) through
    :func:`replication.engine.api.fit`; ``na`` holds missing-value codes besides empty cells
    and ``NA``; ``reverse`` items are turned around first (:func:`reverse_items`).

    Returns
    -------
    dict
        The result's ``to_json()``: ``parameters`` (``lhs, op, rhs[, group], est, se, z,
        pvalue, std_lv, std_all``; a PLS fit's own tables ``parameters, weights, r2, r2_adj,
        reliability, htmt, f2, vif``), ``fit_measures`` (lavaan's names), ``estimator``,
        ``missing``, ``converged``, ``warnings``, ``n``; ``groups`` (label, n, chi-square) for
        a multi-group fit; ``n_total``, ``n_dropped``, ``dropped``.
    """
    from replication.engine.api import fit

    estimator = opts.normal_estimator(estimator)
    ordered = list(ordered or [])
    equal, partial = list(group_equal or []), list(group_partial or [])
    check_options(estimator, ordered, missing, group, equal, partial,
                  bootstrap if estimator in opts.PLS_ESTIMATORS else None, scheme)
    notes: list[str] = []
    if estimator in opts.PLS_ESTIMATORS:
        text, data, mp, dp, rows, notes = _read_pls(model_path, data_path, na, reverse or [],
                                                    scale)
        spec = None
    else:
        text, spec, data, mp, dp, rows = _read(model_path, data_path, group, missing, na,
                                               estimator)
        data, notes = reverse_items(data, reverse or [], scale, dp)
    try:
        res = fit(text, data, estimator=estimator, missing=missing, group=group,
                  group_equal=equal, group_partial=partial,
                  ordered=(spec.ov if ordered == ["all"] else ordered) or None,
                  scheme=scheme, seed=seed, jobs=jobs,
                  bootstrap=bootstrap if estimator in opts.PLS_ESTIMATORS else None)
    except InputError as exc:
        raise _named_errors(exc, mp, dp) from None
    out = res.to_json()
    if group:  # the words as given (thresholds constrains nothing without ordered items)
        out["group_equal"], out["group_partial"] = equal, partial
    _account(out, rows)
    out["warnings"] = notes + out["warnings"]
    out["estimator"] = estimator
    out["missing"] = missing
    json.dumps(out)
    return out


def format_result(result: dict) -> str:
    """Text of :func:`fit_files_estimator`: lavaan's ``summary()`` layout (the Standard and
    Scaled columns side by side for a robust estimator, one block per group) with the rows
    used and left out; a PLS fit's own summary."""
    if result.get("estimator") in opts.PLS_ESTIMATORS:
        return _pls_text(result)
    return with_observations(format_text(result), result)


def _pls_text(result: dict) -> str:
    """A PLS fit's JSON laid out: estimation, paths, loadings, weights, R2, reliability."""
    def cell(v) -> str:
        if v is None:
            return " " * 9
        return f"{v:9.3f}" if isinstance(v, float) else f"{v!s:<10}"

    def rows(items, keys):
        return ["".join(cell(r.get(k)) for k in keys).rstrip() for r in items]

    lines = []
    if result.get("warnings"):
        lines += ["Warnings:"] + [f"  {w}" for w in result["warnings"]] + [""]
    lines.append(f"{result['estimator']} path model ({result.get('scheme')} weighting scheme), "
                 f"n = {result.get('n')}, {'converged' if result.get('converged') else 'NOT converged'}"
                 f" after {result.get('iterations')} iterations")
    keys = [k for k in ("lhs", "op", "rhs", "est", "se", "t", "pvalue", "ci.lower", "ci.upper")
            if any(r.get(k) is not None for r in result["parameters"])]
    lines += ["", "Parameters:", "  " + "".join(f"{k:<10}" if k in ("lhs", "op", "rhs")
                                                 else f"{k:>9}" for k in keys)]
    lines += ["  " + r for r in rows(result["parameters"], keys)]
    lines += ["", "Outer weights:"] + ["  " + r for r in rows(result.get("weights", []),
                                                                 ("lhs", "rhs", "est"))]
    lines += ["", "R-squared:"] + [f"  {k}: {v:.3f} (adjusted {result['r2_adj'][k]:.3f})"
                                   for k, v in result.get("r2", {}).items() if v is not None]
    lines += ["", "Reliability:"] + [
        f"  {c}: " + ", ".join(f"{k} {v:.3f}" for k, v in d.items() if v is not None)
        for c, d in result.get("reliability", {}).items()]
    return with_observations("\n".join(lines) + "\n", result)
