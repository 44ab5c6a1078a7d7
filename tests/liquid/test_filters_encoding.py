"""Encoding filters: JSON, Base64, gzip, digests, HMAC, HKDF, JWT, UUIDs, character encodings."""

from __future__ import annotations

import base64
import hmac

import pytest

TOKEN = ("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJrZXkiOiJ2YWx1ZSIsImFub3RoZXJfa2V5IjoiYW5vdGhlciB2"
         "YWx1ZSJ9.XT8sHXyPTA9DoHzssXh1q6Uv2D1ENosW0F3Ixle85L0")
PAYLOAD = {"key": "value", "another_key": "another value"}


def test_json_writes_values_the_platform_way(render):
    assert render("{{ u | json }}", u={"name": "Mike", "n": 1.5, "ok": True, "x": None}) == (
        '{"name":"Mike","n":1.5,"ok":true,"x":null}')
    assert render("{{ 'now' | to_time | to_json }}") == '"2026-11-18T11:06:40.000Z"'
    assert render("{{ '2010-01-01' | to_date | json }} {{ nothing | json }} {{ 'zł' | json }}") == (
        '"2010-01-01" null "zł"')


def test_parse_json(render):
    assert render("{% assign o = '{ \"name\": \"foo\", \"bar\": {} }' | parse_json %}"
                  "{{ o.name }} {{ o.bar | json }}") == "foo {}"
    assert render("{% assign o = t | parse_json %}{{ o.key }}",
                  t='{ "key": "abc &amp; def" }') == "abc & def"
    assert render("{% assign o = t | to_hash: raw_text: true %}{{ o.key }}",
                  t='{ "key": "abc &amp; def" }') == "abc &amp; def"
    assert render("{{ h | parse_json | json }} [{{ nothing | parse_json }}]", h={"a": 1}) == (
        '{"a":1} []')
    err = render.error("line 1\n{{ '{ \"foo\" }' | parse_json }}")
    assert err.line == 2
    assert err.message.startswith("parse_json: invalid JSON")


def test_is_json_valid(render):
    assert render("{{ '{ \"name\": \"foo\", \"bar\": {} }' | is_json_valid }} "
                  "{{ '{ \"foo\" }' | is_json_valid }} {{ h | is_json_valid }}", h={}) == (
        "true false false")


def test_base64(render):
    assert render("{{ 'hello base64' | base64_encode }}") == "aGVsbG8gYmFzZTY0\n"
    assert render("{{ t | base64_decode }}", t="aGVsbG8gYmFzZTY0\n") == "hello base64"
    long = "x" * 100
    encoded = render("{{ t | base64_encode }}", t=long)
    assert [len(line) for line in encoded.splitlines()] == [60, 60, 16]
    assert render("{{ t | base64_encode | base64_decode }}", t=long) == long


def test_gzip_round_trip(render):
    assert render('{{ "Lorem ipsum" | gzip_compress | gzip_decompress }}') == "Lorem ipsum"
    assert "not gzip data" in render.error("{{ 'plain' | gzip_decompress }}").message


def test_digests(render):
    assert render("{{ 'foo' | digest }}") == "0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33"
    assert render("{{ 'foo' | sha1 }}") == "0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33"
    assert render("{{ 'foo' | digest: 'sha256' }}") == (
        "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae")
    assert render("{{ 'foo' | digest: 'sha256', 'base64' }}") == (
        "LCa0a2j/xo/5m0U8HTBBNBNCLXBkg7+g+YpeiGJm564=")
    assert render("{{ 'foo' | digest: 'sha256', 'none' | base64_encode }}") == (
        "LCa0a2j/xo/5m0U8HTBBNBNCLXBkg7+g+YpeiGJm564=\n")
    assert render("{{ 'foo' | digest: 'md5' }}") == "acbd18db4cc2f85cedef654fccc4a4d8"
    assert "unsupported algorithm" in render.error("{{ 'foo' | digest: 'rot13' }}").message


def test_compute_hmac(render):
    expected = hmac.new(b"some_secret", b"some_data", "sha256").hexdigest()
    assert render("{{ 'some_data' | compute_hmac: 'some_secret' }}") == expected
    expected = base64.b64encode(hmac.new(b"some_secret", b"some_data", "sha1").digest()).decode()
    assert render("{{ 'some_data' | compute_hmac: 'some_secret', 'SHA1', 'base64' }}") == expected


