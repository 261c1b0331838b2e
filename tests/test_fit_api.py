"""The one entry point replication.fit / cfa / sem against lavaan 0.6.14 (fixtures of
scripts/robust_fixtures.R, multigroup_fixtures.R, ordinal_fixtures.R, fit_api_fixtures.R):
estimates, standard errors and test statistics to 1e-4 for ML, MLM, MLR, MLR with FIML,
WLSMV, two-group ML and MLR with equal loadings; one result interface for every estimator;
the summary in lavaan's layout."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

import replication
from replication.engine.errors import InputError

FX = Path(__file__).parent / "fixtures" / "estimators"
HS_CSV = FX / "holzinger_swineford_school.csv"
HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
TOL = 1e-4
STATS = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "chisq.scaled", "pvalue.scaled",
         "chisq.scaling.factor", "cfi.scaled", "tli.scaled", "cfi.robust", "tli.robust",
         "rmsea.scaled", "rmsea.robust", "rmsea.pvalue", "rmsea.notclose.pvalue",
         "rmsea.pvalue.robust", "rmsea.notclose.pvalue.robust")


def _fixture(name: str) -> dict:
    return json.loads((FX / f"{name}.json").read_text())


def _compare(res, ref: dict, keys=STATS) -> None:
    fm = res.fit_measures
    for k in keys:
        if k in ref["fit_measures"] and k in fm:
            assert fm[k] == pytest.approx(ref["fit_measures"][k], rel=TOL, abs=TOL), k
    p = res.parameters
    grouped = "group" in ref["parameters"][0]
    for r in ref["parameters"]:
        if r["op"] not in ("=~", "~~", "~", "~1"):
            continue
        sel = p[(p.lhs == r["lhs"]) & (p.op == r["op"]) & (p.rhs == r["rhs"])]
        if grouped:
            sel = sel[sel.group == r["group"]]
        assert len(sel) == 1, r
        row = sel.iloc[0]
        assert row["est"] == pytest.approx(r["est"], abs=TOL), r
        if r["se"]:
            assert row["se"] == pytest.approx(r["se"], abs=TOL), r
        assert row["std_all"] == pytest.approx(r["std.all"], abs=TOL), r


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(HS_CSV)


@pytest.mark.parametrize("case, estimator", [("robust_hs_mlm", "MLM"),
                                             ("robust_hs_mlr", "MLR"),
                                             ("robust_bfi_mlr", "MLR")])
def test_robust_single_group(case, estimator):
    ref = _fixture(case)
    data = pd.read_csv(FX / ref["data"])
    res = replication.cfa(ref["model"], data, estimator=estimator)
    assert res.estimator == estimator
    _compare(res, ref)


def test_ml_single_group_equals_lavaan():
    ref = json.loads((Path(__file__).parent / "fixtures" / "lavaan" / "hs_cfa.json").read_text())
    data = pd.read_csv(Path(__file__).parent / "fixtures" / "lavaan" / ref["data"])
    res = replication.fit(ref["model"], data)
    assert res.fit_measures["chisq"] == pytest.approx(ref["fit_measures"]["chisq"], rel=TOL)


def test_mlr_fiml():
    ref = _fixture("robust_hs_fiml_mlr")
    res = replication.cfa(ref["model"], FX / ref["data"], estimator="MLR", missing="ml")
    assert res.missing == "fiml"
    _compare(res, ref)


def test_wlsmv():
    ref = _fixture("ordinal_bfi_nc_wlsmv")
    data = pd.read_csv(FX / ref["data"])
    res = replication.cfa(ref["model"], data, estimator="WLSMV", ordered=True)
    _compare(res, ref, ("chisq", "df", "chisq.scaled", "chisq.scaling.factor", "cfi.scaled",
                        "rmsea.scaled", "cfi.robust", "rmsea.robust", "rmsea.pvalue",
                        "rmsea.ci.lower.robust", "rmsea.ci.upper.robust"))
    text = res.summary()
    assert "Thresholds:" in text and "Shift parameter" in text and "Robust.sem" in text


@pytest.mark.parametrize("case, estimator", [("mg_hs_school_ml_metric", "ML"),
                                             ("mg_hs_school_mlr_metric", "MLR")])
def test_two_groups_equal_loadings(hs, case, estimator):
    ref = _fixture(case)
    res = replication.cfa(HS, hs, estimator=estimator, group="school",
                          group_equal=["loadings"])
    _compare(res, ref)
    assert [g["group"] for g in res.to_json()["groups"]] == ref["group_labels"]


def test_csv_path_gives_the_dataframe_fit(hs):
    a = replication.fit(HS, HS_CSV, estimator="MLR", group="school", group_equal=["loadings"])
    b = replication.fit(HS, hs, estimator="MLR", group="school", group_equal=["loadings"])
    assert a.to_json() == b.to_json()
    assert replication.fit(HS, str(HS_CSV)).to_json() == replication.fit(HS, hs).to_json()


@pytest.mark.parametrize("kwargs, words", [
    (dict(estimator="ML", ordered=True), "ordered"),
    (dict(estimator="MLM", missing="fiml"), "MLM"),
    (dict(estimator="WLSMV"), "ordered"),
    (dict(group_equal=["loadings"]), "group"),
    (dict(estimator="MLR", se="standard"), "se"),
    (dict(estimator="MLR", test="satorra.bentler"), "test"),
    (dict(scheme="path"), "scheme"),
    (dict(estimator="PLS", group="school"), "group"),
    (dict(estimator="PLS", missing="fiml"), "missing"),
    (dict(estimator="MLR", bootstrap=10), "bootstrap"),
])
def test_refused_combinations_one_line(hs, kwargs, words):
    with pytest.raises(InputError) as info:
        replication.fit(HS, hs, **kwargs)
    assert "\n" not in str(info.value) and words in str(info.value)


def test_every_result_has_one_interface(hs, tmp_path):
    bfi = pd.read_csv(FX / "bfi_nc.csv")
    fits = [replication.fit(HS, hs), replication.fit(HS, hs, estimator="MLR"),
            replication.fit(HS, hs, group="school"),
            replication.cfa("neuro =~ N1 + N2 + N3 + N4 + N5", bfi, estimator="WLSMV",
                            ordered=True),
            replication.fit("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\n"
                            "textual ~ visual", hs, estimator="PLS")]
    for res in fits:
        p = res.parameters
        assert {"lhs", "op", "rhs", "group", "est", "se", "z", "pvalue", "std_all"} <= set(p)
        assert isinstance(res.fit_measures, dict) and res.r2 is not None
        assert isinstance(res.warnings, list) and isinstance(res.converged, bool)
        assert isinstance(res.summary(), str) and "<table>" in res._repr_html_()
        path = tmp_path / f"{type(res).__name__}.json"
        out = res.to_json(path)
        assert json.loads(path.read_text()) == json.loads(json.dumps(out))
    for res in fits[:-1]:  # a result is not changed through its tables
        p = res.parameters
        p.loc[p.index[0], "est"] = 99.0
        assert res.parameters.iloc[0]["est"] != 99.0
    assert set(fits[2].parameters["group"]) == {"Pasteur", "Grant-White"}
    assert (fits[0].parameters["group"] == "").all()
    pls = fits[-1].to_json()
    assert {"parameters", "weights", "r2", "r2_adj", "reliability", "htmt", "f2",
            "vif"} <= set(pls)


def test_summary_has_lavaans_layout(hs):
    text = replication.cfa(HS, hs, estimator="MLR").summary()
    ref = (FX / "summary_hs_mlr.txt").read_text()
    for line in ("                                              Standard      Scaled",
                 "  Test Statistic                                85.306      87.132",
                 "  Scaling correction factor                                  0.979",
                 "  Robust Comparative Fit Index (CFI)                         0.930",
                 "  P-value H_0: Robust RMSEA >= 0.080                         0.849",
                 "  P-value H_0: RMSEA >= 0.080                    0.840       0.862",
                 "   .x1                0.549    0.156    3.509    0.000    0.549    0.404",
                 "    visual            0.809    0.180    4.486    0.000    1.000    1.000",
                 "    x2                0.554    0.132    4.191    0.000    0.498    0.424"):
        assert line in ref.splitlines() and line in text.splitlines(), line
    mg = replication.cfa(HS, hs, estimator="MLR", group="school",
                         group_equal=["loadings"]).summary()
    ref = (FX / "summary_hs_school_mlr_metric.txt").read_text()
    for line in ("Group 1 [Pasteur]:", "Group 2 [Grant-White]:",
                 "    x2      (.p2.)    0.599    0.140    4.285    0.000    0.537    0.432",
                 "   .x1                4.941    0.095   52.249    0.000    4.941    4.243",
                 "    Pasteur                                     68.825      69.909"):
        assert line in ref.splitlines() and line in mg.splitlines(), line
    assert mg.count("R-Square:") == 2


def test_bootstrap_standard_errors_of_ml(hs):
    res = replication.fit(HS, hs[["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"]],
                          bootstrap=20, seed=3)
    ml = replication.fit(HS, hs)
    se_b = res.parameter("visual", "=~", "x2")["se"]
    assert math.isfinite(se_b) and se_b != ml.parameter("visual", "=~", "x2")["se"]
    assert res.parameter("visual", "=~", "x2")["est"] == ml.parameter("visual", "=~", "x2")["est"]


# ------------------------------------------------------------------------------------------
# replicate fit: the same entry point; PLS, --scheme, --reverse; refusals in one line
# ------------------------------------------------------------------------------------------
PLS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ visual\n"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    from replication.cli import main

    try:
        status = main(list(argv))
    except SystemExit as exc:
        status = exc.code
    out = capsys.readouterr()
    return status, out.out, out.err


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("api_cli")
    (d / "hs.lav").write_text(HS)
    (d / "pls.lav").write_text(PLS_MODEL)
    return d / "hs.lav", d / "pls.lav"


def test_cli_mlr_text_has_standard_and_scaled_columns(capsys, model_files):
    status, out, err = _run(capsys, "fit", str(model_files[0]), str(HS_CSV), "--estimator",
                            "MLR")
    assert status == 0, err
    assert "                                              Standard      Scaled" in out
    assert "  Test Statistic                                85.306      87.132" in out


def test_cli_pls_json_is_the_pls_result(capsys, model_files, hs):
    status, out, err = _run(capsys, "fit", str(model_files[1]), str(HS_CSV), "--estimator",
                            "PLS", "--scheme", "centroid", "--json")
    assert status == 0, err
    res = json.loads(out)
    assert {"parameters", "weights", "r2", "r2_adj", "reliability", "htmt", "f2",
            "vif"} <= set(res)
    ref = replication.fit(PLS_MODEL, hs, estimator="PLS", scheme="centroid").to_json()
    assert res["parameters"] == ref["parameters"] and res["scheme"] == "centroid"
    status, out, err = _run(capsys, "fit", str(model_files[1]), str(HS_CSV), "--estimator",
                            "PLSc", "--bootstrap", "5", "--seed", "1")
    assert status == 0 and "PLSc path model" in out, err


def test_cli_reverse_items(capsys, model_files, hs):
    status, out, err = _run(capsys, "fit", str(model_files[0]), str(HS_CSV), "--reverse",
                            "x2", "--json")
    assert status == 0, err
    res = json.loads(out)
    assert any("x2 reversed" in w and "observed minimum and maximum" in w
               for w in res["warnings"])
    flipped = hs.assign(x2=hs.x2.min() + hs.x2.max() - hs.x2)
    ref = replication.fit(HS, flipped).to_json()
    assert res["fit_measures"]["chisq"] == pytest.approx(ref["fit_measures"]["chisq"])
    status, out, err = _run(capsys, "fit", str(model_files[0]), str(HS_CSV), "--reverse",
                            "x2", "--scale", "0,10", "--json")
    assert status == 0 and any("--scale" in w for w in json.loads(out)["warnings"]), err


@pytest.mark.parametrize("extra, words", [
    (["--scheme", "path"], "--scheme"),
    (["--estimator", "PLS", "--group", "school"], "--group"),
    (["--estimator", "PLS", "--ordered", "all"], "--ordered"),
    (["--estimator", "PLSc", "--missing", "fiml"], "--missing fiml"),
    (["--scale", "1,7"], "--scale"),
    (["--reverse", "x2", "--scale", "7,1"], "--scale"),
    (["--reverse", "x2", "--scale", "1,2"], "--scale"),
    (["--reverse", "nope"], "--reverse"),
])
def test_cli_refusals_are_one_line(capsys, model_files, extra, words):
    model = model_files[1] if "PLS" in extra or "PLSc" in extra else model_files[0]
    status, _, err = _run(capsys, "fit", str(model), str(HS_CSV), *extra)
    assert status == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert words in err
