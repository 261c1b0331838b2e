"""The model a record describes: constructs, structural paths, covariances, moderations, mediations."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from replication.record.printed import Published, _FieldError, _Strict, _whole, unique_names

__all__ = ["Construct", "StructuralPath", "Covariance", "ProductIndicators", "Moderation", "Mediation",
           "Model", "GROUP_EQUAL", "INVARIANCE_STEPS", "ESTIMATOR_OPTIONS"]

#: lavaan's ``group.equal`` words.
GROUP_EQUAL = ("loadings", "intercepts", "means", "thresholds", "residuals", "residual.covariances",
               "lv.variances", "lv.covariances", "regressions")
#: Fit blocks named by an invariance step are fitted with that step's ``group.equal``.
INVARIANCE_STEPS = {"configural": (), "metric": ("loadings",), "scalar": ("loadings", "intercepts"),
                    "strict": ("loadings", "intercepts", "residuals")}
#: lavaan's ``(se, test)`` of each estimator; the suite fits these combinations (``yuan.bentler``
#: other than lavaan's MLR default ``yuan.bentler.mplus`` is not fitted).
ESTIMATOR_OPTIONS = {"ML": ("standard", "standard"), "MLM": ("robust.sem", "satorra.bentler"),
                     "MLR": ("robust.huber.white", "yuan.bentler.mplus"),
                     "DWLS": ("standard", "standard"), "WLSMV": ("robust.sem", "scaled.shifted")}
_FAMILY = {"ML": "ML", "MLM": "ML", "MLR": "ML", "DWLS": "DWLS", "WLSMV": "DWLS"}
_PARTIAL = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_.]*)\s*(=~|~~|~)\s*([A-Za-z0-9_.]+)\s*$")


class Construct(_Strict):
    """A latent construct (or, in a regression paper, a composite score).

    ``items`` lists item names when the paper prints them; otherwise the item count comes from a
    published ``n_items`` or from an assumption ``constructs.<C>.n_items`` and items are named
    ``<C>1 .. <C>k``. ``reversed`` lists the items the paper reverse-scored (``min + max - x``
    on the scale) before every analysis: alpha, CR, AVE, HTMT and composites use them reversed.
    """

    name: str = Field(min_length=1)
    items: list[str] | None = None
    n_items: Published | None = None
    role: Literal["construct", "control"] = "construct"
    reversed: list[str] = []

    @field_validator("reversed")
    @classmethod
    def _reversed_once(cls, v: list[str]) -> list[str]:
        dup = sorted({it for it in v if v.count(it) > 1})
        if dup:
            raise ValueError(f"item {dup[0]!r} listed twice")
        return v

    @model_validator(mode="after")
    def _reversed_are_items(self) -> "Construct":
        if self.reversed and self.items is None:
            raise _FieldError("reversed", "expected the construct's items to be listed (items) "
                                          "when some are reverse-keyed")
        for j, it in enumerate(self.reversed):
            if it not in (self.items or []):
                raise _FieldError(f"reversed[{j}]", f"item {it!r} is not an item of this construct "
                                                    f"(expected one of {', '.join(self.items or [])})")
        return self

    @field_validator("items")
    @classmethod
    def _item_names(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return v
        if not v:
            raise ValueError("expected at least one item name, got an empty list")
        return unique_names(v, "item", "item")

    @field_validator("n_items")
    @classmethod
    def _count(cls, v: Published | None) -> Published | None:
        if v is not None and (v.value < 1 or not _whole(v.value)):
            raise ValueError(f"must be a positive whole number, got {v.value:g}")
        return v


class StructuralPath(_Strict):
    """A directed path ``from -> to`` between constructs."""

    from_: str = Field(alias="from")
    to: str

    @property
    def key(self) -> str:
        return f"{self.from_}->{self.to}"


class Covariance(_Strict):
    """A free covariance between two constructs (beyond the default exogenous covariances)."""

    a: str
    b: str


class ProductIndicators(_Strict):
    """How the product indicators of a latent interaction are built, as the paper states it.

    ``pairing`` is ``matched`` (the i-th item of x times the i-th item of m; Marsh, Wen & Hau,
    2004); items left over in the longer list are dropped (``leftovers: drop``) or averaged with
    the last matched item (``leftovers: parcel``). ``centring`` is ``double_mean`` (items
    centred, products centred again; Lin et al., 2010), ``mean`` (items centred) or ``none``.
    """

    pairing: Literal["matched"] = "matched"
    leftovers: Literal["drop", "parcel"] = "drop"
    centring: Literal["double_mean", "mean", "none"] = "double_mean"


class Moderation(_Strict):
    """``m`` moderates ``x -> y``; ``method`` is how the paper (or the suite) tests it, and
    ``product_indicators`` how a latent product is measured (:class:`ProductIndicators`)."""

    x: str
    m: str
    y: str
    method: Literal["latent_product", "regression"]
    product_indicators: ProductIndicators = ProductIndicators()

    @property
    def key(self) -> str:
        return f"{self.x}x{self.m}->{self.y}"


class Mediation(_Strict):
    """``x -> mediators -> y`` (parallel mediators)."""

    x: str
    mediators: list[str] = Field(min_length=1)
    y: str


class Model(_Strict):
    """The model the paper describes.

    ``kind`` is ``cfa`` (a measurement model only: every construct measured, all factors
    correlated), ``sem`` (latent variables with structural paths) or ``regression`` (OLS on
    composite scores). Exogenous constructs covary freely, as in AMOS and LISREL path diagrams;
    any other free covariance is listed in ``covariances``.

    ``syntax`` gives the model exactly as the paper fitted it, in lavaan model syntax (``=~``,
    ``~``, ``~~`` between factors or items, labels and equality constraints through shared
    labels, fixed values ``1*x``, ``:=`` defined parameters, observed predictors, single
    indicators). When it is given it is the model everywhere (audit, fits, reconstruction,
    comparisons, diagram); ``paths`` may then be omitted (they are read from the syntax's ``~``
    statements between constructs) and, if given, must agree with it. The CFA of a ``sem``
    record with ``syntax`` is its measurement part with all factors correlated, keeping the
    residual covariances between items.

    ``estimator`` (``ML`` default, ``MLM``, ``MLR``, ``DWLS``, ``WLSMV``) and ``ordered`` (item
    names, or ``all``: items treated as ordinal) say how the paper estimated the model; ``se``
    (``standard``, ``robust.sem``, ``robust.huber.white``) and ``test`` (``standard``,
    ``satorra.bentler``, ``yuan.bentler``, ``yuan.bentler.mplus``, ``scaled.shifted``) where
    the paper states them, checked against the estimator as lavaan combines them
    (:attr:`fitted_estimator`).

    ``group`` is the column that splits the sample into groups (lavaan ``group =``), with
    ``group_labels`` the groups in the paper's order and ``group_n`` the N of each group as
    printed; ``group_equal`` holds lavaan's ``group.equal`` words and ``group_partial`` the
    parameters freed from them (lavaan ``lhs op rhs``: ``"visual =~ x2"``, ``"x3 ~ 1"``). A
    syntax written in lavaan's ``group: LABEL`` blocks is read as one model when every block
    writes the same statements (the labels become ``group_labels``), refused otherwise. Fit
    blocks named ``configural``, ``metric``, ``scalar`` or ``strict`` are fitted with that
    step's constraints (:data:`INVARIANCE_STEPS`), every other block with ``group_equal``.
    """

    kind: Literal["cfa", "sem", "regression", "pls"]
    syntax: str | None = None
    paths: list[StructuralPath] = []
    estimator: Literal["ML", "MLM", "MLR", "DWLS", "WLSMV", "PLS", "PLSc"] = "ML"
    scheme: Literal["path", "centroid", "factorial"] | None = None  # PLS: replication.record.pls
    ordered: list[str] | Literal["all"] = []
    covariances: list[Covariance] = []
    moderations: list[Moderation] = []
    mediations: list[Mediation] = []
    controls: list[str] = []
    se: Literal["standard", "robust.sem", "robust.huber.white"] | None = None
    test: Literal["standard", "satorra.bentler", "yuan.bentler", "yuan.bentler.mplus",
                  "scaled.shifted"] | None = None
    group: str | None = Field(default=None, min_length=1)
    group_labels: list[str] = []
    group_n: dict[str, Published] = {}
    group_equal: list[Literal["loadings", "intercepts", "means", "thresholds", "residuals",
                              "residual.covariances", "lv.variances", "lv.covariances",
                              "regressions"]] = []
    group_partial: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _group_blocks(cls, raw):
        return _read_group_blocks(raw)

    @field_validator("syntax")
    @classmethod
    def _syntax_text(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("expected lavaan model syntax, got an empty text")
        return v

    @model_validator(mode="after")
    def _paths_for_kind(self) -> "Model":
        if self.kind == "cfa":
            for name in ("paths", "moderations", "mediations"):
                if getattr(self, name):
                    raise _FieldError(name, f"expected no {name} in a model of kind cfa (a measurement "
                                            "model); use kind sem")
        elif not self.paths and self.syntax is None:
            raise _FieldError("paths", f"expected at least one path for a model of kind {self.kind} "
                                       "(or model.syntax; a model without paths is kind cfa)")
        if self.estimator in ("DWLS", "WLSMV") and not self.ordered:
            raise _FieldError("ordered", f"estimator {self.estimator} is for ordinal items; expected "
                                         "the ordered items (a list of item names) or all")
        return self

    @model_validator(mode="after")
    def _groups_and_options(self) -> "Model":
        _check_groups(self)
        _check_se_test(self)
        return self

    # ------------------------------------------------------------------ estimator and groups
    @property
    def fitted_estimator(self) -> str | None:
        """The estimator lavaan's ``estimator``, ``se`` and ``test`` amount to (``ML``, ``MLM``,
        ``MLR``, ``DWLS``, ``WLSMV``), or ``None`` for a combination the suite does not fit
        (``yuan.bentler``, a robust test with standard errors of another kind, ...)."""
        if self.estimator not in ESTIMATOR_OPTIONS:  # PLS, PLSc
            return self.estimator
        se, test = ESTIMATOR_OPTIONS[self.estimator]
        want = (self.se or se, self.test or test)
        family = _FAMILY[self.estimator]
        return next((e for e, opts in ESTIMATOR_OPTIONS.items()
                     if _FAMILY[e] == family and opts == want), None)

    @property
    def n_groups(self) -> int | None:
        """Groups of the model: 1 without ``group``, else the number of ``group_labels`` (or of
        ``group_n``); ``None`` when the record names the column but not its groups."""
        if self.group is None:
            return 1
        return len(self.group_labels or self.group_n) or None

    def block_group_equal(self, name: str) -> list[str]:
        """lavaan's ``group.equal`` of the fit block ``name``: an invariance step's constraints
        (:data:`INVARIANCE_STEPS`) or, for the cfa, sem and any other block, ``group_equal``."""
        return list(INVARIANCE_STEPS.get(name, self.group_equal))

    def group_df(self, syntax: str, name: str = "cfa") -> int | None:
        """Degrees of freedom of ``syntax`` fitted to every group with the constraints of the
        fit block ``name`` (lavaan: ``G (p (p + 1) / 2 + p)`` moments with a mean structure,
        minus the free parameters after ``group.equal`` and ``group.partial``); the one-group
        df for a record without groups; ``None`` when the number of groups is unknown."""
        from replication.engine.multigroup_table import group_table
        from replication.engine.partable import specify

        g = self.n_groups
        spec = specify(syntax)
        if g is None:
            return None
        if g == 1:
            return int(spec.df)
        equal = [w for w in self.block_group_equal(name) if w != "thresholds"]
        labels = list(self.group_labels or self.group_n)
        return int(group_table(spec, labels, equal, self.group_partial).df)


def _read_group_blocks(raw):
    """A raw model whose syntax is written in ``group:`` blocks, read as one model
    (:func:`replication.record.group_syntax.split_group_blocks`)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("syntax"), str):
        return raw
    from replication.engine.errors import InputError
    from replication.record.group_syntax import split_group_blocks

    try:
        blocks = split_group_blocks(raw["syntax"])
    except InputError as exc:
        raise _FieldError("syntax", str(exc)) from None
    if blocks is None:
        return raw
    if not raw.get("group"):
        raise _FieldError("group", "model.syntax is written in group: blocks; expected the column "
                                   "that holds the groups (lavaan's group =)")
    given = raw.get("group_labels")
    if given and list(given) != blocks.labels:
        raise _FieldError("group_labels", f"expected the groups of the syntax's group: blocks in "
                                          f"their order ({', '.join(blocks.labels)}), got {given!r}")
    out = {**raw, "syntax": blocks.syntax, "group_labels": blocks.labels}
    if "paths" not in raw and raw.get("kind") == "sem":
        from replication.engine.syntax import parse_model

        stmts = parse_model(blocks.syntax)
        lat = {s.lhs for s in stmts if s.op == "=~"}
        out["paths"] = [{"from": s.rhs, "to": s.lhs} for s in stmts
                        if s.op == "~" and s.lhs in lat and s.rhs in lat]
    return out


