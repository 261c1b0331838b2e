"""``replicate fit``: fit any lavaan-syntax model to a CSV."""

from __future__ import annotations

import argparse
import json
import sys

from replication.cli.common import (EXIT_FAILED, EXIT_OK, MAX_BOOTSTRAP, add_quiet, int_between,
                                     seed_int, positive_int, progress_bar)

HELP = "fit a lavaan-syntax model to a CSV"


def add_parser(sub) -> argparse.ArgumentParser:
    """Register ``fit``."""
    p = sub.add_parser(
        "fit", help=HELP,
        description="Fit a model written in lavaan syntax (=~, ~, ~~, :=) to the responses in a "
                    "CSV file and print lavaan's output: estimates with S.E., z, p and "
                    "standardized solutions, and the fit measures under lavaan's names (chisq, "
                    "df, pvalue, cfi, tli, rmsea, srmr, ...; scaled and robust ones for MLM, MLR "
                    "and WLSMV). Maximum likelihood by default; robust, ordinal, FIML and "
                    "multi-group fits with the options below.",
        epilog="examples:\n  replicate fit model.lav responses.csv\n"
               "  replicate fit model.lav responses.csv --json > fit.json\n"
               "  replicate fit model.lav responses.csv --estimator MLR --missing fiml\n"
               "  replicate fit model.lav responses.csv --estimator WLSMV --ordered all\n"
               "  replicate fit model.lav responses.csv --group school --group-equal loadings\n"
               "  replicate fit pls.lav responses.csv --estimator PLS --bootstrap 500 "
               "--reverse C4,C5 --scale 1,6\n"
               "  replicate fit mediation.lav responses.csv --bootstrap 2000 --seed 1")
    p.add_argument("model_file", metavar="MODEL_FILE", help="model in lavaan syntax")
    p.add_argument("data_csv", metavar="DATA_CSV",
                   help="responses, one column per observed variable of the model")
    p.add_argument("--json", action="store_true",
                   help="print {parameters, fit_measures} as JSON instead of text")
    p.add_argument("--bootstrap", type=int_between(2, MAX_BOOTSTRAP), default=None, metavar="N",
                   help="bootstrap resamples for S.E. and intervals (default: none, no bootstrap)")
    p.add_argument("--seed", type=seed_int, default=2024, help="seed of the bootstrap")
    p.add_argument("--jobs", type=positive_int, default=1, metavar="N",
                   help="processes for the bootstrap (the draws do not depend on it; default 1)")
    p.add_argument("--estimator", default="ML", type=str.upper,
                   choices=["ML", "MLM", "MLR", "DWLS", "WLSMV", "PLS", "PLSC"],
                   help="ML, MLM (Satorra-Bentler), MLR (Yuan-Bentler, Huber-White), "
                        "DWLS or WLSMV (ordered items), PLS or PLSc (PLS-SEM; JSON keys "
                        "parameters, weights, r2, r2_adj, reliability, htmt, f2, vif)")
    p.add_argument("--scheme", default=None, choices=["path", "centroid", "factorial"],
                   help="PLS inner weighting scheme (default path; only with --estimator PLS "
                        "or PLSc)")
    p.add_argument("--reverse", default=None, metavar="ITEMS",
                   help="reverse-keyed items, separated by commas: value -> (min + max) - "
                        "value, with min and max from --scale or else the observed ones of "
                        "each column (the output's warnings say which)")
    p.add_argument("--scale", default=None, metavar="MIN,MAX",
                   help="the answer scale of the --reverse items, e.g. 1,7")
    p.add_argument("--ordered", default=None, metavar="all|COL,...",
                   help="treat these items (or all) as ordinal")
    p.add_argument("--missing", default="listwise", choices=["listwise", "fiml"],
                   help="incomplete rows: removed (listwise) or full-information ML (rows "
                        "with no value are left out); the rows used and left out are reported "
                        "(n_total, n_dropped, dropped)")
    p.add_argument("--group", default=None, metavar="COL",
                   help="fit one model per group; rows without a group (an empty cell, NA, NaN "
                        "or a --na code) are left out and counted, as lavaan does")
    p.add_argument("--group-equal", default=None, metavar="LIST",
                   help="equal across groups: loadings, intercepts, means, residuals, "
                        "residual.covariances, lv.variances, lv.covariances, regressions")
    p.add_argument("--group-partial", default=None, metavar="LIST",
                   help="parameters freed from --group-equal, e.g. 'x3~1,f=~x2'")
    p.add_argument("--na", metavar="CODES", default=None,
                   help="missing-value codes besides empty cells and NA, separated by commas, "
                        "e.g. -99,-999 (numbers match numerically: -99 also matches -99.0)")
    add_quiet(p)
    return p


def _estimators(args: argparse.Namespace) -> bool:
    """Whether the options ask for more than ML on complete rows of one group."""
    return (args.estimator != "ML" or args.ordered is not None or args.missing != "listwise"
            or args.group is not None or args.group_equal is not None
            or args.group_partial is not None or args.scheme is not None
            or args.reverse is not None or args.scale is not None)


def _scale(text: str | None, reverse) -> tuple[float, float] | None:
    """``--scale MIN,MAX`` as two numbers (refused without ``--reverse``)."""
    from replication.engine.errors import InputError

    if text is None:
        return None
    if reverse is None:
        raise InputError("--scale: the scale of the --reverse items; expected --reverse ITEMS "
                         "as well")
    try:
        lo, hi = (float(t) for t in text.split(","))
    except ValueError:
        raise InputError(f"--scale: {text!r}; expected MIN,MAX, e.g. 1,7") from None
    if not lo < hi:
        raise InputError(f"--scale: {text!r}; expected MIN below MAX")
    return lo, hi


def run(args: argparse.Namespace) -> int:
    """Fit the model file to the data file and print lavaan-named results (warnings first).

    Exit status 1 when the model did not converge (the output is printed all the same).
    """
    from replication.data.csvfile import parse_na_codes
    from replication.engine.summary import format_text
    from replication.pipeline.fit_files import fit_files, with_observations

    na = parse_na_codes(args.na)

    if _estimators(args):
        from replication.pipeline import fit_estimators as fe

        lists = {k: fe.parse_list(getattr(args, k)) for k in ("ordered", "group_equal",
                                                              "group_partial")}
        fe.check_options(args.estimator, lists["ordered"], args.missing, args.group,
                         lists["group_equal"], lists["group_partial"], args.bootstrap,
                         args.scheme)
        scale = _scale(args.scale, args.reverse)
        with progress_bar(args.bootstrap, "bootstrap", args.quiet):
            result = fe.fit_files_estimator(
                args.model_file, args.data_csv, estimator=args.estimator, missing=args.missing,
                group=args.group, na=na, scheme=args.scheme, bootstrap=args.bootstrap,
                seed=args.seed, jobs=args.jobs, reverse=fe.parse_list(args.reverse) or None,
                scale=scale, **lists)
        text = fe.format_result(result)
    else:
        with progress_bar(args.bootstrap, "bootstrap", args.quiet) as progress:
            result = fit_files(args.model_file, args.data_csv, bootstrap=args.bootstrap,
                               seed=args.seed, jobs=args.jobs, progress=progress, na=na)
        text = with_observations(format_text(result), result)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(text)
    if not result.get("converged", True):
        print("replicate fit: the model did not converge; the estimates are not a "
              "maximum-likelihood solution", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
