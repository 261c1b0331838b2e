"""Item counts a record assumes, against the df and p-dependent indices the paper printed:
the audit reports the totals that fit every fit block (closed form: cfa_df, sem_df)."""

from __future__ import annotations

import yaml
from hypothesis import given, settings, strategies as st

from replication.audit.item_counts import describe_totals, item_count_findings
from replication.audit.model_df import cfa_df
from replication.record.core import Record
from tests.conftest import ROOT


def _raw() -> dict:
    return yaml.safe_load((ROOT / "data" / "papers" / "e_engagement" / "paper.yaml").read_text())


def _item_counts(raw: dict):
    fs = item_count_findings(Record.model_validate(raw))
    assert len(fs) == 1
    return fs[0]


def test_printed_dfs_of_e_engagement_admit_21_assumed_items():
    f = _item_counts(_raw())
    assert f.status == "consistent" and f.recomputed == "21"
    assert "CFA df 231: 21" in f.detail and "SEM df 243: 21" in f.detail


def test_dfs_no_one_item_total_explains_are_major():
    raw = _raw()
    sem = next(b for b in raw["results"]["fit"] if b["model"] == "sem")
    sem["measures"]["df"].update(value=250, printed="250")
    sem["measures"].pop("chisq_df", None)
    f = _item_counts(raw)
    assert f.status == "inconsistent" and f.severity == "major" and f.recomputed == "none"


def test_describe_totals_groups_single_item_constructs():
    assert describe_totals({(20, 0), (21, 0), (23, 0), (19, 1)}) == "20-21, 23; 19 with 1 single-item construct"
    assert describe_totals(set()) == "none"


def _cfa_record(counts: list[int], decimals: int, gfi: float) -> tuple[dict, int]:
    p, k = sum(counts), len(counts)
    df = cfa_df(p, k).df
    agfi = 1 - p * (p + 1) / 2 / df * (1 - gfi)
    raw = {"id": "toy", "title": "toy", "short_title": "toy", "evidence": "tables",
           "citation": {"authors": ["a"], "title": "t", "venue": "v", "source_file": "f"},
           "sample": {"n": {"value": 300, "printed": "300", "where": "text"}},
           "constructs": {f"C{j}": {"name": f"C{j}"} for j in range(k)},
           "model": {"kind": "sem", "paths": [{"from": f"C{j}", "to": f"C{j + 1}"} for j in range(k - 1)]},
           "assumptions": [{"target": f"constructs.C{j}.n_items", "value": 3, "reason": "not printed"}
                           for j in range(k)],
           "results": {"fit": [{"model": "cfa", "measures": {
               "df": {"value": df, "printed": str(df), "where": "df"},
               "gfi": {"value": round(gfi, decimals), "printed": f"{gfi:.{decimals}f}", "where": "gfi"},
               "agfi": {"value": round(agfi, decimals), "printed": f"{agfi:.{decimals}f}", "where": "agfi"}}}]}}
    return raw, p


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=2, max_value=8), min_size=2, max_size=6), st.sampled_from([2, 3]),
       st.floats(min_value=0.85, max_value=0.99))
def test_true_item_counts_are_always_among_the_reported_totals(counts, dec, gfi):
    raw, p = _cfa_record(counts, dec, gfi)
    f = _item_counts(raw)
    assert f.status == "consistent"
    assert str(p) in f.recomputed or any(
        int(a) <= p <= int(b) for a, b in (r.split("-") for r in f.recomputed.split("; ")[0].split(", ") if "-" in r))
