"""Questions through ONNX Runtime: the same e5 graph exported once from the loaded model, for the
lowest single-question latency (5.0 ms against 13.1 ms for torch float32 on this 2-core EPYC,
vectors at cosine 1.0000). Passages stay on torch (bf16 autocast batches faster there).

The export (~5 s) is written once per model identity to the cache, atomically, and checked
against torch on probe texts before it is used; anything that fails falls back to torch with a
logged reason. ``$QA_QUESTION_ENCODER=torch`` keeps questions on torch.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa.settings import default_cache_dir

PROBES = ("query: Which cells produce IL-6 under stress conditions?",
          "query: Какой препарат испытывали в исследовании HERMES?",
          "query: Yuqori IL-6 kortikosteroidlarga javob bilan bog'liqmi?")
MIN_COSINE = 0.9999  # the export must give the torch vectors, not approximately


class OnnxQuestions:
    """``__call__(texts)`` → normalised float32 vectors, as ``SentenceTransformer.encode`` gives;
    needs only ONNX Runtime and ``tokenizers`` (no torch)."""

    def __init__(self, path: Path, meta: dict, threads: int) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        # Idle threads must not spin: on two cores they would take the CPU from torch and the server.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        # The model's own tokenizer, read-only once set up: safe beside an index build's workers.
        self.tokenizer = Tokenizer.from_file(str(_sibling(path, TOKENIZER)))
        self.tokenizer.enable_truncation(int(meta["max_length"]))
        self.tokenizer.enable_padding(pad_id=int(meta["pad_id"]), pad_token=str(meta["pad_token"]))
        self.dim = int(meta["dim"])

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(list(texts))
        feed = {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64)}
        return np.ascontiguousarray(self.session.run(None, feed)[0], dtype=np.float32)


TOKENIZER, VERIFIED = ".tokenizer.json", ".json"  # beside the export; the second is written once it checks


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_name(path.stem + suffix)


def export_path(model_id: str) -> Path:
    return default_cache_dir() / "onnx" / (re.sub(r"[^\w.@-]", "_", model_id) + ".onnx")


def standalone(model_id: str, threads: int) -> OnnxQuestions | None:
    """The question encoder of an export already made and checked for this model, else None."""
    path = export_path(model_id)
    try:
        meta = json.loads(_sibling(path, VERIFIED).read_text(encoding="utf-8"))
        return OnnxQuestions(path, meta, threads)
    except (OSError, ValueError, KeyError, ImportError):
        return None
    except Exception:  # noqa: BLE001 (ONNX Runtime's own errors: a damaged file means torch again)
        return None


def _pooled(model: Any) -> Any:
    """The sentence-transformers pipeline as one module: BERT, mean pooling, L2 normalisation."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = model[0].auto_model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            states = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            mean = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    return Pooled().eval()


def _export(model: Any, target: Path) -> None:
    import warnings

    import torch

    tokens = model.tokenizer(list(PROBES[:2]), padding=True, return_tensors="pt")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(dir=target.parent, prefix=".export-", suffix=".onnx")
    os.close(handle)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # the exporter's tracer warnings are about code paths e5 never takes
            torch.onnx.export(_pooled(model), (tokens["input_ids"], tokens["attention_mask"]), staging,
                              input_names=["input_ids", "attention_mask"], output_names=["vector"],
                              dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                            "attention_mask": {0: "batch", 1: "tokens"}, "vector": {0: "batch"}},
                              opset_version=17, dynamo=False)
        os.replace(staging, target)  # another process exporting at the same time writes the same bytes
    finally:
        Path(staging).unlink(missing_ok=True)


def _write(path: Path, text: str) -> None:
    handle, staging = tempfile.mkstemp(dir=path.parent, prefix=".write-")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(staging, path)


def load(model: Any, model_id: str, reference: Callable[[list[str]], np.ndarray], threads: int,
         log: Callable[[str], None] | None = None) -> OnnxQuestions | None:
    """The ONNX question encoder for this model (exported on first use), or None with the reason
    logged when ONNX Runtime is missing or the export does not reproduce ``reference``'s vectors.
    Once it does, a stamp beside it lets later processes use it without torch (``standalone``)."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return None
    target = export_path(model_id)
    meta = {"max_length": int(model.max_seq_length), "dim": int(model.get_embedding_dimension() or 0),
            "pad_id": int(model.tokenizer.pad_token_id), "pad_token": str(model.tokenizer.pad_token)}
    try:
        if not target.exists():
            if log:
                log(f"exporting the question encoder to ONNX ({target.name}), once")
            _export(model, target)
        if not _sibling(target, TOKENIZER).exists():
            _write(_sibling(target, TOKENIZER), model.tokenizer.backend_tokenizer.to_str())
        encoder = OnnxQuestions(target, meta, threads)
        cosine = float(np.min(np.sum(encoder(PROBES) * reference(list(PROBES)), axis=1)))
    except Exception as exc:  # noqa: BLE001 (any failure here only means questions stay on torch)
        if log:
            log(f"questions stay on torch: ONNX export or load failed ({type(exc).__name__}: {exc})")
        return None
    if cosine < MIN_COSINE:
        if log:
            log(f"questions stay on torch: the ONNX vectors differ (cosine {cosine:.5f})")
        return None
    _write(_sibling(target, VERIFIED), json.dumps({**meta, "cosine": cosine}))
    return encoder
