"""The record's estimator in the per-paper pipeline: a model fitted exactly as the record says.

:func:`fit_record_model` fits a model of the record with what its ``model`` block states, and
refuses (:class:`~replication.engine.errors.InputError`, one line naming the field) what the
suite cannot fit, never fitting something else in its place:

Every model is fitted by the one entry point of the engine, :func:`replication.engine.api.fit`,
with the record's options, and the result is built once with the standard errors and test of
its estimator (never an ML fit changed afterwards):

* ``estimator`` ML, MLM, MLR (with ``se`` and ``test`` as lavaan combines them,
  :attr:`replication.record.model.Model.fitted_estimator`): robust standard errors and the
  scaled and robust fit measures of MLM and MLR under lavaan's names (``chisq.scaled``,
  ``chisq.scaling.factor``, ``pvalue.scaled``, ``cfi.scaled``, ``tli.scaled``,
  ``rmsea.scaled``, ``cfi.robust``, ``tli.robust``, ``rmsea.robust``), complete rows or
  full-information ML (``sample.missing: fiml``);
* ``estimator`` DWLS or WLSMV with ``ordered`` items (thresholds, polychoric correlations, the
  scaled-and-shifted test of WLSMV) on the items as the pipeline holds them, reverse-keyed items
  already reverse-scored;
* ``group`` (several groups) with lavaan's ``group.equal`` of the fit block
  (:meth:`~replication.record.model.Model.block_group_equal`: configural, metric, scalar and
  strict blocks, else ``model.group_equal``) and ``model.group_partial``, the groups in the
  order of ``model.group_labels``.

The fit comes back as a :class:`RecordFit`: a :class:`~replication.engine.results.FitResult`
(parameters with ``std_all``; a ``group`` column on every row of a multi-group fit; R-squared
``1 - std_all`` of the residual variances, of the first group for several groups) that also
carries ``estimation`` (:func:`estimation_of`: the estimator, standard errors, test,
missing-data treatment, ordered items and groups it was fitted with), ``groups``, and the
``thresholds`` and ``polychoric`` correlations of an ordinal fit.

Notes
-----
lavaan: ``estimator = "MLM"`` is ML estimates with Satorra-Bentler (1994) scaled test and
robust ("sandwich", expected information) standard errors; ``estimator = "MLR"`` is ML
estimates with the Yuan-Bentler (2000) scaled test and Huber-White standard errors (observed
information). The estimates, and hence the ML fit measures, are the same as with ML.

References
----------
Satorra, A., & Bentler, P. M. (1994). Corrections to test statistics and standard errors in
covariance structure analysis. In A. von Eye & C. C. Clogg (Eds.), *Latent variables analysis*
(pp. 399-419). Sage.
Yuan, K.-H., & Bentler, P. M. (2000). Three likelihood-based methods for mean and covariance
structure analysis with nonnormal missing data. *Sociological Methodology*, 30, 165-200.
Muthen, B., du Toit, S. H. C., & Spisic, D. (1997). Robust inference using weighted least
squares and quadratic estimating equations in latent variable modeling with categorical and
continuous outcomes. Unpublished manuscript.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from replication.engine import api
from replication.engine.errors import InputError
from replication.engine.partable import specify
from replication.engine.results import FitResult

__all__ = ["PIPELINE_ESTIMATORS", "ROBUST_ROWS", "ESTIMATION_OPTIONS", "RecordFit",
           "fit_record_model", "estimation_of", "record_estimator", "first_group"]

#: Estimators of ``model.estimator`` the per-paper pipeline fits.
PIPELINE_ESTIMATORS = ("ML", "MLM", "MLR", "DWLS", "WLSMV")
#: Scaled and robust fit measures a robust fit adds (lavaan's names), as reports list them.
ROBUST_ROWS = ["chisq.scaled", "chisq.scaling.factor", "pvalue.scaled", "cfi.scaled",
               "tli.scaled", "rmsea.scaled", "cfi.robust", "tli.robust", "rmsea.robust"]
#: lavaan's ``se`` and ``test`` of each estimator the pipeline fits.
ESTIMATION_OPTIONS = {"ML": ("standard", "standard"), "MLM": ("robust.sem", "satorra.bentler"),
                      "MLR": ("robust.huber.white", "yuan.bentler.mplus"),
                      "DWLS": ("standard", "standard"),
                      "WLSMV": ("robust.sem", "scaled.shifted")}


class RecordFit(FitResult):
    """A model of the record fitted as the record says: a :class:`FitResult` built once with
    what it was fitted with.

    Attributes
    ----------
    estimation : dict
        :func:`estimation_of` (a copy on every access).
    groups : list of dict
        ``[{"group", "n", "chisq"}]`` of a multi-group fit, in lavaan's order (empty for one
        group).
    thresholds : dict or None
        The thresholds of an ordinal fit.
    polychoric : DataFrame or None
        The polychoric correlations of an ordinal fit.
    """

    def __init__(self, *, estimation: dict, groups=(), thresholds=None, polychoric=None,
                 **fit) -> None:
        super().__init__(**fit)
        self._estimation = dict(estimation)
        self._groups = [dict(g) for g in groups]
        self._thresholds = thresholds
        self._polychoric = polychoric

    @classmethod
    def of(cls, result: FitResult, estimation: dict) -> "RecordFit":
        """The record's fit from an engine fit (its arguments, not the object, are reused)."""
        return cls(estimation=estimation, **result.init_arguments())

    @property
    def params(self) -> pd.DataFrame:
        """The parameter table of earlier versions (without ``label``); the ``group`` column
        is kept for several groups, as :class:`~replication.engine.multigroup.MultiGroupResult`
        keeps it."""
        p = self.parameters.drop(columns=["label"])
        return p if self._groups else p.drop(columns=["group"])

    @property
    def estimation(self) -> dict:
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self._estimation.items()}

    @property
    def groups(self) -> list[dict]:
        return [dict(g) for g in self._groups]

    @property
    def thresholds(self):
        return self._thresholds

    @property
    def polychoric(self):
        return None if self._polychoric is None else self._polychoric.copy()


