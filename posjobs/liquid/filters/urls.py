"""URL filters: RFC 6570 templates both ways, query strings, form encoding and video URLs."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlsplit

from liquid.filter import liquid_filter

from posjobs.liquid.filters.support import (
    as_hash,
    as_list,
    as_text,
    fail,
    is_nil,
    options_of,
    to_s,
)

_EXPRESSION = re.compile(r"\{([+#./;?&]?)([^}]*)\}")
_RESERVED = ":/?#[]@!$&'()*+,;="
# operator: (first, separator, named, if-empty, allow reserved)
_OPERATORS = {
    "": ("", ",", False, "", False), "+": ("", ",", False, "", True),
    "#": ("#", ",", False, "", True), ".": (".", ".", False, "", False),
    "/": ("/", "/", False, "", False), ";": (";", ";", True, "", False),
    "?": ("?", "&", True, "=", False), "&": ("&", "&", True, "=", False),
}


def _varspecs(name: str, body: str) -> list[tuple[str, bool, int | None]]:
    specs = []
    for raw in body.split(","):
        match = re.fullmatch(r"([\w.%]+)(\*)?(?::(\d+))?", raw.strip())
        if not match:
            fail(name, f"invalid URL template expression {{{body}}}")
        specs.append((match[1], bool(match[2]), int(match[3]) if match[3] else None))
    return specs


# --- expand -------------------------------------------------------------------------------------
@liquid_filter
def expand_url_template(template: object, params: object = None, **named: Any) -> str:
    """The URL template (RFC 6570) filled in: '/search{?city}' -> '/search?city=Sydney'."""
    values = options_of("expand_url_template", params, named)

    def expand(match: re.Match[str]) -> str:
        op, body = match.group(1), match.group(2)
        first, sep, named_, ifemp, reserved = _OPERATORS[op]
        safe = _RESERVED if reserved else ""

        def enc(text: object) -> str:
            return quote(to_s(text), safe=safe + ("%" if reserved else ""))

        parts = []
        for var, explode, prefix in _varspecs("expand_url_template", body):
            value = values.get(var)
            if is_nil(value) or value == [] or value == {}:
                continue
            if isinstance(value, Mapping):
                pairs = [(to_s(k), v) for k, v in value.items()]
                if explode:
                    parts.append(sep.join(f"{enc(k)}={enc(v)}" for k, v in pairs))
                else:
                    joined = ",".join(f"{enc(k)},{enc(v)}" for k, v in pairs)
                    parts.append(f"{var}={joined}" if named_ else joined)
            elif isinstance(value, list):
                if explode:
                    items = [f"{var}={enc(v)}" if named_ else enc(v) for v in value]
                    parts.append(sep.join(items))
                else:
                    joined = ",".join(enc(v) for v in value)
                    parts.append(f"{var}={joined}" if named_ else joined)
            else:
                text = to_s(value)[:prefix] if prefix else to_s(value)
                if named_:
                    parts.append(f"{var}={enc(text)}" if text else f"{var}{ifemp}")
                else:
                    parts.append(enc(text))
        return first + sep.join(parts) if parts else ""

    return _EXPRESSION.sub(expand, as_text("expand_url_template", template))


# --- extract ------------------------------------------------------------------------------------
def _template_regex(template: str) -> tuple[re.Pattern[str], list[tuple[str, list[Any]]]]:
    pattern, groups, last = "^", [], 0
    for match in _EXPRESSION.finditer(template):
        pattern += re.escape(template[last : match.start()])
        last = match.end()
        op, specs = match.group(1), _varspecs("extract_url_params", match.group(2))
        if op in ("?", "&"):
            pattern += r"(?:[?&](.*))?"
        elif op == "/":
            pattern += r"((?:/[^/?#]*)*)" if any(s[1] for s in specs) else \
                "".join(r"(?:/([^/?#]*))?" for _ in specs)
        elif op in ("+", "#"):
            pattern += (r"#" if op == "#" else "") + r"([^?#]*?)"
        elif op == ".":
            pattern += "".join(r"(?:\.([^/?#.]*))?" for _ in specs)
        elif op == ";":
            pattern += r"((?:;[^/?#]*)*)"
        else:
            pattern += ",".join(r"([^/?#,]*)" for _ in specs)
        groups.append((op, specs))
    pattern += re.escape(template[last:]) + "$"
    return re.compile(pattern), groups


def _extract_one(url: str, template: str) -> dict[str, Any] | None:
    regex, groups = _template_regex(template)
    match = regex.match(url)
    if match is None:
        return None
    found: dict[str, Any] = {}
    captures = iter(match.groups())
    for op, specs in groups:
        if op in ("?", "&", ";"):
            query = next(captures) or ""
            pairs = dict(parse_qsl(query.replace(";", "&"), keep_blank_values=True))
            for var, _explode, _prefix in specs:
                if var in pairs:
                    found[var] = pairs[var]
        elif op == "/" and any(s[1] for s in specs):
            segments = [unquote(s) for s in (next(captures) or "").split("/") if s]
            found[specs[0][0]] = segments
        else:
            for var, explode, _prefix in specs:
                value = next(captures)
                if value is not None:
                    text = value if op in ("+", "#") else unquote(value)
                    found[var] = text.split(",") if explode else text
    return found


@liquid_filter
def extract_url_params(url: object, templates: object) -> dict[str, Any] | None:
    """The values a URL gives a template's variables (the first matching template wins)."""
    if is_nil(url):
        return None
    for template in as_list("extract_url_params", templates, wrap=True):
        found = _extract_one(to_s(url), to_s(template))
        if found is not None:
            return found
    return None


