"""``replicate power``: analytic RMSEA power, or Monte Carlo power of a paper's hypotheses.

Two forms (contracts in docs/architecture.md)::

    replicate power --rmsea E [--rmsea0 E0] --df DF (--n N | --target-power P) [--alpha A] [--json]
    replicate power ID|RECORD [--data CSV] [--n N[,N...]] [--reps R] [--seed S]
                    [--target-power P] [--alpha A] [--jobs J] [--scheduler ADDRESS] [--json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from replication.cli.common import (EXIT_OK, MAX_BOOTSTRAP, MAX_N, MAX_REPS, add_quiet,
                                     int_between, jobs_count, seed_int, positive_int,
                                     progress_bar)
from replication.engine.errors import InputError

#: How :func:`replication.analyses.montecarlo.n_for_power` says an N had too few replications.
_TOO_FEW = "none: too few replications"

HELP = "sample size and power: RMSEA tests of fit, or Monte Carlo power per hypothesis"


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _n_list(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        try:
            out.append(int(part.strip()))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected whole numbers separated by commas, got {text!r}") from None
    if any(not 1 <= n <= MAX_N for n in out):
        raise argparse.ArgumentTypeError(
            f"expected sample sizes from 1 to {MAX_N:,}, got {text!r}")
    return out


def add_parser(sub) -> argparse.ArgumentParser:
    """Register ``power``."""
    p = sub.add_parser(
        "power", help=HELP,
        description="Two questions before collecting data. With --rmsea: the power of the RMSEA "
                    "test of exact (or close) fit at a given N and df, or the N that reaches a "
                    "target power (MacCallum, Browne and Sugawara 1996). With a paper: Monte Carlo "
                    "power of each hypothesis, by generating data from the paper's population at "
                    "each N and refitting the model as the paper tested it.",
        epilog="examples:\n  replicate power --rmsea 0.05 --df 50 --target-power 0.8\n"
               "  replicate power --rmsea 0.08 --rmsea0 0.05 --df 100 --n 200 --json\n"
               "  replicate power live_commerce --n 200,300,465 --reps 500 --jobs 2")
    p.add_argument("paper", nargs="?", metavar="ID|RECORD",
                   help="paper id or paper.yaml for Monte Carlo power (omit with --rmsea)")
    p.add_argument("--rmsea", type=_number, default=None, metavar="E",
                   help="population RMSEA (analytic power of the RMSEA test)")
    p.add_argument("--rmsea0", type=_number, default=0.0, metavar="E0",
                   help="RMSEA under the null: 0 exact fit, 0.05 close fit")
    p.add_argument("--df", type=positive_int, default=None, metavar="DF",
                   help="degrees of freedom of the model (with --rmsea)")
    p.add_argument("--n", type=_n_list, default=None, metavar="N[,N...]",
                   help="sample size(s) at which power is computed (default: the published N, "
                        "and for a hypothesis it leaves below the target power also the N the "
                        "Wald test asks for, so that the N for power is simulated, not "
                        "extrapolated)")
    p.add_argument("--target-power", type=_number, default=None, metavar="P",
                   help="find the N that reaches this power (between 0 and 1)")
    p.add_argument("--alpha", type=_number, default=0.05, metavar="A",
                   help="significance level of the tests")
    p.add_argument("--data", metavar="CSV", help="responses: the population is fitted to them")
    p.add_argument("--reps", type=int_between(1, MAX_REPS), default=1000, metavar="R",
                   help="replications per N (power needs at least 2 converged ones at an N; "
                        "with fewer the N for power says so)")
    p.add_argument("--seed", type=seed_int, default=2024,
                   help="seed of the Monte Carlo replications (one stream each)")
    p.add_argument("--bootstrap", type=int_between(2, MAX_BOOTSTRAP), default=1000, metavar="B",
                   help="bootstrap resamples per replication for mediations")
    p.add_argument("--continuous", action="store_true",
                   help="continuous responses instead of Likert on the record's scale")
    p.add_argument("--jobs", type=jobs_count, default=1, metavar="J",
                   help="worker processes (results do not depend on it; at most the number of "
                        "CPUs: a larger number is lowered to it)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="dask.distributed scheduler, tcp://HOST:PORT (it must answer within 10 s, "
                        "and each batch within an hour)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    add_quiet(p)
    return p


def _analytic(args: argparse.Namespace) -> dict:
    from replication.analyses import power

    if args.paper is not None:
        raise InputError(f"{args.paper}: --rmsea computes analytic power; give no paper with it")
    if args.df is None:
        raise InputError("--df: required with --rmsea")
    if args.n is not None and len(args.n) != 1:
        raise InputError("--n: expected one sample size with --rmsea")
    n = args.n[0] if args.n else None
    return power.rmsea_analysis(args.rmsea, args.df, n=n, target_power=args.target_power,
                                rmsea0=args.rmsea0, alpha=args.alpha)


def _monte_carlo(args: argparse.Namespace) -> dict:
    from replication.analyses import montecarlo as mc
    from replication.analyses.montecarlo_design import record_design
    from replication.record.schema import load_record

    if args.paper is None:
        raise InputError("power: give a paper id or record, or --rmsea with --df")
    if args.df is not None:
        raise InputError("--df: only with --rmsea")
    if args.reps < 1:
        raise InputError(f"--reps: expected a whole number >= 1, got {args.reps}")
    for name, v in (("--target-power", args.target_power), ("--alpha", args.alpha)):
        if v is not None and not 0 < v < 1:
            raise InputError(f"{name}: expected a number between 0 and 1, got {v:g}")
    if args.scheduler is not None:
        mc.check_scheduler_address(args.scheduler)
    record = load_record(args.paper)
    data = None
    if args.data is not None:
        from replication.data.responses import load_responses

        if not Path(args.data).is_file():
            raise InputError(f"{args.data}: file not found (from --data); expected a CSV of responses")
        data = load_responses(args.data, record).data
    design = record_design(record, data, seed=args.seed, continuous=args.continuous,
                           bootstrap=args.bootstrap, data_name=Path(args.data).name if args.data else "")
    n_list = args.n or [len(data) if data is not None else record.n]
    target = 0.80 if args.target_power is None else args.target_power
    total = args.reps * len(set(n_list))
    with progress_bar(total, "Monte Carlo", args.quiet) as progress:
        out = mc.simulate(design, n_list, args.reps, seed=args.seed, alpha=args.alpha,
                          jobs=args.jobs, scheduler=args.scheduler, target_power=target,
                          progress=progress or None, follow_up=args.n is None)
    if args.target_power is not None:
        few = [h for h, e in out["n_for_power"].items() if e["method"].startswith(_TOO_FEW)]
        if few:
            raise InputError(f"--reps: {args.reps} replication(s) per N are too few to estimate "
                             f"the power of hypothesis {', '.join(few)} "
                             f"({out['n_for_power'][few[0]]['method'][6:]})")
        missed = [h for h, e in out["n_for_power"].items() if not e["reached"]]
        if missed:
            raise InputError(f"--target-power: {target:g} is not reached by any N up to "
                             f"{mc.N_MAX} for hypothesis {', '.join(missed)} "
                             f"({out['n_for_power'][missed[0]]['method']})")
    return out


def _text(out: dict) -> str:
    if "results" not in out:
        return (f"RMSEA test of {out['test']} (RMSEA0 = {out['rmsea0']:g}, RMSEA = "
                f"{out['rmsea']:g}, df = {out['df']}, alpha = {out['alpha']:g}): "
                f"N = {out['n']}, power = {out['power']:.4f}")
    lines = [f"{out['paper']}: Monte Carlo power, {out['reps']} replications per N, "
             f"alpha {out['alpha']:g}, seed {out['seed']} ({out['population']['source']} "
             f"population, {out['population']['responses']} responses)",
             f"{'hypothesis':<11}{'effect':<16}{'N':>7}{'power':>8}{'MC SE':>8}{'conv.':>7}"
             f"{'bias':>9}{'cover':>7}"]
    for r in out["results"]:
        pw = "-" if r["power"] is None else f"{r['power']:.3f}"
        se = "-" if r["mcse"] is None else f"{r['mcse']:.3f}"
        bias = "-" if r["bias"] is None else f"{r['bias']:+.3f}"
        cov = "-" if r["coverage"] is None else f"{r['coverage']:.3f}"
        lines.append(f"{r['hypothesis']:<11}{r['effect']:<16}{r['n']:>7}{pw:>8}{se:>8}"
                     f"{r['convergence_rate']:>7.2f}{bias:>9}{cov:>7}")
    lines.append(f"N for power {out['target_power']:g}:")
    for h, e in out["n_for_power"].items():
        state = "not estimated" if e["method"].startswith(_TOO_FEW) else "not reached"
        lines.append(f"  {h}: {e['n'] if e['n'] is not None else state} ({e['method']})")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Analytic RMSEA power with ``--rmsea``, else Monte Carlo power of a paper's hypotheses."""
    out = _analytic(args) if args.rmsea is not None else _monte_carlo(args)
    if args.json:
        print(json.dumps(out, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False))
    else:
        print(_text(out))
    return EXIT_OK
