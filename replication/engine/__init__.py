"""The estimation engine: lavaan's parameter table, ML estimation, fit measures, bootstrap.

It imports nothing else of the package. The public names are loaded on first use (so that
``replication.engine.errors`` stays cheap to import)::

    from replication.engine import fit
    res = fit("visual =~ x1 + x2 + x3", data)
    res.parameters; res.fit_measures; print(res.summary()); res.modindices()
"""

from __future__ import annotations

import importlib

__all__ = ["fit", "FitResult", "SEMResult", "modindices", "parameter_row", "BootstrapResult",
           "InputError", "FIT_MEASURES", "robust_fit", "sb2001_difference",
           "fit_groups", "fit_groups_fiml", "fit_ordinal"]

_WHERE = {
    "fit": "sem", "SEMResult": "sem", "FitResult": "results", "parameter_row": "results",
    "modindices": "modindices", "BootstrapResult": "bootstrap",
    "InputError": "errors", "FIT_MEASURES": "fit_measures",
    "robust_fit": "robust", "sb2001_difference": "robust",
    "fit_groups": "multigroup", "fit_groups_fiml": "multigroup_fiml",
    "fit_ordinal": "ordinal",
}


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(f"replication.engine.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'replication.engine' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
