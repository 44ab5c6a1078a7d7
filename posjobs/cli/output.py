"""Where and how the CLI prints: data to stdout, messages to stderr, user text never as markup."""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

from rich.console import Console
from rich.text import Text

from posjobs.errors import ExitCode, PosjobsError, TemplateError

# C0/C1 control characters other than newline and tab: shown escaped, never sent raw, so
# that a log message cannot colour, move or clear the user's terminal.
PIPE_WIDTH = 160
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# What JSON may carry raw but a terminal or a reader would obey: C1 controls, line and
# paragraph separators, bidirectional overrides. Escaped in our JSON (\u0085, \u202e).
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """`text` with control characters made visible (`\\x1b` for ESC)."""
    return _CONTROL.sub(_visible, text)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def json_text(value: Any, **options: Any) -> str:
    """JSON with non-ASCII text kept readable, but every character a terminal would obey
    escaped (these occur only inside JSON strings, so escaping them keeps it valid)."""
    text = json.dumps(value, ensure_ascii=False, **options)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass
class Output:
    """The CLI's streams; tests replace them."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    color: bool | None = None  # None: decide by terminal and NO_COLOR

    def __post_init__(self) -> None:
        no_color = self.color is False or bool(os.environ.get("NO_COLOR"))
        force = True if self.color else None
        self.out = Console(file=self.stdout, no_color=no_color, force_terminal=force,
                           highlight=False, soft_wrap=True, emoji=False,
                           color_system=None if no_color else "auto")
        self.err = Console(file=self.stderr, no_color=no_color, force_terminal=force,
                           highlight=False, soft_wrap=True, emoji=False,
                           color_system=None if no_color else "auto")
        # Rich ends the process with exit 1 when the reader goes away (`logs | head`); let
        # the CLI's own handling decide instead.
        self.out.on_broken_pipe = _raise_broken_pipe  # type: ignore[method-assign]
        # Asked once: Rich reads the environment again on every `is_terminal`, and the
        # worker prints a progress line per job (`logs` a line per entry).
        self.out_is_terminal = self.out.is_terminal
        self.err_is_terminal = self.err.is_terminal
        for console, terminal in ((self.out, self.out_is_terminal),
                                  (self.err, self.err_is_terminal)):
            if not terminal:
                # Piped or captured: don't squeeze tables into 80 columns.
                console.width = max(console.width, PIPE_WIDTH)

    @property
    def is_terminal(self) -> bool:
        return self.out_is_terminal

    def data(self, text: str) -> None:
        """Raw data (HTML, JSON) to stdout, exactly as given."""
        self.stdout.write(text)
        if not text.endswith("\n"):
            self.stdout.write("\n")
        self.stdout.flush()

    def json(self, value: Any) -> None:
        self.data(json_text(value, indent=2))

    def json_line(self, value: Any) -> None:
        self.stdout.write(json_text(value, separators=(",", ":")) + "\n")
        self.stdout.flush()

    def progress(self, text: Text) -> None:
        """A line of progress on stderr: styled on a terminal, plain (and cheap) elsewhere."""
        if self.err_is_terminal:
            self.err.print(text)
        else:
            self.stderr.write(text.plain + "\n")

    def note(self, message: str | Text, style: str = "dim") -> None:
        """A message for the human (stderr)."""
        text = message if isinstance(message, Text) else Text(safe(message), style=style)
        self.err.print(text)

    def error(self, err: PosjobsError) -> None:
        text = Text("error: ", style="bold red")
        if isinstance(err, TemplateError):
            text.append(safe(err.location), style="bold")
            text.append(": ")
        text.append(safe(err.message))
        self.err.print(text)
        if isinstance(err, TemplateError) and err.source_line is not None and err.line:
            gutter = f"{err.line} | "
            self.err.print(Text(gutter + safe(err.source_line), style="dim"))
            if err.column:
                pointer = " " * (len(gutter) + err.column - 1) + "^"
                self.err.print(Text(pointer, style="red"))
        if err.hint:
            self.err.print(Text("hint: " + safe(err.hint), style="yellow"))


def error_json(code: int, message: str, err: PosjobsError | None = None) -> dict[str, Any]:
    """The one shape every failure has under `--json`: `{"error": {...}}` on stdout."""
    try:
        kind = ExitCode(code).name.lower()
    except ValueError:
        kind = "failed"
    template = err if isinstance(err, TemplateError) else None
    return {"error": {
        "kind": kind,
        "class": type(err).__name__ if err is not None else "UsageError",
        "message": message,
        "file": template.path if template else None,
        "line": template.line if template else None,
        "column": template.column if template else None,
        "hint": err.hint if err is not None else None,
        "exit_code": int(code),
    }}


def _raise_broken_pipe() -> None:
    raise BrokenPipeError

