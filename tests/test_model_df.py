"""Degrees of freedom of described models."""

import pytest

from replication.engine.errors import InputError
from replication.audit.model_df import cfa_df, items_implied_by_df, n_moments, record_df, sem_df
from replication.record.schema import Record


def _record(**over):
    raw = {
        "id": "toy", "title": "t", "short_title": "t", "evidence": "tables",
        "citation": {"authors": ["A"], "title": "t", "venue": "v", "source_file": "x.txt"},
        "sample": {"n": {"value": 300, "printed": "300", "where": "text"},
                   "scale_points": {"value": 5, "printed": "5", "where": "text"}},
        "constructs": {"X": {"name": "X", "items": ["x1", "x2", "x3"]},
                       "W": {"name": "W", "items": ["w1", "w2", "w3"]},
                       "M": {"name": "M", "items": ["m1", "m2", "m3"]},
                       "Y": {"name": "Y", "items": ["y1", "y2", "y3"]}},
        "model": {"kind": "sem", "paths": [{"from": "X", "to": "M"}, {"from": "W", "to": "M"},
                                           {"from": "M", "to": "Y"}]},
    }
    raw.update(over)
    return Record.model_validate(raw)


def test_cfa_df_counts():
    # 24 items, 7 correlated factors: 300 moments - (17 + 24 + 28) parameters
    out = cfa_df(24, 7)
    assert out.df == 231
    assert out.moments == n_moments(24) == 300
    assert out.structural == 21


def test_sem_df_counts():
    assert sem_df(21, 7, 2, 5, 12).df == 176
    assert sem_df(24, 7, 2, 5, 8).df == 243
    assert sem_df(24, 7, 2, 5, 8, n_covariances=3).df == 240


def test_items_implied_by_df_inverts_the_count():
    for p, k in [(24, 7), (12, 3), (30, 5)]:
        c = cfa_df(p, k)
        assert items_implied_by_df(c.df, c.structural) == pytest.approx(p)
    assert items_implied_by_df(232, 21) % 1 != 0


def test_record_df_of_a_small_model():
    rec = _record()
    cfa = record_df(rec, "cfa")
    assert cfa.df == 78 - (8 + 12 + 10) == 48
    sem = record_df(rec, "sem")
    # 8 loadings + 12 residuals + X, W (co)variances 3 + 3 paths + 2 disturbances = 28
    assert sem.df == 78 - 28 == 50
    assert sem.assumed_items == []


def test_record_df_with_extra_covariance_and_assumed_items():
    rec = _record(model={"kind": "sem", "paths": [{"from": "X", "to": "M"}, {"from": "X", "to": "Y"}],
                         "covariances": [{"a": "M", "b": "Y"}]},
                  constructs={"X": {"name": "X"}, "M": {"name": "M", "items": ["m1", "m2", "m3"]},
                              "Y": {"name": "Y", "items": ["y1", "y2", "y3"]}},
                  assumptions=[{"target": "constructs.X.n_items", "value": 3, "reason": "r"}])
    out = record_df(rec, "sem")
    assert out.parts["covariances"] == 1
    assert out.df == 45 - (6 + 9 + 1 + 2 + 2 + 1)
    assert out.assumed_items == ["X"]


def test_record_df_is_none_for_regression_and_bad_model_name_raises():
    rec = _record(model={"kind": "regression", "paths": [{"from": "X", "to": "Y"}]})
    assert record_df(rec, "sem") is None
    with pytest.raises(InputError):
        record_df(_record(), "path")
    with pytest.raises(InputError):
        cfa_df(-1, 2)


def test_single_item_constructs_fix_their_residual():
    """lavaan's auto.fix.single: a construct measured by one item has that item's residual
    variance fixed to 0, so it frees no residual parameter (lavaan gives df 24 for this model:
    4 + 1 + 1 + 3 items, two exogenous and two endogenous constructs, four paths)."""
    from replication.audit.model_df import cfa_df, sem_df

    assert sem_df(9, 4, 2, 2, 4, 0, n_single=2).df == 24
    assert cfa_df(9, 4, n_single=2).df == cfa_df(9, 4).df + 2
