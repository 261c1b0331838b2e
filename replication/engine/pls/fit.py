"""``fit_pls``: parse, prepare the data, estimate, assess and optionally bootstrap."""
from __future__ import annotations

import numpy as np
import pandas as pd

from replication.engine.errors import InputError
from replication.engine.pls import tables
from replication.engine.pls.algorithm import SCHEMES
from replication.engine.pls.bootstrap import BOOT_COLUMNS, bootstrap as run_bootstrap
from replication.engine.pls.data import indicator_matrix
from replication.engine.pls.estimate import ESTIMATORS, ZeroVariance, estimate
from replication.engine.pls.model import PLSModel, parse_pls_model
from replication.engine.pls.results import PLSResult

__all__ = ["fit_pls"]


def _checked_options(estimator, scheme, bootstrap, jobs) -> None:
    if estimator not in ESTIMATORS:
        raise InputError(f"estimator must be one of {', '.join(ESTIMATORS)}, not '{estimator}'")
    if scheme not in SCHEMES:
        raise InputError(f"scheme must be one of {', '.join(SCHEMES)}, not '{scheme}'")
    if bootstrap is not None and (not isinstance(bootstrap, (int, np.integer))
                                  or isinstance(bootstrap, bool) or bootstrap < 2):
        raise InputError(f"bootstrap must be a number of resamples >= 2, not {bootstrap!r}")
    if not isinstance(jobs, (int, np.integer)) or jobs < 1:
        raise InputError(f"jobs must be a positive whole number, not {jobs!r}")


def _with_boot(df: pd.DataFrame, keys: list, boot: dict, index: dict) -> pd.DataFrame:
    df = df.copy()
    for col in BOOT_COLUMNS:
        df[col] = [float(boot[col][index[k]]) if k in index else np.nan for k in keys]
    return df


def _attach(res: PLSResult, e, boot, labels) -> None:
    """Bootstrap columns on the parameter, weight and effect tables."""
    tab = boot.table()
    index = {lab: i for i, lab in enumerate(labels)}
    p = res.parameters
    res.parameters = _with_boot(p, [("parameters", a, o, b) for a, o, b in
                                    zip(p["lhs"], p["op"], p["rhs"])], tab, index)
    w = res.weights
    res.weights = _with_boot(w, [("weights", a, "<~", b) for a, b in zip(w["lhs"], w["rhs"])],
                             tab, index)
    t = res.effects["total"]
    res.effects["total"] = _with_boot(t, [("total", a, "total", b)
                                          for a, b in zip(t["lhs"], t["rhs"])], tab, index)
    s = res.effects["specific"]
    res.effects["specific"] = _with_boot(s, [("indirect", a, "ind", "") for a in s["path"]],
                                         tab, index)
    h = res.htmt
    res.htmt = _with_boot(h, [("htmt", a, "htmt", b) for a, b in zip(h["lhs"], h["rhs"])],
                          tab, index)


def fit_pls(model: str | PLSModel, data: pd.DataFrame, *, estimator: str = "PLS",
            scheme: str = "path", bootstrap: int | None = None, seed: int = 2024,
            jobs: int = 1, missing: str = "listwise") -> PLSResult:
    """Fit a PLS path model (PLS-SEM) or its consistent version (PLSc).

    Parameters
    ----------
    model : str or PLSModel
        lavaan-style syntax: ``C =~ x1 + x2`` (Mode A; a common factor under PLSc),
        ``C <~ x1 + x2`` (Mode B composite), ``Y ~ X1 + X2`` (structural paths).
    data : DataFrame
        One numeric column per indicator.
    estimator : {"PLS", "PLSc"}
    scheme : {"path", "centroid", "factorial"}
        Inner weighting scheme (seminr's default: path).
    bootstrap : int, optional
        Number of bootstrap resamples; adds ``se t pvalue ci.lower ci.upper bca.lower
        bca.upper`` to parameters, weights, HTMT and effects.
    seed : int
        Seed of the bootstrap (one ``SeedSequence`` child per resample).
    jobs : int
        Bootstrap worker processes (capped at ``os.cpu_count()``); results do not depend
        on it.
    missing : {"listwise", "mean"}
        Listwise deletion or seminr's mean replacement; the rows or cells treated are
        reported in ``warnings``.

    Returns
    -------
    PLSResult

    Raises
    ------
    InputError
        A bad model line, a missing or non-numeric column, a constant indicator, bad options.

    References
    ----------
    Lohmoeller, J.-B. (1989). *Latent Variable Path Modeling with Partial Least Squares*.
    Physica. Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A Primer on
    Partial Least Squares Structural Equation Modeling (PLS-SEM)* (3rd ed.). Sage.
    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path modeling.
    *MIS Quarterly, 39*(2), 297-316.
    """
    _checked_options(estimator, scheme, bootstrap, jobs)
    spec = model if isinstance(model, PLSModel) else parse_pls_model(model)
    X, warnings = indicator_matrix(data, spec, missing)
    try:
        e = estimate(X, spec, estimator, scheme)
    except ZeroVariance as exc:
        raise InputError(f"data: indicator '{spec.indicators[exc.args[0]]}' has no "
                         "variance") from None
    except np.linalg.LinAlgError:
        raise InputError("data: a Mode B block or the predictors of a construct are "
                         "perfectly collinear") from None
    if not e.fit.converged:
        warnings.append(f"the PLS algorithm did not converge in {e.fit.iterations} "
                        f"iterations (weight change {e.fit.weight_change:.3g})")
    res = _result(X, e, missing, warnings)
    if bootstrap is not None and e.fit.converged:
        boot = run_bootstrap(X, e, tables.statistic_vector, int(bootstrap), seed, int(jobs))
        _attach(res, e, boot, tables.statistic_labels(e))
        res.bootstrap = {"resamples": boot.requested, "failed": boot.failed, "seed": seed}
        if boot.failed:
            res.warnings.append(f"bootstrap: {boot.failed} of {boot.requested} resamples "
                                "failed (no convergence or a constant indicator) and were "
                                "left out")
    return res


def _result(X: np.ndarray, e, missing: str, warnings: list) -> PLSResult:
    cs = e.model.constructs
    params, weights = tables.parameter_rows(e)
    rel = tables.reliability(e)
    endo = [j for j in range(len(cs)) if np.isfinite(e.r2[j])]
    Z = (X - e.mean) / e.sd
    return PLSResult(
        parameters=params, weights=weights,
        r2={cs[j]: float(e.r2[j]) for j in endo},
        r2_adj={cs[j]: float(e.r2_adj[j]) for j in endo},
        reliability=rel, htmt=tables.htmt_table(e), htmt2=tables.htmt_table(e, "htmt2"),
        fornell_larcker=tables.fornell_larcker(e, rel),
        cross_loadings=tables.cross_loadings(e), f2=tables.f2_table(X, e),
        vif=tables.vif_tables(e), effects=tables.effects_tables(e),
        scores=pd.DataFrame(Z @ e.weights, columns=list(cs)),
        estimator=e.estimator, scheme=e.scheme, iterations=e.fit.iterations,
        converged=e.fit.converged, n=e.n, missing=missing, warnings=warnings)
