"""Steps of :func:`replication.data.population.population`, in the order it calls them.

Each step reads the record's values through a shared :class:`_Build` (values, notes, parameter
rows and changes) and returns what the next steps need: the structural edges, the causal order,
the measurement part, the exogenous correlations, the recursive structure, the disturbance
correlations and, last, the item level and the implied covariance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from replication.data.population_formulas import (item_sd_from_composite, latent_from_composites,
                                                  nearest_correlation, spearman_brown_loading,
                                                  topological_order)
from replication.data.population_model import CHANGE_COLUMNS, PARAM_COLUMNS, Population
from replication.engine.errors import InputError
from replication.engine.ram import total_covariance
from replication.engine.reliability import composite_reliability

__all__ = ["build_population"]


def build_population(record, max_loading: float, min_disturbance: float, min_eigen: float) -> Population:
    """Run the steps of :func:`replication.data.population.population` (documented there)."""
    b = _Build.start(record)
    edges, products, prod_edges = _structural_edges(b)
    order, exo, endo = _causal_order(b, edges, products, prod_edges)
    meas = _measurement(b, max_loading)
    Rx_used = _exogenous_correlations(b, exo, meas.lvar, min_eigen)
    st = _recursive_structure(b, order, exo, endo, edges, products, prod_edges, Rx_used,
                              meas.lvar, min_disturbance)
    _disturbance_correlations(b, st, endo, meas.lvar, min_eigen)
    _structural_params(b, st, endo)
    return _item_level(b, st, order, endo, products, prod_edges, meas, min_eigen, min_disturbance)


# ------------------------------------------------------------------------------------------------
# Steps of population()
# ------------------------------------------------------------------------------------------------
@dataclass
class _Build:
    """What the steps of :func:`population` share: the record's values and the growing output."""

    record: object
    vals: dict
    metric: str
    composite: bool
    K: int
    items_by: dict[str, list[str]]
    names: list[str]
    notes: list[str] = field(default_factory=list)
    params: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)

    @classmethod
    def start(cls, record) -> "_Build":
        """Read the metric of printed estimates and the constructs that have items."""
        vals = record.values()
        notes: list[str] = []
        mv = vals.get("model.estimate_metric")
        metric = str(mv.value) if mv is not None else "standardized"
        if metric not in ("standardized", "unstandardized"):
            raise InputError(f"{record.id}: assumption model.estimate_metric: expected 'standardized' "
                             f"or 'unstandardized', got {metric!r}")
        if mv is None:
            notes.append("model.estimate_metric is neither printed nor assumed; printed estimates "
                         "are read as standardized (default).")
        items_by = record.items
        names = [c for c in record.constructs if items_by.get(c)]
        if not names:
            raise InputError(f"{record.id}: constructs: no construct has items")
        return cls(record=record, vals=vals, metric=metric, composite=record.model.kind == "regression",
                   K=record.scale_points, items_by=items_by, names=names, notes=notes)

    def val(self, target):
        return self.vals.get(target)

    @staticmethod
    def src(v) -> tuple[str, str]:
        if v.status == "published":
            return "published", v.where or ""
        return "assumed", v.reason or ""

    def corr_value(self, a, b):
        for t in (f"correlations.{a}~~{b}", f"correlations.{b}~~{a}"):
            if t in self.vals:
                return self.vals[t], t
        return None, f"correlations.{a}~~{b}"


