"""Fit CFA and SEM models by maximum likelihood, with lavaan's results and names.

:func:`fit` reads lavaan syntax, builds lavaan's parameter table with
:func:`replication.engine.ram.specify` (``lavaan()`` with ``auto.var``, ``auto.fix.first``,
``auto.cov.lv.x`` and ``fixed.x``; ``cov_y=True`` adds the covariances among pure dependent
variables that ``sem()`` frees), starts from semopy's estimates and refines them on lavaan's ML
discrepancy with the engine of :mod:`replication.engine.ram`, and returns lavaan's outputs: parameter
table with standard errors (expected information), standardized solution, R-squared, fit
measures; :func:`modindices` gives modification indices, :func:`to_json` and
:func:`format_text` the outputs of ``replicate fit``.

Notes
-----
The test statistic is ``T = N F_ML`` with ``S`` computed with divisor N (lavaan's ``chisq``,
with lavaan's ``fmin = F_ML / 2``), and the covariance matrix of the estimates is the inverse of
``N`` times the expected information (lavaan's default ``information = "expected"``). With
``missing="fiml"`` the casewise likelihood of :mod:`replication.engine.fiml` is maximized with free
intercepts (lavaan ``missing = "ml"``).
"""

from __future__ import annotations

import json
import math
import logging
import warnings as _warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, stats

from replication.engine import fit_indices as fi
from replication.engine.errors import InputError
from replication.engine.fiml import Patterns
from replication.engine.ram import (RAM, ModelSpec, eval_defined, label_values, specify,
                             total_covariance)
from replication.data.responses import describe_rows, read_table, to_numeric

__all__ = [
    "SEMResult",
    "fit",
    "modindices",
    "to_json",
    "format_text",
    "fit_files",
    "FIT_MEASURES",
]

FIT_MEASURES = [
    "npar", "ntotal", "chisq", "df", "pvalue", "chisq_df", "baseline.chisq", "baseline.df",
    "cfi", "tli", "nfi", "ifi", "gfi", "agfi", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
    "srmr", "logl", "unrestricted.logl", "aic", "bic",
]
_EPS13 = np.finfo(float).eps ** (1 / 3)


# ------------------------------------------------------------------------------------------
# Result
# ------------------------------------------------------------------------------------------
@dataclass
class SEMResult:
    """A fitted model with lavaan's outputs.

    Attributes
    ----------
    params : DataFrame
        ``lhs, op, rhs, est, se, z, pvalue, std_all`` (float columns; fixed parameters have
        NaN ``se``, ``z``, ``pvalue`` as lavaan prints blanks); ``:=`` rows for defined
        parameters with delta-method standard errors.
    fit_measures : dict
        lavaan's ``fitMeasures()`` names (see :data:`FIT_MEASURES`); ``chisq_df`` is chisq/df.
    r2 : Series
        R-squared of every endogenous variable (lavaan ``inspect(fit, "r2")``).
    converged : bool
    warnings : list of str
        Non-convergence, Heywood cases, standardized values outside [-1, 1], non-positive-
        definite matrices.
    n : int
    model : str
    implied_cov, sample_cov : DataFrame
    """

    params: pd.DataFrame
    fit_measures: dict
    r2: pd.Series
    converged: bool
    warnings: list[str]
    n: int
    model: str
    implied_cov: pd.DataFrame
    sample_cov: pd.DataFrame
    spec: ModelSpec = field(repr=False, default=None)
    theta: np.ndarray = field(repr=False, default=None)
    vcov: np.ndarray = field(repr=False, default=None)
    estimator: str = "ML"
    missing: str = "listwise"
    cov_y: bool = False

    def estimate(self, lhs: str, op: str, rhs: str, column: str = "est") -> float:
        """One value of the parameter table."""
        p = self.params
        m = p[(p.lhs == lhs) & (p.op == op) & (p.rhs == rhs)]
        if m.empty and op == "~~":
            m = p[(p.lhs == rhs) & (p.op == op) & (p.rhs == lhs)]
        if m.empty:
            raise InputError(f"parameter {lhs} {op} {rhs} is not in the model")
        return float(m[column].iloc[0])


