"""The per-paper pipeline: record -> data -> estimates -> comparison, as named steps.

- :mod:`~replication.pipeline.inputs`: the record and the responses, with provenance;
- :mod:`~replication.pipeline.steps`: audit, CFA, SEM, measurement, moderation, mediation;
- :mod:`~replication.pipeline.original_replication`: with real responses, the original
  sample (reconstructed) and the new one as a two-group model (invariance, equal paths);
- :mod:`~replication.pipeline.paper`: :func:`replicate` (all steps in sequence) and
  :class:`PaperResult`;
- :mod:`~replication.pipeline.results_json`: the deterministic ``results.json``;
- :mod:`~replication.pipeline.planning`: replication tests on real responses and the Monte Carlo
  plan of a replication (power over N per hypothesis).

A paper's notebook calls these steps one cell at a time; :func:`replicate` calls them without
Jupyter and gives the same ``results.json`` bytes.
"""

#: Where each name of the package lives: imported on first use (PEP 562), so that
#: ``replicate fit`` imports only :mod:`~replication.pipeline.fit_files` and what it needs.
_LAZY = {
    "Inputs": "replication.pipeline.inputs",
    "assumptions_table": "replication.pipeline.inputs",
    "data_summary": "replication.pipeline.inputs",
    "load_inputs": "replication.pipeline.inputs",
    "sample_table": "replication.pipeline.inputs",
    "DEFAULT_BOOTSTRAP": "replication.pipeline.paper",
    "PaperResult": "replication.pipeline.paper",
    "compare_published": "replication.pipeline.paper",
    "effects": "replication.pipeline.paper",
    "hypotheses": "replication.pipeline.paper",
    "replicate": "replication.pipeline.paper",
    "OriginalVsReplication": "replication.pipeline.original_replication",
    "original_vs_replication": "replication.pipeline.original_replication",
    "ReplicationPlan": "replication.pipeline.planning",
    "plan_replication": "replication.pipeline.planning",
    "planning_inputs": "replication.pipeline.planning",
    "replication_tests": "replication.pipeline.planning",
    "with_replication": "replication.pipeline.planning",
    "collect_results": "replication.pipeline.results_json",
    "dumps": "replication.pipeline.results_json",
    "to_jsonable": "replication.pipeline.results_json",
    "versions": "replication.pipeline.results_json",
    "write_results": "replication.pipeline.results_json",
    "MeasurementTables": "replication.pipeline.steps",
    "Moderations": "replication.pipeline.steps",
    "audit_table": "replication.pipeline.steps",
    "composite_scores": "replication.pipeline.steps",
    "controls": "replication.pipeline.steps",
    "fit_table": "replication.pipeline.steps",
    "estimation_sentence": "replication.pipeline.steps",
    "measurement_tables": "replication.pipeline.steps",
    "mediation_table": "replication.pipeline.steps",
    "mediation_notes": "replication.pipeline.steps",
    "moderation_tables": "replication.pipeline.steps",
    "regression_paths": "replication.pipeline.steps",
    "run_audit": "replication.pipeline.steps",
    "run_cfa": "replication.pipeline.steps",
    "run_mediation": "replication.pipeline.steps",
    "run_moderation": "replication.pipeline.steps",
    "run_sem": "replication.pipeline.steps",
    "section_title": "replication.pipeline.steps",
}


__all__ = [
    "OriginalVsReplication", "original_vs_replication",
    "Inputs", "load_inputs", "data_summary", "assumptions_table", "sample_table",
    "run_audit", "audit_table", "run_cfa", "run_sem", "fit_table", "estimation_sentence",
    "measurement_tables",
    "composite_scores", "controls", "run_moderation", "moderation_tables", "regression_paths",
    "run_mediation", "mediation_table", "mediation_notes", "section_title", "MeasurementTables",
    "Moderations",
    "compare_published", "effects", "hypotheses", "PaperResult", "replicate", "DEFAULT_BOOTSTRAP",
    "collect_results", "dumps", "to_jsonable", "versions", "write_results",
    "ReplicationPlan", "plan_replication", "planning_inputs", "replication_tests",
    "with_replication",
]


def __getattr__(name: str):
    """The package's names, imported from their module on first use."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'replication.pipeline' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The package's names, imported or not."""
    return sorted(set(globals()) | set(__all__))
