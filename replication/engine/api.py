"""One entry point for every estimator, as lavaan's ``lavaan()``, ``cfa()`` and ``sem()``.

:func:`fit` checks the combination of options once (:func:`replication.engine.options.
check_options`, the rule ``replicate fit`` shares), chooses the estimator, its standard errors
and its test, and returns a result built once with them:

========================  =====================================================  ============
estimator                 fitted by                                              result
========================  =====================================================  ============
ML, MLM, MLR              :func:`replication.engine.sem.fit` (complete rows or   FitResult
                          ``missing="fiml"``; robust SEs and scaled test inside)
ML, MLM, MLR + ``group``  :func:`~replication.engine.multigroup.fit_groups`,      MultiGroup-
                          :func:`~replication.engine.multigroup_fiml.            Result
                          fit_groups_fiml`
DWLS, WLSMV               :func:`~replication.engine.ordinal.fit_ordinal`        OrdinalResult
PLS, PLSc                 :func:`replication.engine.pls.fit_pls`                 PLSFit
========================  =====================================================  ============

Every result has the interface of :class:`replication.engine.result_base.ResultBase`
(``parameters`` with ``group``, ``fit_measures``, ``r2``, ``warnings``, ``converged``,
``estimator``, ``summary()``, ``to_json(path)``, ``_repr_html_``).

:func:`cfa` and :func:`sem` are :func:`fit` with lavaan's ``cfa()``/``sem()`` default
``auto.cov.y = TRUE`` (``cov_y=True``: covariances among the dependent variables free);
:func:`fit` is ``lavaan()`` with ``auto.var``, ``auto.fix.first`` and ``auto.cov.lv.x``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from replication.engine.arguments import check_bool, check_str
from replication.engine.errors import InputError
from replication.engine.options import PLS_ESTIMATORS, check_options, normal_estimator

__all__ = ["fit", "cfa", "sem", "PLSFit", "ordered_items"]


def ordered_items(ordered, observed: list[str]) -> list[str]:
    """lavaan's ``ordered =``: ``True`` or ``"all"`` (every observed variable), a list of
    names, or nothing (``None``, ``False``, empty)."""
    if ordered is None or ordered is False:
        return []
    if ordered is True or ordered == "all" or list(ordered) == ["all"]:
        return list(observed)
    if isinstance(ordered, str):
        return [ordered]
    return [str(v) for v in ordered]


_PLS_CLASS: list = []


def _pls_class():
    """The PLS result class with the shared interface (made once, on first use: the PLS
    engine loads only when a PLS model is fitted)."""
    if _PLS_CLASS:
        return _PLS_CLASS[0]
    from replication.engine.pls import PLSResult
    from replication.engine.result_base import ResultBase

    @dataclass
    class PLSFit(PLSResult, ResultBase):
        """A PLS or PLSc fit with the interface of every result: ``parameters`` gains
        ``group`` (``""``), ``z`` (the bootstrap t, NaN without a bootstrap), ``se`` and
        ``pvalue`` (NaN without a bootstrap) and ``std_all`` (the estimate: PLS estimates are
        standardized); ``fit_measures`` holds ``ntotal`` and ``iterations``."""

        @property
        def fit_measures(self) -> dict:
            return {"ntotal": float(self.n), "iterations": float(self.iterations)}

        def _json(self, digits: int = 6) -> dict:
            return PLSResult.to_json(self)

        def to_json(self, path=None, digits: int = 6) -> dict:
            """The PLS JSON (``parameters weights r2 r2_adj reliability htmt f2 vif ...``),
            written to ``path`` as well when given."""
            return ResultBase.to_json(self, path, digits)

        def summary(self, digits: int = 3) -> str:
            return PLSResult.summary(self, digits)

    _PLS_CLASS.append(PLSFit)
    return PLSFit


def _pls(model: str, data, estimator: str, scheme, bootstrap, seed, jobs):
    import pandas as pd

    from replication.engine.pls import fit_pls

    if not isinstance(data, pd.DataFrame):
        raise TypeError("data: expected a pandas DataFrame (or a CSV path) for PLS")
    res = fit_pls(model, data, estimator=estimator, scheme=scheme or "path",
                  bootstrap=bootstrap, seed=seed, jobs=jobs, missing="listwise")
    p = res.parameters.copy()
    p.insert(3, "group", "")
    for col in ("se", "pvalue"):
        if col not in p.columns:
            p[col] = np.nan
    p["z"] = p["t"] if "t" in p.columns else np.nan
    p["std_all"] = p["est"]
    cls = _pls_class()
    values = {f.name: getattr(res, f.name) for f in fields(res)}
    values["parameters"] = p
    return cls(**values)


def _bootstrapped(res, model: str, data, n_boot: int, seed, jobs: int, cov_y: bool,
                  progress):
    """The ML fit rebuilt with the covariance matrix of the bootstrap draws (lavaan's ``se =
    "bootstrap"``) and the bootstrap's warnings."""
    from replication.engine.bootstrap import bootstrap
    from replication.engine.sem import with_vcov

    b = bootstrap(model, data, n_boot=int(n_boot), seed=seed, jobs=jobs, progress=progress,
                  cov_y=cov_y, full=res)
    spec = res.spec
    key = {}
    for r in spec.rows:
        if r["free"] >= 0:
            key.setdefault(r["free"], f"{r['lhs']} {r['op']} {r['rhs']}")
    draws = b.estimates[[key[k] for k in range(spec.n_free)]].dropna().to_numpy(float)
    vcov = np.cov(draws, rowvar=False, ddof=1) if len(draws) > 1 else np.full(
        (spec.n_free, spec.n_free), np.nan)
    return with_vcov(res, np.atleast_2d(vcov), list(b.warnings))


