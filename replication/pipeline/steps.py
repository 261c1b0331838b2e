"""The analysis steps of the pipeline: audit, CFA, SEM, measurement, moderation, mediation.

Each step is one function that composes single-topic modules and returns their result; a notebook
cell calls one of them and displays what comes back, and :func:`replication.pipeline.replicate`
calls them in sequence:

- :func:`run_audit`: the consistency checks of :mod:`replication.audit`;
- :func:`run_cfa` / :func:`run_sem`: the one entry point :func:`replication.engine.api.fit` on
  the record's syntax (:mod:`replication.record.lavaan`) with the record's estimator, missing-data
  treatment and groups (:func:`replication.pipeline.estimation.fit_record_model`);
  :func:`fit_label` and :func:`estimation_sentence` say how a model was fitted;
  :func:`measurement_tables`: reliability and validity from
  :mod:`replication.analyses.measurement`;
- :func:`run_moderation` / :func:`run_mediation`: the record's moderations and mediations
  through :mod:`replication.analyses.moderation` and :mod:`replication.analyses.mediation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from replication.analyses import measurement as ms
from replication.analyses import mediation as med
from replication.analyses import moderation as mod
from replication.analyses.latent_moderation import latent_moderation
from replication.audit import core as audit_mod
from replication.compare.fits import INADMISSIBLE
from replication.engine.errors import InputError
from replication.pipeline.estimation import ROBUST_ROWS, fit_record_model
from replication.pipeline.inputs import Inputs
from replication.report.catalog import published_tables

__all__ = [
    "FIT_ROWS",
    "MeasurementTables",
    "Moderations",
    "run_audit",
    "audit_table",
    "run_cfa",
    "run_sem",
    "named_fits",
    "fit_table",
    "fit_label",
    "fit_estimation",
    "estimation_sentence",
    "measurement_tables",
    "composite_scores",
    "controls",
    "run_moderation",
    "moderation_tables",
    "regression_paths",
    "run_mediation",
    "mediation_table",
    "mediation_notes",
    "section_title",
]


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
    RecordFit
        :func:`replication.engine.api.fit` of the record's CFA (``Record.cfa_syntax``: built
        from the constructs, or the measurement part of ``model.syntax`` with its residual
        covariances), with the record's missing-data treatment (``Inputs.missing``) and
        estimator (``model.estimator``, ``se``, ``test``: robust SEs and scaled fit measures
        with MLM or MLR, DWLS or WLSMV of the ordered items), and several groups with
        ``model.group`` (:func:`replication.pipeline.estimation.fit_record_model`); its
        ``estimation`` says what it was fitted with. What the suite cannot fit is refused
        with one line naming the field.
    """
    return fit_record_model(inputs.record, inputs.record.cfa_syntax(), inputs.data,
                            missing=inputs.missing, name="cfa")


def run_sem(inputs: Inputs):
    """The structural model the paper describes (``None`` for a regression or a CFA paper).

    Returns
    -------
    RecordFit or None
        :func:`replication.engine.api.fit` of the record's model (``Record.main_syntax``:
        ``model.syntax`` exactly, else built from constructs and paths).
    """
    if inputs.record.model.kind != "sem":
        return None
    return fit_record_model(inputs.record, inputs.record.main_syntax(), inputs.data,
                            missing=inputs.missing, name="sem")


def named_fits(inputs: Inputs, cfa, sem_result) -> dict:
    """Every model the record names, fitted: its main model, CFA, SEM and each fit block with
    its own syntax (a competing model, a model revised by modification indices).

    Returns
    -------
    dict
        ``{"main": ..., "cfa": ..., "sem": ..., <block name>: SEMResult}`` (``sem`` only for a
        ``sem`` record; ``main`` is the SEM, or the CFA of a ``cfa`` record).
    """
    rec = inputs.record
    out = {"main": sem_result if sem_result is not None else cfa, "cfa": cfa}
    if sem_result is not None:
        out["sem"] = sem_result
    for block in rec.results.fit:
        if block.syntax is not None and block.model not in out:
            out[block.model] = fit_record_model(rec, block.syntax, inputs.data,
                                                missing=inputs.missing, name=block.model)
    return out


