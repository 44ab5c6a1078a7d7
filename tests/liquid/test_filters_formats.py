"""Number and money filters: sprintf, format_number, prices, currency units, coercions, types."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("source", "expected"), [
    ("{{ 3.124 | advanced_format: '%.2f' }}", "3.12"),
    ("{{ 3 | advanced_format: '%.2f' }}", "3.00"),
    ("{{ '42' | advanced_format: '%05d' }}", "00042"),
    ("{{ 255 | advanced_format: '%x %%' }}", "ff %"),
    ("{{ 5 | advanced_format: '%08b' }}", "00000101"),
    ("{{ 'abc' | advanced_format: '[%-5s]' }}", "[abc  ]"),
    ("{{ 7 | advanced_format: '%+d' }}", "+7"),
])
def test_advanced_format(render, source, expected):
    assert render(source) == expected


def test_advanced_format_errors(render):
    assert "not a number" in render.error("{{ 'abc' | advanced_format: '%d' }}").message
    assert "too few arguments" in render.error("{{ 1 | advanced_format: '%d %d' }}").message


def test_amounts_and_fractions(render):
    assert render("{{ 10.50 | amount_to_fractional: 'USD' }}") == "1050"
    assert render("{{ 10.50 | amount_to_fractional: 'JPY' }}") == "11"
    assert render("{{ '10.5' | amount_to_fractional }}") == "1050"
    assert render("{{ 1050 | fractional_to_amount: 'USD' }}") == "10.5"
    assert render("{{ 1050 | fractional_to_amount: 'JPY' }}") == "1050"
    assert "unknown currency" in render.error("{{ 1 | pricify: 'dollars' }}").message


@pytest.mark.parametrize(("source", "expected"), [
    ("{{ 0 | pricify }}", "$0"),
    ("{{ 1 | pricify }}", "$1"),
    ("{{ 1.20 | pricify }}", "$1.20"),
    ("{{ 1000000 | pricify }}", "$1,000,000"),
    ("{{ 1 | pricify: 'PLN' }}", "1 zł"),
    ("{{ 1 | pricify: 'JPY' }}", "¥1"),
    ("{{ 1 | pricify: 'USD', no_cents_if_whole: false }}", "$1.00"),
    ("{{ -5.5 | pricify: 'USD', with_currency: true }}", "-$5.50 USD"),
    ("{{ 1 | pricify_cents }}", "$0.01"),
    ("{{ 100 | pricify_cents }}", "$1"),
    ("{{ 1000000 | pricify_cents }}", "$10,000"),
    ("{{ 1 | pricify_cents: 'PLN' }}", "0,01 zł"),
    ("{{ 1 | pricify_cents: 'JPY' }}", "¥1"),
])
def test_pricify(render, source, expected):
    assert render(source) == expected


@pytest.mark.parametrize(("source", "expected"), [
    ("{{ 111.2345 | format_number }}", "111.235"),
    ("{{ 111.2345 | format_number: precision: 2 }}", "111.23"),
    ("{{ 111 | format_number: precision: 2 }}", "111.00"),
    ("{{ 1111.2345 | format_number: precision: 2, separator: ',', delimiter: '.' }}", "1.111,23"),
    ("{{ 123.456 | format_number: precision: 2, significant: true }}", "120"),
    ("{{ 1.5 | format_number: precision: 0, round_mode: 'banker' }}", "2"),
    ("{{ 2.5 | format_number: precision: 0, round_mode: 'banker' }}", "2"),
    ("{{ 'abc' | format_number: precision: 1 }}", "0.0"),
    ("{{ 1.2 | format_number: strip_insignificant_zeros: true }}", "1.2"),
])
def test_format_number(render, source, expected):
    assert render(source) == expected


def test_to_positive_integer(render):
    assert render("{{ '1' | to_positive_integer: 2 }} {{ '' | to_positive_integer: 2 }}"
                  " {{ -3 | to_positive_integer: 2 }} {{ nothing | to_positive_integer: 5 }}") == (
        "1 2 2 5")
    assert "whole number" in render.error("{{ 1 | to_positive_integer: 'x' }}").message


def test_type_of_names_ruby_classes(render):
    out = render("{% assign h = '{ \"name\": \"foo\" }' | parse_json %}"
                 "{{ h | type_of }} {{ '' | split: ',' | type_of }} {{ 'x' | type_of }} "
                 "{{ 1 | type_of }} {{ 1.5 | type_of }} {{ true | type_of }} {{ nil | type_of }} "
                 "{{ 'now' | to_time | type_of }}")
    assert out == ("Hash Array String Integer Float TrueClass NilClass "
                   "ActiveSupport::TimeWithZone")


def test_is_email_valid(render):
    assert render("{{ 'john@example.com' | is_email_valid }} {{ 'john@' | is_email_valid }}") == (
        "true false")
