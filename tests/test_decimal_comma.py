"""Decimal commas against thousands separators in exported response files.

A file written with a German or French locale (semicolon delimiter, decimal comma) holds cells
such as ``2,125`` that look like a thousands separator on their own; the other cells of the
column (``7,75``, ``0,375``) show that the comma is the decimal mark there.
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from replication.data.csvfile import read_numeric, text_to_float
from replication.engine.errors import InputError
from tests.conftest import ROOT

HS = ROOT / "tests" / "fixtures" / "lavaan" / "holzinger_swineford.csv"


@pytest.mark.parametrize("cells, expected", [
    (["3,844", "2,5"], [3.844, 2.5]),
    (["0,375", "2,125", None], [0.375, 2.125, np.nan]),
])
def test_comma_is_decimal_where_the_column_shows_it(cells, expected):
    values, problem = text_to_float(pd.Series(cells))
    assert problem is None
    np.testing.assert_array_equal(values, expected)


@pytest.mark.parametrize("cells, row, value", [
    (["3,844", "4,000"], 1, "3,844"),      # no evidence either way: refused, not rescaled
    (["3,844", "2.5"], 1, "3,844"),        # decimal points beside it: a thousands separator
    (["0,375", "2,125", "1.234,5"], 3, "1.234,5"),
    (["1,5", "1.234.567"], 2, "1.234.567"),
])
def test_thousands_separators_are_refused(cells, row, value):
    values, problem = text_to_float(pd.Series(cells))
    assert problem[0] == "thousands" and problem[1][0] == row and problem[2] == value


def test_semicolon_file_with_decimal_commas_reads_as_the_original(tmp_path):
    rows = list(csv.reader(HS.open()))
    path = tmp_path / "hs_de.csv"
    path.write_text("\n".join(";".join(c.replace(".", ",") for c in r) for r in rows) + "\n",
                    encoding="utf-8")
    ours = read_numeric(path, [f"x{i}" for i in range(1, 10)])
    ref = pd.read_csv(HS)[[f"x{i}" for i in range(1, 10)]].to_numpy(float)
    np.testing.assert_array_equal(ours.data.to_numpy(float), ref)


def test_comma_file_with_grouped_thousands_names_the_column(tmp_path):
    path = tmp_path / "grouped.csv"
    path.write_text('x1,x2\n"3,844",1\n"4,100",2\n"5,000",3\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"column x1.*thousands separator"):
        read_numeric(path, ["x1", "x2"])
