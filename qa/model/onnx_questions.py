"""Questions through ONNX Runtime: the e5 graph exported once from the loaded model, its matrix
weights quantized to int8, so that a reader of the index needs neither torch nor sentence-transformers
and a question costs under half the float32 graph's time. Passages stay on torch (bf16 autocast
batches faster there).

Beside the graph, per model identity in the cache: the word table (memory-mapped at question time),
the tokenizer as a SentencePiece model, and a stamp. The stamp is written only once the float32
export reproduces torch's vectors, the int8 graph stays within ``MIN_COSINE_INT8`` of them, and the
tokenizer gives the model's ids on probe texts; a stamped graph is used as it is, by any process
(``standalone``). Anything that fails falls back to torch with a logged reason.
``$QA_QUESTION_ENCODER=torch`` keeps questions on torch (float32, or bf16 autocast).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

PROBES = ("query: Which cells produce IL-6 under stress conditions?",
          "query: Какой препарат испытывали в исследовании HERMES?",
          "query: Yuqori IL-6 kortikosteroidlarga javob bilan bog'liqmi?")
MIN_COSINE = 0.9999  # the float32 export must give the torch vectors, not approximately
# The int8 graph must keep the probes' vectors this close to torch's (bench/results/int8_questions.md).
MIN_COSINE_INT8 = 0.995


class OnnxQuestions:
    """``__call__(texts)`` → normalised float32 vectors, as ``SentenceTransformer.encode`` gives;
    needs only ONNX Runtime and SentencePiece (no torch). ``graph``: another ONNX file over the
    same word table and tokenizer (the float32 export, while it is checked)."""

    def __init__(self, path: Path, meta: dict, threads: int, graph: Path | None = None) -> None:
        import onnxruntime as ort
        import sentencepiece

        options = ort.SessionOptions()
        # One thread per run and ``threads`` runs side by side: a question's matrices are too small to
        # share between cores, while its two texts (question, gloss) or simultaneous questions keep
        # each core busy with one.
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        self._runs = ThreadPoolExecutor(max(1, threads), thread_name_prefix="qa-question")
        self.session = ort.InferenceSession(str(graph or path), options, providers=["CPUExecutionProvider"])
        # The 250k-row word table, memory-mapped: a question reads a few dozen rows of its 384 MB.
        self.words = np.load(_sibling(path, WORDS), mmap_mode="r")
        # The model's Unigram vocabulary as a SentencePiece model: the same ids as its tokenizer.json
        # (checked when the stamp is written) at a fifth of the memory and half the load time.
        self.pieces = sentencepiece.SentencePieceProcessor(model_file=str(_sibling(path, PIECES)))
        self.bos, self.eos, self.pad = int(meta["bos_id"]), int(meta["eos_id"]), int(meta["pad_id"])
        self.max_length, self.dim = int(meta["max_length"]), int(meta["dim"])

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids as the model's tokenizer gives them: <s> pieces </s>, cut at ``max_length``."""
        return [[self.bos, *ids[: self.max_length - 2], self.eos] for ids in self.pieces.encode(list(texts))]

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        # One text per run: int8 activations are scaled per run, so a batch (its other questions, its
        # padding) would move each vector; alone, a question always gets the same one.
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.ascontiguousarray(np.concatenate(list(self._runs.map(self._run, self.ids(texts)))),
                                    dtype=np.float32)

    def feed(self, row: list[int]) -> dict[str, np.ndarray]:  # the graph's inputs for one text's ids
        return {"inputs_embeds": np.ascontiguousarray(self.words[[row]], dtype=np.float32),
                "attention_mask": np.ones((1, len(row)), dtype=np.int64)}

    def _run(self, row: list[int]) -> np.ndarray:
        return self.session.run(None, self.feed(row))[0]


# Beside the graph: the tokenizer, the word table, the stamp written once the graph checks, and the
# float32 export the graph is quantized from (removed once stamped).
PIECES, WORDS, VERIFIED, FLOAT32 = ".spm", ".words.npy", ".json", ".float32.onnx"
# One int8 scale per run has 255 steps: where a product's input peaks at more than that many times
# its median, the typical value rounds to zero, so that product keeps float32 weights and input.
INT8_STEPS = 255
# Tokenizer checks beyond the probes: spacing, scripts, Greek letters, apostrophes, digits.
ID_CHECKS = ("  two  spaces\tand a tab\n", "TNF-α, IL-1β and sIL-6R", "oʻlim o'lim o`lim ОʻЗБЕК",
             "ﬁbrosis ① ½ ９０ mg/dL", "Зилтивекимаб снизил СРБ на 90%?", "query: ")


