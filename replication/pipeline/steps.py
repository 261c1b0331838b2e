"""The per-paper pipeline the notebooks call: inputs, CFA, SEM, moderation, mediation, results.

A notebook holds no statistics: each of its cells calls one function here (or in
:mod:`replication.compare.core` / :mod:`replication.report.diagrams`) and displays what comes back. The
functions compose the single-topic modules:

- :func:`load_inputs`: the record and the responses (reconstructed or simulated by
  :mod:`replication.data.reconstruct`, or a user's CSV checked by :mod:`replication.data.responses`), with
  a provenance block saying exactly which data were used;
- :func:`run_cfa` / :func:`run_sem`: :func:`replication.engine.sem.fit` on the syntax of
  :mod:`replication.engine.syntax`; :func:`measurement_tables`: reliability and validity from
  :mod:`replication.analyses.measurement`;
- :func:`run_moderation` / :func:`run_mediation`: the record's moderations and mediations
  through :mod:`replication.analyses.moderation` and :mod:`replication.analyses.mediation`;
- :func:`collect_results` and :func:`write_results`: the ``results.json`` of a run, written with
  deterministic bytes (sorted keys, floats rounded to :data:`DIGITS` decimals, no time stamps,
  no absolute paths), so that the same inputs and seed give an identical file.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from replication.compare import core as compare
from replication.engine.errors import InputError
from replication.data.files import atomic_write_text

__all__ = [
    "DIGITS",
    "Inputs",
    "load_inputs",
    "data_summary",
    "assumptions_table",
    "sample_table",
    "run_audit",
    "audit_table",
    "run_cfa",
    "run_sem",
    "fit_table",
    "measurement_tables",
    "composite_scores",
    "controls",
    "run_moderation",
    "moderation_tables",
    "RegressionPaths",
    "regression_paths",
    "run_mediation",
    "mediation_table",
    "section_title",
    "versions",
    "collect_results",
    "to_jsonable",
    "dumps",
    "write_results",
]

#: Decimals kept for floats in ``results.json``.
DIGITS = 6

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
    """

    record: Any
    data: pd.DataFrame
    provenance: dict
    notes: list = field(default_factory=list)
    reconstruction: Any = None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


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


