"""Filters backed by platform services: what each answers locally, or a clear "not available"."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from liquid import RenderContext
from liquid.filter import liquid_filter, with_context

from posjobs.liquid.filters import translations
from posjobs.liquid.filters.support import (
    as_text,
    fail,
    is_blank,
    is_nil,
    not_available,
    options_of,
    safe_html,
    to_s,
)

_PLACEHOLDER = re.compile(r"%\{(\w+)\}")


# --- translations -------------------------------------------------------------------------------
def _translate(name: str, context: RenderContext, key: object, options: object,
               named: dict[str, Any], escape: bool) -> object:
    opts = options_of(name, options, named)
    text_key = as_text(name, key)
    scope = opts.pop("scope", None)
    if not is_nil(scope) and scope != "":
        text_key = f"{to_s(scope)}.{text_key}"
    locale = translations.current_locale(context, opts.pop("locale", None))
    fallback = opts.pop("fallback", True) is not False
    default = opts.pop("default", None)
    value = translations.lookup(context, locale, text_key)
    if value is None and fallback and locale != translations.DEFAULT_LOCALE:
        value = translations.lookup(context, translations.DEFAULT_LOCALE, text_key)
    if value is None:
        if is_nil(default):
            return f"translation missing: {locale}.{text_key}"
        value = default
    if "count" in opts and isinstance(value, Mapping):
        value = _plural(value, opts["count"])
    if not isinstance(value, str):
        return value
    values = {k: html.escape(to_s(v)) if escape else to_s(v) for k, v in opts.items()}
    result = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), value)
    return safe_html(context, result)


def _plural(forms: Mapping[str, Any], count: object) -> object:
    if count in (0, "0") and "zero" in forms:
        return forms["zero"]
    if count in (1, "1") and "one" in forms:
        return forms["one"]
    return forms.get("other", forms.get("many"))


@with_context
@liquid_filter
def t(key: object, options: object = None, *, context: RenderContext, **named: Any) -> object:
    """The translation of `key` from the project's translation files, with `%{name}` filled."""
    return _translate("t", context, key, options, named, escape=False)


@with_context
@liquid_filter
def t_escape(key: object, options: object = None, *, context: RenderContext,
             **named: Any) -> object:
    """Like `t`, with the interpolated values HTML-escaped."""
    return _translate("t_escape", context, key, options, named, escape=True)


# --- assets -------------------------------------------------------------------------------------
def _asset_path(name: str, value: object) -> str | None:
    if is_nil(value):
        return None
    path = as_text(name, value).lstrip("/")
    if ".." in path.split("/"):
        fail(name, f"asset path {path!r} leaves the assets directory")
    return f"/assets/{path}"


@liquid_filter
def asset_url(path: object) -> str | None:
    """Locally `/assets/<path>`: there is no CDN and no cache buster."""
    return _asset_path("asset_url", path)


@liquid_filter
def asset_path(path: object) -> str | None:
    """Locally `/assets/<path>` (without the platform's `updated` parameter)."""
    return _asset_path("asset_path", path)


@with_context
@liquid_filter
def asset_name_to_raw_url(name: object, *, context: RenderContext) -> str | None:
    """`/assets/<name>` when the project has that asset (app/assets/<name>), else nil."""
    url = _asset_path("asset_name_to_raw_url", name)
    project = translations.project_of(context)
    if url is None or project is None:
        return None
    return url if (project.root / "app" / "assets" / url[len("/assets/"):]).is_file() else None


# --- services with a local answer ---------------------------------------------------------------
@liquid_filter
def hcaptcha(params: object) -> bool:
    """Locally true when the params carry a non-blank `h-captcha-response` (nothing is verified)."""
    if not isinstance(params, Mapping) or is_nil(params):
        return False
    return not is_blank(params.get("h-captcha-response"))


@liquid_filter
def verify_access_key(_key: object) -> bool:
    """Locally always false: there is no Partner Portal to check the key against."""
    return False


@with_context
@liquid_filter
def is_token_valid(token: object, user_id: object = None, *, context: RenderContext) -> bool:
    """Whether `token` (a User's `temporary_token`) is valid for user `user_id` now; false
    without the data layer, which made it."""
    from posjobs.data.users import token_valid
    from posjobs.liquid.context import run_of

    data = run_of(context).data
    text = to_s(user_id).strip()
    if data is None or not text.isdigit() or is_blank(token):
        return False
    user = data.store.get_user(int(text))
    return user is not None and token_valid(data.store, token, user, data.now())


@liquid_filter
def url_to_qrcode_svg(url: object, options: object = None, **named: Any) -> str:
    """A placeholder SVG (a grey square naming the URL): posjobs draws no QR codes."""
    opts = options_of("url_to_qrcode_svg", options, named)
    size = 25 * int(to_s(opts.get("module_size", 11)) or 11)
    label = html.escape(to_s(url))
    body = (f'<rect width="{size}" height="{size}" fill="#ccc"/>'
            f"<title>QR code for {label} (not drawn locally)</title>")
    if opts.get("standalone") is False:
        return f"<g>{body}</g>"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}">'
            f"{body}</svg>")


download_file = not_available(
    "download_file", "posjobs renders offline and fetches no URLs; pass the body in as a variable"
)
useragent = not_available(
    "useragent", "it needs the platform's user-agent database"
)
to_mobile_number = not_available(
    "to_mobile_number", "it needs the platform's phone-number database"
)
