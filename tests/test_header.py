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
