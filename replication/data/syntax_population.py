"""Population of a record given as lavaan syntax (``model.syntax``), from its printed parameters.

The model's own parameter table (:func:`replication.engine.ram.specify`) is filled from
``results.parameters``:

* every free parameter printed with ``est``: the population is the printed unstandardized
  solution, ``Sigma = F (I - A)^-1 S (I - A)^-T F'`` (McArdle & McDonald, 1984), so factor
  variances and covariances, residual covariances between items and unstandardized paths are
  the printed ones;
* otherwise the completely standardized metric: loadings and paths from ``std_all`` (defaults,
  noted: loading 0.7 and path 0), correlations of factors, disturbances and item residuals from
  the ``std_all`` of ``~~`` (default 0), every variance solved so that each variable has unit
  total variance; then items are scaled to their SD (``constructs.<C>.sd`` through
  :func:`~replication.data.population_formulas.item_sd_from_composite` where printed, else 1 for
  continuous indicators or ``(K - 1) / 4`` on a K-point scale).

Item means are ``constructs.<C>.mean`` where printed, else 0 for continuous indicators and the
scale midpoint for Likert items.

References
----------
McArdle, J. J., & McDonald, R. P. (1984). Some algebraic properties of the reticular action
model for moment structures. *British Journal of Mathematical and Statistical Psychology*, 37,
234-251.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from replication.data.population_formulas import item_sd_from_composite
from replication.data.population_model import CHANGE_COLUMNS, PARAM_COLUMNS, Population
from replication.engine.errors import InputError
from replication.engine.ram import RAM, specify, total_covariance

__all__ = ["syntax_population"]


def _printed(record) -> dict[tuple[str, str, str], object]:
    out = {}
    for p in record.results.parameters:
        if p.model is None:
            out[(p.lhs, p.op, p.rhs)] = p
            if p.op == "~~":
                out[(p.rhs, p.op, p.lhs)] = p
    return out


def _standardized_matrices(ram: RAM, printed: dict, notes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """``A`` and ``S`` of the completely standardized population (unit total variances)."""
    spec = ram.spec
    pos = {v: i for i, v in enumerate(spec.names)}
    m = len(spec.names)
    A, R = np.zeros((m, m)), np.eye(m)
    defaulted: list[str] = []
    for r in spec.rows:
        key = (r["lhs"], r["op"], r["rhs"])
        p = printed.get(key)
        std = p.std_all.value if p is not None and p.std_all is not None else None
        if r["op"] in ("=~", "~"):
            i, j = (pos[r["rhs"]], pos[r["lhs"]]) if r["op"] == "=~" else (pos[r["lhs"]], pos[r["rhs"]])
            if std is None:
                std = 0.7 if r["op"] == "=~" else 0.0
                defaulted.append(f"{r['lhs']} {r['op']} {r['rhs']}")
            A[i, j] = std
        elif r["lhs"] != r["rhs"] and std is not None:
            i, j = pos[r["lhs"]], pos[r["rhs"]]
            R[i, j] = R[j, i] = std
    if defaulted:
        notes.append("No std_all printed, default used (loading 0.7, path 0): " + ", ".join(defaulted) + ".")
    d = np.ones(m)
    for _ in range(500):  # variances so that every variable has total variance 1
        S = R * np.sqrt(np.outer(d, d))
        C = total_covariance(A, S)
        step = 1.0 - np.diag(C)
        d = d + step
        if np.max(np.abs(step)) < 1e-13:
            break
    if np.any(d <= 0):
        raise InputError(f"results.parameters: the printed standardized values leave variable "
                         f"{spec.names[int(np.argmin(d))]} no residual variance (R-squared above 1)")
    return A, R * np.sqrt(np.outer(d, d))


def _item_scales(record, items: list[str], corr: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Item SDs and means from the printed construct SDs and means.

    ``corr`` is the standardized item correlation matrix; a printed construct SD (of the mean
    score) gives the common item SD through :func:`item_sd_from_composite`.
    """
    K = record.scale_points
    vals = record.values()
    sd, mean = np.ones(len(items)), np.zeros(len(items))
    default_sd = 1.0 if K is None else (K - 1) / 4
    default_mean = 0.0 if K is None else (K + 1) / 2
    for c, its in record.items.items():
        idx = [items.index(it) for it in its if it in items]
        sdv, mnv = vals.get(f"constructs.{c}.sd"), vals.get(f"constructs.{c}.mean")
        if sdv is not None and corr is not None and idx:
            sd[idx] = item_sd_from_composite(float(sdv.value), corr[np.ix_(idx, idx)])
        else:
            sd[idx] = default_sd
        mean[idx] = default_mean if mnv is None else float(mnv.value)
    return sd, mean


