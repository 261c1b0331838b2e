"""Consistency checks of a paper's printed numbers.

The package is callable: ``replication.audit(record)`` is :func:`replication.audit.core.audit`,
so the public API can name the step ``audit`` while its modules live here.
"""

import sys
import types

from replication.audit.core import *  # noqa: F401,F403
from replication.audit.core import __all__  # noqa: F401
from replication.audit.core import audit as _audit


class _CallablePackage(types.ModuleType):
    """This package, callable as its :func:`~replication.audit.core.audit` function."""

    def __call__(self, record):
        """Audit ``record`` (a :class:`~replication.record.schema.Record`, an id or a path)."""
        return _audit(record)


sys.modules[__name__].__class__ = _CallablePackage
