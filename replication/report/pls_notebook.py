"""The notebook of a PLS-SEM record: data, audit of the printed PLS tables, the PLS or PLSc
fit with its bootstrap, published vs replicated tables, hypotheses and ``results.json``.

Its cells call :mod:`replication.pipeline.pls_steps` one step at a time, so the notebook and
``replication.replicate`` give the same ``results.json``.
"""
from __future__ import annotations



from replication.record.schema import Record
from replication.report.cells import citation
from replication.report.cells import code as _code
from replication.report.cells import md as _md
from replication.report.cells import text as _text

__all__ = ["PLS_PARAMETERS", "pls_cells"]

PLS_PARAMETERS = '''source = "reconstructed"  # not used: a PLS record is replicated from real responses (data_path)
data_path = None  # path to a CSV of real responses (record item names as columns)
seed = 2024  # random seed of the bootstrap
n_bootstrap = None  # bootstrap resamples (None: the record's printed number, else 1000)
out_dir = None  # folder where results.json is written (None: nothing is written)
missing = None  # incomplete rows are deleted listwise
sesoi = None  # not used by PLS records
planning_reps = 0  # not used by PLS records
'''


def pls_cells(rec: Record) -> list:
    """The cells of a PLS record's notebook (without outputs; the first code cell is tagged
    ``parameters``)."""
    t = _text
    est = rec.model.estimator if rec.model.estimator in ("PLS", "PLSc") else "PLS"
    return [
        _md(f"# {t(rec.title)}\n\n{citation(rec)}\n\n**Model:** {est} path model "
            f"({rec.model.scheme or 'path'} weighting scheme). {t(rec.abbreviations_note or '')}"),
        _code(f'paper = "{rec.id}"  # the paper: a bundled id, or the path of a published record\n'
              + PLS_PARAMETERS, tags=["parameters"]),
        _code('''
import pandas as pd
from IPython.display import Markdown, display

from replication import pipeline as analysis
from replication.pipeline import pls_steps
from replication.report import summary as report_summary
from replication.report import tables

tables.use_for_display()
pd.set_option("display.max_rows", 300)
'''),
        _md("## Data used\n\nA PLS-SEM record is replicated from real responses (`data_path`)."),
        _code('''
inputs = pls_steps.load_pls_inputs(paper, data_path, seed=seed, missing=missing)
record = inputs.record
display(analysis.data_summary(inputs))
'''),
        _md("## Audit of the published PLS tables\n\nrho_C and AVE from the printed loadings, "
            "bootstrap t and p, HTMT and Fornell-Larcker verdicts, adjusted R-squared, f-squared."),
        _code("audit = analysis.run_audit(record)\ndisplay(report_summary.audit_view(audit))"),
        _md("## PLS estimation with bootstrap"),
        _code("pls = pls_steps.run_pls(inputs, n_bootstrap, seed=seed)\nprint(pls.summary())"),
        _md("## Published vs replicated\n\nPaths (estimate, bootstrap SD, t), outer loadings and "
            "weights, reliability, HTMT, R-squared, adjusted R-squared, f-squared and inner VIF."),
        _code('''
comparisons = pls_steps.compare_pls(record, pls)
for name, table in comparisons.items():
    display(Markdown(f"### {name}"))
    display(table)
'''),
        _md("## Hypotheses\n\nSupported: the hypothesised sign, bootstrap p below .05 and a "
            "percentile interval that excludes zero on the hypothesised side."),
        _code("hypotheses = pls_steps.pls_hypotheses(record, pls)\ndisplay(hypotheses)"),
        _md("## Results file"),
        _code('''
result = pls_steps.PLSPaperResult.from_steps(inputs, audit=audit, pls=pls, comparisons=comparisons,
                                             hypotheses=hypotheses, seed=seed)
if out_dir:
    result.to_json(out_dir)
verdict = result.classification
display(Markdown(f"**Replication: {verdict['label']}** ({verdict['reason']})."))
'''),
        _md("## Package versions"),
        _code('display(pd.Series(analysis.versions(), name="version").to_frame())'),
    ]
