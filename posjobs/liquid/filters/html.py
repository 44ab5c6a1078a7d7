"""HTML filters: escaping, marking safe, sanitizing, Markdown, HTML to text, JavaScript strings."""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

from liquid import RenderContext
from liquid.filter import liquid_filter, with_context

from posjobs.liquid.filters.support import (
    as_list,
    as_text,
    fail,
    is_nil,
    options_of,
    safe_html,
    to_s,
)

SANITIZE_DEFAULT: dict[str, Any] = {
    "elements": ["a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "dfn", "dl", "dt",
                 "em", "i", "h1", "h2", "h3", "h4", "h5", "h6", "img", "kbd", "li", "mark", "ol",
                 "p", "pre", "q", "s", "samp", "small", "strike", "strong", "sub", "sup", "time",
                 "u", "ul", "var"],
    "attributes": {"a": ["href"], "abbr": ["title"], "blockquote": ["cite"],
                   "img": ["align", "alt", "border", "height", "src", "srcset", "width"],
                   "dfn": ["title"], "q": ["cite"], "time": ["datetime", "pubdate"]},
    "add_attributes": {"a": {"rel": "nofollow"}},
    "protocols": {"a": {"href": ["ftp", "http", "https", "mailto", "relative"]},
                  "blockquote": {"cite": ["http", "https", "relative"]},
                  "q": {"cite": ["http", "https", "relative"]},
                  "img": {"src": ["http", "https", "relative"]}},
}


# --- escaping -----------------------------------------------------------------------------------
def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


@liquid_filter
def raw_escape_string(value: object) -> str:
    """The text HTML-escaped, so tags show as text."""
    return _escape(to_s(value))


@with_context
@liquid_filter
def html_safe(text: object, options: object = None, *, context: RenderContext,
              **named: Any) -> str:
    """The text as HTML not to be escaped; entities are unescaped unless `raw_text: true`."""
    value = to_s(text)
    if options_of("html_safe", options, named).get("raw_text") is not True:
        value = html_lib.unescape(value)
    return safe_html(context, value)


_JS_ESCAPES = {"\\": "\\\\", "</": "<\\/", "\r\n": "\\n", "\n": "\\n", "\r": "\\n", '"': '\\"',
               "'": "\\'", "`": "\\`", "$": "\\$", "\u2028": "&#x2028;", "\u2029": "&#x2029;"}
_JS_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(_JS_ESCAPES, key=len, reverse=True)))
_JS_UNESCAPES = {"\\\\": "\\", "<\\/": "</", "\\n": "\n", '\\"': '"', "\\'": "'", "\\`": "`",
                 "\\$": "$", "&#x2028;": "\u2028", "&#x2029;": "\u2029"}
_JS_UNPATTERN = re.compile("|".join(re.escape(k) for k in _JS_UNESCAPES))


@liquid_filter
def escape_javascript(text: object) -> str:
    """Newlines, quotes and backslashes escaped for a JavaScript string literal."""
    return _JS_PATTERN.sub(lambda m: _JS_ESCAPES[m.group(0)], to_s(text))


@liquid_filter
def unescape_javascript(text: object) -> str:
    return _JS_UNPATTERN.sub(lambda m: _JS_UNESCAPES[m.group(0)], to_s(text))


@liquid_filter
def new_line_to_br(text: object = "") -> str:
    return re.sub(r"\r?\n", "<br />\n", to_s(text))


@liquid_filter
def strip_liquid(text: object) -> str:
    """The text without Liquid tags and outputs, keeping what they wrapped."""
    return re.sub(r"\{%-?.*?-?%\}|\{\{-?.*?-?\}\}", "", to_s(text), flags=re.DOTALL)


# --- sanitizing (the platform uses Ruby's Sanitize; posjobs uses nh3 with the same config) -------
def _config(name: str, value: object) -> dict[str, Any]:
    if is_nil(value):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as err:
            fail(name, f"options are not valid JSON: {err}")
    if isinstance(value, list):
        return {"elements": [to_s(v) for v in value]}
    if not isinstance(value, Mapping):
        fail(name, "options must be a hash or a string holding a JSON object")
    return dict(value)


def _deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and value and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


