"""The published records: loading, cross-references, bad records, and spot checks against the seeds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from replication.record import RecordError, load_all, load_record, paper_ids
from tests.conftest import ROOT, SEEDS, run_cli

IDS = ["e_engagement", "live_commerce", "service_recovery", "social_crm", "value_cocreation"]


def test_all_five_records_load():
    assert paper_ids() == IDS
    records = load_all()
    assert {r.evidence for r in records.values()} == {"tables", "abstract"}
    assert records["live_commerce"].evidence == "tables"
    assert records["social_crm"].evidence == "abstract"


@pytest.mark.parametrize("pid", IDS)
def test_cross_references(pid):
    rec = load_record(pid)
    items = rec.items
    for p in rec.model.paths:
        assert items[p.from_] and items[p.to], f"{p.key}: constructs without items"
    keys = {p.key for p in rec.model.paths} | {m.key for m in rec.model.moderations}
    for h in rec.hypotheses:
        if h.kind in ("path", "moderation"):
            hp = rec.hypothesis_path(h)
            assert hp is not None and hp.value in keys, h.id
        else:
            assert h.from_ in rec.constructs and h.to in rec.constructs
    names = rec.item_list
    assert len(names) == len(set(names))
    for c, its in items.items():
        assert all(re.fullmatch(rf"{re.escape(c)}\d+", it) for it in its)


@pytest.mark.parametrize("pid", IDS)
def test_published_and_assumed_never_share_a_target(pid):
    rec = load_record(pid)
    values = rec.values()
    assumed = {a.target for a in rec.assumptions}
    for target, v in values.items():
        assert v.status == ("assumed" if target in assumed else "published")
        if v.status == "published":
            assert v.where
        else:
            assert v.reason


def test_e_engagement_df_imply_24_items():
    rec = load_record("e_engagement")
    p = len(rec.item_list)
    k = len(rec.constructs)
    cfa_df = p * (p + 1) // 2 - (2 * p - k + k + k * (k - 1) // 2)
    assert cfa_df == 231
    fit = {b.model: b.measures for b in rec.results.fit}
    assert fit["cfa"]["df"].value == cfa_df
    assert rec.constructs["OR"].n_items.value == 3


# --- spot checks: transcribed numbers stand in the seed text as printed -------------------------
SPOT = [
    ("live_commerce", "002_d14785fc52682939.txt", lambda r: r.results.loadings["HI2"].printed, "HI2\t0.95"),
    ("live_commerce", "002_d14785fc52682939.txt", lambda r: r.results.constructs["RB"].cr.printed, "0.771\t0.906"),
    ("live_commerce", "002_d14785fc52682939.txt", lambda r: r.results.paths[9].statistic.printed, "1.06\t10.63***"),
    ("live_commerce", "002_d14785fc52682939.txt", lambda r: r.results.fit[0].measures["rmsea"].printed, "RMSEA is 0.094"),
    ("e_engagement", "003_a411d0b45bce57f8.txt", lambda r: r.results.fit[0].measures["chisq"].printed, "\\chi^2 = 382.05"),
    ("e_engagement", "003_a411d0b45bce57f8.txt", lambda r: r.results.paths[6].se.printed, "1.12***\t18.61\t0.61"),
    ("e_engagement", "003_a411d0b45bce57f8.txt", lambda r: r.results.constructs["PR"].sd.printed, "4.76\t1.14\t0.76"),
    ("e_engagement", "003_a411d0b45bce57f8.txt", lambda r: r.sample.groups[3].count.printed, "489\t93.1"),
    ("social_crm", "000_c51a9542a2d3794d.txt", lambda r: r.sample.n.printed, "451 valid samples"),
    ("value_cocreation", "004_49c11d41258bf059.txt", lambda r: r.sample.n.printed, "502 Chinese"),
]


@pytest.mark.parametrize("pid,seed,get,context", SPOT)
def test_spot_checks_against_seed_text(pid, seed, get, context):
    path = SEEDS / seed
    if not path.exists():
        pytest.skip(f"seed documents not present at {SEEDS}")
    text = path.read_text(encoding="utf-8")
    printed = get(load_record(pid))
    assert printed in context
    assert context in text


# --- bad records: one line naming file, field and what was expected -----------------------------
def _mutated(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load((ROOT / "data/papers/live_commerce/paper.yaml").read_text(encoding="utf-8"))
    mutate(raw)
    out = tmp_path / "paper.yaml"
    out.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return out


BAD = [
    ("missing field", lambda r: r.pop("title"), "field title: required field is missing"),
    ("wrong type", lambda r: r["sample"]["n"].update(value="many"), "field sample.n.value"),
    ("unknown construct", lambda r: r["model"]["paths"].append({"from": "T", "to": "XX"}),
     "construct 'XX' is not defined"),
    ("duplicate item", lambda r: r["constructs"]["SN"].update(items=["T1", "SN2", "SN3"]),
     "item 'T1' also belongs to"),
    ("N <= 0", lambda r: r["sample"]["n"].update(value=0), "field sample.n: must be a positive whole number"),
    ("scale of 1", lambda r: r["sample"]["scale_points"].update(value=1), "at least 2 points"),
    ("assumption over published", lambda r: r["assumptions"].append(
        {"target": "sample.n", "value": 400, "reason": "x"}), "sample.n is published"),
    ("unknown target", lambda r: r["assumptions"].append({"target": "foo.bar", "value": 1, "reason": "x"}),
     "unknown target 'foo.bar'"),
]


@pytest.mark.parametrize("name,mutate,expected", BAD, ids=[b[0] for b in BAD])
def test_bad_records_fail_with_one_line(tmp_path, name, mutate, expected):
    path = _mutated(tmp_path, mutate)
    before = path.read_bytes()
    with pytest.raises(RecordError) as exc:
        load_record(path)
    msg = str(exc.value)
    assert "\n" not in msg
    assert str(path) in msg
    assert expected in msg
    assert path.read_bytes() == before


def test_bad_record_through_cli(tmp_path):
    path = _mutated(tmp_path, lambda r: r["sample"]["n"].update(value=-3))
    res = run_cli("audit", str(path))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert "sample.n" in res.stderr and str(path) in res.stderr


def test_invalid_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "paper.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(RecordError, match="not valid YAML"):
        load_record(bad)
    with pytest.raises(RecordError, match="file not found"):
        load_record(tmp_path / "nothing.yaml")
    with pytest.raises(RecordError, match="unknown paper 'nope'"):
        load_record("nope")


def test_replicate_list():
    res = run_cli("list")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert [ln.split()[0] for ln in lines] == IDS
    levels = {ln.split()[0]: ln.split()[1] for ln in lines}
    assert levels["live_commerce"] == "tables" and levels["value_cocreation"] == "abstract"


def test_cli_usage_error_is_one_line():
    res = run_cli("run", "--jobs", "0")
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and "--jobs" in res.stderr
