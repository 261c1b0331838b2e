"""Analytic RMSEA power against semTools (fixtures from scripts/power_fixtures.R) and the
``replicate power --rmsea`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from replication.analyses import power
from replication.engine.errors import InputError
from tests.conftest import run_cli

FX = json.loads((Path(__file__).parent / "fixtures" / "power" / "rmsea.json").read_text())


@pytest.mark.parametrize("case", FX["power"], ids=lambda c: f"{c['rmsea0']}-{c['rmsea']}-{c['df']}-{c['n']}")
def test_power_matches_semtools(case):
    got = power.rmsea_power(case["rmsea"], case["df"], case["n"], rmsea0=case["rmsea0"],
                            alpha=FX["alpha"])
    assert got == pytest.approx(case["power"], abs=1e-10)


@pytest.mark.parametrize("case", FX["sample_size"], ids=lambda c: f"{c['rmsea0']}-{c['rmsea']}-{c['df']}")
def test_sample_size_matches_semtools(case):
    n = power.rmsea_sample_size(case["rmsea"], case["df"], case["power"], rmsea0=case["rmsea0"],
                                alpha=FX["alpha"])
    assert n == case["n"]
    # the smallest such N: one fewer falls short
    assert power.rmsea_power(case["rmsea"], case["df"], n - 1, case["rmsea0"]) < case["power"]


def test_anchors_of_the_issue():
    # semPower a priori (RMSEA .05, df 50, power .80) and MacCallum et al. 1996 (close fit)
    assert power.rmsea_sample_size(0.05, 50, 0.80) == 243
    assert power.rmsea_sample_size(0.08, 100, 0.80, rmsea0=0.05) == 132


def test_noncentrality_uses_n_minus_one():
    assert power.noncentrality(0.05, 50, 243) == pytest.approx(242 * 50 * 0.0025)


@pytest.mark.parametrize("kwargs, field", [
    (dict(rmsea=0.05, df=50, power=1.0), "--target-power"),
    (dict(rmsea=0.05, df=50, power=0.0), "--target-power"),
    (dict(rmsea=0.05, df=0, power=0.8), "--df"),
    (dict(rmsea=-0.1, df=10, power=0.8), "--rmsea"),
    (dict(rmsea=0.05, df=10, power=0.8, rmsea0=0.05), "--rmsea"),
    (dict(rmsea=0.05, df=10, power=0.8, alpha=1.5), "--alpha"),
    (dict(rmsea=0.0005, df=1, power=0.99), "not reached by any N up to"),
])
def test_bad_input(kwargs, field):
    with pytest.raises(InputError, match=field):
        power.rmsea_sample_size(**kwargs)


def test_cli_json_contract():
    res = run_cli("power", "--rmsea", "0.08", "--rmsea0", "0.05", "--df", "100",
                  "--target-power", "0.8", "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["n"] == 132 and doc["test"] == "close fit"
    assert doc["power"] == pytest.approx(FX["power"][2]["power"], abs=1e-10)
    res = run_cli("power", "--rmsea", "0.05", "--df", "50", "--n", "200", "--json")
    assert json.loads(res.stdout)["power"] == pytest.approx(FX["power"][1]["power"], abs=1e-10)


@pytest.mark.parametrize("args, needle", [
    (["--rmsea", "0.05", "--df", "50", "--target-power", "1.5"], "--target-power"),
    (["--rmsea", "0.0005", "--df", "1", "--target-power", "0.99"], "not reached"),
    (["--rmsea", "0.05", "--target-power", "0.8"], "--df"),
    (["--rmsea", "0.05", "--df", "50"], "either --n or --target-power"),
    (["--rmsea", "abc", "--df", "50"], "expected a number"),
])
def test_cli_bad_input_one_line(args, needle):
    res = run_cli("power", *args)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in res.stderr
