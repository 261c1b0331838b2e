"""Hostile inputs: records from strangers, random model syntax and random command-line options.

Every outcome is either a result or a one-line input error: the record loader gives a
:class:`~replication.record.schema.Record` or an ``InputError``; the model syntax parser gives
statements or an ``InputError``; the command line exits with status 2 and one line on standard
error, never a traceback. Nothing is written outside ``tmp_path`` (no example database either).
"""

from __future__ import annotations

import copy
import io
import math
import os
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from replication.engine.errors import InputError
from replication.engine.partable import specify
from replication.engine.syntax import parse_model
from replication.record import loading
from replication.record.schema import Record, load_record, paper_ids, papers_dir

FUZZ = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

BUNDLED = {pid: yaml.safe_load((papers_dir() / pid / "paper.yaml").read_text(encoding="utf-8"))
           for pid in paper_ids()}


def _load_text(text: str, path: Path):
    """Load ``text`` as a record file; the Record, or the InputError raised."""
    path.write_text(text, encoding="utf-8")
    try:
        return load_record(path)
    except InputError as exc:
        message = str(exc)
        assert "\n" not in message and message.strip(), repr(message)
        return exc


# ------------------------------------------------------------------------------------------
# (a) the record loader
# ------------------------------------------------------------------------------------------
YAML_TOKENS = ["id:", "title:", "sample:", "n:", "value:", "printed:", "where:", "constructs:",
               "model:", "kind:", "sem", "cfa", "syntax:", "|", ">", "- ", "  ", "\n", ": ",
               "[", "]", "{", "}", ",", "&a ", "*a", "!!python/object:os.system", "!!binary",
               "!!int", "!!float", "!!set", "!!int\n", "!!float\n", "!!timestamp", "!!str",
               "? ", "---", "...", "#", "'", '"', "1e400", "-1",
               "0x1F", "2024-13-45", "null", "~", "true", ".nan", ".inf", "F =~ x1 + x2",
               "9" * 5000, "é", "\t", "%YAML 1.1", "<<: *a", "=~", "~~", ":="]


@FUZZ
@given(st.lists(st.sampled_from(YAML_TOKENS) | st.text(max_size=8), max_size=40))
def test_random_yaml_text_loads_or_is_refused(tmp_path, parts):
    out = _load_text("".join(parts), tmp_path / "paper.yaml")
    assert isinstance(out, (Record, InputError))


