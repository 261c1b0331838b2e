"""Full-information ML with free intercepts (lavaan ``missing = "ml"``), in named steps.

:func:`fit_fiml` reads as lavaan's steps: the missing-data patterns and their saturated (EM)
moments (:func:`_h1`), starting values from a complete-data fit to the EM covariance matrix,
the casewise likelihood maximized by L-BFGS then Newton (:func:`_maximize`), standard errors
from the observed information (:func:`_observed_vcov`), and the fit measures through the one
builder of :mod:`replication.engine.fit_measures` (:func:`_measures`).

Notes
-----
The chi-square is twice the log-likelihood difference from the EM-estimated saturated model;
the baseline model has its own ML mean and variance per variable; ``npar`` counts the
intercepts. GFI and SRMR include the mean structure as lavaan's do.

References
----------
Arbuckle, J. L. (1996). Full information estimation in the presence of incomplete data. In
G. A. Marcoulides & R. E. Schumacker (Eds.), *Advanced Structural Equation Modeling*. Erlbaum.
lavaan ``R/lav_mvnorm_missing.R``, ``R/lav_fit_gfi.R``, ``R/lav_fit_srmr.R``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize

from replication.engine import fit_measures
from replication.engine.errors import InputError
from replication.engine.estimation import estimate_ml
from replication.engine.fiml import Patterns
from replication.engine.moments import check_pd, prepare_data
from replication.engine.numdiff import gradient_jacobian
from replication.engine.partable import ModelSpec
from replication.engine.ram import RAM
from replication.engine.results import FitResult, assemble

__all__ = ["fit_fiml"]


def _h1(spec: ModelSpec, data: pd.DataFrame) -> tuple[Patterns, np.ndarray, np.ndarray]:
    """Missing-data patterns of the rows with any observed value, and the EM moments."""
    if spec.ov_x:
        raise InputError("missing='fiml': observed predictors (fixed.x) are not supported; "
                         "use listwise deletion")
    X = prepare_data(spec, data, "fiml").to_numpy(float)
    X = X[~np.isnan(X).all(axis=1)]
    pat = Patterns(X)
    if pat.n <= pat.p:
        raise InputError(f"data: {pat.n} rows with any observed value for {pat.p} variables; "
                         "expected more rows")
    mu1, S1 = pat.em()
    check_pd(S1, spec.ov, "data (EM estimate)")
    return pat, mu1, S1


class _Objective:
    """Minus the casewise log-likelihood per row and its analytic gradient in (theta, mu)."""

    def __init__(self, ram: RAM, pat: Patterns):
        self.ram, self.pat, self.q = ram, pat, ram.q

    def __call__(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        theta, mu = x[:self.q], x[self.q:]
        ll, gmu, gS = self.pat.loglik(mu, self.ram.implied(theta), grad=True)
        if not np.isfinite(ll):
            return 1e20, np.zeros_like(x)
        D, _ = self.ram.delta(theta)
        gth = D.reshape(self.q, -1) @ gS.reshape(-1)
        n = self.pat.n
        return -ll / n, -np.concatenate([gth, gmu]) / n

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """Central differences of the analytic gradient, symmetrized."""
        return gradient_jacobian(lambda t: self(t)[1], x, 1e-5)


def _maximize(obj: _Objective, x0: np.ndarray) -> tuple[np.ndarray, bool, int]:
    """L-BFGS, then Newton steps with halving until the largest gradient element is < 1e-9.

    Returns the estimates, whether they converged and the iterations (L-BFGS and Newton).
    """
    res = optimize.minimize(obj, x0, jac=True, method="L-BFGS-B",
                            options={"maxiter": 10000, "gtol": 1e-9, "ftol": 1e-15})
    x = res.x
    f, g = obj(x)
    iterations = int(res.nit)
    for _ in range(50):
        if np.max(np.abs(g)) < 1e-9:
            break
        try:
            step = -np.linalg.solve(obj.hessian(x), g)
        except np.linalg.LinAlgError:
            break
        t = 1.0
        while t > 1e-8:
            fc, gc = obj(x + t * step)
            if fc <= f + 1e-15:
                break
            t *= 0.5
        else:
            break
        x, f, g = x + t * step, fc, gc
        iterations += 1
    return x, bool(np.max(np.abs(g)) < 1e-6), iterations


def _observed_vcov(obj: _Objective, x: np.ndarray) -> np.ndarray | None:
    """Inverse observed information of the structural parameters and the intercepts (None
    when singular)."""
    H = obj.hessian(x)
    H = 0.5 * (H + H.T) * obj.pat.n
    try:
        vcov = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        return None
    return None if np.any(np.diag(vcov) < 0) else vcov


def _rows(frame: pd.DataFrame) -> list[dict]:
    """Parameter rows (``~1``) as dicts of the parameter table's columns."""
    return [dict(r, label="") for r in frame.to_dict("records")]


