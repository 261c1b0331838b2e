"""Latent interaction in SEM: product indicators, the interaction model and its simple slopes.

Double-mean-centred matched-pair product indicators (Lin et al., 2010; :func:`product_indicators`,
as semTools ``indProd``) measure the latent product; :func:`latent_interaction_syntax` writes the
model and :func:`latent_moderation` fits it with :func:`replication.engine.sem.fit`, with the same
model on composite (mean) scores beside it; :func:`latent_simple_slopes` probes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from replication.analyses.moderation import (ModerationResult, _as_list, _check_columns,
                                             regression_moderation, simple_slopes)
from replication.engine.errors import InputError
from replication.engine.results import parameter_row
from replication.engine.sem import fit as sem_fit
from replication.engine.syntax import join

__all__ = [
    "LatentModerationResult",
    "product_indicators",
    "latent_interaction_syntax",
    "latent_simple_slopes",
    "latent_moderation",
]


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
    others: Mapping[str, Sequence[str]] | None = None,
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
    others : mapping of str to sequence of str, optional
        The outcome's other predictors in the paper's model, each with its indicators (an
        observed predictor maps to ``[name]``), kept in the interaction model so that the
        interaction is estimated with them held constant.

    Returns
    -------
    list of str
        ``X =~ ...``, ``M =~ ...``, ``XM =~ products``, ``O =~ ...`` for every other latent
        predictor, ``Y =~ ...``, ``Y ~ X + M + XM [+ others] [+ controls]`` and free
        covariances ``X ~~ M``, ``X ~~ XM``, ``M ~~ XM`` (with double
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
    others = dict(others or {})
    if set(others) & set(names):
        raise InputError(f"{what}: others: {sorted(set(others) & set(names))} already are x, m or y")
    lines = [f"{x} =~ " + " + ".join(_as_list(x_items, what)),
             f"{m} =~ " + " + ".join(_as_list(m_items, what)),
             f"{inter} =~ " + " + ".join(prods)]
    lines += [f"{o} =~ " + " + ".join(_as_list(its, what)) for o, its in others.items()
              if _as_list(its, what) != [o]]
    yi = _as_list(y_items, what)
    if yi and yi != [y]:
        lines.append(f"{y} =~ " + " + ".join(yi))
    lines.append(f"{y} ~ " + " + ".join([x, m, inter, *others] + _as_list(controls, what)))
    lines += [f"{x} ~~ {m}", f"{x} ~~ {inter}", f"{m} ~~ {inter}"]
    return lines


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
    rx, rxm = parameter_row(params, y, "~", x), parameter_row(params, y, "~", interaction)
    vm = parameter_row(params, m, "~~", m)
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
                     "pvalue": float(2 * ndtr(-abs(z))) if np.isfinite(z) else np.nan,
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
    others: Mapping[str, Sequence[str]] | None = None,
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
    others : mapping of str to sequence of str, optional
        The outcome's other predictors with their indicators (see
        :func:`latent_interaction_syntax`); on composite scores they enter as covariates.
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

    what = "latent_moderation"
    xi, mi = _as_list(x_items, what), _as_list(m_items, what)
    yi = _as_list(y_items, what) or [y]
    cs = _as_list(controls, what)
    others = {o: _as_list(its, what) for o, its in (others or {}).items()}
    other_items = [i for its in others.values() for i in its]
    if not mi:
        raise InputError(f"{what}: moderator '{m}' has no items")
    _check_columns(data, xi + mi + yi + cs + other_items, {c: f"item of {m}" for c in mi}, what)
    if np.all(data[mi].astype(float).std(ddof=1).to_numpy() == 0):
        raise InputError(f"{what}: moderator '{m}' is constant (its items have no variance)")
    prods = product_indicators(data, xi, mi, method=method, leftovers=leftovers)
    clash = [c for c in prods.columns if c in data.columns]
    if clash:
        raise InputError(f"{what}: product indicator name(s) {clash} already are data columns")
    inter = f"{x}x{m}"
    lines = latent_interaction_syntax(x, xi, m, mi, y, None if yi == [y] else yi,
                                      list(prods.columns), inter, cs, others)
    syntax = join(lines)
    full = pd.concat([data, prods], axis=1)
    res = sem_fit(syntax, full)
    p = res.params
    paths = p[(p["lhs"] == y) & (p["op"] == "~")].reset_index(drop=True)[
        ["lhs", "op", "rhs", "est", "se", "z", "pvalue", "std_all"]]
    slopes = latent_simple_slopes(res, x, m, y, inter, levels)
    comp = pd.DataFrame({x: data[xi].astype(float).mean(axis=1), m: data[mi].astype(float).mean(axis=1),
                         y: data[yi].astype(float).mean(axis=1)})
    for c in cs:
        comp[c] = data[c]
    for o, its in others.items():
        comp[o] = data[its].astype(float).mean(axis=1)
    cres = regression_moderation(comp, x, m, y, controls=cs + list(others), center=True)
    return LatentModerationResult(syntax=syntax, fit=res, paths=paths, slopes=slopes,
                                  composite=cres, composite_slopes=simple_slopes(cres, levels=levels),
                                  products=list(prods.columns))
