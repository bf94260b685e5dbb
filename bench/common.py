"""Shared by the benchmarks: the dev corpus (seeds + every dev context as a file) and its index,
both kept in the per-user cache so reruns re-embed nothing; timing helpers."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from qa.api import Engine
from qa.ingest.build import build
from qa.model.embed import Embedder
from qa.settings import Settings
from qa.store.folder import Index

ROOT = Path(__file__).resolve().parent.parent


DATA = ROOT.parent / "shared" / "data"


def read_rows(name: str) -> list[dict]:
    """A dev set of ``../shared/data`` as a list of rows."""
    with open(DATA / name, encoding="utf-8") as rows:
        return [json.loads(line) for line in rows]


def make_corpus(folder: Path, distractors: bool) -> None:
    for seed in (ROOT / "corpus").iterdir():
        (folder / seed.name).write_bytes(seed.read_bytes())
    if not distractors:
        return
    for name in ("pubmedqa_dev.jsonl", "rumeddanet_dev.jsonl"):
        path = DATA / name
        if not path.exists():
            continue
        sub = folder / name.split("_")[0]
        sub.mkdir(exist_ok=True)
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            (sub / f"{row['id']}.txt").write_text(row["context"], encoding="utf-8")


def dev_index(settings: Settings, embedder: Embedder) -> tuple[Path, Index]:
    """Seeds + PubMedQA + RuMedDaNet contexts (one file each), indexed incrementally in the cache."""
    base = Settings.from_env().cache_dir / "bench"
    corpus, index = base / "dev-corpus", base / "dev-index"
    corpus.mkdir(parents=True, exist_ok=True)
    make_corpus(corpus, distractors=True)
    report = build(settings, embedder, corpus, index)
    print(f"dev corpus: {report.summary()}", file=sys.stderr)
    return corpus, Index.load(index, settings.vectors)


@contextmanager
def english_sentences_index(settings: Settings, embedder: Embedder, rows: list[dict]) -> Iterator[Index]:
    """A Tatoeba set's English sentences, one file each (``<id>.txt``), indexed in a temp folder."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus, folder = Path(tmp) / "corpus", Path(tmp) / "index"
        corpus.mkdir()
        for row in rows:
            (corpus / f"{row['id']}.txt").write_text(row["english"], encoding="utf-8")
        build(settings, embedder, corpus, folder)
        yield Index.load(folder, settings.vectors)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def p50_p95_ms(values: list[float]) -> tuple[float, float]:
    return statistics.median(values) * 1000, percentile(values, 0.95) * 1000


def has_data() -> bool:
    return (DATA / "pubmedqa_dev.jsonl").exists() and (DATA / "rumeddanet_dev.jsonl").exists()


def time_indexing(
    settings: Settings, embedder: Embedder, corpus: Path, folder: Path, repeat: int = 1
) -> tuple[int, float, float]:
    """(chunks, seconds for a from-scratch `build`, seconds for raw `model.encode` of the same texts);
    with ``repeat`` > 1 the two are timed alternately and each reported as its median, because on a
    shared 2-core machine one run of a few seconds varies by ±15%."""
    import time

    from qa.languages.detect import detect

    # One-time loads are excluded on both sides: the model is already loaded for the raw encode, so
    # warm it and the language identifiers (langdetect's profiles and py3langid's model take ~0.8 s
    # to load once per process, which would otherwise be a fifth of indexing the 39 shipped chunks).
    embedder.passages(["warm up"])
    detect("warm up the language identifiers")
    index_times, raw_times, chunks = [], [], 0
    for _ in range(repeat):
        began = time.perf_counter()
        chunks = build(settings, embedder, corpus, folder, rebuild=True).chunks
        index_times.append(time.perf_counter() - began)
        texts = [settings.passage_prefix + c.text for c in Index.load(folder).chunks]
        began = time.perf_counter()
        embedder.model.encode(texts, batch_size=16, normalize_embeddings=True)
        raw_times.append(time.perf_counter() - began)
    return chunks, statistics.median(index_times), statistics.median(raw_times)


def time_ask_vs_encode(engine: Engine, questions: list[str], repeat: int) -> tuple[list[float], list[float]]:
    """Per question, interleaved: one raw single-query `model.encode`, then one warm `engine.ask`."""
    import time

    for question in questions:  # warm: the lexical index is built on first use
        engine.ask(question)
    raw, ask = [], []
    for _ in range(repeat):
        for question in questions:
            began = time.perf_counter()
            engine.embedder.model.encode([engine.settings.query_prefix + question], normalize_embeddings=True)
            raw.append(time.perf_counter() - began)
            began = time.perf_counter()
            engine.ask(question)
            ask.append(time.perf_counter() - began)
    return raw, ask


@contextmanager
def running_server(corpus: Path, index: Path, port: int) -> Iterator[subprocess.Popen]:
    """`python app.py` over ``corpus``/``index`` on ``port``, up and answering until the block ends."""
    server = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port), "--corpus", str(corpus),
                               "--index", str(index)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        yield server
    finally:
        server.terminate()
        server.wait()


# A two-page PDF (the page tests and bench/ui.py): the fact asked about is on page 2, in a
# sentence broken over two printed lines.
PDF_PAGES = [
    ["Zorvamab trial report.", "The ZORVA trial enrolled 412 adults with chronic tophaceous gout.",
     "Zorvamab lowered serum urate by forty percent within eight weeks."],
    ["Safety of zorvamab.", "The most common adverse event was mild injection-site redness.",
     "No patient stopped zorvamab because of liver injury during the",
     "fifty-two weeks of follow-up."],
]
PDF_QUESTION = "Did any patient stop zorvamab because of liver injury?"


def two_page_pdf() -> bytes:
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for lines in PDF_PAGES:
        for i, line in enumerate(lines):
            pdf.drawString(72, 780 - 16 * i, line)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def indexed_seeds(folder: Path) -> tuple[Path, Path, Settings, Embedder]:
    """The shipped corpus copied into ``folder`` and indexed there: (corpus, index, settings, embedder)."""
    import shutil

    corpus, index = folder / "corpus", folder / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    settings = replace(Settings.from_env(), corpus_dir=corpus, index_dir=index)
    embedder = Embedder(settings)
    build(settings, embedder, corpus, index)
    return corpus, index, settings, embedder
