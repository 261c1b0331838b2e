"""The formatting layer of displayed tables (replication.report.tables)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from replication.report import tables

SCI = re.compile(r"\d[eE][-+]?\d")


def cells(table: tables.Table) -> list[str]:
    return [str(v) for v in table.text.to_numpy().ravel()]


@pytest.mark.parametrize("p, text", [
    (0.0, "< .001"), (1.2e-14, "< .001"), (0.000999, "< .001"), (0.001, ".001"),
    (0.0345, ".035"), (0.5, ".500"), (1.0, "1.000"), (np.nan, tables.DASH), (None, tables.DASH),
])
def test_p_text_apa(p, text):
    assert tables.p_text(p) == text


@pytest.mark.parametrize("x, rule, text", [
    (-1.621e-14, 3, "0.000"), (-0.0004, 3, "0.000"), (382.05, 2, "382.05"), (168.0, "int", "168"),
    (0.012, 3, "0.012"), (1234567.891, 2, "1234567.89"), (True, 3, "yes"), (np.nan, 3, tables.DASH),
    (np.float64(-0.0), 2, "0.00"),
])
def test_number_text_fixed_decimals(x, rule, text):
    assert tables.number_text(x, rule) == text


def test_fit_table_rows_get_their_own_decimals_and_index_becomes_a_column():
    fit = pd.DataFrame({"CFA": [382.05, 231.0, 1.2e-14, 0.9777761, np.nan],
                        "SEM": [504.14, 243.0, 0.0, 0.961578, 0.05]},
                       index=["chisq", "df", "pvalue", "cfi", "rmsea"])
    t = tables.show(fit)
    assert list(t.text.columns) == ["", "CFA", "SEM"]
    rows = {r[0]: r[1:] for r in t.text.itertuples(index=False)}
    assert rows["\u03c7\u00b2"] == ("382.05", "504.14")
    assert rows["df"] == ("231", "243")
    assert rows["p"] == ("< .001", "< .001")
    assert rows["CFI"] == ("0.978", "0.962")
    assert rows["RMSEA"] == (tables.DASH, "0.050")
    html = t.to_html()
    assert "row_heading" not in html and "nan" not in html.lower().replace("nanmin", "")
    assert not any(SCI.search(c) for c in cells(t))


def test_comparison_table_names_verdict_colours_and_assumed_values():
    df = pd.DataFrame({
        "construct": ["T", "T"], "target": ["items.T1.loading", "items.T2.loading"],
        "quantity": ["loading", "loading"], "where": ["Table I, row T1", "assumption: none"],
        "status": ["published", "assumed"], "printed": ["0.78", ""],
        "reference": [0.78, 0.75], "replicated": [0.78, 0.60],
        "difference": [-1.487699e-14, -0.15], "tolerance": [0.01, 0.02],
        "verdict": ["reproduced", "not reproduced"]})
    t = tables.show(df)
    heads = list(t.text.columns)
    assert "Record field" not in heads  # the record's field path is left out
    assert heads[-1] == "Where" and heads[-2] == "Verdict" and "Reference" in heads
    row0, row1 = t.text.iloc[0], t.text.iloc[1]
    assert row0["Difference"] == "0.000" and row1["Difference"] == "-0.150"
    assert row1["Reference"].endswith(tables.ASSUMED_MARK) and row1["Status"] == "assumed"
    assert row0["Status"] == "printed"
    html = t.to_html()
    assert "v-ok" in html and "v-bad" in html and "assumed" in html
    assert any("Assumed by the record" in n for n in t.footnotes)


def test_hypotheses_table_puts_verdicts_before_the_statement():
    df = pd.DataFrame({
        "hypothesis": ["H1"], "label": ["H1"], "kind": ["path"], "effect": ["X->Y"],
        "effect_status": ["published"], "magnitude_status": ["published"], "sign": ["+"],
        "statement": ["X has a significant positive effect on Y " * 4], "paper_verdict": ["Yes"],
        "paper_supported": [True], "estimate": [0.687179], "std_estimate": [0.8],
        "pvalue": [6.259657e-32], "ci_low": [np.nan], "ci_high": [np.nan],
        "replicated_supported": [True], "verdict": ["reproduced"], "status": ["published"],
        "where": ["Table III, row H1a"]})
    t = tables.show(df)
    heads = list(t.text.columns)
    assert heads[-1] == "Statement"
    assert heads.index("Verdict") < heads.index("Estimate") < heads.index("Statement")
    assert "magnitude_status" not in heads and "paper_supported" not in heads
    assert t.text.iloc[0]["p"] == "< .001" and t.text.iloc[0]["Replication"] == "supported"
    assert 'class="data row0 col' in t.to_html() and "wrap" in t.to_html()


def test_series_counts_and_text_with_scientific_notation():
    t = tables.show(pd.Series({"consistent": 49, "not_checkable": 14}, name="findings"))
    assert t.text.iloc[1].tolist() == ["not checkable", "14"]
    note = "t = 8.63 gives two-sided p = [5.9e-18, 6.4e-18]; difference 1.2e-14; x 3.5e-3"
    text = tables.cell_text(note)
    assert "p < .001" in text and not SCI.search(text) and "0.0035" in text


def test_empty_and_duplicate_columns_are_left_out():
    df = pd.DataFrame({"measure": ["cfi"], "category": [None], "quantity": ["cfi"],
                       "replicated": [0.95]})
    t = tables.show(df)
    assert list(t.text.columns) == ["Measure", "Replicated"]


def test_same_table_gives_same_html():
    df = pd.DataFrame({"a": [1.0, 2.0]})
    assert tables.show(df).to_html() == tables.show(df.copy()).to_html()


def test_notebook_display_of_frames_goes_through_the_layer():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    assert tables.use_for_display(shell)
    fmt = shell.display_formatter.formatters["text/html"]
    out = fmt(pd.DataFrame({"pvalue": [1e-9], "df": [168.0]}))
    assert "&lt; .001" in out and ">168<" in out and "row_heading" not in out
    assert "nan" not in fmt(pd.Series([np.nan], name="x")).lower()


def test_an_empty_table_says_so_instead_of_showing_bare_headings():
    t = tables.show(pd.DataFrame(columns=["path", "verdict"]), "Structural paths")
    assert t.to_html().startswith('<p class="table-empty"') and "no rows" in t.to_html()


def test_an_interval_missing_in_every_row_gets_no_column():
    df = pd.DataFrame({"hypothesis": ["H1"], "estimate": [0.3], "ci_low": [np.nan],
                       "ci_high": [np.nan], "verdict": ["reproduced"]})
    assert list(tables.show(df).text.columns) == ["Hypothesis", "Estimate", "Verdict"]