# ------------------------------------------------------------------------------------------
# Input handling
# ------------------------------------------------------------------------------------------
def prepare_data(spec: ModelSpec, data: pd.DataFrame, missing: str) -> pd.DataFrame:
    """The model's observed columns of ``data`` as floats, after missing-value handling.

    ``missing="listwise"`` drops incomplete rows; ``"fiml"`` keeps them. Raises
    :class:`InputError` for a column named in the model but absent from the data, or not numeric.
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError("data: expected a pandas DataFrame")
    absent = [v for v in spec.ov if v not in data.columns]
    if absent:
        raise InputError(f"data: column {absent[0]!r} named in the model is not in the data "
                         f"(columns: {', '.join(map(str, data.columns[:12]))}"
                         f"{', ...' if len(data.columns) > 12 else ''})")
    out = {}
    for v in spec.ov:
        col = data[v]
        if not (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)):
            conv = pd.to_numeric(col, errors="coerce")
            bad = np.flatnonzero((conv.isna() & col.notna()).to_numpy())
            if len(bad):
                raise InputError(f"data: column {v!r}, {describe_rows(bad + 1)}: non-numeric value "
                                 f"{str(col.iloc[bad[0]])!r}; expected numbers")
            col = conv
        out[v] = col.astype(float)
    df = pd.DataFrame(out)
    for v in spec.ov:
        inf = np.flatnonzero(np.isinf(df[v].to_numpy()))
        if len(inf):
            raise InputError(f"data: column {v!r}, {describe_rows(inf + 1)}: infinite value; "
                             "expected finite numbers")
    if missing == "listwise":
        df = df.dropna()
    return df


def _sample_cov(X: np.ndarray) -> np.ndarray:
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / X.shape[0]


def _check_pd(S: np.ndarray, names: list[str], what: str) -> None:
    """Refuse a covariance matrix that is not positive definite (checked on the correlation scale,
    so that the verdict does not depend on the units of the variables)."""
    d = np.diag(S)
    if not np.all(np.isfinite(S)):
        raise InputError(f"{what}: covariance matrix of the model variables is not finite; "
                         "expected finite numbers of moderate size")
    var0 = [n for n, v in zip(names, d) if v <= 0]
    if var0:
        raise InputError(f"{what}: column {var0[0]!r} has no variance; expected variables that vary")
    scale = 1.0 / np.sqrt(d)
    R = S * np.outer(scale, scale)
    ev = np.linalg.eigvalsh(R)
    if not np.all(np.isfinite(ev)) or ev.min() <= 1e-10:
        raise InputError(f"{what}: covariance matrix of the model variables is not positive "
                         "definite; expected linearly independent variables")


# ------------------------------------------------------------------------------------------
# Start values and estimation
# ------------------------------------------------------------------------------------------
def _start_values(spec: ModelSpec, S: np.ndarray) -> np.ndarray:
    """Simple start values (lavaan ``start = "simple"`` style, with fabin-like loadings)."""
    ovi = {n: i for i, n in enumerate(spec.ov)}
    theta = np.zeros(spec.n_free)
    ind: dict[str, list[str]] = {}
    for r in spec.rows:
        if r["op"] == "=~":
            ind.setdefault(r["lhs"], []).append(r["rhs"])
    lv_var = {}
    for f, items in ind.items():
        obs = [i for i in items if i in ovi]
        if obs:
            lv_var[f] = max(0.05, 0.5 * float(np.mean([S[ovi[i], ovi[i]] for i in obs])))
    for r in spec.free_rows():
        k = r["free"]
        if r["op"] == "=~":
            first = ind[r["lhs"]][0]
            if r["rhs"] in ovi and first in ovi and first != r["rhs"]:
                c = S[ovi[first], ovi[r["rhs"]]]
                v1 = S[ovi[first], ovi[first]]
                theta[k] = c / (0.5 * v1) if v1 > 0 else 1.0
                theta[k] = float(np.clip(theta[k], -5, 5)) or 1.0
            else:
                theta[k] = 1.0
        elif r["op"] == "~":
            theta[k] = 0.0
        elif r["lhs"] == r["rhs"]:
            if r["lhs"] in ovi:
                theta[k] = 0.5 * S[ovi[r["lhs"]], ovi[r["lhs"]]]
            else:
                theta[k] = lv_var.get(r["lhs"], 0.05)
        else:
            theta[k] = 0.0
    return theta


def _semopy_syntax(spec: ModelSpec) -> str:
    lines = []
    for r in spec.rows:
        if r["exo"]:
            continue
        if r["op"] == "=~":
            lhs, op, rhs = r["lhs"], "=~", r["rhs"]
        else:
            lhs, op, rhs = r["lhs"], r["op"], r["rhs"]
        if r["free"] < 0:
            rhs = f"{r['value']!r}*{rhs}"
        elif r["label"]:
            rhs = f"{r['label']}*{rhs}"
        lines.append(f"{lhs} {op} {rhs}")
    return "\n".join(lines) + "\n"


def _semopy_start(spec: ModelSpec, data: pd.DataFrame | None, S: np.ndarray, n: int):
    """Estimates from semopy mapped onto the parameter table (None when semopy fails)."""
    try:
        import semopy
    except ImportError:  # pragma: no cover
        return None
    root = logging.getLogger()
    level = root.level
    try:
        # semopy reports numerical trouble on the root logger; the refinement below decides
        root.setLevel(logging.ERROR)
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            model = semopy.Model(_semopy_syntax(spec))
            cov = pd.DataFrame(S * n / (n - 1), index=spec.ov, columns=spec.ov)
            res = model.fit(cov=cov, n_samples=n, obj="MLW")
            if not getattr(res, "success", True):
                return None
            tab = model.inspect()
    except Exception:
        return None
    finally:
        root.setLevel(level)
    lv = set(spec.lv)
    est: dict[tuple[str, str, str], float] = {}
    for row in tab.itertuples(index=False):
        lval, op, rval, val = row[0], row[1], row[2], row[3]
        try:
            val = float(val)
        except (TypeError, ValueError):
            continue
        if op == "~" and rval in lv and lval not in lv:
            est[(rval, "=~", lval)] = val
        est[(lval, op, rval)] = val
        if op == "~~":
            est[(rval, op, lval)] = val
    theta = np.full(spec.n_free, np.nan)
    for r in spec.free_rows():
        key = (r["lhs"], r["op"], r["rhs"])
        if key in est:
            theta[r["free"]] = est[key]
    if np.isnan(theta).any():
        return None
    return theta


def _estimate(ram: RAM, spec: ModelSpec, S: np.ndarray, n: int, data) -> tuple[np.ndarray, bool]:
    logdet_S = np.linalg.slogdet(S)[1]
    candidates = []
    t_semopy = _semopy_start(spec, data, S, n)
    if t_semopy is not None:
        candidates.append(t_semopy)
    candidates.append(_start_values(spec, S))
    best, best_f, best_conv = None, np.inf, False
    for t0 in candidates:
        if not np.isfinite(ram.fml(t0, S, logdet_S)):
            continue
        theta, conv, _ = ram.fisher(t0, S)
        if not conv:
            theta = ram.lbfgs(theta, S)
            theta, conv, _ = ram.fisher(theta, S)
        f = ram.fml(theta, S, logdet_S)
        if f < best_f - 1e-10 or (conv and not best_conv and abs(f - best_f) < 1e-8):
            best, best_f, best_conv = theta, f, conv
        if conv:
            break
    if best is None:
        return candidates[-1], False
    return best, best_conv


# ------------------------------------------------------------------------------------------
# Fit measures
# ------------------------------------------------------------------------------------------
def _baseline(spec: ModelSpec, S: np.ndarray, n: int) -> tuple[float, int]:
    """Independence model (free variances; fixed.x block kept) chi-square and df."""
    p = len(spec.ov)
    x_idx = [spec.ov.index(v) for v in spec.ov_x]
    y_idx = [i for i in range(p) if i not in x_idx]
    k = len(x_idx)
    logdet_S = np.linalg.slogdet(S)[1]
    logdet0 = float(np.sum(np.log(np.diag(S)[y_idx])))
    if k:
        logdet0 += np.linalg.slogdet(S[np.ix_(x_idx, x_idx)])[1]
    chisq = n * (logdet0 - logdet_S)
    df = p * (p + 1) // 2 - k * (k + 1) // 2 - len(y_idx)
    return float(chisq), int(df)


def _fit_measures(spec: ModelSpec, ram: RAM, theta: np.ndarray, S: np.ndarray, n: int) -> dict:
    p = len(spec.ov)
    Sigma = ram.implied(theta)
    logdet_S = np.linalg.slogdet(S)[1]
    f = ram.fml(theta, S, logdet_S)
    chisq = n * f
    df = spec.df
    bchisq, bdf = _baseline(spec, S, n)
    logl = -0.5 * n * (p * math.log(2 * math.pi) + np.linalg.slogdet(Sigma)[1]
                       + np.trace(np.linalg.solve(Sigma, S)))
    logl_h1 = -0.5 * n * (p * math.log(2 * math.pi) + logdet_S + p)
    lo, hi = fi.rmsea_ci(chisq, df, n)
    g = fi.gfi(S, Sigma, fixed_x=[spec.ov.index(v) for v in spec.ov_x])
    out = {
        "npar": float(spec.n_free),
        "ntotal": float(n),
        "chisq": chisq,
        "df": float(df),
        "pvalue": fi.chisq_pvalue(chisq, df),
        "chisq_df": fi.chisq_df(chisq, df),
        "baseline.chisq": bchisq,
        "baseline.df": float(bdf),
        "cfi": fi.cfi(chisq, df, bchisq, bdf),
        "tli": fi.tli(chisq, df, bchisq, bdf),
        "nfi": fi.nfi(chisq, bchisq, df=df, base_df=bdf),
        "ifi": fi.ifi(chisq, df, bchisq),
        "gfi": g,
        "agfi": fi.agfi(g, df, p),
        "rmsea": fi.rmsea(chisq, df, n),
        "rmsea.ci.lower": lo,
        "rmsea.ci.upper": hi,
        "srmr": fi.srmr(S, Sigma),
        "logl": float(logl),
        "unrestricted.logl": float(logl_h1),
        "aic": fi.aic(logl, spec.n_free),
        "bic": fi.bic(logl, spec.n_free, n),
    }
    if df < 0:  # not identified: no test statistic (lavaan reports none either)
        keep = {"npar", "ntotal", "df", "baseline.chisq", "baseline.df", "logl",
                "unrestricted.logl", "aic", "bic"}
        out = {k_: (v if k_ in keep else math.nan) for k_, v in out.items()}
    return {k_: float(out[k_]) for k_ in FIT_MEASURES}


# ------------------------------------------------------------------------------------------
# Fit
# ------------------------------------------------------------------------------------------
def fit(model: str, data: pd.DataFrame | None = None, *, cov: pd.DataFrame | None = None,
        n: int | None = None, estimator: str = "ML", missing: str = "listwise",
        cov_y: bool = False) -> SEMResult:
    """Fit a lavaan-syntax model by maximum likelihood.

    Parameters
    ----------
    model : str
        lavaan syntax.
    data : DataFrame, optional
        Raw responses; columns named as the observed variables of the model.
    cov : DataFrame, optional
        A covariance matrix (rows and columns named) instead of data; read with divisor N.
    n : int, optional
        Sample size, required with ``cov``.
    estimator : {"ML"}
        Maximum likelihood (the only estimator).
    missing : {"listwise", "fiml"}
        Listwise deletion (lavaan's default) or full-information ML (semopy ``ModelMeans``).
    cov_y : bool, default False
        Free covariances among pure dependent variables, as lavaan's ``sem()`` does.

    Returns
    -------
    SEMResult

    Notes
    -----
    Matches ``lavaan(model, data, auto.var = TRUE, auto.fix.first = TRUE,
    auto.cov.lv.x = TRUE)`` (and ``sem()``/``cfa()`` with ``cov_y=True``): the sample covariance
    matrix uses divisor N, ``chisq = N * F_ML``, standard errors come from the expected
    information, ``std_all`` is ``standardizedSolution()``'s column. Checked against lavaan 0.6
    on HolzingerSwineford1939, PoliticalDemocracy and a synthetic 21-item SEM
    (``tests/fixtures/lavaan``).

    References
    ----------
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley.
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
    Statistical Software*, 48(2), 1-36.
    """
    if estimator.upper() != "ML":
        raise InputError(f"estimator: {estimator!r} is not supported; expected 'ML'")
    if missing not in ("listwise", "fiml", "ml"):
        raise InputError(f"missing: {missing!r}; expected 'listwise' or 'fiml'")
    spec = specify(model, cov_y=cov_y)
    if (data is None) == (cov is None):
        raise InputError("fit: give either data or cov (with n)")
    if missing in ("fiml", "ml"):
        if data is None:
            raise InputError("missing='fiml' needs raw data, not a covariance matrix")
        return _fit_fiml(spec, data, model, cov_y)
    if data is not None:
        df = prepare_data(spec, data, "listwise")
        n_obs = len(df)
        if n_obs < 2 or n_obs <= len(spec.ov) // 2:
            raise InputError(f"data: {n_obs} complete rows for {len(spec.ov)} observed variables; "
                             "expected more rows")
        S = _sample_cov(df.to_numpy())
        _check_pd(S, spec.ov, "data")
    else:
        if n is None or int(n) != n or n < 2:
            raise InputError("n: expected the sample size (an integer >= 2) with cov")
        n_obs = int(n)
        if not isinstance(cov, pd.DataFrame):
            raise InputError("cov: expected a DataFrame with variable names as index and columns")
        absent = [v for v in spec.ov if v not in cov.columns or v not in cov.index]
        if absent:
            raise InputError(f"cov: variable {absent[0]!r} named in the model is not in the "
                             "covariance matrix")
        S = cov.loc[spec.ov, spec.ov].to_numpy(dtype=float)
        if not np.allclose(S, S.T, atol=1e-10 * max(1.0, np.abs(S).max())):
            raise InputError("cov: matrix is not symmetric")
        _check_pd(S, spec.ov, "cov")
        df = None
    ram = RAM(spec, S)
    theta, converged = _estimate(ram, spec, S, n_obs, df)
    return _assemble(spec, ram, theta, converged, S, n_obs, model, cov_y)



# ------------------------------------------------------------------------------------------
# Full-information ML (missing data)
# ------------------------------------------------------------------------------------------
def _fit_fiml(spec: ModelSpec, data: pd.DataFrame, model: str, cov_y: bool) -> SEMResult:
    """Full-information ML with free intercepts (lavaan ``missing = "ml"``).

    Standard errors come from the observed information (lavaan's default with missing data),
    the chi-square is twice the log-likelihood difference from the EM-estimated saturated
    model, and the baseline model has its own ML mean and variance per variable.
    """
    if spec.ov_x:
        raise InputError("missing='fiml': observed predictors (fixed.x) are not supported; "
                         "use listwise deletion")
    df = prepare_data(spec, data, "fiml")
    X = df.to_numpy(float)
    X = X[~np.isnan(X).all(axis=1)]
    pat = Patterns(X)
    n, p = pat.n, pat.p
    if n <= p:
        raise InputError(f"data: {n} rows with any observed value for {p} variables; "
                         "expected more rows")
    mu1, S1 = pat.em()
    _check_pd(S1, spec.ov, "data (EM estimate)")
    ram = RAM(spec, S1)
    theta0, _ = _estimate(ram, spec, S1, n, None)
    q = spec.n_free

    def negll(x):
        theta, mu = x[:q], x[q:]
        Sigma = ram.implied(theta)
        ll, gmu, gS = pat.loglik(mu, Sigma, grad=True)
        if not np.isfinite(ll):
            return 1e20, np.zeros_like(x)
        D, _ = ram.delta(theta)
        gth = D.reshape(q, -1) @ gS.reshape(-1)
        return -ll / n, -np.concatenate([gth, gmu]) / n

    def num_hess(x):
        k = len(x)
        H = np.zeros((k, k))
        for j in range(k):
            h = 1e-5 * max(1.0, abs(x[j]))
            e = np.zeros(k)
            e[j] = h
            H[:, j] = (negll(x + e)[1] - negll(x - e)[1]) / (2 * h)
        return 0.5 * (H + H.T)

    x0 = np.concatenate([theta0, mu1])
    res = optimize.minimize(negll, x0, jac=True, method="L-BFGS-B",
                            options={"maxiter": 10000, "gtol": 1e-9, "ftol": 1e-15})
    x = res.x
    # Newton iterations (finite-difference Hessian of the analytic gradient) to convergence
    f, g = negll(x)
    for _ in range(50):
        if np.max(np.abs(g)) < 1e-9:
            break
        try:
            step = -np.linalg.solve(num_hess(x), g)
        except np.linalg.LinAlgError:
            break
        t = 1.0
        while t > 1e-8:
            fc, gc = negll(x + t * step)
            if fc <= f + 1e-15:
                break
            t *= 0.5
        else:
            break
        x, f, g = x + t * step, fc, gc
    converged = bool(np.max(np.abs(g)) < 1e-6)
    H = num_hess(x)
    H = 0.5 * (H + H.T) * n
    theta, mu = x[:q], x[q:]
    Sigma = ram.implied(theta)
    out = _assemble(spec, ram, theta, converged, S1, n, model, cov_y)
    try:
        vcov_all = np.linalg.inv(H)
        vcov = vcov_all[:q, :q]
        if np.any(np.diag(vcov) < 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        vcov = np.full((q, q), np.nan)
        out.warnings.append("the observed information matrix is singular; standard errors "
                            "are not available")
    se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    P = out.params
    for r_i, r in enumerate(spec.rows):
        if r["free"] >= 0:
            s_ = se[r["free"]]
            z = P.at[r_i, "est"] / s_ if s_ > 0 else np.nan
            P.at[r_i, "se"] = s_
            P.at[r_i, "z"] = z
            P.at[r_i, "pvalue"] = 2 * stats.norm.sf(abs(z)) if np.isfinite(z) else np.nan
    if spec.defined:
        P.drop(P.index[P.op == ":="], inplace=True)
        defined = _defined_rows(spec, ram, theta, vcov, ram.standardized(theta))
        out.params = pd.concat([P, pd.DataFrame(defined)], ignore_index=True)
    out.vcov = vcov
    # fit measures (lavaan missing = "ml": npar counts the intercepts)
    logl = pat.loglik(mu, Sigma)
    logl_h1 = pat.loglik(mu1, S1)
    npar = q + p
    chisq = 2 * (logl_h1 - logl)
    dfm = p * (p + 1) // 2 + p - npar
    b_chisq = 2 * (logl_h1 - pat.independence_loglik())
    b_df = p * (p + 1) // 2 + p - 2 * p
    lo, hi = fi.rmsea_ci(chisq, dfm, n)
    # GFI with the mean structure (lavaan: residual means weighted by Sigma^-1)
    Si = np.linalg.inv(Sigma)
    Rm = Si @ (S1 - Sigma)
    Am = Si @ S1
    t1 = 0.5 * np.trace(Rm @ Rm) + (mu1 - mu) @ Si @ (mu1 - mu)
    t2 = 0.5 * np.trace(Am @ Am) + mu1 @ Si @ mu1
    g = float(1 - t1 / t2)
    nel = p * (p + 1) / 2 + p
    agfi = 1 - (nel / dfm) * (1 - g) if dfm > 0 else 1.0
    sd = np.sqrt(np.diag(S1))
    R = (S1 - Sigma) / np.outer(sd, sd)
    e_mean = (mu1 - mu) / sd
    srmr = float(np.sqrt((np.sum(R[np.tril_indices(p)] ** 2) + np.sum(e_mean ** 2))
                         / (p * (p + 1) / 2 + p)))
    fm = {
        "npar": npar, "ntotal": n, "chisq": chisq, "df": dfm,
        "pvalue": fi.chisq_pvalue(chisq, dfm), "chisq_df": fi.chisq_df(chisq, dfm),
        "baseline.chisq": b_chisq, "baseline.df": b_df,
        "cfi": fi.cfi(chisq, dfm, b_chisq, b_df), "tli": fi.tli(chisq, dfm, b_chisq, b_df),
        "nfi": fi.nfi(chisq, b_chisq, df=dfm, base_df=b_df), "ifi": fi.ifi(chisq, dfm, b_chisq),
        "gfi": g, "agfi": agfi, "rmsea": fi.rmsea(chisq, dfm, n),
        "rmsea.ci.lower": lo, "rmsea.ci.upper": hi, "srmr": srmr, "logl": logl,
        "unrestricted.logl": logl_h1, "aic": fi.aic(logl, npar), "bic": fi.bic(logl, npar, n),
    }
    out.fit_measures = {k_: float(fm[k_]) for k_ in FIT_MEASURES}
    out.missing = "fiml"
    out.sample_cov = pd.DataFrame(S1, index=spec.ov, columns=spec.ov)
    if not converged and not any("converge" in w for w in out.warnings):
        out.warnings.insert(0, "the optimizer did not converge; estimates are not a "
                               "maximum-likelihood solution")
    return out


def _assemble(spec: ModelSpec, ram: RAM, theta: np.ndarray, converged: bool, S: np.ndarray,
              n: int, model: str, cov_y: bool) -> SEMResult:
    warn: list[str] = []
    if spec.df < 0:
        warn.append(f"the model is not identified: {spec.n_free} free parameters for "
                    f"{spec.n_free + spec.df} sample moments (df = {spec.df}); fit measures are "
                    "not available")
    if not converged:
        warn.append("the optimizer did not converge; estimates are not a maximum-likelihood "
                    "solution")
    info = ram.information(theta)
    vcov = None
    try:
        vcov = np.linalg.inv(n * info)
        if not np.all(np.isfinite(vcov)) or np.any(np.diag(vcov) < 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        vcov = np.full((spec.n_free, spec.n_free), np.nan)
        warn.append("the information matrix is singular: the model may not be identified; "
                    "standard errors are not available")
    se_free = np.sqrt(np.clip(np.diag(vcov), 0, None))
    std = ram.standardized(theta)
    records = []
    for k, r in enumerate(spec.rows):
        if r["free"] >= 0:
            est = float(theta[r["free"]])
            se = float(se_free[r["free"]])
            z = est / se if se > 0 else np.nan
            pv = 2 * stats.norm.sf(abs(z)) if np.isfinite(z) else np.nan
        else:
            est, se, z, pv = float(r["value"]), np.nan, np.nan, np.nan
        records.append({"lhs": r["lhs"], "op": r["op"], "rhs": r["rhs"], "est": est, "se": se,
                        "z": z, "pvalue": pv, "std_all": float(std[k])})
    if spec.defined:
        records += _defined_rows(spec, ram, theta, vcov, std)
    params = pd.DataFrame(records, columns=["lhs", "op", "rhs", "est", "se", "z", "pvalue",
                                            "std_all"])
    for c in ["est", "se", "z", "pvalue", "std_all"]:
        params[c] = params[c].astype(float)
    C = ram.total_cov(theta)
    names = spec.names
    pos = {nm: i for i, nm in enumerate(names)}
    _, Sm = ram.matrices(theta)
    endo = set([r["rhs"] for r in spec.rows if r["op"] == "=~"] +
               [r["lhs"] for r in spec.rows if r["op"] == "~"])
    endo = [v for v in spec.ov if v in endo] + [v for v in spec.lv if v in endo]
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = pd.Series({v: float(1 - Sm[pos[v], pos[v]] / C[pos[v], pos[v]]) for v in endo},
                       dtype=float, name="r2")
    # warnings: Heywood cases, std outside [-1, 1], non-PD latent covariance
    for k, r in enumerate(spec.rows):
        if r["op"] == "~~" and r["lhs"] == r["rhs"] and records[k]["est"] < 0:
            warn.append(f"negative variance (Heywood case): {r['lhs']} ~~ {r['rhs']} = "
                        f"{records[k]['est']:.4f}")
        if r["op"] in ("=~", "~") and np.isfinite(std[k]) and abs(std[k]) > 1:
            warn.append(f"standardized estimate outside [-1, 1]: {r['lhs']} {r['op']} {r['rhs']} "
                        f"= {std[k]:.4f}")
        if r["op"] == "~~" and r["lhs"] != r["rhs"] and np.isfinite(std[k]) and abs(std[k]) > 1:
            warn.append(f"correlation outside [-1, 1]: {r['lhs']} ~~ {r['rhs']} = {std[k]:.4f}")
    if spec.lv:
        lvi = [pos[v] for v in spec.lv]
        ev = np.linalg.eigvalsh(C[np.ix_(lvi, lvi)])
        if ev.min() <= 0:
            warn.append("the model-implied covariance matrix of the latent variables is not "
                        "positive definite")
    Sigma = ram.implied(theta)
    fm = _fit_measures(spec, ram, theta, S, n)
    return SEMResult(
        params=params, fit_measures=fm, r2=r2, converged=bool(converged), warnings=warn, n=int(n),
        model=model, implied_cov=pd.DataFrame(Sigma, index=spec.ov, columns=spec.ov),
        sample_cov=pd.DataFrame(S, index=spec.ov, columns=spec.ov), spec=spec, theta=theta,
        vcov=vcov, cov_y=cov_y)


def _defined_rows(spec, ram, theta, vcov, std) -> list[dict]:
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
    std_labels = {r["label"]: std[k] for k, r in enumerate(spec.rows) if r["label"]}
    std_def = eval_defined(spec, std_labels)
    out = []
    for i, nm in enumerate(names):
        expr = dict(spec.defined)[nm]
        se = float(np.sqrt(cov[i, i])) if np.isfinite(cov[i, i]) and cov[i, i] >= 0 else np.nan
        z = base[nm] / se if se and se > 0 else np.nan
        pv = 2 * stats.norm.sf(abs(z)) if np.isfinite(z) else np.nan
        out.append({"lhs": nm, "op": ":=", "rhs": expr.replace(" ", ""), "est": base[nm],
                    "se": se, "z": z, "pvalue": pv, "std_all": std_def[nm]})
    return out


# ------------------------------------------------------------------------------------------
# Modification indices
# ------------------------------------------------------------------------------------------
MI_COLUMNS = ["lhs", "op", "rhs", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"]


def _mi_candidates(spec: ModelSpec) -> list[tuple[str, str, str]]:
    """Parameters absent from the model that lavaan's ``modindices`` would add.

    lavaan's ``lav_partable_full`` (without ``conditional.x``): loadings of every latent
    variable on every observed variable that is neither fixed.x nor in a regression; (co)
    variances among observed indicators; (co)variances among latent variables; regressions
    among all variables that appear in a regression, except an indicator on a latent variable.
    Candidates already in the model, and candidates that would occupy the matrix cell of a
    parameter of the model (``f =~ y`` beside ``y ~ f``), are left out.
    """
    rows = spec.rows
    ov_x = set(spec.ov_x)
    lv = set(spec.lv)
    eqs = list(dict.fromkeys([r["lhs"] for r in rows if r["op"] == "~"]
                             + [r["rhs"] for r in rows if r["op"] == "~"]))
    indicators = {r["rhs"] for r in rows if r["op"] == "=~" and r["rhs"] not in lv}
    ov_nox = [v for v in spec.ov if v not in ov_x]
    out: list[tuple[str, str, str]] = []
    for f in spec.lv:
        out += [(f, "=~", v) for v in ov_nox if v not in eqs]
    ind = [v for v in ov_nox if v in indicators]
    out += [(a, "~~", b) for i, a in enumerate(ind) for b in ind[i + 1:]]
    out += [(a, "~~", b) for i, a in enumerate(spec.lv) for b in spec.lv[i + 1:]]
    out += [(y, "~", x) for y in eqs for x in eqs
            if y != x and not (y in indicators and x in lv)]

    def cell(lhs, op, rhs):
        if op == "=~":
            return ("A", rhs, lhs)
        if op == "~":
            return ("A", lhs, rhs)
        return ("S",) + tuple(sorted((lhs, rhs)))

    taken = {cell(r["lhs"], r["op"], r["rhs"]) for r in rows}
    keep = []
    for c in out:
        k = cell(*c)
        if k not in taken:
            taken.add(k)
            keep.append(c)
    return keep


def _sepc(spec: ModelSpec, ram: RAM, theta: np.ndarray, cands: list[tuple[str, str, str]],
          epc: np.ndarray) -> dict[str, np.ndarray]:
    """lavaan's standardized EPCs (``cov.std = TRUE``) at the estimates of the fitted model."""
    A, Sm = ram.matrices(theta)
    C = total_covariance(A, Sm)
    names = spec.names
    pos = {nm: i for i, nm in enumerate(names)}
    lv, ov, ov_x = set(spec.lv), set(spec.ov), set(spec.ov_x)
    small = math.sqrt(np.finfo(float).eps)
    with np.errstate(invalid="ignore"):
        var = np.diag(C)
        eta = np.sqrt(np.where(var < 0, np.nan, var))  # lavaan: ETA (latent), OV (observed)
        ov_sd = np.sqrt(np.where((var < 0) | (np.abs(var) < np.finfo(float).eps), np.nan, var))
    # (residual) variances of the model, lavaan's RV; fixed.x variances are not estimated
    rv = np.abs(np.diag(Sm)).astype(float)
    rv[rv < small] = np.nan
    for v in ov_x:
        rv[pos[v]] = np.nan
    rv = np.sqrt(rv)
    out = {k: np.full(len(cands), np.nan) for k in ("sepc.lv", "sepc.all", "sepc.nox")}
    for j, (lhs, op, rhs) in enumerate(cands):
        e = float(epc[j])
        if not np.isfinite(e):
            continue
        a, b = pos[lhs], pos[rhs]
        is_var = op == "~~" and lhs == rhs
        if is_var and lhs not in ov_x:
            e_abs = abs(float(Sm[a, a]))  # lavaan (cov.std): a variance keeps its estimate
            if e_abs < small:
                for k in out:
                    out[k][j] = 0.0
                continue
        else:
            e_abs = abs(e)
        s_lv = e_abs
        if op == "=~":
            s_lv *= eta[a] if rhs in ov else eta[a] / eta[b]
        elif op == "~":
            if lhs in lv:
                s_lv /= eta[a]
            if rhs in lv:
                s_lv *= eta[b]
        elif is_var:
            if lhs in lv:
                s_lv /= eta[a] ** 2
        else:
            if lhs in lv:
                s_lv /= rv[a]
            if rhs in lv:
                s_lv /= rv[b]
        s_all, s_nox = s_lv, s_lv
        if op == "=~" and rhs in ov:
            s_all /= ov_sd[b]
            s_nox /= ov_sd[b]
        elif op == "~":
            if lhs in ov:
                s_all /= ov_sd[a]
                s_nox /= ov_sd[a]
            if rhs in ov:
                s_all *= ov_sd[b]
                if rhs not in ov_x:
                    s_nox *= ov_sd[b]
        elif is_var:
            if lhs in ov:
                s_all /= ov_sd[a] ** 2
                if lhs not in ov_x:
                    s_nox /= ov_sd[a] ** 2
        elif op == "~~":
            for v, i in ((lhs, a), (rhs, b)):
                if v in ov:
                    s_all /= rv[i]
                    if v not in ov_x:
                        s_nox /= rv[i]
        sign = float(np.sign(e))
        out["sepc.lv"][j] = sign * s_lv
        out["sepc.all"][j] = sign * s_all
        out["sepc.nox"][j] = sign * s_nox
    return out


def modindices(result: SEMResult) -> pd.DataFrame:
    """Modification indices and (standardized) expected parameter changes (lavaan ``modindices``).

    Parameters
    ----------
    result : SEMResult

    Returns
    -------
    DataFrame
        ``lhs, op, rhs, mi, epc, sepc.lv, sepc.all, sepc.nox``, sorted by ``mi`` descending.
        One row per parameter that is not free in the model and whose freeing is identified:
        the candidates lavaan adds (cross-loadings ``=~`` on observed variables not in a
        regression, covariances ``~~`` among observed indicators and among latent variables,
        regressions ``~`` among the variables that appear in regressions) and the parameters
        of the model fixed to a value (a marker loading when the factor is identified
        otherwise, a loading or variance fixed in the syntax), as lavaan frees them with
        ``all.free``. Candidates lavaan reports as NA (freeing them is not identified given
        the model) are left out, as lavaan's ``na.remove = TRUE``; fixed.x moments are never
        candidates.

    Notes
    -----
    Score test with the expected information of the extended model at the estimates (the
    added parameters at 0, fixed parameters at their values):

    * ``mi = N s^2 / V`` and ``epc = -s / V``, with ``s`` the derivative of lavaan's ``fmin``
      (``F_ML / 2``) with respect to the parameter and ``V = I11 - I12 I22^-1 I21`` (its
      expected information given the free parameters; NA when ``V < eps^(1/3)``).
    * ``sepc.lv``: the EPC scaled by the model-implied standard deviations of the latent
      variables (a loading ``f =~ y`` times ``sd(f)``; a regression divided by ``sd`` of a
      latent outcome and multiplied by ``sd`` of a latent predictor).
    * ``sepc.all``: also scaled by the model-implied standard deviations of the observed
      variables (``f =~ y`` is ``epc sd(f) / sd(y)``).
    * ``sepc.nox``: as ``sepc.all`` but observed fixed.x predictors are not standardized.
    * Covariances (lavaan ``cov.std = TRUE``) are divided by the square roots of the two
      (residual) variances estimated in the model: ``epc / sqrt(theta_aa theta_bb)``; a
      variance keeps its estimate (scaled as a variance, with the sign of its EPC).

    Checked against lavaan 0.6 ``modindices()`` (``tests/fixtures/lavaan/mi_*.json``,
    ``scripts/modindices_fixtures.R``).

    References
    ----------
    Sorbom, D. (1989). Model modification. *Psychometrika*, 54, 371-384.
    Saris, W. E., Satorra, A., & Sorbom, D. (1987). The detection and correction of
    specification errors in structural equation models. *Sociological Methodology*, 17,
    105-129 (standardized EPC).
    Kaplan, D. (1989). Model modification in covariance structure analysis: application of the
    expected parameter change statistic. *Multivariate Behavioral Research*, 24, 285-305.
    Chou, C.-P., & Bentler, P. M. (1993). Invariance of the standardized expected parameter
    change statistic. *Structural Equation Modeling*, 1, 52-70.
    lavaan ``R/lav_modindices.R``, ``R/lav_standardize.R``.
    """
    spec = result.spec
    S = result.sample_cov.to_numpy()
    q = spec.n_free
    cands = _mi_candidates(spec)
    rows = [dict(r) for r in spec.rows]
    extra: list[tuple[str, str, str]] = []
    start: list[float] = []
    for r in rows:  # lavaan frees the fixed parameters of the model too (all.free)
        if r["free"] < 0 and not r["exo"]:
            r["free"] = q + len(extra)
            extra.append((r["lhs"], r["op"], r["rhs"]))
            start.append(float(r["value"]))
    for l, o, rr in cands:
        rows.append({"lhs": l, "op": o, "rhs": rr, "fixed": None, "label": None, "user": False,
                     "exo": False, "free": q + len(extra), "value": 0.0})
        extra.append((l, o, rr))
        start.append(0.0)
    if not extra:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("lhs", "op", "rhs") else float)
                             for c in MI_COLUMNS})
    ext = ModelSpec(ov=spec.ov, lv=spec.lv, rows=rows, n_free=q + len(extra), ov_x=spec.ov_x)
    ram = RAM(ext, S)
    theta = np.concatenate([result.theta, start])
    D, Sigma = ram.delta(theta)
    if spec.ov_x:  # fixed.x: the moments among observed predictors are not fitted (lavaan)
        xi = [spec.ov.index(v) for v in spec.ov_x]
        D[:, np.array(xi)[:, None], np.array(xi)[None, :]] = 0.0
    Si = np.linalg.inv(Sigma)
    W = Si - Si @ S @ Si
    g = 0.5 * np.einsum("aij,ij->a", D, W)  # derivative of lavaan's fmin = F_ML / 2
    info = ram.information_from(D, Si)
    I22 = info[:q, :q]
    I12 = info[q:, :q]
    I11 = info[q:, q:]
    try:
        V = np.diag(I11) - np.einsum("ij,ji->i", I12, np.linalg.solve(I22, I12.T))
    except np.linalg.LinAlgError:
        V = np.full(len(extra), np.nan)
    s = g[q:]
    with np.errstate(invalid="ignore", divide="ignore"):
        V = np.where(V < _EPS13, np.nan, V)
        mi = result.n * s * s / V
        epc = -s / V
    sepc = _sepc(spec, RAM(spec, S), result.theta, extra, epc)
    out = pd.DataFrame({"lhs": [c[0] for c in extra], "op": [c[1] for c in extra],
                        "rhs": [c[2] for c in extra], "mi": mi, "epc": epc, **sepc})
    out = out[np.isfinite(out["mi"])]
    out = out.sort_values("mi", ascending=False, kind="mergesort").reset_index(drop=True)
    return out[MI_COLUMNS]


