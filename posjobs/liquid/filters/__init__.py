"""The platform's filters, grouped by domain; `register` adds them all to an environment."""

from __future__ import annotations

import functools
import inspect
from typing import Any

from liquid import Environment
from liquid.exceptions import FilterArgumentError

from posjobs.liquid.filters import (
    arrays,
    data,
    encoding,
    formats,
    hashes,
    html,
    platform,
    standard,
    text,
    times,
    urls,
)
from posjobs.liquid.filters.support import MAX_CHARS, MAX_ITEMS, FilterT
from posjobs.liquid.ruby import JsonArray

# Every filter posjobs adds or replaces, by its platform name (docs/filters.md lists them).
FILTERS: dict[str, FilterT] = {
    # hashes
    "hash_merge": hashes.hash_merge,
    "hash_add_key": hashes.hash_add_key,
    "hash_delete_key": hashes.hash_delete_key,
    "hash_dig": hashes.hash_dig,
    "hash_fetch": hashes.hash_fetch,
    "hash_keys": hashes.hash_keys,
    "hash_values": hashes.hash_values,
    "hash_sort": hashes.hash_sort,
    "hash_except": hashes.hash_except,
    "hash_diff": hashes.hash_diff,
    "deep_clone": hashes.deep_clone,
    # arrays
    "array_add": arrays.array_add,
    "array_any": arrays.array_any,
    "array_compact": arrays.array_compact,
    "array_delete": arrays.array_delete,
    "array_delete_at": arrays.array_delete_at,
    "array_detect": arrays.array_detect,
    "array_find_index": arrays.array_find_index,
    "array_flatten": arrays.array_flatten,
    "array_group_by": arrays.array_group_by,
    "array_in_groups_of": arrays.array_in_groups_of,
    "array_include": arrays.array_include,
    "array_index_of": arrays.array_index_of,
    "array_intersect": arrays.array_intersect,
    "array_limit": arrays.array_limit,
    "array_map": arrays.array_map,
    "array_prepend": arrays.array_prepend,
    "array_reject": arrays.array_reject,
    "array_rotate": arrays.array_rotate,
    "array_select": arrays.array_select,
    "array_shuffle": arrays.array_shuffle,
    "array_sort_by": arrays.array_sort_by,
    "array_subtract": arrays.array_subtract,
    "array_sum": arrays.array_sum,
    "array_uniq": arrays.array_uniq,
    # times
    "to_time": times.to_time_filter,
    "add_to_time": times.add_to_time,
    "date_add": times.date_add,
    "to_date": times.to_date,
    "time_diff": times.time_diff,
    "is_date_before": times.is_date_before,
    "is_date_in_past": times.is_date_in_past,
    "is_parsable_date": times.is_parsable_date,
    "strftime": times.strftime,
    "l": times.localize,
    "date": times.date_filter,
    # text
    "matches": text.matches,
    "regex_matches": text.regex_matches,
    "replace_regex": text.replace_regex,
    "pluralize": text.pluralize,
    "humanize": text.humanize,
    "titleize": text.titleize,
    "parameterize": text.parameterize,
    "slugify": text.slugify,
    "start_with": text.start_with,
    "end_with": text.end_with,
    "pad_left": text.pad_left,
    "split": text.split,
    # html
    "html_safe": html.html_safe,
    "html_to_text": html.html_to_text,
    "sanitize": html.sanitize,
    "markdown": html.markdown,
    "raw_escape_string": html.raw_escape_string,
    "escape_javascript": html.escape_javascript,
    "unescape_javascript": html.unescape_javascript,
    "new_line_to_br": html.new_line_to_br,
    "strip_liquid": html.strip_liquid,
    # encoding
    "json": encoding.json_filter,
    "parse_json": encoding.parse_json,
    "is_json_valid": encoding.is_json_valid,
    "base64_encode": encoding.base64_encode,
    "base64_decode": encoding.base64_decode,
    "gzip_compress": encoding.gzip_compress,
    "gzip_decompress": encoding.gzip_decompress,
    "digest": encoding.digest,
    "sha1": encoding.sha1,
    "compute_hmac": encoding.compute_hmac,
    "hkdf": encoding.hkdf,
    "uuid": encoding.uuid,
    "random_string": encoding.random_string,
    "jwt_encode": encoding.jwt_encode,
    "jwt_decode": encoding.jwt_decode,
    "encoding": encoding.encoding,
    "force_encoding": encoding.force_encoding,
    "encode": encoding.encode,
    "scrub": encoding.scrub,
    "encrypt": encoding.encrypt,
    "decrypt": encoding.decrypt,
    "ecdh_compute": encoding.ecdh_compute,
    "jwe_encode": encoding.jwe_encode,
    "is_gpg_valid": encoding.is_gpg_valid,
    # formats
    "advanced_format": formats.advanced_format,
    "amount_to_fractional": formats.amount_to_fractional,
    "fractional_to_amount": formats.fractional_to_amount,
    "format_number": formats.format_number,
    "pricify": formats.pricify,
    "pricify_cents": formats.pricify_cents,
    "to_positive_integer": formats.to_positive_integer,
    "type_of": formats.type_of,
    "is_email_valid": formats.is_email_valid,
    # data formats
    "parse_csv": data.parse_csv,
    "to_csv": data.to_csv,
    "parse_xml": data.parse_xml,
    "to_xml": data.to_xml,
    # urls
    "expand_url_template": urls.expand_url_template,
    "extract_url_params": urls.extract_url_params,
    "querify": urls.querify,
    "www_form_encode": urls.www_form_encode,
    "video_params": urls.video_params,
    "videoify": urls.videoify,
    # platform services
    "t": platform.t,
    "t_escape": platform.t_escape,
    "asset_url": platform.asset_url,
    "asset_path": platform.asset_path,
    "asset_name_to_raw_url": platform.asset_name_to_raw_url,
    "hcaptcha": platform.hcaptcha,
    "verify_access_key": platform.verify_access_key,
    "is_token_valid": platform.is_token_valid,
    "url_to_qrcode_svg": platform.url_to_qrcode_svg,
    "download_file": platform.download_file,
    "useragent": platform.useragent,
    "to_mobile_number": platform.to_mobile_number,
}

