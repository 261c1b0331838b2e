"""Reliability and validity of a measurement model.

Plain functions of numbers come first, so the audit can call them on published loadings:
:func:`composite_reliability` and :func:`average_variance_extracted` take a list of standardized
loadings. The wrappers that read a fitted model (:func:`reliability_table`,
:func:`fornell_larcker`) or item-level data (:func:`cronbach_alpha`, :func:`htmt`,
:func:`harman_single_factor`) come after them.

Every wrapper takes the fitted model as an object with a ``params`` DataFrame holding lavaan's
columns ``lhs, op, rhs, est, std_all`` (the result of :func:`replication.engine.sem.fit`).

A fit that did not converge or is inadmissible is reported, not refused: a standardized loading
is undefined (NaN) when the fitted variance of its factor or item is negative, and every
quantity built on it in the wrappers (CR, AVE, the Fornell-Larcker criterion) is then NaN, with the reason in
the ``note`` column of :func:`reliability_table`. The same numbers are undefined in lavaan
(``standardizedSolution`` gives ``NA`` for the square root of a negative variance).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from replication.engine.errors import InputError
from replication.engine.reliability import average_variance_extracted, composite_reliability

__all__ = [
    "composite_reliability",
    "average_variance_extracted",
    "cronbach_alpha",
    "reliability_table",
    "latent_correlations",
    "fornell_larcker",
    "htmt",
    "harman_single_factor",
]


# --------------------------------------------------------------------------------------------
# Item-level data
# --------------------------------------------------------------------------------------------
def _numeric_columns(data: pd.DataFrame, columns: Sequence[str], what: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"{what}: data must be a pandas DataFrame, got {type(data).__name__}")
    columns = list(columns)
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise InputError(f"{what}: column(s) {', '.join(map(str, missing))} not in the data")
    sub = data[columns]
    bad = [c for c in columns if not pd.api.types.is_numeric_dtype(sub[c])]
    if bad:
        raise InputError(f"{what}: column(s) {', '.join(map(str, bad))} must be numeric")
    return sub.astype(float)


def cronbach_alpha(data: pd.DataFrame, items: Sequence[str]) -> float:
    """Cronbach's alpha of a set of items (listwise complete cases).

    Parameters
    ----------
    data : DataFrame
        Item-level responses.
    items : sequence of str
        Columns of ``data`` forming the scale (at least two).

    Returns
    -------
    float
        ``alpha = k / (k - 1) * (1 - sum(var_i) / var(sum))``.

    Notes
    -----
    With ``C`` the item covariance matrix (divisor ``n - 1``) of the complete rows,
    ``alpha = k / (k - 1) * (1 - tr(C) / sum(C))`` (``sum(C)`` the variance of the sum score),
    the formula of :func:`pingouin.cronbach_alpha` with ``nan_policy="listwise"``
    (``tests/test_measurement.py`` checks the two agree), without importing pingouin (and its
    plotting libraries) into every report kernel.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika, 16, 297-334.
    """
    items = list(items)
    if len(items) < 2:
        raise InputError(f"cronbach_alpha: items: expected at least two items, got {items}")
    sub = _numeric_columns(data, items, "cronbach_alpha").dropna()
    if len(sub) < 2:
        raise InputError("cronbach_alpha: data: fewer than two complete rows in the item columns")
    if np.any(sub.var(ddof=1).to_numpy() == 0) and sub.sum(axis=1).var(ddof=1) == 0:
        raise InputError(f"cronbach_alpha: items {items} are constant: alpha is undefined")
    k = len(items)
    C = sub.cov().to_numpy()
    return float(k / (k - 1) * (1.0 - np.trace(C) / C.sum()))


def _items_map(items_by_construct: Mapping[str, Sequence[str]], what: str) -> dict[str, list[str]]:
    if not isinstance(items_by_construct, Mapping) or not items_by_construct:
        raise InputError(f"{what}: items_by_construct must map construct names to item lists")
    out = {}
    for c, its in items_by_construct.items():
        if isinstance(its, str):
            its = [its]
        its = list(its)
        if not its:
            raise InputError(f"{what}: construct {c} has no items")
        out[str(c)] = its
    return out


# --------------------------------------------------------------------------------------------
# Wrappers that read a fitted model
# --------------------------------------------------------------------------------------------
def _params(sem_result) -> pd.DataFrame:
    params = getattr(sem_result, "params", None)
    if not isinstance(params, pd.DataFrame):
        raise InputError("sem_result: expected a fitted model with a 'params' DataFrame")
    need = {"lhs", "op", "rhs", "est", "std_all"}
    if not need <= set(params.columns):
        raise InputError(f"sem_result.params: expected columns {sorted(need)}")
    if "group" in params.columns and not params.empty:  # several groups: the first group's
        params = params[params["group"] == params["group"].iloc[0]]
    return params


def _std_loadings(params: pd.DataFrame) -> dict[str, pd.Series]:
    load = params[params["op"] == "=~"]
    return {c: g.set_index("rhs")["std_all"].astype(float) for c, g in load.groupby("lhs", sort=False)}


def _defined(formula, lam: np.ndarray) -> float:
    """``formula(lam)``, or NaN (undefined) when a loading is NaN (a negative fitted variance)."""
    return formula(lam) if np.all(np.isfinite(lam)) else float("nan")


def _fit_note(sem_result) -> str:
    """``"the fit did not converge"`` for a fit that did not, else ``""``."""
    return "" if bool(getattr(sem_result, "converged", True)) else "the fit did not converge"


def _loading_note(lam: pd.Series) -> str:
    """Why CR and AVE of one construct are undefined or out of range ("" when they are not)."""
    parts = []
    undefined = [str(i) for i, v in lam.items() if not np.isfinite(v)]
    if undefined:
        parts.append(f"standardized loading of {', '.join(undefined)} undefined "
                     "(a negative fitted variance): CR and AVE undefined")
    heywood = [str(i) for i, v in lam.items() if np.isfinite(v) and abs(v) > 1]
    if heywood:
        parts.append(f"standardized loading of {', '.join(heywood)} above 1 (Heywood case)")
    return "; ".join(parts)


def reliability_table(
    sem_result, data: pd.DataFrame | None, items_by_construct: Mapping[str, Sequence[str]]
) -> pd.DataFrame:
    """Cronbach's alpha, composite reliability and AVE of each construct.

    Parameters
    ----------
    sem_result : SEMResult
        Fitted CFA or SEM (from :func:`replication.engine.sem.fit`); its standardized loadings
        (``op == "=~"``, column ``std_all``) give CR and AVE.
    data : DataFrame or None
        Item-level responses for Cronbach's alpha; ``None`` leaves ``alpha`` as NaN.
    items_by_construct : mapping
        Construct name -> item names (as ``record.items``).

    Returns
    -------
    DataFrame
        Indexed by construct, columns ``n_items, alpha, cr, ave, min_loading, max_loading``.
        ``alpha`` is NaN for a single-item construct. When the fit did not converge, or a
        loading is undefined (NaN: CR and AVE are then NaN) or above 1, a last column ``note``
        says so for each construct concerned (empty for the others); a table without such a
        problem has no ``note`` column.

    Notes
    -----
    CR and AVE as in :func:`composite_reliability` and :func:`average_variance_extracted`
    (Fornell & Larcker, 1981), on the loadings of the items listed for each construct.
    """
    items = _items_map(items_by_construct, "reliability_table")
    loads = _std_loadings(_params(sem_result))
    fit_note = _fit_note(sem_result)
    rows = []
    for c, its in items.items():
        if c not in loads:
            raise InputError(f"reliability_table: construct {c} is not measured (=~) in the model")
        missing = [i for i in its if i not in loads[c].index]
        if missing:
            raise InputError(
                f"reliability_table: item(s) {', '.join(missing)} do not load on {c} in the model"
            )
        lam = loads[c].loc[its]
        alpha = np.nan
        if data is not None and len(its) > 1:
            alpha = cronbach_alpha(data, its)
        finite = lam.to_numpy()[np.isfinite(lam.to_numpy())]
        rows.append(
            {
                "construct": c,
                "n_items": len(its),
                "alpha": alpha,
                "cr": _defined(composite_reliability, lam.to_numpy()),
                "ave": _defined(average_variance_extracted, lam.to_numpy()),
                "min_loading": float(finite.min()) if finite.size else np.nan,
                "max_loading": float(finite.max()) if finite.size else np.nan,
                "note": "; ".join(n for n in (fit_note, _loading_note(lam)) if n),
            }
        )
    table = pd.DataFrame(rows).set_index("construct")
    if not table["note"].astype(bool).any():
        table = table.drop(columns="note")
    return table


def latent_correlations(sem_result) -> pd.DataFrame:
    """Model-implied correlations among the latent variables of a fitted model.

    Parameters
    ----------
    sem_result : SEMResult
        Fitted CFA or SEM with a ``params`` table (``std_all`` column).

    Returns
    -------
    DataFrame
        Square correlation matrix over the latent variables (those with ``=~`` rows), in the
        order they first appear; all NaN when a standardized estimate among them is undefined
        (a negative fitted variance) or ``I - B`` is singular.

    Notes
    -----
    With B the completely standardized regressions among latent variables (``~`` rows) and
    Psi the standardized (residual) covariances (``~~`` rows; 1 on the diagonal of an exogenous
    variable, the standardized residual variance of an endogenous one), the implied
    correlation matrix is ``(I - B)^-1 Psi (I - B)^-T`` (Bollen, 1989, eq. 8.12). For a CFA it
    is simply the ``std_all`` column of the factor covariances.

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley.
    """
    params = _params(sem_result)
    lv = list(dict.fromkeys(params.loc[params["op"] == "=~", "lhs"]))
    if not lv:
        raise InputError("sem_result: the model has no latent variables (no =~ rows)")
    idx = {v: i for i, v in enumerate(lv)}
    k = len(lv)
    B = np.zeros((k, k))
    Psi = np.zeros((k, k))
    for r in params.itertuples(index=False):
        if r.lhs in idx and r.rhs in idx:
            v = float(r.std_all)
            if r.op == "~":
                B[idx[r.lhs], idx[r.rhs]] = v
            elif r.op == "~~":
                Psi[idx[r.lhs], idx[r.rhs]] = Psi[idx[r.rhs], idx[r.lhs]] = v
    if not (np.all(np.isfinite(B)) and np.all(np.isfinite(Psi))):
        # an undefined standardized estimate (negative fitted variance): the implied
        # correlations are undefined too
        return pd.DataFrame(np.full((k, k), np.nan), index=lv, columns=lv)
    try:
        inv = np.linalg.inv(np.eye(k) - B)
    except np.linalg.LinAlgError:
        return pd.DataFrame(np.full((k, k), np.nan), index=lv, columns=lv)
    R = inv @ Psi @ inv.T
    d = np.sqrt(np.clip(np.diag(R), 1e-300, None))
    R = R / np.outer(d, d)
    return pd.DataFrame(R, index=lv, columns=lv)


def fornell_larcker(sem_result, items_by_construct: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Fornell-Larcker discriminant-validity table.

    Parameters
    ----------
    sem_result : SEMResult
        Fitted CFA (or SEM) with a ``params`` table.
    items_by_construct : mapping, optional
        Construct -> items, to restrict AVE to those items; default all items loading on it.

    Returns
    -------
    DataFrame
        Indexed by construct: one column per construct holding ``sqrt(AVE)`` on the diagonal and
        the latent correlations off the diagonal, then ``sqrt_ave``, ``max_abs_corr`` (largest
        absolute correlation with another construct) and ``passes`` (bool: ``sqrt_ave >
        max_abs_corr``; ``None``, undefined, when either side is NaN, as after a fit with a
        negative variance).

    Notes
    -----
    The criterion: discriminant validity holds for a construct when the square root of its AVE
    exceeds its correlation with every other construct (Fornell & Larcker, 1981, p. 46).
    Correlations are those of :func:`latent_correlations`.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Journal of Marketing Research, 18(1), 39-50.
    """
    params = _params(sem_result)
    loads = _std_loadings(params)
    R = latent_correlations(sem_result)
    lv = list(R.index)
    if items_by_construct is not None:
        items = _items_map(items_by_construct, "fornell_larcker")
    else:
        items = {c: list(loads[c].index) for c in lv}
    table = R.copy()
    sq, mx = [], []
    for c in lv:
        its = [i for i in items.get(c, list(loads[c].index)) if i in loads[c].index]
        s = np.sqrt(_defined(average_variance_extracted, loads[c].loc[its].to_numpy()))
        table.loc[c, c] = s
        sq.append(s)
        others = R.loc[c].drop(c).abs()
        mx.append(float(others.max(skipna=False)) if len(others) else np.nan)
    table["sqrt_ave"] = sq
    table["max_abs_corr"] = mx
    single = len(lv) == 1
    table["passes"] = [True if single and np.isfinite(s) else
                       bool(s > m) if np.isfinite(s) and np.isfinite(m) else None
                       for s, m in zip(sq, mx)]
    table.index.name = "construct"
    return table