def record_estimator(record) -> str:
    """The estimator the record's ``estimator``, ``se`` and ``test`` amount to.

    Raises
    ------
    InputError
        A combination the suite does not fit, naming ``model.se`` or ``model.test``.
    """
    model = record.model
    estimator = model.estimator
    if estimator not in PIPELINE_ESTIMATORS:
        raise InputError(f"model.estimator: {estimator!r}; expected one of "
                         f"{', '.join(PIPELINE_ESTIMATORS)}")
    se, test = getattr(model, "se", None), getattr(model, "test", None)
    fitted = getattr(model, "fitted_estimator", estimator)
    if fitted is None:
        field, value = ("model.test", test) if test is not None else ("model.se", se)
        fits = "; ".join(f"{e}: se {s}, test {t}" for e, (s, t) in ESTIMATION_OPTIONS.items())
        raise InputError(f"{field}: {value} with estimator {estimator} (se {se or 'default'}, "
                         f"test {test or 'default'}) is not fitted by the suite; it fits {fits}")
    return fitted


def estimation_of(record, estimator: str, missing: str, *, ordered=(), groups=None,
                  group_equal=(), group_partial=()) -> dict:
    """What a fit was fitted with: ``estimator``, ``se``, ``test`` (lavaan's words),
    ``missing``, ``ordered`` items, and for several groups ``group`` (the column), ``groups``
    (``[{"group", "n"}]`` in lavaan's order), ``group_equal`` and ``group_partial``."""
    se, test = ESTIMATION_OPTIONS[estimator]
    out = {"estimator": estimator, "se": se, "test": test, "missing": missing,
           "ordered": list(ordered), "group": None, "groups": [], "group_equal": [],
           "group_partial": []}
    if groups is not None:
        out.update(group=record.model.group, groups=groups, group_equal=list(group_equal),
                   group_partial=list(group_partial))
    return out


