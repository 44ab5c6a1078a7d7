"""Serve: a page served over HTTP by `posjobs serve` against the same page through
`render_page`; the dashboard on a store of 100,000 jobs against one of 1,000; the server
under concurrent load (wrk, on loopback, bounded in time).

Servers run as `posjobs serve --no-worker` child processes on a free loopback port; the
`render_page` side runs in a child process of its own, on the same project and data layer.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import procs
from benchmarks.config import Config
from benchmarks.projects import fill_store
from benchmarks.stats import Measurement, Target, paired, unavailable
from posjobs.store.sqlite import SQLiteStore

NAMES = ("serve_page", "serve_dashboard_list", "serve_api_jobs", "serve_overview",
         "serve_load")
DEMO = procs.ROOT / "fixtures" / "demo"
PAGE = "/?user_id=7&email=ada%40example.com"
NO_SLOWER = 1.2
LOAD_SECONDS = 3
LOAD_CONNECTIONS = 8


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    """A `posjobs serve --no-worker` child process, stopped on exit."""

    def __init__(self, project: Path, db: Path) -> None:
        self.port = free_port()
        self.proc = procs.spawn(procs.posjobs("serve", "--no-worker", "--port", str(self.port),
                                              "--project", project, "--db", db))
        procs.wait_until(self._up, 60, what="posjobs serve", proc=self.proc)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def _up(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def get(self, path: str) -> bytes:
        self.conn.request("GET", path)
        response = self.conn.getresponse()
        body = response.read()
        if response.status >= 400:
            raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
        return body

    def ms_per_get(self, path: str, loops: int) -> float:
        for _ in range(max(3, loops // 10)):  # warm-up
            self.get(path)
        start = time.perf_counter()
        for _ in range(loops):
            self.get(path)
        return (time.perf_counter() - start) / loops * 1000

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.conn.close()
        procs.stop(self.proc)


def render_side(project: Path, db: Path, loops: int) -> dict[str, Any]:
    """ms per `render_page` of the page, stored as a request stores it, with the data layer
    (run as a child process: `python -m benchmarks.measures.serve`)."""
    from posjobs.clock import SystemClock
    from posjobs.config import Settings
    from posjobs.data import DataLayer
    from posjobs.liquid import Dialect
    from posjobs.project import Project
    from posjobs.services.context import Request
    from posjobs.services.render import render_page
    from posjobs.store.data import data_store_path

    proj = Project(project)
    store = SQLiteStore(db)
    data = DataLayer(proj, data_store_path(db))
    settings = Settings.load(proj.root)
    dialect = Dialect(proj)  # built once, as the server builds it
    path, _, query = PAGE.partition("?")
    params = dict(pair.split("=", 1) for pair in query.split("&"))
    params["email"] = params["email"].replace("%40", "@")

    def once() -> str:
        result = render_page(proj, store, path, clock=SystemClock(), settings=settings,
                             request=Request(params=dict(params), method="get"), data=data,
                             dialect=dialect)
        return result.html

    for _ in range(max(3, loops // 10)):
        html = once()
    start = time.perf_counter()
    for _ in range(loops):
        once()
    took = (time.perf_counter() - start) / loops * 1000
    data.close()
    store.close()
    return {"ms": took, "html": html}


def wrk(url: str) -> tuple[float, float] | None:
    """Requests per second and p99 latency (ms) under `LOAD_CONNECTIONS` connections for
    `LOAD_SECONDS` seconds; None without wrk."""
    tool = shutil.which("wrk")
    if tool is None:
        return None
    done = subprocess.run([tool, "-t", "2", "-c", str(LOAD_CONNECTIONS), "-d",
                           f"{LOAD_SECONDS}s", "--timeout", "10s", "--latency", url],
                          capture_output=True, text=True, check=True, timeout=LOAD_SECONDS + 30)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", done.stdout)
    if rate is None or p99 is None:
        raise RuntimeError(f"wrk said: {done.stdout[-1000:]}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return float(rate.group(1)), float(p99.group(1)) * scale


def run(cfg: Config, work: Path, shared: dict[str, Any]) -> list[Measurement]:
    work.mkdir(parents=True, exist_ok=True)
    project = work / "demo"
    shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns(".posjobs"))
    loops, rounds = cfg.serve_loops, cfg.serve_rounds

    served_ms: list[float] = []
    rendered_ms: list[float] = []
    same = True
    for r in range(rounds):
        served_db, render_db = work / f"served-{r}.db", work / f"render-{r}.db"

        def http_side(db: Path = served_db) -> tuple[float, bytes]:
            with Served(project, db) as server:
                return server.ms_per_get(PAGE, loops), server.get(PAGE)

        def direct_side(db: Path = render_db) -> dict[str, Any]:
            out = subprocess.run(procs.python_module("benchmarks.measures.serve", project, db,
                                                     str(loops)),
                                 env=procs.env(), capture_output=True, text=True, check=True)
            result: dict[str, Any] = json.loads(out.stdout)
            return result

        if r % 2 == 0:
            ms, body = http_side()
            direct = direct_side()
        else:
            direct = direct_side()
            ms, body = http_side()
        served_ms.append(ms)
        rendered_ms.append(direct["ms"])
        same = same and body.decode() == direct["html"]

    sizes = {"big": cfg.serve_jobs, "small": 1_000}
    dbs = {}
    for name, count in sizes.items():
        db = work / f"dashboard-{name}.db"
        store = SQLiteStore(db)
        fill_store(store, count)
        store.close()
        dbs[name] = db
    paths = {"list": "/_posjobs/jobs", "api": "/_posjobs/api/jobs", "overview": "/_posjobs/"}
    dash: dict[str, dict[str, list[float]]] = {p: {"big": [], "small": []} for p in paths}
    for r in range(rounds):
        for name in (["big", "small"] if r % 2 == 0 else ["small", "big"]):
            with Served(project, dbs[name]) as server:
                for key, path in paths.items():
                    dash[key][name].append(server.ms_per_get(path, loops))

    label = f"{sizes['big']:,} vs {sizes['small']:,} jobs"
    few_ms = Target("ours", "<=", 10.0, "a few ms (<= 10 ms)")
    rows = [
        paired(served_ms, rendered_ms, "a page served over HTTP (fixtures/demo `/`)", "ms",
               name="serve_page", peer_name="the same page through render_page",
               ratio_meaning="served / render_page", target=Target("ratio", "<=", 1.5,
                                                                   "overhead <= 1.5x"),
               notes=[f"{loops} sequential GETs on one keep-alive connection after a warm-up "
                      "(routing, params, session cookie, the data layer, 4 jobs stored per "
                      "request) against as many render_page calls in one process, both "
                      "with one Dialect built beforehand",
                      "identical HTML" if same else "WARNING: the HTML differs"]),
    ]
    titles = {"list": "dashboard jobs list (HTML, 100 rows)",
              "api": "`/_posjobs/api/jobs` (JSON, 100 jobs)",
              "overview": "dashboard overview (counts per status and priority)"}
    names = {"list": "serve_dashboard_list", "api": "serve_api_jobs",
             "overview": "serve_overview"}
    for key in paths:
        rows.append(paired(dash[key]["big"], dash[key]["small"], f"{titles[key]}, {label}",
                           "ms", name=names[key], peer_name=f"{sizes['small']:,} jobs",
                           ratio_meaning="big store / small store", target=few_ms,
                           notes=[f"{loops} sequential GETs after a warm-up; the ratio is "
                                  f"context (no slower is <= {NO_SLOWER:g}x)"]))
    with Served(project, work / "load.db") as server:
        page = wrk(f"http://127.0.0.1:{server.port}{PAGE}")
        sequential = 1000 / server.ms_per_get(PAGE, loops)
    if page is None:
        rows.append(unavailable("serve_load", "the server under load",
                                "wrk is not installed (apt-get install wrk)"))
    else:
        rate, p99 = page
        rows.append(paired([rate], [sequential], f"page under load: {LOAD_CONNECTIONS} "
                           f"connections for {LOAD_SECONDS} s (wrk), p99 {p99:.1f} ms",
                           "req/s", name="serve_load", peer_name="one connection, sequential",
                           ratio_meaning="loaded / sequential rate",
                           target=Target("ratio", ">=", 0.8, "holds its rate (>= 0.8x)"),
                           notes=["pages render one at a time (the data layer's connection "
                                  "is one), so concurrency should cost little, not add"]))
    return rows


if __name__ == "__main__":
    print(json.dumps(render_side(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))))