# ------------------------------------------------------------------------------------------
# JSON and files
# ------------------------------------------------------------------------------------------
def _num(x, digits: int = 6):
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    v = round(x, digits)
    return 0.0 if v == 0 else v


def to_json(result: SEMResult, digits: int = 6) -> dict:
    """JSON-ready dict ``{"parameters": [...], "fit_measures": {...}}``.

    Floats are rounded to ``digits`` decimals and NaN becomes ``None`` (``null``), so that the
    same fit gives byte-identical JSON.
    """
    params = [
        {"lhs": r.lhs, "op": r.op, "rhs": r.rhs, "est": _num(r.est, digits),
         "se": _num(r.se, digits), "z": _num(r.z, digits), "pvalue": _num(r.pvalue, digits),
         "std_all": _num(r.std_all, digits)}
        for r in result.params.itertuples(index=False)
    ]
    fm = {k: _num(v, digits) for k, v in result.fit_measures.items()}
    return {"parameters": params, "fit_measures": fm,
            "r2": {k: _num(v, digits) for k, v in result.r2.items()},
            "converged": bool(result.converged), "warnings": list(result.warnings),
            "n": int(result.n)}


_FIT_LABELS = {
    "ntotal": "Number of observations", "npar": "Number of free parameters",
    "chisq": "Test statistic (chi-square)", "df": "Degrees of freedom",
    "pvalue": "P-value (chi-square)", "chisq_df": "Chi-square / df",
    "baseline.chisq": "Baseline test statistic", "baseline.df": "Baseline degrees of freedom",
    "cfi": "Comparative Fit Index (CFI)", "tli": "Tucker-Lewis Index (TLI)",
    "nfi": "Normed Fit Index (NFI)", "ifi": "Incremental Fit Index (IFI)",
    "gfi": "Goodness of Fit Index (GFI)", "agfi": "Adjusted Goodness of Fit Index (AGFI)",
    "rmsea": "RMSEA", "rmsea.ci.lower": "RMSEA 90% CI lower bound",
    "rmsea.ci.upper": "RMSEA 90% CI upper bound", "srmr": "SRMR",
    "logl": "Loglikelihood user model (H0)", "unrestricted.logl": "Loglikelihood unrestricted (H1)",
    "aic": "Akaike (AIC)", "bic": "Bayesian (BIC)",
}
_COUNTS = {"ntotal", "npar", "df", "baseline.df"}
_SECTIONS = [("=~", "Latent Variables"), ("~", "Regressions"), ("cov", "Covariances"),
             ("var", "Variances"), (":=", "Defined Parameters")]


