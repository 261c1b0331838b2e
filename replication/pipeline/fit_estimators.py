"""``replicate fit`` with another estimator than ML on complete rows: robust ML (MLM, MLR),
full-information ML for incomplete rows, several groups with equality constraints.

:func:`check_options` refuses, with a one-line reason, the combinations lavaan refuses (ML,
MLM or MLR with ordered items; full-information ML with ordered items or with MLM) and those
the suite does not fit; :func:`fit_files_estimator` reads the files as
:func:`replication.pipeline.fit_files.fit_files` does and returns the JSON-ready dict of
``replicate fit --json``: ``parameters`` (with a ``group`` field on every row of a multi-group
fit), ``fit_measures`` under lavaan's names (``chisq.scaled``, ``chisq.scaling.factor``,
``cfi.robust``, ``rmsea.robust``, ...), ``estimator``, ``converged``, ``warnings``.
"""

from __future__ import annotations

import json
from pathlib import Path

from replication.data.csvfile import near_names
from replication.data.responses import read_table, to_numeric
from replication.engine import robust as rb
from replication.engine.errors import InputError
from replication.engine.multigroup_table import EQUAL_CATEGORIES
from replication.engine.numbers import json_float
from replication.engine.sem import fit
from replication.engine.summary import format_text
from replication.pipeline.fit_files import (LISTWISE, MAX_OBSERVED_ROBUST, check_size,
                                             read_model, with_observations)

__all__ = ["ESTIMATORS", "check_options", "parse_list", "fit_files_estimator", "format_result"]

ESTIMATORS = ("ML", "MLM", "MLR", "DWLS", "WLSMV")
#: ``--group`` cells that are no group besides the reader's missing cells (empty, ``NA``, the
#: ``--na`` codes): the text pandas and numpy write for a missing value. Rows without a group
#: are left out and counted, as lavaan leaves out rows with a missing group.
GROUP_MISSING = ("NaN", "nan")
#: lavaan's ``group.equal`` words; ``thresholds`` constrains nothing without ordered items
#: (multi-group models of ordered items are not fitted), as in lavaan.
GROUP_EQUAL = EQUAL_CATEGORIES[:2] + ("thresholds",) + EQUAL_CATEGORIES[2:]


def parse_list(text: str | None) -> list[str]:
    """A comma-separated option value as a list (empty items dropped)."""
    if not text:
        return []
    return [t.strip() for t in str(text).split(",") if t.strip()]


def check_options(estimator: str, ordered: list[str], missing: str, group: str | None,
                  group_equal: list[str], group_partial: list[str],
                  bootstrap: int | None = None) -> None:
    """Refuse combinations of options that lavaan refuses or that are not available.

    Raises
    ------
    InputError
        One line naming the option and what is expected.
    """
    if estimator not in ESTIMATORS:
        raise InputError(f"--estimator: {estimator!r}; expected one of {', '.join(ESTIMATORS)}")
    if missing not in ("listwise", "fiml"):
        raise InputError(f"--missing: {missing!r}; expected listwise or fiml")
    if ordered and estimator in ("ML", "MLM", "MLR"):
        raise InputError(f"--ordered: lavaan does not fit ordered items with estimator "
                         f"{estimator}; use --estimator WLSMV (or DWLS)")
    if ordered and missing == "fiml":
        raise InputError("--missing fiml: full-information ML is not available for ordered "
                         "items (lavaan refuses missing = \"ml\" with categorical data); use "
                         "--missing listwise")
    if missing == "fiml" and estimator == "MLM":
        raise InputError("--missing fiml: lavaan refuses missing = \"ml\" with estimator MLM; "
                         "use --estimator MLR")
    if estimator in ("DWLS", "WLSMV") and not ordered:
        raise InputError(f"--estimator {estimator}: expected ordered items (--ordered all or "
                         "--ordered COL,...); continuous items are fitted with ML, MLM or MLR")
    bad = [w for w in group_equal if w not in GROUP_EQUAL]
    if bad:
        raise InputError(f"--group-equal: {bad[0]!r} is not one of lavaan's group.equal words; "
                         f"expected some of {', '.join(GROUP_EQUAL)}")
    if (group_equal or group_partial) and not group:
        raise InputError("--group-equal/--group-partial: expected --group COL as well")
    if group_partial and not group_equal:
        raise InputError("--group-partial: expected --group-equal with the constraints it "
                         "relaxes")
    if group and ordered:
        raise InputError("--ordered: not available for multi-group models; fit the groups one "
                         "at a time")
    if bootstrap is not None and (estimator != "ML" or group):
        raise InputError("--bootstrap: the suite bootstraps ML fits of one group only; leave out "
                         "--estimator and --group")
    if bootstrap is not None and missing == "fiml":
        raise InputError("--bootstrap: the bootstrap refits complete rows by ML and is not "
                         "available with --missing fiml; leave out one of the two")


