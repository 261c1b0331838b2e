"""Monte Carlo designs built from a published record (and, optionally, a CSV of responses).

:func:`record_design` turns a record into the :class:`~replication.analyses.montecarlo.Design`
that :func:`replication.analyses.montecarlo.simulate` runs: the population the responses are
drawn from (with its provenance), the analyses the paper ran (the record's SEM, a latent
interaction model per latent moderation, hierarchical OLS on composites for a regression
record), one target per hypothesis, and the true value of each target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from replication.analyses.montecarlo import (N_TRUTH, Design, Generator, OlsAnalysis,
                                             SemAnalysis, Target, likert_covariance)
from replication.engine.errors import InputError

__all__ = ["NothingToSimulate", "record_design", "model_design"]


class NothingToSimulate(InputError):
    """The record has no hypothesis whose test can be simulated (e.g. a pure CFA)."""


def _free_index(spec, lhs: str, op: str, rhs: str) -> int | None:
    for r in spec.rows:
        if r["lhs"] == lhs and r["op"] == op and r["rhs"] == rhs and r["free"] >= 0:
            return int(r["free"])
    return None


def _sem_targets(record, spec, k: int, skipped: list[str]) -> list[Target]:
    out = []
    for h in record.hypotheses:
        if h.kind == "mediation":
            pairs = []
            for m in h.mediators:
                a, b = _free_index(spec, m, "~", h.from_), _free_index(spec, h.to, "~", m)
                if a is not None and b is not None:
                    pairs.append((a, b))
            if pairs:
                out.append(Target(h.id, "mediation", f"{h.from_}=>{h.to}", h.sign, pairs, k))
            else:
                skipped.append(f"{h.id}: no path through its mediators in the model")
        elif h.kind == "path":
            pv = record.hypothesis_path(h)
            if pv is None:
                skipped.append(f"{h.id}: the record names no path")
                continue
            x, y = str(pv.value).split("->")
            j = _free_index(spec, y, "~", x)
            if j is None:
                skipped.append(f"{h.id}: {x}->{y} is not a free path of the model")
            else:
                out.append(Target(h.id, "path", f"{x}->{y}", h.sign, j, k))
    return out


def _analyses(record, items: list[str], skipped: list[str]):
    """Analyses and targets of a record, with observed variables mapped onto ``items``."""
    from replication.analyses.latent_moderation import latent_interaction_syntax
    from replication.engine import syntax
    from replication.engine.ram import specify

    col = {it: j for j, it in enumerate(items)}
    analyses, targets = [], []
    by_item = record.items
    if record.model.kind == "sem":
        model = syntax.sem_syntax(record)
        spec = specify(model)
        analyses.append(SemAnalysis(model, [col[v] for v in spec.ov]))
        targets += _sem_targets(record, spec, 0, skipped)
        for mod in record.model.moderations:
            if mod.method != "latent_product":
                continue
            xi, mi, yi = by_item[mod.x], by_item[mod.m], by_item[mod.y]
            pairs = list(zip(xi, mi))
            names = [f"{a}_x_{b}" for a, b in pairs]
            lines = latent_interaction_syntax(mod.x, xi, mod.m, mi, mod.y,
                                              None if yi == [mod.y] else yi, names)
            model = syntax.join(lines)
            sp = specify(model)
            prod = dict(zip(names, pairs))
            cols = [(col[prod[v][0]], col[prod[v][1]]) if v in prod else col[v] for v in sp.ov]
            k = len(analyses)
            analyses.append(SemAnalysis(model, cols))
            inter = f"{mod.x}x{mod.m}"
            for h in record.hypotheses:
                if h.kind == "moderation" and (h.from_, h.moderator, h.to) == (mod.x, mod.m, mod.y):
                    targets.append(Target(h.id, "moderation", f"{inter}->{mod.y}", h.sign,
                                          _free_index(sp, mod.y, "~", inter), k))
        return analyses, targets
    return _ols_analyses(record, items, skipped)


def _ols_analyses(record, items: list[str], skipped: list[str]):
    """Hierarchical OLS on composites: main effects (paths), then interactions (moderations),
    controls first, focal predictors and moderators mean-centred (as the pipeline's
    :func:`~replication.analyses.moderation.regression_moderation`)."""
    col = {it: j for j, it in enumerate(items)}
    cons = list(record.items)
    composites = [[col[it] for it in record.items[c]] for c in cons]
    cs = _controls(record)
    regs = [m for m in record.model.moderations if m.method == "regression"]
    xs = list(dict.fromkeys(m.x for m in regs))
    ms = list(dict.fromkeys(m.m for m in regs))
    ys = list(dict.fromkeys([m.y for m in regs] + [p.to for p in record.model.paths]))
    analyses, targets = [], []
    for y in ys:
        if y in {m.y for m in regs}:
            linear = cs + list(dict.fromkeys(xs + ms))
            prods = [(x, m) for x in xs for m in ms]
        else:
            linear = cs + [p.from_ for p in record.model.paths if p.to == y]
            prods = []
        lin = [cons.index(v) for v in linear]
        k_main = len(analyses)
        analyses.append(OlsAnalysis(composites, cons.index(y), lin))
        k_full = None
        if prods:
            k_full = len(analyses)
            analyses.append(OlsAnalysis(composites, cons.index(y), lin,
                                        [(cons.index(x), cons.index(m)) for x, m in prods]))
        for h in record.hypotheses:
            pv = record.hypothesis_path(h)
            if pv is None or h.kind == "mediation":
                continue
            key = str(pv.value)
            if h.kind == "path" and key.endswith(f"->{y}") and key.split("->")[0] in linear:
                targets.append(Target(h.id, "path", key, h.sign,
                                      linear.index(key.split("->")[0]), k_main))
            elif h.kind == "moderation" and key.endswith(f"->{y}") and k_full is not None:
                x, m = h.from_, h.moderator
                if (x, m) in prods:
                    targets.append(Target(h.id, "moderation", key, h.sign,
                                          len(linear) + prods.index((x, m)), k_full))
    found = {t.hypothesis for t in targets}
    skipped += [f"{h.id}: not estimated by the regression analyses" for h in record.hypotheses
                if h.id not in found and h.kind != "mediation"]
    skipped += [f"{h.id}: mediation in a regression record is not simulated"
                for h in record.hypotheses if h.kind == "mediation"]
    return analyses, targets


def _controls(record) -> list[str]:
    if record.model.controls:
        return list(record.model.controls)
    v = record.values().get("model.controls")
    return list(v.value) if v is not None else []


def _record_generator(record, seed: int, continuous: bool,
                      reconstruction=None) -> tuple[Generator, dict]:
    """The record's population, calibrated as the reconstruction calibrates it (or taken from
    a :class:`~replication.data.reconstruct.Reconstruction` of the same record and seed)."""
    from replication.data.likert import thresholds_for
    from replication.data.misfit import calibrate
    from replication.data.population import population
    from replication.data.reconstruct import transport_map

    if reconstruction is not None:
        pop, cal_cov = reconstruction.population, reconstruction.cov
    else:
        pop = population(record)
        cal_cov = calibrate(record, pop, seed=seed).cov
    items = list(pop.items)
    Sigma = cal_cov.loc[items, items].to_numpy()
    taus = None
    if not continuous:
        sd = pop.item_sd
        taus = [thresholds_for(pop.means[it], sd[it], pop.scale_points)[0] for it in items]
    if pop.products:
        gen = Generator("structural", items, Sigma, pop.means.to_numpy(), taus, pop,
                        transport_map(pop.cov.to_numpy(), Sigma))
    else:
        gen = Generator("normal", items, Sigma, pop.means.to_numpy(), taus)
    tables = record.evidence == "tables"
    info = {"source": "reconstructed" if tables else "assumed",
            "description": ("population reconstructed from the published numbers (misfit "
                            "calibrated to the printed chi-square), as replicate reconstruct"
                            if tables else "population assumed: the abstract prints no "
                            "magnitudes; every value is one of the record's assumptions"),
            "calibration_seed": int(seed),
            "changes": [f"{r['target']}: published {r['published']} used {r['used']:.4g}"
                        for r in pop.changes.to_dict("records")]}
    return gen, info


def _data_generator(record, data: pd.DataFrame, items: list[str], continuous: bool,
                    data_name: str) -> tuple[Generator, dict]:
    """The record's SEM fitted to the responses (or, with moderations, the responses resampled)."""
    from replication.data.likert import thresholds_for
    from replication.engine import sem, syntax

    data = data[items].astype(float).dropna()  # complete rows (a FIML run keeps incomplete ones)
    X = data.to_numpy(float)
    if record.model.kind != "sem" or record.model.moderations:
        return Generator("resample", items, data=X), {
            "source": "data", "file": data_name, "n_rows": int(len(X)),
            "description": "the responses themselves: rows resampled with replacement (a normal "
                           "model carries no interaction)"}
    res = sem.fit(syntax.sem_syntax(record), data)
    ov = list(res.spec.ov)
    Sigma = res.implied_cov.loc[ov, ov].to_numpy()
    means = data[ov].astype(float).mean().to_numpy()
    taus = None
    if not continuous:
        sd = data[ov].astype(float).std(ddof=0)
        taus = [thresholds_for(means[j], sd[v], record.scale_points)[0]
                for j, v in enumerate(ov)]
    return Generator("normal", ov, Sigma, means, taus), {
        "source": "data", "file": data_name, "n_rows": int(len(X)),
        "description": "the record's SEM fitted to the responses: its implied covariance, with "
                       "the responses' item means and SDs for the Likert thresholds",
        "fit_converged": bool(res.converged)}


