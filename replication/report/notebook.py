"""Paper notebooks built from published records.

Every paper notebook has one structure (parameters, data used, assumptions, sample, audit,
measurement model, structural model, moderation or mediation where the paper has them, path
diagram, published vs replicated, hypotheses, results, versions) and follows the paper's own
tables: headings name the table or passage of the paper that a section reproduces, taken from the
``where`` of the record's printed numbers (:func:`replication.report.catalog.locations`). Cells only call
``replication.*`` and display; notebooks are built without outputs. The bundled notebooks in
``notebooks/`` are written by ``scripts/build_notebooks.py``; ``replicate run`` builds one on the
fly for a record given as a YAML path.
"""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_notebook

from replication.data import printed_matrix
from replication.report.catalog import locations
from replication.report.cells import citation
from replication.report.cells import code as _code
from replication.report.cells import md as _md
from replication.report.cells import text as _text
from replication.report.pls_notebook import pls_cells
from replication.record.pls import is_pls
from replication.record.schema import Record, load_record

__all__ = ["DEFAULT_BOOTSTRAP", "PARAMETERS", "build", "dumps"]

DEFAULT_BOOTSTRAP = 200

PARAMETERS = f'''source = "reconstructed"  # "reconstructed": exact-moment data from the published numbers; "simulated": a Likert sample at the published N
data_path = None  # path to a CSV of real responses (record item names as columns); when given it wins over `source`
seed = 2024  # random seed for the reconstruction and the bootstrap
n_bootstrap = {DEFAULT_BOOTSTRAP}  # bootstrap resamples for mediation intervals
out_dir = None  # folder where results.json is written (None: nothing is written)
missing = None  # "listwise" or "fiml": overrides the record's sample.missing (None: as the paper did)
sesoi = None  # smallest effect size of interest: with data_path, an equivalence test (TOST) per replication test
planning_reps = 0  # Monte Carlo replications per N for "Planning a replication" (0: analytic power only)
'''


def _heading(level: int, locs: str, what: str, assumed_note: str = "") -> str:
    title = f"{_text(locs)}: {what}" if locs else what[:1].upper() + what[1:]
    return f"{'#' * level} {title}" + (f"\n\n{assumed_note}" if assumed_note else "")


def _intro_cells(rec: Record) -> list:
    """Title, citation, the parameters cell and the imports."""
    pid = rec.id
    cells = []
    evidence = ("the paper's tables" if rec.evidence == "tables"
                else "its abstract only: every magnitude below is an assumption of the record")
    cells.append(_md(f"""
# {_text(rec.title)}

{citation(rec)}

**Evidence:** {evidence}. {_text(rec.abbreviations_note or '')}

This notebook re-runs the paper's analyses from its published record
(`data/papers/{pid}/paper.yaml` for a bundled paper): every section shows the published numbers beside the replicated
ones with a verdict per row and the tolerance used. Run it top to bottom as it is, or with
`replicate run {pid}`; the parameters below choose the data.
"""))
    cells.append(_code(f'paper = "{pid}"  # the paper: a bundled id, or the path of a published record (paper.yaml)\n'
                      + PARAMETERS, tags=["parameters"]))
    cells.append(_code(f'''
%matplotlib inline
import pandas as pd
from IPython.display import Markdown, display

from replication import pipeline as analysis
from replication.compare import core as compare
from replication.report import diagrams
from replication.report import exports
from replication.report import plots
from replication.report import tables
from replication.report import power_plots
from replication.report import summary as report_summary

tables.use_for_display()  # every table below: fixed decimals, p as < .001, readable columns
pd.set_option("display.max_rows", 200)
'''))
    return cells


def _reconstructed_text(rec: Record) -> str:
    """What ``reconstructed`` data are for this record: its printed item matrix, or the
    covariance its estimates imply, calibrated to a printed chi-square where there is one."""
    if printed_matrix.applies(rec):
        return ("`reconstructed` data have exactly the item correlations (or covariances) the "
                "paper prints")
    printed = any(("chisq" in b.measures or "chisq_df" in b.measures)
                  for b in rec.results.fit if b.model in ("cfa", "sem"))
    if printed:
        return ("`reconstructed` data have exactly the covariance implied by the published "
                "numbers, calibrated to the published chi-square")
    return ("`reconstructed` data have exactly the covariance implied by the published numbers "
            "(the paper prints no chi-square, so the model fits them exactly)")


