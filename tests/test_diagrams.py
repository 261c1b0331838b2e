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


def test_simple_mediation_labels_sit_on_their_edges():
    items = {c: [f"{c}{i}" for i in (1, 2, 3)] for c in ("X", "M", "Y")}
    record = make_record([("X", "M"), ("M", "Y"), ("X", "Y")], items)
    assert diagrams.layers(record) == [["X"], ["M"], ["Y"]]
    d = diagrams.path_diagram(record, fake_effects(record))
    assert overlaps(label_boxes(d.svg)) == []
    # every path runs through its own label node: X -> label -> Y, the head only at Y
    for key in ("X->M", "M->Y", "X->Y"):
        a, b = key.split("->")
        assert f'"{a}" -> "label {key}" [' in d.source and "arrowhead=none" in d.source
        assert f'"label {key}" -> "{b}" [' in d.source


def test_moderation_points_at_the_path_and_metric_as_printed():
    items = {c: [f"{c}{i}" for i in (1, 2, 3)] for c in ("X", "W", "Y")}
    record = make_record([("X", "Y"), ("W", "Y")], items, moderations=[("X", "W", "Y")])
    d = diagrams.path_diagram(record, fake_effects(record))
    assert re.search(r'"W" -> "label X->Y" \[style=dotted', d.source)
    assert "\u00d7 W 0.10*" in d.source
    assert "moderation: moderator" in d.source  # the legend says what the dotted arrow is
    assert overlaps(label_boxes(d.svg)) == []


def test_many_moderated_paths_get_one_panel_per_moderator():
    record = load_record("service_recovery")
    d = diagrams.path_diagram(record, fake_effects(record))
    assert [p.name for p in d.panels] == ["moderation_PRO", "moderation_PRE"]
    assert "moderation" not in d.source.split("class=")[-1] or "dotted" not in d.source
    for p in d.panels:
        assert overlaps(label_boxes(p.svg)) == []


def test_covariance_is_two_headed_with_its_value_and_files_are_written(tmp_path):
    record = load_record("live_commerce")
    params = pd.DataFrame([{"lhs": "T", "op": "~~", "rhs": "SN", "est": 0.2, "std_all": 0.3,
                            "pvalue": 0.0001}])
    d = diagrams.path_diagram(record, fake_effects(record), parameters=params)
    assert re.search(r'"T" -> "SN" \[dir=both,[^\]]*xlabel="0.30\*\*\*"', d.source)
    root = ET.fromstring(d.svg)
    cov = [g for g in root.iter(f"{NS}g") if "covariance" in (g.get("class") or "")]
    assert cov and len(list(cov[0].iter(f"{NS}polygon"))) == 2
    files = d.write(tmp_path, prefix="lc_")
    assert sorted(f.name for f in files) == ["lc_path_diagram.pdf", "lc_path_diagram.svg"]
    assert (tmp_path / "lc_path_diagram.pdf").read_bytes().startswith(b"%PDF")


def test_measurement_view_has_loadings_residuals_and_r2():
    params = pd.DataFrame([{"lhs": "F", "op": "=~", "rhs": f"F{i}", "est": 1.0, "std_all": 0.7,
                            "pvalue": None} for i in (1, 2, 3)]
                          + [{"lhs": f"F{i}", "op": "~~", "rhs": f"F{i}", "est": 0.5,
                              "std_all": 0.51, "pvalue": None} for i in (1, 2, 3)])
    d = diagrams.measurement_diagram(params, {"F1": 0.49, "F2": 0.49, "F3": 0.49})
    assert "R\u00b2 0.49" in d.source and 'label="0.70"' in d.source and 'label="  0.51"' in d.source


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


def test_non_significant_paths_are_dashed_grey_and_moderation_is_not():
    items = {c: [f"{c}{i}" for i in (1, 2, 3)] for c in ("X", "Y")}
    record = make_record([("X", "Y")], items)
    source, _ = diagrams.diagram_source(record, fake_effects(record, p=0.4))
    assert f'"X" -> "label X->Y" [style="dashed", color="{diagrams.NONSIG}"' in source
    assert diagrams.NONSIG != diagrams.MODERATION


def test_moderation_panels_read_every_interaction_in_order():
    """Each panel label: path estimate and stars, the reference marked assumed, then × M."""
    record = load_record("service_recovery")
    values = record.values()
    ref = pd.DataFrame([{"path": p.key, "quantity": "std", "status": "assumed", "replicated": 0.25,
                         "reference": values[f"paths.{p.key}.std"].value}
                        for p in record.model.paths])
    d = diagrams.path_diagram(record, fake_effects(record), ref)
    assert d.panels
    for panel in d.panels:
        w = panel.name.split("_", 1)[1]
        labels = re.findall(r'label="([^"]*\u00d7[^"]*)"', panel.source)
        assert len(labels) == sum(m.m == w for m in record.model.moderations)
        for text in labels:
            lines = text.split("\\n")
            assert re.fullmatch(r"0\.25\*", lines[0]), lines
            assert re.fullmatch(r"\[-?\d?\.\d+ assumed\]", lines[1]), lines
            assert re.fullmatch(rf"\u00d7 {w} 0\.10\* \[-?\d?\.\d+ assumed\]", lines[2]), lines


def test_interactions_found_under_their_product_term_keys():
    items = {c: [f"{c}{i}" for i in (1, 2, 3)] for c in ("X", "W", "Y")}
    record = make_record([("X", "Y"), ("W", "Y")], items, moderations=[("X", "W", "Y")])
    eff = fake_effects(record)
    eff.loc[eff["kind"] == "moderation", "key"] = "X:W->Y"
    source, _ = diagrams.diagram_source(record, eff)
    assert "\u00d7 W 0.10*" in source
    source, _ = diagrams.diagram_source(record, eff[eff["kind"] != "moderation"])
    assert "\u00d7 W n/a" in source  # never a bare "× W"


def test_pdf_bytes_do_not_depend_on_the_time(tmp_path, monkeypatch):
    import time

    a = diagrams.render("digraph { a -> b }", "pdf")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(time.time())))
    time.sleep(1.1)
    b = diagrams.render("digraph { a -> b }", "pdf")
    assert a == b and a.startswith(b"%PDF")
    assert b"/CreationDate (D:20000101000000" in a
    fixed = diagrams.fixed_pdf_dates(b"<< /CreationDate (D:20261206154440+01'00') >>")
    assert fixed == b"<< /CreationDate (D:20000101000000+00'00') >>"
