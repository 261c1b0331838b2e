"""``replicate run``: execute paper notebooks and write HTML reports."""

from __future__ import annotations

import argparse
from pathlib import Path

from replication.cli.common import int_at_least, non_negative_int, positive_int
from replication.engine.errors import InputError

HELP = "execute paper notebooks and write HTML reports"


def add_parser(sub) -> argparse.ArgumentParser:
    """Register ``run``."""
    p = sub.add_parser(
        "run", help=HELP,
        description="Execute the notebook of each paper (papermill) and write DIR/<id>/<id>.ipynb, "
                    "DIR/<id>/<id>.html, DIR/<id>/results.json and DIR/index.html. A paper whose "
                    "notebook fails does not stop the others; the summary names it and the exit "
                    "status is 1. A progress bar on standard error follows the papers.",
        epilog="examples:\n  replicate run                                  every bundled paper\n"
               "  replicate run live_commerce e_engagement --jobs 2\n"
               "  replicate run live_commerce --data answers.csv --out my_reports\n"
               "  replicate run my/paper.yaml --source simulated --seed 7")
    p.add_argument("papers", nargs="*", metavar="ID",
                   help="paper ids or paths of published records, paper.yaml (default: every "
                        "bundled paper)")
    p.add_argument("--source", choices=["reconstructed", "simulated"], default="reconstructed",
                   help="data when no --data is given: exact-moment data from the published "
                        "numbers, or a seeded Likert sample of the published size")
    p.add_argument("--data", metavar="CSV", default=None,
                   help="real responses, one column per item of the record (wins over --source)")
    p.add_argument("--seed", type=non_negative_int, default=2024,
                   help="random seed of reconstruction, simulation and bootstrap")
    p.add_argument("--bootstrap", type=int_at_least(2), default=None, metavar="N",
                   help="bootstrap resamples for mediation intervals (default: the notebook's "
                        "own, 200)")
    p.add_argument("--out", default="reports", metavar="DIR", help="output folder")
    p.add_argument("--jobs", type=positive_int, default=1, metavar="N",
                   help="papers run at once, each in its own process")
    p.add_argument("--show-code", action="store_true",
                   help="keep the code cells in the HTML reports")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bar (it is also off when standard error is not a terminal)")
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
                       show_code=args.show_code, quiet=args.quiet)
