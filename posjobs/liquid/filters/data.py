"""Data-format filters: CSV both ways, and XML to hashes and back (the XmlSimple conventions)."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from liquid.filter import liquid_filter

from posjobs.liquid.filters.support import (
    as_list,
    as_text,
    fail,
    is_nil,
    options_of,
    to_number,
    to_s,
)


# --- CSV ----------------------------------------------------------------------------------------
@liquid_filter
def parse_csv(text: object, options: object = None, **named: Any) -> list[Any]:
    """Rows of the CSV text; with `convert_to_hash: true`, hashes keyed by the header row."""
    opts = options_of("parse_csv", options, named)
    source = as_text("parse_csv", text)
    try:
        rows = list(csv.reader(io.StringIO(source, newline=""), strict=True,
                               delimiter=to_s(opts.get("col_sep", ",")) or ",",
                               quotechar=to_s(opts.get("quote_char", '"')) or '"'))
    except (csv.Error, TypeError) as err:
        fail("parse_csv", f"malformed CSV: {err}")
    if opts.get("convert_to_hash") is True:
        if not rows:
            return []
        header = rows[0]
        width = len(header)
        return [dict(zip(header, row + [None] * (width - len(row)), strict=False))
                for row in rows[1:]]
    return rows


_INJECTION = ("=", "+", "-", "@", "\t", "\r")


@liquid_filter
def to_csv(rows: object, options: object = None, **named: Any) -> str:
    """CSV text of an array of rows; text fields are quoted, numbers are not."""
    opts = options_of("to_csv", options, named)
    col_sep = to_s(opts.get("col_sep", ","))
    row_sep = to_s(opts.get("row_sep", "\n"))
    quote = to_s(opts.get("quote_char", '"')) or '"'
    force = opts.get("force_quotes") is True
    quote_empty = opts.get("quote_empty", True) is not False
    sanitize = opts.get("sanitize", True) is not False

    def field(value: object) -> str:
        if is_nil(value):
            return ""
        text = to_s(value)
        numeric = not isinstance(value, bool) and to_number(value) is not None
        if sanitize and not numeric and text.startswith(_INJECTION):
            text = "'" + text
        if force or (not numeric and (text or quote_empty)):
            return quote + text.replace(quote, quote * 2) + quote
        return text

    lines = []
    for row in as_list("to_csv", rows):
        if not isinstance(row, list):
            fail("to_csv", f"every row must be an array, got {to_s(row)!r}")
        lines.append(col_sep.join(field(v) for v in row) + row_sep)
    return "".join(lines)


# --- XML ----------------------------------------------------------------------------------------
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _element(el: ET.Element, force_array: bool, prefix: str) -> object:
    attrs: dict[str, Any] = {prefix + _local(k): v for k, v in el.attrib.items()}
    children: dict[str, list[Any]] = {}
    for child in el:
        children.setdefault(_local(child.tag), []).append(_element(child, force_array, prefix))
    text = "".join(el.itertext()) if not len(el) else (el.text or "")
    if not attrs and not children:
        return text if text else {}
    for tag, values in children.items():
        attrs[tag] = values if force_array or len(values) > 1 else values[0]
    if text.strip():
        attrs["content"] = text
    return attrs


@liquid_filter
def parse_xml(text: object, options: object = None, **named: Any) -> dict[str, Any] | None:
    """A hash of the XML: `{"root": [{"child": [...], "attribute": "value"}]}`."""
    if is_nil(text):
        return None
    opts = options_of("parse_xml", options, named)
    try:
        root = ET.fromstring(as_text("parse_xml", text).strip())
    except ET.ParseError as err:
        fail("parse_xml", f"invalid XML: {err}")
    force = opts.get("force_array", True) is not False
    value = _element(root, force, "@" if opts.get("attr_prefix") is True else "")
    return {_local(root.tag): [value] if force else value}


def _escape(text: str, attribute: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if attribute else text


def _xml(tag: str, value: object, indent: str, prefix: bool) -> list[str]:
    if not re.fullmatch(r"[A-Za-z_][\w.\-:]*", tag):
        fail("to_xml", f"{tag!r} cannot be an XML element name")
    if isinstance(value, list):
        return [line for item in value for line in _xml(tag, item, indent, prefix)]
    if not isinstance(value, Mapping) or is_nil(value):
        return [f"{indent}<{tag}>{_escape(to_s(value))}</{tag}>"]
    attrs, children, content = [], [], None
    for key, item in value.items():
        name = to_s(key)
        if name == "content" and not isinstance(item, (Mapping, list)):
            content = to_s(item)
        elif isinstance(item, (Mapping, list)) or (prefix and not name.startswith("@")):
            children.append((name, item))
        else:
            attrs.append(f' {name.lstrip("@")}="{_escape(to_s(item), True)}"')
    head = f"{indent}<{tag}{''.join(attrs)}"
    if not children:
        return [f"{head}>{_escape(content or '')}</{tag}>"]
    lines = [head + ">" + (_escape(content) if content else "")]
    for name, item in children:
        lines += _xml(name, item, indent + "  ", prefix)
    return [*lines, f"{indent}</{tag}>"]


@liquid_filter
def to_xml(value: object, options: object = None, **named: Any) -> str:
    """XML of a hash (a single key becomes the root element; an array becomes `<anon>`s)."""
    prefix = options_of("to_xml", options, named).get("attr_prefix") is True
    if isinstance(value, list):
        lines = _xml("anon", value, "", prefix)
    elif isinstance(value, Mapping) and not is_nil(value):
        if len(value) == 1:
            (tag, item), = value.items()
            lines = _xml(to_s(tag), item, "", prefix)
        else:
            lines = _xml("opt", value, "", prefix)
    else:
        fail("to_xml", f"expected a hash or an array, got {to_s(value)!r}")
    return "\n".join(lines) + "\n"
