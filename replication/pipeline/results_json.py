"""The ``results.json`` of a replication: content, deterministic text and atomic writing.

:func:`collect_results` gathers every step's output into plain JSON types; :func:`dumps` gives
deterministic bytes (sorted keys, floats rounded to :data:`DIGITS` decimals, no time stamps, no
absolute paths), so the same inputs and seed give an identical file whether the pipeline ran in a
notebook (``replicate run``) or through :func:`replication.pipeline.replicate`.
"""

from __future__ import annotations

import json
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from replication.compare import core as compare
from replication.data.files import atomic_write_text
from replication.engine.numbers import json_float
from replication.pipeline.estimation import ROBUST_ROWS
from replication.pipeline.inputs import Inputs
from replication.pipeline.steps import FIT_ROWS, mediation_table, moderation_tables
from replication.report.exports import residual_correlations

__all__ = ["DIGITS", "versions", "to_jsonable", "collect_results", "dumps", "write_results"]

#: Decimals kept for floats in ``results.json``.
DIGITS = 6


# --------------------------------------------------------------------------------------------
# Versions and results
# --------------------------------------------------------------------------------------------
def versions() -> dict[str, str]:
    """Versions of Python and of the packages the computations use."""
    out = {"python": platform.python_version()}
    for pkg in ("replication", "numpy", "scipy", "pandas", "semopy", "statsmodels", "pingouin",
                "matplotlib", "networkx", "papermill"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def to_jsonable(obj: Any, digits: int = DIGITS) -> Any:
    """Plain JSON types: floats rounded, NaN and infinities as ``None``, frames as row lists."""
    if isinstance(obj, pd.DataFrame):
        df = obj.reset_index() if not isinstance(obj.index, pd.RangeIndex) else obj
        return [to_jsonable(r, digits) for r in df.to_dict("records")]
    if isinstance(obj, pd.Series):
        return {str(k): to_jsonable(v, digits) for k, v in obj.items()}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v, digits) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v, digits) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return json_float(obj, digits)
    if obj is None or isinstance(obj, str):
        return obj
    if obj is pd.NA:
        return None
    return str(obj)


#: Why a step used fewer rows than the responses it was given.
DROPPED = {"listwise": "missing values in the step's columns (listwise deletion)",
           "fiml": "no value in the model's columns (full-information ML uses every other row)"}


def _rows(step: str, n_rows: int, n_used: int, missing: str) -> dict:
    """One step's rows: given, used, left out and why (``reason`` None when none was)."""
    dropped = int(n_rows) - int(n_used)
    return {"step": step, "n_rows": int(n_rows), "n_used": int(n_used), "n_dropped": dropped,
            "reason": (DROPPED["fiml" if missing == "fiml" and step != "moderation"
                               else "listwise"] if dropped else None)}


def rows_block(inputs: Inputs, cfa=None, sem_result=None, moderation=None) -> dict:
    """The rows of the response file and of every step (``results.json`` key ``rows``):
    ``n_read`` and ``n_dropped`` on reading (with a file; listwise deletion over the items,
    or none under full-information ML), ``n_rows`` analysed, and per step (``cfa``, ``sem``,
    ``moderation``, each latent moderation) ``n_rows, n_used, n_dropped, reason``."""
    prov = inputs.provenance
    n = len(inputs.data)
    read = int(prov.get("n_read", n))
    on_reading = int(prov.get("n_dropped", 0))
    steps = [_rows(name, n, r.n, inputs.missing)
             for name, r in (("cfa", cfa), ("sem", sem_result)) if r is not None]
    if moderation and moderation.regression is not None and \
            getattr(moderation.regression, "n", None) is not None:
        steps.append(_rows("moderation", n, moderation.regression.n, "listwise"))
    if moderation:
        for k, lat in enumerate(moderation.latent, 1):
            if getattr(lat, "fit", None) is not None:
                steps.append(_rows(f"latent_moderation_{k}", n, lat.fit.n, inputs.missing))
    return {"n_read": read, "n_dropped": on_reading,
            "reason": ("missing values in the items (listwise deletion)" if on_reading
                       else None),
            "n_rows": int(n), "steps": steps}


