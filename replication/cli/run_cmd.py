"""``replicate run``: execute paper notebooks and write HTML reports."""

from __future__ import annotations

import argparse
from pathlib import Path

from replication.cli.common import int_at_least, non_negative_int, positive_int
from replication.engine.errors import InputError

HELP = "execute paper notebooks and write HTML reports"


def add_parser(sub) -> argparse.ArgumentParser:
    """Register ``run``."""
    p = sub.add_parser("run", help=HELP, description=HELP)
    p.add_argument("papers", nargs="*", metavar="ID",
                   help="paper ids or paths of published records, paper.yaml (default: all)")
    p.add_argument("--source", choices=["reconstructed", "simulated"], default="reconstructed")
    p.add_argument("--data", metavar="CSV", help="real responses (wins over --source)")
    p.add_argument("--seed", type=non_negative_int, default=2024)
    p.add_argument("--bootstrap", type=int_at_least(2), default=None, metavar="N",
                   help="bootstrap resamples (default: each notebook's own)")
    p.add_argument("--out", default="reports", metavar="DIR")
    p.add_argument("--jobs", type=positive_int, default=1, metavar="N")
    p.add_argument("--show-code", action="store_true", help="keep code cells in the HTML")
    return p


def run(args: argparse.Namespace) -> int:
    """Check every input first, then run the notebooks; non-zero if any paper failed."""
    from replication.data.responses import load_responses
    from replication.record.schema import load_record, paper_ids
    from replication.report import runner

    ids = args.papers or paper_ids()
    records = [load_record(pid) for pid in ids]  # unknown ids and invalid records fail here
    if args.data is not None:
        if not Path(args.data).is_file():
            raise InputError(f"{args.data}: file not found (from --data); expected a CSV of responses")
        for record in records:  # a bad response file fails here, before any notebook runs
            load_responses(args.data, record)
    return runner.main(ids, source=args.source, data_path=args.data, seed=args.seed,
                       n_bootstrap=args.bootstrap, out_dir=args.out, jobs=args.jobs,
                       show_code=args.show_code)
