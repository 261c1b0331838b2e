"""The model a record describes: constructs, structural paths, covariances, moderations, mediations."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from replication.record.printed import _ID, Published, _Strict, _whole

__all__ = ["Construct", "StructuralPath", "Covariance", "Moderation", "Mediation", "Model"]


class Construct(_Strict):
    """A latent construct (or, in a regression paper, a composite score).

    ``items`` lists item names when the paper prints them; otherwise the item count comes from a
    published ``n_items`` or from an assumption ``constructs.<C>.n_items`` and items are named
    ``<C>1 .. <C>k``.
    """

    name: str = Field(min_length=1)
    items: list[str] | None = None
    n_items: Published | None = None
    role: Literal["construct", "control"] = "construct"

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


class Moderation(_Strict):
    """``m`` moderates ``x -> y``; ``method`` is how the paper (or the suite) tests it."""

    x: str
    m: str
    y: str
    method: Literal["latent_product", "regression"]

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

    ``kind`` is ``sem`` (latent variables, ML) or ``regression`` (OLS on composite scores).
    Exogenous constructs covary freely, as in AMOS and LISREL path diagrams; any other free
    covariance is listed in ``covariances``.
    """

    kind: Literal["sem", "regression"]
    paths: list[StructuralPath] = Field(min_length=1)
    covariances: list[Covariance] = []
    moderations: list[Moderation] = []
    mediations: list[Mediation] = []
    controls: list[str] = []
