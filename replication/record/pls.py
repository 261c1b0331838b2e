"""Printed PLS-SEM tables of a record (``results.pls``) and the checks of a PLS model.

A PLS record has ``model.kind: pls`` (or ``model.estimator: PLS`` / ``PLSc``) and its model in
``model.syntax``: ``C =~ x1 + x2`` (Mode A; a common factor under PLSc), ``C <~ x1 + x2``
(Mode B), ``Y ~ X1 + X2`` (paths); ``model.scheme`` is the inner weighting scheme (``path``,
seminr's and SmartPLS's default; ``centroid``, ``factorial``). The tables a PLS paper prints go
under ``results.pls``, every number a :class:`Published` value with its ``where``::

    pls:
      bootstrap: {value: 1000, printed: "1,000", where: ...}   # resamples, when printed
      p_method: normal | t          # how the paper's p-values were computed, when it says
      loadings: {Image: {IMAG1: P, ...}, ...}                 # outer loadings
      weights:  {Image: {IMAG1: P, ...}, ...}                 # outer weights
      reliability: {Image: {alpha: P, rho_c: P, rho_a: P, ave: P}, ...}
      htmt: {threshold: 0.90, where: ..., established: true, pairs: [{a, b, value: P}]}
      fornell_larcker: {where: ..., established: false, sqrt_ave: {C: P}, pairs: [{a, b, value: P}]}
      r2: {Y: P}   r2_adj: {Y: P}   q2: {Y: P}
      f2: [{from, to, value: P, r2_excluded: P}]
      vif_outer: {item: P}   vif_inner: [{from, to, value: P}]
      paths: [{from, to, hypothesis, estimate, mean, se, t, p, ci_lower, ci_upper}]
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from replication.record.printed import Published, _FieldError, _Strict

__all__ = ["PLS_ESTIMATORS", "PLS_SCHEMES", "PLSPair", "PLSReliability", "PLSHTMT",
           "PLSFornellLarcker", "PLSEffect", "PLSPath", "PLSResults", "check_pls_record",
           "is_pls", "pls_paths"]

PLS_ESTIMATORS = ("PLS", "PLSc")
PLS_SCHEMES = ("path", "centroid", "factorial")


def is_pls(model) -> bool:
    """Whether a record's model is a PLS-SEM model (kind ``pls`` or a PLS estimator)."""
    return model.kind == "pls" or model.estimator in PLS_ESTIMATORS


class PLSPair(_Strict):
    """A printed value of two constructs (an HTMT ratio, a construct correlation)."""

    a: str
    b: str
    value: Published


class PLSReliability(_Strict):
    """Printed reliability and convergent validity of one construct (``cr`` reads as rho_C)."""

    alpha: Published | None = None
    rho_c: Published | None = Field(default=None, alias="cr")
    rho_a: Published | None = None
    ave: Published | None = None


class PLSHTMT(_Strict):
    """The HTMT table: pairs, the threshold the paper used (0.85 or 0.90) and its verdict
    (``established``: discriminant validity holds for every pair, as the paper says)."""

    threshold: float = Field(default=0.90, gt=0, le=1.5)
    where: str | None = None
    established: bool | None = None
    pairs: list[PLSPair] = []


class PLSFornellLarcker(_Strict):
    """The Fornell-Larcker table: square roots of AVE (diagonal), construct correlations and
    the paper's verdict (``established``)."""

    where: str | None = None
    established: bool | None = None
    sqrt_ave: dict[str, Published] = {}
    pairs: list[PLSPair] = []


class PLSEffect(_Strict):
    """A printed value of one path ``from -> to`` (f-squared, an inner VIF): ``r2_excluded``
    is the printed R-squared of ``to`` without ``from``, when the paper prints it."""

    from_: str = Field(alias="from")
    to: str
    value: Published | None = None
    r2_excluded: Published | None = None


class PLSPath(_Strict):
    """A printed structural path with its bootstrap statistics: ``estimate`` (original
    sample), ``mean`` (bootstrap mean), ``se`` (bootstrap SD), ``t``, ``p`` and the percentile
    interval ``ci_lower``, ``ci_upper``."""

    from_: str = Field(alias="from")
    to: str
    hypothesis: str | None = None
    estimate: Published | None = None
    mean: Published | None = None
    se: Published | None = None
    t: Published | None = None
    p: Published | None = None
    ci_lower: Published | None = None
    ci_upper: Published | None = None

    @field_validator("se")
    @classmethod
    def _se(cls, v: Published | None) -> Published | None:
        if v is not None and v.value < 0:
            raise ValueError(f"expected a standard error >= 0, got {v.value:g}")
        return v

    @field_validator("p")
    @classmethod
    def _p(cls, v: Published | None) -> Published | None:
        if v is not None and not 0.0 <= v.value <= 1.0:
            raise ValueError(f"expected a p-value within [0, 1], got {v.value:g}")
        return v

    @property
    def key(self) -> str:
        return f"{self.from_}->{self.to}"


