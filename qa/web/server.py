"""The HTTP server: the Gradio page at ``/`` and a plain JSON route, ``POST /api/ask``, on one app.

Gradio's own ``/ask`` endpoint (for ``gradio_client``) goes through its event queue and a
server-sent-event stream: about 75 ms of CPU around an engine call of ~25 ms. ``/api/ask`` takes
``{"question": "...", "history": ["earlier question", ...]}`` (history optional) and returns the
same JSON object as ``qa ask --json``, straight from the engine (simultaneous questions are still
micro-batched in the encoder). ``GET /api/page/<token>`` serves the PDF page views (qa.web.pageview).
``/v1/models`` and ``/v1/chat/completions`` speak OpenAI's chat API (qa.web.openai_routes).
With ``$QA_PASSWORD`` set ``/api/ask`` asks for the same user and password as the page (HTTP Basic,
or the password as a Bearer key); failed attempts are slowed down like failed logins (qa.web.throttle).
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
from dataclasses import replace
from functools import partial
from pathlib import Path

import gradio as gr

# At module level: FastAPI reads the route's annotations (strings here) in this module's globals.
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware

from qa.api import MAX_K, Engine, open_engine, valid_k
from qa.errors import InputError, QAError, corpus_folder_problem
from qa.ingest.build_worker import build_elsewhere
from qa.ingest.progress import progress_bar
from qa.model.encoders import open_encoder
from qa.settings import Settings
from qa.web.http import BodyError, add_first, authorised, read_text
from qa.web.openai_routes import CHAT_ROUTE, MODELS_ROUTE, add_openai_routes
from qa.web.page import CSS, EXAMPLES, HEAD, MAX_UPLOAD_MB, build_app
from qa.web.pageview import ROUTE as PAGE_ROUTE
from qa.web.pageview import TOKEN_SECONDS, PageViews
from qa.web.throttle import LOGIN, LoginThrottle

ASK_ROUTE = "/api/ask"
UPLOAD_HEADROOM = 4
# Gradio's own words that its bundles lack (English included): a screen reader would announce the
# key itself ("common.complete") when an answer arrives.
GRADIO_STRINGS = {
    "en": {"common.complete": "Complete", "common.progress": "Progress",
           "status.queue_position": "In queue: {position} of {size}"},
    "ru": {"common.complete": "Готово", "common.progress": "Ход выполнения",
           "status.queue_position": "В очереди: {position} из {size}"},
    "uz": {"common.complete": "Tayyor", "common.progress": "Jarayon",
           "status.queue_position": "Navbatda: {size} tadan {position}"},
}
# A question keeps its last LimitSettings.max_question_chars (1,000) anyway: 64 KB of JSON holds a
# pasted note with its question and a chat's history; a longer body is refused whole.
MAX_BODY_BYTES = 65_536
# A wrong password or key on the JSON and OpenAI routes counts as a failed login (qa.web.throttle).
WRONG_KEY = {f"POST {ASK_ROUTE}": frozenset({401}), f"POST {CHAT_ROUTE}": frozenset({401}),
             f"GET {MODELS_ROUTE}": frozenset({401})}


def add_ask_route(app: FastAPI, engine: Engine, credentials: tuple[str, str] | None) -> None:
    """``POST /api/ask`` on the running Gradio app, ahead of Gradio's own routes."""

    async def ask(request: Request) -> JSONResponse:
        if not authorised(request.headers.get("authorization"), credentials):
            return JSONResponse({"error": "user and password required (HTTP Basic)"}, status_code=401,
                                headers={"WWW-Authenticate": 'Basic realm="qa"'})
        try:
            text = await read_text(request, MAX_BODY_BYTES)
        except BodyError as error:
            return JSONResponse({"error": str(error)}, status_code=error.status)
        try:
            body = json.loads(text)
        except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
            body = None
        question = body.get("question") if isinstance(body, dict) else None
        if not isinstance(question, str) or not question.strip():
            return JSONResponse({"error": 'send a JSON object {"question": "..."} with a non-empty question'},
                                status_code=400)
        k = body.get("k")
        if k is not None and not valid_k(k):
            return JSONResponse({"error": f'"k" must be a whole number from 1 to {MAX_K}'}, status_code=400)
        try:
            # The engine blocks (the encoder): in the thread pool, where simultaneous questions batch.
            answer = await run_in_threadpool(partial(engine.ask, question, k, history=body.get("history")))
        except InputError as error:  # a malformed history
            return JSONResponse({"error": str(error)}, status_code=400)
        except QAError as error:
            return JSONResponse({"error": str(error)}, status_code=503)
        return JSONResponse(answer.to_json())

    add_first(app, ASK_ROUTE, ask, "POST")


def logged_in(app: FastAPI, request: Request, credentials: tuple[str, str] | None) -> bool:
    """Whether a request may see what the page shows: no login is set, or it carries the session
    cookie Gradio's login hands out. Not HTTP Basic: the login throttle watches the login routes
    only, and a GET here must not become an unthrottled way to test passwords."""
    if credentials is None:
        return True
    cookie_id = getattr(app, "cookie_id", None)
    tokens = getattr(app, "tokens", {})
    token = request.cookies.get(f"access-token-{cookie_id}") or request.cookies.get(
        f"access-token-unsecure-{cookie_id}")
    return token is not None and token in tokens


