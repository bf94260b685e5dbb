"""How the verdict's training (bench.verdict) weighs its question sets: each document collection the
same, one asked many times (the seeds' dev set and every spent blind round) by the square root of
its number of sets, so that spending one more blind round does not make the model ever more the
seeds' own."""

from __future__ import annotations

import numpy as np

from bench.verdict import collection, group_shares, rightly_answered, sample_weights


def _rows(group: str, n: int, answered: bool) -> list[dict]:
    return [{"group": group, "answerable": True, "label": 1, "answered": answered} for _ in range(n)]


def test_a_collection_asked_many_times_weighs_the_square_root_of_its_sets() -> None:
    rows = [*_rows("seeds", 30, True), *_rows("seeds_blind", 100, True), *_rows("seeds_blind2", 100, True),
            *_rows("seeds_blind3", 100, True), *_rows("leaflets", 12, False), *_rows("pubmedqa", 400, False)]
    shares = group_shares(rows)
    seeds = sum(share for group, share in shares.items() if group.startswith("seeds"))
    assert np.isclose(seeds, 2.0)  # four sets of questions on the seeds: √4
    assert np.isclose(shares["leaflets"], 1.0) and np.isclose(shares["pubmedqa"], 1.0)
    assert np.isclose(shares["seeds_blind"], shares["seeds"])  # one set of a collection as much as another
    # The fit: the seeds' 330 rows together weigh twice the 12 leaflets; the leaflets as much as PubMedQA's 400.
    weight = sample_weights(rows, 1.0)
    total = {name: weight[[i for i, row in enumerate(rows) if pick(row["group"])]].sum()
             for name, pick in (("seeds", lambda g: g.startswith("seeds")), ("leaflets", lambda g: g == "leaflets"),
                                ("pubmedqa", lambda g: g == "pubmedqa"))}
    assert np.isclose(total["seeds"], 2 * total["leaflets"]) and np.isclose(total["leaflets"], total["pubmedqa"])
    # Only the seeds' own sets share their collection; other blind questions are another corpus.
    assert collection("seeds_blind13") == "seeds" and collection("fresh_blind") == "fresh_blind"
    # Every seed question answered, no other: the seeds weigh 2 of 4, whatever their number of rows.
    p = np.array([1.0 if row["answered"] else 0.0 for row in rows])
    assert np.isclose(rightly_answered(rows, p, 0.5), 0.5)
