"""The record published as JSON Schema, and a field reference generated from it.

:func:`record_schema` is pydantic's ``model_json_schema()`` of :class:`~replication.record.core.
Record` (validation mode, YAML names such as ``from``) with every field described: a field's
own ``Field(description=...)``, else the sentences of its class docstring that name it
(````name````), else the comment on its line in the source, else :data:`DESCRIPTIONS`. The
schema states what a record may hold (types, names, ranges pydantic knows); the cross-field
rules (a printed text states its value, names refer to constructs, the matrix is positive
definite, ...) are :func:`~replication.record.loading.load_record`'s. :func:`fields_markdown`
renders one table per model (field, type, description). ``scripts/record_schema.py`` writes
both to ``docs/record-schema.json`` and ``docs/record-fields.md``.
"""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

from pydantic import BaseModel

__all__ = ["DESCRIPTIONS", "record_schema", "schema_text", "fields_markdown", "undescribed"]

SCHEMA_ID = "https://example.org/replication/record-schema.json"

#: Descriptions of the fields whose class documents them neither by name nor by a comment,
#: keyed ``Model.field`` (pydantic's names of the YAML fields).
DESCRIPTIONS: dict[str, str] = {
    # Record
    "Record.id": "record id: letters, digits and _ (the folder name under data/papers)",
    "Record.title": "title of the paper",
    "Record.short_title": "short title shown in lists and reports",
    "Record.citation": "bibliographic reference of the paper",
    "Record.evidence": "tables (the paper prints its tables) or abstract (only the abstract's numbers)",
    "Record.abbreviations_note": "the paper's abbreviations of constructs and items, as printed",
    "Record.sample": "the sample as printed: N, analysed N, missing-data treatment, scale, groups",
    "Record.constructs": "constructs by name, each with its items",
    "Record.model": "the model the paper fitted",
    "Record.results": "every number the paper printed, grouped by kind",
    "Record.figures": "figures of the paper (hypothesised model, path diagram with estimates)",
    "Record.hypotheses": "the paper's hypotheses and its own verdicts",
    "Record.assumptions": "values the suite needs that the paper did not print, each with its reason",
    "Record.notes": "remarks on the record (transcription, typos, choices)",
    # Citation
    "Citation.authors": "authors as printed",
    "Citation.year": "year of publication",
    "Citation.title": "title of the publication",
    "Citation.venue": "journal, book or package the paper appeared in",
    "Citation.source_file": "the file or data set the record was transcribed from",
    # printed values
    "Published.value": "the numeric reading of the printed text",
    "Published.printed": "the text exactly as printed",
    "Published.where": "table, row and column, or section of the text",
    "Published.relation": "= , < or > (a bound such as p < 0.001)",
    "Published.marker": "significance marker printed with the number (*, **, dagger)",
    "Published.unit": "'' or percent (a percent lies within [0, 100])",
    "PublishedText.value": "the text as printed",
    "PublishedText.where": "where the text stands in the paper",
    "Assumption.target": "the value assumed, in the record's value namespace (sample.n, constructs.<C>.loading, ...)",
    "Assumption.value": "the assumed value",
    "Assumption.reason": "why this value was chosen",
    # results
    "PathResult.from": "the construct the path starts from",
    "PathResult.to": "the construct the path ends at",
    "PathResult.hypothesis": "the hypothesis the path tests",
    "PathResult.estimate": "the printed estimate (model.estimate_metric says how to read it)",
    "PathResult.se": "the printed standard error",
    "PathResult.p": "the printed p-value",
    "PathResult.verdict": "the paper's verdict on the path, as printed",
    "FitBlock.label": "the model's name as printed",
    "FitBlock.measures": "printed fit measures keyed by lavaan's names (chisq, df, cfi, rmsea, ...)",
    "Comparison.where": "where the comparison is printed",
    "Comparison.delta_chisq": "printed chi-square difference",
    "Comparison.delta_df": "printed difference of degrees of freedom",
    "Comparison.pvalue": "printed p-value of the difference test",
    "Comparison.delta_cfi": "printed CFI difference",
    "Comparison.delta_tli": "printed TLI difference",
    "Comparison.delta_rmsea": "printed RMSEA difference",
    "Comparison.delta_aic": "printed AIC difference",
    "Comparison.delta_bic": "printed BIC difference",
    "Sample.n": "the N the paper reports",
    "Sample.n_analysed": "rows the model was fitted to, when fewer than n",
    "Sample.missing": "listwise or fiml: how incomplete rows were treated",
    "Sample.invited": "people invited to take part, as printed",
    "Sample.response_rate": "response rate in percent, as printed",
    "Sample.scale_points": "points of the Likert items (absent: continuous indicators)",
    "Sample.software": "the software the paper used, as printed",
    "Sample.groups": "printed sample composition (counts and percents by category)",
    "ConstructStat.mean": "printed mean of the construct's score",
    "ConstructStat.sd": "printed standard deviation of the construct's score",
    "ConstructStat.alpha": "printed Cronbach's alpha",
    "ConstructStat.ave": "printed average variance extracted",
    "ConstructStat.cr": "printed composite reliability",
    "Harman.first_factor_percent": "percent of variance of the first unrotated factor, as printed",
    "Harman.n_factors": "factors with eigenvalue above 1, as printed",
    "Claim.text": "the claim as the paper words it",
    "Claim.where": "where the claim stands",
    "Claim.threshold": "the threshold the claim compares with",
    "Claim.model": "cfa or sem: the model the claim is about",
    "Marker.p_below": "the p-value the marker stands for (p < p_below)",
    "Hypothesis.id": "the hypothesis' label in the record (H1, H2a, ...)",
    "Hypothesis.printed_label": "the label as the paper prints it",
    "Hypothesis.from": "the predictor",
    "Hypothesis.to": "the outcome",
    "Hypothesis.moderator": "the moderator of a moderation hypothesis",
    "Hypothesis.mediators": "the mediators of a mediation hypothesis",
    "Hypothesis.sign": "+ or -: the predicted sign",
    "Hypothesis.statement": "the hypothesis as stated",
    "Hypothesis.verdict": "the paper's own verdict (supported, not supported)",
    "ParameterResult.lhs": "left-hand side of the parameter (lavaan's lhs)",
    "ParameterResult.op": "=~, ~, ~~ or := (lavaan's op)",
    "ParameterResult.rhs": "right-hand side (empty for :=)",
    "Results.loadings": "printed standardized loadings by item",
    "Results.constructs": "printed descriptives and reliabilities by construct",
    "Results.fit": "printed fit measures, one block per fitted model",
    "Results.comparisons": "printed comparisons of nested fit blocks",
    "Results.paths": "printed structural estimates",
    "Results.claims": "claims in the text about families of printed numbers",
    "Results.harman": "Harman's single-factor test as printed",
    "Results.significance": "the paper's significance legend",
    "Results.significance_where": "where the significance legend stands",
    "Results.in_text": "other numbers printed in the text (free form)",
    "FigureRef.label": "the figure's label (Figure 1)",
    "FigureRef.caption": "the figure's caption",
    "FigureRef.where": "where the figure stands",
    # model
    "Construct.name": "the construct's name as printed",
    "Construct.role": "construct or control (a control variable)",
    "StructuralPath.from": "the construct the path starts from",
    "StructuralPath.to": "the construct the path ends at",
    "Covariance.a": "one construct of the covariance",
    "Covariance.b": "the other construct",
    "Moderation.x": "the predictor",
    "Moderation.m": "the moderator",
    "Moderation.y": "the outcome",
    "Mediation.x": "the predictor",
    "Mediation.mediators": "the mediators (parallel)",
    "Mediation.y": "the outcome",
    "Model.moderations": "moderations the paper tests (m moderates x -> y)",
    "Model.mediations": "mediations the paper tests (x -> mediators -> y)",
    "Model.controls": "control variables (constructs with role control)",
    "Hypothesis.kind": "path, moderation or mediation",
    "PathResult.statistic_label": "the statistic's column heading as printed (t, C.R., z)",
    "Comparison.scaled": "true for a Satorra-Bentler (2001) scaled difference",
    "FitBlock.orthogonal": "true when the factors of this model were fitted uncorrelated",
    "FigureRef.kind": "model (the hypothesised model) or estimates (a path diagram with estimates)",
    "ProductIndicators.leftovers": "drop or parcel: items left over in the longer list",
    "SampleGroup.measure": "the characteristic (gender, age, ...)",
    "SampleGroup.category": "the category of the characteristic",
    "SampleGroup.count": "printed count of the category",
    "SampleGroup.percent": "printed percent of the category",
    # discriminant validity
    "Discriminant.fornell_larcker": "the Fornell-Larcker table as printed",
    "Discriminant.htmt": "the HTMT table as printed",
    "Discriminant.loading_ranges": "smallest and largest printed standardized loading by construct",
    "Discriminant.item_correlations": "a printed item correlation matrix (lower triangle)",
    "FornellLarcker.where": "where the table stands",
    "FornellLarcker.diagonal": "printed square roots of AVE by construct",
    "FornellLarcker.correlations": "printed construct correlations keyed by pair",
    "FornellLarcker.verdict": "the paper's verdict on discriminant validity",
    "HTMTTable.where": "where the table stands",
    "HTMTTable.threshold": "the threshold the paper applies (0.85 or 0.90)",
    "HTMTTable.values": "printed HTMT ratios keyed by pair",
    "HTMTTable.verdict": "the paper's verdict on discriminant validity",
    "ItemCorrelations.where": "where the matrix stands",
    "ItemCorrelations.items": "items in the printed order",
    "ItemCorrelations.decimals": "decimals the correlations were printed to",
    "ItemCorrelations.values": "lower-triangle rows in items order (diagonal optional)",
    "LoadingRange.min": "smallest printed standardized loading",
    "LoadingRange.max": "largest printed standardized loading",
    # PLS-SEM
    "PLSPair.a": "one construct of the pair",
    "PLSPair.b": "the other construct",
    "PLSPair.value": "the printed value of the pair",
    "PLSReliability.alpha": "printed Cronbach's alpha",
    "PLSReliability.cr": "printed composite reliability rho_C",
    "PLSReliability.rho_a": "printed rho_A",
    "PLSReliability.ave": "printed average variance extracted",
    "PLSHTMT.where": "where the table stands",
    "PLSHTMT.pairs": "printed HTMT ratios by pair",
    "PLSHTMT.threshold": "the threshold the paper used (0.85 or 0.90)",
    "PLSFornellLarcker.where": "where the table stands",
    "PLSFornellLarcker.sqrt_ave": "printed square roots of AVE by construct",
    "PLSFornellLarcker.pairs": "printed construct correlations by pair",
    "PLSEffect.value": "the printed value (f-squared, inner VIF)",
    "PLSPath.from": "the construct the path starts from",
    "PLSPath.to": "the construct the path ends at",
    "PLSPath.hypothesis": "the hypothesis the path tests",
    "PLSResults.bootstrap": "printed number of bootstrap resamples",
    "PLSResults.p_method": "normal or t: how the paper's p-values were computed from t",
    "PLSResults.loadings": "printed outer loadings by construct and item",
    "PLSResults.weights": "printed outer weights by construct and item",
    "PLSResults.reliability": "printed reliability and AVE by construct",
    "PLSResults.htmt": "the printed HTMT table",
    "PLSResults.fornell_larcker": "the printed Fornell-Larcker table",
    "PLSResults.r2": "printed R-squared by construct",
    "PLSResults.r2_adj": "printed adjusted R-squared by construct",
    "PLSResults.q2": "printed Q-squared by construct",
    "PLSResults.f2": "printed f-squared by path",
    "PLSResults.vif_outer": "printed outer VIF by item",
    "PLSResults.vif_inner": "printed inner VIF by path",
    "PLSResults.paths": "printed structural paths with bootstrap statistics",
}