def syntax_population(record) -> Population:
    """Population of a record with ``model.syntax`` (module docstring).

    Returns
    -------
    Population
        ``level`` is ``syntax``; ``syntax`` and ``theta`` hold the main model and its parameter
        vector at the population, ``residual_cov`` the covariance of the item residuals.
    """
    text = record.main_syntax()
    spec = specify(text, observed=[it for it in record.item_list])
    if spec.ov_x:
        raise InputError(f"{record.id}: model.syntax: observed predictors ({', '.join(spec.ov_x)}) "
                         "need printed moments; reconstruction supports latent and indicator models")
    ram = RAM(spec)
    printed = _printed(record)
    notes: list[str] = []
    free = spec.free_rows()
    if free and all(printed.get((r["lhs"], r["op"], r["rhs"])) is not None
                    and printed[(r["lhs"], r["op"], r["rhs"])].est is not None for r in free):
        theta = np.array([float(printed[(r["lhs"], r["op"], r["rhs"])].est.value) for r in free])
        metric = "unstandardized"
        notes.append("Every free parameter of model.syntax has a printed estimate: the population is "
                     "the printed unstandardized solution.")
    else:
        A, S = _standardized_matrices(ram, printed, notes)
        p = len(spec.ov)
        sd, _ = _item_scales(record, spec.ov, total_covariance(A, S)[:p, :p])
        A[:p, :] *= sd[:, None]
        S[:p, :p] *= np.outer(sd, sd)
        theta = ram.theta_from(A, S, spec.names)
        metric = "standardized"
    return _assemble(record, ram, theta, metric, printed, notes, text)


def _assemble(record, ram: RAM, theta: np.ndarray, metric: str, printed: dict, notes: list[str],
              text: str) -> Population:
    spec = ram.spec
    p = ram.p
    items, lat = list(spec.ov), list(spec.lv)
    A, S = ram.matrices(theta)
    C = total_covariance(A, S)
    Sigma = C[:p, :p]
    Sigma = (Sigma + Sigma.T) / 2
    if np.linalg.eigvalsh(Sigma).min() <= 0:
        raise InputError(f"{record.id}: results.parameters: the printed solution implies an item "
                         "covariance matrix that is not positive definite")
    std = ram.standardized(theta)
    rows = []
    for k, r in enumerate(spec.rows):
        key = (r["lhs"], r["op"], r["rhs"])
        pr = printed.get(key)
        est = theta[r["free"]] if r["free"] >= 0 else r["value"]
        pub = None
        if pr is not None:
            pub = (pr.est or pr.std_all).value if (pr.est or pr.std_all) is not None else None
        rows.append(dict(lhs=r["lhs"], op=r["op"], rhs=r["rhs"], est=float(est),
                         std=float(std[k]),
                         published=pub, status="published" if pub is not None else
                         ("fixed" if r["free"] < 0 else "derived"),
                         source=getattr(getattr(pr, "est", None) or getattr(pr, "std_all", None), "where", "")
                         if pr is not None else "model.syntax"))
    _, mean = _item_scales(record, items)
    constructs = {c: [it for it in its if it in items] for c, its in record.items.items()}
    return Population(
        record_id=record.id, items=items, constructs=constructs, latents=lat,
        cov=pd.DataFrame(Sigma, index=items, columns=items),
        means=pd.Series(mean, index=items, dtype=float),
        loadings=pd.DataFrame(A[:p, p:], index=items, columns=lat),
        beta=pd.DataFrame(A[p:, p:], index=lat, columns=lat),
        latent_cov=pd.DataFrame(C[p:, p:], index=lat, columns=lat),
        disturbance_cov=pd.DataFrame(S[p:, p:], index=lat, columns=lat),
        residuals=pd.Series(np.diag(S[:p, :p]).copy(), index=items),
        products=[], params=pd.DataFrame(rows, columns=PARAM_COLUMNS),
        changes=pd.DataFrame([], columns=CHANGE_COLUMNS), notes=notes, metric=metric,
        n=record.n_analysed, scale_points=record.scale_points, level="syntax",
        syntax=text, theta=theta, residual_cov=pd.DataFrame(S[:p, :p], index=items, columns=items))
