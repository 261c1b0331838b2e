"""Monte Carlo power of each hypothesis of a record (Muthen and Muthen 2002).

A *design* (:class:`Design`) holds the population the data are drawn from and the analyses the
paper ran; :func:`simulate` draws ``reps`` data sets at each N, runs the paper's test of each
hypothesis on each and summarises, per hypothesis and N, in the vocabulary of simsem and Mplus
MONTECARLO: power among converged replications and among all, its Monte Carlo SE, convergence
and admissibility rates, the mean estimate and its bias, the SD of the estimates, the mean SE and
its relative bias, and the 95% coverage; :func:`n_for_power` gives the N that reaches a target.

Populations (:func:`record_design`):

* ``reconstructed`` (a paper with tables) or ``assumed`` (an abstract): the record's population
  (:func:`replication.data.population.population`) with the misfit calibrated to the printed
  chi-square (:func:`replication.data.misfit.calibrate`, the reconstruction's seed), exactly as
  ``replicate reconstruct --source simulated`` draws it;
* ``data``: the record's model fitted to a CSV of responses (its implied covariance, and the
  data's item means and SDs for the Likert thresholds); a record with moderations keeps the
  data's own distribution (rows are resampled), since a normal model carries no interaction.

Responses are Likert on the record's scale (thresholds on a normal response, as
:mod:`replication.data.likert`) unless ``continuous=True``. The parameter values the estimates
are compared with (``true_value``) are those of the analysis model at the population of the
responses themselves: the ML solution at the exact covariance of the Likert items (bivariate
normal orthant probabilities through Owen's T) or, where latent products make the responses
non-normal or the data are resampled, the estimate on one draw of :data:`N_TRUTH` respondents.

Tests, as the paper's (and :func:`replication.compare.core.hypothesis_verdicts`): a path or an
interaction is supported when its two-sided Wald (SEM) or t (OLS) test has ``p < alpha`` and
the estimate has the hypothesised sign; a mediation when the percentile bootstrap interval of
the total indirect effect at level ``1 - alpha`` excludes zero on the hypothesised side. Each
bootstrap resample is refitted by one Newton step from the replication's estimate with the
Hessian at that estimate (the one-step bootstrap: Schucany and Wang 1991; Andrews 2002, whose
k-step bootstrap has the same first-order accuracy as the fully iterated one); the step is
linear in the resample's covariance matrix, so all resamples of a replication cost one matrix
product.

Parallel and reproducible: replication ``r`` at sample size ``N`` always uses the generator of
``SeedSequence(seed, spawn_key=(N, r))`` (the child ``(N, r)`` of the seed); replications run in
batches, in this process, across processes (joblib, ``jobs``) or on a Dask cluster
(``scheduler``), every worker limited to one BLAS thread, and the results are put back in
replication order, so the JSON is byte-identical whatever runs it.

References
----------
Muthen, L. K., & Muthen, B. O. (2002). How to use a Monte Carlo study to decide on sample size
and determine power. *Structural Equation Modeling*, 9, 599-620.
Schucany, W. R., & Wang, S. (1991). One-step bootstrapping for smooth iterative procedures.
*Journal of the Royal Statistical Society B*, 53, 587-596.
Andrews, D. W. K. (2002). Higher-order improvements of a computationally attractive k-step
bootstrap for extremum estimators. *Econometrica*, 70, 119-162.
Owen, D. B. (1956). Tables for computing bivariate normal probabilities. *Annals of
Mathematical Statistics*, 27, 1075-1090.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from replication.engine.bootstrap import percentile_ci
from replication.engine.errors import InputError
from replication.engine.estimation import is_admissible
from replication.engine.ram import RAM, specify

__all__ = ["N_TRUTH", "N_MAX", "MIN_CONVERGED", "SCHEDULER_CONNECT_TIMEOUT", "SCHEDULER_WAIT",
           "check_scheduler_address", "Target", "SemAnalysis", "OlsAnalysis", "Generator", "Design",
           "likert_covariance", "simulate", "summarize", "n_for_power", "run_batch"]

#: Respondents of the single large draw that gives the true values of non-normal populations.
N_TRUTH = 100_000
#: Largest N that :func:`n_for_power` reports; a target not reached by then is an input error.
N_MAX = 100_000
#: Fewest converged replications at an N from which its power, Monte Carlo SE and SD of the
#: estimates are estimated; with fewer they are reported as missing and :func:`n_for_power` says
#: there were too few replications (one replication shows only one test's outcome).
MIN_CONVERGED = 2
_Z975 = float(-special.ndtri(0.025))


# ------------------------------------------------------------------------------------------
# Design
# ------------------------------------------------------------------------------------------
@dataclass
class Target:
    """One hypothesis: which estimate tests it and in which direction.

    ``index`` is a free-parameter index of the analysis (path, interaction) or a list of
    ``(a, b)`` index pairs whose products sum to the indirect effect (mediation); for an OLS
    analysis it is the column of the term in the design.
    """

    hypothesis: str
    kind: str
    effect: str
    sign: str
    index: object
    analysis: int
    true_value: float = math.nan
    #: SD of the estimate times sqrt(N) in the population (expected information; OLS: the
    #: residual variance): the Wald test's power at any N (:mod:`replication.analyses.wald_power`)
    unit_sd: float = math.nan


@dataclass
class SemAnalysis:
    """An ML SEM; ``columns`` gives each observed variable of the model (``spec.ov`` order) as an
    item column or a pair of item columns whose double-mean-centred product it is."""

    model: str
    columns: list
    theta0: np.ndarray | None = None
    bootstrap: int = 0

    def spec(self):
        return specify(self.model)


@dataclass
class OlsAnalysis:
    """OLS on composite scores: ``y`` on ``terms`` (centred; products of centred pairs)."""

    composites: list[list[int]]
    y: int
    linear: list[int]
    products: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Generator:
    """How one data set is drawn.

    ``kind`` ``normal``: ``Z ~ N(0, cov)``; ``structural``: the record's latent structure
    (:func:`replication.data.reconstruct.latent_draw` or ``composite_draw``) mapped onto ``cov``
    by ``transport``; ``resample``: rows of ``data`` drawn with replacement. ``thresholds``
    (one array per item, standardized scale) turn ``Z`` into Likert categories; ``None`` keeps
    continuous responses ``Z + means``.
    """

    kind: str
    items: list[str]
    cov: np.ndarray | None = None
    means: np.ndarray | None = None
    thresholds: list[np.ndarray] | None = None
    population: object = None
    transport: np.ndarray | None = None
    data: np.ndarray | None = None

    def draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """One data set of ``n`` rows (items in :attr:`items` order)."""
        if self.kind == "resample":
            return self.data[rng.integers(0, len(self.data), size=n)]
        if self.kind == "normal":
            Z = rng.standard_normal((n, len(self.items))) @ np.linalg.cholesky(self.cov).T
        else:
            from replication.data.reconstruct import composite_draw, latent_draw

            draw = composite_draw if self.population.level == "composite" else latent_draw
            Z = draw(self.population, n, rng, exact=False) @ self.transport
        if self.thresholds is None:
            return Z + self.means
        Z = Z / np.sqrt(np.diag(self.cov))
        out = np.empty_like(Z)
        for j, tau in enumerate(self.thresholds):
            out[:, j] = 1 + np.searchsorted(tau, Z[:, j], side="left")
        return out


@dataclass
class Design:
    """Population, analyses and hypotheses of one Monte Carlo study."""

    paper: str
    generator: Generator
    analyses: list
    targets: list[Target]
    n_free: int
    population: dict
    n_published: int | None = None


# ------------------------------------------------------------------------------------------
# Exact moments of Likert items
# ------------------------------------------------------------------------------------------
def _bvn_cdf(h: np.ndarray, k: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Bivariate standard normal CDF through Owen's T function (Owen 1956, eq. 2.1)."""
    h = np.where(np.abs(h) < 1e-12, 1e-12, h)
    k = np.where(np.abs(k) < 1e-12, 1e-12, k)
    s = np.sqrt(1.0 - rho * rho)
    beta = np.where(h * k > 0, 0.0, 0.5)
    return (0.5 * (special.ndtr(h) + special.ndtr(k)) - special.owens_t(h, (k - rho * h) / (h * s))
            - special.owens_t(k, (h - rho * k) / (k * s)) - beta)


