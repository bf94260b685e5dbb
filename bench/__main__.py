"""The one runner: ``python -m bench NAME [ARGS…]`` runs ``bench/NAME.py`` (the same as
``python -m bench.NAME``); ``python -m bench`` lists the benchmarks."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
HELPERS = {"__init__", "__main__", "common", "scans"}


def names() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.py") if p.stem not in HELPERS)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        for name in names():
            doc = (importlib.import_module(f"bench.{name}").__doc__ or "").strip().splitlines()
            print(f"{name:16s} {doc[0] if doc else ''}")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in names():
        print(f"bench: no benchmark {name!r}; one of: {', '.join(names())}", file=sys.stderr)
        return 2
    sys.argv = [f"bench.{name}", *rest]
    return int(importlib.import_module(f"bench.{name}").main() or 0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
