"""PLS-SEM records: schema, audit of the printed PLS tables, the run end to end on the worked
example (seminr's ECSI model on the mobi data) and planted inconsistencies."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from replication.engine.errors import InputError
from replication.record.schema import RecordError, load_record
from tests.conftest import ROOT, run_cli

EXAMPLE = ROOT / "data" / "examples" / "ecsi_mobi"
RECORD = EXAMPLE / "paper.yaml"
DATA = EXAMPLE / "data.csv"


def _raw() -> dict:
    return yaml.safe_load(RECORD.read_text(encoding="utf-8"))


def _write(tmp_path: Path, raw: dict, name: str = "paper.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return p


def _findings(path) -> list[dict]:
    from replication.audit.core import audit, to_json

    return to_json(audit(load_record(str(path))))["findings"]


def _pub(v: float, text: str, where: str = "planted") -> dict:
    return {"value": v, "printed": text, "where": where}


# ------------------------------------------------------------------------------------- record
def test_example_record_loads_as_pls():
    rec = load_record("ecsi_mobi")
    assert rec.model.kind == "pls" and rec.model.estimator == "PLS" and rec.model.scheme == "path"
    assert len(rec.model.paths) == 12 and len(rec.hypotheses) == 12
    pls = rec.results.pls
    assert pls.bootstrap.value == 1000 and pls.htmt.threshold == 0.90
    assert pls.reliability["Image"].rho_c.printed == "0.819"
    assert pls.loadings["Loyalty"]["CUSL2"].value == 0.202


def test_mode_b_syntax_and_plsc_load(tmp_path):
    raw = _raw()
    raw["model"]["syntax"] = raw["model"]["syntax"].replace("Value =~", "Value <~")
    rec = load_record(str(_write(tmp_path, raw)))
    assert [p.key for p in rec.model.paths][:2] == ["Image->Expectation", "Expectation->Quality"]
    raw = _raw()
    raw["model"]["estimator"] = "PLSc"
    del raw["model"]["kind"]
    raw["model"]["kind"] = "sem"
    assert load_record(str(_write(tmp_path, raw))).model.fitted_estimator == "PLSc"


@pytest.mark.parametrize("edit, field", [
    (lambda r: r["model"].update(kind="cfa", estimator="ML"), "results.pls"),
    (lambda r: r["results"]["pls"]["loadings"]["Image"].update(CUSL1=_pub(0.5, "0.500")),
     "results.pls.loadings.Image.CUSL1"),
    (lambda r: r["results"]["pls"]["paths"].append({"from": "Loyalty", "to": "Image"}),
     "results.pls.paths[12]"),
    (lambda r: r["constructs"]["Image"].update(items=["IMAG1", "IMAG2"]), "constructs.Image.items"),
    (lambda r: r["results"]["pls"]["htmt"]["pairs"].append(
        {"a": "Nope", "b": "Image", "value": _pub(0.5, "0.500")}), "results.pls.htmt.pairs[21].a"),
])
def test_record_refusals_name_the_field(tmp_path, edit, field):
    raw = _raw()
    if "cfa" in str(edit.__code__.co_consts):
        raw["model"]["syntax"] = "\n".join(ln for ln in raw["model"]["syntax"].splitlines()
                                           if "=~" in ln) + "\n"
    edit(raw)
    with pytest.raises(RecordError) as exc:
        load_record(str(_write(tmp_path, raw)))
    assert field in str(exc.value) and "\n" not in str(exc.value)


# -------------------------------------------------------------------------------------- audit
def test_worked_example_audit_has_no_inconsistent_finding():
    res = run_cli("audit", str(RECORD), "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    bad = [f for f in out["findings"] if f["status"] == "inconsistent"]
    assert bad == []
    checks = {f["check"] for f in out["findings"] if f["status"] == "consistent"}
    assert {"cr", "ave", "r2_adj", "statistic", "f2", "fornell_larcker_diagonal"} <= checks
    assert sum(f["check"] == "cr" and f["status"] == "consistent" for f in out["findings"]) == 7
    htmt = next(f for f in out["findings"] if f["check"] == "htmt")
    assert htmt["status"] == "not_checkable" and "Satisfaction-Quality 0.954" in htmt["detail"]


def test_planted_cr_and_adjusted_r2_are_flagged(tmp_path):
    raw = _raw()
    pls = raw["results"]["pls"]
    pls["reliability"]["Image"]["rho_c"] = _pub(0.85, "0.850", "planted CR of Image")
    pls["r2_adj"]["Satisfaction"] = _pub(0.7, "0.700", "planted adjusted R2 of Satisfaction")
    bad = {f["where"]: f for f in _findings(_write(tmp_path, raw)) if f["status"] == "inconsistent"}
    assert set(bad) == {"planted CR of Image", "planted adjusted R2 of Satisfaction"}
    assert bad["planted CR of Image"]["check"] == "cr"
    assert bad["planted adjusted R2 of Satisfaction"]["check"] == "r2_adj"
    assert bad["planted adjusted R2 of Satisfaction"]["recomputed"].startswith("0.675")


def test_planted_verdicts_t_p_and_f2(tmp_path):
    raw = _raw()
    pls = raw["results"]["pls"]
    pls["htmt"]["established"] = True          # four pairs at or above 0.90
    pls["fornell_larcker"]["established"] = False  # consistent: three pairs violate it
    pls["paths"][0]["t"] = _pub(12.0, "12.000", "planted t")
    pls["paths"][1]["p"] = _pub(0.001, "0.001", "p of t 3.326")   # normal and t(999) agree
    pls["paths"][2]["p"] = _pub(0.2, "0.200", "planted p")
    pls["f2"][0]["value"] = _pub(0.5, "0.500", "planted f2")
    found = {f["where"]: f for f in _findings(_write(tmp_path, raw))}
    htmt = next(f for f in found.values() if f["check"] == "htmt")
    assert htmt["status"] == "inconsistent" and htmt["severity"] == "major"
    fl = next(f for f in found.values() if f["check"] == "fornell_larcker")
    assert fl["status"] == "consistent"
    assert found["planted t"]["status"] == "inconsistent"
    assert found["p of t 3.326"]["status"] == "consistent"
    assert found["planted p"]["status"] == "inconsistent" and found["planted p"]["severity"] == "major"
    assert found["planted f2"]["status"] == "inconsistent"


def test_pls_p_value_normal_and_t_with_b_minus_1_df():
    from replication.audit.pls_checks import check_pls_p
    from replication.record.schema import Published

    t = Published(value=2.0, printed="2.000", where="t")
    # normal 0.0455, t(9) 0.0766: each p matches its own reference only
    assert check_pls_p(t, Published(value=0.046, printed="0.046", where="p"), 9, "normal").status == "consistent"
    assert check_pls_p(t, Published(value=0.077, printed="0.077", where="p"), 9, "normal").status == "inconsistent"
    assert check_pls_p(t, Published(value=0.077, printed="0.077", where="p"), 9, "t").status == "consistent"
    assert check_pls_p(t, Published(value=0.077, printed="0.077", where="p"), 9, None).status == "consistent"


# ------------------------------------------------------------------------------------ the run
def test_refused_in_one_line_without_responses():
    import replication

    with pytest.raises(InputError) as exc:
        replication.replicate(str(RECORD))
    assert "ecsi_mobi" in str(exc.value) and "--data" in str(exc.value)
    assert "\n" not in str(exc.value)


def test_run_end_to_end_matches_replicate_bytes(tmp_path):
    import replication

    out = tmp_path / "out"
    res = run_cli("run", str(RECORD), "--data", str(DATA), "--bootstrap", "200", "--out", str(out))
    assert res.returncode == 0, res.stderr
    written = (out / "ecsi_mobi" / "results.json").read_bytes()
    results = json.loads(written)
    pls = results["pls"]
    assert pls["estimator"] == "PLS" and pls["bootstrap"]["resamples"] == 200
    assert {"paths", "loadings", "weights", "reliability", "htmt", "r2", "r2_adj", "f2"} <= set(pls)
    assert set(results["comparisons"]) == {"paths", "loadings", "weights", "reliability", "htmt", "r2"}
    verdicts = {h["hypothesis"]: h["verdict"] for h in results["hypotheses"]}
    assert len(verdicts) == 12 and set(verdicts.values()) == {"reproduced"}
    supported = {h["hypothesis"]: h["replicated_supported"] for h in results["hypotheses"]}
    assert supported["H5"] is False and supported["H1"] is True   # Expectation -> Value: CI has 0
    assert results["summary"]["values"]["not reproduced"] == 0
    api = replication.replicate(str(RECORD), data=str(DATA), n_bootstrap=200)
    assert api.to_json_text().encode("utf-8") == written


def test_reconstruct_refuses_a_pls_record_in_one_line():
    res = run_cli("reconstruct", "ecsi_mobi", "--out", "unused.csv")
    assert res.returncode == 2 and "PLS-SEM record is not reconstructed" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
