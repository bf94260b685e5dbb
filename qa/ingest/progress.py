"""Indexing progress for people: a tqdm bar per stage (files, pages read by OCR, then chunks) on a
terminal, silent otherwise."""

from __future__ import annotations

import sys
from collections.abc import Callable


def progress_bar() -> Callable[[str, int, int], None]:
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None or done < bar.n or bar.total != total:  # a stage may run once per file (OCR pages)
            if bar is not None:
                bar.close()
            bar = bars[stage] = tqdm(total=total, unit=stage.rstrip("s"), desc=stage, file=sys.stderr,
                                     disable=not sys.stderr.isatty(), leave=False)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update