def test_hkdf_rfc_5869_case_1(render):
    def b64(hex_: str) -> str:
        return base64.b64encode(bytes.fromhex(hex_)).decode()

    out = render("""
        {%- assign ikm = ikm | base64_decode -%}
        {%- assign salt = salt | base64_decode -%}
        {%- assign info = info | base64_decode -%}
        {{ ikm | hkdf: salt, info, 42, 'sha256' | base64_encode }}
    """, ikm=b64("0b" * 22), salt=b64("000102030405060708090a0b0c"),
       info=b64("f0f1f2f3f4f5f6f7f8f9"))
    expected = ("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                "34007208d5b887185865")
    assert base64.b64decode(out) == bytes.fromhex(expected)


def test_uuid_and_random_string_use_the_run_random_source(render):
    first = render("{{ '' | uuid }} {{ 10 | random_string }} {{ nothing | random_string }}")
    assert first == render("{{ '' | uuid }} {{ 10 | random_string }} {{ nothing | random_string }}")
    uid, short, default = first.split(" ")
    assert len(uid) == 36 and uid[14] == "4"
    assert len(short) == 10 and short.isalnum() and len(default) == 12


def test_jwt_encode_matches_the_platform(render):
    assert render("{{ p | jwt_encode: 'HS256', 'this-is-secret' }}", p=PAYLOAD) == TOKEN
    assert render("{{ p | jwt_encode: 'HS256', 'this-is-secret', h }}", p=PAYLOAD,
                  h={"cty": "custom"}) == (
        "eyJjdHkiOiJjdXN0b20iLCJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJrZXkiOiJ2YWx1ZSIsImFub3Ro"
        "ZXJfa2V5IjoiYW5vdGhlciB2YWx1ZSJ9.DHizgDTArO7RpQE3124ufD9oirmQwrlftpxBwc9wGGA")


def test_jwt_decode_verifies(render):
    assert render("{{ t | jwt_decode: 'HS256', 'this-is-secret' | json }}", t=TOKEN) == (
        '[{"key":"value","another_key":"another value"},{"typ":"JWT","alg":"HS256"}]')
    err = render.error("{{ t | jwt_decode: 'HS256', 'wrong' }}", t=TOKEN)
    assert "signature verification failed" in err.message
    assert render("{{ t | jwt_decode: 'HS256', 'wrong', false | first | json }}", t=TOKEN) == (
        '{"key":"value","another_key":"another value"}')


def test_jwt_decode_checks_expiry_against_the_run_clock(render):
    token = render("{{ p | jwt_encode: 'HS256', 's' }}", p={"exp": int(render.clock.now()) + 60})
    assert render("{{ t | jwt_decode: 'HS256', 's' | first | hash_keys | json }}", t=token) == (
        '["exp"]')
    render.clock.advance(61)
    assert "expired" in render.error("{{ t | jwt_decode: 'HS256', 's' }}", t=token).message


def test_rsa_jwt_is_not_available_locally(render):
    assert "not available locally" in render.error("{{ p | jwt_encode: 'RS256', 'k' }}",
                                                   p={}).message


def test_character_encodings(render):
    assert render("{{ 'John arrived_foo' | encoding }}") == "UTF-8"
    assert render("{{ 'John arrived_foo' | encode: 'ISO-8859-1', 'UTF-8' }}") == "John arrived_foo"
    assert render("{{ 'John arrived_foo' | force_encoding: 'ISO-8859-1' }}") == "John arrived_foo"
    assert "cannot be written" in render.error("{{ 'zł' | encode: 'ISO-8859-1', 'UTF-8' }}").message
    assert render("{{ 'SGVsbG8gV/9vcmxk' | base64_decode | encoding }}") == "ASCII-8BIT"
    assert render("{{ 'SGVsbG8gV/9vcmxk' | base64_decode | scrub }}") == "Hello World"


@pytest.mark.parametrize("name", ["encrypt", "decrypt", "ecdh_compute", "jwe_encode"])
def test_crypto_filters_say_they_are_not_available(render, name):
    err = render.error(f"{{{{ 'payload' | {name}: 'aes-256-cbc', 'k', 'x' }}}}")
    assert err.message.startswith(f"{name} is not available locally")
