"""Milvus as the index backend, on the real model and a real milvus-lite (in-process, and as a
gRPC server reached over ``milvus://``): answers identical to FAISS, incremental updates by file,
the alias switch as the commit point of a rebuild, and clear errors."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ROOT

from qa.api import Engine, open_engine
from qa.ingest.build import build
from qa.model.embed import Embedder
from qa.settings import Settings
from qa.store.factory import open_index
from qa.store.folder import Index
from qa.store.milvus_read import MilvusIndex, connect
from tests.serving import free_port, post_json, start_server

QA = str(Path(sys.executable).parent / "qa")
# Questions of every kind the engine answers differently: each language variant, answerable,
# near-topic, unrelated, follow-up wording, a question no gram of which is in the corpus.
QUESTIONS = [
    "Did ziltivekimab reduce CRP in the HERMES trial?",
    "Какой препарат испытывали в исследовании HERMES?",
    "HERMES тадқиқотида қайси дори синовдан ўтказилган?",
    "HERMES tadqiqotida qaysi dori sinovdan o'tkazilgan?",
    "How does IL-6 promote myocardial fibrosis?",
    "Через какой рецептор действует ИЛ-6?",
    "Yurak yetishmovchiligida IL-6 darajasi qanday o'zgaradi?",
    "Which company manufactures ziltivekimab?",
    "Do statins lower IL-6 in heart failure?",
    "What is the boiling point of mercury?",
    "Who are the authors of the review on IL-6 in cardiogenic shock?",
    "Did it lower CRP?",
    "zzzz qqqq",
]


def _answers(engine: Engine) -> list[dict]:
    return [engine.ask(question).to_json() for question in QUESTIONS]


def test_answers_and_citations_are_identical_to_faiss(
    corpus_index: Path, milvus_corpus: Settings, settings: Settings, embedder: Embedder
) -> None:
    faiss = open_engine(corpus_index, settings, embedder)
    milvus = open_engine(None, milvus_corpus, embedder)
    assert isinstance(milvus.index, MilvusIndex) and isinstance(faiss.index, Index)
    assert len(milvus.index.chunks) == len(faiss.index.chunks)
    review = milvus.index.languages_of("il6-hfref-review.txt")  # its abstract in Russian and Uzbek beside the body
    assert review == faiss.index.languages_of("il6-hfref-review.txt") and set(review) == {"en", "ru", "uz"}
    assert review["en"] > 2 * (review["ru"] + review["uz"]) and milvus.index.languages_of("absent.txt") == {}
    assert _answers(milvus) == _answers(faiss)


def _env(uri: str) -> dict[str, str]:
    return {**os.environ, "QA_INDEX": uri, "QA_MILVUS_COLLECTION": "qa"}


def test_index_copied_with_to_answers_like_the_folder_and_the_cli_reads_it(
    tmp_path: Path, corpus_index: Path, settings: Settings, embedder: Embedder
) -> None:
    uri = f"milvus-lite://{tmp_path / 'copy.db'}"
    copied = subprocess.run([QA, "index", "--index", str(corpus_index), "--to", uri], capture_output=True, text=True)
    assert copied.returncode == 0, copied.stderr
    assert "copied" in copied.stdout
    asked = subprocess.run([QA, "ask", "--json", QUESTIONS[0]], capture_output=True, text=True, env=_env(uri))
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["supported"] and "reductions in CRP" in answer["answer"], answer["answer"]
    faiss = open_engine(corpus_index, settings, embedder)
    milvus = open_engine(None, replace(settings, index_uri=uri), embedder)
    assert _answers(milvus) == _answers(faiss)


NOTES = {
    "malaria.txt": "Malaria is spread by the bite of infected Anopheles mosquitoes. Artemisinin-based "
                   "combination therapy is the first-line treatment of uncomplicated falciparum malaria.",
    "burns.txt": "Cool a burn under cool running water for twenty minutes. Do not apply ice or butter.",
    "gout.txt": "Gout attacks are treated with colchicine or a short course of an anti-inflammatory drug.",
}


def test_incremental_update_deletes_and_inserts_by_file(tmp_path: Path, settings: Settings,
                                                        embedder: Embedder) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in NOTES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    local = replace(settings, corpus_dir=corpus, index_uri=f"milvus-lite://{tmp_path / 'notes.db'}")
    build(local, embedder, corpus, local.index_dir)
    client = connect(local.index_uri)
    live = client.describe_alias(Settings.from_env().milvus.collection)["collection_name"]
    first = open_index(local)
    assert isinstance(first, MilvusIndex)
    malaria_ids = _ids_of(first, "malaria.txt")

    (corpus / "burns.txt").unlink()
    gout = "Gout is treated with allopurinol to lower uric acid over months."
    (corpus / "gout.txt").write_text(gout, encoding="utf-8")
    (corpus / "rabies.txt").write_text("Rabies is prevented after a bite by washing the wound and vaccination.",
                                       encoding="utf-8")
    report = build(local, embedder, corpus, local.index_dir)
    assert (report.added, report.updated, report.removed) == (["rabies.txt"], ["gout.txt"], ["burns.txt"])
    alias = Settings.from_env().milvus.collection
    assert client.describe_alias(alias)["collection_name"] == live  # updated in place, not rebuilt
    index = open_index(local)
    assert isinstance(index, MilvusIndex)
    assert set(index.files) == {"malaria.txt", "gout.txt", "rabies.txt"}
    assert index.count_source("burns.txt") == 0 and index.count_source("rabies.txt") == 1
    assert _ids_of(index, "malaria.txt") == malaria_ids  # untouched rows
    engine = Engine(index, embedder, local)
    assert engine.ask("How is gout treated?").citations[0].text.startswith("Gout is treated with allopurinol")
    assert engine.ask("How is rabies prevented after a bite?").citations[0].source == "rabies.txt"
    assert all(c.source != "burns.txt" for c in engine.ask("How should a burn be cooled?").citations)


def _ids_of(index: MilvusIndex, source: str) -> list[int]:
    return sorted(int(row["id"]) for row in index.scan(["source"]) if row["source"] == source)


def test_sigkill_during_a_rebuild_leaves_the_previous_collection_answering(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    database = tmp_path / "live.db"
    env = _env(f"milvus-lite://{database}")
    first = subprocess.run([QA, "index", "--corpus", str(corpus)], capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stderr
    live = {p.name for p in (database / "collections").iterdir()}
    assert len(live) == 1
    rebuild = subprocess.Popen([QA, "index", "--rebuild", "--corpus", str(corpus)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while rebuild.poll() is None and time.monotonic() < deadline:
        # The new collection exists (milvus-lite has written its schema and manifest) and is being
        # written. A kill before that lands inside milvus-lite's own create, which leaves a bare
        # folder that no Milvus client lists, so no build could drop it.
        new = {p for p in (database / "collections").iterdir() if p.name not in live}
        if any((p / "schema.json").exists() and (p / "manifest.json").exists() for p in new):
            rebuild.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    rebuild.wait()
    assert rebuild.returncode == -signal.SIGKILL, "the rebuild ended before it could be killed mid-write"
    asked = subprocess.run([QA, "ask", "--json", QUESTIONS[0]], capture_output=True, text=True, env=env)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["supported"] and "reductions in CRP" in answer["answer"], answer["answer"]
    again = subprocess.run([QA, "index", "--rebuild", "--corpus", str(corpus)], capture_output=True, text=True,
                           env=env)
    assert again.returncode == 0, again.stderr
    left = {p.name for p in (database / "collections").iterdir()}
    assert len(left) == 1 and not left & live  # the new build is live; the killed one's collection is gone


def test_a_milvus_server_over_grpc_answers_like_faiss(
    tmp_path: Path, corpus_index: Path, settings: Settings, embedder: Embedder
) -> None:
    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).parent / "milvus-lite"), "server", "--data-dir",
                               str(tmp_path / "server"), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        uri = f"milvus://127.0.0.1:{port}"
        for _ in range(200):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        copied = subprocess.run([QA, "index", "--index", str(corpus_index), "--to", uri], capture_output=True,
                                text=True)
        assert copied.returncode == 0, copied.stderr
        milvus = open_engine(None, replace(settings, index_uri=uri), embedder)
        assert _answers(milvus)[:4] == _answers(open_engine(corpus_index, settings, embedder))[:4]
    finally:
        server.kill()
        server.wait()


@pytest.mark.parametrize(("uri", "message"), [
    ("milvus://127.0.0.1:9", "cannot reach Milvus at milvus://127.0.0.1:9"),
    ("milvus-lite://{tmp}/empty.db", "no qa index in Milvus"),
])
def test_unreachable_server_and_missing_collection_name_the_problem(tmp_path: Path, uri: str, message: str) -> None:
    asked = subprocess.run([QA, "ask", "What is IL-6?"], capture_output=True, text=True,
                           env=_env(uri.format(tmp=tmp_path)), timeout=120)
    assert asked.returncode == 1
    assert message in asked.stderr and "Traceback" not in asked.stderr


def test_to_without_a_milvus_address_is_a_usage_error(corpus_index: Path) -> None:
    done = subprocess.run([QA, "index", "--index", str(corpus_index), "--to", "/tmp/somewhere"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "needs a Milvus address" in done.stderr


def test_the_server_indexes_into_milvus_and_answers_over_http(tmp_path: Path, corpus_index: Path) -> None:
    uri = f"milvus-lite://{tmp_path / 'served.db'}"
    process, info = start_server(tmp_path, corpus_index, env={"QA_INDEX": uri})
    try:
        # The page answers a moment before the JSON route joins the app; the log says when it has.
        deadline = time.monotonic() + 120
        while "serving on" not in (tmp_path / "server.log").read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        status, answer, _ = post_json(info["url"], json.dumps({"question": QUESTIONS[1]}).encode())
        assert status == 200, answer
        assert answer["verdict"] != "not_found" and answer["language"] == "ru" and answer["citations"]
        sources = {c["source"] for c in answer["citations"]}
        assert sources <= {p.name for p in info["corpus"].iterdir()}
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert len(list((tmp_path / "served.db" / "collections").iterdir())) == 1  # indexed into Milvus at start


IDLE = """
import sys, time
from qa.store.milvus_read import connect
client = connect(sys.argv[1])
client.load_collection("qa")
assert client.query("qa", filter="id in [0]", output_fields=["source"])
time.sleep(float(sys.argv[2]))
assert client.query("qa", filter="id in [0]", output_fields=["source"])
print("answered after the idle time")
"""


def test_an_idle_connection_is_not_dropped_for_pinging(tmp_path: Path, corpus_index: Path) -> None:
    """pymilvus's default keepalive pings an idle connection every 10 s; milvus-lite's gRPC server
    answers with GOAWAY "too_many_pings" after about 90 s, and a page left idle lost its index."""
    uri = f"milvus-lite://{tmp_path / 'idle.db'}"
    copied = subprocess.run([QA, "index", "--index", str(corpus_index), "--to", uri], capture_output=True, text=True)
    assert copied.returncode == 0, copied.stderr
    idle = subprocess.run([sys.executable, "-c", IDLE, uri, "150"], capture_output=True, text=True, timeout=600)
    assert idle.returncode == 0 and "answered after the idle time" in idle.stdout, idle.stderr[-2000:]
    assert "too_many_pings" not in idle.stderr
