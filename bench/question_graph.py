"""The question graph's int8 trade: each candidate ONNX graph of the model against torch float32 on
every blind-round question (en / ru / uz / uz-Latn), one text per run on one thread, in one run.

    .venv/bin/python -m bench question_graph      # → bench/results/int8_questions.md
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.speed import QUESTIONS
from qa.model import onnx_questions
from qa.model.embed import Embedder
from qa.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results" / "int8_questions.md"
TIMED = 200
SHIPPED = "int8, outlier inputs float32 (shipped)"


def questions() -> list[str]:
    rounds = sorted((ROOT / "bench" / "data").glob("validation*/seed_validation.jsonl"))
    texts = [json.loads(line)["question"] for path in rounds for line in path.read_text(encoding="utf-8").splitlines()]
    return [*QUESTIONS, *texts]


def main() -> int:
    settings = replace(Settings.from_env(), precision="fp32", question_encoder="torch")
    torch_model = Embedder(settings)
    texts = [settings.query_prefix + q for q in questions()]
    reference = torch_model.queries([q.removeprefix(settings.query_prefix) for q in texts])
    meta = {"max_length": int(torch_model.model.max_seq_length), "dim": torch_model.dim,
            "bos_id": 0, "eos_id": 2, "pad_id": 1}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "q.onnx"
        onnx_questions._export(torch_model.model, base.with_name("float32.onnx"),
                               onnx_questions._sibling(base, onnx_questions.WORDS))
        (onnx_questions._sibling(base, onnx_questions.PIECES)).write_bytes(
            onnx_questions._pieces_model(torch_model.model.tokenizer))
        graphs = {"float32 (the export)": base.with_name("float32.onnx"),
                  "int8, feed-forward outputs too": base.with_name("everywhere.onnx"),
                  SHIPPED: base.with_name("shipped.onnx")}
        exact = onnx_questions.OnnxQuestions(base, meta, 1, graphs["float32 (the export)"])
        keep = onnx_questions._outliers(graphs["float32 (the export)"],
                                        [exact.feed(row) for row in exact.ids([*onnx_questions.PROBES,
                                                                                *onnx_questions.ID_CHECKS])])
        onnx_questions._quantize(graphs["float32 (the export)"], graphs[SHIPPED], keep)
        onnx_questions._quantize(graphs["float32 (the export)"], graphs["int8, feed-forward outputs too"], [])
        for name, graph in graphs.items():
            encoder = onnx_questions.OnnxQuestions(base, meta, 1, graph)
            vectors = encoder(texts)
            cosine = np.sum(vectors * reference, axis=1)
            encoder(texts[:5])
            began = time.process_time()
            encoder(texts[:TIMED])
            ms = (time.process_time() - began) / TIMED * 1000
            rows.append(f"| {name} | {ms:.1f} | {cosine.min():.4f} / {cosine.mean():.4f} | "
                        f"{graph.stat().st_size / 1e6:.0f} MB |")
    lines = ["# The question graph: float32 or int8 (`python -m bench question_graph`)", "",
             f"Kept float32 in the shipped graph (input peaks over {onnx_questions.INT8_STEPS}× its median"
             " on the probes):",
             ", ".join(f"`{name}`" for name in keep) + ".", "",
             f"{len(texts)} questions (the speed bench's and every blind round's, all four variants) through each",
             "graph, one text per run; CPU time per question over the first 200 on one thread; cosine to the torch",
             "float32 vectors. One run; compare the rows, not the absolute times.", "",
             "| graph | CPU ms per question | cosine to torch, min / mean | file |", "|---|---|---|---|", *rows]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