def htmt(
    data: pd.DataFrame,
    items_by_construct: Mapping[str, Sequence[str]],
    kind: str = "arithmetic",
    absolute: bool = True,
) -> pd.DataFrame:
    """Heterotrait-monotrait ratio of correlations (HTMT).

    Parameters
    ----------
    data : DataFrame
        Item-level responses (listwise complete cases on the listed items are used).
    items_by_construct : mapping
        Construct -> item names.
    kind : {"arithmetic", "geometric"}
        ``"arithmetic"``: the original HTMT (Henseler et al., 2015), means of correlations;
        ``"geometric"``: HTMT2 (Roemer et al., 2021), geometric means.
    absolute : bool
        Use absolute item correlations (semTools' default).

    Returns
    -------
    DataFrame
        Symmetric construct x construct matrix with 1 on the diagonal. A pair involving a
        single-item construct, or a construct whose items are uncorrelated, is NaN (its
        monotrait mean is undefined, or zero: below 1e-10).

    Notes
    -----
    ``HTMT_ij = mean(r_ij heterotrait) / sqrt(mean(r_ii monotrait) * mean(r_jj monotrait))``
    where monotrait means run over the off-diagonal item correlations within a construct.
    Matches ``semTools::htmt(model, data, htmt2 = FALSE)`` (arithmetic) and ``htmt2 = TRUE``
    (geometric); semTools 0.5-6 defaults to ``htmt2 = TRUE``. Checked against semTools 0.5-6 by
    ``scripts/semtools_fixtures.R``.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. Journal of the
    Academy of Marketing Science, 43(1), 115-135. Roemer, E., Schuberth, F., & Henseler, J.
    (2021). HTMT2. Industrial Management & Data Systems, 121(12), 2637-2650.
    """
    if kind not in ("arithmetic", "geometric"):
        raise InputError(f"htmt: kind must be 'arithmetic' or 'geometric', got {kind!r}")
    items = _items_map(items_by_construct, "htmt")
    cols = [i for its in items.values() for i in its]
    sub = _numeric_columns(data, list(dict.fromkeys(cols)), "htmt").dropna()
    if len(sub) < 3:
        raise InputError("htmt: data: fewer than three complete rows in the item columns")
    R = sub.corr().to_numpy()
    if absolute or kind == "geometric":
        R = np.abs(R)
    pos = {c: i for i, c in enumerate(sub.columns)}

    def mean(vals: np.ndarray) -> float:
        if vals.size == 0:
            return np.nan
        return float(np.exp(np.mean(np.log(vals)))) if kind == "geometric" else float(np.mean(vals))

    names = list(items)
    mono = {}
    for c in names:
        ix = [pos[i] for i in items[c]]
        block = R[np.ix_(ix, ix)]
        mono[c] = mean(block[~np.eye(len(ix), dtype=bool)])
    out = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            ia = [pos[i] for i in items[names[a]]]
            ib = [pos[i] for i in items[names[b]]]
            het = mean(R[np.ix_(ia, ib)].ravel())
            denom = mono[names[a]] * mono[names[b]]
            # undefined when a construct's items are uncorrelated (monotrait mean zero up to
            # rounding: below 1e-10)
            ok = np.isfinite(denom) and min(mono[names[a]], mono[names[b]]) > 1e-10
            v = het / np.sqrt(denom) if ok else np.nan
            out.iloc[a, b] = out.iloc[b, a] = v
    return out


