"""Audit of printed parameters (``results.parameters``), of CR against AVE and the item count,
and of item R-squared against the printed loadings: the record walks behind
:func:`replication.audit.core.audit` for numbers keyed by lavaan's ``lhs op rhs``.
"""

from __future__ import annotations

from replication.audit.bound_checks import check_cr_ave_bound, check_smc, check_std_all
from replication.audit.estimate_checks import check_p_value, check_statistic
from replication.audit.finding import Finding, not_checkable
from replication.record.schema import Record

__all__ = ["parameter_findings", "cr_ave_findings", "smc_findings"]


def _predictors(rec: Record) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in rec.results.parameters:
        if p.op == "~":
            out[p.lhs] = out.get(p.lhs, 0) + 1
    for p in rec.model.paths:
        out[p.to] = max(out.get(p.to, 0), sum(1 for q in rec.model.paths if q.to == p.to))
    return out


def parameter_findings(rec: Record, alpha: float = 0.05) -> list[Finding]:
    """z against est/SE, p against z, and admissible standardized values of each printed parameter.

    A parameter also printed under ``results.paths`` (the same regression) is checked there
    only, so no number is counted twice.
    """
    out: list[Finding] = []
    in_paths = {(r.to, "~", r.from_) for r in rec.results.paths}
    preds = _predictors(rec)
    for p in rec.results.parameters:
        key = p.key + (f" ({p.model})" if p.model else "")
        if (p.lhs, p.op, p.rhs) not in in_paths:
            if p.z is not None:
                if p.est is not None and p.se is not None:
                    out.append(check_statistic(p.est, p.se, p.z, "z", alpha))
                else:
                    out.append(not_checkable("statistic", p.z.where, p.z.printed,
                                             f"z of {key}: no {'S.E.' if p.est is not None else 'estimate'} "
                                             "printed to recompute estimate / S.E."))
                if p.pvalue is not None:
                    out.append(check_p_value(p.z, p.pvalue, "z", alpha))
        if p.std_all is not None:
            variance = p.op == "~~" and p.lhs == p.rhs
            if p.op == "~" and preds.get(p.lhs, 1) > 1:
                continue  # with several predictors a standardized coefficient may exceed 1
            if p.op in ("=~", "~", "~~"):
                out.append(check_std_all(p.std_all, key, variance))
    return out


def cr_ave_findings(rec: Record) -> list[Finding]:
    """CR within the range its AVE and item count allow, where the loadings are not all printed
    (with every loading printed, CR and AVE are recomputed from them instead)."""
    out: list[Finding] = []
    loads = rec.results.loadings
    for c, st in rec.results.constructs.items():
        items = rec.items.get(c, [])
        if st.cr is None or st.ave is None or not items or all(i in loads for i in items):
            continue
        out.append(check_cr_ave_bound(st.cr, st.ave, len(items), c))
    return out


def smc_findings(rec: Record) -> list[Finding]:
    """Printed item R-squared against the squared printed standardized loading (items on one factor)."""
    out: list[Finding] = []
    std = {p.rhs: p.std_all for p in rec.results.parameters if p.op == "=~" and p.std_all is not None
           and p.model is None}
    loads = {**std, **rec.results.loadings}
    owners: dict[str, int] = {}
    for items in rec.items.values():
        for it in items:
            owners[it] = owners.get(it, 0) + 1
    for name, r2 in rec.results.r2.items():
        if name in loads and owners.get(name) == 1:
            out.append(check_smc(loads[name], r2, name))
    return out
