"""What qa's own HTTP routes share: credentials (HTTP Basic with the page's user and password, or
the password as a Bearer key, as OpenAI clients send theirs), a request body read no further than a
limit, and a place ahead of Gradio's routes."""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response


def add_first(app: FastAPI, path: str, endpoint: Callable[..., Awaitable[Response]], method: str) -> None:
    """A route on the running Gradio app, ahead of Gradio's own (before any catch-all of theirs)."""
    app.add_api_route(path, endpoint, methods=[method], include_in_schema=False)
    app.router.routes.insert(0, app.router.routes.pop())


def _same(given: str, expected: str) -> bool:
    # As bytes (any alphabet), in constant time: the answer must not leak how much was right.
    return secrets.compare_digest(given.encode(), expected.encode())


def authorised(header: str | None, credentials: tuple[str, str] | None) -> bool:
    """Whether an ``Authorization`` header carries the credentials (always, without any):
    ``Basic`` with the user and password, or ``Bearer`` with the password."""
    if credentials is None:
        return True
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() == "bearer":
        return _same(value.strip(), credentials[1])
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    # Both compared: the answer must not leak which of the two was wrong.
    return _same(user, credentials[0]) & _same(password, credentials[1])


class BodyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def read_text(request: Request, limit: int) -> str:
    """The request body as text, read no further than ``limit`` bytes; ``BodyError`` (413 or 400)."""
    raw = b""
    async for part in request.stream():
        raw += part
        if len(raw) > limit:
            raise BodyError(413, f"request body over {limit} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError(400, "the request body is not UTF-8") from None
