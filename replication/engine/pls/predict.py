"""PLSpredict: k-fold out-of-sample prediction of the endogenous indicators, compared with
the linear-model (LM) benchmark and the training-mean benchmark (Q2_predict)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from replication.engine.errors import InputError
from replication.engine.pls.data import indicator_matrix
from replication.engine.pls.estimate import Estimates, estimate
from replication.engine.pls.model import PLSModel, parse_pls_model

__all__ = ["PredictResult", "predict_pls", "fold_labels", "predict_items", "prediction_metrics"]

BENCHMARKS = ("exogenous", "other_items")


@dataclass
class PredictResult:
    """PLSpredict metrics of every endogenous indicator.

    Attributes
    ----------
    metrics : DataFrame
        ``item construct pls_rmse pls_mae lm_rmse lm_mae q2_predict`` (out of sample).
    folds : ndarray (repetitions, n)
        Fold label (0-based) of every row in each repetition.
    predictions : DataFrame
        Out-of-sample PLS predictions (averaged over repetitions).
    technique, benchmark, repetitions, n, warnings :
    """

    metrics: pd.DataFrame
    folds: np.ndarray
    predictions: pd.DataFrame
    technique: str
    benchmark: str
    repetitions: int
    n: int
    warnings: list


def fold_labels(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """Random fold of each row: the rows shuffled, then cut into ``k`` consecutive groups of
    (nearly) equal size, as seminr's ``cut(seq(1, n), breaks = k)`` on shuffled data."""
    order = rng.permutation(n)
    labels = np.empty(n, dtype=int)
    labels[order] = (np.arange(n) * k) // n
    return labels


def predict_items(e: Estimates, X_new: np.ndarray, technique: str = "DA") -> np.ndarray:
    """Indicator predictions of a fitted model for new rows.

    Parameters
    ----------
    e : Estimates
        The training fit.
    X_new : ndarray (m, p)
        New rows (all indicators; those of endogenous constructs only enter their own
        construct's score under ``DA``).
    technique : {"DA", "EA"}
        ``DA`` (direct antecedents, seminr's default): an endogenous construct is predicted
        from the scores of its direct antecedents; ``EA`` (earliest antecedents): from the
        exogenous scores only, through the predicted scores of intermediate constructs.

    Returns
    -------
    ndarray (m, p)
        Predicted indicators in the original scale (training means and SDs).

    References
    ----------
    Shmueli, G., Sarstedt, M., Hair, J. F., Cheah, J.-H., Ting, H., Vaithilingam, S., &
    Ringle, C. M. (2019). Predictive model assessment in PLS-SEM: guidelines for using
    PLSpredict. *European Journal of Marketing, 53*(11), 2322-2347.
    """
    scores = ((X_new - e.mean) / e.sd) @ e.weights
    endo = [j for j, c in enumerate(e.model.constructs) if c in e.model.endogenous]
    if technique == "DA":
        pred = scores @ e.B
        exo = [j for j in range(scores.shape[1]) if j not in endo]
        pred[:, exo] = scores[:, exo]
    else:
        pred = scores.copy()
        pred[:, endo] = 0.0
        for j in _topological(e):
            pred[:, j] = pred @ e.B[:, j]
    return (pred @ e.loadings.T) * e.sd + e.mean


def _topological(e: Estimates) -> list:
    P, done, order = e.P, set(np.flatnonzero(~e.P.any(axis=0))), []
    while len(done) < P.shape[0]:
        for j in range(P.shape[0]):
            if j not in done and set(np.flatnonzero(P[:, j])) <= done:
                done.add(j)
                order.append(j)
    return order


def _lm_predict(X_tr, X_te, targets, predictors) -> np.ndarray:
    A = np.column_stack([np.ones(len(X_tr)), X_tr[:, predictors]])
    coef, *_ = np.linalg.lstsq(A, X_tr[:, targets], rcond=None)
    return np.column_stack([np.ones(len(X_te)), X_te[:, predictors]]) @ coef


def _lm_columns(model: PLSModel, benchmark: str) -> dict:
    """``{construct: (its indicator positions, predictor positions)}`` of the LM benchmark."""
    pos = {x: i for i, x in enumerate(model.indicators)}
    exo_items = [pos[x] for c in model.exogenous for x in model.items[c]]
    out = {}
    for c in model.endogenous:
        own = [pos[x] for x in model.items[c]]
        other = [i for i in range(len(pos)) if i not in own]
        out[c] = (own, exo_items if benchmark == "exogenous" else other)
    return out


def _one_repetition(X, model, labels, estimator, scheme, technique, benchmark):
    n, p = X.shape
    pls, lm, naive = np.zeros((n, p)), np.zeros((n, p)), np.zeros((n, p))
    lm_cols = _lm_columns(model, benchmark)
    for f in np.unique(labels):
        te, tr = labels == f, labels != f
        e = estimate(X[tr], model, estimator, scheme)
        pls[te] = predict_items(e, X[te], technique)
        naive[te] = X[tr].mean(axis=0)
        for own, preds in lm_cols.values():
            lm[np.ix_(te, own)] = _lm_predict(X[tr], X[te], own, preds)
    return pls, lm, naive


