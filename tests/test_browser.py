"""Every HTML report as a reader sees it: headless Chromium at 1280 and 390 px, checked from the DOM.

The reports of every bundled paper and of one worked example are generated once for the module
(``replicate run`` into a temporary folder). Chromium runs headless with its DevTools protocol on
a local port; the test drives it with a small websocket client (``websocket-client``), loads each
report at a window width of 1280 px (a desktop) and 390 px (a phone) and evaluates one script in
the page that measures what a reader would see:

- the page: no horizontal overflow (``scrollWidth <= innerWidth``) and no element reaching past
  the window's right edge outside a box that scrolls (what ``overflow-x: hidden`` would clip);
- the path diagrams: vector SVG; no label's text box (``getBBox`` of every ``<text>``, one box
  per node, edge or legend) intersecting another's; every covariance edge two-headed (two
  arrowhead polygons) with a value;
- the tables: every verdict column inside the viewport at 1280 px and not clipped by a scrolling
  container; no scientific notation, NaN or bare row index; no cell holding a number that can
  wrap (computed ``white-space: nowrap``, and laid out on one line);
- the classification in the first fifth of the page and the link back to the index.

The exports beside each report (CSV, booktabs LaTeX, the Word document, SVG and PDF diagrams) are
opened as a researcher would (pandas, python-docx). Browser checks are skipped, with the reason,
when Chromium is not installed (``make test`` installs it where allowed).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from replication.record.schema import load_record, paper_ids
from replication.report import diagrams
from tests.conftest import bundled_ids

pytestmark = pytest.mark.slow

WIDTH = 1280
PHONE = 390
IDS = paper_ids()
#: A worked example reported beside the papers (a structural model with residual covariances).
EXAMPLE = "political_democracy"
REPORTS = IDS + [EXAMPLE]

#: Measured in the page: returns a JSON string (see the module docstring).
PROBE = r"""
(() => {
  const W = window.innerWidth;
  const out = {width: W, height: document.documentElement.scrollHeight};
  // labels of the path diagrams: one box per node or edge label (all its text lines)
  const boxes = [];
  document.querySelectorAll("svg.path-diagram-svg").forEach((svg, d) => {
    svg.querySelectorAll("g.node, g.edge").forEach(g => {
      const texts = [...g.querySelectorAll("text")].filter(t => t.textContent.trim());
      if (!texts.length) return;
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      texts.forEach(t => { const r = t.getBoundingClientRect();
        x0 = Math.min(x0, r.left); y0 = Math.min(y0, r.top);
        x1 = Math.max(x1, r.right); y1 = Math.max(y1, r.bottom); });
      boxes.push({d, label: texts.map(t => t.textContent).join(" "), x0, y0, x1, y1});
    });
  });
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.d !== b.d) continue;
    if (a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5)
      overlaps.push([a.label, b.label]);
  }
  out.labels = boxes.length; out.overlaps = overlaps;
  out.svgs = document.querySelectorAll("svg.path-diagram-svg").length;
  out.raster_diagrams = document.querySelectorAll("figure.path-diagram img").length;
  // verdict columns: visible within the viewport and not clipped by a scrolling container
  const verdictNames = /^(verdict|status|passes|magnitude)$/i;
  const hidden = [];
  let verdictColumns = 0;
  document.querySelectorAll("table").forEach((table, k) => {
    table.querySelectorAll("thead th").forEach(th => {
      if (!verdictNames.test(th.textContent.trim())) return;
      verdictColumns++;
      const r = th.getBoundingClientRect();
      let right = W;
      for (let el = table.parentElement; el; el = el.parentElement) {
        const s = getComputedStyle(el);
        if (/(auto|scroll|hidden)/.test(s.overflowX)) right = Math.min(right, el.getBoundingClientRect().right);
      }
      if (r.right > right + 0.5 || r.left < -0.5) hidden.push([k, th.textContent.trim(), r.right, right]);
    });
  });
  out.verdict_columns = verdictColumns; out.hidden_verdicts = hidden;
  // cells: no scientific notation, no NaN, no row index headers in bodies
  const bad = [];
  document.querySelectorAll("td").forEach(td => {
    const t = td.textContent.trim();
    if (/(^|[^\w.])[-+]?\d+(\.\d+)?[eE][-+]?\d+([^\w.]|$)/.test(t) || /(^|[^A-Za-z])(NaN|nan)([^A-Za-z]|$)/.test(t)) bad.push(t.slice(0, 80));
  });
  out.bad_cells = bad;
  out.row_headers = document.querySelectorAll("tbody th").length;
  const cls = document.querySelector("#summary .classification");
  out.classification_top = cls ? cls.getBoundingClientRect().top + window.scrollY : null;
  out.index_link = [...document.querySelectorAll("a")].some(a => /index\.html$/.test(a.getAttribute("href") || ""));
  out.page_width = document.documentElement.scrollWidth;
  out.inner_width = window.innerWidth;
  // what reaches past the right edge outside a scrolling box (overflow-x: hidden would clip it)
  const scrolls = el => /(auto|scroll)/.test(getComputedStyle(el).overflowX);
  const clipped = [];
  document.querySelectorAll("body *").forEach(el => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= W + 1) return;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement)
      if (scrolls(a) && a.getBoundingClientRect().right <= W + 1) return;
    const parent = el.parentElement;
    if (parent && parent.getBoundingClientRect().right > W + 1 && parent !== document.body) return;
    clipped.push(`${el.tagName.toLowerCase()}.${el.className && el.className.baseVal !== undefined
      ? el.className.baseVal : el.className} right=${Math.round(r.right)}`);
  });
  out.clipped = clipped.slice(0, 20);
  // SVG label boxes (getBBox, in each diagram's user space): one group per node, edge or legend
  const bboxOverlaps = [];
  let svgTexts = 0;
  document.querySelectorAll("svg.path-diagram-svg").forEach((svg, d) => {
    const items = [];
    svg.querySelectorAll("text").forEach(t => {
      if (!t.textContent.trim()) return;
      svgTexts++;
      const g = t.closest("g.node, g.edge, g.graph");
      const b = t.getBBox();
      items.push({g, label: t.textContent, x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height});
    });
    for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) {
      const a = items[i], b = items[j];
      if (a.g === b.g) continue;  // the lines of one label are stacked by dot
      if (a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5)
        bboxOverlaps.push([d, a.label, b.label]);
    }
  });
  out.svg_texts = svgTexts; out.bbox_overlaps = bboxOverlaps;
  // covariance edges: two arrowheads and a value
  out.covariances = [...document.querySelectorAll("svg.path-diagram-svg g.edge")]
    .filter(g => g.classList.contains("covariance"))
    .map(g => ({title: (g.querySelector("title") || {}).textContent,
                heads: g.querySelectorAll("polygon").length,
                text: [...g.querySelectorAll("text")].map(t => t.textContent.trim()).join(" ")}));
  // cells holding a number: never wrapped
  const number = /^[\[(]?[-\u2212+<>=p ]*(\d+\.?\d*|\.\d+)[\d.,\-\u2212+*\u2020%<>=\[\]() \u2013]*$/;
  const wrapping = [];
  let numericCells = 0;
  document.querySelectorAll("td").forEach(td => {
    const t = td.textContent.trim();
    if (!number.test(t)) return;
    numericCells++;
    const ws = getComputedStyle(td).whiteSpace;
    const range = document.createRange(); range.selectNodeContents(td);
    const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
    if (!/^(nowrap|pre)$/.test(ws) || tops.size > 1) wrapping.push([t, ws, tops.size]);
  });
  out.numeric_cells = numericCells; out.wrapping_numbers = wrapping.slice(0, 20);
  return JSON.stringify(out);
})()
"""


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


class Browser:
    """Headless Chromium driven through the DevTools protocol (one page)."""

    def __init__(self, binary: str, width: int = WIDTH, height: int = 1000):
        import websocket

        self.profile = tempfile.mkdtemp(prefix="chromium-profile-")
        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--disable-background-networking", "--disable-component-update", "--no-first-run",
             "--disable-sync", f"--window-size={width},{height}", "--remote-debugging-port=0",
             f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.is_file() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            pages = [t for t in json.load(r) if t.get("type") == "page"]
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=60,
                                              suppress_origin=True)
        self._id = 0
        self.height = height
        self.resize(width)

    def resize(self, width: int) -> None:
        """Lay pages out in a window ``width`` CSS pixels wide."""
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": self.height, "deviceScaleFactor": 1, "mobile": False})

    def call(self, method: str, params: dict | None = None) -> dict:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params or {}}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self._id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def evaluate(self, expression: str):
        res = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return res.get("result", {}).get("value")

    def open(self, path: Path) -> None:
        self.call("Page.navigate", {"url": path.resolve().as_uri()})
        deadline = time.monotonic() + 60
        while self.evaluate("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise RuntimeError(f"{path}: page did not load")
            time.sleep(0.1)

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001 - closing what may not have opened
            pass
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def reports(bundled_reports):
    """The test run's one execution of the bundled papers and the worked example."""
    assert set(REPORTS) <= set(bundled_ids())
    return bundled_reports


