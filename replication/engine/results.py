"""The fitted model as a typed result (statsmodels' pattern): :class:`FitResult`.

:func:`assemble` turns estimates into lavaan's outputs: the parameter table with standard errors
(expected information), ``std.lv`` and ``std.all``, defined parameters by the delta method,
R-squared, the warnings lavaan gives about the solution, and the fit measures of
:mod:`replication.engine.fit_measures`. :func:`parameter_row` is the one lookup of a parameter
by ``lhs op rhs``.

References
----------
Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley.
lavaan ``R/lav_object_methods.R`` (``parameterEstimates``), ``R/lav_object_post_check.R``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from replication.engine import distributions as dist
from replication.engine.distributions import norm_sf
from replication.engine.errors import InputError
from replication.engine.fit_measures import ml_measures
from replication.engine.numbers import json_float
from replication.engine.partable import ModelSpec, eval_defined, label_values
from replication.engine.ram import RAM
from replication.engine.result_base import ResultBase

if TYPE_CHECKING:  # pandas is loaded when a table is first asked for, not to fit and print
    import pandas as pd

__all__ = ["FitResult", "PARAMETER_COLUMNS", "assemble", "defined_rows", "parameter_dicts",
           "parameter_row", "rmsea_pvalues", "wald"]

PARAMETER_COLUMNS = ["lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "std_lv",
                     "std_all"]
_TEXT = ("lhs", "op", "rhs", "group", "label")


def parameter_row(params: pd.DataFrame, lhs: str, op: str, rhs: str) -> pd.Series | None:
    """The row ``lhs op rhs`` of a parameter table (``~~`` in either order), or None.

    Parameters
    ----------
    params : DataFrame
        A parameter table with columns ``lhs, op, rhs``.
    lhs, op, rhs : str

    Returns
    -------
    Series or None
    """
    hit = params[(params["lhs"] == lhs) & (params["op"] == op) & (params["rhs"] == rhs)]
    if hit.empty and op == "~~":
        hit = params[(params["lhs"] == rhs) & (params["op"] == op) & (params["rhs"] == lhs)]
    return None if hit.empty else hit.iloc[0]


def _frame(columns: dict):
    """The parameter table as a DataFrame (float value columns), from plain columns."""
    import pandas as pd

    params = pd.DataFrame(columns, columns=PARAMETER_COLUMNS)
    for c in PARAMETER_COLUMNS[5:]:
        params[c] = params[c].astype(float)
    return params


def parameter_dicts(table, digits: int = 6, group: bool = False) -> list[dict]:
    """The rows of a parameter table (a DataFrame or a dict of columns) as JSON-ready dicts:
    ``group`` only when ``group`` (a multi-group fit), ``label`` only when not empty."""
    if isinstance(table, dict):
        cols = [c for c in table if c != "group" or group]
        rows = zip(*(table[c] for c in cols))
    else:
        cols = [c for c in table.columns if c != "group" or group]
        rows = table[cols].itertuples(index=False)
    out = []
    for r in rows:
        d = {c: (v if c in _TEXT else json_float(v, digits)) for c, v in zip(cols, r)}
        if not d.get("label", True):
            del d["label"]
        out.append(d)
    return out


class FitResult(ResultBase):
    """A fitted model with lavaan's outputs (ML, MLM, MLR; complete rows or FIML).

    Built once with the standard errors and fit measures of its estimator (:func:`assemble`);
    the tables are kept as plain columns and arrays and become pandas objects when first
    asked for (``replicate fit`` prints a fit without loading pandas). ``parameters``,
    ``implied_cov`` and ``sample_cov`` hand out copies, so a result does not change when a
    table it gave is changed.

    Attributes
    ----------
    parameters : DataFrame
        ``lhs, op, rhs, group, label, est, se, z, pvalue, std_lv, std_all`` (``group`` is
        ``""`` for one group; float value columns; fixed parameters have NaN ``se``, ``z``,
        ``pvalue`` as lavaan prints blanks); ``~1`` rows of a FIML fit; ``:=`` rows for
        defined parameters with delta-method standard errors (from the estimator's covariance
        matrix of the estimates). ``params`` is the same table.
    fit_measures : dict
        lavaan's ``fitMeasures()`` names (:data:`replication.engine.fit_measures.FIT_MEASURES`,
        ``rmsea.notclose.pvalue``; the scaled and robust ones of MLM and MLR);
        ``chisq_df`` is chisq/df.
    r2 : Series
        R-squared of every endogenous variable (lavaan ``inspect(fit, "r2")``).
    converged : bool
    warnings : list of str
        Non-convergence, Heywood cases, standardized values outside [-1, 1], non-positive-
        definite matrices.
    n : int
    model : str
    estimator, missing : str
    implied_cov, sample_cov : DataFrame
        Rows and columns named by the observed variables.
    vcov : ndarray
        Covariance matrix of the free parameters (robust for MLM and MLR).
    iterations : int
        Newton / scoring iterations of the run that gave the estimates.
    start : str
        The starting values that led to them (``"lavaan"`` unless a retry was needed).
    """

    def __init__(self, parameters, fit_measures: dict, r2, converged: bool, warnings: list[str],
                 n: int, model: str, implied_cov, sample_cov, spec: ModelSpec = None,
                 theta: np.ndarray = None, vcov: np.ndarray = None, estimator: str = "ML",
                 missing: str = "listwise", cov_y: bool = False, iterations: int = 0,
                 start: str = "lavaan") -> None:
        self._parameters = parameters
        self._frame_cache = None
        self._fit_measures = dict(fit_measures)
        self._r2 = r2
        self.converged = converged
        self._warnings = list(warnings)
        self.n = n
        self.model = model
        self._implied_cov = implied_cov
        self._sample_cov = sample_cov
        self.spec = spec
        self.theta = theta
        self.vcov = vcov
        self._estimator = estimator
        self.missing = missing
        self.cov_y = cov_y
        self.iterations = iterations
        self.start = start

    def __repr__(self) -> str:
        return (f"FitResult(n={self.n}, converged={self.converged}, estimator={self.estimator!r}, "
                f"missing={self.missing!r}, chisq={self.fit_measures.get('chisq')}, "
                f"df={self.fit_measures.get('df')})")

    @property
    def parameters(self) -> pd.DataFrame:
        """The parameter table (a copy of a DataFrame built on first access)."""
        if self._frame_cache is None:
            table = self._parameters
            self._frame_cache = _frame(table) if isinstance(table, dict) else table
        return self._frame_cache.copy()

    @property
    def fit_measures(self) -> dict:
        """lavaan's ``fitMeasures()`` of the fit (a copy: the result does not change)."""
        return dict(self._fit_measures)

    @property
    def warnings(self) -> list[str]:
        """What lavaan would warn about the fit (a copy)."""
        return list(self._warnings)

    @property
    def estimator(self) -> str:
        """``ML``, ``MLM`` or ``MLR`` (the estimator the result was built with)."""
        return self._estimator

    def init_arguments(self) -> dict:
        """The keyword arguments this result was built with: a result of a subclass (one that
        also says what it was fitted with) is built from them, never by changing this one."""
        table = self._parameters if self._frame_cache is None else self._frame_cache
        return {"parameters": table, "fit_measures": dict(self._fit_measures), "r2": self._r2,
                "converged": self.converged, "warnings": list(self._warnings), "n": self.n,
                "model": self.model, "implied_cov": self._implied_cov,
                "sample_cov": self._sample_cov, "spec": self.spec, "theta": self.theta,
                "vcov": self.vcov, "estimator": self._estimator, "missing": self.missing,
                "cov_y": self.cov_y, "iterations": self.iterations, "start": self.start}

    @property
    def params(self) -> pd.DataFrame:
        """The parameter table of earlier versions: :attr:`parameters` without the ``group``
        and ``label`` columns (``lhs, op, rhs, est, se, z, pvalue, std_lv, std_all``)."""
        return self.parameters.drop(columns=["group", "label"])

    @property
    def r2(self) -> pd.Series:
        """R-squared (a Series named ``r2``)."""
        import pandas as pd

        return pd.Series(dict(self._r2), dtype=float, name="r2")

    def _named(self, matrix):
        import pandas as pd

        if isinstance(matrix, np.ndarray):
            return pd.DataFrame(matrix, index=self.spec.ov, columns=self.spec.ov)
        return matrix.copy()

    @property
    def implied_cov(self) -> pd.DataFrame:
        """Model-implied covariance matrix of the observed variables."""
        return self._named(self._implied_cov)

    @property
    def sample_cov(self) -> pd.DataFrame:
        """Sample covariance matrix (divisor N; EM estimate with FIML) of the observed
        variables."""
        return self._named(self._sample_cov)

    def parameter(self, lhs: str, op: str, rhs: str) -> pd.Series:
        """The row ``lhs op rhs`` of :attr:`parameters` (``~~`` in either order).

        Raises
        ------
        InputError
            When the model has no such parameter.
        """
        row = parameter_row(self.parameters, lhs, op, rhs)
        if row is None:
            raise InputError(f"parameter {lhs} {op} {rhs} is not in the model")
        return row

    def estimate(self, lhs: str, op: str, rhs: str, column: str = "est") -> float:
        """One value of the parameter table."""
        return float(self.parameter(lhs, op, rhs)[column])

    def modindices(self) -> pd.DataFrame:
        """lavaan's ``modindices()`` (:func:`replication.engine.modindices.modindices`)."""
        from replication.engine.modindices import modindices

        return modindices(self)

    def _json(self, digits: int = 6) -> dict:
        """``parameters`` (``lhs, op, rhs[, label], est, se, z, pvalue, std_lv, std_all``),
        ``fit_measures``, ``r2``, ``converged``, ``warnings``, ``n``, ``iterations``,
        ``estimator`` and ``missing`` when not ML on complete rows."""
        table = self._parameters if self._frame_cache is None else self._frame_cache
        r2 = self._r2 if isinstance(self._r2, dict) else dict(self._r2)
        out = {"parameters": parameter_dicts(table, digits),
               "fit_measures": {k: json_float(v, digits) for k, v in self._fit_measures.items()},
               "r2": {k: json_float(v, digits) for k, v in r2.items()},
               "converged": bool(self.converged), "warnings": list(self.warnings),
               "n": int(self.n), "iterations": int(self.iterations)}
        if self.estimator != "ML" or self.missing != "listwise":
            out["estimator"] = self.estimator
            out["missing"] = self.missing
        return out