def add_page_route(app: FastAPI, pages: PageViews, credentials: tuple[str, str] | None) -> None:
    """``GET /api/page/<token>``: the PNG of a cited PDF page (qa.web.pageview), for a logged-in reader
    holding the token an answer handed out (it expires after qa.web.pageview.TOKEN_SECONDS)."""

    async def page(token: str, request: Request) -> Response:
        if not logged_in(app, request, credentials):
            return JSONResponse({"error": "log in to see page views"}, status_code=401)
        image = await run_in_threadpool(pages.image, token)
        if image is None:
            return JSONResponse({"error": "no such page view (expired, or the file changed since indexing)"},
                            status_code=404)
        return Response(image, media_type="image/png",
                        headers={"Cache-Control": f"private, max-age={TOKEN_SECONDS}"})

    add_first(app, PAGE_ROUTE + "/{token}", page, "GET")


def _check_free(host: str, port: int) -> None:
    """A port another server holds is refused in one line, naming the fix, before indexing (Gradio's
    own error came after it, as an "unexpected error"). Probed as Gradio probes it, on 127.0.0.1 too,
    and on every address the host names, as the server binds them."""
    name = host.strip("[]") or "127.0.0.1"
    try:
        addresses = {(a[0], a[1], a[4]) for a in socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)}
    except OSError as exc:
        raise InputError(f"cannot listen on {host}: {exc.strerror or exc}") from None
    addresses.add((socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", port)))
    for family, kind, address in sorted(addresses, key=str):
        with socket.socket(family, kind) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds it
            try:
                probe.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise InputError(f"port {port} on {host} is not free: give another --port or $QA_PORT") from None
                raise InputError(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from None


def serve(host: str | None = None, port: int | None = None, corpus: Path | None = None,
          index: Path | None = None) -> int:
    """Index the corpus (only changed files are embedded, with a progress bar), then serve."""
    settings = Settings.from_env()
    if corpus is not None and (problem := corpus_folder_problem(corpus)):  # a typo must not serve an empty corpus
        raise InputError(problem)
    settings = replace(settings, corpus_dir=corpus or settings.corpus_dir, index_dir=index or settings.index_dir)
    host = host or settings.server.host
    port = port or settings.server.port
    _check_free(host, port)  # before indexing, which can take minutes
    settings.corpus_dir.mkdir(parents=True, exist_ok=True)
    print(f"qa: indexing {settings.corpus_dir} (only changed files are embedded)…", file=sys.stderr)
    # In a worker process, as uploads are: torch never loads in the server (qa.ingest.build_worker).
    report = build_elsewhere(settings, settings.corpus_dir, settings.index_dir, progress=progress_bar())
    print(f"qa: {report.summary()}", file=sys.stderr)
    def log(message: str) -> None:
        print(f"qa: {message}", file=sys.stderr)

    embedder = open_encoder(settings, log=log)
    engine = open_engine(settings.index_dir, settings, embedder, log)
    print(f"qa: questions encoded with {embedder.question_encoder}", file=sys.stderr)
    # Load every lazily built part (language identifiers, morphology, the lexical index) before
    # questions arrive several at a time: the first user is not the one who waits for them.
    for example in EXAMPLES:
        engine.ask(example)
    credentials = settings.access.credentials
    # Forwarding headers (X-Forwarded-For) name the client only when a listed proxy sends them:
    # uvicorn, under Gradio, trusts 127.0.0.1 unless told, and any local process could then forge
    # the address the login throttle counts failures by. Empty: the socket's address, always.
    os.environ["FORWARDED_ALLOW_IPS"] = settings.server.trusted_proxies  # uvicorn reads it: qa's setting decides
    # Gradio's own server (its threads, its signal handling); the JSON route joins its app once up.
    pages = PageViews(engine)
    blocks = build_app(engine, pages).queue(default_concurrency_limit=1)
    # Gradio's own limit refuses a file with a passing toast in English and drops the whole batch; a
    # file up to four times the upload limit reaches qa, which refuses it in the reader's words, on
    # screen, beside the others (past that, Gradio still stops a runaway upload before the disk).
    app, _, _ = blocks.launch(
        server_name=host, server_port=port, share=False, css=CSS, head=HEAD, i18n=gr.I18n(**GRADIO_STRINGS),
        max_file_size=f"{UPLOAD_HEADROOM * MAX_UPLOAD_MB}mb",
        auth=credentials, footer_links=["api"], prevent_thread_lock=True, quiet=True,  # no public-link hint
        app_kwargs={"middleware": [Middleware(LoginThrottle, failures={**LOGIN, **WRONG_KEY})]},
    )
    add_ask_route(app, engine, credentials)
    add_page_route(app, pages, credentials)
    add_openai_routes(app, engine, credentials)
    print(f"qa: serving on http://{host}:{port} (JSON: POST {ASK_ROUTE}; OpenAI-compatible: "
          f"{host}:{port}/v1)", file=sys.stderr)
    blocks.block_thread()
    return 0
