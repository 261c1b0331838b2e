"""Tables to take away: every table of a report as CSV, LaTeX (booktabs) and one Word document.

Everything here is derived from a paper's ``results.json`` content (:func:`export_tables`), so
``replicate export`` rebuilds the same files from a results folder at any time:

- ``tables/<name>.csv``: one file per table, the numbers as ``results.json`` holds them
  (deterministic bytes: UTF-8, ``\\n`` line ends, fixed column order);
- ``tables/<name>.tex``: the same table as a reader sees it in the report (cell texts of
  :func:`replication.report.tables.show`: fixed decimals, ``p < .001``), LaTeX specials escaped,
  booktabs rules (``\\toprule``, ``\\midrule``, ``\\bottomrule``), caption and notes;
- ``<id>_tables.docx``: all tables in one Word document in APA style (American Psychological
  Association 2020, section 7): "Table N" in bold, the title in italics on the next line,
  horizontal rules only (above and below the header, below the last row) and a *Note.* under
  the table. Its core properties (author, dates) are fixed and the zip entries carry a fixed
  timestamp, so the same results give the same bytes.

Tables: hypotheses, every published-vs-replicated comparison, the full parameter tables of the
CFA and the structural model (unstandardized estimate, S.E., z, p, std.all), fit measures,
R-squared, reliability and validity, moderation and mediation, the residual correlations
(observed minus implied) when the results hold them, the audit findings with their severity, and
the record's assumptions.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from replication.report.tables import show

__all__ = ["ExportTable", "export_tables", "write_exports", "to_csv", "to_latex", "to_docx",
           "audit_rows", "residual_table", "residual_correlations", "FORMATS"]

FORMATS = ("csv", "latex", "docx")
_FIXED_TIME = (2000, 1, 1, 0, 0, 0)
#: Characters of the report's cell texts and what LaTeX (any font encoding) prints for them.
_LATEX_TEXT = {"\u2013": "--", "<": "\\textless{}", ">": "\\textgreater{}",
               "\u2020": "\\textsuperscript{\\dag}", "\u00d7": "$\\times$",
               "\u2192": "$\\rightarrow$", "\u00b2": "\\textsuperscript{2}"}


@dataclass
class ExportTable:
    """One table to export: file ``name``, ``title``, the data and notes under it."""

    name: str
    title: str
    data: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    #: Column headings of the LaTeX and Word tables (the CSV keeps the results.json keys).
    names: dict[str, str] = field(default_factory=dict)
    _text: pd.DataFrame | None = field(default=None, init=False, repr=False, compare=False)

    def text(self) -> pd.DataFrame:
        """Cell texts as the report shows them (:func:`replication.report.tables.show`),
        formatted once and shared by the LaTeX and Word writers (not to be changed)."""
        if self._text is None:
            self._text = show(self.data, names=self.names or None).text
        return self._text


def _frame(rows, columns: list[str] | None = None) -> pd.DataFrame:
    if isinstance(rows, dict):
        rows = [rows]
    df = pd.DataFrame(list(rows or []))
    if columns is not None:
        df = df[[c for c in columns if c in df.columns]]
    return df


def audit_rows(audit: dict | None) -> pd.DataFrame:
    """The audit findings with a severity in every row (major, minor, none, not checkable)."""
    audit = audit or {}
    major = {(m.get("check"), m.get("where"))
             for m in (audit.get("summary") or {}).get("major_findings") or []}
    rows = []
    for f in audit.get("findings") or []:
        status = f.get("status")
        if status == "inconsistent":
            sev = "major" if (f.get("check"), f.get("where")) in major else "minor"
        else:
            sev = "none" if status == "consistent" else "not checkable"
        rows.append({"severity": sev, "check": f.get("check"), "status": status,
                     "reported": f.get("reported"), "recomputed": f.get("recomputed"),
                     "where": f.get("where"), "detail": f.get("detail")})
    order = {"major": 0, "minor": 1, "not checkable": 2, "none": 3}
    df = pd.DataFrame(rows, columns=["severity", "check", "status", "reported", "recomputed",
                                     "where", "detail"])
    if not df.empty:
        df = df.assign(_o=df["severity"].map(order)).sort_values("_o", kind="stable")
        df = df.drop(columns="_o").reset_index(drop=True)
    return df


def residual_table(sample_cov: pd.DataFrame, implied_cov: pd.DataFrame) -> pd.DataFrame:
    """Residual correlations: observed minus model-implied correlations (lower triangle).

    Parameters
    ----------
    sample_cov, implied_cov : DataFrame
        Observed and implied covariance matrices with the same variable names
        (``FitResult.sample_cov`` and ``FitResult.implied_cov``).

    Returns
    -------
    DataFrame
        One row per variable, one column per variable, the residual below the diagonal.
    """
    def corr(c):
        c = pd.DataFrame(c)
        d = c.values.diagonal() ** 0.5
        return pd.DataFrame(c.values / d[:, None] / d[None, :], index=c.index, columns=c.columns)

    res = corr(sample_cov) - corr(implied_cov).loc[sample_cov.index, sample_cov.columns]
    names = list(res.index)
    out = pd.DataFrame(index=pd.Index(names, name="variable"), columns=names, dtype=float)
    for i, a in enumerate(names):
        for b in names[:i]:
            out.loc[a, b] = float(res.loc[a, b])
    return out.reset_index()


def residual_correlations(sample_cov, implied_cov, decimals: int = 6) -> list[dict]:
    """Residual correlations as rows ``{lhs, rhs, est}`` (``results.json`` ``cfa.residual_correlations``).

    The lower triangle of :func:`residual_table` row by row, in the order of the observed
    variables, each value rounded to ``decimals`` decimals (so that the floating-point noise of
    an exactly fitting model reads 0 and the same inputs give the same bytes).
    """
    table = residual_table(pd.DataFrame(sample_cov), pd.DataFrame(implied_cov))
    names = [str(c) for c in table.columns if c != "variable"]
    rows = []
    for i, a in enumerate(table["variable"]):
        for b in names[:i]:
            v = float(table.iloc[i][b])
            v = round(v, decimals) + 0.0
            rows.append({"lhs": str(a), "rhs": b, "est": 0.0 if v == 0 else v})
    return rows


def _parameters(block: dict | None) -> pd.DataFrame:
    """A parameter table of ``results.json`` with numeric columns (a value the fit could not
    give, ``null`` in the file, is NaN)."""
    cols = ["lhs", "op", "rhs", "est", "se", "z", "pvalue", "std_all"]
    frame = _frame((block or {}).get("parameters"), cols)
    for col in cols[3:]:
        if col in frame.columns:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame


def _model_tables(results: dict) -> list[ExportTable]:
    out = []
    for key, what in (("cfa", "measurement model (CFA)"), ("sem", "structural model")):
        block = results.get(key)
        if not block:
            continue
        out.append(ExportTable(f"{key}_parameters", f"Parameter estimates of the {what}",
                               _parameters(block),
                               ["est: unstandardized estimate; S.E.: standard error; z: est / S.E.; "
                                "std.all: completely standardized estimate; fixed parameters have "
                                "no S.E."]))
        fit = block.get("fit") or {}
        if fit:
            out.append(ExportTable(f"{key}_fit", f"Fit of the {what}",
                                   pd.DataFrame({"measure": list(fit), "value": list(fit.values())})))
        r2 = block.get("r2") or {}
        if r2:
            out.append(ExportTable(f"{key}_r2", f"R-squared, {what}",
                                   pd.DataFrame({"variable": list(r2), "r2": list(r2.values())})))
        resid = block.get("residual_correlations")
        if resid:
            out.append(ExportTable(f"{key}_residual_correlations",
                                   f"Residual correlations of the {what} (observed minus implied)",
                                   _frame(resid, ["lhs", "rhs", "est"]),
                                   ["Observed minus model-implied correlation of two observed "
                                    "variables; large values show where the model misfits."],
                                   names={"lhs": "Variable", "rhs": "with", "est": "Residual r"}))
    return out


def _nested_tables(results: dict) -> list[ExportTable]:
    out = []
    titles = {"paths": "Structural paths: published vs replicated",
              "loadings": "Standardized loadings: published vs replicated",
              "reliability": "Reliability: published vs replicated",
              "fit_cfa": "Fit of the measurement model: published vs replicated",
              "fit_sem": "Fit of the structural model: published vs replicated",
              "descriptives": "Construct means and SDs: published vs replicated",
              "harman": "Common method variance: published vs replicated"}
    for name, rows in (results.get("comparisons") or {}).items():
        if isinstance(rows, list) and rows:
            out.append(ExportTable(f"compare_{name}", titles.get(name, f"Published vs replicated: {name}"),
                                   _frame(rows), ["Reference: the value printed in the paper, or "
                                                  "assumed by the record (status)."]))
    meas = results.get("measurement") or {}
    for name, title in (("reliability", "Reliability and convergent validity (alpha, CR, AVE)"),
                        ("fornell_larcker", "Discriminant validity: Fornell-Larcker"),
                        ("htmt", "Discriminant validity: HTMT")):
        if meas.get(name):
            out.append(ExportTable(f"measurement_{name}", title, _frame(meas[name])))
    for block, prefix in ((results.get("moderation") or {}, "moderation"),
                          ((results.get("mediation") or {}), "mediation")):
        for name, rows in block.items():
            if isinstance(rows, list) and rows and isinstance(rows[0], dict):
                out.append(ExportTable(f"{prefix}_{name}",
                                       f"{prefix.capitalize()}: {name.replace('_', ' ')}", _frame(rows)))
    return out


def export_tables(results: dict) -> list[ExportTable]:
    """Every table of a report, from its ``results.json`` content, in report order."""
    out = []
    if results.get("hypotheses"):
        hyp = _frame(results["hypotheses"])
        out.append(ExportTable("hypotheses", "Hypotheses: the paper's verdict and the replication's",
                               hyp.drop(columns=[c for c in ("statement", "where", "label")
                                                 if c in hyp.columns])))
    out += _model_tables(results)
    out += _nested_tables(results)
    audit = audit_rows(results.get("audit"))
    if not audit.empty:
        out.append(ExportTable("audit", "Audit of the published numbers", audit,
                               ["Severity: major when the published solution cannot hold as "
                                "printed, minor for other inconsistencies."]))
    if results.get("assumptions"):
        out.append(ExportTable("assumptions", "Assumptions of the record (not printed in the paper)",
                               _frame(results["assumptions"])))
    return out


# --------------------------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------------------------
def to_csv(table: ExportTable) -> str:
    """CSV text of a table: values as results.json holds them (deterministic)."""
    return table.data.to_csv(index=False, lineterminator="\n")


def to_latex(table: ExportTable, number: int | None = None) -> str:
    """A booktabs LaTeX table of the report's cell texts, specials escaped, with notes."""
    text = table.text()
    numeric = [pd.api.types.is_numeric_dtype(table.data[c]) if c in table.data.columns else False
               for c in table.data.columns][:len(text.columns)]
    numeric += [False] * (len(text.columns) - len(numeric))
    body = text.to_latex(index=False, escape=True,
                         column_format="".join("r" if n else "l" for n in numeric))
    for plain, tex in _LATEX_TEXT.items():
        body = body.replace(plain, tex)
    caption = _latex_escape(table.title)
    notes = "".join(f"\\par\\smallskip\\footnotesize\\textit{{Note.}} {_latex_escape(n)}\n"
                    for n in table.notes)
    label = f"\\label{{tab:{table.name}}}\n"
    return ("% " + (f"Table {number}: " if number else "") + f"{table.name}\n"
            "\\begin{table}[htbp]\n\\centering\n"
            f"\\caption{{{caption}}}\n{label}{body}{notes}\\end{{table}}\n")


