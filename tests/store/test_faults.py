"""Fault isolation with real hostile files (generated here): one bad file never stops the corpus,
extraction runs under memory and time limits, uploads are atomic, readers never see a writer's
commit as damage, and a model swapped at the same path is never mixed with the old vectors."""

from __future__ import annotations

import errno
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.hostile import AES_FACT, GOOD_NOTE, READABLE, hostile_files, run_measured
from qa.api import Engine
from qa.errors import ExtractionError, storage_error
from qa.ingest.build import build
from qa.ingest.sandbox import Sandbox
from qa.model.embed import Embedder
from qa.settings import LimitSettings, Settings
from qa.store.folder import Index

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def hostile() -> dict[str, bytes]:
    return hostile_files()


def test_hostile_corpus_indexes_everything_else(tmp_path: Path, corpus_index: Path, hostile: dict[str, bytes],
                                                settings: Settings, embedder: Embedder) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    shutil.copytree(corpus_index, index)  # the seeds are embedded already
    (corpus / "good-note.txt").write_text(GOOD_NOTE, encoding="utf-8")
    for name, data in hostile.items():
        (corpus / name).write_bytes(data)
    code, stdout, stderr, peak_gb = run_measured(
        [sys.executable, "-m", "qa.cli", "index", "--corpus", str(corpus), "--index", str(index)])
    assert code == 0, stderr
    assert "Traceback" not in stderr and peak_gb < 3.0, (peak_gb, stderr)
    reasons = {line[len("skipped "):].split(": ", 1)[0]: line.split(": ", 1)[1]
               for line in stderr.splitlines() if line.startswith("skipped ")}
    assert set(reasons) == set(hostile) - READABLE, reasons
    assert reasons["bomb-202M-chars.docx"] == "more than 5,000,000 characters of text"
    assert "PDF" in reasons["flate-bomb.pdf"] and "Word document" in reasons["malformed.docx"]
    engine = Engine(Index.load(index), embedder, settings)
    assert {c.source for c in engine.index.chunks} >= {"aes128.pdf", "aes256.pdf", "good-note.txt",
                                                       "deep-5000-spans.html", "il6-hfref-review.txt"}
    answer = engine.ask("What is the antidote for ventrexin poisoning?")
    assert answer.supported and answer.citations[0].source == "good-note.txt" and "Quorbizumab" in answer.answer
    answer = engine.ask("What does zelvoparin prevent after coronary angioplasty?")
    assert answer.supported and answer.citations[0].source in {"aes128.pdf", "aes256.pdf"}
    assert "stent thrombosis" in answer.answer
    assert AES_FACT.split(" in ")[0] in answer.citations[0].text
    # The seeds answer as before: the statement that names the drug is quoted from the review (the
    # verdict on it is tested in tests/answer/test_verdict.py).
    answer = engine.ask("Which drug was tested in the HERMES trial?")
    assert answer.verdict != "not_found" and answer.claims
    assert answer.citations[answer.claims[0].n - 1].source == "il6-hfref-review.txt"
    assert "ziltivekimab" in answer.claims[0].text.lower()


def test_extraction_is_bounded_in_memory_and_time(hostile: dict[str, bytes]) -> None:
    bomb = hostile["bomb-202M-chars.docx"]
    # Past the memory limit the child fails, the file is refused, and the next file still extracts.
    with Sandbox(LimitSettings(extract_memory_mb=400, max_unpacked_mb=10_000)) as sandbox:
        with pytest.raises(ExtractionError, match="memory|MB"):
            sandbox.extract(".docx", bomb)
        assert "Lorvexamine" in sandbox.extract(".html", hostile["deep-990-divs.html"]).text
    with Sandbox(LimitSettings(extract_seconds=1, max_unpacked_mb=10_000)) as sandbox:
        began = time.monotonic()
        with pytest.raises(ExtractionError, match="longer than 1 s"):
            sandbox.extract(".docx", bomb)
        assert time.monotonic() - began < 10, "the slow extraction was stopped, not waited for"
        assert "Lorvexamine" in sandbox.extract(".html", hostile["deep-5000-spans.html"]).text
    # The zip directory alone refuses a bomb under the default limits, before it is parsed.
    with Sandbox(LimitSettings(max_unpacked_mb=50)) as sandbox:
        with pytest.raises(ExtractionError, match="unpacks to more than 50 MB"):
            sandbox.extract(".docx", bomb)