_TYPE_NAMES = {"string": "str", "number": "number", "integer": "int", "boolean": "bool", "null": "null",
               "object": "object", "array": "list"}


def _models() -> dict[str, type[BaseModel]]:
    """Every pydantic model reachable from :class:`Record`, by class name."""
    from replication.record.core import Record

    found: dict[str, type[BaseModel]] = {}

    def visit(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp.__name__ in found:
                return
            found[tp.__name__] = tp
            for f in tp.model_fields.values():
                visit(f.annotation)
            return
        for arg in getattr(tp, "__args__", ()) or ():
            visit(arg)

    visit(Record)
    return found


def _sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text.strip())
    return [s.strip() for s in re.split(r"(?<=[.;])\s+(?=[A-Z`(])", text) if s.strip()]


def _from_docstring(cls: type, names: tuple[str, ...]) -> str | None:
    doc = inspect.getdoc(cls) or ""
    pattern = re.compile("|".join(rf"``{re.escape(n)}(?:``|[: ])" for n in names))
    hits = [s for s in _sentences(doc) if pattern.search(s)]
    return " ".join(hits) if hits else None


def _from_comment(cls: type, attr: str) -> str | None:
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):
        return None
    m = re.search(rf"^\s+{re.escape(attr)}\s*:[^\n#]*#\s*(.+)$", source, re.MULTILINE)
    return m.group(1).strip() if m else None