# Other names the platform accepts for the same filters (most are deprecated there).
ALIASES: dict[str, str] = {
    "add_hash_key": "hash_add_key",
    "assign_to_hash_key": "hash_add_key",
    "delete_hash_key": "hash_delete_key",
    "remove_hash_key": "hash_delete_key",
    "dig": "hash_dig",
    "fetch": "hash_fetch",
    "add_to_array": "array_add",
    "any": "array_any",
    "compact": "array_compact",
    "detect": "array_detect",
    "flatten": "array_flatten",
    "group_by": "array_group_by",
    "in_groups_of": "array_in_groups_of",
    "is_included_in_array": "array_include",
    "intersection": "array_intersect",
    "limit": "array_limit",
    "map_attributes": "array_map",
    "prepend_to_array": "array_prepend",
    "reject": "array_reject",
    "rotate": "array_rotate",
    "select": "array_select",
    "shuffle_array": "array_shuffle",
    "sort_by": "array_sort_by",
    "subtract_array": "array_subtract",
    "sum_array": "array_sum",
    "add_to_date": "date_add",
    "date_before": "is_date_before",
    "localize": "l",
    "nl2br": "new_line_to_br",
    "markdownify": "markdown",
    "to_json": "json",
    "to_hash": "parse_json",
    "xml_to_hash": "parse_xml",
    "to_xml_rc": "to_xml",
    "parse_csv_rc": "parse_csv",
    "jwe_encode_rc": "jwe_encode",
    "www_form_encode_rc": "www_form_encode",
    "translate": "t",
    "translate_escape": "t_escape",
}


# Standard Liquid names filters.json files under platformOS: the platform's own versions,
# whose arrays print as JSON like those of its other filters.
_PLATFORM_STANDARD = frozenset({"map", "split"})
# Platform filters that build a fresh value from text: every array in it is the platform's.
_PARSERS = frozenset({"parse_json", "parse_csv", "parse_xml", "extract_url_params",
                      "jwt_decode", "hash_diff"})


