"""What several commands' options mean alike: a port, and the corpus folder an index goes with."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from qa.errors import InputError, corpus_folder_problem
from qa.settings import PORTS, PROJECT_ROOT, Settings

# Given no --corpus, these read (and update) the folder a named index was built from.
CORPUS_COMMANDS = ("index", "ask", "serve", "mcp", "documents", "remove")
CORPUS_HELP = "default: the folder a named --index (or $QA_INDEX) was built from, else corpus/"


def port(text: str) -> int:
    """A port argparse refuses with one line: past 65535 the server's bind would fail after indexing."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a port is a whole number, not {text!r}") from None
    if not PORTS[0] <= number <= PORTS[1]:
        raise argparse.ArgumentTypeError(f"a port is from {PORTS[0]} to {PORTS[1]}, not {number}")
    return number


def resolve_corpus(args: argparse.Namespace, settings: Settings) -> None:
    """``args.corpus`` for the command. An index named by --index or $QA_INDEX goes with the folder
    its manifest records (else ``qa index --index I`` would put the project's corpus/ in place of
    I's files); the project's index/ goes with corpus/. A recorded folder that is gone is refused,
    never replaced by corpus/. A Milvus collection is read with --corpus or corpus/."""
    if args.command not in CORPUS_COMMANDS:
        return
    args.corpus_given = args.corpus is not None
    if args.corpus_given:
        if problem := corpus_folder_problem(args.corpus):
            raise InputError(problem)
        return
    named = not settings.index_uri and Path(args.index).resolve() != (PROJECT_ROOT / "index").resolve()
    if named:
        from qa.store.folder import recorded_corpus

        recorded = recorded_corpus(args.index)
        if recorded is not None:
            if not recorded.is_dir():
                raise InputError(f"the index {args.index} was built from {recorded}, which is not there: "
                                 "give --corpus")
            args.corpus = recorded
            return
    args.corpus = None if args.command == "serve" else settings.corpus_dir  # serve creates corpus/


def with_options(message: str, args: argparse.Namespace, settings: Settings) -> str:
    """The fix a message names ("run `qa index --rebuild`"), for the index and corpus this command
    was given: the store does not know which options pointed to them."""
    index = getattr(args, "index", None)
    options = ""
    if index is not None and Path(index).resolve() != settings.index_dir.resolve():
        options += f" --index {shlex.quote(str(index))}"
    if getattr(args, "corpus_given", False):
        options += f" --corpus {shlex.quote(str(args.corpus))}"
    return message.replace("`qa index", f"`qa index{options}") if options else message
