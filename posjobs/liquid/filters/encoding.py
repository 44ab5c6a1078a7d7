"""Encoding filters: JSON, Base64, gzip, digests and HMAC, JWT, UUIDs and character encodings."""

from __future__ import annotations

import base64
import binascii
import codecs
import gzip
import hashlib
import hmac
import html
import json
import re
import string
import uuid as uuid_lib
import zlib
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from liquid import RenderContext, Undefined
from liquid.filter import liquid_filter, with_context

from posjobs.liquid.filters.support import (
    MAX_CHARS,
    BinaryString,
    NotAvailableLocally,
    as_hash,
    as_int,
    as_text,
    check_size,
    fail,
    is_nil,
    not_available,
    now_of,
    options_of,
    rng_of,
    text_or_binary,
    to_bytes,
    to_s,
)
from posjobs.liquid.filters.timevalues import PosTime


# --- JSON ---------------------------------------------------------------------------------------
def _plain(value: object) -> Any:
    if value is None or isinstance(value, Undefined):
        return None
    if isinstance(value, PosTime):
        return value.json()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {to_s(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, range)):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (bool, int, float)):
        return value
    return str(value)


def to_json(value: object) -> str:
    """JSON as the platform writes it: compact, UTF-8, times in ISO 8601."""
    try:
        return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False)
    except ValueError as err:
        fail("json", f"cannot write {value!r} as JSON ({err})")


@liquid_filter
def json_filter(value: object) -> str:
    return to_json(value)


@liquid_filter
def parse_json(value: object, options: object = None, **named: Any) -> object:
    """A hash or array from a JSON string (entities unescaped unless `raw_text: true`)."""
    if is_nil(value):
        return None
    if isinstance(value, (Mapping, list)):
        return value
    text = as_text("parse_json", value)
    if options_of("parse_json", options, named).get("raw_text") is not True:
        text = html.unescape(text)
    try:
        return json.loads(text, strict=False)  # raw newlines in strings, as on the platform
    except ValueError as err:
        fail("parse_json", f"invalid JSON: {err}")


