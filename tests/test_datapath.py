"""The real-data path under stress: encodings, non-text files, missing-value codes, separators,
singular columns, unbounded inputs, the validated copy, stale staging folders, failed fits."""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from replication.compare.core import classify_reproduction, fit_problems
from replication.data import csvfile
from replication.data.responses import load_responses, save_validated
from replication.engine.errors import InputError
from replication.record.schema import load_record

REC = load_record("live_commerce")
ITEMS = REC.item_list
ROOT = Path(__file__).resolve().parents[1]


def _frame(n=40, seed=1):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.integers(1, 6, size=(n, len(ITEMS))), columns=ITEMS)


def _error(path, match, **kw):
    before = path.read_bytes() if path.is_file() else None
    with pytest.raises(InputError) as exc:
        load_responses(path, REC, **kw)
    msg = str(exc.value)
    assert "\n" not in msg and str(path) in msg, msg
    assert match in msg, msg
    if before is not None:
        assert path.read_bytes() == before
    return msg


# ------------------------------------------------------------------ encodings
@pytest.mark.parametrize("encoding,bom", [("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
                                          ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-16-le", b"")])
def test_encoding_from_the_byte_order_mark(tmp_path, encoding, bom):
    df = _frame()
    p = tmp_path / "r.csv"
    p.write_bytes(bom + df.to_csv(index=False).encode(encoding))
    out = load_responses(p, REC)
    assert np.array_equal(out.data.to_numpy(), df.to_numpy(float))


def test_latin1_header_without_mark_is_read(tmp_path):
    df = _frame().assign(**{"Kommentar_ä": 1})
    p = tmp_path / "r.csv"
    p.write_bytes(df.to_csv(index=False).encode("latin-1"))
    out = load_responses(p, REC)
    assert np.array_equal(out.data.to_numpy(), df[ITEMS].to_numpy(float))


# ------------------------------------------------------------------ files that are not text
def _zip(path, names):
    with zipfile.ZipFile(path, "w") as z:
        for n in names:
            z.writestr(n, "<x/>")
    return path


@pytest.mark.parametrize("make,needle", [
    (lambda p: _zip(p, ["[Content_Types].xml", "xl/workbook.xml"]), "an Excel workbook (.xlsx)"),
    (lambda p: _zip(p, ["a.txt"]), "a ZIP archive"),
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)), "Excel 97-2003"),
    (lambda p: p.write_bytes(bytes(range(256)) * 4), "binary file"),
    (lambda p: p.write_bytes(b"\x1f\x8b\x08\x00" + bytes(100)), "gzip-compressed"),
])
def test_non_text_files_are_named(tmp_path, make, needle):
    p = tmp_path / "responses.csv"
    make(p)
    msg = _error(p, needle)
    assert "not a text file" in msg or "not text" in msg


def test_devices_and_pipes_stop_at_once(tmp_path):
    with pytest.raises(InputError, match="is a device, which may never end"):
        load_responses("/dev/zero", REC)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="is a pipe, which may never end"):
        load_responses(fifo, REC)


def test_size_and_number_limits(tmp_path, monkeypatch):
    p = tmp_path / "r.csv"
    _frame().to_csv(p, index=False)
    monkeypatch.setattr(csvfile, "MAX_FILE_BYTES", 100)
    _error(p, "expected at most 0 GiB")
    monkeypatch.setattr(csvfile, "MAX_FILE_BYTES", 2 * 1024**3)
    monkeypatch.setattr(csvfile, "MAX_CELLS", 21 * 30)
    _error(p, "more than 630 numbers in the 21 columns read; expected at most 30 rows")


# ------------------------------------------------------------------ cells
def test_thousands_separator_refused_never_rescaled(tmp_path):
    df = _frame().astype(object)
    df.loc[6, "PI2"] = "3,844"
    p = tmp_path / "r.csv"
    df.to_csv(p, index=False)
    _error(p, "column PI2, row 7: '3,844' has a thousands separator")
    cells = pd.Series(["1.234.567", "2"])
    assert csvfile.text_to_float(cells)[1][0] == "thousands"


def test_decimal_comma_is_a_decimal_point():
    values, problem = csvfile.text_to_float(pd.Series(["3,5", "0,125", " 2 ", None, "NA"]))
    assert problem is None
    np.testing.assert_array_equal(values, [3.5, 0.125, 2.0, np.nan, np.nan])


