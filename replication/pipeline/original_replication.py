"""Original vs replication: is the measurement model the same, and are the paths equal, in the
original sample and in a new one?

With real responses (``data_path``), :func:`original_vs_replication` stacks the original sample
(the paper's reconstruction at its published N, exact moments:
:func:`replication.data.reconstruct.reconstruct`, source ``reconstructed``) and the new sample
with a group column, and fits them as a two-group model:

- :func:`replication.analyses.invariance.invariance_sequence`: configural, metric and scalar
  invariance of the record's CFA in one table (chi-square difference, scaled with MLM or MLR;
  delta CFI and RMSEA against Chen 2007);
- :func:`replication.analyses.invariance.compare_groups`: each loading and structural path of
  the record's model, original minus replication, with its Wald test and the joint test of
  equality; which differ.

Without real responses there is nothing to compare and :func:`original_vs_replication` returns
``None`` (the ``results.json`` of such a run has no ``original_vs_replication`` key).

References
----------
Joreskog, K. G. (1971). Simultaneous factor analysis in several populations. *Psychometrika*,
36, 409-426.
Meredith, W. (1993). Measurement invariance, factor analysis and factorial invariance.
*Psychometrika*, 58, 525-543.
Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement invariance.
*Structural Equation Modeling*, 14, 464-504.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from replication.analyses.invariance import (GroupComparison, InvarianceResult, compare_groups,
                                             invariance_sequence)
from replication.data import reconstruct
from replication.data.likert import reverse_items
from replication.engine.errors import InputError
from replication.pipeline.estimation import record_estimator
from replication.pipeline.inputs import Inputs, shown_value

__all__ = ["GROUP", "ORIGINAL", "REPLICATION", "STEPS", "OriginalVsReplication",
           "original_vs_replication", "stack_samples"]

#: The group column of the stacked samples and its two values.
GROUP = "sample"
ORIGINAL = "original"
REPLICATION = "replication"
#: The invariance models fitted (lavaan ``group.equal`` of each: none; loadings; loadings and
#: intercepts).
STEPS = ("configural", "metric", "scalar")
#: Estimators of the record that the two-group model uses (others: not compared).
_MULTIGROUP_ESTIMATORS = ("ML", "MLM", "MLR")


@dataclass
class OriginalVsReplication:
    """The two-group comparison of the original and the replication sample.

    Attributes
    ----------
    invariance : InvarianceResult
        Configural, metric and scalar models of the record's CFA.
    parameters : GroupComparison
        Loadings and structural paths of the record's model, one row each: ``lhs, op, rhs,
        est_original, est_replication, difference, se, z, pvalue, differs``.
    n : dict
        ``{"original": N, "replication": N}``.
    estimator : str
    model : str
        ``"cfa"`` or ``"sem"``: the model whose parameters are compared.
    notes : list of str
    """

    invariance: InvarianceResult | None
    parameters: GroupComparison | None
    n: dict
    estimator: str
    model: str
    notes: list = field(default_factory=list)

    @property
    def computed(self) -> bool:
        """Whether the two-group models were fitted (not when the new sample's CFA failed)."""
        return self.invariance is not None

    @property
    def differ(self) -> list[str]:
        """The parameters that differ (``"lhs op rhs"``), in the model's order."""
        if not self.computed:
            return []
        t = self.parameters.table
        if t.empty:
            return []
        return [f"{r.lhs} {r.op} {r.rhs}" for r in t.itertuples(index=False) if r.differs]

    def invariance_table(self) -> pd.DataFrame:
        """The invariance sequence, one row per model (a copy; empty when not computed)."""
        return self.invariance.summary() if self.computed else pd.DataFrame(columns=["model"])

    def parameter_table(self) -> pd.DataFrame:
        """Loadings and paths, original beside replication, with ``kind`` (loading or path)."""
        if not self.computed:
            return pd.DataFrame(columns=["kind", "lhs", "op", "rhs"])
        t = self.parameters.table.copy()
        if not t.empty:
            t.insert(0, "kind", t["op"].map({"=~": "loading", "~": "path"}).fillna(t["op"]))
        return t

    def summary(self) -> str:
        """One sentence per question: invariance and the parameters that differ."""
        if not self.computed:
            return (f"Original (N = {self.n[ORIGINAL]}) vs replication (N = {self.n[REPLICATION]}): "
                    + " ".join(self.notes))
        inv = self.invariance.table.set_index("model")
        reads = [f"{m} {inv.at[m, 'chen'] or 'fitted'}" for m in inv.index if m != "configural"]
        test = self.parameters.test
        differ = self.differ
        return (f"Original (N = {self.n[ORIGINAL]}) vs replication (N = {self.n[REPLICATION]}), "
                f"{self.estimator}: {'; '.join(reads)} (Chen 2007). Loadings and paths equal "
                f"across samples: chi-square difference {test['chisq_diff']:.2f} on "
                f"{int(test['df_diff'])} df, p = {test['pvalue']:.3g}; "
                + (f"differ: {', '.join(differ)}." if differ else "none differs at p < .05."))

    def to_json(self) -> dict:
        """The ``original_vs_replication`` block of ``results.json`` (tables as row lists)."""
        if not self.computed:
            return {"n": dict(self.n), "estimator": self.estimator, "model": self.model,
                    "group": GROUP, "computed": False, "notes": list(self.notes)}
        return {"n": dict(self.n), "estimator": self.estimator, "model": self.model,
                "group": GROUP, "invariance": self.invariance.table,
                "parameters": self.parameters.table, "test": dict(self.parameters.test),
                "differ": self.differ, "notes": list(self.notes)}


def _not_fitted(rec, estimator: str) -> str:
    """Why the record's model cannot be the two-group model of the samples ('' when it can):
    ordered items (two-group models of ordered items are not fitted) or a model that already
    has groups (``model.group``; the reconstruction is one sample). Nothing else is fitted in
    its place."""
    if estimator not in _MULTIGROUP_ESTIMATORS:
        return (f"Not compared: the paper's estimator {estimator} is for ordered items, and "
                "two-group models of ordered items are not fitted by the suite.")
    if getattr(rec.model, "group", None) is not None:
        return (f"Not compared: the paper's model has groups (model.group {rec.model.group}), "
                "and the reconstruction of the original sample is one sample.")
    if rec.values().get("sample.n") is None:
        return ("Not compared: the paper prints no N (sample.n), so its sample cannot be "
                "reconstructed; `replicate audit` reports the N its fit statistics imply.")
    return ""


def _failed(cfa) -> str:
    """Why a fitted CFA cannot anchor a two-group model ('' when it can)."""
    if cfa is None or cfa.converged:
        return ""
    return "did not converge"


def stack_samples(original: pd.DataFrame, replication: pd.DataFrame,
                  columns: list[str]) -> pd.DataFrame:
    """The two samples, one above the other, with the group column :data:`GROUP`.

    Parameters
    ----------
    original, replication : DataFrame
        Responses with ``columns``.
    columns : list of str
        The model's observed variables.

    Returns
    -------
    DataFrame
        ``columns`` and :data:`GROUP` (``"original"`` rows first), index 0..n-1.
    """
    absent = [c for c in columns if c not in replication.columns]
    if absent:
        raise InputError(f"data: no column {absent[0]!r}; expected every item of the record")
    parts = [original[columns].astype(float).assign(**{GROUP: ORIGINAL}),
             replication[columns].astype(float).assign(**{GROUP: REPLICATION})]
    return pd.concat(parts, ignore_index=True)


def _original_sample(inputs: Inputs, seed: int) -> tuple[pd.DataFrame, list[str]]:
    """The original sample: the reconstruction at the published N, reverse-keyed items
    reverse-scored as the new sample's are (:func:`replication.pipeline.inputs.load_inputs`),
    and what it rests on that the paper did not print (:func:`_assumed_in_original`)."""
    rec = inputs.record
    result = reconstruct.reconstruct(rec, source="reconstructed", seed=int(seed))
    data = result.data
    if rec.reversed_items:
        data = reverse_items(data, rec.reversed_items, int(rec.scale_points))
    return data, _assumed_in_original(rec, result)


def _assumed_in_original(rec, result) -> list[str]:
    """One note per value the original sample rests on that the paper did not print: the
    record's assumptions and the defaults the reconstruction filled in (loadings, say)."""
    notes = []
    if rec.assumptions:
        values = "; ".join(f"{a.target} = {shown_value(a.value)}" for a in rec.assumptions)
        notes.append(f"The original sample rests on {len(rec.assumptions)} value(s) the paper "
                     f"does not print (their reasons under Assumptions): {values}.")
    notes += [f"The original sample: {n}" for n in result.notes if "default" in n.lower()]
    return notes


def original_vs_replication(inputs: Inputs, seed: int | None = None, *, cfa=None
                            ) -> OriginalVsReplication | None:
    """Measurement invariance and equal paths between the original and the replication sample.

    Parameters
    ----------
    inputs : Inputs
        The record and the responses (:func:`replication.pipeline.inputs.load_inputs`).
    seed : int, optional
        Seed of the reconstruction of the original sample (default: the run's seed).
    cfa : FitResult, optional
        The new sample's CFA (:func:`replication.pipeline.steps.run_cfa`). When it did not
        converge, the two-group models are not fitted (their configural model contains it):
        the result says so in ``notes`` and ``computed`` is False.

    Returns
    -------
    OriginalVsReplication or None
        ``None`` unless the responses are real (provenance source ``csv``).

    Notes
    -----
    The estimator is the record's (``model.estimator`` with ``se`` and ``test``) when it is ML,
    MLM or MLR; with ordered items (DWLS, WLSMV) or a record with groups the comparison is not
    computed and its note says why (nothing else is fitted in its place). Incomplete rows of the new sample are left out
    (listwise deletion). Loadings and structural paths are compared in the record's main model
    (its SEM; its CFA for a CFA or regression paper), invariance in its CFA: metric invariance
    tests ``group.equal = "loadings"``, scalar adds ``"intercepts"`` (lavaan; Meredith 1993).
    """
    if inputs.provenance.get("source") != "csv":
        return None
    rec = inputs.record
    seed = int(inputs.provenance.get("seed", 2024) if seed is None else seed)
    estimator = record_estimator(rec)
    kind = "sem" if rec.model.kind == "sem" else "cfa"
    why = _not_fitted(rec, estimator)
    if why:
        printed = rec.values().get("sample.n")
        n = {ORIGINAL: int(rec.n_analysed) if printed is not None else None,
             REPLICATION: int(len(inputs.data.dropna()))}
        return OriginalVsReplication(invariance=None, parameters=None, n=n, estimator=estimator,
                                     model=kind, notes=[why])
    original, notes = _original_sample(inputs, seed)
    columns = [c for c in original.columns if c in rec.item_list]
    new = inputs.data[columns]
    complete = new.dropna()
    if len(complete) < len(new):
        notes.append(f"{len(new) - len(complete)} incomplete rows of the new sample left out "
                     "(listwise deletion).")
    n = {ORIGINAL: int(len(original)), REPLICATION: int(len(complete))}
    failed = _failed(cfa)
    if failed:
        notes.append(f"Not compared: the new sample's CFA {failed}, and the two-group models "
                     "contain it.")
        return OriginalVsReplication(invariance=None, parameters=None, n=n,
                                     estimator=estimator, model=kind, notes=notes)
    stacked = stack_samples(original, complete, columns)
    cfa_model = rec.cfa_syntax()
    main = rec.main_syntax() if kind == "sem" else cfa_model
    inv = invariance_sequence(cfa_model, stacked, GROUP, estimator=estimator, steps=STEPS,
                             cov_y=False)
    params = compare_groups(main, stacked, GROUP, estimator=estimator,
                            categories=("loadings", "regressions") if kind == "sem"
                            else ("loadings",), cov_y=False)
    return OriginalVsReplication(invariance=inv, parameters=params, n=n, estimator=estimator,
                                 model=kind, notes=notes)
