"""Expressions of ``:=``: R's precedence, R's arithmetic (Inf, NaN), bounds, no code run."""

import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import replication
from replication.engine import expressions as ex
from replication.engine.bootstrap import bootstrap
from replication.engine.errors import InputError
from replication.engine.expressions import (Binary, Call, Name, Num, Unary, compile_expression,
                                            evaluate, names, parse_expression)
from replication.engine.partable import specify
from replication.engine.syntax import parse_model

FX = Path(__file__).parent / "fixtures"
INF, NAN = float("inf"), float("nan")

PD = """ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ {a}*ind60
dem65 ~ {b}*dem60 + {c}*ind60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
"""


def value(text, env=None):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return evaluate(parse_expression(text), env or {})


def same(x, y):
    return (np.isnan(x) and np.isnan(y)) or x == y


@pytest.fixture(scope="module")
def pd_data():
    return pd.read_csv(FX / "lavaan" / "political_democracy.csv")


# ------------------------------------------------------------------------------------------
# R's precedence and arithmetic (values as R 4 prints them)
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("-2^2", -4.0), ("2^3^2", 512.0), ("2^-1", 0.5), ("2^-1*3", 1.5), ("2^-1^2", 0.5),
    ("-2^-2", -0.25), ("-(1)--1", 0.0), ("- -1", 1.0), ("+-+1", -1.0), ("2*-3", -6.0),
    ("2*-3^2", -18.0), ("-2*3", -6.0), ("1-2-3", -4.0), ("8/4/2", 1.0), ("2+3*4", 14.0),
    ("(2+3)*4", 20.0), ("2*3^2", 18.0), ("(-2)^2", 4.0), ("2**3", 8.0), ("4^.5", 2.0),
    (".5+2.", 2.5), ("1e-3*1000", 1.0), ("1E2", 100.0), ("2.5e+1", 25.0), ("0^0", 1.0),
    ("log(8, 2)", 3.0), ("log(exp(2))", 2.0), ("log10(1000)", 3.0), ("log2(8)", 3.0),
    ("sqrt(16)", 4.0), ("abs(-3)", 3.0), ("pnorm(0)", 0.5), ("dnorm(0)", 1 / np.sqrt(2 * np.pi)),
    ("pnorm(1.96)", 0.9750021048517795), ("qnorm(0.975)", 1.959963984540054),
    ("pnorm(1, 1, 2)", 0.5), ("qnorm(0.5, 3, 2)", 3.0), ("tanh(0)", 0.0), ("cos(0)", 1.0),
])
def test_precedence_and_values_as_in_r(text, expected):
    assert value(text) == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("text, expected", [
    ("1/0", INF), ("-1/0", -INF), ("0/0", NAN), ("10^400", INF), ("(0-1)^(1/2)", NAN),
    ("(-8)^(1/3)", NAN), ("exp(1000)", INF), ("log(0)", -INF), ("log(-1)", NAN),
    ("sqrt(-1)", NAN), ("1^(1/0)", 1.0), ("qnorm(0)", -INF), ("qnorm(1)", INF),
    ("qnorm(2)", NAN), ("pnorm(1, 0, -1)", NAN), ("(1/0)-(1/0)", NAN),
])
def test_r_special_values_without_warnings(text, expected):
    assert same(value(text), expected)


def test_power_tower_is_inf_at_once():
    t0 = time.perf_counter()
    assert value("9^9^9^9") == INF
    assert value("9^9^9^9^9^9^9^9") == INF
    assert time.perf_counter() - t0 < 0.5


def test_names_are_whole_r_names():
    tree = parse_expression("0.5*a.1*lambda + True - a.real/.x_1")
    assert names(tree) == ["a.1", "lambda", "True", "a.real", ".x_1"]
    env = {"a.1": 2.0, "lambda": 3.0, "True": 10.0, "a.real": 4.0, ".x_1": 2.0, "a": 99.0}
    assert evaluate(tree, env) == 0.5 * 2 * 3 + 10 - 4 / 2
    # 'a.real' is its own name, not an attribute of 'a'
    assert value("a.real", {"a": 1.0, "a.real": 7.0}) == 7.0
    assert value("True*2", {"True": 0.25}) == 0.5
    assert names(parse_expression("exp(a) + log(b, c)")) == ["a", "b", "c"]


def test_tree_is_immutable_and_as_written():
    tree = parse_expression("-2^x")
    assert tree == Unary("-", Binary("^", Num(2.0), Name("x")))
    assert parse_expression("log(a, 2)") == Call("log", (Name("a"), Num(2.0)))
    with pytest.raises(AttributeError):
        tree.op = "+"


def test_compiled_function_is_reused():
    f = compile_expression(parse_expression("a*b + c"))
    assert f({"a": 2, "b": 3, "c": 1}) == 7.0
    assert f({"a": 0.5, "b": 4, "c": -1}) == 1.0
    with pytest.raises(InputError, match="'c'"):
        f({"a": 1, "b": 1})


