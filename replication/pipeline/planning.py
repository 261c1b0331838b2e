"""Planning a replication and testing one: the steps a notebook calls after the hypotheses.

- :func:`replication_tests`: with real responses (a CSV), the ``replication`` block of every
  path hypothesis (:mod:`replication.compare.replication_tests`); ``None`` otherwise;
- :func:`with_replication`: the hypotheses table with those blocks in a ``replication`` column
  (what ``results.json`` carries);
- :func:`plan_replication`: Monte Carlo power of every hypothesis over a grid of N
  (:mod:`replication.analyses.montecarlo`), the N for 80, 90 and 95% power, and where the
  population comes from (:class:`ReplicationPlan`). Nothing is cached or written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from replication.pipeline.inputs import Inputs

__all__ = ["TARGETS", "ReplicationPlan", "replication_tests", "with_replication",
           "plan_replication", "planning_grid"]

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
    """Monte Carlo power of a paper's hypotheses over N.

    Attributes
    ----------
    power : DataFrame
        One row per hypothesis and N (:func:`replication.analyses.montecarlo.summarize`).
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
        rows += [{"field": "replications per N", "value": self.reps},
                 {"field": "seed", "value": self.seed}]
        return pd.DataFrame(rows, columns=["field", "value"])


def planning_grid(n_published: int, n_free: int) -> list[int]:
    """Sample sizes of the power curves: a quarter, half and all of the published N, none below
    twice the number of free parameters (fewer respondents rarely give admissible solutions);
    the N for a target power beyond them is extrapolated
    (:func:`replication.analyses.montecarlo.n_for_power`)."""
    grid = [max(2 * n_free, int(math.ceil(f * n_published))) for f in (0.25, 0.5, 1.0)]
    return sorted(set(grid))


def plan_replication(inputs: Inputs, *, reps: int = 200, seed: int = 2024,
                     n: list[int] | None = None, bootstrap: int = 200, jobs: int = 1,
                     alpha: float = 0.05) -> ReplicationPlan:
    """Monte Carlo power of every hypothesis of the paper over a grid of N.

    Parameters
    ----------
    inputs : Inputs
        With a CSV the population is fitted to the responses; otherwise it is the record's
        (reconstructed from a paper's tables, assumed for an abstract).
    reps : int
        Replications per N (a notebook's default keeps the run short; ``replicate power``
        defaults to 1000).
    seed : int
    n : list of int, optional
        Sample sizes (default :func:`planning_grid`).
    bootstrap : int
        Bootstrap resamples per replication for mediations.
    jobs : int
    alpha : float

    Returns
    -------
    ReplicationPlan or None
        ``None`` when no hypothesis of the record can be simulated (a pure CFA, say).
    """
    from replication.analyses import montecarlo as mc
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
    grid = n or planning_grid(len(data) if data is not None else record.n, design.n_free)
    out = mc.simulate(design, grid, reps, seed=seed, alpha=alpha, jobs=jobs)
    rows = []
    effects = {r["hypothesis"]: r["effect"] for r in out["results"]}
    for h in effects:
        found = {t: mc.n_for_power(out["results"], t, alpha)[h] for t in TARGETS}
        row = {"hypothesis": h, "effect": effects[h]}
        row.update({f"n_{round(100 * t)}": e["n"] for t, e in found.items()})
        row.update({f"method_{round(100 * t)}": e["method"] for t, e in found.items()})
        rows.append(row)
    power = pd.DataFrame([{k: v for k, v in r.items() if k != "muthen_muthen"}
                          for r in out["results"]])
    return ReplicationPlan(power, pd.DataFrame(rows), out["population"], int(reps), int(seed),
                           list(out["n"]))
