"""Step 1 of the pipeline: the record and the responses a replication analyses.

:func:`load_inputs` reads the published record and the responses (reconstructed or simulated by
:mod:`replication.data.reconstruct`, or a user's CSV checked by :mod:`replication.data.responses`),
with a provenance block saying exactly which data were used; :func:`data_summary`,
:func:`assumptions_table` and :func:`sample_table` show them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import hashlib
import os

from replication.data import printed_matrix, reconstruct
from replication.data.csvfile import describe_rows, near_names, problem_message, text_to_float
from replication.data.likert import reverse_items
from replication.data.responses import (load_responses, read_column, read_responses,
                                        validate_responses)
from replication.engine.arguments import (MAX_N, check_choice, check_int, check_path, check_seed,
                                          described)
from replication.engine.errors import InputError
from replication.record.loading import as_record

__all__ = ["SOURCES", "Inputs", "load_inputs", "frame_responses", "data_summary", "assumptions_table", "sample_table"]

SOURCES = ("reconstructed", "simulated")


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------
@dataclass
class Inputs:
    """What a notebook analyses.

    Attributes
    ----------
    record : replication.record.schema.Record
    data : DataFrame
        Item-level responses, item names as columns (and observed controls).
    provenance : dict
        ``source`` (``reconstructed``, ``simulated`` or ``csv``), ``seed``, ``n_rows``, and for
        a CSV its file name, SHA-256 and the rows read and dropped.
    notes : list of str
        Remarks from the loader or the reconstruction (rows dropped, numbers changed).
    reconstruction : object or None
        The :func:`replication.data.reconstruct.reconstruct` result (population, calibration).
    missing : str
        ``listwise`` or ``fiml``: how the fits treat incomplete rows (the record's
        ``sample.missing`` unless overridden).
    """

    record: Any
    data: pd.DataFrame
    provenance: dict
    notes: list = field(default_factory=list)
    reconstruction: Any = None
    missing: str = "listwise"


def _reconstruction_notes(result) -> list[str]:
    notes: list[str] = []
    for attr in ("notes", "messages"):
        v = getattr(result, attr, None)
        if isinstance(v, (list, tuple)):
            notes += [str(x) for x in v]
    changes = getattr(result, "changes", None)
    if changes is None:
        changes = getattr(getattr(result, "population", None), "changes", None)
    if isinstance(changes, pd.DataFrame) and not changes.empty:
        for r in changes.to_dict("records"):
            notes.append(f"{r.get('target')}: published {_short(r.get('published'))} changed to "
                         f"{_short(r.get('used'))} ({r.get('reason')})")
    return notes


def _short(value: Any) -> str:
    """A number for a sentence: four significant digits (the table keeps the full value)."""
    if isinstance(value, (float, np.floating)) and math.isfinite(value):
        return f"{float(value):.4g}"
    return str(value)


def _reverse_scored(record, data: pd.DataFrame, notes: list) -> pd.DataFrame:
    """Reverse-keyed items reverse-scored (min + max - x) before every analysis, as the paper did."""
    if not record.reversed_items:
        return data
    notes.append("Reverse-keyed items reverse-scored (1 + K - x) before every analysis: "
                 + ", ".join(record.reversed_items) + ".")
    return reverse_items(data, record.reversed_items, int(record.scale_points))


#: How a DataFrame of responses is named in messages (where a CSV would be named by its file).
FRAME = "data (DataFrame)"


def _frame_column(frame: pd.DataFrame, c: str, na: tuple[str, ...]) -> np.ndarray:
    """One item column of a DataFrame as floats (NaN missing), refused as a CSV cell would be."""
    col = frame[c]
    kind = col.dtype.kind
    if pd.api.types.is_bool_dtype(col.dtype):
        raise InputError(f"{FRAME}: column {c} holds True/False values; expected numbers")
    if kind in "iuf" or (pd.api.types.is_numeric_dtype(col.dtype) and kind != "c"):
        values = col.to_numpy(dtype=float, na_value=np.nan)
        codes = [float(code) for code in na if _is_number(code)]
        if codes:
            values = np.where(np.isin(values, codes), np.nan, values)
        inf = np.flatnonzero(np.isinf(values))
        if len(inf):
            raise InputError(f"{FRAME}: column {c}, {describe_rows(inf + 1)}: infinite value; "
                             "expected finite numbers")
        return values
    if kind in "OSU" or isinstance(col.dtype, pd.StringDtype):
        values, problem = text_to_float(col.map(_cell_text), na)
        if problem is not None:
            raise InputError(problem_message(Path(FRAME), c, problem))
        return values
    raise InputError(f"{FRAME}: column {c} has dtype {col.dtype}; expected numbers")


def _cell_text(v):
    """A cell of an object column as a CSV would hold it: numbers (and True/False) as text,
    missing values kept."""
    if isinstance(v, (bool, np.bool_)):
        return str(v)
    if isinstance(v, (int, float, np.number)):
        return None if v != v else repr(float(v)) if isinstance(v, (float, np.floating)) else str(v)
    return v


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def frame_responses(frame: pd.DataFrame, record, *, missing: str = "listwise",
                    na: tuple[str, ...] = ()) -> tuple[pd.DataFrame, dict, list[str]]:
    """Responses given as a DataFrame, checked exactly as a CSV with the same columns is.

    Every item column must be present (all absent ones named at once), numeric (numbers as
    text are read as a CSV cell is; ``True``/``False`` and infinite values are refused), on the
    record's scale, and the columns must give a usable covariance matrix
    (:func:`replication.data.responses.validate_responses`). Other columns are ignored, with a
    note.

    Returns
    -------
    tuple
        ``(data, provenance, notes)``; the provenance names the DataFrame as the file and holds
        the SHA-256 of the item columns written as CSV.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"data: expected a pandas DataFrame, got {described(frame)}")
    items = record.item_list
    names = [c for c in frame.columns if isinstance(c, str)]
    absent = [c for c in items if c not in frame.columns]
    if absent:
        raise InputError(f"{FRAME}: missing item column{'s' if len(absent) > 1 else ''} "
                         f"{', '.join(absent)}; expected the item names of record {record.id}"
                         + near_names(absent, names))
    duplicated = [c for c in items if int((frame.columns == c).sum()) > 1]
    if duplicated:
        raise InputError(f"{FRAME}: column {duplicated[0]} appears more than once; expected one "
                         "column per item")
    frame = frame.reset_index(drop=True)
    data = pd.DataFrame({c: _frame_column(frame, c, tuple(na)) for c in items})
    notes: list[str] = []
    extra = [str(c) for c in frame.columns if c not in items]
    if extra:
        notes.append(f"{len(extra)} column(s) not in the record were ignored: {', '.join(extra[:8])}"
                     + (" ..." if len(extra) > 8 else ""))
    data, n_dropped, notes = validate_responses(data, record, FRAME, missing=missing,
                                                declared=bool(na), notes=notes)
    sha = hashlib.sha256(data.to_csv(index=False, lineterminator="\n").encode("utf-8")).hexdigest()
    prov = {"source": "csv", "file": "DataFrame", "sha256": sha, "n_read": int(len(frame)),
            "n_dropped": int(n_dropped), "n_rows": int(len(data))}
    return data, prov, notes


