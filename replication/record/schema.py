"""The published record of a paper: schema, loading and validation.

A record (``data/papers/<id>/paper.yaml``) holds every number a paper printed, each as a
:class:`Published` value with the text exactly as printed and where it stands in the paper, the
model the paper describes, and the ``assumptions`` the suite needs to run where the paper is
silent. Published and assumed values never share a field: :meth:`Record.values` merges both into
one flat namespace of :class:`Value` objects that always say which they are, and validation
refuses an assumption that would overwrite a published number.

Value namespace (targets of :meth:`Record.values` and of ``assumptions[].target``)::

    sample.n                      sample.scale_points
    constructs.<C>.n_items        constructs.<C>.loading   (one standardized loading for all items)
    constructs.<C>.mean           constructs.<C>.sd          constructs.<C>.alpha
    items.<item>.loading          (standardized loading of one item)
    paths.<X>-><Y>.estimate       (a printed estimate; ``model.estimate_metric`` says how to read it)
    paths.<X>-><Y>.se             paths.<X>-><Y>.statistic   (printed S.E. and t or C.R.)
    paths.<X>-><Y>.std            (an assumed standardized coefficient, for papers without tables)
    correlations.<A>~~<B>         (correlation of two exogenous constructs or two disturbances)
    interactions.<X>x<M>-><Y>.std (standardized latent/product interaction effect)
    model.estimate_metric         ("standardized" or "unstandardized": how printed estimates are read)
    model.controls                (names of control variables)
    controls.<V>-><Y>.std         (standardized effect of a control variable)
    hypotheses.<H>.path           (a hypothesis label mapped onto a path "X->Y")

Validation (:func:`load_record` raises :class:`RecordError`, one line
``<file>: field <dotted.path>: <what was expected, got what>``):

- Assumed values are typed by target: ``sample.n`` and ``n_items`` positive integers,
  ``sample.scale_points`` an integer >= 2 (a YAML ``true`` is not a number); loadings real in
  (0, 1]; standardized path, interaction and control effects real in [-1, 1]; correlations real
  with |r| < 1; ``mean`` real, ``sd`` > 0, ``alpha``/``ave``/``cr`` in [0, 1];
  ``model.estimate_metric`` ``standardized`` or ``unstandardized``; ``model.controls`` a list of
  constructs with role ``control``. Every construct, item, path, moderation and hypothesis a
  target names must exist.
- The model is well formed: item and construct names are identifiers; no path from a construct
  to itself and no directed cycle (the model is recursive); a covariance joins two different,
  non-control constructs, once, and is not one of the default free exogenous covariances;
  moderation and mediation roles are distinct constructs; hypotheses name defined constructs.
- The printed text states the value (see :class:`Published`).
- Printed fit measures, p-values, counts and percents lie in their admissible ranges. Printed
  standardized loadings and coefficients above 1 are left to the audit, which reports them.
"""

from __future__ import annotations

import math
import re
from pathlib import Path as FilePath
from typing import Any, Literal

import yaml
from replication.engine.errors import InputError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = [
    "Published",
    "PublishedText",
    "Assumption",
    "Construct",
    "StructuralPath",
    "Covariance",
    "Moderation",
    "Mediation",
    "Model",
    "PathResult",
    "FitBlock",
    "SampleGroup",
    "Sample",
    "ConstructStat",
    "Harman",
    "Claim",
    "Marker",
    "Hypothesis",
    "FigureRef",
    "Results",
    "Record",
    "Value",
    "RecordError",
    "load_record",
    "load_all",
    "paper_ids",
    "papers_dir",
    "item_names",
]

_ID = r"^[A-Za-z][A-Za-z0-9_]*$"


class RecordError(InputError):
    """A record file failed to load or validate; the message is one line naming file and field."""