def clean_html(name: str, text: str, config: Mapping[str, Any]) -> str:
    import nh3

    elements = {to_s(e) for e in as_list(name, config.get("elements"))}
    attributes: dict[str, set[str]] = {}
    for element, names in (config.get("attributes") or {}).items():
        key = "*" if element == "all" else to_s(element)
        attributes[key] = {to_s(n) for n in as_list(name, names, wrap=True)}
    added = {to_s(e): {to_s(k): to_s(v) for k, v in (attrs or {}).items() if v is not None}
             for e, attrs in (config.get("add_attributes") or {}).items()}
    for element, attrs in added.items():
        attributes[element] = attributes.get(element, set()) - set(attrs)
    protocols = {(to_s(e), to_s(a)): {to_s(p) for p in schemes}
                 for e, attrs in (config.get("protocols") or {}).items()
                 for a, schemes in (attrs or {}).items()}
    schemes = {p for ps in protocols.values() for p in ps if p != "relative"}

    def allowed(element: str, attribute: str, value: str) -> str | None:
        permitted = protocols.get((element, attribute))
        if permitted is None:
            return value
        scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.\-]*):", html_lib.unescape(value))
        if scheme is None:
            return value if "relative" in permitted else None
        return value if scheme.group(1).lower() in permitted else None

    remove = {to_s(e) for e in as_list(name, config.get("remove_contents"))} - elements
    return nh3.clean(
        text, tags=elements, attributes=attributes, attribute_filter=allowed,
        clean_content_tags=remove | ({"script", "style"} - elements),
        strip_comments=config.get("allow_comments") is not True, link_rel=None,
        set_tag_attribute_values={e: a for e, a in added.items() if a and e in elements},
        url_schemes=schemes | {"http", "https", "mailto", "ftp", "tel"},
    )


@with_context
@liquid_filter
def sanitize(text: object, options: object = None, _whitelist: object = None,
             *, context: RenderContext, **named: Any) -> str:
    """The HTML with only allowed elements and attributes kept (the platform's defaults)."""
    config = _config("sanitize", options) or dict(SANITIZE_DEFAULT)
    config.update(named)
    return safe_html(context, clean_html("sanitize", to_s(text), config))


@with_context
@liquid_filter
def markdown(text: object, options: object = None, extra_options: object = None,
             *, context: RenderContext, **named: Any) -> str:
    """Markdown rendered to HTML (CommonMark with tables), then sanitized like `sanitize`."""
    from markdown_it import MarkdownIt

    config = _config("markdown", options) or dict(SANITIZE_DEFAULT)
    config = _deep_merge(config, _config("markdown", extra_options))
    config.update(named)
    rendered = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(
        as_text("markdown", text))
    return safe_html(context, clean_html("markdown", rendered, config).rstrip("\n"))


# --- HTML to text -------------------------------------------------------------------------------
class _TextExtractor(HTMLParser):
    def __init__(self, root: str | None, skip: list[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.root, self.skip = root, skip
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, inside root, skipped)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        inside, skipped = self.stack[-1][1:] if self.stack else (self.root is None, False)
        inside = inside or (self.root is not None and _selects(self.root, tag, attrs))
        skipped = skipped or any(_selects(s, tag, attrs) for s in self.skip)
        if tag not in ("br", "img", "hr", "meta", "link", "input"):
            self.stack.append((tag, inside, skipped))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        inside, skipped = self.stack[-1][1:] if self.stack else (self.root is None, False)
        if inside and not skipped:
            self.parts.append(data)


def _selects(selector: str, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    """A simple CSS selector (`tag`, `#id`, `.class`, `tag.class`) against one element."""
    found = re.fullmatch(r"([\w-]*)(?:#([\w-]+))?((?:\.[\w-]+)*)", selector.strip())
    if not found:
        return False
    name, ident, classes = found.groups()
    values = dict(attrs)
    return ((not name or name == tag) and (not ident or values.get("id") == ident)
            and all(c in (values.get("class") or "").split() for c in classes.split(".")[1:]))


@liquid_filter
def html_to_text(text: object, options: object = None, **named: Any) -> str:
    """The text of the HTML; scripts and styles dropped, newlines replaced by a space."""
    opts = options_of("html_to_text", options, named)
    root = opts.get("root_element")
    remove = to_s(opts.get("remove_nodes", "script, link, style"))
    parser = _TextExtractor(None if is_nil(root) or root == "" else to_s(root),
                            [s for s in remove.split(",") if s.strip()])
    parser.feed(to_s(text))
    parser.close()
    newline = to_s(opts.get("replace_newline", " "))
    return "".join(parser.parts).replace("\r\n", "\n").replace("\n", newline).strip()