def _structural_edges(b: _Build):
    """Paths, control effects and latent products with their values and provenance.

    Returns ``edges`` ``(x, y, value, metric, status, source)``, the products ``(x, m)`` and
    ``prod_edges`` ``(x, m, y, beta, status, source)``.
    """
    record, val, src = b.record, b.val, b.src
    edges: list[tuple[str, str, float, str, str, str]] = []
    for p in record.model.paths:
        est = val(f"paths.{p.key}.estimate")
        std = val(f"paths.{p.key}.std")
        if est is not None:
            s, w = src(est)
            edges.append((p.from_, p.to, float(est.value), b.metric, s, w + f"|paths.{p.key}.estimate"))
        elif std is not None:
            s, w = src(std)
            edges.append((p.from_, p.to, float(std.value), "standardized", s, w + f"|paths.{p.key}.std"))
        else:
            edges.append((p.from_, p.to, 0.0, "standardized", "default",
                          f"no value printed or assumed|paths.{p.key}.std"))
            b.notes.append(f"paths.{p.key}: no estimate printed or assumed; 0 used (default).")
    controls = [c for c, con in record.constructs.items() if con.role == "control"]
    ctrl_targets = {p.to for p in record.model.paths}
    for v in controls:
        for y in sorted(ctrl_targets):
            cv = val(f"controls.{v}->{y}.std")
            if cv is not None:
                s, w = src(cv)
                edges.append((v, y, float(cv.value), "standardized", s, w + f"|controls.{v}->{y}.std"))
    products: list[tuple[str, str]] = []
    prod_edges: list[tuple[str, str, str, float, str, str]] = []
    for m in record.model.moderations:
        iv = val(f"interactions.{m.key}.std")
        if iv is not None:
            s, w = src(iv)
            beta_i = float(iv.value)
        else:
            beta_i, s, w = 0.0, "default", "no value printed or assumed"
            b.notes.append(f"interactions.{m.key}: no effect printed or assumed; 0 used (default).")
        if (m.x, m.m) not in products:
            products.append((m.x, m.m))
        prod_edges.append((m.x, m.m, m.y, beta_i, s, w))
    for t in b.vals:  # interactions assumed without a listed moderation
        if t.startswith("interactions.") and t.endswith(".std"):
            key = t[len("interactions."):-len(".std")]
            if key not in {m.key for m in record.model.moderations}:
                b.notes.append(f"{t} has no matching model.moderations entry and is not used.")
    return edges, products, prod_edges


