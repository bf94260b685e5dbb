"""The documents behind the answers: which files are indexed (their language sections, pages and
passages), which were skipped and why, and removing one. A removed file is moved, never deleted,
into the index folder's ``trash/`` (so a click loses nothing), and the next build takes it out of
the index; an answer that cited it says it was removed."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TypeVar

from qa.errors import IndexUnavailable, InputError, QAError
from qa.reasons import reason
from qa.settings import Settings
from qa.store.base import SearchIndex

TRASH = "trash"
T = TypeVar("T")


@dataclass(frozen=True)
class IndexedFile:
    source: str  # relative to the corpus folder
    sections: tuple[str, ...]  # language sections, as en-Latn / uz-Cyrl, in order of appearance
    pages: int | None  # the last page a passage starts on (PDFs and scans)
    passages: int
    ocr: bool  # some of its text was read by OCR


def indexed_files(index: SearchIndex) -> list[IndexedFile]:
    """Every indexed file, by name."""
    sections: dict[str, dict[str, None]] = {}
    pages: dict[str, int | None] = {}
    passages: dict[str, int] = {}
    ocr: set[str] = set()
    for chunk in index.chunks:
        sections.setdefault(chunk.source, {})[f"{chunk.language}-{chunk.script}"] = None
        passages[chunk.source] = passages.get(chunk.source, 0) + 1
        if chunk.page is not None:
            pages[chunk.source] = max(pages.get(chunk.source) or 0, chunk.page)
        if chunk.ocr:
            ocr.add(chunk.source)
    return [IndexedFile(source, tuple(sections[source]), pages.get(source), passages[source], source in ocr)
            for source in sorted(passages)]


def built_from(index: SearchIndex, corpus: Path) -> bool:
    """Whether ``index`` records ``corpus`` as the folder it was built from: only then is an
    indexed file missing from it one deleted since, and not a file of another folder that a
    rebuild of this one would drop with all the others."""
    try:
        return index.manifest.get("corpus") == str(corpus.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def indexed_here(index: SearchIndex, corpus: Path, source: str) -> bool:
    """``source`` is in ``index``, built from ``corpus``: removable even once deleted from it by hand."""
    return index.file_hash(source) is not None and built_from(index, corpus)


def skipped_files(index: SearchIndex) -> dict[str, str]:
    """Files (or pages of them) the last build left out, each with its reason."""
    return dict(index.manifest.get("skipped", {}))


def trash_folder(settings: Settings) -> Path:
    return settings.index_dir / TRASH


def corpus_name(source: str) -> str:
    """``source`` as a corpus-relative name (a/b.txt), or InputError: never absolute, never a ``..``."""
    parts = PurePosixPath(source.replace("\\", "/")).parts
    if not parts or PurePosixPath(source).is_absolute() or any(part in ("..", ".") for part in parts):
        raise InputError(reason("not_in_corpus", source=source))
    return "/".join(parts)


def move_to_trash(settings: Settings, source: str) -> Path:
    """Move the corpus file ``source`` into a new folder of the trash; where it went. Refused (an
    InputError) for anything that is not a file inside the corpus folder."""
    name = corpus_name(source)
    corpus = settings.corpus_dir.resolve()
    path = settings.corpus_dir / name
    if not path.resolve().is_relative_to(corpus):
        raise InputError(reason("not_in_corpus", source=source))
    if not path.is_file():
        raise InputError(reason("no_such_file", source=source))
    try:
        root = trash_folder(settings)
        root.mkdir(parents=True, exist_ok=True)
        # A folder of its own per removal: removing a file of the same name again never overwrites.
        target = Path(tempfile.mkdtemp(prefix=time.strftime("%Y%m%d-%H%M%S-"), dir=root)) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), str(target))  # a rename within one file system
    except OSError as exc:
        raise IndexUnavailable(f"cannot move {source} to the trash: {exc.strerror or exc}") from exc
    return target


def remove(settings: Settings, source: str, update: Callable[[], T], indexed: bool = False) -> tuple[Path | None, T]:
    """Move ``source`` to the trash, then ``update`` the index; if the update fails the file goes
    back into the corpus (index and corpus stay in step) and the error says so. An ``indexed`` file
    already deleted from the corpus folder has nothing to move (None): only the index is updated,
    else its passages would stay quotable with no way to take them out."""
    if indexed and not (settings.corpus_dir / corpus_name(source)).exists():
        return None, update()
    trashed = move_to_trash(settings, source)
    try:
        result = update()
    except QAError as exc:
        try:
            shutil.move(str(trashed), str(settings.corpus_dir / corpus_name(source)))
            where = "it is back in the corpus"
        except OSError:
            where = f"it is kept in {trashed}"
        raise type(exc)(f"{exc}; {source} was not removed ({where})") from exc
    return trashed, result


def was_removed(settings: Settings, source: str) -> bool:
    """Whether ``source`` is in the trash (its citations say "removed", not "missing")."""
    root = trash_folder(settings)
    return root.is_dir() and any((folder / source).exists() for folder in root.iterdir())