def likert_covariance(cov: np.ndarray, thresholds: list[np.ndarray]) -> np.ndarray:
    """Covariance of Likert items cut from a normal response with covariance ``cov``.

    Parameters
    ----------
    cov : ndarray (p, p)
        Covariance of the underlying normal responses.
    thresholds : list of ndarray
        Item ``j`` is ``1 + #{k : z_j > tau_jk}`` with ``z_j`` standardized.

    Returns
    -------
    ndarray (p, p)
        ``Cov(L_i, L_j) = sum_k sum_l [Phi2(tau_ik, tau_jl; rho_ij) - Phi(tau_ik) Phi(tau_jl)]``
        and ``Var(L_i) = sum_k sum_l [Phi(min(tau_ik, tau_il)) - Phi(tau_ik) Phi(tau_il)]``
        (the category is a sum of indicators ``1[z > tau]``), with ``Phi2`` from Owen's T.

    References
    ----------
    Owen, D. B. (1956). Tables for computing bivariate normal probabilities. *Annals of
    Mathematical Statistics*, 27, 1075-1090.
    """
    sd = np.sqrt(np.diag(cov))
    R = cov / np.outer(sd, sd)
    p = len(thresholds)
    out = np.empty((p, p))
    for i in range(p):
        ti = np.asarray(thresholds[i], float)
        Pi = special.ndtr(ti)
        out[i, i] = float(np.sum(special.ndtr(np.minimum.outer(ti, ti)) - np.outer(Pi, Pi)))
        for j in range(i):
            tj = np.asarray(thresholds[j], float)
            H, K = np.meshgrid(ti, tj, indexing="ij")
            c = float(np.sum(_bvn_cdf(H, K, np.full(H.shape, R[i, j]))
                             - np.outer(Pi, special.ndtr(tj))))
            out[i, j] = out[j, i] = c
    return out


