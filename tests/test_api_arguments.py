"""The public API refuses arguments of the wrong type or value with one sentence naming them.

A value of the wrong type raises ``TypeError``, a value of the right type out of its range or set
of choices raises ``replication.InputError``; both name the argument and what was expected. A
pandas DataFrame of responses is accepted wherever a CSV of responses is, with the same checks.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import replication
from replication.engine import arguments
from replication.engine.errors import InputError
from replication.pipeline.inputs import load_inputs
from replication.record.loading import examples_dir

EXAMPLE = "political_democracy"
CSV = examples_dir() / EXAMPLE / "data.csv"


def _one_sentence(exc: BaseException, name: str) -> None:
    text = str(exc)
    assert "\n" not in text and text.startswith(f"{name}: expected"), text


def test_public_names_resolve_and_input_error_is_exported():
    for name in replication.__all__:
        assert getattr(replication, name) is not None
    assert replication.InputError is InputError
    assert issubclass(InputError, ValueError)


# ------------------------------------------------------------------------------------------
# wrong types and values, function by function
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, name", [
    ({"paper": 5}, "paper"),
    ({"paper": None}, "paper"),
    ({"seed": "x"}, "seed"),
    ({"seed": 1.5}, "seed"),
    ({"seed": 1.0}, "seed"),
    ({"seed": True}, "seed"),
    ({"source": 3}, "source"),
    ({"n_bootstrap": 2.5}, "n_bootstrap"),
    ({"n_bootstrap": "200"}, "n_bootstrap"),
    ({"data": 5}, "data"),
    ({"data": [1, 2]}, "data"),
    ({"missing": 0}, "missing"),
    ({"sesoi": "0.1"}, "sesoi"),
])
def test_replicate_wrong_types(kwargs, name):
    kwargs = {"paper": "social_crm", **kwargs}
    with pytest.raises(TypeError) as info:
        replication.replicate(**kwargs)
    _one_sentence(info.value, name)


@pytest.mark.parametrize("kwargs, name", [
    ({"seed": -1}, "seed"),
    ({"seed": 2**32}, "seed"),
    ({"source": "csv"}, "source"),
    ({"n_bootstrap": -1}, "n_bootstrap"),
    ({"n_bootstrap": 1}, "n_bootstrap"),
    ({"n_bootstrap": 10**6}, "n_bootstrap"),
    ({"missing": "pairwise"}, "missing"),
    ({"sesoi": 0.0}, "sesoi"),
    ({"sesoi": -0.1}, "sesoi"),
    ({"sesoi": math.nan}, "sesoi"),
    ({"sesoi": math.inf}, "sesoi"),
    ({"data": ""}, "data"),
])
def test_replicate_wrong_values(kwargs, name):
    with pytest.raises(InputError) as info:
        replication.replicate(**{"paper": "social_crm", **kwargs})
    _one_sentence(info.value, name)


def test_replicate_without_resamples_only_without_mediations():
    with pytest.raises(InputError, match="n_bootstrap: expected 2 to 100,000 resamples for the "
                                         "mediations of value_cocreation, got 0"):
        replication.replicate("value_cocreation", n_bootstrap=0)


def test_replicate_unknown_paper_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="unknown paper 'nope'"):
        replication.replicate("nope")
    with pytest.raises(InputError, match="file not found"):
        replication.replicate("social_crm", data=tmp_path / "absent.csv")


@pytest.mark.parametrize("kwargs, name, error", [
    ({"record": 5}, "record", TypeError),
    ({"record": None}, "record", TypeError),
    ({"seed": 1.5}, "seed", TypeError),
    ({"seed": "x"}, "seed", TypeError),
    ({"seed": -1}, "seed", InputError),
    ({"seed": 2**32}, "seed", InputError),
    ({"source": "csv"}, "source", InputError),
    ({"source": None}, "source", TypeError),
    ({"n": 100.0}, "n", TypeError),
    ({"n": 0}, "n", InputError),
    ({"n": 10**9}, "n", InputError),
    ({"progress": 5}, "progress", TypeError),
])
def test_reconstruct_wrong_arguments(kwargs, name, error):
    with pytest.raises(error) as info:
        replication.reconstruct(**{"record": "social_crm", **kwargs})
    _one_sentence(info.value, name)


def test_reconstruct_takes_a_paper_id_a_path_or_a_record():
    by_id = replication.reconstruct("social_crm", seed=3, n=80)
    by_path = replication.reconstruct(examples_dir().parent / "papers" / "social_crm" / "paper.yaml",
                                      seed=3, n=80)
    by_record = replication.reconstruct(replication.load_record("social_crm"), seed=np.int64(3), n=80)
    assert by_id.data.equals(by_path.data) and by_id.data.equals(by_record.data)
    with pytest.raises(InputError, match="n: expected an integer above the number of items"):
        replication.reconstruct("social_crm", n=5)


@pytest.mark.parametrize("paper", ["social_crm", "e_engagement", "service_recovery"])
def test_reconstruct_small_n_is_refused_or_works(paper):
    items = len(replication.load_record(paper).item_list)
    for n in (items + 1, 2 * items, 2 * items + 9):
        try:
            out = replication.reconstruct(paper, n=n, seed=1)
        except InputError as exc:
            assert str(exc).startswith("n: expected at least")
        else:
            assert len(out.data) == n
    assert len(replication.reconstruct(paper, source="simulated", n=items + 1, seed=1).data) == items + 1


FRAME = pd.DataFrame({"x1": [1.0, 2, 3, 4, 5, 2], "x2": [2.0, 1, 4, 3, 5, 3],
                      "x3": [1.0, 3, 2, 5, 4, 4]})


@pytest.mark.parametrize("args, kwargs, name, error", [
    ((123, FRAME), {}, "model", TypeError),
    ((None, FRAME), {}, "model", TypeError),
    (("", FRAME), {}, "model", InputError),
    (("F =~ x1 + x2 + x3", 5), {}, "data", TypeError),
    (("F =~ x1 + x2 + x3", "data.csv"), {}, "data", TypeError),
    (("F =~ x1 + x2 + x3", FRAME.to_numpy()), {}, "data", TypeError),
    (("F =~ x1 + x2 + x3", FRAME), {"estimator": 1}, "estimator", TypeError),
    (("F =~ x1 + x2 + x3", FRAME), {"estimator": "GLS"}, "estimator", InputError),
    (("F =~ x1 + x2 + x3", FRAME), {"missing": None}, "missing", TypeError),
    (("F =~ x1 + x2 + x3", FRAME), {"missing": "pairwise"}, "missing", InputError),
    (("F =~ x1 + x2 + x3", FRAME), {"cov_y": 1}, "cov_y", TypeError),
    (("F =~ x1 + x2 + x3", FRAME), {"columns": "x1"}, "columns", TypeError),
    (("F =~ x1 + x2 + x3", FRAME), {"columns": ["x1", "x1"]}, "columns", InputError),
    (("F =~ x1 + x2 + x3",), {"cov": FRAME.cov(), "n": 10.5}, "n", TypeError),
    (("F =~ x1 + x2 + x3",), {"cov": FRAME.cov(), "n": 1}, "n", InputError),
    (("F =~ x1 + x2 + x3",), {"cov": [[1.0]], "n": 10}, "cov", TypeError),
])
def test_fit_wrong_arguments(args, kwargs, name, error):
    with pytest.raises(error) as info:
        replication.fit(*args, **kwargs)
    assert "\n" not in str(info.value) and str(info.value).startswith(f"{name}:"), str(info.value)


def test_fit_refuses_data_and_cov_together_and_duplicate_columns():
    with pytest.raises(InputError, match="either data or cov"):
        replication.fit("F =~ x1 + x2 + x3")
    doubled = pd.concat([FRAME, FRAME[["x1"]]], axis=1)
    with pytest.raises(InputError, match="column 'x1' appears more than once"):
        replication.fit("F =~ x1 + x2 + x3", doubled)


def test_fit_takes_an_array_with_columns():
    data = pd.read_csv(CSV)
    names = ["y1", "y2", "y3", "y4"]
    a = replication.fit("F =~ y1 + y2 + y3 + y4", data)
    b = replication.fit("F =~ y1 + y2 + y3 + y4", data[names].to_numpy(), columns=names)
    assert a.fit_measures["chisq"] == pytest.approx(b.fit_measures["chisq"])


@pytest.mark.parametrize("value", [123, None, 1.5, b"social_crm", ["social_crm"]])
def test_load_record_wrong_types(value):
    with pytest.raises(TypeError) as info:
        replication.load_record(value)
    _one_sentence(info.value, "path_or_id")


@pytest.mark.parametrize("value", ["", "   ", "nope", "a\x00b", "x" * 5000, "no/such/paper.yaml"])
def test_load_record_wrong_values(value):
    with pytest.raises(InputError) as info:
        replication.load_record(value)
    assert "\n" not in str(info.value)


def test_load_record_takes_a_path_object():
    assert replication.load_record(examples_dir() / EXAMPLE / "paper.yaml").id == EXAMPLE


def test_paper_result_to_json_checks_its_path(tmp_path):
    result = replication.replicate(EXAMPLE, data=CSV, n_bootstrap=20)
    with pytest.raises(TypeError, match="path: expected a file or folder path"):
        result.to_json(5)
    assert result.to_json(tmp_path).name == "results.json"


# ------------------------------------------------------------------------------------------
# a DataFrame of responses is a CSV with the same columns
# ------------------------------------------------------------------------------------------
def test_dataframe_inputs_equal_csv_inputs():
    from_csv = load_inputs(EXAMPLE, data_path=str(CSV))
    from_frame = load_inputs(EXAMPLE, data_path=pd.read_csv(CSV))
    pd.testing.assert_frame_equal(from_csv.data, from_frame.data)
    assert from_frame.notes == from_csv.notes
    assert from_frame.provenance["source"] == "csv" and from_frame.provenance["file"] == "DataFrame"
    assert from_frame.provenance["n_read"] == from_csv.provenance["n_read"]


def test_replicate_with_a_dataframe_equals_the_csv():
    by_csv = json.loads(replication.replicate(EXAMPLE, data=CSV, n_bootstrap=20).to_json_text())
    by_frame = json.loads(replication.replicate(EXAMPLE, data=pd.read_csv(CSV),
                                                n_bootstrap=20).to_json_text())
    for key in ("file", "sha256"):
        by_csv["data"].pop(key)
        by_frame["data"].pop(key)
    assert by_csv == by_frame


@pytest.fixture(scope="module")
def likert():
    """Simulated Likert responses of a bundled paper, as a DataFrame."""
    return replication.reconstruct("social_crm", source="simulated", seed=5).data


def test_likert_dataframe_equals_its_csv(tmp_path, likert):
    path = tmp_path / "answers.csv"
    likert.to_csv(path, index=False)
    from_csv = load_inputs("social_crm", data_path=path)
    from_frame = load_inputs("social_crm", data_path=likert)
    pd.testing.assert_frame_equal(from_csv.data, from_frame.data)
    text = likert.astype(object).astype(str)  # numbers as text are read as CSV cells are
    pd.testing.assert_frame_equal(load_inputs("social_crm", data_path=text).data, from_csv.data)


def _same_refusal(tmp_path, frame: pd.DataFrame, paper: str = "social_crm") -> str:
    """The refusal of a DataFrame, checked against the refusal of the same CSV."""
    path = tmp_path / "answers.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(InputError) as by_csv:
        load_inputs(paper, data_path=path)
    with pytest.raises(InputError) as by_frame:
        load_inputs(paper, data_path=frame)
    assert str(by_frame.value) == str(by_csv.value).replace(str(path), "data (DataFrame)")
    return str(by_frame.value)


def test_dataframe_refusals_match_the_csv(tmp_path, likert):
    first = likert.columns[0]
    assert "missing item column" in _same_refusal(tmp_path, likert.drop(columns=[first]))
    off_scale = likert.copy()
    off_scale.iloc[3, 0] = 9
    assert "outside the" in _same_refusal(tmp_path, off_scale)
    text = likert.astype(object)
    text.iloc[2, 1] = "n/a"
    assert "non-numeric value 'n/a'" in _same_refusal(tmp_path, text)
    constant = likert.copy()
    constant[first] = 3.0
    _same_refusal(tmp_path, constant)


def test_dataframe_values_a_csv_cannot_hold(likert):
    flags = likert.copy()
    flags[likert.columns[0]] = likert[likert.columns[0]] > 2
    with pytest.raises(InputError, match="True/False"):
        load_inputs("social_crm", data_path=flags)
    infinite = likert.astype(float)
    infinite.iloc[4, 2] = np.inf
    with pytest.raises(InputError, match="row 5: infinite value"):
        load_inputs("social_crm", data_path=infinite)
    doubled = pd.concat([likert, likert.iloc[:, :1]], axis=1)
    with pytest.raises(InputError, match="appears more than once"):
        load_inputs("social_crm", data_path=doubled)
    with pytest.raises(TypeError, match="data_path: expected"):
        load_inputs("social_crm", data_path=likert.to_numpy())


# ------------------------------------------------------------------------------------------
# the shared checkers
# ------------------------------------------------------------------------------------------
ANYTHING = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=5)
            | st.binary(max_size=3) | st.lists(st.integers(), max_size=2)
            | st.integers(0, 2**32 - 1).map(np.uint32) | st.integers(-5, 5).map(np.int64))


@settings(max_examples=200, deadline=None, database=None)
@given(ANYTHING)
def test_check_seed_takes_only_whole_numbers_in_range(value):
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool) \
        and 0 <= int(value) <= 2**32 - 1
    try:
        out = arguments.check_seed(value)
    except (TypeError, InputError) as exc:
        assert not ok
        _one_sentence(exc, "seed")
        whole = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
        assert isinstance(exc, InputError if whole else TypeError)
    else:
        assert ok and type(out) is int and out == int(value)


@settings(max_examples=200, deadline=None, database=None)
@given(ANYTHING)
def test_check_number_takes_only_finite_positive_reals(value):
    try:
        out = arguments.check_number(value, "sesoi", positive=True)
    except (TypeError, InputError) as exc:
        _one_sentence(exc, "sesoi")
    else:
        assert type(out) is float and math.isfinite(out) and out > 0 and not isinstance(value, bool)


def test_check_path_and_names():
    assert arguments.check_path(Path("a.csv"), "data") == "a.csv"
    assert arguments.check_names(("a", "b"), "columns") == ["a", "b"]
    for bad, error in [(5, TypeError), ("", InputError), ("a\x00", InputError)]:
        with pytest.raises(error):
            arguments.check_path(bad, "data")
    for bad in ["ab", {"a": 1}, [1, 2], ["a", ""], np.zeros((2, 2))]:
        with pytest.raises(TypeError):
            arguments.check_names(bad, "columns")
