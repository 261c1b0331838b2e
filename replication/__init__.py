"""Replication suite for published CFA/SEM survey studies.

The public API (loaded on first use, so ``import replication`` and the command line start fast)::

    import replication

    record = replication.load_record("e_engagement")         # or a path to a paper.yaml
    report = replication.audit(record)                       # consistency of the printed numbers
    data = replication.reconstruct(record, seed=7).data      # responses from the published numbers
    fitted = replication.fit("F =~ x1 + x2 + x3", data)      # lavaan(): any estimator, e.g.
    mlr = replication.cfa(model, "hs.csv", estimator="MLR", group="school",
                          group_equal=["loadings"])          # a DataFrame or a CSV path
    print(mlr.summary()); mlr.to_json("fit.json")            # one interface for every result
    result = replication.replicate("e_engagement", seed=7)   # the whole per-paper pipeline
    result.to_json("results.json")                           # the bytes `replicate run` writes

Every public function checks its arguments: a value of the wrong type raises ``TypeError``
(``seed=1.5``, ``fit(123, data)``), a value out of its range or choices raises
``replication.InputError`` (``seed=-1``, ``source="csv"``); both say in one sentence which
argument and what was expected. ``replicate(paper, data=frame)`` takes a pandas DataFrame of
responses as it takes a CSV with the same columns, with the same checks.

The package is layered in the direction of the data flow (``docs/architecture.md``): ``engine``
< ``record`` < ``data`` < ``analyses`` < ``audit`` < ``compare`` < ``report`` < ``pipeline`` <
``cli``; each layer imports only the layers below it.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public name -> (module, attribute); ``None`` means the module itself (``replication.audit`` is
#: a callable package: ``replication.audit(record)`` runs the audit).
_EXPORTS: dict[str, tuple[str, str | None]] = {
    "load_record": ("replication.record.schema", "load_record"),
    "audit": ("replication.audit", None),
    "reconstruct": ("replication.data.reconstruct", "reconstruct"),
    "fit": ("replication.pipeline.fit_files", "public_fit"),
    "cfa": ("replication.pipeline.fit_files", "public_cfa"),
    "sem": ("replication.pipeline.fit_files", "public_sem"),
    "replicate": ("replication.pipeline.paper", "replicate"),
    "Record": ("replication.record.schema", "Record"),
    "AuditReport": ("replication.audit.core", "AuditReport"),
    "Reconstruction": ("replication.data.reconstruct", "Reconstruction"),
    "FitResult": ("replication.engine.sem", "FitResult"),
    "MultiGroupResult": ("replication.engine.multigroup", "MultiGroupResult"),
    "OrdinalResult": ("replication.engine.ordinal", "OrdinalResult"),
    "PaperResult": ("replication.pipeline.paper", "PaperResult"),
    "InputError": ("replication.engine.errors", "InputError"),
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    """Load a public name on first use (PEP 562)."""
    try:
        module_name, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'replication' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
