"""Failed logins cost time: an ASGI middleware in front of Gradio's ``/login`` (and the JSON
route's HTTP Basic check, qa.web.server).

After a client's n-th failed login in a row, its next attempt is refused (HTTP 429, with
Retry-After) until ``base × 2^(n-1)`` seconds have passed, capped at ``cap``; a successful login
clears the count. 300 guesses, which took 0.4 s, now take hours. Clients are told apart by address.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
LOGIN = {"POST /login": frozenset({400, 401, 403})}  # Gradio answers a wrong password with 400


class LoginThrottle:
    def __init__(self, app: ASGIApp, base: float = 1.0, cap: float = 300.0, clients: int = 10_000,
                 failures: Mapping[str, frozenset[int]] = LOGIN) -> None:
        # "METHOD /path" → the response statuses that are a failed attempt there (a 400 from the
        # JSON route is a malformed question, not a wrong password)
        self.app, self.base, self.cap, self.clients, self.failures = app, base, cap, clients, failures
        self._failures: dict[str, tuple[int, float]] = {}  # client → (failures in a row, locked until)
        self._lock = threading.Lock()

    def delay(self, failures: int) -> float:
        return min(self.cap, self.base * 2 ** (failures - 1)) if failures else 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = f"{scope['method']} {scope['path'].rstrip('/')}" if scope["type"] == "http" else ""
        if route not in self.failures:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        with self._lock:
            failures, until = self._failures.get(client, (0, 0.0))
        wait = until - time.monotonic()
        if wait > 0:
            await _refuse(send, math.ceil(wait))
            return
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))
            await send(message)

        await self.app(scope, receive, watch)
        with self._lock:
            if status and status[0] < 300:
                self._failures.pop(client, None)
            elif status and status[0] in self.failures[route]:
                if len(self._failures) >= self.clients:  # bounded memory under a spray of addresses
                    self._failures.pop(next(iter(self._failures)))
                # Counted again now: attempts sent side by side each add one, not all the same one.
                failures = self._failures.get(client, (0, 0.0))[0] + 1
                self._failures[client] = (failures, time.monotonic() + self.delay(failures))


async def _refuse(send: Send, seconds: int) -> None:
    message = f"Too many failed logins: try again in {seconds} s."
    # Gradio's shape ("detail") and OpenAI's error object, for the clients of either.
    body = json.dumps({"detail": message, "error": {"message": message, "type": "rate_limit_error", "param": None,
                                                    "code": "rate_limit_exceeded"}}).encode()
    await send({"type": "http.response.start", "status": 429,
                "headers": [(b"content-type", b"application/json"), (b"retry-after", str(seconds).encode()),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
