"""The opening of every HTML report and the index of reports, written from ``results.json``.

:func:`decorate` rewrites an exported notebook page so that it opens as a reader expects: a link
back to the index, the paper's title, a summary (the replication's classification and its reason,
one line per hypothesis with the paper's verdict, the replication's and the estimate printed
beside the one replicated, and the data source), then a table of contents of the report's
sections, then the notebook itself. :func:`index_html` is the index: one row per paper with its
classification, N, data source, hypotheses reproduced and links. Every text taken from a record,
a results file or a file name is HTML-escaped. Numbers are written by
:mod:`replication.report.tables`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from replication.report.tables import DASH, number_text, p_text, verdict_class

__all__ = ["PAGE_CSS", "summary_html", "toc_html", "decorate", "index_html", "audit_summary_html",
           "AuditView", "audit_view"]

#: Styles added to every report page (readable width, the summary box, verdict colours).
PAGE_CSS = """
<style>
body.jp-Notebook main { max-width: 1240px; margin: 0 auto; }
.report-top { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  max-width: 1240px; margin: 0 auto; padding: 12px 24px 0 24px; color: #1d1d1d; }
.report-top nav { font-size: 14px; margin-bottom: 6px; }
.report-top nav a { color: #1a56a6; text-decoration: none; }
.report-top h1 { font-size: 24px; margin: 4px 0 2px 0; line-height: 1.25; }
.report-top .byline { color: #444; font-size: 13px; margin: 0 0 10px 0; }
.summary-box { border: 1px solid #c9d3de; border-left: 6px solid #1a56a6; background: #f6f9fc;
  padding: 10px 16px; margin: 8px 0 12px 0; }
.summary-box .classification { font-size: 18px; font-weight: 700; margin: 0 0 4px 0; }
.summary-box .reason { margin: 0 0 8px 0; font-size: 14px; }
.summary-box table { border-collapse: collapse; font-size: 13px; margin: 4px 0 8px 0;
  border-top: 2px solid #222; border-bottom: 2px solid #222; font-variant-numeric: tabular-nums; }
.summary-box th { text-align: left; border-bottom: 1px solid #222; padding: 3px 10px; }
.summary-box td { padding: 2px 10px; vertical-align: top; }
.summary-box td.num, .summary-box th.num { text-align: right; }
.summary-box .source { font-size: 13px; color: #333; margin: 4px 0 0 0; }
.v-ok { color: #0a6b2c; font-weight: 600; } .v-bad { color: #b3141b; font-weight: 600; }
.v-minor { color: #8a5a00; font-weight: 600; } .v-na { color: #666; }
.report-toc { font-size: 13px; columns: 2; max-width: 900px; margin: 0 0 8px 0; }
.report-toc ol { margin: 0; padding-left: 1.4em; }
.report-toc a { color: #1a56a6; text-decoration: none; }
.summary-box .table-scroll, .report-table { max-width: 100%; overflow-x: auto; }
.summary-box td.num, .summary-box td:nth-child(2), td.num, th.num { white-space: nowrap; }
.audit-summary { font-size: 13px; margin: 6px 0; }
.audit-summary ul { margin: 2px 0 4px 0; padding-left: 1.3em; }
.audit-summary .sev-major { color: #b3141b; font-weight: 600; }
.audit-summary .sev-minor { color: #8a5a00; font-weight: 600; }
details.audit-details > summary { cursor: pointer; color: #1a56a6; font-size: 13px; }
html, body { max-width: 100%; overflow-x: hidden; }
.jp-OutputArea-output, .jp-RenderedHTMLCommon { max-width: 100%; overflow-x: auto; }
.jp-RenderedImage img, .jp-OutputArea-output img { max-width: 100%; height: auto; }
.jp-RenderedHTMLCommon pre, .jp-OutputArea-output pre { white-space: pre-wrap; word-break: break-word; }
.report-top h1, .jp-RenderedHTMLCommon h1, .jp-RenderedHTMLCommon h2 { overflow-wrap: anywhere; }
@media (max-width: 600px) {
  .report-top { padding: 8px 10px 0 10px; }
  .summary-box { padding: 8px 10px; }
  .summary-box table.hypotheses, .summary-box table.hypotheses tbody { display: block; }
  .summary-box table.hypotheses thead { display: none; }
  .summary-box table.hypotheses tr { display: block; padding: 4px 0;
    border-bottom: 1px solid #d5dde6; }
  .summary-box table.hypotheses tr:last-child { border-bottom: none; }
  .summary-box table.hypotheses td { display: inline-block; padding: 1px 10px 1px 0;
    white-space: nowrap; }
  .summary-box table.hypotheses td::before { content: attr(data-label) " "; color: #555;
    font-size: 11px; font-weight: 400; }
  .summary-box table.hypotheses td:nth-child(-n+2)::before { content: none; }
  .summary-box table.hypotheses td:first-child { font-weight: 700; }
  svg.path-diagram-svg { max-width: none !important; }
  /* text cells wrap in narrow columns so that a table's long text is read without scrolling;
     numbers (td.num, td.numtext) stay on one line */
  .report-table td:not(.num):not(.numtext) { white-space: normal !important;
    overflow-wrap: break-word; }
  .report-table td:not(.num):not(.numtext):not(.wrap) { max-width: 12em; }
  .report-table td.wrap { min-width: 10em !important; }
  .report-toc { columns: 1; }
  body.jp-Notebook main { padding: 0 4px; }
  .jp-Cell { padding: 2px 0 !important; }
}
/* the notebook's own title cell repeats the header above */
body.jp-Notebook main > div.jp-Cell:first-of-type h1 { display: none; }
</style>
"""

_CLASS_COLOURS = {"reproduced": "v-ok", "reproduced with minor issues": "v-minor",
                  "partly reproduced": "v-minor", "not reproduced": "v-bad"}


def _e(x) -> str:
    return html.escape("" if x is None else str(x))


def _classification(results: dict) -> tuple[str, str]:
    c = (results.get("summary") or {}).get("classification") or {}
    if isinstance(c, dict):
        return str(c.get("label", "")), str(c.get("reason", ""))
    return str(c), ""


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _source_text(results: dict) -> str:
    data = results.get("data") or {}
    src = str(data.get("source", ""))
    n = data.get("n_rows")
    basis = ("the published numbers" if results.get("evidence") == "tables"
             else "the record's assumed magnitudes")
    what = {"reconstructed": f"reconstructed from {basis} (exact moments)",
            "simulated": f"simulated Likert responses from {basis}",
            "csv": f"responses from {data.get('file', 'a CSV file')}"}.get(src, src or DASH)
    parts = [what]
    if n is not None:
        assumed = " (assumed)" if data.get("n_status") == "assumed" and src != "csv" else ""
        parts.append(f"N = {n}{assumed}")
    if data.get("seed") is not None and src != "csv":
        parts.append(f"seed {data.get('seed')}")
    return ", ".join(parts)


def _printed_estimates(results: dict) -> dict[str, tuple[str, str, str]]:
    """Hypothesis -> (reference text, replicated text, how it reads) from the path comparison."""
    out: dict[str, tuple[str, str, str]] = {}
    for row in (results.get("comparisons") or {}).get("paths") or []:
        h = row.get("hypothesis")
        if not h or row.get("quantity") not in ("estimate", "std") or h in out:
            continue
        if row.get("status") == "published":
            ref = str(row.get("printed") or number_text(row.get("reference"), 2))
        else:
            ref = f"{number_text(row.get('reference'), 2)} (assumed)"
        out[h] = (ref, number_text(row.get("replicated"), 3), str(row.get("read_as") or ""))
    return out


def summary_html(results: dict) -> str:
    """The summary box: classification and reason, one line per hypothesis, the data source."""
    label, reason = _classification(results)
    cls = _CLASS_COLOURS.get(label, "v-na" if label.startswith("not applicable") else "")
    est = _printed_estimates(results)
    rows = []
    for h in results.get("hypotheses") or []:
        hid = h.get("hypothesis", "")
        ref, rep, _ = est.get(hid, (DASH, DASH, ""))
        if rep == DASH:
            rep = number_text(h.get("std_estimate", h.get("estimate")), 3)
        verdict = str(h.get("verdict", ""))
        cells = [("Hypothesis", "", hid), ("Effect", "", h.get("effect", "")),
                 ("Paper", "", h.get("paper_verdict", "")),
                 ("Replication", "", "supported" if h.get("replicated_supported")
                  else "not supported"),
                 ("Estimate printed", "num", ref), ("Replicated", "num", rep),
                 ("p", "num", p_text(h.get("pvalue"))),
                 ("Verdict", verdict_class(verdict), verdict)]
        rows.append("<tr>" + "".join(
            f'<td data-label="{_e(head)}"' + (f' class="{c}"' if c else "") + f">{_e(text)}</td>"
            for head, c, text in cells) + "</tr>")
    heads = "".join(f'<th class="num">{h}</th>' if h in ("Estimate printed", "Replicated", "p")
                    else f"<th>{h}</th>" for h in ("Hypothesis", "Effect", "Paper", "Replication",
                                                   "Estimate printed", "Replicated", "p",
                                                   "Verdict"))
    # on a phone each hypothesis reads as one block of labelled values (PAGE_CSS)
    table = (f'<div class="table-scroll"><table class="hypotheses"><thead><tr>{heads}</tr>'
             f"</thead><tbody>{''.join(rows)}</tbody></table></div>") if rows else ""
    counts = (results.get("summary") or {}).get("hypotheses") or {}
    n_h = sum(int(v) for v in counts.values())
    tally = (f"{int(counts.get('reproduced', 0))} of {n_h} hypotheses reproduced"
             if n_h else "")
    return (f'<section class="summary-box" id="summary"><p class="classification">Replication: '
            f'<span class="{cls}">{_e(label or DASH)}</span></p>'
            f'<p class="reason">{_e(_sentence(reason))}{(" " + _e(tally) + ".") if tally else ""}</p>'
            f"{table}<p class=\"source\"><b>Data:</b> {_e(_source_text(results))}. "
            f"<b>Evidence:</b> {_e(results.get('evidence', ''))}.</p>"
            f"{audit_summary_html(results.get('audit'), link=True)}</section>")


def _first_sentence(text: str) -> str:
    text = " ".join(str(text or "").split())
    m = re.search(r"(?<=[a-z0-9)\]])[.;](\s|$)", text)
    return _sentence(text[:m.start()] if m else text)


def audit_summary_html(audit: dict | None, link: bool = False) -> str:
    """The audit in a few lines: counts by severity and each major finding in one sentence."""
    audit = audit or {}
    s = audit.get("summary") or {}
    if not s:
        return ""
    counts = s.get("counts") or {}
    major, minor = int(s.get("major", 0) or 0), int(s.get("minor", 0) or 0)
    head = (f'<b>Audit of the printed numbers:</b> <span class="sev-major">{major} major</span>, '
            f'<span class="sev-minor">{minor} minor</span> inconsistencies; '
            f"{int(counts.get('consistent', 0))} consistent, "
            f"{int(counts.get('not_checkable', 0))} not checkable")
    details = {(f.get("check"), f.get("where")): f.get("detail") for f in audit.get("findings") or []}
    items = "".join(f"<li><b>{_e(m.get('where'))}</b> ({_e(m.get('check'))}): "
                    f"{_e(_first_sentence(details.get((m.get('check'), m.get('where')), '')))}</li>"
                    for m in s.get("major_findings") or [])
    more = (' <a href="#audit-of-the-published-numbers">all findings</a>' if link else "")
    return (f'<div class="audit-summary">{head}.{more}'
            f"{'<ul>' + items + '</ul>' if items else ''}</div>")


class AuditView:
    """The audit section of a report: its summary, then every finding (with its severity) in a
    collapsed ``<details>`` block."""

    def __init__(self, audit: dict, table_html: str):
        self.audit = audit
        self.table_html = table_html

    def _repr_html_(self) -> str:
        n = int(((self.audit or {}).get("summary") or {}).get("n_findings", 0) or 0)
        return (f"{audit_summary_html(self.audit)}<details class=\"audit-details\"><summary>All "
                f"{n} findings, with severity</summary>{self.table_html}</details>")


def audit_view(audit: dict) -> AuditView:
    """:class:`AuditView` of :func:`replication.pipeline.run_audit` output (results.json shape)."""
    from replication.report.exports import audit_rows
    from replication.report.tables import show

    return AuditView(audit, show(audit_rows(audit), "Findings (major first)").to_html())


_HEADING = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)


def toc_html(page: str) -> str:
    """Table of contents of the second-level headings of an exported notebook page."""
    items = []
    for anchor, inner in _HEADING.findall(page):
        text = re.sub(r"<[^>]+>", "", inner).replace("\u00b6", "").strip()
        items.append(f'<li><a href="#{html.escape(anchor, quote=True)}">{html.escape(html.unescape(text))}</a></li>')
    return f'<nav class="report-toc" aria-label="Contents"><ol>{"".join(items)}</ol></nav>' if items else ""


def decorate(page: str, results: dict, index_href: str = "../index.html") -> str:
    """An exported notebook page that opens with the index link, summary and contents.

    Parameters
    ----------
    page : str
        HTML of the exported notebook (nbconvert ``lab`` template).
    results : dict
        The paper's ``results.json``.
    index_href : str
        Link back to the index of reports.

    Returns
    -------
    str
    """
    title = results.get("title") or results.get("paper", "")
    cit = results.get("citation") or {}
    by = ", ".join(cit.get("authors") or []) or "Authors not named in the source"
    if cit.get("year"):
        by += f" ({cit['year']})"
    top = (f'<header class="report-top"><nav><a href="{html.escape(index_href, quote=True)}">'
           f"\u2190 All replication reports</a> \u00b7 paper <code>{_e(results.get('paper', ''))}</code>"
           f"</nav><h1 id=\"report-title\">{_e(title)}</h1>"
           f'<p class="byline">{_e(by)}{". " if by else ""}{_e(cit.get("venue", ""))}</p>'
           f"{summary_html(results)}{toc_html(page)}</header>")
    page = page.replace("</head>", PAGE_CSS + "</head>", 1)
    if "<main>" in page:
        return page.replace("<main>", "<main>" + top, 1)
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + top, page, count=1)


# --------------------------------------------------------------------------------------------
# Index
# --------------------------------------------------------------------------------------------
def _index_row(pid: str, res: dict) -> str:
    s = res.get("summary") or {}
    h = s.get("hypotheses") or {}
    v = s.get("values") or {}
    label, reason = _classification(res)
    cls = _CLASS_COLOURS.get(label, "v-na" if label.startswith("not applicable") else "")
    data = res.get("data") or {}
    src = str(data.get("source", ""))
    if src == "csv":
        src = f"csv: {data.get('file', '')}"
    n_h = sum(int(x) for x in h.values())
    n_v = int(v.get("reproduced", 0)) + int(v.get("not reproduced", 0))
    assumed = int(v.get("assumed_reproduced", 0) or 0)
    audit = (res.get("audit") or {}).get("summary") or {}
    counts = audit.get("counts") or {}
    link = f"{html.escape(pid, quote=True)}/{html.escape(pid, quote=True)}"
    return (
        "<tr>"
        f'<td><a href="{link}.html"><b>{_e(pid)}</b></a><br><small>{_e(res.get("short_title", ""))}</small></td>'
        f'<td class="{cls}">{_e(label)}<br><small class="reason">{_e(reason)}</small></td>'
        f'<td class="num">{_e(data.get("n_rows", DASH))}</td>'
        f"<td>{_e(src)}{(' (seed ' + _e(data.get('seed')) + ')') if data.get('seed') is not None and not src.startswith('csv') else ''}</td>"
        f'<td class="num">{int(h.get("reproduced", 0))} of {n_h}</td>'
        f'<td class="num">{(str(int(v.get("reproduced", 0))) + " of " + str(n_v)) if n_v else "none printed"}'
        f"{'<br><small>' + str(assumed) + ' assumed values reproduced</small>' if assumed else ''}</td>"
        f"<td>{int(counts.get('inconsistent', 0))} inconsistent, {int(counts.get('consistent', 0))} "
        f"consistent, {int(counts.get('not_checkable', 0))} not checkable"
        f"{'<br><small>' + _e(audit.get('classification')) + '</small>' if audit.get('classification') else ''}</td>"
        f"<td>{_e(res.get('evidence', ''))}</td>"
        f'<td><a href="{link}.html">report</a> \u00b7 <a href="{link}.ipynb">notebook</a> \u00b7 '
        f'<a href="{html.escape(pid, quote=True)}/results.json">results.json</a></td></tr>')


def index_html(rows: Sequence[dict]) -> str:
    """The report index: one row per paper; every text from a record or a file is escaped.

    Parameters
    ----------
    rows : sequence of dict
        ``paper``, ``ok`` and either ``results`` (the paper's results.json) or ``error``.
    """
    body = []
    for r in rows:
        pid = str(r["paper"])
        res = r.get("results") or {}
        if r.get("ok") and res:
            body.append(_index_row(pid, res))
        else:
            body.append(
                '<tr class="failed">'
                f'<td><a href="{html.escape(pid, quote=True)}/FAILED.txt"><b>{_e(pid)}</b></a></td>'
                f'<td class="v-bad" colspan="7">failed: {_e(r.get("error", "no results"))}</td>'
                f'<td><a href="{html.escape(pid, quote=True)}/FAILED.txt">error</a></td></tr>')
    return """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Replication reports</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0;
  color: #1d1d1d; }
main { max-width: 1240px; margin: 0 auto; padding: 16px 24px; }
h1 { font-size: 24px; margin: 8px 0; }
p.lead { font-size: 14px; max-width: 62em; color: #333; }
table { border-collapse: collapse; font-size: 13px; border-top: 2px solid #222;
  border-bottom: 2px solid #222; font-variant-numeric: tabular-nums; }
th { text-align: left; border-bottom: 1px solid #222; padding: 5px 8px; vertical-align: bottom; }
td { padding: 5px 8px; vertical-align: top; border-bottom: 1px solid #e3e3e3; }
td.num { text-align: right; white-space: nowrap; }
th.num { text-align: right; }
small.reason { color: #444; font-weight: normal; }
a { color: #1a56a6; text-decoration: none; }
.v-ok { color: #0a6b2c; font-weight: 600; } .v-bad { color: #b3141b; font-weight: 600; }
.v-minor { color: #8a5a00; font-weight: 600; } .v-na { color: #555; font-weight: 600; }
tr.failed td { background: #fdeeee; }
/* on a phone each paper reads as one block, every value under its column's name */
@media (max-width: 600px) {
  main { padding: 10px 12px; }
  #papers, #papers tbody { display: block; border-bottom: none; }
  #papers thead { display: none; }
  #papers tr { display: block; padding: 6px 0 8px 0; border-bottom: 1px solid #222; }
  #papers td { display: block; padding: 2px 0; border: none; text-align: left; }
  #papers tr:not(.failed) td:nth-child(n+3)::before { color: #555; font-size: 12px; }
  #papers tr:not(.failed) td:nth-child(3)::before { content: "N: "; }
  #papers tr:not(.failed) td:nth-child(4)::before { content: "Data source: "; }
  #papers tr:not(.failed) td:nth-child(5)::before { content: "Hypotheses reproduced: "; }
  #papers tr:not(.failed) td:nth-child(6)::before { content: "Published values reproduced: "; }
  #papers tr:not(.failed) td:nth-child(7)::before { content: "Audit: "; }
  #papers tr:not(.failed) td:nth-child(8)::before { content: "Evidence: "; }
}
</style>
</head>
<body>
<main>
<h1>Replication reports</h1>
<p class="lead">One row per paper. <b>Classification</b>: reproduced, reproduced with minor issues,
partly reproduced or not reproduced, from the published verdicts and values (reconstructed data
from an abstract-only record cannot test the claims: "not applicable"). <b>Hypotheses</b>: the
paper's verdict compared with the replicated one. <b>Published values</b>: printed numbers
reproduced within their tolerance (values the records assume are counted apart). <b>Audit</b>:
consistency of the printed numbers with each other.</p>
<table id="papers">
<thead><tr><th>Paper</th><th>Classification</th><th class="num">N</th><th>Data source</th>
<th class="num">Hypotheses reproduced</th><th class="num">Published values reproduced</th>
<th>Audit of the printed numbers</th><th>Evidence</th><th>Links</th></tr></thead>
<tbody>
""" + "\n".join(body) + """
</tbody>
</table>
</main>
</body>
</html>
"""