@pytest.fixture(scope="module")
def browser():
    binary = _chromium()
    if binary is None:
        pytest.skip("Chromium is not installed (make test installs it with apt-get where allowed)")
    pytest.importorskip("websocket", reason="websocket-client is not installed")
    b = Browser(binary)
    yield b
    b.close()


def _seen(browser: Browser, path: Path, width: int) -> dict:
    browser.resize(width)
    browser.open(path)
    return json.loads(browser.evaluate(PROBE))


def _covariance_pairs(pid: str) -> set[frozenset]:
    """The covariance arcs the record's structural diagram draws."""
    record = load_record(pid)
    return {frozenset(pair) for pair in diagrams._structure(record)[3]}


def _check_diagrams(seen: dict, pid: str) -> None:
    assert seen["svgs"] >= 1 and seen["raster_diagrams"] == 0, "path diagram is not vector"
    assert seen["labels"] > 0 and seen["overlaps"] == [], seen["overlaps"]
    assert seen["svg_texts"] > 0 and seen["bbox_overlaps"] == [], seen["bbox_overlaps"][:10]
    drawn = {frozenset(c["title"].split("->")) for c in seen["covariances"]}
    assert _covariance_pairs(pid) <= drawn, (_covariance_pairs(pid), drawn)
    for c in seen["covariances"]:
        assert c["heads"] == 2, c  # two-headed
        assert re.fullmatch(r"-?\d*\.\d+\S*", c["text"]), c  # with its value (and stars)