def _sem_block(res, n_rows: int | None = None, missing: str = "listwise") -> dict | None:
    if res is None:
        return None
    # the scaled and robust measures are there only when the record's estimator is MLM or MLR
    fm = {k: res.fit_measures.get(k) for k in FIT_ROWS + ROBUST_ROWS if k in res.fit_measures}
    p = res.params
    keep = p[p["op"].isin(["=~", "~", "~~"])][["lhs", "op", "rhs", "est", "se", "z", "pvalue", "std_all"]]
    out = {"converged": bool(res.converged), "warnings": list(res.warnings), "n": int(res.n),
           "fit": fm, "r2": getattr(res, "r2", pd.Series(dtype=float)),
           "parameters": keep.reset_index(drop=True)}
    if n_rows is not None:
        out["n_rows"] = int(n_rows)
        out["n_dropped"] = int(n_rows) - int(res.n)
        out["dropped"] = _rows("", n_rows, res.n, missing)["reason"]
    return out


def collect_results(inputs: Inputs, *, cfa=None, sem_result=None, measurement=None,
                    moderation=None, mediation=None, audit=None, comparisons=None,
                    hypotheses=None, n_bootstrap: int | None = None, alpha: float = 0.05,
                    original_vs_replication=None) -> dict:
    """The ``results.json`` content of one paper.

    Parameters
    ----------
    inputs : Inputs
    cfa, sem_result : SEMResult, optional
    measurement : MeasurementTables, optional
        :func:`measurement_tables`.
    moderation : Moderations, optional
        :func:`run_moderation`.
    mediation : dict, optional
        :func:`run_mediation`.
    audit : dict, optional
        :func:`run_audit`.
    comparisons : dict of DataFrame, optional
        Named tables of :mod:`replication.compare.core` (``loadings``, ``paths``, ``fit_cfa``...).
    hypotheses : DataFrame, optional
        :func:`replication.compare.core.hypothesis_verdicts`.
    n_bootstrap : int, optional
    alpha : float
    original_vs_replication : OriginalVsReplication, optional
        With real responses: the two-group comparison of the original and the new sample
        (:func:`replication.pipeline.original_replication.original_vs_replication`), under
        the key ``original_vs_replication``; without, the key is absent.

    Returns
    -------
    dict
        Keys ``paper, title, evidence, citation, data, parameters, assumptions, audit, rows
        (:func:`rows_block`: the rows read, analysed and used by every step, and why rows were
        left out), cfa (with ``n_rows, n_dropped, dropped`` and ``residual_correlations``: the
        observed minus model-implied correlations as ``{lhs, rhs, est}`` rows),
        sem, measurement, moderation, mediation, comparisons, hypotheses, summary, versions``.
        No time stamps and no absolute paths: the same inputs give the same dict.
    """
    rec = inputs.record
    comparisons = {k: v for k, v in (comparisons or {}).items() if v is not None}
    hyp = hypotheses if hypotheses is not None else pd.DataFrame()
    hyp_counts = {"reproduced": 0, "not reproduced": 0, "not comparable": 0}
    for v in (hyp["verdict"] if "verdict" in hyp.columns else []):
        hyp_counts[v] = hyp_counts.get(v, 0) + 1
    value_counts = compare.summarize(*comparisons.values())
    mod_block = None
    if moderation:
        tabs = moderation_tables(moderation)
        mod_block = {k: v for k, v in tabs.items()}
        mod_block["latent_fit"] = [_sem_block(r.fit, len(inputs.data), inputs.missing)
                                   for r in moderation.latent]
    med_block = None
    if mediation:
        med_block = {"effects": mediation_table(mediation),
                     "n_boot": {k: int(r.n_boot) for k, r in mediation.items()},
                     "n_failed": {k: int(r.n_failed) for k, r in mediation.items()},
                     "kind": {k: str(r.kind) for k, r in mediation.items()}}
    meas = None
    if measurement:
        meas = {"reliability": measurement.reliability,
                "fornell_larcker": measurement.fornell_larcker,
                "htmt": measurement.htmt, "harman": measurement.harman}
    audit_block = None
    if audit is not None:
        audit_block = {"summary": audit.get("summary"), "findings": audit.get("findings", [])}
    out = {
        "paper": rec.id,
        "title": rec.title,
        "short_title": rec.short_title,
        "evidence": rec.evidence,
        "citation": {"authors": list(rec.citation.authors), "year": rec.citation.year,
                     "venue": rec.citation.venue},
        "data": dict(inputs.provenance),
        "data_notes": list(inputs.notes),
        "parameters": {"seed": inputs.provenance.get("seed"), "n_bootstrap": n_bootstrap,
                       "alpha": alpha, "source": inputs.provenance.get("source")},
        "assumptions": [{"target": a.target, "value": a.value, "reason": a.reason}
                        for a in rec.assumptions],
        "audit": audit_block,
        "rows": rows_block(inputs, cfa, sem_result, moderation),
        "cfa": _sem_block(cfa, len(inputs.data), inputs.missing),
        "sem": _sem_block(sem_result, len(inputs.data), inputs.missing),
        "measurement": meas,
        "moderation": mod_block,
        "mediation": med_block,
        "comparisons": comparisons,
        "hypotheses": hyp,
        "summary": {"hypotheses": hyp_counts, "values": value_counts,
                    "classification": compare.classify_reproduction(
                        hyp_counts, value_counts, rec.evidence,
                        source=str(inputs.provenance.get("source", "csv")),
                        problems=_fit_problems(cfa, sem_result, moderation)),
                    "converged": all(r.converged for r in (cfa, sem_result) if r is not None)},
        "versions": versions(),
    }
    if original_vs_replication is not None:
        out["original_vs_replication"] = original_vs_replication.to_json()
    residuals = _residual_correlations(cfa)
    if out["cfa"] is not None and residuals is not None:
        out["cfa"]["residual_correlations"] = residuals
    return to_jsonable(out)


