"""The OpenAI-compatible routes as a chat client meets them: the official `openai` SDK against a
real `qa serve` (with a password, given as the API key), in English, Russian and Uzbek."""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from openai import OpenAI

from tests.serving import post_json, start_server

PASSWORD, USER = "right-horse", "doc"
QUESTIONS = {
    "en": "Which drug was tested in the HERMES trial?",
    "ru": "Какой препарат испытывали в исследовании HERMES?",
    "uz": "HERMES тадқиқотида қайси препарат синовдан ўтказилган?",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, corpus_index: Path) -> Iterator[dict]:
    process, info = start_server(tmp_path_factory.mktemp("openai"), corpus_index,
                                 {"QA_PASSWORD": PASSWORD, "QA_USER": USER})
    yield info
    process.terminate()
    process.wait(timeout=30)


def client(server: dict, key: str = PASSWORD) -> OpenAI:
    return OpenAI(base_url=f"{server['url']}/v1", api_key=key, max_retries=0, timeout=120)


def test_chat_completions_answer_with_citations_in_three_languages(server: dict) -> None:
    chat = client(server)
    assert [model.id for model in chat.models.list()] == ["qa"]
    for language, question in QUESTIONS.items():
        reply = chat.chat.completions.create(model="qa", messages=[{"role": "user", "content": question}])
        text = reply.choices[0].message.content or ""
        data = (reply.model_extra or {})["qa"]
        assert reply.choices[0].finish_reason == "stop" and reply.model == "qa"
        assert data["language"] == language and data["supported"] is (data["verdict"] == "answered")
        assert data["verdict"] != "not_found"
        assert "ziltivekimab" in data["answer"] and "[1]" in text and text.startswith(data["answer"])
        cited = {c["source"] for c in data["citations"]}
        assert cited and all(source in text for source in cited), "the reference list names each source"
        # The same server's JSON route gives the very same citations.
        status, same, _ = post_json(server["url"], json.dumps({"question": question}).encode(), (USER, PASSWORD))
        assert status == 200 and same["citations"] == data["citations"]

        # Streaming yields the same text, chunk by chunk, and the answer's JSON at the end.
        pieces, extras = [], []
        for chunk in chat.chat.completions.create(model="qa", messages=[{"role": "user", "content": question}],
                                                  stream=True):
            pieces.append(chunk.choices[0].delta.content or "")
            extras.append((chunk.model_extra or {}).get("qa"))
        assert len(pieces) > 3 and "".join(pieces) == text
        assert extras[-1] == data and all(extra is None for extra in extras[:-1])


def test_a_follow_up_reads_the_earlier_user_messages(server: dict) -> None:
    messages = [{"role": "system", "content": "Answer briefly."},
                {"role": "user", "content": QUESTIONS["en"]},
                {"role": "assistant", "content": "ziltivekimab [1]"},
                {"role": "user", "content": [{"type": "text", "text": "Did it lower CRP?"}]}]
    reply = client(server).chat.completions.create(model="qa", messages=messages)  # type: ignore[arg-type]
    data = (reply.model_extra or {})["qa"]
    assert data["carried"], "the follow-up took the earlier question's key terms"
    assert any("CRP" in c["text"] and "HERMES" in c["text"] for c in data["citations"])


def test_errors_come_in_the_openai_format(server: dict) -> None:
    chat = client(server)
    with pytest.raises(openai.NotFoundError, match="does not exist"):
        chat.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "What is IL-6?"}])
    with pytest.raises(openai.BadRequestError, match="last message"):
        chat.chat.completions.create(model="qa", messages=[{"role": "assistant", "content": "Hello"}])
    with pytest.raises(openai.BadRequestError, match="question is empty|no letters"):
        chat.chat.completions.create(model="qa", messages=[{"role": "user", "content": " ?? "}])


def test_refused_without_the_key(server: dict) -> None:
    # After each failure the throttle makes the next attempt wait (1 s, then 2 s), in OpenAI's format.
    with pytest.raises(openai.AuthenticationError, match="API key"):
        client(server, "wrong-horse").chat.completions.create(
            model="qa", messages=[{"role": "user", "content": QUESTIONS["en"]}])
    with pytest.raises(openai.RateLimitError, match="Too many failed logins") as waited:
        client(server, "another-guess").models.list()
    assert waited.value.response.headers["retry-after"] == "1"
    time.sleep(1.2)
    request = urllib.request.Request(f"{server['url']}/v1/models")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    assert refused.value.code == 401 and json.loads(refused.value.read())["error"]["code"] == "invalid_api_key"
    time.sleep(2.2)
    # HTTP Basic with the page's user and password works as well.
    basic = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    request = urllib.request.Request(f"{server['url']}/v1/models", headers={"authorization": basic})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert json.loads(response.read())["data"][0]["id"] == "qa"
