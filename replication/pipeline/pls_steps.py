"""The replication of a PLS-SEM record: fit by PLS or PLSc with a bootstrap, the published
tables beside the replicated ones, the hypotheses' verdicts and ``results.json``.

:func:`replicate_pls` runs the steps in sequence (``replication.replicate`` calls it for a PLS
record, and a PLS record's notebook calls the same steps)::

    inputs      = load_pls_inputs(...)        # the record and the real responses
    audit       = steps.run_audit(record)     # the printed PLS tables checked
    fit         = run_pls(inputs, ...)        # PLS / PLSc with the bootstrap
    comparisons = compare_pls(record, fit)    # paths, loadings, weights, reliability, HTMT, R2
    hypotheses  = pls_hypotheses(record, fit) # bootstrap t and percentile CI, hypothesised side
    result      = PLSPaperResult.from_steps(...)

A PLS record is replicated from real responses (``--data``): reconstructing indicator data
from printed composite statistics is not done, and such a run is refused in one line.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from replication.compare.core import (COLUMNS, NOT_COMPARABLE, NOT_REPRODUCED, REPRODUCED,
                                      TOLERANCES, classify_reproduction, summarize)
from replication.engine.errors import InputError
from replication.engine.pls import fit_pls
from replication.pipeline import results_json, steps
from replication.pipeline.inputs import Inputs, load_inputs
from replication.pipeline.result_tables import PaperTables
from replication.record.core import Record
from replication.record.pls import PLS_ESTIMATORS, is_pls
from replication.record.schema import load_record

__all__ = ["DEFAULT_PLS_BOOTSTRAP", "PLSPaperResult", "is_pls_paper", "load_pls_inputs",
           "run_pls", "resamples", "compare_pls", "pls_hypotheses", "collect_pls_results",
           "replicate_pls"]

#: Resamples when neither the run nor the record gives a number (SmartPLS's and seminr's
#: common choice in published PLS studies is 5000 and 1000 respectively).
DEFAULT_PLS_BOOTSTRAP = 1000
_PLS_TOL = {"path": (0.02, 0.0), "loading": (0.01, 0.0), "weight": (0.02, 0.0),
            "alpha": TOLERANCES["alpha"], "rho_c": TOLERANCES["cr"], "rho_a": (0.02, 0.0),
            "ave": TOLERANCES["ave"], "htmt": (0.02, 0.0), "r2": (0.02, 0.0),
            "r2_adj": (0.02, 0.0), "f2": (0.02, 0.0), "vif": (0.0, 0.05), "se": (0.0, 0.20),
            "t": (0.0, 0.20)}


def is_pls_paper(paper) -> bool:
    """Whether ``paper`` (an id, a path or a :class:`Record`) is a PLS-SEM record."""
    rec = paper if isinstance(paper, Record) else load_record(paper)
    return is_pls(rec.model)


def load_pls_inputs(paper, data=None, seed: int = 2024, missing: str | None = None) -> Inputs:
    """The record and the real responses of a PLS record; without ``data`` the run is refused
    in one line (PLS data are not reconstructed from printed composite statistics)."""
    rec = paper if isinstance(paper, Record) else load_record(paper)
    if data is None:
        raise InputError(f"{rec.id}: a PLS-SEM record is replicated from real responses; expected "
                         "--data CSV (reconstruction from printed PLS tables is not available)")
    if missing not in (None, "listwise"):
        raise InputError(f"missing: a PLS-SEM replication deletes incomplete rows listwise; "
                         f"got {missing!r}")
    return load_inputs(rec, data_path=data if isinstance(data, pd.DataFrame) else str(data),
                       seed=seed, missing="listwise")


def resamples(record, n_bootstrap: int | None) -> int:
    """The run's resamples, else the record's printed ``results.pls.bootstrap``, else
    :data:`DEFAULT_PLS_BOOTSTRAP`."""
    if n_bootstrap is not None:
        return int(n_bootstrap)
    pls = record.results.pls
    if pls is not None and pls.bootstrap is not None:
        return int(pls.bootstrap.value)
    return DEFAULT_PLS_BOOTSTRAP


def run_pls(inputs: Inputs, n_bootstrap: int | None = None, seed: int = 2024, jobs: int = 1):
    """PLS or PLSc (the record's estimator) with the record's scheme and a bootstrap."""
    m = inputs.record.model
    estimator = m.estimator if m.estimator in PLS_ESTIMATORS else "PLS"
    return fit_pls(m.syntax, inputs.data, estimator=estimator, scheme=m.scheme or "path",
                   bootstrap=resamples(inputs.record, n_bootstrap), seed=seed, jobs=jobs)


# -------------------------------------------------------------------------------- comparisons
def _half(printed: str) -> float:
    from replication.record.printed import _read_printed

    return 0.5 * 10.0 ** (-_read_printed(printed)[1])


def _row(target: str, quantity: str, pub, rep) -> dict:
    absolute, relative = _PLS_TOL[quantity]
    tol = max(absolute, relative * abs(pub.value), _half(pub.printed))
    rep = float(rep) if rep is not None and math.isfinite(float(rep)) else np.nan
    diff = rep - pub.value if np.isfinite(rep) else np.nan
    verdict = (NOT_COMPARABLE if not np.isfinite(rep)
               else REPRODUCED if abs(diff) <= tol + 1e-12 else NOT_REPRODUCED)
    return {"target": target, "quantity": quantity, "where": pub.where, "status": "published",
            "printed": pub.printed, "reference": float(pub.value), "replicated": rep,
            "difference": diff, "tolerance": tol, "verdict": verdict}


def _frame(rows: list[dict]) -> pd.DataFrame | None:
    return pd.DataFrame(rows, columns=COLUMNS) if rows else None


def _lookup(df: pd.DataFrame, lhs: str, rhs: str, col: str = "est", op: str | None = None):
    sel = (df["lhs"] == lhs) & (df["rhs"] == rhs)
    if op is not None:
        sel &= df["op"] == op
    vals = df.loc[sel, col]
    return float(vals.iloc[0]) if len(vals) else None


def _pair(df: pd.DataFrame, a: str, b: str):
    v = _lookup(df, a, b)
    return v if v is not None else _lookup(df, b, a)


def _path_rows(pls, fit) -> list[dict]:
    p = fit.parameters
    rows = []
    for r in pls.paths:
        for q, pub, col in (("path", r.estimate, "est"), ("se", r.se, "se"), ("t", r.t, "t")):
            if pub is not None:
                rows.append(_row(f"{r.key}.{col}", q, pub, _lookup(p, r.to, r.from_, col, "~")))
    return rows


def _measurement_rows(pls, fit) -> tuple[list, list, list]:
    load, weight, rel = [], [], []
    p = fit.parameters
    for c, row in pls.loadings.items():
        load += [_row(f"{c}=~{it}", "loading", v, _lookup(p, c, it, op="=~")) for it, v in row.items()]
    for c, row in pls.weights.items():
        weight += [_row(f"{c}<~{it}", "weight", v, _lookup(fit.weights, c, it)) for it, v in row.items()]
    for c, r in pls.reliability.items():
        for q in ("alpha", "rho_c", "rho_a", "ave"):
            pub = getattr(r, q)
            if pub is not None:
                rel.append(_row(f"{c}.{q}", q, pub, fit.reliability.get(c, {}).get(q)))
    return load, weight, rel


def _structural_rows(pls, fit) -> tuple[list, list]:
    htmt, r2 = [], []
    if pls.htmt is not None:
        htmt = [_row(f"{pr.a}~{pr.b}", "htmt", pr.value, _pair(fit.htmt, pr.a, pr.b))
                for pr in pls.htmt.pairs]
    for q, pub_map, rep_map in (("r2", pls.r2, fit.r2), ("r2_adj", pls.r2_adj, fit.r2_adj)):
        r2 += [_row(f"{c}.{q}", q, v, rep_map.get(c)) for c, v in pub_map.items()]
    r2 += [_row(f"{e.from_}->{e.to}.f2", "f2", e.value, _lookup(fit.f2, e.to, e.from_))
           for e in pls.f2 if e.value is not None]
    inner = fit.vif["inner"]
    for e in pls.vif_inner:
        if e.value is not None and {"lhs", "rhs", "est"} <= set(inner.columns):
            r2.append(_row(f"{e.from_}->{e.to}.vif", "vif", e.value, _lookup(inner, e.to, e.from_)))
    return htmt, r2


def compare_pls(record, fit) -> dict[str, pd.DataFrame]:
    """Published vs replicated PLS tables: ``paths``, ``loadings``, ``weights``,
    ``reliability``, ``htmt``, ``r2`` (R2, adjusted R2, f2, inner VIF); only the tables the
    record prints. Columns as every comparison of the suite (:data:`COLUMNS`)."""
    pls = record.results.pls
    if pls is None:
        return {}
    load, weight, rel = _measurement_rows(pls, fit)
    htmt, r2 = _structural_rows(pls, fit)
    tables = {"paths": _frame(_path_rows(pls, fit)), "loadings": _frame(load),
              "weights": _frame(weight), "reliability": _frame(rel), "htmt": _frame(htmt),
              "r2": _frame(r2)}
    return {k: v for k, v in tables.items() if v is not None}


# ------------------------------------------------------------------------------- hypotheses
def pls_hypotheses(record, fit, alpha: float = 0.05) -> pd.DataFrame:
    """Each path hypothesis: the paper's verdict (printed, or read from its printed t or
    interval) beside the replication's. Supported means the estimate has the hypothesised sign
    and the bootstrap t exceeds the two-sided critical value (p < alpha), and the percentile
    interval excludes zero on the hypothesised side."""
    p = fit.parameters
    printed = {r.key: r for r in (record.results.pls.paths if record.results.pls else [])}
    rows = []
    for h in record.hypotheses:
        key = f"{h.from_}->{h.to}"
        est = _lookup(p, h.to, h.from_, "est", "~") if h.from_ and h.to else None
        rep = None
        t = pv = lo = hi = np.nan
        if est is not None:
            t, pv, lo, hi = (_lookup(p, h.to, h.from_, c, "~") for c in
                             ("t", "pvalue", "ci.lower", "ci.upper"))
            side = (lo > 0) if h.sign == "+" else (hi < 0)
            rep = bool(((est > 0) if h.sign == "+" else (est < 0)) and pv < alpha and side)
        paper = h.supported if h.verdict is not None else _printed_support(printed.get(key), h.sign, alpha)
        verdict = (NOT_COMPARABLE if rep is None or paper is None
                   else REPRODUCED if rep == paper else NOT_REPRODUCED)
        rows.append({"hypothesis": h.id, "effect": key, "sign": h.sign, "statement": h.statement,
                     "paper_verdict": h.verdict.value if h.verdict else "",
                     "paper_supported": paper, "estimate": np.nan if est is None else est,
                     "t": t, "pvalue": pv, "ci_low": lo, "ci_high": hi,
                     "replicated_supported": rep, "verdict": verdict,
                     "status": "published" if h.verdict is not None else "read from the printed path",
                     "where": h.verdict.where if h.verdict else ""})
    cols = ["hypothesis", "effect", "sign", "statement", "paper_verdict", "paper_supported",
            "estimate", "t", "pvalue", "ci_low", "ci_high", "replicated_supported", "verdict",
            "status", "where"]
    return pd.DataFrame(rows, columns=cols)


def _printed_support(r, sign: str, alpha: float) -> bool | None:
    """The paper's support of a path read from its printed interval, p or t."""
    if r is None or r.estimate is None:
        return None
    sign_ok = (r.estimate.value > 0) if sign == "+" else (r.estimate.value < 0)
    if r.ci_lower is not None and r.ci_upper is not None:
        return bool(sign_ok and ((r.ci_lower.value > 0) if sign == "+" else (r.ci_upper.value < 0)))
    if r.p is not None:
        return bool(sign_ok and r.p.value < alpha)
    if r.t is not None:
        from scipy import stats

        return bool(sign_ok and abs(r.t.value) > stats.norm.isf(alpha / 2))
    return None