def _description(cls: type[BaseModel], attr: str, name: str) -> str | None:
    info = cls.model_fields[attr]
    return (info.description or DESCRIPTIONS.get(f"{cls.__name__}.{name}")
            or _from_docstring(cls, (name, attr)) or _from_comment(cls, attr))


def record_schema() -> dict:
    """The JSON Schema of a record (draft 2020-12), every field described."""
    from replication.record.core import Record

    schema = Record.model_json_schema(by_alias=True, mode="validation")
    models = _models()
    for name, definition in [("Record", schema), *schema.get("$defs", {}).items()]:
        cls = models.get(name)
        if cls is None:
            continue
        if "description" in definition:
            definition["description"] = re.sub(r"\s+", " ", definition["description"]).strip()
        aliases = {(f.alias or a): a for a, f in cls.model_fields.items()}
        properties = definition.get("properties", {})
        for field, prop in list(properties.items()):
            text = _description(cls, aliases.get(field, field), field)
            if text:
                prop["description"] = text
            attr = aliases.get(field, field)
            if attr != field and cls.model_config.get("populate_by_name"):  # the name is read too
                properties[attr] = {**prop, "description": f"the same as {field}"}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def undescribed(schema: dict) -> list[str]:
    """``Model.field`` of every property without a description."""
    out = []
    for name, definition in [("Record", schema), *schema.get("$defs", {}).items()]:
        out += [f"{name}.{f}" for f, p in definition.get("properties", {}).items() if not p.get("description")]
    return out


