"""Moderation by regression with product terms: hierarchical steps, simple slopes, Johnson-Neyman.

Regression moderation (:func:`regression_moderation`) fits, for each outcome, the hierarchical
steps papers report (controls; + main effects; + interactions) by ordinary least squares with
statsmodels, with mean-centred predictors and product terms. :func:`simple_slopes` and
:func:`johnson_neyman` probe the final model. Latent interaction (product indicators in an SEM)
is in :mod:`replication.analyses.latent_moderation`.

Naming: a product term of ``x`` and ``m`` is called ``"x:m"`` (as in a statsmodels formula);
after centring, the coefficient of ``x`` is the effect of ``x`` at the mean of the moderators.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import fdtrc, stdtr, stdtrit

from replication.engine.errors import InputError

__all__ = [
    "ModerationResult",
    "JohnsonNeymanResult",
    "regression_moderation",
    "simple_slopes",
    "johnson_neyman",
    "johnson_neyman_bounds",
]


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------
def _as_list(v: str | Sequence[str] | None, what: str) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    out = list(v)
    if not all(isinstance(s, str) for s in out):
        raise InputError(f"{what}: expected column names (strings), got {out}")
    return out


def _check_columns(data: Any, cols: Sequence[str], roles: dict[str, str], what: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"{what}: data must be a pandas DataFrame, got {type(data).__name__}")
    for c in cols:
        if c not in data.columns:
            raise InputError(f"{what}: {roles.get(c, 'column')} '{c}' is not a column of the data")
        if not pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c]):
            raise InputError(f"{what}: column '{c}' must be numeric (dummy-code categories first)")


# --------------------------------------------------------------------------------------------
# Regression moderation
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModerationResult:
    """Hierarchical regression moderation for one or more outcomes.

    Attributes
    ----------
    steps : DataFrame
        One row per outcome and step: ``y, step, label, n, k, r2, adj_r2, delta_r2, f_change,
        df1, df2, p_change`` (``k`` predictors in the step; ``f_change`` tests ``delta_r2`` on
        ``df1, df2`` degrees of freedom; for the first step it is the overall F against the
        intercept-only model).
    coefficients : DataFrame
        One row per outcome, step and term: ``y, step, label, term, b, se, t, pvalue, beta``
        (``beta`` = standardized coefficient ``b * sd(term) / sd(y)`` on the analysis sample,
        the "Beta" SPSS prints; for a product term ``sd(term)`` is the SD of the product).
    models : dict
        Outcome -> statsmodels results of the final step (with interactions).
    x, m, y, controls : list of str
    center : bool
    means, sds : dict
        Means and SDs (ddof=1) of every used column on the analysis sample (raw scale).
    n : int
        Number of complete cases used (listwise over every used column).
    """

    steps: pd.DataFrame
    coefficients: pd.DataFrame
    models: dict
    x: list
    m: list
    y: list
    controls: list
    center: bool
    means: dict
    sds: dict
    n: int
    design: pd.DataFrame = field(repr=False)

    def term(self, x: str, m: str) -> str:
        """Name of the product term of ``x`` and ``m``."""
        return f"{x}:{m}"


def _design(data: pd.DataFrame, x: list[str], m: list[str], controls: list[str], center: bool):
    X = pd.DataFrame(index=data.index)
    for c in controls:
        X[c] = data[c].astype(float)
    for v in list(dict.fromkeys(x + m)):
        col = data[v].astype(float)
        X[v] = col - col.mean() if center else col
    for xi in x:
        for mj in m:
            X[f"{xi}:{mj}"] = X[xi] * X[mj]
    return X


def regression_moderation(
    data: pd.DataFrame,
    x: str | Sequence[str],
    m: str | Sequence[str],
    y: str | Sequence[str],
    controls: str | Sequence[str] = (),
    center: bool = True,
) -> ModerationResult:
    """Hierarchical OLS moderation: controls; + main effects; + interactions.

    Parameters
    ----------
    data : DataFrame
        Observed (or composite) scores, one column per variable.
    x : str or sequence of str
        Focal predictor(s).
    m : str or sequence of str
        Moderator(s). Every ``x`` is crossed with every ``m``.
    y : str or sequence of str
        Outcome(s); each gets its own set of steps, on the same analysis sample.
    controls : str or sequence of str
        Numeric control variables entered in the first step (not centred, not crossed).
    center : bool
        Mean-centre ``x`` and ``m`` before forming products (Aiken & West, 1991).

    Returns
    -------
    ModerationResult
        See :class:`ModerationResult`.

    Notes
    -----
    Rows with a missing value in any used column are dropped (listwise). The F-change of a
    step is ``((R2_2 - R2_1) / df1) / ((1 - R2_2) / df2)`` with ``df1`` the number of added
    terms and ``df2 = n - k_2 - 1`` (Cohen, Cohen, West & Aiken, 2003, eq. 5.5.1). Checked
    against a direct ``statsmodels.formula.api.ols`` fit of ``y ~ controls + x * m`` on centred
    variables.

    References
    ----------
    Aiken, L. S., & West, S. G. (1991). Multiple Regression: Testing and Interpreting
    Interactions. Sage. Cohen, J., Cohen, P., West, S. G., & Aiken, L. S. (2003). Applied
    Multiple Regression/Correlation Analysis for the Behavioral Sciences (3rd ed.). Erlbaum.
    """
    import statsmodels.api as sm

    what = "regression_moderation"
    xs, ms, ys = _as_list(x, f"{what}: x"), _as_list(m, f"{what}: m"), _as_list(y, f"{what}: y")
    cs = _as_list(controls, f"{what}: controls")
    for name, lst in (("x", xs), ("m", ms), ("y", ys)):
        if not lst:
            raise InputError(f"{what}: {name}: expected at least one column name")
    roles = {**{c: "control" for c in cs}, **{v: "outcome" for v in ys},
             **{v: "moderator" for v in ms}, **{v: "predictor" for v in xs}}
    used = list(dict.fromkeys(cs + xs + ms + ys))
    _check_columns(data, used, roles, what)
    overlap = set(ys) & set(xs + ms + cs)
    if overlap:
        raise InputError(f"{what}: column(s) {sorted(overlap)} used both as outcome and predictor")
    if set(xs) & set(ms):
        raise InputError(f"{what}: column(s) {sorted(set(xs) & set(ms))} used both as x and moderator")
    df = data[used].astype(float).dropna()
    n = len(df)
    k_full = len(cs) + len(set(xs + ms)) + len(xs) * len(ms)
    if n < k_full + 2:
        raise InputError(
            f"{what}: data: {n} complete rows for {k_full} predictors; need at least {k_full + 2}"
        )
    sds = df.std(ddof=1)
    for v in used:
        if not sds[v] > 0:
            raise InputError(f"{what}: {roles[v]} '{v}' is constant in the complete cases")
    design = _design(df, xs, ms, cs, center)
    stage_terms = []
    if cs:
        stage_terms.append(("controls", list(cs)))
    main = list(cs) + list(dict.fromkeys(xs + ms))
    stage_terms.append(("main effects", main))
    stage_terms.append(("interactions", list(design.columns)))
    step_rows, coef_rows, models = [], [], {}
    for yv in ys:
        yvec = df[yv].to_numpy()
        prev_r2, prev_k = 0.0, 0
        for s, (label, terms) in enumerate(stage_terms, start=1):
            Xs = sm.add_constant(design[terms], has_constant="add")
            res = sm.OLS(yvec, Xs).fit()
            k = len(terms)
            df1, df2 = k - prev_k, n - k - 1
            dr2 = res.rsquared - prev_r2
            f = (dr2 / df1) / ((1.0 - res.rsquared) / df2) if df2 > 0 and df1 > 0 else np.nan
            p = float(fdtrc(df1, df2, f)) if np.isfinite(f) else np.nan
            step_rows.append({"y": yv, "step": s, "label": label, "n": n, "k": k,
                              "r2": res.rsquared, "adj_r2": res.rsquared_adj, "delta_r2": dr2,
                              "f_change": f, "df1": df1, "df2": df2, "p_change": p})
            sd_y = float(np.std(yvec, ddof=1))
            for t in ["const"] + terms:
                sd_t = float(design[t].std(ddof=1)) if t != "const" else np.nan
                coef_rows.append({"y": yv, "step": s, "label": label, "term": t,
                                  "b": float(res.params[t]), "se": float(res.bse[t]),
                                  "t": float(res.tvalues[t]), "pvalue": float(res.pvalues[t]),
                                  "beta": float(res.params[t]) * sd_t / sd_y})
            prev_r2, prev_k = res.rsquared, k
        models[yv] = res
    return ModerationResult(
        steps=pd.DataFrame(step_rows),
        coefficients=pd.DataFrame(coef_rows),
        models=models, x=xs, m=ms, y=ys, controls=cs, center=center,
        means={k: float(v) for k, v in df.mean().items()},
        sds={k: float(v) for k, v in sds.items()}, n=n, design=design,
    )


def _check_probe(result: ModerationResult, x: str, m: str, y: str, what: str) -> None:
    if not isinstance(result, ModerationResult):
        raise InputError(f"{what}: expected the result of regression_moderation()")
    if x not in result.x:
        raise InputError(f"{what}: x '{x}' is not a predictor of the model (x = {result.x})")
    if m not in result.m:
        raise InputError(f"{what}: moderator '{m}' is not a moderator of the model (m = {result.m})")
    if y not in result.y:
        raise InputError(f"{what}: y '{y}' is not an outcome of the model (y = {result.y})")


def _slope_gradient(result: ModerationResult, x: str, m: str, w: float) -> pd.Series:
    """Linear combination of coefficients giving d y / d x at moderator value ``w`` (model scale)."""
    names = ["const"] + list(result.design.columns)
    g = pd.Series(0.0, index=names)
    g[x] = 1.0
    for mj in result.m:
        # other moderators at their mean: 0 when centred, the raw mean otherwise
        val = w if mj == m else (0.0 if result.center else result.means[mj])
        g[f"{x}:{mj}"] = val
    return g


def _at_point(result: ModerationResult, x_val: float, m: str, w: float) -> pd.Series:
    """Design row (model scale) with ``x`` = x_val for all x, ``m`` = w, others at their means."""
    row = pd.Series(0.0, index=["const"] + list(result.design.columns))
    row["const"] = 1.0
    for c in result.controls:
        row[c] = result.means[c]
    base = {v: (0.0 if result.center else result.means[v]) for v in dict.fromkeys(result.x + result.m)}
    base[m] = w
    for v, val in base.items():
        row[v] = val
    for xi in result.x:
        for mj in result.m:
            row[f"{xi}:{mj}"] = base[xi] * base[mj]
    return row


def _model_scale(result: ModerationResult, m: str, raw: float) -> float:
    return raw - result.means[m] if result.center else raw


def simple_slopes(
    result: ModerationResult,
    x: str | Sequence[str] | None = None,
    m: str | Sequence[str] | None = None,
    y: str | Sequence[str] | None = None,
    levels: Sequence[float] = (-1.0, 0.0, 1.0),
    level: float = 0.95,
) -> pd.DataFrame:
    """Simple slopes of each ``x`` at the moderator's mean and +/- SD (pick-a-point).

    Parameters
    ----------
    result : ModerationResult
        From :func:`regression_moderation`; the final step (with interactions) is probed.
    x, m, y : str or sequence of str, optional
        Restrict to these predictors, moderators, outcomes (default: all of the model).
    levels : sequence of float
        Moderator values in SD units from its mean (default -1, 0, +1).
    level : float
        Confidence level of ``ci_low, ci_high``.

    Returns
    -------
    DataFrame
        ``y, x, m, sd_units, m_value`` (raw moderator value), ``slope, se, t, df, pvalue,
        ci_low, ci_high``, ``intercept`` (predicted ``y`` at the mean of ``x``, the moderator at
        ``m_value`` and everything else at its mean), ``x_mean, x_sd``.

    Notes
    -----
    With the final model ``y = b0 + b_x x + b_m m + b_xm x m + ...`` the slope of ``x`` at
    ``m = w`` is ``b_x + b_xm w`` with variance ``V_xx + 2 w V_x,xm + w^2 V_xm,xm`` (Aiken &
    West, 1991, eq. 2.4 and 2.5); other moderators are held at their means. ``t`` has the
    residual degrees of freedom of the model.

    References
    ----------
    Aiken, L. S., & West, S. G. (1991). Multiple Regression: Testing and Interpreting
    Interactions. Sage.
    """
    what = "simple_slopes"
    if not isinstance(result, ModerationResult):
        raise InputError(f"{what}: expected the result of regression_moderation()")
    xs = _as_list(x, what) or result.x
    ms = _as_list(m, what) or result.m
    ys = _as_list(y, what) or result.y
    if not (0 < level < 1):
        raise InputError(f"{what}: level must be in (0, 1), got {level}")
    rows = []
    for yv in ys:
        for xv in xs:
            for mv in ms:
                _check_probe(result, xv, mv, yv, what)
                res = result.models[yv]
                V = res.cov_params()
                b = res.params
                tc = stdtrit(res.df_resid, 0.5 + level / 2)
                for u in levels:
                    raw = result.means[mv] + float(u) * result.sds[mv]
                    w = _model_scale(result, mv, raw)
                    g = _slope_gradient(result, xv, mv, w)
                    est = float(g @ b)
                    se = float(np.sqrt(g @ V @ g))
                    t = est / se
                    x0 = 0.0 if result.center else result.means[xv]
                    icpt = float(_at_point(result, x0, mv, w) @ b)
                    rows.append({"y": yv, "x": xv, "m": mv, "sd_units": float(u), "m_value": raw,
                                 "slope": est, "se": se, "t": t, "df": float(res.df_resid),
                                 "pvalue": float(2 * stdtr(res.df_resid, -abs(t))),
                                 "ci_low": est - tc * se, "ci_high": est + tc * se,
                                 "intercept": icpt, "x_mean": result.means[xv],
                                 "x_sd": result.sds[xv]})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Johnson-Neyman
# --------------------------------------------------------------------------------------------
def johnson_neyman_bounds(
    b_x: float, b_xm: float, var_x: float, var_xm: float, cov_x_xm: float, t_crit: float
) -> tuple[str, tuple[float, ...]]:
    """Analytic Johnson-Neyman bounds of the conditional effect ``b_x + b_xm * w``.

    Parameters
    ----------
    b_x, b_xm : float
        Coefficients of ``x`` and of the product term.
    var_x, var_xm, cov_x_xm : float
        Their sampling variances and covariance.
    t_crit : float
        Critical value (two-sided) of the test.

    Returns
    -------
    (region, bounds)
        ``bounds`` are the real roots ``w`` (sorted) of
        ``(b_xm^2 - t^2 V_xm) w^2 + 2 (b_x b_xm - t^2 C) w + (b_x^2 - t^2 V_x) = 0``;
        ``region`` says where the effect is significant: ``"outside"`` (below the lower and
        above the upper root), ``"inside"`` (between the roots), ``"everywhere"``,
        ``"nowhere"``, ``"above"`` or ``"below"`` (a single root when the quadratic term is 0).

    References
    ----------
    Johnson, P. O., & Neyman, J. (1936). Tests of certain linear hypotheses and their
    application to some educational problems. Statistical Research Memoirs, 1, 57-93.
    Bauer, D. J., & Curran, P. J. (2005). Probing interactions in fixed and multilevel
    regression. Multivariate Behavioral Research, 40(3), 373-400, eq. 8.
    """
    t2 = t_crit**2
    a = b_xm**2 - t2 * var_xm
    b = 2.0 * (b_x * b_xm - t2 * cov_x_xm)
    c = b_x**2 - t2 * var_x
    # significance where a w^2 + b w + c > 0
    if abs(a) < 1e-14 * max(1.0, abs(b), abs(c)):
        if abs(b) < 1e-300:
            return ("everywhere" if c > 0 else "nowhere"), ()
        root = -c / b
        return ("above" if b > 0 else "below"), (root,)
    disc = b * b - 4 * a * c
    if disc < 0:
        return ("everywhere" if a > 0 else "nowhere"), ()
    s = np.sqrt(disc)
    r = sorted(((-b - s) / (2 * a), (-b + s) / (2 * a)))
    return ("outside" if a > 0 else "inside"), (float(r[0]), float(r[1]))


@dataclass(frozen=True)
class JohnsonNeymanResult:
    """Johnson-Neyman region of significance of the effect of ``x`` across ``m``.

    Attributes
    ----------
    x, m, y : str
    region : str
        Where the effect is significant relative to ``bounds`` (see
        :func:`johnson_neyman_bounds`).
    bounds : tuple of float
        Moderator values (raw scale) where the effect crosses significance.
    alpha, t_crit, df : float
    m_range : tuple of float
        Observed minimum and maximum of the moderator.
    share_significant : float
        Share of the analysis sample whose moderator value lies in the region of significance.
    grid : DataFrame
        ``m_value, slope, se, ci_low, ci_high, significant`` over the observed range
        (for plotting).
    """

    x: str
    m: str
    y: str
    region: str
    bounds: tuple
    alpha: float
    t_crit: float
    df: float
    m_range: tuple
    share_significant: float
    grid: pd.DataFrame = field(repr=False)

    def significant_at(self, value: float | np.ndarray) -> np.ndarray:
        """Whether the effect of ``x`` is significant at raw moderator value(s) ``value``."""
        return _in_region(self.region, self.bounds, value)


def _in_region(region: str, b: tuple, value: float | np.ndarray) -> np.ndarray:
    v = np.asarray(value, dtype=float)
    if region == "everywhere":
        return np.ones_like(v, dtype=bool)
    if region == "nowhere":
        return np.zeros_like(v, dtype=bool)
    if region == "above":
        return v > b[0]
    if region == "below":
        return v < b[0]
    if region == "outside":
        return (v < b[0]) | (v > b[1])
    return (v > b[0]) & (v < b[1])


def johnson_neyman(
    result: ModerationResult, x: str, m: str, y: str, alpha: float = 0.05, n_grid: int = 101
) -> JohnsonNeymanResult:
    """Johnson-Neyman region of significance for the effect of ``x`` on ``y`` across ``m``.

    Parameters
    ----------
    result : ModerationResult
        From :func:`regression_moderation`.
    x, m, y : str
        Predictor, moderator and outcome to probe.
    alpha : float
        Significance level (two-sided).
    n_grid : int
        Points of the plotting grid over the observed moderator range.

    Returns
    -------
    JohnsonNeymanResult
        Bounds on the raw moderator scale.

    Notes
    -----
    Solves :func:`johnson_neyman_bounds` with the final model's coefficients and covariance
    matrix (other moderators at their means) and ``t_crit`` the ``1 - alpha/2`` quantile of
    t on the residual degrees of freedom, as PROCESS and ``interactions::johnson_neyman`` do.

    References
    ----------
    Bauer, D. J., & Curran, P. J. (2005). Multivariate Behavioral Research, 40(3), 373-400.
    """
    what = "johnson_neyman"
    _check_probe(result, x, m, y, what)
    if not (0 < alpha < 1):
        raise InputError(f"{what}: alpha must be in (0, 1), got {alpha}")
    res = result.models[y]
    b, V = res.params, res.cov_params()
    g0 = _slope_gradient(result, x, m, 0.0)
    e = pd.Series(0.0, index=g0.index)
    e[f"{x}:{m}"] = 1.0
    b_x, b_xm = float(g0 @ b), float(b[f"{x}:{m}"])
    var_x, var_xm, cov = float(g0 @ V @ g0), float(V.loc[f"{x}:{m}", f"{x}:{m}"]), float(g0 @ V @ e)
    tc = float(stdtrit(res.df_resid, 1 - alpha / 2))
    region, bounds = johnson_neyman_bounds(b_x, b_xm, var_x, var_xm, cov, tc)
    shift = result.means[m] if result.center else 0.0
    bounds = tuple(float(r + shift) for r in bounds)
    raw_m = result.design[m].to_numpy() + shift
    lo, hi = float(raw_m.min()), float(raw_m.max())
    grid_m = np.linspace(lo, hi, n_grid)
    w = grid_m - shift
    slope = b_x + b_xm * w
    se = np.sqrt(np.maximum(var_x + 2 * w * cov + w**2 * var_xm, 0.0))
    grid = pd.DataFrame({"m_value": grid_m, "slope": slope, "se": se,
                         "ci_low": slope - tc * se, "ci_high": slope + tc * se,
                         "significant": np.abs(slope) > tc * se})
    share = float(np.mean(_in_region(region, bounds, raw_m)))
    return JohnsonNeymanResult(x=x, m=m, y=y, region=region, bounds=bounds, alpha=alpha,
                               t_crit=tc, df=float(res.df_resid), m_range=(lo, hi),
                               share_significant=share, grid=grid)
