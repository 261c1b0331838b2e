"""A record says how the paper estimated its model, and the paper pipeline fits exactly that:
ordered items by WLSMV, several groups with lavaan's invariance sequence, lavaan's se and test;
what the suite cannot fit is refused in one line naming the field.

Reference values: lavaan 0.6.14 (scripts/record_estimator_fixtures.R), written to
tests/fixtures/record_estimators/: a five-factor WLSMV CFA of the 25 psych::bfi items
(reverse-keyed items reverse-scored, complete rows) and Holzinger and Swineford's three-factor
CFA by school, configural, metric and scalar.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from replication.engine.errors import InputError
from replication.pipeline.paper import replicate
from replication.pipeline.steps import estimation_sentence, fit_table
from replication.record.schema import load_record
from tests.conftest import ROOT

FIX = ROOT / "tests" / "fixtures" / "record_estimators"
BFI = ROOT / "tests" / "fixtures" / "record" / "bfi_survey.csv"
HS = FIX / "hs_school.csv"
CONSTRUCTS = {"agree": "A", "consc": "C", "extra": "E", "neuro": "N", "open": "O"}
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
STEPS = ("configural", "metric", "scalar")


def _pub(v: float, where: str, dec: int = 3) -> dict:
    return {"value": round(v, dec), "printed": f"{v:.{dec}f}", "where": where}


def _citation() -> dict:
    return {"authors": ["lavaan"], "year": 2023, "title": "reference output", "venue": "R",
            "source_file": "scripts/record_estimator_fixtures.R"}


def _bfi_record(tmp_path) -> tuple:
    ref = json.loads((FIX / "bfi_wlsmv.json").read_text())
    fm = ref["fit_measures"]
    loads = [p for p in ref["parameters"] if p["op"] == "=~"]
    raw = {
        "id": "bfi_wlsmv", "title": "Big Five CFA of ordered items", "short_title": "bfi WLSMV",
        "citation": _citation(), "evidence": "tables",
        "sample": {"n": _pub(2800, "text", 0), "n_analysed": _pub(2436, "text", 0),
                   "scale_points": _pub(6, "text", 0)},
        "constructs": {c: {"name": c, "items": [f"{L}{k}" for k in range(1, 6)],
                           "reversed": [it for it in ref["reversed"] if it.startswith(L)]}
                       for c, L in CONSTRUCTS.items()},
        "model": {"kind": "cfa", "syntax": ref["model"] + "\n", "estimator": "WLSMV",
                  "ordered": "all", "se": "robust.sem", "test": "scaled.shifted"},
        "results": {
            "fit": [{"model": "cfa", "measures": {
                "chisq.scaled": _pub(fm["chisq.scaled"], "fit, scaled chi-square"),
                "df": _pub(fm["df"], "fit, df", 0),
                "chisq.scaling.factor": _pub(fm["chisq.scaling.factor"], "fit, scaling factor"),
                "cfi.scaled": _pub(fm["cfi.scaled"], "fit, CFI (scaled)")}}],
            "loadings": {p["rhs"]: _pub(p["std_all"], f"Std.all {p['rhs']}") for p in loads},
            "parameters": [{"lhs": p["lhs"], "op": "=~", "rhs": p["rhs"],
                            "est": _pub(p["est"], f"Estimate {p['rhs']}"),
                            "std_all": _pub(p["std_all"], f"Std.all {p['rhs']}")} for p in loads]},
    }
    path = tmp_path / "bfi_wlsmv.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path, ref


def _hs_record(tmp_path, blocks: bool = True) -> tuple:
    refs = {s: json.loads((FIX / f"hs_school_{s}.json").read_text()) for s in STEPS}
    conf = refs["configural"]
    labels = conf["group_labels"]
    syntax = "".join(f"group: {g}\n" + HS_MODEL for g in labels) if blocks else HS_MODEL
    fits = [{"model": s, "syntax": HS_MODEL, "measures": {
        "chisq": _pub(r["fit_measures"]["chisq"], f"{s}, chisq"),
        "df": _pub(r["fit_measures"]["df"], f"{s}, df", 0),
        "cfi": _pub(r["fit_measures"]["cfi"], f"{s}, cfi")}} for s, r in refs.items()]
    raw = {
        "id": "hs_school", "title": "Invariance by school", "short_title": "HS by school",
        "citation": _citation(), "evidence": "tables",
        "sample": {"n": _pub(301, "text", 0)},
        "constructs": {"visual": {"name": "visual", "items": ["x1", "x2", "x3"]},
                       "textual": {"name": "textual", "items": ["x4", "x5", "x6"]},
                       "speed": {"name": "speed", "items": ["x7", "x8", "x9"]}},
        "model": {"kind": "cfa", "syntax": syntax, "group": "school",
                  "group_n": {g: _pub(n, f"n {g}", 0) for g, n in zip(labels, conf["group_n"])}},
        "results": {"fit": fits},
    }
    path = tmp_path / "hs_school.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path, refs


def _loadings_match(params: pd.DataFrame, ref: list[dict], by_group: bool) -> float:
    keys = ["lhs", "op", "rhs"] + (["group"] if by_group else [])
    want = pd.DataFrame([p for p in ref if p["op"] == "=~"])[keys + ["est", "std_all"]]
    got = params[params["op"] == "=~"].merge(want, on=keys, suffixes=("", "_ref"))
    assert len(got) == len(want)
    return float(max((got["est"] - got["est_ref"]).abs().max(),
                     (got["std_all"] - got["std_all_ref"]).abs().max()))


def test_wlsmv_record_is_fitted_by_wlsmv_on_its_ordered_items(tmp_path):
    path, ref = _bfi_record(tmp_path)
    res = replicate(str(path), data=str(BFI), n_bootstrap=0)
    fm, want = res.cfa.fit_measures, ref["fit_measures"]
    assert res.cfa.estimator == "WLSMV" and fm["df"] == want["df"] == 265
    for k in ("chisq", "chisq.scaled", "chisq.scaling.factor", "cfi.scaled", "rmsea.scaled"):
        assert fm[k] == pytest.approx(want[k], rel=1e-4), k
    assert abs(fm["chisq"] - ref["ml_chisq"]) > 1000  # not the ML chi-square (4165.47)
    assert _loadings_match(res.cfa.params, ref["parameters"], False) < 1e-4
    est = res.results["cfa"]["estimation"]
    assert (est["estimator"], est["se"], est["test"], est["missing"]) == (
        "WLSMV", "robust.sem", "scaled.shifted", "listwise")
    assert len(est["ordered"]) == 25
    assert any(p["op"] == "|" for p in res.results["cfa"]["parameters"])
    assert not any("fitted by ML" in w for w in res.cfa.warnings)
    assert list(fit_table(res.cfa, names=("CFA",)).columns) == ["CFA (WLSMV, listwise)"]
    # every section says how it was fitted: results.json, the compare tables, a sentence
    assert est["label"] == "WLSMV, listwise"
    assert est["sentence"] == estimation_sentence(res.cfa)
    assert "(WLSMV)" in est["sentence"] and "25 items treated as ordered" in est["sentence"]
    assert "deleted listwise; 2436 rows" in est["sentence"]
    for key in ("fit_cfa", "loadings"):
        assert res.comparisons[key].attrs["estimation"]["label"] == "WLSMV, listwise"
        assert res.results["comparisons_estimation"][key]["model"] == "cfa"
    fit = res.comparisons["fit_cfa"].set_index("measure")
    assert (fit["verdict"] == "reproduced").all()
    assert (res.comparisons["loadings"]["verdict"] == "reproduced").all()
    cr = res.measurement.reliability["cr"]
    assert cr.notna().all() and (cr > 0.5).all()
    assert res.classification["label"] == "reproduced"
    assert res.results["original_vs_replication"]["computed"] is False


def test_replicate_run_fits_the_wlsmv_record(tmp_path):
    path, ref = _bfi_record(tmp_path)
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "replication", "run", str(path), "--data",
                          str(BFI), "--out", str(out), "--quiet"],
                         capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads((out / "bfi_wlsmv" / "results.json").read_text())
    assert results["cfa"]["estimation"]["estimator"] == "WLSMV"
    assert results["cfa"]["fit"]["chisq.scaled"] == pytest.approx(
        ref["fit_measures"]["chisq.scaled"], rel=1e-4)


def test_multigroup_record_fits_the_invariance_sequence_it_printed(tmp_path):
    path, refs = _hs_record(tmp_path)
    rec = load_record(path)
    assert rec.model.group_labels == ["Pasteur", "Grant-White"] and rec.model.n_groups == 2
    for s, ref in refs.items():  # the df of every group, as the audit must count them
        assert rec.model.group_df(rec.fit_syntaxes()[s], s) == ref["fit_measures"]["df"]
    res = replicate(str(path), data=str(HS), n_bootstrap=0)
    est = res.results["cfa"]["estimation"]
    assert est["group"] == "school" and [g["n"] for g in est["groups"]] == [156, 145]
    assert {p["group"] for p in res.results["cfa"]["parameters"]} == {"Pasteur", "Grant-White"}
    assert _loadings_match(res.cfa.params, refs["configural"]["parameters"], True) < 1e-4
    for s, ref in refs.items():
        table = res.comparisons[f"fit_{s}"].set_index("measure")
        for k in ("chisq", "df", "cfi"):
            assert table.at[k, "replicated"] == pytest.approx(ref["fit_measures"][k], rel=1e-4), (s, k)
        assert (table["verdict"] == "reproduced").all(), s
    assert res.cfa.fit_measures["chisq"] == pytest.approx(
        refs["configural"]["fit_measures"]["chisq"], rel=1e-4)
    assert "2 groups by school" in fit_table(res.cfa).columns[0]
    sentence = res.results["cfa"]["estimation"]["sentence"]
    assert sentence.startswith("Fitted by maximum likelihood (ML)")
    assert "2 groups by school (Pasteur: n = 156; Grant-White: n = 145)" in sentence
    assert "compared with Pasteur" in sentence
    blocks = res.results["comparisons_estimation"]
    assert "loadings equal across groups" in blocks["fit_metric"]["sentence"]
    assert "no equality constraints across groups" in blocks["fit_configural"]["sentence"]
    assert blocks["fit_scalar"]["label"].endswith("(equal: loadings, intercepts)")


def test_multigroup_record_raises_no_false_df_finding(tmp_path):
    from replication.audit import audit

    path, _ = _hs_record(tmp_path)
    bad = [f for f in audit(load_record(path)).findings
           if f.status == "inconsistent" and "df" in f.check]
    assert not bad


def test_group_blocks_that_differ_are_refused_naming_the_line(tmp_path):
    path, _ = _hs_record(tmp_path)
    raw = yaml.safe_load(path.read_text())
    raw["model"]["syntax"] = raw["model"]["syntax"].replace("x2 + x3\ntextual", "a*x2 + x3\ntextual", 1)
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(InputError, match=r"model.syntax: line \d+: .*group"):
        load_record(path)


def test_multigroup_record_without_its_group_column_is_refused(tmp_path):
    path, _ = _hs_record(tmp_path, blocks=False)
    data = pd.read_csv(HS).drop(columns="school")
    with pytest.raises(InputError, match="model.group"):
        replicate(str(path), data=data, n_bootstrap=0)


@pytest.mark.parametrize("model, field", [
    ({"estimator": "MLR", "test": "yuan.bentler"}, "model.test"),
    ({"estimator": "ML", "se": "robust.sem"}, "model.se"),
])
def test_se_and_test_the_suite_does_not_fit_are_refused(tmp_path, model, field):
    path, _ = _hs_record(tmp_path, blocks=False)
    raw = yaml.safe_load(path.read_text())
    raw["model"].update(model)
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(InputError, match=field):
        replicate(str(path), data=str(HS), n_bootstrap=0)


def test_se_and_test_lavaan_refuses_are_refused_on_loading(tmp_path):
    path, _ = _bfi_record(tmp_path)
    raw = yaml.safe_load(path.read_text())
    raw["model"]["se"] = "robust.huber.white"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(InputError, match="model.se"):
        load_record(path)


def test_ml_with_robust_se_and_test_is_mlm(tmp_path):
    path, _ = _hs_record(tmp_path, blocks=False)
    raw = yaml.safe_load(path.read_text())
    raw["model"].update({"se": "robust.sem", "test": "satorra.bentler"})
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    assert load_record(path).model.fitted_estimator == "MLM"


def test_replicate_run_fits_the_multigroup_record_from_its_csv(tmp_path):
    """The notebook path: ``replicate run RECORD --data CSV`` keeps the group column (lavaan
    0.6.14, HolzingerSwineford1939 by school, configural fit, to 1e-4)."""
    path, refs = _hs_record(tmp_path)
    ref = refs["configural"]
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "replication", "run", str(path), "--data",
                          str(HS), "--out", str(out), "--quiet"],
                         capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads((out / "hs_school" / "results.json").read_text())
    cfa = results["cfa"]
    est = cfa["estimation"]
    assert (est["estimator"], est["missing"], est["group"]) == ("ML", "listwise", "school")
    assert [(g["group"], g["n"]) for g in est["groups"]] == list(zip(ref["group_labels"],
                                                                      ref["group_n"]))
    for k in ("chisq", "df", "cfi", "rmsea"):
        assert cfa["fit"][k] == pytest.approx(ref["fit_measures"][k], abs=1e-4, rel=1e-4), k
    got = pd.DataFrame(cfa["parameters"])
    assert _loadings_match(got, ref["parameters"], True) < 1e-4


def test_rows_without_a_group_are_dropped_and_counted(tmp_path):
    from replication.pipeline.inputs import load_inputs

    path, _ = _hs_record(tmp_path)
    data = pd.read_csv(HS)
    data.loc[[3, 200], "school"] = None
    csv = tmp_path / "hs_gaps.csv"
    data.to_csv(csv, index=False)
    for given in (str(csv), data):
        inputs = load_inputs(str(path), data_path=given)
        assert inputs.provenance["n_dropped"] == inputs.provenance["n_dropped_group"] == 2
        assert inputs.provenance["n_rows"] == len(inputs.data) == 299
        assert inputs.data["school"].notna().all()
        assert any("without a group" in n for n in inputs.notes)