def fit_record_model(record, syntax: str, data: pd.DataFrame, *, missing: str = "listwise",
                     name: str = "cfa"):
    """Fit one model of the record exactly as the record says (module docstring).

    Parameters
    ----------
    record : Record
        Its ``model`` block chooses the estimator, ordered items and groups.
    syntax : str
        lavaan syntax of the model (the record's CFA, SEM or a named fit block).
    data : DataFrame
        The responses (with the ``model.group`` column for several groups).
    missing : {"listwise", "fiml"}
    name : str
        The fit block the model stands for (``cfa``, ``sem`` or a block's name): an invariance
        step's name chooses its ``group.equal``.

    Returns
    -------
    RecordFit
        Fitted by :func:`replication.engine.api.fit`, with ``estimation``
        (:func:`estimation_of`).

    Raises
    ------
    InputError
        One line naming the field when the record asks for what the suite does not fit: MLM
        with full-information ML, ordered items with full-information ML or in several groups,
        items of the model that are not ordered, groups that are not in the responses.
    """
    estimator = record_estimator(record)
    if missing == "fiml" and estimator == "MLM":
        raise InputError("model.estimator: MLM with sample.missing fiml; lavaan refuses "
                         "missing = \"ml\" with MLM, expected MLR")
    if getattr(record.model, "group", None) is not None:
        return _fit_groups(record, syntax, data, estimator, missing, name)
    if estimator in ("DWLS", "WLSMV"):
        return _fit_ordered(record, syntax, data, estimator, missing)
    result = api.fit(syntax, data, estimator=estimator, missing=missing)
    return RecordFit.of(result, estimation_of(record, estimator, missing))


#: The engine's names of options (``replication.fit`` keywords, ``replicate fit`` flags) and
#: the record's fields they come from, for messages about a record.
_RECORD_FIELDS = (("--group-partial: ", "model.group_partial: "),
                  ("group_partial: ", "model.group_partial: "),
                  ("--group-equal: ", "model.group_equal: "),
                  ("group_equal: ", "model.group_equal: "),
                  ("--ordered: ", "model.ordered: "), ("ordered: ", "model.ordered: "))


def _record_field(message: str) -> str:
    """An engine message about an option, naming the record's field instead."""
    for engine, field in _RECORD_FIELDS:
        if message.startswith(engine):
            return field + message[len(engine):]
    return message


def _r2(params: pd.DataFrame, endogenous) -> dict:
    """``1 - std_all`` of the residual variance of every endogenous variable."""
    out = {}
    for v in endogenous:
        row = params[(params["lhs"] == v) & (params["op"] == "~~") & (params["rhs"] == v)]
        if not row.empty:
            out[v] = 1.0 - float(row["std_all"].iloc[0])
    return out


def _implied(spec, params: pd.DataFrame) -> np.ndarray:
    """Model-implied covariance of the observed variables from one group's estimates."""
    from replication.engine.ram import RAM

    theta = np.zeros(spec.n_free)
    for r in spec.rows:
        if r["free"] >= 0:
            hit = params[(params["lhs"] == r["lhs"]) & (params["op"] == r["op"])
                         & (params["rhs"] == r["rhs"])]
            theta[r["free"]] = float(hit["est"].iloc[0]) if not hit.empty else 0.0
    return RAM(spec).implied(theta)


def _endogenous(spec) -> list[str]:
    outcomes = [r["lhs"] for r in spec.rows if r["op"] == "~" and r["lhs"] in spec.lv]
    return list(spec.ov) + list(dict.fromkeys(outcomes))


def _fit_ordered(record, syntax: str, data: pd.DataFrame, estimator: str, missing: str):
    """DWLS / WLSMV of ordered items as a RecordFit."""
    if missing == "fiml":
        raise InputError(f"sample.missing: fiml with ordered items (model.estimator {estimator}); "
                         "lavaan refuses missing = \"ml\" with categorical data: expected listwise")
    spec = specify(syntax)
    ordered = list(getattr(record, "ordered_items", None) or spec.ov)
    loose = [v for v in spec.ov if v not in ordered]
    if loose:
        raise InputError(f"model.ordered: item {loose[0]!r} of the model is not ordered; "
                         f"estimator {estimator} is fitted when every item of the model is "
                         "ordered (model.ordered: all)")
    try:
        res = api.fit(syntax, data, estimator=estimator, ordered=list(spec.ov), cov_y=False)
    except InputError as exc:
        raise InputError(_record_field(str(exc))) from None
    params = res.parameters
    fm = dict(res.fit_measures)
    fm.setdefault("ntotal", float(res.n))
    if fm.get("df"):
        fm["chisq_df"] = fm["chisq"] / fm["df"]
    implied = _implied(spec, params)
    np.fill_diagonal(implied, 1.0)  # the delta parameterization: correlations of y*
    return RecordFit(
        parameters=params, fit_measures=fm, r2=_r2(params, _endogenous(spec)),
        converged=bool(res.converged), warnings=list(res.warnings), n=int(res.n), model=syntax,
        implied_cov=implied, sample_cov=res.polychoric.loc[spec.ov, spec.ov].to_numpy(),
        spec=spec, estimator=estimator, missing="listwise",
        estimation=estimation_of(record, estimator, "listwise", ordered=spec.ov),
        thresholds=res.thresholds, polychoric=res.polychoric)