def _standard_errors(obj: _Objective, spec: ModelSpec, ram: RAM, x: np.ndarray, fm: dict,
                     data: pd.DataFrame, estimator: str):
    """``(vcov, fit measures, intercept rows, notes)``: the inverse observed information
    (lavaan's default with missing data) or, for MLR, the sandwich with the scaled and
    robust fit measures and the intercept rows (:func:`replication.engine.robust_fiml.
    robust_fiml`)."""
    from replication.engine.robust_fiml import robust_fiml

    q = spec.n_free
    theta = x[:q]
    if estimator == "MLR":
        X = prepare_data(spec, data, "fiml").to_numpy(float)
        rob = robust_fiml(spec, theta, X, fm["chisq"], fm["baseline.chisq"])
        return rob.vcov, {**fm, **rob.fit_measures}, _rows(rob.extra), []
    full = _observed_vcov(obj, x)
    if full is None:
        return np.full((q, q), np.nan), fm, [], [
            "the observed information matrix is singular; standard errors are not available"]
    return full[:q, :q], fm, [], []


def _measures(pat: Patterns, ram: RAM, theta: np.ndarray, mu: np.ndarray, mu1: np.ndarray,
              S1: np.ndarray) -> dict:
    """Fit measures with the mean structure (lavaan ``missing = "ml"``).

    GFI: ``1 - (tr(R R)/2 + e' Sigma^-1 e) / (tr(A A)/2 + m' Sigma^-1 m)`` with
    ``R = Sigma^-1 (S - Sigma)``, ``A = Sigma^-1 S`` and the residual means ``e``; SRMR with the
    standardized residual means (lavaan ``lav_fit_gfi``, ``lav_fit_srmr``).
    """
    p, n, q = pat.p, pat.n, ram.q
    Sigma = ram.implied(theta)
    logl, logl_h1 = pat.loglik(mu, Sigma), pat.loglik(mu1, S1)
    npar = q + p
    Si = np.linalg.inv(Sigma)
    Rm, Am = Si @ (S1 - Sigma), Si @ S1
    t1 = 0.5 * np.trace(Rm @ Rm) + (mu1 - mu) @ Si @ (mu1 - mu)
    t2 = 0.5 * np.trace(Am @ Am) + mu1 @ Si @ mu1
    sd = np.sqrt(np.diag(S1))
    R = (S1 - Sigma) / np.outer(sd, sd)
    e_mean = (mu1 - mu) / sd
    srmr = float(np.sqrt((np.sum(R[np.tril_indices(p)] ** 2) + np.sum(e_mean ** 2))
                         / (p * (p + 1) / 2 + p)))
    return fit_measures.build(
        chisq=2 * (logl_h1 - logl), df=p * (p + 1) // 2 + p - npar, npar=npar, n=n,
        baseline_chisq=2 * (logl_h1 - pat.independence_loglik()),
        baseline_df=p * (p + 1) // 2 + p - 2 * p, gfi=float(1 - t1 / t2),
        nel=p * (p + 1) / 2 + p, srmr=srmr, logl=logl, logl_h1=logl_h1)


def fit_fiml(spec: ModelSpec, data: pd.DataFrame, model: str, cov_y: bool,
             estimator: str = "ML") -> FitResult:
    """Full-information ML with free intercepts (lavaan ``missing = "ml"``), ML or MLR.

    Standard errors come from the observed information (lavaan's default with missing data)
    or, with ``estimator="MLR"``, the sandwich with the Yuan-Bentler scaled test; the
    result is built once with them.
    """
    pat, mu1, S1 = _h1(spec, data)
    ram = RAM(spec, S1)
    start = estimate_ml(ram, spec, S1, pat.n)
    obj = _Objective(ram, pat)
    x, converged, iterations = _maximize(obj, np.concatenate([start.theta, mu1]))
    q = spec.n_free
    theta, mu = x[:q], x[q:]
    fm = _measures(pat, ram, theta, mu, mu1, S1)
    vcov, fm, extra, notes = _standard_errors(obj, spec, ram, x, fm, data, estimator)
    return assemble(spec, ram, theta, converged, S1, pat.n, model, cov_y,
                    iterations=iterations, vcov=vcov, fit_measures=fm, extra=extra,
                    estimator=estimator, missing="fiml", notes=notes)