def prediction_metrics(actual: np.ndarray, predicted: np.ndarray,
                       naive: np.ndarray) -> dict:
    """RMSE, MAE and Q2_predict of out-of-sample predictions (columns are indicators).

    Parameters
    ----------
    actual, predicted, naive : ndarray (n, q)
        Observed values, model predictions, training-fold means.

    Returns
    -------
    dict of ndarray (q,)
        ``rmse = sqrt(mean e^2)``, ``mae = mean |e|``, ``q2_predict = 1 - sum e^2 /
        sum (y - naive)^2``.

    References
    ----------
    Shmueli, G., Sarstedt, M., Hair, J. F., Cheah, J.-H., Ting, H., Vaithilingam, S., &
    Ringle, C. M. (2019). Predictive model assessment in PLS-SEM: guidelines for using
    PLSpredict. *European Journal of Marketing, 53*(11), 2322-2347.
    """
    err = actual - predicted
    return {"rmse": np.sqrt(np.mean(err ** 2, axis=0)), "mae": np.mean(np.abs(err), axis=0),
            "q2_predict": 1 - np.sum(err ** 2, axis=0) / np.sum((actual - naive) ** 2, axis=0)}


def predict_pls(model: str | PLSModel, data: pd.DataFrame, *, estimator: str = "PLS",
                scheme: str = "path", folds: int = 10, repetitions: int = 1,
                seed: int = 2024, technique: str = "DA", benchmark: str = "exogenous",
                missing: str = "listwise", fold_assignment=None) -> PredictResult:
    """PLSpredict: k-fold cross-validated prediction of the endogenous indicators.

    Parameters
    ----------
    model : str or PLSModel
    data : DataFrame
    estimator, scheme, missing :
        As :func:`~replication.engine.pls.fit_pls`.
    folds : int
        Number of folds (default 10).
    repetitions : int
        Repetitions with new random folds; predictions are averaged over them (seminr).
    seed : int
        Seed of the fold assignment (one ``SeedSequence`` child per repetition).
    technique : {"DA", "EA"}
        See :func:`predict_items`.
    benchmark : {"exogenous", "other_items"}
        LM predictors: the indicators of the exogenous constructs (Shmueli et al. 2019), or
        every indicator outside the predicted construct's block (seminr 2.3).
    fold_assignment : array-like of int, optional
        A fold label for every complete row (overrides ``folds``, ``repetitions`` and
        ``seed``; to reproduce another program's folds).

    Returns
    -------
    PredictResult

    References
    ----------
    Shmueli, G., Sarstedt, M., Hair, J. F., Cheah, J.-H., Ting, H., Vaithilingam, S., &
    Ringle, C. M. (2019). Predictive model assessment in PLS-SEM: guidelines for using
    PLSpredict. *European Journal of Marketing, 53*(11), 2322-2347.
    """
    if technique not in ("DA", "EA") or benchmark not in BENCHMARKS:
        raise InputError("technique must be DA or EA and benchmark exogenous or other_items")
    spec = model if isinstance(model, PLSModel) else parse_pls_model(model)
    X, warnings = indicator_matrix(data, spec, missing)
    n = X.shape[0]
    if fold_assignment is not None:
        labels = np.asarray(fold_assignment, dtype=int).reshape(1, -1)
        if labels.shape[1] != n:
            raise InputError(f"fold_assignment: {labels.shape[1]} labels for {n} rows")
    else:
        if not 2 <= int(folds) <= n:
            raise InputError(f"folds must be between 2 and {n}, not {folds}")
        streams = np.random.SeedSequence(seed).spawn(int(repetitions))
        labels = np.array([fold_labels(n, int(folds), np.random.default_rng(s))
                           for s in streams])
    runs = [_one_repetition(X, spec, lab, estimator, scheme, technique, benchmark)
            for lab in labels]
    pls, lm, naive = (np.mean([r[i] for r in runs], axis=0) for i in range(3))
    return _assemble(spec, X, pls, lm, naive, labels, technique, benchmark, warnings)


def _assemble(spec, X, pls, lm, naive, labels, technique, benchmark, warnings):
    pos = {x: i for i, x in enumerate(spec.indicators)}
    items = [(c, x) for c in spec.endogenous for x in spec.items[c]]
    cols = [pos[x] for _, x in items]
    m_pls = prediction_metrics(X[:, cols], pls[:, cols], naive[:, cols])
    m_lm = prediction_metrics(X[:, cols], lm[:, cols], naive[:, cols])
    metrics = pd.DataFrame({"item": [x for _, x in items], "construct": [c for c, _ in items],
                            "pls_rmse": m_pls["rmse"], "pls_mae": m_pls["mae"],
                            "lm_rmse": m_lm["rmse"], "lm_mae": m_lm["mae"],
                            "q2_predict": m_pls["q2_predict"]})
    preds = pd.DataFrame(pls[:, cols], columns=[x for _, x in items])
    return PredictResult(metrics, labels, preds, technique, benchmark, labels.shape[0],
                         X.shape[0], warnings)
