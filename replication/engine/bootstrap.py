"""Nonparametric bootstrap of a maximum-likelihood SEM (lavaan's ``se = "bootstrap"``).

Each resample draws N rows with replacement, recomputes the covariance matrix (divisor N) and
refits the model by Fisher scoring on lavaan's ML discrepancy, started from the full-sample
estimates. Resamples run in chunks across processes (joblib); resample ``b`` always uses the
random generator seeded by the ``b``-th child of ``numpy.random.SeedSequence(seed)``, so
``jobs=1`` and ``jobs=4`` give identical results.

Which resamples count follows lavaan (``R/lav_bootstrap.R``): a resample whose covariance
matrix is not positive definite or whose fit does not converge fails; it is counted in
``n_failed`` (``nonconverged`` lists those that did not converge), its row of draws is NaN and
it is left out of standard errors and intervals ("failed or did not converge"). A resample
that converges to an inadmissible solution (a negative variance, a covariance matrix of the
latent variables or of the residuals that is not positive definite; lavaan's ``post.check``)
is kept and counted in ``n_inadmissible`` ("resulted in nonadmissible solutions").

The plain interval functions :func:`percentile_ci` and :func:`bias_corrected_ci` are lavaan's
(``boot.ci.type = "perc"`` and ``"bca.simple"``, with the normal-scale interpolation of order
statistics of ``boot::norm.inter``); :mod:`replication.analyses.mediation` uses the same ones.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd

from replication.engine.errors import InputError
from replication.engine.expressions import compile_expression, parse_expression
from replication.engine.ram import RAM
from replication.engine.moments import prepare_data, sample_cov
from replication.engine.results import FitResult, parameter_row
from replication.engine.sem import fit

__all__ = ["BootstrapResult", "bootstrap", "percentile_ci", "bias_corrected_ci"]

_NORMAL = NormalDist()


# ------------------------------------------------------------------------------------------
# Intervals from bootstrap draws (lavaan's definitions)
# ------------------------------------------------------------------------------------------
def _norm_inter(t: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Quantiles of ``t`` at ``alpha`` by interpolation on the normal scale.

    lavaan's copy of ``boot::norm.inter`` (Davison & Hinkley, 1997, eq. 5.8): with ``R`` sorted
    finite draws and ``r = (R + 1) alpha``, an integer ``r`` gives the ``r``-th order statistic,
    otherwise ``t_k + (Phi^-1(alpha) - Phi^-1(k/(R+1))) / (Phi^-1((k+1)/(R+1)) -
    Phi^-1(k/(R+1))) (t_(k+1) - t_k)`` with ``k = floor(r)``; ``k = 0`` gives the smallest draw,
    ``k = R`` the largest, and ``r = R + 1`` (``alpha = 1``) has no order statistic (NaN, NA in
    lavaan).
    """
    t = np.sort(t[np.isfinite(t)])
    R = t.size
    alpha = np.asarray(alpha, dtype=float)
    rk = (R + 1) * alpha
    k = np.trunc(rk).astype(int)
    out = np.empty(alpha.shape)
    for i in range(alpha.size):
        if k[i] > R:
            out[i] = np.nan
        elif k[i] <= 0:
            out[i] = t[0]
        elif k[i] == rk[i]:
            out[i] = t[k[i] - 1]
        elif k[i] == R:
            out[i] = t[R - 1]
        else:
            z = _NORMAL.inv_cdf(float(alpha[i]))
            z1 = _NORMAL.inv_cdf(k[i] / (R + 1))
            z2 = _NORMAL.inv_cdf((k[i] + 1) / (R + 1))
            tk, tk1 = t[k[i] - 1], t[k[i]]
            out[i] = tk + (z - z1) / (z2 - z1) * (tk1 - tk)
    return out


