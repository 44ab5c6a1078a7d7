"""Data: a `records` query with a property filter over 10,000 records, through the whole data
layer (GraphQL parse from cache, validate, execute, the store, a run's transaction), against
the same lookup as a bare SQLite query on the same file, in the same process and run."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.config import Config
from benchmarks.stats import Measurement, Target, paired

NAMES = ("data_records",)
SCHEMA = """name: item
properties:
  - name: sku
  - name: n
    type: integer
  - name: group
"""
QUERY = """query find($sku: String) {
  records(per_page: 20, filter: {
    table: { value: "item" }
    properties: [{ name: "sku", value: $sku }]
  }) {
    total_entries
    results { id created_at sku: property(name: "sku") n: property_int(name: "n") }
  }
}
"""
# What the bare side runs: the rows the data layer's store query finds, and their count.
BARE_SQL = ("SELECT id, properties, created_at FROM records "
            "WHERE table_name = 'item' AND json_extract(properties, '$.\"sku\"') = ? "
            "ORDER BY id LIMIT 20")
BARE_COUNT = ("SELECT count(*) FROM records "
              "WHERE table_name = 'item' AND json_extract(properties, '$.\"sku\"') = ?")


def sku(i: int) -> str:
    return f"sku-{i:06d}"


def make_data(root: Path, records: int) -> Path:
    """A project with the table `item` and `records` records in its data store (indexed as
    the data layer indexes every property); returns the data file."""
    from posjobs.data import DataLayer
    from posjobs.project import Project

    (root / "app" / "schema").mkdir(parents=True, exist_ok=True)
    (root / "app" / "schema" / "item.yml").write_text(SCHEMA)
    path = root / ".posjobs" / "data.db"
    layer = DataLayer(Project(root), path)
    try:
        _tables = layer.tables  # creates the property indexes
        store = layer.store
        store.begin()
        for i in range(records):
            store.insert_record("item", {"sku": sku(i), "n": i, "group": f"g{i % 10}"},
                                time.time())
        store.commit()
    finally:
        layer.close()
    return path


def posjobs_lookup(root: Path, path: Path) -> tuple[Callable[[int], list[int]], Callable[[], None]]:
    """`find(i)`: the ids the records query finds for sku i, as a page would run it: its own
    run (session, transaction) around one `DataSession.execute`."""
    from posjobs.clock import SystemClock
    from posjobs.data import DataLayer
    from posjobs.data.session import Source
    from posjobs.project import Project

    layer = DataLayer(Project(root), path)
    clock = SystemClock()
    source = Source("items/find", "app/graphql/items/find.graphql")

    def find(i: int) -> list[int]:
        session = layer.session(clock)
        result = session.execute(QUERY, {"sku": sku(i)}, source)
        session.commit()
        records = result["records"]
        assert records["total_entries"] == len(records["results"])
        return [int(r["id"]) for r in records["results"]]

    return find, layer.close


def bare_lookup(path: Path) -> tuple[Callable[[int], list[int]], Callable[[], None]]:
    """`find(i)`: the same rows and count by plain sqlite3, properties decoded."""
    db = sqlite3.connect(path, isolation_level=None)

    def find(i: int) -> list[int]:
        rows = db.execute(BARE_SQL, (sku(i),)).fetchall()
        (total,) = db.execute(BARE_COUNT, (sku(i),)).fetchone()
        assert total == len(rows)
        return [row[0] for row in rows if json.loads(row[1])["sku"] == sku(i)]

    return find, db.close


def timed(find: Callable[[int], list[int]], keys: list[int]) -> float:
    """Milliseconds per lookup over `keys` (each must find exactly its one record)."""
    start = time.perf_counter()
    for i in keys:
        found = find(i)
        if len(found) != 1:
            raise RuntimeError(f"sku {i}: found {found}, expected one record")
    return (time.perf_counter() - start) * 1000 / len(keys)


def run(cfg: Config, work: Path, shared: dict[str, Any]) -> list[Measurement]:
    work.mkdir(parents=True, exist_ok=True)
    path = make_data(work, cfg.data_records)
    ours_find, ours_close = posjobs_lookup(work, path)
    bare_find, bare_close = bare_lookup(path)
    step = max(1, cfg.data_records // cfg.data_lookups)
    keys = [(k * step) % cfg.data_records for k in range(cfg.data_lookups)]
    try:
        for i in keys[:20]:  # warm-up: the schema built, the query parsed once
            if ours_find(i) != bare_find(i):
                raise RuntimeError(f"sku {i}: the two sides found different records")
        ours: list[float] = []
        bare: list[float] = []
        for r in range(cfg.data_rounds):
            if r % 2 == 0:
                ours.append(timed(ours_find, keys))
                bare.append(timed(bare_find, keys))
            else:
                bare.append(timed(bare_find, keys))
                ours.append(timed(ours_find, keys))
    finally:
        ours_close()
        bare_close()
    return [paired(
        ours, bare,
        f"`records` query, property filter, {cfg.data_records:,} records", "ms",
        name="data_records", peer_name="bare SQLite query, same file and index",
        ratio_meaning="posjobs / bare time",
        target=Target("ours", "<=", 5.0, "a few ms (<= 5 ms)"),
        notes=[f"{cfg.data_lookups} lookups a round, each a different sku, one match each; "
               "posjobs: a run's session and transaction around DataSession.execute "
               "(parse cached, validate, execute, the store's count and page); bare: the "
               "same SELECT and count(*) on the expression index, properties decoded"],
    )]