FIT_ROWS = ["chisq", "df", "pvalue", "chisq_df", "cfi", "tli", "nfi", "ifi", "gfi", "agfi",
             "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr"]


@dataclass(frozen=True)
class MeasurementTables:
    """Reliability and validity of the measurement model.

    Attributes
    ----------
    reliability : DataFrame
        Alpha, CR and AVE per construct (:func:`replication.analyses.measurement.reliability_table`).
    fornell_larcker, htmt : DataFrame
        Discriminant validity (square root of AVE against latent correlations; HTMT).
    harman : dict
        Harman's single-factor test.
    """

    reliability: pd.DataFrame
    fornell_larcker: pd.DataFrame
    htmt: pd.DataFrame
    harman: dict


@dataclass(frozen=True)
class Moderations:
    """Every moderation of a record: the regression model and the latent interaction models.

    Attributes
    ----------
    regression : ModerationResult or None
        All ``method: regression`` moderations in one hierarchical regression per outcome.
    latent : tuple of LatentModerationResult
        One per ``method: latent_product`` moderation.
    """

    regression: Any = None
    latent: tuple = ()

    def __bool__(self) -> bool:
        return self.regression is not None or bool(self.latent)



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
        rmsea.ci.lower, rmsea.ci.upper, srmr``, the scaled and robust measures when a model
        has them (MLM, MLR: ``chisq.scaled``, ..., ``rmsea.robust``), ``converged`` and
        ``admissible`` (no negative variance, no standardized value outside [-1, 1], a positive
        definite latent covariance matrix: :data:`replication.compare.fits.INADMISSIBLE`),
        ``ntotal``, the rows the model used (``results.json`` ``rows`` says how many were left
        out and why), and ``groups``. Each column is named with how the model was fitted
        (:func:`fit_label`: estimator, missing-data treatment, groups).
    """
    shown = [r for r in results if r is not None]
    rows = FIT_ROWS + [k for k in ROBUST_ROWS if any(k in r.fit_measures for r in shown)]
    cols = {}
    for name, res in zip(names, results):
        if res is None:
            continue
        fm = res.fit_measures
        col = {k: fm.get(k, np.nan) for k in rows}
        col["converged"] = bool(res.converged)
        col["admissible"] = not any(k in w for w in res.warnings for k in INADMISSIBLE)
        col["ntotal"] = int(res.n)
        col["groups"] = max(1, len(getattr(res, "groups", None) or []))
        cols[f"{name} ({fit_label(res)})"] = col
    return pd.DataFrame(cols, index=rows + ["converged", "admissible", "ntotal", "groups"])


def fit_estimation(res) -> dict:
    """What a fit was fitted with (:func:`replication.pipeline.estimation.estimation_of`; for a
    fit that does not say, its ``estimator`` and ``missing``)."""
    est = getattr(res, "estimation", None)
    if est:
        return dict(est)
    return {"estimator": getattr(res, "estimator", "ML"),
            "missing": getattr(res, "missing", "listwise")}


def fit_label(res) -> str:
    """How a model was fitted, in a few words: ``"WLSMV, listwise"``, ``"ML, fiml"``,
    ``"MLR, listwise, 2 groups by school (equal: loadings)"``."""
    est = fit_estimation(res)
    text = f"{est['estimator']}, {est['missing']}"
    if est.get("groups"):
        equal = ", ".join(est.get("group_equal") or []) or "none"
        text += f", {len(est['groups'])} groups by {est['group']} (equal: {equal})"
    return text


#: How each estimator estimates, tests and gives standard errors, in words (lavaan's names).
ESTIMATOR_WORDS = {
    "ML": "maximum likelihood (ML), standard errors from the expected information, the "
          "standard chi-square test",
    "MLM": "maximum likelihood with robust standard errors and the Satorra-Bentler scaled "
           "chi-square (MLM)",
    "MLR": "maximum likelihood with Huber-White robust standard errors and the Yuan-Bentler "
           "scaled chi-square (MLR)",
    "DWLS": "diagonally weighted least squares (DWLS), standard errors from the expected "
            "information, the standard chi-square test",
    "WLSMV": "diagonally weighted least squares with robust standard errors and the "
             "mean- and variance-adjusted (scaled-and-shifted) chi-square (WLSMV)",
}
_MISSING_WORDS = {"listwise": "incomplete rows deleted listwise",
                  "fiml": "incomplete rows kept by full-information maximum likelihood"}


def estimation_sentence(res) -> str:
    """How a model was fitted, as a sentence for a report: estimator, standard errors and
    test, ordered items, missing-data treatment, rows, groups and their equality constraints.

    Examples
    --------
    ``"Fitted by maximum likelihood (ML), standard errors from the expected information, the
    standard chi-square test; incomplete rows deleted listwise; 301 rows."``; with several
    groups it adds ``"2 groups by school (Pasteur: n = 156; Grant-White: n = 145), loadings
    equal across groups; printed values that name no group are compared with Pasteur."``
    """
    est = fit_estimation(res)
    name = str(est.get("estimator", "ML"))
    parts = [f"Fitted by {ESTIMATOR_WORDS.get(name, name)}"]
    ordered = list(est.get("ordered") or [])
    if ordered:
        parts.append(f"{len(ordered)} item{'s' if len(ordered) != 1 else ''} treated as "
                     "ordered (thresholds and polychoric correlations)")
    missing = str(est.get("missing", "listwise"))
    parts.append(_MISSING_WORDS.get(missing, f"missing values: {missing}"))
    n = getattr(res, "n", None)
    if n is not None:
        parts.append(f"{int(n)} rows")
    text = "; ".join(parts) + "."
    groups = list(est.get("groups") or [])
    if groups:
        sizes = "; ".join(f"{g['group']}: n = {int(g['n'])}" for g in groups)
        equal = list(est.get("group_equal") or [])
        which = (", ".join(equal) + " equal across groups" if equal
                 else "no equality constraints across groups (configural)")
        partial = list(est.get("group_partial") or [])
        if partial:
            which += f" except {', '.join(partial)}"
        text += f" {len(groups)} groups by {est.get('group')} ({sizes}), {which}"
        first = est.get("compared_group")
        text += (f"; printed values that name no group are compared with {first}." if first
                 else ".")
    return text


def measurement_tables(inputs: Inputs, cfa) -> MeasurementTables:
    """Reliability and validity of the measurement model.

    Returns
    -------
    MeasurementTables
        Reliability, Fornell-Larcker, HTMT and Harman from :mod:`replication.analyses.measurement`.
    """
    rec = inputs.record
    items = {c: rec.items[c] for c in rec.latent_constructs}
    multi = {c: its for c, its in items.items() if len(its) > 1}
    all_items = [i for its in items.values() for i in its]
    return MeasurementTables(
        reliability=ms.reliability_table(cfa, inputs.data, items),
        fornell_larcker=ms.fornell_larcker(cfa, items),
        htmt=ms.htmt(inputs.data, multi),
        harman=ms.harman_single_factor(inputs.data, all_items))


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


def run_moderation(inputs: Inputs) -> Moderations:
    """Every moderation of the record.

    Returns
    -------
    Moderations
        ``regression``: one :class:`~replication.analyses.moderation.ModerationResult` for all
        ``method: regression`` moderations (every focal predictor crossed with every moderator,
        per outcome, mean-centred, controls first), or ``None``; ``latent``: one
        :class:`~replication.analyses.latent_moderation.LatentModerationResult` per ``method:
        latent_product`` moderation (double-mean-centred matched-pair product indicators).
    """
    rec = inputs.record
    regression = None
    regs = [m for m in rec.model.moderations if m.method == "regression"]
    if regs:
        xs = list(dict.fromkeys(m.x for m in regs))
        moderators = list(dict.fromkeys(m.m for m in regs))
        ys = list(dict.fromkeys(m.y for m in regs))
        regression = mod.regression_moderation(composite_scores(inputs), xs, moderators, ys,
                                               controls=controls(rec), center=True)
    items = rec.items
    centring = {"double_mean": "double_mean_centered", "mean": "mean_centered", "none": "uncentered"}
    latent = tuple(latent_moderation(inputs.data, m.x, items[m.x], m.m, items[m.m], m.y, items[m.y],
                                     controls=controls(rec), others=_other_predictors(rec, m),
                                     method=centring[m.product_indicators.centring],
                                     leftovers=m.product_indicators.leftovers)
                   for m in rec.model.moderations if m.method == "latent_product")
    return Moderations(regression=regression, latent=latent)


def _other_predictors(record, moderation) -> dict[str, list[str]]:
    """The outcome's predictors in the paper's model besides the moderation's x and m."""
    skip = {moderation.x, moderation.m, *controls(record)}
    return {p.from_: list(record.items.get(p.from_, [p.from_])) for p in record.model.paths
            if p.to == moderation.y and p.from_ not in skip}


