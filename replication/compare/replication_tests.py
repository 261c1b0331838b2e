"""Did it replicate? Original and replication estimate of each path hypothesis, compared.

Plain functions (numbers in, numbers out), then the wrapper on a record and a fitted model:

- :func:`difference_test`: z test of two independent estimates;
- :func:`prediction_interval` and :func:`prediction_interval_r`: where a replication estimate
  should fall if both studies estimate the same effect (Patil, Peng and Leek 2016);
- :func:`effect_33` and :func:`small_telescopes`: is the replication effect detectably smaller
  than the effect the original study had 33% power to detect (Simonsohn 2015)?
- :func:`tost`: two one-sided tests of equivalence within a smallest effect size of interest
  (Lakens 2017);
- :func:`replication_block`: all of them for one hypothesis, the ``replication`` block of
  ``results.json``; :func:`replication_tests`: one block per path hypothesis of a record.

Every number of a block is recomputable from its ``original`` and ``replication`` estimates and
SEs with the formulas of the functions below (normal approximations throughout).

References
----------
Patil, P., Peng, R. D., & Leek, J. T. (2016). What should researchers expect when they
replicate studies? A statistical view of replicability in psychological science. *Perspectives
on Psychological Science*, 11, 539-544.
Simonsohn, U. (2015). Small telescopes: Detectability and the evaluation of replication
results. *Psychological Science*, 26, 559-569.
Lakens, D. (2017). Equivalence tests: A practical primer for t tests, correlations, and
meta-analyses. *Social Psychological and Personality Science*, 8, 355-362.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats

from replication.engine.errors import InputError

__all__ = ["difference_test", "prediction_interval", "prediction_interval_r", "effect_33",
           "small_telescopes", "tost", "replication_block", "replication_tests"]


def _positive(se: float, what: str) -> None:
    if not (isinstance(se, (int, float, np.floating)) and math.isfinite(se) and se > 0):
        raise InputError(f"{what}: expected a positive standard error, got {se!r}")


def difference_test(est_o: float, se_o: float, est_r: float, se_r: float) -> dict:
    """Two independent estimates: ``z = (est_r - est_o) / sqrt(se_o^2 + se_r^2)``.

    Returns
    -------
    dict
        ``z`` and the two-sided ``p = 2 (1 - Phi(|z|))``.
    """
    _positive(se_o, "original se")
    _positive(se_r, "replication se")
    z = (est_r - est_o) / math.hypot(se_o, se_r)
    return {"z": float(z), "p": float(2 * stats.norm.sf(abs(z)))}


def prediction_interval(est_o: float, se_o: float, se_r: float,
                        level: float = 0.95) -> list[float]:
    """Prediction interval of the replication estimate (Patil, Peng & Leek 2016).

    ``est_o +/- z_(1+level)/2 sqrt(se_o^2 + se_r^2)``: both estimates vary around the same true
    effect, so their difference has variance ``se_o^2 + se_r^2``.
    """
    _positive(se_o, "original se")
    _positive(se_r, "replication se")
    h = stats.norm.isf((1 - level) / 2) * math.hypot(se_o, se_r)
    return [float(est_o - h), float(est_o + h)]


def prediction_interval_r(r: float, n1: int, n2: int, level: float = 0.95) -> list[float]:
    """Patil, Peng & Leek's interval for a correlation, on Fisher's z scale.

    ``tanh(atanh(r) +/- z sqrt(1 / (n1 - 3) + 1 / (n2 - 3)))``.

    Examples
    --------
    >>> [round(v, 3) for v in prediction_interval_r(0.30, 100, 200)]  # Patil et al. 2016
    [0.066, 0.502]
    """
    if not -1 < r < 1 or n1 <= 3 or n2 <= 3:
        raise InputError("prediction_interval_r: expected -1 < r < 1 and both n above 3")
    lo, hi = prediction_interval(math.atanh(r), 1 / math.sqrt(n1 - 3), 1 / math.sqrt(n2 - 3),
                                 level)
    return [math.tanh(lo), math.tanh(hi)]


def effect_33(se_o: float, alpha: float = 0.05) -> float:
    """The effect the original two-sided z test at ``alpha`` had 33% power to detect.

    Solves ``Phi(d / se - z) + Phi(-d / se - z) = 1/3`` for ``d > 0`` (``z = z_(1 - alpha/2)``);
    about ``1.53 se`` at alpha .05 (Simonsohn 2015, d33).
    """
    _positive(se_o, "original se")
    zc = stats.norm.isf(alpha / 2)

    def power(d: float) -> float:
        return stats.norm.sf(zc - d / se_o) + stats.norm.cdf(-zc - d / se_o) - 1 / 3

    return float(optimize.brentq(power, 0.0, 10 * se_o, xtol=1e-14))


def small_telescopes(est_o: float, se_o: float, est_r: float, se_r: float,
                     alpha: float = 0.05) -> dict:
    """Simonsohn's (2015) small-telescopes test of a replication.

    Returns
    -------
    dict
        ``effect_33`` (signed like the original estimate), ``z = s (est_r - effect_33) / se_r``
        with ``s`` the original's sign, the one-sided ``p = Phi(z)`` of "the replication effect
        is smaller than effect_33", and ``verdict``: ``failed`` (detectably smaller than d33 and
        not detectably above zero), ``replicated`` (detectably above zero in the original's
        direction and not detectably smaller than d33), ``smaller than d33`` (both) or
        ``inconclusive`` (neither); "detectably" is one-sided at ``alpha``.

    Notes
    -----
    A replication with 2.5 times the original N has about 80% power to reject d33 when the
    true effect is zero (Simonsohn 2015).
    """
    d33 = effect_33(se_o, alpha)
    s = 1.0 if est_o >= 0 else -1.0
    _positive(se_r, "replication se")
    z = s * (est_r - s * d33) / se_r
    p = float(stats.norm.cdf(z))
    above_zero = stats.norm.sf(s * est_r / se_r) < alpha
    below_d33 = p < alpha
    verdict = ("smaller than d33" if above_zero and below_d33 else "failed" if below_d33
               else "replicated" if above_zero else "inconclusive")
    return {"effect_33": float(s * d33), "z": float(z), "p": p, "verdict": verdict}


def tost(est: float, se: float, sesoi: float, alpha: float = 0.05) -> dict:
    """Two one-sided tests of ``|effect| < sesoi`` (Lakens 2017).

    Returns
    -------
    dict
        ``sesoi``, ``p_lower = 1 - Phi((est + sesoi) / se)``, ``p_upper = Phi((est - sesoi) /
        se)``, ``p`` (the larger) and ``equivalent`` (``p < alpha``).
    """
    _positive(se, "replication se")
    if not (math.isfinite(sesoi) and sesoi > 0):
        raise InputError(f"--sesoi: expected a positive number, got {sesoi!r}")
    p_lo = float(stats.norm.sf((est + sesoi) / se))
    p_hi = float(stats.norm.cdf((est - sesoi) / se))
    p = max(p_lo, p_hi)
    return {"sesoi": float(sesoi), "p_lower": p_lo, "p_upper": p_hi, "p": p,
            "equivalent": bool(p < alpha)}


def replication_block(est_o: float, se_o: float, est_r: float, se_r: float, *,
                      alpha: float = 0.05, sesoi: float | None = None,
                      original_source: str = "printed", metric: str = "") -> dict:
    """The ``replication`` block of one path hypothesis.

    Returns
    -------
    dict
        ``original`` {estimate, se, source}, ``replication`` {estimate, se}, ``metric``,
        ``difference`` (:func:`difference_test`), ``prediction_interval`` (95%,
        :func:`prediction_interval`), ``small_telescopes`` (:func:`small_telescopes`) and, with
        ``sesoi``, ``equivalence`` (:func:`tost`).
    """
    out = {"original": {"estimate": float(est_o), "se": float(se_o), "source": original_source},
           "replication": {"estimate": float(est_r), "se": float(se_r)}, "metric": metric,
           "difference": difference_test(est_o, se_o, est_r, se_r),
           "prediction_interval": prediction_interval(est_o, se_o, se_r),
           "small_telescopes": small_telescopes(est_o, se_o, est_r, se_r, alpha)}
    if sesoi is not None:
        out["equivalence"] = tost(est_r, se_r, sesoi, alpha)
    return out


# ------------------------------------------------------------------------------------------
# Wrappers on a record and a fitted model
# ------------------------------------------------------------------------------------------
def _model_based_se(record) -> dict[str, tuple[float, float]]:
    """Standardized estimate and SE of every path at the record's population and published N.

    SEM records: the record's SEM fitted to the population covariance (``std_all`` and
    ``std_all / z``). Regression records: OLS of each outcome's composite on its predictors'
    composites (and controls) in the population correlation matrix ``R``: ``beta =
    R_xx^-1 r_xy`` and ``se_j = sqrt((1 - R^2) (R_xx^-1)_jj / (N - k - 1))`` (Cohen, Cohen, West
    & Aiken 2003, eq. 3.6.1).
    """
    from replication.data.population import population
    from replication.engine import sem, syntax

    pop = population(record)
    n = record.n
    out: dict[str, tuple[float, float]] = {}
    if record.model.kind == "sem":
        res = sem.fit(syntax.sem_syntax(record), cov=pop.cov, n=n)
        p = res.params[res.params["op"] == "~"]
        for r in p.itertuples():
            if r.z and math.isfinite(r.z):
                out[f"{r.rhs}->{r.lhs}"] = (float(r.std_all), float(r.std_all / r.z))
        return out
    cons = list(record.items)
    W = np.zeros((len(pop.items), len(cons)))
    for j, c in enumerate(cons):
        for it in record.items[c]:
            W[pop.items.index(it), j] = 1.0 / len(record.items[c])
    C = W.T @ pop.cov.to_numpy() @ W
    sd = np.sqrt(np.diag(C))
    R = C / np.outer(sd, sd)
    controls = list(record.model.controls)
    for y in dict.fromkeys(p.to for p in record.model.paths):
        preds = controls + [p.from_ for p in record.model.paths if p.to == y]
        ix, iy = [cons.index(v) for v in preds], cons.index(y)
        Rxx_i = np.linalg.inv(R[np.ix_(ix, ix)])
        beta = Rxx_i @ R[ix, iy]
        r2 = float(beta @ R[ix, iy])
        for j, v in enumerate(preds):
            se = math.sqrt((1 - r2) * Rxx_i[j, j] / (n - len(preds) - 1))
            out[f"{v}->{y}"] = (float(beta[j]), se)
    return out


def _original(record, key: str, model_based) -> tuple[float, float, str, str] | None:
    """Original estimate, SE, where the SE comes from, and the metric."""
    values = record.values()
    est_v = values.get(f"paths.{key}.estimate")
    metric_v = values.get("model.estimate_metric")
    metric = "standardized" if metric_v is None else str(metric_v.value)
    if est_v is not None and est_v.status == "published":
        se_v = values.get(f"paths.{key}.se")
        st_v = values.get(f"paths.{key}.statistic")
        if se_v is not None and se_v.value > 0:
            return float(est_v.value), float(se_v.value), "printed", metric
        if st_v is not None and st_v.value != 0:
            return float(est_v.value), abs(float(est_v.value) / float(st_v.value)), \
                "estimate/t", metric
    std_v = values.get(f"paths.{key}.std") or est_v
    if std_v is None:
        return None
    mb = model_based().get(key)
    if mb is None or not mb[1] > 0:
        return None
    return float(std_v.value), mb[1], "assumed estimate; SE model-based at the published N", \
        "standardized"


def replication_tests(record, params, *, alpha: float = 0.05,
                      sesoi: float | None = None) -> dict[str, dict]:
    """The ``replication`` block of every path hypothesis of ``record``.

    Parameters
    ----------
    record : replication.record.schema.Record
    params : DataFrame
        The replication's parameters (``lhs, op, rhs, est, se, z, std_all``), from the SEM fit
        or the regression's main effects.
    alpha : float
    sesoi : float, optional
        Smallest effect size of interest, in the metric of the comparison: adds ``equivalence``.

    Returns
    -------
    dict
        ``{hypothesis id: block}`` (:func:`replication_block`). The original is the printed
        estimate with its printed SE, or ``|estimate / t|`` where only the statistic is printed,
        in the record's ``model.estimate_metric``; an abstract's assumed standardized estimate
        gets the SE the record's population implies at the published N
        (:func:`_model_based_se`). The replication is read in the same metric: ``est`` and
        ``se``, or ``std_all`` and ``|std_all / z|`` (the original's convention). Hypotheses
        without a path in ``params`` get ``{"not_available": reason}``.
    """
    cache: dict = {}

    def model_based():
        if "v" not in cache:
            cache["v"] = _model_based_se(record)
        return cache["v"]

    out: dict[str, dict] = {}
    for h in record.hypotheses:
        pv = record.hypothesis_path(h)
        if h.kind != "path" or pv is None:
            continue
        key = str(pv.value)
        x, y = key.split("->")
        row = params[(params["lhs"] == y) & (params["op"] == "~") & (params["rhs"] == x)]
        orig = _original(record, key, model_based)
        if row.empty or orig is None:
            out[h.id] = {"not_available": "no original estimate with an SE" if orig is None
                         else f"{key} is not estimated in the replication"}
            continue
        est_o, se_o, source, metric = orig
        r = row.iloc[0]
        if metric == "standardized":
            est_r, se_r = float(r["std_all"]), abs(float(r["std_all"]) / float(r["z"]))
        else:
            est_r, se_r = float(r["est"]), float(r["se"])
        if not (math.isfinite(est_r) and math.isfinite(se_r) and se_r > 0):
            out[h.id] = {"not_available": f"{key}: the replication has no finite SE"}
            continue
        out[h.id] = replication_block(est_o, se_o, est_r, se_r, alpha=alpha, sesoi=sesoi,
                                      original_source=source, metric=metric)
    return out