def _population_fit(model: str, S: np.ndarray, names: list[str]) -> np.ndarray:
    """ML estimates at a population covariance (the engine's estimator and starts)."""
    from replication.engine.estimation import estimate_ml
    from replication.engine.ram import RAM, specify

    spec = specify(model)
    est = estimate_ml(RAM(spec, S), spec, S, N_TRUTH)
    if not est.converged:
        raise InputError(f"population: the model does not converge at the population "
                         f"covariance ({model.splitlines()[0]} ...)")
    return est.theta


def unit_sds(model: str, S: np.ndarray, theta: np.ndarray, targets) -> dict[str, float]:
    """``sqrt(N)`` times the SD of each target's estimate: from the expected information of one
    observation at the population values (``acov = I(theta)^-1``), through the delta method
    for an indirect effect (the gradient of ``sum a b``).

    References
    ----------
    Satorra, A., & Saris, W. E. (1985). Power of the likelihood ratio test in covariance
    structure analysis. *Psychometrika*, 50, 83-90; Sobel, M. E. (1982). Asymptotic confidence
    intervals for indirect effects in structural equation models. *Sociological Methodology*,
    13, 290-312.
    """
    from replication.engine.ram import RAM, specify

    spec = specify(model)
    ram = RAM(spec, S)
    if ram.exo_entries:
        ram.set_exo(S)
    try:
        acov = np.linalg.inv(ram.information(theta))
    except np.linalg.LinAlgError:
        return {t.hypothesis: float("nan") for t in targets}
    out = {}
    for t in targets:
        g = np.zeros(len(theta))
        if t.kind == "mediation":
            for i, j in t.index:
                g[i] += theta[j]
                g[j] += theta[i]
        else:
            g[t.index] = 1.0
        v = float(g @ acov @ g)
        out[t.hypothesis] = float(np.sqrt(v)) if v > 0 else float("nan")
    return out


