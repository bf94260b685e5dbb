"""The benchmark suite (issue 5): quality against baselines, speed, memory and scale, in one run.

    .venv/bin/python -m bench.suite [--max 1000000] [--out bench/results]

Writes ``report.md`` and ``scale.png`` to --out. Sets whose files are missing from ../shared/data
are skipped with a note. Every system is scored by the same rules (qa.evaluate) in the same run:
- qa: the shipped pipeline (``Engine.ask``);
- dense: plain multilingual-e5-small, exact inner product over all chunks, no transliteration;
- bm25: bm25s over lower-cased word tokens of the same chunks.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench import scale, versus_txtai
from bench.common import (
    DATA,
    dev_index,
    english_sentences_index,
    has_data,
    p50_p95_ms,
    read_rows,
    time_ask_vs_encode,
    time_indexing,
)
from qa.api import Engine
from qa.evaluate import Ranked, Scores, System, evaluate
from qa.model.embed import Embedder
from qa.settings import Settings
from qa.store.folder import Index

_TOKEN = re.compile(r"\w\w+")


def qa_system(engine: Engine) -> System:
    def run(question: str, n: int) -> Ranked:
        answer = engine.ask(question, n)
        return Ranked([(c.source, c.text) for c in answer.citations], answer.supported)

    return run


def dense_system(index: Index, embedder: Embedder, prefix: str | None = None) -> System:
    import faiss

    flat = faiss.IndexFlatIP(index.dimension)
    flat.add(np.ascontiguousarray(index.vectors, dtype=np.float32))

    def run(question: str, n: int) -> Ranked:
        text = (prefix if prefix is not None else embedder.settings.query_prefix) + question
        vector = embedder.model.encode([text], normalize_embeddings=True)
        _, ids = flat.search(np.asarray(vector, dtype=np.float32), n)
        return Ranked([(index.chunks[i].source, index.chunks[i].text) for i in ids[0] if i >= 0])

    return run


def bm25_system(index: Index) -> System:
    import bm25s

    retriever = bm25s.BM25()
    retriever.index([_TOKEN.findall(c.text.lower()) or ["_"] for c in index.chunks], show_progress=False)

    def run(question: str, n: int) -> Ranked:
        tokens = _TOKEN.findall(question.lower())
        if not tokens:
            return Ranked([])
        scores = np.asarray(retriever.get_scores(tokens))
        top = np.argsort(-scores)[:n]
        return Ranked([(index.chunks[i].source, index.chunks[i].text) for i in top if scores[i] > 0])

    return run


def quality(settings: Settings, embedder: Embedder) -> dict[str, dict[str, dict[str, Scores]]]:
    """set name → system → variant → scores."""
    _, index = dev_index(settings, embedder)
    systems = {"qa": qa_system(Engine(index, embedder, settings)), "bm25": bm25_system(index),
               "dense": dense_system(index, embedder)}
    sets = {
        "PubMedQA (en): own context among 1,810 files": [
            {"question": r["question"], "gold_source": f"pubmedqa/{r['id']}.txt", "lang": "en"}
            for r in read_rows("pubmedqa_dev.jsonl")],
        "RuMedDaNet (ru): own context among 1,810 files": [
            {"question": r["question"], "gold_source": f"rumeddanet/{r['id']}.txt", "lang": "ru"}
            for r in read_rows("rumeddanet_dev.jsonl")],
        "Seed dev questions + 1,808 distractor files": read_rows("seed_dev_qa.jsonl"),
    }
    results: dict[str, dict[str, dict[str, Scores]]] = {}
    for set_name, rows in sets.items():
        results[set_name] = {}
        for system_name, system in systems.items():
            began = time.perf_counter()
            results[set_name][system_name] = evaluate(rows, system, settings.retrieval.k)
            print(f"{set_name} / {system_name}: {time.perf_counter() - began:.0f}s", file=sys.stderr)
    results.update(tatoeba(settings, embedder))
    return results


def tatoeba(settings: Settings, embedder: Embedder) -> dict[str, dict[str, dict[str, Scores]]]:
    """Each Uzbek / Russian sentence must retrieve its English translation (accuracy@1 = R@1)."""
    results = {}
    for name, label in (("tatoeba_uz_en_dev.jsonl", "Tatoeba uz→en"), ("tatoeba_ru_en_dev.jsonl", "Tatoeba ru→en")):
        if not (DATA / name).exists():
            continue
        rows = read_rows(name)
        with english_sentences_index(settings, embedder, rows) as index:
            questions = [{"question": r["text"], "gold_source": f"{r['id']}.txt", "lang": r["lang"]} for r in rows]
            results[label] = {
                "qa": evaluate(questions, qa_system(Engine(index, embedder, settings)), settings.retrieval.k),
                "bm25": evaluate(questions, bm25_system(index), settings.retrieval.k),
                # e5 on a symmetric task: "query: " on both sides, as in its MTEB evaluation.
                "dense": evaluate(questions, dense_system(_requery(index, embedder), embedder), settings.retrieval.k),
            }
    return results


def _requery(index: Index, embedder: Embedder) -> Index:
    texts = [embedder.settings.query_prefix + c.text for c in index.chunks]
    vectors = np.asarray(embedder.model.encode(texts, batch_size=32, normalize_embeddings=True), dtype=np.float32)
    return Index(dict(index.manifest), index.chunks, vectors, index.sentence_vectors)


def speed(settings: Settings, embedder: Embedder) -> dict[str, Any]:
    """Indexing throughput vs raw encode on the same chunks (a ~1k-chunk slice of the dev corpus),
    and warm ask vs one raw query encode on the full dev index."""
    corpus_all, index = dev_index(settings, embedder)
    files = sorted(p for p in corpus_all.rglob("*.txt"))[:700]
    with tempfile.TemporaryDirectory() as tmp:
        corpus, folder = Path(tmp) / "corpus", Path(tmp) / "index"
        for path in files:
            target = corpus / path.relative_to(corpus_all)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
        chunks, index_seconds, raw_seconds = time_indexing(settings, embedder, corpus, folder)
    questions = [r["question"] for r in read_rows("seed_dev_qa.jsonl")]
    raw, ask = time_ask_vs_encode(Engine(index, embedder, settings), questions, repeat=2)
    raw_p50, _ = p50_p95_ms(raw)
    ask_p50, ask_p95 = p50_p95_ms(ask)
    return {"index_chunks": chunks, "index_s": index_seconds, "raw_encode_s": raw_seconds,
            "throughput_ratio": raw_seconds / index_seconds, "raw_query_p50_ms": raw_p50, "ask_p50_ms": ask_p50,
            "ask_p95_ms": ask_p95, "ask_chunks": len(index.chunks), "questions": embedder.question_encoder}


def plot(scaled: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dense, ask = scaled["dense"], scaled["ask"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    left.plot([r["size"] for r in dense], [r["flat_p95_ms"] for r in dense], "o-", label="dense search, flat p95")
    ivf = [r for r in dense if "ivf_p95_ms" in r]
    left.plot([r["size"] for r in ivf], [r["ivf_p95_ms"] for r in ivf], "s-",
              label=f"dense search, IVF p95 (nprobe {scaled['nprobe']})")
    left.plot([r["size"] for r in ask], [r["ask_p95_ms"] for r in ask], "^-", label="whole ask p95")
    left.plot([r["size"] for r in ask], [r["ask_p50_ms"] for r in ask], "v--", label="whole ask p50")
    left.axhline(50, color="grey", linestyle=":", label="50 ms")
    left.set(xscale="log", yscale="log", xlabel="chunks / vectors in the index", ylabel="ms per query",
             title="Query latency (2 cores)")
    left.legend(fontsize=8)
    right.plot([r["size"] for r in ivf], [r["ivf_recall_at_10"] for r in ivf], "s-", label="IVF recall@10 vs flat")
    right.axhline(0.95, color="grey", linestyle=":", label="0.95")
    right.set(xscale="log", ylim=(0.8, 1.005), xlabel="vectors in the index", ylabel="recall@10",
              title="ANN recall against exact search")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def write_report(out: Path, results: dict, speeds: dict, scaled: dict, seconds: float,
                 versus: dict | None = None) -> str:
    today = datetime.date.today().isoformat()
    lines = [f"# qa benchmark report — {today}", "",
             f"Machine: {machine()}. Suite run time {seconds / 60:.1f} min.", ""]
    lines += ["## Quality (same run, same chunks, same scoring: `qa.evaluate`)", "",
              "| set | variant | n | qa R@1 | qa R@5 | qa MRR@10 | bm25 R@1 | bm25 R@5 | dense R@1 | dense R@5 | "
              "qa abstention |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for set_name, systems in results.items():
        for variant, s in systems["qa"].items():
            b, d = systems["bm25"][variant], systems["dense"][variant]
            abst = "—" if s.abstention is None else f"{s.abstention:.2f}"
            lines.append(f"| {set_name} | {variant} | {s.questions} | {s.recall_at_1:.3f} | {s.recall_at_k:.3f} | "
                         f"{s.mrr_at_10:.3f} | {b.recall_at_1:.3f} | {b.recall_at_k:.3f} | {d.recall_at_1:.3f} | "
                         f"{d.recall_at_k:.3f} | {abst} |")
    lines += ["", "Published Tatoeba accuracy@1 for comparison: multilingual-e5-small uzb 0.650 / rus 0.921; "
              "LaBSE 0.871 / 0.953 (MTEB; their test sets, not this 200/500-row dev sample).", ""]
    lines += ["## Speed", "",
              f"- Indexing: {speeds['index_chunks']} chunks in {speeds['index_s']:.1f} s vs raw `model.encode` "
              f"{speeds['raw_encode_s']:.1f} s on the same texts: "
              f"throughput **{speeds['throughput_ratio']:.0%}** of raw.",
              f"- Warm ask over {speeds['ask_chunks']} chunks (questions encoded with {speeds['questions']}, "
              f"as on the server): p50 {speeds['ask_p50_ms']:.1f} ms "
              f"({speeds['ask_p50_ms'] / speeds['raw_query_p50_ms']:.2f}× one raw torch query encode of "
              f"{speeds['raw_query_p50_ms']:.1f} ms), p95 {speeds['ask_p95_ms']:.1f} ms "
              f"({speeds['ask_p95_ms'] / speeds['raw_query_p50_ms']:.2f}×).", "",
              "| chunks | vectors | ask p50 ms | ask p95 ms | peak RSS MB |", "|---|---|---|---|---|"]
    for r in scaled["ask"]:
        lines.append(f"| {r['size']:,} | {'synthetic' if r['synthetic'] else 'real'} | {r['ask_p50_ms']:.1f} | "
                     f"{r['ask_p95_ms']:.1f} | {r['peak_rss_mb']:.0f} |")
    lines += ["", "## Against txtai (`bench/versus_txtai.py`)", ""]
    skipped = "Skipped: txtai is not installed (`pip install -e '.[bench]'`)."
    lines += versus_txtai.report(versus) if versus else [skipped]
    lines += ["", f"## Scale: exact vs IVF-Flat (nprobe {scaled['nprobe']}; qa switches to IVF past "
              f"{scaled['threshold']:,} vectors per language section)", "",
              "| vectors | flat p50 / p95 ms | IVF p50 / p95 ms | IVF recall@10 | IVF build s | IVF memory MB | "
              "mmap load s / MB | mmap p95 ms | peak RSS MB |", "|---|---|---|---|---|---|---|---|---|"]
    for r in scaled["dense"]:
        if "ivf_p95_ms" in r:
            ivf = (f"{r['ivf_p50_ms']:.2f} / {r['ivf_p95_ms']:.2f} | {r['ivf_recall_at_10']:.3f} | "
                   f"{r['ivf_build_s']:.1f} | {r['ivf_memory_mb']:.0f} | {r['ivf_mmap_load_s']:.2f} / "
                   f"{r['ivf_mmap_load_mb']:.0f} | {r['ivf_mmap_p95_ms']:.2f}")
        else:
            ivf = "— | — | — | — | — | —"
        lines.append(f"| {r['size']:,}{' (synthetic)' if r['synthetic'] else ''} | {r['flat_p50_ms']:.2f} / "
                     f"{r['flat_p95_ms']:.2f} | {ivf} | {r['peak_rss_mb']:.0f} |")
    lines += ["", "![latency and recall against index size](scale.png)", ""]
    # Milvus at 100k / 1M takes its own run (python -m bench.milvus_scale); its figures and the
    # sizing for 70M chunks are kept, measured once, in bench/results/milvus_sizing.md.
    lines += [(Path(__file__).parent / "results" / "milvus_sizing.md").read_text(encoding="utf-8")]
    text = "\n".join(lines)
    (out / "report.md").write_text(text, encoding="utf-8")
    return text


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=int, default=1_000_000, help="largest index size for the scale part")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args()
    if not has_data():
        print(f"skipped: the dev sets are not in {DATA}")
        return 0
    began = time.perf_counter()
    settings = Settings.from_env()
    embedder = Embedder(settings)
    embedder.fast_questions()  # as the server encodes questions
    results = quality(settings, embedder)
    speeds = speed(settings, embedder)
    versus = versus_txtai.compare(settings, embedder)
    scaled = scale.run(args.max)
    args.out.mkdir(parents=True, exist_ok=True)
    plot(scaled, args.out / "scale.png")
    print(write_report(args.out, results, speeds, scaled, time.perf_counter() - began, versus))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
