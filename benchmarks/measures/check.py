"""Check: `posjobs check` on a generated project of 1,500 templates, against bare
python-liquid parsing the same files (both as child processes, start-up included).

`posjobs check` may not exist yet; then the row says "not available".
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

from benchmarks import procs
from benchmarks.config import Config
from benchmarks.stats import Measurement, paired, unavailable

NAMES = ("check",)
TITLE = "`posjobs check`, generated project"

PAGE = """---
slug: items/{i}
---
{{% liquid
  assign item_id = context.params.id | default: {i} | plus: 0
  log "page {i} for item " | append: item_id, type: "page"
%}}
<h1>Item {{{{ item_id }}}}</h1>
{{% background job_id = 'part{p}', delay: 0.5, priority: 'high', max_attempts: 3,
    source_name: 'part_for_{i}', item_id: item_id %}}
{{% background source_name: 'inline_{i}', item_id: item_id %}}
  {{% log "inline job for " | append: item_id %}}
{{% endbackground %}}
<p>Queued job {{{{ job_id }}}}.</p>
"""
PARTIAL = """{{% assign total = item_id | plus: {i} %}}
{{% if total > 10 %}}
  {{% log "partial {i}: " | append: total, type: "report" %}}
{{% else %}}
  {{% log "partial {i} small", type: "debug" %}}
{{% endif %}}
{{% background _ = 'commands/c{c}', priority: 'low', source_name: 'command', total: total %}}
"""
COMMAND = """{{% liquid
  assign doubled = total | times: 2
  log doubled, type: "command_{i}"
%}}
"""


def generate(root: Path, files: int) -> int:
    """A project of `files` templates: 1/6 pages, 2/3 partials, 1/6 app/lib commands."""
    pages = commands = max(1, files // 6)
    partials = max(1, files - pages - commands)
    for i in range(pages):
        _write(root / f"app/views/pages/items/p{i}.liquid", PAGE.format(i=i, p=i % partials))
    for i in range(partials):
        _write(root / f"app/views/partials/part{i}.liquid",
               PARTIAL.format(i=i, c=i % commands))
    for i in range(commands):
        _write(root / f"app/lib/commands/c{i}.liquid", COMMAND.format(i=i))
    return pages + partials + commands


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def available() -> bool:
    """Whether this posjobs has a `check` command."""
    done = subprocess.run(procs.posjobs("check", "--help"), env=procs.env(),
                          capture_output=True, check=False)
    return done.returncode == 0


def check_seconds(root: Path) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(procs.posjobs("check", "--project", root), env=procs.env(),
                          capture_output=True, check=False)
    took = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: it ran and found something
        raise RuntimeError(f"posjobs check exited {done.returncode}: "
                           f"{done.stderr.decode(errors='replace')[-2000:]}")
    return took, done.returncode


def run(cfg: Config, work: Path, shared: dict[str, Any]) -> list[Measurement]:
    if not available():
        return [unavailable("check", TITLE,
                            "not available: `posjobs check --help` fails in this posjobs")]
    root = work / "project"
    files = generate(root, cfg.check_files)
    ours: list[float] = []
    bare: list[float] = []
    codes: set[int] = set()
    for r in range(cfg.check_rounds):
        order = ("ours", "bare") if r % 2 == 0 else ("bare", "ours")
        for side in order:
            if side == "ours":
                took, code = check_seconds(root)
                ours.append(took)
                codes.add(code)
            else:
                bare.append(procs.wall_time(
                    procs.python_module("benchmarks.peers.liquid_bare", "parse", root)))
    return [paired(
        ours, bare, f"{TITLE} ({files:,} files)", "s", name="check",
        peer_name="bare python-liquid parsing every file", ratio_meaning="posjobs / bare time",
        target=None,
        notes=["no target set; child-process wall time, start-up included on both sides",
               f"`posjobs check` exit code(s): {sorted(codes)}"],
    )]
