"""Mediation: specific indirect, total indirect, direct and total effects with bootstrap CIs.

Two settings share one result type (:class:`MediationResult`):

- composite scores: ordinary least squares on observed columns (each mediator regressed on
  ``x`` and the covariates; ``y`` on ``x``, the mediators and the covariates), resampled by a
  nonparametric case bootstrap that reuses weighted cross-products (no refitting loop);
- latent variables: a lavaan-syntax SEM (``latent_model``), the indirect effect being the
  product of path estimates, resampled by :func:`replication.engine.bootstrap.bootstrap`.

Intervals are percentile and bias-corrected (lavaan's ``boot.ci.type = "perc"`` and
``"bca.simple"``, both with the normal-scale interpolation of order statistics used by lavaan
and the ``boot`` package): :func:`replication.engine.bootstrap.percentile_ci` and
:func:`replication.engine.bootstrap.bias_corrected_ci`, re-exported here. Failed resamples are left out
of the intervals and counted.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from replication.engine.bootstrap import bias_corrected_ci, bootstrap, percentile_ci
from replication.engine.errors import InputError
from replication.engine.results import parameter_row
from replication.engine.syntax import parse_model

__all__ = [
    "MediationResult",
    "percentile_ci",
    "bias_corrected_ci",
    "mediation", "latent_bootstrap"]

MIN_CASES = 10


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MediationResult:
    """Indirect, direct and total effects with bootstrap intervals.

    Attributes
    ----------
    effects : DataFrame
        One row per effect: ``effect`` (``indirect``, ``total_indirect``, ``direct``,
        ``total``), ``mediator`` (for a specific indirect effect, else empty), ``path`` (e.g.
        ``"X -> M -> Y"``), ``estimate``, ``std_estimate`` (``estimate * sd(x) / sd(y)``),
        ``boot_se`` (SD of the draws), ``z`` and ``pvalue`` (``estimate / boot_se``, normal, as
        lavaan with ``se = "bootstrap"``), ``ci_low, ci_high`` (percentile), ``bc_low, bc_high``
        (bias-corrected), ``excludes_zero`` (bool, percentile interval) and
        ``bc_excludes_zero`` (bool).
    paths : DataFrame
        Full-sample estimates of the paths involved: ``lhs, op, rhs, est, se, stat, pvalue``
        (``stat`` is t for OLS, z for the SEM).
    draws : DataFrame
        Bootstrap replicates of each effect (successful resamples only), columns named as
        ``effects.path``.
    kind : str
        ``"composite"`` or ``"latent"``.
    n, n_boot, n_ok, n_failed : int
        Complete cases, resamples requested, resamples used, resamples that failed (did not
        converge or had a singular design) and were left out of the intervals.
    level : float
    seed : int or None
    fit : SEMResult or None
        Full-sample SEM (latent setting).
    warnings : list of str
    """

    effects: pd.DataFrame
    paths: pd.DataFrame
    draws: pd.DataFrame = field(repr=False)
    kind: str = "composite"
    n: int = 0
    n_boot: int = 0
    n_ok: int = 0
    n_failed: int = 0
    level: float = 0.95
    seed: Any = None
    fit: Any = field(default=None, repr=False)
    warnings: list = field(default_factory=list)


def _effects_table(x: str, mediators: list[str], y: str, point: dict[str, float],
                   draws: pd.DataFrame, level: float, std_factor: float) -> pd.DataFrame:
    rows = []
    labels = [("indirect", mj, f"{x} -> {mj} -> {y}") for mj in mediators]
    labels += [("total_indirect", "", "total indirect"), ("direct", "", f"{x} -> {y}"),
               ("total", "", "total")]
    for effect, med, key in labels:
        est = point[key]
        t = draws[key].to_numpy()
        se = float(np.std(t, ddof=1)) if t.size > 1 else np.nan
        lo, hi = percentile_ci(t, level)
        blo, bhi = bias_corrected_ci(t, est, level)
        z = est / se if se > 0 else np.nan
        rows.append({"effect": effect, "mediator": med, "path": key, "estimate": est,
                     "std_estimate": est * std_factor, "boot_se": se, "z": z,
                     "pvalue": float(2 * ndtr(-abs(z))) if np.isfinite(z) else np.nan,
                     "ci_low": lo, "ci_high": hi, "bc_low": blo, "bc_high": bhi,
                     "excludes_zero": bool(lo > 0 or hi < 0),
                     "bc_excludes_zero": bool(blo > 0 or bhi < 0)})
    return pd.DataFrame(rows)


def _effects_from_paths(a: np.ndarray, b: np.ndarray, c: np.ndarray, x: str,
                        mediators: list[str], y: str) -> dict[str, np.ndarray]:
    """Effects from a (.., k), b (.., k), c (..): indirect_j = a_j b_j, total = c + sum."""
    ind = a * b
    out = {f"{x} -> {mj} -> {y}": ind[..., j] for j, mj in enumerate(mediators)}
    out["total indirect"] = ind.sum(axis=-1)
    out[f"{x} -> {y}"] = c
    out["total"] = c + ind.sum(axis=-1)
    return out


def _progress_disabled(progress: bool | None) -> bool | None:
    if progress is None:
        return not sys.stderr.isatty()
    return not progress


# --------------------------------------------------------------------------------------------
# Composite scores (OLS)
# --------------------------------------------------------------------------------------------
def _solve_batch(G: np.ndarray, rows: list[int], col: int) -> np.ndarray:
    """Solve G[rows, rows] beta = G[rows, col] for each matrix in the batch (NaN if singular)."""
    A = G[:, rows][:, :, rows]
    r = G[:, rows, col]
    try:
        return np.linalg.solve(A, r[..., None])[..., 0]
    except np.linalg.LinAlgError:
        out = np.full(r.shape, np.nan)
        for i in range(A.shape[0]):
            try:
                out[i] = np.linalg.solve(A[i], r[i])
            except np.linalg.LinAlgError:
                pass
        return out


def _composite(df: pd.DataFrame, x: str, mediators: list[str], y: str, covar: list[str],
               n_boot: int, seed, level: float, progress) -> MediationResult:
    import statsmodels.api as sm
    from tqdm.auto import tqdm

    n = len(df)
    cols = ["const", x] + mediators + covar + [y]
    Z = np.column_stack([np.ones(n)] + [df[c].to_numpy(float) for c in cols[1:]])
    pos = {c: i for i, c in enumerate(cols)}
    k = len(mediators)
    pred_m = [pos["const"], pos[x]] + [pos[c] for c in covar]
    pred_y = [pos["const"], pos[x]] + [pos[m] for m in mediators] + [pos[c] for c in covar]

    # full sample: OLS with classical standard errors
    path_rows = []
    a_hat = np.empty(k)
    for j, mj in enumerate(mediators):
        res = sm.OLS(Z[:, pos[mj]], Z[:, pred_m]).fit()
        a_hat[j] = res.params[1]
        path_rows.append({"lhs": mj, "op": "~", "rhs": x, "est": res.params[1], "se": res.bse[1],
                          "stat": res.tvalues[1], "pvalue": res.pvalues[1]})
    res = sm.OLS(Z[:, pos[y]], Z[:, pred_y]).fit()
    b_hat = res.params[2:2 + k]
    c_hat = res.params[1]
    path_rows.append({"lhs": y, "op": "~", "rhs": x, "est": res.params[1], "se": res.bse[1],
                      "stat": res.tvalues[1], "pvalue": res.pvalues[1]})
    for j, mj in enumerate(mediators):
        path_rows.append({"lhs": y, "op": "~", "rhs": mj, "est": res.params[2 + j],
                          "se": res.bse[2 + j], "stat": res.tvalues[2 + j],
                          "pvalue": res.pvalues[2 + j]})
    if not np.all(np.isfinite(np.r_[a_hat, b_hat, c_hat])):
        raise InputError("mediation: data: the regressions are singular (collinear columns)")
    point = {key: float(v) for key, v in _effects_from_paths(a_hat, b_hat, np.float64(c_hat),
                                                             x, mediators, y).items()}

    # bootstrap: weighted cross-products per resample, solved in batches
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    A = np.empty((n_boot, k))
    B = np.empty((n_boot, k))
    C = np.empty(n_boot)
    chunk = 250
    for s in tqdm(range(0, n_boot, chunk), disable=_progress_disabled(progress),
                  desc="bootstrap", unit="chunk"):
        ids = idx[s:s + chunk]
        W = np.zeros((ids.shape[0], n))
        np.add.at(W, (np.repeat(np.arange(ids.shape[0]), n), ids.ravel()), 1.0)
        G = np.einsum("bn,ni,nj->bij", W, Z, Z, optimize=True)
        for j, mj in enumerate(mediators):
            A[s:s + chunk, j] = _solve_batch(G, pred_m, pos[mj])[:, 1]
        beta = _solve_batch(G, pred_y, pos[y])
        C[s:s + chunk] = beta[:, 1]
        B[s:s + chunk] = beta[:, 2:2 + k]
    eff = _effects_from_paths(A, B, C, x, mediators, y)
    draws = pd.DataFrame(eff)
    ok = np.isfinite(draws.to_numpy()).all(axis=1)
    draws = draws[ok].reset_index(drop=True)
    n_ok = int(ok.sum())
    warn = []
    if n_ok < n_boot:
        warn.append(f"{n_boot - n_ok} of {n_boot} resamples had a singular design and were left out")
    sd_x, sd_y = df[x].std(ddof=1), df[y].std(ddof=1)
    effects = _effects_table(x, mediators, y, point, draws, level, float(sd_x / sd_y))
    return MediationResult(effects=effects, paths=pd.DataFrame(path_rows), draws=draws,
                           kind="composite", n=n, n_boot=n_boot, n_ok=n_ok,
                           n_failed=n_boot - n_ok, level=level, seed=seed, fit=None, warnings=warn)


# --------------------------------------------------------------------------------------------
# Latent variables (SEM)
# --------------------------------------------------------------------------------------------
def _model_variables(model: str) -> tuple[set[str], set[str], list]:

    stmts = parse_model(model)
    latent = {s.lhs for s in stmts if s.op == "=~"}
    names = set()
    for s in stmts:
        if s.op in ("=~", "~", "~~"):
            names.update([s.lhs, s.rhs])
    observed = names - latent
    return latent, observed, stmts


def _latent_data(data: pd.DataFrame, model: str) -> pd.DataFrame:
    """Complete cases of the model's observed variables (sorted by name), checked."""
    _, observed, _ = _model_variables(model)
    obs = sorted(observed)
    missing = [c for c in obs if c not in data.columns]
    if missing:
        raise InputError(f"mediation: data: column(s) {', '.join(missing)} of the model are not in the data")
    bad = [c for c in obs if not pd.api.types.is_numeric_dtype(data[c])]
    if bad:
        raise InputError(f"mediation: data: column(s) {', '.join(bad)} must be numeric")
    df = data[obs].astype(float).dropna().reset_index(drop=True)
    need = max(MIN_CASES, len(obs) + 2)
    if len(df) < need:
        raise InputError(f"mediation: data: {len(df)} complete cases for {len(obs)} observed "
                         f"variables; the bootstrap needs at least {need}")
    return df


