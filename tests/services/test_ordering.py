"""Property: jobs run in the order real time would give, whatever their mix."""

from __future__ import annotations

from random import Random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posjobs.clock import ManualClock
from posjobs.config import Settings
from posjobs.jobs.model import NewJob, Priority
from posjobs.services.runner import fast_forward
from posjobs.store.sqlite import SQLiteStore
from tests.conftest import T0, write_project
from tests.services.local import LocalWorker

jobs_strategy = st.lists(
    st.tuples(st.sampled_from(list(Priority)), st.sampled_from([0, 0, 1, 5, 60])),
    min_size=1, max_size=25,
)


def expected_order(jobs: list[tuple[int, Priority, float]]) -> list[int]:
    """The platform's rule, simulated: at each moment the due job with the best
    (priority, run time, enqueue order); when none is due, time moves to the next run time."""
    waiting = list(jobs)
    now = T0
    order = []
    while waiting:
        due = [j for j in waiting if j[2] <= now]
        if not due:
            now = min(j[2] for j in waiting)
            continue
        best = min(due, key=lambda j: (j[1].rank, j[2], j[0]))
        order.append(best[0])
        waiting.remove(best)
    return order


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(jobs_strategy)
def test_fast_forward_follows_priority_then_run_time_then_enqueue_order(tmp_path_factory, spec):
    root = tmp_path_factory.mktemp("p")
    project = write_project(root, {"app/views/partials/p.liquid": ""})
    store = SQLiteStore(root / "s.db")
    ids = store.reserve_job_ids(len(spec))
    new = [NewJob(id=i, source_name=f"j{i}", priority=priority, run_at=T0 + minutes * 60,
                  max_attempts=1, arguments={}, partial="p", body=None, template="t", line=1)
           for i, (priority, minutes) in zip(ids, spec, strict=True)]
    store.enqueue(new, [], T0)
    clock = ManualClock(T0)
    worker = LocalWorker(project, store, Settings(), clock=clock, rng=Random(0),
                         timer=lambda: 0.0)  # attempts take no simulated time
    ran = [o.job.id for o in fast_forward(worker, clock)]
    assert ran == expected_order([(j.id, j.priority, j.run_at) for j in new])
    store.close()
