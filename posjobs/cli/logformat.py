"""Log entries in pos-cli's shape: `[2026-11-29 17:02:03.123Z] - info: message` and where from."""

from __future__ import annotations

from rich.text import Text

from posjobs.cli.output import Output, safe
from posjobs.clock import iso
from posjobs.jobs.model import LogEntry

TERMINAL_MESSAGE_LIMIT = 2000


def type_style(type_: str) -> str:
    lowered = type_.lower()
    if "error" in lowered:
        return "bold red"
    if "warn" in lowered:
        return "bold yellow"
    return "bold"


def timestamp(ts: float) -> str:
    return (iso(ts) or "").replace("T", " ")


def origin(entry: LogEntry) -> str:
    """The second line: which job (or page) wrote the entry, and from where."""
    parts = []
    if entry.job_id is not None:
        parts.append(f"job {entry.job_id} {entry.source_name or ''}".rstrip())
        if entry.attempt is not None:
            parts.append(f"attempt {entry.attempt}/{entry.max_attempts}")
        if entry.priority:
            parts.append(entry.priority)
    elif entry.page:
        parts.append(entry.request or "page")
    if entry.template:
        parts.append(f"{entry.template}:{entry.line}" if entry.line else entry.template)
    if entry.simulated_at is not None and abs(entry.simulated_at - entry.created_at) >= 1:
        parts.append(f"fast-forward clock {timestamp(entry.simulated_at)}")
    return " · ".join(parts)


def print_entry(out: Output, entry: LogEntry, *, quiet: bool = False) -> None:
    message = safe(entry.message)
    if out.is_terminal and len(message) > TERMINAL_MESSAGE_LIMIT:
        hidden = len(message) - TERMINAL_MESSAGE_LIMIT
        message = message[:TERMINAL_MESSAGE_LIMIT] + f" …[{hidden} more characters; --json]"
    text = Text()
    text.append(f"[{timestamp(entry.created_at)}]", style="dim")
    text.append(" - ")
    text.append(safe(entry.type), style=type_style(entry.type))
    text.append(": ")
    # A message's own lines are marked, so that none can pass for another entry.
    message = message.replace("\n", "\n    | ")
    text.append(message, style="red" if "error" in entry.type.lower() else "")
    out.out.print(text)
    if not quiet:
        where = origin(entry)
        if where:
            out.out.print(Text("    " + safe(where), style="dim"))

