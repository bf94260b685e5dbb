"""OCR benchmark: scanned-looking pages (bench.scans: text rendered at 200 and 300 dpi, rotated
0.8°, speckled, blurred) in English, Russian, Uzbek Cyrillic and Uzbek Latin.

Reports, per language: character error rate (Levenshtein distance / reference length, whitespace
collapsed) for each way of choosing Tesseract's models (all four at once in two orders; the page's
own model, which needs the language known in advance), seconds per page, OCRmyPDF beside the
direct call when it is installed, and Recall@5 of one question per page over an index of the scans.

    python -m bench.ocr            # writes bench/results/ocr.md
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.scans import PAGES, QUESTIONS, TESSERACT_CODES, image_pdf, page_image, png
from qa.ingest.ocr import parse_tsv
from qa.settings import LimitSettings

RESULTS = Path(__file__).resolve().parent / "results" / "ocr.md"
SEEDS = (0, 1, 2)
ORDERS = ("eng+rus+uzb+uzb_cyrl", "uzb_cyrl+uzb+rus+eng")


def distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def cer(read: str, reference: str) -> float:
    read, reference = " ".join(read.split()), " ".join(reference.split())
    return distance(read, reference) / len(reference)


def tesseract(image: bytes, languages: str) -> tuple[str, float]:
    start = time.perf_counter()
    done = subprocess.run(["tesseract", "stdin", "stdout", "-l", languages, "--psm", "3", "tsv"], input=image,
                          capture_output=True, check=True, env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})
    return parse_tsv(done.stdout.decode()).text, time.perf_counter() - start


def ocrmypdf(image: bytes, languages: str, dpi: int) -> tuple[str, float] | None:
    """The same page through OCRmyPDF (a text layer added to an image PDF), read back with pypdf."""
    if shutil.which("ocrmypdf") is None:
        return None
    from PIL import Image
    from pypdf import PdfReader

    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.pdf", Path(folder) / "out.pdf"
        source.write_bytes(image_pdf([Image.open(__import__("io").BytesIO(image))], dpi))
        start = time.perf_counter()
        subprocess.run(["ocrmypdf", "-q", "-l", languages, "--output-type", "pdf", "--jobs", "1", str(source),
                        str(target)], check=True, capture_output=True)
        seconds = time.perf_counter() - start
        return PdfReader(target).pages[0].extract_text() or "", seconds


def recall_at_5() -> dict[str, float]:
    """One question per page over an index of the four scans (an image-only PDF and a PNG)."""
    from qa.api import open_engine
    from qa.ingest.build import build
    from qa.model.embed import Embedder
    from qa.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        corpus.mkdir()
        images = {code: page_image(text, seed=7) for code, text in PAGES.items()}
        (corpus / "scans.pdf").write_bytes(image_pdf([images["en"], images["ru"], images["uz-Cyrl"]]))
        (corpus / "note.png").write_bytes(png(images["uz"]))
        settings = replace(Settings.from_env(), corpus_dir=corpus, index_dir=Path(folder) / "index", index_uri="")
        build(settings, Embedder(settings), corpus, settings.index_dir)
        engine = open_engine(settings.index_dir, settings)
        pages = {"en": ("scans.pdf", 1), "ru": ("scans.pdf", 2), "uz-Cyrl": ("scans.pdf", 3), "uz": ("note.png", 1)}
        return {code: float(any((c.source, c.page) == pages[code] for c in engine.ask(question, 5).citations))
                for code, (question, _) in QUESTIONS.items()}


def held_out_texts() -> dict[str, str]:
    """Pages of text the model order was not chosen on: the abstracts of the shipped review (Uzbek
    Cyrillic, English, Russian; the Uzbek one transliterated for Uzbek Latin), ~450 characters each."""
    from qa.text.translit import uzbek_to_latin

    text = (Path(__file__).resolve().parent.parent / "corpus" / "il6-hfref-review.txt").read_text(encoding="utf-8")

    def passage(marker: str) -> str:
        words = " ".join(text[text.index(marker):].split()).replace("- ", "").split(" ")
        out = ""
        for word in words:
            if len(out) > 450:
                break
            out = f"{out} {word}".strip()
        return out

    uzbek = passage("Резюме. Юрак")
    return {"en": passage("Abstract."), "ru": passage("Резюме. Сердечная"), "uz": uzbek_to_latin(uzbek),
            "uz-Cyrl": uzbek}


def main() -> int:
    if shutil.which("tesseract") is None:
        print("bench.ocr: Tesseract is missing (apt-get install tesseract-ocr ...)", file=sys.stderr)
        return 1
    lines = ["# OCR: character error rate and speed", "",
             f"`python -m bench.ocr`; pages from `bench/scans.py`, seeds {SEEDS}; Tesseract "
             f"({subprocess.run(['tesseract', '--version'], capture_output=True, text=True).stdout.split()[1]}), "
             "one thread per page; mean over the seeds.", "",
             "| dpi | models | " + " | ".join(f"CER {code}" for code in PAGES) + " | s/page |",
             "|---|---|" + "---|" * (len(PAGES) + 1)]
    for dpi in (200, 300):
        images = {(code, seed): png(page_image(text, dpi=dpi, seed=seed)) for code, text in PAGES.items()
                  for seed in SEEDS}
        for models in (*ORDERS, "own"):
            rates, times = {code: [] for code in PAGES}, []  # type: ignore[var-annotated]
            for (code, _), image in images.items():
                read, seconds = tesseract(image, TESSERACT_CODES[code] if models == "own" else models)
                rates[code].append(cer(read, PAGES[code]))
                times.append(seconds)
            cells = " | ".join(f"{sum(r) / len(r):.3f}" for r in rates.values())
            label = "the page's own model (language known)" if models == "own" else f"`{models}`"
            lines.append(f"| {dpi} | {label} | {cells} | {sum(times) / len(times):.2f} |")
        print("\n".join(lines[-3:]), flush=True)
    default = LimitSettings().ocr_languages
    lines += ["", f"Default (`LimitSettings.ocr_languages`): `{default}`.", ""]
    through = {code: ocrmypdf(png(page_image(text, dpi=300, seed=0)), default, 300) for code, text in PAGES.items()}
    if all(result is not None for result in through.values()):
        rates = " | ".join(f"{cer(r[0], PAGES[c]):.3f}" for c, r in through.items() if r)
        seconds = sum(r[1] for r in through.values() if r) / len(through)
        lines += ["| 300 dpi, seed 0 | " + " | ".join(f"CER {code}" for code in PAGES) + " | s/page |",
                  "|---|" + "---|" * (len(PAGES) + 1), f"| OCRmyPDF, then pypdf | {rates} | {seconds:.2f} |"]
    else:
        lines.append("OCRmyPDF is not installed here: no comparison row.")
    held = held_out_texts()
    rates = {code: cer(tesseract(png(page_image(text, dpi=300, seed=11)), default)[0], text)
             for code, text in held.items()}
    lines += ["", "Held out (the models' order was chosen on the pages above): the shipped review's abstracts "
              "rendered the same way at 300 dpi, read with the default models: "
              + ", ".join(f"{code} {rate:.3f}" for code, rate in rates.items()), ""]
    recall = recall_at_5()
    lines += ["", "Recall@5, one question per scanned page (300 dpi, the default models): "
              + ", ".join(f"{code} {value:.2f}" for code, value in recall.items()), ""]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