# --- query strings ------------------------------------------------------------------------------
def _flatten(prefix: str, value: object, indexed: bool) -> list[tuple[str, str]]:
    if isinstance(value, Mapping) and not is_nil(value):
        out = []
        for key, item in value.items():
            out += _flatten(f"{prefix}[{to_s(key)}]" if prefix else to_s(key), item, indexed)
        return out
    if isinstance(value, list):
        out = []
        for index, item in enumerate(value):
            out += _flatten(f"{prefix}[{index if indexed else ''}]", item, indexed)
        return out
    return [(prefix, to_s(value))]


@liquid_filter
def querify(value: object) -> str:
    """A hash as a query string: {name: 'Dan', id: 1} -> 'name=Dan&id=1' (nested as a[b]=c)."""
    pairs = _flatten("", as_hash("querify", value), indexed=False)
    return "&".join(f"{quote_plus(k, safe='[]')}={quote_plus(v)}" for k, v in pairs)


@liquid_filter
def www_form_encode(value: object) -> str:
    """application/x-www-form-urlencoded data: 'foo=bar&zoo[0][xoo]=1'."""
    if not isinstance(value, (Mapping, list)) or is_nil(value):
        fail("www_form_encode", f"expected a hash or an array, got {to_s(value)!r}")
    if isinstance(value, Mapping):
        pairs = _flatten("", value, indexed=True)
    else:
        pairs = []
        for pair in value:
            items = as_list("www_form_encode", pair)
            if len(items) != 2:
                fail("www_form_encode", "an array must hold [name, value] pairs")
            pairs.append((to_s(items[0]), to_s(items[1])))
    return "&".join(f"{quote_plus(k, safe='[]')}={quote_plus(v)}" for k, v in pairs)


# --- videos -------------------------------------------------------------------------------------
_PROVIDERS = [
    ("YouTube", re.compile(r"(?:youtube\.com/(?:watch\?(?:.*&)?v=|embed/|shorts/|v/)|youtu\.be/)"
                           r"([\w-]{6,})"), "https://www.youtube.com/embed/{}"),
    ("Vimeo", re.compile(r"vimeo\.com/(?:video/)?(\d+)"), "https://player.vimeo.com/video/{}"),
]


def _video(url: str) -> tuple[str, str, str] | None:
    if not urlsplit(url).netloc:
        return None
    for provider, pattern, embed in _PROVIDERS:
        match = pattern.search(url)
        if match:
            return provider, match.group(1), embed.format(match.group(1))
    return None


def _iframe(src: str, attributes: Mapping[str, Any]) -> str:
    attrs = {"width": 560, "height": 315, **attributes}
    shown = " ".join(f'{html.escape(to_s(k))}="{html.escape(to_s(v))}"' for k, v in attrs.items())
    return f'<iframe src="{html.escape(src)}" {shown} frameborder="0" allowfullscreen></iframe>'


@liquid_filter
def video_params(url: object) -> dict[str, Any] | None:
    """Provider, video id, embed URL and embed code of a YouTube or Vimeo URL (nil otherwise)."""
    text = to_s(url)
    found = _video(text)
    if found is None:
        return None
    provider, video_id, embed_url = found
    return {"provider": provider, "url": text, "video_id": video_id, "embed_url": embed_url,
            "embed_code": _iframe(embed_url, {})}


@liquid_filter
def videoify(url: object = "", options: object = None, **named: Any) -> str:
    """An embedded player for a YouTube or Vimeo URL; '' for anything else."""
    found = _video(to_s(url))
    if found is None:
        return ""
    return _iframe(found[2], options_of("videoify", options, named))
