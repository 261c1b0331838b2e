"""``python -m replication`` runs the ``replicate`` command."""

from replication.cli import main

raise SystemExit(main())
