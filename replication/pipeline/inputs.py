"""Step 1 of the pipeline: the record and the responses a replication analyses.

:func:`load_inputs` reads the published record and the responses (reconstructed or simulated by
:mod:`replication.data.reconstruct`, or a user's CSV checked by :mod:`replication.data.responses`),
with a provenance block saying exactly which data were used; :func:`data_summary`,
:func:`assumptions_table` and :func:`sample_table` show them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from replication.data import reconstruct
from replication.data.likert import reverse_items
from replication.data.responses import load_responses
from replication.engine.errors import InputError
from replication.record.schema import load_record

__all__ = ["SOURCES", "Inputs", "load_inputs", "data_summary", "assumptions_table", "sample_table"]

SOURCES = ("reconstructed", "simulated")


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------
@dataclass
class Inputs:
    """What a notebook analyses.

    Attributes
    ----------
    record : replication.record.schema.Record
    data : DataFrame
        Item-level responses, item names as columns (and observed controls).
    provenance : dict
        ``source`` (``reconstructed``, ``simulated`` or ``csv``), ``seed``, ``n_rows``, and for
        a CSV its file name, SHA-256 and the rows read and dropped.
    notes : list of str
        Remarks from the loader or the reconstruction (rows dropped, numbers changed).
    reconstruction : object or None
        The :func:`replication.data.reconstruct.reconstruct` result (population, calibration).
    missing : str
        ``listwise`` or ``fiml``: how the fits treat incomplete rows (the record's
        ``sample.missing`` unless overridden).
    """

    record: Any
    data: pd.DataFrame
    provenance: dict
    notes: list = field(default_factory=list)
    reconstruction: Any = None
    missing: str = "listwise"


def _reconstruction_notes(result) -> list[str]:
    notes: list[str] = []
    for attr in ("notes", "messages"):
        v = getattr(result, attr, None)
        if isinstance(v, (list, tuple)):
            notes += [str(x) for x in v]
    changes = getattr(result, "changes", None)
    if changes is None:
        changes = getattr(getattr(result, "population", None), "changes", None)
    if isinstance(changes, pd.DataFrame) and not changes.empty:
        for r in changes.to_dict("records"):
            notes.append(f"{r.get('target')}: published {_short(r.get('published'))} changed to "
                         f"{_short(r.get('used'))} ({r.get('reason')})")
    return notes


def _short(value: Any) -> str:
    """A number for a sentence: four significant digits (the table keeps the full value)."""
    if isinstance(value, (float, np.floating)) and math.isfinite(value):
        return f"{float(value):.4g}"
    return str(value)


def _reverse_scored(record, data: pd.DataFrame, notes: list) -> pd.DataFrame:
    """Reverse-keyed items reverse-scored (min + max - x) before every analysis, as the paper did."""
    if not record.reversed_items:
        return data
    notes.append("Reverse-keyed items reverse-scored (1 + K - x) before every analysis: "
                 + ", ".join(record.reversed_items) + ".")
    return reverse_items(data, record.reversed_items, int(record.scale_points))


def load_inputs(paper_id: str, source: str = "reconstructed", data_path: str | None = None,
                seed: int = 2024, n: int | None = None, na: tuple[str, ...] = (),
                missing: str | None = None) -> Inputs:
    """The record and the responses a notebook analyses.

    Parameters
    ----------
    paper_id : str
        Bundled paper id (or a path to a ``paper.yaml``).
    source : {"reconstructed", "simulated"}
        Where the responses come from when ``data_path`` is not given.
    data_path : str, optional
        A CSV of real responses (item names as columns); when given it wins over ``source``.
        It is only read, never written.
    seed : int
        Seed of the reconstruction (and, later, of the bootstrap).
    n : int, optional
        Rows to reconstruct (default: the record's analysed N).
    na : tuple of str
        Missing-value codes of the CSV besides empty cells and ``NA`` (``("-99",)``).
    missing : {"listwise", "fiml"}, optional
        How incomplete rows are treated; default the record's ``sample.missing``.

    Returns
    -------
    Inputs

    Raises
    ------
    InputError
        Unknown paper or source, or a response file that does not fit the record.
    """
    record = load_record(paper_id)
    miss = record.sample.missing if missing is None else missing
    if miss not in ("listwise", "fiml"):
        raise InputError(f"missing: {miss!r}; expected listwise or fiml")
    if data_path is not None and str(data_path).strip():
        path = Path(data_path)
        if not path.is_file():
            raise InputError(f"{path}: file not found (data_path); expected a CSV of responses")
        loaded = load_responses(path, record, na=na, missing=miss)
        notes = list(loaded.notes)
        data = _reverse_scored(record, loaded.data, notes)
        # the response file's own name and hash, also when read from the validated copy
        prov = {"source": "csv", "file": loaded.file, "sha256": loaded.sha256,
                "n_read": int(loaded.n_read), "n_dropped": int(loaded.n_dropped),
                "n_rows": int(len(data)), "seed": int(seed)}
        if loaded.na:
            prov["na_codes"] = list(loaded.na)
        if miss == "fiml":
            prov["missing"] = "fiml"
            notes.append("Incomplete rows kept: the models are fitted by full-information ML "
                         + ("(the paper's treatment)." if missing is None else "(--missing fiml)."))
        return Inputs(record, data, prov, notes, None, miss)
    if source not in SOURCES:
        raise InputError(f"source: {source!r}; expected one of {', '.join(SOURCES)} or a data_path")
    result = reconstruct.reconstruct(record, source=source, seed=int(seed), n=n)
    data = result.data
    prov = {"source": source, "seed": int(seed), "n_rows": int(len(data)),
            "n_published": record.n,
            "n_status": record.values()["sample.n"].status}
    notes = _reconstruction_notes(result)
    data = _reverse_scored(record, data, notes)
    return Inputs(record, data, prov, notes, result, miss)


def data_summary(inputs: Inputs) -> pd.DataFrame:
    """Which data were used: one row per provenance field (and the loader's notes)."""
    rows = [{"field": k, "value": str(v)} for k, v in inputs.provenance.items()]
    rows += [{"field": "note", "value": str(note)} for note in inputs.notes]
    return pd.DataFrame(rows, columns=["field", "value"])


def assumptions_table(record) -> pd.DataFrame:
    """The record's assumptions: ``target, value, reason`` (values the paper did not print)."""
    rows = [{"target": a.target, "value": _shown(a.value), "reason": a.reason}
            for a in record.assumptions]
    return pd.DataFrame(rows, columns=["target", "value", "reason"])


def _shown(value) -> str:
    """An assumed value as the table prints it: whole numbers (counts, scale points) without
    decimals, other numbers to 3 decimals, lists joined by commas."""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def sample_table(record) -> pd.DataFrame:
    """The published sample description (N, scale, software, groups) with locations."""
    rows = []
    s = record.sample
    for name in ("n", "invited", "response_rate", "scale_points"):
        v = record.values().get(f"sample.{name}") if name in ("n", "scale_points") else None
        p = getattr(s, name)
        if p is not None:
            rows.append({"measure": name, "category": "", "printed": p.printed, "status": "published",
                         "where": p.where})
        elif v is not None:
            rows.append({"measure": name, "category": "", "printed": str(v.value),
                         "status": v.status, "where": f"assumption: {v.reason}"})
    if s.software is not None:
        rows.append({"measure": "software", "category": "", "printed": s.software.value,
                     "status": "published", "where": s.software.where})
    for g in s.groups:
        for kind in ("count", "percent"):
            p = getattr(g, kind)
            if p is not None:
                rows.append({"measure": f"{g.measure} ({kind})", "category": g.category,
                             "printed": p.printed, "status": "published", "where": p.where})
    return pd.DataFrame(rows, columns=["measure", "category", "printed", "status", "where"])
