"""``replicate fit``: fit any lavaan-syntax model to a CSV."""

from __future__ import annotations

import argparse
import json
import sys

from replication.cli.common import EXIT_FAILED, EXIT_OK, int_at_least, non_negative_int

HELP = "fit a lavaan-syntax model to a CSV"


def add_parser(sub) -> argparse.ArgumentParser:
    """Register ``fit``."""
    p = sub.add_parser("fit", help=HELP, description=HELP)
    p.add_argument("model_file", metavar="MODEL_FILE")
    p.add_argument("data_csv", metavar="DATA_CSV")
    p.add_argument("--json", action="store_true")
    p.add_argument("--bootstrap", type=int_at_least(2), default=None, metavar="N")
    p.add_argument("--seed", type=non_negative_int, default=2024)
    return p


def run(args: argparse.Namespace) -> int:
    """Fit the model file to the data file and print lavaan-named results (warnings first).

    Exit status 1 when the model did not converge (the output is printed all the same).
    """
    from replication.engine.summary import format_text
    from replication.pipeline.fit_files import fit_files

    result = fit_files(args.model_file, args.data_csv, bootstrap=args.bootstrap, seed=args.seed)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(format_text(result))
    if not result.get("converged", True):
        print("replicate fit: the model did not converge; the estimates are not a "
              "maximum-likelihood solution", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
