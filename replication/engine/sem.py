"""Fit CFA and SEM models by maximum likelihood, with lavaan's results and names.

:func:`fit` reads lavaan syntax, builds lavaan's parameter table
(:func:`replication.engine.partable.specify`: ``lavaan()`` with ``auto.var``,
``auto.fix.first``, ``auto.cov.lv.x`` and ``fixed.x``; ``cov_y=True`` adds the covariances
among pure dependent variables that ``sem()`` frees), computes the sample moments
(:mod:`replication.engine.moments`), estimates from lavaan's starting values with retries
(:mod:`replication.engine.estimation`) and returns a :class:`~replication.engine.results.FitResult`
(:mod:`replication.engine.results`): parameter table with standard errors (expected
information), ``std.lv`` and ``std.all``, R-squared, fit measures, ``.summary()``,
``.modindices()``, ``.to_json()``. With ``missing="fiml"`` the casewise likelihood is maximized
(:mod:`replication.engine.fiml_fit`).

Notes
-----
The test statistic is ``T = N F_ML`` with ``S`` computed with divisor N (lavaan's ``chisq``,
with lavaan's ``fmin = F_ML / 2``), and the covariance matrix of the estimates is the inverse of
``N`` times the expected information (lavaan's default ``information = "expected"``).

References
----------
Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
Statistical Software*, 48(2), 1-36.
"""

from __future__ import annotations

import numpy as np

from replication.engine.arguments import (check_bool, check_choice, check_int, check_names,
                                          check_str, described)
from replication.engine.errors import InputError
from replication.engine.estimation import estimate_ml
from replication.engine.fit_measures import FIT_MEASURES
from replication.engine.moments import (array_moments, check_pd, covariance_input, prepare_data,
                                        sample_cov)
from replication.engine.partable import specify
from replication.engine.ram import RAM
from replication.engine.results import FitResult, assemble
from replication.engine.summary import format_text

__all__ = ["FitResult", "SEMResult", "fit", "with_vcov", "modindices", "to_json", "format_text",
           "prepare_data", "FIT_MEASURES", "MI_COLUMNS"]

SEMResult = FitResult  # the name of earlier versions


