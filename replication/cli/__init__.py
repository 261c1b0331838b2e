"""The ``replicate`` command.

Sub-commands (contracts in docs/architecture.md), one module each in this package::

    replicate list
    replicate run [ID|RECORD.yaml ...] [--source reconstructed|simulated] [--data CSV] [--seed N]
                  [--bootstrap N] [--out DIR] [--jobs N] [--show-code]
    replicate audit ID [--json]
    replicate export ID|RECORD|DIR [--format csv|latex|docx ...] [--from DIR] [--out DIR]
    replicate reconstruct ID [--source reconstructed|simulated] [--seed N] [--n N] --out FILE.csv
    replicate fit MODEL_FILE DATA_CSV [--json] [--bootstrap N] [--seed N]
                  [--estimator ML|MLM|MLR|DWLS|WLSMV] [--ordered all|COL,...]
                  [--missing listwise|fiml] [--group COL] [--group-equal LIST]
                  [--group-partial LIST]
    replicate power --rmsea E [--rmsea0 E0] --df DF (--n N | --target-power P) [--alpha A] [--json]
    replicate power ID|RECORD [--data CSV] [--n N[,N...]] [--reps R] [--seed S] [--target-power P]
                    [--alpha A] [--jobs J] [--scheduler ADDRESS] [--json]

Exit status: 0 success, 1 an analysis failed (for ``run``: any paper failed), 2 bad input (one line
on standard error naming the file, field or column and what was expected; never a traceback).
Each sub-command module imports the statistics it needs only when it runs, so ``--help`` is fast.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from replication.cli import (audit_cmd, export_cmd, fit_cmd, list_cmd, power_cmd,
                             reconstruct_cmd, run_cmd)
from replication.cli.common import EXIT_INPUT, EXIT_OK, Parser
from replication.engine.errors import InputError

__all__ = ["main", "build_parser"]

DESCRIPTION = """\
Re-run, check and teach the analyses of published CFA/SEM survey studies (confirmatory factor
analysis, structural equation models, moderation and mediation) with numbers that match lavaan.
Each paper has a published record (every number it printed, with where it stands); the suite
audits those numbers, rebuilds item-level data from them or reads your responses, re-estimates
every table and writes an HTML report with the published and the replicated values side by side.
Run 'replicate COMMAND --help' for the options of a command."""

EPILOG = """\
examples:
  replicate list                                   the bundled papers
  replicate run                                    every paper: reports/index.html
  replicate run live_commerce --data answers.csv   one paper on your own responses
  replicate audit e_engagement                     which printed numbers disagree
  replicate reconstruct social_crm --out x.csv     item-level data from the record
  replicate fit model.lav data.csv --bootstrap 1000

exit status: 0 success; 1 an analysis failed (for run: any paper); 2 bad input (one line on
standard error naming the file, field or column and what was expected)."""

COMMANDS = {"list": list_cmd, "run": run_cmd, "audit": audit_cmd, "reconstruct": reconstruct_cmd,
            "fit": fit_cmd, "power": power_cmd, "export": export_cmd}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``replicate``."""
    parser = Parser(prog="replicate", description=DESCRIPTION, epilog=EPILOG)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for module in COMMANDS.values():
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``replicate`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command].run(args)
    except InputError as exc:
        print(f"replicate {args.command}: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print(f"replicate {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def _console() -> None:  # pragma: no cover - thin wrapper
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    _console()