def _check_na(na) -> tuple[str, ...]:
    if isinstance(na, str) or not isinstance(na, (tuple, list)) or \
            not all(isinstance(code, str) for code in na):
        raise TypeError(f"na: expected a tuple of missing-value codes (str), got {described(na)}")
    return tuple(na)


def load_inputs(paper_id, source: str = "reconstructed",
                data_path: str | os.PathLike | pd.DataFrame | None = None,
                seed: int = 2024, n: int | None = None, na: tuple[str, ...] = (),
                missing: str | None = None) -> Inputs:
    """The record and the responses a notebook analyses.

    Parameters
    ----------
    paper_id : str, path or Record
        Bundled paper id, a path to a ``paper.yaml`` or a loaded record.
    source : {"reconstructed", "simulated"}
        Where the responses come from when ``data_path`` is not given.
    data_path : str, path or DataFrame, optional
        A CSV of real responses (item names as columns), or the same responses as a DataFrame;
        when given it wins over ``source``. A file is only read, never written.
    seed : int
        Seed of the reconstruction (and, later, of the bootstrap), 0 to 2**32 - 1.
    n : int, optional
        Rows to reconstruct (default: the record's analysed N).
    na : tuple of str
        Missing-value codes of the CSV besides empty cells and ``NA`` (``("-99",)``).
    missing : {"listwise", "fiml"}, optional
        How incomplete rows are treated; default the record's ``sample.missing``.

    Returns
    -------
    Inputs

    Raises
    ------
    InputError
        Unknown paper or source, or a response file that does not fit the record.
    TypeError
        An argument of the wrong type.
    """
    record = as_record(paper_id, "paper")
    check_choice(source, "source", SOURCES)
    seed = check_seed(seed)
    if n is not None:
        n = check_int(n, "n", 1, MAX_N)
    na = _check_na(na)
    if missing is not None:
        check_choice(missing, "missing", ("listwise", "fiml"))
    miss = record.sample.missing if missing is None else missing
    if miss not in ("listwise", "fiml"):
        raise InputError(f"missing: {miss!r}; expected listwise or fiml")
    if isinstance(data_path, pd.DataFrame):
        data, prov, notes = frame_responses(data_path, record, missing=miss, na=na)
        data = _with_group(record, data, prov, notes, miss, *_frame_group(record, data_path, na))
        data = _reverse_scored(record, data, notes)
        prov["seed"] = seed
        return Inputs(record, data, _with_missing(prov, notes, miss, missing), notes, None, miss)
    if data_path is not None and not isinstance(data_path, (str, os.PathLike)):
        raise TypeError(f"data_path: expected the path of a CSV file or a pandas DataFrame, got "
                        f"{described(data_path)}")
    if data_path is not None and str(data_path).strip():
        path = Path(check_path(data_path, "data_path", "the path of a CSV file"))
        if not path.is_file():
            raise InputError(f"{path}: file not found (data_path); expected a CSV of responses")
        loaded = load_responses(path, record, na=na, missing=miss)
        notes = list(loaded.notes)
        # the response file's own name and hash, also when read from the validated copy
        prov = {"source": "csv", "file": loaded.file, "sha256": loaded.sha256,
                "n_read": int(loaded.n_read), "n_dropped": int(loaded.n_dropped),
                "n_rows": int(len(loaded.data)), "seed": seed}
        data = _with_group(record, loaded.data, prov, notes, miss,
                           *_file_group(record, path, loaded.na, loaded.file))
        data = _reverse_scored(record, data, notes)
        if loaded.na:
            prov["na_codes"] = list(loaded.na)
        return Inputs(record, data, _with_missing(prov, notes, miss, missing), notes, None, miss)
    if source == "reconstructed" and printed_matrix.applies(record):  # fitted to the printed matrix
        data, prov, notes = printed_matrix.matrix_responses(record, seed, n, miss)
        return Inputs(record, _reverse_scored(record, data, notes), prov, notes, None, miss)
    result = reconstruct.reconstruct(record, source=source, seed=seed, n=n)
    data = result.data
    printed_n = record.values().get("sample.n")
    prov = {"source": source, "seed": seed, "n_rows": int(len(data)),
            "n_published": int(printed_n.value) if printed_n is not None else None,
            "n_status": printed_n.status if printed_n is not None else "not printed"}
    notes = _reconstruction_notes(result)
    data = _reverse_scored(record, data, notes)
    return Inputs(record, data, prov, notes, result, miss)


