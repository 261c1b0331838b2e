"""``replicate list``: the papers with their evidence level."""

from __future__ import annotations

import argparse

from replication.cli.common import EXIT_OK

HELP = "list the papers with their evidence level"


def add_parser(sub) -> argparse.ArgumentParser:
    """Register ``list``."""
    return sub.add_parser(
        "list", help=HELP,
        description="List the bundled papers, one a line: id, evidence level (tables: the "
                    "paper's tables are recorded; abstract: only its abstract) and short title.",
        epilog="example:\n  replicate list")


def run(args: argparse.Namespace) -> int:
    """Print one paper a line: id, evidence level, short title."""
    from replication.record.schema import load_all

    records = load_all()
    width = max(len(k) for k in records) if records else 0
    for pid, rec in records.items():
        print(f"{pid:<{width}}  {rec.evidence:<8}  {rec.short_title}")
    return EXIT_OK