def schema_text() -> str:
    """The schema as written to ``docs/record-schema.json`` (sorted keys, two-space indent)."""
    return json.dumps(record_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _type(prop: dict) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in prop:
        parts = [_type(p) for p in prop["anyOf"]]
        return " or ".join(dict.fromkeys(parts))
    if "enum" in prop:
        return " | ".join(json.dumps(v) for v in prop["enum"])
    if "const" in prop:
        return json.dumps(prop["const"])
    kind = prop.get("type")
    if kind == "array":
        return f"list of {_type(prop.get('items', {}))}" if prop.get("items") else "list"
    if kind == "object" and isinstance(prop.get("additionalProperties"), dict):
        return f"map of {_type(prop['additionalProperties'])}"
    return _TYPE_NAMES.get(kind, "any") if kind else "any"


def _cell(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").strip()


def fields_markdown(schema: dict | None = None) -> str:
    """One table per model of the schema (field, type, description), ``Record`` first."""
    schema = record_schema() if schema is None else schema
    lines = ["# Record fields", "",
             "Generated from the record's pydantic models by `scripts/record_schema.py` (the same",
             "schema as `docs/record-schema.json`); do not edit by hand. A field marked * is required.",
             "Cross-field rules (a printed text states its value, names refer to constructs and",
             "items, the model is identified) are checked when a record is loaded.", ""]
    defs = schema.get("$defs", {})
    for name, definition in [("Record", schema), *sorted(defs.items())]:
        lines += [f"## {name}", ""]
        if definition.get("description"):
            lines += [_cell(definition["description"]), ""]
        required = set(definition.get("required", []))
        lines += ["| field | type | description |", "| --- | --- | --- |"]
        for field, prop in definition.get("properties", {}).items():
            mark = "*" if field in required else ""
            lines.append(f"| `{field}`{mark} | {_cell(_type(prop))} | {_cell(prop.get('description', ''))} |")
        lines.append("")
    return "\n".join(lines)