class _FieldError(ValueError):
    """A validation failure of one field, ``field`` given relative to the model that raised it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"field {field}: {message}" if field else message)
        self.field = field
        self.message = message


def _got(v: Any) -> str:
    """A short rendering of a value as the record wrote it, for messages."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_real(v: Any) -> bool:
    """A finite real number (YAML int or float; not a bool, a string or null)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_count(v: Any, low: int) -> bool:
    """An integer (not a bool) of at least ``low``."""
    return isinstance(v, int) and not isinstance(v, bool) and v >= low


def _whole(x: float) -> bool:
    return float(x).is_integer()


_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_MARKER_CHARS = "*%\u2020\u2021"  # significance markers (*, dagger, double dagger) and percent
_LEADING_RELATION = re.compile(r"^(?:p\s*)?(<=|>=|[<>\u2264\u2265=])\s*", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])([-+\u2212]?)(\d+(?:\.(\d*))?|\.(\d+))(?:[eE]([-+]?\d+))?")
_NUMBER_WORD = re.compile(r"^(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)


def _read_printed(text: str) -> tuple[float | None, int, str]:
    """Read the number a printed text states.

    Significance markers (``*``, daggers) and ``%`` are dropped, then a leading relation
    (``<``, ``>``, ``p <``, ``p<``, ``<=``, ``=``), thousands commas and surrounding white space.
    The first number left (``0.80``, ``-0.25``, ``1,024``, ``1e-05``) is the reading; without one,
    a leading number word ``zero`` .. ``twenty`` ("seven", "three items").

    Returns
    -------
    tuple
        ``(number, decimals, relation)``: the number (``None`` when the text states none), the
        decimals printed, and the leading relation (``"<"``, ``">"``, ``"="`` or ``""``).
    """
    s = "".join(ch for ch in text if ch not in _MARKER_CHARS).strip()
    relation = ""
    m = _LEADING_RELATION.match(s)
    if m:
        rel = m.group(1)
        relation = {"<=": "<", ">=": ">", "\u2264": "<", "\u2265": ">"}.get(rel, rel)
        s = s[m.end():]
    s = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", s).strip()
    m = _NUMBER.search(s)
    if m:
        sign = -1.0 if m.group(1) in ("-", "\u2212") else 1.0
        body = m.group(2)
        decimals = len(m.group(3) or m.group(4) or "")
        number = float(body if not body.startswith(".") else "0" + body)
        if m.group(5) is not None:
            number *= 10.0 ** int(m.group(5))
            decimals = max(0, decimals - int(m.group(5)))
        return sign * number, decimals, relation
    w = _NUMBER_WORD.match(s)
    if w:
        return float(_NUMBER_WORDS[w.group(1).lower()]), 0, relation
    return None, 0, relation


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


# --------------------------------------------------------------------------------------------
# Printed numbers and assumptions
# --------------------------------------------------------------------------------------------
class Published(_Strict):
    """A number as the paper printed it.

    ``printed`` is the exact text (typos included, significance marker stripped into ``marker``),
    ``value`` its numeric reading, ``relation`` is ``"<"`` or ``">"`` for bounds such as
    ``p < 0.001``, and ``where`` names the table, row and column or the section of the text.

    Validation reads the number ``printed`` states (markers ``*``, ``%``, a leading ``<``, ``>``,
    ``p <``, thousands commas and white space dropped; "seven" or "three items" read as 7 and 3)
    and requires it to equal ``value`` rounded to the printed decimals; a text that states no
    number is refused, and so is a leading ``<`` or ``>`` that ``relation`` does not repeat.
    A ``percent`` lies within [0, 100].
    """

    value: float
    printed: str
    where: str = Field(min_length=1)
    relation: Literal["=", "<", ">"] = "="
    marker: str | None = None
    unit: Literal["", "percent"] = ""

    @field_validator("value", mode="before")
    @classmethod
    def _number(cls, v: Any) -> Any:
        if isinstance(v, (bool, str)) or v is None:
            raise ValueError(f"expected a number, got {_got(v)}")
        return v

    @field_validator("value")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v

    @model_validator(mode="after")
    def _printed_agrees(self) -> "Published":
        number, decimals, relation = _read_printed(self.printed)
        if number is None:
            raise _FieldError("printed", f"printed text has no number, got {self.printed!r}")
        exact = abs(self.value - number) <= 1e-12 * max(1.0, abs(number))
        if not exact and abs(round(self.value, decimals) - number) > 1e-12:
            raise _FieldError("printed", f"expected the printed text to state value {self.value:g}, "
                                         f"got {self.printed!r} (reads {number:g})")
        if relation in ("<", ">") and relation != self.relation:
            raise _FieldError("relation", f"printed {self.printed!r} states {relation!r}, "
                                          f"got relation {self.relation!r}")
        if self.unit == "percent" and not 0.0 <= self.value <= 100.0:
            raise _FieldError("value", f"expected a percent within [0, 100], got {self.value:g}")
        return self

    @property
    def decimals(self) -> int:
        """Number of decimals printed (precision of the rounding), of the number the text states."""
        return _read_printed(self.printed)[1]

    @property
    def half_unit(self) -> float:
        """Half a unit in the last printed decimal: the rounding half-width."""
        return 0.5 * 10.0 ** (-self.decimals)

    @property
    def interval(self) -> tuple[float, float]:
        """Values that round to what was printed (closed interval)."""
        if self.relation == "<":
            return (-math.inf, self.value)
        if self.relation == ">":
            return (self.value, math.inf)
        return (self.value - self.half_unit, self.value + self.half_unit)


class PublishedText(_Strict):
    """A piece of text as printed (a verdict, a software name) and where it stands."""

    value: str
    where: str = Field(min_length=1)


class Assumption(_Strict):
    """A value the suite needs that the paper did not print, with the reason it was chosen."""

    target: str = Field(min_length=1)
    value: Any
    reason: str = Field(min_length=1)


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
class PathResult(_Strict):
    """A printed structural estimate with its statistics."""

    from_: str = Field(alias="from")
    to: str
    hypothesis: str | None = None
    estimate: Published | None = None
    estimate_label: str | None = None  # column heading as printed
    se: Published | None = None
    statistic: Published | None = None  # t-value or C.R. as printed
    statistic_label: str | None = None
    p: Published | None = None
    verdict: PublishedText | None = None

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


# Admissible range of each printed fit measure. chi-square, df, RMSEA and SRMR are non-negative;
# the p-value, NFI and GFI lie in [0, 1] by definition (Bentler & Bonett 1980; Joreskog & Sorbom
# 1984); AGFI = 1 - (p*/df)(1 - GFI) is at most 1 but can be negative; CFI is in [0, 1] in lavaan
# but some programs print it unclipped, and TLI and IFI are non-normed (Bollen 1989): they may
# exceed 1 slightly (allowed up to 1.2) and TLI, IFI can fall below 0.
_FIT_RANGES: dict[str, tuple[float, float]] = {
    "chisq": (0.0, math.inf), "df": (0.0, math.inf), "chisq_df": (0.0, math.inf),
    "rmsea": (0.0, math.inf), "srmr": (0.0, math.inf), "rmsea.ci.lower": (0.0, math.inf),
    "rmsea.ci.upper": (0.0, math.inf), "pvalue": (0.0, 1.0), "nfi": (0.0, 1.0), "gfi": (0.0, 1.0),
    "agfi": (-math.inf, 1.0), "cfi": (0.0, 1.2), "tli": (-math.inf, 1.2), "ifi": (-math.inf, 1.2),
}


def _range_text(low: float, high: float) -> str:
    if math.isinf(low):
        return f"<= {high:g}"
    if math.isinf(high):
        return f">= {low:g}"
    return f"within [{low:g}, {high:g}]"


class FitBlock(_Strict):
    """Fit indices printed for one model (``cfa`` or ``sem``), keyed by lavaan's names.

    Names: ``chisq, df, pvalue, chisq_df, cfi, tli, nfi, ifi, gfi, agfi, rmsea, srmr``.
    """

    model: Literal["cfa", "sem"]
    measures: dict[str, Published]

    @field_validator("measures")
    @classmethod
    def _names(cls, v: dict[str, Published]) -> dict[str, Published]:
        allowed = {"chisq", "df", "pvalue", "chisq_df", "cfi", "tli", "nfi", "ifi", "gfi",
                   "agfi", "rmsea", "srmr", "rmsea.ci.lower", "rmsea.ci.upper"}
        bad = sorted(set(v) - allowed)
        if bad:
            raise ValueError(f"unknown fit measure {bad[0]!r}; expected one of {sorted(allowed)}")
        for name, p in v.items():
            low, high = _FIT_RANGES[name]
            if not low <= p.value <= high:
                raise _FieldError(name, f"expected {name} {_range_text(low, high)}, got {p.value:g}")
        if "df" in v and not _whole(v["df"].value):
            raise _FieldError("df", f"expected a whole number of degrees of freedom, got {v['df'].value:g}")
        lo, hi = v.get("rmsea.ci.lower"), v.get("rmsea.ci.upper")
        if lo is not None and hi is not None and lo.value > hi.value:
            raise _FieldError("rmsea.ci.lower", f"expected at most rmsea.ci.upper ({hi.value:g}), "
                                                f"got {lo.value:g}")
        return v


class SampleGroup(_Strict):
    """One row of a sample-description table."""

    measure: str
    category: str
    count: Published | None = None
    percent: Published | None = None

    @field_validator("count")
    @classmethod
    def _count(cls, v: Published | None) -> Published | None:
        if v is not None and (v.value < 0 or not _whole(v.value)):
            raise ValueError(f"expected a whole number >= 0, got {v.value:g}")
        return v

    @field_validator("percent")
    @classmethod
    def _percent(cls, v: Published | None) -> Published | None:
        if v is not None and not 0.0 <= v.value <= 100.0:
            raise ValueError(f"expected a percent within [0, 100], got {v.value:g}")
        return v


class Sample(_Strict):
    """Sample size, scale and the sample description."""

    n: Published | None = None
    invited: Published | None = None
    response_rate: Published | None = None
    scale_points: Published | None = None
    software: PublishedText | None = None
    groups: list[SampleGroup] = []

    @field_validator("n", "invited")
    @classmethod
    def _positive(cls, v: Published | None) -> Published | None:
        if v is not None and (v.value <= 0 or v.value != int(v.value)):
            raise ValueError(f"must be a positive whole number, got {v.value:g}")
        return v

    @field_validator("response_rate")
    @classmethod
    def _rate(cls, v: Published | None) -> Published | None:
        if v is not None and not 0.0 <= v.value <= 100.0:
            raise ValueError(f"expected a percent within [0, 100], got {v.value:g}")
        return v

    @field_validator("scale_points")
    @classmethod
    def _scale(cls, v: Published | None) -> Published | None:
        if v is not None and (v.value < 2 or v.value != int(v.value)):
            raise ValueError(f"must be a whole number of at least 2 points, got {v.value:g}")
        return v


class ConstructStat(_Strict):
    """Descriptive statistics printed for one construct."""

    mean: Published | None = None
    sd: Published | None = None
    alpha: Published | None = None
    ave: Published | None = None
    cr: Published | None = None


class Harman(_Strict):
    """Harman's single-factor test as printed."""

    first_factor_percent: Published
    n_factors: Published | None = None

    @field_validator("first_factor_percent")
    @classmethod
    def _percent(cls, v: Published) -> Published:
        if not 0.0 <= v.value <= 100.0:
            raise ValueError(f"expected a percent within [0, 100], got {v.value:g}")
        return v

    @field_validator("n_factors")
    @classmethod
    def _factors(cls, v: Published | None) -> Published | None:
        if v is not None and (v.value < 1 or not _whole(v.value)):
            raise ValueError(f"expected a positive whole number of factors, got {v.value:g}")
        return v