def _truths(design_analyses, targets, gen: Generator, seed: int) -> str:
    """Population values of every SEM analysis (start values) and of every target."""
    from replication.analyses.montecarlo import _analysis_data, _cov_n, _indirect, _ols_rep
    from replication.engine import sem

    exact = gen.kind == "normal"
    big = None if exact and not any(isinstance(a, OlsAnalysis) for a in design_analyses) else \
        gen.draw(N_TRUTH, np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,))))
    cov = None
    if exact:
        cov = gen.cov if gen.thresholds is None else likert_covariance(gen.cov, gen.thresholds)
    for k, a in enumerate(design_analyses):
        mine = [t for t in targets if t.analysis == k]
        if isinstance(a, OlsAnalysis):
            vals = _ols_rep(a, big, mine, 0.05)["values"]
            for t in mine:
                t.true_value = vals[t.hypothesis][0]
                t.unit_sd = float(vals[t.hypothesis][1]) * np.sqrt(len(big))
            continue
        spec_names = a.spec().ov
        if exact and all(isinstance(c, int) for c in a.columns):
            S = cov[np.ix_(a.columns, a.columns)]
        else:
            if big is None:
                big = gen.draw(N_TRUTH, np.random.default_rng(
                    np.random.SeedSequence(seed, spawn_key=(0,))))
            S = _cov_n(_analysis_data(big, a.columns))
        theta = _population_fit(a.model, S, spec_names)
        a.theta0 = theta
        unit_sd = unit_sds(a.model, S, theta, mine)
        for t in mine:
            t.true_value = float(_indirect(theta, t.index)[0]) if t.kind == "mediation" \
                else float(theta[t.index])
            t.unit_sd = unit_sd[t.hypothesis]
    return ("ML solution at the exact population covariance of the responses" if big is None
            else f"estimates on one draw of {N_TRUTH} respondents")


