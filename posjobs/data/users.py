"""Users outside GraphQL: emails as the platform keeps them, passwords hashed and checked,
temporary tokens signed and verified, one-time passwords (TOTP, RFC 6238) for 2FA, and the
signed-in user as `context.current_user`.

Passwords are hashed with the standard library's scrypt (a memory-hard function, as
bcrypt is on the platform), each with its own random salt; the hash is all that is stored.
A temporary token is `user id, expiry` signed with HMAC-SHA256 under a secret the data store
keeps (`instance_value`) together with the user's password hash, so a token stops working
when it expires or when the password changes ("Token will be invalidated on password
change", the platform's schema says). Expiry is checked against the run's injected clock.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from typing import Any

from posjobs.store.data.base import Condition, DataStore, Query, UserRow

# Devise's default email format (the platform's users are Devise users): something@something.
EMAIL_FORMAT = re.compile(r"\A[^@\s]+@[^@\s]+\Z")

# scrypt's cost: 2**14 iterations of 8-block mixing uses 16 MiB and some tens of
# milliseconds, the interactive-login figure of the scrypt paper.
_N, _R, _P = 2**14, 8, 1
_TOKEN_SECRET = "temporary_token_secret"


def normalize_email(email: object) -> str:
    """Emails are kept stripped and lower-cased (Devise's `case_insensitive_keys` and
    `strip_whitespace_keys`), so `Ada@Example.com` signs in as `ada@example.com`."""
    return str(email).strip().lower()


def find_by_email(store: DataStore, email: object) -> UserRow | None:
    rows, _total = store.find_users(Query((Condition(
        "eq", normalize_email(email), column="email", case_sensitive=False),), limit=1))
    return rows[0] if rows else None


def lookup(store: DataStore, key: str) -> UserRow | None:
    """The user `key` names: an id (`7`) or an email (`ada@example.com`)."""
    key = key.strip()
    if key.isdigit():
        return store.get_user(int(key))
    return find_by_email(store, key)


# --- passwords ---------------------------------------------------------------------------------
def hash_password(password: str) -> str:
    """`scrypt$N$r$p$salt$digest` (base64): the password itself is never kept."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def check_password(stored: str | None, password: str) -> bool:
    """Whether `password` is the one `stored` was hashed from (false without a password)."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = _unb64(digest)
        if scheme != "scrypt":
            return False
        computed = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r),
                                  p=int(p), dklen=len(expected))
    except (ValueError, binascii.Error):
        return False  # a hash posjobs did not write (an import): no password matches it
    return hmac.compare_digest(computed, expected)


# --- temporary tokens --------------------------------------------------------------------------
def temporary_token(store: DataStore, user: UserRow, now: float, hours: float) -> str:
    """A token for `user` valid for `hours` from `now` (URL-safe: it goes into links)."""
    body = f"{user.id}.{int(now + hours * 3600)}"
    return _b64(f"{body}.{_signature(store, user, body)}".encode())


def token_valid(store: DataStore, token: object, user: UserRow, now: float) -> bool:
    """Whether `token` was made for `user`, has not expired at `now`, and the user's password
    has not changed since."""
    try:
        user_id, expires, signature = _unb64(str(token)).decode().split(".")
        expired = int(expires) <= now
    except (ValueError, UnicodeDecodeError, binascii.Error):
        return False
    if user_id != str(user.id) or expired:
        return False
    return hmac.compare_digest(signature, _signature(store, user, f"{user_id}.{expires}"))


def _signature(store: DataStore, user: UserRow, body: str) -> str:
    secret = store.instance_value(_TOKEN_SECRET, lambda: secrets.token_hex(32))
    message = f"{body}.{user.password_hash or ''}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- one-time passwords (2FA) ------------------------------------------------------------------
OTP_STEP = 30  # seconds per code: RFC 6238's default, what authenticator apps use
OTP_DIGITS = 6


def new_otp_secret() -> str:
    """A random 160-bit secret in base32, as authenticator apps take it."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def otp_code(secret: str, at: float) -> str:
    """The TOTP code (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps) of `secret` at `at`."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    mac = hmac.new(key, int(at // OTP_STEP).to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 10**OTP_DIGITS:0{OTP_DIGITS}d}"


def otp_valid(secret: str, code: object, now: float, drift: int | None) -> bool:
    """Whether `code` is the code of a step within `drift` seconds of `now` (either side)."""
    text = str(code).strip()
    if not secret or not text.isdigit():
        return False
    drift = max(int(drift or 0), 0)
    steps = range(int((now - drift) // OTP_STEP), int((now + drift) // OTP_STEP) + 1)
    return any(hmac.compare_digest(otp_code(secret, step * OTP_STEP), text) for step in steps)


# --- the signed-in user ------------------------------------------------------------------------
def slug_of(user: UserRow) -> str:
    """The user's slug: the one given, else its id (the schema says a user always has one)."""
    return str(user.fields.get("slug") or user.id)


def context_user(user: UserRow) -> dict[str, Any]:
    """`context.current_user` as the platform shapes it (objects.json: id, email, first_name,
    last_name, slug; ids are strings)."""
    return {
        "id": str(user.id),
        "email": user.email,
        "first_name": user.fields.get("first_name"),
        "last_name": user.fields.get("last_name"),
        "slug": slug_of(user),
    }
