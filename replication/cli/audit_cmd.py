"""``replicate audit``: consistency checks of a paper's published numbers."""

from __future__ import annotations

import argparse
import json

from replication.cli.common import EXIT_OK

HELP = "consistency checks of a paper's published numbers"


def add_parser(sub) -> argparse.ArgumentParser:
    """Register ``audit``."""
    p = sub.add_parser("audit", help=HELP, description=HELP)
    p.add_argument("paper", metavar="ID")
    p.add_argument("--json", action="store_true")
    return p


def run(args: argparse.Namespace) -> int:
    """Audit one record and print the findings (text or JSON)."""
    from replication.audit import core as audit_mod
    from replication.record.schema import load_record

    report = audit_mod.audit(load_record(args.paper))
    if args.json:
        print(json.dumps(audit_mod.to_json(report), indent=2, sort_keys=False, ensure_ascii=False))
    else:
        print(audit_mod.format_text(report))
    return EXIT_OK
