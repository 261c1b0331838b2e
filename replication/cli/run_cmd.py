"""``replicate run``: execute paper notebooks and write HTML reports."""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from replication.cli.common import (MAX_BOOTSTRAP, MAX_REPS, int_between, jobs_count,
                                     seed_int)
from replication.engine.errors import InputError

HELP = "execute paper notebooks and write HTML reports"


def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


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
    p.add_argument("--seed", type=seed_int, default=2024,
                   help="random seed of reconstruction, simulation and bootstrap")
    p.add_argument("--bootstrap", type=int_between(2, MAX_BOOTSTRAP), default=None, metavar="N",
                   help="bootstrap resamples for mediation intervals (default: the notebook's "
                        "own, 200)")
    p.add_argument("--na", metavar="CODES", default=None,
                   help="missing-value codes of --data besides empty cells and NA, separated by "
                        "commas, e.g. -99,-999 (numbers match numerically: -99 also matches -99.0)")
    p.add_argument("--missing", choices=["listwise", "fiml"], default=None,
                   help="incomplete rows of --data: listwise deletion or full-information ML "
                        "(default: as the record's sample.missing says the paper did)")
    p.add_argument("--sesoi", type=_positive_number, default=None, metavar="E",
                   help="smallest effect size of interest, in the metric of each comparison: "
                        "with --data, adds an equivalence test (TOST) to each replication test")
    p.add_argument("--planning-reps", type=int_between(0, MAX_REPS), default=None, metavar="R",
                   help="Monte Carlo replications per N in \"Planning a replication\" (default 0: "
                        "power from the population's expected information alone, at once)")
    p.add_argument("--out", default="reports", metavar="DIR", help="output folder")
    p.add_argument("--jobs", type=jobs_count, default=1, metavar="N",
                   help="papers run at once, each job in a Jupyter kernel of its own that runs "
                        "its papers one after another (at most the number of CPUs: a larger "
                        "number is lowered to it)")
    p.add_argument("--show-code", action="store_true",
                   help="keep the code cells in the HTML reports")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bar (it is also off when standard error is not a terminal)")
    return p


def _one_blas_thread() -> None:
    """Kernels use one BLAS thread each unless the user says otherwise: a paper's matrices are
    small, and threads of several processes spinning on two cores made a run two to three times
    slower."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


def run(args: argparse.Namespace) -> int:
    """Check every input first, then run the notebooks; non-zero if any paper failed.

    The output folder is checked before anything runs: it must not hold or replace an input
    (:func:`replication.data.files.check_output_folder`) and must be writable. A response file
    (``--data``) is parsed once here and checked against every record; the notebooks read the
    validated numbers from an Arrow copy in a staging folder of the output folder, removed when
    the run ends.
    """
    from replication.data.files import check_output_folder, prepare_output_folder
    from replication.record.schema import load_record, paper_ids
    from replication.report import runner

    ids = args.papers or paper_ids()
    records = [load_record(pid) for pid in ids]  # unknown ids and invalid records fail here
    if args.data is None:
        from replication.record.pls import is_pls

        for record in records:
            record.n  # a record without N cannot be reconstructed: one line, before any run
            if is_pls(record.model):
                raise InputError(f"{record.id}: a PLS record is replicated on responses; expected "
                                 "--data CSV (PLS data are not reconstructed from printed tables)")
    _one_blas_thread()
    if args.na is not None and args.data is None:
        raise InputError("--na: declares missing-value codes of a response file; give --data too")
    inputs = tuple(str(Path(p)) for p in ids if Path(p).is_file())
    if args.data is not None:
        if not Path(args.data).exists():
            raise InputError(f"{args.data}: file not found (from --data); expected a CSV of "
                             "responses")
        inputs += (args.data,)
    check_output_folder(args.out, inputs=inputs, papers=tuple(r.id for r in records))
    created = prepare_output_folder(args.out)
    options = dict(source=args.source, seed=args.seed, n_bootstrap=args.bootstrap,
                   out_dir=args.out, jobs=args.jobs, show_code=args.show_code, quiet=args.quiet,
                   missing=args.missing, sesoi=args.sesoi, planning_reps=args.planning_reps)
    if args.data is None:
        return runner.main(ids, data_path=None, **options)
    try:
        staging = _validated_copy(args, records)  # a bad response file fails here
    except InputError:
        if created:
            try:
                os.rmdir(args.out)  # only the empty folder made above; never anything else
            except OSError:
                pass
        raise
    try:
        return runner.main(ids, data_path=str(staging / _COPY), inputs=inputs, **options)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


_COPY = "responses.arrow"


def _validated_copy(args: argparse.Namespace, records: list) -> Path:
    """Parse ``--data`` once, check it against every record, keep the numbers for the notebooks."""
    import tempfile

    from replication.data.csvfile import near_names, parse_na_codes, sniff
    from replication.data.responses import read_responses, save_validated, validate_responses

    data_path = Path(args.data)
    na = parse_na_codes(args.na)
    _, _, names = sniff(data_path)
    for record in records:  # every record's missing columns, before the file is parsed
        absent = [c for c in record.item_list if c not in names]
        if absent:
            raise InputError(f"{data_path}: missing item column{'s' if len(absent) > 1 else ''} "
                             f"{', '.join(absent)}; expected the item names of record {record.id}"
                             + near_names(absent, names))
    items = list(dict.fromkeys(i for r in records for i in r.item_list))
    data, notes = read_responses(data_path, items, na=na)
    for record in records:
        validate_responses(data, record, data_path, declared=bool(na), notes=notes)
    # the group column of a multi-group record travels with the items (checked by the notebook)
    groups = [g for g in dict.fromkeys(getattr(r.model, "group", None) for r in records)
              if g is not None and g in names and g not in data.columns]
    if groups:
        from replication.data.responses import read_column

        data = data.assign(**{g: read_column(data_path, g, na).to_numpy() for g in groups})
    out = Path(args.out)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-data-{os.getpid()}-", dir=out))
    save_validated(data, staging / _COPY, source=data_path, na=na, notes=notes)
    return staging
