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
"""

from __future__ import annotations

import math
import re
from pathlib import Path as FilePath
from typing import Any, Literal

import yaml
from replication.errors import InputError
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
    """

    value: float
    printed: str
    where: str = Field(min_length=1)
    relation: Literal["=", "<", ">"] = "="
    marker: str | None = None
    unit: Literal["", "percent"] = ""

    @field_validator("value")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v

    @property
    def decimals(self) -> int:
        """Number of decimals printed (precision of the rounding)."""
        m = re.search(r"\d+(?:\.(\d+))?", self.printed.replace(",", ""))
        if not m or m.group(1) is None:
            return 0
        return len(m.group(1))

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

    @property
    def key(self) -> str:
        return f"{self.from_}->{self.to}"


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
        return v


class SampleGroup(_Strict):
    """One row of a sample-description table."""

    measure: str
    category: str
    count: Published | None = None
    percent: Published | None = None


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
            raise ValueError("must be a positive whole number")
        return v

    @field_validator("scale_points")
    @classmethod
    def _scale(cls, v: Published | None) -> Published | None:
        if v is not None and (v.value < 2 or v.value != int(v.value)):
            raise ValueError("must be a whole number of at least 2 points")
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


class Claim(_Strict):
    """A claim in the text about a family of printed numbers, e.g. "the CRs were all above 0.7".

    ``quantity`` is one of ``loading, ave, cr, alpha, chisq_df, rmsea, gfi, agfi, cfi, nfi, ifi,
    tli``; ``quantifier`` is ``all`` or ``most``; ``comparison`` ``>``, ``>=``, ``<`` or ``<=``.
    """

    text: str
    where: str
    quantity: str
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


