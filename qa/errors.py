"""Every error qa reports to a person, in one small hierarchy with the exit code it means.

The CLI and the page catch ``QAError`` and show its message (one line, naming the fix); anything
else is a bug and is reported as "unexpected error" without a traceback.
"""

from __future__ import annotations

import errno
import os

EXIT_FAILURE, EXIT_USAGE = 1, 2


def corpus_folder_problem(path: os.PathLike[str] | str) -> str | None:
    """Why ``path`` cannot be a corpus folder (gone, or a file: --corpus takes the folder), or None."""
    if os.path.isdir(path):
        return None
    if os.path.exists(path):
        return f"{path} is a file, not a folder: --corpus takes the folder that holds the documents"
    return f"corpus folder not found: {path}"


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


class StorageError(QAError):
    """Writing the index or an upload failed for a reason of the disk: full, read-only, no permission."""


_CAUSES = {
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EFBIG: "file too large for this file system",
}


def storage_error(exc: OSError, writing: object) -> StorageError:
    """``OSError`` → "no space left on device while writing index/…" (nothing half-written is kept).
    numpy reports a short write without an errno ("72960 requested and 32704 written"): then the
    free space of the target decides between a full disk and some other limit on file size."""
    cause, hint = _CAUSES.get(exc.errno or 0) or exc.strerror, ""
    if cause is None:
        try:
            stats = os.statvfs(str(writing))
            full = stats.f_bavail * stats.f_frsize < 2**20
        except OSError:
            full = False
        cause, hint = ("no space left on device", "") if full else (f"a write was cut short ({exc})",
                                                                  ": is the disk full, or a file-size limit set?")
    return StorageError(f"{cause} while writing {writing}{hint}")
