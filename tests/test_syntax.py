"""Model syntax: parsing, validation messages and builders from a published record."""

import pytest

from replication.engine.errors import InputError
from replication.record.schema import load_record
from replication.engine.syntax import (cfa_syntax, covariance_lines, exogenous_covariance_lines, join,
                                measurement_lines, measurement_syntax, parse_model, sem_syntax,
                                structural_lines)


def test_parse_terms_and_modifiers():
    st = parse_model("""
    # comment
    F =~ x1 + 0.5*x2 + NA*x3 + a*x4   ! another comment
    G =~ y1 +
         y2
    G ~ b*F; y1 ~~ y2
    ind := a*b
    """)
    got = [(s.lhs, s.op, s.rhs, s.fixed, s.free, s.label) for s in st if s.op != ":="]
    assert got == [
        ("F", "=~", "x1", None, False, None), ("F", "=~", "x2", 0.5, False, None),
        ("F", "=~", "x3", None, True, None), ("F", "=~", "x4", None, False, "a"),
        ("G", "=~", "y1", None, False, None), ("G", "=~", "y2", None, False, None),
        ("G", "~", "F", None, False, "b"), ("y1", "~~", "y2", None, False, None),
    ]
    assert st[-1].op == ":=" and st[-1].expr == "a*b"
    assert st[0].line == 3


@pytest.mark.parametrize("text, needle", [
    ("F =~ x1 + x2\nthis is not a model", "line 2"),
    ("F =~ x1 + + x2", "line 1"),
    ("F =~ x1\n =~ x2", "line 2"),
    ("F =~ x1\nG ~ 2x", "line 2"),
    ("F =~ x1\nx1 ~ 1", "intercepts"),
    ("F =~ x1\na < b", "inequality constraints"),
    ("F =~ F", "own indicator"),
    ("# nothing", "no =~"),
])
def test_malformed_lines_name_the_line(text, needle):
    with pytest.raises(InputError) as exc:
        parse_model(text)
    msg = str(exc.value)
    assert needle in msg
    assert "\n" not in msg


def test_record_builders_live_commerce():
    rec = load_record("live_commerce")
    meas = measurement_lines(rec)
    assert meas[0] == "T =~ T1 + T2 + T3" and len(meas) == 7
    assert structural_lines(rec)[0] == "PI ~ T + SN"
    assert exogenous_covariance_lines(rec.exogenous()) == ["T ~~ SN"]
    sem = sem_syntax(rec)
    st = parse_model(sem)
    assert sum(s.op == "~" for s in st) == len(rec.model.paths)
    assert sum(s.op == "=~" for s in st) == 21
    # no covariance between the dependent constructs that predict nothing
    assert not any(s.op == "~~" and {s.lhs, s.rhs} == {"RB", "RD"} for s in st)
    cfa = parse_model(cfa_syntax(rec))
    assert sum(s.op == "~~" for s in cfa) == 21  # 7 constructs, all pairs
    assert measurement_syntax(rec).count("=~") == 7
    assert covariance_lines(rec) == [f"{c.a} ~~ {c.b}" for c in rec.model.covariances]


def test_join_drops_duplicates_and_is_composable():
    text = join(["F =~ a + b + c"], ["F =~ a + b + c", "G =~ d + e + f"], ["F ~~ G"])
    assert text == "F =~ a + b + c\nG =~ d + e + f\nF ~~ G\n"


def test_unknown_construct_is_input_error():
    rec = load_record("live_commerce")
    with pytest.raises(InputError, match="XYZ"):
        measurement_lines(rec, ["XYZ"])
