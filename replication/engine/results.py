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

from typing import TYPE_CHECKING

import numpy as np

from replication.engine import summary as _summary
from replication.engine.distributions import norm_sf
from replication.engine.errors import InputError
from replication.engine.fit_measures import ml_measures
from replication.engine.numbers import json_float
from replication.engine.partable import ModelSpec, eval_defined, label_values
from replication.engine.ram import RAM

if TYPE_CHECKING:  # pandas is loaded when a table is first asked for, not to fit and print
    import pandas as pd

__all__ = ["FitResult", "PARAMETER_COLUMNS", "assemble", "defined_rows", "parameter_row",
           "wald"]

PARAMETER_COLUMNS = ["lhs", "op", "rhs", "est", "se", "z", "pvalue", "std_lv", "std_all"]


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
    for c in PARAMETER_COLUMNS[3:]:
        params[c] = params[c].astype(float)
    return params


class FitResult:
    """A fitted model with lavaan's outputs.

    The tables are kept as plain columns and arrays and become pandas objects when first
    asked for (``replicate fit`` prints a fit without loading pandas); a table given or set as
    a pandas object is used as it is.

    Attributes
    ----------
    parameters : DataFrame
        ``lhs, op, rhs, est, se, z, pvalue, std_lv, std_all`` (float columns; fixed parameters
        have NaN ``se``, ``z``, ``pvalue`` as lavaan prints blanks); ``:=`` rows for defined
        parameters with delta-method standard errors. ``params`` is the same table. May be
        given as a dict of columns.
    fit_measures : dict
        lavaan's ``fitMeasures()`` names (:data:`replication.engine.fit_measures.FIT_MEASURES`);
        ``chisq_df`` is chisq/df.
    r2 : Series
        R-squared of every endogenous variable (lavaan ``inspect(fit, "r2")``); may be given as
        a dict.
    converged : bool
    warnings : list of str
        Non-convergence, Heywood cases, standardized values outside [-1, 1], non-positive-
        definite matrices.
    n : int
    model : str
    implied_cov, sample_cov : DataFrame
        Rows and columns named by the observed variables; may be given as arrays in the order
        of ``spec.ov``.
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
        self.fit_measures = fit_measures
        self._r2 = r2
        self.converged = converged
        self.warnings = warnings
        self.n = n
        self.model = model
        self._implied_cov = implied_cov
        self._sample_cov = sample_cov
        self.spec = spec
        self.theta = theta
        self.vcov = vcov
        self.estimator = estimator
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
        """The parameter table (a DataFrame; built on first access)."""
        if isinstance(self._parameters, dict):
            self._parameters = _frame(self._parameters)
        return self._parameters

    @parameters.setter
    def parameters(self, value) -> None:
        self._parameters = value

    @property
    def params(self) -> pd.DataFrame:
        """The parameter table (the name of earlier versions; same object as ``parameters``)."""
        return self.parameters

    @params.setter
    def params(self, value: pd.DataFrame) -> None:
        self.parameters = value

    @property
    def r2(self) -> pd.Series:
        """R-squared (a Series named ``r2``; built on first access)."""
        if isinstance(self._r2, dict):
            import pandas as pd

            self._r2 = pd.Series(self._r2, dtype=float, name="r2")
        return self._r2

    @r2.setter
    def r2(self, value) -> None:
        self._r2 = value

    def _named(self, matrix):
        if isinstance(matrix, np.ndarray):
            import pandas as pd

            return pd.DataFrame(matrix, index=self.spec.ov, columns=self.spec.ov)
        return matrix

    @property
    def implied_cov(self) -> pd.DataFrame:
        """Model-implied covariance matrix of the observed variables."""
        self._implied_cov = self._named(self._implied_cov)
        return self._implied_cov

    @implied_cov.setter
    def implied_cov(self, value) -> None:
        self._implied_cov = value

    @property
    def sample_cov(self) -> pd.DataFrame:
        """Sample covariance matrix (divisor N) of the observed variables."""
        self._sample_cov = self._named(self._sample_cov)
        return self._sample_cov

    @sample_cov.setter
    def sample_cov(self, value) -> None:
        self._sample_cov = value

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

    def to_json(self, digits: int = 6) -> dict:
        """JSON-ready dict: ``parameters`` (``lhs, op, rhs, est, se, z, pvalue, std_lv,
        std_all``), ``fit_measures``, ``r2``, ``converged``, ``warnings``, ``n``,
        ``iterations``; floats rounded to ``digits`` decimals, NaN as ``None``."""
        table = self._parameters
        if isinstance(table, dict):  # plain columns: no DataFrame needed
            cols = [c for c in PARAMETER_COLUMNS if c in table]
            rows = zip(*(table[c] for c in cols))
        else:
            cols = [c for c in PARAMETER_COLUMNS if c in table.columns]
            rows = table[cols].itertuples(index=False)
        params = [{c: (v if c in ("lhs", "op", "rhs") else json_float(v, digits))
                   for c, v in zip(cols, r)} for r in rows]
        r2 = self._r2 if isinstance(self._r2, dict) else self.r2
        return {"parameters": params,
                "fit_measures": {k: json_float(v, digits) for k, v in self.fit_measures.items()},
                "r2": {k: json_float(v, digits) for k, v in r2.items()},
                "converged": bool(self.converged), "warnings": list(self.warnings),
                "n": int(self.n), "iterations": int(self.iterations)}

    def summary(self) -> str:
        """Text laid out like lavaan's ``summary(fit, fit.measures = TRUE, standardized =
        TRUE)`` (:func:`replication.engine.summary.format_text`)."""
        return _summary.format_text(self.to_json(), estimator=self.estimator)


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
        out.append({"lhs": nm, "op": ":=", "rhs": exprs[nm].replace(" ", ""), "est": base[nm],
                    "se": se, "z": z, "pvalue": pv, "std_lv": std["std_lv"][nm],
                    "std_all": std["std_all"][nm]})
    return out


def _parameter_table(spec: ModelSpec, ram: RAM, theta: np.ndarray, vcov: np.ndarray) -> dict:
    """The parameter table as plain columns (:data:`PARAMETER_COLUMNS` -> list)."""
    se_free = np.sqrt(np.clip(np.diag(vcov), 0, None))
    std, std_lv = ram.standardized(theta), ram.standardized_lv(theta)
    records = []
    for k, r in enumerate(spec.rows):
        if r["free"] >= 0:
            est, se = float(theta[r["free"]]), float(se_free[r["free"]])
            z, pv = wald(est, se)
        else:
            est, se, z, pv = float(r["value"]), np.nan, np.nan, np.nan
        records.append({"lhs": r["lhs"], "op": r["op"], "rhs": r["rhs"], "est": est, "se": se,
                        "z": z, "pvalue": pv, "std_lv": float(std_lv[k]),
                        "std_all": float(std[k])})
    if spec.defined:
        records += defined_rows(spec, ram, theta, vcov)
    return {c: [r[c] if c in ("lhs", "op", "rhs") else float(r[c]) for r in records]
            for c in PARAMETER_COLUMNS}


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


def assemble(spec: ModelSpec, ram: RAM, theta: np.ndarray, converged: bool, S: np.ndarray,
             n: int, model: str, cov_y: bool, *, iterations: int = 0,
             start: str = "lavaan") -> FitResult:
    """A :class:`FitResult` from ML estimates on complete data (``S`` with divisor N).

    Warnings come first in lavaan's order: identification, convergence, then the solution.
    """
    warn: list[str] = []
    if spec.df < 0:
        warn.append(f"the model is not identified: {spec.n_free} free parameters for "
                    f"{spec.n_free + spec.df} sample moments (df = {spec.df}); fit measures are "
                    "not available")
    if not converged:
        warn.append("the optimizer did not converge; estimates are not a maximum-likelihood "
                    "solution")
    vcov = _vcov(spec, ram, theta, n, warn)
    params = _parameter_table(spec, ram, theta, vcov)
    warn += solution_warnings(spec, ram, theta, params)
    Sigma = ram.implied(theta)
    return FitResult(
        parameters=params, fit_measures=ml_measures(spec, ram, theta, S, n),
        r2=_r_squared(spec, ram, theta), converged=bool(converged), warnings=warn, n=int(n),
        model=model, implied_cov=Sigma, sample_cov=S, spec=spec, theta=theta,
        vcov=vcov, cov_y=cov_y, iterations=int(iterations), start=start)
