"""Render: the demo page of fixtures/demo (with its layout) rendered by posjobs' dialect,
against the same sources rendered by bare python-liquid. Each side runs in its own child
process (posjobs adjusts python-liquid when imported), on templates parsed beforehand;
jobs are collected, never stored."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import procs
from benchmarks.config import Config
from benchmarks.stats import Measurement, Target, paired

NAMES = ("render",)
DEMO = procs.ROOT / "fixtures" / "demo"
PAGE = "/"
PARAMS = {"user_id": "7", "email": "ada@example.com"}


def posjobs_side(root: Path, loops: int, spec_out: Path | None = None) -> dict[str, Any]:
    """Seconds per render of the page and its layout by posjobs, and the HTML."""
    from posjobs.clock import SystemClock
    from posjobs.config import Settings
    from posjobs.liquid import Dialect, RunState
    from posjobs.project import Project
    from posjobs.services.context import Request, job_context, page_context

    root = root.resolve()
    project = Project(root)
    settings = Settings.load(root)
    page = project.find_page(PAGE)
    dialect = Dialect(project)
    template = dialect.parse(page.file)
    layout = dialect.layout(page.layout, page.file.name) if page.layout else None
    context = page_context(page, Request(params=dict(PARAMS)), settings)
    if spec_out is not None:  # what the bare side needs to render the same thing
        layout_path = project.find_layout(page.layout) if page.layout else None
        spec_out.write_text(json.dumps({
            "page": str(page.file.path.relative_to(root)),
            "layout": str(layout_path.relative_to(root)) if layout_path else None,
            "context": context,
        }))
    jobs = 0

    def once() -> str:
        nonlocal jobs
        ids = itertools.count(1)
        run = RunState(clock=SystemClock(), reserve_id=lambda: next(ids),
                       job_context=job_context(context), environment=context["environment"],
                       page=page.file.name)
        html = dialect.render(template, run, context=context)
        if layout is not None:
            html = dialect.render(layout, run, context=context,
                                  variables={"content_for_layout": html})
        jobs = len(run.jobs)
        return html

    for _ in range(max(5, loops // 10)):  # warm-up
        html = once()
    start = time.perf_counter()
    for _ in range(loops):
        once()
    return {"seconds_per_render": (time.perf_counter() - start) / loops, "html": html,
            "jobs": jobs}


def child(argv: list[str]) -> dict[str, Any]:
    done = subprocess.run(argv, env=procs.env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run(cfg: Config, work: Path, shared: dict[str, Any]) -> list[Measurement]:
    work.mkdir(parents=True, exist_ok=True)
    spec = work / "spec.json"
    ours_argv = [sys.executable, "-m", "benchmarks.measures.render", str(DEMO),
                 str(cfg.render_loops), str(spec)]
    bare_argv = procs.python_module("benchmarks.peers.liquid_bare", "render", DEMO, spec,
                                    str(cfg.render_loops))
    ours: list[float] = []
    bare: list[float] = []
    same_html = True
    jobs = 0
    for r in range(cfg.render_rounds):
        first, second = (ours_argv, bare_argv) if r % 2 == 0 else (bare_argv, ours_argv)
        results = {id(first): child(first)}
        results[id(second)] = child(second)
        mine, theirs = results[id(ours_argv)], results[id(bare_argv)]
        ours.append(mine["seconds_per_render"] * 1000)
        bare.append(theirs["seconds_per_render"] * 1000)
        same_html = same_html and mine["html"] == theirs["html"]
        jobs = mine["jobs"]
    return [paired(
        ours, bare, "render the demo page (fixtures/demo `/` with its layout)", "ms",
        name="render", peer_name="bare python-liquid", ratio_meaning="posjobs / bare time",
        target=Target("ratio", "<=", 1.2, "overhead <= 1.2x"),
        notes=[f"{cfg.render_loops} renders per round after a warm-up, templates parsed "
               f"beforehand; posjobs collects {jobs} job(s) and 1 log entry per render, "
               "stores nothing; bare: `background` and `log` are no-op tags",
               "identical HTML on both sides" if same_html
               else "WARNING: the two sides' HTML differ"],
    )]


if __name__ == "__main__":
    out = posjobs_side(Path(sys.argv[1]), int(sys.argv[2]),
                       Path(sys.argv[3]) if len(sys.argv) > 3 else None)
    print(json.dumps(out))
