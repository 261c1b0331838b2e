"""``replicate fit`` on hostile inputs: every combination of options fits or is refused with one
line (exit 2); rows left out are counted with their reason (JSON and text); rows without a
group; ``--group-partial`` and ``--group-equal`` checked against the model and lavaan's words;
bounds on the header, the number of observed variables and the bootstrap's refits."""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from replication.cli import main

HS = Path(__file__).parent / "fixtures" / "estimators" / "holzinger_swineford_school.csv"
MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """``replicate ARGV`` in this process: (exit status, stdout, stderr)."""
    try:
        status = main(list(argv))
    except SystemExit as exc:  # argparse's own refusals
        status = exc.code
    out = capsys.readouterr()
    return status, out.out, out.err


def one_line(err: str) -> bool:
    return err.count("\n") == 1 and "Traceback" not in err


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The model; Holzinger-Swineford with items rounded to whole numbers (so that they can
    be ordered), three rows without a group (empty, NA, NaN), two rows without any item and
    one row with one missing item."""
    d = tmp_path_factory.mktemp("dropped")
    model = d / "hs.lav"
    model.write_text(MODEL)
    rows = list(csv.reader(HS.open()))
    head, body = rows[0], rows[1:]
    for r in body:
        for j in range(3, 12):
            r[j] = str(int(np.clip(round(float(r[j])), 1, 6)))
    body[0][0], body[1][0], body[2][0] = "", "NA", "NaN"
    body[10][3:], body[11][3:] = [""] * 9, [""] * 9
    body[12][4] = ""
    data = d / "hs.csv"
    with data.open("w", newline="") as fh:
        csv.writer(fh).writerows([head] + body)
    return model, data


# ------------------------------------------------------------------------------------------
# 1. Combinations of options
# ------------------------------------------------------------------------------------------
COMBOS = list(itertools.product(
    ["ML", "MLM", "MLR", "WLSMV"],            # --estimator
    [None, "all"],                            # --ordered
    ["listwise", "fiml"],                     # --missing
    [None, "school"],                         # --group
    [None, "loadings"],                       # --group-equal
    [None, "5"],                              # --bootstrap
))


@pytest.mark.parametrize("est, ordered, missing, group, equal, boot", COMBOS)
def test_every_combination_fits_or_is_refused_with_one_line(capsys, files, est, ordered,
                                                             missing, group, equal, boot):
    model, data = files
    argv = ["fit", str(model), str(data), "--json", "--quiet", "--estimator", est,
            "--missing", missing, "--na", "-99"]
    for flag, value in (("--ordered", ordered), ("--group", group), ("--group-equal", equal),
                        ("--bootstrap", boot)):
        if value is not None:
            argv += [flag, value]
    if boot:
        argv += ["--jobs", "2"]
    status, out, err = run(capsys, *argv)
    assert status in (0, 1, 2), err
    if status == 2:
        assert one_line(err), err
        return
    res = json.loads(out)
    if boot:  # a bootstrap asked for is a bootstrap done
        assert res["se"] == "bootstrap" and res["bootstrap"]["n_boot"] == 5
    assert res["n_total"] == 301
    assert res["n_total"] - res["n_dropped"] == res["n"]


@pytest.mark.parametrize("extra, words", [
    (["--missing", "fiml", "--bootstrap", "20"], ("--bootstrap", "--missing fiml")),
    (["--estimator", "MLR", "--bootstrap", "20"], ("--bootstrap",)),
    (["--group", "school", "--bootstrap", "20"], ("--bootstrap",)),
    (["--group-partial", "x3~1"], ("--group-partial",)),
    (["--group", "school", "--group-partial", "x3~1"], ("--group-partial",)),
])
def test_refusals_name_the_option(capsys, files, extra, words):
    model, data = files
    status, _, err = run(capsys, "fit", str(model), str(data), *extra)
    assert status == 2 and one_line(err), err
    for w in words:
        assert w in err


# ------------------------------------------------------------------------------------------
# 2-4. Rows left out: counted, with their reason, in JSON and text
# ------------------------------------------------------------------------------------------
def test_fiml_counts_rows_without_any_value(capsys, files):
    model, data = files
    status, out, err = run(capsys, "fit", str(model), str(data), "--missing", "fiml", "--json")
    assert status == 0, err
    res = json.loads(out)
    assert (res["n_total"], res["n_dropped"], res["n"]) == (301, 2, 299)
    assert res["dropped"] == [{"reason": "no value in the model's columns (full-information "
                                         "ML uses every other row)", "rows": 2}]
    status, text, _ = run(capsys, "fit", str(model), str(data), "--missing", "fiml")
    assert "Used" in text and "Total" in text
    line = next(t for t in text.splitlines() if t.startswith("Number of observations"))
    assert line.split()[-2:] == ["299", "301"]


def test_listwise_counts_incomplete_rows(capsys, files):
    model, data = files
    status, out, _ = run(capsys, "fit", str(model), str(data), "--json")
    res = json.loads(out)
    assert status == 0
    assert (res["n_total"], res["n_dropped"], res["n"]) == (301, 3, 298)
    assert "listwise" in res["dropped"][0]["reason"]
    status, out, _ = run(capsys, "fit", str(model), str(data), "--json", "--estimator", "MLR")
    res = json.loads(out)
    assert (res["n_dropped"], res["n"]) == (3, 298)


@pytest.mark.parametrize("missing, n_items", [("listwise", 3), ("fiml", 2)])
def test_rows_without_a_group_are_left_out_and_counted(capsys, files, missing, n_items):
    """Empty, NA and NaN group cells are all rows without a group (as lavaan)."""
    model, data = files
    status, out, err = run(capsys, "fit", str(model), str(data), "--group", "school",
                           "--missing", missing, "--json")
    assert status == 0, err
    res = json.loads(out)
    assert [g["group"] for g in res["groups"]] == ["Pasteur", "Grant-White"]
    reasons = {d["reason"].split(" (")[0]: d["rows"] for d in res["dropped"]}
    assert reasons["no group"] == 3
    assert res["n_dropped"] == 3 + n_items
    assert res["n"] == 301 - res["n_dropped"] == sum(g["n"] for g in res["groups"])
    assert any("no group" in w for w in res["warnings"])


def test_na_codes_apply_to_the_group_column(capsys, files, tmp_path):
    model, data = files
    text = data.read_text().replace("\nGrant-White,", "\n-99,", 5)
    coded = tmp_path / "coded.csv"
    coded.write_text(text)
    status, out, err = run(capsys, "fit", str(model), str(coded), "--group", "school",
                           "--na", "-99", "--json")
    assert status == 0, err
    res = json.loads(out)
    assert {d["reason"].split(" (")[0]: d["rows"] for d in res["dropped"]}["no group"] == 8


# ------------------------------------------------------------------------------------------
# 5. --group-partial and --group-equal
# ------------------------------------------------------------------------------------------
def test_group_partial_must_name_a_parameter_of_the_model(capsys, files):
    model, data = files
    status, _, err = run(capsys, "fit", str(model), str(data), "--group", "school",
                         "--group-equal", "loadings", "--group-partial", "F1=~nonexistent")
    assert status == 2 and one_line(err), err
    assert "'F1=~nonexistent'" in err and "visual =~ x1" in err and "lhs op rhs" in err
    status, out, err = run(capsys, "fit", str(model), str(data), "--group", "school",
                           "--group-equal", "loadings,intercepts", "--group-partial",
                           "visual =~ x2, x3 ~ 1, x1 ~~ x1", "--json")
    assert status == 0, err


def test_group_equal_words_are_lavaans(capsys, files):
    model, data = files
    status, _, err = run(capsys, "fit", str(model), str(data), "--group", "school",
                         "--group-equal", "loadings,loading")
    assert status == 2 and one_line(err) and "'loading'" in err and "lv.covariances" in err
    status, out, err = run(capsys, "fit", str(model), str(data), "--group", "school",
                           "--group-equal", "loadings,thresholds", "--json")
    assert status == 0, err
    assert json.loads(out)["group_equal"] == ["loadings", "thresholds"]


# ------------------------------------------------------------------------------------------
# 6. Bounds
# ------------------------------------------------------------------------------------------
def test_a_header_past_the_limit_is_refused_not_cut(capsys, files, tmp_path):
    from replication.data.csvfile import MAX_HEADER_BYTES

    model, _ = files
    names = [f"x{i}" for i in range(1, 10)] + [f"column_{i:07d}" for i in range(80_000)]
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(names) + "\n" + ",".join("1" for _ in names) + "\n")
    assert wide.stat().st_size > MAX_HEADER_BYTES
    status, _, err = run(capsys, "fit", str(model), str(wide))
    assert status == 2 and one_line(err), err
    assert "header line is longer than 1,048,576 bytes" in err and "duplicate" not in err


def test_duplicate_names_in_a_long_header_are_found_quickly(capsys, files, tmp_path):
    import time

    model, _ = files
    names = [f"c{i}" for i in range(100_000)] + ["c5"]
    wide = tmp_path / "dup.csv"
    wide.write_text(",".join(names) + "\n" + ",".join("1" for _ in names) + "\n")
    t = time.perf_counter()
    status, _, err = run(capsys, "fit", str(model), str(wide))
    assert time.perf_counter() - t < 10
    assert status == 2 and one_line(err) and "duplicate column name c5" in err


def test_too_many_observed_variables_are_refused(capsys, tmp_path):
    from replication.pipeline.fit_files import MAX_OBSERVED

    p = MAX_OBSERVED + 1
    names = [f"y{i}" for i in range(1, p + 1)]
    model = tmp_path / "big.lav"
    model.write_text("".join(f"f{k} =~ " + " + ".join(names[k * 10:(k + 1) * 10]) + "\n"
                             for k in range((p + 9) // 10)))
    data = tmp_path / "big.csv"
    rng = np.random.default_rng(1)
    np.savetxt(data, rng.standard_normal((5, p)), delimiter=",", header=",".join(names),
               comments="", fmt="%.3f")
    for extra in ([], ["--missing", "fiml"]):
        status, _, err = run(capsys, "fit", str(model), str(data), *extra)
        assert status == 2 and one_line(err), err
        assert f"{p} observed variables" in err and "at most" in err
    from replication.pipeline.fit_files import MAX_OBSERVED_ROBUST

    status, _, err = run(capsys, "fit", str(model), str(data), "--estimator", "MLR")
    assert status == 2 and one_line(err), err
    assert f"expected at most {MAX_OBSERVED_ROBUST} with --estimator MLR" in err


def test_a_heywood_resample_is_capped(monkeypatch):
    """A resample whose refit drifts to infinite estimates stops after the capped fallback and
    counts as not converged."""
    import pandas as pd

    from replication.engine import bootstrap as bs

    R = np.array([[1, .8, .8, .3, .3], [.8, 1, .5, .3, .3], [.8, .5, 1, .3, .3],
                  [.3, .3, .3, 1, .5], [.3, .3, .3, .5, 1]])
    X = np.random.default_rng(3).multivariate_normal(np.zeros(5), R, size=200)
    data = pd.DataFrame(X, columns=["x1", "x2", "x3", "y1", "y2"])
    calls = []
    real = bs._lbfgs

    def counted(ram, theta0, S):
        calls.append(1)
        return real(ram, theta0, S)

    monkeypatch.setattr(bs, "_lbfgs", counted)
    b = bs.bootstrap("f =~ x1 + x2 + x3\ng =~ y1 + y2\n", data, n_boot=60, seed=7)
    assert calls and b.n_nonconverged >= 1
    assert b.n_used + b.n_failed == 60
    assert bs.MAX_FALLBACK_ITER <= 300


# ------------------------------------------------------------------------------------------
# 3. results.json: the rows of every step
# ------------------------------------------------------------------------------------------
def test_results_json_names_the_rows_of_every_step():
    from types import SimpleNamespace as NS

    from replication.pipeline.results_json import _sem_block, rows_block

    inputs = NS(provenance={"n_read": 300, "n_dropped": 15}, data=[0] * 285, missing="listwise")
    rows = rows_block(inputs, NS(n=285), NS(n=280))
    assert (rows["n_read"], rows["n_dropped"], rows["n_rows"]) == (300, 15, 285)
    assert "listwise" in rows["reason"]
    cfa, sem = rows["steps"]
    assert (cfa["step"], cfa["n_used"], cfa["n_dropped"], cfa["reason"]) == ("cfa", 285, 0, None)
    assert (sem["step"], sem["n_used"], sem["n_dropped"]) == ("sem", 280, 5)
    assert "listwise" in sem["reason"]
    fiml = rows_block(NS(provenance={}, data=[0] * 300, missing="fiml"), NS(n=298))
    assert fiml["n_read"] == 300 and fiml["steps"][0]["n_dropped"] == 2
    assert "full-information" in fiml["steps"][0]["reason"]
    assert _sem_block(None, 300) is None
