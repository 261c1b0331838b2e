"""Printed results of a record: estimates, fit blocks, sample, descriptives, claims, hypotheses."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from replication.record.printed import Assumption, Published, PublishedText, _FieldError, _Strict, _whole
from replication.record.pls import PLSResults
from replication.record.discriminant import Discriminant
from replication.record.matrix import PrintedMatrix

__all__ = ["PathResult", "ParameterResult", "FitBlock", "Comparison", "SampleGroup", "Sample", "ConstructStat", "Harman", "Claim",
           "Marker", "Hypothesis", "Results", "FigureRef", "Citation", "Value"]



def _standard_error(cls, v: Published | None) -> Published | None:
    """A printed standard error is not negative."""
    if v is not None and v.value < 0:
        raise ValueError(f"expected a standard error >= 0, got {v.value:g}")
    return v


def _probability(cls, v: Published | None) -> Published | None:
    """A printed p-value lies within [0, 1]."""
    if v is not None and not 0.0 <= v.value <= 1.0:
        raise ValueError(f"expected a p-value within [0, 1], got {v.value:g}")
    return v

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

    _se = field_validator("se")(_standard_error)
    _p = field_validator("p")(_probability)

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
    # scaled and robust statistics of MLM / MLR (lavaan's names; Satorra-Bentler, Yuan-Bentler)
    "chisq.scaled": (0.0, math.inf), "pvalue.scaled": (0.0, 1.0),
    "chisq.scaling.factor": (0.0, math.inf), "cfi.scaled": (0.0, 1.2),
    "tli.scaled": (-math.inf, 1.2), "rmsea.scaled": (0.0, math.inf), "cfi.robust": (0.0, 1.2),
    "tli.robust": (-math.inf, 1.2), "rmsea.robust": (0.0, math.inf),
    # test of close fit, parsimony indices and information criteria (lavaan's names; AIC and
    # BIC as printed: lavaan's -2 logL + k q or AMOS's chi-square + k q, any sign)
    "rmsea.pvalue": (0.0, 1.0), "pgfi": (0.0, 1.0), "pnfi": (0.0, 1.0),
    # baseline (independence model) chi-squares, plain and Satorra-Bentler scaled
    "baseline.chisq": (0.0, math.inf), "baseline.chisq.scaled": (0.0, math.inf),
    "aic": (-math.inf, math.inf), "bic": (-math.inf, math.inf),
}


def _range_text(low: float, high: float) -> str:
    if math.isinf(low):
        return f"<= {high:g}"
    if math.isinf(high):
        return f">= {low:g}"
    return f"within [{low:g}, {high:g}]"


class FitBlock(_Strict):
    """Fit indices printed for one fitted model, keyed by lavaan's names.

    ``model`` names the model: ``cfa`` (the record's CFA), ``sem`` (its structural model), or
    any other name (a competing model, a model revised by modification indices, an invariance
    step) with its own lavaan ``syntax``. ``cfa`` and ``sem`` may also give a ``syntax`` when the
    paper fitted them differently from the main model. ``n`` is the N this model was fitted to
    when it differs from the record's analysed N.

    ``groups`` is the number of groups of a multi-group model (lavaan's RMSEA is then
    ``sqrt(G)`` times the one-group formula with the total N); ``orthogonal: true`` says the
    factors of this model were fitted uncorrelated (``cfa(..., orthogonal = TRUE)``, as a
    bifactor model); ``assumptions`` hold values this block needs that the paper did not print
    (targets ``n`` or ``constructs.<C>.n_items``), each with its reason.

    Names: ``chisq, df, pvalue, chisq_df, cfi, tli, nfi, ifi, gfi, agfi, rmsea, srmr``,
    ``rmsea.ci.lower, rmsea.ci.upper`` (the 90% interval), ``rmsea.pvalue`` (close fit),
    ``pgfi, pnfi, aic, bic``, ``baseline.chisq`` and ``baseline.chisq.scaled``, and
    for a paper that printed robust statistics (``model.estimator`` MLM or MLR) lavaan's
    ``chisq.scaled, pvalue.scaled, chisq.scaling.factor, cfi.scaled, tli.scaled, rmsea.scaled,
    cfi.robust, tli.robust, rmsea.robust`` (a printed Satorra-Bentler chi-square is
    ``chisq.scaled``).
    """

    model: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    syntax: str | None = None
    label: str | None = None
    n: Published | None = None
    groups: int = Field(default=1, ge=1)
    orthogonal: bool = False
    assumptions: list[Assumption] = []
    measures: dict[str, Published]

    @field_validator("n")
    @classmethod
    def _positive_n(cls, v: Published | None) -> Published | None:
        if v is not None and (v.value <= 0 or not _whole(v.value)):
            raise ValueError(f"must be a positive whole number, got {v.value:g}")
        return v

    @model_validator(mode="after")
    def _block_assumptions(self) -> "FitBlock":
        for i, a in enumerate(self.assumptions):
            if a.target == "n" or a.target.startswith("constructs.") and a.target.endswith(".n_items"):
                if isinstance(a.value, bool) or not isinstance(a.value, int) or a.value < 1:
                    raise _FieldError(f"assumptions[{i}].value", f"expected a positive whole number, got {a.value!r}")
                if a.target == "n" and self.n is not None:
                    raise _FieldError(f"assumptions[{i}].target", "n is printed for this block; an assumption "
                                                                  "may not overwrite it")
                continue
            raise _FieldError(f"assumptions[{i}].target", f"expected 'n' or 'constructs.<C>.n_items', "
                                                          f"got {a.target!r}")
        return self

    def assumed(self, target: str) -> int | None:
        """The block's assumed value of ``target`` (``None`` when not assumed)."""
        return next((int(a.value) for a in self.assumptions if a.target == target), None)

    @field_validator("measures")
    @classmethod
    def _names(cls, v: dict[str, Published]) -> dict[str, Published]:
        allowed = set(_FIT_RANGES)
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


class Comparison(_Strict):
    """A printed comparison of two nested fit blocks (competing models, invariance steps).

    ``model`` is the more restricted block (more df), ``against`` the block it is compared
    with; the deltas are as printed (either sign: the audit compares magnitudes, and the sign
    when both conventions disagree). ``scaled: true`` marks a Satorra-Bentler (2001) scaled
    difference: both blocks then print ``chisq`` (the unscaled ML chi-square) and
    ``chisq.scaling.factor``.
    """

    model: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    against: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    where: str = Field(min_length=1)
    scaled: bool = False
    delta_chisq: Published | None = None
    delta_df: Published | None = None
    pvalue: Published | None = None
    delta_cfi: Published | None = None
    delta_tli: Published | None = None
    delta_rmsea: Published | None = None
    delta_aic: Published | None = None
    delta_bic: Published | None = None

    _p = field_validator("pvalue")(_probability)

    @field_validator("delta_df")
    @classmethod
    def _whole_df(cls, v: Published | None) -> Published | None:
        if v is not None and not _whole(v.value):
            raise ValueError(f"expected a whole number of degrees of freedom, got {v.value:g}")
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
    """Sample size, scale and the sample description.

    ``n`` is the sample the paper reports; ``n_analysed`` the rows the model was fitted to
    (when fewer, e.g. after listwise deletion): every N-based check and the reconstruction use
    the analysed N. ``missing`` says how the paper treated incomplete rows (``listwise``,
    default, or ``fiml``). ``scale_points`` is optional: absent means continuous indicators
    (reconstruction and simulation give continuous data; no Likert range checks).
    """

    n: Published | None = None
    n_analysed: Published | None = None
    missing: Literal["listwise", "fiml"] = "listwise"
    invited: Published | None = None
    response_rate: Published | None = None
    scale_points: Published | None = None
    software: PublishedText | None = None
    groups: list[SampleGroup] = []

    @model_validator(mode="after")
    def _analysed_within_reported(self) -> "Sample":
        if self.n is not None and self.n_analysed is not None and self.n_analysed.value > self.n.value:
            raise _FieldError("n_analysed", f"expected at most the reported N ({self.n.value:g}), "
                                            f"got {self.n_analysed.value:g}")
        return self

    @field_validator("n", "n_analysed", "invited")
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


class ParameterResult(_Strict):
    """Printed values of one model parameter, keyed as lavaan's parameter table: ``lhs op rhs``.

    Any of ``est`` (unstandardized estimate), ``se``, ``z`` (z, t or C.R. as printed), ``pvalue``
    and ``std_all`` (completely standardized) may be printed. ``model`` names the fit block the
    values belong to (default: the record's main model). Factor correlations, residual
    covariances between items, unstandardized loadings, variances and defined parameters
    (``:=``, with ``rhs`` empty) are all recorded here.
    """

    lhs: str = Field(min_length=1)
    op: Literal["=~", "~", "~~", ":="]
    rhs: str = ""
    model: str | None = None
    est: Published | None = None
    se: Published | None = None
    z: Published | None = None
    pvalue: Published | None = None
    std_all: Published | None = None

    _se = field_validator("se")(_standard_error)
    _p = field_validator("pvalue")(_probability)

    @model_validator(mode="after")
    def _rhs_for_op(self) -> "ParameterResult":
        if self.op != ":=" and not self.rhs:
            raise _FieldError("rhs", f"expected the right-hand side of {self.lhs} {self.op}")
        return self

    @property
    def key(self) -> str:
        """``"lhs op rhs"`` (``~~`` pairs in the order written)."""
        return f"{self.lhs} {self.op} {self.rhs}".strip()


class Results(_Strict):
    """Every number the paper printed, grouped by kind.

    ``parameters`` holds printed values of any parameter keyed by lavaan's ``lhs op rhs``;
    ``r2`` printed R-squared of items (squared multiple correlations) or dependent constructs.
    """

    loadings: dict[str, Published] = {}
    constructs: dict[str, ConstructStat] = {}
    fit: list[FitBlock] = []
    comparisons: list[Comparison] = []
    paths: list[PathResult] = []
    parameters: list[ParameterResult] = []
    r2: dict[str, Published] = {}
    harman: Harman | None = None
    claims: list[Claim] = []
    significance: list[Marker] = []
    significance_where: str | None = None
    in_text: list[dict[str, Any]] = []
    pls: PLSResults | None = None  # printed PLS-SEM tables (replication.record.pls)
    discriminant: Discriminant | None = None  # Fornell-Larcker, HTMT, loading ranges (replication.record.discriminant)
    matrix: PrintedMatrix | None = None  # a printed correlation or covariance matrix (replication.record.matrix)

    @model_validator(mode="after")
    def _one_fit_block_per_model(self) -> "Results":
        first: dict[str, int] = {}
        for i, b in enumerate(self.fit):
            if b.model in first:
                raise _FieldError(f"fit[{i}].model", f"expected one fit block per model, got a second "
                                                     f"{b.model!r} block (first at fit[{first[b.model]}])")
            first[b.model] = i
        for i, c in enumerate(self.comparisons):
            for key in ("model", "against"):
                name = getattr(c, key)
                if name not in first:
                    raise _FieldError(f"comparisons[{i}].{key}", f"expected the model of a fit block "
                                                                 f"({', '.join(sorted(first)) or 'none'}), got {name!r}")
            if c.model == c.against:
                raise _FieldError(f"comparisons[{i}].against", f"expected a model other than {c.model!r}")
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
