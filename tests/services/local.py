"""A slot driven in the test's own process, on a manual clock: the worker's rules (claims,
outcomes, retries, fast-forward order) tested without starting processes. The code is the
slot's own; only the process around it is left out."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from random import Random

from posjobs.clock import ManualClock
from posjobs.config import Settings
from posjobs.jobs.model import Job
from posjobs.liquid import Dialect
from posjobs.project import Project
from posjobs.services.messages import Finished, FromSlot, Work
from posjobs.services.slot import Resources, Slot
from posjobs.services.supervisor import Outcome, Supervisor
from posjobs.store.base import Store


class LocalWorker:
    def __init__(self, project: Project, store: Store, settings: Settings, *,
                 clock: ManualClock, rng: Random | None = None, name: str = "w1",
                 timer: Callable[[], float] = time.perf_counter) -> None:
        self.store = store
        self.clock = clock
        self.rng = rng or Random(0)
        self.told: list[FromSlot] = []
        self.slot = Slot(Resources(Dialect(project), store), settings, name, rng=self.rng,
                         real_clock=clock, timer=timer)
        # Not started: used for its recovery and retention duties only.
        self.supervisor = Supervisor(project, store, settings, "unused", size=0,
                                     rng=self.rng, real_clock=clock)

    def run(self, order: Work) -> list[Outcome]:
        told: list[FromSlot] = []
        self.slot.serve(order, told.append)
        self.told += told
        return [Outcome(m.job, m.status, m.duration, m.error, m.released)
                for m in told if isinstance(m, Finished)]

    def run_next(self, among: Collection[int] | None = None) -> Outcome | None:
        scope = frozenset(among) if among is not None else None
        outcomes = self.run(Work(now=self.clock.now(), among=scope))
        return outcomes[0] if outcomes else None

    def claim(self) -> Job | None:
        now = self.clock.now()
        return self.store.claim(self.slot.name, now, self.slot.settings.lease_seconds)

    def recover(self) -> list[Job]:
        return self.supervisor.recover()

    def close(self) -> None:
        self.slot.close()
