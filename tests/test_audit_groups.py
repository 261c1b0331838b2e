"""The audit of multi-group records: df over every group with the block's group.equal, and
lavaan's multi-group RMSEA (sqrt(G) times the one-group formula at the total N) and baseline
(G p (p - 1) / 2 df).

Reference values: lavaan 0.6 fits of Holzinger and Swineford's three-factor CFA by school,
configural, metric and scalar (tests/fixtures/record_estimators/, scripts/record_estimator_fixtures.R).
"""

from __future__ import annotations

import yaml

from replication.audit import audit
from replication.audit.model_df import record_df
from replication.record.schema import load_record
from tests.test_record_estimators import _hs_record, _pub


def _with_rmsea(tmp_path, drop_n: bool = False, scale: float = 1.0):
    path, refs = _hs_record(tmp_path)
    raw = yaml.safe_load(path.read_text())
    for b in raw["results"]["fit"]:
        fm = refs[b["model"]]["fit_measures"]
        b["measures"]["rmsea"] = _pub(fm["rmsea"] * scale, f"{b['model']}, rmsea")
        b["measures"]["tli"] = _pub(fm["tli"], f"{b['model']}, tli")
    if drop_n:
        del raw["sample"]["n"]
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return load_record(path), refs


def test_df_of_every_invariance_step_is_lavaans(tmp_path):
    rec, refs = _with_rmsea(tmp_path)
    for step, ref in refs.items():
        count = record_df(rec, step)
        assert count.df == ref["fit_measures"]["df"] and count.groups == 2
        assert count.moments == 2 * (45 + 9)
    found = {(f.check, f.where.split(",")[0]): f for f in audit(rec).findings}
    for step in refs:
        assert found[("df", step)].status == "consistent"
        assert "2 groups" in found[("df", step)].recomputed


def test_multigroup_rmsea_baseline_and_n_are_consistent(tmp_path):
    rec, _ = _with_rmsea(tmp_path)
    fs = audit(rec).findings
    assert not [f for f in fs if f.status == "inconsistent"]
    checks = {f.check for f in fs if f.status == "consistent"}
    assert {"rmsea", "incremental_fit", "baseline", "sample_n"} <= checks
    base = next(f for f in fs if f.check == "baseline")
    lo, hi = (float(x) for x in base.recomputed.strip("[]").split(","))
    assert lo <= 957.769 <= hi  # lavaan's baseline.chisq of the two groups


def test_multigroup_n_inferred_from_the_rmsea_of_every_step(tmp_path):
    rec, _ = _with_rmsea(tmp_path, drop_n=True)
    fs = audit(rec).findings
    n = next(f for f in fs if f.check == "sample_n")
    assert n.status == "consistent" and "301" in n.recomputed


def test_one_group_rmsea_formula_would_flag_the_multigroup_rmsea(tmp_path):
    rec, _ = _with_rmsea(tmp_path, scale=1 / 2 ** 0.5)  # the RMSEA without lavaan's sqrt(G)
    bad = [f for f in audit(rec).findings if f.check == "rmsea" and f.status == "inconsistent"]
    assert len(bad) == 3 and all(f.severity == "major" for f in bad)