# ------------------------------------------------------------------------------------------
# One replication
# ------------------------------------------------------------------------------------------
def _cov_n(X: np.ndarray) -> np.ndarray:
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / len(X)


def _analysis_data(X: np.ndarray, columns: list) -> np.ndarray:
    """The analysis' observed variables: an int is an item column, a pair ``(a, b)`` the
    double-mean-centred product of two items (matched-pair product indicator; Lin et al. 2010)."""
    Xc = X - X.mean(axis=0)
    out = np.empty((len(X), len(columns)))
    for k, c in enumerate(columns):
        if isinstance(c, tuple):
            prod = Xc[:, c[0]] * Xc[:, c[1]]
            out[:, k] = prod - prod.mean()
        else:
            out[:, k] = X[:, c]
    return out


def _fit(ram: RAM, theta0: np.ndarray, S: np.ndarray) -> tuple[np.ndarray, bool]:
    """ML estimates from the population values: Newton steps (:meth:`RAM.refit`, the
    bootstrap's faster derivatives: the same optimum to within rounding), else Fisher scoring
    with step halving from the same start (bounded work: a replication that neither converges is
    counted as not converged, as simsem counts it)."""
    theta, conv, _ = ram.refit(theta0, S, max_iter=100, tol=1e-8)
    if not conv or not np.all(np.isfinite(theta)):
        theta, conv, _ = ram.fisher(theta0, S, max_iter=300, tol=1e-8, newton=False)
    return theta, bool(conv and np.all(np.isfinite(theta)))


def _admissible(ram: RAM, theta: np.ndarray) -> bool:
    """lavaan's post-check: no negative variance, positive definite latent covariance."""
    return is_admissible(ram.spec, ram, theta)


def _indirect(theta: np.ndarray, pairs) -> np.ndarray:
    theta = np.atleast_2d(theta)
    return sum(theta[:, a] * theta[:, b] for a, b in pairs)


def _one_step_draws(ram: RAM, theta: np.ndarray, X: np.ndarray, B: int, rng) -> np.ndarray:
    """One-step bootstrap estimates ``theta* = theta - H^-1 g*(theta)`` of ``B`` resamples.

    ``g*`` is the gradient of ``F_ML`` at ``theta`` with the resample's covariance ``S*``:
    ``g_a = tr(W* Sigma_a)``, ``W* = Sigma^-1 - Sigma^-1 S* Sigma^-1``, linear in ``S*``
    (Schucany and Wang 1991; Andrews 2002).
    """
    n, p = X.shape
    Xc = X - X.mean(axis=0)
    _, _, H, _ = ram.newton_step(theta, Xc.T @ Xc / n)
    D, Sigma = ram.delta(theta)
    Si = np.linalg.inv(Sigma)
    G = (Si @ D @ Si).reshape(len(theta), p * p)
    # resample b takes row i W[b, i] times: S*_b = W_b (x x') / n - m_b m_b'
    idx = rng.integers(0, n, size=(B, n)) + n * np.arange(B)[:, None]
    W = np.bincount(idx.ravel(), minlength=B * n).reshape(B, n).astype(float)
    M = W @ Xc / n
    Ss = W @ (Xc[:, :, None] * Xc[:, None, :]).reshape(n, p * p) / n
    Ss -= (M[:, :, None] * M[:, None, :]).reshape(B, p * p)
    g = (D.reshape(len(theta), -1) @ Si.reshape(-1))[None, :] - Ss @ G.T
    try:
        step = np.linalg.solve(H, g.T).T
    except np.linalg.LinAlgError:
        return np.full((B, len(theta)), np.nan)
    return theta[None, :] - step


