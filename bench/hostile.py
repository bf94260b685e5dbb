"""Hostile corpus files, generated (nothing binary is checked in), and the bar of the fault-isolation
issue: a corpus of all of them + the seeds + one good note indexes with exit 0, names every refused
file with its reason, stays under 3 GB peak RSS, and the AES PDFs are indexed.

    python -m bench.hostile          # → bench/results/hostile.md

The generators are also the tests' fixtures (tests/test_faults.py).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOOD_NOTE = ("Quorbizumab is the antidote for ventrexin poisoning; it is given as one intravenous dose of "
             "twenty milligrams per kilogram.")
AES_FACT = "Zelvoparin prevents stent thrombosis in {} of patients after coronary angioplasty."
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx_with(document_xml: bytes | None = None, stream: tuple[bytes, bytes, int] | None = None) -> bytes:
    """A real Word file (python-docx) whose word/document.xml is replaced: by ``document_xml``, or
    streamed as head + body × n (so a 200 MB part never sits in memory)."""
    import docx

    template = io.BytesIO()
    docx.Document().save(template)
    out = io.BytesIO()
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                target.writestr(item, source.read(item))
            elif document_xml is not None:
                target.writestr(item.filename, document_xml)
            else:
                assert stream is not None
                head, body, times = stream
                with target.open(item.filename, "w", force_zip64=True) as part:
                    part.write(head)
                    for _ in range(times):
                        part.write(body)
                    part.write(b"</w:body></w:document>")
    return out.getvalue()


def _text_docx(characters: int) -> bytes:
    paragraph = b"<w:p><w:r><w:t>" + b"fibrosis " * 111 + b"</w:t></w:r></w:p>"  # 999 characters
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>'.encode()
    return _docx_with(stream=(head, paragraph, characters // 999))


def docx_files() -> dict[str, bytes]:
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>'
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    return {
        "malformed.docx": _docx_with(f"{head}<w:p><w:r><w:t>unclosed".encode()),
        "entities.docx": _docx_with(
            (f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY l0 "lol">{laughs}]>'
             f"{head[head.index('<w:document'):]}<w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body></w:document>").encode()
        ),
        "huge-text-node.docx": _docx_with(
            f"{head}<w:p><w:r><w:t>{'a' * 11_000_000}</w:t></w:r></w:p></w:body></w:document>".encode()
        ),
        "bomb-202M-chars.docx": _text_docx(202_000_000),
        "large-20M-chars.docx": _text_docx(20_000_000),
    }


def _pdf(lines: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for i, line in enumerate(lines):
        pdf.drawString(72, 800 - 14 * i, line)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def aes_pdf(algorithm: str, fact: str) -> bytes:
    """Encrypted with an empty user password (opens without one; the owner password restricts)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf([fact]))))
    writer.encrypt(user_password="", owner_password="owner-secret", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def flate_bomb_pdf(inflated_mb: int = 60) -> bytes:
    """One page whose content stream is ``inflated_mb`` MB of text operators, deflated to ~120 KB."""
    operator = b"BT /F1 12 Tf 72 700 Td (dose) Tj ET\n"
    content = zlib.compress(operator * (inflated_mb * 2**20 // len(operator)), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def deep_html(depth: int, tag: str = "span") -> bytes:
    text = "Lorvexamine relieves migraine aura within twenty minutes."
    return f"<html><body>{f'<{tag}>' * depth}<p>{text}</p>{f'</{tag}>' * depth}</body></html>".encode()


def hostile_files() -> dict[str, bytes]:
    """name → bytes; every one of them failed `qa index` (or the server) before issue 13."""
    return {
        **docx_files(),
        "aes128.pdf": aes_pdf("AES-128", AES_FACT.format("ninety-one percent")),
        "aes256.pdf": aes_pdf("AES-256", AES_FACT.format("ninety-four percent")),
        "flate-bomb.pdf": flate_bomb_pdf(),
        "deep-5000-spans.html": deep_html(5000),
        "deep-990-divs.html": deep_html(990, "div"),
    }


# Files whose text is readable once parsed safely: indexed, not refused.
READABLE = {"aes128.pdf", "aes256.pdf", "deep-5000-spans.html", "deep-990-divs.html"}


# The command runs under a small launcher: Linux keeps a process's peak RSS across exec, so a child
# forked straight from a large process (a test session) would report its parent's size as its own.
_LAUNCHER = ("import os, subprocess, sys\n"
             "child = subprocess.Popen(sys.argv[2:])\n"
             "_, status, usage = os.wait4(child.pid, 0)\n"
             "open(sys.argv[1], 'w').write(f'{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}')\n")


def run_measured(command: list[str]) -> tuple[int, str, str, float]:
    """Run a command; (exit code, stdout, stderr, peak RSS in GB of it and the processes it waited for)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".txt") as result:
        subprocess.run([sys.executable, "-c", _LAUNCHER, result.name, *command], stdout=out, stderr=err, check=False)
        code, peak_kb = (int(value) for value in Path(result.name).read_text().split())
        out.seek(0)
        err.seek(0)
        return code, out.read().decode(errors="replace"), err.read().decode(errors="replace"), peak_kb / 2**20


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
        shutil.copytree(ROOT / "corpus", corpus)
        (corpus / "good-note.txt").write_text(GOOD_NOTE, encoding="utf-8")
        files = hostile_files()
        for name, data in files.items():
            (corpus / name).write_bytes(data)
        # A link out of the corpus (a shared folder's planted /etc/passwd): skipped, never read.
        outside = Path(tmp) / "outside-secret.txt"
        outside.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
        (corpus / "passwd-link.txt").symlink_to(outside)
        files["passwd-link.txt"] = outside.read_bytes()
        began = time.perf_counter()
        code, stdout, stderr, peak = run_measured([sys.executable, "-m", "qa.cli", "index", "--corpus", str(corpus),
                                                   "--index", str(index)])
        seconds = time.perf_counter() - began
    lines = ["# Hostile corpus: `python -m bench.hostile`\n",
             f"exit code {code}; {seconds:.0f} s; peak RSS of `qa index` and its extractor: "
             f"{peak:.2f} GB\n", "| file | size | outcome |", "|---|---|---|"]
    skipped = {line.split(":", 1)[0][len("skipped "):]: line.split(":", 1)[1].strip()
               for line in stderr.splitlines() if line.startswith("skipped ")}
    for name, data in files.items():
        lines.append(f"| {name} | {len(data) / 1024:,.0f} KB | {skipped.get(name, 'indexed')} |")
    lines += ["", f"`qa index`: {stdout.strip()}"]
    report = "\n".join(lines) + "\n"
    print(report)
    (ROOT / "bench" / "results" / "hostile.md").write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
