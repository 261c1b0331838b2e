"""The published record of one paper (:class:`Record`): fields, items and the value namespace."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from replication.record.lavaan import cfa_syntax_of, fit_syntaxes, main_syntax
from replication.record.model import Construct, Model
from replication.record.printed import _ID, Assumption, Published, RecordError, _FieldError, _Strict
from replication.record.pls import check_pls_record, is_pls, pls_paths
from replication.record.results import Citation, FigureRef, Hypothesis, Results, Sample, Value
from replication.record.validation import (check_assumption_refs, check_assumption_targets,
                                           check_hypotheses, check_model, check_results)
from replication.record.syntax_checks import (check_constructs_in_model, check_fit_blocks, check_parameters,
                                              check_syntax, paths_from_syntax)

__all__ = ["Record", "item_names"]


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
    @model_validator(mode="before")
    @classmethod
    def _syntax_paths(cls, raw: Any) -> Any:
        return paths_from_syntax(pls_paths(raw)) if isinstance(raw, dict) else raw

    @model_validator(mode="after")
    def _cross_references(self) -> "Record":
        check_model(self)
        targets = check_assumption_targets(self)
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
            check_assumption_refs(self, i, a)
        self._check_ordered(seen)
        if self.reversed_items and self.scale_points is None:
            c = next(c for c, con in self.constructs.items() if con.reversed)
            raise _FieldError(f"constructs.{c}.reversed", "reverse-scoring (min + max - x) needs the "
                                                          "scale: expected sample.scale_points")
        check_pls_record(self)
        if not is_pls(self.model):  # a PLS syntax (<~) is checked by check_pls_record
            check_syntax(self)
        check_constructs_in_model(self)
        check_results(self)
        check_parameters(self, check_fit_blocks(self))
        check_hypotheses(self, targets)
        return self

    def _check_ordered(self, items: dict[str, str]) -> None:
        if self.model.ordered == "all":
            return
        for j, it in enumerate(self.model.ordered):
            if it not in items:
                raise _FieldError(f"model.ordered[{j}]", f"item {it!r} is not an item of any construct")

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
        put("sample.n_analysed", self.sample.n_analysed)
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
        for p in self.results.parameters:  # printed standardized values between constructs
            if p.model is not None or p.std_all is None:
                continue
            if p.op == "~~" and p.lhs != p.rhs and {p.lhs, p.rhs} <= set(self.constructs):
                put(f"correlations.{p.lhs}~~{p.rhs}", p.std_all)
            elif p.op == "~" and {p.lhs, p.rhs} <= set(self.constructs):
                put(f"paths.{p.rhs}->{p.lhs}.std", p.std_all)
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
        """Reported sample size (published, else assumed).

        A record may leave N out (the audit then infers it from the N-dependent numbers);
        whatever needs a number of rows (reconstruction, power) then asks for one.
        """
        v = self.values().get("sample.n")
        if v is None:
            raise RecordError(f"record {self.id}: field sample.n: N is neither printed nor assumed; expected "
                              "sample.n or an assumption with target sample.n (replicate audit reports the N "
                              "the printed fit statistics imply)")
        return int(v.value)

    @property
    def n_analysed(self) -> int:
        """Rows the model was fitted to: ``sample.n_analysed`` when printed, else :attr:`n`."""
        if self.sample.n_analysed is not None:
            return int(self.sample.n_analysed.value)
        return self.n

    @property
    def scale_points(self) -> int | None:
        """Likert scale points (published, else assumed); ``None`` for continuous indicators."""
        v = self.values().get("sample.scale_points")
        return None if v is None else int(v.value)

    @property
    def reversed_items(self) -> list[str]:
        """Items reverse-scored before every analysis, in record order."""
        return [it for con in self.constructs.values() for it in con.reversed]

    @property
    def ordered_items(self) -> list[str]:
        """Items treated as ordinal (``model.ordered``; every item for ``all``)."""
        return self.item_list if self.model.ordered == "all" else list(self.model.ordered)

    def main_syntax(self) -> str:
        """The model the paper reports, as lavaan syntax (:func:`replication.record.lavaan.main_syntax`)."""
        return main_syntax(self)

    def cfa_syntax(self) -> str:
        """The record's CFA as lavaan syntax (:func:`replication.record.lavaan.cfa_syntax_of`)."""
        return cfa_syntax_of(self)

    def fit_syntaxes(self) -> dict[str, str]:
        """``{fit block name: syntax}`` of every printed fit block."""
        return fit_syntaxes(self)

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