def _cell(x, width: int, digits: int = 3) -> str:
    return " " * width if x is None else f"{x:{width}.{digits}f}"


def _table(rows: list[dict], columns: list[tuple[str, str]], indent: int = 20) -> list[str]:
    """Rows grouped as lavaan's summary: ``lhs op`` headers, one line per ``rhs``."""
    widths = [max(9, len(title) + 1) for _, title in columns]
    head = " " * indent + "".join(f"{t:>{w}}" for (_, t), w in zip(columns, widths))
    out: list[str] = []
    for key, title in _SECTIONS:
        if key == "cov":
            sel = [r for r in rows if r["op"] == "~~" and r["lhs"] != r["rhs"]]
        elif key == "var":
            sel = [r for r in rows if r["op"] == "~~" and r["lhs"] == r["rhs"]]
        else:
            sel = [r for r in rows if r["op"] == key]
        if not sel:
            continue
        out += ["", f"{title}:", head]
        group = None
        for r in sel:
            if key in ("=~", "~", "cov") and r["lhs"] != group:
                group = r["lhs"]
                out.append(f"  {group} {r['op']}")
            name = r["lhs"] if key in ("var", ":=") else r["rhs"]
            label = f"    {name}"[:indent - 1].ljust(indent)
            out.append(label + "".join(_cell(r.get(c), w) for (c, _), w in zip(columns, widths)))
    return out


