"""The published record: schema, loading and validation of ``data/papers/<id>/paper.yaml``."""

from replication.record.schema import *  # noqa: F401,F403
from replication.record.schema import __all__  # noqa: F401
