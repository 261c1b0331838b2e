"""Result tables of one PLS estimation: rows in lavaan's ``lhs op rhs est`` shape, built from
:class:`~replication.engine.pls.estimate.Estimates` and the quality criteria."""
from __future__ import annotations

import numpy as np
import pandas as pd

from replication.engine.pls import quality
from replication.engine.pls.estimate import Estimates, blocks, estimate

__all__ = ["statistic_labels", "statistic_vector", "parameter_rows", "reliability",
           "htmt_table", "vif_tables", "f2_table", "effects_tables", "cross_loadings",
           "fornell_larcker"]


def _paths(e: Estimates) -> list:
    pos = {c: j for j, c in enumerate(e.model.constructs)}
    return [(pos[s], pos[t]) for s, t in e.model.paths]


def _items(e: Estimates) -> list:
    """``(construct position, item position)`` in block order."""
    return [(j, int(i)) for j, b in enumerate(blocks(e.model)) for i in b]


def statistic_labels(e: Estimates) -> list:
    """``(table, lhs, op, rhs)`` of every bootstrapped statistic, in
    :func:`statistic_vector` order."""
    cs, xs = e.model.constructs, e.model.indicators
    lab = [("parameters", cs[t], "~", cs[s]) for s, t in _paths(e)]
    lab += [("parameters", cs[j], "=~", xs[i]) for j, i in _items(e)]
    lab += [("weights", cs[j], "<~", xs[i]) for j, i in _items(e)]
    lab += [("r2", cs[j], "r2", cs[j]) for j in range(len(cs)) if np.isfinite(e.r2[j])]
    k = len(cs)
    lab += [("htmt", cs[a], "htmt", cs[b]) for a in range(k) for b in range(a + 1, k)]
    reach = quality.total_effects(e.P)
    lab += [("total", cs[t], "total", cs[s]) for s in range(k) for t in range(k) if reach[s, t]]
    lab += [("indirect", " -> ".join(cs[i] for i in r), "ind", "")
            for r in quality.indirect_routes(e.P != 0)]
    return lab


def statistic_vector(e: Estimates) -> np.ndarray:
    """Every bootstrapped statistic of one estimation (see :func:`statistic_labels`)."""
    v = [e.B[s, t] for s, t in _paths(e)]
    v += [e.loadings[i, j] for j, i in _items(e)]
    v += [e.weights[i, j] for j, i in _items(e)]
    v += [x for x in e.r2 if np.isfinite(x)]
    bl, k = blocks(e.model), len(e.model.constructs)
    v += list(quality.htmt_pairs(e.R, bl))
    P = e.P
    T = quality.total_effects(e.B)
    Tstruct = quality.total_effects(P)
    v += [T[s, t] for s in range(k) for t in range(k) if Tstruct[s, t]]
    v += [np.prod([e.B[a, b] for a, b in zip(r, r[1:])])
          for r in quality.indirect_routes(P != 0)]
    return np.asarray(v, dtype=float)


def parameter_rows(e: Estimates) -> tuple:
    """``(parameters, weights)`` DataFrames: ``~`` paths and ``=~`` loadings (every
    construct, Mode B included); weights as ``lhs rhs est``."""
    cs, xs = e.model.constructs, e.model.indicators
    rows = [{"lhs": cs[t], "op": "~", "rhs": cs[s], "est": float(e.B[s, t])}
            for s, t in _paths(e)]
    rows += [{"lhs": cs[j], "op": "=~", "rhs": xs[i], "est": float(e.loadings[i, j])}
             for j, i in _items(e)]
    w = [{"lhs": cs[j], "rhs": xs[i], "est": float(e.weights[i, j])} for j, i in _items(e)]
    return pd.DataFrame(rows), pd.DataFrame(w)


def reliability(e: Estimates) -> dict:
    """``{construct: {alpha, rho_c, rho_a, ave}}`` (PLSc: rho_C and AVE from the consistent
    loadings, as seminr)."""
    out = {}
    for j, (c, b) in enumerate(zip(e.model.constructs, blocks(e.model))):
        lam = e.loadings[b, j]
        out[c] = {"alpha": quality.cronbach_alpha(e.R[np.ix_(b, b)]),
                  "rho_c": quality.rho_c(lam), "rho_a": float(e.rho_a[j]),
                  "ave": quality.ave(lam)}
    return out


