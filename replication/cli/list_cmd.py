"""``replicate list``: the papers with their evidence level, then the worked examples."""

from __future__ import annotations

import argparse

from replication.cli.common import EXIT_OK

HELP = "list the papers with their evidence level, then the worked examples (evidence 'example')"


def add_parser(sub) -> argparse.ArgumentParser:
    """Register ``list``."""
    return sub.add_parser(
        "list", help=HELP,
        description="List the bundled papers, one a line: id, evidence level (tables: the "
                    "paper's tables are recorded; abstract: only its abstract) and short title.",
        epilog="example:\n  replicate list")


def run(args: argparse.Namespace) -> int:
    """Print one paper a line: id, evidence level, short title; the bundled worked examples
    (real published analyses with their public data, ``data/examples``) follow as a group of
    their own, with evidence level ``example``."""
    from replication.record.schema import load_all, load_examples

    records = load_all()
    examples = load_examples()
    width = max((len(k) for k in [*records, *examples]), default=0)
    for pid, rec in records.items():
        print(f"{pid:<{width}}  {rec.evidence:<8}  {rec.short_title}")
    for eid, rec in examples.items():
        print(f"{eid:<{width}}  {'example':<8}  {rec.short_title}")
    return EXIT_OK
