"""`qa mcp` as an MCP client meets it: the official `mcp` client SDK starts the real command over
stdio, lists its tools and calls them on a real index; the citations match `qa ask --json`."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.client.stdio import StdioServerParameters

QUESTIONS = [
    "Which drug was tested in the HERMES trial?",
    "Какой препарат испытывали в исследовании HERMES?",
    "HERMES тадқиқотида қайси препарат синовдан ўтказилган?",
]
CACHE_VARIABLES = ("QA_CACHE_DIR", "XDG_CACHE_HOME")
SAME = ("n", "source", "start", "end", "line_start", "line_end", "language", "text")


def session(corpus_index: Path, env: dict[str, str] | None = None) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "qa.cli", "mcp", "--index", str(corpus_index), "--corpus", str(corpus_index.parent / "corpus")],
        # The MCP client passes on only HOME, PATH and the like: the model cache goes along by name.
        env={"QA_PASSWORD": "", "QA_API_KEY": "", **{name: os.environ[name] for name in CACHE_VARIABLES
                                                       if name in os.environ}, **(env or {})},
    )


async def _calls(params: StdioServerParameters, calls: list[tuple[str, dict[str, Any]]]) -> tuple[set[str], list]:
    async with Client(params, read_timeout_seconds=300) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        return tools, [await client.call_tool(name, arguments) for name, arguments in calls]


def calls(params: StdioServerParameters, *requests: tuple[str, dict[str, Any]]) -> tuple[set[str], list]:
    return asyncio.run(_calls(params, list(requests)))


def cli_answers(corpus_index: Path, questions: list[str], tmp_path: Path) -> list[dict]:
    file = tmp_path / "questions.txt"
    file.write_text("\n".join(questions) + "\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "--index", str(corpus_index), "--json",
                             "--questions", str(file)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_mcp_ask_gives_the_citations_of_the_cli(corpus_index: Path, tmp_path: Path) -> None:
    tools, results = calls(session(corpus_index), *(("ask", {"question": q}) for q in QUESTIONS),
                           ("ask", {"question": "Did it lower CRP?", "history": [QUESTIONS[0]], "k": 3}))
    assert tools == {"ask", "search", "context"}
    expected = cli_answers(corpus_index, QUESTIONS, tmp_path)
    for result, cli in zip(results, expected, strict=False):
        assert not result.is_error, result.content
        got = result.structured_content
        assert (got["question"], got["language"], got["verdict"], got["supported"]) == (
            cli["question"], cli["language"], cli["verdict"], cli["supported"])
        assert got["verdict"] != "not_found" and "ziltivekimab" in got["answer"]
        def same(answer: dict) -> list[list]:
            return [[c[key] for key in SAME] for c in answer["citations"]]

        assert same(got) == same(cli)
        # The MCP server encodes questions with ONNX Runtime, the one-shot CLI with torch.
        for mine, theirs in zip(got["citations"], cli["citations"], strict=True):
            assert abs(mine["score"] - theirs["score"]) <= 2e-3
        text = result.content[0].text
        assert "[1]" in text and "il6-hfref-review.txt" in text, "the text carries markers and references"
    follow_up = results[-1].structured_content
    assert follow_up["carried"] and len(follow_up["citations"]) == 3
    assert any("CRP" in c["text"] for c in follow_up["citations"])


def test_mcp_search_and_context_read_the_corpus_file(corpus_index: Path) -> None:
    corpus = corpus_index.parent / "corpus"
    _, (found,) = calls(session(corpus_index), ("search", {"query": "HERMES ziltivekimab", "k": 2}))
    passages = found.structured_content["passages"]
    assert [p["rank"] for p in passages] == [1, 2]
    best = passages[0]
    where = {"source": best["source"], "start": best["start"], "end": best["end"]}
    _, (shown, outside, bad_k, other_version, bad_hash) = calls(
        session(corpus_index),
        ("context", {**where, "chars": 40, "sha256": best["sha256"]}),
        ("context", {"source": "../../etc/passwd", "start": 0, "end": 10}),
        ("ask", {"question": "What is IL-6?", "k": 0}),
        ("context", {**where, "sha256": "0" * 64}),
        ("context", {**where, "sha256": "abc"}))
    text = (corpus / best["source"]).read_text(encoding="utf-8")
    context = shown.structured_content
    assert context["cited"] == text[best["start"]:best["end"]] and "HERMES" in context["cited"]
    assert context["before"] == text[best["start"] - 40:best["start"]]
    assert outside.is_error and "leaves the corpus folder" in outside.content[0].text
    assert bad_k.is_error and "k must be" in bad_k.content[0].text
    # A citation of another version of the file (re-indexed since): its offsets are not trusted.
    assert other_version.is_error and "changed since it was indexed" in other_version.content[0].text
    assert bad_hash.is_error and "64 hexadecimal digits" in bad_hash.content[0].text


def test_mcp_refuses_without_the_key_when_a_password_is_set(corpus_index: Path) -> None:
    locked = {"QA_PASSWORD": "right-horse"}
    answerable = "Did ziltivekimab reduce CRP in the HERMES trial?"  # answered (tests/answer/test_verdict.py)
    _, (refused,) = calls(session(corpus_index, locked), ("ask", {"question": answerable}))
    assert refused.is_error and "QA_API_KEY" in refused.content[0].text
    assert refused.structured_content is None, "no answer leaks with the refusal"
    _, (wrong, ) = calls(session(corpus_index, {**locked, "QA_API_KEY": "wrong"}),
                         ("search", {"query": "HERMES"}))
    assert wrong.is_error
    _, (allowed,) = calls(session(corpus_index, {**locked, "QA_API_KEY": "right-horse"}),
                          ("ask", {"question": answerable}))
    assert not allowed.is_error and allowed.structured_content["verdict"] == "answered"
