"""Multi-group models and the invariance sequence against lavaan 0.6 (fixtures from
scripts/multigroup_fixtures.R)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from replication.analyses.invariance import chen_2007, compare_groups, invariance_sequence
from replication.engine.errors import InputError
from replication.engine.multigroup import fit_groups
from replication.engine.multigroup_fiml import fit_groups_fiml

FX = Path(__file__).parent / "fixtures" / "estimators"
CASES = sorted(p.stem[len("mg_"):] for p in FX.glob("mg_*.json"))
SEQUENCES = sorted(p.stem[len("lrt_"):] for p in FX.glob("lrt_*.json"))
EST_TOL = 2e-3   # estimates, absolute
SE_TOL = 1e-2    # standard errors, relative
STAT_TOL = 1e-3  # test statistics and fit measures, relative


def _load(name):
    fx = json.loads((FX / f"{name}.json").read_text())
    return fx, pd.read_csv(FX / fx["data"])


@pytest.fixture(scope="module", params=CASES)
def fitted(request):
    fx, data = _load(f"mg_{request.param}")
    fitter = fit_groups_fiml if fx.get("missing") == "ml" else fit_groups
    res = fitter(fx["model"], data, fx["group"], group_equal=fx["group_equal"],
                 group_partial=fx["group_partial"], estimator=fx["estimator"])
    return fx, res


def test_cases_cover_the_estimators_and_constraints():
    assert {"hs_school_ml_scalar", "hs_school_mlr_metric", "hs_school_mlm_strict",
            "bfi_sex_ml_scalar", "bfi_sex_mlr_configural", "hs_school_partial",
            "hs_school_regressions", "hs_school_fiml_ml_scalar",
            "hs_school_fiml_mlr_configural"} <= set(CASES)


def test_groups_and_sizes_as_lavaan(fitted):
    fx, res = fitted
    assert res.converged
    assert res.group_labels == fx["group_labels"]
    assert res.nobs == fx["nobs"]
    got = [res.chisq_group[g] for g in res.group_labels]
    assert np.allclose(got, fx["chisq_group"], rtol=STAT_TOL)


def test_parameters_match_lavaan(fitted):
    fx, res = fitted
    ref = pd.DataFrame(fx["parameters"])
    m = res.params.merge(ref, on=["lhs", "op", "rhs", "group"], suffixes=("", "_ref"))
    assert len(m) == len(ref) == len(res.params)
    assert np.max(np.abs(m.est - m.est_ref)) < EST_TOL
    free = m.se_ref > 0
    assert (m.se[~free].isna()).all()
    assert np.max(np.abs(m.se[free] - m.se_ref[free]) / m.se_ref[free]) < SE_TOL
    ok = m["std.all"].notna()
    assert np.max(np.abs(m.std_all[ok] - m["std.all"][ok])) < EST_TOL
    ok = m["std.lv"].notna()
    assert np.max(np.abs(m.std_lv[ok] - m["std.lv"][ok])) < EST_TOL


def test_fit_measures_match_lavaan(fitted):
    fx, res = fitted
    ref = fx["fit_measures"]
    for key, val in res.fit_measures.items():
        assert val == pytest.approx(ref[key], rel=STAT_TOL, abs=1e-8), key


def test_holzinger_swineford_school_anchors():
    # lavaan 0.6.14 as quoted in the issue: configural 115.851 on 48 df, metric 124.043 on
    # 54, scalar 164.103 on 60
    fx, data = _load("mg_hs_school_ml_configural")
    inv = invariance_sequence(fx["model"], data, "school", steps=("configural", "metric",
                                                                   "scalar"))
    t = inv.table.set_index("model")
    # the quoted values have three decimals (124.0435 is quoted as 124.043)
    got = [t.at[s, "chisq"] for s in ("configural", "metric", "scalar")]
    assert got == pytest.approx([115.851, 124.043, 164.103], abs=1e-3)
    assert list(t["df"]) == [48, 54, 60]


@pytest.mark.parametrize("case", SEQUENCES)
def test_invariance_differences_match_lavtestlrt(case):
    fx, data = _load(f"lrt_{case}")
    model = _load(f"mg_{case}_configural")[0]["model"]
    inv = invariance_sequence(model, data, fx["group"], estimator=fx["estimator"])
    t = inv.table.set_index("model")
    for test in fx["tests"]:
        row = t.loc[test["step"]]
        assert row["delta_df"] == test["df_diff"]
        assert row["delta_chisq"] == pytest.approx(test["chisq_diff"], rel=STAT_TOL)
        assert row["delta_pvalue"] == pytest.approx(test["pvalue"], rel=STAT_TOL, abs=1e-10)
    # the table's fit measures are lavaan's (robust ones for MLM and MLR)
    robust = fx["estimator"] != "ML"
    for step in t.index:
        ref = _load(f"mg_{case}_{step}")[0]["fit_measures"]
        assert t.at[step, "chisq"] == pytest.approx(
            ref["chisq.scaled" if robust else "chisq"], rel=STAT_TOL)
        assert t.at[step, "cfi"] == pytest.approx(ref["cfi.robust" if robust else "cfi"],
                                                  rel=STAT_TOL)
        assert t.at[step, "rmsea"] == pytest.approx(
            ref["rmsea.robust" if robust else "rmsea"], rel=STAT_TOL)
    assert t.at["configural", "chen"] == ""
    assert set(t["chen"][1:]) <= {"invariant", "noninvariant"}


def test_chen_cutoffs():
    assert chen_2007("metric", -0.005, 0.02, 0.0) == "invariant"
    assert chen_2007("metric", -0.012, 0.016, 0.0) == "noninvariant"
    assert chen_2007("metric", -0.012, 0.010, 0.020) == "invariant"
    assert chen_2007("scalar", -0.012, 0.010, 0.020) == "noninvariant"
    assert chen_2007("configural", -1, 1, 1) == ""


def test_bad_groups_refused():
    fx, data = _load("mg_hs_school_ml_configural")
    with pytest.raises(InputError, match="group-equal"):
        fit_groups(fx["model"], data, "school", group_equal=["slopes"])
    with pytest.raises(InputError, match="no column"):
        fit_groups(fx["model"], data, "district")
    with pytest.raises(InputError, match="at least 2"):
        fit_groups(fx["model"], data.assign(one="a"), "one")
    with pytest.raises(InputError, match="group-partial"):
        fit_groups(fx["model"], data, "school", group_equal=["loadings"],
                   group_partial=["x3"])
    with pytest.raises(InputError, match="estimator"):
        fit_groups(fx["model"], data, "school", estimator="WLSMV")


def test_compare_groups_matches_lavaan():
    fx, data = _load("compare_hs_school")
    cmp = compare_groups(fx["model"], data, fx["group"], categories=("loadings",))
    assert cmp.groups == fx["groups"]
    t = cmp.table.set_index(["lhs", "op", "rhs"])
    assert len(t) == len(fx["loadings"])
    for ref in fx["loadings"]:
        row = t.loc[(ref["lhs"], ref["op"], ref["rhs"])]
        assert row["difference"] == pytest.approx(ref["difference"], abs=EST_TOL)
        assert row["se"] == pytest.approx(ref["se"], rel=SE_TOL)
        assert row["pvalue"] == pytest.approx(ref["pvalue"], abs=1e-3)
        assert row["differs"] == (ref["pvalue"] < 0.05)
    # the joint test is lavTestLRT(configural, metric)
    lrt = _load("lrt_hs_school_ml")[0]["tests"][0]
    assert cmp.test["df_diff"] == lrt["df_diff"]
    assert cmp.test["chisq_diff"] == pytest.approx(lrt["chisq_diff"], rel=STAT_TOL)
    with pytest.raises(InputError, match="two"):
        compare_groups(fx["model"], data.assign(school=data["school"].where(
            data.index % 3 > 0, "third")), "school")


def test_fiml_refuses_mlm():
    fx, data = _load("mg_hs_school_fiml_ml_configural")
    with pytest.raises(InputError, match="MLM"):
        fit_groups_fiml(fx["model"], data, "school", estimator="MLM")


def test_numeric_group_values_are_labelled_as_r_prints_them():
    from replication.engine.multigroup_table import split_groups

    fx, data = _load("mg_bfi_sex_ml_configural")
    data = data.assign(gender=data["gender"].astype(float))  # as read from a CSV
    labels, _ = split_groups(data, "gender", ["N1", "N2", "N3"])
    assert labels == [str(int(v)) for v in dict.fromkeys(data["gender"])]
