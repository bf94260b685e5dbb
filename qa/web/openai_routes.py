"""OpenAI-compatible chat on ``qa serve``: ``GET /v1/models`` and ``POST /v1/chat/completions``, so
Open WebUI, LibreChat, a notebook with the ``openai`` SDK, or any client of that API can ask qa.

The model is ``qa``. The last user message is the question; the earlier user messages are the
chat's history, for follow-ups. The reply's content is the answer with its [n] markers and a
reference list (file, page or lines, the quoted sentence), as the page's "Copy with references"
writes it. Clients that read more find the answer's JSON (``qa ask --json``: verdict, supported,
language, citations with their text and offsets) in the extra field ``qa``. ``stream: true`` sends
the same content as server-sent events in the OpenAI chunk format (the answer is extractive and
ready at once; streaming exists for clients that always ask for it). Errors use OpenAI's error
object; with a password set, the key is the password (``Authorization: Bearer …``).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from qa.api import MAX_K, Engine, valid_k
from qa.errors import InputError, QAError
from qa.types import Answer
from qa.web.cards import Locate, answer_markdown, labels_for
from qa.web.http import BodyError, add_first, authorised, read_text

MODEL = "qa"
MODELS_ROUTE = "/v1/models"
CHAT_ROUTE = "/v1/chat/completions"
MAX_BODY_BYTES = 262_144  # a long chat's history of questions (each turn is cut at qa.api.MAX_TURN_CHARS)
STREAM_PIECE_WORDS = 8  # words per streamed chunk: small enough to show progress, few events


def error(message: str, status: int, code: str | None = None, param: str | None = None) -> JSONResponse:
    """OpenAI's error object, which its clients turn into their own exceptions."""
    kind = {401: "authentication_error", 404: "not_found_error", 413: "invalid_request_error",
            503: "server_error"}.get(status, "invalid_request_error")
    return JSONResponse({"error": {"message": message, "type": kind, "param": param, "code": code}},
                        status_code=status, headers={"WWW-Authenticate": "Bearer"} if status == 401 else None)


def _text(content: object) -> str | None:
    """A message's text: a string, or a list of parts whose ``text`` parts count."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [part.get("text") for part in content if isinstance(part, dict) and part.get("type") == "text"]
        if all(isinstance(part, str) for part in parts):
            return "\n".join(parts)  # type: ignore[arg-type]
    return None


def parse(body: object) -> tuple[str, list[str], int | None, bool]:
    """(question, earlier user questions, k, stream) from a chat-completions request; InputError
    names what is wrong, as OpenAI's own validation would."""
    if not isinstance(body, dict):
        raise InputError("send a JSON object with \"model\" and \"messages\"")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InputError('"messages" must be a non-empty list of {"role": ..., "content": ...}')
    asked: list[str] = []
    for message in messages:
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise InputError('each message must be an object with a "role" and a "content"')
        if message["role"] != "user":
            continue  # system prompts and earlier answers: qa answers from the sources alone
        text = _text(message.get("content"))
        if text is None:
            raise InputError("a user message's content must be text")
        asked.append(text)
    if messages[-1].get("role") != "user" or not asked or not asked[-1].strip():
        raise InputError("the last message must be the user's question, with text")
    k = body.get("k")
    if k is not None and not valid_k(k):
        raise InputError(f'"k" must be a whole number from 1 to {MAX_K}')
    return asked[-1], [turn for turn in asked[:-1] if turn.strip()], k, body.get("stream") is True


def content(answer: Answer, locate: Locate) -> str:
    return answer_markdown(answer, labels_for("auto", answer.language, answer.script), locate, question=False)


def completion(answer: Answer, locate: Locate, ident: str, created: int) -> dict[str, Any]:
    return {"id": ident, "object": "chat.completion", "created": created, "model": MODEL,
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": content(answer, locate), "refusal": None}}],
            # qa spends no tokens; zeros rather than null for clients that add usage up.
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}, "qa": answer.to_json()}


def chunks(answer: Answer, locate: Locate, ident: str, created: int) -> Iterator[str]:
    """Server-sent events: the role, the content a few words at a time, the finish with the
    answer's JSON, then ``[DONE]``."""

    def event(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        chunk = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": MODEL,
                 "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra}
        return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    words = content(answer, locate).split(" ")
    for start in range(0, len(words), STREAM_PIECE_WORDS):
        piece = " ".join(words[start : start + STREAM_PIECE_WORDS])
        yield event({"content": piece if start == 0 else " " + piece})
    yield event({}, "stop", qa=answer.to_json())
    yield "data: [DONE]\n\n"


def add_openai_routes(app: FastAPI, engine: Engine, credentials: tuple[str, str] | None) -> None:
    def refused(request: Request) -> JSONResponse | None:
        if authorised(request.headers.get("authorization"), credentials):
            return None
        return error("a valid API key is required: the server's password, as the Bearer key", 401,
                     "invalid_api_key")

    async def models(request: Request) -> Response:
        return refused(request) or JSONResponse({"object": "list", "data": [
            {"id": MODEL, "object": "model", "created": 0, "owned_by": "qa"}]})

    async def chat(request: Request) -> Response:
        if (refusal := refused(request)) is not None:
            return refusal
        try:
            body = json.loads(await read_text(request, MAX_BODY_BYTES))
        except BodyError as problem:
            return error(str(problem), problem.status)
        except (ValueError, RecursionError):
            return error("the request body is not JSON", 400)
        if isinstance(body, dict) and body.get("model") not in (None, MODEL):
            return error(f"The model {str(body.get('model'))[:80]!r} does not exist: this server offers {MODEL!r}",
                         404, "model_not_found", "model")
        try:
            question, history, k, stream = parse(body)
            # The engine blocks (the encoder): in the thread pool, where simultaneous questions batch.
            answer = await run_in_threadpool(partial(engine.ask, question, k, history=history))
        except InputError as problem:
            return error(str(problem), 400)
        except QAError as problem:
            return error(str(problem), 503)
        ident, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if stream:
            return StreamingResponse(chunks(answer, engine.lines_of, ident, created), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache"})
        # The references' lines read the cited files: in the thread pool too, off the event loop.
        return JSONResponse(await run_in_threadpool(completion, answer, engine.lines_of, ident, created))

    add_first(app, MODELS_ROUTE, models, "GET")
    add_first(app, CHAT_ROUTE, chat, "POST")
