"""What a hostile corpus, a spoofed header and a typo must not get through: a symlink out of the
corpus, forged X-Forwarded-For headers, page images without a login, telemetry, a missing corpus
folder, malformed requests and text that is no question (real files, a real server over HTTP)."""

from __future__ import annotations

import base64
import http.cookiejar
import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from qa.api import InputError, validate
from qa.ingest.read import read_corpus
from tests.serving import post_json, start_server

USER, PASSWORD = "doc", "right-horse"


def test_a_symlink_to_a_file_outside_the_corpus_is_skipped_with_its_reason(tmp_path: Path) -> None:
    corpus, outside = tmp_path / "corpus", tmp_path / "elsewhere"
    corpus.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("root:x:0:0:root:/root:/bin/bash", encoding="utf-8")
    (corpus / "note.txt").write_text("Measles is a viral disease.", encoding="utf-8")
    (corpus / "passwd.txt").symlink_to(outside / "secret.txt")
    (corpus / "same.txt").symlink_to(corpus / "note.txt")  # inside: the file is read once, as before
    found, skipped = read_corpus(corpus, 2**20)
    assert [source for _, source in found] == ["note.txt"]
    assert {s.source: s.reason for s in skipped} == {"passwd.txt": "symlink to a file outside the corpus"}
    found, _ = read_corpus(corpus, 2**20, outside_links=True)  # the explicit setting follows it
    assert "passwd.txt" in [source for _, source in found]


@pytest.mark.parametrize("text", ["a" * 5000, "???!!!aaaa", "жжжжжжж"])
def test_one_character_repeated_is_no_question(text: str) -> None:
    with pytest.raises(InputError):
        validate(text)
    assert validate("IL-6?") == "IL-6?"


def qa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True, text=True, timeout=300)


def test_the_cli_refuses_a_repeated_character_and_a_missing_corpus_folder(tmp_path: Path) -> None:
    result = qa("ask", "a" * 5000)
    assert result.returncode == 2 and "not text in any language" in result.stderr
    result = qa("serve", "--corpus", str(tmp_path / "typo"), "--port", "1")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [f"qa: corpus folder not found: {tmp_path / 'typo'}"]
    assert not (tmp_path / "typo").exists(), "the folder is not created"
    a_file = tmp_path / "note.txt"
    a_file.write_text("IL-6 rises in heart failure.\n", encoding="utf-8")
    result = qa("index", "--corpus", str(a_file), "--index", str(tmp_path / "index"))
    assert result.returncode == 2 and "is a file, not a folder" in result.stderr, result.stderr
    assert a_file.read_text(encoding="utf-8") == "IL-6 rises in heart failure.\n" and not (tmp_path / "index").exists()


def test_a_binary_questions_file_and_a_missing_eval_file_are_refused_in_one_line(tmp_path: Path) -> None:
    binary = tmp_path / "q.bin"
    binary.write_bytes(bytes(range(256)) * 40)
    result = qa("ask", "--questions", str(binary))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"qa: {binary} is not a text file (one question per line)"]
    result = qa("eval", "--qa", str(tmp_path / "missing.jsonl"))
    assert result.returncode == 2
    missing = tmp_path / "missing.jsonl"
    assert result.stderr.strip().splitlines() == [f"qa: cannot read {missing}: No such file or directory"]
    result = qa("eval", "--qa", str(binary))
    assert result.returncode == 2 and "is not UTF-8 text" in result.stderr and "Traceback" not in result.stderr


def basic() -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}


