"""Starting values for ML estimation: lavaan's defaults, and the alternatives tried after them.

Plain functions on a parameter table and a covariance matrix:

* :func:`lavaan_start`: lavaan's ``start = "default"`` (``lav_start``): loadings by FABIN3 per
  factor, residual variances half the observed variances, latent variances 0.05 (the variance
  of an exogenous single-indicator factor from its indicator), regressions and covariances 0
  (ordinary least squares in models of observed variables only).
* :func:`simple_start`: lavaan's ``start = "simple"`` (loadings 1, variances 1).
* :func:`jittered`: a start scaled at random around another, for retries.

References
----------
Hagglund, G. (1982). Factor analysis by instrumental variables methods. *Psychometrika*, 47,
209-222 (FABIN).
lavaan ``R/lav_start.R``, ``R/lav_cfa_1fac.R`` (``lav_cfa_1fac_fabin``, ``lav_cfa_1fac_3ind``).
"""

from __future__ import annotations

import numpy as np

from replication.engine.partable import ModelSpec

__all__ = ["fabin3", "lavaan_start", "simple_start", "jittered"]


def _three_indicators(s: np.ndarray) -> tuple[np.ndarray, bool]:
    """Loadings of one factor with at most three indicators (lavaan ``lav_cfa_1fac_3ind``)."""
    nvar = len(s)
    if nvar == 1:
        s = np.ones((3, 3))
    elif nvar == 2:
        extra = np.array([np.mean(np.diag(s)), s[1, 0]])
        s = np.block([[s, extra[:, None]], [extra[None, :], np.array([[np.max(np.diag(s))]])]])
    s11, s22, s33 = s[0, 0], s[1, 1], s[2, 2]
    s21, s31, s32 = s[1, 0], s[2, 0], s[2, 1]
    neg_triad = s21 * s31 * s32 < 0
    with np.errstate(divide="ignore", invalid="ignore"):
        l2, l3 = s32 / s31, s32 / s21
    lower_psi = s11 - 0.9 * s11  # lavaan assumes a reliability of y1 of at least 0.1
    b2, b3 = np.sqrt(s22 / lower_psi), np.sqrt(s33 / lower_psi)
    lam = np.array([1.0, min(max(-b2, l2), b2), min(max(-b3, l3), b3)])
    return lam[:max(nvar, 1)], bool(neg_triad)


def fabin3(s: np.ndarray) -> tuple[np.ndarray, bool]:
    """FABIN3 loadings of one factor, the first fixed to 1 (lavaan ``lav_cfa_1fac_fabin``).

    Parameters
    ----------
    s : ndarray (k, k)
        Covariance matrix of the factor's indicators, the marker first.

    Returns
    -------
    (lambda, negative_triad)
        ``lambda_i = s_i3' S33^-1 s31 / (s13' S33^-1 s31)`` with ``3`` the indicators other
        than the marker and ``i`` (Hagglund, 1982), bounded by ``sqrt(s_ii / (0.1 s_11))`` as
        lavaan does; fewer than four indicators use the three-indicator solution, and
        ``negative_triad`` says when its covariances have a negative product (lavaan then
        starts every loading at 1).
    """
    nvar = len(s)
    if nvar < 4:
        return _three_indicators(s)
    lam = np.ones(nvar)
    for i in range(1, nvar):
        idx3 = [k for k in range(nvar) if k not in (0, i)]
        s23, s31 = s[i, idx3], s[idx3, 0]
        try:
            tmp = np.linalg.solve(s[np.ix_(idx3, idx3)], s31)
            lam[i] = np.sum(s23 * tmp) / np.sum(s31 * tmp)
        except np.linalg.LinAlgError:
            lam[i] = np.sum(s23 * s31) / np.sum(s31 ** 2)
    lower_psi = s[0, 0] - 0.9 * s[0, 0]
    bound = np.sqrt(np.diag(s)[1:] / lower_psi)
    lam[1:] = np.minimum(np.maximum(-bound, lam[1:]), bound)
    return lam, False


def _loadings(spec: ModelSpec, S: np.ndarray, ovi: dict[str, int]) -> dict[tuple, float]:
    """FABIN3 start of every loading of a factor measured by observed variables only."""
    out: dict[tuple, float] = {}
    by_factor: dict[str, list[dict]] = {}
    for r in spec.rows:
        if r["op"] == "=~":
            by_factor.setdefault(r["lhs"], []).append(r)
    for f, rows in by_factor.items():
        if any(r["rhs"] not in ovi for r in rows):
            continue
        idx = [ovi[r["rhs"]] for r in rows]
        lam, neg_triad = fabin3(S[np.ix_(idx, idx)])
        lam = np.where(np.isfinite(lam), lam, 1.0)
        if neg_triad:
            lam = np.ones(len(rows))
        if rows[0]["free"] < 0 and rows[0]["value"] < 0:
            lam = -lam
        for r, v in zip(rows, lam):
            out[(r["lhs"], r["op"], r["rhs"])] = float(v)
    return out