def _pieces_model(tokenizer: Any) -> bytes:
    """The tokenizer's Unigram vocabulary and normaliser as a SentencePiece model (ids unchanged)."""
    import base64

    from sentencepiece import sentencepiece_model_pb2

    spm_pb: Any = sentencepiece_model_pb2  # generated protobuf classes, untyped

    spec = json.loads(tokenizer.backend_tokenizer.to_str())
    if spec["model"]["type"] != "Unigram" or (spec.get("normalizer") or {}).get("type") != "Precompiled":
        raise ValueError("not a Unigram tokenizer with a precompiled normaliser")
    piece = spm_pb.ModelProto.SentencePiece
    kinds = {tokenizer.unk_token_id: piece.UNKNOWN,
             **{i: piece.CONTROL for i in tokenizer.all_special_ids if i != tokenizer.unk_token_id}}
    proto = spm_pb.ModelProto()
    for i, (text, score) in enumerate(spec["model"]["vocab"]):
        proto.pieces.add(piece=text, score=score, type=kinds.get(i, piece.NORMAL))
    proto.trainer_spec.model_type = spm_pb.TrainerSpec.UNIGRAM
    proto.trainer_spec.vocab_size = len(proto.pieces)
    proto.trainer_spec.unk_id, proto.trainer_spec.pad_id = tokenizer.unk_token_id, tokenizer.pad_token_id
    proto.trainer_spec.bos_id, proto.trainer_spec.eos_id = tokenizer.bos_token_id, tokenizer.eos_token_id
    proto.normalizer_spec.name = "nmt_nfkc"
    proto.normalizer_spec.precompiled_charsmap = base64.b64decode(spec["normalizer"]["precompiled_charsmap"])
    proto.normalizer_spec.add_dummy_prefix = proto.normalizer_spec.remove_extra_whitespaces = True
    proto.normalizer_spec.escape_whitespaces = True
    return proto.SerializeToString()


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_name(path.stem + suffix)


def export_path(model_id: str, cache: Path) -> Path:
    # "embeds": the graph starts from the word vectors, looked up outside it (OnnxQuestions.words).
    return cache / "onnx" / (re.sub(r"[^\w.@-]", "_", model_id) + ".embeds.int8.onnx")


def stamp(model_id: str, cache: Path) -> dict | None:
    """What the check of this model's export recorded (dimension, token ids), or None: no export
    made and checked yet."""
    try:
        meta = json.loads(_sibling(export_path(model_id, cache), VERIFIED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    needed = {"dim", "bos_id", "eos_id", "pad_id", "max_length"}
    return meta if isinstance(meta, dict) and needed <= meta.keys() else None


def standalone(model_id: str, cache: Path, threads: int, meta: dict | None = None) -> OnnxQuestions | None:
    """The question encoder of an export already made and checked for this model, else None."""
    meta = meta or stamp(model_id, cache)
    if meta is None:
        return None
    try:
        return OnnxQuestions(export_path(model_id, cache), meta, threads)
    except Exception:  # noqa: BLE001 (a damaged or missing file, ONNX Runtime's own errors: torch again)
        return None


def _pooled(model: Any) -> Any:
    """The sentence-transformers pipeline as one module from the word vectors on: BERT, mean
    pooling, L2 normalisation (position and token-type vectors are added inside, as from ids)."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = model[0].auto_model

        def forward(self, inputs_embeds: Any, attention_mask: Any) -> Any:
            states = self.bert(inputs_embeds=inputs_embeds, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            mean = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    return Pooled().eval()


def _export(model: Any, target: Path, words_path: Path) -> None:
    import warnings

    import torch

    tokens = model.tokenizer(list(PROBES[:2]), padding=True, return_tensors="pt")
    table = model[0].auto_model.get_input_embeddings().weight
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, words = tempfile.mkstemp(dir=target.parent, prefix=".words-", suffix=".npy")
    try:
        with os.fdopen(handle, "wb") as out:
            np.save(out, table.detach().numpy().astype(np.float32))
        os.replace(words, words_path)
    finally:
        Path(words).unlink(missing_ok=True)
    handle, staging = tempfile.mkstemp(dir=target.parent, prefix=".export-", suffix=".onnx")
    os.close(handle)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # the exporter's tracer warnings are about code paths e5 never takes
            embeds = torch.nn.functional.embedding(tokens["input_ids"], table)
            torch.onnx.export(_pooled(model), (embeds, tokens["attention_mask"]), staging,
                              input_names=["inputs_embeds", "attention_mask"], output_names=["vector"],
                              dynamic_axes={"inputs_embeds": {0: "batch", 1: "tokens"},
                                            "attention_mask": {0: "batch", 1: "tokens"}, "vector": {0: "batch"}},
                              opset_version=17, dynamo=False)
        os.replace(staging, target)  # another process exporting at the same time writes the same bytes
    finally:
        Path(staging).unlink(missing_ok=True)


def _outliers(source: Path, feeds: list[dict[str, np.ndarray]]) -> list[str]:
    """The matrix products (by node name) whose input, on any of ``feeds``, peaks at more than
    ``INT8_STEPS`` times its median magnitude."""
    import onnx
    import onnxruntime as ort

    proto = onnx.load(str(source))
    weights = {tensor.name for tensor in proto.graph.initializer}
    products = [node for node in proto.graph.node if node.op_type == "MatMul" and node.input[1] in weights]
    for node in products:
        proto.graph.output.append(onnx.helper.make_tensor_value_info(node.input[0], onnx.TensorProto.FLOAT, None))
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    spread = np.zeros(len(products))
    for feed in feeds:
        inputs = [np.abs(value) for value in session.run(None, feed)[1:]]
        spread = np.maximum(spread, [value.max() / max(float(np.median(value)), 1e-12) for value in inputs])
    return [node.name for node, ratio in zip(products, spread, strict=True) if ratio > INT8_STEPS]


def _quantize(source: Path, target: Path, keep: list[str]) -> None:
    """The matrix products' weights as int8 per output channel (7 bits: no overflow on CPUs without
    VNNI), activations quantized per run; the products named in ``keep`` stay float32."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    handle, staging = tempfile.mkstemp(dir=target.parent, prefix=".int8-", suffix=".onnx")
    os.close(handle)
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)  # its advice to pre-process for static quantization is not for us
    try:
        quantize_dynamic(source, staging, weight_type=QuantType.QInt8, per_channel=True, reduce_range=True,
                         op_types_to_quantize=["MatMul"], nodes_to_exclude=keep)
        os.replace(staging, target)
    finally:
        logging.disable(previous)
        Path(staging).unlink(missing_ok=True)


