"""The published records: loading, cross-references, bad records, and spot checks against the seeds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from replication.record.schema import Published, RecordError, load_all, load_record, paper_ids
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
def _mutated(tmp_path: Path, mutate, paper: str = "live_commerce") -> Path:
    raw = yaml.safe_load((ROOT / f"data/papers/{paper}/paper.yaml").read_text(encoding="utf-8"))
    mutate(raw)
    out = tmp_path / "paper.yaml"
    out.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def _num(value, printed=None):
    """Mutation setting a published number and its printed text together."""
    return dict(value=value, printed=str(value) if printed is None else printed)


def _assume(target, value):
    """Mutation replacing the value of the assumption with ``target``."""
    def mutate(r):
        hits = [a for a in r["assumptions"] if a["target"] == target]
        assert len(hits) == 1, target
        hits[0]["value"] = value
    return mutate


def _add_assumption(target, value):
    return lambda r: r["assumptions"].append({"target": target, "value": value, "reason": "x"})


def _drop_assumption(target):
    return lambda r: r.update(assumptions=[a for a in r["assumptions"] if a["target"] != target])


def _hyp(r, hid):
    return next(h for h in r["hypotheses"] if h["id"] == hid)


def _fit(r, model="sem"):
    return next(b for b in r["results"]["fit"] if b["model"] == model)["measures"]


LC, SC, SR, VC, EE = "live_commerce", "social_crm", "service_recovery", "value_cocreation", "e_engagement"

BAD = [
    # names: a construct may not share its name with an item (it would become an indicator)
    ("construct named like an item", LC, lambda r: r["constructs"].update({"T1x": {"name": "x", "items": ["T1"]}})
     or r["constructs"]["T"].update(items=["T1x", "T2", "T3"]),
     "item name 'T1x' is also the name of a construct"),
    # moderation and mediation need their component paths
    ("moderation without main effect", "social_crm",
     lambda r: r["model"]["paths"].remove({"from": "SCRM", "to": "CCB"}),
     "expected the main effect SCRM->CCB in model.paths"),
    ("mediation without a->m path", "value_cocreation",
     lambda r: r["model"]["mediations"].append({"x": "PRI", "mediators": ["PVC"], "y": "SEV"}),
     "field model.mediations[2].mediators[0]: expected the path PRI->PVC in model.paths"),
    # schema and cross-references
    ("missing field", LC, lambda r: r.pop("title"), "field title: required field is missing"),
    ("wrong type", LC, lambda r: r["sample"]["n"].update(value="many"),
     "field sample.n.value: expected a number, got 'many'"),
    ("bool as number", LC, lambda r: r["sample"]["n"].update(value=True),
     "field sample.n.value: expected a number, got true"),
    ("construct name not a string", LC, lambda r: r["constructs"].update({1: {"name": "One"}}),
     "field constructs[1] (name): Input should be a valid string, got 1"),
    ("construct name not an identifier", LC, lambda r: r["constructs"].update({"A B": {"name": "x", "items": ["AB1"]}}),
     "field constructs.A B: expected a name of letters, digits and _ (starting with a letter), got 'A B'"),
    ("unknown construct", LC, lambda r: r["model"]["paths"].append({"from": "T", "to": "XX"}),
     "field model.paths[12].to: construct 'XX' is not defined"),
    ("duplicate item", LC, lambda r: r["constructs"]["SN"].update(items=["T1", "SN2", "SN3"]),
     "field constructs.SN.items: item 'T1' also belongs to T"),
    ("N <= 0", LC, lambda r: r["sample"]["n"].update(_num(0)),
     "field sample.n: must be a positive whole number, got 0"),
    ("scale of 1", LC, lambda r: r["sample"]["scale_points"].update(_num(1)),
     "field sample.scale_points: must be a whole number of at least 2 points, got 1"),
    ("assumption over published", LC, _add_assumption("sample.n", 400),
     "field assumptions[6].target: sample.n is published"),
    ("unknown target", LC, _add_assumption("foo.bar", 1), "unknown target 'foo.bar'"),
    # 1. assumption values typed by target
    ("assumed N is a bool", SR, _assume("sample.n", True),
     "field assumptions[0].value: sample.n: expected a positive integer, got true"),
    ("assumed N of 0", SR, _assume("sample.n", 0), "sample.n: expected a positive integer, got 0"),
    ("assumed N fractional", SR, _assume("sample.n", 300.5), "sample.n: expected a positive integer, got 300.5"),
    ("assumed N as text", SR, _assume("sample.n", "300"), "sample.n: expected a positive integer, got '300'"),
    ("assumed scale is a bool", SC, _assume("sample.scale_points", True),
     "field assumptions[0].value: sample.scale_points: expected an integer >= 2, got true"),
    ("assumed scale of 1", SC, _assume("sample.scale_points", 1), "expected an integer >= 2, got 1"),
    ("assumed n_items of 0", SC, _assume("constructs.CP.n_items", 0),
     "field assumptions[1].value: constructs.CP.n_items: expected a positive integer, got 0"),
    ("assumed n_items as a word", SC, _assume("constructs.CP.n_items", "four"),
     "constructs.CP.n_items: expected a positive integer, got 'four'"),
    ("assumed n_items bool", SC, _assume("constructs.CP.n_items", True), "expected a positive integer, got true"),
    ("assumed loading above 1", SC, _assume("constructs.CP.loading", 1.2),
     "constructs.CP.loading: expected a standardized loading, a real number in (0, 1], got 1.2"),
    ("assumed loading of 0", SC, _assume("constructs.CP.loading", 0.0), "in (0, 1], got 0.0"),
    ("assumed loading bool", SC, _assume("constructs.CP.loading", True), "in (0, 1], got true"),
    ("assumed loading text", SC, _assume("constructs.CP.loading", "0.75"), "in (0, 1], got '0.75'"),
    ("assumed loading list", SC, _assume("constructs.CP.loading", [0.75]), "in (0, 1], got [0.75]"),
    ("assumed loading null", SC, _assume("constructs.CP.loading", None), "in (0, 1], got null"),
    ("assumed loading nan", SC, _assume("constructs.CP.loading", float("nan")), "in (0, 1], got nan"),
    ("item loading above 1", SC, _add_assumption("items.CP1.loading", 1.5),
     "items.CP1.loading: expected a standardized loading, a real number in (0, 1], got 1.5"),
    ("item loading of an unknown item", SC, _add_assumption("items.CP9.loading", 0.7),
     "field assumptions[32].target: item 'CP9' is not an item of any construct"),
    ("assumed path above 1", SC, _assume("paths.CP->CCB.std", 1.5),
     "paths.CP->CCB.std: expected a standardized coefficient, a real number in [-1, 1], got 1.5"),
    ("assumed path as text", SC, _assume("paths.CP->CCB.std", "0.4"), "in [-1, 1], got '0.4'"),
    ("assumed interaction below -1", SC, _assume("interactions.CPxSCRM->CCB.std", -1.5),
     "interactions.CPxSCRM->CCB.std: expected a standardized coefficient, a real number in [-1, 1], got -1.5"),
    ("assumed interaction not modelled", SC, _add_assumption("interactions.PROxSCRM->CCB.std", 0.1),
     "interaction PROxSCRM->CCB is not in model.moderations (expected one of CPxSCRM->CCB)"),
    ("assumed control effect above 1", SR, _assume("controls.GEN->INF.std", 2),
     "controls.GEN->INF.std: expected a standardized coefficient, a real number in [-1, 1], got 2"),
    ("control effect of a non-control", SR, _add_assumption("controls.MAT->INT.std", 0.1),
     "expected a control variable (role: control), got 'MAT'"),
    ("assumed correlation of 1", SC, _assume("correlations.PRO~~RCO", 1.0),
     "correlations.PRO~~RCO: expected a correlation, a real number with |r| < 1, got 1.0"),
    ("assumed correlation of -1", SC, _assume("correlations.PRO~~RCO", -1),
     "a real number with |r| < 1, got -1"),
    ("assumed correlation as text", SC, _assume("correlations.PRO~~RCO", "0.3"), "|r| < 1, got '0.3'"),
    ("correlation assumed in both orders", SC, _add_assumption("correlations.RCO~~PRO", 0.3),
     "correlations.RCO~~PRO assumed twice (also as correlations.PRO~~RCO)"),
    ("correlation of a construct with itself", SC, _add_assumption("correlations.CP~~CP", 0.3),
     "expected two different constructs, got CP~~CP"),
    ("assumed mean as text", SC, _add_assumption("constructs.CP.mean", "high"),
     "constructs.CP.mean: expected a finite real number, got 'high'"),
    ("assumed sd of 0", SC, _add_assumption("constructs.CP.sd", 0), "constructs.CP.sd: expected a real number > 0, got 0"),
    ("assumed alpha above 1", SC, _add_assumption("constructs.CP.alpha", 1.2),
     "constructs.CP.alpha: expected a real number in [0, 1], got 1.2"),
    ("assumed ave below 0", SC, _add_assumption("constructs.CP.ave", -0.1), "expected a real number in [0, 1], got -0.1"),
    ("assumed cr bool", SC, _add_assumption("constructs.CP.cr", True), "expected a real number in [0, 1], got true"),
    ("assumed estimate metric", LC, _assume("model.estimate_metric", "raw"),
     "model.estimate_metric: expected 'standardized' or 'unstandardized', got 'raw'"),
    ("assumed controls not controls", SR, _assume("model.controls", ["GEN", "MAT"]),
     "model.controls: expected a list of constructs with role control (GEN, AGE, EXP), got ['GEN', 'MAT']"),
    ("assumed controls not a list", SR, _assume("model.controls", "GEN"), "got 'GEN'"),
    ("assumed controls twice", SR, _assume("model.controls", ["GEN", "GEN", "AGE", "EXP"]), "named once each"),
    ("assumed controls disagree with model", SR, _assume("model.controls", ["GEN", "AGE"]),
     "expected the controls of model.controls ['GEN', 'AGE', 'EXP']"),
    ("assumed hypothesis path unknown", SR, _assume("hypotheses.H1a.path", "MAT->XX"),
     "hypotheses.H1a.path: expected a modelled path such as 'MAT->INF', got 'MAT->XX'"),
    ("assumed path of a stated hypothesis", LC, _add_assumption("hypotheses.H1a.path", "T->HI"),
     "hypothesis H1a states its path (T->PI); an assumption may not replace it"),
    ("assumed path of a mediation hypothesis", VC, _add_assumption("hypotheses.A9.path", "PRI->FEV"),
     "hypothesis A9 is a mediation hypothesis; expected a path or moderation hypothesis"),
    ("assumed path of an unknown hypothesis", VC, _add_assumption("hypotheses.B1.path", "PRI->FEV"),
     "field assumptions[26].target: hypothesis 'B1' not defined"),
    ("assumed moderation hypothesis names a path", SC,
     lambda r: (_hyp(r, "A2").pop("moderator"), _hyp(r, "A2").pop("from"), _hyp(r, "A2").pop("to"),
                _add_assumption("hypotheses.A2.path", "CP->CCB")(r)),
     "hypotheses.A2.path: expected a modelled moderation such as 'CPxSCRM->CCB', got 'CP->CCB'"),
    ("hypothesis without path or assumption", SR, _drop_assumption("hypotheses.H1a.path"),
     "field hypotheses[0]: (H1a) expected from, to or an assumption hypotheses.H1a.path"),
    # 2. model structure
    ("item name with a space", LC, lambda r: r["constructs"]["T"].update(items=["T 1", "T2", "T3"]),
     "field constructs.T.items: expected item names of letters, digits and _ (starting with a letter), got 'T 1'"),
    ("item name with an operator", LC, lambda r: r["constructs"]["T"].update(items=["T1+T2", "T3"]), "got 'T1+T2'"),
    ("item name with markup", LC, lambda r: r["constructs"]["T"].update(items=["<b>T1</b>", "T2", "T3"]),
     "got '<b>T1</b>'"),
    ("item listed twice in a construct", LC, lambda r: r["constructs"]["T"].update(items=["T1", "T1", "T3"]),
     "field constructs.T.items: item 'T1' listed twice"),
    ("no items", LC, lambda r: r["constructs"]["T"].update(items=[]), "expected at least one item name"),
    ("published n_items of 0", EE, lambda r: r["constructs"]["OR"]["n_items"].update(_num(0)),
     "field constructs.OR.n_items: must be a positive whole number, got 0"),
    ("path to itself", LC, lambda r: r["model"]["paths"].append({"from": "PI", "to": "PI"}),
     "field model.paths[12]: expected a path between two constructs, got PI->PI (a construct to itself)"),
    ("directed cycle", LC, lambda r: r["model"]["paths"].append({"from": "RB", "to": "T"}),
     "field model.paths: expected a recursive model (no feedback loops), got the directed cycle T->PI->RB->T"),
    ("two-path cycle", VC, lambda r: r["model"]["paths"].append({"from": "PVC", "to": "SEV"}),
     "directed cycle PVC->SEV->PVC"),
    ("covariance with itself", LC, lambda r: r["model"].update(covariances=[{"a": "RB", "b": "RB"}]),
     "field model.covariances[0]: expected two different constructs, got RB~~RB"),
    ("covariance listed twice", LC, lambda r: r["model"].update(covariances=[{"a": "RB", "b": "RD"},
                                                                              {"a": "RD", "b": "RB"}]),
     "field model.covariances[1]: covariance RD~~RB listed twice (also model.covariances[0])"),
    ("covariance of exogenous constructs", LC, lambda r: r["model"].update(covariances=[{"a": "SN", "b": "T"}]),
     "field model.covariances[0]: SN~~T is free by default (both constructs are exogenous)"),
    ("covariance naming a control", SR, lambda r: r["model"].update(covariances=[{"a": "INF", "b": "GEN"}]),
     "field model.covariances[0].b: expected a construct, got control variable 'GEN'"),
    ("covariance of an unknown construct", LC, lambda r: r["model"].update(covariances=[{"a": "RB", "b": "XX"}]),
     "field model.covariances[0].b: construct 'XX' is not defined"),
    ("moderator is the predictor", SC, lambda r: r["model"]["moderations"][0].update(m="CP"),
     "field model.moderations[0]: expected three different constructs x, m, y, got x=CP, m=CP, y=CCB"),
    ("moderated path to itself", SC, lambda r: r["model"]["moderations"][0].update(y="CP"),
     "got x=CP, m=SCRM, y=CP"),
    ("moderation listed twice", SC, lambda r: r["model"]["moderations"].append(dict(r["model"]["moderations"][0])),
     "field model.moderations[1]: moderation CPxSCRM->CCB listed twice"),
    ("mediator listed twice", VC, lambda r: r["model"]["mediations"][0].update(mediators=["FEV", "FEV"]),
     "field model.mediations[0].mediators[1]: mediator 'FEV' listed twice"),
    ("mediator is the predictor", VC, lambda r: r["model"]["mediations"][0].update(mediators=["FEV", "PRI"]),
     "field model.mediations[0].mediators[1]: expected a mediator other than x (PRI) and y (PVC), got 'PRI'"),
    ("mediator is the outcome", VC, lambda r: r["model"]["mediations"][1].update(mediators=["PVC"]),
     "field model.mediations[1].mediators[0]"),
    ("mediation of unknown construct", VC, lambda r: r["model"]["mediations"][0].update(mediators=["FEV", "XX"]),
     "field model.mediations[0].mediators[1]: construct 'XX' is not defined"),
    ("control in model.controls without the role", SR, lambda r: r["model"].update(controls=["GEN", "MAT"]),
     "field model.controls[1]: expected a construct with role: control, got 'MAT' (role construct)"),
    ("hypothesis mediator undefined", VC, lambda r: _hyp(r, "A9").update(mediators=["FEV", "XX"]),
     "field hypotheses[8].mediators[1]: construct 'XX' is not defined"),
    ("hypothesis mediator is the predictor", VC, lambda r: _hyp(r, "A9").update(mediators=["FEV", "PRI"]),
     "field hypotheses[8].mediators[1]: expected a mediator other than x (PRI) and y (PVC)"),
    ("mediation hypothesis without from", VC, lambda r: _hyp(r, "A10").pop("from"),
     "field hypotheses[9]: (A10) expected from and to for a mediation hypothesis"),
    ("path hypothesis with from only", LC, lambda r: _hyp(r, "H2a").pop("to"),
     "field hypotheses[3]: (H2a) expected from, to together, got no to"),
    ("hypothesis of an unknown construct", LC, lambda r: _hyp(r, "H2a").update(to="XX"),
     "field hypotheses[3].to: construct 'XX' is not defined"),
    ("hypothesis id twice", LC, lambda r: _hyp(r, "H2a").update(id="H1a"),
     "field hypotheses[3].id: id 'H1a' used twice (also hypotheses[0])"),
    ("unreadable verdict", LC, lambda r: _hyp(r, "H2a")["verdict"].update(value="maybe"),
     "field hypotheses[3].verdict: unreadable verdict 'maybe'"),
    # 3. printed text agrees with value
    ("printed differs from value", LC, lambda r: r["results"]["loadings"]["T1"].update(printed="0.87"),
     "field results.loadings.T1.printed: expected the printed text to state value 0.78, got '0.87' (reads 0.87)"),
    ("printed has no number", LC, lambda r: r["results"]["loadings"]["T1"].update(printed="n/a"),
     "field results.loadings.T1.printed: printed text has no number, got 'n/a'"),
    ("printed number word differs", EE, lambda r: r["sample"]["scale_points"].update(printed="five"),
     "field sample.scale_points.printed: expected the printed text to state value 7, got 'five' (reads 5)"),
    ("printed percent differs", LC, lambda r: r["sample"]["response_rate"].update(printed="39%"),
     "field sample.response_rate.printed: expected the printed text to state value 93, got '39%'"),
    ("printed bound without relation", EE, lambda r: _fit(r, "cfa")["pvalue"].update(relation="="),
     "field results.fit[0].measures.pvalue.relation: printed 'p < 0.001' states '<', got relation '='"),
    ("printed path estimate differs", LC, lambda r: r["results"]["paths"][0]["estimate"].update(value=0.08),
     "field results.paths[0].estimate.printed: expected the printed text to state value 0.08, got '0.80'"),
    # 4. results sanity
    ("chi-square negative", EE, lambda r: _fit(r, "cfa")["chisq"].update(_num(-382.05)),
     "field results.fit[0].measures.chisq: expected chisq >= 0, got -382.05"),
    ("df fractional", EE, lambda r: _fit(r, "cfa")["df"].update(_num(231.5)),
     "field results.fit[0].measures.df: expected a whole number of degrees of freedom, got 231.5"),
    ("chisq_df negative", LC, lambda r: _fit(r)["chisq_df"].update(_num(-3.205)), "expected chisq_df >= 0, got -3.205"),
    ("rmsea negative", LC, lambda r: _fit(r)["rmsea"].update(_num(-0.094)), "expected rmsea >= 0, got -0.094"),
    ("srmr negative", LC, lambda r: _fit(r).update(srmr={"value": -0.05, "printed": "-0.05", "where": "x"}),
     "field results.fit[0].measures.srmr: expected srmr >= 0, got -0.05"),
    ("gfi above 1", LC, lambda r: _fit(r)["gfi"].update(_num(1.01)),
     "field results.fit[0].measures.gfi: expected gfi within [0, 1], got 1.01"),
    ("nfi above 1", LC, lambda r: _fit(r)["nfi"].update(_num(1.04)), "expected nfi within [0, 1], got 1.04"),
    ("nfi as a percent", LC, lambda r: _fit(r)["nfi"].update(_num(94)), "expected nfi within [0, 1], got 94"),
    ("agfi above 1", LC, lambda r: _fit(r)["agfi"].update(_num(1.06)), "expected agfi <= 1, got 1.06"),
    ("cfi far above 1", LC, lambda r: _fit(r)["cfi"].update(_num(1.96)), "expected cfi within [0, 1.2], got 1.96"),
    ("cfi negative", LC, lambda r: _fit(r)["cfi"].update(_num(-0.96)), "expected cfi within [0, 1.2], got -0.96"),
    ("tli far above 1", EE, lambda r: _fit(r, "cfa")["tli"].update(_num(9.8)), "expected tli <= 1.2, got 9.8"),
    ("ifi far above 1", LC, lambda r: _fit(r)["ifi"].update(_num(96)), "expected ifi <= 1.2, got 96"),
    ("p-value above 1", EE, lambda r: _fit(r, "cfa")["pvalue"].update(value=1.5, printed="p < 1.5"),
     "field results.fit[0].measures.pvalue: expected pvalue within [0, 1], got 1.5"),
    ("two fit blocks of one model", LC, lambda r: r["results"]["fit"].append(r["results"]["fit"][0]),
     "field results.fit[1].model: expected one fit block per model, got a second 'sem' block (first at fit[0])"),
    ("unknown fit measure", LC, lambda r: _fit(r).update(cfi2={"value": 0.9, "printed": "0.9", "where": "x"}),
     "unknown fit measure 'cfi2'"),
    ("claim of an unknown quantity", LC, lambda r: r["results"]["claims"][0].update(quantity="beta"),
     "field results.claims[0].quantity: Input should be"),
    ("group count negative", EE, lambda r: r["sample"]["groups"][0]["count"].update(_num(-249)),
     "field sample.groups[0].count: expected a whole number >= 0, got -249"),
    ("group count fractional", EE, lambda r: r["sample"]["groups"][0]["count"].update(_num(249.5)),
     "expected a whole number >= 0, got 249.5"),
    ("group percent above 100", EE, lambda r: r["sample"]["groups"][0]["percent"].update(_num(147.4)),
     "field sample.groups[0].percent.value: expected a percent within [0, 100], got 147.4"),
    ("group percent without unit above 100", EE,
     lambda r: r["sample"]["groups"][0]["percent"].update(_num(147.4), unit=""),
     "field sample.groups[0].percent: expected a percent within [0, 100], got 147.4"),
    ("response rate above 100", LC, lambda r: r["sample"]["response_rate"].update(_num(193, "193%")),
     "expected a percent within [0, 100], got 193"),
    ("harman percent above 100", EE, lambda r: r["results"]["harman"]["first_factor_percent"].update(
        _num(128.7, "128.7 %")), "field results.harman.first_factor_percent.value: expected a percent within"),
    ("harman factor count of 0", EE, lambda r: r["results"]["harman"]["n_factors"].update(_num(0, "zero")),
     "field results.harman.n_factors: expected a positive whole number of factors, got 0"),
    ("negative standard error", EE, lambda r: r["results"]["paths"][0]["se"].update(_num(-0.17)),
     "field results.paths[0].se: expected a standard error >= 0, got -0.17"),
    ("path p-value above 1", EE, lambda r: r["results"]["paths"][0]["p"].update(value=1.01, printed="p < 1.01"),
     "field results.paths[0].p: expected a p-value within [0, 1], got 1.01"),
]


@pytest.mark.parametrize("name,paper,mutate,expected", BAD, ids=[b[0] for b in BAD])
def test_bad_records_fail_with_one_line(tmp_path, name, paper, mutate, expected):
    path = _mutated(tmp_path, mutate, paper)
    before = path.read_bytes()
    with pytest.raises(RecordError) as exc:
        load_record(path)
    msg = str(exc.value)
    assert "\n" not in msg
    assert msg.startswith(f"{path}: field ")
    assert expected in msg
    assert path.read_bytes() == before


GOOD = [
    ("loading above 1 is a printed typo for the audit", LC,
     lambda r: r["results"]["loadings"]["HI2"].update(_num(1.05))),
    ("tli and cfi slightly above 1", EE, lambda r: (_fit(r, "cfa")["tli"].update(_num(1.02)),
                                                    _fit(r, "cfa")["cfi"].update(_num(1.01)))),
    ("agfi may be negative", LC, lambda r: _fit(r)["agfi"].update(_num(-0.05))),
    ("value more precise than printed", LC, lambda r: r["results"]["loadings"]["T1"].update(value=0.7801)),
    ("printed with thousands comma", LC, lambda r: r["sample"]["invited"].update(_num(1500, "1,500"))),
    ("printed with marker", LC, lambda r: r["results"]["paths"][0]["statistic"].update(printed="8.63***")),
    ("printed negative with unicode minus", LC,
     lambda r: r["results"]["paths"][0]["estimate"].update(_num(-0.8, "\u22120.80"))),
    ("printed number word capitalised", EE, lambda r: r["sample"]["scale_points"].update(printed="Seven")),
    ("free covariance of two disturbances", LC, lambda r: r["model"].update(covariances=[{"a": "RB", "b": "RD"}])),
    ("item loading assumption on a named item", SC, _add_assumption("items.CP2.loading", 0.7)),
    ("no controls assumed", SR, lambda r: (r["model"].update(controls=[]), _assume("model.controls", [])(r))),
]


@pytest.mark.parametrize("name,paper,mutate", GOOD, ids=[g[0] for g in GOOD])
def test_admissible_variants_load(tmp_path, name, paper, mutate):
    rec = load_record(_mutated(tmp_path, mutate, paper))
    assert rec.id == paper


@pytest.mark.parametrize("printed,value,relation", [
    ("93%", 93, "="), ("97.8 %", 97.8, "="), ("p < 0.001", 0.001, "<"), ("p<0.01", 0.01, "<"),
    ("< .05", 0.05, "<"), ("28.7 %", 28.7, "="), ("seven", 7, "="), ("three items", 3, "="),
    ("twenty", 20, "="), ("465", 465, "="), ("1,234,567", 1234567, "="), ("0.47**", 0.47, "="),
    ("1e-05", 1e-05, "="), ("\u03c72 = 382.05", 382.05, "="),
])
def test_printed_forms_read_as_their_value(printed, value, relation):
    p = Published(value=value, printed=printed, where="t", relation=relation)
    assert p.value == value


@pytest.mark.parametrize("printed,value,relation,expected", [
    ("0.80", 0.08, "=", "expected the printed text to state value 0.08"),
    ("seven", 8, "=", "got 'seven' (reads 7)"),
    ("twenty-one", 21, "=", "reads 20"),
    ("n.s.", 0.2, "=", "printed text has no number"),
    ("", 1, "=", "printed text has no number"),
    ("p < 0.05", 0.05, "=", "states '<', got relation '='"),
    ("-0.25", 0.25, "=", "reads -0.25"),
])
def test_printed_forms_that_disagree(printed, value, relation, expected):
    with pytest.raises(ValidationError, match=re.escape(expected)):
        Published(value=value, printed=printed, where="t", relation=relation)


def test_bundled_printed_texts_of_every_kind_are_read():
    """The five records print percents, bounds, number words and plain numbers; all agree."""
    recs = load_all()
    printed = {v.printed for r in recs.values() for v in r.values().values() if v.printed}
    assert {"465", "seven", "three items"} <= printed
    assert recs["live_commerce"].sample.response_rate.printed == "93%"
    ee = recs["e_engagement"]
    assert ee.sample.response_rate.printed == "97.8 %" and ee.results.harman.first_factor_percent.printed == "28.7 %"
    assert {b.model: b.measures["pvalue"].printed for b in ee.results.fit if "pvalue" in b.measures} == \
        {"cfa": "p < 0.001"}


def test_bad_record_through_cli(tmp_path):
    path = _mutated(tmp_path, lambda r: r["sample"]["n"].update(_num(-3)))
    res = run_cli("audit", str(path))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert f"{path}: field sample.n: must be a positive whole number, got -3" in res.stderr


def test_bad_assumption_through_cli(tmp_path):
    path = _mutated(tmp_path, _assume("constructs.CP.loading", "high"), SC)
    res = run_cli("audit", str(path))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert "field assumptions[8].value: constructs.CP.loading: expected a standardized loading" in res.stderr


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
    assert [ln.split()[0] for ln in lines] == IDS + ["ecsi_mobi", "holzinger_swineford", "political_democracy"]
    levels = {ln.split()[0]: ln.split()[1] for ln in lines}
    assert levels["live_commerce"] == "tables" and levels["value_cocreation"] == "abstract"
    assert levels["holzinger_swineford"] == levels["political_democracy"] == "example"


def test_cli_usage_error_is_one_line():
    res = run_cli("run", "--jobs", "0")
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and "--jobs" in res.stderr


# ------------------------------------------------------------------------------------------------
# Records in lavaan syntax: worked examples, model kinds, new fields, refusals
# ------------------------------------------------------------------------------------------------
EXAMPLES = ROOT / "data" / "examples"


def _example_raw(eid: str) -> dict:
    return yaml.safe_load((EXAMPLES / eid / "paper.yaml").read_text(encoding="utf-8"))


def _refused(tmp_path, raw: dict) -> str:
    path = tmp_path / "paper.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(RecordError) as exc:
        load_record(path)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(f"{path}: field ")
    return msg


def test_examples_load_by_id_and_path_and_stay_apart_from_the_papers():
    from replication.record.schema import example_ids, load_examples
    assert example_ids() == ["ecsi_mobi", "holzinger_swineford", "political_democracy"]
    assert set(example_ids()).isdisjoint(paper_ids())
    hs = load_record("holzinger_swineford")
    assert hs == load_record(EXAMPLES / "holzinger_swineford" / "paper.yaml")
    assert set(load_examples()) == set(example_ids())
    assert hs.model.kind == "cfa" and hs.model.paths == [] and hs.scale_points is None
    pd_ = load_record("political_democracy")
    assert [p.key for p in pd_.model.paths] == ["ind60->dem60", "ind60->dem65", "dem60->dem65"]
    assert pd_.n == pd_.n_analysed == 75


def test_cfa_of_a_sem_syntax_keeps_item_residual_covariances_and_correlates_all_factors():
    from replication.engine.ram import specify
    rec = load_record("political_democracy")
    cfa = rec.cfa_syntax()
    assert "dem60 ~ ind60" not in cfa and "y2 ~~ y4" in cfa and "ind60 ~~ dem65" in cfa
    # lavaan: the SEM has df 35 (printed); its CFA is an equivalent model with the same df
    assert specify(rec.main_syntax()).df == 35 and specify(cfa).df == 35
    assert rec.fit_syntaxes() == {"sem": rec.main_syntax()}


def test_new_sample_and_construct_fields(tmp_path):
    raw = _example_raw("holzinger_swineford")
    raw["sample"]["n"] = {"value": 320, "printed": "320", "where": "text"}
    raw["sample"]["n_analysed"] = {"value": 301, "printed": "301", "where": "text"}
    raw["sample"]["missing"] = "fiml"
    raw["sample"]["scale_points"] = {"value": 5, "printed": "five", "where": "text"}
    raw["constructs"]["speed"]["reversed"] = ["x9"]
    raw["model"]["estimator"] = "MLR"
    from replication.record.core import Record
    rec = Record.model_validate(raw)
    assert (rec.n, rec.n_analysed, rec.sample.missing, rec.scale_points) == (320, 301, "fiml", 5)
    assert rec.reversed_items == ["x9"] and rec.model.estimator == "MLR"
    assert rec.values()["sample.n_analysed"].value == 301


@pytest.mark.parametrize("change, field, words", [
    (lambda r: r["model"].update(syntax="visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed x7 + x8 + x9"),
     "model.syntax", "line 3"),
    (lambda r: r["constructs"].update(memory={"name": "Memory", "items": ["m1", "m2"]}),
     "constructs.memory", "not in model.syntax"),
    (lambda r: r["constructs"]["visual"].update(items=["x1", "x2"]),
     "model.syntax", "indicator 'x3' of visual"),
    (lambda r: r["model"].update(syntax=r["model"]["syntax"] + "g =~ x1 + x4\n"),
     "model.syntax", "latent variable 'g' is not in constructs"),
    (lambda r: r["results"]["parameters"].append({"lhs": "x1", "op": "~~", "rhs": "x9",
                                                  "est": {"value": 0.1, "printed": "0.1", "where": "t"}}),
     "results.parameters[24]", "x1 ~~ x9 is not in the main model"),
    (lambda r: r["results"]["fit"].append({"model": "bifactor", "measures": {}}),
     "results.fit[1].syntax", "expected its lavaan syntax"),
    (lambda r: r["results"]["fit"].append({"model": "one", "syntax": "g =~ x1 + x2 + \n", "measures": {}}),
     "results.fit[1].syntax", "line"),
    (lambda r: r["constructs"]["speed"].update(reversed=["x1"]),
     "constructs.speed.reversed[0]", "not an item of this construct"),
    (lambda r: r["sample"].update(n_analysed={"value": 400, "printed": "400", "where": "t"}),
     "sample.n_analysed", "at most the reported N"),
    (lambda r: r["model"].update(paths=[{"from": "visual", "to": "speed"}]),
     "model.paths", "no paths in a model of kind cfa"),
    (lambda r: r["model"].update(estimator="WLSMV"), "model.ordered", "ordinal"),
    (lambda r: r["model"].update(ordered=["x1", "z1"]), "model.ordered[1]", "not an item"),
])
def test_bad_syntax_records_end_with_one_line_naming_the_field(tmp_path, change, field, words):
    raw = _example_raw("holzinger_swineford")
    change(raw)
    msg = _refused(tmp_path, raw)
    assert f"field {field}" in msg and words in msg, msg


def test_sem_without_syntax_refuses_a_construct_in_no_path(tmp_path):
    raw = yaml.safe_load((ROOT / "data" / "papers" / "e_engagement" / "paper.yaml").read_text(encoding="utf-8"))
    raw["constructs"]["EXTRA"] = {"name": "Unused", "items": ["EX1", "EX2", "EX3"]}
    msg = _refused(tmp_path, raw)
    assert "field constructs.EXTRA" in msg and "in no path" in msg


def test_syntax_paths_must_agree_with_model_paths(tmp_path):
    raw = _example_raw("political_democracy")
    raw["model"]["paths"] = [{"from": "dem60", "to": "dem65"}, {"from": "dem65", "to": "ind60"}]
    msg = _refused(tmp_path, raw)
    assert "field model.paths[1]" in msg and "dem65->ind60 is not in model.syntax" in msg


def test_syntax_error_names_the_model_line_and_the_file_line(tmp_path):
    text = (EXAMPLES / "holzinger_swineford" / "paper.yaml").read_text(encoding="utf-8")
    bad = text.replace("    speed   =~ x7 + x8 + x9", "    speed x7 + x8 + x9")
    path = tmp_path / "paper.yaml"
    path.write_text(bad, encoding="utf-8")
    file_line = bad.splitlines().index("    speed x7 + x8 + x9") + 1
    res = run_cli("audit", str(path))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.strip().count("\n") == 0
    assert f"field model.syntax: line 3 (file line {file_line}): no operator" in res.stderr


def test_product_indicators_are_stated_by_the_record(tmp_path):
    raw = yaml.safe_load((ROOT / "data" / "papers" / "social_crm" / "paper.yaml").read_text(encoding="utf-8"))
    mods = [m for m in raw["model"]["moderations"] if m["method"] == "latent_product"]
    from replication.record.core import Record
    k = raw["model"]["moderations"].index(mods[0])
    assert Record.model_validate(raw).model.moderations[k].product_indicators.centring == "double_mean"
    mods[0]["product_indicators"] = {"leftovers": "parcel", "centring": "mean"}
    pi = Record.model_validate(raw).model.moderations[k].product_indicators
    assert (pi.pairing, pi.leftovers, pi.centring) == ("matched", "parcel", "mean")
    mods[0]["product_indicators"] = {"centring": "residual"}
    msg = _refused(tmp_path, raw)
    assert "product_indicators.centring" in msg
