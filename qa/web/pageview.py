"""The PDF page view: a cited page as an image with the cited sentences marked.

The sources panel gets a URL per PDF citation (``/api/page/<token>``); the image is rendered only
when a reader opens "Show in the document" (the <img> loads lazily), in the extraction sandbox,
from the very bytes that were indexed. A token is 128 random bits handed out with an answer, so
it is the permission to see that one page: a server with a login gives tokens only to logged-in
pages, and a token names no file a client could change.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from pathlib import Path

from qa.api import Engine
from qa.errors import ExtractionError
from qa.ingest.sandbox import Sandbox

ROUTE = "/api/page"
TOKENS = 4096  # pages offered to readers and not yet forgotten (oldest dropped first)
IMAGES = 64  # rendered pages kept: the same answer is often opened twice
TOKEN_SECONDS = 3600  # a page view's token expires an hour after its answer was given


class PageViews:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sandbox = Sandbox(engine.settings.limits)  # its own child: uploads extract in theirs
        self._lock = threading.Lock()  # one request at a time through the child's pipe
        self._offered: OrderedDict[str, tuple[str, int, tuple[str, ...], float]] = OrderedDict()
        self._images: OrderedDict[tuple[str | None, int, tuple[str, ...]], bytes] = OrderedDict()

    def offer(self, source: str, page: int, phrases: tuple[str, ...]) -> str:
        """The URL of the page's image, with ``phrases`` (the cited sentences) marked."""
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._offered[token] = (source, page, phrases, time.monotonic() + TOKEN_SECONDS)
            while len(self._offered) > TOKENS:
                self._offered.popitem(last=False)
        return f"{ROUTE}/{token}"

    def image(self, token: str) -> bytes | None:
        """The PNG behind ``token``; None if the token is unknown or expired, or the file changed
        since indexing."""
        with self._lock:
            key = self._offered.get(token)
        if key is None or key[3] < time.monotonic():
            return None
        source, page, phrases, _ = key
        data = self.engine.indexed_bytes(source)
        if isinstance(data, str):
            return None
        version = (self.engine.index.file_hash(source), page, phrases)  # a re-indexed file renders anew
        with self._lock:
            if version in self._images:
                self._images.move_to_end(version)
                return self._images[version]
            try:
                png = self._sandbox.render_page(data, page, phrases, Path(source).suffix.lower())
            except ExtractionError:
                return None
            self._images[version] = png
            while len(self._images) > IMAGES:
                self._images.popitem(last=False)
        return png
