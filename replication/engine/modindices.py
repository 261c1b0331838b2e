"""Modification indices and expected parameter changes (lavaan's ``modindices()``).

:func:`modindices` takes a fitted model (:class:`replication.engine.results.FitResult`) and
scores every parameter lavaan would add or free; :func:`_mi_candidates` lists lavaan's
candidates and :func:`_sepc` standardizes the expected parameter changes.

References
----------
Sorbom, D. (1989). Model modification. *Psychometrika*, 54, 371-384.
lavaan ``R/lav_modindices.R``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from replication.engine.partable import ModelSpec
from replication.engine.ram import RAM, total_covariance

__all__ = ["MI_COLUMNS", "modindices"]

_EPS13 = np.finfo(float).eps ** (1 / 3)

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


def _extended(spec: ModelSpec) -> tuple[ModelSpec, list[tuple[str, str, str]], list[float]]:
    """The model with every candidate freed: the fixed parameters of the model (lavaan's
    ``all.free``, fixed.x moments excepted) at their values, then :func:`_mi_candidates` at 0.
    Returns the extended table, the added parameters and their values."""
    q = spec.n_free
    rows = [dict(r) for r in spec.rows]
    extra: list[tuple[str, str, str]] = []
    start: list[float] = []
    for r in rows:
        if r["free"] < 0 and not r["exo"]:
            r["free"] = q + len(extra)
            extra.append((r["lhs"], r["op"], r["rhs"]))
            start.append(float(r["value"]))
    for l, o, rr in _mi_candidates(spec):
        rows.append({"lhs": l, "op": o, "rhs": rr, "fixed": None, "label": None, "user": False,
                     "exo": False, "free": q + len(extra), "value": 0.0})
        extra.append((l, o, rr))
        start.append(0.0)
    ext = ModelSpec(ov=spec.ov, lv=spec.lv, rows=rows, n_free=q + len(extra), ov_x=spec.ov_x)
    return ext, extra, start


def modindices(result) -> pd.DataFrame:
    """Modification indices and (standardized) expected parameter changes (lavaan ``modindices``).

    Parameters
    ----------
    result : FitResult
        A complete-data ML fit (its ``spec``, ``theta``, ``sample_cov`` and ``n``).

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
    ext, extra, start = _extended(spec)
    if not extra:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("lhs", "op", "rhs") else float)
                             for c in MI_COLUMNS})
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
