"""The record's estimator in the per-paper pipeline: a model fitted exactly as the record says.

:func:`fit_record_model` fits a model of the record with what its ``model`` block states, and
refuses (:class:`~replication.engine.errors.InputError`, one line naming the field) what the
suite cannot fit, never fitting something else in its place:

* ``estimator`` ML, MLM, MLR (with ``se`` and ``test`` as lavaan combines them,
  :attr:`replication.record.model.Model.fitted_estimator`): :func:`replication.engine.sem.fit`
  and, for MLM and MLR, the robust standard errors and the scaled and robust fit measures under
  lavaan's names (``chisq.scaled``, ``chisq.scaling.factor``, ``pvalue.scaled``,
  ``cfi.scaled``, ``tli.scaled``, ``rmsea.scaled``, ``cfi.robust``, ``tli.robust``,
  ``rmsea.robust``) through :func:`with_robust`;
* ``estimator`` DWLS or WLSMV with ``ordered`` items: :func:`replication.engine.ordinal.fit_ordinal`
  (thresholds, polychoric correlations, the scaled-and-shifted test of WLSMV) on the items as
  the pipeline holds them, reverse-keyed items already reverse-scored;
* ``group`` (several groups): :func:`replication.engine.multigroup.fit_groups` (or
  :func:`~replication.engine.multigroup_fiml.fit_groups_fiml` with full-information ML) with
  lavaan's ``group.equal`` of the fit block (:meth:`~replication.record.model.Model.block_group_equal`:
  configural, metric, scalar and strict blocks, else ``model.group_equal``) and
  ``model.group_partial``, the groups in the order of ``model.group_labels``.

Every fit carries ``estimation`` (:func:`estimation_of`): the estimator, standard errors, test,
missing-data treatment, ordered items and groups it was fitted with. Ordinal and multi-group
fits are returned as :class:`~replication.engine.results.FitResult` (parameters with
``std_all``; a ``group`` column on every row of a multi-group fit; R-squared ``1 - std_all``
of the residual variances, of the first group for several groups).

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

from replication.engine import robust as rb
from replication.engine import sem
from replication.engine.errors import InputError
from replication.engine.partable import specify
from replication.engine.results import FitResult

__all__ = ["PIPELINE_ESTIMATORS", "ROBUST_ROWS", "ESTIMATION_OPTIONS", "fit_record_model",
           "with_robust", "estimation_of", "record_estimator", "first_group"]

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


def with_robust(result, data: pd.DataFrame, estimator: str):
    """An ML fit with the robust standard errors and scaled fit measures of ``estimator``.

    Parameters
    ----------
    result : FitResult
        :func:`replication.engine.sem.fit` of the model (ML estimates).
    data : DataFrame
        The responses it was fitted to.
    estimator : {"MLM", "MLR"}

    Returns
    -------
    FitResult
        The same object, with ``parameters`` holding robust ``se``, ``z``, ``pvalue``,
        ``fit_measures`` extended by :data:`replication.engine.robust.SCALED_MEASURES` and
        ``estimator`` set.
    """
    spec, fm = result.spec, result.fit_measures
    if result.missing == "fiml":
        if estimator != "MLR":
            raise InputError(f"model.estimator: {estimator} with sample.missing fiml; lavaan "
                             "refuses missing = \"ml\" with MLM, expected MLR")
        from replication.engine.robust_fiml import robust_fiml

        rob = robust_fiml(spec, result.theta, data[spec.ov].to_numpy(float), fm["chisq"],
                          fm["baseline.chisq"])
    else:
        X = data[spec.ov].dropna().to_numpy(float)
        rob = rb.robust_fit(spec, result.theta, X, estimator, fm["chisq"], fm["baseline.chisq"])
    result.parameters = rob.apply(result.parameters, spec)
    result.fit_measures = {**fm, **rob.fit_measures}
    result.estimator = estimator
    return result


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
    FitResult
        With ``estimation`` (:func:`estimation_of`).

    Raises
    ------
    InputError
        One line naming the field when the record asks for what the suite does not fit: MLM
        with full-information ML, ordered items with full-information ML or in several groups,
        items of the model that are not ordered, groups that are not in the responses.
    """
    estimator = record_estimator(record)
    if getattr(record.model, "group", None) is not None:
        return _fit_groups(record, syntax, data, estimator, missing, name)
    if estimator in ("DWLS", "WLSMV"):
        return _fit_ordered(record, syntax, data, estimator, missing)
    result = sem.fit(syntax, data, missing=missing)
    if estimator != "ML":
        result = with_robust(result, data, estimator)
    result.estimation = estimation_of(record, estimator, missing)
    return result


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
    """DWLS / WLSMV of ordered items as a FitResult."""
    from replication.engine.ordinal import fit_ordinal

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
        res = fit_ordinal(syntax, data, ordered=list(spec.ov), estimator=estimator, cov_y=False)
    except InputError as exc:
        msg = str(exc)
        raise InputError("model.ordered: " + msg[len("--ordered: "):] if msg.startswith("--ordered")
                         else msg) from None
    params = res.parameters
    fm = dict(res.fit_measures)
    fm.setdefault("ntotal", float(res.n))
    if fm.get("df"):
        fm["chisq_df"] = fm["chisq"] / fm["df"]
    implied = _implied(spec, params)
    np.fill_diagonal(implied, 1.0)  # the delta parameterization: correlations of y*
    out = FitResult(params, fm, _r2(params, _endogenous(spec)), bool(res.converged),
                    list(res.warnings), int(res.n), syntax, implied,
                    res.polychoric.loc[spec.ov, spec.ov].to_numpy(), spec=spec,
                    estimator=estimator, missing="listwise")
    out.thresholds = res.thresholds
    out.polychoric = res.polychoric
    out.estimation = estimation_of(record, estimator, "listwise", ordered=spec.ov)
    return out


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
    """Several groups with the block's group.equal, as a FitResult with a ``group`` column."""
    model = record.model
    if estimator in ("DWLS", "WLSMV"):
        raise InputError(f"model.group: several groups with ordered items (estimator "
                         f"{estimator}) are not fitted by the suite; expected one group, or "
                         "estimator ML, MLM or MLR")
    if missing == "fiml" and estimator == "MLM":
        raise InputError("model.estimator: MLM with sample.missing fiml; lavaan refuses "
                         "missing = \"ml\" with MLM, expected MLR")
    if missing == "fiml":
        from replication.engine.multigroup_fiml import fit_groups_fiml as fitter
    else:
        from replication.engine.multigroup import fit_groups as fitter
    data, labels = _group_labels(record, data, model.group)
    equal = [w for w in model.block_group_equal(name) if w != "thresholds"]
    partial = list(model.group_partial)
    spec = specify(syntax)
    try:
        res = fitter(syntax, data, model.group, group_equal=equal, group_partial=partial,
                     estimator=estimator, cov_y=False)
    except InputError as exc:
        msg = str(exc)
        raise InputError("model.group_partial: " + msg[len("--group-partial: "):]
                         if msg.startswith("--group-partial") else msg) from None
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
    out = FitResult(params, fm, _r2(first_group(params), _endogenous(spec)), bool(res.converged),
                    warnings, int(sum(res.nobs)), syntax, _implied(spec, first_group(params)),
                    S, spec=spec, estimator=estimator, missing=missing)
    groups = [{"group": g, "n": int(n), "chisq": float(res.chisq_group[g])}
              for g, n in zip(res.group_labels, res.nobs)]
    out.groups = groups
    out.estimation = estimation_of(record, estimator, missing, groups=groups,
                                   group_equal=equal, group_partial=partial)
    out.estimation["compared_group"] = first
    return out
