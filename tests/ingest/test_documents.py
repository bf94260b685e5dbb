"""The documents behind the answers, from the command line: `qa documents` lists what is indexed
and what was skipped (with the reason); `qa remove FILE` moves the file into the index's trash and
takes it out of the index, and an answer that cited it says it was removed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from qa.api import open_engine
from qa.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
NOTE = ("Quorvamine dosing note.\n\nQuorvamine is given at 12 milligrams once daily for adults with resistant "
        "hypertension; it lowers systolic blood pressure by about 9 mmHg.\n")


def qa(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True, text=True, timeout=600)


def test_list_remove_and_cards_that_say_removed(tmp_path: Path, corpus_index: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    shutil.copytree(corpus_index, index)
    (corpus / "notes").mkdir()
    (corpus / "notes" / "quorvamine.txt").write_text(NOTE, encoding="utf-8")
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    places = ("--corpus", str(corpus), "--index", str(index))
    assert qa("index", *places).returncode == 0

    listed = qa("documents", *places, "--json")
    assert listed.returncode == 0, listed.stderr
    documents = json.loads(listed.stdout)
    by_name = {row["source"]: row for row in documents["indexed"]}
    assert set(by_name) == {"il6-hfref-review.txt", "il6-cardiogenic-shock-summary.txt", "notes/quorvamine.txt"}
    assert by_name["notes/quorvamine.txt"]["sections"] == ["en-Latn"] and by_name["notes/quorvamine.txt"]["passages"]
    assert {"ru-Cyrl", "uz-Cyrl", "en-Latn"} <= set(by_name["il6-hfref-review.txt"]["sections"])
    assert documents["skipped"] == [{"source": "empty.txt", "reason": "empty file"}] and documents["deleted"] == []
    table = qa("documents", *places)
    assert "notes/quorvamine.txt" in table.stdout and "skipped empty.txt: empty file" in table.stdout

    settings = replace(Settings.from_env(), corpus_dir=corpus, index_dir=index)
    before = open_engine(index, settings).ask("What dose of quorvamine is given to adults?")
    cited = next(c for c in before.citations if c.source == "notes/quorvamine.txt")

    removed = qa("remove", "notes/quorvamine.txt", *places)
    assert removed.returncode == 0, removed.stderr
    assert not (corpus / "notes" / "quorvamine.txt").exists()
    kept = list((index / "trash").glob("*/notes/quorvamine.txt"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == NOTE, "nothing is lost by a removal"
    assert "removed notes/quorvamine.txt" in removed.stdout
    engine = open_engine(index, settings)
    assert engine.index.count_source("notes/quorvamine.txt") == 0
    assert all(c.source != "notes/quorvamine.txt" for c in engine.ask("What dose of quorvamine is given?").citations)
    assert engine.context(cited.source, cited.start, cited.end).reason == "removed", "an open answer's card"

    (corpus / "notes" / "quorvamine.txt").write_text(NOTE, encoding="utf-8")  # the same name again
    absolute = str((corpus / "notes" / "quorvamine.txt").resolve())  # a path to the file works too
    assert qa("index", *places).returncode == 0 and qa("remove", absolute, *places).returncode == 0
    assert not (corpus / "notes" / "quorvamine.txt").exists()
    assert len(list((index / "trash").glob("*/notes/quorvamine.txt"))) == 2, "a second removal overwrites nothing"

    # Deleted from the folder by hand, still indexed: `qa remove` takes it out of the index all the same.
    (corpus / "notes" / "quorvamine.txt").write_text(NOTE, encoding="utf-8")
    assert qa("index", *places).returncode == 0
    (corpus / "notes" / "quorvamine.txt").unlink()
    listed = qa("documents", *places)
    assert "still indexed: notes/quorvamine.txt" in listed.stdout, listed.stdout
    assert json.loads(qa("documents", *places, "--json").stdout)["deleted"] == ["notes/quorvamine.txt"]
    # Named with another folder than the index was built from: nothing is rebuilt from that folder.
    other = tmp_path / "other"
    other.mkdir()
    (other / "unrelated.txt").write_text("An unrelated note on something else entirely.\n", encoding="utf-8")
    elsewhere = ("--corpus", str(other), "--index", str(index))
    assert json.loads(qa("documents", *elsewhere, "--json").stdout)["deleted"] == []
    refused = qa("remove", "notes/quorvamine.txt", *elsewhere)
    assert refused.returncode == 2 and "no such file" in refused.stderr, refused.stderr
    assert open_engine(index, settings).index.count_source("il6-hfref-review.txt") > 0, "the index is untouched"
    gone = qa("remove", "notes/quorvamine.txt", *places)
    assert gone.returncode == 0, gone.stderr
    assert "already gone from the corpus folder" in gone.stdout and "(1 passage)" in gone.stdout, gone.stdout
    assert open_engine(index, settings).index.count_source("notes/quorvamine.txt") == 0
    assert len(list((index / "trash").glob("*/notes/quorvamine.txt"))) == 2, "nothing to move"


def test_remove_refuses_what_is_not_a_corpus_file(tmp_path: Path, corpus_index: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    shutil.copytree(corpus_index, index)
    (tmp_path / "outside.txt").write_text("not in the corpus", encoding="utf-8")
    places = ("--corpus", str(corpus), "--index", str(index))
    for name in ("../outside.txt", "no-such-file.txt", "", ".", str(tmp_path / "outside.txt"),
                 "../corpus/il6-hfref-review.txt", "./../corpus/il6-hfref-review.txt"):
        result = qa("remove", name, *places)
        assert result.returncode == 2, (name, result.stderr)
        assert result.stderr.startswith("qa: ") and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert (tmp_path / "outside.txt").exists() and sorted(p.name for p in corpus.iterdir()) == sorted(
        p.name for p in (ROOT / "corpus").iterdir())
    missing = qa("documents", "--index", str(tmp_path / "nothing"))
    assert missing.returncode == 1 and "qa index" in missing.stderr


def test_a_removal_whose_index_update_fails_puts_the_file_back(tmp_path: Path) -> None:
    import pytest

    from qa.errors import IndexUnavailable, InputError
    from qa.ingest.documents import remove

    corpus = tmp_path / "corpus"
    (corpus / "a").mkdir(parents=True)
    (corpus / "a" / "note.txt").write_text(NOTE, encoding="utf-8")
    settings = replace(Settings(), corpus_dir=corpus, index_dir=tmp_path / "index")

    def failing_update() -> None:
        raise IndexUnavailable("the indexing worker was killed")

    with pytest.raises(IndexUnavailable, match="a/note.txt was not removed .it is back in the corpus."):
        remove(settings, "a/note.txt", failing_update)
    assert (corpus / "a" / "note.txt").read_text(encoding="utf-8") == NOTE, "index and corpus stay in step"
    trashed, result = remove(settings, "a/note.txt", lambda: 7)
    assert result == 7 and trashed.read_text(encoding="utf-8") == NOTE and not (corpus / "a" / "note.txt").exists()
    # Already deleted from the folder: an indexed file only leaves the index (the page's Documents panel).
    assert remove(settings, "a/note.txt", lambda: 8, indexed=True) == (None, 8)
    with pytest.raises(InputError, match="no such file"):
        remove(settings, "a/note.txt", lambda: 9)