def _sem_rep(a: SemAnalysis, ram: RAM, X: np.ndarray, targets, alpha: float, rng) -> dict:
    Xa = _analysis_data(X, a.columns)
    n = len(Xa)
    S = _cov_n(Xa)
    if ram.exo_entries:
        ram.set_exo(S)
    theta, conv = _fit(ram, a.theta0, S)
    out = {"converged": conv, "admissible": False, "values": {}}
    if not conv:
        return out
    out["admissible"] = _admissible(ram, theta)
    try:
        vcov = np.linalg.inv(n * ram.information(theta))
        se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    except np.linalg.LinAlgError:
        se = np.full(len(theta), np.nan)
    boot = None
    zc = -special.ndtri(alpha / 2)
    for t in targets:
        if t.kind == "mediation":  # one bootstrap of the SEM serves every mediation, as lavaan
            if boot is None:
                boot = _one_step_draws(ram, theta, Xa, a.bootstrap, rng)
            d = _indirect(boot, t.index)
            d = d[np.isfinite(d)]
            est = float(_indirect(theta, t.index)[0])
            if d.size < 2:
                out["values"][t.hypothesis] = (est, np.nan, False, np.nan, np.nan)
                continue
            lo, hi = percentile_ci(d, 1 - alpha)
            c_lo, c_hi = (lo, hi) if alpha == 0.05 else percentile_ci(d, 0.95)
            sig = (lo > 0) if t.sign == "+" else (hi < 0)
            out["values"][t.hypothesis] = (est, float(np.std(d, ddof=1)), bool(sig),
                                           float(c_lo), float(c_hi))
        else:
            est, s = float(theta[t.index]), float(se[t.index])
            sig = bool(s > 0 and abs(est / s) > zc and (est > 0) == (t.sign == "+"))
            out["values"][t.hypothesis] = (est, s, sig, est - _Z975 * s, est + _Z975 * s)
    return out


def _ols_rep(a: OlsAnalysis, X: np.ndarray, targets, alpha: float) -> dict:
    """OLS of a composite on centred composites and their products; t tests (Aiken & West 1991)."""
    C = np.column_stack([X[:, cols].mean(axis=1) for cols in a.composites])
    Cc = C - C.mean(axis=0)
    terms = [Cc[:, j] for j in a.linear] + [Cc[:, i] * Cc[:, j] for i, j in a.products]
    Z = np.column_stack([np.ones(len(X))] + terms)
    y = C[:, a.y]
    n, k = Z.shape
    out = {"converged": False, "admissible": False, "values": {}}
    try:
        ZtZi = np.linalg.inv(Z.T @ Z)
    except np.linalg.LinAlgError:
        return out
    b = ZtZi @ (Z.T @ y)
    resid = y - Z @ b
    s2 = float(resid @ resid) / (n - k)
    se = np.sqrt(np.clip(np.diag(ZtZi) * s2, 0, None))
    crit = -special.stdtrit(n - k, alpha / 2)
    c95 = -special.stdtrit(n - k, 0.025)
    out.update(converged=True, admissible=True)
    for t in targets:
        j = 1 + t.index
        est, s = float(b[j]), float(se[j])
        sig = bool(s > 0 and abs(est / s) > crit and (est > 0) == (t.sign == "+"))
        out["values"][t.hypothesis] = (est, s, sig, est - c95 * s, est + c95 * s)
    return out


# ------------------------------------------------------------------------------------------
# Batches (the unit of parallel work)
# ------------------------------------------------------------------------------------------
def _rep_seed(seed: int, n: int, r: int) -> np.random.SeedSequence:
    """The child ``(n, r)`` of ``SeedSequence(seed)``: one independent stream per replication."""
    return np.random.SeedSequence(seed, spawn_key=(int(n), int(r)))


