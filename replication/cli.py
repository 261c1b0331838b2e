"""The ``replicate`` command.

Sub-commands (contracts in DESIGN.md)::

    replicate list
    replicate run [ID|RECORD.yaml ...] [--source reconstructed|simulated] [--data CSV] [--seed N]
                  [--bootstrap N] [--out DIR] [--jobs N] [--show-code]
    replicate audit ID [--json]
    replicate reconstruct ID [--source reconstructed|simulated] [--seed N] [--n N] --out FILE.csv
    replicate fit MODEL_FILE DATA_CSV [--json] [--bootstrap N] [--seed N]

Exit status: 0 success, 1 an analysis failed (for ``run``: any paper failed), 2 bad input (one line
on standard error naming the file, field or column and what was expected; never a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from replication.engine.errors import InputError

__all__ = ["main", "build_parser"]

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line and exit with status 2."""

    def error(self, message: str) -> None:  # noqa: D401 - argparse API
        self.exit(EXIT_INPUT, f"replicate: {message} (see 'replicate {self.prog.split()[-1]} --help')\n"
                  if self.prog != "replicate" else f"replicate: {message} (see 'replicate --help')\n")


def _int_at_least(minimum: int):
    """An argparse type: a whole number of at least ``minimum``."""

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f"expected a whole number of at least {minimum}, got {text!r}")
        return value

    return convert


_positive_int = _int_at_least(1)
_non_negative_int = _int_at_least(0)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``replicate``."""
    parser = _Parser(prog="replicate", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    sub.add_parser("list", help="list the papers with their evidence level")

    run = sub.add_parser("run", help="execute paper notebooks and write HTML reports")
    run.add_argument("papers", nargs="*", metavar="ID",
                     help="paper ids or paths of published records, paper.yaml (default: all)")
    run.add_argument("--source", choices=["reconstructed", "simulated"], default="reconstructed")
    run.add_argument("--data", metavar="CSV", help="real responses (wins over --source)")
    run.add_argument("--seed", type=_non_negative_int, default=2024)
    run.add_argument("--bootstrap", type=_int_at_least(2), default=None, metavar="N",
                     help="bootstrap resamples (default: each notebook's own)")
    run.add_argument("--out", default="reports", metavar="DIR")
    run.add_argument("--jobs", type=_positive_int, default=1, metavar="N")
    run.add_argument("--show-code", action="store_true", help="keep code cells in the HTML")

    audit = sub.add_parser("audit", help="consistency checks of a paper's published numbers")
    audit.add_argument("paper", metavar="ID")
    audit.add_argument("--json", action="store_true")

    rec = sub.add_parser("reconstruct", help="write item-level data reconstructed from a paper")
    rec.add_argument("paper", metavar="ID")
    rec.add_argument("--source", choices=["reconstructed", "simulated"], default="reconstructed")
    rec.add_argument("--seed", type=_non_negative_int, default=2024)
    rec.add_argument("--n", type=_positive_int, default=None)
    rec.add_argument("--out", required=True, metavar="FILE.csv")

    fit = sub.add_parser("fit", help="fit a lavaan-syntax model to a CSV")
    fit.add_argument("model_file", metavar="MODEL_FILE")
    fit.add_argument("data_csv", metavar="DATA_CSV")
    fit.add_argument("--json", action="store_true")
    fit.add_argument("--bootstrap", type=_int_at_least(2), default=None, metavar="N")
    fit.add_argument("--seed", type=_non_negative_int, default=2024)
    return parser


# ------------------------------------------------------------------------------------------------
def _cmd_list(args: argparse.Namespace) -> int:
    from replication.record.schema import load_all

    records = load_all()
    width = max(len(k) for k in records) if records else 0
    for pid, rec in records.items():
        print(f"{pid:<{width}}  {rec.evidence:<8}  {rec.short_title}")
    return EXIT_OK


def _cmd_audit(args: argparse.Namespace) -> int:
    from replication.record.schema import load_record

    record = load_record(args.paper)
    from replication.audit import core as audit_mod

    report = audit_mod.audit(record)
    if args.json:
        print(json.dumps(audit_mod.to_json(report), indent=2, sort_keys=False, ensure_ascii=False))
    else:
        print(audit_mod.format_text(report))
    return EXIT_OK


def _cmd_reconstruct(args: argparse.Namespace) -> int:
    from replication.data import reconstruct as rc
    from replication.record.schema import load_record

    from replication.data.files import check_output_path

    record = load_record(args.paper)
    out = Path(args.out)
    record_file = Path(args.paper) if Path(args.paper).is_file() else None
    check_output_path(out, inputs=(record_file,))
    if not out.parent.exists():
        raise InputError(f"{out.parent}: folder does not exist (from --out)")
    result = rc.reconstruct(record, source=args.source, seed=args.seed, n=args.n)
    rc.write_csv(result.data, out)
    print(f"wrote {out} ({len(result.data)} rows, {result.data.shape[1]} items, source {args.source}, seed {args.seed})")
    return EXIT_OK


def _cmd_fit(args: argparse.Namespace) -> int:
    from replication.engine import sem

    result = sem.fit_files(args.model_file, args.data_csv, bootstrap=args.bootstrap, seed=args.seed)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(sem.format_text(result) if hasattr(sem, "format_text") else json.dumps(result, indent=2))
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from replication.report import runner
    from replication.record.schema import load_record, paper_ids
    from replication.data.responses import load_responses

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


_COMMANDS = {"list": _cmd_list, "audit": _cmd_audit, "reconstruct": _cmd_reconstruct,
             "fit": _cmd_fit, "run": _cmd_run}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``replicate`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
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