def test_readers_never_fail_while_a_writer_commits(tmp_path: Path, corpus_index: Path) -> None:
    """Real reader processes load the index in a loop while this process commits six generations."""
    index = tmp_path / "index"
    shutil.copytree(corpus_index, index)
    reader = (
        "import sys, time\nfrom pathlib import Path\nfrom qa.store.folder import Index\nfrom qa.errors import QAError\n"
        "failures = loads = 0\nend = time.monotonic() + float(sys.argv[2])\n"
        "while time.monotonic() < end:\n"
        "    try:\n        Index.load(Path(sys.argv[1])); loads += 1\n"
        "    except QAError as exc:\n        failures += 1; print(exc, file=sys.stderr)\n"
        "print(loads, failures)\n"
    )
    readers = [subprocess.Popen([sys.executable, "-c", reader, str(index), "12"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(3)]
    time.sleep(2)  # the readers are importing
    live = Index.load(index)
    generations = set()
    for _ in range(6):
        live.save(index)
        generations.add((index / "CURRENT").read_text())
        time.sleep(0.5)
    results = [reader.communicate(timeout=120) for reader in readers]
    assert len(generations) == 6
    for out, err in results:
        loads, failures = map(int, out.split())
        assert loads > 0 and failures == 0, err


def test_model_swapped_at_the_same_path_is_a_new_model(tmp_path: Path, embedder: Embedder) -> None:
    """A folder whose weights are the shipped model's but whose config differs embeds differently;
    at the same path, the index must re-embed everything instead of mixing vectors."""
    from dataclasses import replace

    source = Path(embedder.path)
    model = tmp_path / "model"
    model.mkdir()
    for item in source.iterdir():
        (model / item.name).symlink_to(item)  # 470 MB of weights shared, not copied
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.txt").write_text("Aspirin inhibits platelet aggregation. " * 20, encoding="utf-8")
    settings = replace(Settings.from_env(), model=str(model))
    first = build(settings, Embedder(settings), corpus, tmp_path / "index")
    assert first.chunks_embedded == first.chunks > 0
    config = json.loads((source / "config.json").read_text())
    config["layer_norm_eps"] = 1e-3  # the same weights, a different model
    (model / "config.json").unlink()
    (model / "config.json").write_text(json.dumps(config))
    swapped = Embedder(settings)
    assert swapped.id != Index.load(tmp_path / "index").manifest["model"]
    second = build(settings, swapped, corpus, tmp_path / "index")
    assert second.chunks_embedded == second.chunks, "every chunk re-embedded by the new model"
    index = Index.load(tmp_path / "index")
    fresh = swapped.passages([c.text for c in index.chunks])
    assert (fresh * index.vectors).sum(axis=1).min() > 0.999


def test_disk_errors_say_what_happened(tmp_path: Path, corpus_index: Path) -> None:
    """A real write failure (a file-size limit makes every write past 64 KB fail, as a full disk
    would): exit 1 with one line naming the cause and the folder; the live index is untouched."""
    with open("/dev/full", "wb", buffering=0) as full, pytest.raises(OSError) as caught:
        full.write(b"x")
    assert caught.value.errno == errno.ENOSPC
    assert str(storage_error(caught.value, "index")) == "no space left on device while writing index"
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    shutil.copytree(corpus_index, index)
    (corpus / "more.txt").write_text("Heparin is an anticoagulant. " * 30, encoding="utf-8")
    before = (index / "CURRENT").read_text()

    # Language identification unpacks its model to a temporary file on first use: load it first.
    script = ("import resource, signal, sys\nfrom qa.languages.detect import detect\ndetect('warm up the identifier')\n"
              "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG\n"
              "resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))\n"
              "from qa.cli import main\nsys.exit(main(sys.argv[1:]))\n")
    result = subprocess.run([sys.executable, "-c", script, "index", "--corpus", str(corpus), "--index", str(index)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    # The disk is not full: numpy's short write (no errno) is named as such, with the likely causes.
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("qa: a write was cut short (")
    assert message.endswith(f"written) while writing {index}: is the disk full, or a file-size limit set?")
    assert (index / "CURRENT").read_text() == before
    assert not [p for p in index.iterdir() if p.name.startswith(".staging-")]
    assert len(Index.load(index).chunks) > 0


def test_a_file_that_vanishes_mid_build_is_a_skip(tmp_path: Path, settings: Settings, embedder: Embedder) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Warfarin needs INR monitoring. " * 10, encoding="utf-8")
    (corpus / "b.txt").write_text("Metformin lowers hepatic glucose output. " * 10, encoding="utf-8")

    def remove_b(stage: str, done: int, total: int) -> None:
        if stage == "files" and done == 1:
            (corpus / "b.txt").unlink(missing_ok=True)

    report = build(settings, embedder, corpus, tmp_path / "index", progress=remove_b)
    assert report.added == ["a.txt"] and [(s.source, s.reason[:10]) for s in report.skipped] == [
        ("b.txt", "unreadable")]
    assert os.path.exists(tmp_path / "index" / "CURRENT")


@pytest.fixture()
def upload_engine(tmp_path: Path, corpus_index: Path, settings: Settings, embedder: Embedder) -> Engine:
    from dataclasses import replace

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    shutil.copytree(corpus_index, index)
    return Engine(Index.load(index), embedder, replace(settings, corpus_dir=corpus, index_dir=index))


def _gradio_copy(folder: Path, name: str, data: bytes) -> str:
    """An upload as Gradio hands it over: a file in a folder of its own under its temp dir."""
    holder = folder / os.urandom(4).hex()
    holder.mkdir(parents=True)
    (holder / name).write_bytes(data)
    return str(holder / name)


def _zip_of_text() -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "not a Word document")
    return out.getvalue()


def test_batch_upload_with_one_bad_file(tmp_path: Path, upload_engine: Engine, hostile: dict[str, bytes]) -> None:
    from qa.languages import ENGLISH
    from qa.web.page import upload_files

    gradio = tmp_path / "gradio"
    good = "Plenzotide shortens the duration of acute gout flares to two days."
    files = [_gradio_copy(gradio, "gout note.md", good.encode()),
             _gradio_copy(gradio, "malformed.docx", hostile["malformed.docx"]),
             _gradio_copy(gradio, "bomb.docx", hostile["bomb-202M-chars.docx"]),
             _gradio_copy(gradio, "second.txt", b"Varnestat lowers triglycerides by a third in adults."),
             _gradio_copy(gradio, "nothing.pdf", b""), _gradio_copy(gradio, "archive.docx", _zip_of_text())]
    with Sandbox(upload_engine.settings.limits) as sandbox:
        markdown = upload_files(files, upload_engine, sandbox, ENGLISH.labels)
        status = html.unescape(re.sub(r"\\(.)", r"\1", markdown))  # as the reader sees it
        assert "uploads/gout\\_note.md" in markdown, "names are shown as written, not as Markdown"
        lines = status.splitlines()
        assert any(line.startswith("✗ malformed.docx: corrupt Word document") for line in lines), status
        assert "✗ bomb.docx: more than 5,000,000 characters of text" in lines, status
        assert any(line.startswith("✓ uploads/gout_note.md: added") for line in lines), status
        assert "✓ uploads/second.txt: added, searchable now (1 passage)" in lines, status
        # Said as the CLI says it, not as a parser's exception: an empty file, a zip named .docx.
        assert "✗ nothing.pdf: empty file" in lines, status
        assert "✗ archive.docx: not a Word document (a zip archive without word/document.xml)" in lines, status
        assert not [p for p in gradio.rglob("*") if p.is_file()], "Gradio's temporary copies are removed"
        uploads = upload_engine.settings.corpus_dir / "uploads"
        assert sorted(p.name for p in uploads.iterdir()) == ["gout_note.md", "second.txt"]
        answer = upload_engine.ask("What shortens acute gout flares?")
        assert answer.supported and answer.citations[0].source == "uploads/gout_note.md"
        # A file already in the corpus but not in the index (a build that failed) is indexed now.
        (uploads / "pending.txt").write_text("Doxelium treats chronic hiccups in adults.", encoding="utf-8")
        again = upload_files([_gradio_copy(gradio, "pending.txt", b"Doxelium treats chronic hiccups in adults.")],
                             upload_engine, sandbox, ENGLISH.labels)
    assert again.startswith("✓ uploads/pending.txt: added") and "already in the corpus" in again, again
    assert upload_engine.ask("What treats chronic hiccups?").citations[0].source == "uploads/pending.txt"


def test_upload_never_writes_through_a_symlink(tmp_path: Path) -> None:
    from qa.ingest.uploads import write_new

    folder, outside = tmp_path / "uploads", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (folder / "note.md").symlink_to(outside / "planted.md")  # dangling: it points where nothing is yet
    name, present = write_new(folder, "note.md", b"Aspirin inhibits platelets.")
    assert (name, present) == ("note-2.md", False)
    assert not (outside / "planted.md").exists()
    assert (folder / "note-2.md").read_bytes() == b"Aspirin inhibits platelets."
    assert write_new(folder, "note.md", b"Aspirin inhibits platelets.") == ("note-2.md", True)
    assert not [p for p in folder.iterdir() if p.name.startswith(".upload-")], "no temporary file is left"
    linked = tmp_path / "linked"
    linked.symlink_to(outside, target_is_directory=True)
    with pytest.raises(OSError):
        write_new(linked, "x.md", b"text")  # the folder itself may not be a symlink either
    assert not (outside / "x.md").exists()