def _observed_regressions(spec: ModelSpec, S: np.ndarray, ovi: dict[str, int]) -> dict[tuple, float]:
    """Ordinary least squares starts of a model of observed variables only (lavaan 0.6-10)."""
    out: dict[tuple, float] = {}
    if spec.lv:
        return out
    eqs: dict[str, list[str]] = {}
    for r in spec.rows:
        if r["op"] == "~":
            eqs.setdefault(r["lhs"], []).append(r["rhs"])
    for y, xs in eqs.items():
        xi, yi = [ovi[x] for x in xs], ovi[y]
        try:
            beta = np.linalg.solve(S[np.ix_(xi, xi)], S[xi, yi])
        except np.linalg.LinAlgError:
            beta = np.zeros(len(xs))
        out.update({(y, "~", x): float(b) for x, b in zip(xs, beta)})
        res = S[yi, yi] - float(beta @ S[xi, yi])
        if 0.001 * S[yi, yi] < res < 0.999 * S[yi, yi]:
            out[(y, "~~", y)] = res
    return out


def lavaan_start(spec: ModelSpec, S: np.ndarray) -> np.ndarray:
    """lavaan's default starting values (``start = "default"``) for the free parameters.

    Parameters
    ----------
    spec : ModelSpec
    S : ndarray
        Sample covariance matrix (``spec.ov`` order).

    Returns
    -------
    ndarray
        One value per free parameter (the first row of each, as lavaan's equality constraints
        take the first).
    """
    ovi = {n: i for i, n in enumerate(spec.ov)}
    lam = _loadings(spec, S, ovi)
    reg = _observed_regressions(spec, S, ovi)
    single = _single_indicator_variances(spec, S, ovi)
    theta = np.zeros(spec.n_free)
    for r in spec.free_rows():
        key = (r["lhs"], r["op"], r["rhs"])
        if key in reg:
            v = reg[key]
        elif r["op"] == "=~":
            v = lam.get(key, 1.0)
        elif r["op"] == "~~" and r["lhs"] == r["rhs"]:
            v = 0.5 * S[ovi[r["lhs"]], ovi[r["lhs"]]] if r["lhs"] in ovi else single.get(
                r["lhs"], 0.05)
        else:
            v = 0.0
        theta[r["free"]] = v
    return theta


def _single_indicator_variances(spec: ModelSpec, S: np.ndarray, ovi: dict[str, int]) -> dict:
    """Exogenous factor with one indicator: ``(1 - theta_y / s_yy) s_yy`` (at least 0.05)."""
    ind: dict[str, list[str]] = {}
    for r in spec.rows:
        if r["op"] == "=~":
            ind.setdefault(r["lhs"], []).append(r["rhs"])
    endo = {r["lhs"] for r in spec.rows if r["op"] == "~"}
    resid = {r["lhs"]: r for r in spec.rows if r["op"] == "~~" and r["lhs"] == r["rhs"]}
    out = {}
    for f, items in ind.items():
        if f in endo or len(items) != 1 or items[0] not in ovi:
            continue
        r = resid.get(items[0])
        rvar = r["value"] if r is not None and r["free"] < 0 else 1.0
        s_yy = S[ovi[items[0]], ovi[items[0]]]
        v = (1 - rvar / s_yy) * s_yy
        out[f] = v if np.isfinite(v) and v >= 0.05 else 0.05
    return out


def simple_start(spec: ModelSpec, S: np.ndarray) -> np.ndarray:
    """Loadings 1, variances half the observed variance (observed) or 0.05 plus half the
    mean variance of the indicators (latent), everything else 0."""
    ovi = {n: i for i, n in enumerate(spec.ov)}
    ind: dict[str, list[str]] = {}
    for r in spec.rows:
        if r["op"] == "=~":
            ind.setdefault(r["lhs"], []).append(r["rhs"])
    theta = np.zeros(spec.n_free)
    for r in spec.free_rows():
        if r["op"] == "=~":
            v = 1.0
        elif r["op"] == "~~" and r["lhs"] == r["rhs"]:
            if r["lhs"] in ovi:
                v = 0.5 * S[ovi[r["lhs"]], ovi[r["lhs"]]]
            else:
                obs = [S[ovi[i], ovi[i]] for i in ind.get(r["lhs"], []) if i in ovi]
                v = max(0.05, 0.5 * float(np.mean(obs))) if obs else 0.05
        else:
            v = 0.0
        theta[r["free"]] = v
    return theta


def jittered(spec: ModelSpec, theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``theta`` with loadings and regressions scaled by ``U(0.5, 1.5)`` and variances by
    ``U(0.5, 2)``: another start in the same region, for a retry."""
    out = np.asarray(theta, float).copy()
    for r in spec.free_rows():
        k = r["free"]
        if r["op"] == "~~" and r["lhs"] == r["rhs"]:
            out[k] = abs(out[k]) * rng.uniform(0.5, 2.0) or 0.05
        elif r["op"] in ("=~", "~"):
            out[k] = out[k] * rng.uniform(0.5, 1.5)
        else:
            out[k] = out[k] * rng.uniform(0.0, 1.0)
    return out
