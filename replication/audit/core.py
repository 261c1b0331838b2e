"""Audit of a published record: can all its printed numbers be true at once?

:func:`audit` walks a record (:mod:`replication.record.schema`), recomputes every printed number that
can be recomputed from other printed numbers with the plain checks of
:mod:`replication.audit.checks`, and returns an :class:`AuditReport`. Only published values are
audited; assumed values appear only where a check needs one (an exogenous correlation for the
implied R-squared), and the finding then names them.

Classification of a record (:meth:`AuditReport.summary`), in the vocabulary of replication
packages:

- ``consistent``: no finding is inconsistent;
- ``minor inconsistencies``: some findings are inconsistent, all of them minor (numbers that do
  not follow from the others, but whose correction leaves every conclusion unchanged:
  reliability indices, significance markers, text against tables, sample description);
- ``major inconsistencies``: at least one major finding (an inadmissible estimate or R-squared,
  degrees of freedom or fit statistics that cannot come from one model and sample, a test
  statistic whose recomputed value changes significance at the paper's level, verdicts that
  contradict the paper's own rule or each other);
- ``not checkable``: no printed number could be recomputed from the others (an abstract that
  prints no estimates): nothing is known to be consistent, so the record is not called so.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from replication.audit.checks import (
    CONSISTENT,
    INCONSISTENT,
    NOT_CHECKABLE,
    Evidence,
    Finding,
    baseline_range,
    check_agfi,
    check_ave,
    check_chisq_pvalue,
    check_claim,
    check_cr,
    check_df,
    check_group_percent,
    check_group_sum,
    check_common_baseline,
    check_harman,
    check_incremental_fit,
    check_implied_r2,
    check_loading_bounds,
    check_marker,
    check_mean_sd,
    check_p_value,
    check_percent_sum,
    check_response_rate,
    check_rmsea,
    check_rmsea_ratio,
    check_standardized_bound,
    check_statistic,
    check_verdict,
    check_verdict_coherence,
    not_checkable,
    p_range_from_statistic,
)
from replication.engine.errors import InputError
from replication.audit.implied_r2 import ancestors, implied_r2, min_r2
from replication.audit.item_counts import item_count_findings
from replication.audit.discriminant_checks import discriminant_findings
from replication.audit.software_checks import software_convention_findings
from replication.audit.descriptive_checks import grim_findings
from replication.audit.marker_checks import marker_findings, sign_findings
from replication.audit.scaled_checks import chisq_df_finding, scaled_findings
from replication.audit.model_df import block_groups, items_implied_by_df, record_df
from replication.audit.sample_size import analysed_n, check_rmsea_ci, record_n_findings
from replication.audit.sequence_checks import check_pgfi, check_pnfi, comparison_findings
from replication.audit.pls_checks import pls_findings
from replication.audit.matrix_checks import matrix_findings
from replication.audit.parameter_audit import cr_ave_findings, parameter_findings, smc_findings
from replication.record.schema import PathResult, Published, Record, load_record

__all__ = ["AuditReport", "Finding", "audit", "to_json", "to_frame", "format_text", "CLASSIFICATIONS"]

CLASSIFICATIONS = ("consistent", "minor inconsistencies", "major inconsistencies", "not checkable")
_FIELDS = ("check", "where", "reported", "recomputed", "status", "detail")


@dataclass
class AuditReport:
    """Findings of the audit of one record.

    Attributes
    ----------
    paper : str
        Record id.
    findings : list of Finding
        In the order of the paper: measurement model, fit, structural estimates, hypotheses,
        sample, descriptives, text claims, common-method variance.
    """

    paper: str
    findings: list[Finding] = field(default_factory=list)

    def summary(self) -> dict:
        """Counts per status and severity, and the classification of the record.

        Returns
        -------
        dict
            ``n_findings, consistent, inconsistent, not_checkable, major, minor,
            classification`` (one of :data:`CLASSIFICATIONS`, rule in the module docstring)
            and ``major_findings`` (``check`` and ``where`` of each major finding).
        """
        by = {s: sum(f.status == s for f in self.findings) for s in (CONSISTENT, INCONSISTENT, NOT_CHECKABLE)}
        major = [f for f in self.findings if f.status == INCONSISTENT and f.severity == "major"]
        minor = [f for f in self.findings if f.status == INCONSISTENT and f.severity != "major"]
        if major:
            cls = CLASSIFICATIONS[2]
        elif minor:
            cls = CLASSIFICATIONS[1]
        elif by[CONSISTENT]:
            cls = CLASSIFICATIONS[0]
        else:
            cls = CLASSIFICATIONS[3]
        return {
            "n_findings": len(self.findings),
            "consistent": by[CONSISTENT],
            "inconsistent": by[INCONSISTENT],
            "not_checkable": by[NOT_CHECKABLE],
            "major": len(major),
            "minor": len(minor),
            "classification": cls,
            "major_findings": [{"check": f.check, "where": f.where} for f in major],
        }


# --------------------------------------------------------------------------------------------
# Record walk
# --------------------------------------------------------------------------------------------
def _measurement(rec: Record) -> list[Finding]:
    out: list[Finding] = []
    loads = rec.results.loadings
    items = rec.items
    for c, st in rec.results.constructs.items():
        its = [i for i in items.get(c, []) if i in loads]
        complete = its and len(its) == len(items.get(c, []))
        for fname, fn in (("ave", check_ave), ("cr", check_cr)):
            printed = getattr(st, fname)
            if printed is None:
                continue
            if not complete:
                missing = "no standardized loadings are printed" if not its else \
                    f"loadings of {', '.join(i for i in items[c] if i not in loads)} are not printed"
                out.append(not_checkable(fname, printed.where, printed.printed, f"{missing} for {c}"))
            else:
                out.append(fn([loads[i] for i in its], printed, items=its, construct=c))
    if loads:
        first = next(iter(loads.values())).where.split(", row")[0]
        out.extend(check_loading_bounds(dict(loads), where=f"{first}, all rows"))
    return out


def _fit(rec: Record) -> list[Finding]:
    out: list[Finding] = []
    baselines: dict[str, tuple] = {}
    by_syntax = rec.model.syntax is not None or rec.model.kind == "cfa"
    for block in rec.results.fit:
        m = block.measures
        label = block.model.upper()
        count = record_df(rec, block.model)
        groups = block_groups(rec, block) or 1
        n = _block_n(block, rec, groups)
        chisq, df, ratio = m.get("chisq"), m.get("df"), m.get("chisq_df")
        if ratio is not None:
            f = chisq_df_finding(m)
            if f is not None:
                out.append(f)
            else:
                out.append(not_checkable("chisq_df", ratio.where, ratio.printed,
                                         f"{label} chi-square and df are not printed, only their ratio"))
        if m.get("pvalue") is not None:
            if chisq is not None and df is not None:
                out.append(check_chisq_pvalue(chisq, df, m["pvalue"]))
            else:
                out.append(not_checkable("chisq_pvalue", m["pvalue"].where, m["pvalue"].printed,
                                         f"{label} chi-square or df not printed"))
        if df is not None:
            if count is None:
                why = ("the record names the group column but not its groups (model.group_labels or group_n)"
                       if block_groups(rec, block) is None else
                       "the record's model has no countable df (regression, latent interaction, or several "
                       "groups of a model described without syntax)")
                out.append(not_checkable("df", df.where, df.printed, why))
            else:
                out.append(check_df(df, count, block.model))
        elif count is not None and (chisq is not None or ratio is not None):
            where = (chisq or ratio).where
            out.append(not_checkable("df", where, "not printed",
                                     f"{label} df is not printed; the described model has {count.describe()}, "
                                     "used where a check needs df"))
        rmsea = m.get("rmsea")
        if n is not None and chisq is not None and df is not None:
            for which, name in enumerate(("rmsea.ci.lower", "rmsea.ci.upper")):
                if m.get(name) is not None:
                    out.append(check_rmsea_ci(chisq, df.value, n.value * groups, n.printed, m[name], which,
                                              groups))
        if rmsea is not None:
            if n is None:
                out.append(not_checkable("rmsea", rmsea.where, rmsea.printed,
                                         "N is not printed; the N the RMSEA implies is in the sample_n finding"))
            elif chisq is not None and df is not None:
                out.append(check_rmsea(chisq, df, n, rmsea))
            elif ratio is not None:
                out.append(check_rmsea_ratio(ratio, n, rmsea, df=count.df if count else None,
                                             df_source="of the described model, not printed",
                                             software=rec.sample.software.value if rec.sample.software else None))
            else:
                out.append(not_checkable("rmsea", rmsea.where, rmsea.printed, f"{label} chi-square is not printed"))
        p_items = sum(len(v) for c, v in rec.items.items() if c in rec.latent_constructs)
        if count is not None and (by_syntax or block.syntax is not None):
            p_items = count.n_items  # observed variables of the model's syntax
        # df printed, and the item total printed or implied by the printed df
        inputs_printed = df is not None and (
            count is None or not count.assumed_items
            or abs(items_implied_by_df(int(df.value), count.structural) - count.n_items) < 1e-9)
        df_val = df.value if df is not None else (count.df if count is not None else None)
        c_iv = chisq.interval if chisq is not None else (
            (ratio.interval[0] * df_val, ratio.interval[1] * df_val) if ratio is not None and df_val else None)
        if c_iv is not None and df_val and p_items:
            f = check_incremental_fit(c_iv, df_val, p_items, m, label, df_printed=inputs_printed, groups=groups)
            if f is not None:
                out.append(f)
                if f.status == CONSISTENT and inputs_printed:
                    rng = baseline_range(c_iv, df_val, p_items, m, groups=groups)
                    baselines[label] = (rng, f.where)
        for name, base, fn in (("pgfi", "gfi", check_pgfi), ("pnfi", "nfi", check_pnfi)):
            if m.get(name) is None:
                continue
            if m.get(base) is None or not df_val or not p_items:
                out.append(not_checkable(name, m[name].where, m[name].printed,
                                         f"{label} {base.upper()}, df or the number of observed variables is unknown"))
            else:
                out.append(fn(m[base], m[name], df_val, p_items))
        agfi, gfi = m.get("agfi"), m.get("gfi")
        if agfi is not None:
            items_src = "assumed item counts" if (count and count.assumed_items) else "printed items"
            if gfi is None:
                out.append(not_checkable("agfi", agfi.where, agfi.printed, "GFI is not printed"))
            elif df is not None:
                out.append(check_agfi(gfi, agfi, int(df.value), p_items, "printed", items_src, inputs_printed))
            elif count is not None:
                out.append(check_agfi(gfi, agfi, count.df, p_items, "of the described model, not printed",
                                      items_src, df_printed=False))
            else:
                out.append(not_checkable("agfi", agfi.where, agfi.printed, "df is neither printed nor countable"))
    if len(baselines) >= 2:
        p_items = sum(len(v) for c, v in rec.items.items() if c in rec.latent_constructs)
        where = "; ".join(w for _, w in baselines.values())
        f = check_common_baseline({k: r for k, (r, _) in baselines.items()}, where, p_items)
        if f is not None:
            out.append(f)
    return out


def _block_n(block, rec: Record, groups: int = 1) -> Published | None:
    """The N of a fit block, per group of a multi-group block (lavaan's RMSEA is ``sqrt(G)``
    times the one-group formula with the total N, that is the formula at N / G); without a
    printed N, the sum of the printed ``model.group_n``."""
    n = block.n or rec.sample.n_analysed or rec.sample.n
    if n is None and groups > 1 and rec.model.group_n and len(rec.model.group_n) == groups:
        ns = list(rec.model.group_n.values())
        n = Published(value=sum(g.value for g in ns), printed=str(int(sum(g.value for g in ns))),
                      where="; ".join(dict.fromkeys(g.where for g in ns)) + " (sum of the groups)")
    if n is None and block.assumed("n") is not None:
        v = block.assumed("n")
        n = Published(value=v, printed=str(v), where=f"{block.model} block (assumed N)")
    if n is None or groups == 1:
        return n
    return Published(value=n.value / groups, printed=repr(n.value / groups), where=n.where)


def _standardized(r: PathResult, rec: Record) -> bool:
    """Whether a printed estimate is in the standardized metric, as printed."""
    if r.estimate_label:
        lab = r.estimate_label.lower()
        return "standardi" in lab and "unstandardi" not in lab
    metric = rec.value("model.estimate_metric")
    return metric is not None and metric.value == "standardized"


def _legend(rec: Record) -> list[float]:
    levels = sorted({m.p_below for m in rec.results.significance})
    return levels or [0.05]


def _path_p(r: PathResult) -> tuple[tuple[float, float], str] | None:
    """p-range of a path from the printed statistic, else estimate/S.E., else the printed p."""
    lab = r.statistic_label or "z"
    if r.statistic is not None:
        return p_range_from_statistic(r.statistic.interval), f"{lab} = {r.statistic.printed}"
    if r.estimate is not None and r.se is not None and r.se.interval[0] > 0:
        e, s = r.estimate.interval, r.se.interval
        cands = [a / b for a in e for b in s]
        return p_range_from_statistic((min(cands), max(cands))), f"estimate / S.E. = {r.estimate.printed} / {r.se.printed}"
    if r.p is not None:
        lo, hi = r.p.interval
        return (max(lo, 0.0), min(hi, 1.0)), f"p {r.p.printed}"
    return None


def _marker_of(r: PathResult) -> tuple[str | None, str]:
    for p in (r.estimate, r.statistic, r.p, r.se):
        if p is not None and p.marker:
            return p.marker, p.where
    base = r.statistic or r.estimate or r.p
    return None, base.where if base else ""


def _paths(rec: Record, r2_cache: dict) -> list[Finding]:
    out: list[Finding] = []
    alpha = max(_legend(rec))
    legend = rec.results.significance
    any_marker = any(_marker_of(r)[0] for r in rec.results.paths)
    preds: dict[str, int] = {}
    for p in rec.model.paths:
        preds[p.to] = preds.get(p.to, 0) + 1
    for r in rec.results.paths:
        lab = r.statistic_label or "C.R."
        if r.statistic is not None:
            if r.estimate is not None and r.se is not None:
                out.append(check_statistic(r.estimate, r.se, r.statistic, lab, alpha))
            else:
                missing = "S.E." if r.estimate is not None else "estimate"
                out.append(not_checkable("statistic", r.statistic.where, r.statistic.printed,
                                         f"{lab} of {r.key}: no {missing} printed to recompute estimate / S.E."))
            if r.p is not None:
                out.append(check_p_value(r.statistic, r.p, lab, alpha))
        pr = _path_p(r)
        if legend and any_marker and pr is not None:
            marker, where = _marker_of(r)
            out.append(check_marker(pr[0], marker, legend, where, pr[1]))
        if r.estimate is not None and _standardized(r, rec):
            k = preds.get(r.to, 1)
            f = None
            if k <= 1:
                f = check_standardized_bound(r.estimate, 1, r.key, outcome=r.to)
            elif abs(r.estimate.value) >= 1:
                res = r2_cache.get(r.to)
                f = check_standardized_bound(r.estimate, k, r.key, r2_min=res[0] if res else None,
                                             outcome=r.to, r2_min_free=res[2] if res else None)
            if f is not None:
                metric = rec.value("model.estimate_metric")
                if f.status == INCONSISTENT and metric is not None and metric.value != "standardized":
                    f = replace(f, detail=f.detail + f" (Printed under '{r.estimate_label}'; the record reads the "
                                f"estimates as {metric.value}, {metric.status}.)")
                out.append(f)
    return out


def _r2(rec: Record) -> tuple[list[Finding], dict]:
    """Implied R-squared of every endogenous construct with two or more printed predictors."""
    out: list[Finding] = []
    cache: dict[str, tuple[float, float | None]] = {}
    std = {(r.from_, r.to): r.estimate for r in rec.results.paths
           if r.estimate is not None and _standardized(r, rec)}
    all_paths = [(p.from_, p.to) for p in rec.model.paths]
    preds: dict[str, list[str]] = {}
    for x, y in all_paths:
        preds.setdefault(y, []).append(x)
    values = rec.values()
    exo_all = [c for c in rec.latent_constructs if c not in preds]
    endo_all = set(preds)
    cov_pairs = {frozenset((c.a, c.b)) for c in rec.model.covariances}
    for y, xs in preds.items():
        if len(xs) < 2:
            continue
        anc = ancestors(all_paths, y)
        sub = [(a, b) for a, b in all_paths if b in anc | {y} and a in anc | {y}]
        into = {(x, y): std[(x, y)] for x in xs if (x, y) in std}
        where = "; ".join(dict.fromkeys(p.where.split(", column")[0] for p in into.values())) or y
        missing = [f"{a}->{b}" for a, b in sub if (a, b) not in std]
        if missing:
            if into:
                out.append(not_checkable("implied_r2", where, ", ".join(f"{a}->{b} {p.printed}" for (a, b), p in into.items()),
                                         f"R-squared of {y} needs standardized estimates of {', '.join(missing)}, not printed"))
            continue
        box = {k: std[k].interval for k in sub}
        free_dist = [tuple(sorted(pair)) for pair in cov_pairs
                     if all(v in endo_all and v in anc | {y} for v in pair)]
        res = min_r2(box, y, free_disturbance=free_dist)
        # the described model fixes the other disturbance correlations at 0; say what freeing
        # them would allow
        endo_anc = sorted(v for v in anc if v in endo_all)
        fixed = [(a, b) for i, a in enumerate(endo_anc) for b in endo_anc[i + 1:]
                 if (a, b) not in free_dist and (b, a) not in free_dist]
        res_free = min_r2(box, y, free_disturbance=free_dist + fixed) if fixed else None
        # with the record's assumed correlations, when every one needed is given
        exo = [c for c in exo_all if c in anc]
        corr, used, complete = {}, [], True
        for i, a in enumerate(exo):
            for b in exo[i + 1:]:
                v = values.get(f"correlations.{a}~~{b}") or values.get(f"correlations.{b}~~{a}")
                if v is None:
                    complete = False
                    continue
                corr[(a, b)] = float(v.value)
                used.append(f"{a}~~{b} = {float(v.value):g} ({v.status})")
        dist = {}
        for pair in free_dist:
            a, b = pair
            v = values.get(f"correlations.{a}~~{b}") or values.get(f"correlations.{b}~~{a}")
            if v is None:
                complete = False
            else:
                dist[(a, b)] = float(v.value)
                used.append(f"disturbances {a}~~{b} = {float(v.value):g} ({v.status})")
        r2_assumed = None
        if complete:
            r2_assumed = implied_r2({k: std[k].value for k in sub}, corr, dist)[y]
        cache[y] = (res.value, r2_assumed, None if res_free is None else res_free.value)
        out.append(check_implied_r2(y, into, res.value, r2_assumed, used, where, argmin=res.exo_corr,
                                    r2_min_free=None if res_free is None else res_free.value,
                                    fixed=[f"{a}~~{b}" for a, b in fixed]))
    return out, cache


def _hypotheses(rec: Record) -> list[Finding]:
    out: list[Finding] = []
    levels = _legend(rec)
    by_key = {r.key: r for r in rec.results.paths}
    evidence: list[Evidence] = []
    for h in rec.hypotheses:
        if h.verdict is None:
            continue
        supported = h.supported
        pk = h.path_key
        r = by_key.get(pk) if (pk and h.kind == "path") else None
        verdict = "supported" if supported else "not supported"
        if r is None:
            what = {"moderation": "interaction", "mediation": "indirect effect"}.get(h.kind, "path")
            out.append(not_checkable("verdict", h.verdict.where, verdict,
                                     f"{h.id}: no estimate, statistic or p is printed for the {what}"))
            continue
        pr = _path_p(r)
        if pr is None:
            out.append(not_checkable("verdict", h.verdict.where, verdict,
                                     f"{h.id}: no statistic, S.E. or p is printed for {r.key}"))
            continue
        vwhere = r.verdict.where if r.verdict is not None else h.verdict.where
        ev = Evidence(h.id, bool(supported), pr[0], r.estimate.interval if r.estimate else None, h.sign, pr[1],
                      vwhere)
        evidence.append(ev)
        out.append(check_verdict(ev, levels))
    if evidence:
        where = "; ".join(dict.fromkeys(e.where.split(", row")[0] for e in evidence)) + " (all verdicts)"
        out.append(check_verdict_coherence(evidence, levels, where))
    return out


def _sample(rec: Record) -> list[Finding]:
    out: list[Finding] = []
    s = rec.sample
    if s.response_rate is not None:
        if s.n is not None and s.invited is not None:
            out.append(check_response_rate(s.n, s.invited, s.response_rate))
        else:
            out.append(not_checkable("response_rate", s.response_rate.where, s.response_rate.printed,
                                     "N or the number invited is not printed"))
    measures: dict[str, list] = {}
    for g in s.groups:
        measures.setdefault(g.measure, []).append(g)
    for measure, groups in measures.items():
        counts = [g.count for g in groups]
        if s.n is None:
            out.append(not_checkable("sample_sum", groups[0].count.where if groups[0].count else measure,
                                     measure, "N is not printed"))
            continue
        if all(c is not None for c in counts):
            out.append(check_group_sum(counts, s.n, measure))
        for g in groups:
            if g.count is not None and g.percent is not None:
                out.append(check_group_percent(g.count, s.n, g.percent, f"{measure} {g.category}"))
        pcts = [g.percent for g in groups]
        if all(p is not None for p in pcts):
            out.append(check_percent_sum(pcts, measure))
    return out


def _descriptives(rec: Record) -> list[Finding]:
    out: list[Finding] = []
    k = rec.sample.scale_points
    n = int(rec.sample.n.value) if rec.sample.n is not None else None
    for c, st in rec.results.constructs.items():
        if st.mean is None or st.sd is None:
            continue
        if k is None:
            out.append(not_checkable("mean_sd", st.sd.where, f"mean {st.mean.printed}, SD {st.sd.printed}",
                                     "the response scale is not printed"))
            continue
        out.append(check_mean_sd(st.mean, st.sd, 1, k.value, n, c))
    return out


def _claim_values(rec: Record, quantity: str, model: str | None) -> list[tuple[str, Published]]:
    if quantity == "loading":
        return list(rec.results.loadings.items())
    if quantity in ("ave", "cr", "alpha"):
        return [(c, getattr(st, quantity)) for c, st in rec.results.constructs.items()
                if getattr(st, quantity) is not None]
    out = []
    for b in rec.results.fit:
        if model is not None and b.model != model:
            continue
        if quantity in b.measures:
            out.append((f"{b.model.upper()} {quantity.upper()}", b.measures[quantity]))
    return out


def _claims(rec: Record) -> list[Finding]:
    return [check_claim(c, _claim_values(rec, c.quantity, c.model)) for c in rec.results.claims]


def _harman(rec: Record) -> list[Finding]:
    h = rec.results.harman
    return [check_harman(h.first_factor_percent)] if h is not None else []


def _nothing_printed(rec: Record, findings: list[Finding]) -> list[Finding]:
    """One not_checkable finding per family of checks the paper gives no numbers for."""
    have = {f.check for f in findings}
    fams = [
        ({"ave", "cr", "loading_bound", "cr_ave_bound", "smc", "fornell_larcker", "fornell_larcker_verdict",
          "htmt", "htmt_verdict", "loading_range", "loading_range_ave", "loading_range_cr"}, "reliability", "no standardized loadings, AVE or CR are printed"),
        ({"rmsea", "chisq_df", "chisq_pvalue", "df", "agfi", "incremental_fit", "incremental_fit_scaled",
          "baseline_chisq", "chisq_marker", "item_counts", "software_convention"}, "fit", "no fit statistics are printed"),
        ({"statistic", "p_value", "marker", "standardized_bound", "implied_r2", "std_bound", "sign"}, "estimates",
         "no structural estimates, standard errors or test statistics are printed"),
        ({"sample_sum", "sample_percent", "percent_sum", "response_rate"}, "sample",
         "no sample description (group counts, percentages, response rate) is printed"),
    ]
    out = []
    for checks, name, msg in fams:
        if not (have & checks):
            out.append(not_checkable(name, rec.citation.source_file, "not printed", msg))
    return out


def audit(record: Record | str) -> AuditReport:
    """Audit a published record.

    Parameters
    ----------
    record : Record or str
        A record, or a paper id / path accepted by :func:`replication.record.schema.load_record`.

    Returns
    -------
    AuditReport
        Every finding; see :meth:`AuditReport.summary` for the classification.
    """
    if isinstance(record, str):
        record = load_record(record)
    if not isinstance(record, Record):
        raise InputError(f"audit: expected a Record or a paper id, got {type(record).__name__}")
    findings: list[Finding] = []
    findings += _measurement(record)
    findings += cr_ave_findings(record)
    findings += smc_findings(record)
    findings += discriminant_findings(record)
    findings += _fit(record)
    findings += item_count_findings(record)
    counts = {b.model: record_df(record, b.model) for b in record.results.fit}
    findings += scaled_findings(record, counts)
    findings += record_n_findings(record)
    findings += software_convention_findings(record)
    if record.results.comparisons:
        findings += comparison_findings(record, counts, analysed_n(record))
    r2_findings, cache = _r2(record)
    findings += _paths(record, cache)
    findings += r2_findings
    findings += parameter_findings(record, max(_legend(record)))
    findings += marker_findings(record, counts)
    findings += sign_findings(record)
    findings += _hypotheses(record)
    findings += _sample(record)
    findings += _descriptives(record)
    findings += grim_findings(record)
    findings += _claims(record)
    findings += _harman(record)
    findings += pls_findings(record)
    findings += matrix_findings(record)
    findings += _nothing_printed(record, findings)
    return AuditReport(paper=record.id, findings=findings)


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------
def to_json(report: AuditReport) -> dict:
    """The report as ``{"paper", "findings": [{check, where, reported, recomputed, status, detail}], "summary"}``."""
    return {
        "paper": report.paper,
        "findings": [{**{k: getattr(f, k) for k in _FIELDS}, "severity": f.severity or "info"}
                     for f in report.findings],
        "summary": report.summary(),
    }


def to_frame(report: AuditReport) -> pd.DataFrame:
    """The findings as a DataFrame with columns ``check, where, reported, recomputed, status, detail, severity``."""
    rows = [{**{k: getattr(f, k) for k in _FIELDS}, "severity": f.severity or ""} for f in report.findings]
    return pd.DataFrame(rows, columns=[*_FIELDS, "severity"])


def format_text(report: AuditReport, show_consistent: bool = True) -> str:
    """Human-readable report: the summary, then the findings grouped by status.

    Parameters
    ----------
    report : AuditReport
    show_consistent : bool, default True
        List the consistent findings too (one line each).
    """
    s = report.summary()
    lines = [f"Audit of {report.paper}: {s['classification']}",
             f"  {s['n_findings']} findings: {s['consistent']} consistent, {s['inconsistent']} inconsistent "
             f"({s['major']} major, {s['minor']} minor), {s['not_checkable']} not checkable", ""]
    groups = [("INCONSISTENT", [f for f in report.findings if f.status == INCONSISTENT]),
              ("NOT CHECKABLE", [f for f in report.findings if f.status == NOT_CHECKABLE])]
    if show_consistent:
        groups.append(("CONSISTENT", [f for f in report.findings if f.status == CONSISTENT]))
    for title, fs in groups:
        if not fs:
            continue
        lines.append(f"{title} ({len(fs)})")
        for f in fs:
            if f.status == INCONSISTENT:
                lines.append(f"  [{f.severity}] {f.check} | {f.where}")
                lines.append(f"      printed {f.reported}; recomputed {f.recomputed}")
                lines.append(f"      {f.detail}")
            elif f.status == NOT_CHECKABLE:
                lines.append(f"  {f.check} | {f.where}: {f.detail}")
            else:
                lines.append(f"  {f.check} | {f.where}: printed {f.reported}, recomputed {f.recomputed}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
