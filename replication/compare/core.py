"""Published versus replicated: one row per printed (or assumed) number, with a verdict.

Every table returned here has the same core columns:

``target``
    the record's value name (``paths.T->PI.estimate``, ``items.T1.loading``, ``fit.sem.cfi``...).
``where``
    where the number stands in the paper, or ``assumption: <reason>`` for an assumed value.
``status``
    ``published`` when the paper printed the reference value, ``assumed`` when the record had to
    assume it (abstract-only papers). An assumed value is never shown as published: its
    ``printed`` cell is empty.
``printed``
    the reference value as printed (text, exactly as in the paper); empty for assumed values.
``reference``
    the reference value as a number.
``replicated``
    the number recomputed from the responses.
``difference``
    ``replicated - reference``.
``tolerance``
    the largest absolute difference that still counts as reproduced (see below).
``verdict``
    ``reproduced``, ``not reproduced`` or ``not comparable`` (the replicated value is missing,
    the model did not converge, or the printed value is a bound such as ``p < 0.001`` that is
    checked as a bound).

Tolerances (absolute, on the scale of the number). A printed number carries its own rounding,
so every tolerance is *at least* half a unit of its last printed decimal:

- standardized or unstandardized path estimates: ``max(0.02, half unit)``;
- standardized loadings: ``max(0.01, half unit)``;
- S.E., t-values and critical ratios: ``max(10 % of |reference|, half unit)``;
- reliability (alpha, CR, AVE): ``max(0.02, half unit)``; construct means and SDs: ``max(0.05,
  half unit)``;
- chi-square and chi-square/df: ``max(5 % of reference, half unit)``; df: exact; RMSEA, SRMR,
  CFI, TLI, NFI, IFI, GFI, AGFI: ``max(0.01, half unit)``; a p-value printed as a bound is
  reproduced when the replicated p satisfies the bound.

Hypothesis verdicts (:func:`hypothesis_verdicts`) put the paper's own verdict beside the
replicated one: a path hypothesis is supported when its estimate has the hypothesised sign and
a two-sided p below ``alpha``; a moderation when the interaction term does; a mediation when the
bootstrap confidence interval of the total indirect effect excludes zero with the hypothesised
sign.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from replication.compare.fits import INADMISSIBLE, fit_problems  # noqa: F401 - re-exported
from replication.engine.errors import InputError
from replication.engine.results import parameter_row
from replication.record.schema import Value

__all__ = [
    "COLUMNS",
    "TOLERANCES",
    "compare_paths",
    "compare_loadings",
    "compare_fit",
    "compare_reliability",
    "compare_descriptives",
    "compare_harman",
    "hypothesis_verdicts",
    "effects_table",
    "summarize",
    "classify_reproduction",
    "fit_problems",
]

COLUMNS = ["target", "quantity", "where", "status", "printed", "reference", "replicated",
           "difference", "tolerance", "verdict"]

#: Default tolerances: ``(absolute, relative)``; the row tolerance is
#: ``max(absolute, relative * |reference|, half a printed unit)``.
TOLERANCES: dict[str, tuple[float, float]] = {
    "estimate": (0.02, 0.0),
    "std": (0.02, 0.0),
    "loading": (0.01, 0.0),
    "se": (0.0, 0.10),
    "statistic": (0.0, 0.10),
    "alpha": (0.02, 0.0),
    "cr": (0.02, 0.0),
    "ave": (0.02, 0.0),
    "mean": (0.05, 0.0),
    "sd": (0.05, 0.0),
    "chisq": (0.0, 0.05),
    "chisq.scaled": (0.0, 0.05),
    "chisq_df": (0.0, 0.05),
    "df": (0.0, 0.0),
    "pvalue": (0.0, 0.0),
    "first_factor_percent": (3.0, 0.0),
    "n_factors": (0.0, 0.0),
    "rmsea": (0.01, 0.0),
    "rmsea.ci.lower": (0.01, 0.0),
    "rmsea.ci.upper": (0.01, 0.0),
    "srmr": (0.01, 0.0),
    "cfi": (0.01, 0.0),
    "tli": (0.01, 0.0),
    "nfi": (0.01, 0.0),
    "ifi": (0.01, 0.0),
    "gfi": (0.01, 0.0),
    "agfi": (0.01, 0.0),
}

REPRODUCED = "reproduced"
NOT_REPRODUCED = "not reproduced"
NOT_COMPARABLE = "not comparable"


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def _half_unit(printed: str | None) -> float:
    """Half a unit in the last decimal of a printed number (0 when nothing is printed)."""
    if not printed:
        return 0.0
    import re

    m = re.search(r"\d+(?:\.(\d+))?", printed.replace(",", ""))
    if not m:
        return 0.0
    return 0.5 * 10.0 ** (-(len(m.group(1)) if m.group(1) else 0))


def _tolerance(quantity: str, reference: float, printed: str | None,
               override: float | Mapping[str, float] | None) -> float:
    if isinstance(override, Mapping):
        if quantity in override:
            return max(float(override[quantity]), _half_unit(printed))
    elif override is not None:
        return max(float(override), _half_unit(printed))
    absolute, relative = TOLERANCES.get(quantity, (0.02, 0.0))
    return max(absolute, relative * abs(reference), _half_unit(printed))


def _finite(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _row(target: str, quantity: str, value, replicated: Any, tol_override,
         relation: str = "=") -> dict:
    """One comparison row from a record :class:`~replication.record.schema.Value`."""
    reference = float(value.value)
    printed = value.printed if value.status == "published" else ""
    if value.status == "published":
        where = value.where or ""
        if not printed:
            printed = f"{reference:g}"
    else:
        where = f"assumption: {value.reason}" if value.reason else "assumption"
    tol = _tolerance(quantity, reference, printed if value.status == "published" else None,
                     tol_override)
    rep = float(replicated) if _finite(replicated) else np.nan
    diff = rep - reference if np.isfinite(rep) else np.nan
    if not np.isfinite(rep):
        verdict = NOT_COMPARABLE
    elif relation == "<":
        verdict = REPRODUCED if rep < reference else NOT_REPRODUCED
        tol = 0.0
    elif relation == ">":
        verdict = REPRODUCED if rep > reference else NOT_REPRODUCED
        tol = 0.0
    else:
        verdict = REPRODUCED if abs(diff) <= tol + 1e-12 else NOT_REPRODUCED
    return {"target": target, "quantity": quantity, "where": where, "status": value.status,
            "printed": printed, "reference": reference, "replicated": rep, "difference": diff,
            "tolerance": tol, "verdict": verdict}


def _frame(rows: list[dict], extra: list[str] = ()) -> pd.DataFrame:
    cols = list(extra) + COLUMNS
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    return pd.DataFrame(rows)[cols]


def _params(sem_result, what: str) -> pd.DataFrame:
    params = getattr(sem_result, "params", sem_result)
    if not isinstance(params, pd.DataFrame):
        raise InputError(f"{what}: expected a fitted model with a 'params' DataFrame")
    need = {"lhs", "op", "rhs", "est"}
    missing = need - set(params.columns)
    if missing:
        raise InputError(f"{what}: parameter table lacks column(s) {sorted(missing)}")
    if "group" in params.columns and not params.empty:
        # several groups: a printed value names no group, so it is compared with the first
        # group's (the fit's warnings say so)
        params = params[params["group"] == params["group"].iloc[0]]
    return params


def _get(row: pd.Series | None, col: str) -> float:
    if row is None or col not in row.index:
        return np.nan
    v = row[col]
    return float(v) if _finite(v) else np.nan


def _converged(sem_result) -> bool:
    return bool(getattr(sem_result, "converged", True))


def _metric(record) -> str | None:
    v = record.values().get("model.estimate_metric")
    return None if v is None else str(v.value)


# --------------------------------------------------------------------------------------------
# Structural paths
# --------------------------------------------------------------------------------------------
def compare_paths(record, sem_result, tolerance: float | Mapping[str, float] | None = None
                  ) -> pd.DataFrame:
    """Printed (or assumed) structural estimates beside the replicated ones.

    Parameters
    ----------
    record : replication.record.schema.Record
    sem_result : SEMResult
        Fitted structural model (``params`` with ``lhs, op, rhs, est, se, z, std_all``).
    tolerance : float or mapping, optional
        Override the default tolerance (one number for every row, or a mapping
        ``quantity -> tolerance``); half a printed unit is always the floor.

    Returns
    -------
    DataFrame
        Columns ``path, hypothesis, read_as`` then :data:`COLUMNS`; ``read_as`` says in which
        metric an estimate is compared and whether that reading is printed or assumed
        (``model.estimate_metric``), so ``status`` speaks only of the number. For every path of
        the record: the
        printed estimate (``quantity`` ``estimate``; read as standardized ``std_all`` or
        unstandardized ``est`` according to ``model.estimate_metric``), the printed S.E.
        (``se``) and t or C.R. (``statistic``, compared with ``z``); for a path without printed
        estimate, the assumed standardized coefficient ``paths.X->Y.std`` (``status``
        ``assumed``). Rows are ``not comparable`` when the model did not converge.

    Notes
    -----
    Tolerances as in the module docstring: estimates ``max(0.02, half unit)``, S.E. and
    statistics ``max(10 %, half unit)``.
    """
    params = _params(sem_result, "compare_paths")
    values = record.values()
    metric = _metric(record)
    ok = _converged(sem_result)
    hyp = {r.key: r.hypothesis for r in record.results.paths}
    for h in record.hypotheses:
        pv = record.hypothesis_path(h)
        if pv is not None and h.kind == "path":
            hyp.setdefault(str(pv.value), h.id)
    metric_v = values.get("model.estimate_metric")
    metric_read = "" if metric_v is None else f"{metric_v.value} ({metric_v.status})"
    rows = []
    for p in record.model.paths:
        key = p.key
        prow = parameter_row(params, p.to, "~", p.from_)
        est_v = values.get(f"paths.{key}.estimate")
        std_v = values.get(f"paths.{key}.std")
        found = []
        if est_v is not None:
            col = "std_all" if metric == "standardized" else "est"
            if metric is None:
                col = None
            found.append((f"paths.{key}.estimate", "estimate", est_v,
                          _get(prow, col) if col else np.nan))
        elif std_v is not None:
            found.append((f"paths.{key}.std", "std", std_v, _get(prow, "std_all")))
        se_v = values.get(f"paths.{key}.se")
        if se_v is not None:
            found.append((f"paths.{key}.se", "se", se_v, _get(prow, "se")))
        st_v = values.get(f"paths.{key}.statistic")
        if st_v is not None:
            found.append((f"paths.{key}.statistic", "statistic", st_v, _get(prow, "z")))
        for target, quantity, val, rep in found:
            r = _row(target, quantity, val, rep if ok else np.nan, tolerance)
            r["path"] = key
            r["hypothesis"] = hyp.get(key) or ""
            r["read_as"] = (metric_read if quantity == "estimate" else
                            "standardized (assumed)" if quantity == "std" else "")
            rows.append(r)
    return _frame(rows, ["path", "hypothesis", "read_as"])


# --------------------------------------------------------------------------------------------
# Loadings
# --------------------------------------------------------------------------------------------
def compare_loadings(record, sem_result, tolerance: float | Mapping[str, float] | None = None
                     ) -> pd.DataFrame:
    """Standardized loadings as printed (or assumed) beside the replicated ``std_all``.

    Parameters
    ----------
    record : replication.record.schema.Record
    sem_result : SEMResult
        Fitted CFA (or SEM) with ``=~`` rows.
    tolerance : float or mapping, optional
        Override of the default ``max(0.01, half unit)``.

    Returns
    -------
    DataFrame
        Columns ``construct, item`` then :data:`COLUMNS`. One row per item that has a printed
        loading (``items.<item>.loading``) or an assumed construct-wide loading
        (``constructs.<C>.loading``, ``status`` ``assumed``).
    """
    params = _params(sem_result, "compare_loadings")
    values = record.values()
    ok = _converged(sem_result)
    rows = []
    for c, items in record.items.items():
        for it in items:
            v = values.get(f"items.{it}.loading")
            target = f"items.{it}.loading"
            if v is None:
                v = values.get(f"constructs.{c}.loading")
                target = f"constructs.{c}.loading"
            if v is None:
                continue
            rep = _get(parameter_row(params, c, "=~", it), "std_all")
            r = _row(target, "loading", v, rep if ok else np.nan, tolerance)
            r["construct"], r["item"] = c, it
            rows.append(r)
    return _frame(rows, ["construct", "item"])


# --------------------------------------------------------------------------------------------
# Fit
# --------------------------------------------------------------------------------------------
def compare_fit(record, fit_measures: Mapping[str, float] | None, model: str = "sem",
                tolerance: float | Mapping[str, float] | None = None) -> pd.DataFrame:
    """Printed fit indices of a fitted model (the CFA, the SEM or any named fit block) beside
    the replicated ones.

    Parameters
    ----------
    record : replication.record.schema.Record
    fit_measures : mapping
        lavaan-named fit measures of the replicated model (``chisq, df, pvalue, cfi, ...``).
        ``chisq_df`` is taken from the mapping when present, else computed as ``chisq / df``.
    model : {"sem", "cfa"}
        Which printed block to compare.
    tolerance : float or mapping, optional
        Override of the defaults in :data:`TOLERANCES`.

    Returns
    -------
    DataFrame
        Columns ``measure`` then :data:`COLUMNS` (``target`` is ``fit.<model>.<measure>``);
        empty when the paper prints no fit for ``model``.
    """
    known = {"cfa", "sem"} | {b.model for b in record.results.fit}
    if model not in known:
        raise InputError(f"compare_fit: model must be one of {', '.join(sorted(known))} "
                         f"(the record's fit blocks), got {model!r}")
    fm = dict(fit_measures or {})
    if "chisq_df" not in fm and _finite(fm.get("chisq")) and _finite(fm.get("df")) and fm["df"]:
        fm["chisq_df"] = float(fm["chisq"]) / float(fm["df"])
    rows = []
    for block in record.results.fit:
        if block.model != model:
            continue
        for name, pub in block.measures.items():
            val = Value(target=f"fit.{model}.{name}", value=pub.value, status="published",
                        where=pub.where, printed=pub.printed)
            r = _row(val.target, name, val, fm.get(name), tolerance, relation=pub.relation)
            r["measure"] = name
            rows.append(r)
    return _frame(rows, ["measure"])


# --------------------------------------------------------------------------------------------
# Reliability and descriptives
# --------------------------------------------------------------------------------------------
def compare_reliability(record, reliability: pd.DataFrame,
                        tolerance: float | Mapping[str, float] | None = None) -> pd.DataFrame:
    """Printed Cronbach's alpha, CR and AVE beside the replicated ones.

    Parameters
    ----------
    record : replication.record.schema.Record
    reliability : DataFrame
        From :func:`replication.analyses.measurement.reliability_table` (indexed by construct, columns
        ``alpha, cr, ave``).
    tolerance : float or mapping, optional
        Override of the default ``max(0.02, half unit)``.

    Returns
    -------
    DataFrame
        Columns ``construct`` then :data:`COLUMNS`; one row per printed value.
    """
    if not isinstance(reliability, pd.DataFrame):
        raise InputError("compare_reliability: expected the DataFrame of reliability_table()")
    values = record.values()
    rows = []
    for c in record.constructs:
        for q in ("alpha", "cr", "ave"):
            v = values.get(f"constructs.{c}.{q}")
            if v is None:
                continue
            rep = np.nan
            if c in reliability.index and q in reliability.columns:
                rep = reliability.loc[c, q]
            r = _row(f"constructs.{c}.{q}", q, v, rep, tolerance)
            r["construct"] = c
            rows.append(r)
    return _frame(rows, ["construct"])


def compare_descriptives(record, data: pd.DataFrame,
                         tolerance: float | Mapping[str, float] | None = None) -> pd.DataFrame:
    """Printed construct means and SDs beside those of the composite (item-mean) scores.

    Parameters
    ----------
    record : replication.record.schema.Record
    data : DataFrame
        Item-level responses with the record's item names.
    tolerance : float or mapping, optional
        Override of the default ``max(0.05, half unit)``.

    Returns
    -------
    DataFrame
        Columns ``construct`` then :data:`COLUMNS`; one row per printed mean or SD.

    Notes
    -----
    A composite score is the mean of a construct's items per respondent; its SD uses the
    ``n - 1`` divisor, as SPSS and R print descriptive statistics.
    """
    values = record.values()
    rows = []
    for c, items in record.items.items():
        present = [i for i in items if i in data.columns]
        score = data[present].astype(float).mean(axis=1) if present else None
        for q in ("mean", "sd"):
            v = values.get(f"constructs.{c}.{q}")
            if v is None:
                continue
            if score is None or len(present) < len(items):
                rep = np.nan
            else:
                rep = float(score.mean()) if q == "mean" else float(score.std(ddof=1))
            r = _row(f"constructs.{c}.{q}", q, v, rep, tolerance)
            r["construct"] = c
            rows.append(r)
    return _frame(rows, ["construct"])


def compare_harman(record, harman: Mapping[str, float] | None,
                   tolerance: float | Mapping[str, float] | None = None) -> pd.DataFrame:
    """Printed Harman single-factor test beside the replicated one.

    Parameters
    ----------
    record : replication.record.schema.Record
    harman : mapping
        From :func:`replication.analyses.measurement.harman_single_factor` (``first_factor_share``,
        ``n_eigen_gt_1``).
    tolerance : float or mapping, optional
        Override of the defaults: 3 percentage points for the first factor's share, exact for
        the number of factors with eigenvalue above 1.

    Returns
    -------
    DataFrame
        Columns ``measure`` then :data:`COLUMNS`; empty when the paper prints no Harman test.
    """
    h = record.results.harman
    if h is None:
        return _frame([], ["measure"])
    harman = dict(harman or {})
    share = harman.get("first_factor_share")
    rep = {"first_factor_percent": 100.0 * float(share) if _finite(share) else np.nan,
           "n_factors": harman.get("n_eigen_gt_1", np.nan)}
    rows = []
    for name in ("first_factor_percent", "n_factors"):
        pub = getattr(h, name)
        if pub is None:
            continue
        val = Value(target=f"harman.{name}", value=pub.value, status="published",
                    where=pub.where, printed=pub.printed)
        r = _row(val.target, name, val, rep[name], tolerance, relation=pub.relation)
        r["measure"] = name
        rows.append(r)
    return _frame(rows, ["measure"])


# --------------------------------------------------------------------------------------------
# Hypotheses
# --------------------------------------------------------------------------------------------
def effects_table(sem_result=None, regression=None, moderation=None, mediation=None
                  ) -> pd.DataFrame:
    """Effects of a replication keyed as hypotheses name them.

    Parameters
    ----------
    sem_result : SEMResult, optional
        Structural model: every ``Y ~ X`` row gives effect ``X->Y``.
    regression : ModerationResult, optional
        Regression moderation: the main-effects step gives ``X->Y`` (if not already given by
        ``sem_result``), the interaction step gives ``XxM->Y`` (product term ``X:M``).
    moderation : LatentModerationResult or sequence of them, optional
        Latent interaction models: ``Y ~ XxM`` rows give ``XxM->Y``.
    mediation : MediationResult, sequence or mapping of them, optional
        From :func:`replication.analyses.mediation.mediation`: the ``total_indirect`` row of
        ``effects`` (``estimate, std_estimate, boot_se, pvalue, ci_low, ci_high``) gives
        ``X=>Y``, the mediated effect of ``X`` on ``Y`` (``X`` and ``Y`` read from the
        ``direct`` row's path ``"X -> Y"``).

    Returns
    -------
    DataFrame
        ``key, kind, est, std, se, pvalue, ci_low, ci_high, source``.
    """
    rows: list[dict] = []
    seen: set[str] = set()

    def add(key, kind, est, std, se, p, lo=np.nan, hi=np.nan, source=""):
        if key in seen:
            return
        seen.add(key)
        rows.append({"key": key, "kind": kind, "est": est, "std": std, "se": se, "pvalue": p,
                     "ci_low": lo, "ci_high": hi, "source": source})

    if sem_result is not None and _converged(sem_result):
        params = _params(sem_result, "effects_table")
        for r in params[params["op"] == "~"].itertuples(index=False):
            key = f"{r.rhs}->{r.lhs}"
            d = r._asdict()
            add(key, "path", float(d["est"]), float(d.get("std_all", np.nan)),
                float(d.get("se", np.nan)), float(d.get("pvalue", np.nan)), source="sem")
    mods = moderation if isinstance(moderation, (list, tuple)) else ([moderation] if moderation is not None else [])
    for mres in mods:
        fit = getattr(mres, "fit", None)
        if fit is None or not _converged(fit):
            continue
        p = _params(fit, "effects_table")
        for r in p[p["op"] == "~"].itertuples(index=False):
            d = r._asdict()
            key = f"{r.rhs}->{r.lhs}"
            add(key, "latent", float(d["est"]), float(d.get("std_all", np.nan)),
                float(d.get("se", np.nan)), float(d.get("pvalue", np.nan)), source="latent moderation")
    if regression is not None:
        coefs = regression.coefficients
        final = int(coefs["step"].max())
        main = coefs[coefs["label"] == "main effects"]
        inter = coefs[(coefs["step"] == final)]
        for r in main.itertuples(index=False):
            if r.term == "const" or r.term in regression.controls:
                continue
            add(f"{r.term}->{r.y}", "path", r.b, r.beta, r.se, r.pvalue, source="regression")
        for r in inter.itertuples(index=False):
            if ":" not in r.term:
                continue
            x, m = r.term.split(":", 1)
            add(f"{x}x{m}->{r.y}", "moderation", r.b, r.beta, r.se, r.pvalue, source="regression")
    if isinstance(mediation, Mapping):
        meds = list(mediation.values())
    elif isinstance(mediation, (list, tuple)):
        meds = list(mediation)
    else:
        meds = [mediation] if mediation is not None else []
    for med in meds:
        tab = getattr(med, "effects", med)
        if not isinstance(tab, pd.DataFrame) or "effect" not in tab.columns:
            continue
        x = y = None
        if {"x", "y"} <= set(tab.columns) and len(tab):
            x, y = str(tab["x"].iloc[0]), str(tab["y"].iloc[0])
        else:
            direct = tab[tab["effect"] == "direct"]
            if len(direct) and " -> " in str(direct["path"].iloc[0]):
                x, y = [s.strip() for s in str(direct["path"].iloc[0]).split(" -> ", 1)]
        if x is None:
            continue
        for r in tab.to_dict("records"):
            if str(r.get("effect", "")) != "total_indirect":
                continue
            est = r.get("estimate", r.get("est", np.nan))
            std = r.get("std_estimate", r.get("std", np.nan))
            se = r.get("boot_se", r.get("se", np.nan))
            add(f"{x}=>{y}", "mediation", float(est), float(std), float(se),
                float(r.get("pvalue", np.nan)), float(r.get("ci_low", np.nan)),
                float(r.get("ci_high", np.nan)), source="mediation")
    cols = ["key", "kind", "est", "std", "se", "pvalue", "ci_low", "ci_high", "source"]
    return pd.DataFrame(rows, columns=cols)


def hypothesis_verdicts(record, sem_result=None, *, regression=None, moderation=None,
                        mediation=None, alpha: float = 0.05) -> pd.DataFrame:
    """Each hypothesis with the paper's verdict beside the replicated one.

    Parameters
    ----------
    record : replication.record.schema.Record
    sem_result, regression, moderation, mediation
        Replicated results, as for :func:`effects_table`.
    alpha : float
        Two-sided significance level of the replicated test.

    Returns
    -------
    DataFrame
        ``hypothesis, label, kind, effect, effect_status, magnitude_status, sign, statement,
        paper_verdict,
        paper_supported, estimate, std_estimate, pvalue, ci_low, ci_high,
        replicated_supported, verdict, status, where``. ``effect`` is the path (``X->Y``), the
        interaction (``XxM->Y``) or the mediated effect (``X=>Y``) tested; ``effect_status`` says
        whether the record prints which path a hypothesis names or assumes it;
        ``magnitude_status`` whether the size of the effect is printed (``published``), taken from
        the record's assumptions (``assumed``: on reconstructed or simulated data the replicated
        verdict then follows from that assumption) or neither (``not printed``). ``verdict`` is
        ``reproduced`` when the replicated support equals the paper's, ``not reproduced`` when
        it differs, ``not comparable`` when either is unknown. ``status`` is ``published`` when
        the paper's verdict and the tested effect are both printed, else ``assumed``.

    Notes
    -----
    Supported means: the hypothesised sign and ``p < alpha`` (paths, interactions), or a
    bootstrap confidence interval of the total indirect effect that excludes zero on the
    hypothesised side (mediation; ``p < alpha`` is used when no interval is given).
    """
    if not (0 < alpha < 1):
        raise InputError(f"hypothesis_verdicts: alpha must be in (0, 1), got {alpha}")
    eff = effects_table(sem_result, regression, moderation, mediation).set_index("key")
    rows = []
    for h in record.hypotheses:
        if h.kind == "mediation":
            key = f"{h.from_}=>{h.to}" if h.from_ and h.to else None
            key_status = "published"
        else:
            pv = record.hypothesis_path(h)
            key = None if pv is None else str(pv.value)
            key_status = "published" if pv is None else pv.status
        paper = h.supported
        est = std = p = lo = hi = np.nan
        rep = None
        if key is not None and key in eff.index:
            e = eff.loc[key]
            est, std, p, lo, hi = (float(e["est"]), float(e["std"]), float(e["pvalue"]),
                                   float(e["ci_low"]), float(e["ci_high"]))
            sign_ok = (est > 0) if h.sign == "+" else (est < 0)
            if h.kind == "mediation" and np.isfinite(lo) and np.isfinite(hi):
                excl = (lo > 0) if h.sign == "+" else (hi < 0)
                rep = bool(excl)
            elif np.isfinite(p) and np.isfinite(est):
                rep = bool(sign_ok and p < alpha)
        if rep is None or paper is None:
            verdict = NOT_COMPARABLE
        else:
            verdict = REPRODUCED if rep == paper else NOT_REPRODUCED
        published = key_status == "published" and h.verdict is not None
        rows.append({
            "hypothesis": h.id, "label": h.printed_label or h.id, "kind": h.kind,
            "effect": key or "", "effect_status": key_status,
            "magnitude_status": _magnitude_status(record, h, key), "sign": h.sign,
            "statement": h.statement,
            "paper_verdict": h.verdict.value if h.verdict else "",
            "paper_supported": paper, "estimate": est, "std_estimate": std, "pvalue": p,
            "ci_low": lo, "ci_high": hi, "replicated_supported": rep, "verdict": verdict,
            "status": "published" if published else "assumed",
            "where": h.verdict.where if h.verdict else "",
        })
    cols = ["hypothesis", "label", "kind", "effect", "effect_status", "magnitude_status", "sign",
            "statement",
            "paper_verdict", "paper_supported", "estimate", "std_estimate", "pvalue", "ci_low",
            "ci_high", "replicated_supported", "verdict", "status", "where"]
    return pd.DataFrame(rows, columns=cols)


def summarize(*tables: pd.DataFrame) -> dict[str, int]:
    """Count verdicts over comparison tables: ``{"reproduced": k, "not reproduced": k, ...}``.

    Only rows whose reference is published count toward ``reproduced`` / ``not reproduced``;
    rows against assumed values are counted under ``assumed_reproduced`` and
    ``assumed_not_reproduced``.
    """
    out = {REPRODUCED: 0, NOT_REPRODUCED: 0, NOT_COMPARABLE: 0,
           "assumed_reproduced": 0, "assumed_not_reproduced": 0}
    for t in tables:
        if t is None or t.empty or "verdict" not in t.columns:
            continue
        for v, s in zip(t["verdict"], t["status"]):
            if v == NOT_COMPARABLE:
                out[NOT_COMPARABLE] += 1
            elif s == "assumed":
                out["assumed_reproduced" if v == REPRODUCED else "assumed_not_reproduced"] += 1
            else:
                out[v] += 1
    return out


def _magnitude_status(record, hypothesis, key: str | None) -> str:
    """Whether the size of the effect a hypothesis tests is printed, assumed or neither."""
    if key is None:
        return "not printed"
    values = record.values()
    if hypothesis.kind == "mediation":
        x, y = key.split("=>")
        keys = [f"{x}->{m}" for m in hypothesis.mediators] + [f"{m}->{y}" for m in hypothesis.mediators]
        found = [values.get(f"paths.{k}.estimate") or values.get(f"paths.{k}.std") for k in keys]
        if not all(found):
            return "not printed"
        return "published" if all(v.status == "published" for v in found) else "assumed"
    prefix = "interactions" if "x" in key.split("->")[0] and hypothesis.kind == "moderation" else "paths"
    v = (values.get(f"{prefix}.{key}.estimate") or values.get(f"{prefix}.{key}.std"))
    return "not printed" if v is None else v.status


def classify_reproduction(hypotheses: dict[str, int], values: dict[str, int], evidence: str,
                          source: str = "csv", problems: list[str] | tuple = ()) -> dict:
    """Classify a replication in the vocabulary of replication packages.

    Parameters
    ----------
    hypotheses : dict
        Verdict counts of :func:`hypothesis_verdicts` (``reproduced``, ``not reproduced``, ...).
    values : dict
        Counts of :func:`summarize` over the comparison tables.
    evidence : {"tables", "abstract"}
        For abstract-only papers only the claims (hypotheses) are published; assumed magnitudes
        never count toward the classification.

    Returns
    -------
    dict
        ``label`` and a one-sentence ``reason``. Labels: ``reproduced`` (every published value
        within tolerance and every verdict reproduced), ``reproduced with minor issues`` (every
        verdict, and at least 90 % of published values), ``partly reproduced`` (at least half of the
        verdicts), ``not reproduced`` (otherwise), ``not comparable`` (nothing published to compare).

    source : {"csv", "reconstructed", "simulated"}
        The data the replication ran on. On data reconstructed or simulated from an abstract-only
        record every magnitude is the record's assumption, so agreement with the paper's claims
        holds by construction: the label is then ``not applicable (synthetic data)``. On data
        reconstructed from a paper's tables the labels say whether the printed numbers can all be
        recovered from one data set (the reason says so).
    problems : list of str
        Fits that did not converge or are inadmissible (:func:`fit_problems`): the label is then
        ``not reproduced`` whatever the counts, and the reason names them first.

    Notes
    -----
    The categories follow the replication-package reporting of the AEA Data Editor's template
    ("reproduced / reproduced with minor issues / partly reproduced / not reproduced").
    """
    synthetic = source in ("reconstructed", "simulated")
    h_ok = int(hypotheses.get(REPRODUCED, 0))
    h_bad = int(hypotheses.get(NOT_REPRODUCED, 0))
    v_ok = int(values.get(REPRODUCED, 0)) if evidence == "tables" else 0
    v_bad = int(values.get(NOT_REPRODUCED, 0)) if evidence == "tables" else 0
    h_n, v_n = h_ok + h_bad, v_ok + v_bad
    if problems:
        counts = [f"{h_ok} of {h_n} published verdicts reproduced"] if h_n else []
        counts += [f"{v_ok} of {v_n} published values within tolerance"] if v_n else []
        return {"label": NOT_REPRODUCED,
                "reason": "; ".join(problems) + (f" ({'; '.join(counts)})" if counts else "")}
    if h_n == 0 and v_n == 0:
        return {"label": "not comparable", "reason": "nothing published could be compared"}
    share = v_ok / v_n if v_n else 1.0
    parts = []
    if h_n:
        parts.append(f"{h_ok} of {h_n} published verdicts reproduced")
    if v_n:
        parts.append(f"{v_ok} of {v_n} published values within tolerance")
    reason = "; ".join(parts)
    if synthetic and evidence == "abstract":
        return {"label": "not applicable (synthetic data)",
                "reason": f"{source} data built from the record's assumed magnitudes, so the claims "
                          f"hold by construction ({reason}); replicate with real responses (--data)"}
    if synthetic:
        reason = f"on {source} data from the published numbers: {reason}"
    if h_bad == 0 and v_bad == 0:
        label = "reproduced"
    elif h_bad == 0 and share >= 0.9:
        label = "reproduced with minor issues"
    elif h_n and h_ok / h_n >= 0.5:
        label = "partly reproduced"
    elif not h_n and share >= 0.5:
        label = "partly reproduced"
    else:
        label = "not reproduced"
    return {"label": label, "reason": reason}
