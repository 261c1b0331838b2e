"""Audit of what real published reports print: N inferred from the N-dependent numbers, the
RMSEA interval, second-order and orthogonal models in the df, model comparisons (plain and
Satorra-Bentler 2001 scaled), PGFI and PNFI. Reference values: lavaan (scripts/audit_fixtures.R,
tests/fixtures/audit/) and closed forms."""

from __future__ import annotations

import copy
import json
import math

import pytest
from hypothesis import given, settings, strategies as st

from tests.conftest import ROOT

FIX = ROOT / "tests" / "fixtures" / "audit"
MODELS = {m["name"]: m for m in json.loads((FIX / "hs_models.json").read_text())["models"]}
LRT = json.loads((FIX / "hs_lrt.json").read_text())["tests"]


def _pub(value: float, decimals: int = 3, where: str = "toy table") -> dict:
    text = f"{value:.{decimals}f}"
    return {"value": float(text), "printed": text, "where": where}


def _example() -> dict:
    import yaml
    return yaml.safe_load((ROOT / "data" / "examples" / "holzinger_swineford" / "paper.yaml").read_text())


def _block(name: str, model: str, keys=("chisq", "df", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper"),
           syntax: bool = True) -> dict:
    m = MODELS[name]
    measures = {}
    for k in keys:
        key = k.replace(".", "_") if k in ("chisq.scaling.factor",) else k
        v = m[key]
        measures[k] = _pub(v, 0, f"{model} df") if k == "df" else _pub(v, 3, f"{model} {k}")
    out = {"model": model, "measures": measures}
    if syntax:
        out["syntax"] = m["model"]
    if m["orthogonal"]:
        out["orthogonal"] = True
    return out


def _record(raw: dict):
    from replication.record.core import Record
    return Record.model_validate(raw)


def _findings(raw: dict, check: str | None = None):
    from replication.audit import audit
    fs = audit(_record(raw)).findings
    return [f for f in fs if check is None or f.check == check]


# ------------------------------------------------------------------ df of lavaan's models
@pytest.mark.parametrize("name", sorted(MODELS))
def test_df_of_second_order_and_orthogonal_models_is_lavaans(name):
    from replication.audit.model_df import syntax_df
    m = MODELS[name]
    count = syntax_df(m["model"], m["orthogonal"])
    assert count.df == m["df"] and count.free == m["npar"]


def test_second_order_competing_block_is_not_counted_as_correlated_factors():
    raw = _example()
    raw["results"]["fit"].append(_block("second", "second_order"))
    raw["results"]["fit"].append(_block("bifactor", "bifactor"))
    dfs = [f for f in _findings(raw, "df")]
    assert len(dfs) == 3 and all(f.status == "consistent" for f in dfs), dfs


# ------------------------------------------------------------------ N from the printed numbers
@pytest.mark.parametrize("name", sorted(MODELS))
def test_lavaans_n_lies_in_every_set_the_rounded_numbers_allow(name):
    from replication.audit.sample_size import ci_n_set, pclose_n_set, rmsea_n_set
    m = MODELS[name]
    c = round(m["chisq"], 3)
    civ = (c - 5e-4, c + 5e-4)

    def iv(x):
        x = round(x, 3)
        return (x - 5e-4, x + 5e-4)

    sets = [rmsea_n_set(civ, m["df"], iv(m["rmsea"])), ci_n_set(civ, m["df"], iv(m["rmsea.ci.lower"]), 0),
            ci_n_set(civ, m["df"], iv(m["rmsea.ci.upper"]), 1), pclose_n_set(civ, m["df"], iv(m["rmsea.pvalue"]))]
    n = m["ntotal"]
    for s in sets:
        assert s["N"] is not None and s["N"][0] <= n <= s["N"][1], (name, s)
    # the three RMSEA numbers of the full sample pin N to a few values
    lo = max(s["N"][0] for s in sets[:3])
    hi = min(s["N"][1] for s in sets[:3])
    assert lo <= n <= hi and hi - lo <= 10


def test_record_without_n_loads_and_the_audit_infers_n():
    raw = _example()
    del raw["sample"]["n"]
    raw["results"]["fit"].append(_block("one", "one_factor"))
    rec = _record(raw)
    with pytest.raises(Exception, match="sample.n"):
        rec.n
    from replication.audit import audit, to_json
    report = to_json(audit(rec))
    n = [f for f in report["findings"] if f["check"] == "sample_n"]
    assert len(n) == 1 and n[0]["status"] == "consistent" and "301" in n[0]["recomputed"]
    assert "inferred" in n[0]["detail"]
    rmsea = [f for f in report["findings"] if f["check"] == "rmsea"]
    assert rmsea and all(f["status"] == "not_checkable" for f in rmsea)
    assert all(f["severity"] in ("major", "minor", "info") for f in report["findings"])


def test_a_block_from_another_sample_is_named_when_n_is_not_printed():
    raw = _example()
    del raw["sample"]["n"]
    raw["results"]["fit"].append(_block("three_n75", "subsample"))
    n = _findings(raw, "sample_n")
    assert len(n) == 1 and n[0].status == "inconsistent" and n[0].severity == "major"
    assert "SUBSAMPLE" in n[0].detail or "CFA" in n[0].detail
    # declared with its own N, the block is checked alone and everything agrees
    raw["results"]["fit"][-1]["n"] = {"value": 75, "printed": "75", "where": "Table 3 note"}
    assert all(f.status == "consistent" for f in _findings(raw, "sample_n"))


def test_a_wrong_printed_n_is_blamed_when_the_numbers_agree_on_another():
    raw = _example()
    raw["sample"]["n"] = {"value": 350, "printed": "350", "where": "Method, participants"}
    n = _findings(raw, "sample_n")
    assert len(n) == 1 and n[0].status == "inconsistent" and "350" in n[0].detail


def test_rmsea_interval_against_chisq_df_and_n():
    raw = _example()
    fit = raw["results"]["fit"][0]["measures"]
    fit["rmsea.ci.upper"] = {"value": 0.140, "printed": "0.140", "where": "broken upper bound"}
    bad = [f for f in _findings(raw) if f.status == "inconsistent"]
    assert [f.check for f in bad] == ["rmsea_ci_upper"] and bad[0].severity == "major"
    assert "0.1137" in bad[0].recomputed


@settings(max_examples=40, deadline=None)
@given(n=st.integers(40, 3000), df=st.integers(1, 300), excess=st.floats(0.0, 4.0), dec=st.sampled_from([2, 3]))
def test_no_false_alarm_on_correctly_rounded_rmsea_interval_and_n(n, df, excess, dec):
    """lavaan's RMSEA, interval and close-fit p, correctly rounded, always admit the true N."""
    from replication.audit.sample_size import ci_n_set, pclose_n_set, rmsea_n_set
    from replication.engine import fit_indices
    chisq = df * (1 + excess)
    c = round(chisq, 2)
    civ = (c - 5e-3, c + 5e-3)

    def iv(x):
        x = round(x, dec)
        h = 0.5 * 10 ** -dec
        return (x - h, x + h)

    lo, hi = fit_indices.rmsea_ci(c, df, n)
    p = fit_indices.rmsea_pvalue(c, df, n)
    for s in (rmsea_n_set(civ, df, iv(fit_indices.rmsea(c, df, n))), ci_n_set(civ, df, iv(lo), 0),
              ci_n_set(civ, df, iv(hi), 1), pclose_n_set(civ, df, iv(p))):
        assert s["N"] is not None and s["N"][0] <= n <= s["N"][1]


# ------------------------------------------------------------------ comparisons
def _comparison_record(method: str, scaled_keys=False) -> dict:
    raw = _example()
    keys = ("chisq", "df", "cfi", "rmsea", "aic", "bic")
    if scaled_keys:
        keys = keys + ("chisq.scaling.factor",)
    raw["results"]["fit"] = [_block("three", "cfa", keys, syntax=False), _block("one", "one_factor", keys)]
    return raw


@pytest.mark.parametrize("scaled", [False, True])
def test_delta_chisq_df_and_p_against_lavtestlrt(scaled):
    t = next(x for x in LRT if x["free"] == "three" and x["restricted"] == "one"
             and (x["method"] == "satorra.bentler.2001") == scaled)
    raw = _comparison_record(t["method"], scaled_keys=scaled)
    raw["results"]["comparisons"] = [{
        "model": "one_factor", "against": "cfa", "where": "Table 4", "scaled": scaled,
        "delta_chisq": _pub(t["delta_chisq"], 2), "delta_df": _pub(t["delta_df"], 0),
        "pvalue": {"value": 0.001, "printed": "< .001", "relation": "<", "where": "Table 4"},
        "delta_cfi": _pub(MODELS["one"]["cfi"] - MODELS["three"]["cfi"], 3),
        "delta_aic": _pub(MODELS["one"]["aic"] - MODELS["three"]["aic"], 1),
        "delta_bic": _pub(MODELS["three"]["bic"] - MODELS["one"]["bic"], 1),  # printed the other way round
    }]
    got = {f.check: f for f in _findings(raw) if f.check.startswith("delta_")}
    assert set(got) == {"delta_chisq", "delta_df", "delta_pvalue", "delta_cfi", "delta_aic", "delta_bic"}
    assert all(f.status == "consistent" for f in got.values()), got
    # a Delta chi-square 10% off is a major finding
    raw["results"]["comparisons"][0]["delta_chisq"] = _pub(t["delta_chisq"] * 1.1, 2)
    bad = [f for f in _findings(raw, "delta_chisq")]
    assert bad[0].status == "inconsistent" and bad[0].severity == "major"


@pytest.mark.parametrize("t", LRT, ids=lambda t: f"{t['free']}-{t['restricted']}-{t['method']}")
def test_sb2001_and_plain_difference_match_lavaan(t):
    from replication.audit.sequence_checks import sb2001_interval
    a, b = MODELS[t["restricted"]], MODELS[t["free"]]
    if t["method"] == "standard":
        assert abs((a["chisq"] - b["chisq"]) - t["delta_chisq"]) < 1e-6
        return
    e = 1e-12
    lo, hi = sb2001_interval((a["chisq"] - e, a["chisq"] + e), a["df"],
                             (a["chisq_scaling_factor"] - e, a["chisq_scaling_factor"] + e),
                             (b["chisq"] - e, b["chisq"] + e), b["df"],
                             (b["chisq_scaling_factor"] - e, b["chisq_scaling_factor"] + e))
    assert abs((lo + hi) / 2 - t["delta_chisq"]) < 1e-6 * max(1, t["delta_chisq"])


@pytest.mark.parametrize("name", sorted(MODELS))
def test_information_criteria_differences_follow_chisq_and_df(name):
    """lavaan: AIC_a - AIC_b = chisq_a - chisq_b - 2 (df_a - df_b) on one sample (BIC: log N)."""
    a, b = MODELS[name], MODELS["three" if not name.startswith("three_n") else name]
    for key, k in (("aic", 2.0), ("bic", math.log(a["ntotal"]))):
        assert abs((a[key] - b[key]) - ((a["chisq"] - b["chisq"]) - k * (a["df"] - b["df"]))) < 1e-6


@pytest.mark.parametrize("name", sorted(MODELS))
def test_pgfi_and_pnfi_closed_forms_match_lavaan(name):
    m = MODELS[name]
    assert abs(m["df"] / 45 * m["gfi"] - m["pgfi"]) < 1e-8
    assert abs(m["df"] / m["baseline.df"] * m["nfi"] - m["pnfi"]) < 1e-8
    from replication.audit.sequence_checks import check_pgfi, check_pnfi
    from replication.record.schema import Published
    p = lambda k: Published(**_pub(m[k]))  # noqa: E731
    assert check_pgfi(p("gfi"), p("pgfi"), m["df"], 9).status == "consistent"
    assert check_pnfi(p("nfi"), p("pnfi"), m["df"], 9).status == "consistent"
    assert check_pnfi(p("nfi"), Published(**_pub(m["pnfi"] + 0.05)), m["df"], 9).status == "inconsistent"


def test_comparison_names_must_be_fit_blocks():
    from replication.record.printed import RecordError
    raw = _comparison_record("standard")
    raw["results"]["comparisons"] = [{"model": "nope", "against": "cfa", "where": "Table 4"}]
    with pytest.raises(Exception, match="comparisons"):
        _record(copy.deepcopy(raw))
    del RecordError


def test_malformed_printed_number_is_refused_naming_the_field():
    raw = _example()
    raw["results"]["loadings"]["x2"] = {"value": 0.39, "printed": ".-.390", "where": "Table 2"}
    with pytest.raises(Exception, match=r"loadings\.x2.*malformed number '\.-\.390'|malformed number '\.-\.390'"):
        _record(raw)