def record_design(record, data: pd.DataFrame | None = None, *, seed: int = 2024,
                  continuous: bool = False, bootstrap: int = 1000,
                  data_name: str = "data", reconstruction=None) -> Design:
    """The Monte Carlo design of a record.

    Parameters
    ----------
    record : replication.record.schema.Record
    data : DataFrame, optional
        Validated responses (item names as columns); the population is then fitted to them.
    seed : int
        Seed of the misfit calibration (the reconstruction's) and of the truth draw.
    continuous : bool
        Continuous responses instead of Likert on the record's scale (always for a record
        without ``sample.scale_points``, whose indicators are continuous).
    bootstrap : int
        Resamples of the bootstrap interval of each mediation, per replication.
    data_name : str
        Name of the data file, for the provenance.
    reconstruction : Reconstruction, optional
        A reconstruction of the same record with the same seed: its population and calibrated
        covariance are used instead of calibrating again.

    Returns
    -------
    Design
    """
    if not isinstance(bootstrap, (int, np.integer)) or bootstrap < 2:
        raise InputError(f"--bootstrap: expected a whole number >= 2, got {bootstrap!r}")
    skipped: list[str] = []
    # a record without scale points has continuous indicators: there is no Likert scale to draw on
    continuous = continuous or record.scale_points is None
    if data is None:
        gen, info = _record_generator(record, seed, continuous, reconstruction)
    else:
        gen, info = _data_generator(record, data, record.item_list, continuous, data_name)
    analyses, targets = _analyses(record, gen.items, skipped)
    for a in analyses:
        if isinstance(a, SemAnalysis):
            a.bootstrap = int(bootstrap)
    if not targets:
        raise NothingToSimulate(f"{record.id}: no hypothesis of the record can be simulated")
    info["truth"] = _truths(analyses, targets, gen, seed)
    info["responses"] = ("continuous" if gen.thresholds is None and gen.kind != "resample" else
                         f"Likert ({record.scale_points}-point)" if gen.kind != "resample"
                         else "as in the data")
    info["evidence"] = record.evidence
    printed_n = record.values().get("sample.n")
    info["n_published"] = int(printed_n.value) if printed_n is not None else None
    info["skipped"] = skipped
    n_free = max(a.spec().n_free if isinstance(a, SemAnalysis) else len(a.linear)
                 + len(a.products) + 2 for a in analyses)
    return Design(record.id, gen, analyses, targets, n_free, info, info["n_published"])


def model_design(model: str, cov, *, hypotheses: list[tuple[str, str, str]],
                 thresholds=None, means=None, seed: int = 2024, bootstrap: int = 1000,
                 name: str = "model") -> Design:
    """A design from a population covariance matrix and a lavaan-syntax analysis model.

    Parameters
    ----------
    model : str
        Analysis model (lavaan syntax); its observed variables name columns of ``cov``.
    cov : DataFrame
        Population covariance of the (normal) responses, variables named.
    hypotheses : list of (id, path, sign)
        ``("H1", "X->Y", "+")``: the path ``Y ~ X`` of ``model``, tested in direction ``sign``.
    thresholds : list of array, optional
        Likert thresholds per variable of ``cov`` (standardized scale); continuous otherwise.
    means : array, optional
        Means of continuous responses (default 0).
    seed, bootstrap, name
        As :func:`record_design`; ``name`` is the ``paper`` of the results.

    Returns
    -------
    Design
    """
    from replication.engine.ram import specify

    items = list(cov.columns)
    Sigma = cov.loc[items, items].to_numpy(float)
    gen = Generator("normal", items, Sigma, np.zeros(len(items)) if means is None
                    else np.asarray(means, float),
                    None if thresholds is None else [np.asarray(t, float) for t in thresholds])
    spec = specify(model)
    col = {it: j for j, it in enumerate(items)}
    missing = [v for v in spec.ov if v not in col]
    if missing:
        raise InputError(f"model: variable {missing[0]!r} is not in the population covariance")
    analysis = SemAnalysis(model, [col[v] for v in spec.ov], bootstrap=int(bootstrap))
    targets = []
    for hid, path, sign in hypotheses:
        x, y = path.split("->")
        j = _free_index(spec, y, "~", x)
        if j is None:
            raise InputError(f"hypotheses: {path} is not a free path of the model")
        targets.append(Target(hid, "path", path, sign, j, 0))
    info = {"source": "model", "description": "population covariance given with the model",
            "responses": "continuous" if thresholds is None else
            f"Likert ({len(thresholds[0]) + 1}-point)", "skipped": []}
    info["truth"] = _truths([analysis], targets, gen, seed)
    return Design(name, gen, [analysis], targets, spec.n_free, info, None)