def _check_page(seen: dict, width: int) -> None:
    assert seen["width"] == width and seen["inner_width"] == width
    assert seen["page_width"] <= width, f"page scrolls sideways: {seen['page_width']} > {width}"
    assert seen["clipped"] == [], seen["clipped"]
    assert seen["numeric_cells"] > 0
    assert seen["wrapping_numbers"] == [], seen["wrapping_numbers"]
    assert seen["bad_cells"] == [], seen["bad_cells"][:10]
    assert seen["row_headers"] == 0
    assert seen["index_link"]
    assert seen["classification_top"] is not None


@pytest.mark.parametrize("pid", REPORTS)
def test_report_reads_well_at_1280_px(reports, browser, pid):
    seen = _seen(browser, reports / pid / f"{pid}.html", WIDTH)
    _check_page(seen, WIDTH)
    _check_diagrams(seen, pid)
    assert seen["verdict_columns"] > 0 and seen["hidden_verdicts"] == [], seen["hidden_verdicts"]
    assert seen["classification_top"] < seen["height"] / 5


@pytest.mark.parametrize("pid", REPORTS)
def test_report_reads_well_on_a_390_px_phone(reports, browser, pid):
    seen = _seen(browser, reports / pid / f"{pid}.html", PHONE)
    _check_page(seen, PHONE)
    _check_diagrams(seen, pid)


def test_index_lists_every_paper(reports, browser):
    for width in (WIDTH, PHONE):
        browser.resize(width)
        browser.open(reports / "index.html")
        rows = json.loads(browser.evaluate(
            "JSON.stringify([...document.querySelectorAll('#papers tbody tr')].map(tr => "
            "[tr.cells[0].innerText, tr.cells.length, tr.getBoundingClientRect().right]))"))
        assert [r[0].split()[0] for r in rows] == REPORTS
        if width == WIDTH:
            assert all(r[2] <= WIDTH for r in rows)
        assert browser.evaluate("document.documentElement.scrollWidth") <= width


# ------------------------------------------------------------------------------------------------
# The exports beside each report, opened as a researcher opens them
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("pid", REPORTS)
def test_exports_are_present_and_open(reports, pid):
    import pandas as pd

    folder = reports / pid
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    csvs = sorted((folder / "tables").glob("*.csv"))
    texs = sorted((folder / "tables").glob("*.tex"))
    assert csvs and [p.stem for p in csvs] == [p.stem for p in texs]
    for path in csvs:
        table = pd.read_csv(path)
        assert len(table.columns) > 0, path.name
    for path in texs:
        tex = path.read_text(encoding="utf-8")
        assert all(rule in tex for rule in ("\\toprule", "\\midrule", "\\bottomrule")), path.name
    if results.get("cfa"):
        resid = pd.read_csv(folder / "tables" / "cfa_residual_correlations.csv")
        assert list(resid.columns) == ["lhs", "rhs", "est"] and len(resid) > 0
    docx = pytest.importorskip("docx", reason="python-docx is not installed")
    doc = docx.Document(str(folder / f"{pid}_tables.docx"))
    assert len(doc.tables) == len(csvs)
    assert any(p.text == "Table 1" for p in doc.paragraphs)
    for stem in ("path_diagram", "measurement_diagram"):
        svg = folder / f"{pid}_{stem}.svg"
        pdf = folder / f"{pid}_{stem}.pdf"
        assert svg.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg")), svg.name
        assert pdf.read_bytes().startswith(b"%PDF") and b"/CreationDate (D:20000101" in \
            pdf.read_bytes(), pdf.name
