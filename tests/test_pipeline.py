"""The pipeline API: replicate() runs the paper's steps without Jupyter and gives run's bytes."""

from __future__ import annotations

import pytest

import replication
from replication.pipeline import PaperResult, replicate
from replication.report import runner


@pytest.mark.slow
def test_replicate_writes_the_bytes_of_replicate_run(tmp_path):
    summary = runner.run(["e_engagement"], seed=7, out_dir=tmp_path / "run", progress=False)
    assert summary.outcomes[0].ok, summary.outcomes[0].error
    result = replicate("e_engagement", seed=7)
    written = result.to_json(tmp_path / "api.json")
    assert written.read_bytes() == (tmp_path / "run" / "e_engagement" / "results.json").read_bytes()


def test_paper_result_is_typed_and_summarises_itself():
    result = replicate("live_commerce", seed=3, n_bootstrap=20)
    assert isinstance(result, PaperResult)
    assert result.record.id == "live_commerce"
    assert set(result.comparisons) >= {"loadings", "paths", "reliability"}
    assert result.paths is result.comparisons["paths"]
    assert result.cfa.converged and result.sem is not None
    text = result.summary()
    assert result.classification["label"] in text
    for hypothesis in result.hypotheses["hypothesis"]:
        assert f"{hypothesis}:" in text


def test_public_api_names_exist_and_audit_is_callable():
    for name in ("load_record", "audit", "reconstruct", "fit", "replicate", "PaperResult",
                 "AuditReport", "Record", "InputError"):
        assert name in replication.__all__
    record = replication.load_record("live_commerce")
    report = replication.audit(record)
    assert isinstance(report, replication.AuditReport)
    assert report.findings
