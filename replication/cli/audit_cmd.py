"""``replicate audit``: consistency checks of a paper's published numbers."""

from __future__ import annotations

import argparse
import json

from replication.cli.common import EXIT_OK

HELP = "consistency checks of a paper's published numbers"


def add_parser(sub) -> argparse.ArgumentParser:
    """Register ``audit``."""
    p = sub.add_parser(
        "audit", help=HELP,
        description="Check whether a paper's printed numbers can all be true at once: AVE and CR "
                    "from the loadings, RMSEA from chi-square, df and N, t-values from estimates "
                    "and S.E., stars from p, admissible standardized solutions, df of the "
                    "described model, verdicts against their statistics. Each finding is "
                    "consistent, inconsistent or not checkable, allowing for rounding.",
        epilog="examples:\n  replicate audit live_commerce\n"
               "  replicate audit my/paper.yaml --json > findings.json")
    p.add_argument("paper", metavar="ID", help="bundled paper id or path of a published record "
                   "(paper.yaml)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object {paper, findings: [{check, where, reported, "
                        "recomputed, status, detail}]} instead of text")
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
