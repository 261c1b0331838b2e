"""What every sub-command of ``replicate`` shares: exit codes, the parser class, argument types."""

from __future__ import annotations

import argparse

__all__ = ["EXIT_OK", "EXIT_FAILED", "EXIT_INPUT", "Parser", "int_at_least", "positive_int",
           "non_negative_int"]

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line and exit with status 2."""

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


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)