class Claim(_Strict):
    """A claim in the text about a family of printed numbers, e.g. "the CRs were all above 0.7".

    ``quantity`` is one of ``loading, ave, cr, alpha, chisq_df, rmsea, gfi, agfi, cfi, nfi, ifi,
    tli, srmr``; ``quantifier`` is ``all`` or ``most``; ``comparison`` ``>``, ``>=``, ``<`` or ``<=``.
    """

    text: str
    where: str
    quantity: Literal["loading", "ave", "cr", "alpha", "chisq_df", "rmsea", "gfi", "agfi", "cfi",
                      "nfi", "ifi", "tli", "srmr"]
    quantifier: Literal["all", "most"] = "all"
    comparison: Literal[">", ">=", "<", "<="]
    threshold: float
    model: Literal["cfa", "sem"] | None = None


class Marker(_Strict):
    """One entry of the paper's significance legend: ``marker`` means ``p < p_below``."""

    marker: str
    p_below: float = Field(gt=0, lt=1)


class Hypothesis(_Strict):
    """A hypothesis as the paper states it and the paper's own verdict."""

    id: str
    printed_label: str | None = None
    kind: Literal["path", "moderation", "mediation"] = "path"
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None
    moderator: str | None = None
    mediators: list[str] = []
    sign: Literal["+", "-"] = "+"
    statement: str = ""
    verdict: PublishedText | None = None

    @property
    def supported(self) -> bool | None:
        """The paper's verdict as a boolean (``None`` when not stated)."""
        if self.verdict is None:
            return None
        text = self.verdict.value.strip().lower()
        if text in {"yes", "supported", "support", "true", "confirmed"}:
            return True
        if text in {"no", "not supported", "rejected", "false"}:
            return False
        raise ValueError(f"unreadable verdict {self.verdict.value!r}")

    @property
    def path_key(self) -> str | None:
        if self.kind == "path" and self.from_ and self.to:
            return f"{self.from_}->{self.to}"
        if self.kind == "moderation" and self.from_ and self.to and self.moderator:
            return f"{self.from_}x{self.moderator}->{self.to}"
        return None


