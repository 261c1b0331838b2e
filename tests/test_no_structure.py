"""A replication that finds nothing is a result: a bundled paper on answers drawn at random.

The answers carry no factor structure, so the record's CFA and SEM do not converge (or reach an
inadmissible solution); the pipeline must still produce every table, a ``results.json`` that
says so, and the classification "not reproduced" with the reason, in bounded time.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from replication.data import reconstruct
from replication.pipeline.paper import replicate
from replication.record.schema import load_record


@pytest.fixture(scope="module")
def noise_csv(tmp_path_factory):
    record = load_record("live_commerce")
    columns = reconstruct.reconstruct(record, source="simulated", seed=1).data.columns
    rng = np.random.default_rng(11)
    k = int(record.scale_points)
    data = pd.DataFrame(rng.integers(1, k + 1, size=(465, len(columns))), columns=columns)
    path = tmp_path_factory.mktemp("noise") / "noise.csv"
    data.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def result(noise_csv):
    return replicate("live_commerce", data=noise_csv, seed=3)


def test_noise_is_classified_not_reproduced_with_the_reason(result):
    verdict = result.classification
    assert verdict["label"] == "not reproduced"
    assert "did not converge" in verdict["reason"] or "inadmissible" in verdict["reason"]


def test_results_file_records_the_failed_fits(result, tmp_path):
    path = tmp_path / "results.json"
    result.to_json(path)
    out = json.loads(path.read_text())
    assert out["summary"]["classification"]["label"] == "not reproduced"
    two = out.get("original_vs_replication")
    assert two is not None
    if two.get("computed") is False:
        assert "did not converge" in two["notes"][-1]


def test_each_fit_says_whether_it_converged_and_why_it_is_not_a_solution(result, tmp_path):
    path = tmp_path / "results.json"
    result.to_json(path)
    out = json.loads(path.read_text())
    for name in ("cfa", "sem"):
        fit = out[name]
        assert isinstance(fit["converged"], bool)
        if fit["converged"]:
            # noise gives no admissible solution of a seven-factor model here
            assert fit["warnings"], name
        else:
            assert any("converge" in w for w in fit["warnings"]), name