def run_batch(design: Design, n: int, reps: range, seed: int, alpha: float) -> list[dict]:
    """Replications ``reps`` at sample size ``n`` (one BLAS thread; order kept).

    Returns
    -------
    list of dict
        Per replication ``{"converged": [bool per analysis], "admissible": [...], "values":
        {hypothesis: (estimate, se, significant, ci95_low, ci95_high)}}``.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        rams = [RAM(a.spec(), np.eye(len(a.columns))) if isinstance(a, SemAnalysis) else None
                for a in design.analyses]
        out = []
        for r in reps:
            rng = np.random.default_rng(_rep_seed(seed, n, r))
            X = design.generator.draw(int(n), rng)
            rec = {"converged": [], "admissible": [], "values": {}}
            for k, a in enumerate(design.analyses):
                mine = [t for t in design.targets if t.analysis == k]
                if isinstance(a, SemAnalysis):
                    res = _sem_rep(a, rams[k], X, mine, alpha, rng)
                else:
                    res = _ols_rep(a, X, mine, alpha)
                rec["converged"].append(res["converged"])
                rec["admissible"].append(res["admissible"])
                rec["values"].update(res["values"])
            out.append(rec)
        return out



def _tasks(n_list: list[int], reps: int, size: int) -> list[tuple[int, range]]:
    return [(n, range(i, min(i + size, reps))) for n in n_list for i in range(0, reps, size)]


def _execute(design: Design, tasks, seed: int, alpha: float, jobs: int,
             scheduler: str | None, progress: Callable[[int], None] | None = None
             ) -> list[list[dict]]:
    """Run the batches in this process, with joblib (``jobs > 1``) or on a Dask cluster.

    ``progress`` is called with the number of replications of each finished batch; results keep
    the order of ``tasks`` whatever the order of completion.
    """
    tick = progress or (lambda k: None)
    if scheduler:
        return _on_dask(design, tasks, seed, alpha, scheduler, tick)
    if jobs > 1:
        from joblib import Parallel, delayed

        outs = []
        for (_, r), out in zip(tasks, Parallel(n_jobs=jobs, backend="loky", return_as="generator")(
                delayed(run_batch)(design, n, r, seed, alpha) for n, r in tasks)):
            outs.append(out)
            tick(len(r))
        return outs
    outs = []
    for n, r in tasks:
        outs.append(run_batch(design, n, r, seed, alpha))
        tick(len(r))
    return outs


#: Seconds a Dask scheduler has to accept the connection and answer (connection, handshake and
#: one "identity" request); the environment variable ``REPLICATION_SCHEDULER_TIMEOUT`` overrides.
SCHEDULER_CONNECT_TIMEOUT = 10.0
#: Seconds to wait for the scattered design and for each batch's result in turn (queueing
#: included) before giving up on the cluster; ``REPLICATION_SCHEDULER_WAIT`` overrides.
SCHEDULER_WAIT = 3600.0

_ADDRESS = re.compile(r"^(?:(?:tcp|tls)://(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)"
                      r":(?P<port>\d+)|inproc://\S+)$")


def check_scheduler_address(address: str) -> str:
    """``address`` when it reads ``tcp://HOST:PORT`` (or ``tls://``, ``inproc://``) with a port
    from 1 to 65535; otherwise an :class:`InputError` naming ``--scheduler``."""
    m = _ADDRESS.match(address or "")
    if m is None or (m.group("port") is not None and not 1 <= int(m.group("port")) <= 65535):
        raise InputError(f"--scheduler: {address!r}; expected an address tcp://HOST:PORT with a "
                         "port from 1 to 65535")
    return address


def _seconds(name: str, default: float) -> float:
    """A timeout from the environment variable ``name`` (positive seconds), else ``default``."""
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < math.inf:
        raise InputError(f"{name}: {text!r}; expected a positive number of seconds")
    return value


def _probe(address: str, timeout: float) -> None:
    """Connect to the scheduler and ask for its identity, every step bounded by ``timeout``.

    A plain TCP connection is tried first, so an address where nothing listens is refused at
    once (dask's own connect retries a refused connection until its timeout)."""
    import asyncio
    import socket
    from urllib.parse import urlsplit

    from distributed.comm import connect

    parts = urlsplit(address)
    if parts.scheme == "tcp" and parts.hostname and parts.port is not None:
        with socket.create_connection((parts.hostname, parts.port), timeout=timeout):
            pass

    async def ask() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)
        try:
            await asyncio.wait_for(comm.write({"op": "identity", "reply": True}), timeout)
            await asyncio.wait_for(comm.read(), timeout)
        finally:
            comm.abort()

    asyncio.run(ask())


def _quiet_client_cleanup() -> None:
    """Drop the "Exception ignored in Client.__del__" report of a client that never connected."""
    previous = sys.unraisablehook

    def hook(unraisable) -> None:
        if "Client.__del__" not in repr(getattr(unraisable, "object", None)):
            previous(unraisable)

    sys.unraisablehook = hook


def _connect(scheduler: str):
    """A ``dask.distributed`` client of ``scheduler``, or one line naming the address."""
    import logging

    from dask.distributed import Client

    check_scheduler_address(scheduler)
    timeout = _seconds("REPLICATION_SCHEDULER_TIMEOUT", SCHEDULER_CONNECT_TIMEOUT)
    logging.getLogger("distributed").setLevel(logging.CRITICAL)
    try:
        _probe(scheduler, timeout)
        return Client(scheduler, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError, RuntimeError) as exc:
        _quiet_client_cleanup()
        if isinstance(exc, TimeoutError):
            reason = f"no answer within {timeout:g} s"
        else:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"--scheduler: cannot reach {scheduler} ({reason}); expected a running "
                         "dask.distributed scheduler") from None


