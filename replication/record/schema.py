"""The published record of a paper: schema, loading and validation.

A record (``data/papers/<id>/paper.yaml``) holds every number a paper printed, each as a
:class:`Published` value with the text exactly as printed and where it stands in the paper, the
model the paper describes, and the ``assumptions`` the suite needs to run where the paper is
silent. Published and assumed values never share a field: :meth:`Record.values` merges both into
one flat namespace of :class:`Value` objects that always say which they are, and validation
refuses an assumption that would overwrite a published number.

Value namespace (targets of :meth:`Record.values` and of ``assumptions[].target``)::

    sample.n                      sample.scale_points        sample.n_analysed (printed only)
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

Validation (:func:`load_record` raises :class:`RecordError`, one line
``<file>: field <dotted.path>: <what was expected, got what>``):

- Assumed values are typed by target: ``sample.n`` and ``n_items`` positive integers,
  ``sample.scale_points`` an integer >= 2 (a YAML ``true`` is not a number); loadings real in
  (0, 1]; standardized path, interaction and control effects real in [-1, 1]; correlations real
  with |r| < 1; ``mean`` real, ``sd`` > 0, ``alpha``/``ave``/``cr`` in [0, 1];
  ``model.estimate_metric`` ``standardized`` or ``unstandardized``; ``model.controls`` a list of
  constructs with role ``control``. Every construct, item, path, moderation and hypothesis a
  target names must exist.
- The model is well formed: item and construct names are identifiers; no path from a construct
  to itself and no directed cycle (the model is recursive); a covariance joins two different,
  non-control constructs, once, and is not one of the default free exogenous covariances;
  moderation and mediation roles are distinct constructs; hypotheses name defined constructs.
- The printed text states the value (see :class:`Published`).
- Printed fit measures, p-values, counts and percents lie in their admissible ranges. Printed
  standardized loadings and coefficients above 1 are left to the audit, which reports them.

A model is given either by ``constructs`` and ``model.paths`` (kind ``cfa``, ``sem`` or
``regression``) or exactly as lavaan syntax in ``model.syntax``, checked against ``constructs``
(:mod:`replication.record.syntax_checks`); ``results.parameters`` hold printed values of any
parameter keyed by lavaan's ``lhs op rhs`` and ``results.fit`` one block per named model
(:mod:`replication.record.lavaan` gives the syntax of each). ``sample.n_analysed``,
``sample.missing``, ``constructs.<C>.reversed``, ``model.estimator`` and ``model.ordered`` say
how the paper analysed its data; ``sample.scale_points`` is absent for continuous indicators.

The schema is split by topic: :mod:`replication.record.printed` (printed numbers, assumptions),
:mod:`~replication.record.model` (constructs and the model), :mod:`~replication.record.results`
(printed results), :mod:`~replication.record.validation` (cross-field checks),
:mod:`~replication.record.core` (:class:`Record`), :mod:`~replication.record.lavaan` and
:mod:`~replication.record.syntax_checks` (the model as lavaan syntax) and
:mod:`~replication.record.loading` (files, bundled paper and example ids). This module gathers their public names.
"""

from replication.record.core import Record, item_names
from replication.record.loading import (example_ids, examples_dir, load_all, load_examples, load_record,
                                        paper_ids, papers_dir)
from replication.record.model import (Construct, Covariance, Mediation, Model, Moderation, ProductIndicators,
                                      StructuralPath)
from replication.record.printed import Assumption, Published, PublishedText, RecordError
from replication.record.results import (Claim, ConstructStat, FigureRef, FitBlock, Harman, Hypothesis,
                                        Marker, ParameterResult, PathResult, Results, Sample, SampleGroup, Value)

__all__ = [
    "Published",
    "PublishedText",
    "Assumption",
    "Construct",
    "StructuralPath",
    "Covariance",
    "Moderation",
    "ProductIndicators",
    "Mediation",
    "Model",
    "PathResult",
    "ParameterResult",
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
    "load_examples",
    "example_ids",
    "examples_dir",
    "item_names",
]