class Results(_Strict):
    """Every number the paper printed, grouped by kind."""

    loadings: dict[str, Published] = {}
    constructs: dict[str, ConstructStat] = {}
    fit: list[FitBlock] = []
    paths: list[PathResult] = []
    harman: Harman | None = None
    claims: list[Claim] = []
    significance: list[Marker] = []
    significance_where: str | None = None
    in_text: list[dict[str, Any]] = []

    @model_validator(mode="after")
    def _one_fit_block_per_model(self) -> "Results":
        first: dict[str, int] = {}
        for i, b in enumerate(self.fit):
            if b.model in first:
                raise _FieldError(f"fit[{i}].model", f"expected one fit block per model, got a second "
                                                     f"{b.model!r} block (first at fit[{first[b.model]}])")
            first[b.model] = i
        return self


class FigureRef(_Strict):
    """A figure of the paper: ``model`` (the hypothesised model) or ``estimates`` (a path
    diagram with estimates). Both are redrawn by the notebook's path diagram."""

    label: str = Field(min_length=1)
    caption: str
    where: str = Field(min_length=1)
    kind: Literal["model", "estimates"]


class Citation(_Strict):
    authors: list[str]
    year: int | None = None
    title: str
    venue: str
    source_file: str


class Value(_Strict):
    """A resolved value with its provenance: ``status`` is ``published`` or ``assumed``."""

    target: str
    value: Any
    status: Literal["published", "assumed"]
    where: str | None = None
    reason: str | None = None
    printed: str | None = None


_TARGETS: list[tuple[str, str]] = [
    ("sample", r"sample\.(?P<field>n|scale_points)"),
    ("construct", r"constructs\.(?P<c>[^.]+)\.(?P<field>n_items|loading|mean|sd|alpha|ave|cr)"),
    ("item", r"items\.(?P<i>[^.]+)\.loading"),
    ("path", r"paths\.(?P<x>[^.>-]+)->(?P<y>[^.]+)\.(?P<field>std|estimate|se|statistic)"),
    ("correlation", r"correlations\.(?P<a>[^.~]+)~~(?P<b>[^.]+)"),
    ("interaction", r"interactions\.(?P<key>[^.]+x[^.]+->[^.]+)\.std"),
    ("model", r"model\.(?P<field>estimate_metric|controls)"),
    ("control", r"controls\.(?P<v>[^.>-]+)->(?P<cy>[^.]+)\.std"),
    ("hypothesis", r"hypotheses\.(?P<h>[^.]+)\.path"),
]
_TARGET_PATTERNS = [pattern for _, pattern in _TARGETS]


def _target_kind(target: str) -> tuple[str, dict[str, str]] | None:
    """The kind of an assumption target and the names it holds (``None`` when unknown)."""
    for name, pattern in _TARGETS:
        m = re.fullmatch(pattern, target)
        if m:
            return name, {k: v for k, v in m.groupdict().items() if v is not None}
    return None


