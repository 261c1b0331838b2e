"""Measurement invariance across groups: configural, metric, scalar and strict models in one
table, with chi-square differences and the changes in CFI, RMSEA and SRMR read against Chen's
(2007) cutoffs.

:func:`invariance_sequence` fits the sequence with
:func:`replication.engine.multigroup.fit_groups` and returns an :class:`InvarianceResult`;
:func:`chen_2007` is the plain rule, usable on published numbers.

Notes
-----
Each model adds equality constraints to the one before: metric ``loadings``; scalar
``loadings, intercepts``; strict ``loadings, intercepts, residuals`` (lavaan ``group.equal``),
with the same ``group.partial`` throughout. The difference test compares each model with the
one before: with ML the likelihood-ratio ``T0 - T1`` on ``df0 - df1`` (lavaan ``lavTestLRT``),
with MLM or MLR the Satorra-Bentler (2001) scaled difference
(:func:`replication.engine.robust.sb2001_difference`). With a robust estimator the table shows
the scaled chi-square and the robust CFI and RMSEA (lavaan's ``cfi.robust``, ``rmsea.robust``,
Brosseau-Liard & Savalei 2014), and the changes are taken on those.

References
----------
Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement invariance.
*Structural Equation Modeling*, 14, 464-504.
Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing
measurement invariance. *Structural Equation Modeling*, 9, 233-255.
Meredith, W. (1993). Measurement invariance, factor analysis and factorial invariance.
*Psychometrika*, 58, 525-543.
Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test statistic for moment
structure analysis. *Psychometrika*, 66, 507-514.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
from scipy.special import chdtrc, ndtr

from replication.engine import robust as rb
from replication.engine.errors import InputError
from replication.engine.multigroup import MultiGroupResult, fit_groups
from replication.engine.multigroup_table import category

__all__ = ["STEPS", "CHEN_CUTOFFS", "chen_2007", "InvarianceResult", "invariance_sequence",
           "GroupComparison", "compare_groups"]

STEPS = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}
# Chen (2007, p. 501), N > 300: noninvariance when CFI drops by .010 or more, supplemented by
# a rise of RMSEA by .015 or more or of SRMR by .030 (loadings) / .010 (intercepts, residuals)
CHEN_CUTOFFS = {"cfi": -0.010, "rmsea": 0.015, "srmr_metric": 0.030, "srmr": 0.010}


def chen_2007(step: str, delta_cfi: float, delta_rmsea: float, delta_srmr: float) -> str:
    """Chen's (2007) reading of the change in fit from one invariance model to the next.

    Returns ``"noninvariant"`` when ``delta_cfi <= -0.010`` together with ``delta_rmsea >=
    0.015`` or ``delta_srmr >= 0.030`` (metric step; ``0.010`` for the scalar and strict
    steps), ``"invariant"`` otherwise, ``""`` for the configural model.

    References
    ----------
    Chen, F. F. (2007). *Structural Equation Modeling*, 14, 464-504 (p. 501).
    """
    if step == "configural":
        return ""
    srmr_cut = CHEN_CUTOFFS["srmr_metric"] if step == "metric" else CHEN_CUTOFFS["srmr"]
    worse = delta_cfi <= CHEN_CUTOFFS["cfi"] + 1e-12 and (
        delta_rmsea >= CHEN_CUTOFFS["rmsea"] - 1e-12 or delta_srmr >= srmr_cut - 1e-12)
    return "noninvariant" if worse else "invariant"


@dataclass
class InvarianceResult:
    """The invariance sequence.

    Attributes
    ----------
    table : DataFrame
        One row per model: ``model, group_equal, npar, chisq, df, pvalue, cfi, tli, rmsea,
        srmr, delta_chisq, delta_df, delta_pvalue, delta_cfi, delta_rmsea, delta_srmr, chen``
        (``chisq``, ``pvalue`` scaled and ``cfi``, ``tli``, ``rmsea`` robust with MLM or MLR).
    fits : dict
        ``{model: MultiGroupResult}``.
    estimator : str
    """

    table: pd.DataFrame
    fits: dict = field(default_factory=dict)
    estimator: str = "ML"

    def summary(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()


def _row(step: str, res: MultiGroupResult, robust: bool) -> dict:
    fm = res.fit_measures
    sfx = ".robust" if robust else ""
    return {"model": step, "group_equal": ", ".join(STEPS[step]) or "none",
            "npar": int(fm["npar"]),
            "chisq": fm["chisq.scaled" if robust else "chisq"], "df": int(fm["df"]),
            "pvalue": fm["pvalue.scaled" if robust else "pvalue"],
            "cfi": fm["cfi" + sfx], "tli": fm["tli" + sfx], "rmsea": fm["rmsea" + sfx],
            "srmr": fm["srmr"]}


def invariance_sequence(model: str, data: pd.DataFrame, group: str, *, estimator: str = "ML",
                        steps=tuple(STEPS), group_partial=(), missing: str = "listwise",
                        cov_y: bool = True) -> InvarianceResult:
    """Fit configural, metric, scalar and strict models and compare each with the one before.

    Parameters
    ----------
    model : str
        lavaan syntax of the measurement model.
    data : DataFrame
        Responses with the model's columns and ``group``.
    group : str
        Grouping column.
    estimator : {"ML", "MLM", "MLR"}
    steps : sequence of str
        Models of :data:`STEPS`, in order (default all four).
    group_partial : iterable of str
        Parameters freed in every constrained model (lavaan ``group.partial``).
    missing : {"listwise", "fiml"}
        Listwise deletion, or full-information ML (:mod:`replication.engine.multigroup_fiml`;
        ML or MLR).
    cov_y : bool, default True

    Returns
    -------
    InvarianceResult

    Notes
    -----
    Checked against lavaan 0.6.14 ``cfa(..., group.equal = ...)`` and ``lavTestLRT`` on
    HolzingerSwineford1939 by school and on bfi by gender (``scripts/multigroup_fixtures.R``).
    """
    unknown = [s for s in steps if s not in STEPS]
    if unknown or not steps:
        raise InputError(f"invariance: step {unknown[0] if unknown else ''!r} is not one of "
                         f"{', '.join(STEPS)}")
    robust = estimator.upper() in rb.ROBUST_ESTIMATORS
    fitter = fit_groups
    if missing == "fiml":
        from replication.engine.multigroup_fiml import fit_groups_fiml as fitter
    fits, rows = {}, []
    prev = None
    for step in steps:
        res = fitter(model, data, group, group_equal=STEPS[step],
                         group_partial=group_partial if step != "configural" else (),
                         estimator=estimator, cov_y=cov_y)
        fits[step] = res
        row = _row(step, res, robust)
        if prev is None:
            row.update(delta_chisq=math.nan, delta_df=math.nan, delta_pvalue=math.nan,
                       delta_cfi=math.nan, delta_rmsea=math.nan, delta_srmr=math.nan)
        else:
            f1, f0 = prev[1].fit_measures, res.fit_measures
            if robust:
                d = rb.sb2001_difference(f1["chisq"], f1["df"], f1["chisq.scaling.factor"],
                                         f0["chisq"], f0["df"], f0["chisq.scaling.factor"])
                dchi, ddf, dp = d["chisq_diff"], d["df_diff"], d["pvalue"]
            else:
                dchi, ddf = f0["chisq"] - f1["chisq"], f0["df"] - f1["df"]
                dp = float(chdtrc(ddf, dchi)) if ddf > 0 else math.nan
            p = prev[0]
            row.update(delta_chisq=dchi, delta_df=ddf, delta_pvalue=dp,
                       delta_cfi=row["cfi"] - p["cfi"], delta_rmsea=row["rmsea"] - p["rmsea"],
                       delta_srmr=row["srmr"] - p["srmr"])
        row["chen"] = chen_2007(step, row["delta_cfi"], row["delta_rmsea"], row["delta_srmr"])
        rows.append(row)
        prev = (row, res)
    return InvarianceResult(table=pd.DataFrame(rows), fits=fits, estimator=estimator.upper())


def _difference_test(free: MultiGroupResult, equal: MultiGroupResult, robust: bool) -> dict:
    f1, f0 = free.fit_measures, equal.fit_measures
    if robust:
        d = rb.sb2001_difference(f1["chisq"], f1["df"], f1["chisq.scaling.factor"],
                                 f0["chisq"], f0["df"], f0["chisq.scaling.factor"])
        return {"chisq_diff": d["chisq_diff"], "df_diff": d["df_diff"], "pvalue": d["pvalue"]}
    dchi, ddf = f0["chisq"] - f1["chisq"], f0["df"] - f1["df"]
    return {"chisq_diff": dchi, "df_diff": ddf,
            "pvalue": float(chdtrc(ddf, dchi)) if ddf > 0 else math.nan}


@dataclass
class GroupComparison:
    """Parameters compared between two groups.

    Attributes
    ----------
    table : DataFrame
        One row per parameter free in both groups: ``lhs, op, rhs, est_<group1>,
        est_<group2>, difference, se, z, pvalue, differs`` (``differs``: ``pvalue < alpha``).
    test : dict
        The joint test of equality, ``chisq_diff, df_diff, pvalue`` (scaled with MLM, MLR).
    groups : list of str
    """

    table: pd.DataFrame
    test: dict
    groups: list[str]


def compare_groups(model: str, data: pd.DataFrame, group: str, *,
                   categories=("loadings", "regressions"), estimator: str = "ML",
                   alpha: float = 0.05, cov_y: bool = True) -> GroupComparison:
    """Which loadings and structural paths differ between two groups (for example the original
    sample and a replication sample).

    Parameters
    ----------
    model : str
        lavaan syntax.
    data : DataFrame
        Both samples, with the column ``group`` telling them apart (two values).
    group : str
    categories : iterable of str
        Parameter kinds compared (lavaan ``group.equal`` names), default loadings and
        regressions.
    estimator : {"ML", "MLM", "MLR"}
    alpha : float
        Level of the per-parameter tests.

    Returns
    -------
    GroupComparison

    Notes
    -----
    Each parameter: Wald test of ``theta_1 - theta_2`` in the configural model (the groups are
    independent samples, so its variance is the sum of the two variances; robust with MLM and
    MLR). All together: the chi-square difference between the configural model and the model
    with ``categories`` equal (Satorra-Bentler 2001 scaled with MLM and MLR).

    References
    ----------
    Joreskog, K. G. (1971). Simultaneous factor analysis in several populations.
    *Psychometrika*, 36, 409-426.
    Satorra, A., & Bentler, P. M. (2001). *Psychometrika*, 66, 507-514.
    """
    free = fit_groups(model, data, group, estimator=estimator, cov_y=cov_y)
    if len(free.group_labels) != 2:
        raise InputError(f"compare_groups: column {group!r} has {len(free.group_labels)} "
                         "groups; expected two")
    equal = fit_groups(model, data, group, group_equal=categories, estimator=estimator,
                       cov_y=cov_y)
    lv = set(free.table.base.lv)
    rows = {}
    for r in free.table.rows:
        if r["free"] >= 0 and category(r, lv) in set(categories):
            rows.setdefault((r["lhs"], r["op"], r["rhs"]), {})[r["group"]] = r["free"]
    g1, g2 = free.group_labels
    V, th = free.vcov, free.theta
    recs = []
    for (lhs, op, rhs), ks in rows.items():
        if len(ks) != 2:
            continue
        a, b = ks[0], ks[1]
        diff = th[a] - th[b]
        se = math.sqrt(max(V[a, a] + V[b, b] - 2 * V[a, b], 0.0))
        z = diff / se if se > 0 else math.nan
        p = float(2 * ndtr(-abs(z))) if math.isfinite(z) else math.nan
        recs.append({"lhs": lhs, "op": op, "rhs": rhs, f"est_{g1}": float(th[a]),
                     f"est_{g2}": float(th[b]), "difference": float(diff), "se": se, "z": z,
                     "pvalue": p, "differs": bool(p < alpha)})
    robust = estimator.upper() in rb.ROBUST_ESTIMATORS
    return GroupComparison(table=pd.DataFrame(recs), test=_difference_test(free, equal, robust),
                           groups=[g1, g2])