def load_inputs(paper_id: str, source: str = "reconstructed", data_path: str | None = None,
                seed: int = 2024, n: int | None = None) -> Inputs:
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
        Rows to reconstruct (default: the record's N).

    Returns
    -------
    Inputs

    Raises
    ------
    InputError
        Unknown paper or source, or a response file that does not fit the record.
    """
    from replication.record.schema import load_record

    record = load_record(paper_id)
    if data_path is not None and str(data_path).strip():
        from replication.data.responses import load_responses

        path = Path(data_path)
        if not path.is_file():
            raise InputError(f"{path}: file not found (data_path); expected a CSV of responses")
        loaded = load_responses(path, record)
        data = loaded.data
        prov = {"source": "csv", "file": path.name, "sha256": _sha256(path),
                "n_read": int(loaded.n_read), "n_dropped": int(loaded.n_dropped),
                "n_rows": int(len(data)), "seed": int(seed)}
        return Inputs(record, data, prov, list(loaded.notes), None)
    if source not in SOURCES:
        raise InputError(f"source: {source!r}; expected one of {', '.join(SOURCES)} or a data_path")
    from replication.data import reconstruct

    result = reconstruct.reconstruct(record, source=source, seed=int(seed), n=n)
    data = result.data
    prov = {"source": source, "seed": int(seed), "n_rows": int(len(data)),
            "n_published": record.n,
            "n_status": record.values()["sample.n"].status}
    return Inputs(record, data, prov, _reconstruction_notes(result), result)


def data_summary(inputs: Inputs) -> pd.DataFrame:
    """Which data were used: one row per provenance field (and the loader's notes)."""
    rows = [{"field": k, "value": str(v)} for k, v in inputs.provenance.items()]
    rows += [{"field": "note", "value": str(note)} for note in inputs.notes]
    return pd.DataFrame(rows, columns=["field", "value"])


def assumptions_table(record) -> pd.DataFrame:
    """The record's assumptions: ``target, value, reason`` (values the paper did not print)."""
    rows = [{"target": a.target, "value": a.value if not isinstance(a.value, list)
             else ", ".join(map(str, a.value)), "reason": a.reason} for a in record.assumptions]
    return pd.DataFrame(rows, columns=["target", "value", "reason"])


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


# --------------------------------------------------------------------------------------------
# Audit
# --------------------------------------------------------------------------------------------
def run_audit(record) -> dict:
    """Consistency checks of the published numbers, as the JSON of ``replicate audit --json``.

    Returns
    -------
    dict
        ``{"paper", "findings": [{"check", "where", "reported", "recomputed", "status",
        "detail"}], "summary": {...}}`` from :func:`replication.audit.core.to_json`; ``summary`` holds
        the audit's counts and classification plus ``counts`` (findings by status).
    """
    from replication.audit import core as audit_mod

    report = audit_mod.audit(record)
    out = dict(audit_mod.to_json(report))
    counts = {"consistent": 0, "inconsistent": 0, "not_checkable": 0}
    for f in out.get("findings", []):
        st = f.get("status", "not_checkable")
        counts[st] = counts.get(st, 0) + 1
    summary = dict(out.get("summary") or {})
    summary["counts"] = counts
    out["summary"] = summary
    return out


def audit_table(audit_json: dict) -> pd.DataFrame:
    """Findings of :func:`run_audit` as a table (inconsistent first)."""
    cols = ["check", "where", "reported", "recomputed", "status", "detail"]
    rows = [{c: f.get(c) for c in cols} for f in audit_json.get("findings", [])]
    df = pd.DataFrame(rows, columns=cols)
    order = {"inconsistent": 0, "consistent": 1, "not_checkable": 2}
    if not df.empty:
        df = df.assign(_o=df["status"].map(order).fillna(3)).sort_values(
            ["_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return df


# --------------------------------------------------------------------------------------------
# CFA and SEM
# --------------------------------------------------------------------------------------------
def run_cfa(inputs: Inputs):
    """Confirmatory factor analysis of every latent construct (all factors correlated).

    Returns
    -------
    SEMResult
        :func:`replication.engine.sem.fit` of :func:`replication.engine.syntax.cfa_syntax`.
    """
    from replication.engine import sem
    from replication.engine import syntax

    return sem.fit(syntax.cfa_syntax(inputs.record), inputs.data)


def run_sem(inputs: Inputs):
    """The structural model the paper describes (``None`` for a regression paper).

    Returns
    -------
    SEMResult or None
        :func:`replication.engine.sem.fit` of :func:`replication.engine.syntax.sem_syntax`.
    """
    from replication.engine import sem
    from replication.engine import syntax

    if inputs.record.model.kind != "sem":
        return None
    return sem.fit(syntax.sem_syntax(inputs.record), inputs.data)


_FIT_ROWS = ["chisq", "df", "pvalue", "chisq_df", "cfi", "tli", "nfi", "ifi", "gfi", "agfi",
             "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr"]


def fit_table(*results, names: tuple[str, ...] = ("CFA", "SEM")) -> pd.DataFrame:
    """Fit measures of fitted models side by side (lavaan names as rows).

    Parameters
    ----------
    *results : SEMResult or None
        Models to show (``None`` entries are skipped).
    names : tuple of str
        Column names, one per result.

    Returns
    -------
    DataFrame
        Rows ``chisq, df, pvalue, chisq_df, cfi, tli, nfi, ifi, gfi, agfi, rmsea,
        rmsea.ci.lower, rmsea.ci.upper, srmr`` and ``converged``.
    """
    cols = {}
    for name, res in zip(names, results):
        if res is None:
            continue
        fm = res.fit_measures
        col = {k: fm.get(k, np.nan) for k in _FIT_ROWS}
        col["converged"] = bool(res.converged)
        cols[name] = col
    return pd.DataFrame(cols, index=_FIT_ROWS + ["converged"])


def measurement_tables(inputs: Inputs, cfa) -> dict[str, Any]:
    """Reliability and validity of the measurement model.

    Returns
    -------
    dict
        ``reliability`` (alpha, CR, AVE per construct), ``fornell_larcker``, ``htmt`` (DataFrames)
        and ``harman`` (dict) from :mod:`replication.analyses.measurement`.
    """
    from replication.analyses import measurement as ms

    rec = inputs.record
    items = {c: rec.items[c] for c in rec.latent_constructs}
    multi = {c: its for c, its in items.items() if len(its) > 1}
    all_items = [i for its in items.values() for i in its]
    return {
        "reliability": ms.reliability_table(cfa, inputs.data, items),
        "fornell_larcker": ms.fornell_larcker(cfa, items),
        "htmt": ms.htmt(inputs.data, multi),
        "harman": ms.harman_single_factor(inputs.data, all_items),
    }


# --------------------------------------------------------------------------------------------
# Moderation and mediation
# --------------------------------------------------------------------------------------------
def controls(record) -> list[str]:
    """Control variables of the model (printed, else assumed ``model.controls``)."""
    if record.model.controls:
        return list(record.model.controls)
    v = record.values().get("model.controls")
    return list(v.value) if v is not None else []


def composite_scores(inputs: Inputs) -> pd.DataFrame:
    """Item-mean score of every construct (single-item controls are their item).

    Returns
    -------
    DataFrame
        One column per construct of the record, named as the construct.
    """
    data = inputs.data
    out = {}
    for c, its in inputs.record.items.items():
        present = [i for i in its if i in data.columns]
        if len(present) != len(its):
            raise InputError(f"data: item(s) {', '.join(i for i in its if i not in present)} of "
                             f"{c} are missing")
        out[c] = data[its].astype(float).mean(axis=1)
    return pd.DataFrame(out, index=data.index)


def run_moderation(inputs: Inputs) -> dict[str, Any]:
    """Every moderation of the record.

    Returns
    -------
    dict
        ``regression``: one :class:`~replication.analyses.moderation.ModerationResult` for all
        ``method: regression`` moderations (every focal predictor crossed with every moderator,
        per outcome, mean-centred, controls first), or ``None``; ``latent``: list of
        :class:`~replication.analyses.moderation.LatentModerationResult`, one per ``method:
        latent_product`` moderation (double-mean-centred matched-pair product indicators).
    """
    from replication.analyses import moderation as mod

    rec = inputs.record
    out: dict[str, Any] = {"regression": None, "latent": []}
    regs = [m for m in rec.model.moderations if m.method == "regression"]
    if regs:
        comp = composite_scores(inputs)
        xs = list(dict.fromkeys(m.x for m in regs))
        ms_ = list(dict.fromkeys(m.m for m in regs))
        ys = list(dict.fromkeys(m.y for m in regs))
        out["regression"] = mod.regression_moderation(comp, xs, ms_, ys, controls=controls(rec),
                                                      center=True)
    for m in rec.model.moderations:
        if m.method != "latent_product":
            continue
        items = rec.items
        out["latent"].append(mod.latent_moderation(inputs.data, m.x, items[m.x], m.m, items[m.m],
                                                   m.y, items[m.y]))
    return out


def moderation_tables(moderation: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """Tables of :func:`run_moderation`: steps, coefficients, simple slopes, latent paths.

    Returns
    -------
    dict of DataFrame
        ``steps`` and ``coefficients`` (hierarchical regression), ``slopes`` (simple slopes at
        the moderator's mean and +/- 1 SD), ``johnson_neyman`` (one row per x/m/y: region and
        bounds), ``latent_paths`` and ``latent_slopes`` (latent interaction models).
    """
    from replication.analyses import moderation as mod

    out: dict[str, pd.DataFrame] = {}
    reg = moderation.get("regression")
    if reg is not None:
        out["steps"] = reg.steps
        out["coefficients"] = reg.coefficients[reg.coefficients["step"] == reg.coefficients["step"].max()]
        out["slopes"] = mod.simple_slopes(reg)
        rows = []
        for y in reg.y:
            for x in reg.x:
                for m in reg.m:
                    jn = mod.johnson_neyman(reg, x, m, y)
                    rows.append({"y": y, "x": x, "m": m, "region": jn.region,
                                 "bounds": ", ".join(f"{b:.3f}" for b in jn.bounds),
                                 "share_significant": jn.share_significant,
                                 "m_min": jn.m_range[0], "m_max": jn.m_range[1]})
        out["johnson_neyman"] = pd.DataFrame(rows)
    lat = moderation.get("latent") or []
    if lat:
        paths, slopes = [], []
        for r in lat:
            p = r.paths.copy()
            paths.append(p)
            s = r.slopes.copy()
            s.insert(0, "interaction", r.paths["rhs"].iloc[-1] if len(r.paths) else "")
            slopes.append(s)
        out["latent_paths"] = pd.concat(paths, ignore_index=True)
        out["latent_slopes"] = pd.concat(slopes, ignore_index=True)
    return out


@dataclass(frozen=True)
class RegressionPaths:
    """Main effects of a hierarchical regression in the shape of a fitted model's ``params``.

    ``params`` has ``lhs`` (outcome), ``op`` (``~``), ``rhs`` (predictor), ``est`` (b), ``se``,
    ``z`` (the t statistic), ``pvalue`` and ``std_all`` (the standardized beta), so that
    :mod:`replication.compare.core` reads regression papers as it reads SEM papers.
    """

    params: pd.DataFrame
    converged: bool = True


def regression_paths(result) -> RegressionPaths:
    """Main-effects step of a :class:`~replication.analyses.moderation.ModerationResult` as paths.

    Returns
    -------
    RegressionPaths
        One row per outcome and non-control predictor of the step labelled ``main effects``.
    """
    coefs = result.coefficients
    main = coefs[(coefs["label"] == "main effects") & (coefs["term"] != "const")
                 & (~coefs["term"].isin(result.controls))]
    params = pd.DataFrame({"lhs": main["y"].to_numpy(), "op": "~", "rhs": main["term"].to_numpy(),
                           "est": main["b"].to_numpy(float), "se": main["se"].to_numpy(float),
                           "z": main["t"].to_numpy(float), "pvalue": main["pvalue"].to_numpy(float),
                           "std_all": main["beta"].to_numpy(float)})
    return RegressionPaths(params=params)


def run_mediation(inputs: Inputs, n_bootstrap: int, seed: int, setting: str | None = None
                  ) -> dict[str, Any]:
    """Every mediation of the record, with bootstrap intervals.

    Parameters
    ----------
    inputs : Inputs
    n_bootstrap : int
        Bootstrap resamples.
    seed : int
        Seed of the bootstrap. In the latent setting one bootstrap of the SEM (seed ``seed``)
        serves every mediation; on composites each mediation gets ``seed + k``, k its position.
    setting : {"latent", "composite"}, optional
        Latent SEM (the record's structural model, indirect effects as products of its paths)
        or OLS on composite scores. Default: latent for an SEM paper, composite otherwise.

    Returns
    -------
    dict
        ``"X=>Y"`` -> :class:`~replication.analyses.mediation.MediationResult`.
    """
    from replication.analyses import mediation as med
    from replication.engine import syntax

    rec = inputs.record
    if not rec.model.mediations:
        return {}
    if setting is None:
        setting = "latent" if rec.model.kind == "sem" else "composite"
    if setting not in ("latent", "composite"):
        raise InputError(f"setting: {setting!r}; expected 'latent' or 'composite'")
    out: dict[str, Any] = {}
    shared = None
    if setting == "latent":  # one bootstrap of the SEM serves every mediation, as in lavaan
        model = syntax.sem_syntax(rec)
        shared = med.latent_bootstrap(inputs.data, model, int(n_bootstrap), int(seed))
    for k, m in enumerate(rec.model.mediations):
        kw = dict(n_boot=int(n_bootstrap), seed=int(seed) + k, progress=False)
        if setting == "latent":
            res = med.mediation(inputs.data, m.x, list(m.mediators), m.y,
                                latent_model=model, bootstrap_result=shared, **kw)
        else:
            res = med.mediation(composite_scores(inputs), m.x, list(m.mediators), m.y,
                                covar=controls(rec) or None, **kw)
        out[f"{m.x}=>{m.y}"] = res
    return out


def mediation_table(mediation: dict[str, Any]) -> pd.DataFrame:
    """Effects of every mediation in one table (``mediation`` column = ``"X=>Y"``)."""
    frames = []
    for key, res in mediation.items():
        e = res.effects.copy()
        e.insert(0, "mediation", key)
        e["n_boot_ok"] = res.n_ok
        e["n_boot_failed"] = res.n_failed
        frames.append(e)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# --------------------------------------------------------------------------------------------
# Headings
# --------------------------------------------------------------------------------------------
def section_title(record, section: str) -> str:
    """A notebook heading: the section name and the paper's tables it reproduces.

    ``section`` is one of :data:`replication.report.catalog.SECTIONS`' values; the result reads e.g.
    ``"Table III: Structural model and hypotheses"`` or ``"Structural model and hypotheses"``
    when the paper prints no table for it.
    """
    from replication.report.catalog import published_tables

    locs = []
    for e in published_tables(record):
        if section in e.section.split(" / ") and e.location not in locs:
            locs.append(e.location)
    return f"{' and '.join(locs)}: {section}" if locs else section


# --------------------------------------------------------------------------------------------
# Versions and results
# --------------------------------------------------------------------------------------------
def versions() -> dict[str, str]:
    """Versions of Python and of the packages the computations use."""
    from importlib import metadata

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
        x = float(obj)
        if not math.isfinite(x):
            return None
        r = round(x, digits)
        return 0.0 if r == 0 else r
    if obj is None or isinstance(obj, str):
        return obj
    if obj is pd.NA:
        return None
    return str(obj)


def _sem_block(res) -> dict | None:
    if res is None:
        return None
    fm = {k: res.fit_measures.get(k) for k in _FIT_ROWS if k in res.fit_measures}
    p = res.params
    keep = p[p["op"].isin(["=~", "~", "~~"])][["lhs", "op", "rhs", "est", "se", "z", "pvalue", "std_all"]]
    return {"converged": bool(res.converged), "warnings": list(res.warnings), "n": int(res.n),
            "fit": fm, "r2": getattr(res, "r2", pd.Series(dtype=float)),
            "parameters": keep.reset_index(drop=True)}


def collect_results(inputs: Inputs, *, cfa=None, sem_result=None, measurement=None,
                    moderation=None, mediation=None, audit=None, comparisons=None,
                    hypotheses=None, n_bootstrap: int | None = None, alpha: float = 0.05
                    ) -> dict:
    """The ``results.json`` content of one paper.

    Parameters
    ----------
    inputs : Inputs
    cfa, sem_result : SEMResult, optional
    measurement : dict, optional
        :func:`measurement_tables`.
    moderation : dict, optional
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

    Returns
    -------
    dict
        Keys ``paper, title, evidence, citation, data, parameters, assumptions, audit, cfa,
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
        mod_block["latent_fit"] = [_sem_block(r.fit) for r in moderation.get("latent") or []]
    med_block = None
    if mediation:
        med_block = {"effects": mediation_table(mediation),
                     "n_boot": {k: int(r.n_boot) for k, r in mediation.items()},
                     "n_failed": {k: int(r.n_failed) for k, r in mediation.items()},
                     "kind": {k: str(r.kind) for k, r in mediation.items()}}
    meas = None
    if measurement:
        meas = {"reliability": measurement["reliability"],
                "fornell_larcker": measurement["fornell_larcker"],
                "htmt": measurement["htmt"], "harman": measurement["harman"]}
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
        "cfa": _sem_block(cfa),
        "sem": _sem_block(sem_result),
        "measurement": meas,
        "moderation": mod_block,
        "mediation": med_block,
        "comparisons": comparisons,
        "hypotheses": hyp,
        "summary": {"hypotheses": hyp_counts, "values": value_counts,
                    "classification": compare.classify_reproduction(
                        hyp_counts, value_counts, rec.evidence,
                        source=str(inputs.provenance.get("source", "csv"))),
                    "converged": all(r.converged for r in (cfa, sem_result) if r is not None)},
        "versions": versions(),
    }
    return to_jsonable(out)


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
