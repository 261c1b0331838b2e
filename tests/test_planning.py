"""Replication tests in results.json with real responses, and the Monte Carlo plan of a
replication (pipeline steps a notebook calls)."""

from __future__ import annotations

import json

import pytest

from replication.data.reconstruct import reconstruct, write_csv
from replication.pipeline import planning
from replication.pipeline.inputs import load_inputs
from replication.pipeline.paper import replicate
from replication.record.schema import load_record


@pytest.fixture(scope="module")
def csv_result(tmp_path_factory):
    rec = load_record("e_engagement")
    path = tmp_path_factory.mktemp("data") / "new_sample.csv"
    write_csv(reconstruct(rec, source="simulated", seed=9, n=600).data, path)
    return replicate("e_engagement", data=path, seed=3, n_bootstrap=20, sesoi=0.1)


def test_every_path_hypothesis_carries_replication_tests_with_real_data(csv_result):
    res = json.loads(csv_result.to_json_text())
    rec = csv_result.record
    kinds = {h.id: h.kind for h in rec.hypotheses}
    for row in res["hypotheses"]:
        block = row["replication"]
        if kinds[row["hypothesis"]] != "path":
            assert block is None
            continue
        assert set(block) >= {"original", "replication", "difference", "prediction_interval",
                              "small_telescopes"}
        assert set(block["original"]) >= {"estimate", "se"}
        assert set(block["small_telescopes"]) == {"effect_33", "z", "p", "verdict"}
        assert block["equivalence"]["sesoi"] == 0.1
        # the replication estimate is the fitted path in the record's metric (unstandardized)
        x, y = row["effect"].split("->")
        p = csv_result.sem.params
        est = p[(p.lhs == y) & (p.op == "~") & (p.rhs == x)]["est"].iloc[0]
        assert block["replication"]["estimate"] == pytest.approx(est, abs=1e-6)


def test_no_replication_tests_on_reconstructed_data():
    inputs = load_inputs("value_cocreation", seed=2024)
    assert planning.replication_tests(inputs, None, None) is None
    import pandas as pd

    hyp = pd.DataFrame({"hypothesis": ["A1"]})
    assert planning.with_replication(hyp, None) is hyp


def test_plan_replication_tables_and_provenance():
    inputs = load_inputs("value_cocreation", seed=2024)
    plan = planning.plan_replication(inputs, reps=6, seed=2024, bootstrap=30)
    assert plan.n == planning.planning_grid(502, 46) == [126, 251, 502]
    assert set(plan.power["hypothesis"]) == {h.id for h in inputs.record.hypotheses}
    assert list(plan.n_for_power.columns[:5]) == ["hypothesis", "effect", "n_80", "n_90", "n_95"]
    prov = dict(zip(plan.provenance()["field"], plan.provenance()["value"]))
    assert prov["source"] == "assumed" and prov["replications per N"] == 6
    # N for 95% power is never below N for 80%
    import pandas as pd

    both = plan.n_for_power.dropna(subset=["n_80", "n_95"])
    assert len(both) >= 8 and (both["n_95"] >= both["n_80"]).all()
    # an effect the grid cannot reach within the largest N searched has no N
    assert pd.isna(plan.n_for_power.set_index("hypothesis").loc["A4", "n_80"]) or \
        plan.n_for_power.set_index("hypothesis").loc["A4", "n_80"] > 10_000


def test_plan_of_a_record_with_continuous_indicators(tmp_path):
    """A record without ``sample.scale_points`` (continuous items, as the worked examples) is
    planned on continuous responses, from the record's population and from real responses."""
    import shutil

    src = "data/examples/political_democracy"
    text = open(f"{src}/paper.yaml", encoding="utf-8").read()
    text += ("hypotheses:\n"
             "  - {id: H1, from: ind60, to: dem60, statement: 'Industrialization raises "
             "democracy in 1960.'}\n")
    record = tmp_path / "paper.yaml"
    record.write_text(text, encoding="utf-8")
    shutil.copy(f"{src}/data.csv", tmp_path / "data.csv")
    for data in (None, str(tmp_path / "data.csv")):
        inputs = load_inputs(str(record), data_path=data, seed=5)
        plan = planning.plan_replication(inputs, reps=4, seed=5, n=[150])
        assert plan.population["responses"] in ("continuous", "as in the data")
        row = plan.power.set_index("hypothesis").loc["H1"]
        assert 0.0 <= row["power"] <= 1.0


def test_run_plans_by_monte_carlo_on_request(tmp_path, cli):
    # default: analytic power at once; --planning-reps R adds the Monte Carlo curves
    proc = cli("run", "value_cocreation", "--planning-reps", "5", "--out", str(tmp_path),
               "--quiet")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    html = (tmp_path / "value_cocreation" / "value_cocreation.html").read_text(encoding="utf-8")
    assert "Monte Carlo, with the Wald test" in html
    bad = cli("run", "value_cocreation", "--planning-reps", "-1", "--out", str(tmp_path))
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_a_record_without_n_runs_on_real_responses_and_is_refused_without(tmp_path, cli):
    # N optional: with --data every step runs (nothing is reconstructed at a missing N); without
    # data the run is refused up front in one line
    import re

    src = "data/examples/holzinger_swineford"
    text = open(f"{src}/paper.yaml", encoding="utf-8").read()
    record = tmp_path / "rec" / "paper.yaml"
    record.parent.mkdir()
    record.write_text(re.sub(r"\n  n: \{value: 301[^\n]*", "", text), encoding="utf-8")
    ok = cli("run", str(record), "--data", f"{src}/data.csv", "--out", str(tmp_path / "a"),
             "--quiet")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    res = json.loads((tmp_path / "a" / "holzinger_swineford" / "results.json").read_text())
    assert "prints no N" in " ".join(res["original_vs_replication"]["notes"])
    bad = cli("run", str(record), "--out", str(tmp_path / "b"))
    assert bad.returncode == 2 and "sample.n" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
