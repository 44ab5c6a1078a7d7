"""The project's migrations, in the order a deploy runs them: by their timestamp, across the
app and its modules."""

from __future__ import annotations

from posjobs.data import DataLayer
from posjobs.services.migrations import migration_files, run_migrations
from posjobs.store.base import LogFilter


def test_migrations_run_in_timestamp_order_across_app_and_modules(
        make_project, store, clock, settings, tmp_path):
    project = make_project({
        "app/migrations/20240301000000_third.liquid": "{% log 'third' %}",
        "app/migrations/20240101000000_first.liquid": "{% log 'first' %}",
        "modules/shop/public/migrations/20240201000000_second.liquid": "{% log 'second' %}",
        "modules/shop/public/views/partials/x.liquid": "not a migration",
    })
    assert [path.name for path in migration_files(project)] == [
        "20240101000000_first.liquid", "20240201000000_second.liquid",
        "20240301000000_third.liquid"]

    data = DataLayer(project, tmp_path / "data.db")
    try:
        names, jobs = run_migrations(project, store, data, clock=clock, settings=settings)
    finally:
        data.close()
    assert names == ["app/migrations/20240101000000_first.liquid",
                     "modules/shop/public/migrations/20240201000000_second.liquid",
                     "app/migrations/20240301000000_third.liquid"]
    assert jobs == []
    assert [entry.message for entry in store.tail_logs(LogFilter(), 10)] == [
        "first", "second", "third"]
