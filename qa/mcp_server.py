"""``qa mcp``: qa as a Model Context Protocol server over stdio, for desktop assistants and agents.

Three read-only tools (none changes the corpus or the index):
- ``ask``: question, optional history (earlier questions, for follow-ups) and ``k``. The text is the
  answer with its [n] markers and references, as "Copy with references" writes it; the structured
  result is the object ``qa ask --json`` prints (verdict, supported, language, citations with
  their text and offsets).
- ``search``: the passages alone, best first.
- ``context``: the original text around a citation's offsets, read from the corpus file, as "Show
  in the document" does.

stdout carries the protocol; anything else goes to stderr. With ``$QA_PASSWORD`` set, every tool
asks for ``$QA_API_KEY`` (the same password) in the environment the client starts it with.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
from typing import Any

import mcp_types as types
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from qa.api import MAX_K, Engine, valid_k
from qa.errors import QAError
from qa.settings import AccessSettings
from qa.web.cards import answer_markdown, labels_for

READ_ONLY = types.ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                                  open_world_hint=False)
INSTRUCTIONS = (
    "qa answers medical questions in English, Russian or Uzbek (Cyrillic or Latin) from a fixed corpus of "
    "documents, quoting their sentences with [n] citations. Call `ask` with the user's question. Its "
    "`verdict` says whether the sources answer it (`answered`), only discuss the topic (`related`) or do "
    "not (`not_found`): report that verdict, do not add facts the citations do not state."
)


def _key_check(access: AccessSettings) -> None:
    if access.password and not secrets.compare_digest(access.api_key.encode(), access.password.encode()):
        raise ToolError("this qa index is password-protected: set QA_API_KEY to its password in the "
                        "environment of the MCP server (the client's server configuration)")


def _k(k: int | None) -> int | None:
    if k is not None and not valid_k(k):
        raise ToolError(f"k must be a whole number from 1 to {MAX_K}")
    return k


def build_server(engine: Engine, access: AccessSettings) -> MCPServer:
    server: MCPServer = MCPServer("qa", instructions=INSTRUCTIONS, log_level="WARNING")

    @server.tool(annotations=READ_ONLY)
    def ask(question: str, history: list[str] | None = None, k: int | None = None) -> types.CallToolResult:
        """Answer a question from the corpus with cited sentences. `history`: the chat's earlier
        questions, oldest first, so a follow-up ("did it lower CRP?") is read with them. `k`: passages
        to cite (default 5)."""
        _key_check(access)
        try:
            answer = engine.ask(question, _k(k), history=history or [])
        except QAError as error:  # bad input, or an index that cannot be read: said, never a traceback
            raise ToolError(str(error)) from None
        text = answer_markdown(answer, labels_for("auto", answer.language, answer.script), engine.lines_of,
                               question=False)
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)],
                                    structured_content=answer.to_json())

    @server.tool(annotations=READ_ONLY)
    def search(query: str, k: int | None = None) -> types.CallToolResult:
        """The passages of the corpus closest to a query, best first, without composing an answer."""
        _key_check(access)
        try:
            passages = engine.search(query, _k(k))
        except QAError as error:
            raise ToolError(str(error)) from None
        rows: list[dict[str, Any]] = []
        for rank, passage in enumerate(passages, 1):
            chunk = passage.chunk
            row = {"rank": rank, "source": chunk.source, "start": chunk.start, "end": chunk.end,
                   "line_start": chunk.line_start, "line_end": chunk.line_end, "language": chunk.language,
                   "score": round(passage.score, 4), "text": chunk.text}
            if (sha256 := engine.index.file_hash(chunk.source)) is not None:
                row["sha256"] = sha256
            if chunk.page is not None:
                row["page"] = chunk.page
            rows.append(row)
        return types.CallToolResult(content=[types.TextContent(type="text", text=json.dumps(rows, ensure_ascii=False))],
                                    structured_content={"passages": rows})

    @server.tool(annotations=READ_ONLY)
    def context(source: str, start: int, end: int, chars: int | None = None,
                sha256: str | None = None) -> dict[str, Any]:
        """The original text around a citation (its `source`, `start` and `end` from `ask` or `search`),
        read from the corpus file itself, to check the excerpt against the document. `chars`: how much
        text to show on each side (default 700). `sha256`: the citation's, so that a file re-indexed
        since the answer is refused rather than shown at offsets that now point at other text."""
        _key_check(access)
        if start < 0 or end < start or (chars is not None and not 0 <= chars <= 20_000):
            raise ToolError("need 0 <= start <= end, and chars from 0 to 20000")
        if sha256 is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
            raise ToolError("sha256 must be the citation's: 64 hexadecimal digits")
        found = engine.context(source, start, end, chars, sha256)
        if not found.available:
            raise ToolError(f"cannot show {source}: {_REASONS.get(found.reason or '', found.reason)}")
        return {"source": source, "before": found.before, "cited": found.span, "after": found.after}

    return server


_REASONS = {
    "outside": "the name leaves the corpus folder",
    "missing": "the file is no longer in the corpus folder",
    "removed": "the document was removed from the corpus",
    "unreadable": "the file cannot be read",
    "changed": "the file changed since it was indexed, so the offsets no longer apply",
    "offsets": "the offsets are past the end of the text",
}


def run(engine: Engine, access: AccessSettings) -> int:
    print("qa: MCP server on stdio (tools: ask, search, context)", file=sys.stderr)
    # The SDK's log handler would pass on the lexical index's debug lines to the client's log.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    build_server(engine, access).run("stdio")
    return 0