def __getattr__(name: str):
    # modification indices (and pandas) are loaded when first asked for
    if name in ("modindices", "MI_COLUMNS"):
        import importlib

        return getattr(importlib.import_module("replication.engine.modindices"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def to_json(result: FitResult, digits: int = 6) -> dict:
    """JSON-ready dict of a fit (:meth:`FitResult.to_json`)."""
    return result.to_json(digits=digits)


def with_vcov(result: FitResult, vcov: np.ndarray, notes=()) -> FitResult:
    """A new result with the estimates of ``result`` and another covariance matrix of the
    estimates (the bootstrap's: lavaan ``se = "bootstrap"``); ``notes`` join its warnings."""
    S = np.asarray(result._sample_cov, float)
    return assemble(result.spec, RAM(result.spec, S), result.theta, result.converged, S,
                    result.n, result.model, result.cov_y, iterations=result.iterations,
                    start=result.start, vcov=vcov, fit_measures=result.fit_measures,
                    estimator=result.estimator, missing=result.missing, notes=list(notes))


def _numeric_frame(data, names: list[str]) -> bool:
    """Whether ``data`` is a DataFrame with unique column names, every one of ``names`` among
    them, all numeric (not boolean)."""
    columns = getattr(data, "columns", None)
    if columns is None or not hasattr(data, "dtypes") or not columns.is_unique:
        return False
    if any(v not in columns for v in names):
        return False
    import pandas as pd

    return all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
               for t in data[names].dtypes)


def complete_rows(spec, data, columns: list[str] | None = None) -> np.ndarray:
    """The complete rows of the model's columns of ``data`` (a DataFrame, or an array named by
    ``columns``), in ``spec.ov`` order: what robust standard errors and tests need."""
    if isinstance(data, np.ndarray):
        X = np.asarray(data, float)[:, [list(columns).index(v) for v in spec.ov]]
    else:
        X = prepare_data(spec, data, "listwise").to_numpy(float)
    return X[~np.isnan(X).any(axis=1)]


def _robust(spec, ram, theta, X, estimator: str, S, n_obs):
    """Robust covariance matrix of the estimates and the fit measures with the scaled and
    robust ones of ``estimator`` (:func:`replication.engine.robust.robust_fit`)."""
    from replication.engine.fit_measures import ml_measures
    from replication.engine.robust import robust_fit

    fm = ml_measures(spec, ram, theta, S, n_obs)
    rob = robust_fit(spec, theta, X, estimator, fm["chisq"], fm["baseline.chisq"])
    return rob.vcov, {**fm, **rob.fit_measures}


def _data_moments(spec, data, columns: list[str] | None = None) -> tuple[np.ndarray, int]:
    """``S`` (divisor N) and N of the complete rows of the model's columns of ``data``."""
    if columns is not None and isinstance(data, np.ndarray):
        columns = list(columns)
        absent = [v for v in spec.ov if v not in columns]
        if absent:
            raise InputError(f"data: column {absent[0]!r} named in the model is not in the "
                             "data")
        if data.ndim != 2 or data.shape[1] != len(columns):
            raise InputError(f"data: a {data.shape} array for {len(columns)} column names; "
                             "expected one column per name")
        X = data if columns == spec.ov else data[:, [columns.index(v) for v in spec.ov]]
        S, n_obs = array_moments(X, spec.ov)
    elif _numeric_frame(data, spec.ov):  # no DataFrame round trip: the same numbers
        S, n_obs = array_moments(data[spec.ov].to_numpy(dtype=float), spec.ov)
    else:
        df = prepare_data(spec, data, "listwise")
        n_obs = len(df)
        S = sample_cov(df.to_numpy()) if n_obs >= 2 else None
    if n_obs < 2 or n_obs <= len(spec.ov) // 2:
        raise InputError(f"data: {n_obs} complete rows for {len(spec.ov)} observed variables; "
                         "expected more rows")
    check_pd(S, spec.ov, "data")
    return S, n_obs


def _check_arguments(model, data, cov, n, estimator, missing, cov_y, columns) -> list[str] | None:
    """Refuse arguments of :func:`fit` of the wrong type (``TypeError``) or value
    (``InputError``), each with one sentence naming the argument; the column names as a list."""
    check_str(model, "model", "lavaan model syntax (a str)")
    check_str(estimator, "estimator", "'ML', 'MLM' or 'MLR'")
    if estimator.upper() not in ("ML", "MLM", "MLR"):
        raise InputError(f"estimator: {estimator!r} is not supported; expected 'ML', 'MLM' or "
                         "'MLR' (replication.fit also fits DWLS, WLSMV, PLS and PLSc)")
    check_choice(missing, "missing", ("listwise", "fiml", "ml"))
    check_bool(cov_y, "cov_y")
    if columns is not None:
        columns = check_names(columns, "columns")
    for name, value in (("data", data), ("cov", cov)):
        if value is not None and not isinstance(value, np.ndarray) and \
                not (hasattr(value, "columns") and hasattr(value, "dtypes")):
            raise TypeError(f"{name}: expected a pandas DataFrame or a numpy array, got "
                            f"{described(value)}")
        if isinstance(value, np.ndarray) and columns is None:
            raise TypeError(f"{name}: a numpy array needs its column names in columns=[...]; "
                            "expected a pandas DataFrame or an array with columns")
        if isinstance(value, np.ndarray) and value.dtype.kind not in "iuf":
            raise TypeError(f"{name}: expected a numpy array of numbers, got dtype {value.dtype}")
    if (data is None) == (cov is None):
        raise InputError("fit: give either data or cov (with n); expected exactly one of them")
    if n is not None:
        check_int(n, "n", 2)
    return columns


def fit(model: str, data=None, *, cov=None, n: int | None = None, estimator: str = "ML",
        missing: str = "listwise", cov_y: bool = False,
        columns: list[str] | None = None) -> FitResult:
    """Fit a lavaan-syntax model by maximum likelihood.

    Parameters
    ----------
    model : str
        lavaan syntax.
    data : DataFrame or ndarray, optional
        Raw responses; columns named as the observed variables of the model (an array: named
        by ``columns``, float, NaN missing).
    cov : DataFrame or ndarray, optional
        A covariance matrix (rows and columns named, or an array named by ``columns``) instead
        of data; read with divisor N.
    n : int, optional
        Sample size, required with ``cov``.
    estimator : {"ML", "MLM", "MLR"}
        Maximum likelihood; MLM (Satorra-Bentler) and MLR (Yuan-Bentler, Huber-White) with
        robust standard errors and scaled test built into the result (raw data only; MLR
        also with ``missing="fiml"``).
    missing : {"listwise", "fiml"}
        Listwise deletion (lavaan's default) or full-information ML (lavaan ``missing =
        "ml"``).
    cov_y : bool, default False
        Free covariances among pure dependent variables, as lavaan's ``sem()`` does.
    columns : list of str, optional
        Names of the columns of ``data`` (or of the rows and columns of ``cov``) when it is a
        plain array; no pandas is needed then.

    Returns
    -------
    FitResult

    Notes
    -----
    Matches ``lavaan(model, data, auto.var = TRUE, auto.fix.first = TRUE,
    auto.cov.lv.x = TRUE)`` (and ``sem()``/``cfa()`` with ``cov_y=True``): the sample covariance
    matrix uses divisor N, ``chisq = N * F_ML``, standard errors come from the expected
    information, ``std_lv`` and ``std_all`` are ``standardizedSolution()``'s columns. Checked
    against lavaan 0.6 on HolzingerSwineford1939, PoliticalDemocracy and a synthetic 21-item
    SEM (``tests/fixtures/lavaan``).

    Examples
    --------
    R: ``lavaan(model, data, auto.var = TRUE, auto.fix.first = TRUE, auto.cov.lv.x = TRUE)``.
    """
    columns = _check_arguments(model, data, cov, n, estimator, missing, cov_y, columns)
    estimator = estimator.upper()
    spec = specify(model, cov_y=cov_y)
    if data is not None and not isinstance(data, np.ndarray):
        duplicated = [v for v in spec.ov if int((data.columns == v).sum()) > 1]
        if duplicated:
            raise InputError(f"data: column {duplicated[0]!r} appears more than once; expected "
                             "one column per observed variable")
    if missing in ("fiml", "ml"):
        if data is None:
            raise InputError("missing='fiml' needs raw data, not a covariance matrix")
        from replication.engine.fiml_fit import fit_fiml

        if columns is not None and isinstance(data, np.ndarray):
            import pandas as pd

            data = pd.DataFrame(data, columns=list(columns))
        if estimator == "MLM":
            raise InputError("missing: lavaan refuses missing = \"ml\" with estimator MLM; "
                             "expected estimator='MLR'")
        return fit_fiml(spec, data, model, cov_y, estimator)
    if data is not None:
        S, n_obs = _data_moments(spec, data, columns)
    else:
        if estimator != "ML":
            raise InputError(f"estimator: {estimator} needs the data rows, not a covariance "
                             "matrix; expected data=...")
        S, n_obs = covariance_input(spec, cov, n, columns)
    ram = RAM(spec, S)
    est = estimate_ml(ram, spec, S, n_obs)
    vcov = fm = None
    if estimator != "ML":
        vcov, fm = _robust(spec, ram, est.theta, complete_rows(spec, data, columns), estimator,
                           S, n_obs)
    return assemble(spec, ram, est.theta, est.converged, S, n_obs, model, cov_y,
                    iterations=est.iterations, start=est.start, vcov=vcov, fit_measures=fm,
                    estimator=estimator)