def _find_cycle(edges: list[tuple[str, str]]) -> list[str] | None:
    """One directed cycle among ``edges`` as ``[A, B, ..., A]`` (depth-first search), else ``None``."""
    graph: dict[str, list[str]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
        graph.setdefault(b, [])
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    for root in graph:
        if state.get(root):
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path = [root]
        state[root] = 1
        while stack:
            node, k = stack[-1]
            if k < len(graph[node]):
                stack[-1] = (node, k + 1)
                nxt = graph[node][k]
                if state.get(nxt) == 1:
                    return path[path.index(nxt):] + [nxt]
                if not state.get(nxt):
                    state[nxt] = 1
                    stack.append((nxt, 0))
                    path.append(nxt)
            else:
                state[node] = 2
                stack.pop()
                path.pop()
    return None


def _check_mediators(field: str, mediators: list[str], x: str, y: str) -> None:
    """Mediators are named once each and are neither the predictor nor the outcome."""
    for j, v in enumerate(mediators):
        if v in mediators[:j]:
            raise _FieldError(f"{field}[{j}]", f"mediator {v!r} listed twice")
        if v in (x, y):
            raise _FieldError(f"{field}[{j}]", f"expected a mediator other than x ({x}) and y ({y}), "
                                               f"got {v!r}")



class Record(_Strict):
    """The published record of one paper."""

    id: str = Field(pattern=_ID)
    title: str
    short_title: str
    citation: Citation
    evidence: Literal["tables", "abstract"]
    abbreviations_note: str | None = None
    sample: Sample
    constructs: dict[str, Construct]
    model: Model
    results: Results = Results()
    figures: list[FigureRef] = []
    hypotheses: list[Hypothesis] = []
    assumptions: list[Assumption] = []
    notes: list[str] = []

    # ---------------------------------------------------------------- validation
    @model_validator(mode="after")
    def _cross_references(self) -> "Record":
        self._check_model()
        targets = self._check_assumption_targets()
        if self.sample.n is None and "sample.n" not in targets:
            raise _FieldError("sample.n", "expected a published N or an assumption with target sample.n")
        if self.sample.scale_points is None and "sample.scale_points" not in targets:
            raise _FieldError("sample.scale_points", "expected a published value or an assumption "
                                                     "with target sample.scale_points")
        for c, con in self.constructs.items():
            if con.items is None and con.n_items is None and f"constructs.{c}.n_items" not in targets:
                raise _FieldError(f"constructs.{c}", f"expected items, n_items or an assumption "
                                                     f"constructs.{c}.n_items")
        # item names unique across constructs (assumed item counts are whole numbers by now)
        seen: dict[str, str] = {}
        for c, items in self._items_by_construct().items():
            for it in items:
                if it in seen:
                    raise _FieldError(f"constructs.{c}.items",
                                      f"item {it!r} also belongs to {seen[it]}")
                seen[it] = c
        clash = sorted(set(seen) & set(self.constructs))
        if clash:
            owner = seen[clash[0]]
            raise _FieldError(f"constructs.{owner}", f"item name {clash[0]!r} is also the name of a "
                                                     "construct; expected distinct names (rename one)")
        for i, a in enumerate(self.assumptions):
            self._check_assumption_refs(i, a)
        self._check_results()
        self._check_hypotheses(targets)
        return self

    def _check_model(self) -> None:
        """Names, references and structure of ``constructs`` and ``model``."""
        cons = self.constructs
        for name in cons:
            if not re.match(_ID, name):
                raise _FieldError(f"constructs.{name}", "expected a name of letters, digits and _ "
                                                        f"(starting with a letter), got {name!r}")
        controls = {c for c, con in cons.items() if con.role == "control"}
        m = self.model
        for i, p in enumerate(m.paths):
            for end, c in (("from", p.from_), ("to", p.to)):
                if c not in cons:
                    raise _FieldError(f"model.paths[{i}].{end}", f"construct {c!r} is not defined")
            if p.from_ == p.to:
                raise _FieldError(f"model.paths[{i}]", f"expected a path between two constructs, "
                                                       f"got {p.key} (a construct to itself)")
        keys = [p.key for p in m.paths]
        for i, k in enumerate(keys):
            if k in keys[:i]:
                raise _FieldError(f"model.paths[{i}]", f"path {k} listed twice")
        cycle = _find_cycle([(p.from_, p.to) for p in m.paths])
        if cycle:
            raise _FieldError("model.paths", "expected a recursive model (no feedback loops), got the "
                                             f"directed cycle {'->'.join(cycle)}")
        exo = set(self.exogenous())
        pairs: dict[frozenset[str], int] = {}
        for i, c in enumerate(m.covariances):
            for end, v in (("a", c.a), ("b", c.b)):
                if v not in cons:
                    raise _FieldError(f"model.covariances[{i}].{end}", f"construct {v!r} is not defined")
                if v in controls:
                    raise _FieldError(f"model.covariances[{i}].{end}",
                                      f"expected a construct, got control variable {v!r}")
            if c.a == c.b:
                raise _FieldError(f"model.covariances[{i}]", f"expected two different constructs, "
                                                             f"got {c.a}~~{c.b}")
            pair = frozenset((c.a, c.b))
            if pair in pairs:
                raise _FieldError(f"model.covariances[{i}]", f"covariance {c.a}~~{c.b} listed twice "
                                                             f"(also model.covariances[{pairs[pair]}])")
            pairs[pair] = i
            if c.a in exo and c.b in exo:
                raise _FieldError(f"model.covariances[{i}]",
                                  f"{c.a}~~{c.b} is free by default (both constructs are exogenous); "
                                  "expected only further covariances")
        mods: dict[str, int] = {}
        for i, mo in enumerate(m.moderations):
            for end, v in (("x", mo.x), ("m", mo.m), ("y", mo.y)):
                if v not in cons:
                    raise _FieldError(f"model.moderations[{i}].{end}", f"construct {v!r} is not defined")
            if mo.m in (mo.x, mo.y) or mo.x == mo.y:
                raise _FieldError(f"model.moderations[{i}]", "expected three different constructs "
                                                             f"x, m, y, got x={mo.x}, m={mo.m}, y={mo.y}")
            if mo.key in mods:
                raise _FieldError(f"model.moderations[{i}]", f"moderation {mo.key} listed twice")
            mods[mo.key] = i
            path_keys = {p.key for p in m.paths}
            for main in (f"{mo.x}->{mo.y}", f"{mo.m}->{mo.y}"):
                if main not in path_keys:
                    raise _FieldError(f"model.moderations[{i}]",
                                      f"expected the main effect {main} in model.paths (a moderated "
                                      "effect is tested beside both main effects)")
        for i, me in enumerate(m.mediations):
            for end, v in (("x", me.x), ("y", me.y)):
                if v not in cons:
                    raise _FieldError(f"model.mediations[{i}].{end}", f"construct {v!r} is not defined")
            for j, v in enumerate(me.mediators):
                if v not in cons:
                    raise _FieldError(f"model.mediations[{i}].mediators[{j}]",
                                      f"construct {v!r} is not defined")
            if me.x == me.y:
                raise _FieldError(f"model.mediations[{i}]", f"expected x and y to differ, got {me.x} twice")
            _check_mediators(f"model.mediations[{i}].mediators", me.mediators, me.x, me.y)
            path_keys = {p.key for p in m.paths}
            for j, v in enumerate(me.mediators):
                for need in (f"{me.x}->{v}", f"{v}->{me.y}"):
                    if need not in path_keys:
                        raise _FieldError(f"model.mediations[{i}].mediators[{j}]",
                                          f"expected the path {need} in model.paths (each mediator "
                                          "carries one indirect effect x -> m -> y)")
        for i, c in enumerate(m.controls):
            if c not in cons:
                raise _FieldError(f"model.controls[{i}]", f"control {c!r} is not defined in constructs")
            if c not in controls:
                raise _FieldError(f"model.controls[{i}]", f"expected a construct with role: control, "
                                                          f"got {c!r} (role {cons[c].role})")
            if c in m.controls[:i]:
                raise _FieldError(f"model.controls[{i}]", f"control {c!r} listed twice")

    def _check_assumption_targets(self) -> set[str]:
        """Known targets, no collision with published values, no duplicates, typed values."""
        published = self._published_values()
        targets: set[str] = set()
        pairs: dict[frozenset[str], str] = {}
        for i, a in enumerate(self.assumptions):
            kind = _target_kind(a.target)
            if kind is None:
                raise _FieldError(f"assumptions[{i}].target", f"unknown target {a.target!r}")
            if a.target in published:
                raise _FieldError(f"assumptions[{i}].target",
                                  f"{a.target} is published ({published[a.target].where}); "
                                  "an assumption may not replace it")
            if a.target in targets:
                raise _FieldError(f"assumptions[{i}].target", f"{a.target} assumed twice")
            targets.add(a.target)
            if kind[0] == "correlation":
                pair = frozenset((kind[1]["a"], kind[1]["b"]))
                if pair in pairs:
                    raise _FieldError(f"assumptions[{i}].target",
                                      f"{a.target} assumed twice (also as {pairs[pair]})")
                pairs[pair] = a.target
            problem = self._assumption_value_problem(a.target, kind, a.value)
            if problem:
                raise _FieldError(f"assumptions[{i}].value", f"{a.target}: expected {problem}, "
                                                             f"got {_got(a.value)}")
        return targets

    def _assumption_value_problem(self, target: str, kind: tuple[str, dict[str, str]],
                                  v: Any) -> str | None:
        """What an assumed value should have been (``None`` when it is fine)."""
        name, groups = kind
        field = groups.get("field")
        if target == "sample.n":
            return None if _is_count(v, 1) else "a positive integer"
        if target == "sample.scale_points":
            return None if _is_count(v, 2) else "an integer >= 2"
        if name in ("construct", "item"):
            if field == "n_items":
                return None if _is_count(v, 1) else "a positive integer"
            if field in (None, "loading"):
                ok = _is_real(v) and 0.0 < v <= 1.0
                return None if ok else "a standardized loading, a real number in (0, 1]"
            if field == "mean":
                return None if _is_real(v) else "a finite real number"
            if field == "sd":
                return None if _is_real(v) and v > 0 else "a real number > 0"
            return None if _is_real(v) and 0.0 <= v <= 1.0 else "a real number in [0, 1]"
        if name in ("path", "interaction", "control"):
            if field in ("std", None):
                ok = _is_real(v) and -1.0 <= v <= 1.0
                return None if ok else "a standardized coefficient, a real number in [-1, 1]"
            if field == "se":
                return None if _is_real(v) and v > 0 else "a standard error, a real number > 0"
            return None if _is_real(v) else "a finite real number"
        if name == "correlation":
            return None if _is_real(v) and abs(v) < 1.0 else "a correlation, a real number with |r| < 1"
        if target == "model.estimate_metric":
            return None if v in ("standardized", "unstandardized") else "'standardized' or 'unstandardized'"
        if target == "model.controls":
            controls = [c for c, con in self.constructs.items() if con.role == "control"]
            expected = f"a list of constructs with role control ({', '.join(controls) or 'none defined'})"
            if not isinstance(v, list) or len(set(map(str, v))) != len(v):
                return expected + " named once each"
            if any(not isinstance(c, str) or c not in controls for c in v):
                return expected
            if self.model.controls and list(self.model.controls) != v:
                return f"the controls of model.controls {self.model.controls}"
            return None
        if name == "hypothesis":
            h = next((h for h in self.hypotheses if h.id == groups["h"]), None)
            if h is not None and h.kind == "moderation":
                known = sorted(mo.key for mo in self.model.moderations)
            else:
                known = [p.key for p in self.model.paths]
            if isinstance(v, str) and v in known:
                return None
            return f"a modelled {'moderation' if h and h.kind == 'moderation' else 'path'} such as " \
                   f"{known[0] if known else 'X->Y'!r}"
        return None

    def _check_assumption_refs(self, i: int, a: Assumption) -> None:
        """The constructs, items, paths and hypotheses an assumption target names exist."""
        kind = _target_kind(a.target)
        if kind is None:  # reported by _check_assumption_targets
            return
        name, g = kind
        field = f"assumptions[{i}].target"
        cons = self.constructs
        for group in ("c", "x", "y", "a", "b", "v", "cy"):
            c = g.get(group)
            if c is not None and c not in cons:
                raise _FieldError(field, f"construct {c!r} is not defined")
        if name == "item" and g["i"] not in set(self.all_items_unchecked()):
            raise _FieldError(field, f"item {g['i']!r} is not an item of any construct")
        if name == "path":
            key = f"{g['x']}->{g['y']}"
            if key not in {p.key for p in self.model.paths}:
                raise _FieldError(field, f"path {key} is not in model.paths")
        if name == "correlation" and g["a"] == g["b"]:
            raise _FieldError(field, f"expected two different constructs, got {g['a']}~~{g['b']}")
        if name == "interaction":
            known = sorted(mo.key for mo in self.model.moderations)
            if g["key"] not in known:
                raise _FieldError(field, f"interaction {g['key']} is not in model.moderations "
                                         f"(expected one of {', '.join(known) or 'none'})")
        if name == "control" and cons[g["v"]].role != "control":
            raise _FieldError(field, f"expected a control variable (role: control), got {g['v']!r}")
        if name == "hypothesis":
            h = next((h for h in self.hypotheses if h.id == g["h"]), None)
            if h is None:
                raise _FieldError(field, f"hypothesis {g['h']!r} not defined")
            if h.kind == "mediation":
                raise _FieldError(field, f"hypothesis {h.id} is a mediation hypothesis; expected a "
                                         "path or moderation hypothesis")
            if h.path_key is not None:
                raise _FieldError(field, f"hypothesis {h.id} states its path ({h.path_key}); an "
                                         "assumption may not replace it")

    def _check_results(self) -> None:
        cons = self.constructs
        keys = {p.key for p in self.model.paths}
        for i, r in enumerate(self.results.paths):
            if r.key not in keys:
                raise _FieldError(f"results.paths[{i}]", f"path {r.key} is not in model.paths")
        items = set(self.all_items_unchecked())
        for item in self.results.loadings:
            if item not in items:
                raise _FieldError(f"results.loadings.{item}", "item is not an item of any construct")
        for c in self.results.constructs:
            if c not in cons:
                raise _FieldError(f"results.constructs.{c}", "construct is not defined")

    def _check_hypotheses(self, targets: set[str]) -> None:
        cons = self.constructs
        keys = {p.key for p in self.model.paths}
        mod_keys = {m.key for m in self.model.moderations}
        seen: dict[str, int] = {}
        for i, h in enumerate(self.hypotheses):
            where = f"hypotheses[{i}]"
            if h.id in seen:
                raise _FieldError(f"{where}.id", f"id {h.id!r} used twice (also hypotheses[{seen[h.id]}])")
            seen[h.id] = i
            for end, c in (("from", h.from_), ("to", h.to), ("moderator", h.moderator)):
                if c is not None and c not in cons:
                    raise _FieldError(f"{where}.{end}", f"construct {c!r} is not defined")
            for j, c in enumerate(h.mediators):
                if c not in cons:
                    raise _FieldError(f"{where}.mediators[{j}]", f"construct {c!r} is not defined")
            assumed = f"hypotheses.{h.id}.path" in targets
            if h.kind == "mediation":
                if h.from_ is None or h.to is None:
                    raise _FieldError(where, f"({h.id}) expected from and to for a mediation hypothesis")
                if h.from_ == h.to:
                    raise _FieldError(where, f"({h.id}) expected from and to to differ, got {h.from_} twice")
                _check_mediators(f"{where}.mediators", h.mediators, h.from_, h.to)
            else:
                if h.mediators:
                    raise _FieldError(f"{where}.mediators", f"({h.id}) expected mediators only on a "
                                                            f"mediation hypothesis, got kind {h.kind}")
                needed = ["from", "to"] + (["moderator"] if h.kind == "moderation" else [])
                given = {"from": h.from_, "to": h.to, "moderator": h.moderator}
                missing = [k for k in needed if given[k] is None]
                if missing and len(missing) < len(needed):
                    raise _FieldError(where, f"({h.id}) expected {', '.join(needed)} together, "
                                             f"got no {', '.join(missing)}")
                if missing and not assumed:
                    raise _FieldError(where, f"({h.id}) expected {', '.join(needed)} or an assumption "
                                             f"hypotheses.{h.id}.path")
            pk = h.path_key
            if h.kind == "path" and pk is not None and pk not in keys:
                raise _FieldError(where, f"({h.id}) path {pk} is not in model.paths")
            if h.kind == "moderation" and pk is not None and pk not in mod_keys:
                raise _FieldError(where, f"({h.id}) moderation {pk} is not in model.moderations")
            if h.verdict is not None:
                try:
                    h.supported
                except ValueError as exc:
                    raise _FieldError(f"{where}.verdict", f"{exc}; expected yes/no, supported/not "
                                                          "supported") from None

    # ---------------------------------------------------------------- items
    def _assumed_n_items(self, c: str) -> int | None:
        for a in self.assumptions:
            if a.target == f"constructs.{c}.n_items":
                return int(a.value)
        return None

    def _items_by_construct(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for c, con in self.constructs.items():
            if con.items is not None:
                out[c] = list(con.items)
            else:
                k = int(con.n_items.value) if con.n_items is not None else self._assumed_n_items(c)
                out[c] = [f"{c}{j}" for j in range(1, (k or 0) + 1)]
        return out

    def all_items_unchecked(self) -> list[str]:
        return [it for items in self._items_by_construct().values() for it in items]

    @property
    def items(self) -> dict[str, list[str]]:
        """Item names of every construct, ``{construct: [items]}``."""
        return self._items_by_construct()

    @property
    def item_list(self) -> list[str]:
        """All item names in record order."""
        return self.all_items_unchecked()

    @property
    def latent_constructs(self) -> list[str]:
        """Constructs that are not control variables."""
        return [c for c, con in self.constructs.items() if con.role == "construct"]

    # ---------------------------------------------------------------- values
    def _published_values(self) -> dict[str, Value]:
        out: dict[str, Value] = {}

        def put(target: str, p: Published | None) -> None:
            if p is not None:
                out[target] = Value(target=target, value=p.value, status="published",
                                    where=p.where, printed=p.printed)

        put("sample.n", self.sample.n)
        put("sample.scale_points", self.sample.scale_points)
        for c, con in self.constructs.items():
            if con.items is not None:
                out[f"constructs.{c}.n_items"] = Value(
                    target=f"constructs.{c}.n_items", value=len(con.items), status="published",
                    where="item list printed in the paper")
            put(f"constructs.{c}.n_items", con.n_items)
        for item, p in self.results.loadings.items():
            put(f"items.{item}.loading", p)
        for c, st in self.results.constructs.items():
            for field in ("mean", "sd", "alpha", "ave", "cr"):
                put(f"constructs.{c}.{field}", getattr(st, field))
        for r in self.results.paths:
            put(f"paths.{r.key}.estimate", r.estimate)
            put(f"paths.{r.key}.se", r.se)
            put(f"paths.{r.key}.statistic", r.statistic)
        return out

    def values(self) -> dict[str, Value]:
        """Every published and assumed value in one namespace, each with its provenance."""
        out = self._published_values()
        for a in self.assumptions:
            out[a.target] = Value(target=a.target, value=a.value, status="assumed", reason=a.reason)
        return out

    def value(self, target: str, default: Any = None) -> Value | None:
        """One value of :meth:`values` (``default`` when neither printed nor assumed)."""
        return self.values().get(target, default)

    def hypothesis_path(self, hypothesis: "Hypothesis") -> Value | None:
        """The path ``"X->Y"`` (or moderation ``"XxM->Y"``) a hypothesis tests, with provenance.

        Printed when the paper states it; assumed (``hypotheses.<H>.path``) when the paper gives
        only labels; ``None`` for hypotheses that are not about one path (mediation).
        """
        if hypothesis.path_key is not None:
            return Value(target=f"hypotheses.{hypothesis.id}.path", value=hypothesis.path_key,
                         status="published", where=hypothesis.verdict.where if hypothesis.verdict else None)
        return self.values().get(f"hypotheses.{hypothesis.id}.path")

    @property
    def n(self) -> int:
        """Sample size (published, else assumed)."""
        return int(self.values()["sample.n"].value)

    @property
    def scale_points(self) -> int:
        """Likert scale points (published, else assumed)."""
        return int(self.values()["sample.scale_points"].value)

    def exogenous(self) -> list[str]:
        """Constructs that receive no structural path (and are not controls)."""
        targets = {p.to for p in self.model.paths}
        used = {p.from_ for p in self.model.paths} | targets
        for m in self.model.moderations:
            used |= {m.x, m.m, m.y}
        return [c for c in self.latent_constructs if c in used and c not in targets]

    def endogenous(self) -> list[str]:
        """Constructs that receive at least one structural path."""
        targets = {p.to for p in self.model.paths}
        return [c for c in self.constructs if c in targets]


def item_names(construct: str, k: int) -> list[str]:
    """Item column names ``<construct>1 .. <construct>k``."""
    return [f"{construct}{j}" for j in range(1, k + 1)]


# ------------------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------------------
def papers_dir() -> FilePath:
    """Folder holding ``<id>/paper.yaml`` for the bundled papers."""
    return FilePath(__file__).resolve().parents[2] / "data" / "papers"


def paper_ids() -> list[str]:
    """Ids of the bundled papers, sorted."""
    return sorted(p.parent.name for p in papers_dir().glob("*/paper.yaml"))


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if part == "[key]":
            out += " (name)"
        elif isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _message(err: Any) -> str:
    """One line ``field <dotted.path>: <what was expected, got what>`` from a pydantic error."""
    loc = _loc(err["loc"])
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, _FieldError):
        loc = ".".join(part for part in (loc, cause.field) if part).replace(".[", "[")
        msg = cause.message
    else:
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        if err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] != "value_error" and "input" in err:
            msg = f"{msg}, got {_got(err['input'])}"
    msg = " ".join(str(msg).split())
    return f"field {loc}: {msg}" if loc else msg


