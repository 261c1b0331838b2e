"""Errors that carry a one-line message for the user.

Every mistake a user can make (a bad record, a bad model line, a missing column, a value off the
scale) raises :class:`InputError` with one line naming the file, field or column and what was
expected. The command line prints that line and exits with status 2; it never shows a traceback.
"""

__all__ = ["InputError"]


class InputError(ValueError):
    """A user-facing input problem; ``str(exc)`` is the whole one-line message."""