def _group_labels(record, data: pd.DataFrame, column: str) -> tuple[pd.DataFrame, list[str]]:
    """The responses with the group column as labels, rows in the record's group order."""
    from replication.engine.multigroup_table import _label

    if column not in data.columns:
        raise InputError(f"model.group: the responses have no column {column!r}; expected the "
                         "paper's responses with the group column (reconstructed and simulated "
                         "data are one sample)")
    labels = data[column].map(_label)
    seen = list(dict.fromkeys(labels.dropna()))
    want = list(record.model.group_labels or [])
    if not want:
        return data.assign(**{column: labels}), seen
    extra = [g for g in seen if g not in want]
    absent = [g for g in want if g not in seen]
    if extra or absent:
        what = (f"group {extra[0]!r} of the responses is not in model.group_labels" if extra else
                f"group {absent[0]!r} of model.group_labels is not in the responses")
        raise InputError(f"model.group_labels: {what} (column {column!r} holds "
                         f"{', '.join(seen)}); expected the same groups")
    order = labels.map({g: k for k, g in enumerate(want)})
    keep = order.notna()
    out = data.loc[keep].assign(**{column: labels[keep]})
    return out.iloc[order[keep].argsort(kind="stable").to_numpy()], want


def first_group(params: pd.DataFrame) -> pd.DataFrame:
    """The first group's rows of a multi-group parameter table (the table itself without a
    ``group`` column)."""
    if "group" not in params.columns or params.empty:
        return params
    return params[params["group"] == params["group"].iloc[0]].drop(columns="group")


def _fit_groups(record, syntax: str, data: pd.DataFrame, estimator: str, missing: str,
                name: str):
    """Several groups with the block's group.equal, as a RecordFit with a ``group`` column."""
    model = record.model
    if estimator in ("DWLS", "WLSMV"):
        raise InputError(f"model.group: several groups with ordered items (estimator "
                         f"{estimator}) are not fitted by the suite; expected one group, or "
                         "estimator ML, MLM or MLR")
    data, labels = _group_labels(record, data, model.group)
    equal = [w for w in model.block_group_equal(name) if w != "thresholds"]
    partial = list(model.group_partial) if equal else []  # nothing to relax in a configural fit
    spec = specify(syntax)
    try:
        res = api.fit(syntax, data, estimator=estimator, missing=missing, group=model.group,
                      group_equal=equal, group_partial=partial, cov_y=False)
    except InputError as exc:
        raise InputError(_record_field(str(exc))) from None
    params = res.params.copy()
    fm = dict(res.fit_measures)
    if fm.get("df"):
        fm["chisq_df"] = fm["chisq"] / fm["df"]
    first = res.group_labels[0]
    warnings = list(res.warnings) + [
        f"{len(res.group_labels)} groups by {model.group}: printed loadings, paths, parameters, "
        f"R-squared and reliabilities name no group and are compared with the first group "
        f"({first}); fit measures are those of all groups"]
    X = data.loc[data[model.group] == first, spec.ov].dropna().to_numpy(float)
    S = np.cov(X, rowvar=False, bias=True)  # the first group's (divisor N), as its implied
    groups = [{"group": g, "n": int(n), "chisq": float(res.chisq_group[g])}
              for g, n in zip(res.group_labels, res.nobs)]
    estimation = estimation_of(record, estimator, missing, groups=groups, group_equal=equal,
                               group_partial=partial)
    estimation["compared_group"] = first
    return RecordFit(
        parameters=params, fit_measures=fm, r2=_r2(first_group(params), _endogenous(spec)),
        converged=bool(res.converged), warnings=warnings, n=int(sum(res.nobs)), model=syntax,
        implied_cov=_implied(spec, first_group(params)), sample_cov=S, spec=spec,
        estimator=estimator, missing=missing, estimation=estimation, groups=groups)