@pytest.mark.parametrize("code,needle", [
    ("-99", "column T2, row 4: value -99 outside the 5-point scale; expected whole numbers 1 to 5; "
            "a code for a missing answer must be declared (--na CODES)"),
    ("-999", "value -999 outside the 5-point scale"),
    (".", "column T2, row 4: non-numeric value '.'"),
    ("none", "column T2, row 4: non-numeric value 'none'"),
    ("nan", "column T2, row 4: non-numeric value 'nan'"),
])
def test_only_empty_cells_and_NA_are_missing_by_default(tmp_path, code, needle):
    df = _frame().astype(object)
    df.loc[3, "T2"] = code
    p = tmp_path / "r.csv"
    df.to_csv(p, index=False)
    _error(p, needle)


def test_declared_codes_match_numerically(tmp_path):
    df = _frame(n=60).astype(object)
    df.loc[3, "T2"] = "-99"
    df.loc[5, "T3"] = "-99.0"
    df.loc[7, "SN1"] = "."
    df.loc[9, "SN2"] = ""
    df.loc[11, "SN3"] = "NA"
    p = tmp_path / "r.csv"
    df.to_csv(p, index=False)
    out = load_responses(p, REC, na=csvfile.parse_na_codes("-99, ."))
    assert out.n_dropped == 5 and out.n_read == 60 and out.na == ("-99", ".")
    assert any("declared missing-value code(s) -99, . read as missing" in n for n in out.notes)
    kept = load_responses(p, REC, na=("-99", "."), missing="fiml")
    assert kept.data.loc[[3, 5, 7, 9, 11]].isna().sum().sum() == 5
    with pytest.raises(InputError, match="--na"):
        csvfile.parse_na_codes("-99,,")


def test_ragged_row_named(tmp_path):
    text = _frame(n=30).to_csv(index=False).splitlines()
    text[5] = ",".join(text[5].split(",")[:-2])
    p = tmp_path / "r.csv"
    p.write_text("\n".join(text) + "\n")
    _error(p, "row 5 has 19 fields; expected 21 (as many as the header)")


# ------------------------------------------------------------------ columns
def test_empty_column_named(tmp_path):
    df = _frame().astype(object)
    df["HI2"] = ""
    p = tmp_path / "r.csv"
    df.to_csv(p, index=False)
    _error(p, "empty column HI2: no answers at all")


def test_identical_columns_named(tmp_path):
    df = _frame()
    df["MI2"] = df["T1"]
    p = tmp_path / "r.csv"
    df.to_csv(p, index=False)
    _error(p, "columns T1 and MI2 are identical")


def test_collinear_columns_named(tmp_path):
    df = _frame(n=200).astype(float) + 0.5
    df["RB3"] = df["RB1"] + df["RB2"] - 3.0
    p = tmp_path / "r.csv"
    df.to_csv(p, index=False)
    _error(p, "columns RB1, RB2, RB3 are collinear")


def test_fewer_rows_than_items_named(tmp_path):
    p = tmp_path / "r.csv"
    _frame(n=15).to_csv(p, index=False)
    _error(p, "15 complete rows; expected at least 22 (more respondents than the 21 items)")


# ------------------------------------------------------------------ parsed once
def test_validated_copy_gives_what_the_file_gives(tmp_path):
    df = _frame(n=50).astype(object)
    df.loc[2, "T1"] = "-9"
    p = tmp_path / "answers.csv"
    df.to_csv(p, index=False)
    direct = load_responses(p, REC, na=("-9",))
    data, notes = csvfile.read_numeric(p, ITEMS, na=("-9",)).data, []
    copy = save_validated(data, tmp_path / "copy.arrow", source=p, na=("-9",), notes=notes)
    via = load_responses(copy, REC)
    pd.testing.assert_frame_equal(via.data, direct.data)
    assert (via.file, via.sha256, via.na, via.n_dropped) == ("answers.csv", direct.sha256, ("-9",), 1)


