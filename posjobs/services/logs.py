"""Reading the log: the last entries, and following new ones as they are written."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone

from posjobs.errors import StoreError, UsageError
from posjobs.jobs.model import LogEntry
from posjobs.store.base import LogFilter, Store, store_pause

BATCH = 1000
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_time(value: str, now: float) -> float:
    """`10m`, `2h`, `1.5d` (that long ago) or an ISO-8601 timestamp (UTC unless it says)."""
    match = _DURATION.match(value)
    if match:
        return now - float(match.group(1)) * _UNITS[match.group(2)]
    text = value.strip().replace("Z", "+00:00").replace(" ", "T", 1)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{value!r} is neither a duration (10m, 2h, 1d) nor a timestamp "
            "(2026-11-29T17:02:03Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def follow(
    store: Store,
    flt: LogFilter,
    after_id: int,
    *,
    poll_seconds: float = 0.05,
    should_stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
    on_trouble: Callable[[str | None], None] | None = None,
    patience: float | None = None,
    monotonic: Callable[[], float] = time.monotonic,
) -> Iterator[LogEntry]:
    """Yield matching entries written after `after_id`, in order, until `should_stop()`.

    Every entry is shown however many arrive between polls, and entries the filter drops
    never hold the cursor back: it moves to the newest id seen, matched or not.

    With `on_trouble`, a store failure (a server restarting, a lock held long) does not end
    the following: it is told once (`on_trouble(message)`), retried with backoff, and its
    end told (`on_trouble(None)`); no entry is lost or shown twice meanwhile. Without it,
    or once the store has failed for `patience` seconds in a row, the StoreError is raised.
    """
    cursor = after_id
    failures = 0
    failing_since = 0.0
    while True:
        try:
            # Asked before reading: what was written before the stop condition held (a
            # job's last entries commit with its final state) is still shown.
            stop = should_stop()
            newest = store.last_log_id()
            while cursor < newest:
                batch = store.logs_after(cursor, flt, BATCH, up_to=newest)
                yield from batch
                last = batch[-1].id if batch else None
                cursor = last if len(batch) == BATCH and last is not None else newest
        except StoreError as err:
            if not failures:
                failing_since = monotonic()
            if on_trouble is None or (patience is not None
                                      and monotonic() - failing_since > patience):
                raise
            if not failures:
                on_trouble(err.message)
            failures += 1
            sleep(store_pause(failures))
            continue
        if failures and on_trouble is not None:
            on_trouble(None)
            failures = 0
        if stop:
            return
        if store.announces_changes:  # woken as soon as another process writes
            store.wait_for_change("logs", poll_seconds)
        else:
            sleep(poll_seconds)
