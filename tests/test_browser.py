"""Every HTML report as a reader sees it: headless Chromium at 1280 px, checked from the DOM.

Chromium runs headless with its DevTools protocol on a local port; the test drives it with a
small websocket client (``websocket-client``), loads each report at a window width of 1280 px and
evaluates one script in the page that measures what a reader would see: the boxes of the path
diagrams' labels (no two overlap), the position of every verdict column of every table (inside
the 1280 px viewport and not clipped by a scrolling container), the table cells (no scientific
notation, no NaN, no bare row index), the classification (in the first fifth of the page), the
link back to the index and the vector path diagrams. Skipped, with the reason, when Chromium is
not installed (``make test`` installs it where allowed).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from replication.record.schema import paper_ids
from replication.report import runner

pytestmark = pytest.mark.slow

WIDTH = 1280
IDS = paper_ids()

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
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

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
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser_reports")
    summary = runner.run(IDS, out_dir=out, n_bootstrap=30, jobs=2, progress=False)
    assert summary.exit_status == 0, summary.text()
    return out


@pytest.fixture(scope="module")
def browser():
    binary = _chromium()
    if binary is None:
        pytest.skip("Chromium is not installed (make test installs it with apt-get where allowed)")
    pytest.importorskip("websocket", reason="websocket-client is not installed")
    b = Browser(binary)
    yield b
    b.close()


@pytest.mark.parametrize("pid", IDS)
def test_report_reads_well_at_1280_px(reports, browser, pid):
    browser.open(reports / pid / f"{pid}.html")
    seen = json.loads(browser.evaluate(PROBE))
    assert seen["width"] == WIDTH
    assert seen["svgs"] >= 1 and seen["raster_diagrams"] == 0, "path diagram is not vector"
    assert seen["labels"] > 0 and seen["overlaps"] == [], seen["overlaps"]
    assert seen["verdict_columns"] > 0 and seen["hidden_verdicts"] == [], seen["hidden_verdicts"]
    assert seen["bad_cells"] == [], seen["bad_cells"][:10]
    assert seen["row_headers"] == 0
    assert seen["index_link"]
    assert seen["classification_top"] is not None
    assert seen["classification_top"] < seen["height"] / 5
    assert seen["page_width"] <= WIDTH + 1


def test_index_lists_every_paper(reports, browser):
    browser.open(reports / "index.html")
    rows = json.loads(browser.evaluate(
        "JSON.stringify([...document.querySelectorAll('#papers tbody tr')].map(tr => "
        "[tr.cells[0].innerText, tr.cells.length, tr.getBoundingClientRect().right]))"))
    assert [r[0].split()[0] for r in rows] == IDS
    assert all(r[2] <= WIDTH for r in rows)