def fit(model: str, data=None, *, estimator: str = "ML", missing: str = "listwise",
        group: str | None = None, group_equal=(), group_partial=(), ordered=None,
        se: str | None = None, test: str | None = None, bootstrap: int | None = None,
        seed: int | None = 2024, jobs: int = 1, cov=None, n: int | None = None,
        cov_y: bool = False, columns: list[str] | None = None, scheme: str | None = None,
        progress=False):
    """Fit a model with any estimator (lavaan's ``lavaan()``; PLS-SEM with ``PLS``/``PLSc``).

    Parameters
    ----------
    model : str
        lavaan syntax (PLS: ``=~`` Mode A, ``<~`` Mode B, ``~`` paths).
    data : DataFrame or ndarray, optional
        Responses (an array needs ``columns``); or ``cov`` with ``n``.
    estimator : {"ML", "MLM", "MLR", "DWLS", "WLSMV", "PLS", "PLSc"}
    missing : {"listwise", "fiml"}
        ``"ml"`` is lavaan's name of ``"fiml"``.
    group, group_equal, group_partial :
        lavaan's ``group``, ``group.equal``, ``group.partial``.
    ordered : bool, "all" or list of str
        Ordered items (DWLS, WLSMV; every observed variable of the model).
    se, test : str, optional
        lavaan's ``se =`` and ``test =``: only the values the estimator implies
        (:data:`replication.engine.options.SE_TYPES`, :data:`~replication.engine.options.TESTS`)
        or ``se="bootstrap"`` with ``bootstrap``.
    bootstrap : int, optional
        Resamples: the standard errors of an ML fit (lavaan ``se = "bootstrap"``), the
        bootstrap columns of a PLS fit.
    seed, jobs, progress :
        Of the bootstrap (the draws do not depend on ``jobs``).
    cov, n, columns :
        A covariance matrix and its N instead of data (ML only); column names of an array.
    cov_y : bool, default False
        Free covariances among the dependent variables (``cfa()``/``sem()``: True).
    scheme : {"path", "centroid", "factorial"}, optional
        PLS inner weighting scheme (default path).

    Returns
    -------
    FitResult, MultiGroupResult, OrdinalResult or PLSFit

    Raises
    ------
    TypeError, InputError
        One sentence naming the argument; combinations lavaan refuses are refused.
    """
    check_str(estimator, "estimator", "one of ML, MLM, MLR, DWLS, WLSMV, PLS, PLSc")
    check_str(missing, "missing", "'listwise' or 'fiml'")
    check_bool(cov_y, "cov_y")
    est = normal_estimator(estimator)
    missing = "fiml" if missing == "ml" else missing
    equal, partial = list(group_equal or ()), list(group_partial or ())
    check_options(est, ordered, missing, group, equal, partial, bootstrap, scheme=scheme,
                  se=se, test=test)
    if se == "bootstrap" or (bootstrap is not None and est == "ML"):
        se = "bootstrap"
    check_str(model, "model", "lavaan model syntax (a str)")
    if est in PLS_ESTIMATORS:
        return _pls(model, data, est, scheme, bootstrap, seed, jobs)
    if (est in ("DWLS", "WLSMV") or group) and data is None:
        raise InputError("data: expected the data rows (a DataFrame); a covariance matrix is "
                         "fitted by ML only")
    if est in ("DWLS", "WLSMV"):
        from replication.engine.ordinal import fit_ordinal
        from replication.engine.partable import specify

        items = ordered_items(ordered, specify(model).ov)
        return fit_ordinal(model, data, ordered=items, estimator=est, cov_y=cov_y)
    if group:
        if missing == "fiml":
            from replication.engine.multigroup_fiml import fit_groups_fiml as fitter
        else:
            from replication.engine.multigroup import fit_groups as fitter
        return fitter(model, data, group, group_equal=[w for w in equal if w != "thresholds"],
                      group_partial=partial, estimator=est, cov_y=cov_y)
    from replication.engine.sem import fit as fit_ml

    res = fit_ml(model, data, cov=cov, n=n, estimator=est, missing=missing, cov_y=cov_y,
                 columns=columns)
    if se == "bootstrap":
        if data is None or isinstance(data, np.ndarray):
            raise InputError("bootstrap: expected the data rows as a DataFrame")
        return _bootstrapped(res, model, data, bootstrap, seed, jobs, cov_y, progress)
    return res


def cfa(model: str, data=None, **kwargs):
    """:func:`fit` with lavaan's ``cfa()`` defaults (``cov_y=True``)."""
    kwargs.setdefault("cov_y", True)
    return fit(model, data, **kwargs)


def sem(model: str, data=None, **kwargs):
    """:func:`fit` with lavaan's ``sem()`` defaults (``cov_y=True``)."""
    kwargs.setdefault("cov_y", True)
    return fit(model, data, **kwargs)
