"""Reading item-level response files (CSV) and checking them against a record.

A response file has one row per respondent and one column per item, named as in the record
(``<CONSTRUCT><k>``). :func:`read_table` reads any delimited text file robustly (BOM, comma,
semicolon or tab delimiter, duplicate headers refused); :func:`load_responses` then checks it against
a record: every item present (all missing ones named at once), numeric cells, values on the record's
Likert scale, enough complete rows, and missing values handled by listwise deletion (counted) or kept
for full-information ML. Every problem a user can fix raises :class:`~replication.engine.errors.InputError`
with one line naming the file, the columns and rows, and what was expected; what can still run is
returned as a note. The input file is only ever read.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from replication.engine.errors import InputError
from replication.record.schema import Record

__all__ = ["ResponseData", "read_table", "to_numeric", "load_responses", "describe_rows"]


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
        Warnings about what could still run (extra columns, dropped rows, continuous scores).
    """

    data: pd.DataFrame
    path: str
    n_read: int
    n_dropped: int
    notes: list[str] = field(default_factory=list)


def describe_rows(rows: list[int] | np.ndarray, limit: int = 5) -> str:
    """Human row numbers (1 = first data row, as a spreadsheet shows after the header)."""
    rows = [int(r) for r in rows]
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a delimited text file into a DataFrame of strings-or-numbers, refusing ambiguity.

    The delimiter (comma, semicolon, tab) is detected from the header line; a UTF-8 byte-order mark is
    removed; empty files, files with a header only and duplicate column names are refused.

    Raises
    ------
    InputError
        File missing, unreadable, empty, or with duplicate headers.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{p}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a directory; expected a CSV file") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("latin-1")
        except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
            raise InputError(f"{p}: not a text file; expected a UTF-8 CSV") from None
    if not text.strip():
        raise InputError(f"{p}: file is empty; expected a header line with item names and one row per respondent")
    header = text.splitlines()[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if max(counts.values()) > 0 else ","
    names = next(csv.reader([header], delimiter=delimiter))
    names = [n.strip() for n in names]
    if any(n == "" for n in names):
        pos = [i + 1 for i, n in enumerate(names) if n == ""]
        raise InputError(f"{p}: empty column name at position {', '.join(map(str, pos))}; expected item names in the header")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"{p}: duplicate column name{'s' if len(dup) > 1 else ''} {', '.join(dup)}; each item must appear once")
    try:
        df = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                         skipinitialspace=True)
    except (pd.errors.ParserError, ValueError) as exc:
        first = str(exc).splitlines()[0]
        raise InputError(f"{p}: not a well-formed {'CSV' if delimiter == ',' else 'delimited'} file ({first})") from None
    df.columns = names
    if len(df) == 0:
        raise InputError(f"{p}: header only, no responses; expected one row per respondent")
    return df


_MISSING = {"", "na", "nan", "n/a", "null", "none", ".", "-99", "-999"}


def to_numeric(df: pd.DataFrame, columns: list[str], path: Path) -> pd.DataFrame:
    """Columns of a table read by :func:`read_table` as floats (missing codes become NaN).

    Empty cells and ``NA``, ``NaN``, ``N/A``, ``null``, ``none``, ``.``, ``-99``, ``-999`` are
    missing; a decimal comma is accepted.

    Raises
    ------
    InputError
        A cell that is not a number: names the column, the rows and the first bad value.
    """
    out = {}
    bad: list[tuple[str, list[int]]] = []
    for c in columns:
        s = df[c].astype(str).str.strip()
        missing = s.str.lower().isin(_MISSING)
        num = pd.to_numeric(s.where(~missing, None).str.replace(",", ".", regex=False), errors="coerce")
        wrong = num.isna() & ~missing
        if wrong.any():
            bad.append((c, list(np.flatnonzero(wrong.to_numpy()) + 1)))
        out[c] = num.astype(float)
    if bad:
        col, rows = bad[0]
        extra = f" (and {len(bad) - 1} more column{'s' if len(bad) > 2 else ''})" if len(bad) > 1 else ""
        sample = df[col].iloc[rows[0] - 1]
        raise InputError(f"{path}: column {col}, {describe_rows(rows)}: non-numeric value {sample!r}{extra}; "
                         f"expected numbers (empty cell or NA for missing)")
    return pd.DataFrame(out, index=df.index)