def _data_cells(rec: Record) -> list:
    """Data used, assumptions, sample and the audit."""
    cells = []
    cells.append(_md(f"""
## Data used

{_reconstructed_text(rec)}, `simulated` data are a seeded Likert sample of the published size,
and a CSV given as `data_path` is used as it is (checked against the record first).
"""))
    cells.append(_code('''
inputs = analysis.load_inputs(paper, source=source, data_path=data_path, seed=seed, missing=missing)
record = inputs.record
display(analysis.data_summary(inputs))
'''))
    cells.append(_md("""
## Assumptions

Values the paper did not print but the analysis needs, each with its reason. Tables below mark
every comparison against one of these as `assumed`, never as published.
"""))
    cells.append(_code("display(analysis.assumptions_table(record))"))
    sample_where = [p.where for p in (rec.sample.n, rec.sample.scale_points) if p is not None]
    sample_where += [g.count.where for g in rec.sample.groups if g.count is not None]
    cells.append(_md(_heading(2, locations(sample_where), "Sample")))
    cells.append(_code("display(analysis.sample_table(record))"))
    cells.append(_md("""
## Audit of the published numbers

Can the printed numbers all be true at once? Each check recomputes a printed number from other
printed numbers, allowing for rounding.
"""))
    cells.append(_code('''
audit = analysis.run_audit(record)
display(report_summary.audit_view(audit))
'''))
    return cells


def _measurement_cells(rec: Record) -> list:
    """CFA fit, loadings, reliability, descriptives, discriminant validity, Harman."""
    res = rec.results
    cells = []
    cells.append(_md("""
## Measurement model: loadings, reliability and validity

Confirmatory factor analysis of all constructs (factors correlated) with the estimator, standard
errors, test, missing-data treatment and groups the record states (the sentence under the code
says which), and lavaan's definitions of every fit measure.
"""))
    cells.append(_code('''
cfa = analysis.run_cfa(inputs)
display(Markdown(analysis.estimation_sentence(cfa)))
measurement = analysis.measurement_tables(inputs, cfa)
display(analysis.fit_table(cfa, names=("CFA",)))
'''))
    cfa_fit = [b for b in res.fit if b.model == "cfa"]
    if cfa_fit:
        cells.append(_md(_heading(3, locations(p.where for p in cfa_fit[0].measures.values()),
                                 "fit of the measurement model")))
        cells.append(_code('display(compare.compare_fit(record, cfa.fit_measures, model="cfa"))'))
    load_where = [p.where for p in res.loadings.values()]
    note = "" if load_where else ("The paper prints no loadings; the reference values are the "
                                  "record's assumed loadings.")
    cells.append(_md(_heading(3, locations(load_where), "standardized loadings", note)))
    cells.append(_code("loadings = compare.compare_loadings(record, cfa)\ndisplay(loadings)"))
    cells.append(_md("### Measurement view and residual correlations\n\nEach construct with its "
                     "items: standardized loadings, residual variances and R-squared; then the "
                     "residual correlations (observed minus model-implied), where the model "
                     "misses the data."))
    cells.append(_code('''
display(diagrams.measurement_diagram(cfa.params, cfa.r2))
display(tables.show(exports.residual_table(cfa.sample_cov, cfa.implied_cov),
                    "Residual correlations of the CFA (observed minus implied)"))
'''))
    rel_where = [getattr(st, f).where for st in res.constructs.values()
                 for f in ("alpha", "cr", "ave") if getattr(st, f) is not None]
    what = "reliability (Cronbach's alpha, composite reliability, AVE)"
    cells.append(_md(_heading(3, locations(rel_where), what)))
    cells.append(_code('''
display(measurement.reliability)
reliability = compare.compare_reliability(record, measurement.reliability)
display(reliability)
'''))
    desc_where = [getattr(st, f).where for st in res.constructs.values()
                  for f in ("mean", "sd") if getattr(st, f) is not None]
    if desc_where:
        cells.append(_md(_heading(3, locations(desc_where), "construct means and standard deviations")))
        cells.append(_code("descriptives = compare.compare_descriptives(record, inputs.data)\n"
                          "display(descriptives)"))
    cells.append(_md("""
### Discriminant validity: Fornell-Larcker and HTMT

Square root of AVE on the diagonal against the latent correlations; HTMT below 0.85 (or 0.90)
supports discriminant validity.
"""))
    cells.append(_code('display(measurement.fornell_larcker)\ndisplay(measurement.htmt)'))
    harman_where = []
    if res.harman is not None:
        harman_where = [res.harman.first_factor_percent.where]
    cells.append(_md(_heading(3, locations(harman_where),
                             "common method variance (Harman's single factor)")))
    cells.append(_code('display(pd.Series(measurement.harman, name="replicated"))'
                      + ("\nharman = compare.compare_harman(record, measurement.harman)"
                         "\ndisplay(harman)" if res.harman is not None else "")))
    return cells


