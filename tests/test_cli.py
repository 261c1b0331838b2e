"""The `replicate` command: contracts from DESIGN.md, exit statuses, one-line errors."""

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
