"""One paper's replication as a short sequence of named steps, and its typed result.

:func:`replicate` is the whole per-paper pipeline, runnable without Jupyter; it reads as the
sequence of its steps, each a function defined in its own place (as lavaan's ``lavaan()`` reads
as its ``lav_step*`` calls)::

    inputs      = load_inputs(...)            # record + responses, with provenance
    audit       = run_audit(record)           # are the printed numbers consistent?
    cfa         = run_cfa(inputs)             # measurement model
    measurement = measurement_tables(...)     # reliability and validity
    sem_result  = run_sem(inputs)             # structural model (SEM papers)
    moderation  = run_moderation(inputs)      # moderations the record describes
    mediation   = run_mediation(...)          # mediations, bootstrap intervals
    comparisons = compare_published(...)      # printed vs replicated, one table each
    hypotheses  = hypothesis_verdicts(...)    # the paper's verdict vs the replication's
    two_groups  = original_vs_replication(..) # real responses: original vs new, two groups

A paper's notebook calls the same steps one cell at a time and ends with
:meth:`PaperResult.from_steps`, so ``replicate(...).to_json(path)`` writes exactly the bytes of the
``results.json`` that ``replicate run`` writes for the same inputs and seed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from replication.compare import core as compare
from replication.compare.parameters import compare_named_fit, compare_parameters
from replication.engine.arguments import (MAX_BOOTSTRAP, check_choice, check_int, check_number,
                                          check_path, check_seed, described)
from replication.engine.errors import InputError
from replication.pipeline import planning, pls_steps, results_json, steps
from replication.pipeline.original_replication import original_vs_replication
from replication.pipeline.result_tables import PaperTables
from replication.pipeline.inputs import SOURCES, Inputs, load_inputs
from replication.pipeline.steps import MeasurementTables, Moderations
from replication.record.core import Record

__all__ = ["DEFAULT_BOOTSTRAP", "PaperResult", "replicate", "compare_published", "effects",
           "hypotheses", "with_estimation", "with_group_column"]

#: Bootstrap resamples for mediation intervals when none are asked for.
DEFAULT_BOOTSTRAP = 200


@dataclass
class PaperResult(PaperTables):
    """Everything one replication of a paper produced.

    Attributes
    ----------
    inputs : Inputs
        The record, the responses and their provenance.
    audit : dict
        :func:`replication.pipeline.steps.run_audit`.
    cfa : FitResult
        The measurement model.
    measurement : MeasurementTables
        Reliability, Fornell-Larcker, HTMT and Harman tables.
    sem : FitResult or None
        The structural model (``None`` for a regression paper).
    moderation : Moderations
        :func:`~replication.pipeline.steps.run_moderation` (empty when the paper has none).
    mediation : dict
        :func:`~replication.pipeline.steps.run_mediation`: ``"X=>Y"`` -> MediationResult.
    comparisons : dict of DataFrame
        Printed vs replicated: ``loadings``, ``paths``, ``reliability``, ``fit_cfa``,
        ``fit_sem``, ``descriptives``, ``harman`` (those the paper has).
    hypotheses : DataFrame
        The paper's verdict and the replication's, one row per hypothesis.
    n_bootstrap : int
    results : dict
        The content of ``results.json`` (plain JSON types).
    """

    inputs: Inputs
    audit: dict
    cfa: Any
    measurement: MeasurementTables
    sem: Any
    moderation: Moderations
    mediation: dict
    comparisons: dict
    hypotheses: pd.DataFrame
    n_bootstrap: int
    results: dict = field(repr=False)
    original_vs_replication: Any = None

    @classmethod
    def from_steps(cls, inputs: Inputs, *, audit: dict, cfa, measurement: MeasurementTables,
                   sem_result, moderation: Moderations, mediation: dict, comparisons: dict,
                   hypotheses: pd.DataFrame, n_bootstrap: int,
                   original_vs_replication=None,
                   sesoi: float | None = None) -> "PaperResult":
        """Assemble the result of the steps (and its ``results.json`` content);
        ``original_vs_replication`` is the two-group comparison run with real responses.
        With real responses each path hypothesis gets its replication tests (with ``sesoi``
        an equivalence test too)."""
        kept = {k: v for k, v in comparisons.items() if v is not None}
        # with real responses each path hypothesis carries its replication tests
        hypotheses = planning.with_replication(
            hypotheses, planning.replication_tests(inputs, sem_result, moderation, sesoi=sesoi))
        results = results_json.collect_results(
            inputs, cfa=cfa, sem_result=sem_result, measurement=measurement,
            moderation=moderation, mediation=mediation, audit=audit, comparisons=kept,
            hypotheses=hypotheses, n_bootstrap=n_bootstrap,
            original_vs_replication=original_vs_replication)
        results = with_estimation(results, cfa=cfa, sem=sem_result)
        results["comparisons_estimation"] = {  # how the model behind each table was fitted
            k: dict(v.attrs["estimation"]) for k, v in kept.items()
            if isinstance(getattr(v, "attrs", None), dict) and "estimation" in v.attrs}
        return cls(inputs, audit, cfa, measurement, sem_result, moderation, mediation, kept,
                   hypotheses, int(n_bootstrap), results, original_vs_replication)



def with_estimation(results: dict, **fits) -> dict:
    """``results.json`` content whose ``cfa`` and ``sem`` blocks say how each model was fitted.

    Each block gets ``estimation`` (:func:`replication.pipeline.estimation.estimation_of`:
    ``estimator``, ``se``, ``test``, ``missing``, ``ordered``, ``group``, ``groups`` with their
    N and chi-square, ``group_equal``, ``group_partial``; ``label``, the few words of
    :func:`~replication.pipeline.steps.fit_label`, and ``sentence``, those of
    :func:`~replication.pipeline.steps.estimation_sentence`); a multi-group fit's ``parameters``
    keep their ``group`` column, and an ordinal fit's keep its thresholds (``|``).
    """
    out = dict(results)
    for key, res in fits.items():
        block = out.get(key)
        if res is None or not isinstance(block, dict):
            continue
        block = dict(block)
        block["estimation"] = results_json.to_jsonable(
            {**steps.fit_estimation(res), "label": steps.fit_label(res),
             "sentence": steps.estimation_sentence(res)})
        p = res.parameters
        grouped = "group" in p.columns and bool((p["group"].astype(str) != "").any())
        ops = ["=~", "~", "~~", "|"] if "|" in set(p["op"]) else ["=~", "~", "~~"]
        cols = [c for c in ("lhs", "op", "rhs", "group", "est", "se", "z", "pvalue", "std_all")
                if c in p.columns and (c != "group" or grouped)]
        if grouped or "|" in ops:
            block["parameters"] = results_json.to_jsonable(
                p[p["op"].isin(ops)][cols].reset_index(drop=True))
        out[key] = block
    return out


def with_group_column(inputs: Inputs, data) -> Inputs:
    """The responses with the record's ``model.group`` column, read from the same CSV or
    DataFrame and aligned with the rows the loader kept (incomplete rows left out listwise).

    Reconstructed and simulated data, and records without groups, are returned as they are (a
    multi-group fit then refuses data without the column, naming ``model.group``).

    Raises
    ------
    InputError
        The file or DataFrame has no such column.
    """
    col = getattr(inputs.record.model, "group", None)
    if col is None or data is None or col in inputs.data.columns:
        return inputs
    if isinstance(data, pd.DataFrame):
        table, where = data.reset_index(drop=True), "data (DataFrame)"
    else:
        from replication.data.responses import read_table

        table, where = read_table(data), str(data)
    if col not in table.columns:
        raise InputError(f"{where}: no column {col!r} (model.group); expected the column that "
                         "holds the groups")
    items = table[inputs.record.item_list].apply(pd.to_numeric, errors="coerce")
    keep = ~items.isna().any(axis=1) if inputs.missing == "listwise" else ~items.isna().all(axis=1)
    groups = table.loc[keep, col].reset_index(drop=True)
    if len(groups) != len(inputs.data):
        raise InputError(f"{where}: model.group: {len(groups)} rows with a group for "
                         f"{len(inputs.data)} rows of responses; expected one group per row")
    frame = inputs.data.copy()
    frame[col] = groups.to_numpy()
    return replace(inputs, data=frame)


def compare_published(inputs: Inputs, cfa, sem_result, measurement: MeasurementTables,
                      moderation: Moderations) -> dict[str, pd.DataFrame | None]:
    """Every printed-vs-replicated table the record allows.

    Returns
    -------
    dict
        ``loadings``, ``paths``, ``reliability`` always (``paths`` may be ``None``); ``fit_cfa``
        and ``fit_sem`` when the paper prints fit measures for that model; ``fit_<name>`` for
        every other named fit block (fitted from its own syntax); ``parameters`` when it prints
        parameters keyed by ``lhs op rhs``; ``descriptives``
        when it prints construct means or SDs; ``harman`` when it prints Harman's test.
    """
    record = inputs.record
    fits = {b.model for b in record.results.fit}
    out: dict[str, pd.DataFrame | None] = {
        "loadings": compare.compare_loadings(record, cfa),
        "paths": _paths(record, sem_result, moderation),
        "reliability": compare.compare_reliability(record, measurement.reliability),
    }
    if "cfa" in fits:
        out["fit_cfa"] = compare.compare_fit(record, cfa.fit_measures, model="cfa")
    if "sem" in fits and sem_result is not None:
        out["fit_sem"] = compare.compare_fit(record, sem_result.fit_measures, model="sem")
    extra = [b.model for b in record.results.fit if b.model not in ("cfa", "sem")]
    if extra or record.results.parameters:  # models with their own syntax; lhs op rhs values
        named = steps.named_fits(inputs, cfa, sem_result)
        for name in extra:
            out[f"fit_{name}"] = compare_named_fit(record, named[name].fit_measures, name)
        if record.results.parameters:
            out["parameters"] = compare_parameters(record, named)
    fitted = {"loadings": ("cfa", cfa), "paths": ("sem", sem_result), "fit_cfa": ("cfa", cfa),
              "fit_sem": ("sem", sem_result)}
    if extra or record.results.parameters:
        fitted.update({f"fit_{name}": (name, named[name]) for name in extra})
        fitted["parameters"] = ("main", named["main"])
    for key, (model, res) in fitted.items():  # each table says how its model was fitted
        if res is not None and out.get(key) is not None:
            out[key].attrs["estimation"] = {"model": model, "label": steps.fit_label(res),
                                            "sentence": steps.estimation_sentence(res)}
    if _prints_descriptives(record):
        out["descriptives"] = compare.compare_descriptives(record, inputs.data)
    if record.results.harman is not None:
        out["harman"] = compare.compare_harman(record, measurement.harman)
    return out


def _paths(record, sem_result, moderation: Moderations) -> pd.DataFrame | None:
    """Structural paths of the SEM, or the main effects of the moderated regression."""
    if sem_result is not None:
        return compare.compare_paths(record, sem_result)
    regression = moderation.regression
    if regression is not None:
        return compare.compare_paths(record, steps.regression_paths(regression))
    return None


def _prints_descriptives(record) -> bool:
    """Whether the paper prints construct means or standard deviations."""
    return any(getattr(st, f) is not None for st in record.results.constructs.values()
               for f in ("mean", "sd"))


def effects(sem_result, moderation: Moderations, mediation: dict) -> pd.DataFrame:
    """Every replicated effect (paths, interactions, indirect effects) for the path diagram."""
    return compare.effects_table(sem_result, regression=moderation.regression,
                                 moderation=list(moderation.latent), mediation=mediation)


def hypotheses(record, sem_result, moderation: Moderations, mediation: dict) -> pd.DataFrame:
    """The paper's verdict beside the replication's, one row per hypothesis."""
    return compare.hypothesis_verdicts(record, sem_result, regression=moderation.regression,
                                       moderation=list(moderation.latent), mediation=mediation)


def _check_arguments(paper, data, source, seed, n_bootstrap, missing, sesoi) -> tuple[int, float | None]:
    """Refuse arguments of :func:`replicate` of the wrong type (``TypeError``) or value
    (``InputError``), one sentence naming the argument; ``n_bootstrap`` and ``sesoi`` as numbers."""
    if not isinstance(paper, (str, os.PathLike, Record)):
        raise TypeError(f"paper: expected a paper id, the path of a paper.yaml or a Record, got "
                        f"{described(paper)}")
    if data is not None and not isinstance(data, pd.DataFrame):
        if not isinstance(data, (str, os.PathLike)):
            raise TypeError(f"data: expected the path of a CSV file or a pandas DataFrame of "
                            f"responses, got {described(data)}")
        check_path(data, "data", "the path of a CSV file of responses")
    check_choice(source, "source", SOURCES)
    check_seed(seed)
    n_bootstrap = check_int(n_bootstrap, "n_bootstrap", 0, MAX_BOOTSTRAP)
    if n_bootstrap == 1:
        raise InputError(f"n_bootstrap: expected 0 (no mediation to bootstrap) or 2 to "
                         f"{MAX_BOOTSTRAP:,} resamples, got 1")
    if missing is not None:
        check_choice(missing, "missing", ("listwise", "fiml"))
    if sesoi is not None:
        sesoi = check_number(sesoi, "sesoi", positive=True)
    return n_bootstrap, sesoi


def replicate(paper: str | os.PathLike | Record, data: str | os.PathLike | pd.DataFrame | None = None, source: str = "reconstructed",
              seed: int = 2024, n_bootstrap: int | None = None,
              missing: str | None = None, sesoi: float | None = None) -> PaperResult:
    """Replicate one paper: every analysis it reports, compared with what it printed.

    Parameters
    ----------
    paper : str, path or Record
        A bundled paper id (``replicate list``), the path of a published record (paper.yaml)
        or a loaded :class:`~replication.record.schema.Record`.
    data : path or DataFrame, optional
        A CSV of real responses (item names as columns), or a DataFrame with the same columns
        (checked as the CSV would be); when given it wins over ``source``.
    source : {"reconstructed", "simulated"}
        Data made from the published numbers when ``data`` is not given.
    seed : int
        Seed of the reconstruction and of the bootstrap, 0 to 2**32 - 1.
    n_bootstrap : int, optional
        Bootstrap resamples for mediation intervals, 2 to 100,000 (0 for a paper without
        mediations); default :data:`DEFAULT_BOOTSTRAP`, and for a PLS-SEM record the record's
        printed resamples (:func:`replication.pipeline.pls_steps.replicate_pls`).
    missing : {"listwise", "fiml"}, optional
        Treatment of incomplete rows; default the record's ``sample.missing``.
    sesoi : float, optional
        Smallest effect size of interest: with ``data``, an equivalence test (TOST) in each
        replication test.

    Returns
    -------
    PaperResult

    Raises
    ------
    InputError
        An unknown paper, a record or response file that does not load, a value out of range.
    TypeError
        An argument of the wrong type (``seed=1.5``, ``paper=123``).

    Examples
    --------
    >>> import replication
    >>> result = replication.replicate("e_engagement", seed=7)   # doctest: +SKIP
    >>> print(result.summary())                                   # doctest: +SKIP
    >>> result.to_json("results.json")                            # doctest: +SKIP
    """
    asked = n_bootstrap
    n_bootstrap, sesoi = _check_arguments(paper, data, source, seed, DEFAULT_BOOTSTRAP if asked is None
                                          else asked, missing, sesoi)
    if pls_steps.is_pls_paper(paper):  # PLS-SEM: fitted by PLS / PLSc from real responses
        return pls_steps.replicate_pls(paper, data, seed=seed, missing=missing,
                                       n_bootstrap=None if asked is None else n_bootstrap)
    inputs = load_inputs(paper, source=source,
                         data_path=data if data is None or isinstance(data, pd.DataFrame) else str(data),
                         seed=seed, missing=missing)
    inputs = with_group_column(inputs, data)
    record = inputs.record
    if n_bootstrap == 0 and record.model.mediations:
        raise InputError(f"n_bootstrap: expected 2 to {MAX_BOOTSTRAP:,} resamples for the "
                         f"mediations of {record.id}, got 0")
    audit = steps.run_audit(record)
    cfa = steps.run_cfa(inputs)
    measurement = steps.measurement_tables(inputs, cfa)
    sem_result = steps.run_sem(inputs)
    moderation = steps.run_moderation(inputs)
    mediation = steps.run_mediation(inputs, n_bootstrap=n_bootstrap, seed=seed)
    comparisons = compare_published(inputs, cfa, sem_result, measurement, moderation)
    verdicts = hypotheses(record, sem_result, moderation, mediation)
    two_groups = original_vs_replication(inputs, cfa=cfa)  # real responses only, else None
    return PaperResult.from_steps(
        inputs, audit=audit, cfa=cfa, measurement=measurement, sem_result=sem_result,
        moderation=moderation, mediation=mediation, comparisons=comparisons,
        hypotheses=verdicts, n_bootstrap=n_bootstrap, original_vs_replication=two_groups,
        sesoi=sesoi)