def _paths(node, prefix=()):
    """Every key path of a nested YAML value."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


SCALARS = (st.none() | st.booleans() | st.integers(-10**30, 10**30)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20)
           | st.sampled_from(["", "F =~ x1", "x ~ y", "cfa", "sem", "CE", "0.5", "-1", "nan"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)


@st.composite
def mutated_record(draw):
    """A bundled record with a few keys deleted, replaced or added."""
    raw = copy.deepcopy(BUNDLED[draw(st.sampled_from(sorted(BUNDLED)))])
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(raw) if p]
        path = draw(st.sampled_from(paths))
        parent = raw
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["delete", "replace", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(VALUES)
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(VALUES)
        else:
            parent.append(draw(VALUES))
    return raw


@FUZZ
@given(mutated_record())
def test_mutated_bundled_record_loads_or_is_refused(tmp_path, raw):
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)
    out = _load_text(text, tmp_path / "paper.yaml")
    assert isinstance(out, (Record, InputError))


def test_bundled_records_load():
    for pid in paper_ids():
        assert load_record(pid).id == pid


def test_python_tags_never_run(tmp_path):
    text = "!!python/object/apply:os.system ['touch " + str(tmp_path / "ran") + "']\n"
    out = _load_text(text, tmp_path / "paper.yaml")
    assert isinstance(out, InputError) and "not valid YAML" in str(out)
    assert not (tmp_path / "ran").exists()


@pytest.mark.parametrize("width, levels", [(9, 9), (2, 30), (12, 12)])
def test_alias_bomb_is_refused(tmp_path, width, levels):
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    lines.append(f"sample: *a{levels - 1}")
    out = _load_text("\n".join(lines) + "\n", tmp_path / "paper.yaml")
    assert isinstance(out, InputError) and "aliases" in str(out)


def test_recursive_alias_is_refused(tmp_path):
    out = _load_text("sample: &a [*a, *a]\n", tmp_path / "paper.yaml")
    assert isinstance(out, InputError)


def test_a_few_aliases_still_load(tmp_path):
    raw = copy.deepcopy(BUNDLED["social_crm"])
    raw.pop("notes", None)
    text = yaml.safe_dump(raw, sort_keys=False) + "notes:\n- &w a note\n- *w\n"
    record = _load_text(text, tmp_path / "paper.yaml")
    assert isinstance(record, Record) and record.notes == ["a note", "a note"]


def test_deep_nesting_is_refused(tmp_path):
    out = _load_text("sample: " + "[" * 5000 + "]" * 5000 + "\n", tmp_path / "paper.yaml")
    assert isinstance(out, InputError) and "nested" in str(out)


def test_large_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(loading, "MAX_RECORD_BYTES", 1000)
    out = _load_text("notes:\n" + "- x\n" * 600, tmp_path / "paper.yaml")
    assert isinstance(out, InputError) and "larger than" in str(out)


def test_ten_megabytes_are_refused(tmp_path):
    path = tmp_path / "paper.yaml"
    with open(path, "wb") as fh:
        fh.write(b"# " + b"x" * (10 * 1024 * 1024) + b"\n")
    with pytest.raises(InputError, match="larger than 10 MB"):
        load_record(path)


def test_unknown_field_lists_the_allowed_fields(tmp_path):
    raw = copy.deepcopy(BUNDLED["social_crm"])
    raw["sample"]["sample_size"] = 10
    out = _load_text(yaml.safe_dump(raw, sort_keys=False), tmp_path / "paper.yaml")
    assert isinstance(out, InputError)
    assert "field sample.sample_size: unknown field; expected one of n, n_analysed" in str(out)
    raw = copy.deepcopy(BUNDLED["social_crm"])
    raw["colour"] = "red"
    out = _load_text(yaml.safe_dump(raw, sort_keys=False), tmp_path / "paper.yaml")
    assert "field colour: unknown field; expected one of id, title, short_title" in str(out)


@pytest.mark.parametrize("value", [123, None, 1.5, b"social_crm", ["social_crm"]])
def test_load_record_refuses_other_types(value):
    with pytest.raises(TypeError, match="path_or_id: expected a paper id"):
        load_record(value)


def test_pipes_and_devices_are_not_read(tmp_path):
    fifo = tmp_path / "paper.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        load_record(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        load_record("/dev/zero")


# ------------------------------------------------------------------------------------------
# (b) the model syntax parser
# ------------------------------------------------------------------------------------------
SYNTAX_TOKENS = ["F", "G", "x1", "x2", "x3", "y", "=~", "~", "~~", ":=", "+", "*", "-", "/", "^",
                 "(", ")", ",", ";", "\n", " ", "#", "!", "1", "0", "NA", "0.5", "1e400", "-1",
                 "a", "b", "a*b", "start(1)", "label('x')", "c(1,2)", "equal('a')", "1*", "NA*",
                 "<", ">", "==", "|", "t1", "'x'", '"', "$", "exp(a)", "sqrt(", "__", "é", "\t",
                 ".x", "x.", "1x", "=", "~*~", "<~", "%", "\\"]


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.sampled_from(SYNTAX_TOKENS) | st.text(max_size=4), max_size=30),
       st.booleans())
def test_model_syntax_parses_or_is_refused(parts, cov_y):
    text = "".join(parts)
    try:
        parse_model(text)
    except InputError as exc:
        assert "\n" not in str(exc)
    try:
        specify(text, cov_y=cov_y)
    except InputError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.sampled_from(["F =~ x1 + x2 + x3", "G =~ x4 + x5 + x6", "G ~ F", "x1 ~~ x2",
                                 "F ~~ 1*F", "G ~ a*F", "ind := a*2", "x1 ~ 1", "F =~ NA*x1",
                                 "G ~ c*x7", "d := a - c", "F ~~ G", "x7 ~ F + G"]), max_size=6),
       st.lists(st.sampled_from(SYNTAX_TOKENS), max_size=3))
def test_model_lines_with_noise_parse_or_are_refused(lines, noise):
    text = "\n".join(lines) + "".join(noise)
    try:
        specify(text)
    except InputError as exc:
        assert "\n" not in str(exc)


NAMES = ["F", "G", "x1", "x2", "x3", "x4", "y", "a", "b", "F.1", "_x", "1", "0", "NA", "exp",
         "sqrt", "x_1", "é"]
MODIFIERS = ["", "1*", "NA*", "a*", "b*", "0.5*", "start(1)*", "start(a)*", "c(1,2)*", "c(a,b)*",
             "equal('a')*", "label('q')*", "-1*", "1e400*", "?*", "(a)*", "a*b*", "*", "start()*",
             "c()*", "0*"]
OPERATORS = ["=~", "~", "~~", ":=", "==", "<", ">", "|", "~*~", "<~", "~1", "%"]
EXPRESSIONS = ["a*b", "a+b", "a-b", "(a", "a)", "a/b", "a^2", "exp(a)", "sqrt(a*b)", "a*", "-a",
               "2", "a**b", "log(a,b)", "a b", "", "1/0", "abs(-a)"]
TERM = st.tuples(st.sampled_from(MODIFIERS), st.sampled_from(NAMES)).map("".join)
STATEMENT = (st.tuples(st.sampled_from(NAMES), st.sampled_from(OPERATORS),
                       st.lists(TERM, max_size=4).map(" + ".join)).map(" ".join)
             | st.tuples(st.sampled_from(NAMES), st.just(":="),
                         st.sampled_from(EXPRESSIONS)).map(" ".join))


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(STATEMENT, max_size=6), st.sampled_from(["\n", ";", "\n\n", "; "]))
def test_model_statements_parse_or_are_refused(lines, separator):
    text = separator.join(lines)
    for step in (parse_model, specify):
        try:
            step(text)
        except InputError as exc:
            assert "\n" not in str(exc)


# ------------------------------------------------------------------------------------------
# (c) the command line
# ------------------------------------------------------------------------------------------
BAD_INT = ["", " ", "-1", "-0.5", "1.5", "nan", "NaN", "inf", "-inf", "1e400", "abc", "0x10",
           "9" * 40, "-" + "9" * 40, "1,000", "--", "\x00"]
BAD_NUMBER = ["", " ", "nan", "NaN", "inf", "-inf", "1e400", "-1e400", "abc", "1,5", "0x", "--",
              "9" * 400, "-" + "9" * 400]
NUMBERS = st.sampled_from(BAD_NUMBER) | st.floats(allow_nan=True, allow_infinity=True).map(repr) \
    | st.integers(-10**40, 10**40).map(str) | st.text(max_size=6)


def _run(argv: list[str]) -> tuple[int, str]:
    """``replicate ARGV`` in this process: exit status and standard error."""
    from replication.cli import main

    err, out = io.StringIO(), io.StringIO()
    with redirect_stderr(err), redirect_stdout(out):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
    return code, err.getvalue()


def _assert_refused(code: int, err: str, argv: list[str]) -> None:
    assert code == 2, (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, (argv, err)


def _assert_clean(code: int, err: str, argv: list[str]) -> None:
    """Any exit status of the contract; a refusal is one line."""
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    if code == 2:
        _assert_refused(code, err, argv)


@pytest.fixture
def fit_files(tmp_path):
    model = tmp_path / "model.lav"
    model.write_text("F =~ x1 + x2 + x3\n", encoding="utf-8")
    data = tmp_path / "data.csv"
    rows = ["x1,x2,x3,g"] + [f"{1 + i % 5},{1 + (i * 7) % 5},{1 + (i + i // 5) % 5},{i % 2}"
                             for i in range(60)]
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return str(model), str(data)


@FUZZ
@given(option=st.sampled_from(["--bootstrap", "--seed", "--jobs"]),
       value=st.sampled_from([v for v in BAD_INT if v != "9" * 40]))
def test_fit_bad_whole_numbers(fit_files, option, value):
    argv = ["fit", *fit_files, option, value]
    _assert_refused(*_run(argv), argv)


@pytest.mark.parametrize("seed", [str(2**32), "9" * 40])
def test_fit_seed_above_32_bits_is_refused(fit_files, seed):
    argv = ["fit", *fit_files, "--bootstrap", "2", "--seed", seed]
    _assert_refused(*_run(argv), argv)


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(option=st.sampled_from(["--estimator", "--missing", "--ordered", "--group", "--group-equal",
                               "--group-partial", "--na"]),
       value=st.sampled_from(["", " ", "nope", "ML,MLR", "x9", "\x00", "all,", ",", "-1", "nan"])
       | st.text(max_size=6))
def test_fit_bad_choices(fit_files, option, value):
    argv = ["fit", *fit_files, option, value]
    _assert_clean(*_run(argv), argv)


@FUZZ
@given(model=st.sampled_from(["", " ", "missing.lav", "\x00", "."]),
       data=st.sampled_from(["", " ", "missing.csv", "\x00", "."]))
def test_fit_bad_files(tmp_path, monkeypatch, model, data):
    monkeypatch.chdir(tmp_path)
    argv = ["fit", model, data]
    _assert_refused(*_run(argv), argv)


@FUZZ
@given(rmsea=NUMBERS, df=st.sampled_from(BAD_INT + ["10"]), n=st.sampled_from(BAD_INT + ["200"]),
       extra=st.sampled_from([[], ["--alpha", "nan"], ["--alpha", "2"], ["--rmsea0", "-1"],
                              ["--target-power", "1.5"], ["--target-power", "nan"]]))
def test_power_rmsea_options(tmp_path, monkeypatch, rmsea, df, n, extra):
    monkeypatch.chdir(tmp_path)
    argv = ["power", "--rmsea", rmsea, "--df", df, "--n", n, *extra]
    code, err = _run(argv)
    _assert_clean(code, err, argv)
    try:
        valid = 0 < float(rmsea) < math.inf
    except ValueError:
        valid = False
    if not valid or df != "10" or n != "200" or extra:
        _assert_refused(code, err, argv)


@FUZZ
@given(paper=st.sampled_from(["", " ", "nope", "-", "..", "/", "\x00", "a" * 300, "x.yaml",
                              "social_crm/../nope", "data.csv"]) | st.text(max_size=10))
def test_audit_bad_papers(tmp_path, monkeypatch, paper):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    argv = ["audit", paper]
    code, err = _run(argv)
    _assert_clean(code, err, argv)


@FUZZ
@given(option_value=st.tuples(st.just("--seed"), st.sampled_from(BAD_INT))
       | st.tuples(st.just("--n"), st.sampled_from(BAD_INT + ["0", "2"])))
def test_reconstruct_bad_options(tmp_path, monkeypatch, option_value):
    option, value = option_value
    monkeypatch.chdir(tmp_path)
    argv = ["reconstruct", "social_crm", option, value, "--out", str(tmp_path / "x.csv")]
    _assert_refused(*_run(argv), argv)
    assert not (tmp_path / "x.csv").exists()


@FUZZ
@given(source=st.sampled_from(["", "nope", "Simulated", "csv"]) | st.text(max_size=5),
       out=st.sampled_from(["", " ", "missing/x.csv", ".", "\x00"]))
def test_reconstruct_bad_source_or_out(tmp_path, monkeypatch, source, out):
    monkeypatch.chdir(tmp_path)
    argv = ["reconstruct", "nope-paper", "--source", source, "--out", out]
    _assert_refused(*_run(argv), argv)

