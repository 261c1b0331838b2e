"""What every sub-command of ``replicate`` shares: exit codes, the parser class, argument types."""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from typing import Callable, Iterator

__all__ = ["EXIT_OK", "EXIT_FAILED", "EXIT_INPUT", "HelpFormatter", "Parser", "int_at_least",
           "int_between", "positive_int", "non_negative_int", "progress_bar", "add_quiet",
           "MAX_BOOTSTRAP", "MAX_N", "MAX_REPS"]

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
    every option's default (:class:`HelpFormatter`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

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
non_negative_int = int_at_least(0)


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
