"""Format extraction in a child process with bounded memory and time.

A parser fed a hostile file (a zip bomb, a PDF stream that inflates to gigabytes, XML that expands
entities) can take all the memory or all the time of the process it runs in. PDF, Word and HTML
files are therefore parsed by ``python -m qa.ingest.sandbox``, a child process under an address-space
limit (``LimitSettings.extract_memory_mb``) that is killed past ``extract_seconds``. Either way the
file is refused with a reason and the build, or the server, goes on. The child is started on the
first file that needs it and serves every later one (one start per build or per server). While it
reads scanned pages by OCR it reports each page done; each report restarts the clock, so the time
limit holds per page.

Protocol on the child's stdin/stdout: a length-prefixed pickle each way. Only this module's own
code writes either end; the child keeps its real stdout for replies, so a stray print from a
library goes to stderr instead of into the protocol.
"""

from __future__ import annotations

import os
import pickle
import resource
import select
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from typing import IO, Any

from qa.errors import ExtractionError
from qa.ingest.formats import (
    DOCX_SUFFIXES,
    HTML_SUFFIXES,
    IMAGE_SUFFIXES,
    PDF_SUFFIXES,
    Extracted,
    OcrProgress,
    extract,
)
from qa.ingest.pdfpage import render
from qa.reasons import reason
from qa.settings import LimitSettings

ISOLATED_SUFFIXES = PDF_SUFFIXES | DOCX_SUFFIXES | HTML_SUFFIXES | IMAGE_SUFFIXES  # text is decoded in place
# The child also renders PDF pages for the page view (qa.ingest.pdfpage): PDFium parses the same hostile
# files the extractors do, under the same limits.
_HEADER = struct.Struct("!Q")


def _write(stream: IO[bytes], message: Any) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    """``size`` bytes from ``fd``; TimeoutError past ``deadline``, EOFError if the writer is gone."""
    parts, remaining = [], size
    while remaining:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise TimeoutError
        part = os.read(fd, min(remaining, 1 << 20))
        if not part:
            raise EOFError
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


class Sandbox:
    """Extracts files in one long-lived child process; restarts it after a timeout or a crash."""

    def __init__(self, limits: LimitSettings | None = None) -> None:
        self.limits = limits or LimitSettings()
        self._child: subprocess.Popen[bytes] | None = None

    def extract(self, suffix: str, data: bytes, progress: OcrProgress | None = None) -> Extracted:
        if suffix not in ISOLATED_SUFFIXES:
            return extract(suffix, data, self.limits)
        reply = self._call(("extract", suffix, data, self.limits), progress)
        return Extracted(*reply[1:])

    def render_page(self, data: bytes, page: int, phrases: tuple[str, ...], suffix: str = ".pdf") -> bytes:
        """PNG of a PDF page or an image with ``phrases`` marked (qa.ingest.pdfpage)."""
        return bytes(self._call(("render", data, page, phrases, suffix, self.limits))[1])

    def _call(self, request: tuple, progress: OcrProgress | None = None) -> tuple:
        child = self._start()
        assert child.stdin is not None and child.stdout is not None
        try:
            _write(child.stdin, request)
            while True:
                deadline = time.monotonic() + self.limits.extract_seconds
                size = _HEADER.unpack(_read_exactly(child.stdout.fileno(), _HEADER.size, deadline))[0]
                reply = pickle.loads(_read_exactly(child.stdout.fileno(), size, deadline))
                if reply[0] != "progress":
                    break
                if progress:
                    progress(*reply[1:])
        except TimeoutError:
            self.close()
            raise ExtractionError(reason("extraction_timeout", seconds=self.limits.extract_seconds)) from None
        except (EOFError, BrokenPipeError, OSError):
            code = self.close()
            raise ExtractionError(reason("extractor_stopped", code=code, mb=self.limits.extract_memory_mb)) from None
        except BaseException:  # the progress callback failed or was interrupted: this file's replies
            self.close()  # are still in the pipe, and the next file must not read them
            raise
        if reply[0] == "refused":
            raise ExtractionError(reply[1])
        return reply

    def _start(self) -> subprocess.Popen[bytes]:
        if self._child is None or self._child.poll() is not None:
            self._child = subprocess.Popen(
                [sys.executable, "-m", "qa.ingest.sandbox", str(self.limits.extract_memory_mb)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True,
            )
        return self._child

    def close(self) -> int | None:
        """Stop the child (killed if it is still working); its exit code."""
        child, self._child = self._child, None
        if child is None:
            return None
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
        try:
            return child.wait(timeout=2)
        except subprocess.TimeoutExpired:
            child.kill()
            return child.wait()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _serve(memory_mb: int) -> None:
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a library's print goes to stderr, never into the replies
    limit = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    requests = sys.stdin.buffer.fileno()
    while True:
        try:
            size = _HEADER.unpack(_read_exactly(requests, _HEADER.size, None))[0]
            request = pickle.loads(_read_exactly(requests, size, None))
        except EOFError:
            return
        reply = _handle(request, lambda done, total: _write(replies, ("progress", done, total)))
        del request
        try:
            _write(replies, reply)
        except MemoryError:
            _write(replies, ("refused", f"needs more than {memory_mb} MB to extract"))


def _handle(request: tuple, progress: Callable[[int, int], None]) -> tuple:
    kind, *arguments = request
    try:
        if kind == "render":
            data, page, phrases, suffix, limits = arguments
            return ("ok", render(data, page, phrases, suffix, limits))
        suffix, data, limits = arguments
        extracted = extract(suffix, data, limits, progress)
        return ("ok", extracted.text, extracted.page_starts, extracted.ocr_pages, extracted.page_problems)
    except ExtractionError as exc:
        return ("refused", str(exc))
    except Exception as exc:  # noqa: BLE001 (a renderer's failure on a hostile page is that page's refusal)
        return ("refused", f"the page cannot be shown: {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