def _structural_cells(rec: Record) -> list:
    """The structural model (or the regression main effects) and its paths."""
    res = rec.results
    cells = []
    sem_fit = [b for b in res.fit if b.model == "sem"]
    path_where = [r.estimate.where for r in res.paths if r.estimate is not None]
    if rec.model.kind == "sem":
        cells.append(_md("## Structural model"))
        cells.append(_code('''
sem_result = analysis.run_sem(inputs)
display(Markdown(analysis.estimation_sentence(sem_result)))
display(analysis.fit_table(cfa, sem_result))
display(sem_result.r2.rename("R-squared").to_frame())
'''))
        if sem_fit:
            cells.append(_md(_heading(3, locations(p.where for p in sem_fit[0].measures.values()),
                                     "fit of the structural model")))
            cells.append(_code('display(compare.compare_fit(record, sem_result.fit_measures, model="sem"))'))
        note = "" if path_where else ("The paper prints no estimates; the reference values are "
                                      "the record's assumed standardized coefficients.")
        cells.append(_md(_heading(3, locations(path_where), "structural paths", note)))
        cells.append(_code("paths = compare.compare_paths(record, sem_result)\ndisplay(paths)"))
    else:
        cells.append(_md("""
## Structural model

The paper reports regressions: the structural effects are the main-effects step of the
hierarchical moderated regressions below (composite scores, mean-centred predictors, controls
entered first).
"""))
        cells.append(_code("sem_result = None\npaths = None"))
    return cells


def _moderation_mediation_cells(rec: Record) -> list:
    """Moderation and mediation sections, where the paper has them."""
    cells = []
    if rec.model.moderations:
        methods = {m.method for m in rec.model.moderations}
        desc = []
        if "regression" in methods:
            desc.append("hierarchical OLS regressions on composite scores (controls; main "
                        "effects; interactions), simple slopes at the moderator's mean and "
                        "+/- 1 SD, and the Johnson-Neyman region of significance")
        if "latent_product" in methods:
            desc.append("a latent interaction with double-mean-centred matched-pair product "
                        "indicators (Lin et al., 2010), with the same model on composite scores "
                        "beside it")
        text = "; ".join(desc)
        cells.append(_md("## Moderation\n\n" + text[:1].upper() + text[1:] + "."))
        cells.append(_code('''
moderation = analysis.run_moderation(inputs)
moderation_tables = analysis.moderation_tables(moderation)
titles = {"steps": "Hierarchical regression: each step against the step before it (F change)",
          "coefficients": "Coefficients of the final step (b unstandardized, beta standardized)",
          "slopes": "Simple slopes at the moderator's mean and +/- 1 SD",
          "johnson_neyman": "Johnson-Neyman: where the effect of the predictor is significant",
          "latent_paths": "Latent interaction model: paths into the outcome",
          "latent_slopes": "Latent interaction: simple slopes at the latent moderator's mean and +/- 1 SD"}
for name, table in moderation_tables.items():
    display(tables.show(table, titles.get(name, name)))
'''))
        cells.append(_md("### Simple slopes and Johnson-Neyman plots\n\nOne figure per "
                         "moderation: the effect of the predictor at the moderator's mean and "
                         "+/- 1 SD, and its conditional effect across the moderator with the "
                         "region where it is significant."))
        cells.append(_code('''
for figure in plots.moderation_plots(record, moderation):
    display(figure)
'''))
        if rec.model.kind != "sem":
            cells.append(_code('''
regression = moderation.regression
paths = compare.compare_paths(record, analysis.regression_paths(regression))
display(paths)
'''))
    else:
        cells.append(_code("moderation = analysis.Moderations()"))
    if rec.model.mediations:
        cells.append(_md(f"""
## Mediation

Specific indirect effects through each mediator, total indirect, direct and total effects, with
percentile and bias-corrected bootstrap intervals (the number of resamples and the seed are
printed below).
"""))
        cells.append(_code('''
mediation = analysis.run_mediation(inputs, n_bootstrap=n_bootstrap, seed=seed)
display(Markdown(f"{n_bootstrap} bootstrap resamples, seed {seed}."))
display(analysis.mediation_table(mediation))
for note in analysis.mediation_notes(mediation):
    display(Markdown(f"Note. {note}"))
'''))
    else:
        cells.append(_code("mediation = {}"))
    return cells