def _file_group(record, path: Path, na: tuple, name: str):
    """The group column of a response file (``model.group``), one cell per row of the file,
    and the rows the loader kept of the file (None without groups)."""
    col = getattr(record.model, "group", None)
    if col is None:
        return None, None, name
    cells = read_column(path, col, na)
    if cells is None:
        return None, None, name
    raw, _ = read_responses(path, record.item_list, na=na, record_id=record.id)
    return cells, raw.isna().any(axis=1).to_numpy(), name


def _frame_group(record, frame: pd.DataFrame, na: tuple):
    """:func:`_file_group` of responses given as a DataFrame."""
    col = getattr(record.model, "group", None)
    if col is None or col not in frame.columns:
        return None, None, FRAME
    frame = frame.reset_index(drop=True)
    raw = pd.DataFrame({c: _frame_column(frame, c, na) for c in record.item_list})
    return frame[col], raw.isna().any(axis=1).to_numpy(), FRAME


def _with_group(record, data: pd.DataFrame, prov: dict, notes: list, miss: str, cells,
                incomplete, where: str) -> pd.DataFrame:
    """The responses with the record's group column (``model.group``) beside the items.

    Rows are those the loader kept (complete rows listwise; every row for full-information
    ML); a row without a group (an empty cell) is removed and counted with the rows dropped
    (provenance ``n_dropped``, ``n_dropped_group``, a note), as lavaan leaves it out.

    Raises
    ------
    InputError
        The responses have no such column (naming ``model.group`` and the file).
    """
    col = getattr(record.model, "group", None)
    if col is None:
        return data
    if cells is None:
        raise InputError(f"{where}: no column {col!r} (model.group); expected the column that "
                         "holds the groups")
    kept = cells[~incomplete] if miss == "listwise" else cells
    kept = kept.reset_index(drop=True)
    if len(kept) != len(data):
        raise InputError(f"{where}: model.group: {len(kept)} rows with a group for "
                         f"{len(data)} rows of responses; expected one group per row")
    absent = kept.isna() | kept.map(lambda v: isinstance(v, str) and not v.strip())
    out = data.reset_index(drop=True).assign(**{col: kept.to_numpy()})
    k = int(absent.sum())
    if k:
        out = out.loc[~absent.to_numpy()].reset_index(drop=True)
        notes.append(f"{k} of {len(data)} rows without a group (column {col}, model.group) "
                     "removed")
    prov["n_dropped"] = int(prov.get("n_dropped", 0)) + k
    prov["n_dropped_group"] = k
    prov["n_rows"] = int(len(out))
    return out