def load_record(path_or_id: str | FilePath) -> Record:
    """Load and validate a record from a YAML path or a bundled paper id.

    Raises
    ------
    RecordError
        One line naming the file, the field and what was expected.
    """
    p = FilePath(path_or_id)
    if not p.suffix and not p.exists():
        candidate = papers_dir() / str(path_or_id) / "paper.yaml"
        if not candidate.exists():
            raise RecordError(f"unknown paper {str(path_or_id)!r}; expected one of {', '.join(paper_ids())}")
        p = candidate
    if not str(path_or_id).strip():
        raise RecordError(f"empty paper name; expected one of {', '.join(paper_ids())} or a paper.yaml path")
    if p.is_dir():
        inner = p / "paper.yaml"
        if not inner.is_file():
            raise RecordError(f"{p}: is a directory without paper.yaml; expected a paper id or a "
                              "paper.yaml file")
        p = inner
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RecordError(f"{p}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(f"{p}: cannot read ({exc.__class__.__name__})") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise RecordError(f"{p}:{where} is not valid YAML") from None
    if not isinstance(raw, dict):
        raise RecordError(f"{p}: expected a mapping of record fields at the top level")
    try:
        return Record.model_validate(raw)
    except ValidationError as exc:
        raise RecordError(f"{p}: {_message(exc.errors()[0])}") from None


def load_all() -> dict[str, Record]:
    """All bundled records by id."""
    return {pid: load_record(pid) for pid in paper_ids()}