# ---------------------------------------------------------------------------------- results
def _pls_block(fit) -> dict:
    """The ``pls`` block of ``results.json``: how the model was fitted and every table."""
    return {"estimator": fit.estimator, "scheme": fit.scheme, "n": int(fit.n),
            "converged": bool(fit.converged), "iterations": int(fit.iterations),
            "bootstrap": dict(fit.bootstrap), "warnings": list(fit.warnings),
            "paths": fit.parameters[fit.parameters["op"] == "~"].reset_index(drop=True),
            "loadings": fit.parameters[fit.parameters["op"] == "=~"].reset_index(drop=True),
            "weights": fit.weights, "reliability": fit.reliability, "htmt": fit.htmt,
            "fornell_larcker": fit.fornell_larcker, "r2": fit.r2, "r2_adj": fit.r2_adj,
            "f2": fit.f2, "vif_inner": fit.vif["inner"], "vif_outer": fit.vif["outer"],
            "total_effects": fit.effects["total"]}


def collect_pls_results(inputs: Inputs, fit, audit: dict, comparisons: dict,
                        hypotheses: pd.DataFrame, seed: int) -> dict:
    """``results.json`` of a PLS replication: ``paper, title, short_title, evidence, citation,
    data, data_notes, parameters, audit, pls, comparisons, hypotheses, summary, versions``."""
    rec = inputs.record
    hyp_counts = {REPRODUCED: 0, NOT_REPRODUCED: 0, NOT_COMPARABLE: 0}
    for v in hypotheses["verdict"]:
        hyp_counts[v] = hyp_counts.get(v, 0) + 1
    values = summarize(*comparisons.values())
    problems = [] if fit.converged else ["PLS (did not converge)"]
    out = {
        "paper": rec.id, "title": rec.title, "short_title": rec.short_title,
        "evidence": rec.evidence,
        "citation": {"authors": list(rec.citation.authors), "year": rec.citation.year,
                     "venue": rec.citation.venue},
        "data": dict(inputs.provenance), "data_notes": list(inputs.notes),
        "parameters": {"seed": seed, "n_bootstrap": int(fit.bootstrap.get("resamples", 0)),
                       "alpha": 0.05, "source": inputs.provenance.get("source")},
        "audit": {"summary": audit.get("summary"), "findings": audit.get("findings", [])},
        "pls": _pls_block(fit),
        "comparisons": comparisons,
        "hypotheses": hypotheses,
        "summary": {"hypotheses": hyp_counts, "values": values,
                    "classification": classify_reproduction(
                        hyp_counts, values, rec.evidence,
                        source=str(inputs.provenance.get("source", "csv")), problems=problems),
                    "converged": bool(fit.converged)},
        "versions": results_json.versions(),
    }
    return results_json.to_jsonable(out)