def _with_missing(prov: dict, notes: list, miss: str, asked: str | None) -> dict:
    """Real responses kept incomplete for full-information ML: said in provenance and notes."""
    if miss == "fiml":
        prov["missing"] = "fiml"
        notes.append("Incomplete rows kept: the models are fitted by full-information ML "
                     + ("(the paper's treatment)." if asked is None else "(--missing fiml)."))
    return prov


#: What the report calls each provenance field (``results.json`` keeps the keys).
PROVENANCE_LABELS = {
    "source": "data", "file": "response file", "sha256": "SHA-256 of the responses",
    "n_read": "rows read", "n_dropped": "rows left out", "n_dropped_group": "rows without a group",
    "n_rows": "rows analysed", "n_published": "N of the original study",
    "n_status": "status of that N", "seed": "random seed", "na_codes": "missing-value codes",
    "missing": "incomplete rows", "matrix": "printed matrix", "where": "printed at",
}


def data_summary(inputs: Inputs) -> pd.DataFrame:
    """Which data were used: one row per provenance field, named as a reader says it
    (:data:`PROVENANCE_LABELS`), and the loader's notes."""
    rows = [{"field": PROVENANCE_LABELS.get(k, k.replace("_", " ")), "value": _provenance_value(v)}
            for k, v in inputs.provenance.items()]
    rows += [{"field": "note", "value": str(note)} for note in inputs.notes]
    return pd.DataFrame(rows, columns=["field", "value"])


def _provenance_value(value) -> str:
    """A provenance value as text: lists joined by commas, nothing printed as ``None``."""
    if value is None:
        return "not printed"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def assumptions_table(record) -> pd.DataFrame:
    """The record's assumptions: ``target, value, reason`` (values the paper did not print)."""
    rows = [{"target": a.target, "value": shown_value(a.value), "reason": a.reason}
            for a in record.assumptions]
    return pd.DataFrame(rows, columns=["target", "value", "reason"])


def shown_value(value) -> str:
    """An assumed value as the table prints it: whole numbers (counts, scale points) without
    decimals, other numbers to 3 decimals, lists joined by commas."""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def sample_table(record) -> pd.DataFrame:
    """The published sample description (N, scale, software, groups) with locations."""
    rows = []
    s = record.sample
    for name in ("n", "invited", "response_rate", "scale_points"):
        v = record.values().get(f"sample.{name}") if name in ("n", "scale_points") else None
        p = getattr(s, name)
        if p is not None:
            rows.append({"measure": name, "category": "", "printed": p.printed, "status": "published",
                         "where": p.where})
        elif v is not None:
            rows.append({"measure": name, "category": "", "printed": str(v.value),
                         "status": v.status, "where": f"assumption: {v.reason}"})
    if s.software is not None:
        rows.append({"measure": "software", "category": "", "printed": s.software.value,
                     "status": "published", "where": s.software.where})
    for g in s.groups:
        for kind in ("count", "percent"):
            p = getattr(g, kind)
            if p is not None:
                rows.append({"measure": f"{g.measure} ({kind})", "category": g.category,
                             "printed": p.printed, "status": "published", "where": p.where})
    return pd.DataFrame(rows, columns=["measure", "category", "printed", "status", "where"])
