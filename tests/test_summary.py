"""The opening of each HTML report and the index (replication.report.summary)."""

from __future__ import annotations

from replication.report import summary

RESULTS = {
    "paper": "p1", "title": "A <b>study</b>", "short_title": "Short", "evidence": "tables",
    "citation": {"authors": ["A. Author"], "year": 2020, "venue": "Journal"},
    "data": {"source": "reconstructed", "seed": 2024, "n_rows": 465},
    "summary": {"classification": {"label": "partly reproduced", "reason": "one verdict differs"},
                "hypotheses": {"reproduced": 1, "not reproduced": 1, "not comparable": 0},
                "values": {"reproduced": 3, "not reproduced": 1}},
    "hypotheses": [
        {"hypothesis": "H1", "effect": "T->PI", "paper_verdict": "Yes", "replicated_supported": True,
         "estimate": 0.69, "std_estimate": 0.8, "pvalue": 6e-32, "verdict": "reproduced"},
        {"hypothesis": "H2", "effect": "SN->PI", "paper_verdict": "No", "replicated_supported": True,
         "estimate": 0.13, "std_estimate": 0.14, "pvalue": 0.00275, "verdict": "not reproduced"}],
    "comparisons": {"paths": [
        {"hypothesis": "H1", "quantity": "estimate", "status": "published", "printed": "0.80",
         "reference": 0.8, "replicated": 0.8000001},
        {"hypothesis": "H1", "quantity": "statistic", "status": "published", "printed": "8.63",
         "reference": 8.63, "replicated": 11.76},
        {"hypothesis": "H2", "quantity": "std", "status": "assumed", "printed": "",
         "reference": 0.14, "replicated": 0.14}]},
}

PAGE = ("<html><head><title>x</title></head><body class=\"jp-Notebook\"><main>"
        "<div class=\"jp-Cell\"><h1 id=\"A-study\">A study</h1></div>"
        + "".join(f'<div class="jp-Cell"><h2 id="S{i}">Section {i}<a class="anchor-link" '
                  f'href="#S{i}">\u00b6</a></h2><p>{"text " * 2000}</p></div>' for i in range(6))
        + "</main></body></html>")


def test_report_opens_with_index_link_summary_and_contents():
    page = summary.decorate(PAGE, RESULTS)
    first_section = page.index('id="S0"')
    for marker in ('href="../index.html"', "partly reproduced", "One verdict differs.",
                   "1 of 2 hypotheses reproduced", 'href="#S0"', "N = 465"):
        assert marker in page and page.index(marker) < first_section, marker
    # the classification sits in the first fifth of the page
    assert page.index("partly reproduced") < len(page) / 5
    assert "A &lt;b&gt;study&lt;/b&gt;" in page and "<b>study</b>" not in page
    box = page[page.index('id="summary"'):page.index("</section>")]
    # one line per hypothesis: the paper's verdict, the replication's, printed vs replicated
    assert box.count("<tr>") == 3  # heading and two hypotheses
    assert "0.80" in box and "0.800" in box and "0.14 (assumed)" in box
    assert "&lt; .001" in box and ".003" in box
    assert 'class="v-bad">not reproduced' in box


def test_index_lists_classification_n_source_hypotheses_and_links():
    page = summary.index_html([{"paper": "p1", "ok": True, "results": RESULTS},
                               {"paper": "p2", "ok": False, "error": "boom <x>"}])
    for marker in ("partly reproduced", ">465<", "reconstructed (seed 2024)", "1 of 2", "3 of 4",
                   'href="p1/p1.html"', 'href="p1/p1.ipynb"', 'href="p1/results.json"',
                   "failed: boom &lt;x&gt;"):
        assert marker in page, marker