def _on_dask(design: Design, tasks, seed: int, alpha: float, scheduler: str,
             tick: Callable[[int], None] = lambda k: None) -> list[list[dict]]:
    """Batches on the ``dask.distributed`` scheduler at ``scheduler`` (``tcp://HOST:PORT``).

    Connecting is bounded by :data:`SCHEDULER_CONNECT_TIMEOUT`, the design's scattering and each
    batch's result by :data:`SCHEDULER_WAIT`; past either, one line names the scheduler.
    """
    wait = _seconds("REPLICATION_SCHEDULER_WAIT", SCHEDULER_WAIT)
    client = _connect(scheduler)
    try:
        shared = client.scatter(design, broadcast=True, timeout=wait)
        futures = [client.submit(run_batch, shared, n, r, seed, alpha, pure=False)
                   for n, r in tasks]
        out = []
        for f, (_, r) in zip(futures, tasks):  # in task order (the client is not the default)
            out.append(f.result(timeout=wait))
            tick(len(r))
        return out
    except TimeoutError:
        raise InputError(f"--scheduler: {scheduler} returned no result within {wait:g} s; "
                         "expected a dask.distributed scheduler with running workers "
                         "(REPLICATION_SCHEDULER_WAIT sets the wait)") from None
    finally:
        try:
            client.close(timeout=min(wait, 30))
        except (OSError, TimeoutError):
            pass


def simulate(design: Design, n_list: list[int], reps: int, seed: int = 2024,
             alpha: float = 0.05, jobs: int = 1, scheduler: str | None = None,
             batch: int | None = None, target_power: float = 0.80,
             progress: Callable[[int], None] | None = None, follow_up: bool = False) -> dict:
    """Monte Carlo power of every hypothesis of ``design`` at each N of ``n_list``.

    Parameters
    ----------
    design : Design
    n_list : list of int
        Sample sizes; each must exceed the number of free parameters.
    reps : int
        Replications per N (at least 1).
    seed : int
        Replication ``r`` at ``N`` uses ``SeedSequence(seed, spawn_key=(N, r))``.
    alpha : float
        Significance level of the paper's tests (two-sided).
    jobs : int
        joblib worker processes; ignored with ``scheduler``.
    scheduler : str, optional
        Address of a ``dask.distributed`` scheduler.
    batch : int, optional
        Replications per task (default: enough for about four tasks per worker and N, at
        most 50).
    target_power : float
        Power for :func:`n_for_power`.
    progress : callable, optional
        Called with the number of replications finished (a command line passes its bar's
        ``update``); it does not change any result.
    follow_up : bool
        Simulate once more, at the N the Wald approximation asks for, every hypothesis that no
        N of ``n_list`` brings to ``target_power`` (:func:`_follow_up_n`); those N join ``n``.

    Returns
    -------
    dict
        ``paper, reps, alpha, seed, n, target_power, population, results, n_for_power``
        (see :func:`summarize` and :func:`n_for_power`).
    """
    _check_run(design, n_list, reps, alpha, target_power, jobs)
    workers = max(1, int(jobs))
    size = batch or max(1, min(50, math.ceil(reps / (4 * workers))))
    tasks = _tasks(sorted(set(int(n) for n in n_list)), int(reps), int(size))
    outs = _execute(design, tasks, int(seed), float(alpha), workers, scheduler, progress)
    by_n: dict[int, list[dict]] = {}
    for (n, _), out in zip(tasks, outs):
        by_n.setdefault(n, []).extend(out)
    results = [summarize(design, t, n, recs) for n, recs in by_n.items() for t in design.targets]
    more = _follow_up_n(design, results, target_power, alpha) if follow_up else []
    if more:
        tasks = _tasks(more, int(reps), int(size))
        outs = _execute(design, tasks, int(seed), float(alpha), workers, scheduler, progress)
        for (n, _), out in zip(tasks, outs):
            by_n.setdefault(n, []).extend(out)
        results = [summarize(design, t, n, by_n[n]) for n in sorted(by_n)
                   for t in design.targets]
    return {"paper": design.paper, "reps": int(reps), "alpha": float(alpha), "seed": int(seed),
            "n": sorted(by_n), "target_power": float(target_power),
            "population": design.population, "n_free": int(design.n_free),
            "results": results, "n_for_power": n_for_power(results, target_power, alpha)}


