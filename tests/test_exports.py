"""Exports of a report from its results.json: CSV, booktabs LaTeX, APA Word (replication.report.exports)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from replication.report import exports

RESULTS = {
    "paper": "toy",
    "hypotheses": [{"hypothesis": "H1", "effect": "X->Y", "kind": "path", "estimate": 0.3,
                    "std_estimate": 0.25, "pvalue": 0.00001, "verdict": "reproduced",
                    "paper_verdict": "supported", "replicated_supported": True}],
    "sem": {"parameters": [{"lhs": "Y", "op": "~", "rhs": "X", "est": 0.3, "se": 0.05, "z": 6.0,
                            "pvalue": 1e-9, "std_all": 0.25},
                           {"lhs": "X", "op": "=~", "rhs": "X1", "est": 1.0, "se": None,
                            "z": None, "pvalue": None, "std_all": 0.7}],
            "fit": {"chisq": 12.5, "df": 8.0, "cfi": 0.99}, "r2": {"Y": 0.06}},
    "audit": {"summary": {"major_findings": [{"check": "rmsea", "where": "Table 2"}]},
              "findings": [{"check": "rmsea", "where": "Table 2", "reported": "0.09",
                            "recomputed": "0.07", "status": "inconsistent", "detail": "a_b & c"},
                           {"check": "cr", "where": "Table 1", "reported": "0.8",
                            "recomputed": "0.8", "status": "consistent", "detail": "ok"}]},
    "assumptions": [{"target": "sample.n", "value": 300, "reason": "50% of $ & #"}],
}


def test_every_table_as_csv_latex_and_word(tmp_path):
    pytest.importorskip("docx")
    import docx

    written = exports.write_exports(RESULTS, tmp_path)
    names = {p.name for p in written}
    assert {"hypotheses.csv", "sem_parameters.csv", "sem_parameters.tex", "audit.csv",
            "toy_tables.docx"} <= names
    params = pd.read_csv(tmp_path / "tables" / "sem_parameters.csv")
    assert list(params.columns) == ["lhs", "op", "rhs", "est", "se", "z", "pvalue", "std_all"]
    tex = (tmp_path / "tables" / "assumptions.tex").read_text()
    assert "\\toprule" in tex and "\\midrule" in tex and "\\bottomrule" in tex
    assert "50\\% of \\$ \\& \\#" in tex
    assert "\\textless{} .001" in (tmp_path / "tables" / "sem_parameters.tex").read_text()
    audit = pd.read_csv(tmp_path / "tables" / "audit.csv")
    assert audit["severity"].tolist() == ["major", "none"]
    doc = docx.Document(str(tmp_path / "toy_tables.docx"))
    assert len(doc.tables) == len(exports.export_tables(RESULTS))
    assert any(p.text == "Table 1" for p in doc.paragraphs)


def test_exports_are_deterministic(tmp_path):
    a = exports.write_exports(RESULTS, tmp_path / "a", formats=("csv", "latex", "docx"))
    b = exports.write_exports(RESULTS, tmp_path / "b", formats=("csv", "latex", "docx"))
    for pa, pb in zip(a, b):
        if pa.suffix in (".csv", ".tex", ".docx"):
            assert pa.read_bytes() == pb.read_bytes(), pa.name


def test_residual_correlations_are_observed_minus_implied():
    s = pd.DataFrame([[1.0, 0.5], [0.5, 1.0]], index=["a", "b"], columns=["a", "b"])
    i = pd.DataFrame([[1.0, 0.3], [0.3, 1.0]], index=["a", "b"], columns=["a", "b"])
    t = exports.residual_table(s, i)
    assert t.loc[1, "a"] == pytest.approx(0.2) and pd.isna(t.loc[0, "b"])


def test_export_command_refuses_a_missing_results_folder(tmp_path):
    from replication.cli import export_cmd
    from replication.cli.common import Parser
    from replication.engine.errors import InputError

    p = Parser(prog="replicate")
    export_cmd.add_parser(p.add_subparsers(dest="command", parser_class=Parser))
    with pytest.raises(InputError, match="no results.json"):
        export_cmd.run(p.parse_args(["export", "live_commerce", "--from", str(tmp_path)]))


def test_residual_correlations_as_rows_and_in_the_exports(tmp_path):
    s = pd.DataFrame([[1.0, 0.5, 0.4], [0.5, 1.0, 0.3], [0.4, 0.3, 1.0]],
                     index=list("abc"), columns=list("abc"))
    i = s.copy()
    i.loc["a", "b"] = i.loc["b", "a"] = 0.3
    rows = exports.residual_correlations(s * 4.0, i * 4.0)
    assert rows == [{"lhs": "b", "rhs": "a", "est": 0.2}, {"lhs": "c", "rhs": "a", "est": 0.0},
                    {"lhs": "c", "rhs": "b", "est": 0.0}]
    results = dict(RESULTS, cfa={"parameters": RESULTS["sem"]["parameters"],
                                 "residual_correlations": rows})
    exports.write_exports(results, tmp_path, formats=("csv", "latex"))
    table = pd.read_csv(tmp_path / "tables" / "cfa_residual_correlations.csv")
    assert table.columns.tolist() == ["lhs", "rhs", "est"] and table["est"].tolist() == [0.2, 0, 0]


def test_diagram_labels_from_results_carry_the_interactions():
    results = {"sem": {"parameters": [{"lhs": "Y", "op": "~", "rhs": "X", "est": 0.3,
                                       "std_all": 0.25, "pvalue": 0.001}]},
               "moderation": {"coefficients": [
                   {"y": "Y", "step": 1, "term": "X", "b": 0.3, "beta": 0.25, "pvalue": 0.001},
                   {"y": "Y", "step": 2, "term": "X:W", "b": 0.9, "beta": 0.5, "pvalue": 0.5},
                   {"y": "Y", "step": 3, "term": "X:W", "b": 0.12, "beta": 0.1, "pvalue": 0.03}],
                   "latent_fit": [{"parameters": [{"lhs": "Z", "op": "~", "rhs": "XxV",
                                                   "est": 0.2, "std_all": 0.15,
                                                   "pvalue": 0.01}]}]}}
    eff = exports._effects(results).set_index("key")
    assert eff.loc["XxW->Y", "std"] == 0.1 and eff.loc["XxW->Y", "pvalue"] == 0.03
    assert eff.loc["XxV->Z", "std"] == 0.15 and eff.loc["X->Y", "kind"] == "path"


def test_diagrams_of_a_fit_without_standard_errors(bundled_reports, tmp_path):
    # a fit that did not converge has no S.E., z or p (null in results.json): the tables and
    # the path and measurement diagrams are still written, with dashes for what is missing
    import json

    results = json.loads((bundled_reports / "live_commerce" / "results.json").read_text())
    for key in ("cfa", "sem"):
        for row in results[key]["parameters"]:
            row.update(se=None, z=None, pvalue=None)
    written = {p.name for p in exports.write_exports(results, tmp_path, record="live_commerce")}
    assert {"live_commerce_path_diagram.svg", "live_commerce_measurement_diagram.pdf",
            "sem_parameters.csv"} <= written
