"""Original vs replication: the two-group step of the paper pipeline on a bundled paper with a
simulated replication sample (``replicate reconstruct live_commerce --source simulated --seed
5``). The multi-group estimators themselves are checked against lavaan in
tests/test_multigroup.py; here the invariance table must hold together (df increasing, each
difference recomputable from the rows) and the step must appear only when data are given."""

import math

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