def moderation_tables(moderation: Moderations) -> dict[str, pd.DataFrame]:
    """Tables of :func:`run_moderation`: steps, coefficients, simple slopes, latent paths.

    Returns
    -------
    dict of DataFrame
        ``steps`` and ``coefficients`` (hierarchical regression), ``slopes`` (simple slopes at
        the moderator's mean and +/- 1 SD), ``johnson_neyman`` (one row per x/m/y: the region
        and its bounds ``bound_1`` < ``bound_2`` on the moderator's scale as numbers, missing where
        there are fewer), ``latent_paths`` and ``latent_slopes`` (latent interaction models).
    """
    out: dict[str, pd.DataFrame] = {}
    reg = moderation.regression
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
                                 "bound_1": jn.bounds[0] if jn.bounds else np.nan,
                                 "bound_2": jn.bounds[1] if len(jn.bounds) > 1 else np.nan,
                                 "share_significant": jn.share_significant,
                                 "m_min": jn.m_range[0], "m_max": jn.m_range[1]})
        out["johnson_neyman"] = pd.DataFrame(rows)
    lat = moderation.latent
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


def regression_paths(result) -> pd.DataFrame:
    """Main-effects step of a :class:`~replication.analyses.moderation.ModerationResult` as paths.

    Returns
    -------
    DataFrame
        A lavaan-named parameter table: one row per outcome and non-control predictor of the step
        labelled ``main effects``, with ``lhs`` (outcome), ``op`` (``~``), ``rhs`` (predictor),
        ``est`` (b), ``se``, ``z`` (the t statistic), ``pvalue`` and ``std_all`` (the
        standardized beta), which :mod:`replication.compare` reads as it reads a fitted model's.
    """
    coefs = result.coefficients
    main = coefs[(coefs["label"] == "main effects") & (coefs["term"] != "const")
                 & (~coefs["term"].isin(result.controls))]
    params = pd.DataFrame({"lhs": main["y"].to_numpy(), "op": "~", "rhs": main["term"].to_numpy(),
                           "est": main["b"].to_numpy(float), "se": main["se"].to_numpy(float),
                           "z": main["t"].to_numpy(float), "pvalue": main["pvalue"].to_numpy(float),
                           "std_all": main["beta"].to_numpy(float)})
    return params


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
        model = rec.main_syntax()
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


def mediation_notes(mediation: dict[str, Any]) -> list[str]:
    """The bootstrap's own warnings of every mediation (resamples not drawn or failed), once
    each, in the order of the mediations."""
    notes: list[str] = []
    for key, res in mediation.items():
        for w in getattr(res, "warnings", []) or []:
            if "bootstrap" in w and f"{key}: {w}" not in notes:
                notes.append(f"{key}: {w}")
    return notes


# --------------------------------------------------------------------------------------------
# Headings
# --------------------------------------------------------------------------------------------
def section_title(record, section: str) -> str:
    """A notebook heading: the section name and the paper's tables it reproduces.

    ``section`` is one of :data:`replication.report.catalog.SECTIONS`' values; the result reads e.g.
    ``"Table III: Structural model and hypotheses"`` or ``"Structural model and hypotheses"``
    when the paper prints no table for it.
    """
    locs = []
    for e in published_tables(record):
        if section in e.section.split(" / ") and e.location not in locs:
            locs.append(e.location)
    return f"{' and '.join(locs)}: {section}" if locs else section
