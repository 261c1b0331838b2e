"""Moderation: regression with product terms, and latent interaction in SEM.

Regression moderation (:func:`regression_moderation`) fits, for each outcome, the hierarchical
steps papers report (controls; + main effects; + interactions) by ordinary least squares with
statsmodels, with mean-centred predictors and product terms. :func:`simple_slopes` and
:func:`johnson_neyman` probe the final model. Latent interaction uses double-mean-centred
matched-pair product indicators (:func:`product_indicators`, :func:`latent_interaction_syntax`),
fitted by :func:`replication.engine.sem.fit` in :func:`latent_moderation`, with the same model on
composite (mean) scores beside it.

Naming: a product term of ``x`` and ``m`` is called ``"x:m"`` (as in a statsmodels formula);
after centring, the coefficient of ``x`` is the effect of ``x`` at the mean of the moderators.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from replication.engine.errors import InputError

__all__ = [
    "ModerationResult",
    "JohnsonNeymanResult",
    "LatentModerationResult",
    "regression_moderation",
    "simple_slopes",
    "johnson_neyman",
    "johnson_neyman_bounds",
    "product_indicators",
    "latent_interaction_syntax",
    "latent_simple_slopes",
    "latent_moderation",
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
            p = float(stats.f.sf(f, df1, df2)) if np.isfinite(f) else np.nan
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
                tc = stats.t.ppf(0.5 + level / 2, res.df_resid)
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
                                 "pvalue": float(2 * stats.t.sf(abs(t), res.df_resid)),
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
    tc = float(stats.t.ppf(1 - alpha / 2, res.df_resid))
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


# --------------------------------------------------------------------------------------------
# Latent interaction
# --------------------------------------------------------------------------------------------
_METHODS = ("double_mean_centered", "mean_centered", "uncentered")


def product_indicators(
    data: pd.DataFrame,
    x_items: Sequence[str],
    m_items: Sequence[str],
    method: str = "double_mean_centered",
    leftovers: str = "drop",
) -> pd.DataFrame:
    """Matched-pair product indicators for a latent interaction.

    Parameters
    ----------
    data : DataFrame
        Item-level responses.
    x_items, m_items : sequence of str
        Indicators of the two interacting constructs, paired by position (the first item of
        ``x`` with the first of ``m``, and so on).
    method : {"double_mean_centered", "mean_centered", "uncentered"}
        ``"double_mean_centered"``: centre the items, multiply, then centre the products (Lin
        et al., 2010); ``"mean_centered"``: centre the items only (Marsh et al., 2004).
    leftovers : {"drop", "parcel"}
        When one construct has more items than the other: ``"drop"`` leaves the extra items of
        the longer list out of the products (they still measure their own construct);
        ``"parcel"`` averages them with the last matched item of that list before multiplying,
        so every item enters a product.

    Returns
    -------
    DataFrame
        Product indicators, named ``"<x_item>_x_<m_item>"`` (with ``"parcel"`` the last name
        uses the last matched item), same index as ``data``.

    Notes
    -----
    Matched pairs use each item once, so no residual covariances among products are needed
    (Marsh, Wen & Hau, 2004). Rows with a missing item give a missing product.

    References
    ----------
    Lin, G.-C., Wen, Z., Marsh, H. W., & Lin, H.-S. (2010). Structural equation models of
    latent interactions: Clarification of orthogonalizing and double-mean-centering
    strategies. Structural Equation Modeling, 17(3), 374-391. Marsh, H. W., Wen, Z., & Hau,
    K.-T. (2004). Structural equation models of latent interactions. Psychological Methods,
    9(3), 275-300.
    """
    what = "product_indicators"
    if method not in _METHODS:
        raise InputError(f"{what}: method must be one of {', '.join(_METHODS)}, got {method!r}")
    if leftovers not in ("drop", "parcel"):
        raise InputError(f"{what}: leftovers must be 'drop' or 'parcel', got {leftovers!r}")
    xi, mi = _as_list(x_items, what), _as_list(m_items, what)
    if not xi or not mi:
        raise InputError(f"{what}: both x_items and m_items need at least one item")
    _check_columns(data, xi + mi, {}, what)
    k = min(len(xi), len(mi))
    cols = {c: data[c].astype(float) for c in xi + mi}
    if method != "uncentered":
        cols = {c: v - v.mean() for c, v in cols.items()}
    xs = [cols[c] for c in xi[:k]]
    ms = [cols[c] for c in mi[:k]]
    if leftovers == "parcel":
        if len(xi) > k:
            xs[-1] = pd.concat([cols[c] for c in xi[k - 1:]], axis=1).mean(axis=1, skipna=False)
        if len(mi) > k:
            ms[-1] = pd.concat([cols[c] for c in mi[k - 1:]], axis=1).mean(axis=1, skipna=False)
    out = pd.DataFrame(index=data.index)
    for j in range(k):
        p = xs[j] * ms[j]
        if method == "double_mean_centered":
            p = p - p.mean()
        out[f"{xi[j]}_x_{mi[j]}"] = p
    return out


def latent_interaction_syntax(
    x: str,
    x_items: Sequence[str],
    m: str,
    m_items: Sequence[str],
    y: str,
    y_items: Sequence[str] | None,
    product_names: Sequence[str],
    interaction: str | None = None,
    controls: Sequence[str] = (),
) -> list[str]:
    """lavaan lines of a latent interaction model with product indicators.

    Parameters
    ----------
    x, m, y : str
        Names of the focal, moderator and outcome constructs.
    x_items, m_items : sequence of str
        Their indicators.
    y_items : sequence of str or None
        Indicators of ``y``; ``None`` (or ``[y]``) when ``y`` is an observed column.
    product_names : sequence of str
        Product indicator columns (from :func:`product_indicators`).
    interaction : str, optional
        Name of the latent interaction (default ``x + "x" + m``).
    controls : sequence of str
        Observed control variables regressed into ``y``.

    Returns
    -------
    list of str
        ``X =~ ...``, ``M =~ ...``, ``XM =~ products``, ``Y =~ ...``, ``Y ~ X + M + XM
        [+ controls]`` and free covariances ``X ~~ M``, ``X ~~ XM``, ``M ~~ XM`` (with double
        mean centring these are not fixed at zero: Lin et al., 2010).
    """
    what = "latent_interaction_syntax"
    inter = interaction or f"{x}x{m}"
    prods = _as_list(product_names, what)
    if not prods:
        raise InputError(f"{what}: product_names: expected at least one product indicator")
    names = [x, m, y, inter]
    if len(set(names)) < 4:
        raise InputError(f"{what}: construct names must differ, got {names}")
    lines = [f"{x} =~ " + " + ".join(_as_list(x_items, what)),
             f"{m} =~ " + " + ".join(_as_list(m_items, what)),
             f"{inter} =~ " + " + ".join(prods)]
    yi = _as_list(y_items, what)
    if yi and yi != [y]:
        lines.append(f"{y} =~ " + " + ".join(yi))
    lines.append(f"{y} ~ " + " + ".join([x, m, inter] + _as_list(controls, what)))
    lines += [f"{x} ~~ {m}", f"{x} ~~ {inter}", f"{m} ~~ {inter}"]
    return lines


def _param_row(params: pd.DataFrame, lhs: str, op: str, rhs: str) -> pd.Series | None:
    hit = params[(params["lhs"] == lhs) & (params["op"] == op) & (params["rhs"] == rhs)]
    if hit.empty and op == "~~":
        hit = params[(params["lhs"] == rhs) & (params["op"] == op) & (params["rhs"] == lhs)]
    return None if hit.empty else hit.iloc[0]


def _param_cov(sem_result, keys: Sequence[str]) -> np.ndarray | None:
    """Sampling covariance matrix of the estimates ``keys`` ("lhs op rhs"), if the fit has one."""
    vc = getattr(sem_result, "vcov", None)
    if isinstance(vc, pd.DataFrame):
        if all(k in vc.index and k in vc.columns for k in keys):
            return vc.loc[list(keys), list(keys)].to_numpy(dtype=float)
        return None
    spec = getattr(sem_result, "spec", None)
    if isinstance(vc, np.ndarray) and spec is not None:
        # free-parameter covariance matrix indexed by the model's free-parameter numbers
        idx: dict[str, int] = {}
        for r in getattr(spec, "rows", []):
            if r.get("free", -1) >= 0:
                idx.setdefault(f"{r['lhs']} {r['op']} {r['rhs']}", int(r["free"]))
        if all(k in idx for k in keys):
            ii = [idx[k] for k in keys]
            return np.asarray(vc, dtype=float)[np.ix_(ii, ii)]
    return None


def latent_simple_slopes(
    sem_result, x: str, m: str, y: str, interaction: str, levels: Sequence[float] = (-1.0, 0.0, 1.0)
) -> pd.DataFrame:
    """Simple slopes of latent ``x`` on ``y`` at latent ``m`` = mean +/- SD.

    Parameters
    ----------
    sem_result : SEMResult
        Fitted latent interaction model (``params`` with ``est, se, std_all``, and ``vcov``:
        the sampling covariance matrix of the free parameters, numbered as in ``spec.rows``,
        or a DataFrame keyed ``"lhs op rhs"``).
    x, m, y, interaction : str
        Names used in the model.
    levels : sequence of float
        Moderator values in latent SD units (the latent mean is 0).

    Returns
    -------
    DataFrame
        ``sd_units, m_value, slope, se, z, pvalue, std_slope``; ``std_slope`` is the slope in
        completely standardized units (``slope * sd(x) / sd(y)``, obtained as ``slope *
        std_all / est`` of ``y ~ x``; this is not lavaan's ``std.all`` of a ``:=`` expression,
        which evaluates the expression at standardized path values). ``se`` is NaN when the
        result has no ``vcov``.

    Notes
    -----
    ``slope(w) = g1 + g3 w`` with ``w = u * sqrt(Var(m))`` (Marsh et al., 2004; Preacher,
    Curran & Bauer, 2006). The standard error is the delta method over ``(g1, g3, Var(m))``,
    so it equals lavaan's for the defined parameter ``g1 + u * g3 * sqrt(vm)``; checked
    against lavaan by ``scripts/moderation_fixtures.R``.

    References
    ----------
    Preacher, K. J., Curran, P. J., & Bauer, D. J. (2006). Computational tools for probing
    interactions in multiple linear regression, multilevel modeling, and latent curve
    analysis. Journal of Educational and Behavioral Statistics, 31(4), 437-448.
    """
    what = "latent_simple_slopes"
    params = getattr(sem_result, "params", None)
    if not isinstance(params, pd.DataFrame):
        raise InputError(f"{what}: expected a fitted model with a 'params' DataFrame")
    rx, rxm = _param_row(params, y, "~", x), _param_row(params, y, "~", interaction)
    vm = _param_row(params, m, "~~", m)
    for r, label in ((rx, f"{y} ~ {x}"), (rxm, f"{y} ~ {interaction}"), (vm, f"{m} ~~ {m}")):
        if r is None:
            raise InputError(f"{what}: moderator/path '{label}' is not in the model")
    g1, g3, vm_est = float(rx["est"]), float(rxm["est"]), float(vm["est"])
    sd_m = float(np.sqrt(max(vm_est, 0.0)))
    V = _param_cov(sem_result, [f"{y} ~ {x}", f"{y} ~ {interaction}", f"{m} ~~ {m}"])
    if V is None:  # the variance of m may be fixed: then only the two paths are random
        V2 = _param_cov(sem_result, [f"{y} ~ {x}", f"{y} ~ {interaction}"])
        if V2 is not None:
            V = np.zeros((3, 3))
            V[:2, :2] = V2
    std_ratio = float(rx["std_all"]) / g1 if g1 != 0 else np.nan
    rows = []
    for u in levels:
        w = float(u) * sd_m
        est = g1 + g3 * w
        if V is None or sd_m == 0:
            se = np.nan
        else:
            grad = np.array([1.0, w, g3 * float(u) / (2.0 * sd_m)])
            var = float(grad @ V @ grad)
            se = float(np.sqrt(var)) if var >= 0 else np.nan
        z = est / se if se and np.isfinite(se) else np.nan
        rows.append({"sd_units": float(u), "m_value": w, "slope": est, "se": se, "z": z,
                     "pvalue": float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan,
                     "std_slope": est * std_ratio})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class LatentModerationResult:
    """Latent interaction model with product indicators, and its composite-score counterpart.

    Attributes
    ----------
    syntax : str
        lavaan model fitted.
    fit : SEMResult
        Result of :func:`replication.engine.sem.fit`.
    paths : DataFrame
        Rows of ``fit.params`` for the regressions into ``y``.
    slopes : DataFrame
        :func:`latent_simple_slopes`.
    composite : ModerationResult
        The same moderation on mean scores of the items (:func:`regression_moderation`).
    composite_slopes : DataFrame
        :func:`simple_slopes` of the composite model.
    products : list of str
        Names of the product indicators.
    """

    syntax: str
    fit: Any
    paths: pd.DataFrame
    slopes: pd.DataFrame
    composite: ModerationResult
    composite_slopes: pd.DataFrame
    products: list


def latent_moderation(
    data: pd.DataFrame,
    x: str,
    x_items: Sequence[str],
    m: str,
    m_items: Sequence[str],
    y: str,
    y_items: Sequence[str] | None,
    controls: Sequence[str] = (),
    method: str = "double_mean_centered",
    leftovers: str = "drop",
    levels: Sequence[float] = (-1.0, 0.0, 1.0),
) -> LatentModerationResult:
    """Fit a latent interaction with product indicators, and the composite-score analogue.

    Parameters
    ----------
    data : DataFrame
        Item-level responses (and observed controls).
    x, m, y : str
        Construct names (``y`` may be an observed column with ``y_items=None``).
    x_items, m_items, y_items : sequence of str
        Indicators.
    controls : sequence of str
        Observed controls regressed into ``y``.
    method, leftovers : str
        See :func:`product_indicators`.
    levels : sequence of float
        Moderator values in SD units for the simple slopes.

    Returns
    -------
    LatentModerationResult

    Notes
    -----
    The SEM is fitted by maximum likelihood through :func:`replication.engine.sem.fit`. The composite
    model regresses the mean of ``y_items`` on the (centred) means of ``x_items`` and
    ``m_items`` and their product, with the same controls.
    """
    from replication.engine.sem import fit as sem_fit
    from replication.engine.syntax import join

    what = "latent_moderation"
    xi, mi = _as_list(x_items, what), _as_list(m_items, what)
    yi = _as_list(y_items, what) or [y]
    cs = _as_list(controls, what)
    if not mi:
        raise InputError(f"{what}: moderator '{m}' has no items")
    _check_columns(data, xi + mi + yi + cs, {c: f"item of {m}" for c in mi}, what)
    if np.all(data[mi].astype(float).std(ddof=1).to_numpy() == 0):
        raise InputError(f"{what}: moderator '{m}' is constant (its items have no variance)")
    prods = product_indicators(data, xi, mi, method=method, leftovers=leftovers)
    clash = [c for c in prods.columns if c in data.columns]
    if clash:
        raise InputError(f"{what}: product indicator name(s) {clash} already are data columns")
    inter = f"{x}x{m}"
    lines = latent_interaction_syntax(x, xi, m, mi, y, None if yi == [y] else yi,
                                      list(prods.columns), inter, cs)
    syntax = join(lines)
    full = pd.concat([data, prods], axis=1)
    res = sem_fit(syntax, full)
    p = res.params
    paths = p[(p["lhs"] == y) & (p["op"] == "~")].reset_index(drop=True)
    slopes = latent_simple_slopes(res, x, m, y, inter, levels)
    comp = pd.DataFrame({x: data[xi].astype(float).mean(axis=1), m: data[mi].astype(float).mean(axis=1),
                         y: data[yi].astype(float).mean(axis=1)})
    for c in cs:
        comp[c] = data[c]
    cres = regression_moderation(comp, x, m, y, controls=cs, center=True)
    return LatentModerationResult(syntax=syntax, fit=res, paths=paths, slopes=slopes,
                                  composite=cres, composite_slopes=simple_slopes(cres, levels=levels),
                                  products=list(prods.columns))
