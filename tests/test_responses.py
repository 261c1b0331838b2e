"""Response-file loader: every kind of bad file gives one line naming file, column and rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from replication.engine.errors import InputError
from replication.record.schema import load_record
from replication.data.responses import load_responses, read_table

REC = load_record("live_commerce")
ITEMS = REC.item_list


def _frame(n=40, seed=1):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.integers(1, 6, size=(n, len(ITEMS))), columns=ITEMS)


def _write(tmp_path, text, name="r.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def _expect_error(path, match, **kw):
    before = path.read_bytes()
    with pytest.raises(InputError) as exc:
        load_responses(path, REC, **kw)
    msg = str(exc.value)
    assert "\n" not in msg and str(path) in msg
    assert match in msg, msg
    assert path.read_bytes() == before
    return msg


def test_good_file_roundtrip(tmp_path):
    df = _frame()
    p = _write(tmp_path, df.to_csv(index=False))
    out = load_responses(p, REC)
    assert list(out.data.columns) == ITEMS
    assert np.array_equal(out.data.to_numpy(), df.to_numpy().astype(float))
    assert out.n_dropped == 0 and out.notes == []


def test_missing_columns_all_named(tmp_path):
    df = _frame().drop(columns=["T3", "SN1", "RD2"])
    msg = _expect_error(_write(tmp_path, df.to_csv(index=False)), "missing item columns T3, SN1, RD2")
    assert "live_commerce" in msg


def test_duplicate_header(tmp_path):
    text = _frame().to_csv(index=False).replace("SN1", "T1", 1)
    _expect_error(_write(tmp_path, text), "duplicate column name T1")


def test_bom_and_semicolon_and_tab(tmp_path):
    df = _frame()
    for sep, name in ((";", "semi.csv"), ("\t", "tab.tsv")):
        p = _write(tmp_path, "\ufeff" + df.to_csv(index=False, sep=sep), name=name)
        out = load_responses(p, REC)
        assert out.data.shape == df.shape


def test_non_numeric_cells_name_column_and_rows(tmp_path):
    df = _frame().astype(object)
    df.loc[3, "PI2"] = "agree"
    df.loc[16, "PI2"] = "x"
    _expect_error(_write(tmp_path, df.to_csv(index=False)), "column PI2, rows 4, 17: non-numeric value 'agree'")


def test_out_of_scale(tmp_path):
    df = _frame()
    df.loc[8, "RB1"] = 6
    _expect_error(_write(tmp_path, df.to_csv(index=False)), "column RB1, row 9: value 6 outside the 5-point scale")


def test_constant_item(tmp_path):
    df = _frame()
    df["MI3"] = 3
    _expect_error(_write(tmp_path, df.to_csv(index=False)), "constant column MI3")


def test_too_few_rows(tmp_path):
    _expect_error(_write(tmp_path, _frame(n=10).to_csv(index=False)), "10 complete rows; expected at least 22")


def test_empty_and_header_only(tmp_path):
    _expect_error(_write(tmp_path, ""), "file is empty")
    _expect_error(_write(tmp_path, ",".join(ITEMS) + "\n", name="h.csv"), "header only")


def test_missing_values_listwise_and_fiml(tmp_path):
    df = _frame(n=60).astype(object)
    df.loc[[2, 5], "HI1"] = ""
    df.loc[7, "T2"] = "NA"
    p = _write(tmp_path, df.to_csv(index=False))
    out = load_responses(p, REC)
    assert out.n_dropped == 3 and len(out.data) == 57
    assert any("3 of 60 rows" in n for n in out.notes)
    kept = load_responses(p, REC, missing="fiml")
    assert len(kept.data) == 60 and kept.data["HI1"].isna().sum() == 2


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_table(tmp_path / "none.csv")
    with pytest.raises(InputError, match="is a directory"):
        read_table(tmp_path)


def test_continuous_scores_are_accepted_with_a_note(tmp_path):
    df = _frame().astype(float) + 0.25
    out = load_responses(_write(tmp_path, df.to_csv(index=False)), REC)
    assert any("continuous" in n for n in out.notes)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_property_any_valid_likert_file_loads_unchanged(tmp_path, data):
    n = data.draw(st.integers(min_value=len(ITEMS) + 1, max_value=60))
    seed = data.draw(st.integers(min_value=0, max_value=2**31 - 1))
    sep = data.draw(st.sampled_from([",", ";", "\t"]))
    bom = data.draw(st.booleans())
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 6, size=(n, len(ITEMS)))
    values[0, :] = 1
    values[1, :] = 5
    order = list(rng.permutation(ITEMS))
    df = pd.DataFrame(values, columns=ITEMS)[order]
    p = _write(tmp_path, ("\ufeff" if bom else "") + df.to_csv(index=False, sep=sep), name=f"p{seed}.csv")
    out = load_responses(p, REC)
    assert list(out.data.columns) == ITEMS
    assert np.array_equal(out.data.to_numpy(), df[ITEMS].to_numpy().astype(float))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(col=st.sampled_from(ITEMS), row=st.integers(min_value=0, max_value=29),
       bad=st.sampled_from(["0", "9", "-1", "abc", "3..", "1e9"]))
def test_property_one_bad_cell_is_named(tmp_path, col, row, bad):
    df = _frame(n=30).astype(object)
    df.loc[row, col] = bad
    p = _write(tmp_path, df.to_csv(index=False), name="bad.csv")
    with pytest.raises(InputError) as exc:
        load_responses(p, REC)
    msg = str(exc.value)
    assert f"column {col}" in msg and f"row {row + 1}" in msg


def test_a_stray_fraction_among_likert_answers_is_named(tmp_path):
    df = _frame(n=60).astype(float)
    df.loc[11, "HI2"] = 2.5
    df.loc[3, "T1"] = 99  # would otherwise slip through as a "continuous" score
    _expect_error(_write(tmp_path, df.to_csv(index=False)), "column HI2, row 12: value 2.5 is not a whole number")
