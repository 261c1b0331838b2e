"""Original vs replication: the two-group step of the paper pipeline on a bundled paper with a
simulated replication sample (``replicate reconstruct live_commerce --source simulated --seed
5``). The multi-group estimators themselves are checked against lavaan in
tests/test_multigroup.py; here the invariance table must hold together (df increasing, each
difference recomputable from the rows) and the step must appear only when data are given."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from replication.data import reconstruct
from replication.pipeline import results_json
from replication.pipeline.inputs import load_inputs
from replication.pipeline.original_replication import (GROUP, ORIGINAL, REPLICATION,
                                                          original_vs_replication, stack_samples)
from replication.record.schema import load_record


@pytest.fixture(scope="module")
def sample_csv(tmp_path_factory):
    record = load_record("live_commerce")
    path = tmp_path_factory.mktemp("ovr") / "live_commerce_simulated_5.csv"
    reconstruct.write_csv(reconstruct.reconstruct(record, source="simulated", seed=5).data, path)
    return path


@pytest.fixture(scope="module")
def inputs(sample_csv):
    return load_inputs("live_commerce", data_path=str(sample_csv), seed=2024)


@pytest.fixture(scope="module")
def result(inputs):
    return original_vs_replication(inputs)


def test_invariance_table_has_configural_metric_scalar_with_df_increasing(result):
    t = result.invariance_table()
    assert list(t["model"]) == ["configural", "metric", "scalar"]
    assert list(t["group_equal"]) == ["none", "loadings", "loadings, intercepts"]
    df = list(t["df"])
    assert df[0] < df[1] < df[2]
    # each constrained model frees one fewer parameter per constraint it adds
    npar = list(t["npar"])
    assert [npar[0] - npar[1], npar[1] - npar[2]] == [df[1] - df[0], df[2] - df[1]]


def test_chisq_differences_are_recomputable_from_the_rows(result):
    t = result.invariance_table()
    assert result.estimator == "ML"  # live_commerce's record: ML, so likelihood-ratio differences
    assert math.isnan(t.at[0, "delta_chisq"])
    for k in (1, 2):
        dchi = t.at[k, "chisq"] - t.at[k - 1, "chisq"]
        ddf = t.at[k, "df"] - t.at[k - 1, "df"]
        assert t.at[k, "delta_chisq"] == pytest.approx(dchi, abs=1e-9)
        assert t.at[k, "delta_df"] == ddf
        assert t.at[k, "delta_pvalue"] == pytest.approx(float(stats.chi2.sf(dchi, ddf)), abs=1e-12)
        assert t.at[k, "delta_cfi"] == pytest.approx(t.at[k, "cfi"] - t.at[k - 1, "cfi"], abs=1e-12)
        assert t.at[k, "delta_rmsea"] == pytest.approx(t.at[k, "rmsea"] - t.at[k - 1, "rmsea"],
                                                       abs=1e-12)
        assert t.at[k, "chen"] in ("invariant", "noninvariant")


def test_loadings_and_paths_are_compared_and_differences_reported(result, inputs):
    rec = inputs.record
    t = result.parameter_table()
    assert set(t["kind"]) == {"loading", "path"}
    # every free loading (first indicator fixed) and every structural path of the record
    n_free = sum(len(rec.items[c]) - 1 for c in rec.latent_constructs)
    assert (t["kind"] == "loading").sum() == n_free
    assert (t["kind"] == "path").sum() == len(rec.model.paths)
    diff = t[f"est_{ORIGINAL}"] - t[f"est_{REPLICATION}"]
    assert (diff - t["difference"]).abs().max() < 1e-12
    assert ((t["z"] - t["difference"] / t["se"]).abs() < 1e-9).all()
    assert list(t["differs"]) == list(t["pvalue"] < 0.05)
    assert result.differ == [f"{r.lhs} {r.op} {r.rhs}" for r in t.itertuples() if r.differs]
    test = result.parameters.test
    assert test["df_diff"] == len(t)
    assert result.n == {ORIGINAL: rec.n, REPLICATION: len(inputs.data)}


def test_the_original_sample_is_the_reconstruction_at_the_published_n(inputs):
    rec = inputs.record
    original = reconstruct.reconstruct(rec, source="reconstructed", seed=2024).data
    stacked = stack_samples(original, inputs.data, rec.item_list)
    assert list(stacked[GROUP].unique()) == [ORIGINAL, REPLICATION]
    assert (stacked[GROUP] == ORIGINAL).sum() == rec.n


def test_results_json_block_only_with_data(result, inputs):
    block = results_json.to_jsonable(result.to_json())
    assert [r["model"] for r in block["invariance"]] == ["configural", "metric", "scalar"]
    assert block["n"] == {ORIGINAL: 465, REPLICATION: 465}
    assert original_vs_replication(load_inputs("live_commerce", seed=2024)) is None


def test_tables_read_as_printed(result):
    from replication.report import tables

    inv = tables.show(result.invariance_table()).text
    assert list(inv.columns[:3]) == ["Model", "Equal across groups", "Parameters"]
    assert inv.iloc[0]["\u0394df"] == tables.DASH  # nothing to compare the configural model with
    assert inv.iloc[1]["\u0394df"] == str(int(result.invariance_table().at[1, "delta_df"]))
    par = tables.show(result.parameter_table()).text
    assert set(par["Differs"]) <= {"yes", "no"}


# --------------------------------------------------------------------------------------------
# Against lavaan 0.6.14 (scripts/original_vs_replication_fixtures.R) on the same stacked data
# --------------------------------------------------------------------------------------------
FX = Path(__file__).parent / "fixtures" / "original_vs_replication"
STAT_TOL = 1e-3  # chi-square and fit indices, relative
EST_TOL = 2e-3   # estimates, absolute
SE_TOL = 1e-2    # standard errors, relative


@pytest.fixture(scope="module")
def lavaan_ref():
    return json.loads((FX / "live_commerce.json").read_text())


def test_the_stacked_samples_are_the_fixture_data(inputs):
    rec = inputs.record
    original = reconstruct.reconstruct(rec, source="reconstructed", seed=2024).data
    stacked = stack_samples(original, inputs.data, [c for c in original.columns
                                                     if c in rec.item_list])
    ref = pd.read_csv(FX / "live_commerce_stacked.csv")
    assert list(ref.columns) == list(stacked.columns)
    assert (ref[GROUP] == stacked[GROUP]).all()
    num = [c for c in ref.columns if c != GROUP]
    assert np.max(np.abs(ref[num].to_numpy() - stacked[num].to_numpy())) < 1e-8


def test_invariance_table_matches_lavaan(result, lavaan_ref):
    t = result.invariance_table()
    for row, ref in zip(t.to_dict("records"), lavaan_ref["invariance"]):
        assert row["model"] == ref["model"]
        assert (row["npar"], row["df"]) == (ref["npar"], ref["df"])
        for k in ("chisq", "cfi", "tli", "rmsea", "srmr"):
            assert row[k] == pytest.approx(ref[k], rel=STAT_TOL), (row["model"], k)
    lrt = lavaan_ref["lrt"]
    assert list(t["delta_chisq"][1:]) == pytest.approx(lrt["chisq_diff"], rel=STAT_TOL)
    assert list(t["delta_df"][1:]) == lrt["df_diff"]


def test_loadings_and_paths_match_lavaan(result, lavaan_ref):
    ref = pd.DataFrame(lavaan_ref["parameters"])
    wide = ref.pivot_table(index=["lhs", "op", "rhs"], columns="group", values=["est", "se"])
    t = result.parameter_table().set_index(["lhs", "op", "rhs"])
    assert len(t) == len(wide)
    wide = wide.loc[t.index]
    for g in (ORIGINAL, REPLICATION):
        assert np.max(np.abs(t[f"est_{g}"] - wide[("est", g)])) < EST_TOL
    # independent samples: the S.E. of the difference from the two groups' S.E.s
    se = np.sqrt(wide[("se", ORIGINAL)] ** 2 + wide[("se", REPLICATION)] ** 2)
    assert np.max(np.abs(t["se"] - se) / se) < SE_TOL
    joint = lavaan_ref["sem_equal"]["chisq"] - lavaan_ref["sem_free"]["chisq"]
    assert result.parameters.test["chisq_diff"] == pytest.approx(joint, rel=STAT_TOL)
    assert result.parameters.test["df_diff"] == (lavaan_ref["sem_equal"]["df"]
                                                 - lavaan_ref["sem_free"]["df"])


def test_not_compared_when_the_new_samples_cfa_did_not_converge(inputs):
    """The two-group models contain the new sample's CFA: when that did not converge they are
    not fitted (a study that finds nothing stays a quick result), and the report says why."""
    from types import SimpleNamespace

    res = original_vs_replication(inputs, cfa=SimpleNamespace(converged=False, warnings=[]))
    assert not res.computed and res.differ == []
    assert res.invariance_table().empty and res.parameter_table().empty
    assert "did not converge" in res.summary()
    block = res.to_json()
    assert block["computed"] is False and "did not converge" in block["notes"][-1]
    assert block["n"]["replication"] == len(inputs.data.dropna())