def harman_single_factor(data: pd.DataFrame, items: Sequence[str]) -> dict[str, float]:
    """Harman's single-factor test for common-method variance.

    Parameters
    ----------
    data : DataFrame
        Item-level responses (listwise complete cases are used).
    items : sequence of str
        All items of the measurement model.

    Returns
    -------
    dict
        ``first_factor_share`` (first eigenvalue of the item correlation matrix divided by the
        number of items: the share of total variance of the first unrotated principal
        component, as "unrotated factor solution" is reported in papers), ``first_eigenvalue``,
        ``n_eigen_gt_1`` (number of eigenvalues above 1, the Kaiser criterion),
        ``n_items``, ``n_obs`` and ``cumulative_share_gt_1`` (share of variance of the
        components with eigenvalue above 1).

    Notes
    -----
    The usual reading: common-method bias is a concern if a single factor emerges or the first
    factor accounts for the majority (above 50%) of the variance (Podsakoff et al., 2003).

    References
    ----------
    Podsakoff, P. M., MacKenzie, S. B., Lee, J.-Y., & Podsakoff, N. P. (2003). Common method
    biases in behavioral research. Journal of Applied Psychology, 88(5), 879-903.
    """
    items = list(items)
    if len(items) < 2:
        raise InputError(f"harman_single_factor: items: expected at least two items, got {items}")
    sub = _numeric_columns(data, items, "harman_single_factor").dropna()
    if len(sub) < 3:
        raise InputError("harman_single_factor: data: fewer than three complete rows")
    sd = sub.std(ddof=1)
    const = list(sd.index[sd.to_numpy() == 0])
    if const:
        raise InputError(f"harman_single_factor: column(s) {', '.join(const)} are constant")
    ev = np.sort(np.linalg.eigvalsh(sub.corr().to_numpy()))[::-1]
    p = len(items)
    gt1 = ev > 1.0
    return {
        "first_factor_share": float(ev[0] / p),
        "first_eigenvalue": float(ev[0]),
        "n_eigen_gt_1": int(gt1.sum()),
        "cumulative_share_gt_1": float(ev[gt1].sum() / p),
        "n_items": p,
        "n_obs": int(len(sub)),
    }
