"""The data benchmark compares like with like: both sides find the same record for each key,
through the data layer and through bare SQLite, on one file. No timing is asserted."""

from __future__ import annotations

from pathlib import Path

from benchmarks.config import TINY
from benchmarks.measures import data


def test_both_sides_find_the_same_single_record(tmp_path: Path) -> None:
    path = data.make_data(tmp_path, 30)
    ours, close_ours = data.posjobs_lookup(tmp_path, path)
    bare, close_bare = data.bare_lookup(path)
    try:
        for key in (0, 7, 29):
            assert ours(key) == bare(key) == [key + 1]  # ids count from 1 in insert order
        assert ours(30) == bare(30) == []
    finally:
        close_ours()
        close_bare()


def test_a_tiny_run_gives_the_row_with_both_figures(tmp_path: Path) -> None:
    [row] = data.run(TINY, tmp_path, {})
    assert row.name == "data_records"
    assert row.ours is not None and row.peer is not None and row.ratio is not None
    assert row.ours.rounds == row.peer.rounds == TINY.data_rounds