def _residual_correlations(res) -> list[dict] | None:
    """Observed minus model-implied correlations of a fit (``{lhs, rhs, est}`` rows, lower
    triangle in the order of the observed variables); None when the fit has no single-group
    observed and implied covariance matrices."""
    if res is None:
        return None
    try:
        sample, implied = res.sample_cov, res.implied_cov
    except (AttributeError, NotImplementedError, ValueError):
        return None
    if not (isinstance(sample, pd.DataFrame) and isinstance(implied, pd.DataFrame)) \
            or sample.shape != implied.shape or sample.shape[0] < 2 \
            or set(sample.index) != set(implied.index):
        return None
    return residual_correlations(sample, implied)


def _fit_problems(cfa, sem_result, moderation) -> list[str]:
    """Fits that did not converge or are inadmissible, named as the report names them."""
    fits = {"CFA": cfa, "SEM": sem_result}
    for k, r in enumerate(moderation.latent if moderation else ()):
        fits[f"latent interaction model {k + 1}"] = r.fit
    return compare.fit_problems(**fits)


def dumps(results: dict) -> str:
    """Deterministic JSON text: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(to_jsonable(results), sort_keys=True, indent=2, ensure_ascii=False,
                      allow_nan=False) + "\n"


def write_results(results: dict, out_dir: str | os.PathLike | None) -> Path | None:
    """Write ``results.json`` into ``out_dir`` atomically (temporary name, then rename).

    Returns
    -------
    Path or None
        The file written (``None`` when ``out_dir`` is ``None``: nothing is written).
    """
    if out_dir is None or str(out_dir) == "":
        return None
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return atomic_write_text(folder / "results.json", dumps(results))