def _latex_escape(text: str) -> str:
    repl = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
    return "".join(repl.get(ch, ch) for ch in str(text))


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#: Cell text size (half-points): 9 pt.
_CELL_SIZE = 18


def _docx_cell(text: str, width: int, rules: tuple[tuple[str, int], ...]) -> str:
    """WordprocessingML of one table cell: its width, its horizontal rules (``(edge, size in
    eighths of a point)``), the text in 9 pt (line breaks as ``w:br``)."""
    borders = "".join(f'<w:{edge} w:val="single" w:sz="{size}" w:color="000000"/>'
                      for edge, size in rules)
    pr = f'<w:tcW w:type="dxa" w:w="{width}"/>' + (f"<w:tcBorders>{borders}</w:tcBorders>"
                                                  if borders else "")
    lines = str(text).split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{_xml_text(line)}</w:t>' for line in lines)
    return (f"<w:tc><w:tcPr>{pr}</w:tcPr><w:p><w:r><w:rPr><w:sz w:val=\"{_CELL_SIZE}\"/>"
            f"</w:rPr>{body}</w:r></w:p></w:tc>")


def _xml_text(text: str) -> str:
    """``text`` escaped for XML, without the characters XML 1.0 cannot hold (its ``Char``
    production: tab, line ends, U+0020 to U+D7FF, U+E000 to U+FFFD, U+10000 and above)."""
    from xml.sax.saxutils import escape

    return escape("".join(ch for ch in text if ch in "\t\n\r" or 0x20 <= ord(ch) <= 0xD7FF
                          or 0xE000 <= ord(ch) <= 0xFFFD or ord(ch) >= 0x10000))