def _figure_hypothesis_cells(rec: Record) -> list:
    """Path diagram, published-vs-replicated plot, hypotheses."""
    cells = []
    figure_where = [f.where for f in rec.figures]
    cells.append(_md(_heading(2, locations(figure_where), "path diagram") + """

Replicated estimates with significance stars, in the metric the paper printed; the value printed
in the paper (or the record's assumption, marked "assumed") in brackets.
"""))
    cells.append(_code('''
effects = compare.effects_table(sem_result, regression=moderation.regression,
                                moderation=list(moderation.latent), mediation=mediation)
display(diagrams.path_diagram(record, effects, paths,
                              parameters=sem_result.params if sem_result is not None else None))
'''))
    cells.append(_md("""
## Published vs replicated

Values printed in the paper (x) against the replicated ones (y); points outside their tolerance
are labelled. Values the record assumes are not plotted: they would only be compared with
themselves.
"""))
    cells.append(_code('''
comparisons = {"loadings": loadings, "paths": paths, "reliability": reliability}
figure = plots.published_vs_replicated_plot(*[t for t in comparisons.values() if t is not None],
                                            published_only=True)
display(figure if figure is not None else
        Markdown("No value printed in the paper to plot: the record assumes every magnitude."))
'''))
    hyp_where = [h.verdict.where for h in rec.hypotheses if h.verdict is not None]
    cells.append(_md(_heading(2, locations(hyp_where), "hypotheses") + """

The paper's verdict beside the replicated one (supported: the hypothesised sign and p < 0.05;
for mediation, a bootstrap interval of the total indirect effect that excludes zero).
"""))
    cells.append(_code('''
hypotheses = compare.hypothesis_verdicts(record, sem_result, regression=moderation.regression,
                                         moderation=list(moderation.latent), mediation=mediation)
display(hypotheses)
'''))
    return cells


def _replication_cells(rec: Record) -> list:
    """Replication tests with real responses (forest plot) and the plan of a replication."""
    cells = [_md("""
## Replication tests

With real responses (`data_path`) each path hypothesis is tested as a replication: the original
estimate (its printed S.E., or estimate / t where only t is printed) beside the replication's in
the same metric, the z test of their difference, the 95% prediction interval of the replication
estimate (Patil, Peng and Leek 2016) and the small-telescopes test (Simonsohn 2015: is the
replication effect smaller than the one the original had 33% power to detect?). Reconstructed or
simulated data are not a new study and are not tested.
""")]
    cells.append(_code('''
replication = analysis.replication_tests(inputs, sem_result, moderation, sesoi=sesoi)
if replication:
    tested = analysis.with_replication(hypotheses, replication).to_dict("records")
    display(plots.forest_plot(plots.replication_rows(tested)))
    display(pd.json_normalize([{"hypothesis": h, **b} for h, b in replication.items()]))
else:
    display(Markdown("No replication tests: the responses are not a new study (`data_path` is not set)."))
'''))
    cells.append(_md("""
## Planning a replication

How many respondents does a replication need? The power of the test the paper used for each
hypothesis (two-sided Wald z of the path, or t of the regression, in the hypothesised direction;
Sobel's z for a mediation, its percentile bootstrap interval in the simulation) at every N, from the population described below: reconstructed from the published numbers for a
paper with tables, assumed for an abstract. By default it is computed from the population's
expected information (the Wald test's noncentrality grows with N; Satorra and Saris 1985), at
once; with `planning_reps` (`replicate run --planning-reps R`) it is also simulated, R samples per
N drawn as a study would collect them (Likert on the record's scale), with 95% Monte Carlo bands.
The N for 80, 90 and 95% power is computed at that N, and never reported below the smallest N at
which the model converges to an admissible solution in four of five simulated samples.
`replicate power ID` runs the Monte Carlo with more replications, and `replicate power ID --data
CSV` plans from a model fitted to responses.
"""))
    cells.append(_code('''
planned = analysis.planning_inputs(inputs, paper, seed)
plan = analysis.plan_replication(planned, reps=planning_reps, seed=seed, bootstrap=n_bootstrap)
if plan is not None:
    display(plan.provenance())
    display(power_plots.power_curves(plan.power))
    display(plan.n_for_power)
else:
    display(Markdown("No hypothesis of this record has a test to plan for (no structural path, "
                     "moderation or mediation hypothesis)."))
'''))
    return cells