def _follow_up_n(design: Design, results: list[dict], target_power: float,
                 alpha: float) -> list[int]:
    """N not yet simulated at which a hypothesis that no simulated N brings to
    ``target_power`` should reach it by the Wald approximation
    ``N = ((z_(1-alpha/2) + z_power) sigma / |theta|)^2`` (``sigma`` the SD of the estimates at
    the largest N times its square root): simulated once more, so that the N reported is found
    by simulation at that N rather than extrapolated (Satorra & Saris 1985)."""
    za, zp = -special.ndtri(alpha / 2), special.ndtri(target_power)
    simulated = {r["n"] for r in results}
    wanted = set()
    for h in dict.fromkeys(r["hypothesis"] for r in results):
        rows = sorted((r for r in results if r["hypothesis"] == h and r["power"] is not None
                       and r["converged"] >= MIN_CONVERGED), key=lambda r: r["n"])
        if not rows or any(r["power"] >= target_power for r in rows):
            continue
        top = rows[-1]
        theta, sd = top["true_value"], top["sd_estimate"]
        want = 1 if top["sign"] == "+" else -1
        if theta is None or theta * want <= 0 or sd is None or not sd > 0:
            continue
        n = math.ceil(((za + zp) * sd * math.sqrt(top["n"]) / abs(theta)) ** 2)
        n = max(n, top["n"] + 1)
        if n <= N_MAX and n not in simulated:
            wanted.add(int(n))
    return sorted(wanted)


def _check_run(design, n_list, reps, alpha, target_power, jobs) -> None:
    if not isinstance(reps, (int, np.integer)) or isinstance(reps, bool) or reps < 1:
        raise InputError(f"--reps: expected a whole number >= 1, got {reps!r}")
    if not 0 < alpha < 1:
        raise InputError(f"--alpha: expected a number between 0 and 1, got {alpha!r}")
    if not 0 < target_power < 1:
        raise InputError(f"--target-power: expected a number between 0 and 1, got {target_power!r}")
    if not isinstance(jobs, (int, np.integer)) or jobs < 1:
        raise InputError(f"--jobs: expected a whole number >= 1, got {jobs!r}")
    if not n_list:
        raise InputError("--n: expected at least one sample size")
    for n in n_list:
        if not isinstance(n, (int, np.integer)) or n <= design.n_free or n > N_MAX:
            raise InputError(f"--n: {n!r} must be a whole number above the number of free "
                             f"parameters ({design.n_free}) and at most {N_MAX}")


def _r(x: float, digits: int = 6):
    x = float(x)
    if not math.isfinite(x):
        return None
    v = round(x, digits)
    return 0.0 if v == 0 else v


def summarize(design: Design, target: Target, n: int, recs: list[dict]) -> dict:
    """Monte Carlo summary of one hypothesis at one N (simsem / Mplus MONTECARLO names).

    Returns
    -------
    dict
        ``hypothesis, kind, effect, sign, n, reps, converged`` (count), ``convergence_rate``,
        ``admissible_rate`` (among converged), ``power`` (share of converged replications
        whose test supports the hypothesis), ``mcse`` (``sqrt(power (1 - power) / converged)``;
        missing with fewer than :data:`MIN_CONVERGED` converged),
        ``power_all`` and ``mcse_all`` (non-converged replications count as not supported),
        ``true_value``, ``mean_estimate``, ``bias``, ``relative_bias``, ``sd_estimate``,
        ``mean_se``, ``relative_se_bias`` (``(mean SE - SD) / SD``), ``coverage`` (share of
        95% intervals that contain the true value) and ``muthen_muthen`` (their criteria:
        parameter and SE bias within 10%, coverage .91 to .98, power at least .80).
    """
    reps = len(recs)
    conv = [r for r in recs if r["converged"][target.analysis]]
    vals = np.array([r["values"][target.hypothesis] for r in conv], float).reshape(-1, 5)
    k = len(conv)
    sig = vals[:, 2].sum() if k else 0.0
    power = sig / k if k else math.nan
    power_all = sig / reps
    est, se = vals[:, 0], vals[:, 1]
    truth = target.true_value
    mean_est = float(est.mean()) if k else math.nan
    sd = float(est.std(ddof=1)) if k > 1 else math.nan
    mean_se = float(np.nanmean(se)) if k and np.any(np.isfinite(se)) else math.nan
    bias = mean_est - truth
    rel_bias = bias / truth if truth else math.nan
    rel_se = (mean_se - sd) / sd if sd and math.isfinite(sd) else math.nan
    cover = float(np.mean((vals[:, 3] <= truth) & (truth <= vals[:, 4]))) if k else math.nan
    adm = sum(bool(r["admissible"][target.analysis]) for r in conv)
    mm = {"parameter_bias": bool(abs(rel_bias) < 0.10) if math.isfinite(rel_bias) else None,
          "se_bias": bool(abs(rel_se) < 0.10) if math.isfinite(rel_se) else None,
          "coverage": bool(0.91 <= cover <= 0.98) if math.isfinite(cover) else None,
          "power": bool(power >= 0.80) if math.isfinite(power) else None}
    return {"hypothesis": target.hypothesis, "kind": target.kind, "effect": target.effect,
            "sign": target.sign, "n": int(n), "reps": reps, "converged": k,
            "convergence_rate": _r(k / reps), "admissible_rate": _r(adm / k) if k else None,
            "power": _r(power),
            "mcse": _r(math.sqrt(power * (1 - power) / k)) if k >= MIN_CONVERGED else None,
            "power_all": _r(power_all), "mcse_all": _r(math.sqrt(power_all * (1 - power_all) / reps)),
            "true_value": _r(truth), "mean_estimate": _r(mean_est), "bias": _r(bias),
            "relative_bias": _r(rel_bias), "sd_estimate": _r(sd), "mean_se": _r(mean_se),
            "relative_se_bias": _r(rel_se), "coverage": _r(cover), "muthen_muthen": mm}


