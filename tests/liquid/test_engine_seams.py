"""The private parts of python-liquid the dialect is built on are still there and still work.

python-liquid is pinned to the minor version the dialect was written against
(`>=2.3.6,<2.4`, pyproject.toml). The dialect reaches into parts python-liquid does not
promise to keep; an upgrade that changes one of them must fail here, loudly and by name,
rather than as a subtle difference in what pages render. The list (module: what posjobs
uses it for):

- liquid.builtin.expressions._tokenize: `_rules`, `_keywords`, `GROUP_*` (compat.scan
  re-tokenizes tag expressions with hash/array literals, `<<` and `#` comments).
- liquid.builtin.expressions.logical: `_eq`, `_contains` (replaced process-wide by
  compat._ruby_eq and compat._ruby_contains: Rails' blank?, Ruby's contains).
- liquid.builtin.tags.case_tag: `_eq` (the same, for `when`).
- liquid.builtin.filters.string: the string filters standard.py wraps.
- liquid.context.RenderContext: `get_buffer`, `get_item` (PosContext keeps line endings).
- liquid.template.BoundTemplate: `_get_buffer`, `make_partial_namespace`,
  `render_with_context(partial=, block_scope=)` (PosTemplate).
- liquid.output.LimitedStringIO(limit, initial_value, newline) (context.OutputBuffer).
- liquid.stream.TokenStream(block_depth_carry=), liquid.parser.get_parser,
  Environment._parse, Environment.string_first_and_last (compat.RubyCompatible).
- liquid.exceptions.LiquidError: `.context()`, `.message`, `.template_name`
  (dialect.to_template_error).
"""

from __future__ import annotations

import inspect
from importlib.metadata import version

import pytest


def test_python_liquid_is_the_pinned_minor_version():
    major, minor, *_ = version("python-liquid").split(".")
    assert (int(major), int(minor)) == (2, 3), (
        "python-liquid changed minor version: review every part listed in this module's "
        "docstring before widening the pin in pyproject.toml")


def test_the_expression_tokenizer_internals():
    from liquid.builtin.expressions import _tokenize

    names = [name for name, _pattern in _tokenize._rules]
    for required in ("OP", "SKIP", "ILLEGAL", "IDENTINDEX", "IDENTSTRING", "STRING"):
        assert any(required.lower() == name.lower() for name in names), required
    assert "contains" in _tokenize._keywords
    for group in ("GROUP_IDENTINDEX", "GROUP_IDENTQUOTED", "GROUP_IDENTQUOTE",
                  "GROUP_QUOTED"):
        assert isinstance(getattr(_tokenize, group), str), group


def test_the_comparisons_the_dialect_replaces():
    from liquid.builtin.expressions import logical
    from liquid.builtin.tags import case_tag

    from posjobs.liquid import compat

    assert logical._eq is compat._ruby_eq
    assert case_tag._eq is compat._ruby_eq
    assert logical._contains is compat._ruby_contains
    assert list(inspect.signature(compat._strict_eq).parameters) == ["left", "right"]
    assert list(inspect.signature(compat._strict_contains).parameters) == [
        "token", "left", "right"]


def test_the_string_filters_standard_wraps():
    from liquid.builtin.filters import string

    from posjobs.liquid.filters import standard

    for name in (*standard._TEXT_FILTERS, *standard._TEXT_WITH_ARGUMENTS, "slice_"):
        assert callable(getattr(string, name)), name


def test_the_context_and_template_hooks():
    from liquid import BoundTemplate, Environment, RenderContext
    from liquid.output import LimitedStringIO
    from liquid.stream import TokenStream

    assert "buf" in inspect.signature(RenderContext.get_buffer).parameters
    assert list(inspect.signature(RenderContext.get_item).parameters) == ["self", "obj", "key"]
    assert callable(BoundTemplate._get_buffer)
    assert callable(BoundTemplate.make_partial_namespace)
    params = inspect.signature(BoundTemplate.render_with_context).parameters
    assert "partial" in params and "block_scope" in params
    assert "newline" in inspect.signature(LimitedStringIO).parameters
    assert "block_depth_carry" in inspect.signature(TokenStream).parameters
    assert callable(Environment._parse)
    assert hasattr(Environment, "string_first_and_last")


def test_a_liquid_error_locates_itself():
    from liquid import Environment
    from liquid.exceptions import LiquidSyntaxError

    with pytest.raises(LiquidSyntaxError) as caught:
        Environment().from_string("a\n{% if %}")
    err = caught.value
    assert err.context() is not None and err.context()[0] == 2
    assert err.message and hasattr(err, "template_name")