@dataclass
class PLSPaperResult(PaperTables):
    """Everything one PLS replication produced (the interface of
    :class:`replication.pipeline.paper.PaperResult`: ``record``, ``paths``, ``loadings``,
    ``reliability``, ``classification``, ``summary()``, ``to_json()``)."""

    inputs: Inputs
    audit: dict
    pls: object
    comparisons: dict
    hypotheses: pd.DataFrame
    n_bootstrap: int
    results: dict = field(repr=False)

    @classmethod
    def from_steps(cls, inputs: Inputs, *, audit: dict, pls, comparisons: dict,
                   hypotheses: pd.DataFrame, seed: int) -> "PLSPaperResult":
        results = collect_pls_results(inputs, pls, audit, comparisons, hypotheses, seed)
        return cls(inputs, audit, pls, comparisons, hypotheses,
                   int(pls.bootstrap.get("resamples", 0)), results)

    def _method_line(self) -> str:
        return f"; {self.pls.estimator}, {self.n_bootstrap} bootstrap resamples"


def replicate_pls(paper, data=None, seed: int = 2024, n_bootstrap: int | None = None,
                  missing: str | None = None, jobs: int = 1) -> PLSPaperResult:
    """Replicate a PLS-SEM record from real responses: audit, PLS or PLSc fit with the
    bootstrap (``n_bootstrap``, else the record's printed resamples), the published tables
    beside the replicated ones and the hypotheses' verdicts."""
    inputs = load_pls_inputs(paper, data, seed=seed, missing=missing)
    audit = steps.run_audit(inputs.record)
    fit = run_pls(inputs, n_bootstrap, seed=seed, jobs=jobs)
    comparisons = compare_pls(inputs.record, fit)
    hypotheses = pls_hypotheses(inputs.record, fit)
    return PLSPaperResult.from_steps(inputs, audit=audit, pls=fit, comparisons=comparisons,
                                     hypotheses=hypotheses, seed=seed)