class PLSResults(_Strict):
    """The printed tables of a PLS-SEM paper (see the module's docstring)."""

    bootstrap: Published | None = None
    p_method: Literal["normal", "t"] | None = None
    loadings: dict[str, dict[str, Published]] = {}
    weights: dict[str, dict[str, Published]] = {}
    reliability: dict[str, PLSReliability] = {}
    htmt: PLSHTMT | None = None
    fornell_larcker: PLSFornellLarcker | None = None
    r2: dict[str, Published] = {}
    r2_adj: dict[str, Published] = {}
    q2: dict[str, Published] = {}
    f2: list[PLSEffect] = []
    vif_outer: dict[str, Published] = {}
    vif_inner: list[PLSEffect] = []
    paths: list[PLSPath] = []


# ------------------------------------------------------------------------------ record checks
def _pls_spec(rec):
    from replication.engine.errors import InputError
    from replication.engine.pls import parse_pls_model

    if rec.model.syntax is None:
        raise _FieldError("model.syntax", "a PLS model is given in model.syntax (=~ Mode A, <~ "
                                          "Mode B, ~ paths); expected the syntax")
    try:
        return parse_pls_model(rec.model.syntax)
    except InputError as exc:
        raise _FieldError("model.syntax", str(exc)) from None


def _check_blocks(rec, spec) -> None:
    items = rec.items
    for c in spec.constructs:
        if c not in rec.constructs:
            raise _FieldError("model.syntax", f"construct {c!r} of the syntax is not in constructs")
        written = list(spec.items[c])
        if list(items[c]) != written:
            raise _FieldError(f"constructs.{c}.items", f"expected the indicators of {c} in "
                                                       f"model.syntax ({' + '.join(written)}), "
                                                       f"got {items[c]!r}")
    for c in rec.constructs:
        if c not in spec.constructs:
            raise _FieldError(f"constructs.{c}", f"construct {c!r} is not in model.syntax")


def _check_names(pls: PLSResults, spec) -> None:
    cons = set(spec.constructs)
    paths = set(spec.paths)

    def construct(field: str, c: str) -> None:
        if c not in cons:
            raise _FieldError(field, f"expected a construct of model.syntax, got {c!r}")

    for table in ("loadings", "weights"):
        for c, row in getattr(pls, table).items():
            construct(f"results.pls.{table}.{c}", c)
            for it in row:
                if it not in spec.items[c]:
                    raise _FieldError(f"results.pls.{table}.{c}.{it}",
                                      f"{it!r} is not an indicator of {c}")
    for table in ("reliability", "r2", "r2_adj", "q2"):
        for c in getattr(pls, table):
            construct(f"results.pls.{table}.{c}", c)
    for table in ("htmt", "fornell_larcker"):
        block = getattr(pls, table)
        for j, pr in enumerate(block.pairs if block is not None else []):
            construct(f"results.pls.{table}.pairs[{j}].a", pr.a)
            construct(f"results.pls.{table}.pairs[{j}].b", pr.b)
    for table in ("f2", "vif_inner", "paths"):
        for j, e in enumerate(getattr(pls, table)):
            if (e.from_, e.to) not in paths:
                raise _FieldError(f"results.pls.{table}[{j}]", f"path {e.from_}->{e.to} is not in "
                                                               "model.syntax")
    items = set(spec.indicators)
    for it in pls.vif_outer:
        if it not in items:
            raise _FieldError(f"results.pls.vif_outer.{it}", f"{it!r} is not an indicator")


def check_pls_record(rec) -> None:
    """A PLS record's syntax parses as a PLS model whose blocks are the constructs' items, and
    every printed PLS value names constructs, items and paths of that model; a record that is
    not PLS has no ``results.pls`` and no ``model.scheme``."""
    if not is_pls(rec.model):
        if rec.results.pls is not None:
            raise _FieldError("results.pls", "printed PLS tables belong to a PLS model; expected "
                                              "model.kind pls (or model.estimator PLS or PLSc)")
        if rec.model.scheme is not None:
            raise _FieldError("model.scheme", "the inner weighting scheme is for PLS models")
        return
    spec = _pls_spec(rec)
    _check_blocks(rec, spec)
    if rec.results.pls is not None:
        _check_names(rec.results.pls, spec)


def pls_paths(raw: dict) -> dict:
    """Raw record of a PLS model with ``model.paths`` read from its syntax's ``~`` lines where
    the record gives none (the lavaan reading of the syntax does not know ``<~``). A syntax
    that does not parse is left for :func:`check_pls_record` to report."""
    from replication.engine.errors import InputError
    from replication.engine.pls import parse_pls_model

    model = raw.get("model")
    if (not isinstance(model, dict) or not isinstance(model.get("syntax"), str) or "paths" in model
            or not (model.get("kind") == "pls" or model.get("estimator") in PLS_ESTIMATORS)):
        return raw
    try:
        spec = parse_pls_model(model["syntax"])
    except InputError:
        return raw
    return {**raw, "model": {**model, "paths": [{"from": x, "to": y} for x, y in spec.paths]}}
