"""What every sub-command of ``replicate`` shares: exit codes, the parser class, argument types."""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from typing import Callable, Iterator

__all__ = ["EXIT_OK", "EXIT_FAILED", "EXIT_INPUT", "HelpFormatter", "Parser", "int_at_least",
           "int_between", "positive_int", "non_negative_int", "seed_int", "MAX_SEED",
           "progress_bar", "add_quiet",
           "MAX_BOOTSTRAP", "MAX_N", "MAX_REPS", "cpu_count", "jobs_count"]

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2

#: Most bootstrap resamples (``--bootstrap``): the draws are kept, 100,000 x the free parameters.
MAX_BOOTSTRAP = 100_000
#: Most rows generated (``--n``): 1,000,000 x the items, held in memory as float64.
MAX_N = 1_000_000
#: Most Monte Carlo replications per sample size (``--reps``).
MAX_REPS = 100_000


class HelpFormatter(argparse.HelpFormatter):
    """Help that shows every option's default and keeps the layout of examples.

    Each option's help ends with its default (``off`` for a flag) unless the text already says
    it; paragraphs of a description are filled to the terminal width, blocks of lines that
    start with spaces (examples) are kept as written.
    """

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text.lower() or action.default is argparse.SUPPRESS:
            return text
        if not action.option_strings and action.nargs in ("*", "?") and action.default is None:
            return text
        if not action.option_strings:
            return text
        if isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction)):
            return f"{text} (default: {'on' if action.default else 'off'})"
        if action.default is None:
            return f"{text} (default: none)"
        return f"{text} (default: %(default)s)"

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        blocks = text.split("\n\n")
        out = []
        for block in blocks:
            lines = block.splitlines()
            if any(line.startswith(" ") for line in lines[1:]) or \
                    (lines and lines[0].endswith(":") and len(lines) > 1):
                out.append("\n".join(indent + line for line in lines))
            else:
                out.append(super()._fill_text(" ".join(lines), width, indent))
        return "\n\n".join(out)


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line and exit with status 2; its help shows
    every option's default (:class:`HelpFormatter`). Every ``--jobs`` option of every command
    takes :func:`jobs_count` values (at least 1, at most the CPUs available)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def add_argument(self, *args, **kwargs):
        if "--jobs" in args:
            kwargs["type"] = jobs_count
        return super().add_argument(*args, **kwargs)

    def error(self, message: str) -> None:  # noqa: D401 - argparse API
        hint = "replicate --help" if self.prog == "replicate" else f"replicate {self.prog.split()[-1]} --help"
        self.exit(EXIT_INPUT, f"replicate: {message} (see '{hint}')\n")


def int_at_least(minimum: int):
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


def int_between(minimum: int, maximum: int):
    """An argparse type: a whole number from ``minimum`` to ``maximum``."""

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {minimum:,} to {maximum:,}, got {text!r}")
        return value

    return convert


positive_int = int_at_least(1)
#: A seed: numpy's SeedSequence takes any whole number, the suite's records and reports 32 bits.
MAX_SEED = 2**32 - 1
seed_int = int_between(0, MAX_SEED)
non_negative_int = int_at_least(0)


def cpu_count() -> int:
    """CPUs this process may run on (its affinity mask; ``os.cpu_count()`` where there is none)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def jobs_count(text: str) -> int:
    """An argparse type for ``--jobs``: a whole number of at least 1; a number above the CPUs
    available (:func:`cpu_count`) is lowered to it, and standard error says so in one line (more
    processes than CPUs only compete for them: no result depends on ``--jobs``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    cap = cpu_count()
    if value > cap:
        print(f"replicate: --jobs {value} lowered to {cap}, the number of CPUs available",
              file=sys.stderr)
        return cap
    return value


def add_quiet(parser: argparse.ArgumentParser) -> None:
    """The ``--quiet`` option of a command with long steps."""
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar (it is also off when standard error is not a "
                             "terminal)")


@contextmanager
def progress_bar(total: int | None, desc: str, quiet: bool = False
                 ) -> Iterator[Callable[[int], None] | bool]:
    """A tqdm bar on standard error, given as a callback ``update(k)``; ``False`` when off.

    Off with ``quiet`` or when standard error is not a terminal (logs and pipes stay clean).
    """
    if quiet or not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty()):
        yield False
        return
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, file=sys.stderr, dynamic_ncols=True, leave=False)
    try:
        yield lambda k=1: bar.update(k)
    finally:
        bar.close()
