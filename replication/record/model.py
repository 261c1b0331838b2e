"""The model a record describes: constructs, structural paths, covariances, moderations, mediations."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from replication.record.printed import _ID, Published, _FieldError, _Strict, _whole

__all__ = ["Construct", "StructuralPath", "Covariance", "ProductIndicators", "Moderation", "Mediation",
           "Model"]


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
        for it in v:
            if not re.match(_ID, it):
                raise ValueError(f"expected item names of letters, digits and _ (starting with a "
                                 f"letter), got {it!r}")
        dup = sorted({it for it in v if v.count(it) > 1})
        if dup:
            raise ValueError(f"item {dup[0]!r} listed twice")
        return v

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
    names, or ``all``: items treated as ordinal) say how the paper estimated the model.
    """

    kind: Literal["cfa", "sem", "regression"]
    syntax: str | None = None
    paths: list[StructuralPath] = []
    estimator: Literal["ML", "MLM", "MLR", "DWLS", "WLSMV"] = "ML"
    ordered: list[str] | Literal["all"] = []
    covariances: list[Covariance] = []
    moderations: list[Moderation] = []
    mediations: list[Mediation] = []
    controls: list[str] = []

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