def _param_dicts(params, digits: int = 6) -> list[dict]:
    cols = [c for c in ("lhs", "op", "rhs", "group", "est", "se", "z", "pvalue", "std_lv",
                        "std_all") if c in params.columns]
    return [{c: (getattr(r, c) if c in ("lhs", "op", "rhs", "group") else
                 json_float(getattr(r, c), digits)) for c in cols}
            for r in params[cols].itertuples(index=False)]


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


def _single(text, spec, data, estimator: str, missing: str) -> dict:
    res = fit(text, data, missing=missing)
    out = res.to_json()
    if estimator in rb.ROBUST_ESTIMATORS:
        fm = res.fit_measures
        if missing == "fiml":
            from replication.engine.robust_fiml import robust_fiml

            rob = robust_fiml(spec, res.theta, data[spec.ov].to_numpy(float), fm["chisq"],
                              fm["baseline.chisq"])
        else:
            X = data[spec.ov].dropna().to_numpy(float)
            rob = rb.robust_fit(res.spec, res.theta, X, estimator, fm["chisq"],
                                fm["baseline.chisq"])
        out["parameters"] = _param_dicts(rob.apply(res.parameters, res.spec))
        out["fit_measures"].update({k: json_float(v) for k, v in rob.fit_measures.items()})
    return out


def _multi(text, data, group: str, estimator: str, equal: list[str], partial: list[str],
           missing: str) -> dict:
    if missing == "fiml":
        from replication.engine.multigroup_fiml import fit_groups_fiml as fitter
    else:
        from replication.engine.multigroup import fit_groups as fitter

    res = fitter(text, data, group, group_equal=[w for w in equal if w != "thresholds"],
                 group_partial=partial,
                 estimator=estimator, cov_y=False)
    return {"parameters": _param_dicts(res.params),
            "fit_measures": {k: json_float(v) for k, v in res.fit_measures.items()},
            "groups": [{"group": g, "n": n, "chisq": json_float(res.chisq_group[g])}
                       for g, n in zip(res.group_labels, res.nobs)],
            "group_equal": list(equal), "group_partial": list(partial),
            "converged": bool(res.converged), "warnings": list(res.warnings),
            "n": int(sum(res.nobs))}


def fit_files_estimator(model_path, data_path, *, estimator: str = "ML",
                        ordered: list[str] | None = None, missing: str = "listwise",
                        group: str | None = None, group_equal: list[str] | None = None,
                        group_partial: list[str] | None = None,
                        na: tuple[str, ...] = ()) -> dict:
    """Fit the model file to the CSV with the given estimator, missing-data treatment and
    groups (the ``replicate fit`` options of docs/architecture.md); ``na`` holds missing-value
    codes besides empty cells and ``NA``.

    Returns
    -------
    dict
        ``parameters`` (``lhs, op, rhs[, group], est, se, z, pvalue, std_lv, std_all``),
        ``fit_measures`` (lavaan's names), ``estimator``, ``missing``, ``converged``,
        ``warnings``, ``n``; ``groups`` (label, n, chi-square) for a multi-group fit.
    """
    estimator = estimator.upper()
    ordered = list(ordered or [])
    equal, partial = list(group_equal or []), list(group_partial or [])
    check_options(estimator, ordered, missing, group, equal, partial)
    text, spec, data, mp, dp, rows = _read(model_path, data_path, group, missing, na,
                                           estimator)
    try:
        if estimator in ("DWLS", "WLSMV"):
            from replication.engine.ordinal import fit_ordinal

            cols = spec.ov if ordered == ["all"] else ordered
            out = fit_ordinal(text, data, ordered=cols, estimator=estimator).to_json()
        elif group:
            out = _multi(text, data, group, estimator, equal, partial, missing)
        else:
            out = _single(text, spec, data, estimator, missing)
    except InputError as exc:
        msg = str(exc)
        if msg.startswith("--"):  # an option's value, named by the option
            raise InputError(msg) from None
        if msg.startswith("data: "):
            raise InputError(f"{dp}: {msg[len('data: '):]}") from None
        raise InputError(f"{mp}: {msg}") from None
    _account(out, rows)
    out["estimator"] = estimator
    out["missing"] = missing
    json.dumps(out)
    return out


