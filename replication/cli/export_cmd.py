"""``replicate export``: a report's tables as CSV, LaTeX or Word, and its diagrams as SVG and PDF.

Everything is rebuilt from the report's ``results.json`` (:mod:`replication.report.exports`):
``replicate export live_commerce`` reads ``reports/live_commerce/results.json`` and writes
``reports/live_commerce/tables/*.csv|tex``, ``live_commerce_tables.docx`` and the diagrams.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from replication.cli.common import EXIT_OK

HELP = "a report's tables as CSV, LaTeX (booktabs) or Word (APA), from its results.json"
FORMATS = ("csv", "latex", "docx")


def add_parser(sub) -> argparse.ArgumentParser:
    """Register ``export``."""
    p = sub.add_parser(
        "export", help=HELP,
        description="Write every table of a report (hypotheses, published vs replicated, "
                    "parameter tables, fit, reliability and validity, moderation, mediation, "
                    "audit findings with their severity, assumptions) as CSV and booktabs LaTeX "
                    "files in DIR/<id>/tables/ and as one Word document in APA style, and the "
                    "path diagrams as SVG and PDF, all from the report's results.json. CSV and "
                    "LaTeX files are byte-identical for the same results.json.",
        epilog="examples:\n  replicate export live_commerce\n"
               "  replicate export live_commerce --format latex --from /tmp/reports\n"
               "  replicate export reports/live_commerce --format docx --out handout")
    p.add_argument("paper", metavar="ID|RECORD|DIR",
                   help="bundled paper id or record (paper.yaml): its report DIR/<id> under "
                        "--from; or a report folder holding results.json")
    p.add_argument("--format", action="append", choices=FORMATS, default=None,
                   help="csv, latex or docx; repeat for several (default: all three)")
    p.add_argument("--from", dest="source", default="reports", metavar="DIR",
                   help="folder of the reports (default: reports)")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="write into DIR/<id>/ (default: the report folder itself)")
    return p


def _results_folder(args: argparse.Namespace) -> tuple[Path, object]:
    """The report folder to read and the record to draw (None: the bundled id)."""
    from replication.engine.errors import InputError
    from replication.record.schema import load_record

    given = Path(args.paper)
    if given.is_dir():
        folder, record = given, None
    else:
        try:
            rec = load_record(args.paper)
        except InputError as exc:
            raise InputError(f"{args.paper}: not a report folder, bundled id or record ({exc})") \
                from None
        folder = Path(args.source) / rec.id
        record = rec if given.suffix in (".yaml", ".yml") else None
    if not (folder / "results.json").is_file():
        raise InputError(f"{folder}: no results.json; run `replicate run` for this paper first "
                         f"(or give --from DIR)")
    return folder, record


def run(args: argparse.Namespace) -> int:
    """Export one report's tables (and diagrams)."""
    import json

    from replication.data.files import check_output_path, prepare_output_folder
    from replication.engine.errors import InputError
    from replication.report.exports import write_exports

    folder, record = _results_folder(args)
    try:
        results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{folder / 'results.json'}: cannot be read as JSON ({exc})") from None
    if not isinstance(results, dict) or "paper" not in results:
        raise InputError(f"{folder / 'results.json'}: expected the results of `replicate run`")
    out = folder if args.out is None else Path(args.out) / str(results["paper"])
    inputs = (str(Path(args.paper)),) if Path(args.paper).is_file() else ()
    check_output_path(out.parent if args.out else out, inputs=inputs, folder=True)
    prepare_output_folder(out)
    formats = tuple(dict.fromkeys(args.format or FORMATS))
    written = write_exports(results, out, formats=formats, record=record)
    print(f"{len(written)} files in {out}")
    return EXIT_OK