def _docx_table_xml(text: pd.DataFrame, block: int) -> str:
    """A ``w:tbl`` of the cell texts with APA's rules: above and below the header row and
    below the last row (ECMA-376, Part 1, sec. 17.4: tables); the text block's width
    ``block`` (twips) shared equally by the columns, as ``Document.add_table`` shares it."""
    n_cols = max(len(text.columns), 1)
    width = block // n_cols
    last = len(text)
    head = "".join(_docx_cell(str(c), width, (("top", 8), ("bottom", 4))) for c in text.columns)
    rows = [f"<w:tr>{head}</w:tr>"]
    for i, row in enumerate(text.itertuples(index=False), start=1):
        rules = (("bottom", 8),) if i == last else ()
        rows.append("<w:tr>" + "".join(_docx_cell(str(v), width, rules) for v in row) + "</w:tr>")
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for _ in range(n_cols))
    return (f'<w:tbl xmlns:w="{_W}"><w:tblPr><w:tblW w:type="auto" w:w="0"/>'
            '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" '
            'w:noHBand="0" w:noVBand="1" w:val="04A0"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>")


def _docx_table(doc, table: ExportTable, number: int) -> None:
    """Number, title, the table itself and its notes, appended to ``doc``. The table is
    written as WordprocessingML at once (python-docx's cell by cell API is slow for the
    hundreds of cells of a parameter table) and placed before the section properties."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn
    from docx.shared import Emu

    head = doc.add_paragraph()
    head.add_run(f"Table {number}").bold = True
    title = doc.add_paragraph()
    title.add_run(table.title).italic = True
    text = table.text()
    if len(text.columns):  # a table without columns is no table (Word refuses an empty row)
        section = doc.sections[-1]
        block = Emu(section.page_width - section.left_margin - section.right_margin).twips
        body = doc.element.body
        end = body.find(qn("w:sectPr"))  # the section properties stay the body's last child
        tbl = parse_xml(_docx_table_xml(text, block))
        if end is None:
            body.append(tbl)
        else:
            end.addprevious(tbl)
    for n in table.notes:
        note = doc.add_paragraph()
        note.add_run("Note. ").italic = True
        note.add_run(n)
    doc.add_paragraph()


def to_docx(tables: list[ExportTable], title: str = "Tables") -> bytes:
    """One Word document (APA style) holding every table; deterministic bytes."""
    import datetime as dt

    from docx import Document

    doc = Document()
    doc.add_heading(title, level=1)
    for k, table in enumerate(tables, start=1):
        _docx_table(doc, table, k)
    props = doc.core_properties
    fixed = dt.datetime(2000, 1, 1)
    props.author = props.last_modified_by = "replication"
    props.created = props.modified = fixed
    props.revision = 1
    props.title = title
    raw = io.BytesIO()
    doc.save(raw)
    return _fixed_zip(raw.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry's timestamp fixed (entries in their stored order)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def write_exports(results: dict, folder: str | Path, formats=FORMATS,
                  record=None) -> list[Path]:
    """Write the exports of one paper into its report folder.

    Parameters
    ----------
    results : dict
        The paper's ``results.json`` content.
    folder : path
        The report folder (``DIR/<id>``): tables go to ``folder/tables/``, the Word document
        and the diagrams (SVG and PDF, when the record can be loaded) into ``folder``.
    formats : sequence of {"csv", "latex", "docx"}
    record : Record, id or path, optional
        The record, for the path diagrams (default: the bundled record ``results["paper"]``;
        no diagram files when it cannot be loaded).

    Returns
    -------
    list of Path
        The files written.
    """
    from replication.data.files import atomic_write_text

    folder = Path(folder)
    tables = export_tables(results)
    pid = str(results.get("paper", "paper"))
    written = []
    if {"csv", "latex"} & set(formats):
        (folder / "tables").mkdir(parents=True, exist_ok=True)
    for k, table in enumerate(tables, start=1):
        if "csv" in formats:
            written.append(atomic_write_text(folder / "tables" / f"{table.name}.csv", to_csv(table)))
        if "latex" in formats:
            written.append(atomic_write_text(folder / "tables" / f"{table.name}.tex",
                                             to_latex(table, k)))
    if "docx" in formats:
        path = folder / f"{pid}_tables.docx"
        path.write_bytes(to_docx(tables, title=f"Tables of the replication of {pid}"))
        written.append(path)
    written += write_diagrams(results, folder, record)
    return written


def write_diagrams(results: dict, folder: str | Path, record=None) -> list[Path]:
    """The path diagram (and moderation panels, measurement view) as SVG and PDF files."""
    import shutil

    from replication.record.schema import Record, load_record
    from replication.report import diagrams

    if shutil.which("dot") is None:
        return []
    try:
        rec = record if isinstance(record, Record) else load_record(record or results.get("paper"))
    except Exception:  # noqa: BLE001 - a record that no longer loads: no diagram files
        return []
    effects = _effects(results)
    reference = _frame((results.get("comparisons") or {}).get("paths"))
    params = _parameters(results.get("sem")) if results.get("sem") else None
    d = diagrams.path_diagram(rec, effects, reference if not reference.empty else None,
                              parameters=params)
    out = d.write(folder, prefix=f"{rec.id}_")
    cfa = results.get("cfa")
    if cfa and cfa.get("parameters"):
        m = diagrams.measurement_diagram(_parameters(cfa), cfa.get("r2"))
        out += m.write(folder, prefix=f"{rec.id}_")
    return out


def _effects(results: dict) -> pd.DataFrame:
    """Effects for the diagram labels (``key, kind, est, std, pvalue``), keyed as
    :func:`replication.compare.core.effects_table` keys them: structural paths ``X->Y``, the
    interactions ``XxM->Y`` of the regression moderation (its last step, per outcome) and of the
    latent interaction models, then the hypotheses (mediations ``X=>Y``)."""
    rows = []
    for r in (results.get("sem") or {}).get("parameters") or []:
        if r.get("op") == "~":
            rows.append({"key": f"{r['rhs']}->{r['lhs']}", "kind": "path", "est": r.get("est"),
                         "std": r.get("std_all"), "pvalue": r.get("pvalue")})
    rows += _interaction_effects(results.get("moderation") or {})
    for h in results.get("hypotheses") or []:
        rows.append({"key": h.get("effect"), "kind": h.get("kind", "path"),
                     "est": h.get("estimate"), "std": h.get("std_estimate"),
                     "pvalue": h.get("pvalue"), "ci_low": h.get("ci_low"),
                     "ci_high": h.get("ci_high")})
    df = pd.DataFrame(rows, columns=["key", "kind", "est", "std", "pvalue", "ci_low", "ci_high"])
    for c in ("est", "std", "pvalue", "ci_low", "ci_high"):
        df[c] = pd.to_numeric(df[c], errors="coerce")
    return df.drop_duplicates("key")


def _interaction_effects(moderation: dict) -> list[dict]:
    """``XxM->Y`` rows of the regression moderation's last step and of the latent models."""
    rows = []
    coefs = [r for r in moderation.get("coefficients") or [] if isinstance(r, dict)]
    last: dict[str, int] = {}
    for r in coefs:
        last[str(r.get("y"))] = max(last.get(str(r.get("y")), 0), int(r.get("step") or 0))
    for r in coefs:
        term = str(r.get("term", ""))
        if ":" in term and int(r.get("step") or 0) == last[str(r.get("y"))]:
            x, m = term.split(":", 1)
            rows.append({"key": f"{x}x{m}->{r.get('y')}", "kind": "moderation", "est": r.get("b"),
                         "std": r.get("beta"), "pvalue": r.get("pvalue")})
    for block in moderation.get("latent_fit") or []:
        for r in (block or {}).get("parameters") or []:
            if r.get("op") == "~" and "x" in str(r.get("rhs", "")):
                rows.append({"key": f"{r['rhs']}->{r['lhs']}", "kind": "moderation",
                             "est": r.get("est"), "std": r.get("std_all"),
                             "pvalue": r.get("pvalue")})
    return rows