@liquid_filter
def is_json_valid(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


# --- Base64 and gzip ----------------------------------------------------------------------------
@liquid_filter
def base64_encode(value: object) -> str:
    """Base64 as RFC 2045 (Ruby's `Base64.encode64`): a line feed after every 60 characters."""
    encoded = base64.b64encode(to_bytes(to_s(value))).decode("ascii")
    return "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60))


@liquid_filter
def base64_decode(value: object) -> str:
    """Decoded Base64; characters outside the alphabet (line feeds...) are ignored."""
    cleaned = re.sub(r"[^A-Za-z0-9+/]", "", to_s(value).split("=")[0])
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return text_or_binary(base64.b64decode(cleaned))
    except binascii.Error as err:
        fail("base64_decode", f"invalid Base64: {err}")


@liquid_filter
def gzip_compress(value: object) -> str:
    return BinaryString.of(gzip.compress(to_bytes(to_s(value)), mtime=0))


@liquid_filter
def gzip_decompress(value: object) -> str:
    """Gzip data's content, decompressed no further than the output limit (a gzip bomb
    fails instead of filling the memory)."""
    data = to_bytes(to_s(value))
    out = bytearray()
    try:
        while data:
            unpack = zlib.decompressobj(16 + zlib.MAX_WBITS)  # one gzip member each
            out += unpack.decompress(data, MAX_CHARS + 1 - len(out))
            if len(out) > MAX_CHARS or unpack.unconsumed_tail:
                check_size("gzip_decompress", MAX_CHARS + 1)
            if not unpack.eof:
                raise EOFError("the data ends before the end of the gzip stream")
            data = unpack.unused_data
    except (zlib.error, EOFError) as err:
        fail("gzip_decompress", f"not gzip data ({err})")
    return text_or_binary(bytes(out))


# --- digests, HMAC, HKDF ------------------------------------------------------------------------
_HASH_NAMES = {"sha": "sha1", "dss1": "sha1", "ripemd160": "ripemd160"}


def _hash(name: str, algorithm: object) -> str:
    algo = to_s(algorithm).strip().lower().replace("-", "")
    algo = _HASH_NAMES.get(algo, algo)
    try:
        hashlib.new(algo)
    except ValueError:
        if algo in ("md4", "mdc2"):
            raise NotAvailableLocally(
                f"{name}: algorithm {to_s(algorithm)!r} is not available locally "
                "(this machine's OpenSSL does not provide it)", token=None) from None
        fail(name, f"unsupported algorithm {to_s(algorithm)!r}")
    return algo


def _output(name: str, raw: bytes, form: object) -> str:
    kind = to_s(form).lower() or "hex"
    if kind == "hex":
        return raw.hex()
    if kind == "base64":
        return base64.b64encode(raw).decode("ascii")
    if kind == "none":
        return BinaryString.of(raw)
    fail(name, f"unknown digest output {to_s(form)!r} (use hex, base64 or none)")


@liquid_filter
def digest(value: object, algorithm: object = "sha1", form: object = "hex") -> str:
    """A cryptographic hash (md5, sha1, sha256, sha384, sha512) as hex, base64 or raw bytes."""
    algo = _hash("digest", algorithm)
    return _output("digest", hashlib.new(algo, to_bytes(to_s(value))).digest(), form)


@liquid_filter
def sha1(value: object) -> str:
    return hashlib.sha1(to_bytes(to_s(value))).hexdigest()


@liquid_filter
def compute_hmac(value: object, secret: object, algorithm: object = "sha256",
                 form: object = "hex") -> str:
    """An HMAC of the message with `secret` (e.g. to check webhook signatures)."""
    algo = _hash("compute_hmac", algorithm)
    mac = hmac.new(to_bytes(to_s(secret)), to_bytes(to_s(value)), algo).digest()
    return _output("compute_hmac", mac, form)


@liquid_filter
def hkdf(ikm: object, salt: object = "", info: object = "", length: object = 32,
         algorithm: object = "sha256") -> str:
    """HKDF (RFC 5869) output keying material, as raw bytes."""
    algo = _hash("hkdf", algorithm)
    size = hashlib.new(algo).digest_size
    wanted = as_int("hkdf", length, "length")
    if not 0 < wanted <= 255 * size:
        fail("hkdf", f"length must be between 1 and {255 * size}, got {wanted}")
    prk = hmac.new(to_bytes(to_s(salt)) or b"\0" * size, to_bytes(to_s(ikm)), algo).digest()
    okm, block = b"", b""
    for counter in range(1, -(-wanted // size) + 1):
        block = hmac.new(prk, block + to_bytes(to_s(info)) + bytes([counter]), algo).digest()
        okm += block
    return BinaryString.of(okm[:wanted])


# --- randomness ---------------------------------------------------------------------------------
@with_context
@liquid_filter
def uuid(_ignored: object = None, *, context: RenderContext) -> str:
    """A random UUID v4 (from the run's random source)."""
    return str(uuid_lib.UUID(int=rng_of(context).getrandbits(128), version=4))


# "A random alphanumeric string" (filters.json): Ruby's SecureRandom.alphanumeric, mixed case.
# The platform's user module relies on it: its tests make passwords with `random_string`
# under a migration that demands an upper-case letter.
_ALPHANUMERIC = string.ascii_letters + string.digits


@with_context
@liquid_filter
def random_string(length: object = 12, *, context: RenderContext) -> str:
    """A random lowercase alphanumeric string; the input is its length (default 12)."""
    size = 12 if is_nil(length) or length == "" else as_int("random_string", length, "length")
    if size < 0:
        fail("random_string", f"length must not be negative, got {size}")
    rng = rng_of(context)
    return "".join(rng.choice(_ALPHANUMERIC) for _ in range(size))


# --- JWT (HMAC algorithms; RSA and EC keys are not available locally) --------------------------
def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64url(name: str, text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as err:
        fail(name, f"the token is not valid Base64url ({err})")


def _jwt_hmac(name: str, algorithm: str) -> str:
    if algorithm in ("HS256", "HS384", "HS512"):
        return "sha" + algorithm[2:]
    fail(name, f"algorithm {algorithm!r} is not available locally (posjobs signs with HS256, "
               "HS384, HS512 or none)")


@liquid_filter
def jwt_encode(payload: object, algorithm: object, secret: object = None,
               header_fields: object = None) -> str:
    """A signed JWT of the payload (HS256/HS384/HS512, or none)."""
    alg = to_s(algorithm)
    header = {**as_hash("jwt_encode", header_fields), "typ": "JWT", "alg": alg}
    signing = f"{_b64url(to_json(header).encode())}.{_b64url(to_json(payload).encode())}"
    if alg == "none":
        return signing + "."
    mac = hmac.new(to_bytes(to_s(secret)), signing.encode("ascii"), _jwt_hmac("jwt_encode", alg))
    return f"{signing}.{_b64url(mac.digest())}"


@with_context
@liquid_filter
def jwt_decode(token: object, algorithm: object, secret: object = "",
               verify: object = True, _jwks: object = None, *, context: RenderContext) -> list[Any]:
    """`[payload, header]` of a JWT, its signature and `exp`/`nbf` checked (unless told not to)."""
    parts = as_text("jwt_decode", token).split(".")
    if len(parts) != 3:
        fail("jwt_decode", "not enough or too many segments")
    try:
        header = json.loads(_unb64url("jwt_decode", parts[0]))
        payload = json.loads(_unb64url("jwt_decode", parts[1]))
    except ValueError as err:
        fail("jwt_decode", f"invalid segment encoding ({err})")
    if verify is not False:
        alg = to_s(algorithm)
        if header.get("alg") != alg:
            fail("jwt_decode", f"expected a token signed with {alg}, got {header.get('alg')}")
        if alg != "none":
            mac = hmac.new(to_bytes(to_s(secret)), f"{parts[0]}.{parts[1]}".encode("ascii"),
                           _jwt_hmac("jwt_decode", alg)).digest()
            if not hmac.compare_digest(_b64url(mac), parts[2]):
                fail("jwt_decode", "signature verification failed")
        now = now_of(context)
        if isinstance(payload, dict):
            if isinstance(payload.get("exp"), (int, float)) and now >= payload["exp"]:
                fail("jwt_decode", "signature has expired")
            if isinstance(payload.get("nbf"), (int, float)) and now < payload["nbf"]:
                fail("jwt_decode", "signature nbf has not been reached")
    return [payload, header]


# --- character encodings (Python strings are Unicode; these keep the platform's answers) -------
def _codec(name: str, encoding: object) -> str:
    label = to_s(encoding).strip()
    if label.upper() in ("ASCII-8BIT", "BINARY"):
        return "latin-1"
    try:
        return codecs.lookup(label).name
    except LookupError:
        fail(name, f"unknown encoding {label!r}")


@liquid_filter
def encoding(value: object) -> str:
    return "ASCII-8BIT" if isinstance(value, BinaryString) else "UTF-8"


@liquid_filter
def force_encoding(value: object, enc: object) -> str:
    """The same bytes read as `enc`."""
    codec = _codec("force_encoding", enc)
    data = to_bytes(to_s(value))
    if codec == "latin-1" and to_s(enc).upper() in ("ASCII-8BIT", "BINARY"):
        return BinaryString.of(data)
    return data.decode(codec, errors="replace")


@liquid_filter
def encode(value: object, destination: object, source: object) -> str:
    """The same characters converted from `source` to `destination` encoding."""
    dest, src = _codec("encode", destination), _codec("encode", source)
    if isinstance(value, BinaryString):
        text = value.to_bytes().decode(src, "replace")
    else:
        text = to_s(value)
    try:
        text.encode(dest)
    except UnicodeEncodeError as err:
        fail("encode", f"{text[err.start:err.end]!r} cannot be written in {to_s(destination)}")
    return text


@liquid_filter
def scrub(value: object, source: object = "UTF-8", final: object = "UTF-8") -> str:
    """The text without invalid byte sequences."""
    src, dest = _codec("scrub", source), _codec("scrub", final)
    if isinstance(value, BinaryString):
        text = value.to_bytes().decode(src, errors="ignore")
    else:
        text = to_s(value).encode("utf-8", errors="ignore").decode("utf-8")
    return text.encode(dest, errors="ignore").decode(dest)


_CRYPTO = "posjobs has no cryptography library; test this part on an instance"
encrypt = not_available("encrypt", _CRYPTO)
decrypt = not_available("decrypt", _CRYPTO)
ecdh_compute = not_available("ecdh_compute", _CRYPTO)
jwe_encode = not_available("jwe_encode", _CRYPTO)
is_gpg_valid = not_available("is_gpg_valid", "it needs GnuPG")
