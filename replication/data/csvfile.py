"""Reading a delimited text file of numbers once, with bounded memory and named problems.

:func:`read_numeric` parses a response file (comma, semicolon or tab delimited) with pyarrow's
multi-threaded CSV reader straight into one float64 array, so memory stays within about twice
the numeric data, and every problem a user can fix is one :class:`InputError` line naming the
file, the column, the rows and the value:

- what the file is: only regular files are read (a device such as ``/dev/zero`` or a pipe never
  ends); at most :data:`MAX_FILE_BYTES` bytes and :data:`MAX_CELLS` numbers; a workbook, archive
  or other binary file is named as such;
- its encoding, from a byte-order mark (UTF-8, UTF-16 LE/BE; UTF-16 without a mark is recognised
  by its zero bytes); text without a mark that is not UTF-8 is read as Latin-1;
- missing values: empty cells and ``NA`` only, plus the codes the user declares (``--na
  -99,-999``: numbers are compared as numbers, so ``-99`` also matches ``-99.0``);
- numbers: a decimal comma (``3,5``) is read as a decimal point, and so is ``2,125`` in a
  column whose other cells show decimal commas (``7,75``, ``0,375``) and no decimal point; a
  thousands separator (``3,844`` in a column without such evidence, or ``1.234.567``) is
  refused, never rescaled; any other text (including ``nan`` and
  ``inf``) is refused with its rows.

:func:`check_structure` (:mod:`replication.data.structure`, re-exported here) then names what
makes a covariance matrix singular: an empty or constant column, identical or collinear
columns, fewer complete rows than columns.

The fast path converts every requested column to float64 in the reader; only when that fails
is the file read a second time as text, to say exactly which cells are wrong.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

from replication.data.structure import check_structure
from replication.engine.errors import InputError

if TYPE_CHECKING:  # pandas is loaded for a DataFrame, and to name bad cells, only
    import pandas as pd

__all__ = ["MAX_FILE_BYTES", "MAX_CELLS", "MAX_HEADER_BYTES", "MISSING", "NumericTable",
           "parse_na_codes",
           "describe_rows", "sniff", "read_numeric", "text_to_float", "problem_message",
           "check_structure", "near_names"]

#: Largest response file read (bytes): 2 GiB.
MAX_FILE_BYTES = 2 * 1024**3
#: Most numbers read from one file (rows times columns read): 100 million, 800 MB as float64.
MAX_CELLS = 100_000_000
#: Longest header line read (bytes): 1 MiB; a longer one is refused, never cut.
MAX_HEADER_BYTES = 1 << 20
#: Cells read as missing without any declaration: empty (or blank) cells and ``NA``.
MISSING = ("", "NA")

_SAMPLE = 1 << 16
_MAGIC = [
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls) or other OLE file"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"BZh", "a bzip2-compressed file"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"%PDF", "a PDF document"),
    (b"PAR1", "a Parquet file"),
    (b"ARROW1", "an Arrow file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"$FL2", "an SPSS data file (.sav)"),
]
_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$"
                        r"|^[+-]?[1-9]\d{0,2}(?:(?:\.\d{3}){2,}(?:,\d+)?|(?:\.\d{3})+,\d+)$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")


@dataclass(frozen=True)
class NumericTable:
    """Numbers read from a delimited text file.

    Attributes
    ----------
    values : ndarray
        The columns read, float64, in Fortran order (one column after the other), NaN where a
        cell is missing (empty, ``NA`` or a declared code) or, for a column kept as text, in
        every row.
    read : list of str
        Names of the columns of ``values``.
    path : Path
        The file read.
    columns : list of str
        Every column name of the header, in file order (including those not read).
    encoding : str
        ``utf-8``, ``utf-16`` or ``latin-1``.
    delimiter : str
    na_counts : dict
        Column -> number of cells that held a declared missing-value code.
    text : dict
        Column -> its cells as text, for the columns that do not hold numbers (read with
        ``strict=False`` only).
    data : DataFrame
        ``values`` as a DataFrame with the text columns as text (built when first asked for,
        without copying the numbers).
    """

    values: np.ndarray
    read: list[str]
    path: Path
    columns: list[str]
    encoding: str
    delimiter: str
    na_counts: dict[str, int] = field(default_factory=dict)
    text: dict[str, list] = field(default_factory=dict)

    @cached_property
    def data(self) -> pd.DataFrame:
        import pandas as pd

        data = pd.DataFrame(self.values, columns=self.read, copy=False)
        for c, cells in self.text.items():
            data[c] = pd.Series(cells, dtype=object)
        return data


def describe_rows(rows: Sequence[int] | np.ndarray, limit: int = 5) -> str:
    """Human row numbers (1 = first data row, as a spreadsheet shows after the header)."""
    rows = [int(r) for r in rows]
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


def parse_na_codes(text: str | Iterable[str] | None, option: str = "--na") -> tuple[str, ...]:
    """Missing-value codes from ``"-99,-999"`` (or a list of codes).

    Returns
    -------
    tuple of str
        The codes, stripped, duplicates removed, in the order given.

    Raises
    ------
    InputError
        An empty code, or a code with a comma, quote or line break in it.
    """
    if text is None:
        return ()
    parts = text.split(",") if isinstance(text, str) else [str(t) for t in text]
    out: list[str] = []
    for part in parts:
        code = part.strip()
        if not code or any(ch in code for ch in "\"'\n\r\t"):
            raise InputError(f"{option} {text if isinstance(text, str) else ','.join(parts)}: "
                             f"expected missing-value codes separated by commas, such as -99,-999")
        if code not in out:
            out.append(code)
    return tuple(out)


def _numeric_codes(codes: Sequence[str]) -> np.ndarray:
    vals = []
    for c in codes:
        try:
            v = float(c)
        except ValueError:
            continue
        if np.isfinite(v):
            vals.append(v)
    return np.asarray(vals, dtype=float)


# --------------------------------------------------------------------------------------------
# What the file is
# --------------------------------------------------------------------------------------------
def _open_regular(path: Path) -> os.stat_result:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path}: is a directory; expected a CSV file")
    if not stat.S_ISREG(st.st_mode):
        kind = ("a pipe" if stat.S_ISFIFO(st.st_mode) else
                "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        raise InputError(f"{path}: is {kind}, which may never end; expected a CSV file "
                         "(save the data to a file first)")
    if st.st_size > MAX_FILE_BYTES:
        raise InputError(f"{path}: {st.st_size / 1024**3:.1f} GiB; expected at most "
                         f"{MAX_FILE_BYTES // 1024**3} GiB (keep only the item columns, or a sample)")
    return st


def _binary_kind(head: bytes) -> str | None:
    for magic, what in _MAGIC:
        if head.startswith(magic):
            if what == "a ZIP archive" and (b"xl/" in head or b"[Content_Types].xml" in head):
                return "an Excel workbook (.xlsx)"
            if what == "a ZIP archive" and b"opendocument.spreadsheet" in head:
                return "an OpenDocument spreadsheet (.ods)"
            return what
    return None


def near_names(absent: Sequence[str], names: Sequence[str]) -> str:
    """A hint for column names that differ from the wanted ones only in capitals or spaces.

    Returns ``""`` when there is none, else e.g. ``" (the file has 't1' for 'T1'; names must
    match exactly, capitals included)"``, to append to a missing-column message.
    """
    folded = {n.replace(" ", "").lower(): n for n in names}
    pairs = [(folded[a.replace(" ", "").lower()], a) for a in absent
             if a.replace(" ", "").lower() in folded]
    if not pairs:
        return ""
    shown = ", ".join(f"{have!r} for {want!r}" for have, want in pairs[:3])
    more = f" and {len(pairs) - 3} more" if len(pairs) > 3 else ""
    return f" (the file has {shown}{more}; names must match exactly, capitals included)"


def sniff(path: str | os.PathLike) -> tuple[str, str, list[str]]:
    """Encoding, delimiter and column names of a delimited text file (header line only).

    Returns
    -------
    tuple
        ``(encoding, delimiter, names)``: encoding ``utf-8``, ``utf-16-le``, ``utf-16-be`` or
        ``latin-1``; delimiter ``,``, ``;`` or a tab (the most frequent in the header).

    Raises
    ------
    InputError
        Not a regular file, too large, binary, empty, an empty or duplicate column name.
    """
    p = Path(path)
    _open_regular(p)
    head, whole = _head(p)
    kind = _binary_kind(head)
    if kind is not None:
        raise InputError(f"{p}: is {kind}, not a text file; expected a CSV file (in a spreadsheet "
                         "program: save as CSV)")
    encoding, text = _decode(p, head)
    if not text.strip():
        raise InputError(f"{p}: file is empty; expected a header line with item names and one row "
                         "per respondent")
    end = head.find(b"\n")
    if end > MAX_HEADER_BYTES or (end < 0 and not whole and "\r" not in text):
        # never cut a name: a header the limit does not hold is refused, not truncated
        raise InputError(f"{p}: the header line is longer than {MAX_HEADER_BYTES:,} bytes "
                         f"(1 MiB); expected a header of at most {MAX_HEADER_BYTES:,} bytes")
    header = text.splitlines()[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if max(counts.values()) > 0 else ","
    names = [n.strip() for n in next(csv.reader([header], delimiter=delimiter))]
    # an unnamed column (R's row names from write.csv, a trailing delimiter) is never an item:
    # it gets a name no item can have and is not read
    names = [n or f"(unnamed column {i + 1})" for i, n in enumerate(names)]
    seen: set[str] = set()
    dup = sorted({n for n in names if n in seen or seen.add(n)})
    if dup:
        raise InputError(f"{p}: duplicate column name{'s' if len(dup) > 1 else ''} "
                         f"{', '.join(dup)}; each item must appear once")
    return encoding, delimiter, names


def _head(p: Path) -> tuple[bytes, bool]:
    """The file's first bytes up to the end of the header line (at most
    :data:`MAX_HEADER_BYTES` and a block more), and whether they are the whole file."""
    try:
        with open(p, "rb") as fh:
            head = fh.read(_SAMPLE)
            while b"\n" not in head[-_SAMPLE:] and len(head) <= MAX_HEADER_BYTES:
                more = fh.read(_SAMPLE)
                if not more:
                    return head, True
                head += more
            return head, len(head) < _SAMPLE or not fh.read(1)
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror})") from None


def _decode(p: Path, head: bytes) -> tuple[str, str]:
    """Encoding of a file from its first bytes (byte-order mark, zero bytes) and the text."""
    if head.startswith(codecs.BOM_UTF8):
        enc, body = "utf-8", head[3:]
    elif head.startswith(codecs.BOM_UTF16_LE):
        enc, body = "utf-16-le", head[2:]
    elif head.startswith(codecs.BOM_UTF16_BE):
        enc, body = "utf-16-be", head[2:]
    elif b"\x00" in head:
        even, odd = head[0::2], head[1::2]
        if even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
            enc, body = "utf-16-be", head
        elif odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
            enc, body = "utf-16-le", head
        else:
            raise InputError(f"{p}: is a binary file (zero bytes), not text; expected a CSV file")
    else:
        enc, body = "utf-8", head
    if enc.startswith("utf-16"):
        body = body[: len(body) - len(body) % 2]
    text = body.decode(enc, errors="ignore")
    if enc == "utf-8":
        cut = body[: body.rfind(b"\n") + 1] or body
        try:
            cut.decode("utf-8")
        except UnicodeDecodeError:
            enc, text = "latin-1", body.decode("latin-1")
        if sum(ch < 32 and ch not in (9, 10, 13) for ch in body[:4096]) > 0:
            raise InputError(f"{p}: is a binary file (control bytes), not text; expected a CSV file")
    return enc, text


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------
def _count_lines(p: Path, limit: int) -> int:
    """Lines in the file (newline bytes), stopping once ``limit`` is passed: the file mapped
    into memory and compared with the newline byte 4 MiB at a time (no copy of the file)."""
    import mmap

    block = 1 << 22
    with open(p, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return 0
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            view = np.frombuffer(mm, dtype=np.uint8)
            hit = np.empty(min(block, len(view)), dtype=bool)
            n = 0
            try:
                for start in range(0, len(view), block):
                    part = view[start:start + block]
                    out = hit[:len(part)]
                    np.equal(part, 10, out=out)
                    n += int(np.count_nonzero(out))
                    if n > limit:
                        break
            finally:
                del view, part
            return n


def read_numeric(path: str | os.PathLike, columns: Sequence[str] | None = None, *,
                 na: Sequence[str] = (), strict: bool = True) -> NumericTable:
    """Read columns of a delimited text file as numbers.

    Parameters
    ----------
    path : path
        A comma, semicolon or tab delimited text file with a header line.
    columns : sequence of str, optional
        Columns to read (default: all); each must be in the header.
    na : sequence of str
        Declared missing-value codes besides empty cells and ``NA`` (see
        :func:`parse_na_codes`); a numeric code matches numerically.
    strict : bool
        Raise for a column that does not hold numbers (default). With ``False`` such a column
        is kept as text (object dtype) and :func:`text_to_float` says what is wrong with it
        when it is needed.

    Returns
    -------
    NumericTable

    Raises
    ------
    InputError
        Every problem :func:`sniff` names; a column not in the header; a row with more or fewer
        fields than the header; a header without rows; too many numbers; a cell that is not a
        number (column, rows, value).
    """
    p = Path(path)
    encoding, delimiter, names = sniff(p)
    wanted = list(names) if columns is None else list(dict.fromkeys(columns))
    known = set(names)
    absent = [c for c in wanted if c not in known]
    if absent:
        raise InputError(f"{p}: no column {', '.join(absent)}; expected a header naming it")
    lines = _count_lines(p, MAX_CELLS // max(len(wanted), 1) + 2)
    if lines * len(wanted) > MAX_CELLS + 2 * len(wanted):
        raise InputError(f"{p}: more than {MAX_CELLS:,} numbers in the {len(wanted)} columns read; "
                         f"expected at most {MAX_CELLS // max(len(wanted), 1):,} rows")
    codes = tuple(na)
    box = [_read_fast(p, encoding, delimiter, names, wanted, codes)]
    values, text = (None, {}) if box[0] is None else (_fill(box, wanted), {})
    if values is None:  # a cell that is not a plain number: read as text, to name it
        box = [None]
        table = _read_text(p, encoding, delimiter, names, wanted, codes)
        if table.num_rows == 0:
            raise InputError(f"{p}: header only, no responses; expected one row per respondent")
        values, text = _convert_text(p, table, wanted, codes, strict)
        del table
    counts = _apply_codes(values, wanted, codes)
    return NumericTable(values=values, read=wanted, path=p, columns=names, encoding=encoding,
                        delimiter=delimiter, na_counts=counts, text=text)


def _fill(box: list, wanted: list[str]) -> np.ndarray | None:
    """The float columns of the table in ``box`` as one Fortran-order array, each chunk copied
    once into place, the table's columns released as they are copied (the table is taken out
    of ``box``); None when a column holds ``nan`` or ``inf`` written as text, which are not
    answers (the text path then names them)."""
    table = box.pop()
    n = table.num_rows
    values = _empty_columns(n, len(wanted))
    for j, c in enumerate(wanted):
        col = table.column(c)
        start = 0
        for chunk in col.chunks:  # straight into the array: no intermediate copy
            values[start:start + len(chunk), j] = _chunk_floats(chunk)
            start += len(chunk)
        column = values[:, j]
        if not np.isfinite(column.sum()):  # missing cells, or 'nan' / 'inf' read as numbers
            if int(np.count_nonzero(np.isnan(column))) != col.null_count or \
                    np.isinf(column).any():
                return None
        del col
        table = table.drop_columns([c])
    return values


def _chunk_floats(chunk) -> np.ndarray:
    """A float64 Arrow chunk as numpy: a view of its data buffer, NaN where a cell is null
    (read from the validity bitmap, least significant bit first). pyarrow's own ``to_numpy``
    would load pandas."""
    n, off = len(chunk), chunk.offset
    if n == 0:
        return np.empty(0)
    bitmap, data = chunk.buffers()[:2]
    vals = np.frombuffer(data, dtype=np.float64, count=n, offset=off * 8)
    if chunk.null_count:
        bits = np.unpackbits(np.frombuffer(bitmap, dtype=np.uint8), bitorder="little")
        vals = np.where(bits[off:off + n].astype(bool), vals, np.nan)
    return vals


def _convert_text(p: Path, table, wanted: list[str], codes, strict: bool):
    """Columns read as text converted cell by cell (:func:`text_to_float`): the values and,
    with ``strict=False``, the cells of the columns that are not numbers."""
    import pandas as pd

    values = _empty_columns(table.num_rows, len(wanted))
    text: dict[str, list] = {}
    for j, c in enumerate(wanted):
        cells = table.column(c).to_pylist()
        num, problem = text_to_float(pd.Series(cells, dtype=object), codes)
        if problem is not None:
            if strict:
                raise InputError(problem_message(p, c, problem))
            text[c] = cells
            values[:, j] = np.nan
        else:
            values[:, j] = num
    return values, text


def _options(encoding: str, delimiter: str, names: list[str], wanted: list[str], codes, types,
             handler=None):
    import pyarrow.csv as pcsv

    read = pcsv.ReadOptions(column_names=names, skip_rows=1, encoding="utf8" if encoding == "utf-8" else encoding,
                            use_threads=handler is None)
    parse = pcsv.ParseOptions(delimiter=delimiter, invalid_row_handler=handler)
    conv = pcsv.ConvertOptions(column_types={c: types for c in wanted}, include_columns=wanted,
                               null_values=list(MISSING) + [c for c in codes],
                               strings_can_be_null=True, quoted_strings_can_be_null=True)
    return read, parse, conv


def _pool():
    """The C library's allocator for the parsed table: pyarrow's default (mimalloc) takes
    about as long again to hand out the fresh memory of a large file as the parse itself."""
    import pyarrow as pa

    return pa.system_memory_pool()


def _empty_columns(n: int, k: int) -> np.ndarray:
    """An uninitialised ``n x k`` float64 array in Fortran order, allocated without numpy's
    advice to back it with huge pages: where the kernel defragments memory for such advice
    when the pages are first written (transparent huge pages, ``defrag = madvise``), that
    costs several times the copy itself; the environment variable ``NUMPY_MADVISE_HUGEPAGE``,
    when set, is respected."""
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:  # pragma: no cover - another numpy
        return np.empty((n, k), dtype=float, order="F")
    if "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        return np.empty((n, k), dtype=float, order="F")
    before = _set_madvise_hugepage(False)
    try:
        return np.empty((n, k), dtype=float, order="F")
    finally:
        _set_madvise_hugepage(before)


def _source(p: Path, encoding: str):
    import pyarrow as pa

    return pa.memory_map(str(p)) if encoding == "utf-8" else str(p)


def _read_fast(p, encoding, delimiter, names, wanted, codes):
    """All columns as float64 in one multi-threaded parse; None if a cell is not a plain
    number (the text path then says which)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    read, parse, conv = _options(encoding, delimiter, names, wanted, codes, pa.float64())
    try:
        table = pcsv.read_csv(_source(p, encoding), read_options=read, parse_options=parse,
                              convert_options=conv, memory_pool=_pool())
    except pa.ArrowInvalid as exc:
        if "conversion error" in str(exc):
            return None
        raise InputError(_parse_error(p, exc, encoding, delimiter, names, wanted, codes)) from None
    if table.num_rows == 0:
        raise InputError(f"{p}: header only, no responses; expected one row per respondent")
    return table