_TARGET_PATTERNS = [
    r"sample\.(n|scale_points)",
    r"constructs\.(?P<c>[^.]+)\.(n_items|loading|mean|sd|alpha|ave|cr)",
    r"items\.(?P<i>[^.]+)\.loading",
    r"paths\.(?P<x>[^.>-]+)->(?P<y>[^.]+)\.(std|estimate|se|statistic)",
    r"correlations\.(?P<a>[^.~]+)~~(?P<b>[^.]+)",
    r"interactions\.(?P<ix>[^.x]+)x(?P<im>[^.-]+)->(?P<iy>[^.]+)\.std",
    r"model\.(estimate_metric|controls)",
    r"controls\.(?P<v>[^.>-]+)->(?P<cy>[^.]+)\.std",
    r"hypotheses\.(?P<h>[^.]+)\.path",
]


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
        cons = set(self.constructs)
        for name in cons:
            if not re.match(_ID, name):
                raise ValueError(f"constructs.{name}: expected a name of letters, digits and _")
        for i, p in enumerate(self.model.paths):
            for end, c in (("from", p.from_), ("to", p.to)):
                if c not in cons:
                    raise ValueError(f"model.paths[{i}].{end}: construct {c!r} is not defined")
        keys = [p.key for p in self.model.paths]
        dup = {k for k in keys if keys.count(k) > 1}
        if dup:
            raise ValueError(f"model.paths: path {sorted(dup)[0]} listed twice")
        for i, c in enumerate(self.model.covariances):
            for end, v in (("a", c.a), ("b", c.b)):
                if v not in cons:
                    raise ValueError(f"model.covariances[{i}].{end}: construct {v!r} is not defined")
        for i, m in enumerate(self.model.moderations):
            for end, v in (("x", m.x), ("m", m.m), ("y", m.y)):
                if v not in cons:
                    raise ValueError(f"model.moderations[{i}].{end}: construct {v!r} is not defined")
        for i, m in enumerate(self.model.mediations):
            for v in [m.x, m.y, *m.mediators]:
                if v not in cons:
                    raise ValueError(f"model.mediations[{i}]: construct {v!r} is not defined")
        for i, c in enumerate(self.model.controls):
            if c not in cons:
                raise ValueError(f"model.controls[{i}]: control {c!r} is not defined in constructs")
        for i, r in enumerate(self.results.paths):
            if r.key not in keys:
                raise ValueError(f"results.paths[{i}]: path {r.key} is not in model.paths")
        mod_keys = {m.key for m in self.model.moderations}
        for i, h in enumerate(self.hypotheses):
            pk = h.path_key
            if h.kind == "path" and pk is not None and pk not in keys:
                raise ValueError(f"hypotheses[{i}] ({h.id}): path {pk} is not in model.paths")
            if h.kind == "moderation" and pk is not None and pk not in mod_keys:
                raise ValueError(f"hypotheses[{i}] ({h.id}): moderation {pk} is not in model.moderations")
            if h.verdict is not None:
                try:
                    h.supported
                except ValueError as exc:
                    raise ValueError(f"hypotheses[{i}].verdict: {exc}") from None
        ids = [h.id for h in self.hypotheses]
        dup_h = {h for h in ids if ids.count(h) > 1}
        if dup_h:
            raise ValueError(f"hypotheses: id {sorted(dup_h)[0]!r} used twice")
        # item names unique across constructs
        seen: dict[str, str] = {}
        for c, items in self._items_by_construct().items():
            for it in items:
                if it in seen:
                    raise ValueError(f"constructs.{c}.items: item {it!r} also belongs to {seen[it]}")
                seen[it] = c
        for item in self.results.loadings:
            if item not in self.all_items_unchecked():
                raise ValueError(f"results.loadings.{item}: item is not an item of any construct")
        for c in self.results.constructs:
            if c not in cons:
                raise ValueError(f"results.constructs.{c}: construct is not defined")
        # assumptions: known targets, no collision with published values, no duplicates
        published = self._published_values()
        targets: set[str] = set()
        for i, a in enumerate(self.assumptions):
            if not any(re.fullmatch(p, a.target) for p in _TARGET_PATTERNS):
                raise ValueError(f"assumptions[{i}].target: unknown target {a.target!r}")
            if a.target in published:
                raise ValueError(
                    f"assumptions[{i}].target: {a.target} is published "
                    f"({published[a.target].where}); an assumption may not replace it")
            if a.target in targets:
                raise ValueError(f"assumptions[{i}].target: {a.target} assumed twice")
            targets.add(a.target)
            self._check_assumption_refs(i, a)
        if self.sample.n is None and "sample.n" not in targets:
            raise ValueError("sample.n: expected a published N or an assumption with target sample.n")
        if self.sample.scale_points is None and "sample.scale_points" not in targets:
            raise ValueError("sample.scale_points: expected a published value or an assumption")
        for c, con in self.constructs.items():
            if con.items is None and con.n_items is None and f"constructs.{c}.n_items" not in targets:
                raise ValueError(f"constructs.{c}: expected items, n_items or an assumption "
                                 f"constructs.{c}.n_items")
        for i, a in enumerate(self.assumptions):
            if a.target == "sample.n" and not (isinstance(a.value, int) and a.value > 0):
                raise ValueError(f"assumptions[{i}].value: sample.n must be a positive integer")
            if a.target == "sample.scale_points" and not (isinstance(a.value, int) and a.value >= 2):
                raise ValueError(f"assumptions[{i}].value: scale_points must be an integer >= 2")
            if a.target.endswith(".n_items") and not (isinstance(a.value, int) and a.value >= 1):
                raise ValueError(f"assumptions[{i}].value: n_items must be a positive integer")
        return self

    def _check_assumption_refs(self, i: int, a: Assumption) -> None:
        cons = set(self.constructs)
        for pattern in _TARGET_PATTERNS:
            m = re.fullmatch(pattern, a.target)
            if not m:
                continue
            for group, name in m.groupdict().items():
                if name is None:
                    continue
                if group == "i":
                    continue  # items checked through the loadings namespace
                if group == "h":
                    if name not in {h.id for h in self.hypotheses}:
                        raise ValueError(f"assumptions[{i}].target: hypothesis {name!r} not defined")
                    continue
                if name not in cons:
                    raise ValueError(f"assumptions[{i}].target: construct {name!r} is not defined")
            if m.groupdict().get("h") is not None:
                known = {p.key for p in self.model.paths} | {mo.key for mo in self.model.moderations}
                if not isinstance(a.value, str) or a.value not in known:
                    raise ValueError(f"assumptions[{i}].value: expected a modelled path such as "
                                     f"{sorted(known)[0]!r}, got {a.value!r}")
            if pattern.startswith(r"paths") and m.group("x") is not None:
                key = f"{m.group('x')}->{m.group('y')}"
                if key not in {p.key for p in self.model.paths}:
                    raise ValueError(f"assumptions[{i}].target: path {key} is not in model.paths")
            return

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
    return FilePath(__file__).resolve().parent.parent / "data" / "papers"


def paper_ids() -> list[str]:
    """Ids of the bundled papers, sorted."""
    return sorted(p.parent.name for p in papers_dir().glob("*/paper.yaml"))


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


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
        err = exc.errors()[0]
        loc = _loc(err["loc"])
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        if err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] == "extra_forbidden":
            msg = "unknown field"
        field = f" field {loc}:" if loc else ""
        raise RecordError(f"{p}:{field} {msg}") from None


def load_all() -> dict[str, Record]:
    """All bundled records by id."""
    return {pid: load_record(pid) for pid in paper_ids()}
