"""replicate fit with --estimator, --missing, --group, --group-equal, --group-partial against
lavaan 0.6 (fixtures from scripts/robust_fixtures.R and scripts/multigroup_fixtures.R)."""

import json
from pathlib import Path

import pytest

from replication.engine.errors import InputError
from replication.pipeline.fit_estimators import (check_options, fit_files_estimator,
                                                 format_result, parse_list)

FX = Path(__file__).parent / "fixtures" / "estimators"
HS = FX / "holzinger_swineford_school.csv"
STAT_TOL = 1e-3


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    fx = json.loads((FX / "robust_hs_mlm.json").read_text())
    path = tmp_path_factory.mktemp("model") / "hs.lav"
    path.write_text(fx["model"])
    return path


def test_robust_json_has_lavaan_names(model_file):
    ref = json.loads((FX / "robust_hs_mlr.json").read_text())["fit_measures"]
    out = fit_files_estimator(model_file, HS, estimator="mlr")
    assert out["estimator"] == "MLR"
    for key in ("chisq", "chisq.scaled", "chisq.scaling.factor", "pvalue.scaled", "cfi.scaled",
                "tli.scaled", "rmsea.scaled", "cfi.robust", "tli.robust", "rmsea.robust"):
        # JSON rounds to 6 decimals
        assert out["fit_measures"][key] == pytest.approx(ref[key], rel=STAT_TOL, abs=1e-6), key
    text = format_result(out)
    assert "Sandwich" in text and "Standard      Scaled" in text


def test_multigroup_json_has_a_group_on_every_parameter(model_file):
    ref = json.loads((FX / "mg_hs_school_partial.json").read_text())
    out = fit_files_estimator(model_file, HS, group="school",
                              group_equal=["loadings", "intercepts"],
                              group_partial=["x3 ~ 1", "x7~1"])
    assert all(p["group"] in ("Pasteur", "Grant-White") for p in out["parameters"])
    assert out["fit_measures"]["chisq"] == pytest.approx(ref["fit_measures"]["chisq"],
                                                         rel=STAT_TOL)
    assert [g["group"] for g in out["groups"]] == ref["group_labels"]
    text = format_result(out)
    assert "Group 2 [Grant-White]" in text


@pytest.mark.parametrize("kwargs, match", [
    (dict(estimator="ML", ordered=["x1"]), "--ordered"),
    (dict(estimator="WLSMV", ordered=["x1"], missing="fiml"), "--missing fiml"),
    (dict(estimator="MLM", missing="fiml"), "MLM"),
    (dict(estimator="DWLS"), "ordered items"),
    (dict(group_equal=["loadings"]), "--group"),
    (dict(group="school", group_partial=["x3~1"]), "--group-partial"),
    (dict(group="school", ordered=["x1"], estimator="WLSMV"), "multi-group"),
    (dict(estimator="MLR", bootstrap=100), "--bootstrap"),
])
def test_refused_combinations(kwargs, match):
    opts = dict(estimator="ML", ordered=[], missing="listwise", group=None, group_equal=[],
                group_partial=[])
    opts.update(kwargs)
    with pytest.raises(InputError, match=match):
        check_options(**opts)


def test_parse_list():
    assert parse_list("loadings, intercepts,") == ["loadings", "intercepts"]
    assert parse_list(None) == []


def test_cli_refuses_with_one_line_and_exit_2(cli, model_file):
    r = cli("fit", str(model_file), str(HS), "--estimator", "ML", "--ordered", "all")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "WLSMV" in r.stderr


def test_cli_group_json(cli, model_file):
    r = cli("fit", str(model_file), str(HS), "--group", "school", "--group-equal", "loadings",
            "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    ref = json.loads((FX / "mg_hs_school_ml_metric.json").read_text())["fit_measures"]
    assert out["fit_measures"]["chisq"] == pytest.approx(ref["chisq"], rel=STAT_TOL)
    assert out["fit_measures"]["df"] == ref["df"]
    assert {p["group"] for p in out["parameters"]} == {"Pasteur", "Grant-White"}


def test_wlsmv_with_ordered_items(tmp_path):
    fx = json.loads((FX / "ordinal_bfi_n_wlsmv.json").read_text())
    model = tmp_path / "n.lav"
    model.write_text(fx["model"])
    out = fit_files_estimator(model, FX / fx["data"], estimator="WLSMV", ordered=["all"])
    ref = fx["fit_measures"]
    for key in ("chisq", "chisq.scaled", "cfi.scaled", "rmsea.scaled", "srmr"):
        assert out["fit_measures"][key] == pytest.approx(ref[key], rel=STAT_TOL), key
    assert any(p["op"] == "|" for p in out["parameters"])
    text = format_result(out)
    assert "Robust.sem" in text and "Thresholds:" in text and "N1|t1" in text
    with pytest.raises(InputError, match="not ordered"):
        fit_files_estimator(model, FX / fx["data"], estimator="WLSMV", ordered=["N1"])


def test_multigroup_fiml_from_files(model_file):
    ref = json.loads((FX / "mg_hs_school_fiml_mlr_scalar.json").read_text())
    out = fit_files_estimator(model_file, FX / ref["data"], estimator="MLR", missing="fiml",
                              group="school", group_equal=["loadings", "intercepts"])
    for key in ("chisq", "chisq.scaled", "cfi.robust", "rmsea.robust"):
        assert out["fit_measures"][key] == pytest.approx(ref["fit_measures"][key],
                                                         rel=STAT_TOL), key


def test_same_inputs_same_bytes(model_file):
    a = fit_files_estimator(model_file, HS, estimator="MLM", group="school",
                            group_equal=["loadings"])
    b = fit_files_estimator(model_file, HS, estimator="MLM", group="school",
                            group_equal=["loadings"])
    assert json.dumps(a, sort_keys=False) == json.dumps(b, sort_keys=False)
