"""Population model built from a published record, and its admissibility.

:func:`population` turns the numbers a paper printed (and the record's assumptions) into a
linear structural population: standardized loadings, item means and standard deviations, latent
variances, exogenous correlations, structural coefficients (plus latent interactions and control
effects) and disturbance variances. Its implied item covariance matrix is the target of the
reconstruction.

For regression records the printed coefficients hold among composite (item-mean) scores and
the population is built at that level (``Population.level == "composite"``; see
:func:`population`).

Where the printed numbers cannot all hold (a loading above 1, an exogenous correlation matrix
that is not positive definite, a construct whose predictors explain more than all of its
variance), the nearest admissible population is used by the rules below, and every change is
returned in ``Population.changes``:

* loadings: a standardized loading above ``max_loading`` is set to ``max_loading`` (sign kept);
* correlation matrices (exogenous constructs, disturbances): eigenvalues below ``min_eigen``
  are raised to it and the matrix is rescaled to unit diagonal;
* structural paths: when R-squared of a construct exceeds ``1 - min_disturbance``, all
  coefficients into that construct (paths, interactions, controls) are multiplied by the same
  factor ``c = sqrt((1 - min_disturbance) / R2)``, which keeps their ratios, signs and the
  direction of the prediction and gives R-squared ``1 - min_disturbance`` exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from replication.engine.errors import InputError
from replication.engine.ram import total_covariance

__all__ = ["Population", "population", "spearman_brown_loading", "nearest_correlation",
           "item_sd_from_composite", "composite_reliability"]

CHANGE_COLUMNS = ["target", "published", "used", "change", "reason"]
PARAM_COLUMNS = ["lhs", "op", "rhs", "est", "std", "published", "status", "source"]


@dataclass
class Population:
    """A linear structural population for the items of one record.

    Attributes
    ----------
    record_id : str
    items : list of str
        Item names (record order); columns of ``cov`` and index of ``means``.
    constructs : dict
        ``{construct: [items]}``.
    latents : list of str
        Constructs in causal order (exogenous first).
    cov : DataFrame
        Model-implied covariance of the items (items x items): the target.
    means : Series
        Item means.
    loadings : DataFrame
        Unstandardized loadings (items x latents) in the population metric.
    beta : DataFrame
        ``beta.loc[y, x]``: coefficient of ``x`` in the equation of ``y`` (latents and products).
    latent_cov : DataFrame
        Covariance of latents and product terms (``X:M``).
    disturbance_cov : DataFrame
        Covariance of exogenous variables, product terms and disturbances (the ``Psi`` of
        ``C = (I - B)^-1 Psi (I - B)^-T``).
    residuals : Series
        Item residual variances.
    products : list of tuple
        ``(x, m)`` latent products that enter the structural equations.
    params : DataFrame
        Columns ``lhs, op, rhs, est, std, published, status, source``: every parameter used,
        with the published value beside it and where it came from (``published``, ``assumed``,
        ``derived``, ``default`` or ``changed``).
    changes : DataFrame
        Columns ``target, published, used, change, reason``: numbers changed for admissibility.
    notes : list of str
        Defaults used and other remarks, one sentence each.
    metric : str
        ``standardized`` or ``unstandardized``: how printed estimates were read.
    n : int
    scale_points : int
    level : str
        ``latent`` (SEM records: the printed coefficients hold among latent variables) or
        ``composite`` (regression records: they hold among item-mean scores; see
        :func:`population`).
    reliability : Series or None
        Composite reliability of each construct's item mean (``composite`` level only).
    """

    record_id: str
    items: list[str]
    constructs: dict[str, list[str]]
    latents: list[str]
    cov: pd.DataFrame
    means: pd.Series
    loadings: pd.DataFrame
    beta: pd.DataFrame
    latent_cov: pd.DataFrame
    disturbance_cov: pd.DataFrame
    residuals: pd.Series
    products: list[tuple[str, str]]
    params: pd.DataFrame
    changes: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    metric: str = "standardized"
    n: int = 0
    scale_points: int = 5
    level: str = "latent"
    reliability: pd.Series | None = None

    @property
    def item_sd(self) -> pd.Series:
        """Population standard deviation of each item."""
        return pd.Series(np.sqrt(np.diag(self.cov.to_numpy())), index=self.items)


# ------------------------------------------------------------------------------------------------
# Plain formulas
# ------------------------------------------------------------------------------------------------
def spearman_brown_loading(alpha: float, k: int) -> float:
    """Equal standardized loading implied by Cronbach's alpha for ``k`` parallel items.

    Spearman-Brown: ``alpha = k r / (1 + (k - 1) r)`` with ``r = lambda^2`` the inter-item
    correlation of parallel standardized items, so ``lambda = sqrt(alpha / (k - (k - 1) alpha))``.

    References
    ----------
    Brown, W. (1910); Spearman, C. (1910). *British Journal of Psychology*, 3, 271-295 and
    296-322. Lord, F. M., & Novick, M. R. (1968). *Statistical theories of mental test scores*,
    ch. 4.
    """
    if k < 2:
        raise InputError(f"alpha needs at least 2 items, got {k}")
    if not 0 < alpha < 1:
        raise InputError(f"alpha: expected a value between 0 and 1, got {alpha}")
    return math.sqrt(alpha / (k - (k - 1) * alpha))


def item_sd_from_composite(sd: float, corr_block: np.ndarray) -> float:
    """Common item SD that gives a mean score (average of the items) the standard deviation ``sd``.

    ``Var(mean) = s^2 * sum(R) / k^2`` for items with equal SD ``s`` and correlations ``R``, so
    ``s = sd * k / sqrt(sum(R))``.
    """
    k = len(corr_block)
    return float(sd * k / math.sqrt(float(np.sum(corr_block))))


def composite_reliability(loadings) -> float:
    """Reliability of the mean of items with standardized loadings ``loadings``.

    For congeneric items with unit variance, ``rho = (sum l)^2 / ((sum l)^2 + sum(1 - l^2))``
    (composite reliability; a single item has ``rho = l^2``, 1 when measured without error).

    References
    ----------
    Joreskog, K. G. (1971). Statistical analysis of sets of congeneric tests. *Psychometrika*,
    36, 109-133. Raykov, T. (1997). Estimation of composite reliability for congeneric
    measures. *Applied Psychological Measurement*, 21, 173-184.
    """
    lam = np.asarray(loadings, float)
    t = float(lam.sum()) ** 2
    e = float(np.sum(1.0 - lam ** 2))
    return t / (t + e) if t + e > 0 else 1.0


def nearest_correlation(R: np.ndarray, min_eigen: float = 1e-3) -> np.ndarray:
    """Raise eigenvalues below ``min_eigen`` and rescale to unit diagonal.

    A one-step spectral projection (Higham, 2002, section 1) that leaves positive-definite
    matrices with all eigenvalues above ``min_eigen`` unchanged.

    References
    ----------
    Higham, N. J. (2002). Computing the nearest correlation matrix. *IMA Journal of Numerical
    Analysis*, 22, 329-343.
    """
    R = np.asarray(R, float)
    w, V = np.linalg.eigh((R + R.T) / 2)
    if w.min() >= min_eigen:
        return R
    X = (V * np.maximum(w, min_eigen)) @ V.T
    d = np.sqrt(np.diag(X))
    return X / np.outer(d, d)


# ------------------------------------------------------------------------------------------------
# Building the population
# ------------------------------------------------------------------------------------------------
def _topological(latents: list[str], edges: list[tuple[str, str]]) -> list[str]:
    parents = {c: {x for x, y in edges if y == c} for c in latents}
    order: list[str] = []
    left = list(latents)
    while left:
        ready = [c for c in left if parents[c] <= set(order)]
        if not ready:
            raise InputError(f"model.paths: the paths into {left[0]} form a cycle; "
                             "expected a recursive model")
        order.extend(ready)
        left = [c for c in left if c not in ready]
    return order


def _latent_from_composites(order, products, C, B, rel, a, scale, endo, betas, changes,
                            min_eigen, min_disturbance):
    """Latent covariance, coefficients and disturbances that give the composites ``C``.

    ``C`` and ``B`` hold the composite-level structure over ``order + products`` in the
    metric of the printed coefficients; ``scale[c]`` is the variance of the item-mean score
    of ``c`` over its variance in that metric, ``a[c]`` the loading of the (unit-variance)
    latent variable on the item mean and ``rel[c] = a[c]^2 / Var(mean)`` its reliability.

    Latent correlations are ``R_c[i, j] / sqrt(rel_i rel_j)`` (the correction for
    attenuation; Spearman, 1904), made positive definite by :func:`nearest_correlation` if
    needed. A product of centred composites ``P = X M`` is an observed variable (reliability
    1): the latent ``Y`` gets the coefficient ``g / a_Y`` on ``P`` when the composite ``Y``
    has the (total) coefficient ``g = Var(P)^-1 Cov(P, Y)``. The linear parts ``R_lat - G Var(P) G'`` must stay positive definite; where
    the disturbance of a construct would fall below ``min_disturbance`` its interaction
    coefficients are scaled down by a common factor (reported).

    Returns
    -------
    tuple of ndarray
        Latent covariance over ``order + products``, the latent coefficients of each
        dependent construct on its model predictors, and ``(I - B) C (I - B)'``.

    References
    ----------
    Spearman, C. (1904). The proof and measurement of association between two things.
    *American Journal of Psychology*, 15, 72-101.
    """
    pnames = [f"{x}:{m}" for x, m in products]
    u = list(order) + pnames
    nl, nu = len(order), len(u)
    s = np.array([math.sqrt(scale[c]) for c in order]
                 + [math.sqrt(scale[x] * scale[m]) for x, m in products])
    Cc = C * np.outer(s, s)  # composites (and their products) in the item metric
    d = np.sqrt(np.diag(Cc)[:nl])
    Rc = Cc[:nl, :nl] / np.outer(d, d)
    r = np.sqrt([rel[c] for c in order])
    Rl = Rc / np.outer(r, r)
    np.fill_diagonal(Rl, 1.0)
    if np.linalg.eigvalsh(Rl).min() < min_eigen or np.max(np.abs(Rl - np.eye(nl))) >= 1:
        Ru = nearest_correlation(Rl, min_eigen)
        for i in range(nl):
            for j in range(i + 1, nl):
                if abs(Ru[i, j] - Rl[i, j]) > 1e-12:
                    changes.append(dict(
                        target=f"composites.{order[i]}~~{order[j]}", published=Rc[i, j],
                        used=Ru[i, j] * r[i] * r[j], change=Ru[i, j] * r[i] * r[j] - Rc[i, j],
                        reason=f"latent correlation {Rl[i, j]:.3f} (composite correlation / "
                        "sqrt of the reliabilities) not admissible; nearest positive definite "
                        f"latent correlation matrix used (eigenvalues raised to {min_eigen})"))
        Rl = Ru
    VarP = Cc[nl:, nl:]
    G = np.zeros((nl, len(pnames)))
    if pnames:  # reduced form: total effect of each product (through mediators too)
        G = np.linalg.solve(VarP, Cc[nl:, :nl]).T / np.array([a[c] for c in order])[:, None]
        G[np.abs(G) < 1e-15] = 0.0

    def cond_var(Gm, i):
        Cl = Rl - Gm @ VarP @ Gm.T
        if i == 0:
            return Cl[0, 0]
        return Cl[i, i] - Cl[i, :i] @ np.linalg.solve(Cl[:i, :i], Cl[:i, i])

    for y in endo:
        i = order.index(y)
        if not np.any(G[i]) or cond_var(G, i) >= min_disturbance:
            continue
        lo, hi = 0.0, 1.0
        for _ in range(60):
            c = (lo + hi) / 2
            Gc = G.copy()
            Gc[i] *= c
            lo, hi = (c, hi) if cond_var(Gc, i) >= min_disturbance else (lo, c)
        G[i] *= lo
        for k, (x, m) in enumerate(products):
            key = (x, m, y)
            if key in betas and B[i, nl + k] != 0:
                changes.append(dict(
                    target=f"interactions.{x}x{m}->{y}.std", published=betas[key],
                    used=betas[key] * lo, change=betas[key] * (lo - 1),
                    reason=f"latent disturbance of {y} below {min_disturbance:g} with the "
                    f"composite-level interactions; interactions into {y} scaled by {lo:.4f}"))
    Cu = np.zeros((nu, nu))
    Cu[:nl, :nl] = Rl
    Cu[:nl, nl:] = G @ VarP
    Cu[nl:, :nl] = Cu[:nl, nl:].T
    Cu[nl:, nl:] = VarP
    Bl = np.zeros((nu, nu))
    for y in endo:
        i = order.index(y)
        pred = [j for j in range(nu) if B[i, j] != 0]
        if pred:
            Bl[i, pred] = np.linalg.solve(Cu[np.ix_(pred, pred)], Cu[pred, i])
    Il = np.eye(nu) - Bl
    Psi = Il @ Cu @ Il.T
    return Cu, Bl, (Psi + Psi.T) / 2


def population(record, max_loading: float = 0.995, min_disturbance: float = 0.02,
               min_eigen: float = 1e-3) -> Population:
    """Build the population model of a record and its implied item covariance.

    Parameters
    ----------
    record : replication.record.schema.Record
    max_loading : float, default 0.995
        Largest standardized loading of a multi-item construct (residual variance at least
        ``1 - max_loading**2`` of the item variance).
    min_disturbance : float, default 0.02
        Smallest disturbance variance of a dependent construct, as a share of its variance
        (R-squared at most ``1 - min_disturbance``).
    min_eigen : float, default 1e-3
        Smallest eigenvalue of a correlation matrix of exogenous constructs or disturbances.

    Returns
    -------
    Population

    Notes
    -----
    Values are read from ``record.values()`` in this order:

    * standardized loadings: ``items.<i>.loading``, ``constructs.<C>.loading``, the equal
      loading implied by ``constructs.<C>.alpha`` (:func:`spearman_brown_loading`), the root of
      ``constructs.<C>.ave``; a single-item construct without any is measured without error
      (loading 1); otherwise a default of 0.7 (noted);
    * item SD: the common SD giving the printed ``constructs.<C>.sd`` to the mean score
      (:func:`item_sd_from_composite`), else ``(K - 1) / 4`` on a K-point scale (noted);
      item means: ``constructs.<C>.mean``, else the scale midpoint (noted);
    * latent variances: 1 in the standardized metric; in the unstandardized metric the
      variance of the true score of the construct's first item (its loading is 1, as in AMOS);
    * structural coefficients: ``paths.<X>-><Y>.estimate`` in the metric of
      ``model.estimate_metric``, else ``paths.<X>-><Y>.std``, ``controls.<V>-><Y>.std``,
      ``interactions.<X>x<M>-><Y>.std`` (standardized: ``b = beta * sd(Y) / sd(X)``);
    * exogenous correlations and disturbance correlations: ``correlations.<A>~~<B>``, else 0
      (noted).

    Disturbance variances follow from the construct variances:
    ``psi_Y = Var(Y) - b' C b`` with ``C`` the covariance of the predictors (latent products
    ``X*M`` of exogenous constructs have covariance ``C_xz C_mw + C_xw C_mz`` and are
    uncorrelated with the linear terms under normality; Bohrnstedt & Goldberger, 1969). The
    implied covariances are ``C = (I - B)^-1 Psi (I - B)^-T`` and
    ``Sigma = Lambda C Lambda' + Theta`` (Bollen, 1989, ch. 8).

    Regression records (``model.kind: regression``, ``Population.level == "composite"``): the
    printed coefficients are OLS coefficients among item-mean scores, so the structure above
    is built among the composites (in the unstandardized metric a composite's variance is that
    of its item mean), a product ``X:M`` is the product of the centred composites and its
    standardized coefficient is ``b sd(X M) / sd(Y)`` as the moderated regression prints it.
    Latent correlations are the composite correlations over ``sqrt(rho_i rho_j)`` with
    ``rho`` the composite reliability (:func:`composite_reliability`; 1 for a single item
    measured without error), made admissible by :func:`nearest_correlation` where needed
    (reported under ``composites.<A>~~<B>``); latent variables have unit variance and the
    items ``loading x latent + residual``, so the item means have the composite-level
    correlations exactly. ``latent_cov``, ``beta`` and ``disturbance_cov`` are then latent-level
    (products are observed terms with reliability 1) and ``params`` keeps the composite-level
    coefficients.

    References
    ----------
    Bollen, K. A. (1989). *Structural equations with latent variables*. Wiley.
    Bohrnstedt, G. W., & Goldberger, A. S. (1969). On the exact covariance of products of random
    variables. *JASA*, 64, 1439-1442.
    """
    vals = record.values()
    notes: list[str] = []
    params: list[dict] = []
    changes: list[dict] = []
    K = record.scale_points

    def val(target):
        v = vals.get(target)
        return None if v is None else v

    def src(v) -> tuple[str, str]:
        if v.status == "published":
            return "published", v.where or ""
        return "assumed", v.reason or ""

    mv = val("model.estimate_metric")
    metric = str(mv.value) if mv is not None else "standardized"
    if metric not in ("standardized", "unstandardized"):
        raise InputError(f"{record.id}: assumption model.estimate_metric: expected 'standardized' "
                         f"or 'unstandardized', got {metric!r}")
    if mv is None:
        notes.append("model.estimate_metric is neither printed nor assumed; printed estimates "
                     "are read as standardized (default).")

    composite = record.model.kind == "regression"
    items_by = record.items
    controls = [c for c, con in record.constructs.items() if con.role == "control"]
    names = [c for c in record.constructs if items_by.get(c)]
    if not names:
        raise InputError(f"{record.id}: constructs: no construct has items")

    # ---------------------------------------------------------------- structural edges
    edges: list[tuple[str, str, float, str, str, str]] = []  # x, y, value, kind(std/unstd), status, source
    for p in record.model.paths:
        est = val(f"paths.{p.key}.estimate")
        std = val(f"paths.{p.key}.std")
        if est is not None:
            s, w = src(est)
            edges.append((p.from_, p.to, float(est.value), metric, s, w + f"|paths.{p.key}.estimate"))
        elif std is not None:
            s, w = src(std)
            edges.append((p.from_, p.to, float(std.value), "standardized", s, w + f"|paths.{p.key}.std"))
        else:
            edges.append((p.from_, p.to, 0.0, "standardized", "default",
                          f"no value printed or assumed|paths.{p.key}.std"))
            notes.append(f"paths.{p.key}: no estimate printed or assumed; 0 used (default).")
    ctrl_targets = {p.to for p in record.model.paths}
    for v in controls:
        for y in sorted(ctrl_targets):
            cv = val(f"controls.{v}->{y}.std")
            if cv is not None:
                s, w = src(cv)
                edges.append((v, y, float(cv.value), "standardized", s, w + f"|controls.{v}->{y}.std"))
    products: list[tuple[str, str]] = []
    prod_edges: list[tuple[str, str, str, float, str, str]] = []  # x, m, y, beta, status, source
    for m in record.model.moderations:
        iv = val(f"interactions.{m.key}.std")
        if iv is not None:
            s, w = src(iv)
            beta_i = float(iv.value)
        else:
            beta_i, s, w = 0.0, "default", "no value printed or assumed"
            notes.append(f"interactions.{m.key}: no effect printed or assumed; 0 used (default).")
        if (m.x, m.m) not in products:
            products.append((m.x, m.m))
        prod_edges.append((m.x, m.m, m.y, beta_i, s, w))
    for t, v in vals.items():  # interactions assumed without a listed moderation
        if t.startswith("interactions.") and t.endswith(".std"):
            key = t[len("interactions."):-len(".std")]
            if key not in {m.key for m in record.model.moderations}:
                notes.append(f"{t} has no matching model.moderations entry and is not used.")

    for x, y, *_ in edges:
        for c in (x, y):
            if c not in names:
                raise InputError(f"{record.id}: construct {c!r} is used by a path but has no items")
    order = _topological(names, [(x, y) for x, y, *_ in edges]
                         + [(f, y) for x, m_, y, *_ in prod_edges for f in (x, m_)])
    dependent = {y for _, y, *_ in edges} | {y for *_, y, _, _, _ in prod_edges}
    exo = [c for c in order if c not in dependent]
    endo = [c for c in order if c in dependent]
    # constructs that depend on a product are not normal: products of them are not supported
    nonnormal = {y for *_, y, _, _, _ in prod_edges}
    grew = True
    while grew:
        new = {y for x, y, *_ in edges if x in nonnormal} - nonnormal
        nonnormal |= new
        grew = bool(new)
    for x, m_ in products:
        if x in nonnormal or m_ in nonnormal:
            raise InputError(f"{record.id}: model.moderations: {x}x{m_} involves a construct that "
                             "depends on another interaction; expected products of normal constructs")

    # ---------------------------------------------------------------- loadings, item SDs, means
    std_load: dict[str, float] = {}
    item_sd: dict[str, float] = {}
    item_mean: dict[str, float] = {}
    lvar: dict[str, float] = {}
    comp_var: dict[str, float] = {}
    default_sd = (K - 1) / 4
    mid = (K + 1) / 2
    sd_defaulted, mean_defaulted, load_defaulted = [], [], []
    for c in names:
        its = items_by[c]
        k = len(its)
        cl, al, av = val(f"constructs.{c}.loading"), val(f"constructs.{c}.alpha"), val(f"constructs.{c}.ave")
        for it in its:
            il = val(f"items.{it}.loading")
            if il is not None:
                l, (s, w) = float(il.value), src(il)
                pub = il.value
            elif cl is not None:
                l, (s, w) = float(cl.value), src(cl)
                pub = None
            elif al is not None and k >= 2:
                l = spearman_brown_loading(float(al.value), k)
                s, w = "derived", f"Spearman-Brown from alpha {al.value} of {k} items ({src(al)[0]})"
                pub = None
            elif av is not None and 0 < float(av.value) < 1:
                l = math.sqrt(float(av.value))
                s, w = "derived", f"square root of AVE {av.value} ({src(av)[0]})"
                pub = None
            elif k == 1:
                l, s, w, pub = 1.0, "default", "single indicator measured without error", None
            else:
                l, s, w, pub = 0.7, "default", "no loading, alpha or AVE printed or assumed", None
                load_defaulted.append(it)
            if k > 1 and abs(l) > max_loading:
                new = math.copysign(max_loading, l)
                changes.append(dict(target=f"items.{it}.loading", published=l, used=new,
                                    change=new - l, reason=f"standardized loading above {max_loading} "
                                    "(zero or negative residual variance)"))
                l, s = new, "changed"
            std_load[it] = l
            params.append(dict(lhs=c, op="=~", rhs=it, est=np.nan, std=l, published=pub,
                               status=s, source=w))
        R = np.array([[1.0 if a == b else std_load[a] * std_load[b] for b in its] for a in its])
        sdv, mnv = val(f"constructs.{c}.sd"), val(f"constructs.{c}.mean")
        if sdv is not None:
            s_c = item_sd_from_composite(float(sdv.value), R)
        else:
            s_c = default_sd
            sd_defaulted.append(c)
        if mnv is not None:
            m_c = float(mnv.value)
        else:
            m_c = mid
            mean_defaulted.append(c)
        for it in its:
            item_sd[it] = s_c
            item_mean[it] = m_c
        comp_var[c] = s_c ** 2 * float(np.sum(R)) / k ** 2
        if metric == "standardized":
            lvar[c] = 1.0
        else:
            lvar[c] = comp_var[c] if composite else (std_load[its[0]] * s_c) ** 2
    if load_defaulted:
        notes.append(f"Standardized loading 0.7 used (default) for items {', '.join(load_defaulted)}.")
    if sd_defaulted:
        notes.append(f"Item SD {default_sd:g} ((K - 1) / 4 on the {K}-point scale) used (default) "
                     f"for constructs {', '.join(sd_defaulted)}: no SD printed or assumed.")
    if mean_defaulted:
        notes.append(f"Item mean {mid:g} (scale midpoint) used (default) for constructs "
                     f"{', '.join(mean_defaulted)}: no mean printed or assumed.")

    # ---------------------------------------------------------------- exogenous correlations
    def corr_value(a, b):
        for t in (f"correlations.{a}~~{b}", f"correlations.{b}~~{a}"):
            if t in vals:
                return vals[t], t
        return None, f"correlations.{a}~~{b}"

    Rx = np.eye(len(exo))
    rsrc = {}
    default_corr: list[str] = []
    for i, a in enumerate(exo):
        for j in range(i + 1, len(exo)):
            b = exo[j]
            v, t = corr_value(a, b)
            if v is not None:
                Rx[i, j] = Rx[j, i] = float(v.value)
                rsrc[(a, b)] = (*src(v), v.value)
            else:
                rsrc[(a, b)] = ("default", "no correlation printed or assumed", None)
                default_corr.append(f"{a}~~{b}")
    if default_corr:
        notes.append("Correlations of exogenous constructs neither printed nor assumed, 0 used "
                     f"(default): {', '.join(default_corr)}.")
    Rx_used = nearest_correlation(Rx, min_eigen)
    for i, a in enumerate(exo):
        for j in range(i + 1, len(exo)):
            b = exo[j]
            s, w, pub = rsrc[(a, b)]
            if abs(Rx_used[i, j] - Rx[i, j]) > 1e-12:
                changes.append(dict(target=f"correlations.{a}~~{b}", published=Rx[i, j],
                                    used=Rx_used[i, j], change=Rx_used[i, j] - Rx[i, j],
                                    reason="exogenous correlation matrix not positive definite; "
                                    f"eigenvalues raised to {min_eigen}"))
                s = "changed"
            params.append(dict(lhs=a, op="~~", rhs=b, est=Rx_used[i, j] * math.sqrt(lvar[a] * lvar[b]),
                               std=Rx_used[i, j], published=pub, status=s, source=w))

    # ---------------------------------------------------------------- recursive structure
    pnames = [f"{x}:{m_}" for x, m_ in products]
    u = order + pnames
    ix = {v: i for i, v in enumerate(u)}
    nu = len(u)
    B = np.zeros((nu, nu))
    Psi = np.zeros((nu, nu))
    for i, a in enumerate(exo):
        for j, b in enumerate(exo):
            Psi[ix[a], ix[b]] = Rx_used[i, j] * math.sqrt(lvar[a] * lvar[b])
    done: set[str] = set(exo)
    set_products: list[int] = []

    def add_products(C):
        """Covariances of products whose factors are known (Bohrnstedt-Goldberger)."""
        for k, (x1, m1) in enumerate(products):
            if k in set_products or x1 not in done or m1 not in done:
                continue
            set_products.append(k)
            for k2 in set_products:
                x2, m2 = products[k2]
                v = C[ix[x1], ix[x2]] * C[ix[m1], ix[m2]] + C[ix[x1], ix[m2]] * C[ix[m1], ix[x2]]
                Psi[ix[pnames[k]], ix[pnames[k2]]] = Psi[ix[pnames[k2]], ix[pnames[k]]] = v
        return Psi.copy()

    # coefficients in the population metric
    coef_rows: dict[str, list[tuple[str, float, float | None, str, str, str]]] = {}
    for x, y, value, kind, s, w in edges:
        if kind == "standardized":
            b = value * math.sqrt(lvar[y] / lvar[x])
        else:
            b = value
        coef_rows.setdefault(y, []).append((x, b, value, kind, s, w))
    for x, m_, y, beta_i, s, w in prod_edges:
        pn = f"{x}:{m_}"
        b = beta_i * math.sqrt(lvar[y] / (lvar[x] * lvar[m_]))
        coef_rows.setdefault(y, []).append((pn, b, beta_i, "standardized", s,
                                            w + f"|interactions.{x}x{m_}->{y}.std"))
    C = add_products(Psi.copy())  # running covariance (exogenous block known)
    psi_endo: dict[str, float] = {}
    for y in endo:
        if set_products != list(range(len(products))):
            add_products(total_covariance(B, Psi))
            C = total_covariance(B, Psi)
        rows = coef_rows.get(y, [])
        if composite:  # product of composites: beta = b sd(X*M) / sd(Y), as the regression prints
            rows = coef_rows[y] = [
                (x, value * math.sqrt(lvar[y] / C[ix[x], ix[x]]) if x in pnames else b, value,
                 kind, s, w) for x, b, value, kind, s, w in rows]
        bvec = np.zeros(nu)
        for x, b, *_ in rows:
            bvec[ix[x]] = b
        explained = float(bvec @ C @ bvec)
        r2 = explained / lvar[y]
        if r2 > 1 - min_disturbance:
            c = math.sqrt((1 - min_disturbance) / r2)
            new_rows = []
            for x, b, value, kind, s, w in rows:
                why, tgt = w.rsplit("|", 1)
                changes.append(dict(target=tgt, published=value, used=value * c,
                                    change=value * c - value,
                                    reason=f"R-squared of {y} is {r2:.3f} > {1 - min_disturbance:g}: "
                                    f"paths into {y} scaled by {c:.4f}"))
                new_rows.append((x, b * c, value, kind, "changed", f"{why} (scaled by {c:.4f})|{tgt}"))
            rows = coef_rows[y] = new_rows
            bvec *= c
            explained = float(bvec @ C @ bvec)
            r2 = explained / lvar[y]
        psi = lvar[y] - explained
        psi_endo[y] = psi
        B[ix[y], :] = bvec
        Psi[ix[y], ix[y]] = psi
        done.add(y)
        # update running covariance of y with everything processed so far
        C = total_covariance(B, Psi)
    # disturbance correlations
    if len(endo) > 1:
        Rd = np.eye(len(endo))
        dsrc = {}
        for i, a in enumerate(endo):
            for j in range(i + 1, len(endo)):
                b = endo[j]
                v, t = corr_value(a, b)
                if v is not None:
                    Rd[i, j] = Rd[j, i] = float(v.value)
                    dsrc[(a, b)] = (*src(v), v.value)
        Rd_used = nearest_correlation(Rd, min_eigen)
        for (a, b), (s, w, pub) in dsrc.items():
            i, j = endo.index(a), endo.index(b)
            if abs(Rd_used[i, j] - Rd[i, j]) > 1e-12:
                changes.append(dict(target=f"correlations.{a}~~{b}", published=Rd[i, j],
                                    used=Rd_used[i, j], change=Rd_used[i, j] - Rd[i, j],
                                    reason="disturbance correlation matrix not positive definite"))
                s = "changed"
            cov_ab = Rd_used[i, j] * math.sqrt(psi_endo[a] * psi_endo[b])
            Psi[ix[a], ix[b]] = Psi[ix[b], ix[a]] = cov_ab
            if cov_ab != 0 or pub is not None:
                params.append(dict(lhs=a, op="~~", rhs=b, est=cov_ab, std=Rd_used[i, j],
                                   published=pub, status=s, source=w + " (disturbances)"))
        C = total_covariance(B, Psi)
        for y in endo:
            if abs(C[ix[y], ix[y]] - lvar[y]) > 1e-9 * max(1.0, lvar[y]):
                notes.append(f"{y}: a disturbance correlation with one of its own predictors makes "
                             f"its variance {C[ix[y], ix[y]]:.4f} instead of {lvar[y]:.4f}.")
    for y in endo:
        for x, b, value, kind, s, w in coef_rows.get(y, []):
            why, tgt = w.rsplit("|", 1)
            vx = C[ix[x], ix[x]]
            params.append(dict(lhs=y, op="~", rhs=x, est=b, std=b * math.sqrt(vx / C[ix[y], ix[y]]),
                               published=value if s != "default" else None, status=s,
                               source=why))
        params.append(dict(lhs=y, op="~~", rhs=y, est=psi_endo[y], std=psi_endo[y] / C[ix[y], ix[y]],
                           published=None, status="derived",
                           source="disturbance variance: construct variance minus explained variance"))

    # ---------------------------------------------------------------- items
    items = [it for c in record.constructs if c in names for it in items_by[c]]
    Lam = np.zeros((len(items), len(order)))
    theta = np.zeros(len(items))
    for c in names:
        for it in items_by[c]:
            i = items.index(it)
            scale = 1.0 if composite else math.sqrt(lvar[c])  # composite level: unit latents
            Lam[i, order.index(c)] = std_load[it] * item_sd[it] / scale
            theta[i] = item_sd[it] ** 2 * (1 - std_load[it] ** 2)
    reliability = None
    if composite:
        rel = {c: composite_reliability([std_load[it] for it in items_by[c]]) for c in order}
        a = {c: float(np.mean([Lam[items.index(it), order.index(c)] for it in items_by[c]]))
             for c in order}
        C, B, Psi = _latent_from_composites(
            order, products, C, B, rel, a, {c: comp_var[c] / lvar[c] for c in order},
            [y for y in endo], {(x, m_, y): beta_i for x, m_, y, beta_i, *_ in prod_edges},
            changes, min_eigen, min_disturbance)
        reliability = pd.Series([rel[c] for c in order], index=order, dtype=float)
        notes.append("model.kind is regression: the coefficients and correlations hold among "
                     "composite (item-mean) scores; latent correlations are the composite "
                     "correlations divided by the square roots of the composite reliabilities ("
                     + ", ".join(f"{c} {rel[c]:.3f}" for c in order) + ").")
    for row in params:
        if row["op"] == "=~":
            row["est"] = float(Lam[items.index(row["rhs"]), order.index(row["lhs"])])
    for it in items:
        i = items.index(it)
        params.append(dict(lhs=it, op="~~", rhs=it, est=theta[i], std=1 - std_load[it] ** 2,
                           published=None, status="derived", source="residual variance 1 - loading^2"))
    for it in items:
        c = next(c for c in names if it in items_by[c])
        status = "default" if c in mean_defaulted else src(val(f"constructs.{c}.mean"))[0]
        params.append(dict(lhs=it, op="~1", rhs="", est=item_mean[it], std=np.nan,
                           published=None if c in mean_defaulted else val(f"constructs.{c}.mean").value,
                           status=status, source=f"construct mean of {c}"))
    Clat = C[: len(order), : len(order)]
    Sigma = Lam @ Clat @ Lam.T + np.diag(theta)
    Sigma = (Sigma + Sigma.T) / 2
    if np.linalg.eigvalsh(Sigma).min() <= 0:
        notes.append("The implied item covariance matrix is not positive definite.")
    return Population(
        record_id=record.id, items=items, constructs={c: list(items_by[c]) for c in names},
        latents=order,
        cov=pd.DataFrame(Sigma, index=items, columns=items),
        means=pd.Series([item_mean[it] for it in items], index=items, dtype=float),
        loadings=pd.DataFrame(Lam, index=items, columns=order),
        beta=pd.DataFrame(B, index=u, columns=u),
        latent_cov=pd.DataFrame(C, index=u, columns=u),
        disturbance_cov=pd.DataFrame(Psi, index=u, columns=u),
        residuals=pd.Series(theta, index=items),
        products=products,
        params=pd.DataFrame(params, columns=PARAM_COLUMNS),
        changes=pd.DataFrame(changes, columns=CHANGE_COLUMNS),
        notes=notes, metric=metric, n=record.n, scale_points=K,
        level="composite" if composite else "latent", reliability=reliability,
    )