def _write(path: Path, data: bytes) -> None:
    handle, staging = tempfile.mkstemp(dir=path.parent, prefix=".write-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(staging, path)
    finally:
        Path(staging).unlink(missing_ok=True)


def load(model: Any, model_id: str, cache: Path, reference: Callable[[list[str]], np.ndarray], threads: int,
         log: Callable[[str], None] | None = None) -> OnnxQuestions | None:
    """The ONNX question encoder for this model (exported and quantized on first use), or None with
    the reason logged when ONNX Runtime is missing or the graphs stray from ``reference``'s vectors.
    Once it does, a stamp beside it lets later processes use it without torch (``standalone``)."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return None
    stamped = standalone(model_id, cache, threads)
    if stamped is not None:  # made and checked before, by this process or another
        return stamped
    target = export_path(model_id, cache)
    tokenizer = model.tokenizer
    try:
        # Unstamped while anything is rewritten: a reader never trusts files the check has not seen.
        _sibling(target, VERIFIED).unlink(missing_ok=True)
        meta = {"max_length": int(model.max_seq_length), "dim": int(model.get_embedding_dimension() or 0),
                "bos_id": int(tokenizer.bos_token_id), "eos_id": int(tokenizer.eos_token_id),
                "pad_id": int(tokenizer.pad_token_id)}  # a tokenizer without <s> / </s> fails here: torch
        exact = _sibling(target, FLOAT32)
        if not (exact.exists() and _sibling(target, WORDS).exists()):
            if log:
                log(f"exporting the question encoder to ONNX ({target.name}), once")
            _export(model, exact, _sibling(target, WORDS))
        _write(_sibling(target, PIECES), _pieces_model(tokenizer))
        exact_encoder = OnnxQuestions(target, meta, threads, exact)
        texts = [*PROBES, *ID_CHECKS]
        if exact_encoder.ids(texts) != [tokenizer(text, truncation=True, max_length=meta["max_length"])["input_ids"]
                                        for text in texts]:
            raise ValueError("the SentencePiece model does not reproduce the tokenizer's ids")
        keep = _outliers(exact, [exact_encoder.feed(row) for row in exact_encoder.ids(texts)])
        _quantize(exact, target, keep)
        encoder = OnnxQuestions(target, meta, threads)
        expected = reference(list(PROBES))
        cosines = {}
        for name, check, floor in (("cosine_float32", exact_encoder, MIN_COSINE),
                                   ("cosine", encoder, MIN_COSINE_INT8)):
            cosines[name] = float(np.min(np.sum(check(PROBES) * expected, axis=1)))
            if cosines[name] < floor:
                if log:
                    log(f"questions stay on torch: the ONNX vectors differ ({name} {cosines[name]:.5f})")
                return None
        _write(_sibling(target, VERIFIED), json.dumps({**meta, **cosines, "float32_products": keep}).encode())
        exact.unlink(missing_ok=True)  # the stamped int8 graph is all a reader needs
        mine = set(target.parent.glob(target.name.split(".embeds.")[0] + ".embeds.*"))
        for stale in mine - set(target.parent.glob(target.stem + ".*")):  # an earlier version's float32 files
            stale.unlink(missing_ok=True)
    except Exception as exc:  # noqa: BLE001 (any failure here only means questions stay on torch)
        if log:
            log(f"questions stay on torch: ONNX export or load failed ({type(exc).__name__}: {exc})")
        return None
    return encoder