# ------------------------------------------------------------------------------------------
# Refused text, one line each
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, reason", [
    ("a.__class__.__base__.__subclasses__()", "unknown function"),
    ("__import__('os')", "unexpected character"),
    ("a +", "expected a number"), ("2a", "malformed number"), ("1.5.3", "malformed number"),
    ("(a", "expected ')'"), ("a)", "unexpected ')'"), ("a b", "unexpected 'b'"),
    ("", "empty"), ("   ", "empty"), ("a[1]", "unexpected character"), ("a$b", "unexpected"),
    ("log(1, 2, 3)", "1 to 2 arguments"), ("exp()", "expected a number"),
    ("sqrt(1, 2)", "1 argument"), ("a; b", "unexpected character"), ("lambda x: x", "unexpected"),
    ("1e", "malformed number"), ("a == b", "unexpected character"),
])
def test_malformed_expressions_one_line(text, reason):
    with pytest.raises(InputError) as exc:
        parse_expression(text, "model line 4")
    msg = str(exc.value)
    assert msg.startswith("model line 4: cannot read expression ")
    assert reason in msg and "\n" not in msg


@pytest.mark.parametrize("text", [
    "a" * (ex.MAX_LENGTH + 1),
    "(" * (ex.MAX_DEPTH + 1) + "1" + ")" * (ex.MAX_DEPTH + 1),
    "-" * (ex.MAX_DEPTH + 1) + "1",
    "2^" * (ex.MAX_DEPTH + 1) + "2",
    "+".join(["a"] * (ex.MAX_TREE_DEPTH + 2)),
    "exp(" * (ex.MAX_DEPTH + 1) + "1" + ")" * (ex.MAX_DEPTH + 1),
])
def test_bounds_refused(text):
    t0 = time.perf_counter()
    with pytest.raises(InputError) as exc:
        parse_expression(text)
    assert "\n" not in str(exc.value) and len(str(exc.value)) < 200
    assert time.perf_counter() - t0 < 1.0


def test_within_bounds_accepted():
    assert value("(" * 50 + "1" + ")" * 50) == 1.0
    assert value("+".join(["1"] * 100)) == 100.0


# ------------------------------------------------------------------------------------------
# Properties
# ------------------------------------------------------------------------------------------
@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.text(max_size=60),
    st.text(alphabet="ab.1_2e()+-*/^, \tlogexp", max_size=60),
))
def test_any_text_gives_a_tree_or_one_input_error(text):
    try:
        tree = parse_expression(text)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    env = {n: 1.5 for n in names(tree)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert isinstance(evaluate(tree, env), float)


_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 4}
_LABELS = ["a", "b.1", "lambda", "True", "a.real", ".x"]
_ENV = {"a": 0.7, "b.1": -1.3, "lambda": 2.0, "True": 0.0, "a.real": 3.5, ".x": -0.25}


def _prec(t):
    return {"bin": lambda: _PREC[t[1]], "neg": lambda: 3, "pos": lambda: 3}.get(t[0], lambda: 5)()


def _render(t, wrap):
    """R text of a tree (parentheses where R's precedence needs them, more when ``wrap``)."""
    kind = t[0]
    if kind == "num":
        text = repr(t[1])
    elif kind == "name":
        text = t[1]
    elif kind in ("neg", "pos"):
        inner = _render(t[1], wrap)
        text = ("-" if kind == "neg" else "+") + (f"({inner})" if _prec(t[1]) < 3 else inner)
    else:
        _, op, left, right = t
        lt, rt = _render(left, wrap), _render(right, wrap)
        if op == "^":
            lt = lt if _prec(left) == 5 else f"({lt})"
            rt = rt if _prec(right) >= 3 else f"({rt})"
        else:
            lt = lt if _prec(left) >= _PREC[op] else f"({lt})"
            rt = rt if _prec(right) > _PREC[op] else f"({rt})"
        text = f"{lt} {op} {rt}"
    return f"({text})" if wrap and kind != "num" and len(text) % 3 == 0 else text


def _reference(t):
    """The value of a tree in float64, computed from the tree itself."""
    kind = t[0]
    if kind == "num":
        return np.float64(t[1])
    if kind == "name":
        return np.float64(_ENV[t[1]])
    if kind == "neg":
        return -_reference(t[1])
    if kind == "pos":
        return _reference(t[1])
    _, op, left, right = t
    a, b = _reference(left), _reference(right)
    return {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide,
            "^": np.power}[op](a, b)


