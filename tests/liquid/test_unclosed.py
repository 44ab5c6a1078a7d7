"""Which block a template leaves open, found the way a reader would point at it."""

from __future__ import annotations

import pytest
from liquid import Environment

from posjobs.liquid.unclosed import open_blocks


@pytest.fixture(scope="module")
def env() -> Environment:
    return Environment()


@pytest.mark.parametrize(("source", "still_open"), [
    ("{% if a %}{% endif %}", []),
    ("{% if a %}{% for x in y %}{% endfor %}", ["if"]),
    ("{% raw %}{% if a %}{% endraw %}", []),  # raw text is not tags
    ("{% comment %}{% for x in y %}{% endcomment %}{% unless b %}", ["unless"]),
    ("{% liquid\n  if a\n    for x in y\n    endfor\n%}", ["if"]),
    ("{% liquid\n  comment\n    if a\n  endcomment\n%}", []),
    ("{% background id = 'p', a: 1 %}", []),  # the partial form has no end tag
    ("{% background source_name: 's' %}", ["background"]),
    ("{%- if a -%}{%- case b -%}{%- when 1 -%}", ["if", "case"]),
])
def test_the_blocks_still_open(env, source, still_open):
    opened, stray = open_blocks(source, env)
    assert [block.name for block in opened] == still_open
    assert stray is None


def test_an_end_tag_that_closes_the_wrong_block_is_where_the_search_stops(env):
    source = "{% for x in y %}\n{% if a %}\n{% endfor %}"
    opened, stray = open_blocks(source, env)
    assert [block.name for block in opened] == ["for", "if"]
    assert stray == ("endfor", source.index("{% endfor"))
