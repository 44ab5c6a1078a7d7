"""Every filter of the platform's docset is registered (aliases included)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from posjobs.liquid.filters import ALIASES, FILTERS

DOCSET = Path(__file__).resolve().parents[3] / "shared" / "reference" / "platformos-docset"


def test_aliases_point_at_registered_filters():
    assert set(ALIASES.values()) <= set(FILTERS)
    assert not set(ALIASES) & set(FILTERS)


@pytest.mark.skipif(not (DOCSET / "filters.json").is_file(), reason="docset not beside the repo")
def test_every_docset_filter_is_registered(render):
    entries = json.loads((DOCSET / "filters.json").read_text(encoding="utf-8"))
    names = {e["name"] for e in entries} | {a for e in entries for a in e["aliases"]}
    env_filters = render.dialect.env.filters
    assert sorted(n for n in names if n not in env_filters) == []


def test_a_filter_that_needs_the_platform_says_so(render):
    err = render.error("one\ntwo\n{{ 'https://example.com/a.json' | download_file }}")
    assert err.line == 3
    assert err.message.startswith("download_file is not available locally")


ODD_VALUES = {"nil": None, "text": "abc", "number": -3, "fraction": 2.5, "list": [1, "a", None],
              "hash": {"a": {"b": 1}}, "flag": True}
ARGUMENTS = ["", ": nil", ": 'x'", ": 0", ": list", ": hash", ": 'x', 'y', 'z'", ": a: 1"]


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_odd_inputs_never_escape_as_python_errors(render, name):
    """Whatever a template passes, a filter answers or raises a located Liquid error."""
    from posjobs.errors import TemplateError

    for value in [*ODD_VALUES, "undefined_variable"]:
        for args in ARGUMENTS:
            source = f"{{{{ {value} | {name}{args} }}}}"
            try:
                render(source, **ODD_VALUES)
            except TemplateError as err:
                assert err.error_class != "InternalError", f"{source}: {err.message}"
                assert err.line == 1
