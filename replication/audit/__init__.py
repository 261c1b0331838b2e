"""Consistency checks of a paper's printed numbers."""

from replication.audit.core import *  # noqa: F401,F403
from replication.audit.core import __all__  # noqa: F401
