"""Planning a replication and testing one: the steps a notebook calls after the hypotheses.

- :func:`replication_tests`: with real responses (a CSV), the ``replication`` block of every
  path hypothesis (:mod:`replication.compare.replication_tests`); ``None`` otherwise;
- :func:`with_replication`: the hypotheses table with those blocks in a ``replication`` column
  (what ``results.json`` carries);
- :func:`plan_replication`: power of every hypothesis over a grid of N, from the population's
  expected information (:mod:`replication.analyses.wald_power`) or by Monte Carlo
  (:mod:`replication.analyses.montecarlo`), the N for 80, 90 and 95% power, and where the
  population comes from (:class:`ReplicationPlan`). Nothing is cached or written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from replication.pipeline.inputs import Inputs

__all__ = ["TARGETS", "ReplicationPlan", "replication_tests", "with_replication",
           "plan_replication", "planning_grid", "analytic_grid", "planning_inputs"]

#: Power levels whose N the plan reports.
TARGETS = (0.80, 0.90, 0.95)


def replication_tests(inputs: Inputs, sem_result, moderation, *, alpha: float = 0.05,
                      sesoi: float | None = None) -> dict | None:
    """Replication tests of every path hypothesis when the responses are real (a CSV).

    Returns
    -------
    dict or None
        ``{hypothesis: block}`` from :func:`replication.compare.replication_tests.replication_tests`
        on the SEM's parameters (or the regression's main effects); ``None`` for reconstructed
        or simulated data, whose estimates are not a new study.
    """
    if inputs.provenance.get("source") != "csv":
        return None
    from replication.compare import replication_tests as rt
    from replication.pipeline.steps import regression_paths

    if sem_result is not None:
        params = sem_result.params
    elif getattr(moderation, "regression", None) is not None:
        params = regression_paths(moderation.regression)
    else:
        return None
    return rt.replication_tests(inputs.record, params, alpha=alpha, sesoi=sesoi)


def with_replication(hypotheses: pd.DataFrame, tests: dict | None) -> pd.DataFrame:
    """``hypotheses`` with a ``replication`` column (``None`` for hypotheses without a block);
    unchanged when ``tests`` is ``None``."""
    if tests is None or hypotheses is None or "hypothesis" not in hypotheses.columns:
        return hypotheses
    out = hypotheses.copy()
    out["replication"] = [tests.get(h) for h in out["hypothesis"]]
    return out


@dataclass
class ReplicationPlan:
    """Power of a paper's hypotheses over N (analytic, or Monte Carlo with ``reps``).

    Attributes
    ----------
    power : DataFrame
        One row per hypothesis and N: :func:`replication.analyses.wald_power.analytic_power`
        (``reps`` 0) or :func:`replication.analyses.montecarlo.summarize` with
        ``power_analytic`` beside it; ``method`` says which.
    n_for_power : DataFrame
        ``hypothesis, effect, n_80, n_90, n_95`` and how each was found.
    population : dict
        Where the population comes from (``source``: ``reconstructed``, ``assumed`` or ``data``)
        and how the true values were obtained.
    reps, seed : int
    n : list of int
    """

    power: pd.DataFrame
    n_for_power: pd.DataFrame
    population: dict
    reps: int
    seed: int
    n: list = field(default_factory=list)

    def provenance(self) -> pd.DataFrame:
        """The population's provenance as ``field, value`` rows."""
        rows = [{"field": k, "value": v if not isinstance(v, list) else "; ".join(map(str, v))}
                for k, v in self.population.items()]
        rows += [{"field": "replications per N", "value": self.reps or "none (analytic)"},
                 {"field": "seed", "value": self.seed}]
        return pd.DataFrame(rows, columns=["field", "value"])


def planning_grid(n_published: int | None, n_free: int) -> list[int]:
    """Sample sizes of the Monte Carlo power curves: a quarter, half and all of the published N
    (200 when none is printed), none below twice the number of free parameters (fewer
    respondents rarely give admissible solutions)."""
    n_published = n_published or 200
    grid = [max(2 * n_free, int(math.ceil(f * n_published))) for f in (0.25, 0.5, 1.0)]
    return sorted(set(grid))


def planning_inputs(inputs: Inputs, paper, seed: int) -> Inputs:
    """The inputs a replication is planned from: the original study's population (the record
    reconstructed) when the run has real responses and the paper prints its N; otherwise the
    run's own inputs (the responses, or the reconstruction already made)."""
    from replication.pipeline.inputs import load_inputs

    if inputs.provenance.get("source") != "csv" or inputs.record.values().get("sample.n") is None:
        return inputs
    return load_inputs(paper, seed=seed)


