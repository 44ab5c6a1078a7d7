"""Job ids handed out during a render, before the render's jobs become durable."""

from __future__ import annotations

from posjobs.store.base import Store

MAX_BLOCK = 1024


class IdReservation:
    """Reserves ids from the store in growing blocks; gives back what a render did not use.

    A render that enqueues one job costs one small write; one that enqueues ten thousand
    costs a handful. When nobody else reserved meanwhile, unused ids are returned, so ids
    stay dense for a single user.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._block: range = range(0)
        self._next = 0
        self._size = 1

    def __call__(self) -> int:
        if self._next >= self._block.stop:
            self._block = self._store.reserve_job_ids(self._size)
            self._next = self._block.start
            self._size = min(self._size * 2, MAX_BLOCK)
        job_id = self._next
        self._next += 1
        return job_id

    def release_unused(self) -> None:
        """The work succeeded: give back the ids it reserved but did not hand out."""
        self._store.release_job_ids(range(self._next, self._block.stop))
        self._reset()

    def abandon(self) -> None:
        """The work failed and stores nothing: give back the last block it reserved.

        Only the last one: another process may have reserved (and used) ids between two of
        our blocks, and those must never be handed out again. Earlier blocks stay gaps.
        """
        self._store.release_job_ids(range(self._block.start, self._block.stop))
        self._reset()

    def _reset(self) -> None:
        self._block = range(0)
        self._next = 0
