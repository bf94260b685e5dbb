"""Every error qa reports to a person, in one small hierarchy with the exit code it means.

The CLI and the page catch ``QAError`` and show its message (one line, naming the fix); anything
else is a bug and is reported as "unexpected error" without a traceback.
"""

from __future__ import annotations

EXIT_FAILURE, EXIT_USAGE = 1, 2


class QAError(Exception):
    """Base class: ``exit_code`` is what the CLI returns for it."""

    exit_code = EXIT_FAILURE


class InputError(QAError, ValueError):
    """Unusable input from the user: an empty question, a bad question or eval file."""

    exit_code = EXIT_USAGE


class EvalFileError(InputError):
    """The question file for ``qa eval`` cannot be used; the message names the line."""


class IndexUnavailable(QAError):
    """The index is missing, stale or unreadable; the message says what to run."""


class ModelError(QAError):
    """The embedding model cannot be built or loaded."""


class ExtractionError(QAError, ValueError):
    """One file's text cannot be read (binary, corrupt, encrypted…): the file is skipped with this reason."""
