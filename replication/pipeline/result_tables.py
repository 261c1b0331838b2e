"""What every paper result shows: its record, its printed-vs-replicated tables by name, the
classification, a short summary and the ``results.json`` bytes (shared by
:class:`replication.pipeline.paper.PaperResult` and
:class:`replication.pipeline.pls_steps.PLSPaperResult`)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from replication.data.files import atomic_write_text
from replication.engine.arguments import check_path
from replication.pipeline import results_json

__all__ = ["PaperTables"]


class PaperTables:
    """Mixin over ``inputs``, ``comparisons``, ``hypotheses`` and ``results``."""

    @property
    def record(self):
        """The published record."""
        return self.inputs.record

    @property
    def loadings(self) -> pd.DataFrame | None:
        """Standardized loadings, printed vs replicated."""
        return self.comparisons.get("loadings")

    @property
    def paths(self) -> pd.DataFrame | None:
        """Structural paths, printed vs replicated."""
        return self.comparisons.get("paths")

    @property
    def reliability(self) -> pd.DataFrame | None:
        """Alpha, CR and AVE, printed vs replicated."""
        return self.comparisons.get("reliability")

    @property
    def classification(self) -> dict:
        """``{"label", "reason"}``: reproduced, with minor issues, partly, or not reproduced."""
        return self.results["summary"]["classification"]

    def _method_line(self) -> str:
        """What the summary says after the data (nothing by default)."""
        return ""

    def summary(self) -> str:
        """A few lines: the paper, the data, the classification and each hypothesis."""
        verdict = self.classification
        prov = self.inputs.provenance
        lines = [f"{self.record.id}: {self.record.short_title}",
                 f"data: {prov.get('source')} ({prov.get('n_rows')} rows, seed {prov.get('seed')})"
                 + self._method_line(),
                 f"replication: {verdict['label']} ({verdict['reason']})"]
        hyp = self.hypotheses
        if hyp is not None and not hyp.empty and "verdict" in hyp.columns:
            key = "hypothesis" if "hypothesis" in hyp.columns else hyp.columns[0]
            for _, row in hyp.iterrows():
                lines.append(f"  {row[key]}: {row['verdict']}")
        return "\n".join(lines)

    def to_json_text(self) -> str:
        """The ``results.json`` text: deterministic bytes (see :func:`results_json.dumps`)."""
        return results_json.dumps(self.results)

    def to_json(self, path: str | os.PathLike) -> Path:
        """Write ``results.json`` atomically; ``path`` is a file, or a folder to write it into.

        The bytes are those ``replicate run`` writes for the same inputs and seed.
        """
        target = Path(check_path(path, "path", "a file or folder path"))
        if target.is_dir():
            target = target / "results.json"
        return atomic_write_text(target, self.to_json_text(), what="results")