def _check_groups(m: "Model") -> None:
    if m.group is None:
        for name in ("group_labels", "group_n", "group_equal", "group_partial"):
            if getattr(m, name):
                raise _FieldError(name, "expected model.group (the column of the groups) as well")
        return
    labels = m.group_labels
    if labels and len(labels) < 2:
        raise _FieldError("group_labels", f"expected at least two groups, got {labels!r}")
    dup = sorted({g for g in labels if labels.count(g) > 1})
    if dup:
        raise _FieldError("group_labels", f"group {dup[0]!r} listed twice")
    for g, n in m.group_n.items():
        if labels and g not in labels:
            raise _FieldError(f"group_n.{g}", f"{g!r} is not one of group_labels ({', '.join(labels)})")
        if n.value <= 0 or not _whole(n.value):
            raise _FieldError(f"group_n.{g}", f"expected a positive whole number, got {n.value:g}")
    if not labels and len(m.group_n) == 1:
        raise _FieldError("group_n", "expected the N of at least two groups")
    dup = sorted({w for w in m.group_equal if m.group_equal.count(w) > 1})
    if dup:
        raise _FieldError("group_equal", f"{dup[0]!r} listed twice")
    for j, t in enumerate(m.group_partial):
        if not _PARTIAL.match(t):
            raise _FieldError(f"group_partial[{j}]", f"expected lavaan's 'lhs op rhs' of one parameter "
                                                     f"('visual =~ x2', 'x3 ~ 1', 'x1 ~~ x1'), got {t!r}")


def _check_se_test(m: "Model") -> None:
    """``se`` and ``test`` as lavaan combines them with the estimator."""
    family = _FAMILY.get(m.estimator, m.estimator)
    if family == "DWLS":
        if m.se == "robust.huber.white":
            raise _FieldError("se", f"robust.huber.white is for ML estimators; lavaan's {m.estimator} "
                                    "takes se standard or robust.sem")
        if m.test in ("yuan.bentler", "yuan.bentler.mplus"):
            raise _FieldError("test", f"{m.test} is for ML estimators; lavaan's {m.estimator} takes "
                                      "test standard, satorra.bentler or scaled.shifted")
