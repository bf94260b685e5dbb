"""The `qa` command as other tools use it: real processes, real index, exact JSON contract."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

KEYS = {"question", "language", "script", "answer", "supported", "verdict", "confidence", "citations", "quotes"}
CITATION_KEYS = {"n", "source", "start", "end", "line_start", "line_end", "language", "score", "text", "sha256"}


def qa(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", *args], capture_output=True, text=True, input=stdin, timeout=600
    )


def test_ask_json_for_a_questions_file(corpus_index: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.txt"
    questions.write_text(
        "Did ziltivekimab reduce CRP in the HERMES trial?\nСнизил ли зилтивекимаб СРБ в исследовании HERMES?\n"
        "What is the boiling point of mercury?\n",
        encoding="utf-8",
    )
    result = qa("ask", "--index", str(corpus_index), "--json", "--k", "3", "--questions", str(questions))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in rows] == questions.read_text(encoding="utf-8").splitlines()
    assert [r.pop("line") for r in rows] == [1, 2, 3], "each answer names its line of the file"
    assert [r["language"] for r in rows] == ["en", "ru", "en"]
    # The Russian one is `related` with the current model (tests/answer/test_verdict.py keeps it visible).
    verdicts = [r["verdict"] for r in rows]
    assert verdicts[0] == "answered" and verdicts[1] != "not_found" and verdicts[2] == "not_found", verdicts
    assert rows[0]["supported"] is True and rows[2]["supported"] is False
    for row in rows:
        assert set(row) == KEYS
        assert 1 <= len(row["citations"]) <= 3
        assert [c["n"] for c in row["citations"]] == list(range(1, len(row["citations"]) + 1))
        for c in row["citations"]:
            assert set(c) == CITATION_KEYS
            assert c["source"] in ("il6-hfref-review.txt", "il6-cardiogenic-shock-summary.txt")
            # The file as indexed, which a later context view checks the offsets against.
            indexed = (corpus_index.parent / "corpus" / c["source"]).read_bytes()
            assert c["sha256"] == hashlib.sha256(indexed).hexdigest()
            assert 0 <= c["start"] < c["end"] and 1 <= c["line_start"] <= c["line_end"]
            assert c["language"] in ("en", "ru", "uz")
        # Each quoted sentence names the lines of its file that hold it, within its passage's lines.
        assert bool(row["quotes"]) == (row["verdict"] != "not_found")
        for quote in row["quotes"]:
            cited = row["citations"][quote["n"] - 1]
            assert cited["line_start"] <= quote["line_start"] <= quote["line_end"] <= cited["line_end"]
            lines = (corpus_index.parent / "corpus" / cited["source"]).read_text(encoding="utf-8").splitlines()
            # The quote reads a word broken at a line end ("lack-" / "ing.") as one word.
            held = re.sub(r"(\w)-\s+(\w)", r"\1\2", " ".join(lines[quote["line_start"] - 1 : quote["line_end"]]))
            words = quote["text"].split()
            assert words[0] in held and words[-1] in held, (quote, held)
            assert quote["text"] in row["answer"]
        # score is the cosine of question and passage in every language (citations are in rank order)
        assert all(0.5 < c["score"] <= 1.0 for c in row["citations"])
    quotes = [(q, row["citations"][q["n"] - 1]) for row in rows for q in row["quotes"]]
    assert any(q["line_end"] - q["line_start"] < c["line_end"] - c["line_start"] for q, c in quotes), \
        "a sentence's own lines, not its passage's"


def test_readable_output(corpus_index: Path) -> None:
    result = qa("ask", "--index", str(corpus_index), "Which cells produce IL-6 under stress conditions?")
    assert result.returncode == 0, result.stderr
    assert "macrophages" in result.stdout and "[1] il6-" in result.stdout
    assert re.search(r"^\[1\] il6-\S+  lines \d+-\d+", result.stdout, re.M), result.stdout
    # A Russian reader's labels are Russian, the verdict's included.
    russian = qa("ask", "--index", str(corpus_index), "Какова температура кипения ртути?")
    assert russian.returncode == 0, russian.stderr
    assert "[В источниках не найдено]" in russian.stdout.splitlines()[0], russian.stdout
    assert re.search(r"^\[1\] \S+  строки \d+-\d+  \(\w+, сходство 0\.\d+\)", russian.stdout, re.M), russian.stdout


def test_bad_input_exit_codes(corpus_index: Path, tmp_path: Path) -> None:
    empty = qa("ask", "--index", str(corpus_index), "   ")
    assert empty.returncode == 2 and empty.stderr.strip() == "qa: the question is empty"
    usage = qa("ask", "--bogus")
    assert usage.returncode == 2 and len(usage.stderr.strip().splitlines()) == 1
    missing = qa("ask", "--index", str(tmp_path / "none"), "What is IL-6?")
    assert missing.returncode == 1 and f"run `qa index --index {tmp_path / 'none'}`" in missing.stderr, (
        "the fix names the index the command was given")
    assert "Traceback" not in empty.stderr + usage.stderr + missing.stderr
    no_corpus = qa("index", "--corpus", str(tmp_path / "nope"), "--index", str(tmp_path / "i"))
    assert no_corpus.returncode == 2 and "corpus folder not found" in no_corpus.stderr


def test_index_command_summary(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "note.md").write_text("# IL-6\n\nIL-6 is a cytokine produced by macrophages.", encoding="utf-8")
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    result = qa("index", "--corpus", str(corpus), "--index", str(tmp_path / "i"))
    assert result.returncode == 0, result.stderr
    assert "1 added" in result.stdout and "1 skipped" in result.stdout
    assert "skipped empty.txt: empty file" in result.stderr
    # A wrong or empty --corpus leaves the index of documents as it is; --rebuild empties it on purpose.
    empty = tmp_path / "empty"
    empty.mkdir()
    kept = qa("index", "--corpus", str(empty), "--index", str(tmp_path / "i"))
    assert kept.returncode == 2 and "left as it is" in kept.stderr and "Traceback" not in kept.stderr
    again = qa("index", "--corpus", str(corpus), "--index", str(tmp_path / "i"))
    assert "1 unchanged" in again.stdout, "nothing was removed"
    emptied = qa("index", "--corpus", str(empty), "--index", str(tmp_path / "i"), "--rebuild")
    assert emptied.returncode == 0 and "indexed 0 chunks" in emptied.stdout


def test_edge_case_questions(corpus_index: Path, tmp_path: Path) -> None:
    """Unusable input exits 2 with one line; odd but usable input is answered (long input truncated)."""
    emoji = qa("ask", "--index", str(corpus_index), "🙂🫀💊")
    assert emoji.returncode == 2 and emoji.stderr.strip() == "qa: the question has no letters or digits"
    controls = qa("ask", "--index", str(corpus_index), "\x07\x1b\t")
    assert controls.returncode == 2 and "Traceback" not in controls.stderr
    questions = tmp_path / "odd.txt"
    long_question = "Which drug was tested in the HERMES trial? " * 2400  # ~100,000 characters pasted
    questions.write_text(
        f"{long_question}\nWhich\x07 drug\x1b was tested in HERMES?\nHERMES синовида IL-6 ҳужайра trial drug?\n",
        encoding="utf-8",
    )
    result = qa("ask", "--index", str(corpus_index), "--json", "--questions", str(questions))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3 and len(rows[0]["question"]) <= 1002
    assert rows[0]["question"].startswith("… "), "the reader sees that the start was left out"
    cut = rows[0]["question"].removeprefix("… ")
    assert long_question.strip().endswith(cut) and long_question.strip()[-len(cut) - 1] == " ", "cut at a word boundary"
    assert rows[0]["citations"]
    assert "ziltivekimab" in rows[1]["answer"].lower()
    assert "\x07" not in rows[1]["question"] and rows[2]["citations"]


def test_eval_scores_a_question_file(corpus_index: Path, tmp_path: Path) -> None:
    rows = [
        {"question": "Did ziltivekimab reduce CRP in the HERMES trial?", "gold": ["tested ziltivekimab"], "lang": "en"},
        {"question": "Какой препарат испытывали в исследовании HERMES?", "gold_source": "il6-hfref-review.txt"},
        {"question": "What is the boiling point of mercury?", "gold": [], "lang": "en"},
        {"question": "Did ziltivekimab reduce CRP in the HERMES trial?", "gold": ["a phrase no passage has"],
         "lang": "en"},
    ]
    file = tmp_path / "qa.jsonl"
    file.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = qa("eval", "--qa", str(file), "--index", str(corpus_index), "--k", "5", "--json")
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)["variants"]
    assert set(scores) == {"en", "ru", "all"}
    assert scores["ru"]["recall_at_k"] == 1.0 and scores["ru"]["questions"] == 1
    assert scores["en"]["answerable"] == 2 and scores["en"]["recall_at_k"] == 0.5, "one gold phrase is absent"
    assert scores["en"]["abstention"] == 1.0, "mercury flagged, HERMES answered"
    assert 0 < scores["all"]["mrr_at_10"] <= scores["all"]["recall_at_k"]
    # What the reader sees: the HERMES answer says the trial tested ziltivekimab in its first sentence; the second
    # HERMES row's gold phrase is in no answer; mercury is flagged.
    assert scores["en"]["answer_recall"] == 0.5 and scores["en"]["first_sentence_recall"] == 0.5
    assert scores["en"]["kept"] == 1.0 and scores["en"]["flagged"] == 1.0
    assert scores["ru"]["answer_recall"] is None, "a gold_source row has no phrase to find in the answer"
    readable = qa("eval", "--qa", str(file), "--index", str(corpus_index))
    assert readable.returncode == 0 and "MRR@10" in readable.stdout and "all" in readable.stdout
    assert "answer" in readable.stdout and "flagged" in readable.stdout
    (tmp_path / "bad.jsonl").write_text('{"question": "x"}\n', encoding="utf-8")
    bad = qa("eval", "--qa", str(tmp_path / "bad.jsonl"), "--index", str(corpus_index))
    assert bad.returncode == 2 and "bad.jsonl:1" in bad.stderr and "Traceback" not in bad.stderr
    # A refused question is named with its line before any question is asked.
    refused = f'{json.dumps(rows[0])}\n{{"question": "  ", "gold": []}}\n'
    (tmp_path / "empty.jsonl").write_text(refused, encoding="utf-8")
    empty = qa("eval", "--qa", str(tmp_path / "empty.jsonl"), "--index", str(corpus_index))
    assert empty.returncode == 2 and empty.stderr.strip().endswith("empty.jsonl:2: the question is empty")


def test_a_reader_that_stops_early_ends_the_run_quietly(corpus_index: Path, tmp_path: Path) -> None:
    """`qa ask --json --questions F | head -c 100`: the pipe closes after the first answer; qa stops
    without an error line (exit 141, as a shell reports SIGPIPE)."""
    questions = tmp_path / "q.txt"
    questions.write_text("Which drug was tested in the HERMES trial?\n" * 40, encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "qa.cli", "ask", "--index", str(corpus_index), "--json",
                                "--questions", str(questions)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(100)
    process.stdout.close()
    assert process.wait(timeout=600) == 141
    assert process.stderr.read().decode() == ""


def test_an_index_remembers_the_folder_it_was_built_from(tmp_path: Path) -> None:
    """Without --corpus, `qa index --index I` indexed the project's corpus/ into I and dropped the
    files I had been built from; `qa ask --index I` never checked them for changes."""
    corpus, index = tmp_path / "ward notes", tmp_path / "index"
    corpus.mkdir()
    note = corpus / "a.txt"
    note.write_text("Ziltivekimab was tested in the HERMES trial. It lowered CRP by 90 percent.\n", encoding="utf-8")
    assert qa("index", "--corpus", str(corpus), "--index", str(index)).returncode == 0
    again = qa("index", "--index", str(index))
    assert again.returncode == 0 and "0 removed, 1 unchanged" in again.stdout, again.stdout
    listed = qa("documents", "--index", str(index), "--json")
    assert [f["source"] for f in json.loads(listed.stdout)["indexed"]] == ["a.txt"]
    note.write_text("Ziltivekimab was tested in the HERMES trial. It lowered CRP by 50 percent.\n", encoding="utf-8")
    asked = qa("ask", "--index", str(index), "--json", "Which drug was tested in the HERMES trial?")
    assert asked.returncode == 0 and json.loads(asked.stdout)["changed"] == ["a.txt"], asked.stdout
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    asked = qa("ask", "--index", str(index), "--corpus", str(elsewhere), "--json", "Which drug was tested in HERMES?")
    assert asked.returncode == 0 and "changed" not in json.loads(asked.stdout), "another folder given: not checked"
    # The folder moved: refused, never replaced by the project's corpus/.
    corpus.rename(tmp_path / "moved")
    for command in (("index",), ("serve", "--port", "7999"), ("ask", "Which drug was tested in HERMES?")):
        refused = qa(*command, "--index", str(index))
        assert refused.returncode == 2 and "which is not there: give --corpus" in refused.stderr, refused.stderr
    listed = qa("documents", "--index", str(index), "--corpus", str(tmp_path / "moved"), "--json")
    assert [f["source"] for f in json.loads(listed.stdout)["indexed"]] == ["a.txt"], "the index kept its files"
    # A fix names the options the command was given.
    missing = qa("ask", "--index", str(tmp_path / "none"), "--corpus", str(tmp_path / "moved"), "Which drug?")
    assert f"qa index --index {tmp_path / 'none'} --corpus {tmp_path / 'moved'}" in missing.stderr, missing.stderr
