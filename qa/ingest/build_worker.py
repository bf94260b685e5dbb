"""Index builds in a worker process, for the server: the serving process holds only the question
encoder and the index (torch loads in the worker, bf16 where the CPU has it), and a crash or an
out-of-memory kill during a build is an indexing error for the uploader, never the server's end.

One worker at a time, started on the first build and kept while builds keep coming (an upload after
an upload finds the model loaded); idle for ``IDLE_SECONDS`` it exits and gives its memory back. It
also makes the ONNX question export on a first run (qa.model.onnx_questions), so the server itself never
needs torch.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qa.errors import IndexUnavailable, QAError
from qa.ingest.build import BuildReport, build
from qa.settings import Settings
from qa.store.factory import opens_in_one_process

IDLE_SECONDS = 120.0
_POLL_SECONDS = 0.5


_embedders: dict[tuple, Any] = {}  # by what shapes the model: loaded once per process
_embedders_lock = threading.Lock()


def _build_here(settings: Settings, corpus: Path, folder: Path, rebuild: bool,
                progress: Callable[[str, int, int], None] | None) -> BuildReport:
    """``qa.ingest.build.build`` in this process, with its Embedder kept for the next build, then the ONNX
    question export if none is made yet."""
    from qa.model.embed import Embedder

    key = (settings.model, settings.precision, settings.threads)
    with _embedders_lock:
        if key not in _embedders:
            _embedders[key] = Embedder(settings)
    embedder = _embedders[key]
    report = build(settings, embedder, corpus, folder, rebuild=rebuild, progress=progress)
    _make_export(embedder)
    return report


def _serve_builds(jobs: Any, out: Any, idle: float) -> None:
    """The worker: builds one job after another until none comes for ``idle`` seconds."""
    while True:
        try:
            job = jobs.get(timeout=idle)
        except queue.Empty:
            return
        job_settings, corpus, folder, rebuild = job
        try:
            report = _build_here(job_settings, corpus, folder, rebuild,
                                 lambda stage, done, total: out.put(("progress", (stage, done, total))))
            out.put(("done", report))
        except QAError as exc:
            out.put(("error", exc))
        except Exception as exc:  # noqa: BLE001 (anything else is the build's failure, said in words)
            out.put(("error", IndexUnavailable(f"indexing failed: {type(exc).__name__}: {exc}")))


def _make_export(embedder: Any) -> None:
    """The ONNX question export, once (qa.model.onnx_questions): its failure leaves questions on torch and
    never undoes a build that is done."""
    if embedder.settings.question_encoder == "torch":
        return
    try:
        embedder.fast_questions()
    except Exception:  # noqa: BLE001 (fast_questions says why itself when it can; here it only costs speed)
        pass


def _stopped(exitcode: int | None) -> IndexUnavailable:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        why = "killed, most likely out of memory" if -exitcode == signal.SIGKILL else f"stopped by {name}"
        return IndexUnavailable(f"the indexing worker was {why}; the index is as it was before this build")
    return IndexUnavailable(f"the indexing worker stopped (exit code {exitcode}); the index is as it was "
                            "before this build")


class _IdleExit(Exception):
    """The worker left (idle) before it took the job."""


class BuildWorker:
    """The worker process and its two queues; ``build`` runs one job in it (one at a time)."""

    def __init__(self, idle: float = IDLE_SECONDS) -> None:
        self.idle = idle
        self._lock = threading.Lock()
        self._context = multiprocessing.get_context("spawn")  # no copy of the server's threads or sockets
        self._process: Any = None
        self._jobs: Any = None
        self._out: Any = None

    def _start(self) -> None:
        self._jobs, self._out = self._context.Queue(), self._context.Queue()
        self._process = self._context.Process(target=_serve_builds, args=(self._jobs, self._out, self.idle),
                                              name="qa-index", daemon=True)
        self._process.start()

    def build(self, settings: Settings, corpus: Path, folder: Path, rebuild: bool = False,
              progress: Callable[[str, int, int], None] | None = None) -> BuildReport:
        with self._lock:
            for attempt in range(2):
                try:
                    if self._process is None or not self._process.is_alive():  # first build, or it went idle
                        self._start()
                    self._jobs.put((settings, corpus, folder, rebuild))
                    return self._wait(progress)
                except _IdleExit:  # it went idle just as the job came: once more, in a new one
                    self.stop()
                    if attempt:
                        raise _stopped(0) from None
                except QAError as exc:
                    if isinstance(exc, IndexUnavailable):
                        self.stop()  # whatever state it was left in, the next build starts afresh
                    raise
                except BaseException as exc:
                    # Out of step with the worker (a progress callback that raised, an interrupt, a
                    # worker that could not start): the next build starts afresh.
                    self.stop()
                    if isinstance(exc, Exception):
                        raise IndexUnavailable(f"indexing failed: {type(exc).__name__}: {exc}") from exc
                    raise
            raise AssertionError("unreachable")

    def _wait(self, progress: Callable[[str, int, int], None] | None) -> BuildReport:
        while True:
            try:
                kind, payload = self._out.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if self._process.is_alive():
                    continue
                try:  # what it sent just before it exited
                    kind, payload = self._out.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    if self._process.exitcode == 0:
                        raise _IdleExit from None
                    raise _stopped(self._process.exitcode) from None
            if kind == "progress":
                if progress is not None:
                    progress(*payload)
            elif kind == "error":
                raise payload
            else:
                return payload

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
            self._process = None
        for channel in (self._jobs, self._out):
            if channel is not None:
                channel.close()
        self._jobs = self._out = None


_WORKER = BuildWorker()


def build_elsewhere(settings: Settings, corpus: Path, folder: Path, rebuild: bool = False,
                    progress: Callable[[str, int, int], None] | None = None) -> BuildReport:
    """``qa.ingest.build.build`` run in the worker process; its progress reported here as it goes. A local
    index is committed as a whole (qa.store.generations), so a worker that dies leaves the last one in place.
    A milvus-lite file opens in one process only (the server's): its builds stay in this process."""
    if opens_in_one_process(settings):
        return _build_here(settings, corpus, folder, rebuild, progress)
    return _WORKER.build(settings, corpus, folder, rebuild, progress)
