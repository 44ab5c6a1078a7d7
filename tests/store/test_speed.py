"""`worker --speed`: a development aid of both stores, outside the storage contract (so not
in `test_contract`), checked on each of them the same way."""

from __future__ import annotations

import pytest

from posjobs.jobs.model import Priority
from posjobs.store import at_speed
from posjobs.store.base import Store
from tests.conftest import T0
from tests.store.test_contract import add, add_one, failed, get, open_store, store

__all__ = ["open_store", "store"]  # the contract's fixtures: one store per backend


def fast(store: Store) -> Store:
    return at_speed(store, 60)


def test_speed_one_is_the_store_itself(store: Store) -> None:
    assert at_speed(store, 1.0) is store


def test_at_speed_n_a_delay_passes_n_times_faster_from_enqueueing(store: Store) -> None:
    (job,) = add(store, run_at=T0 + 160, now=T0 + 100)  # rendered at T0 + 100, delay 1 min
    job = get(store, job.id)
    assert fast(store).claim("w1", T0 + 100.9, 30) is None
    assert fast(store).next_run_at() == pytest.approx(T0 + 101)
    claimed = fast(store).claim("w1", T0 + 101.01, 30)
    assert claimed is not None and claimed.id == job.id
    assert fast(store).next_run_at() is None


def test_at_speed_n_a_retry_wait_passes_n_times_faster_from_the_failure(store: Store) -> None:
    job = add_one(store, max_attempts=2)
    claimed = store.claim("w1", T0, 30)
    assert claimed is not None
    store.finish_attempt(claimed, failed(T0 + 10, retry_at=T0 + 25))  # a 15-second wait
    assert fast(store).claim("w1", T0 + 10.2, 30) is None
    again = fast(store).claim("w1", T0 + 10.26, 30)  # a quarter of a second later
    assert again is not None and again.id == job.id


def test_speed_keeps_the_priority_order(store: Store) -> None:
    low = add_one(store, priority=Priority.LOW, run_at=T0)
    high = add_one(store, priority=Priority.HIGH, run_at=T0 + 60)
    assert fast(store).claim("w1", T0 + 0.5, 30).id == low.id  # type: ignore[union-attr]
    assert fast(store).claim("w1", T0 + 1.5, 30).id == high.id  # type: ignore[union-attr]


def test_speed_keeps_a_claim_in_its_scope(store: Store) -> None:
    (first,) = add(store, run_at=T0 + 30)  # due first, at T0 + 0.5
    (second,) = add(store, run_at=T0 + 60)
    assert fast(store).next_run_at() == pytest.approx(T0 + 0.5)
    assert fast(store).next_run_at({second.id}) == pytest.approx(T0 + 1)
    claimed = fast(store).claim("w1", T0 + 2, 30, {second.id})
    assert claimed is not None and claimed.id == second.id
    assert get(store, first.id).attempts == 0
