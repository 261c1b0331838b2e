"""Published versus replicated values, with a tolerance and a verdict per row."""

from replication.compare.core import *  # noqa: F401,F403
from replication.compare.core import __all__  # noqa: F401