def _causal_order(b: _Build, edges, products, prod_edges):
    """Constructs in causal order, and which are exogenous and which dependent."""
    for x, y, *_ in edges:
        for c in (x, y):
            if c not in b.names:
                raise InputError(f"{b.record.id}: construct {c!r} is used by a path but has no items")
    order = topological_order(b.names, [(x, y) for x, y, *_ in edges]
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
            raise InputError(f"{b.record.id}: model.moderations: {x}x{m_} involves a construct that "
                             "depends on another interaction; expected products of normal constructs")
    return order, exo, endo


@dataclass
class _Measurement:
    """Standardized loadings, item SDs and means, latent and composite variances."""

    std_load: dict[str, float]
    item_sd: dict[str, float]
    item_mean: dict[str, float]
    lvar: dict[str, float]
    comp_var: dict[str, float]
    mean_defaulted: list[str]


def _item_loading(b: _Build, c: str, it: str, k: int, max_loading: float, load_defaulted: list[str]):
    """Standardized loading of one item and its provenance (printed, assumed, derived, default)."""
    val, src = b.val, b.src
    cl, al, av = val(f"constructs.{c}.loading"), val(f"constructs.{c}.alpha"), val(f"constructs.{c}.ave")
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
        b.changes.append(dict(target=f"items.{it}.loading", published=l, used=new,
                              change=new - l, reason=f"standardized loading above {max_loading} "
                              "(zero or negative residual variance)"))
        l, s = new, "changed"
    return l, s, w, pub


def _measurement(b: _Build, max_loading: float) -> _Measurement:
    """Loadings, item SDs and means of every construct (defaults noted)."""
    K = b.K
    m = _Measurement({}, {}, {}, {}, {}, [])
    default_sd = 1.0 if K is None else (K - 1) / 4  # continuous indicators: unit SD, mean 0
    mid = 0.0 if K is None else (K + 1) / 2
    sd_defaulted, load_defaulted = [], []
    for c in b.names:
        its = b.items_by[c]
        k = len(its)
        for it in its:
            l, s, w, pub = _item_loading(b, c, it, k, max_loading, load_defaulted)
            m.std_load[it] = l
            b.params.append(dict(lhs=c, op="=~", rhs=it, est=np.nan, std=l, published=pub,
                                 status=s, source=w))
        R = np.array([[1.0 if a == b_ else m.std_load[a] * m.std_load[b_] for b_ in its] for a in its])
        sdv, mnv = b.val(f"constructs.{c}.sd"), b.val(f"constructs.{c}.mean")
        if sdv is not None:
            s_c = item_sd_from_composite(float(sdv.value), R)
        else:
            s_c = default_sd
            sd_defaulted.append(c)
        if mnv is not None:
            m_c = float(mnv.value)
        else:
            m_c = mid
            m.mean_defaulted.append(c)
        for it in its:
            m.item_sd[it] = s_c
            m.item_mean[it] = m_c
        m.comp_var[c] = s_c ** 2 * float(np.sum(R)) / k ** 2
        if b.metric == "standardized":
            m.lvar[c] = 1.0
        else:
            m.lvar[c] = m.comp_var[c] if b.composite else (m.std_load[its[0]] * s_c) ** 2
    if load_defaulted:
        b.notes.append(f"Standardized loading 0.7 used (default) for items {', '.join(load_defaulted)}.")
    scale = "continuous indicators" if K is None else None
    if sd_defaulted:
        why = scale or f"(K - 1) / 4 on the {K}-point scale"
        b.notes.append(f"Item SD {default_sd:g} ({why}) used (default) "
                       f"for constructs {', '.join(sd_defaulted)}: no SD printed or assumed.")
    if m.mean_defaulted:
        why = scale or "scale midpoint"
        b.notes.append(f"Item mean {mid:g} ({why}) used (default) for constructs "
                       f"{', '.join(m.mean_defaulted)}: no mean printed or assumed.")
    return m


def _exogenous_correlations(b: _Build, exo: list[str], lvar: dict[str, float],
                            min_eigen: float) -> np.ndarray:
    """Correlation matrix of the exogenous constructs, made admissible (changes reported)."""
    Rx = np.eye(len(exo))
    rsrc = {}
    default_corr: list[str] = []
    for i, a in enumerate(exo):
        for j in range(i + 1, len(exo)):
            c = exo[j]
            v, t = b.corr_value(a, c)
            if v is not None:
                Rx[i, j] = Rx[j, i] = float(v.value)
                rsrc[(a, c)] = (*b.src(v), v.value)
            else:
                rsrc[(a, c)] = ("default", "no correlation printed or assumed", None)
                default_corr.append(f"{a}~~{c}")
    if default_corr:
        b.notes.append("Correlations of exogenous constructs neither printed nor assumed, 0 used "
                       f"(default): {', '.join(default_corr)}.")
    Rx_used = nearest_correlation(Rx, min_eigen)
    for i, a in enumerate(exo):
        for j in range(i + 1, len(exo)):
            c = exo[j]
            s, w, pub = rsrc[(a, c)]
            if abs(Rx_used[i, j] - Rx[i, j]) > 1e-12:
                b.changes.append(dict(target=f"correlations.{a}~~{c}", published=Rx[i, j],
                                      used=Rx_used[i, j], change=Rx_used[i, j] - Rx[i, j],
                                      reason="exogenous correlation matrix not positive definite; "
                                      f"eigenvalues raised to {min_eigen}"))
                s = "changed"
            b.params.append(dict(lhs=a, op="~~", rhs=c, est=Rx_used[i, j] * math.sqrt(lvar[a] * lvar[c]),
                                 std=Rx_used[i, j], published=pub, status=s, source=w))
    return Rx_used


@dataclass
class _Structure:
    """The recursive structure over ``u = order + products``: ``B``, ``Psi``, their covariance."""

    u: list[str]
    ix: dict[str, int]
    pnames: list[str]
    B: np.ndarray
    Psi: np.ndarray
    C: np.ndarray
    coef_rows: dict
    psi_endo: dict[str, float]
    lvar: dict[str, float]


def _coefficient_rows(b: _Build, edges, prod_edges, lvar) -> dict:
    """Coefficients of each dependent construct in the population metric."""
    coef_rows: dict[str, list[tuple[str, float, float | None, str, str, str]]] = {}
    for x, y, value, kind, s, w in edges:
        if kind == "standardized":
            coef = value * math.sqrt(lvar[y] / lvar[x])
        else:
            coef = value
        coef_rows.setdefault(y, []).append((x, coef, value, kind, s, w))
    for x, m_, y, beta_i, s, w in prod_edges:
        pn = f"{x}:{m_}"
        coef = beta_i * math.sqrt(lvar[y] / (lvar[x] * lvar[m_]))
        coef_rows.setdefault(y, []).append((pn, coef, beta_i, "standardized", s,
                                            w + f"|interactions.{x}x{m_}->{y}.std"))
    return coef_rows


def _scale_into(b: _Build, y: str, rows, r2: float, min_disturbance: float):
    """Scale every coefficient into ``y`` so that its R-squared is ``1 - min_disturbance``."""
    c = math.sqrt((1 - min_disturbance) / r2)
    new_rows = []
    for x, coef, value, kind, s, w in rows:
        why, tgt = w.rsplit("|", 1)
        b.changes.append(dict(target=tgt, published=value, used=value * c, change=value * c - value,
                              reason=f"R-squared of {y} is {r2:.3f} > {1 - min_disturbance:g}: "
                              f"paths into {y} scaled by {c:.4f}"))
        new_rows.append((x, coef * c, value, kind, "changed", f"{why} (scaled by {c:.4f})|{tgt}"))
    return new_rows, c


def _recursive_structure(b: _Build, order, exo, endo, edges, products, prod_edges, Rx_used,
                         lvar, min_disturbance) -> _Structure:
    """Coefficients and disturbance variances of the dependent constructs, in causal order."""
    pnames = [f"{x}:{m_}" for x, m_ in products]
    u = order + pnames
    ix = {v: i for i, v in enumerate(u)}
    nu = len(u)
    B = np.zeros((nu, nu))
    Psi = np.zeros((nu, nu))
    for i, a in enumerate(exo):
        for j, c in enumerate(exo):
            Psi[ix[a], ix[c]] = Rx_used[i, j] * math.sqrt(lvar[a] * lvar[c])
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

    coef_rows = _coefficient_rows(b, edges, prod_edges, lvar)
    C = add_products(Psi.copy())  # running covariance (exogenous block known)
    psi_endo: dict[str, float] = {}
    for y in endo:
        if set_products != list(range(len(products))):
            add_products(total_covariance(B, Psi))
            C = total_covariance(B, Psi)
        rows = coef_rows.get(y, [])
        if b.composite:  # product of composites: beta = b sd(X*M) / sd(Y), as the regression prints
            rows = coef_rows[y] = [
                (x, value * math.sqrt(lvar[y] / C[ix[x], ix[x]]) if x in pnames else coef, value,
                 kind, s, w) for x, coef, value, kind, s, w in rows]
        bvec = np.zeros(nu)
        for x, coef, *_ in rows:
            bvec[ix[x]] = coef
        explained = float(bvec @ C @ bvec)
        r2 = explained / lvar[y]
        if r2 > 1 - min_disturbance:
            rows, c = _scale_into(b, y, rows, r2, min_disturbance)
            coef_rows[y] = rows
            bvec *= c
            explained = float(bvec @ C @ bvec)
        psi = lvar[y] - explained
        psi_endo[y] = psi
        B[ix[y], :] = bvec
        Psi[ix[y], ix[y]] = psi
        done.add(y)
        # update running covariance of y with everything processed so far
        C = total_covariance(B, Psi)
    return _Structure(u=u, ix=ix, pnames=pnames, B=B, Psi=Psi, C=C, coef_rows=coef_rows,
                      psi_endo=psi_endo, lvar=lvar)


def _disturbance_correlations(b: _Build, st: _Structure, endo, lvar, min_eigen) -> None:
    """Printed or assumed correlations between disturbances, made admissible."""
    if len(endo) <= 1:
        return
    ix, Psi = st.ix, st.Psi
    Rd = np.eye(len(endo))
    dsrc = {}
    for i, a in enumerate(endo):
        for j in range(i + 1, len(endo)):
            c = endo[j]
            v, t = b.corr_value(a, c)
            if v is not None:
                Rd[i, j] = Rd[j, i] = float(v.value)
                dsrc[(a, c)] = (*b.src(v), v.value)
    Rd_used = nearest_correlation(Rd, min_eigen)
    for (a, c), (s, w, pub) in dsrc.items():
        i, j = endo.index(a), endo.index(c)
        if abs(Rd_used[i, j] - Rd[i, j]) > 1e-12:
            b.changes.append(dict(target=f"correlations.{a}~~{c}", published=Rd[i, j],
                                  used=Rd_used[i, j], change=Rd_used[i, j] - Rd[i, j],
                                  reason="disturbance correlation matrix not positive definite"))
            s = "changed"
        cov_ac = Rd_used[i, j] * math.sqrt(st.psi_endo[a] * st.psi_endo[c])
        Psi[ix[a], ix[c]] = Psi[ix[c], ix[a]] = cov_ac
        if cov_ac != 0 or pub is not None:
            b.params.append(dict(lhs=a, op="~~", rhs=c, est=cov_ac, std=Rd_used[i, j],
                                 published=pub, status=s, source=w + " (disturbances)"))
    st.C = total_covariance(st.B, Psi)
    for y in endo:
        if abs(st.C[ix[y], ix[y]] - lvar[y]) > 1e-9 * max(1.0, lvar[y]):
            b.notes.append(f"{y}: a disturbance correlation with one of its own predictors makes "
                           f"its variance {st.C[ix[y], ix[y]]:.4f} instead of {lvar[y]:.4f}.")


def _structural_params(b: _Build, st: _Structure, endo) -> None:
    """Parameter rows of the structural coefficients and disturbance variances."""
    C, ix = st.C, st.ix
    for y in endo:
        for x, coef, value, kind, s, w in st.coef_rows.get(y, []):
            why, tgt = w.rsplit("|", 1)
            vx = C[ix[x], ix[x]]
            b.params.append(dict(lhs=y, op="~", rhs=x, est=coef, std=coef * math.sqrt(vx / C[ix[y], ix[y]]),
                                 published=value if s != "default" else None, status=s,
                                 source=why))
        b.params.append(dict(lhs=y, op="~~", rhs=y, est=st.psi_endo[y],
                             std=st.psi_endo[y] / C[ix[y], ix[y]], published=None, status="derived",
                             source="disturbance variance: construct variance minus explained variance"))


def _item_level(b: _Build, st: _Structure, order, endo, products, prod_edges, meas: _Measurement,
                min_eigen, min_disturbance) -> Population:
    """Loadings and residuals of the items, the composite-level step, and the implied covariance."""
    record, items_by, names, lvar = b.record, b.items_by, b.names, meas.lvar
    items = [it for c in record.constructs if c in names for it in items_by[c]]
    Lam = np.zeros((len(items), len(order)))
    theta = np.zeros(len(items))
    for c in names:
        for it in items_by[c]:
            i = items.index(it)
            scale = 1.0 if b.composite else math.sqrt(lvar[c])  # composite level: unit latents
            Lam[i, order.index(c)] = meas.std_load[it] * meas.item_sd[it] / scale
            theta[i] = meas.item_sd[it] ** 2 * (1 - meas.std_load[it] ** 2)
    C, B, Psi, reliability = st.C, st.B, st.Psi, None
    if b.composite:
        rel = {c: composite_reliability([meas.std_load[it] for it in items_by[c]]) for c in order}
        a = {c: float(np.mean([Lam[items.index(it), order.index(c)] for it in items_by[c]]))
             for c in order}
        C, B, Psi = latent_from_composites(
            order, products, C, B, rel, a, {c: meas.comp_var[c] / lvar[c] for c in order},
            [y for y in endo], {(x, m_, y): beta_i for x, m_, y, beta_i, *_ in prod_edges},
            b.changes, min_eigen, min_disturbance)
        reliability = pd.Series([rel[c] for c in order], index=order, dtype=float)
        b.notes.append("model.kind is regression: the coefficients and correlations hold among "
                       "composite (item-mean) scores; latent correlations are the composite "
                       "correlations divided by the square roots of the composite reliabilities ("
                       + ", ".join(f"{c} {rel[c]:.3f}" for c in order) + ").")
    _item_params(b, items, Lam, theta, order, meas)
    Clat = C[: len(order), : len(order)]
    Sigma = Lam @ Clat @ Lam.T + np.diag(theta)
    Sigma = (Sigma + Sigma.T) / 2
    if np.linalg.eigvalsh(Sigma).min() <= 0:
        b.notes.append("The implied item covariance matrix is not positive definite.")
    u = st.u
    return Population(
        record_id=record.id, items=items, constructs={c: list(items_by[c]) for c in names},
        latents=order,
        cov=pd.DataFrame(Sigma, index=items, columns=items),
        means=pd.Series([meas.item_mean[it] for it in items], index=items, dtype=float),
        loadings=pd.DataFrame(Lam, index=items, columns=order),
        beta=pd.DataFrame(B, index=u, columns=u),
        latent_cov=pd.DataFrame(C, index=u, columns=u),
        disturbance_cov=pd.DataFrame(Psi, index=u, columns=u),
        residuals=pd.Series(theta, index=items),
        products=products,
        params=pd.DataFrame(b.params, columns=PARAM_COLUMNS),
        changes=pd.DataFrame(b.changes, columns=CHANGE_COLUMNS),
        notes=b.notes, metric=b.metric, n=record.n_analysed, scale_points=b.K,
        level="composite" if b.composite else "latent", reliability=reliability,
    )


def _item_params(b: _Build, items, Lam, theta, order, meas: _Measurement) -> None:
    """Unstandardized loadings, residual variances and item means in the parameter rows."""
    for row in b.params:
        if row["op"] == "=~":
            row["est"] = float(Lam[items.index(row["rhs"]), order.index(row["lhs"])])
    for it in items:
        i = items.index(it)
        b.params.append(dict(lhs=it, op="~~", rhs=it, est=theta[i], std=1 - meas.std_load[it] ** 2,
                             published=None, status="derived", source="residual variance 1 - loading^2"))
    for it in items:
        c = next(c for c in b.names if it in b.items_by[c])
        status = "default" if c in meas.mean_defaulted else b.src(b.val(f"constructs.{c}.mean"))[0]
        b.params.append(dict(lhs=it, op="~1", rhs="", est=meas.item_mean[it], std=np.nan,
                             published=None if c in meas.mean_defaulted
                             else b.val(f"constructs.{c}.mean").value,
                             status=status, source=f"construct mean of {c}"))
