"""Scanned documents as a clinic has them: the real Tesseract reads page images these tests render
(bench.scans), in English, Russian, Uzbek Cyrillic and Uzbek Latin; a question in each variant
cites the right page, marked on the page image."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bench.scans import PAGES, QUESTIONS, image_pdf, page_image, png
from qa.api import Engine, open_engine
from qa.ingest.build import build
from qa.ingest.sandbox import Sandbox
from qa.model.embed import Embedder
from qa.settings import Settings
from qa.web.cards import labels_for, sources_html

WHERE = {"en": ("scans.pdf", 1), "ru": ("scans.pdf", 2), "uz-Cyrl": ("scans.pdf", 3), "uz": ("note.png", 1)}


def marked_pixels(image: bytes) -> int:
    """Pixels in the page view's mark yellow (qa.ingest.pdfpage.MARK multiplied into white paper)."""
    pixels = np.asarray(Image.open(io.BytesIO(image)).convert("RGB")).astype(int)
    near = [abs(pixels[..., channel] - value) < 6 for channel, value in enumerate((253, 230, 138))]
    return int((near[0] & near[1] & near[2]).sum())


def scanned_corpus(folder: Path, settings: Settings) -> Settings:
    corpus = folder / "corpus"
    corpus.mkdir()
    images = {code: page_image(text, seed=3) for code, text in PAGES.items()}
    # An image-only PDF of three pages (no text layer at all), and a PNG.
    (corpus / "scans.pdf").write_bytes(image_pdf([images["en"], images["ru"], images["uz-Cyrl"]]))
    (corpus / "note.png").write_bytes(png(images["uz"]))
    limits = replace(settings.limits, ocr_cache=str(folder / "ocr-cache"))
    return replace(settings, corpus_dir=corpus, index_dir=folder / "index", index_uri="", limits=limits)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Engine:
    local = scanned_corpus(tmp_path_factory.mktemp("scans"), settings)
    report = build(local, embedder, local.corpus_dir, local.index_dir)
    assert sorted(report.added) == ["note.png", "scans.pdf"] and not report.skipped
    return open_engine(local.index_dir, local, embedder)


@pytest.mark.parametrize("code", list(QUESTIONS))
def test_a_question_cites_the_scanned_page_marked_on_its_image(scanned: Engine, code: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    question, phrase = QUESTIONS[code]
    answer = scanned.ask(question, 3)
    best = answer.citations[0]
    assert (best.source, best.page) == WHERE[code] and best.ocr, answer.to_json()
    assert answer.to_json()["citations"][0]["ocr"] is True
    labels = labels_for("auto", answer.language)
    assert labels["ocr_note"] in sources_html(answer, labels, scanned), "the card says the text was read by OCR"
    assert phrase.lower() in " ".join(claim.text for claim in answer.claims).lower() or phrase in best.text
    # The context view reads the same text back from the OCR cache: with no Tesseract to read it again.
    monkeypatch.setenv("PATH", "/nonexistent")
    context = scanned.context(best.source, best.start, best.end)
    assert context.available and " ".join(context.span.split()) == " ".join(best.text.split())
    data = (scanned.settings.corpus_dir / best.source).read_bytes()
    with Sandbox(scanned.settings.limits) as sandbox:
        cited = sandbox.render_page(data, best.page or 1, tuple(c.text for c in answer.claims) or (best.text,),
                                    Path(best.source).suffix)
        elsewhere = sandbox.render_page(data, best.page or 1, ("A sentence printed on no page at all.",),
                                        Path(best.source).suffix)
    assert marked_pixels(cited) > 2_000, "the cited sentence is marked on the page image"
    assert marked_pixels(elsewhere) == 0


def test_a_page_that_times_out_is_skipped_and_the_others_are_indexed(tmp_path: Path, settings: Settings,
                                                                     embedder: Embedder) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # Ten pages of text on one tall image: some forty times the work of a page of two lines.
    dense = page_image(" ".join([PAGES["en"]] * 6), seed=1)
    tall = Image.new("L", (dense.width, dense.height * 10), 255)
    for row in range(10):
        tall.paste(dense, (0, row * dense.height))
    short = page_image(PAGES["ru"][:120], seed=2)
    (corpus / "mixed.pdf").write_bytes(image_pdf([short, tall]))
    limits = replace(settings.limits, ocr_page_seconds=4.0, ocr_cache=str(tmp_path / "ocr-cache"))
    local = replace(settings, corpus_dir=corpus, index_dir=tmp_path / "index", index_uri="", limits=limits)
    report = build(local, embedder, corpus, local.index_dir)
    assert report.added == ["mixed.pdf"]
    assert [(s.source, s.reason) for s in report.skipped] == [("mixed.pdf (page 2)", "OCR took longer than 4.0 s")]
    engine = open_engine(local.index_dir, local, embedder)
    assert {(c.source, c.page) for c in engine.ask("эналаприл", 5).citations} == {("mixed.pdf", 1)}


def test_reindexing_reads_no_page_again_and_a_missing_tesseract_is_named(
        tmp_path: Path, settings: Settings, embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    local = scanned_corpus(tmp_path, settings)
    first = build(local, embedder, local.corpus_dir, local.index_dir)
    assert not first.skipped
    # Without Tesseract on the PATH a rebuild still has every page: from the cache, by content hash.
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    again = build(local, embedder, local.corpus_dir, local.index_dir, rebuild=True)
    assert not again.skipped and again.chunks == first.chunks
    # A new scan cannot be read: skipped, naming the Debian package to install; the rest is indexed.
    (local.corpus_dir / "new.png").write_bytes(png(page_image(PAGES["en"][:200], seed=9)))
    third = build(local, embedder, local.corpus_dir, local.index_dir)
    assert [s.source for s in third.skipped] == ["new.png"]
    assert "apt-get install tesseract-ocr" in third.skipped[0].reason
    assert sorted(third.unchanged) == ["note.png", "scans.pdf"]


def test_a_broken_image_is_a_skip_with_its_reason(settings: Settings) -> None:
    from qa.errors import ExtractionError
    from qa.ingest.read import to_document

    with Sandbox(settings.limits) as sandbox:
        with pytest.raises(ExtractionError, match="^not a readable PNG, JPEG or TIFF image$"):
            to_document("broken.png", b"\x89PNG\r\n\x1a\n" + bytes(200), sandbox)
        # Only the decoders the suffixes promise: a GIF named .png is refused, not decoded.
        gif = io.BytesIO()
        page_image("GIF", dpi=72).save(gif, format="GIF")
        with pytest.raises(ExtractionError, match="not a readable PNG, JPEG or TIFF"):
            to_document("renamed.png", gif.getvalue(), sandbox)