def get(url: str, headers: dict[str, str] | None = None, opener: urllib.request.OpenerDirector | None = None
        ) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def raw_post(url: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(f"{url}/api/ask", data=body,
                                     headers={"content-type": "application/json", **basic()})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_a_server_with_a_password(tmp_path: Path, corpus_index: Path) -> None:
    process, info = start_server(tmp_path, corpus_index, {"QA_PASSWORD": PASSWORD, "QA_USER": USER})
    url = info["url"]
    try:
        # No telemetry, no public-link hint.
        log = (tmp_path / "server.log").read_text()
        assert "share=True" not in log and "public link" not in log
        jar = http.cookiejar.CookieJar()
        session = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = urllib.parse.urlencode({"username": USER, "password": PASSWORD}).encode()
        with session.open(f"{url}/login", data=form, timeout=60) as response:
            assert response.status == 200
        status, config = get(f"{url}/config", opener=session)
        assert status == 200 and json.loads(config)["analytics_enabled"] is False

        # "k" in the body is honoured within 1-50, else refused; a body that is not UTF-8 is named.
        question = "Which drug was tested in the HERMES trial?"
        status, answer = raw_post(url, json.dumps({"question": question, "k": 2}).encode())
        assert status == 200 and len(answer["citations"]) == 2
        for k in (0, 51, "3", True):
            status, error = raw_post(url, json.dumps({"question": question, "k": k}).encode())
            assert status == 400 and '"k"' in error["error"], k
        status, error = raw_post(url, b'{"question": "\xff\xfe caf\xe9"}')
        assert status == 400 and "not UTF-8" in error["error"]

        # A page image needs the login as well as its token.
        status, answer = raw_post(url, json.dumps({"question": "What did the Zorva trial find on page two?"}).encode())
        assert status == 200
        assert get(f"{url}/api/page/any-token")[0] == 401, "no credentials"
        assert get(f"{url}/api/page/any-token", basic())[0] == 401, "no password guessing here, past the throttle"
        assert get(f"{url}/api/page/any-token", opener=session)[0] == 404, "logged in by cookie, unknown token"

        # gradio_client reads the same message for bad input; the log shows no traceback for it.
        from gradio_client import Client

        client = Client(url, auth=(USER, PASSWORD), verbose=False)
        for bad, message in (("   ", "the question is empty"), ("a" * 5000, "not text in any language")):
            with pytest.raises(Exception, match=message):
                client.predict(bad, api_name="/ask")
        with pytest.raises(Exception, match="history"):
            client.predict(question, 42, api_name="/ask")
        assert "Traceback" not in (tmp_path / "server.log").read_text()

        # Forged X-Forwarded-For headers from 127.0.0.1 do not escape the throttle: the address is the socket's.
        codes = []
        for i in range(4):
            request = urllib.request.Request(
                f"{url}/api/ask", data=json.dumps({"question": question}).encode(),
                headers={"content-type": "application/json", "x-forwarded-for": f"203.0.113.{i}",
                         "authorization": "Basic " + base64.b64encode(b"doc:wrong").decode()})
            try:
                urllib.request.urlopen(request, timeout=60)
                codes.append(200)
            except urllib.error.HTTPError as exc:
                codes.append(exc.code)
        assert codes[0] == 401 and 429 in codes[1:], codes
        assert post_json(url, json.dumps({"question": question}).encode())[0] in (401, 429)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_bad_line_of_a_questions_file_is_reported_and_the_others_answered(corpus_index: Path,
                                                                            tmp_path: Path) -> None:
    questions = tmp_path / "q.txt"
    questions.write_bytes(b"Which drug was tested in the HERMES trial?\n"
                          + b"What \xff\xfe is IL-6?\n" + "aaaaaaaa\nКакие клетки вырабатывают IL-6?\n".encode())
    result = qa("ask", "--index", str(corpus_index), "--json", "--questions", str(questions))
    assert result.returncode == 2, "bad input is signalled"
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row.get("line") for row in rows] == [1, 2, 3, 4], "answers and refusals alike name their line"
    assert rows[1]["error"] == "not UTF-8" and "not text in any language" in rows[2]["error"]
    assert "ziltivekimab" in rows[0]["answer"].lower() and rows[3]["citations"]
    assert f"{questions}:2: not UTF-8" in result.stderr and "Traceback" not in result.stderr


def test_a_waiting_build_says_that_it_waits(tmp_path: Path) -> None:
    import fcntl

    from qa.store.generations import LOCK, build_lock

    told: list[str] = []
    with open(tmp_path / LOCK, "w") as other:  # another build holds the folder
        fcntl.flock(other, fcntl.LOCK_EX)
        import threading

        def later() -> None:
            with build_lock(tmp_path, lambda: told.append("waiting")):
                told.append("built")

        worker = threading.Thread(target=later)
        worker.start()
        worker.join(timeout=2)
        assert told == ["waiting"], "told while the other build runs"
        fcntl.flock(other, fcntl.LOCK_UN)
    worker.join(timeout=10)
    assert told == ["waiting", "built"]
    with build_lock(tmp_path, lambda: told.append("waiting again")):
        pass
    assert told == ["waiting", "built"], "an idle folder is not announced"


def test_behind_a_trusted_proxy_each_forwarded_client_is_throttled_on_its_own(tmp_path: Path,
                                                                              corpus_index: Path) -> None:
    process, info = start_server(tmp_path, corpus_index, {"QA_PASSWORD": PASSWORD, "QA_USER": USER,
                                                          "QA_TRUSTED_PROXIES": "127.0.0.1"})

    def wrong(client: str) -> int:
        request = urllib.request.Request(
            f"{info['url']}/api/ask", data=b'{"question": "What is IL-6?"}',
            headers={"content-type": "application/json", "x-forwarded-for": client,
                     "authorization": "Basic " + base64.b64encode(b"doc:wrong").decode()})
        try:
            urllib.request.urlopen(request, timeout=60)
            return 200
        except urllib.error.HTTPError as exc:
            return exc.code

    try:
        assert wrong("203.0.113.9") == 401
        assert wrong("203.0.113.9") == 429, "the proxy's client is throttled"
        assert wrong("198.51.100.7") == 401, "another client behind the same proxy is not"
    finally:
        process.terminate()
        process.wait(timeout=30)
