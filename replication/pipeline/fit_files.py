"""``replicate fit``: a lavaan-syntax model file fitted to a CSV file.

:func:`fit_files` reads the model file and the data file (through
:mod:`replication.data.csvfile`, as response files are read everywhere), fits the model with
:func:`replication.engine.fit` and, when asked, bootstraps it
(:func:`replication.engine.bootstrap.bootstrap`); it returns the JSON-ready dict that
``replicate fit --json`` prints and :func:`replication.engine.summary.format_text` lays out.
Every problem with either file is an :class:`~replication.engine.errors.InputError` naming
that file.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from replication.data.csvfile import check_structure, near_names, read_numeric, sniff
from replication.engine.errors import InputError
from replication.engine.moments import array_moments
from replication.engine.numbers import json_float
from replication.engine.partable import specify
from replication.engine.results import wald
from replication.engine.sem import fit

__all__ = ["MAX_OBSERVED", "MAX_OBSERVED_ROBUST", "check_size", "fit_files", "public_cfa",
           "public_fit", "public_sem", "read_model", "with_observations"]

LISTWISE = "missing values in the model's columns (listwise deletion)"

#: Most observed variables of a model ``replicate fit`` fits: the derivatives of the implied
#: covariance matrix hold one p x p matrix per free parameter, so memory and time grow with the
#: cube of p (measured: 100 items 0.17 GB and 1 s, 200 items 0.7 GB and 9 s, 300 items 2.3 GB
#: and 130 s).
MAX_OBSERVED = 200
#: The same for the robust and ordinal estimators (MLM, MLR, DWLS, WLSMV), whose asymptotic
#: covariance matrix of the sample moments has (p (p + 1) / 2)^2 entries (measured: MLR on 100
#: items 1.5 GB and 90 s).
MAX_OBSERVED_ROBUST = 80


def _frame_of(data, na=()):
    """``data`` itself, or the table of the CSV file it names (a ``Path``, or a ``str`` naming
    an existing file), read as response files are read
    (:func:`replication.data.responses.read_table`)."""
    import os

    if isinstance(data, os.PathLike) or (isinstance(data, str) and Path(data).is_file()):
        from replication.data.responses import read_table

        return read_table(Path(data), na=tuple(na))
    return data


def public_fit(model, data=None, **kwargs):
    """``replication.fit``: :func:`replication.engine.api.fit` (lavaan's ``lavaan()``, any
    estimator) with ``data`` a DataFrame, an array with ``columns``, or the path of a CSV
    file (a ``Path``, or a ``str`` naming an existing file; a ``str`` that names no file is
    refused as data of the wrong type). ``na`` (missing-value codes) applies to a CSV."""
    from replication.engine.api import fit as api_fit

    return api_fit(model, _frame_of(data, kwargs.pop("na", ())), **kwargs)


def public_cfa(model, data=None, **kwargs):
    """``replication.cfa``: :func:`public_fit` with lavaan's ``cfa()`` defaults
    (``cov_y=True``)."""
    kwargs.setdefault("cov_y", True)
    return public_fit(model, data, **kwargs)


def public_sem(model, data=None, **kwargs):
    """``replication.sem``: :func:`public_fit` with lavaan's ``sem()`` defaults
    (``cov_y=True``)."""
    kwargs.setdefault("cov_y", True)
    return public_fit(model, data, **kwargs)


def check_size(spec, mp: Path, limit: int = MAX_OBSERVED, why: str = "") -> None:
    """Refuse a model with more than ``limit`` observed variables, naming the model file."""
    if len(spec.ov) > limit:
        raise InputError(f"{mp}: {len(spec.ov)} observed variables; expected at most {limit}"
                         f"{why} (memory and time grow with the cube of their number)")


def with_observations(text: str, out: dict) -> str:
    """lavaan's ``Number of observations  Used  Total`` in a summary text when rows of the file
    were left out (``n_total``, ``n_dropped``, ``dropped`` of :func:`fit_files`), with one line
    per reason."""
    if not out.get("n_dropped"):
        return text
    total = int(out["n_total"])
    used = total - int(out["n_dropped"])
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("Number of observations"):
            lines[i:i + 1] = [f"{'':<42}{'Used':>10}{'Total':>12}",
                              f"{'Number of observations':<42}{used:>10}{total:>12}"] + [
                f"  {d['rows']} rows left out: {d['reason']}" for d in out.get("dropped", [])]
            break
    return "\n".join(lines)


def read_model(path: str | Path) -> tuple[str, object]:
    """The text of a model file and its parameter table; errors name the file."""
    mp = Path(path)
    if not mp.exists():
        raise InputError(f"{mp}: model file not found")
    if mp.is_dir():
        raise InputError(f"{mp}: is a directory; expected a model file in lavaan syntax")
    try:
        text = mp.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise InputError(f"{mp}: cannot read the model file as UTF-8 text") from None
    try:
        return text, specify(text)
    except InputError as exc:
        raise InputError(f"{mp}: {exc}") from None


def _fit(text: str, S: np.ndarray, n: int, names: list[str], mp: Path, dp: Path):
    """The fit to the covariance matrix of the data's complete rows; problems of the matrix
    name the data file, the others the model file."""
    try:
        return fit(text, cov=S, n=n, columns=names)
    except InputError as exc:
        msg = str(exc)
        for prefix in ("data: ", "cov: "):
            if msg.startswith(prefix):
                raise InputError(f"{dp}: {msg[len(prefix):]}") from None
        raise InputError(f"{mp}: {msg}") from None


def _read_data(spec, mp: Path, dp: Path, na: tuple[str, ...]):
    """The model's columns of the data file (:func:`replication.data.csvfile.read_numeric`),
    checked (:func:`replication.data.csvfile.check_structure`), with the covariance matrix
    of the complete rows computed once, as the engine computes it."""
    _, _, names = sniff(dp)
    absent = [v for v in spec.ov if v not in names]
    if absent:
        raise InputError(f"{dp}: no column {absent[0]!r} (a variable of {mp.name}); expected a "
                         "header with the model's variable names" + near_names(absent[:1], names))
    table = read_numeric(dp, spec.ov, na=na)
    moments: dict = {}

    def covariance(complete: np.ndarray) -> np.ndarray:
        moments["S"], moments["n"] = array_moments(complete, spec.ov)
        return moments["S"]

    check_structure(table.values, dp, columns=spec.ov, covariance=covariance)
    return table, moments["S"], moments["n"]


def _bootstrap_block(text: str, data, n_boot: int, seed: int | None, jobs: int,
                     progress=False, full=None) -> tuple[dict, object]:
    # imported here: a fit without --bootstrap does not load the bootstrap (nor pandas)
    from replication.engine.bootstrap import bootstrap as run_bootstrap

    b = run_bootstrap(text, data, n_boot=int(n_boot), seed=seed, jobs=jobs, progress=progress,
                      full=full)
    summ = b.summary()
    block = {
        "n_boot": int(n_boot), "n_used": int(b.n_used), "n_failed": int(b.n_failed),
        "n_nonconverged": int(b.n_nonconverged), "n_inadmissible": int(b.n_inadmissible),
        "seed": seed,
        "parameters": [
            {"lhs": r.lhs, "op": r.op, "rhs": r.rhs, "est": json_float(r.est),
             "boot_se": json_float(r.boot_se), "ci_lower": json_float(r.ci_lower),
             "ci_upper": json_float(r.ci_upper), "bc_lower": json_float(r.bc_lower),
             "bc_upper": json_float(r.bc_upper)}
            for r in summ.itertuples(index=False)],
    }
    return block, b


def _bootstrap_table(out: dict, b) -> None:
    """The main table with lavaan's ``se = "bootstrap"`` columns: bootstrap SE, ``z = est /
    SE``, its normal p-value and the percentile interval (``ci_lower, ci_upper``; a fixed
    parameter's interval is its value, as ``parameterEstimates`` gives)."""
    summ = {(r.lhs, r.op, r.rhs): r for r in b.summary().itertuples(index=False)}
    for row in out["parameters"]:
        r = summ.get((row["lhs"], row["op"], row["rhs"]))
        if r is None:
            row["ci_lower"] = row["ci_upper"] = row["est"]
            continue
        z, p = wald(float(r.est), float(r.boot_se))
        row.update(se=json_float(r.boot_se), z=json_float(z), pvalue=json_float(p),
                   ci_lower=json_float(r.ci_lower), ci_upper=json_float(r.ci_upper))
    out["se"] = "bootstrap"
    out["warnings"] = list(out["warnings"]) + b.warnings


def fit_files(model_path: str | Path, data_path: str | Path, bootstrap: int | None = None,
              seed: int | None = None, jobs: int = 1, progress=False,
              na: tuple[str, ...] = ()) -> dict:
    """Fit the model in ``model_path`` to the CSV ``data_path`` (the ``replicate fit`` command).

    The data file is read as response files are read (:mod:`replication.data.csvfile`: comma,
    semicolon or tab delimited; encoding from a byte-order mark; empty files and duplicate
    headers refused); only the model's columns are parsed, into one float array; they must
    hold numbers, the structural problems of :func:`~replication.data.csvfile.check_structure`
    are named, and rows with missing values are left out (listwise deletion, with a warning
    that counts them). The covariance matrix is computed once, and no pandas object is made
    without ``bootstrap``.

    ``progress`` (a callable given the number of resamples finished, or a bool) follows the
    bootstrap (:func:`replication.engine.bootstrap.bootstrap`). ``na`` holds missing-value codes
    besides empty cells and ``NA`` (``replicate fit --na``).

    Returns
    -------
    dict
        :meth:`FitResult.to_json` output with ``n_total`` (rows of the file), ``n_dropped``
        (rows left out) and ``dropped`` (``{reason, rows}`` per reason). With ``bootstrap`` resamples (on
        ``jobs`` processes; the same draws for any ``jobs``) the parameter table carries the
        bootstrap ``se``, ``z``, ``pvalue`` and the percentile ``ci_lower, ci_upper`` as
        lavaan's ``se = "bootstrap"`` (``"se": "bootstrap"``), the warnings lavaan gives about
        failed and inadmissible resamples, and ``"bootstrap"``: ``n_boot``, ``n_used``,
        ``n_failed`` (left out: not converged or not positive definite), ``n_nonconverged``,
        ``n_inadmissible`` (kept), ``seed`` and per parameter ``lhs, op, rhs, est, boot_se,
        ci_lower, ci_upper, bc_lower, bc_upper``.
    """
    mp, dp = Path(model_path), Path(data_path)
    text, spec = read_model(mp)
    check_size(spec, mp)
    table, S, n_complete = _read_data(spec, mp, dp, tuple(na))
    n_rows = table.values.shape[0]
    incomplete = n_rows - n_complete
    res = _fit(text, S, n_complete, spec.ov, mp, dp)
    out = res.to_json()
    if incomplete:  # the result is never changed: the count goes into its JSON
        out["warnings"] = [f"{incomplete} of {n_rows} rows left out: {LISTWISE}",
                           *out.get("warnings", [])]
    out["n_total"] = int(n_rows)
    out["n_dropped"] = incomplete
    out["dropped"] = [{"reason": LISTWISE, "rows": incomplete}] if incomplete else []
    if bootstrap is not None:
        if int(bootstrap) != bootstrap or bootstrap < 1:
            raise InputError(f"--bootstrap: expected a positive number of resamples, got {bootstrap}")
        out["bootstrap"], b = _bootstrap_block(text, table.data, bootstrap, seed, jobs,
                                               progress, full=res)
        _bootstrap_table(out, b)
    json.dumps(out)
    return out
