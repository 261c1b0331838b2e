"""Degrees of freedom of a described CFA or SEM, and what a printed df implies.

A covariance-structure model on ``p`` observed items has ``p (p + 1) / 2`` distinct moments; its
degrees of freedom are the moments minus the free parameters. The counts follow the defaults of
AMOS and LISREL path diagrams (and lavaan's ``lavaan(..., auto.var = TRUE, auto.fix.first = TRUE,
auto.cov.lv.x = TRUE)``): each item loads on one construct, the first loading of each construct
is fixed to 1, every item has a residual variance, exogenous constructs have free variances and
covariances, every endogenous construct has a disturbance variance, and any further covariance
is one listed in the record.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from replication.engine.errors import InputError
from replication.engine.multigroup_table import group_table
from replication.engine.ram import specify

__all__ = [
    "DfCount",
    "syntax_df",
    "n_moments",
    "cfa_df",
    "sem_df",
    "items_implied_by_df",
    "record_df",
    "group_count",
    "described_df",
    "block_groups",
]


@dataclass(frozen=True)
class DfCount:
    """Degrees of freedom of a model with the parameter count behind them.

    Attributes
    ----------
    df : int
        ``moments - free``.
    moments : int
        ``p (p + 1) / 2``.
    free : int
        Number of free parameters.
    parts : dict
        Free parameters by kind (``loadings``, ``residuals``, ``latent (co)variances``,
        ``paths``, ``disturbances``, ``covariances``).
    n_items : int
        Items ``p``.
    structural : int
        Free parameters beyond the ``2 p`` loadings and residuals (the constant ``c`` in
        ``df = p (p + 1) / 2 - 2 p - c``).
    assumed_items : list of str
        Constructs whose item count is assumed rather than printed.
    """

    df: int
    moments: int
    free: int
    parts: dict[str, int]
    n_items: int
    structural: int
    assumed_items: list[str] = field(default_factory=list)
    groups: int = 1

    def describe(self) -> str:
        """One line: ``df = moments - free (parts)``."""
        inner = ", ".join(f"{v} {k}" for k, v in self.parts.items() if v)
        if self.groups > 1:
            return (f"df = {self.moments} - {self.free} = {self.df} ({self.groups} groups of {self.n_items} "
                    f"items with means; {inner})")
        return f"df = {self.moments} - {self.free} = {self.df} ({self.n_items} items; {inner})"


def n_moments(p: int) -> int:
    """Distinct variances and covariances of ``p`` observed variables.

    Parameters
    ----------
    p : int
        Observed variables.

    Returns
    -------
    int
        ``p (p + 1) / 2``, the number of non-redundant elements of a ``p x p`` covariance
        matrix (the "observations" of a covariance-structure model without means); a model
        with ``q`` free parameters has ``df = p (p + 1) / 2 - q``.

    References
    ----------
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, ch. 4 (t-rule).
    Kline, R. B. (2016). *Principles and Practice of Structural Equation Modeling* (4th ed.).
    Guilford (counting rule: ``df_M = v (v + 1) / 2 - q`` for ``v`` observed variables and
    ``q`` free parameters).

    Examples
    --------
    >>> n_moments(9)
    45
    """
    return p * (p + 1) // 2


def _check_counts(**counts: int) -> None:
    for name, v in counts.items():
        if not isinstance(v, (int,)) or isinstance(v, bool) or v < 0:
            raise InputError(f"model_df: {name} must be a non-negative integer, got {v!r}")


def cfa_df(n_items: int, n_constructs: int, n_single: int = 0) -> DfCount:
    """Degrees of freedom of a CFA with correlated constructs and simple structure.

    Parameters
    ----------
    n_items : int
        Observed items ``p`` (each loading on one construct).
    n_constructs : int
        Constructs ``k`` (all covarying freely).
    n_single : int, default 0
        Constructs measured by a single item: that item's residual variance is fixed to 0
        (lavaan's ``auto.fix.single``), one parameter fewer each.

    Returns
    -------
    DfCount
        ``df = p (p + 1) / 2 - [(p - k) + p + k (k + 1) / 2]``
        ``   = p (p + 1) / 2 - 2 p - k (k - 1) / 2``.

    References
    ----------
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, ch. 7 (t-rule).

    Examples
    --------
    >>> cfa_df(24, 7).df
    231
    """
    _check_counts(n_items=n_items, n_constructs=n_constructs, n_single=n_single)
    p, k = n_items, n_constructs
    parts = {"loadings": p - k, "residuals": p - n_single, "latent (co)variances": k * (k + 1) // 2}
    free = sum(parts.values())
    return DfCount(df=n_moments(p) - free, moments=n_moments(p), free=free, parts=parts,
                   n_items=p, structural=free - 2 * p)


def sem_df(n_items: int, n_constructs: int, n_exogenous: int, n_endogenous: int, n_paths: int,
           n_covariances: int = 0, n_single: int = 0) -> DfCount:
    """Degrees of freedom of a latent SEM as drawn in a path diagram.

    Parameters
    ----------
    n_items : int
        Observed items ``p``.
    n_constructs : int
        Constructs ``k`` (one fixed loading each).
    n_exogenous : int
        Exogenous constructs (free variances and covariances among them).
    n_endogenous : int
        Endogenous constructs (one disturbance variance each).
    n_paths : int
        Structural regression paths.
    n_covariances : int, default 0
        Further free covariances (for example between disturbances).
    n_single : int, default 0
        Constructs measured by a single item (residual variance fixed to 0, as
        :func:`cfa_df`).

    Returns
    -------
    DfCount
        ``df = p (p + 1) / 2 - [(p - k) + p + m (m + 1) / 2 + e + paths + covariances]`` with
        ``m`` exogenous and ``e`` endogenous constructs.

    References
    ----------
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, ch. 8.

    Examples
    --------
    >>> sem_df(21, 7, 2, 5, 12).df
    176
    """
    _check_counts(n_items=n_items, n_constructs=n_constructs, n_exogenous=n_exogenous,
                  n_endogenous=n_endogenous, n_paths=n_paths, n_covariances=n_covariances,
                  n_single=n_single)
    p, k, m = n_items, n_constructs, n_exogenous
    parts = {"loadings": p - k, "residuals": p - n_single, "latent (co)variances": m * (m + 1) // 2,
             "paths": n_paths, "disturbances": n_endogenous, "covariances": n_covariances}
    free = sum(parts.values())
    return DfCount(df=n_moments(p) - free, moments=n_moments(p), free=free, parts=parts,
                   n_items=p, structural=free - 2 * p)


def items_implied_by_df(df: int, structural: int) -> float:
    """Number of items ``p`` that gives ``df`` for a model with ``structural`` extra parameters.

    Parameters
    ----------
    df : int
        Printed degrees of freedom.
    structural : int
        Free parameters beyond ``2 p`` (see :attr:`DfCount.structural`; for a CFA of ``k``
        constructs ``k (k - 1) / 2``).

    Returns
    -------
    float
        Positive root of ``p (p + 1) / 2 - 2 p - c = df``, i.e.
        ``p = (3 + sqrt(9 + 8 (c + df))) / 2``; a whole number when some item count fits.

    Notes
    -----
    Inverts ``df = p (p + 1) / 2 - q`` with ``q = 2 p + c`` (one loading and one residual
    variance per item, less one fixed loading per construct, counted in ``c``).

    References
    ----------
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, ch. 7 (t-rule).
    Kline, R. B. (2016). *Principles and Practice of Structural Equation Modeling* (4th ed.).
    Guilford (counting rule: ``df_M = v (v + 1) / 2 - q`` for ``v`` observed variables and
    ``q`` free parameters).

    Examples
    --------
    >>> items_implied_by_df(231, 21)
    24.0
    """
    disc = 9 + 8 * (structural + df)
    if disc < 0:
        return math.nan
    return (3 + math.sqrt(disc)) / 2


def _not_free_by_default(spec, orthogonal: bool) -> set[int]:
    """Free indices of default latent covariances that lavaan does not add.

    lavaan's ``auto.cov.lv.x`` correlates only exogenous latent variables: a latent variable
    that is the indicator of another (a first-order factor of a second-order model) or the
    outcome of a regression is endogenous and gets a disturbance, not a covariance. With
    ``orthogonal`` (``cfa(..., orthogonal = TRUE)``, a bifactor model) no latent covariance
    is added at all.
    """
    lat = set(spec.lv)
    endogenous = {r["rhs"] for r in spec.rows if r["op"] == "=~" and r["rhs"] in lat}
    endogenous |= {r["lhs"] for r in spec.rows if r["op"] == "~" and r["lhs"] in lat}
    out: set[int] = set()
    for r in spec.rows:
        a, b = r["lhs"], r["rhs"]
        if (r["op"] == "~~" and a != b and a in lat and b in lat and not r["user"] and r["free"] >= 0
                and (orthogonal or a in endogenous or b in endogenous)):
            out.add(r["free"])
    return out


def syntax_df(text: str, orthogonal: bool = False) -> DfCount:
    """Degrees of freedom of a model given in lavaan syntax, with its parameter count.

    The free parameters are those of lavaan's parameter table (:func:`replication.engine.ram.specify`,
    ``lavaan()`` defaults with ``auto.cov.lv.x``); parameters sharing a label count once, fixed
    values and fixed.x moments not at all. Moments are ``p (p + 1) / 2 - k (k + 1) / 2`` for
    ``p`` observed variables of which ``k`` are fixed.x. Only exogenous latent variables covary
    by default (a first-order factor of a second-order factor does not), none with
    ``orthogonal=True``.

    References
    ----------
    lavaan ``R/lav_partable.R`` (``lav_partable_df``), ``R/lav_partable_vnames.R`` (``lv.x``);
    Bollen (1989), ch. 4 (t-rule).
    """
    spec = specify(text)
    dropped = _not_free_by_default(spec, orthogonal)
    lat = set(spec.lv)
    parts = {"loadings": 0, "residuals": 0, "latent (co)variances": 0, "paths": 0,
             "disturbances": 0, "covariances": 0}
    seen: set[int] = set(dropped)
    endo = {r["lhs"] for r in spec.rows if r["op"] == "~"}
    endo |= {r["rhs"] for r in spec.rows if r["op"] == "=~" and r["rhs"] in lat}
    for r in spec.rows:
        if r["free"] < 0 or r["free"] in seen:
            continue
        seen.add(r["free"])
        a, b = r["lhs"], r["rhs"]
        if r["op"] == "=~":
            kind = "loadings"
        elif r["op"] == "~":
            kind = "paths"
        elif a == b:
            kind = "residuals" if a not in lat else ("disturbances" if a in endo else "latent (co)variances")
        elif a in lat and b in lat:
            kind = "latent (co)variances"
        else:
            kind = "covariances"
        parts[kind] += 1
    p, k = len(spec.ov), len(spec.ov_x)
    moments = p * (p + 1) // 2 - k * (k + 1) // 2
    free = spec.n_free - len(dropped)
    return DfCount(df=spec.df + len(dropped), moments=moments, free=free, parts=parts, n_items=p,
                   structural=free - parts["loadings"] - parts["residuals"])


def record_df(record, model: str = "sem") -> DfCount | None:
    """Degrees of freedom of the model a record describes.

    Parameters
    ----------
    record : Record
        A published record (:mod:`replication.record.schema`).
    model : str
        ``cfa`` (the measurement model of all constructs), ``sem`` (the structural model), or the
        name of a fit block with its own syntax.

    Returns
    -------
    DfCount or None
        ``None`` when the record's model is not a latent-variable model with known df: a
        regression model, or a model with latent interactions (the product-indicator model is
        not described by the papers).

    Notes
    -----
    A record with ``model.syntax`` (or of kind ``cfa``), and a fit block with its own syntax,
    are counted from the syntax by :func:`syntax_df`, and over every group with the block's
    ``group.equal`` (:func:`group_count`) when the record has groups. Otherwise ``df = p (p + 1) / 2 - q`` with ``p`` the items of the latent constructs (printed or
    assumed) and ``q`` the free parameters of :func:`cfa_df` (``model="cfa"``) or
    :func:`sem_df` (``model="sem"``: exogenous constructs are those no path points to;
    listed covariances other than those among exogenous constructs add one parameter each). A
    construct measured by one item has that item's residual variance fixed to 0.

    References
    ----------
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley, ch. 7 and 8.
    Kline, R. B. (2016). *Principles and Practice of Structural Equation Modeling* (4th ed.).
    Guilford (counting rule: ``df_M = v (v + 1) / 2 - q`` for ``v`` observed variables and
    ``q`` free parameters).
    """
    own = {b.model: b for b in record.results.fit}
    orthogonal = model in own and own[model].orthogonal
    groups = block_groups(record, own.get(model))
    if model in own and own[model].syntax is not None:
        return group_count(record, own[model].syntax, model, groups, orthogonal)
    if model not in ("cfa", "sem"):
        raise InputError(f"record_df: model must be 'cfa', 'sem' or a fit block with its own syntax, "
                         f"got {model!r}")
    if record.model.moderations or record.model.kind == "regression":
        return None
    if record.model.syntax is not None or record.model.kind == "cfa":
        text = record.cfa_syntax() if model == "cfa" else record.main_syntax()
        return group_count(record, text, model, groups, orthogonal)
    if groups is None or groups > 1:
        return None
    constructs = record.latent_constructs
    items = record.items
    p = sum(len(items[c]) for c in constructs)
    published = {c for c in constructs
                 if record.constructs[c].items is not None or record.constructs[c].n_items is not None}
    assumed = [c for c in constructs if c not in published]
    if p == 0:
        return None
    single = sum(1 for c in constructs if len(items[c]) == 1)
    out = described_df(record, model, p, single)
    return DfCount(df=out.df, moments=out.moments, free=out.free, parts=out.parts,
                   n_items=out.n_items, structural=out.structural, assumed_items=assumed)


def described_df(record, model: str, p: int, single: int) -> DfCount:
    """Degrees of freedom of the record's described ``cfa`` or ``sem`` (no syntax) with ``p``
    items in all, ``single`` constructs of them measured by one item (:func:`cfa_df`,
    :func:`sem_df`)."""
    constructs = record.latent_constructs
    if model == "cfa":
        return cfa_df(p, len(constructs), single)
    targets = {pth.to for pth in record.model.paths}
    exo = [c for c in constructs if c not in targets]
    endo = [c for c in constructs if c in targets]
    exo_set = set(exo)
    extra = sum(1 for cv in record.model.covariances if not (cv.a in exo_set and cv.b in exo_set))
    return sem_df(p, len(constructs), len(exo), len(endo), len(record.model.paths), extra, single)


def block_groups(record, block=None) -> int | None:
    """Groups of a fit block: its own ``groups`` when above 1, else the record's
    (``model.n_groups``: 1 without ``model.group``, ``None`` when the groups are not named)."""
    if block is not None and block.groups > 1:
        return block.groups
    return record.model.n_groups


def group_count(record, text: str, model: str, groups: int | None, orthogonal: bool = False) -> DfCount | None:
    """Degrees of freedom of ``text`` fitted to ``groups`` groups with the constraints of the fit
    block ``model`` (:meth:`replication.record.model.Model.block_group_equal`, ``group_partial``).

    One group: :func:`syntax_df`. Several: lavaan's multi-group table
    (:func:`replication.engine.multigroup_table.group_table`), ``G (p (p + 1) / 2 + p)`` moments
    with the mean structure minus the free parameters left after ``group.equal`` and
    ``group.partial`` (HS by school: configural 48, metric 54, scalar 60 df). ``None`` when the
    number of groups is unknown or the multi-group table cannot be built (observed predictors,
    an orthogonal multi-group model).

    References
    ----------
    lavaan ``R/lav_partable_flat.R`` (``group.equal``), ``R/lav_partable.R``
    (``lav_partable_df``); Meredith, W. (1993). Measurement invariance, factor analysis and
    factorial invariance. *Psychometrika*, 58, 525-543.
    """
    one = syntax_df(text, orthogonal)
    if groups == 1:
        return one
    if groups is None or orthogonal:
        return None
    labels = list(record.model.group_labels or record.model.group_n)
    if len(labels) != groups:
        labels = [f"group{i + 1}" for i in range(groups)]
    equal = [w for w in record.model.block_group_equal(model) if w != "thresholds"]
    try:
        table = group_table(specify(text), labels, equal, record.model.group_partial)
    except InputError:
        return None
    p = one.n_items
    moments = groups * (p * (p + 1) // 2 + p)
    return DfCount(df=int(table.df), moments=moments, free=moments - int(table.df),
                   parts={f"free parameters over {groups} groups": moments - int(table.df)}, n_items=p,
                   structural=one.structural, groups=groups)
