"""`qa documents` (what is indexed, what was skipped and why) and `qa remove FILE` (out of the
corpus into the index's trash, and out of the index)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

from qa.cli_options import CORPUS_HELP
from qa.errors import InputError
from qa.settings import Settings


def add_commands(commands: argparse._SubParsersAction, defaults: Settings) -> None:
    listing = commands.add_parser("documents", help="list the indexed files and the skipped ones, with reasons")
    listing.add_argument("--corpus", type=Path, help=CORPUS_HELP)
    listing.add_argument("--index", type=Path, default=defaults.index_dir)
    listing.add_argument("--json", action="store_true",
                         help="one JSON object: indexed, skipped and deleted (since indexing) files")
    remove = commands.add_parser("remove", help="move a file out of the corpus (into the index's trash) and out "
                                 "of the index")
    remove.add_argument("file", help="the file, relative to the corpus folder (as `qa documents` lists it)")
    remove.add_argument("--corpus", type=Path, help=CORPUS_HELP)
    remove.add_argument("--index", type=Path, default=defaults.index_dir)


def _settings(args: argparse.Namespace) -> Settings:
    return replace(Settings.from_env(), corpus_dir=args.corpus, index_dir=args.index)


def run_documents(args: argparse.Namespace) -> int:
    from qa.ingest.documents import built_from, indexed_files, skipped_files
    from qa.store.factory import open_index

    settings = _settings(args)
    index = open_index(settings)
    files, skipped = indexed_files(index), skipped_files(index)
    # Deleted from the folder since indexing: still quotable until `qa index` or `qa remove` runs.
    gone = [f.source for f in files if not (settings.corpus_dir / f.source).exists()] if built_from(
        index, settings.corpus_dir) else []
    if args.json:
        print(json.dumps({"indexed": [asdict(f) for f in files],
                          "skipped": [{"source": s, "reason": r} for s, r in skipped.items()],
                          "deleted": gone}, ensure_ascii=False))
        return 0
    width = max((len(f.source) for f in files), default=4)
    across = max((len(", ".join(f.sections)) for f in files), default=8)
    print(f"{'file':{width}}  {'sections':{across}}  {'pages':>5}  {'passages':>8}")
    for f in files:
        pages = str(f.pages) if f.pages is not None else "-"
        ocr = "  (OCR)" if f.ocr else ""
        print(f"{f.source:{width}}  {', '.join(f.sections):{across}}  {pages:>5}  {f.passages:>8}{ocr}")
    print(f"{len(files)} files indexed, {sum(f.passages for f in files)} passages; {len(skipped)} skipped")
    for source, reason in skipped.items():
        print(f"skipped {source}: {reason}")
    for source in gone:
        print(f"deleted from {settings.corpus_dir} since indexing, still indexed: {source} "
              "(`qa remove` or `qa index` takes it out)")
    return 0


def _corpus_name(settings: Settings, file: str, indexed: Callable[[str], bool]) -> str:
    """FILE as the corpus names it: relative to the corpus folder, or a path to a file inside it;
    or an ``indexed`` file's name, the file since deleted from the folder."""
    from qa.ingest.documents import corpus_name

    path, corpus = Path(file), settings.corpus_dir.resolve()
    if path.is_absolute() or not (settings.corpus_dir / file).exists():
        path = path.resolve()
        inside = path.relative_to(corpus).as_posix() if path.is_relative_to(corpus) else None
        if inside and path.exists():
            return inside
        for name in (inside, file):  # deleted by hand, still indexed: by its path, or its corpus name
            try:
                if name and indexed(corpus_name(name)):
                    return corpus_name(name)
            except InputError:  # absolute, or a ".." in it
                continue
        raise InputError(f"no such file in the corpus {settings.corpus_dir}: {file}")
    return corpus_name(file)


def run_remove(args: argparse.Namespace) -> int:
    from qa.ingest.build import build
    from qa.ingest.documents import indexed_here, remove
    from qa.model.encoders import open_encoder
    from qa.store.factory import open_index

    settings = _settings(args)
    index = open_index(settings)  # the index must exist: removing is an update of it
    # A file deleted by hand is only taken out of the index this folder built (else the build below
    # would index another folder in its place).
    source = _corpus_name(settings, args.file, lambda name: indexed_here(index, settings.corpus_dir, name))
    passages = index.count_source(source)
    # Nothing is embedded when a file only goes: the question encoder opens, torch never loads.
    encoder = open_encoder(settings)
    target, report = remove(settings, source, lambda: build(settings, encoder, settings.corpus_dir, settings.index_dir),
                            indexed=indexed_here(index, settings.corpus_dir, source))
    unit = "passage" if passages == 1 else "passages"
    kept = f"the file is kept in {target}" if target else "the file was already gone from the corpus folder"
    print(f"removed {source} ({passages} {unit}) from the index; {kept}")
    print(report.summary(), file=sys.stderr)
    return 0