def analytic_grid(n_published: int | None, n_free: int, points: int = 24) -> list[int]:
    """Sample sizes of the analytic power curves: ``points`` values spaced evenly in
    ``sqrt(N)`` (the scale on which the Wald test's noncentrality grows) from one more
    respondent than free parameters to twice the published N (400 when none is printed)."""
    lo, hi = n_free + 1, max(2 * (n_published or 200), 2 * (n_free + 1))
    roots = [math.sqrt(lo) + k * (math.sqrt(hi) - math.sqrt(lo)) / (points - 1)
             for k in range(points)]
    return sorted(set(int(round(r * r)) for r in roots))


def _n_for_power_table(design, alpha: float, seed: int) -> pd.DataFrame:
    """``hypothesis, effect, n_80, n_90, n_95, method_80, ...`` from the Wald test at the
    population's expected information, raised to the smallest N with admissible solutions."""
    from replication.analyses.wald_power import analytic_n_for_power

    found = analytic_n_for_power(design, TARGETS, alpha, seed)
    rows = []
    for t in design.targets:
        row = {"hypothesis": t.hypothesis, "effect": t.effect}
        row.update({f"n_{round(100 * p)}": e["n"] for p, e in found[t.hypothesis].items()})
        row.update({f"method_{round(100 * p)}": e["method"]
                    for p, e in found[t.hypothesis].items()})
        rows.append(row)
    return pd.DataFrame(rows)


def _power_table(design, reps: int, seed: int, n: list[int] | None, jobs: int,
                 alpha: float, data) -> tuple[pd.DataFrame, list[int]]:
    """Power per hypothesis and N: analytic (``reps`` 0) or Monte Carlo with the analytic
    power beside it (``power_analytic``)."""
    from replication.analyses import montecarlo as mc
    from replication.analyses.wald_power import analytic_power

    n_pub = len(data) if data is not None else design.n_published
    if not reps:
        grid = n or analytic_grid(n_pub, design.n_free)
        table = pd.DataFrame(analytic_power(design, grid, alpha))
        table["mcse"] = float("nan")
        return table, grid
    grid = n or planning_grid(n_pub, design.n_free)
    out = mc.simulate(design, grid, reps, seed=seed, alpha=alpha, jobs=jobs)
    table = pd.DataFrame([{k: v for k, v in r.items() if k != "muthen_muthen"}
                          for r in out["results"]])
    analytic = {(r["hypothesis"], r["n"]): r["power"]
                for r in analytic_power(design, out["n"], alpha)}
    table["power_analytic"] = [analytic[(h, v)] for h, v in zip(table["hypothesis"], table["n"])]
    table["method"] = "Monte Carlo"
    return table, list(out["n"])


def plan_replication(inputs: Inputs, *, reps: int = 0, seed: int = 2024,
                     n: list[int] | None = None, bootstrap: int = 200, jobs: int = 1,
                     alpha: float = 0.05) -> ReplicationPlan:
    """Power of every hypothesis of the paper over N, and the N for 80, 90 and 95% power.

    Parameters
    ----------
    inputs : Inputs
        With a CSV the population is fitted to the responses; otherwise it is the record's
        (reconstructed from a paper's tables, assumed for an abstract).
    reps : int
        Monte Carlo replications per N; 0 (the default) computes power from the population's
        expected information alone (:mod:`replication.analyses.wald_power`), at once.
    seed : int
    n : list of int, optional
        Sample sizes (default :func:`analytic_grid`, or :func:`planning_grid` with ``reps``).
    bootstrap : int
        Bootstrap resamples per replication for mediations.
    jobs : int
    alpha : float

    Returns
    -------
    ReplicationPlan or None
        ``None`` when no hypothesis of the record can be simulated (a pure CFA, say).

    Notes
    -----
    The N for a target power is computed, never extrapolated: the Wald test's power at N is
    ``Phi(sqrt(N) |theta| / sigma - z_(1 - alpha/2))`` with ``sigma`` from the expected
    information, and the N it gives is raised to the smallest N at which the model converges
    to an admissible solution in most simulated samples (Satorra & Saris 1985; Muthen &
    Muthen 2002).
    """
    from replication.analyses.montecarlo_design import NothingToSimulate, record_design

    record = inputs.record
    data = inputs.data if inputs.provenance.get("source") == "csv" else None
    rec = inputs.reconstruction
    same = rec is not None and getattr(rec, "seed", None) == seed
    try:
        design = record_design(record, data, seed=seed, bootstrap=bootstrap,
                               data_name=str(inputs.provenance.get("file", "")),
                               reconstruction=rec if same and data is None else None)
    except NothingToSimulate:
        return None
    power, grid = _power_table(design, int(reps), seed, n, jobs, alpha, data)
    population = dict(design.population)
    population["method"] = ("Monte Carlo, with the Wald test's power at the population's "
                            "expected information beside it" if reps else
                            "Wald test at the population's expected information (no simulation)")
    return ReplicationPlan(power, _n_for_power_table(design, alpha, seed), population,
                           int(reps), int(seed), grid)