def htmt_table(e: Estimates, which: str = "htmt") -> pd.DataFrame:
    """HTMT (or HTMT2) of every pair of constructs, ``lhs`` before ``rhs`` in model order."""
    f = quality.htmt if which == "htmt" else quality.htmt2
    cs, bl = e.model.constructs, blocks(e.model)
    rows = [{"lhs": cs[a], "rhs": cs[b], "est": f(e.R, bl[a], bl[b])}
            for a in range(len(cs)) for b in range(a + 1, len(cs))]
    return pd.DataFrame(rows, columns=["lhs", "rhs", "est"])


def vif_tables(e: Estimates) -> dict:
    """``{"outer": DataFrame(lhs construct, rhs indicator, est), "inner": DataFrame(lhs
    outcome, rhs antecedent, est)}``; the inner VIFs come from the correlations of the PLS
    construct scores (as seminr, also under PLSc); 1 for a single variable."""
    cs, xs = e.model.constructs, e.model.indicators
    outer = []
    for j, b in enumerate(blocks(e.model)):
        v = quality.vif(e.R[np.ix_(b, b)])
        outer += [{"lhs": cs[j], "rhs": xs[i], "est": float(x)} for i, x in zip(b, v)]
    inner, C = [], e.fit.scores_cor
    for t in range(len(cs)):
        pred = np.flatnonzero(e.P[:, t])
        if pred.size:
            v = quality.vif(C[np.ix_(pred, pred)])
            inner += [{"lhs": cs[t], "rhs": cs[s], "est": float(x)} for s, x in zip(pred, v)]
    return {"outer": pd.DataFrame(outer), "inner": pd.DataFrame(inner)}


def f2_table(X: np.ndarray, e: Estimates) -> pd.DataFrame:
    """f-squared of every path (``lhs`` outcome, ``rhs`` predictor): the model re-estimated
    without the path (seminr's ``fSquared``; a two-construct model uses ``R2 / (1 - R2)``)."""
    rows, cs = [], e.model.constructs
    pos = {c: j for j, c in enumerate(cs)}
    for s, t in e.model.paths:
        with_r2 = float(e.r2[pos[t]])
        reduced = e.model.without_path(s, t)
        if len(cs) == 2 or t not in {b for _, b in reduced.paths}:
            without = 0.0
        else:
            keep = [e.model.indicators.index(x) for x in reduced.indicators]
            sub = estimate(X[:, keep], reduced, e.estimator, e.scheme)
            without = float(sub.r2[reduced.constructs.index(t)])
        rows.append({"lhs": t, "rhs": s, "est": quality.f_squared(with_r2, without)})
    return pd.DataFrame(rows, columns=["lhs", "rhs", "est"])


def effects_tables(e: Estimates) -> dict:
    """``total`` and ``indirect`` (total indirect) effects as ``lhs`` target, ``rhs``
    source rows; ``specific`` indirect effects as ``path`` and ``est`` rows."""
    cs, k = e.model.constructs, len(e.model.constructs)
    T = quality.total_effects(e.B)
    reach = quality.total_effects(e.P) != 0
    total = [{"lhs": cs[t], "rhs": cs[s], "est": float(T[s, t])}
             for s in range(k) for t in range(k) if reach[s, t]]
    routes = quality.total_effects(e.P) - e.P
    ind = [{"lhs": cs[t], "rhs": cs[s], "est": float(T[s, t] - e.B[s, t])}
           for s in range(k) for t in range(k) if routes[s, t] > 0.5]
    spec = [{"path": " -> ".join(cs[i] for i in r), "est": v}
            for r, v in quality.specific_indirect_effects(e.B, e.P != 0)]
    return {"total": pd.DataFrame(total, columns=["lhs", "rhs", "est"]),
            "indirect": pd.DataFrame(ind, columns=["lhs", "rhs", "est"]),
            "specific": pd.DataFrame(spec, columns=["path", "est"])}


def cross_loadings(e: Estimates) -> pd.DataFrame:
    """Correlations of every indicator with every PLS construct score."""
    return pd.DataFrame(e.fit.cross_loadings, index=list(e.model.indicators),
                        columns=list(e.model.constructs))


def fornell_larcker(e: Estimates, rel: dict) -> pd.DataFrame:
    """Fornell-Larcker table of the PLS construct scores (``sqrt(AVE)`` on the diagonal)."""
    cs = list(e.model.constructs)
    aves = np.array([rel[c]["ave"] for c in cs])
    return pd.DataFrame(quality.fornell_larcker(e.fit.scores_cor, aves), index=cs, columns=cs)
