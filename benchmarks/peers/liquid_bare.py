"""Bare python-liquid, the render baseline: a stock `liquid.Environment` with a DictLoader.

It never imports posjobs (posjobs adjusts python-liquid when imported). The platform's own
tags that stock Liquid lacks, `background` and `log`, are no-op tags here: they parse (an
inline background body is parsed as a block, as posjobs does) and render nothing; the
partial form only sets its variable to a sequential id, the tag's one visible effect. Both
sides print the same HTML, and the difference is what posjobs does for those tags (evaluate
the arguments, build the job, record the log entry) and for every render.

`python -m benchmarks.peers.liquid_bare render PROJECT CONTEXT_JSON LOOPS` times the demo
page; `python -m benchmarks.peers.liquid_bare parse DIR` parses every template below DIR.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
import time
from pathlib import Path
from typing import TextIO

from liquid import DictLoader, Environment, Node, RenderContext, Tag, TokenStream
from liquid.parser import get_parser
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG

FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.DOTALL)
PARTIAL_FORM = re.compile(r"\s*([\w-]+)\s*=")


class NoOpNode(Node):
    __slots__ = ("body", "variable")

    def __init__(self, token, body: Node | None = None,  # type: ignore[no-untyped-def]
                 variable: str | None = None) -> None:
        super().__init__(token)
        self.body = body
        self.variable = variable
        self.blank = True

    def __str__(self) -> str:
        return ""

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        if self.variable:  # the partial form's one visible effect: its variable gets an id
            ids = context.tag_namespace.setdefault("bare_job_ids", itertools.count(1))
            context.assign(self.variable, next(ids))
        return 0


class NoOpLog(Tag):
    name = "log"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.expect(TOKEN_TAG)
        if stream.peek.kind == TOKEN_EXPRESSION:
            next(stream)
        return NoOpNode(token)


class NoOpBackground(Tag):
    name = "background"
    end = "endbackground"
    block = True

    def parse(self, stream: TokenStream) -> Node:
        token = stream.eat(TOKEN_TAG)
        if stream.current.kind == TOKEN_EXPRESSION:
            partial_form = PARTIAL_FORM.match(stream.current.value)
            if partial_form:  # `{% background x = 'partial', ... %}`: no body
                return NoOpNode(token, variable=partial_form.group(1))
            next(stream)
        body = get_parser(self.env).parse_block(stream, (self.end,))
        stream.expect(TOKEN_TAG, value=self.end)
        return NoOpNode(token, body)


def environment(partials: dict[str, str]) -> Environment:
    env = Environment(loader=DictLoader(partials))
    env.add_tag(NoOpLog)
    env.add_tag(NoOpBackground)
    return env


def source(path: Path) -> str:
    """A template's text, its front matter blanked out as posjobs does (lines kept)."""
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    return "\n" * match.group(0).count("\n") + text[match.end():] if match else text


def partials_of(root: Path) -> dict[str, str]:
    """app/views/partials and app/lib by their platform names."""
    found: dict[str, str] = {}
    for base in (root / "app/views/partials", root / "app/lib"):
        for path in sorted(base.rglob("*.liquid")):
            found.setdefault(str(path.relative_to(base))[: -len(".liquid")], source(path))
    return found


def time_render(root: Path, page: str, layout: str, context: dict[str, object],
                loops: int) -> dict[str, object]:
    env = environment(partials_of(root))
    template = env.from_string(source(root / page))
    frame = env.from_string(source(root / layout))

    def once() -> str:
        html = template.render(context=context)
        return frame.render(context=context, content_for_layout=html)

    for _ in range(max(5, loops // 10)):  # warm-up
        html = once()
    start = time.perf_counter()
    for _ in range(loops):
        once()
    return {"seconds_per_render": (time.perf_counter() - start) / loops, "html": html}


def parse_all(root: Path) -> int:
    env = environment({})
    files = sorted(root.rglob("*.liquid"))
    for path in files:
        env.from_string(source(path))
    return len(files)


def main() -> None:
    if sys.argv[1] == "render":
        root, context_file, loops = Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
        spec = json.loads(context_file.read_text())
        print(json.dumps(time_render(root, spec["page"], spec["layout"], spec["context"],
                                     loops)))
    else:
        print(parse_all(Path(sys.argv[2])))


if __name__ == "__main__":
    main()