def register(env: Environment) -> None:
    """Add the platformOS filters and Ruby Liquid's standard ones where python-liquid's
    differ (standard.py; python-liquid's other standard filters are already there), each
    bounded in what it takes and makes (`_bounded`, inside `_checked`)."""
    for name, func in list(env.filters.items()):  # python-liquid's standard filters
        env.add_filter(name, _bounded(name, func))
    for name, func in standard.filters().items():
        if name in _PLATFORM_STANDARD:
            func = _platform_arrays(name, func)
        env.add_filter(name, _checked(name, func))
    for name, func in FILTERS.items():
        env.add_filter(name, _checked(name, _platform_arrays(name, func)))
    for alias, name in ALIASES.items():
        env.add_filter(alias, _checked(alias, _platform_arrays(name, FILTERS[name])))


def _platform_arrays(name: str, func: FilterT) -> FilterT:
    """`func`, its array results marked as the platform's own (printed as JSON, as the
    platform's reference shows them: `array_compact`, `hash_keys`, `array_in_groups_of`)."""
    mark = _marked_deep if name in _PARSERS else _marked

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        return mark(func(*args, **kwargs))

    return call


def _marked(value: Any) -> Any:
    """A platform filter's array, and the arrays directly inside it (the groups of
    `array_in_groups_of`), as `JsonArray`s; hashes are left as they are (they print as JSON
    anyway, and filters such as `hash_add_key` hand back the very hash they were given)."""
    if type(value) is list:
        return JsonArray(_marked(item) for item in value)
    return value


def _marked_deep(value: Any) -> Any:
    """`_marked`, also inside hashes: for values a parser has just built, which nothing else
    holds yet (`{% assign p = '{"a": [1]}' | parse_json %}{{ p.a }}` prints `[1]`)."""
    if type(value) is list:
        return JsonArray(_marked_deep(item) for item in value)
    if type(value) is dict:
        return {key: _marked_deep(item) for key, item in value.items()}
    return value


def _bounded(name: str, func: FilterT) -> FilterT:
    """`func`, refusing a range longer than the loop limit and failing a result past the
    output limit, so that one call cannot grow a render by gigabytes (`(1..300000000) |
    join`). Filters that could allocate more than they return check sizes up front."""

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        for arg in args:
            if isinstance(arg, range) and len(arg) > MAX_ITEMS:
                raise FilterArgumentError(
                    f"{name}: a range of {len(arg):,} items is over the limit of "
                    f"{MAX_ITEMS:,}", token=None)
        result = func(*args, **kwargs)
        if isinstance(result, (str, bytes)) and len(result) > MAX_CHARS:
            raise FilterArgumentError(
                f"{name}: the result ({len(result):,} characters) is over the output limit "
                f"of {MAX_CHARS:,}", token=None)
        if isinstance(result, list) and len(result) > MAX_ITEMS:
            raise FilterArgumentError(
                f"{name}: the result ({len(result):,} items) is over the limit of "
                f"{MAX_ITEMS:,}", token=None)
        return result

    return call


def _checked(name: str, func: FilterT) -> FilterT:
    """`func`, with a wrong number or name of arguments reported in the template's terms,
    and bounded like every filter (`_bounded`: one wrapper, not two)."""
    signature = inspect.signature(func)
    bounded = _bounded(name, func)

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            signature.bind(*args, **kwargs)
        except TypeError:
            raise FilterArgumentError(
                f"{name}: {_arity(signature, len(args) - 1, kwargs)}", token=None
            ) from None
        return bounded(*args, **kwargs)

    return call


def _arity(signature: inspect.Signature, given: int, named: dict[str, Any]) -> str:
    params = list(signature.parameters.values())[1:]
    accepted = {p.name for p in params if p.kind is not p.VAR_POSITIONAL} - {"context"}
    takes_named = any(p.kind is p.VAR_KEYWORD for p in params)
    unexpected = [k for k in named if k not in accepted and k != "context"]
    if unexpected and not takes_named:
        return f"unexpected named argument {unexpected[0]!r}"
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    least = sum(1 for p in positional if p.default is p.empty)
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        wanted = f"at least {least}"
    elif least == len(positional):
        wanted = str(least)
    else:
        wanted = f"{least} to {len(positional)}"
    plural = "" if wanted == "1" else "s"
    return f"expects {wanted} argument{plural}, got {given}"