_leaves = st.one_of(
    st.tuples(st.just("num"), st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 10.0, 1e-3, 1e20,
                                               0.1, 123.456])),
    st.tuples(st.just("name"), st.sampled_from(_LABELS)),
)
_trees = st.recursive(_leaves, lambda sub: st.one_of(
    st.tuples(st.sampled_from(["neg", "pos"]), sub),
    st.tuples(st.just("bin"), st.sampled_from(list(_PREC)), sub, sub),
), max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(_trees, st.booleans())
def test_random_expressions_match_reference(tree, wrap):
    text = _render(tree, wrap)
    with np.errstate(all="ignore"):
        expected = float(_reference(tree))
    got = value(text, _ENV)
    assert same(got, expected), (text, got, expected)


# ------------------------------------------------------------------------------------------
# Models
# ------------------------------------------------------------------------------------------
def test_model_syntax_takes_r_names_as_labels():
    st_ = parse_model(PD.format(a="a.1", b="lambda", c="True") + "ind := 0.5*a.1*lambda\n")
    assert [s.label for s in st_ if s.label] == ["a.1", "lambda", "True"]
    assert st_[-1].op == ":=" and st_[-1].expr == "0.5*a.1*lambda"


@pytest.mark.parametrize("extra, needle", [
    ("d := a.__class__.__base__.__subclasses__()", "unknown function"),
    ("d := a +", "cannot read expression"),
    ("d := foo", "'foo', which is not a parameter label"),
    ("d := e*2\ne := a", "'e', which is defined after it"),
    ("a := b*2", "has the name of a parameter label"),
    ("d := a\nd := b", "defined twice"),
    ("a == b +", "cannot read expression"),
    ("a == 2*b", "expected two parameter labels or a label and a number"),
    ("a > 0", "inequality constraints (>) are not supported"),
    ("a < 2*", "cannot read expression"),
])
def test_bad_defined_parameters_and_constraints_one_line(extra, needle):
    with pytest.raises(InputError) as exc:
        specify(PD.format(a="a", b="b", c="c") + extra + "\n")
    msg = str(exc.value)
    assert needle in msg and "\n" not in msg
    assert msg.startswith(("model line 11:", "model line 12:"))


def test_dunder_label_is_only_a_label(pd_data):
    lab = "a.__class__.__base__.__subclasses__"
    model = PD.format(a=lab, b="b", c="c") + f"d := {lab}*2\n"
    res = replication.fit(model, pd_data, cov_y=True)
    d = res.params[res.params.op == ":="].iloc[0]
    assert d.est == pytest.approx(2 * res.estimate("dem60", "~", "ind60"), rel=1e-12)


def test_r_special_values_in_a_fit_without_warnings(pd_data):
    model = PD.format(a="a", b="b", c="a.real") + (
        "z := a/0\nw := 9^9^9^9\nq := (0-1)^(1/2)\nr := a.real\nt := True*2\n")
    model = model.replace("dem65 ~ b*dem60", "dem65 ~ True*dem60")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = replication.fit(model, pd_data, cov_y=True)
    P = res.params.set_index("lhs")
    assert P.loc["z", "est"] == INF and np.isnan(P.loc["z", "se"])
    assert P.loc["w", "est"] == INF and np.isnan(P.loc["w", "se"])
    assert np.isnan(P.loc["q", "est"]) and np.isnan(P.loc["q", "se"])
    assert P.loc["r", "est"] == pytest.approx(res.estimate("dem65", "~", "ind60"), rel=1e-12)
    assert P.loc["t", "est"] == pytest.approx(2 * res.estimate("dem65", "~", "dem60"), rel=1e-12)


def test_indirect_effect_with_r_labels_matches_lavaan(pd_data):
    model = PD.format(a="a.1", b="lambda", c="c") + "ind := 0.5*a.1*lambda\n"
    res = replication.fit(model, pd_data, cov_y=True)
    a = res.estimate("dem60", "~", "ind60")
    b = res.estimate("dem65", "~", "dem60")
    row = res.params[res.params.op == ":="].iloc[0]
    assert row.lhs == "ind" and row.rhs == "0.5*a.1*lambda"
    assert row.est == pytest.approx(0.5 * a * b, rel=1e-12)
    assert np.isfinite(row.se) and row.se > 0
    # lavaan 0.6 (scripts/bootstrap_fixtures.R): ind := a*b on the same model and data
    ref = json.loads((FX / "bootstrap" / "pd_boot.json").read_text())
    lav = next(p for p in ref["parameters"] if p["op"] == ":=")
    assert row.est == pytest.approx(0.5 * lav["est"], abs=1e-3)
    # the delta method: half the SE of a*b, from the same information matrix
    full = replication.fit(PD.format(a="a", b="b", c="c") + "ind := a*b\n", pd_data, cov_y=True)
    full_row = full.params[full.params.op == ":="].iloc[0]
    assert row.se == pytest.approx(0.5 * full_row.se, rel=1e-5)


def test_bootstrap_evaluates_r_labels(pd_data):
    model = PD.format(a="a.1", b="lambda", c="c") + "ind := 0.5*a.1*lambda\nz := a.1/0\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        b = bootstrap(model, pd_data, n_boot=4, seed=3)
    est = b.estimates
    prod = 0.5 * est["dem60 ~ ind60"] * est["dem65 ~ dem60"]
    assert np.allclose(prod, est["ind := 0.5*a.1*lambda"], rtol=1e-12)
    assert np.all(est["z := a.1/0"] == INF)
