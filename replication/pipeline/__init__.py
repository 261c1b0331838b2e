"""The per-paper pipeline: record -> data -> estimates -> comparison, as named steps.

- :mod:`~replication.pipeline.inputs`: the record and the responses, with provenance;
- :mod:`~replication.pipeline.steps`: audit, CFA, SEM, measurement, moderation, mediation;
- :mod:`~replication.pipeline.paper`: :func:`replicate` (all steps in sequence) and
  :class:`PaperResult`;
- :mod:`~replication.pipeline.results_json`: the deterministic ``results.json``;
- :mod:`~replication.pipeline.planning`: replication tests on real responses and the Monte Carlo
  plan of a replication (power over N per hypothesis).

A paper's notebook calls these steps one cell at a time; :func:`replicate` calls them without
Jupyter and gives the same ``results.json`` bytes.
"""

from replication.pipeline.inputs import (Inputs, assumptions_table, data_summary, load_inputs,
                                         sample_table)
from replication.pipeline.paper import (DEFAULT_BOOTSTRAP, PaperResult, compare_published,
                                        effects, hypotheses, replicate)
from replication.pipeline.planning import (ReplicationPlan, plan_replication, replication_tests,
                                           with_replication)
from replication.pipeline.results_json import (collect_results, dumps, to_jsonable, versions,
                                               write_results)
from replication.pipeline.steps import (MeasurementTables, Moderations, audit_table, composite_scores, controls, fit_table,
                                        measurement_tables, mediation_table, moderation_tables,
                                        regression_paths, run_audit, run_cfa, run_mediation,
                                        run_moderation, run_sem, section_title)

__all__ = [
    "Inputs", "load_inputs", "data_summary", "assumptions_table", "sample_table",
    "run_audit", "audit_table", "run_cfa", "run_sem", "fit_table", "measurement_tables",
    "composite_scores", "controls", "run_moderation", "moderation_tables", "regression_paths",
    "run_mediation", "mediation_table", "section_title", "MeasurementTables", "Moderations",
    "compare_published", "effects", "hypotheses", "PaperResult", "replicate", "DEFAULT_BOOTSTRAP",
    "collect_results", "dumps", "to_jsonable", "versions", "write_results",
    "ReplicationPlan", "plan_replication", "replication_tests", "with_replication",
]
