"""The ``qa`` command: ``qa index`` builds or updates the index, ``qa ask`` answers questions,
``qa serve`` starts the web UI (with OpenAI-compatible routes), ``qa mcp`` serves MCP over stdio.

Exit codes: 0 success; 2 usage or unusable input (one line on stderr); 1 any other failure
(missing or damaged index, model problems) with a message that names the fix. Never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from qa.cli_documents import add_commands, run_documents, run_remove
from qa.cli_options import CORPUS_HELP, port, resolve_corpus, with_options
from qa.errors import EXIT_FAILURE, EXIT_USAGE, corpus_folder_problem
from qa.settings import Settings

EXIT_OK = 0


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"qa: {message} (see `qa --help`)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _parser(defaults: Settings) -> argparse.ArgumentParser:
    parser = _Parser(prog="qa", description="Cited, multilingual question answering over a corpus.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    index = commands.add_parser("index", help="build or update the index of a corpus folder")
    index.add_argument("--corpus", type=Path, help=CORPUS_HELP)
    index.add_argument("--index", type=Path, default=defaults.index_dir)
    index.add_argument("--rebuild", action="store_true", help="re-embed everything from scratch")
    index.add_argument("--to", metavar="URI", help="copy the --index folder into Milvus (milvus://host:port or "
                       "milvus-lite:///path.db) without re-embedding, and make it the live collection")
    ask = commands.add_parser("ask", help="answer a question (or a file of questions) with citations")
    ask.add_argument("question", nargs="?", help="the question; or use --questions FILE")
    ask.add_argument("--index", type=Path, default=defaults.index_dir)
    ask.add_argument("--corpus", type=Path, help="the indexed folder, checked for files changed since indexing; "
                     + CORPUS_HELP)
    ask.add_argument("--k", type=int, default=defaults.retrieval.k, help="passages to cite (default %(default)s)")
    ask.add_argument("--json", action="store_true", help="one JSON object per question, one per line")
    ask.add_argument("--questions", type=Path, help="a UTF-8 file with one question per line")
    evaluate = commands.add_parser("eval", help="score retrieval and abstention on a JSON Lines question file")
    evaluate.add_argument("--qa", type=Path, required=True, help="rows with question + gold phrases or gold_source")
    evaluate.add_argument("--corpus", type=Path, help="index this folder first (cached per folder, incremental)")
    evaluate.add_argument("--index", type=Path, help="the index to use (default: index/, or the corpus's cache)")
    evaluate.add_argument("--k", type=int, default=defaults.retrieval.k, help="Recall@k (default %(default)s)")
    evaluate.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    serve = commands.add_parser("serve", help="index corpus/ if needed, then start the web UI")
    serve.add_argument("--host", help="default $QA_HOST or 127.0.0.1")
    serve.add_argument("--port", type=port, help="default $QA_PORT or 7860")
    serve.add_argument("--corpus", type=Path, help=CORPUS_HELP + " (created if missing); a folder given must exist")
    serve.add_argument("--index", type=Path, default=defaults.index_dir)
    mcp = commands.add_parser("mcp", help="serve the index to an MCP client over stdio (tools: ask, search, "
                              "context; read-only)")
    mcp.add_argument("--index", type=Path, default=defaults.index_dir)
    mcp.add_argument("--corpus", type=Path, help="the indexed folder, read to show a citation's context; "
                     + CORPUS_HELP)
    add_commands(commands, defaults)
    return parser


def run_mcp(args: argparse.Namespace) -> int:
    from qa.api import open_engine
    from qa.mcp_server import run

    settings = replace(Settings.from_env(), corpus_dir=args.corpus)
    engine = open_engine(args.index, settings, log=lambda message: print(f"qa: {message}", file=sys.stderr))
    return run(engine, settings.access)


def run_index(args: argparse.Namespace) -> int:
    from qa.ingest.build import build
    from qa.ingest.progress import progress_bar
    from qa.model.encoders import open_encoder

    settings = replace(Settings.from_env(), corpus_dir=args.corpus, index_dir=args.index)
    if args.to is not None:
        return _copy_to_milvus(args.index, args.to, settings)
    if problem := corpus_folder_problem(args.corpus):
        print(f"qa: {problem}", file=sys.stderr)
        return EXIT_USAGE
    embedder = open_encoder(settings, log=lambda message: print(f"qa: {message}", file=sys.stderr))
    report = build(settings, embedder, args.corpus, args.index, rebuild=args.rebuild, progress=progress_bar(),
                   keep_if_emptied=not args.rebuild)
    for skip in report.skipped:
        print(f"skipped {skip.source}: {skip.reason}", file=sys.stderr)
    print(report.summary())
    return EXIT_OK


def _copy_to_milvus(folder: Path, uri: str, settings: Settings) -> int:
    from qa.settings import MILVUS_SCHEMES
    from qa.store.factory import open_writer
    from qa.store.folder import Index

    if not uri.startswith(MILVUS_SCHEMES):
        print(f"qa: --to needs a Milvus address (milvus://host:port or milvus-lite:///path.db), not {uri!r}",
              file=sys.stderr)
        return EXIT_USAGE
    index = Index.load(folder, settings.vectors)
    where = open_writer(replace(settings, index_uri=uri)).commit(index, reuse=False, changed=[], removed=[])
    print(f"copied {len(index.chunks)} chunks from {folder} to {uri} ({where})")
    return EXIT_OK


def _questions(args: argparse.Namespace) -> list[tuple[int, str | None, str | None]]:
    """(line number, question, why it cannot be asked): a bad line of a --questions file is
    reported on its own and the other lines are still answered."""
    from qa.api import validate
    from qa.errors import InputError

    if args.questions and args.question:
        raise InputError("give a QUESTION or --questions FILE, not both")
    if args.questions:
        try:
            data = args.questions.read_bytes().removeprefix(b"\xef\xbb\xbf")
        except OSError as exc:
            raise InputError(f"cannot read {args.questions}: {exc.strerror or exc}") from exc
        if b"\0" in data:  # a NUL byte: a binary file, not one with a few bad lines
            raise InputError(f"{args.questions} is not a text file (one question per line)")
        lines = data.split(b"\n")
        rows: list[tuple[int, str | None, str | None]] = []
        for number, raw in enumerate(lines, 1):
            try:
                line = raw.decode("utf-8").rstrip("\r")
            except UnicodeDecodeError:
                rows.append((number, None, "not UTF-8"))
                continue
            if not line.strip():
                continue
            try:
                rows.append((number, validate(line), None))
            except InputError as exc:
                rows.append((number, None, str(exc)))
        if not rows:
            raise InputError(f"{args.questions} has no questions")
        return rows
    if args.question is None:
        raise InputError("no question given")
    return [(1, validate(args.question), None)]


def _print_readable(answer) -> None:  # type: ignore[no-untyped-def]
    """The answer for a person at a terminal, labelled in the question's language and script."""
    from qa.answer.verdict import ANSWERED, RELATED
    from qa.languages import language

    labels = language(answer.language).page_labels(answer.script)
    flag = "" if answer.verdict == ANSWERED else \
        f"  [{labels['related_verdict' if answer.verdict == RELATED else 'not_found']}]"
    print(f"Q ({answer.language}-{answer.script}): {answer.question}{flag}")
    if answer.read_as:
        print(f"   ({labels['read_as']}: {', '.join(answer.read_as)})")
    if answer.changed:
        print(f"   ⚠ {labels['changed_sources']}: {', '.join(answer.changed)}")
    print(f"A: {answer.answer}\n")
    for c in answer.citations:
        where = labels["lines"]
        if c.page is not None:
            ocr = f" ({labels['ocr_note']})" if c.ocr else ""
            where = f"{labels['page']} {c.page}{ocr}, {where}"
        score = f"{labels['score']} {c.score:.3f}"
        print(f"[{c.n}] {c.source}  {where} {c.line_start}-{c.line_end}  ({c.language}, {score})")
        print("    " + c.text[:400] + ("…" if len(c.text) > 400 else ""))
    print()


