"""Path diagrams laid out by Graphviz dot (replication.report.diagrams)."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from replication.record.schema import load_record, paper_ids
from replication.report import diagrams
from tests.toy_records import make_record

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")
NS = "{http://www.w3.org/2000/svg}"


def fake_effects(record, p=0.01) -> pd.DataFrame:
    rows = [{"key": pth.key, "kind": "path", "est": 0.31, "std": 0.25, "se": 0.05, "pvalue": p}
            for pth in record.model.paths]
    rows += [{"key": m.key, "kind": "moderation", "est": 0.12, "std": 0.10, "se": 0.05,
              "pvalue": 0.03} for m in record.model.moderations]
    return pd.DataFrame(rows)


def label_boxes(svg: str) -> list[tuple[str, tuple[float, float, float, float]]]:
    """One box per node or edge label (its text lines together), from the SVG coordinates.

    Width is estimated from the number of characters (0.6 em each, Helvetica's mean advance is
    about 0.55 em), height from the font size; dot centres each line at ``x`` (text-anchor middle).
    """
    root = ET.fromstring(svg)
    boxes = []
    for g in root.iter(f"{NS}g"):
        if g.get("class") not in ("node", "edge"):
            continue
        texts = [t for t in g.iter(f"{NS}text") if (t.text or "").strip()]
        if not texts:
            continue
        xs, ys = [], []
        for t in texts:
            x, y = float(t.get("x")), float(t.get("y"))
            size = float(t.get("font-size", "10"))
            half = 0.3 * size * len(t.text)
            xs += [x - half, x + half]
            ys += [y - 0.8 * size, y + 0.2 * size]
        boxes.append((" ".join(t.text for t in texts), (min(xs), min(ys), max(xs), max(ys))))
    return boxes


def overlaps(boxes):
    bad = []
    for i, (a, (ax0, ay0, ax1, ay1)) in enumerate(boxes):
        for b, (bx0, by0, bx1, by1) in boxes[i + 1:]:
            if ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1:
                bad.append((a, b))
    return bad


@pytest.mark.parametrize("pid", paper_ids())
def test_bundled_diagrams_are_vector_and_labels_do_not_overlap(pid):
    record = load_record(pid)
    d = diagrams.path_diagram(record, fake_effects(record))
    assert d.svg.startswith("<svg") and "<image" not in d.svg
    names = {t.text for t in ET.fromstring(d.svg).iter(f"{NS}text")}
    used = {p.from_ for p in record.model.paths} | {p.to for p in record.model.paths}
    assert used <= names
    assert overlaps(label_boxes(d.svg)) == []
    assert "<figure" in d.to_html() and d.caption


def test_simple_mediation_direct_path_goes_around_the_mediator():
    items = {c: [f"{c}{i}" for i in (1, 2, 3)] for c in ("X", "M", "Y")}
    record = make_record([("X", "M"), ("M", "Y"), ("X", "Y")], items)
    assert diagrams.layers(record) == [["X"], ["M"], ["Y"]]
    d = diagrams.path_diagram(record, fake_effects(record))
    assert overlaps(label_boxes(d.svg)) == []
    # the direct arrow X -> Y is a curve through its own rank slot, not a line through M
    root = ET.fromstring(d.svg)
    titles = {g.find(f"{NS}title").text: g for g in root.iter(f"{NS}g") if g.get("class") == "edge"}
    direct = titles["X->Y"].find(f"{NS}path").get("d")
    nodes = {g.find(f"{NS}title").text: g for g in root.iter(f"{NS}g") if g.get("class") == "node"}
    m = next(nodes["M"].iter(f"{NS}ellipse"))
    mx, my = float(m.get("cx")), float(m.get("cy"))
    rx, ry = float(m.get("rx")), float(m.get("ry"))
    pts = [tuple(map(float, p.split(","))) for p in re.findall(r"-?[\d.]+,-?[\d.]+", direct)]
    near = [abs(y - my) for x, y in pts if abs(x - mx) <= rx]
    assert near and min(near) > ry


def test_moderation_drawn_onto_its_path_and_metric_as_printed():
    items = {c: [f"{c}{i}" for i in (1, 2, 3)] for c in ("X", "W", "Y")}
    record = make_record([("X", "Y"), ("W", "Y")], items, moderations=[("X", "W", "Y")])
    d = diagrams.path_diagram(record, fake_effects(record))
    assert '"junction X->Y"' in d.source
    assert re.search(r'"W" -> "junction X->Y" \[style=dashed', d.source)
    assert "\u00d7 W 0.10*" in d.source
    assert overlaps(label_boxes(d.svg)) == []


def test_unstandardized_paper_gets_unstandardized_replicated_estimates():
    record = load_record("e_engagement")
    assert record.values()["model.estimate_metric"].value == "unstandardized"
    p = record.model.paths[0]
    eff = pd.DataFrame([{"key": p.key, "kind": "path", "est": 1.12, "std": 0.95, "se": 0.1,
                         "pvalue": 0.0001}])
    ref = pd.DataFrame([{"path": p.key, "quantity": "estimate", "status": "published",
                         "printed": "1.12", "reference": 1.12, "replicated": 1.1201}])
    source, metric = diagrams.diagram_source(record, eff, ref)
    assert metric == "unstandardized"
    assert "1.12***\\n[1.12]" in source and "0.95" not in source


def test_non_significant_paths_are_dashed():
    items = {c: [f"{c}{i}" for i in (1, 2, 3)] for c in ("X", "Y")}
    record = make_record([("X", "Y")], items)
    source, _ = diagrams.diagram_source(record, fake_effects(record, p=0.4))
    assert '"X" -> "Y" [style=dashed' in source