def wald(est: float, se: float) -> tuple[float, float]:
    """``z = est / se`` and its two-sided normal p-value (NaN without a positive SE)."""
    z = est / se if se > 0 else np.nan
    return z, (2 * norm_sf(abs(z)) if np.isfinite(z) else np.nan)


def _vcov(spec: ModelSpec, ram: RAM, theta: np.ndarray, n: int, warn: list[str]) -> np.ndarray:
    """Inverse of ``N`` times the expected information (NaN, with a warning, when singular).

    Singular means an eigenvalue of the information in correlation form (scaled by its
    diagonal, so that the verdict does not depend on the units) below ``1e-10`` times the
    largest, as well as an inverse that is not finite or has a negative variance.
    """
    try:
        info = ram.information(theta)
        d = np.sqrt(np.diag(info))
        if not np.all(np.isfinite(d)) or np.any(d <= 0):
            raise np.linalg.LinAlgError
        ev = np.linalg.eigvalsh(info / np.outer(d, d))
        if ev.min() <= 1e-10 * ev.max():
            raise np.linalg.LinAlgError
        vcov = np.linalg.inv(n * info)
        if not np.all(np.isfinite(vcov)) or np.any(np.diag(vcov) < 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        vcov = np.full((spec.n_free, spec.n_free), np.nan)
        warn.append("the information matrix is singular: the model may not be identified; "
                    "standard errors are not available")
    return vcov


def defined_rows(spec: ModelSpec, ram: RAM, theta: np.ndarray, vcov: np.ndarray) -> list[dict]:
    """Rows of the ``:=`` parameters: value, delta-method SE (central differences), z, p,
    ``std_lv`` and ``std_all`` (the expression at the standardized values, as lavaan)."""
    def values(t):
        return eval_defined(spec, label_values(spec, t))

    base = values(theta)
    names = list(base)
    J = np.zeros((len(names), spec.n_free))
    for j in range(spec.n_free):
        h = 1e-6 * max(1.0, abs(theta[j]))
        tp, tm = theta.copy(), theta.copy()
        tp[j] += h
        tm[j] -= h
        vp, vm = values(tp), values(tm)
        J[:, j] = [(vp[nm] - vm[nm]) / (2 * h) for nm in names]
    cov = J @ vcov @ J.T
    std = {}
    for col, vals in (("std_all", ram.standardized(theta)), ("std_lv", ram.standardized_lv(theta))):
        std[col] = eval_defined(spec, {r["label"]: vals[k] for k, r in enumerate(spec.rows)
                                       if r["label"]})
    exprs = dict(spec.defined)
    out = []
    for i, nm in enumerate(names):
        se = float(np.sqrt(cov[i, i])) if np.isfinite(cov[i, i]) and cov[i, i] >= 0 else np.nan
        z, pv = wald(base[nm], se) if se and se > 0 else (np.nan, np.nan)
        out.append({"lhs": nm, "op": ":=", "rhs": exprs[nm].replace(" ", ""), "label": "",
                    "est": base[nm],
                    "se": se, "z": z, "pvalue": pv, "std_lv": std["std_lv"][nm],
                    "std_all": std["std_all"][nm]})
    return out


def _parameter_table(spec: ModelSpec, ram: RAM, theta: np.ndarray, vcov: np.ndarray,
                     extra: list[dict] = ()) -> dict:
    """The parameter table as plain columns (:data:`PARAMETER_COLUMNS` -> list): the rows of
    ``spec``, then ``extra`` rows (the intercepts of a FIML fit), then the defined
    parameters."""
    se_free = np.sqrt(np.clip(np.diag(vcov), 0, None))
    std, std_lv = ram.standardized(theta), ram.standardized_lv(theta)
    records = []
    for k, r in enumerate(spec.rows):
        if r["free"] >= 0:
            est, se = float(theta[r["free"]]), float(se_free[r["free"]])
            z, pv = wald(est, se)
        else:
            est, se, z, pv = float(r["value"]), np.nan, np.nan, np.nan
        records.append({"lhs": r["lhs"], "op": r["op"], "rhs": r["rhs"],
                        "label": r.get("label") or "", "est": est, "se": se,
                        "z": z, "pvalue": pv, "std_lv": float(std_lv[k]),
                        "std_all": float(std[k])})
    records += list(extra)
    if spec.defined:
        records += defined_rows(spec, ram, theta, vcov)
    return {c: [("" if c == "group" else r.get(c, "")) if c in _TEXT else float(r[c])
                for r in records] for c in PARAMETER_COLUMNS}


def _r_squared(spec: ModelSpec, ram: RAM, theta: np.ndarray) -> dict[str, float]:
    """``1 - psi_vv / var(v)`` for every variable with a loading or regression on it."""
    C = ram.total_cov(theta)
    pos = {nm: i for i, nm in enumerate(spec.names)}
    _, Sm = ram.matrices(theta)
    endo = set([r["rhs"] for r in spec.rows if r["op"] == "=~"] +
               [r["lhs"] for r in spec.rows if r["op"] == "~"])
    endo = [v for v in spec.ov if v in endo] + [v for v in spec.lv if v in endo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return {v: float(1 - Sm[pos[v], pos[v]] / C[pos[v], pos[v]]) for v in endo}


def solution_warnings(spec: ModelSpec, ram: RAM, theta: np.ndarray,
                      params) -> list[str]:
    """lavaan's checks of a solution: Heywood cases, standardized values outside [-1, 1], a
    latent covariance matrix that is not positive definite."""
    warn = []
    est = np.asarray(params["est"], dtype=float)
    std = np.asarray(params["std_all"], dtype=float)
    for k, r in enumerate(spec.rows):
        if r["op"] == "~~" and r["lhs"] == r["rhs"] and est[k] < 0:
            warn.append(f"negative variance (Heywood case): {r['lhs']} ~~ {r['rhs']} = "
                        f"{est[k]:.4f}")
        if r["op"] in ("=~", "~") and np.isfinite(std[k]) and abs(std[k]) > 1:
            warn.append(f"standardized estimate outside [-1, 1]: {r['lhs']} {r['op']} {r['rhs']} "
                        f"= {std[k]:.4f}")
        if r["op"] == "~~" and r["lhs"] != r["rhs"] and np.isfinite(std[k]) and abs(std[k]) > 1:
            warn.append(f"correlation outside [-1, 1]: {r['lhs']} ~~ {r['rhs']} = {std[k]:.4f}")
    if spec.lv:
        pos = {nm: i for i, nm in enumerate(spec.names)}
        lvi = [pos[v] for v in spec.lv]
        C = ram.total_cov(theta)
        if np.linalg.eigvalsh(C[np.ix_(lvi, lvi)]).min() <= 0:
            warn.append("the model-implied covariance matrix of the latent variables is not "
                        "positive definite")
    return warn


def rmsea_pvalues(x2: float, df: float, n: float, groups: int = 1,
                  c: float = 1.0) -> tuple[float, float]:
    """lavaan 0.6.14's tests of close and of not-close fit: ``P(chi2 >= x2)`` when the RMSEA
    is 0.05 and ``P(chi2 <= x2)`` when it is 0.08, noncentral chi-square on ``df`` with
    noncentrality ``N df h0^2 / (c G)`` (``c`` the scaling factor of the robust RMSEA).

    References
    ----------
    lavaan 0.6.14 ``R/lav_fit_rmsea.R`` (``lav_fit_rmsea_closefit``,
    ``lav_fit_rmsea_notclosefit``).
    """
    if not (math.isfinite(x2) and math.isfinite(df) and math.isfinite(c)) or df <= 0 or c <= 0:
        return math.nan, math.nan
    k = n * df / (c * groups)
    return float(dist.ncx2_sf(x2, df, k * 0.05 ** 2)), float(dist.ncx2_cdf(x2, df, k * 0.08 ** 2))


def _notclose(fm: dict) -> dict:
    """``rmsea.notclose.pvalue`` (lavaan 0.6.14: P(chi-square <= observed) when the RMSEA is
    0.080) after ``rmsea.pvalue`` and ``baseline.pvalue`` after ``baseline.df``."""
    out = {}
    for k, v in fm.items():
        out[k] = v
        if k == "rmsea.pvalue" and "rmsea.notclose.pvalue" not in fm:
            out["rmsea.notclose.pvalue"] = rmsea_pvalues(fm["chisq"], fm["df"], fm["ntotal"])[1]
        if k == "baseline.df" and "baseline.pvalue" not in fm:
            ok = np.isfinite(fm["baseline.chisq"]) and fm["baseline.df"] > 0
            out["baseline.pvalue"] = float(dist.chi2_sf(fm["baseline.chisq"], v)) if ok else np.nan
    return out


def assemble(spec: ModelSpec, ram: RAM, theta: np.ndarray, converged: bool, S: np.ndarray,
             n: int, model: str, cov_y: bool, *, iterations: int = 0,
             start: str = "lavaan", vcov: np.ndarray | None = None,
             fit_measures: dict | None = None, extra: list[dict] = (),
             estimator: str = "ML", missing: str = "listwise",
             notes: list[str] = ()) -> FitResult:
    """A :class:`FitResult` built once from estimates (``S`` with divisor N, or the EM
    covariance matrix of a FIML fit).

    ``vcov`` (the estimator's covariance matrix of the free parameters; the inverse expected
    information when not given), ``fit_measures`` (:func:`~replication.engine.fit_measures.
    ml_measures` when not given), ``extra`` parameter rows and ``notes`` (warnings about the
    standard errors) come from the estimator. Warnings come first in lavaan's order:
    identification, convergence, then the solution.
    """
    warn: list[str] = []
    if spec.df < 0:
        warn.append(f"the model is not identified: {spec.n_free} free parameters for "
                    f"{spec.n_free + spec.df} sample moments (df = {spec.df}); fit measures are "
                    "not available")
    if not converged:
        warn.append("the optimizer did not converge; estimates are not a maximum-likelihood "
                    "solution")
    if vcov is None:
        vcov = _vcov(spec, ram, theta, n, warn)
    warn += list(notes)
    params = _parameter_table(spec, ram, theta, vcov, extra)
    warn += solution_warnings(spec, ram, theta, params)
    fm = ml_measures(spec, ram, theta, S, n) if fit_measures is None else fit_measures
    return FitResult(
        parameters=params, fit_measures=_notclose(fm),
        r2=_r_squared(spec, ram, theta), converged=bool(converged), warnings=warn, n=int(n),
        model=model, implied_cov=ram.implied(theta), sample_cov=S, spec=spec, theta=theta,
        vcov=vcov, estimator=estimator, missing=missing, cov_y=cov_y,
        iterations=int(iterations), start=start)
