"""Child processes: how to start posjobs and the peers, time them, and read their memory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment children get: ours, with the repo importable and no posjobs overrides."""
    out = {k: v for k, v in os.environ.items() if not k.startswith("POSJOBS_")}
    out.update(extra or {})
    out["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), out.get("PYTHONPATH")) if p)
    out["NO_COLOR"] = "1"
    return out


def posjobs(*args: str | os.PathLike[str]) -> list[str]:
    """The command line running the posjobs CLI with this interpreter."""
    return [sys.executable, "-m", "posjobs", *map(str, args)]


def python_module(module: str, *args: str | os.PathLike[str]) -> list[str]:
    return [sys.executable, "-m", module, *map(str, args)]


def wall_time(argv: Sequence[str], *, cwd: Path | None = None, check: bool = True) -> float:
    """Seconds from spawning `argv` to its exit, output discarded."""
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env(), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False)
    took = time.perf_counter() - start
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: "
                           f"{done.stderr.decode(errors='replace')[-2000:]}")
    return took


def spawn(argv: Sequence[str], *, cwd: Path | None = None, stdout: int | None = None,
          stderr: int | None = subprocess.DEVNULL, text: bool = False,
          extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(argv, cwd=cwd, env=env(extra_env), stdout=stdout, stderr=stderr,
                            text=text, stdin=subprocess.DEVNULL)


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
    """Signal `proc` (which we started) and wait for it; kill it if it does not go."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def wait_until(condition: Callable[[], bool], timeout: float, every: float = 0.05,
               what: str = "condition", proc: subprocess.Popen | None = None) -> None:
    """Poll `condition` until it holds; fail after `timeout` or when `proc` died."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"waiting for {what}: the process exited {proc.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"waiting for {what}: gave up after {timeout:g} s")
        time.sleep(every)


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of one process, in kB, from /proc/<pid>/status."""
    found: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    found[key] = int(value.split()[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return found


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, their children...), from /proc."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except FileNotFoundError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as children:
                    kids = [int(k) for k in children.read().split()]
            except FileNotFoundError:
                continue
            found += kids
            todo += kids
    return found