def _read_text(p, encoding, delimiter, names, wanted, codes):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    read, parse, conv = _options(encoding, delimiter, names, wanted, codes, pa.string())
    try:
        return pcsv.read_csv(_source(p, encoding), read_options=read, parse_options=parse,
                             convert_options=conv, memory_pool=_pool())
    except pa.ArrowInvalid as exc:
        if "invalid UTF8" in str(exc) or "UTF8" in str(exc):
            raise InputError(f"{p}: text that is not UTF-8 in a data row; expected a CSV saved as "
                             "UTF-8") from None
        raise InputError(_parse_error(p, exc, encoding, delimiter, names, wanted, codes)) from None


def _parse_error(p, exc, encoding, delimiter, names, wanted, codes) -> str:
    """One line for a row the reader cannot split (found again, single-threaded, by number)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    bad: list = []

    def handler(row):
        bad.append(row)
        return "error"

    read, parse, conv = _options(encoding, delimiter, names, wanted, codes, pa.string(), handler)
    try:
        pcsv.read_csv(_source(p, encoding), read_options=read, parse_options=parse,
                      convert_options=conv)
    except pa.ArrowInvalid:
        pass
    if bad and bad[0].number is not None:
        r = bad[0]
        return (f"{p}: row {r.number - 1} has {r.actual_columns} field"
                f"{'s' if r.actual_columns != 1 else ''}; expected {r.expected_columns} "
                f"(as many as the header)")
    first = str(exc).splitlines()[0]
    return f"{p}: not a well-formed {'CSV' if delimiter == ',' else 'delimited'} file ({first})"


# --------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------
def _decimal_comma_column(unambiguous: pd.Series, text: pd.Series) -> bool:
    """Whether a column writes decimals with a comma: some cell can only be read so (``7,75``,
    ``0,375``, ``3,5``) and no cell (thousands groups aside) has a decimal point."""
    if not unambiguous.any():
        return False
    return not text.map(lambda v: isinstance(v, str) and "." in v).any()


def text_to_float(cells: pd.Series, na: Sequence[str] = ()) -> tuple[np.ndarray, tuple | None]:
    """Numbers from text cells.

    Parameters
    ----------
    cells : Series of str or None
        ``None`` (or an empty or blank cell, ``NA``, a declared code) is missing.
    na : sequence of str
        Declared missing-value codes.

    Returns
    -------
    tuple
        ``(values, problem)``: float64 values (NaN where missing) and ``None``, or ``problem`` =
        ``(kind, rows, value)`` with ``kind`` ``"thousands"``, ``"infinite"`` or ``"text"``, the
        1-based rows and the first offending cell.
    """
    import pandas as pd

    s = cells.astype(object).where(cells.notna(), None)
    s = s.map(lambda v: v.strip() if isinstance(v, str) else v)
    missing = s.isna() | s.isin(list(MISSING) + list(na))
    text = s.where(~missing, None)
    thousands = text.map(lambda v: bool(_THOUSANDS.match(v)) if isinstance(v, str) else False)
    comma = text.map(lambda v: bool(_DECIMAL_COMMA.match(v)) if isinstance(v, str) else False)
    if _decimal_comma_column(comma & ~thousands, text.where(~thousands, None)):
        thousands &= ~comma  # '2,125' beside '7,75' and '0,375': a decimal comma
    if thousands.any():
        rows = np.flatnonzero(thousands.to_numpy(bool)) + 1
        return np.array([]), ("thousands", rows, text.iloc[rows[0] - 1])
    if comma.any():
        text = text.where(~comma, text.str.replace(",", ".", regex=False))
    words = text.map(lambda v: v.lower().lstrip("+-") if isinstance(v, str) else "")
    infinite = words.isin(["inf", "infinity"])
    if infinite.any():
        rows = np.flatnonzero(infinite.to_numpy(bool)) + 1
        return np.array([]), ("infinite", rows, cells.iloc[rows[0] - 1])
    num = pd.to_numeric(text.where(words != "nan", "x"), errors="coerce").astype(float)
    wrong = (num.isna() | np.isinf(num)) & ~missing
    if wrong.any():
        rows = np.flatnonzero(wrong.to_numpy(bool)) + 1
        kind = "infinite" if np.isinf(num.iloc[rows[0] - 1]) else "text"
        return np.array([]), (kind, rows, cells.iloc[rows[0] - 1])
    return num.to_numpy(float), None


def problem_message(p: Path, column: str, problem: tuple) -> str:
    """The one-line error for a ``problem`` of :func:`text_to_float` in ``column`` of ``p``."""
    kind, rows, value = problem
    if kind == "thousands":
        return (f"{p}: column {column}, {describe_rows(rows)}: {value!r} has a thousands separator; "
                "expected plain numbers without digit grouping (3844, not 3,844)")
    if kind == "infinite":
        return (f"{p}: column {column}, {describe_rows(rows)}: infinite value {value!r}; expected "
                "finite numbers")
    return (f"{p}: column {column}, {describe_rows(rows)}: non-numeric value {value!r}; expected "
            "numbers (empty cell or NA for missing, other codes declared with --na)")


def _apply_codes(values: np.ndarray, columns: list[str], codes: Sequence[str]) -> dict[str, int]:
    """Declared numeric codes become NaN, in place; counts per column."""
    nums = _numeric_codes(codes)
    counts: dict[str, int] = {}
    if nums.size == 0:
        return counts
    for j, c in enumerate(columns):
        hit = np.isin(values[:, j], nums)
        k = int(np.count_nonzero(hit))
        if k:
            values[hit, j] = np.nan
            counts[c] = k
    return counts