def format_text(result: dict) -> str:
    """Readable summary of a :func:`fit_files` result, laid out like lavaan's ``summary()``.

    Parameters
    ----------
    result : dict
        :func:`to_json` output (``parameters``, ``fit_measures``; optionally ``r2``,
        ``converged``, ``warnings``, ``n``) with the ``bootstrap`` block of :func:`fit_files`
        when present.

    Returns
    -------
    str
        Fit measures (lavaan names and labels), then the parameter table by section (latent
        variables, regressions, covariances, variances, defined parameters) with ``Estimate,
        Std.Err, z-value, P(>|z|), Std.all``, R-squared, the bootstrap table (``Boot.SE`` and
        percentile and bias-corrected limits) and warnings. Missing values (``null``) print as
        blanks, as lavaan prints fixed parameters.

    Raises
    ------
    InputError
        When ``result`` lacks ``parameters`` or ``fit_measures``.

    Notes
    -----
    Numbers have three decimals as in lavaan's ``summary(fit, fit.measures = TRUE,
    standardized = TRUE)``; counts are integers.
    """
    if not isinstance(result, dict) or "parameters" not in result or "fit_measures" not in result:
        raise InputError("format_text: expected the dict of fit_files() with 'parameters' and "
                         "'fit_measures'")
    fm = result["fit_measures"]
    lines = ["Estimator                                     ML (lavaan definitions)"]
    if "converged" in result:
        lines.append(f"{'Converged':<44}{'yes' if result['converged'] else 'no':>10}")
    lines += ["", "Fit measures:"]
    for key, label in _FIT_LABELS.items():
        if key not in fm:
            continue
        v = fm[key]
        text = "" if v is None else (f"{int(v)}" if key in _COUNTS else f"{v:.3f}")
        lines.append(f"  {label:<42}{text:>10}   {key}")
    lines += ["", "Parameter Estimates:"]
    lines += _table(result["parameters"], [("est", "Estimate"), ("se", "Std.Err"),
                                           ("z", "z-value"), ("pvalue", "P(>|z|)"),
                                           ("std_all", "Std.all")])
    r2 = result.get("r2") or {}
    if r2:
        lines += ["", "R-Square:", " " * 20 + f"{'Estimate':>9}"]
        lines += [f"    {k}"[:19].ljust(20) + _cell(v, 9) for k, v in r2.items()]
    boot = result.get("bootstrap")
    if boot:
        lines += ["", f"Bootstrap ({boot.get('n_boot')} resamples, {boot.get('n_failed', 0)} failed"
                      f", seed {boot.get('seed')}; percentile and bias-corrected limits):"]
        lines += _table(boot["parameters"], [("est", "Estimate"), ("boot_se", "Boot.SE"),
                                             ("ci_lower", "Perc.lower"),
                                             ("ci_upper", "Perc.upper"),
                                             ("bc_lower", "BC.lower"), ("bc_upper", "BC.upper")])
    warn = result.get("warnings") or []
    if warn:
        lines += ["", "Warnings:"] + [f"  {w}" for w in warn]
    return "\n".join(lines) + "\n"