def _threshold_lines(params: list[dict]) -> str:
    """lavaan's ``Thresholds:`` section of an ordinal fit (empty without thresholds)."""
    rows = [r for r in params if r["op"] == "|"]
    if not rows:
        return ""

    def cell(x):
        return " " * 9 if x is None else f"{x:9.3f}"

    out = ["", "Thresholds:", " " * 20 + "".join(f"{t:>9}" for t in
                                                 ("Estimate", "Std.Err", "z-value", "P(>|z|)"))]
    for r in rows:
        out.append(f"    {r['lhs']}|{r['rhs']}"[:19].ljust(20)
                   + "".join(cell(r[c]) for c in ("est", "se", "z", "pvalue")))
    return "\n".join(out) + "\n"


_ROBUST_LABELS = [
    ("chisq.scaled", "Test statistic (scaled)"), ("chisq.scaling.factor", "Scaling factor"),
    ("pvalue.scaled", "P-value (scaled)"), ("cfi.scaled", "CFI (scaled)"),
    ("tli.scaled", "TLI (scaled)"), ("cfi.robust", "Robust CFI"), ("tli.robust", "Robust TLI"),
    ("rmsea.scaled", "RMSEA (scaled)"), ("rmsea.robust", "Robust RMSEA"),
]


_SE_LABELS = {"MLM": ("Robust.sem", "Expected"), "MLR": ("Robust.huber.white", "Observed"),
              "WLSMV": ("Robust.sem", "Expected")}


def _se_labels(text: str, est: str) -> str:
    """lavaan's labels of the standard errors and information of a robust estimator."""
    if est not in _SE_LABELS:
        return text
    se, info = _SE_LABELS[est]
    out = []
    for line in text.split("\n"):
        if line.startswith("  Standard errors") and line.rstrip().endswith("Standard"):
            line = line.rstrip()[: -len("Standard")].rstrip().ljust(len(line.rstrip())
                                                                   - len(se)) + se
        elif line.startswith("  Information") and line.rstrip().endswith("Expected"):
            line = line.rstrip()[: -len("Expected")] + info
        out.append(line)
    return "\n".join(out)


def format_result(result: dict) -> str:
    """Text of :func:`fit_files_estimator`: lavaan-like summary, the scaled and robust fit
    measures, and one parameter table per group."""
    return with_observations(_se_labels(_format(result), result.get("estimator", "ML")), result)


def _format(result: dict) -> str:
    est = result.get("estimator", "ML")
    fm = result["fit_measures"]
    extra = [f"  {label:<42}{fm[k]:>10.3f}   {k}" for k, label in _ROBUST_LABELS
             if fm.get(k) is not None]
    if "groups" not in result:
        text = format_text(result, estimator=est) + _threshold_lines(result["parameters"])
        if extra:
            text += "\nScaled and robust fit measures:\n\n" + "\n".join(extra) + "\n"
        return text
    head = format_text({**result, "parameters": []}, estimator=est)
    parts = [head.rstrip("\n").rsplit("\nParameter Estimates:", 1)[0]]
    parts += ["", "Test statistic for each group:"]
    parts += [f"  {g['group']:<42}{g['chisq']:>10.3f}   (n = {g['n']})" for g in result["groups"]]
    if extra:
        parts += ["", "Scaled and robust fit measures:", ""] + extra
    for k, g in enumerate(result["groups"], 1):
        rows = [r for r in result["parameters"] if r["group"] == g["group"]]
        body = format_text({"parameters": rows, "fit_measures": {}}, estimator=est)
        parts += ["", f"Group {k} [{g['group']}]:", body.split("Parameter Estimates:", 1)[1]]
    return "\n".join(parts) + "\n"