def run_ask(args: argparse.Namespace) -> int:
    from qa.api import MAX_K, open_engine, valid_k

    if not valid_k(args.k):
        print(f"qa: --k must be between 1 and {MAX_K}", file=sys.stderr)
        return EXIT_USAGE
    questions = _questions(args)
    engine = open_engine(args.index, replace(Settings.from_env(), corpus_dir=args.corpus))
    refused = False
    for number, question, problem in questions:
        if question is None:
            refused = True
            if args.json:
                print(json.dumps({"line": number, "error": problem}, ensure_ascii=False), flush=True)
            print(f"qa: {args.questions}:{number}: {problem}", file=sys.stderr)
            continue
        answer = engine.ask(question, args.k)
        if args.json:
            # A questions file's answers carry their line, as its refused lines do (blank lines are skipped).
            row = {"line": number, **answer.to_json()} if args.questions else answer.to_json()
            print(json.dumps(row, ensure_ascii=False), flush=True)
        else:
            _print_readable(answer)
    if refused:
        return EXIT_USAGE
    return EXIT_OK


def run_eval(args: argparse.Namespace) -> int:
    import hashlib

    from qa.answer.compose import first_statement
    from qa.api import MAX_K, open_engine, valid_k
    from qa.evaluate import Ranked, evaluate, load_rows, table, to_json

    if not valid_k(args.k):
        print(f"qa: --k must be between 1 and {MAX_K}", file=sys.stderr)
        return EXIT_USAGE
    rows = load_rows(args.qa)
    settings = Settings.from_env()
    index_dir = args.index or settings.index_dir
    encoder = None
    if args.corpus is not None:
        if problem := corpus_folder_problem(args.corpus):
            print(f"qa: {problem}", file=sys.stderr)
            return EXIT_USAGE
        from qa.ingest.build import build
        from qa.ingest.progress import progress_bar
        from qa.model.encoders import open_encoder

        key = hashlib.sha256(str(args.corpus.resolve()).encode()).hexdigest()[:16]
        index_dir = args.index or settings.cache_dir / "indexes" / key
        # A cached local index per corpus folder, never the configured one (QA_INDEX may name a
        # shared Milvus collection, which an evaluation corpus must not replace).
        settings = replace(settings, corpus_dir=args.corpus, index_dir=index_dir, index_uri="")
        encoder = open_encoder(settings)
        report = build(settings, encoder, args.corpus, index_dir, progress=progress_bar())
        print(f"qa: {report.summary()}", file=sys.stderr)
    engine = open_engine(index_dir, settings, encoder)

    def system(question: str, n: int) -> Ranked:
        answer = engine.ask(question, n)
        return Ranked([(c.source, c.text) for c in answer.citations], answer.supported, answer.answer,
                      first_statement(answer), answer.verdict, answer.confidence,
                      " ".join(claim.text for claim in answer.claims if not claim.closest))

    scores = evaluate(rows, system, args.k)
    print(json.dumps(to_json(scores, args.k), ensure_ascii=False) if args.json else table(scores, args.k))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    from qa.errors import QAError

    try:
        settings = Settings.from_env()
    except QAError as exc:  # a malformed variable (QA_THREADS=two): one line, before anything runs
        print(f"qa: {exc}", file=sys.stderr)
        return exc.exit_code
    args = _parser(settings).parse_args(argv)
    try:
        resolve_corpus(args, settings)
        if args.command == "serve":
            from qa.web.server import serve

            return serve(args.host, args.port, args.corpus, args.index)
        if args.command == "eval":
            return run_eval(args)
        if args.command == "mcp":
            return run_mcp(args)
        if args.command in ("documents", "remove"):
            return run_documents(args) if args.command == "documents" else run_remove(args)
        return run_index(args) if args.command == "index" else run_ask(args)
    except QAError as exc:
        print(f"qa: {with_options(str(exc), args, settings)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("qa: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `qa ask --questions F | head`: the reader has gone, nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 141
    except Exception as exc:  # last resort: a clear line, never a traceback
        print(f"qa: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    raise SystemExit(main())