def latent_bootstrap(data: pd.DataFrame, model: str, n_boot: int, seed=None, *, jobs: int = 1,
                     progress: bool | None = False):
    """Bootstrap resamples of a latent mediation model, to share between :func:`mediation` calls.

    Returns
    -------
    BootstrapResult
        :func:`replication.engine.bootstrap.bootstrap` of ``model`` on the complete cases of its observed
        variables; pass it as ``bootstrap_result`` to :func:`mediation`.
    """

    return bootstrap(model, _latent_data(data, model), n_boot=int(n_boot), seed=seed, jobs=jobs,
                     progress=not _progress_disabled(progress))


def _latent(data: pd.DataFrame, model: str, x: str, mediators: list[str], y: str,
            n_boot: int, seed, level: float, jobs: int, progress,
            bootstrap_result=None) -> MediationResult:
    latent, observed, stmts = _model_variables(model)
    regs = {(s.lhs, s.rhs): s for s in stmts if s.op == "~"}
    for role, v in [("x", x), ("y", y)] + [("mediator", m) for m in mediators]:
        if v not in latent | observed:
            raise InputError(f"mediation: latent_model: {role} '{v}' is not a variable of the model")
    for mj in mediators:
        if (mj, x) not in regs:
            raise InputError(f"mediation: latent_model: mediator '{mj}' is not regressed on '{x}' "
                             f"(expected a line '{mj} ~ {x}')")
        if (y, mj) not in regs:
            raise InputError(f"mediation: latent_model: '{y}' is not regressed on mediator '{mj}' "
                             f"(expected a line '{y} ~ {mj}')")
    df = _latent_data(data, model)
    if bootstrap_result is not None:
        br = bootstrap_result
        if br.full.model != model or len(br.estimates) != n_boot or br.full.n != len(df):
            raise InputError("mediation: bootstrap_result was drawn for another model, data or "
                             "number of resamples; expected the resamples of latent_model")
    else:
        br = latent_bootstrap(data, model, n_boot, seed, jobs=jobs, progress=progress)
    full = br.full
    params = full.params

    def row(lhs: str, rhs: str) -> pd.Series | None:
        return parameter_row(params, lhs, "~", rhs)

    est = br.estimates

    def column(lhs: str, rhs: str) -> np.ndarray:
        key = f"{lhs} ~ {rhs}"
        if key in est.columns:
            return est[key].to_numpy(dtype=float)
        r = row(lhs, rhs)  # a fixed path: constant across resamples
        return np.full(len(est), 0.0 if r is None else float(r["est"]))

    def point(lhs: str, rhs: str, col: str = "est") -> float:
        r = row(lhs, rhs)
        return 0.0 if r is None else float(r[col])

    a = np.array([point(mj, x) for mj in mediators])
    b = np.array([point(y, mj) for mj in mediators])
    c = np.float64(point(y, x))
    pt = {key: float(v) for key, v in _effects_from_paths(a, b, c, x, mediators, y).items()}
    A = np.column_stack([column(mj, x) for mj in mediators])
    B = np.column_stack([column(y, mj) for mj in mediators])
    C = column(y, x)
    draws = pd.DataFrame(_effects_from_paths(A, B, C, x, mediators, y))
    ok = np.isfinite(draws.to_numpy()).all(axis=1)
    draws = draws[ok].reset_index(drop=True)
    n_ok = int(ok.sum())
    n_failed = n_boot - n_ok
    warn = list(getattr(full, "warnings", []) or [])
    reported = int(getattr(br, "n_failed", 0) or 0)
    if not getattr(br, "drawn", True):
        warn.extend(br.warnings)
    elif n_failed or reported:
        warn.append(f"{max(n_failed, reported)} of {n_boot} bootstrap resamples failed "
                    f"(no convergence) and were left out of the intervals")
    inadmissible = int(getattr(br, "n_inadmissible", 0) or 0)
    if getattr(br, "drawn", True) and inadmissible:
        warn.append(f"{inadmissible} of {n_boot} bootstrap resamples gave inadmissible solutions "
                    "(a negative variance or a correlation matrix that is not positive "
                    "definite); kept in the intervals, as lavaan keeps them")
    direct_fixed = row(y, x) is None or not np.isfinite(point(y, x, "se"))
    if direct_fixed:
        warn.append(f"the model has no free direct path {x} -> {y}: the direct effect is fixed "
                    f"at {point(y, x):g}, not estimated, and has no bootstrap interval")
    # completely standardized scale factor sd(x)/sd(y) from a path with std_all
    std_a = np.array([point(mj, x, "std_all") for mj in mediators])
    std_b = np.array([point(y, mj, "std_all") for mj in mediators])
    std_c = np.float64(point(y, x, "std_all"))
    std_total = float(std_c + np.sum(std_a * std_b))
    factor = std_total / pt["total"] if pt["total"] != 0 else np.nan
    effects = _effects_table(x, mediators, y, pt, draws, level, factor)
    if direct_fixed:  # a fixed parameter is shown as fixed, not as an estimate with an interval
        fixed = effects["effect"] == "direct"
        effects.loc[fixed, ["boot_se", "z", "pvalue", "ci_low", "ci_high", "bc_low",
                            "bc_high"]] = np.nan
        effects.loc[fixed, ["excludes_zero", "bc_excludes_zero"]] = False
    keep = params[(params["op"] == "~") & (
        params.apply(lambda r: (r["lhs"], r["rhs"]) in
                     {(mj, x) for mj in mediators} | {(y, mj) for mj in mediators} | {(y, x)},
                     axis=1))]
    paths = keep.rename(columns={"z": "stat"})[["lhs", "op", "rhs", "est", "se", "stat", "pvalue"]]
    return MediationResult(effects=effects, paths=paths.reset_index(drop=True), draws=draws,
                           kind="latent", n=len(df), n_boot=n_boot, n_ok=n_ok,
                           n_failed=max(n_failed, reported), level=level, seed=seed, fit=full,
                           warnings=warn)


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------
def mediation(
    data: pd.DataFrame,
    x: str,
    mediators: str | Sequence[str],
    y: str,
    covar: str | Sequence[str] | None = None,
    n_boot: int = 2000,
    seed: int | None = None,
    level: float = 0.95,
    latent_model: str | None = None,
    jobs: int = 1,
    progress: bool | None = True,
    bootstrap_result=None,
) -> MediationResult:
    """Parallel mediation: specific and total indirect, direct and total effects.

    Parameters
    ----------
    data : DataFrame
        Composite scores (one column per variable) or, with ``latent_model``, item-level data.
    x : str
        Predictor.
    mediators : str or sequence of str
        Mediator(s), each on its own path ``x -> m -> y``.
    y : str
        Outcome.
    covar : str or sequence of str, optional
        Covariates entered in every regression (composite setting only; in the latent setting
        write them into ``latent_model``).
    n_boot : int
        Bootstrap resamples (default 2000).
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`; the same seed gives identical output.
    level : float
        Confidence level of the intervals.
    latent_model : str, optional
        lavaan syntax of the full SEM; ``x``, ``mediators`` and ``y`` name its variables and the
        model must contain ``m ~ x`` and ``y ~ m`` for each mediator (``y ~ x`` is optional: a
        missing direct path is 0).
    jobs : int
        Worker processes for the latent bootstrap (the composite bootstrap is vectorised).
    progress : bool or None
        Show a tqdm progress bar; ``None`` shows it only on an interactive terminal.
    bootstrap_result : BootstrapResult, optional
        Latent setting: resamples of ``latent_model`` already drawn by
        :func:`replication.engine.bootstrap.bootstrap` (with ``n_boot`` resamples), so that several
        mediations of one model share one bootstrap, as lavaan's defined parameters do.

    Returns
    -------
    MediationResult

    Notes
    -----
    Composite setting: ``a_j`` from ``m_j ~ x + covar``, ``b_j`` and ``c'`` from ``y ~ x +
    m_1 + ... + covar`` (OLS). Indirect ``a_j b_j``, total indirect ``sum a_j b_j``, direct
    ``c'``, total ``c' + sum a_j b_j`` (equal to the OLS total effect; Preacher & Hayes, 2008).
    Latent setting: the same products of the SEM's unstandardized path estimates, as lavaan's
    defined parameters (``:=``). Each resample draws ``n`` rows with replacement; resamples
    that fail are counted in ``n_failed`` and left out. Checked against lavaan's ``se =
    "bootstrap"`` with ``boot.ci.type = "perc"`` and ``"bca.simple"``
    (``scripts/mediation_fixtures.R``).

    References
    ----------
    Preacher, K. J., & Hayes, A. F. (2008). Asymptotic and resampling strategies for assessing
    and comparing indirect effects in multiple mediator models. Behavior Research Methods,
    40(3), 879-891. Shrout, P. E., & Bolger, N. (2002). Mediation in experimental and
    nonexperimental studies. Psychological Methods, 7(4), 422-445.
    """
    what = "mediation"
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"{what}: data must be a pandas DataFrame, got {type(data).__name__}")
    meds = [mediators] if isinstance(mediators, str) else list(mediators or [])
    if not meds:
        raise InputError(f"{what}: mediators: expected at least one mediator")
    cov = [covar] if isinstance(covar, str) else list(covar or [])
    if not isinstance(x, str) or not isinstance(y, str):
        raise InputError(f"{what}: x and y must be single variable names")
    if len({x, y, *meds}) < 2 + len(meds):
        raise InputError(f"{what}: x, y and the mediators must be different variables")
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 2:
        raise InputError(f"{what}: n_boot must be an integer of at least 2, got {n_boot!r}")
    if not (0 < level < 1):
        raise InputError(f"{what}: level must be in (0, 1), got {level}")
    if latent_model is not None:
        if cov:
            raise InputError(f"{what}: covar: in the latent setting write covariates into latent_model")
        return _latent(data, latent_model, x, meds, y, int(n_boot), seed, level, jobs, progress,
                       bootstrap_result)
    cols = [x] + meds + cov + [y]
    roles = {**{c: "covariate" for c in cov}, x: "x", y: "y", **{m: "mediator" for m in meds}}
    for c in cols:
        if c not in data.columns:
            raise InputError(f"{what}: {roles[c]} '{c}' is not a column of the data")
        if not pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c]):
            raise InputError(f"{what}: column '{c}' must be numeric")
    df = data[cols].astype(float).dropna().reset_index(drop=True)
    need = max(MIN_CASES, len(cols) + 2)
    if len(df) < need:
        raise InputError(f"{what}: data: {len(df)} complete cases in columns {cols}; "
                         f"the bootstrap needs at least {need}")
    sd = df.std(ddof=1)
    const = [c for c in cols if not sd[c] > 0]
    if const:
        raise InputError(f"{what}: {roles[const[0]]} '{const[0]}' is constant in the complete cases")
    return _composite(df, x, meds, y, cov, int(n_boot), seed, level, progress)
