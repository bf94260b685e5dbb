"""Real-world ingestion: formats, encodings, skips with reasons, incremental and crash-safe indexing."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.api import Engine
from qa.errors import ExtractionError, IndexUnavailable
from qa.ingest.build import build
from qa.ingest.read import read_corpus, read_file, to_document
from qa.model.embed import Embedder
from qa.settings import Settings
from qa.store.folder import Index
from qa.store.generations import CURRENT, current_generation

RUSSIAN = (
    "Препарат зорбатин снижает частоту рецидивов фибрилляции предсердий на сорок процентов. "
    "Исследование включало триста двенадцать пациентов с пароксизмальной формой аритмии."
)


def make_pdf(pages: list[list[str]]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for lines in pages:
        pdf.setFont("Helvetica", 11)
        for i, line in enumerate(lines):
            pdf.drawString(72, 800 - 14 * i, line)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def make_docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Clinical notes", level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


PDF_PAGES = [
    ["Ventricular remodelling after myocardial infarction is a slow process.",
     "This first page only introduces the heart and its chambers."],
    ["Zorbatine reduced the rate of atrial fibrillation relapse by forty per-",
     "cent in a trial of 312 patients with paroxysmal atrial fibrillation."],
]
HTML = (
    "<html><head><title>Drug notes</title><script>var tracking = 'quorvamine-script';</script></head><body>"
    "<nav>Home | Quorvamine shop | Contact</nav><main><h1>Quorvamine</h1>"
    "<p>Quorvamine lowers systolic blood pressure by <b>twelve millimetres</b> of mercury in elderly "
    "patients &amp; is taken once daily.</p></main><footer>Copyright navigation footer</footer></body></html>"
)


@pytest.fixture(scope="module")
def mixed_corpus(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("mixed")
    corpus = base / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "trial.pdf").write_bytes(make_pdf(PDF_PAGES))
    (corpus / "notes.docx").write_bytes(make_docx(
        ["Velmarin is the first-line antidote for zorbatine overdose in adults.", "It is given intravenously."]
    ))
    (corpus / "drug.html").write_bytes(HTML.encode("utf-8"))
    (corpus / "sub" / "ru-cp1251.txt").write_bytes(RUSSIAN.encode("cp1251"))
    (corpus / "ru-koi8.txt").write_bytes(
        "Кардиологи назначают тромболизин при массивной тромбоэмболии лёгочной артерии.".encode("koi8-r")
    )
    (corpus / "utf16.txt").write_bytes(
        "Helmintrazole is an antiparasitic drug that clears hookworm infection in three days.".encode("utf-16")
    )
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage")
    (corpus / "image.bmp").write_bytes(b"BM" + bytes(200))
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (corpus / "empty.md").write_bytes(b"")
    (corpus / "loop.txt").symlink_to("loop.txt")
    (corpus / "sub" / "up").symlink_to("..")  # a folder loop: never descended
    build(settings, embedder, corpus, base / "index")
    return corpus, base / "index"


@pytest.fixture(scope="module")
def mixed_engine(mixed_corpus: tuple[Path, Path], settings: Settings, embedder: Embedder) -> Engine:
    return Engine(Index.load(mixed_corpus[1]), embedder, settings)


def test_skips_each_bad_file_with_a_reason(mixed_corpus: tuple[Path, Path]) -> None:
    _, skipped = read_corpus(mixed_corpus[0], 2**20)
    reasons = {s.source: s.reason for s in skipped}
    assert reasons["image.bmp"] == "unsupported type .bmp"
    assert reasons["empty.md"] == "empty file"
    assert reasons["loop.txt"] == "symlink loop"
    with pytest.raises(ValueError, match="binary"):
        to_document("binary.txt", (mixed_corpus[0] / "binary.txt").read_bytes())
    with pytest.raises(ValueError, match="corrupt PDF"):
        to_document("broken.pdf", (mixed_corpus[0] / "broken.pdf").read_bytes())
    sources = {c.source for c in Index.load(mixed_corpus[1]).chunks}
    assert sources == {"trial.pdf", "notes.docx", "drug.html", "sub/ru-cp1251.txt", "ru-koi8.txt", "utf16.txt"}


def test_pdf_citation_names_its_page(mixed_engine: Engine, mixed_corpus: tuple[Path, Path]) -> None:
    answer = mixed_engine.ask("By how much did zorbatine reduce atrial fibrillation relapse?")
    top = answer.citations[0]
    assert top.source == "trial.pdf" and top.page == 2
    assert "forty percent" in top.text, "line-end hyphenation undone in the readable text"
    assert answer.to_json()["citations"][0]["page"] == 2
    extracted = to_document("trial.pdf", (mixed_corpus[0] / "trial.pdf").read_bytes()).text
    assert "312 patients" in extracted[top.start : top.end], "offsets refer to the PDF's extracted text"
    plain = next(c for c in answer.citations if c.page is None)
    assert "page" not in plain.to_json(), "text sources keep the exact issue-2 contract"


@pytest.mark.parametrize(("question", "source", "fact"), [
    ("What is the antidote for zorbatine overdose?", "notes.docx", "Velmarin"),
    ("How much does quorvamine lower systolic blood pressure?", "drug.html", "twelve millimetres"),
    ("На сколько зорбатин снижает частоту рецидивов фибрилляции предсердий?", "sub/ru-cp1251.txt", "сорок"),
    ("Что назначают при массивной тромбоэмболии лёгочной артерии?", "ru-koi8.txt", "тромболизин"),
    ("Which drug clears hookworm infection?", "utf16.txt", "Helmintrazole"),
])
def test_each_format_and_encoding_answers(mixed_engine: Engine, question: str, source: str, fact: str) -> None:
    answer = mixed_engine.ask(question)
    # The Russian zorbatine fact also sits, in English, in trial.pdf: the question's language wins.
    assert answer.supported and answer.citations[0].source == source, [c.source for c in answer.citations]
    assert fact in answer.citations[0].text and fact in answer.answer


def test_html_keeps_main_text_only(mixed_corpus: tuple[Path, Path]) -> None:
    text = " ".join(c.text for c in Index.load(mixed_corpus[1]).chunks if c.source == "drug.html")
    assert "Quorvamine lowers systolic blood pressure" in text and "& is taken" in text
    for furniture in ("tracking", "Home |", "Copyright", "<b>"):
        assert furniture not in text


def test_sigkill_mid_build_keeps_the_previous_index(tmp_path: Path, corpus_index: Path) -> None:
    """A real SIGKILL while re-indexing (during embedding, then just before the commit): the
    previous index still loads and answers, and the next build cleans up and succeeds."""
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(Path(__file__).resolve().parents[2] / "corpus", corpus)
    index = tmp_path / "index"
    shutil.copytree(corpus_index, index)
    for i in range(40):
        (corpus / f"extra-{i}.txt").write_text(f"Note {i}. " + "Aspirin inhibits platelets. " * 30, encoding="utf-8")
    before = (index / CURRENT).read_text()
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from qa.settings import Settings\nfrom qa.model.embed import Embedder\n"
        "from qa.store import generations as ix\n"
        "stage = sys.argv[3]\n"
        "def progress(name, done, total):\n"
        "    if stage == 'embed' and name == 'chunks' and done >= total // 2:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "if stage == 'commit':\n"
        "    real = ix.os.replace\n"
        "    def replace(src, dst):\n"
        "        if Path(dst).name == ix.CURRENT:\n"
        "            os.kill(os.getpid(), signal.SIGKILL)\n"
        "        real(src, dst)\n"
        "    ix.os.replace = replace\n"
        "s = Settings.from_env()\n"
        "from qa.ingest.build import build\n"
        "build(s, Embedder(s), Path(sys.argv[1]), Path(sys.argv[2]), progress=progress)\n"
    )
    for stage in ("embed", "commit"):
        killed = subprocess.run([sys.executable, "-c", script, str(corpus), str(index), stage], timeout=600)
        assert killed.returncode == -signal.SIGKILL
        assert (index / CURRENT).read_text() == before
        survivor = Index.load(index)
        assert {c.source for c in survivor.chunks} == {"il6-hfref-review.txt", "il6-cardiogenic-shock-summary.txt"}
        result = subprocess.run(
            [sys.executable, "-m", "qa.cli", "ask", "--index", str(index), "--json",
             "Which drug was tested in the HERMES trial?"], capture_output=True, text=True, timeout=600,
        )
        assert result.returncode == 0 and "ziltivekimab" in json.loads(result.stdout)["answer"].lower()
    leftovers = [p.name for p in index.iterdir() if p.name.startswith((".staging-", "gen-"))]
    assert len(leftovers) >= 2, "the killed builds left debris behind (the sweep below must clear it)"
    result = subprocess.run([sys.executable, "-m", "qa.cli", "index", "--corpus", str(corpus), "--index", str(index)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0 and "40 added" in result.stdout, result.stderr
    assert [p.name for p in index.iterdir() if p.name.startswith((".staging-", "gen-"))] == [
        current_generation(index).name
    ]


@pytest.mark.parametrize("damage", ["truncate-faiss", "garbage-chunks", "missing-vectors", "bad-pointer"])
def test_corrupted_index_exits_1_naming_the_fix(tmp_path: Path, corpus_index: Path, damage: str) -> None:
    import shutil

    index = tmp_path / "index"
    shutil.copytree(corpus_index, index)
    generation = current_generation(index)
    if damage == "truncate-faiss":
        target = next(generation.glob("dense-*.faiss"))
        target.write_bytes(target.read_bytes()[:100])
    elif damage == "garbage-chunks":
        (generation / "chunks.jsonl").write_text("{not json\n", encoding="utf-8")
    elif damage == "missing-vectors":
        (generation / "vectors.npy").unlink()
    else:
        (index / CURRENT).write_text("gen-does-not-exist")
    result = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "--index", str(index), "What is IL-6?"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 1
    assert f"qa index --index {index} --rebuild" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: Embedder) -> None:
    from dataclasses import replace

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("Readable.", encoding="utf-8")
    locked = corpus / "locked.txt"
    locked.write_text("Secret.", encoding="utf-8")
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads through permissions: make the read itself fail
        import builtins

        import qa.ingest.read

        def guarded_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
            if Path(file).name == "locked.txt":
                raise PermissionError(13, "Permission denied")
            return builtins.open(file, *args, **kwargs)

        monkeypatch.setattr(qa.ingest.read, "open", guarded_open, raising=False)
    settings = replace(Settings.from_env(), corpus_dir=corpus, index_dir=tmp_path / "i")
    found, skipped = read_corpus(corpus, settings.limits.max_file_mb * 2**20)
    assert [f[1] for f in found] == ["locked.txt", "ok.txt"] and not skipped  # listed; reading fails
    with pytest.raises(ExtractionError, match="unreadable: Permission denied"):
        read_file(corpus / "locked.txt", 2**20)
    report = build(settings, embedder, corpus, tmp_path / "i")
    assert report.added == ["ok.txt"]
    assert [(s.source, s.reason) for s in report.skipped] == [("locked.txt", "unreadable: Permission denied")]


def test_changed_settings_never_mix_vectors(tmp_path: Path, settings: Settings, embedder: Embedder) -> None:
    from dataclasses import replace

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Aspirin inhibits platelets. " * 40, encoding="utf-8")
    (corpus / "b.txt").write_text("Heparin is an anticoagulant. " * 40, encoding="utf-8")
    first = build(settings, embedder, corpus, tmp_path / "i")
    smaller = replace(settings, chunking=replace(settings.chunking, target=200, max=300))
    second = build(smaller, embedder, corpus, tmp_path / "i")
    assert sorted(second.unchanged) == ["a.txt", "b.txt"] and second.chunks > first.chunks
    assert 0 < second.chunks_embedded < second.chunks, "new chunk texts embedded, repeated texts reused"
    index = Index.load(tmp_path / "i")
    assert index.manifest["chunking"]["target"] == 200
    # Every stored vector is the embedding of its own chunk's text, reused or not.
    fresh = embedder.passages([c.text for c in index.chunks])
    assert (fresh * index.vectors).sum(axis=1).min() > 0.999
    third = build(smaller, embedder, corpus, tmp_path / "i")
    assert third.chunks_embedded == 0 and third.chunks == second.chunks
    with pytest.raises(IndexUnavailable, match="run `qa index`"):
        Index.load(tmp_path / "i").check_model("some-other-model")


def test_ann_index_is_chosen_by_size_and_loads_memory_mapped(tmp_path: Path, settings: Settings) -> None:
    from dataclasses import replace

    import faiss
    import numpy as np

    from qa.store.vectors import create, load

    rng = np.random.default_rng(1)
    centres = rng.normal(size=(50, 64)).astype(np.float32)
    vectors = centres[rng.integers(0, 50, 20_000)] + rng.normal(0, 0.3, (20_000, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert isinstance(create(vectors, replace(settings.vectors, ann_threshold=50_000)).index, faiss.IndexFlatIP)
    ivf = create(vectors, replace(settings.vectors, ann_threshold=10_000))
    assert isinstance(ivf.index, faiss.IndexIVFFlat) and ivf.index.nprobe == settings.vectors.ann_nprobe
    ivf.save(tmp_path / "ivf.faiss")
    loaded = load(tmp_path / "ivf.faiss")
    loaded.set_nprobe(settings.vectors.ann_nprobe)
    queries = vectors[:200] + rng.normal(0, 0.05, (200, 64)).astype(np.float32)
    exact = create(vectors, replace(settings.vectors, ann="flat"))
    truth = [exact.search(q, 10)[1] for q in queries]
    found = [loaded.search(q, 10)[1] for q in queries]
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)])
    assert recall >= 0.9


def test_old_flat_layout_is_rebuilt_and_cleared(tmp_path: Path, settings: Settings, embedder: Embedder) -> None:
    corpus, index = tmp_path / "c", tmp_path / "i"
    corpus.mkdir()
    index.mkdir()
    (corpus / "a.txt").write_text("Aspirin inhibits platelets.", encoding="utf-8")
    (index / "manifest.json").write_text('{"format_version": 1}', encoding="utf-8")
    (index / "dense-en-Latn.faiss").write_bytes(b"old")
    (index / ".gitignore").write_text("*\n", encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="old format"):
        Index.load(index)
    report = build(settings, embedder, corpus, index)
    assert report.added == ["a.txt"]
    kept = sorted(p.name for p in index.iterdir() if not p.name.startswith("gen-"))
    assert kept == [".gitignore", ".lock", ".readers", CURRENT]


def test_a_sentence_that_points_back_is_embedded_with_the_one_it_points_to(
    tmp_path: Path, settings: Settings, embedder: Embedder, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # e5 reads "It is treated with…" alone as being about nothing; the answer quotes it after
    # "Ringworm is…", and its stored vector is of the two. An index whose sentences were embedded
    # alone (built before) has it embedded again, not its old vector reused under the new meaning;
    # and a changed antecedent changes it.
    import qa.ingest.build as building

    corpus = tmp_path / "c"
    corpus.mkdir()
    opening = "Skin infections are common in schools and spread quickly between children."
    pointing = "It is treated with a topical antifungal cream such as clotrimazole for four weeks."

    def write(subject: str) -> None:
        (corpus / "a.txt").write_text(f"{opening} {subject} {pointing}\n", encoding="utf-8")

    def stored() -> np.ndarray:
        index = Index.load(tmp_path / "i")
        chunk = index.chunks[0]
        at = next(j for j, (a, b) in enumerate(chunk.sentences) if chunk.text[a:b] == pointing)
        return np.asarray(index.sentences_of(0)[at], dtype=np.float32)

    ringworm, scabies = (f"{name} is a common infection of the skin in children." for name in ("Ringworm", "Scabies"))
    alone, after_ringworm, after_scabies = embedder.passages(
        [pointing, f"{ringworm} {pointing}", f"{scabies} {pointing}"])
    write(ringworm)
    with monkeypatch.context() as before:  # the sentences embedded alone, as an index built before was
        before.setattr(building, "reading", lambda text, spans, j: text[spans[j][0] : spans[j][1]])
        before.setattr(building, "_chunking", lambda s: {**s.chunk_settings(), "chunker": building.CHUNKER_VERSION,
                                                          "min_sentence_chars": s.answer.min_sentence_chars})
        build(settings, embedder, corpus, tmp_path / "i")
    assert float(stored() @ alone) > 0.999
    build(settings, embedder, corpus, tmp_path / "i")
    assert float(stored() @ after_ringworm) > 0.999 and float(after_ringworm @ alone) < 0.99
    write(scabies)
    build(settings, embedder, corpus, tmp_path / "i")
    assert float(stored() @ after_scabies) > 0.999 and float(after_scabies @ after_ringworm) < 0.999
