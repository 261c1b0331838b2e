"""``replicate reconstruct``: item-level data from a paper's published numbers."""

from __future__ import annotations

import argparse
from pathlib import Path

from replication.cli.common import (EXIT_OK, MAX_N, add_quiet, int_between, seed_int,
                                     progress_bar)
from replication.engine.errors import InputError

HELP = "write item-level data reconstructed from a paper"


def add_parser(sub) -> argparse.ArgumentParser:
    """Register ``reconstruct``."""
    p = sub.add_parser(
        "reconstruct", help=HELP,
        description="Write item-level responses built from a paper's published numbers, one "
                    "column per item of the record (<CONSTRUCT><k>). 'reconstructed': continuous "
                    "data whose covariance matrix equals the one implied by the published numbers "
                    "exactly, with misfit calibrated to the printed chi-square; 'simulated': a "
                    "seeded Likert sample of the published size from the same population.",
        epilog="examples:\n  replicate reconstruct live_commerce --out live.csv\n"
               "  replicate reconstruct e_engagement --source simulated --seed 7 --n 1000 --out sim.csv")
    p.add_argument("paper", metavar="ID", help="bundled paper id or path of a published record "
                   "(paper.yaml)")
    p.add_argument("--source", choices=["reconstructed", "simulated"], default="reconstructed",
                   help="exact-moment data from the published numbers, or a Likert sample")
    p.add_argument("--seed", type=seed_int, default=2024,
                   help="random seed (misfit direction, simulated sample)")
    p.add_argument("--n", type=int_between(1, MAX_N), default=None,
                   help=f"number of rows, at most {MAX_N:,} (default: the published N)")
    p.add_argument("--out", required=True, metavar="FILE.csv",
                   help="CSV file to write (required; never one of the inputs)")
    add_quiet(p)
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
    with progress_bar(None, "calibrating misfit (model fits)", args.quiet) as progress:
        result = rc.reconstruct(record, source=args.source, seed=args.seed, n=args.n,
                                progress=progress or None)
    rc.write_csv(result.data, out)
    print(f"wrote {out} ({len(result.data)} rows, {result.data.shape[1]} items, "
          f"source {args.source}, seed {args.seed})")
    return EXIT_OK
