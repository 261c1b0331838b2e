"""Which published table or passage each notebook section reproduces, derived from the records.

Every printed number in a record says where it stands (``where: "Table III, row H2a, ..."``). This
module groups a record's printed numbers by that location and maps each group to the notebook
section that recomputes it, so the README's list of tables and the notebooks' headings come from one
place and are never typed twice.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from replication.record.schema import Record, load_all

__all__ = ["SECTIONS", "TableEntry", "location", "locations", "notebook_headings", "published_tables",
           "tables_markdown"]

#: Notebook sections, by the kind of published number they reproduce (in notebook order).
SECTIONS: dict[str, str] = {
    "sample": "Sample",
    "audit": "Audit of the published numbers",
    "loadings": "Measurement model: loadings, reliability and validity",
    "reliability": "Measurement model: loadings, reliability and validity",
    "harman": "Common method variance (Harman's single factor)",
    "fit": "Model fit",
    "paths": "Structural model and hypotheses",
    "hypotheses": "Structural model and hypotheses",
    "moderation": "Moderation",
    "mediation": "Mediation",
    "figure": "Path diagram",
}


@dataclass(frozen=True)
class TableEntry:
    """One published table or passage of a paper and the notebook section that reproduces it."""

    paper: str
    location: str
    contents: str
    n_numbers: int
    section: str


def location(where: str) -> str:
    """The table or passage part of a ``where`` string ("Table III", "Method C (text)", "Abstract")."""
    head = where.split(",")[0].strip()
    m = re.match(r"(Table|Fig\.?|Figure)\s+\S+", head)
    if m:
        return m.group(0)
    if "text" in where and "," in where:
        return where.split(",")[0].strip() + " (text)"
    return head.split(":")[0].strip()


def locations(wheres) -> str:
    """Distinct locations of several ``where`` strings, joined with "and" (a notebook heading)."""
    out: list[str] = []
    for w in wheres:
        if w:
            loc = location(w)
            if loc not in out:
                out.append(loc)
    return " and ".join(out)


def notebook_headings(paper_id: str) -> list[str]:
    """Markdown headings (level 2 and 3) of ``notebooks/<id>.ipynb``, in order."""
    path = Path(__file__).resolve().parents[2] / "notebooks" / f"{paper_id}.ipynb"
    if not path.exists():
        return []
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        src = "".join(cell.get("source", []))
        for line in src.splitlines():
            m = re.match(r"#{2,3}\s+(.*)", line)
            if m:
                out.append(m.group(1).strip())
    return out


def published_tables(record: Record, headings: list[str] | None = None) -> list[TableEntry]:
    """Group a record's printed numbers by table or passage, with the reproducing section.

    The section is the notebook heading(s) naming that table or passage (``headings``, default: read
    from ``notebooks/<id>.ipynb``); without a notebook it is the generic section of :data:`SECTIONS`.
    """
    headings = notebook_headings(record.id) if headings is None else headings
    groups: dict[tuple[str, str], int] = {}

    def add(where: str, kind: str) -> None:
        key = (location(where), kind)
        groups[key] = groups.get(key, 0) + 1

    s = record.sample
    for p in (s.n, s.invited, s.response_rate, s.scale_points):
        if p is not None:
            add(p.where, "sample")
    for g in s.groups:
        for p in (g.count, g.percent):
            if p is not None:
                add(p.where, "sample")
    for p in record.results.loadings.values():
        add(p.where, "loadings")
    for st in record.results.constructs.values():
        for p in (st.mean, st.sd, st.alpha, st.ave, st.cr):
            if p is not None:
                add(p.where, "reliability")
    for block in record.results.fit:
        for p in block.measures.values():
            add(p.where, "fit")
    for r in record.results.paths:
        for p in (r.estimate, r.se, r.statistic, r.p):
            if p is not None:
                add(p.where, "paths")
    if record.results.harman is not None:
        for p in (record.results.harman.first_factor_percent, record.results.harman.n_factors):
            if p is not None:
                add(p.where, "harman")
    for f in record.figures:
        add(f.where, "figure")
    for h in record.hypotheses:
        if h.verdict is not None:
            kind = {"path": "hypotheses", "moderation": "moderation", "mediation": "mediation"}[h.kind]
            add(h.verdict.where, kind)
    labels = {"sample": "sample description", "loadings": "standardized loadings",
              "reliability": "construct statistics (mean, SD, alpha, AVE, CR)", "fit": "fit indices",
              "paths": "structural estimates", "harman": "Harman's single-factor test",
              "hypotheses": "hypothesis verdicts", "moderation": "moderation verdicts",
              "mediation": "mediation verdicts", "figure": "figure (model or path diagram)"}
    merged: dict[str, dict[str, int]] = {}
    for (loc, kind), count in groups.items():
        merged.setdefault(loc, {})[kind] = merged.setdefault(loc, {}).get(kind, 0) + count
    out = []
    for loc, kinds in merged.items():
        ordered = [k for k in SECTIONS if k in kinds]
        sections = []
        for k in ordered:
            if SECTIONS[k] not in sections:
                sections.append(SECTIONS[k])
        named = [h for h in headings if re.search(rf"(^|\band\s){re.escape(loc)}(\s+and\b|:|$)", h)]
        out.append(TableEntry(paper=record.id, location=loc,
                              contents="; ".join(labels[k] for k in ordered),
                              n_numbers=sum(kinds.values()),
                              section=" / ".join(named) if named else " / ".join(sections)))
    return sorted(out, key=lambda e: (_sort_key(e.location), e.location))


def _sort_key(location: str) -> int:
    if location.startswith("Abstract") or location.startswith("Highlights"):
        return 0
    if location.startswith("Table"):
        return 2
    return 1


def tables_markdown(records: dict[str, Record] | None = None) -> str:
    """The README's "List of tables and programs", one Markdown table per paper."""
    records = records if records is not None else load_all()
    lines: list[str] = []
    for pid, rec in records.items():
        lines.append(f"**`{pid}`** ({rec.evidence}), notebook `notebooks/{pid}.ipynb`")
        lines.append("")
        lines.append("| Published in | What | Printed values | Notebook section | Output |")
        lines.append("| --- | --- | --- | --- | --- |")
        for e in published_tables(rec):
            lines.append(f"| {e.location} | {e.contents} | {e.n_numbers} | {e.section} | "
                         f"`reports/{pid}/{pid}.html`, `results.json` |")
        n_assumed = len(rec.assumptions)
        lines.append(f"| (assumptions) | values the paper did not print | {n_assumed} assumed | "
                     f"Assumptions | `results.json` (`assumptions`) |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