def load_responses(path: str | Path, record: Record, *,
                   missing: Literal["listwise", "fiml"] = "listwise",
                   min_rows: int | None = None) -> ResponseData:
    """Read and validate a response file for a record.

    Parameters
    ----------
    path : str or Path
        CSV (comma, semicolon or tab delimited) with item names as columns.
    record : Record
        The published record; its item names and scale are what is expected.
    missing : {"listwise", "fiml"}
        ``listwise`` drops incomplete rows (and says how many); ``fiml`` keeps them for
        full-information maximum likelihood.
    min_rows : int, optional
        Minimum number of complete rows; default: number of items + 1 (a sample covariance matrix of
        full rank needs more rows than items).

    Returns
    -------
    ResponseData

    Raises
    ------
    InputError
        Missing item columns (all named), non-numeric cells, Likert values outside the scale, too few
        rows.
    """
    p = Path(path)
    table = read_table(p)
    items = record.item_list
    absent = [c for c in items if c not in table.columns]
    if absent:
        raise InputError(f"{p}: missing item column{'s' if len(absent) > 1 else ''} {', '.join(absent)}; "
                         f"expected the item names of record {record.id}")
    notes: list[str] = []
    extra = [c for c in table.columns if c not in items]
    if extra:
        notes.append(f"{len(extra)} column(s) not in the record were ignored: {', '.join(extra[:8])}"
                     + (" ..." if len(extra) > 8 else ""))
    data = to_numeric(table, items, p)
    values = data.to_numpy()
    finite = values[np.isfinite(values)]
    k = record.scale_points
    whole = np.equal(np.mod(finite, 1), 0)
    integer_valued = finite.size > 0 and bool(np.all(whole))
    if k is not None and finite.size and not integer_valued and whole.mean() >= 0.95:
        # mostly whole numbers: Likert responses with a few stray cells, not continuous scores
        stray = ~np.equal(np.mod(data.fillna(1.0), 1), 0)
        col = next(c for c in items if stray[c].any())
        rows = list(np.flatnonzero(stray[col].to_numpy()) + 1)
        val = data[col].iloc[rows[0] - 1]
        raise InputError(f"{p}: column {col}, {describe_rows(rows)}: value {val:g} is not a whole "
                         f"number; expected whole numbers 1 to {k} (the {k}-point scale)")
    if k is None:  # no scale_points in the record: continuous indicators
        notes.append("the record has no scale points: responses read as continuous scores")
    elif integer_valued:
        out_of_range = (data < 1) | (data > k)
        if out_of_range.to_numpy().any():
            col = next(c for c in items if out_of_range[c].any())
            rows = list(np.flatnonzero(out_of_range[col].to_numpy()) + 1)
            val = data[col].iloc[rows[0] - 1]
            raise InputError(f"{p}: column {col}, {describe_rows(rows)}: value {val:g} outside the "
                             f"{k}-point scale; expected whole numbers 1 to {k}")
    else:
        notes.append("responses are not whole numbers: read as continuous scores (scale range not enforced)")
    n_read = len(data)
    incomplete = data.isna().any(axis=1)
    n_dropped = 0
    if incomplete.any():
        if missing == "listwise":
            n_dropped = int(incomplete.sum())
            data = data.loc[~incomplete].reset_index(drop=True)
            notes.append(f"{n_dropped} of {n_read} rows with missing values removed (listwise deletion)")
        else:
            notes.append(f"{int(incomplete.sum())} of {n_read} rows have missing values (kept for FIML)")
    need = min_rows if min_rows is not None else len(items) + 1
    complete_rows = int((~data.isna().any(axis=1)).sum()) if missing == "fiml" else len(data)
    if (len(data) if missing == "fiml" else complete_rows) < need:
        raise InputError(f"{p}: {complete_rows} complete rows; expected at least {need} "
                         f"(more respondents than the {len(items)} items)")
    constant = [c for c in items if data[c].nunique(dropna=True) <= 1]
    if constant:
        raise InputError(f"{p}: constant column{'s' if len(constant) > 1 else ''} {', '.join(constant)}: "
                         "every respondent gave the same answer; expected items that vary")
    return ResponseData(data=data[items].astype(float), path=str(p), n_read=n_read,
                        n_dropped=n_dropped, notes=notes)
