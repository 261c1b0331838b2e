"""Unnamed columns in a response file's header are not items and are not read.

R's ``write.csv`` writes the row names under an empty header cell, and some spreadsheet exports
end every line with a delimiter; neither column is an item of any model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from replication.data.csvfile import read_numeric, sniff
from tests.conftest import ROOT

HS = ROOT / "tests" / "fixtures" / "lavaan" / "holzinger_swineford.csv"
ITEMS = [f"x{i}" for i in range(1, 10)]


def test_row_names_column_of_r_write_csv_is_skipped(tmp_path):
    data = pd.read_csv(HS)
    data.index = range(1, len(data) + 1)
    path = tmp_path / "rownames.csv"
    data.to_csv(path)  # header ",x1,...,x9" as R's write.csv
    _, _, names = sniff(path)
    assert names[0] == "(unnamed column 1)" and names[1:] == ITEMS
    table = read_numeric(path, ITEMS)
    np.testing.assert_array_equal(table.data.to_numpy(float), data[ITEMS].to_numpy(float))


def test_trailing_delimiter_column_is_skipped(tmp_path):
    rows = HS.read_text().splitlines()
    path = tmp_path / "trailing.tsv"
    path.write_text("\n".join(r.replace(",", "\t") + "\t" for r in rows) + "\n")
    _, delimiter, names = sniff(path)
    assert delimiter == "\t" and names[-1] == "(unnamed column 10)"
    table = read_numeric(path, ITEMS)
    np.testing.assert_array_equal(table.data.to_numpy(float),
                                  pd.read_csv(HS)[ITEMS].to_numpy(float))


def test_names_differing_in_capitals_are_pointed_out():
    from replication.data.csvfile import near_names

    assert near_names(["x1"], ["X1", "x2"]) == (" (the file has 'X1' for 'x1'; names must match "
                                               "exactly, capitals included)")
    assert near_names(["T1"], ["t 1"]).startswith(" (the file has 't 1' for 'T1'")
    assert near_names(["x1"], ["y1"]) == ""
    many = near_names([f"T{i}" for i in range(5)], [f"t{i}" for i in range(5)])
    assert "and 2 more" in many


def test_fit_names_the_column_that_differs_only_in_capitals(tmp_path):
    from replication.data.csvfile import sniff
    from replication.engine.errors import InputError
    from replication.pipeline.fit_files import fit_files

    data = pd.read_csv(HS)
    data.columns = [c.upper() for c in data.columns]
    path = tmp_path / "upper.csv"
    data.to_csv(path, index=False)
    model = tmp_path / "hs.lav"
    model.write_text("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n")
    assert sniff(path)[2][0] == "X1"
    try:
        fit_files(model, path)
    except InputError as exc:
        assert "no column 'x1'" in str(exc) and "'X1' for 'x1'" in str(exc)
    else:
        raise AssertionError("expected an InputError")
