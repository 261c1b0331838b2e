"""Reading item-level response files (CSV) and checking them against a record.

A response file has one row per respondent and one column per item, named as in the record
(``<CONSTRUCT><k>``). :mod:`replication.data.csvfile` reads it once (encoding from a byte-order
mark, comma, semicolon or tab delimiter, bounded size, declared missing-value codes);
:func:`load_responses` then checks it against a record: every item present (all missing ones
named at once), numeric cells, values on the record's Likert scale, no empty, constant, identical
or collinear columns, enough complete rows, and missing values handled by listwise deletion
(counted) or kept for full-information ML. Every problem a user can fix raises
:class:`~replication.engine.errors.InputError` with one line naming the file, the columns and
rows, and what was expected; what can still run is returned as a note. The input file is only
ever read.

``replicate run --data`` parses the file once: :func:`read_responses` reads the item columns of
every record run, :func:`save_validated` keeps them (numbers, with the file's name and SHA-256)
as an Arrow file in the run's staging folder, and the notebooks' :func:`load_responses` reads
that copy instead of parsing the CSV again.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Sequence

import numpy as np
import pandas as pd

from replication.data.csvfile import (check_structure, describe_rows, near_names, read_numeric,
                                      sniff, problem_message, text_to_float)
from replication.engine.errors import InputError

if TYPE_CHECKING:  # the record layer (pydantic) is not imported to read a file for replicate fit
    from replication.record.schema import Record

__all__ = ["ResponseData", "read_table", "to_numeric", "load_responses", "describe_rows",
           "read_responses", "validate_responses", "save_validated", "file_sha256", "read_column"]

_ARROW_MAGIC = b"ARROW1"
_META_KEY = b"replication.responses"


@dataclass(frozen=True)
class ResponseData:
    """Validated responses.

    Attributes
    ----------
    data : DataFrame
        Item columns in record order (float), after missing-value handling.
    path : str
        The file read.
    n_read : int
        Rows in the file.
    n_dropped : int
        Rows removed by listwise deletion.
    notes : list of str
        Warnings about what could still run (extra columns, dropped rows, continuous scores,
        declared missing-value codes found).
    file : str
        Name of the response file (without folders; the original CSV when read from a
        validated copy).
    sha256 : str
        SHA-256 of the response file's bytes.
    na : tuple of str
        Missing-value codes declared besides empty cells and ``NA``.
    """

    data: pd.DataFrame
    path: str
    n_read: int
    n_dropped: int
    notes: list[str] = field(default_factory=list)
    file: str = ""
    sha256: str = ""
    na: tuple[str, ...] = ()


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (read in blocks)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_table(path: str | Path, na: Sequence[str] = ()) -> pd.DataFrame:
    """Read a delimited text file: numeric columns as floats, other columns kept as text.

    The delimiter (comma, semicolon, tab) is detected from the header line, the encoding from a
    byte-order mark; empty files, files with a header only, duplicate column names, binary files
    and files that are too large are refused (see :mod:`replication.data.csvfile`). Empty cells,
    ``NA`` and the codes in ``na`` are missing (NaN).

    Raises
    ------
    InputError
        File missing, unreadable, empty, binary, too large, or with duplicate headers.
    """
    return read_numeric(path, na=tuple(na), strict=False).data


def to_numeric(df: pd.DataFrame, columns: list[str], path: Path, *,
               missing: Literal["listwise", "fiml"] = "listwise") -> pd.DataFrame:
    """Columns of a table read by :func:`read_table` as floats, checked for a usable covariance.

    Raises
    ------
    InputError
        A cell that is not a number (names the column, the rows and the first bad value; a
        thousands separator is named as such), or columns that cannot give a positive definite
        covariance matrix (:func:`replication.data.csvfile.check_structure`: empty, constant,
        identical or collinear columns, fewer rows than columns).
    """
    for c in columns:
        if not pd.api.types.is_float_dtype(df[c]):
            values, problem = text_to_float(df[c])
            if problem is not None:
                raise InputError(problem_message(Path(path), c, problem))
    if all(pd.api.types.is_float_dtype(df[c]) for c in columns):
        data = df.copy(deep=False) if list(df.columns) == list(columns) else df[list(columns)]
    else:
        data = pd.DataFrame({c: df[c] if pd.api.types.is_float_dtype(df[c])
                             else text_to_float(df[c])[0] for c in columns}, index=df.index)
    check_structure(data, path, listwise=missing == "listwise")
    return data


def read_responses(path: str | Path, items: Sequence[str], *, na: Sequence[str] = (),
                   record_id: str = "") -> tuple[pd.DataFrame, list[str]]:
    """The item columns of a response file as floats (NaN missing), parsed once.

    Returns
    -------
    tuple
        ``(data, notes)``: the items in the order given, and notes on ignored columns and on the
        declared codes found.

    Raises
    ------
    InputError
        Missing item columns (all named at once) and every problem of
        :func:`replication.data.csvfile.read_numeric`.
    """
    p = Path(path)
    if _is_arrow(p):
        data, meta = _read_validated(p)
        absent = [c for c in items if c not in data.columns]
        if absent:
            raise InputError(f"{meta['file']}: missing item columns {', '.join(absent)}")
        return data[list(items)], list(meta.get("notes", []))
    _, _, names = sniff(p)
    absent = [c for c in items if c not in names]
    if absent:
        raise InputError(f"{p}: missing item column{'s' if len(absent) > 1 else ''} "
                         f"{', '.join(absent)}; expected the item names of record {record_id}"
                         + near_names(absent, names))
    table = read_numeric(p, list(items), na=tuple(na))
    notes: list[str] = []
    extra = [c for c in names if c not in items]
    if extra:
        notes.append(f"{len(extra)} column(s) not in the record were ignored: {', '.join(extra[:8])}"
                     + (" ..." if len(extra) > 8 else ""))
    if table.na_counts:
        total = sum(table.na_counts.values())
        notes.append(f"{total} cell(s) with the declared missing-value code(s) "
                     f"{', '.join(na)} read as missing")
    return table.data, notes


def save_validated(data: pd.DataFrame, out: str | Path, *, source: str | Path,
                   na: Sequence[str] = (), notes: Sequence[str] = ()) -> Path:
    """Keep responses read by :func:`read_responses` as an Arrow file for the notebooks.

    The file holds the numbers and, as metadata, the source file's name and SHA-256, the declared
    missing-value codes and the reader's notes, so that :func:`load_responses` on it gives what it
    gives on the source file, without parsing it again.
    """
    import pyarrow as pa

    src = Path(source)
    meta = {"file": src.name, "sha256": file_sha256(src), "na": list(na), "notes": list(notes)}
    table = pa.Table.from_pandas(data, preserve_index=False)
    table = table.replace_schema_metadata({_META_KEY: json.dumps(meta).encode("utf-8")})
    target = Path(out)
    with pa.OSFile(str(target), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return target


def _is_arrow(p: Path) -> bool:
    """Whether ``p`` is a regular file starting as an Arrow file does (a pipe is never opened)."""
    try:
        if not stat.S_ISREG(os.stat(p).st_mode):
            return False
        with open(p, "rb") as fh:
            return fh.read(len(_ARROW_MAGIC)) == _ARROW_MAGIC
    except OSError:
        return False


def _validated_meta(p: Path, schema=None) -> dict:
    import pyarrow as pa

    if schema is None:
        with pa.memory_map(str(p)) as source:
            schema = pa.ipc.open_file(source).schema
    raw = (schema.metadata or {}).get(_META_KEY)
    if raw is None:
        raise InputError(f"{p}: an Arrow file not written by replicate run; expected a CSV file")
    return json.loads(raw.decode("utf-8"))


def _read_validated(p: Path) -> tuple[pd.DataFrame, dict]:
    import pyarrow as pa

    with pa.memory_map(str(p)) as source:
        table = pa.ipc.open_file(source).read_all()
    meta = _validated_meta(p, table.schema)
    data = pd.DataFrame({c: _arrow_column(table.column(c)) for c in table.column_names})
    return data, meta


def _arrow_column(column):
    """A column of the validated copy: numbers as floats, text (a group column) as text."""
    import pyarrow as pa

    values = column.to_numpy(zero_copy_only=False)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return values
    return values.astype(float)


def read_column(path: str | Path, column: str, na: Sequence[str] = ()) -> pd.Series | None:
    """One column of a response file (CSV or the validated copy) as it was read, one value per
    row of the file (numbers as floats, text as text, missing cells NaN), or None when the file
    has no such column: the group column of a multi-group record."""
    p = Path(path)
    if _is_arrow(p):
        data, _ = _read_validated(p)
    else:
        if column not in sniff(p)[2]:
            return None
        data = read_table(p, na)
    return data[column].reset_index(drop=True) if column in data.columns else None


def load_responses(path: str | Path, record: Record, *,
                   missing: Literal["listwise", "fiml"] = "listwise",
                   min_rows: int | None = None, na: Sequence[str] = ()) -> ResponseData:
    """Read and validate a response file for a record.

    Parameters
    ----------
    path : str or Path
        CSV (comma, semicolon or tab delimited) with item names as columns, or the validated
        copy :func:`save_validated` wrote.
    record : Record
        The published record; its item names and scale are what is expected.
    missing : {"listwise", "fiml"}
        ``listwise`` drops incomplete rows (and says how many); ``fiml`` keeps them for
        full-information maximum likelihood.
    min_rows : int, optional
        Minimum number of complete rows; default: number of items + 1 (a sample covariance matrix of
        full rank needs more rows than items).
    na : sequence of str
        Missing-value codes besides empty cells and ``NA`` (``("-99", "-999")``); a numeric code
        also matches ``-99.0``. A validated copy carries the codes it was read with.

    Returns
    -------
    ResponseData

    Raises
    ------
    InputError
        Missing item columns (all named), non-numeric cells, Likert values outside the scale, an
        empty, constant, identical or collinear column, too few rows.
    """
    p = Path(path)
    items = record.item_list
    copy = _is_arrow(p)
    if copy:
        meta = _validated_meta(p)
        name, sha, na = meta["file"], meta["sha256"], tuple(meta.get("na", ()))
    else:
        name, sha, na = p.name, "", tuple(na)
    data, notes = read_responses(p, items, na=na, record_id=record.id)
    data, n_dropped, notes = validate_responses(data, record, Path(name) if copy else p,
                                                missing=missing, min_rows=min_rows,
                                                declared=bool(na), notes=notes)
    return ResponseData(data=data, path=str(p), n_read=len(data) + n_dropped,
                        n_dropped=n_dropped, notes=notes, file=name,
                        sha256=sha or file_sha256(p), na=tuple(na))


def validate_responses(data: pd.DataFrame, record: Record, where: str | Path, *,
                       missing: Literal["listwise", "fiml"] = "listwise",
                       min_rows: int | None = None, declared: bool = False,
                       notes: Sequence[str] = ()) -> tuple[pd.DataFrame, int, list[str]]:
    """Check item columns read by :func:`read_responses` against a record.

    Returns
    -------
    tuple
        ``(data, n_dropped, notes)``: the items in record order as floats after missing-value
        handling, the rows removed (listwise), and the notes with what was done.

    Raises
    ------
    InputError
        Values off the record's scale, and every problem of
        :func:`replication.data.csvfile.check_structure`.
    """
    items = record.item_list
    data = data[items]
    notes = list(notes)
    notes += _check_scale(data, items, record.scale_points, Path(where), declared)
    n_read = len(data)
    check_structure(data, where, listwise=missing == "listwise", min_rows=min_rows)
    incomplete = data.isna().any(axis=1)
    n_dropped = 0
    if incomplete.any():
        if missing == "listwise":
            n_dropped = int(incomplete.sum())
            data = data.loc[~incomplete].reset_index(drop=True)
            notes.append(f"{n_dropped} of {n_read} rows with missing values removed (listwise deletion)")
        else:
            notes.append(f"{int(incomplete.sum())} of {n_read} rows have missing values (kept for FIML)")
    return data.astype(float), n_dropped, notes


def _check_scale(data: pd.DataFrame, items: list[str], k: int | None, p: Path,
                 declared: bool) -> list[str]:
    """Refuse values off the record's ``k``-point scale (whole numbers 1 to k), naming them.

    A record without scale points (``k`` None) has continuous indicators: nothing is refused.
    """
    if k is None:
        return ["the record has no scale points: responses read as continuous scores"]
    values = data.to_numpy()
    finite = values[np.isfinite(values)]
    whole = np.equal(np.mod(finite, 1), 0)
    integer_valued = finite.size > 0 and bool(np.all(whole))
    hint = "" if declared else "; a code for a missing answer must be declared (--na CODES)"
    if finite.size and not integer_valued and whole.mean() >= 0.95:
        # mostly whole numbers: Likert responses with a few stray cells, not continuous scores
        stray = ~np.equal(np.mod(data.fillna(1.0), 1), 0)
        col = next(c for c in items if stray[c].any())
        rows = list(np.flatnonzero(stray[col].to_numpy()) + 1)
        val = data[col].iloc[rows[0] - 1]
        raise InputError(f"{p}: column {col}, {describe_rows(rows)}: value {val:g} is not a whole "
                         f"number; expected whole numbers 1 to {k} (the {k}-point scale)")
    if integer_valued:
        out_of_range = (data < 1) | (data > k)
        if out_of_range.to_numpy().any():
            col = next(c for c in items if out_of_range[c].any())
            rows = list(np.flatnonzero(out_of_range[col].to_numpy()) + 1)
            val = data[col].iloc[rows[0] - 1]
            raise InputError(f"{p}: column {col}, {describe_rows(rows)}: value {val:g} outside the "
                             f"{k}-point scale; expected whole numbers 1 to {k}{hint}")
        return []
    return ["responses are not whole numbers: read as continuous scores (scale range not enforced)"]
