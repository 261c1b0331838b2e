"""The `replicate` command: contracts from docs/architecture.md, exit statuses, one-line errors."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.conftest import ROOT, run_cli

IDS = ["e_engagement", "live_commerce", "service_recovery", "social_crm", "value_cocreation"]


def _one_line_error(res, *needles):
    assert res.returncode == 2, (res.returncode, res.stderr)
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    for n in needles:
        assert n in lines[0], lines[0]


@pytest.mark.parametrize("pid", IDS)
def test_audit_json_contract(pid):
    res = run_cli("audit", pid, "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["paper"] == pid
    assert doc["findings"], "no findings"
    for f in doc["findings"]:
        assert set(f) >= {"check", "where", "reported", "recomputed", "status", "detail"}
        assert f["status"] in {"consistent", "inconsistent", "not_checkable"}


def test_audit_text_and_unknown_paper():
    res = run_cli("audit", "live_commerce")
    assert res.returncode == 0 and "live_commerce" in res.stdout
    _one_line_error(run_cli("audit", "no_such_paper"), "unknown paper 'no_such_paper'")


def test_reconstruct_writes_item_columns_deterministically(tmp_path):
    out1, out2 = tmp_path / "a.csv", tmp_path / "b.csv"
    for out in (out1, out2):
        res = run_cli("reconstruct", "live_commerce", "--source", "simulated", "--seed", "7",
                      "--n", "120", "--out", str(out))
        assert res.returncode == 0, res.stderr
    assert hashlib.sha256(out1.read_bytes()).digest() == hashlib.sha256(out2.read_bytes()).digest()
    header = out1.read_text().splitlines()[0].split(",")
    assert header[:3] == ["T1", "T2", "T3"] and len(header) == 21
    assert len(out1.read_text().splitlines()) == 121


def test_reconstruct_bad_out_folder(tmp_path):
    _one_line_error(run_cli("reconstruct", "live_commerce", "--out", str(tmp_path / "no" / "x.csv")),
                    "folder does not exist")


def test_fit_json_contract(tmp_path):
    data = ROOT / "tests" / "fixtures" / "lavaan" / "holzinger_swineford.csv"
    model = tmp_path / "hs.lav"
    model.write_text("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n")
    res = run_cli("fit", str(model), str(data), "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    row = doc["parameters"][0]
    assert set(row) >= {"lhs", "op", "rhs", "est", "se", "z", "pvalue", "std_all"}
    fm = doc["fit_measures"]
    for key in ("chisq", "df", "pvalue", "cfi", "tli", "nfi", "ifi", "gfi", "agfi", "rmsea",
                "rmsea.ci.lower", "rmsea.ci.upper", "srmr"):
        assert key in fm
    assert fm["df"] == 24
    assert abs(fm["chisq"] - 85.306) < 1e-2  # lavaan: cfa(HS.model, HolzingerSwineford1939)


def test_fit_bad_inputs(tmp_path):
    data = ROOT / "tests" / "fixtures" / "lavaan" / "holzinger_swineford.csv"
    model = tmp_path / "m.lav"
    model.write_text("visual =~ x1 + x2 + nothere\n")
    before = model.read_bytes()
    _one_line_error(run_cli("fit", str(model), str(data)), "nothere")
    assert model.read_bytes() == before
    model.write_text("visual =~ x1 + x2 + x3\nthis is not a model line\n")
    _one_line_error(run_cli("fit", str(model), str(data)), "line 2")
    _one_line_error(run_cli("fit", str(tmp_path / "none.lav"), str(data)), "none.lav")


BAD_CSV = [
    ("missing", lambda df: df.drop(columns=["T3", "SN1"]), "missing item columns T3, SN1"),
    ("non-numeric", lambda df: df.astype(object).assign(PI2=lambda d: d["PI2"].where(d.index != 3, "agree")),
     "column PI2, row 4: non-numeric value 'agree'"),
    ("off-scale", lambda df: df.assign(RB1=lambda d: d["RB1"].where(d.index != 8, 6)),
     "column RB1, row 9: value 6 outside the 5-point scale"),
    ("constant", lambda df: df.assign(MI3=3), "constant column MI3"),
    ("too few rows", lambda df: df.head(10), "10 complete rows; expected at least 22"),
]


@pytest.mark.parametrize("name,mutate,needle", BAD_CSV, ids=[b[0] for b in BAD_CSV])
def test_run_with_bad_response_file(tmp_path, name, mutate, needle):
    import numpy as np
    import pandas as pd

    from replication.record.schema import load_record

    items = load_record("live_commerce").item_list
    rng = np.random.default_rng(3)
    df = mutate(pd.DataFrame(rng.integers(1, 6, size=(60, len(items))), columns=items))
    path = tmp_path / "responses.csv"
    df.to_csv(path, index=False)
    before = path.read_bytes()
    res = run_cli("run", "live_commerce", "--data", str(path), "--out", str(tmp_path / "out"))
    _one_line_error(res, str(path), needle)
    assert path.read_bytes() == before
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["responses.csv"]


def test_run_unknown_paper_and_missing_data(tmp_path):
    _one_line_error(run_cli("run", "nope", "--out", str(tmp_path / "o")), "unknown paper 'nope'")
    _one_line_error(run_cli("run", "live_commerce", "--data", str(tmp_path / "x.csv")), "x.csv: file not found")


@pytest.mark.slow
def test_run_a_record_given_as_a_path_into_a_relative_output_folder(tmp_path):
    """A user's own record (not bundled) runs through a notebook built from it; the reports
    land, complete, in the relative --out that `make report` passes."""
    import yaml

    raw = yaml.safe_load((ROOT / "data/papers/value_cocreation/paper.yaml").read_text(encoding="utf-8"))
    raw["id"] = "my_study"
    rec = tmp_path / "rec" / "paper.yaml"
    rec.parent.mkdir()
    rec.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    before = rec.read_bytes()
    res = run_cli("run", str(rec), "--out", "rel_reports", "--bootstrap", "20", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    out = tmp_path / "rel_reports"
    doc = json.loads((out / "my_study" / "results.json").read_text(encoding="utf-8"))
    assert doc["paper"] == "my_study"
    assert doc["summary"]["classification"]["label"]
    assert (out / "my_study" / "my_study.html").is_file() and (out / "index.html").is_file()
    assert rec.read_bytes() == before
    assert sorted(p.name for p in rec.parent.iterdir()) == ["paper.yaml"]


def test_reconstruct_refuses_to_overwrite_its_record_or_project_data(tmp_path):
    import shutil

    rec = tmp_path / "paper.yaml"
    shutil.copy(ROOT / "data/papers/live_commerce/paper.yaml", rec)
    before = rec.read_bytes()
    _one_line_error(run_cli("reconstruct", str(rec), "--out", str(rec)), "is the input file")
    assert rec.read_bytes() == before
    target = ROOT / "data/papers/live_commerce/paper.yaml"
    before = target.read_bytes()
    _one_line_error(run_cli("reconstruct", "live_commerce", "--out", str(target)), "data/ folder")
    assert target.read_bytes() == before


def test_bootstrap_needs_at_least_two_resamples(tmp_path):
    res = run_cli("run", "live_commerce", "--bootstrap", "1", "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "--bootstrap" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "o").exists()


def test_outputs_have_ordinary_permissions(tmp_path):
    import os
    import stat

    out = tmp_path / "x.csv"
    assert run_cli("reconstruct", "value_cocreation", "--out", str(out)).returncode == 0
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask


def test_fit_reports_dropped_rows_and_names_the_data_file(tmp_path):
    import pandas as pd

    src = pd.read_csv(ROOT / "tests" / "fixtures" / "lavaan" / "holzinger_swineford.csv")
    model = tmp_path / "hs.lav"
    model.write_bytes("\ufeffvisual =~ x1 + x2 + x3\n".encode("utf-8"))  # a BOM is ignored
    data = src.copy()
    data.loc[:29, "x1"] = None
    csv = tmp_path / "d.csv"
    data.to_csv(csv, index=False)
    res = run_cli("fit", str(model), str(csv), "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["n_dropped"] == 30 and doc["n"] == len(src) - 30
    assert any("30 of 301 rows" in w for w in doc["warnings"])
    data = src.copy()
    data["x2"] = data["x2"].astype(object)
    data.loc[4, "x2"] = "inf"
    data.to_csv(csv, index=False)
    _one_line_error(run_cli("fit", str(model), str(csv)), str(csv), "column x2", "row 5", "infinite")
    _one_line_error(run_cli("fit", str(tmp_path), str(csv)), "is a directory")


def test_fit_positive_definiteness_does_not_depend_on_units(tmp_path):
    import pandas as pd

    data = pd.read_csv(ROOT / "tests" / "fixtures" / "lavaan" / "holzinger_swineford.csv")
    model = tmp_path / "m.lav"
    model.write_text("visual =~ x1 + x2 + x3\n")
    scaled = data.assign(x1=data["x1"] * 1e8)
    csv = tmp_path / "scaled.csv"
    scaled.to_csv(csv, index=False)
    res = run_cli("fit", str(model), str(csv), "--json")
    assert res.returncode == 0, res.stderr
    base = run_cli("fit", str(model), str(ROOT / "tests" / "fixtures" / "lavaan" / "holzinger_swineford.csv"), "--json")
    a, b = json.loads(res.stdout)["fit_measures"], json.loads(base.stdout)["fit_measures"]
    assert abs(a["chisq"] - b["chisq"]) < 1e-4 and abs(a["cfi"] - b["cfi"]) < 1e-6
    collinear = data.assign(x3=data["x1"] + data["x2"])
    collinear.to_csv(csv, index=False)
    _one_line_error(run_cli("fit", str(model), str(csv)), str(csv), "columns x1, x2, x3 are collinear")


RAW_BAD = [
    ("empty", "", "file is empty"),
    ("header only", None, "header only"),
    ("duplicate header", "dup", "duplicate column name T1"),
]


@pytest.mark.parametrize("name,kind,needle", RAW_BAD, ids=[b[0] for b in RAW_BAD])
def test_run_with_malformed_response_file(tmp_path, name, kind, needle):
    from replication.record.schema import load_record

    items = load_record("live_commerce").item_list
    if kind is None:
        text = ",".join(items) + "\n"
    elif kind == "dup":
        header = ["T1"] + items[1:] + ["T1"]
        text = ",".join(header) + "\n" + "\n".join(",".join(["3"] * len(header)) for _ in range(30)) + "\n"
    else:
        text = kind
    path = tmp_path / "responses.csv"
    path.write_text(text, encoding="utf-8")
    before = path.read_bytes()
    _one_line_error(run_cli("run", "live_commerce", "--data", str(path), "--out", str(tmp_path / "o")),
                    str(path), needle)
    assert path.read_bytes() == before and not (tmp_path / "o").exists()


@pytest.mark.slow
def test_run_with_missing_values_reports_listwise_deletion(tmp_path):
    from replication.data import reconstruct
    from replication.record.schema import load_record

    record = load_record("value_cocreation")
    items = record.item_list
    df = reconstruct.reconstruct(record, source="simulated", seed=11, n=200).data[items]
    df = df.astype(object)
    df.loc[[4, 9, 30], items[1]] = ""
    path = tmp_path / "responses.csv"
    df.to_csv(path, index=False)
    before = path.read_bytes()
    res = run_cli("run", "value_cocreation", "--data", str(path), "--out", str(tmp_path / "out"),
                  "--bootstrap", "20")
    assert res.returncode == 0, res.stdout + res.stderr
    doc = json.loads((tmp_path / "out" / "value_cocreation" / "results.json").read_text(encoding="utf-8"))
    assert doc["data"]["source"] == "csv" and doc["data"]["file"] == "responses.csv"
    assert any("3 of 200 rows" in n for n in doc["data_notes"]), doc["data_notes"]
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "responses.csv"]