def n_for_power(results: list[dict], target_power: float, alpha: float) -> dict:
    """The N at which each hypothesis reaches ``target_power``.

    Returns
    -------
    dict
        ``{hypothesis: {"n", "target_power", "reached", "method"}}``. Between two simulated N
        whose power brackets the target, the probit of power is interpolated linearly in
        ``sqrt(N)`` (the Wald test's power is ``Phi(sqrt(N) |theta| / sigma - z)``); reached at
        the smallest simulated N, that N. Nothing is extrapolated: ``n`` is ``None``
        (``reached`` false) when no simulated N reaches the target (:func:`simulate` first
        simulates the N the Wald approximation asks for), when the effect is zero or on the
        wrong side, or when an N has fewer than :data:`MIN_CONVERGED` converged replications
        (then the method says so and nothing about the effect).

    References
    ----------
    Muthen, L. K., & Muthen, B. O. (2002), the search over N; Satorra, A., & Saris, W. E. (1985).
    Power of the likelihood ratio test in covariance structure analysis. *Psychometrika*, 50,
    83-90 (power growing with sqrt(N) through the noncentrality).
    """
    out: dict[str, dict] = {}
    for h in dict.fromkeys(r["hypothesis"] for r in results):
        rows = sorted((r for r in results if r["hypothesis"] == h and r["power"] is not None),
                      key=lambda r: r["n"])
        entry = {"n": None, "target_power": float(target_power), "reached": False,
                 "method": "none: no converged replications"}
        few = [r for r in rows if r["converged"] < MIN_CONVERGED]
        rows = [r for r in rows if r["converged"] >= MIN_CONVERGED]
        if few and not rows:
            entry["method"] = (f"none: too few replications to estimate power, "
                               f"{few[0]['converged']} converged at N {few[0]['n']} and at least "
                               f"{MIN_CONVERGED} needed (raise --reps)")
            out[h] = entry
            continue
        hit = next((k for k, r in enumerate(rows) if r["power"] >= target_power), None)
        if hit is not None and hit > 0:
            lo, hi = rows[hit - 1], rows[hit]
            f = [special.ndtri(min(max(r["power"], 1e-4), 1 - 1e-4)) for r in (lo, hi)]
            s = [math.sqrt(r["n"]) for r in (lo, hi)]
            root = s[0] + (special.ndtri(target_power) - f[0]) * (s[1] - s[0]) / (f[1] - f[0])
            n = min(max(math.ceil(root ** 2), lo["n"] + 1), hi["n"])
            entry.update(n=int(n), reached=True, method="interpolated between simulated N "
                         "(probit of power linear in sqrt(N))")
        elif hit == 0:
            entry.update(n=int(rows[0]["n"]), reached=True, method=(
                f"reached at the smallest simulated N (power {rows[0]['power']:.3f}); smaller N "
                "were not simulated"))
        elif rows:
            top = rows[-1]
            want = 1 if top["sign"] == "+" else -1
            theta = top["true_value"]
            if theta is None or theta * want <= 0:
                entry["method"] = "none: the population effect is zero or on the other side"
            else:
                entry["method"] = (f"none: not reached at the largest simulated N {top['n']} "
                                   f"(power {top['power']:.3f}); simulate a larger N (--n)")
        out[h] = entry
    return out