def fit_files(model_path: str | Path, data_path: str | Path, bootstrap: int | None = None,
              seed: int | None = None, jobs: int = 1) -> dict:
    """Fit the model in ``model_path`` to the CSV ``data_path`` (the ``replicate fit`` command).

    The data file is read as :func:`replication.data.responses.read_table` reads response files
    (comma, semicolon or tab delimited; byte-order mark removed; empty files and duplicate
    headers refused); the model's columns must hold numbers (empty cells and ``NA`` are
    missing, rows with missing values are left out as in :func:`fit`).

    Returns
    -------
    dict
        :func:`to_json` output, plus ``"bootstrap"`` (a list of ``lhs, op, rhs, est, boot_se,
        ci_lower, ci_upper, bc_lower, bc_upper`` and ``n_boot``, ``n_failed``) when ``bootstrap``
        is a number of resamples.
    """
    mp = Path(model_path)
    if not mp.exists():
        raise InputError(f"{mp}: model file not found")
    if mp.is_dir():
        raise InputError(f"{mp}: is a directory; expected a model file in lavaan syntax")
    try:
        text = mp.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise InputError(f"{mp}: cannot read the model file as UTF-8 text") from None
    try:
        spec = specify(text)
    except InputError as exc:
        raise InputError(f"{mp}: {exc}") from None
    dp = Path(data_path)
    table = read_table(dp)
    absent = [v for v in spec.ov if v not in table.columns]
    if absent:
        raise InputError(f"{dp}: no column {absent[0]!r} (a variable of {mp.name}); expected a "
                         "header with the model's variable names")
    data = to_numeric(table, spec.ov, dp)
    incomplete = int(data[spec.ov].isna().any(axis=1).sum())
    try:
        res = fit(text, data)
    except InputError as exc:
        msg = str(exc)
        if msg.startswith("data: "):
            raise InputError(f"{dp}: {msg[len('data: '):]}") from None
        raise InputError(f"{mp}: {msg}") from None
    if incomplete:
        res.warnings.insert(0, f"{incomplete} of {len(data)} rows with missing values in the model's "
                               "columns removed (listwise deletion)")
    out = to_json(res)
    out["n_dropped"] = incomplete
    if bootstrap is not None:
        if int(bootstrap) != bootstrap or bootstrap < 1:
            raise InputError(f"--bootstrap: expected a positive number of resamples, got {bootstrap}")
        from replication.engine.bootstrap import bootstrap as _boot

        b = _boot(text, data, n_boot=int(bootstrap), seed=seed, jobs=jobs)
        summ = b.summary()
        out["bootstrap"] = {
            "n_boot": int(bootstrap), "n_failed": int(b.n_failed), "seed": seed,
            "parameters": [
                {"lhs": r.lhs, "op": r.op, "rhs": r.rhs, "est": _num(r.est),
                 "boot_se": _num(r.boot_se), "ci_lower": _num(r.ci_lower),
                 "ci_upper": _num(r.ci_upper), "bc_lower": _num(r.bc_lower),
                 "bc_upper": _num(r.bc_upper)}
                for r in summ.itertuples(index=False)],
        }
    json.dumps(out)
    return out
