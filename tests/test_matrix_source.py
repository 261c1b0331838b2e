"""A printed correlation or covariance matrix (results.matrix) as a data source: the record
field's validation, the pipeline fitted exactly to the printed matrix (against lavaan's fit to
sample.cov = cor2cov(R, sd), sample.nobs = 301; tests/fixtures/matrix/hs_printed.json from
scripts/matrix_fixtures.R), refusals of what needs raw data, and the audit of the matrix."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from replication.engine.errors import InputError
from replication.engine.sem import fit as sem_fit
from replication.pipeline.estimation import fit_record_model
from replication.pipeline.inputs import load_inputs
from replication.record.loading import examples_dir
from replication.record.schema import RecordError, load_record

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = json.loads((ROOT / "tests" / "fixtures" / "matrix" / "hs_printed.json").read_text())


def _lower(printed: dict) -> list[list[float]]:
    return [row if isinstance(row, list) else [row] for row in printed["lower"]]


def _matrix(printed: dict, **extra) -> dict:
    m = {"kind": "correlation", "variables": FIXTURE["variables"], "lower": _lower(printed),
         "sd": printed["sd"], "mean": printed["mean"], "where": "Table 1, correlations, SDs and means"}
    m.update(extra)
    return m


def _raw() -> dict:
    return yaml.safe_load((examples_dir() / "holzinger_swineford" / "paper.yaml").read_text())


def _record(tmp_path: Path, matrix: dict | None, edit=None):
    raw = _raw()
    raw["id"] = "hs_matrix"
    if matrix is not None:
        raw["results"]["matrix"] = matrix
    if edit is not None:
        edit(raw)
    path = tmp_path / "paper.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return load_record(path)


@pytest.mark.parametrize("which", [0, 1], ids=["3 decimals", "2 decimals"])
def test_fit_to_printed_matrix_equals_lavaan(tmp_path, which):
    printed = FIXTURE["printed"][which]
    record = _record(tmp_path, _matrix(printed))
    inputs = load_inputs(record, seed=7)
    assert inputs.provenance["source"] == "printed matrix"
    assert inputs.provenance["n_rows"] == FIXTURE["n"] == len(inputs.data)
    fit = fit_record_model(record, FIXTURE["syntax"], inputs.data)
    fm = printed["fit_measures"]
    for name in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"):
        assert fit.fit_measures[name] == pytest.approx(fm[name], abs=1e-6), name
    # estimates to 1e-6; of the 2-decimal matrix lavaan's nlminb stops 1.2e-6 short in x2 ~~ x2
    # (a flat direction: its ML discrepancy is 6.6e-13 above the suite's, chi-square 2e-10)
    tol = 1e-6 if printed["digits"] == 3 else 2e-6
    table = fit.parameters.set_index(["lhs", "op", "rhs"])
    for row in printed["parameters"]:
        got = table.loc[(row["lhs"], row["op"], row["rhs"])]
        for col in ("est", "se", "std_all"):
            if col == "se" and row["se"] == 0:  # a fixed parameter: lavaan 0, the suite NaN
                continue
            assert float(got[col]) == pytest.approx(row[col], abs=tol), (row, col)
    # the same fit as the engine's fit to the covariance itself (divisor N)
    m = record.results.matrix
    n = FIXTURE["n"]
    direct = sem_fit(FIXTURE["syntax"], cov=m.covariance * (n - 1) / n, n=n, columns=m.variables)
    assert direct.fit_measures["chisq"] == pytest.approx(fm["chisq"], abs=1e-6)


def test_matrix_moments_are_exact(tmp_path):
    printed = FIXTURE["printed"][0]
    record = _record(tmp_path, _matrix(printed))
    data = load_inputs(record, seed=1).data.to_numpy()
    assert np.allclose(data.mean(axis=0), printed["mean"], atol=1e-10)
    assert np.allclose(np.cov(data, rowvar=False), record.results.matrix.covariance, atol=1e-10)


def test_a_csv_still_wins(tmp_path):
    record = _record(tmp_path, _matrix(FIXTURE["printed"][0]))
    inputs = load_inputs(record, data_path=examples_dir() / "holzinger_swineford" / "data.csv")
    assert inputs.provenance["source"] == "csv"


@pytest.mark.parametrize("edit, field", [
    (lambda r: r["model"].update(estimator="MLR"), "model.estimator MLR"),
    (lambda r: r["sample"].update(missing="fiml"), "sample.missing fiml"),
])
def test_raw_data_results_refused(tmp_path, edit, field):
    record = _record(tmp_path, _matrix(FIXTURE["printed"][0]), edit)
    with pytest.raises(InputError, match=f"{field}: not reproducible from a matrix") as info:
        load_inputs(record)
    assert "\n" not in str(info.value)


def _bad(printed: dict, how: str) -> dict:
    m = _matrix(printed)
    lower = copy.deepcopy(m["lower"])
    if how == "row":
        lower[3] = lower[3][:-1]
    elif how == "diagonal":
        lower[2][2] = 0.98
    elif how == "range":
        lower[4][1] = 1.2
    elif how == "pd":
        lower[1][0], lower[2][0], lower[2][1] = 0.95, 0.95, -0.95
    elif how == "sd":
        m["sd"] = m["sd"][:-1]
    m["lower"] = lower
    return m


@pytest.mark.parametrize("how, field", [
    ("row", "results.matrix.lower"), ("diagonal", r"results.matrix.lower\[2\]\[2\]"),
    ("range", r"results.matrix.lower\[4\]\[1\]"), ("pd", "positive definite"),
    ("sd", "results.matrix.sd"),
])
def test_bad_matrix_refused_in_one_line(tmp_path, how, field):
    with pytest.raises(RecordError, match=field) as info:
        _record(tmp_path, _bad(FIXTURE["printed"][0], how))
    assert "\n" not in str(info.value)


def _alphas(raw: dict, values: dict) -> None:
    raw["results"]["constructs"] = {c: {"alpha": {"value": v, "printed": f"{v:.2f}", "where": "Table 1"}}
                                    for c, v in values.items()}


def test_audit_of_the_matrix(tmp_path):
    from replication.audit.core import audit
    from replication.audit.matrix_checks import raw_alpha, standardized_alpha

    printed = FIXTURE["printed"][0]
    # raw alphas of the three constructs from the printed correlations and SDs
    record = _record(tmp_path, _matrix(printed))
    m = record.results.matrix
    wanted = {}
    for c, items in record.items.items():
        idx = [m.variables.index(it) for it in items]
        wanted[c] = round(raw_alpha(m.covariance[np.ix_(idx, idx)]), 2)
    wanted["speed"] = round(wanted["speed"] + 0.05, 2)  # a misprint
    record = _record(tmp_path, _matrix(printed), lambda r: _alphas(r, wanted))
    found = {f.where.split(";")[0] + f.reported: f for f in audit(record).findings if f.check.startswith("matrix")}
    status = [f.status for f in found.values() if f.check == "matrix_alpha"]
    assert sorted(status) == ["consistent", "consistent", "inconsistent"]
    assert any(f.check == "matrix_positive_definite" and f.status == "consistent" for f in found.values())
    # standardized alpha k r / (1 + (k - 1) r) of a correlation matrix without SDs
    R = m.correlation[:3, :3]
    r = (R.sum() - 3) / 6
    assert standardized_alpha(R) == pytest.approx(3 * r / (1 + 2 * r))
