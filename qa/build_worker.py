"""An index build in a child process, for the server: the serving process holds only the question
encoder and the index (torch loads in the child, bf16 where the CPU has it, and leaves with it), and
a crash or an out-of-memory kill during a build is an indexing error for the uploader, never the
server's end. The child also makes the ONNX question export on a first run (qa.onnx_questions), so
the server itself never needs torch.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qa.build import BuildReport, build
from qa.errors import IndexUnavailable, QAError
from qa.settings import Settings

_POLL_SECONDS = 0.5


def _work(settings: Settings, corpus: Path, folder: Path, rebuild: bool, out: Any) -> None:
    from qa.embed import Embedder

    try:
        embedder = Embedder(settings)
        report = build(settings, embedder, corpus, folder, rebuild=rebuild,
                       progress=lambda stage, done, total: out.put(("progress", (stage, done, total))))
        if settings.question_encoder != "torch":
            embedder.fast_questions()
        out.put(("done", report))
    except QAError as exc:
        out.put(("error", exc))
    except Exception as exc:  # noqa: BLE001 (anything else is the build's failure, said in words)
        out.put(("error", IndexUnavailable(f"indexing failed: {type(exc).__name__}: {exc}")))


def _stopped(exitcode: int | None) -> IndexUnavailable:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        why = "killed, most likely out of memory" if -exitcode == signal.SIGKILL else f"stopped by {name}"
        return IndexUnavailable(f"the indexing worker was {why}; the index is as it was before this build")
    return IndexUnavailable(f"the indexing worker stopped (exit code {exitcode}); the index is as it was "
                            "before this build")


def build_elsewhere(settings: Settings, corpus: Path, folder: Path, rebuild: bool = False,
                    progress: Callable[[str, int, int], None] | None = None) -> BuildReport:
    """``qa.build.build`` run in a fresh process; its progress reported here as it goes. A local
    index is committed as a whole (qa.store), so a worker that dies leaves the last one in place."""
    context = multiprocessing.get_context("spawn")  # no copy of the server's threads or sockets
    messages = context.Queue()
    worker = context.Process(target=_work, args=(settings, corpus, folder, rebuild, messages),
                             name="qa-index", daemon=True)
    worker.start()
    try:
        while True:
            try:
                kind, payload = messages.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if worker.is_alive():
                    continue
                try:  # what it sent just before it exited
                    kind, payload = messages.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    raise _stopped(worker.exitcode) from None
            if kind == "progress":
                if progress is not None:
                    progress(*payload)
            elif kind == "error":
                raise payload
            else:
                return payload
    finally:
        worker.join(timeout=10)
        if worker.is_alive():
            worker.kill()
            worker.join()
        messages.close()