def _original_vs_replication_cells(rec: Record) -> list:
    """Original vs replication: invariance and equal loadings and paths (real responses)."""
    cells = [_md("""
## Original vs replication: measurement invariance and equal paths

With real responses (`data_path`), the original sample (the reconstruction at the published N,
exact moments) and the new sample are fitted as one two-group model. Measurement invariance:
configural, metric (equal loadings) and scalar (equal loadings and intercepts) models, each
compared with the one before by the chi-square difference (scaled with MLM or MLR) and the
change in CFI and RMSEA read against Chen's (2007) cutoffs. Then every loading and structural
path, original beside replication, with the z test of their difference (which differ) and the
joint test that all are equal.
""")]
    cells.append(_code('''
two_groups = analysis.original_vs_replication(inputs, cfa=cfa)
if two_groups is None:
    display(Markdown("No comparison: the responses are not a new study (`data_path` is not set)."))
elif not two_groups.computed:
    display(Markdown(two_groups.summary()))
else:
    display(tables.show(two_groups.invariance_table(),
                        "Measurement invariance: original vs replication sample"))
    display(tables.show(two_groups.parameter_table(),
                        "Loadings and paths: original vs replication sample",
                        notes=[two_groups.summary(), *two_groups.notes]))
'''))
    return cells


def _results_cells(rec: Record) -> list:
    """The results file, the classification and the package versions."""
    cells = [_md("## Results file\n\nEverything above in `results.json` (written when `out_dir` is set).")]
    cells.append(_code('''
comparisons = analysis.compare_published(inputs, cfa, sem_result, measurement, moderation)
result = analysis.PaperResult.from_steps(
    inputs, audit=audit, cfa=cfa, measurement=measurement, sem_result=sem_result,
    moderation=moderation, mediation=mediation, comparisons=comparisons, hypotheses=hypotheses,
    n_bootstrap=n_bootstrap, original_vs_replication=two_groups, sesoi=sesoi)
if out_dir:
    result.to_json(out_dir)
results = result.results
verdict = result.classification
display(Markdown(f"**Replication: {verdict['label']}** ({verdict['reason']})."))
display(pd.json_normalize({k: v for k, v in results["summary"].items() if k != "classification"}).T
        .rename(columns={0: "count"}))
'''))
    cells.append(_md("## Package versions"))
    cells.append(_code('display(pd.Series(analysis.versions(), name="version").to_frame())'))
    return cells


def build(record: Record | str) -> nbformat.NotebookNode:
    """The notebook of one paper, from its record (a :class:`Record`, a bundled id or a YAML path).

    Parameters
    ----------
    record : Record or str

    Returns
    -------
    nbformat.NotebookNode
        Cells without outputs; the first code cell is tagged ``parameters``.
    """
    rec = record if isinstance(record, Record) else load_record(record)
    cells = pls_cells(rec) if is_pls(rec.model) else []  # PLS-SEM: report.pls_notebook
    for section in () if cells else (_intro_cells, _data_cells, _measurement_cells, _structural_cells,
                    _moderation_mediation_cells, _figure_hypothesis_cells, _replication_cells,
                    _original_vs_replication_cells, _results_cells):
        cells += section(rec)
    pid = rec.id
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, c in enumerate(nb.cells):
        c["id"] = f"{pid}-{i:02d}"
    return nb




def dumps(notebook: nbformat.NotebookNode) -> str:
    """The notebook as stored text (nbformat JSON with a final newline)."""
    return nbformat.writes(notebook) + "\n"
