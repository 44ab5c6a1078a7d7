"""`worker --speed`: a development aid of the SQLite store, outside the storage contract."""

from __future__ import annotations

import pytest

from posjobs.jobs.model import Priority
from posjobs.store.sqlite import SQLiteStore
from tests.conftest import T0
from tests.store.test_contract import add, add_one, failed, get


def fast(store: SQLiteStore) -> SQLiteStore:
    return store.at_speed(60)


def test_speed_one_is_the_store_itself(store: SQLiteStore) -> None:
    assert store.at_speed(1.0) is store


def test_at_speed_n_a_delay_passes_n_times_faster_from_enqueueing(store: SQLiteStore) -> None:
    (job,) = add(store, run_at=T0 + 160, now=T0 + 100)  # rendered at T0 + 100, delay 1 min
    job = get(store, job.id)
    assert fast(store).claim("w1", T0 + 100.9, 30) is None
    assert fast(store).next_run_at() == pytest.approx(T0 + 101)
    claimed = fast(store).claim("w1", T0 + 101.01, 30)
    assert claimed is not None and claimed.id == job.id


def test_at_speed_n_a_retry_wait_passes_n_times_faster_from_the_failure(store: SQLiteStore) -> None:
    job = add_one(store, max_attempts=2)
    claimed = store.claim("w1", T0, 30)
    assert claimed is not None
    store.finish_attempt(claimed, failed(T0 + 10, retry_at=T0 + 25))  # a 15-second wait
    assert fast(store).claim("w1", T0 + 10.2, 30) is None
    again = fast(store).claim("w1", T0 + 10.26, 30)  # a quarter of a second later
    assert again is not None and again.id == job.id


def test_speed_keeps_the_priority_order(store: SQLiteStore) -> None:
    low = add_one(store, priority=Priority.LOW, run_at=T0)
    high = add_one(store, priority=Priority.HIGH, run_at=T0 + 60)
    assert fast(store).claim("w1", T0 + 0.5, 30).id == low.id  # type: ignore[union-attr]
    assert fast(store).claim("w1", T0 + 1.5, 30).id == high.id  # type: ignore[union-attr]