def percentile_ci(draws: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval.

    Parameters
    ----------
    draws : sequence of float
        Bootstrap replicates of one statistic (non-finite values, failed resamples, are left
        out).
    level : float
        Confidence level.

    Returns
    -------
    (lower, upper)
        Quantiles ``(1 -/+ level) / 2`` with the normal-scale interpolation of order
        statistics (:func:`_norm_inter`), as lavaan's ``parameterEstimates(boot.ci.type =
        "perc")``; NaN without finite draws.

    References
    ----------
    Davison, A. C., & Hinkley, D. V. (1997). *Bootstrap Methods and their Application*.
    Cambridge University Press. lavaan ``R/lav_object_methods.R`` (``parameterEstimates``).

    Examples
    --------
    >>> [round(b, 6) for b in percentile_ci(range(1, 101), 0.9)]
    [5.053609, 95.946391]

    R: ``norm.inter(1:100, c(.05, .95))`` inside lavaan's ``parameterEstimates``.
    """
    t = np.asarray(draws, dtype=float)
    if not np.isfinite(t).any():
        return (np.nan, np.nan)
    q = _norm_inter(t, np.array([(1 - level) / 2, (1 + level) / 2]))
    return float(q[0]), float(q[1])


def bias_corrected_ci(draws: Sequence[float], estimate: float,
                      level: float = 0.95) -> tuple[float, float]:
    """Bias-corrected (BC, no acceleration) bootstrap interval.

    Parameters
    ----------
    draws : sequence of float
        Bootstrap replicates (non-finite values, failed resamples, are left out).
    estimate : float
        Full-sample estimate.
    level : float
        Confidence level.

    Returns
    -------
    (lower, upper)
        Quantiles (:func:`_norm_inter`) at ``Phi(2 z0 -/+ z_(1 - (1 - level)/2))`` with
        ``z0 = Phi^-1(share of draws below the estimate)``, as lavaan's ``boot.ci.type =
        "bca.simple"``. Constant draws give ``(estimate, estimate)`` (lavaan keeps the
        estimate); when every draw lies on one side of the estimate ``z0`` is infinite and the
        interval is NaN (NA in lavaan); NaN without finite draws.

    References
    ----------
    Efron, B. (1987). Better bootstrap confidence intervals. *JASA*, 82, 171-185.
    MacKinnon, D. P., Lockwood, C. M., & Williams, J. (2004). Confidence limits for the
    indirect effect. *Multivariate Behavioral Research*, 39(1), 99-128.
    """
    t = np.asarray(draws, dtype=float)
    t = t[np.isfinite(t)]
    if t.size == 0 or not np.isfinite(estimate):
        return (np.nan, np.nan)
    if np.all(t == t[0]):
        return (float(estimate), float(estimate))
    share = np.mean(t < estimate)
    if share <= 0 or share >= 1:
        return (np.nan, np.nan)
    z0 = _NORMAL.inv_cdf(float(share))
    za = [_NORMAL.inv_cdf((1 - level) / 2), _NORMAL.inv_cdf((1 + level) / 2)]
    q = _norm_inter(t, np.array([_NORMAL.cdf(2 * z0 + z) for z in za]))
    return float(q[0]), float(q[1])


@dataclass
class BootstrapResult:
    """Bootstrap draws of every free (and defined) parameter.

    Attributes
    ----------
    estimates : DataFrame
        ``n_boot`` rows (row ``b`` is resample ``b``) by parameter, columns ``"lhs op rhs"`` for
        free parameters and ``"name := expr"`` for defined parameters; rows of failed resamples
        are NaN.
    std_estimates : DataFrame
        The same for lavaan's ``std.all``.
    n_failed : int
        Resamples left out: covariance matrix not positive definite, or fit not converged.
    failed : list of int
        Their indices.
    full : FitResult
        The full-sample fit.
    seed : int or None
    nonconverged : list of int
        Indices of the failed resamples whose fit did not converge.
    inadmissible : list of int
        Indices of the kept resamples with an inadmissible solution.
    """

    estimates: pd.DataFrame
    std_estimates: pd.DataFrame
    n_failed: int
    failed: list[int]
    full: FitResult
    seed: int | None = None
    columns: list[tuple[str, str, str]] = field(default_factory=list, repr=False)
    nonconverged: list[int] = field(default_factory=list)
    inadmissible: list[int] = field(default_factory=list)

    @property
    def n_boot(self) -> int:
        return len(self.estimates)

    @property
    def n_used(self) -> int:
        """Resamples in the standard errors and intervals (lavaan's successful draws)."""
        return self.n_boot - self.n_failed

    @property
    def n_nonconverged(self) -> int:
        return len(self.nonconverged)

    @property
    def n_inadmissible(self) -> int:
        return len(self.inadmissible)

    @property
    def drawn(self) -> bool:
        """Whether resamples were drawn: not when the full-sample fit did not converge."""
        return bool(self.full.converged)

    @property
    def warnings(self) -> list[str]:
        """lavaan's two bootstrap warnings, when they apply."""
        if not self.drawn:
            return [f"no bootstrap resamples were drawn: the model did not converge on the full "
                    f"sample (as lavaan, which computes no standard errors then); the "
                    f"{self.n_boot} draws are empty"]
        out = []
        if self.n_failed:
            out.append(f"{self.n_failed} of {self.n_boot} bootstrap runs failed or did not "
                       f"converge ({self.n_nonconverged} not converged); they are left out")
        if self.n_inadmissible:
            out.append(f"{self.n_inadmissible} of {self.n_boot} bootstrap runs resulted in "
                       "nonadmissible solutions (kept, as lavaan keeps them)")
        return out

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Bootstrap standard errors and intervals.

        Returns
        -------
        DataFrame
            ``lhs, op, rhs, est`` (full sample), ``boot_se`` (SD of the draws, divisor B - 1, as
            lavaan), ``ci_lower, ci_upper`` (:func:`percentile_ci`) and ``bc_lower, bc_upper``
            (:func:`bias_corrected_ci`), one row per column of :attr:`estimates`, from the
            resamples that did not fail (``n_boot - n_failed`` draws).
        """
        if not 0 < level < 1:
            raise InputError(f"level: expected a number between 0 and 1, got {level}")
        full = self.full.parameters
        E = self.estimates.to_numpy(dtype=float)
        E = E[np.isfinite(E).all(axis=1)]  # failed resamples are left out, as lavaan does
        rows = []
        for (lhs, op, rhs), d in zip(self.columns, E.T):
            m = parameter_row(full, lhs, op, rhs)
            est = float(m["est"]) if m is not None else np.nan
            se = float(np.std(d, ddof=1)) if d.size > 1 else np.nan
            lo, hi = percentile_ci(d, level)
            blo, bhi = bias_corrected_ci(d, est, level)
            rows.append({"lhs": lhs, "op": op, "rhs": rhs, "est": est, "boot_se": se,
                         "ci_lower": lo, "ci_upper": hi, "bc_lower": blo, "bc_upper": bhi})
        return pd.DataFrame(rows, columns=["lhs", "op", "rhs", "est", "boot_se", "ci_lower",
                                           "ci_upper", "bc_lower", "bc_upper"])


# ------------------------------------------------------------------------------------------
# Worker
# ------------------------------------------------------------------------------------------
_STATE: dict = {}
OK, INADMISSIBLE, NOT_CONVERGED, NOT_PD = "ok", "inadmissible", "not converged", "not pd"
NOT_DRAWN = "not drawn"


def _single_thread():
    """Limit BLAS to one thread: the matrices are small and resamples run in parallel."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return None
    return threadpool_limits(1)


class _Resampler:
    """What every resample of one bootstrap shares: the model, the centred data, the start,
    and index arrays for the standardized solution, the admissibility check and the defined
    parameters, built once per process."""

    def __init__(self, spec, X: np.ndarray, theta0: np.ndarray):
        self.spec, self.X, self.theta0 = spec, X, theta0
        S = X.T @ X / len(X)  # X is centred: the divisor-N covariance
        self.ram = ram = RAM(spec, S)
        # the matrices at the start do not depend on the resample (unless fixed.x moments do)
        self.start = None if ram.exo_entries else ram.kernel.point(
            theta0, S, np.linalg.slogdet(S)[1])
        rows = spec.rows
        first = {}
        for k, r in enumerate(rows):
            first.setdefault(r["free"], k)
        self.free_rows = np.array([first[j] for j in range(spec.n_free)], int)
        labelled = [(k, r) for k, r in enumerate(rows) if r["label"]]
        self.std_labels = [(r["label"], k) for k, r in labelled]
        self.est_labels = [(r["label"], r["free"], r["value"]) for _, r in labelled]
        # eval_defined's expressions, read and turned into functions once
        self.defined = [(name, expr, compile_expression(parse_expression(expr)))
                        for name, expr in spec.defined]
        # is_admissible's blocks: latent variables, residuals of the non-fixed.x observed ones
        self.lv = ram.p if spec.lv else None  # latent variables follow the observed ones
        x = set(spec.ov_x)
        y = np.array([i for i, v in enumerate(spec.ov) if v not in x], int)
        self.y = y if len(y) else None
        if self.y is not None:
            # a diagonal residual block has its diagonal as eigenvalues
            free_off = {(i, j) for i, j in zip(ram.s_rows, ram.s_cols) if i != j}
            fixed_off = np.count_nonzero(ram.S0[np.ix_(y, y)] - np.diag(np.diag(ram.S0)[y]))
            ys = set(y.tolist())
            self.y_diagonal = not fixed_off and not any(
                i in ys and j in ys for i, j in free_off)

    def _defined(self, values: dict) -> list[float]:
        """:func:`replication.engine.partable.eval_defined`, with the expressions read once
        (:func:`replication.engine.expressions.compile_expression`)."""
        env = dict(values)
        out = []
        for name, expr, run in self.defined:
            try:
                val = run(env)
            except InputError as exc:
                raise InputError(f"model: cannot evaluate defined parameter {name} := "
                                 f"{expr}: {exc}") from None
            env[name] = val
            out.append(val)
        return out

    def _admissible(self, theta: np.ndarray, Sm: np.ndarray, C: np.ndarray) -> bool:
        """lavaan's ``post.check`` as :func:`replication.engine.estimation.is_admissible`
        (no negative variance; latent covariance matrix and residual covariance matrix of the
        non-fixed.x observed variables without an eigenvalue below ``-eps^(3/4)``), from the
        RAM ``S`` and the total covariance ``C`` at hand."""
        if not np.all(np.isfinite(theta)):
            return False
        if np.any(np.diag(Sm) < 0):
            return False
        tol = -np.finfo(float).eps ** 0.75
        if self.lv is not None and np.linalg.eigvalsh(C[self.lv:, self.lv:]).min() < tol:
            return False
        if self.y is not None and not self.y_diagonal:
            if np.linalg.eigvalsh(Sm[np.ix_(self.y, self.y)]).min() < tol:
                return False
        return True

    def one(self, b_seed: np.random.SeedSequence):
        """Resample ``b``: ``(status, estimates, std.all)``, the arrays None when it failed."""
        X, ram = self.X, self.ram
        n = len(X)
        rng = np.random.default_rng(b_seed)
        idx = rng.integers(0, n, size=n)
        S = sample_cov(X[idx])
        try:
            np.linalg.cholesky(S)
        except np.linalg.LinAlgError:
            return NOT_PD, None, None
        if ram.exo_entries:
            ram.set_exo(S)
        theta, conv = _refit(ram, self.theta0, S, self.start)
        if not conv:
            return NOT_CONVERGED, None, None
        A, Sm = ram.matrices(theta)
        B = ram.kernel.inverse(A)
        C = B @ Sm @ B.T
        std = ram.standardized_from(A, Sm, C)
        est = theta
        std_free = std[self.free_rows]
        if self.defined:
            d = self._defined({lab: (theta[j] if j >= 0 else v) for lab, j, v in self.est_labels})
            ds = self._defined({lab: std[k] for lab, k in self.std_labels})
            est = np.concatenate([theta, d])
            std_free = np.concatenate([std_free, ds])
        status = OK if self._admissible(theta, Sm, C) else INADMISSIBLE
        return status, est, std_free


def _init(spec, X, theta0, limit_threads=True, token=None):
    if limit_threads:
        _STATE["limits"] = _single_thread()
    _STATE["token"] = token
    _STATE["resampler"] = _Resampler(spec, X, theta0)


#: Most L-BFGS iterations of a resample whose Newton refit failed. A resample that needs more
#: (an empirically unidentified or Heywood resample drifting towards infinite estimates) is
#: counted as not converged, as lavaan counts a resample that reaches its iteration limit; the
#: cap bounds the work of each resample (without it such a resample took up to 1,100
#: iterations, 0.4 s of CPU on a 5-variable model; scipy's L-BFGS-B step alone costs about
#: 0.5 ms).
MAX_FALLBACK_ITER = 100


def _lbfgs(ram: RAM, theta0: np.ndarray, S: np.ndarray) -> np.ndarray:
    """:meth:`RAM.lbfgs` with at most :data:`MAX_FALLBACK_ITER` iterations."""
    return ram.lbfgs(theta0, S, max_iter=MAX_FALLBACK_ITER, max_fun=3 * MAX_FALLBACK_ITER // 2)


def _refit(ram: RAM, theta0: np.ndarray, S: np.ndarray, start=None) -> tuple[np.ndarray, bool]:
    """Newton / scoring from the full-sample estimates, L-BFGS from there when that fails
    (:meth:`RAM.refit`: :meth:`RAM.fisher`'s iterations with the faster derivatives), at most
    :data:`MAX_FALLBACK_ITER` iterations of it."""
    theta, conv, _ = ram.refit(theta0, S, max_iter=100, tol=1e-8, start=start)
    if not conv or not np.all(np.isfinite(theta)):
        theta = _lbfgs(ram, theta0, S)
        theta, conv, _ = ram.refit(theta, S, max_iter=100, tol=1e-8)
    return theta, bool(conv and np.all(np.isfinite(theta)))


def _one(b_seed: np.random.SeedSequence):
    """Resample ``b`` with this process's :class:`_Resampler`."""
    return _STATE["resampler"].one(b_seed)


def _chunk(token, spec, X, theta0, seeds):
    """A chunk of resamples in a worker process (state set up once per bootstrap)."""
    if _STATE.get("token") != token:
        _init(spec, X, theta0, token=token)
    return [_one(s) for s in seeds]


def _forked_chunk(seeds):
    """A chunk of resamples in a forked worker, which inherited the parent's state."""
    return [_one(s) for s in seeds]


class _Callback:
    """A progress callback with the two methods of a tqdm bar that :func:`bootstrap` uses."""

    def __init__(self, fn: Callable[[int], None]):
        self.fn = fn

    def update(self, k: int) -> None:
        self.fn(int(k))

    def close(self) -> None:
        pass


def _progress_bar(progress, n_boot: int):
    if callable(progress):
        return _Callback(progress)
    if progress:
        from tqdm.auto import tqdm

        return tqdm(total=int(n_boot), desc="bootstrap")
    return None


def _draw(spec, Xc: np.ndarray, theta0: np.ndarray, children: list, jobs: int, bar) -> list:
    """Every resample, in order, on ``jobs`` processes."""
    results: list = []
    fork = "fork" in mp.get_all_start_methods()
    if jobs == 1 or fork:
        _init(spec, Xc, theta0, limit_threads=False)
        limits = _single_thread()
        try:
            if jobs == 1:
                for s in children:
                    results.append(_one(s))
                    if bar is not None:
                        bar.update(1)
            else:
                # forked workers inherit the model, data and thread limit: nothing to send
                # but the seeds, and no start-up cost
                size = max(1, min(25, int(np.ceil(len(children) / (jobs * 8)))))
                chunks = [children[i:i + size] for i in range(0, len(children), size)]
                with mp.get_context("fork").Pool(jobs) as pool:
                    for out in pool.imap(_forked_chunk, chunks):
                        results.extend(out)
                        if bar is not None:
                            bar.update(len(out))
        finally:
            if limits is not None:
                limits.restore_original_limits()
            _STATE.clear()
        return results
    from joblib import Parallel, delayed

    size = max(1, min(50, int(np.ceil(len(children) / (jobs * 4)))))
    chunks = [children[i:i + size] for i in range(0, len(children), size)]
    token = uuid.uuid4().hex
    # loky workers set up the state once per bootstrap; the chunks go out in rounds so that
    # progress can be shown between them
    with Parallel(n_jobs=jobs, backend="loky") as run:
        for g in range(0, len(chunks), 4 * jobs):
            for out in run(delayed(_chunk)(token, spec, Xc, theta0, c)
                           for c in chunks[g:g + 4 * jobs]):
                results.extend(out)
                if bar is not None:
                    bar.update(len(out))
    return results


def _collect(results: list, k: int) -> tuple[np.ndarray, np.ndarray, list, list, list]:
    """Draws as arrays (NaN rows for failed resamples) and the indices by status."""
    est = np.full((len(results), k), np.nan)
    std = np.full((len(results), k), np.nan)
    failed, nonconv, inadm = [], [], []
    for b, (status, e, s) in enumerate(results):
        if e is None:
            failed.append(b)
            if status == NOT_CONVERGED:
                nonconv.append(b)
            continue
        est[b], std[b] = e, s
        if status == INADMISSIBLE:
            inadm.append(b)
    return est, std, failed, nonconv, inadm


# ------------------------------------------------------------------------------------------
# Public
# ------------------------------------------------------------------------------------------
def bootstrap(model: str, data: pd.DataFrame, n_boot: int = 1000, seed: int | None = None,
              jobs: int = 1, progress: bool | Callable[[int], None] = False, *,
              cov_y: bool = False, full: FitResult | None = None) -> BootstrapResult:
    """Nonparametric bootstrap of every free and defined parameter of an ML SEM.

    Parameters
    ----------
    model : str
        lavaan syntax (``:=`` defined parameters are bootstrapped too).
    data : DataFrame
        Raw responses (listwise deletion as :func:`replication.engine.sem.fit`).
    n_boot : int, default 1000
        Number of resamples.
    seed : int, optional
        Seed of ``numpy.random.SeedSequence``; resample ``b`` uses its ``b``-th child.
    jobs : int, default 1
        Worker processes (results do not depend on it).
    progress : bool or callable, default False
        ``True`` shows a tqdm progress bar; a callable is called with the number of resamples
        finished since its last call (a command line passes its own bar's ``update``).
    cov_y : bool, default False
        As :func:`replication.engine.sem.fit`.
    full : FitResult, optional
        The ML fit of ``model`` to the complete rows of ``data`` when it is already at hand
        (``replicate fit`` has just computed it); otherwise it is computed here.

    Returns
    -------
    BootstrapResult
        When the full-sample fit did not converge no resample is drawn (lavaan computes no
        standard errors for such a model): every row of draws is NaN, ``n_failed == n_boot``
        and :attr:`BootstrapResult.warnings` says why.

    Notes
    -----
    Each resample refits by Fisher scoring with the analytic gradient and expected information
    of the ML discrepancy, warm-started from the full-sample estimates (falling back to L-BFGS
    from the same start). lavaan's ``se = "bootstrap"`` draws resamples the same way, drops the
    same failures, keeps inadmissible solutions, and uses the same SD and interval definitions
    (:func:`percentile_ci`, :func:`bias_corrected_ci`); with different random numbers the two
    agree within Monte Carlo error (``scripts/bootstrap_fixtures.R``).

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
    Bollen, K. A., & Stine, R. A. (1990). Direct and indirect effects: classical and bootstrap
    estimates of variability. *Sociological Methodology*, 20, 115-140.
    lavaan ``R/lav_bootstrap.R``.
    """
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise InputError(f"n_boot: expected a positive integer, got {n_boot!r}")
    if not isinstance(jobs, (int, np.integer)) or jobs < 1:
        raise InputError(f"jobs: expected a positive integer, got {jobs!r}")
    if full is None:
        limits = _single_thread()
        try:
            full = fit(model, data, cov_y=cov_y)
        finally:
            if limits is not None:
                limits.restore_original_limits()
    spec = full.spec
    X = prepare_data(spec, data, "listwise").to_numpy(dtype=float)
    if len(X) < 3:
        raise InputError(f"data: {len(X)} complete rows; expected more for a bootstrap")
    children = np.random.SeedSequence(seed).spawn(int(n_boot))
    cols = [(r["lhs"], r["op"], r["rhs"]) for r in spec.free_rows()]
    cols += [(name, ":=", expr.replace(" ", "")) for name, expr in spec.defined]
    names = [f"{a} {o} {b}" for a, o, b in cols]
    if full.converged:
        bar = _progress_bar(progress, n_boot)
        jobs = int(min(jobs, n_boot, os.cpu_count() or 1))
        results = _draw(spec, X - X.mean(axis=0), full.theta, children, jobs, bar)
        if bar is not None:
            bar.close()
    else:  # no estimates to start from or to compare with: every resample is left out
        results = [(NOT_DRAWN, None, None)] * int(n_boot)
    est, std, failed, nonconv, inadm = _collect(results, len(cols))
    return BootstrapResult(
        estimates=pd.DataFrame(est, columns=names),
        std_estimates=pd.DataFrame(std, columns=names),
        n_failed=len(failed), failed=failed, full=full, seed=seed, columns=cols,
        nonconverged=nonconv, inadmissible=inadm)
