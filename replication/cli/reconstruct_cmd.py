"""``replicate reconstruct``: item-level data from a paper's published numbers."""

from __future__ import annotations

import argparse
from pathlib import Path

from replication.cli.common import EXIT_OK, non_negative_int, positive_int
from replication.engine.errors import InputError

HELP = "write item-level data reconstructed from a paper"


def add_parser(sub) -> argparse.ArgumentParser:
    """Register ``reconstruct``."""
    p = sub.add_parser("reconstruct", help=HELP, description=HELP)
    p.add_argument("paper", metavar="ID")
    p.add_argument("--source", choices=["reconstructed", "simulated"], default="reconstructed")
    p.add_argument("--seed", type=non_negative_int, default=2024)
    p.add_argument("--n", type=positive_int, default=None)
    p.add_argument("--out", required=True, metavar="FILE.csv")
    return p


def run(args: argparse.Namespace) -> int:
    """Reconstruct or simulate responses and write them as CSV."""
    from replication.data import reconstruct as rc
    from replication.data.files import check_output_path
    from replication.record.schema import load_record

    record = load_record(args.paper)
    out = Path(args.out)
    record_file = Path(args.paper) if Path(args.paper).is_file() else None
    check_output_path(out, inputs=(record_file,))
    if not out.parent.exists():
        raise InputError(f"{out.parent}: folder does not exist (from --out)")
    result = rc.reconstruct(record, source=args.source, seed=args.seed, n=args.n)
    rc.write_csv(result.data, out)
    print(f"wrote {out} ({len(result.data)} rows, {result.data.shape[1]} items, "
          f"source {args.source}, seed {args.seed})")
    return EXIT_OK