def test_large_file_is_read_within_twice_its_numbers(tmp_path):
    rng = np.random.default_rng(0)
    n, k = 200_000, 21
    p = tmp_path / "big.csv"
    pd.DataFrame(rng.normal(size=(n, k)).round(3), columns=[f"x{j}" for j in range(k)]).to_csv(p, index=False)
    code = ("import resource, sys; from replication.data.csvfile import read_numeric\n"
            "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            f"t = read_numeric({str(p)!r})\n"
            "print(t.data.shape[0], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    rows, grown_kib = map(int, out.stdout.split())
    numbers = n * k * 8 / 1024
    assert rows == n and grown_kib < 2.5 * numbers, (grown_kib, numbers)


# ------------------------------------------------------------------ staging folders
def test_stale_staging_folders_are_removed(tmp_path):
    from replication.report.runner import remove_stale_staging

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    names = [f".staging-live_commerce-{dead}-ab12cd34", ".staging-e_engagement-x1y2z3w4",
             f".staging-data-{dead}-qwerty12", ".old-live_commerce-0a1b2c3d",
             f".staging-value_cocreation-{os.getpid()}-keep1234", "live_commerce", ".keep"]
    for n in names:
        (tmp_path / n).mkdir()
        (tmp_path / n / "x.ipynb").write_text("{}")
    removed = {p.name for p in remove_stale_staging(tmp_path)}
    assert removed == set(names[:4])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[4:])


# ------------------------------------------------------------------ fits that find nothing
def test_failed_fits_make_the_classification_not_reproduced():
    cfa = SimpleNamespace(converged=False, warnings=["the optimizer did not converge"])
    sem = SimpleNamespace(converged=True, warnings=["negative variance (Heywood case): PR ~~ PR = -0.0833"])
    problems = fit_problems(CFA=cfa, SEM=sem, other=None)
    assert problems == ["the CFA did not converge",
                        "the SEM is inadmissible (negative variance (Heywood case): PR ~~ PR = -0.0833)"]
    out = classify_reproduction({"reproduced": 8}, {"reproduced": 40}, "tables", problems=problems)
    assert out["label"] == "not reproduced"
    assert out["reason"].startswith("the CFA did not converge; the SEM is inadmissible")
    assert fit_problems(CFA=SimpleNamespace(converged=True, warnings=[])) == []


# ------------------------------------------------------------------ command line
def _cli(*args):
    return subprocess.run([sys.executable, "-m", "replication", *args], capture_output=True,
                          text=True, cwd=ROOT)


@pytest.mark.parametrize("args,needle", [
    (["run", "live_commerce", "--bootstrap", "10000000"], "--bootstrap: expected a whole number from 2 to 100,000"),
    (["reconstruct", "live_commerce", "--n", "100000000", "--out", "x.csv"], "--n: expected a whole number from 1 to 1,000,000"),
    (["power", "live_commerce", "--reps", "10000000"], "--reps: expected a whole number from 1 to 100,000"),
    (["fit", "m.lav", "d.csv", "--bootstrap", "200000"], "--bootstrap: expected a whole number from 2 to 100,000"),
    (["run", "live_commerce", "--na", "-99"], "--na: declares missing-value codes of a response file; give --data too"),
    (["fit", "m.lav", "/dev/zero"], "/dev/zero: is a device, which may never end"),
])
def test_bounded_options_and_endless_files(args, needle, tmp_path):
    if args[0] == "fit" and args[1] == "m.lav":
        args = ["fit", str(tmp_path / "m.lav")] + args[2:]
        (tmp_path / "m.lav").write_text("f =~ x1 + x2 + x3\n")
    res = _cli(*args)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], res.stderr


def test_lines_counted_on_the_mapped_file(tmp_path):
    p = tmp_path / "lines.csv"
    p.write_bytes(b"a,b\n" + b"1,2\n" * 3_000_000 + b"3,4")
    assert csvfile._count_lines(p, 10**9) == 3_000_001
    assert 1000 < csvfile._count_lines(p, 1000) <= 3_000_001
    (tmp_path / "empty.csv").write_bytes(b"")
    assert csvfile._count_lines(tmp_path / "empty.csv", 10) == 0


def test_missing_cells_of_a_large_file_are_nan(tmp_path):
    """Cells left empty in a file read in many blocks become NaN in their rows only (the
    validity bitmaps of the parsed chunks)."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300_000, 3)).round(3)
    holes = rng.random(X.shape) < 0.01
    p = tmp_path / "holes.csv"
    pd.DataFrame(np.where(holes, np.nan, X), columns=["a", "b", "c"]).to_csv(p, index=False)
    t = csvfile.read_numeric(p)
    assert t.values.flags.f_contiguous
    assert np.array_equal(np.isnan(t.values), holes)
    assert np.array_equal(t.values[~holes], X[~holes])
