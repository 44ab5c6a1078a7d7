"""Time filters against the run's clock (T0 = 2026-11-18 11:06:40 UTC)."""

from __future__ import annotations

import pytest


def test_to_time_reads_natural_language_against_the_run_clock(render):
    assert render("{{ 'now' | to_time }}") == "2026-11-18 11:06:40 UTC"
    assert render("{{ 'today' | to_time: 'UTC' }}") == "2026-11-18 11:06:40 UTC"
    assert render("{{ '1 day ago' | to_time }}") == "2026-11-17 11:06:40 UTC"
    assert render("{{ '5 days from now' | to_time }}") == "2026-11-23 11:06:40 UTC"
    assert render("{{ 'in 10 minutes' | to_time }}") == "2026-11-18 11:16:40 UTC"
    assert render("{{ '6 months ago' | to_time }}") == "2026-05-18 11:06:40 UTC"


def test_to_time_follows_the_clock(render):
    render.clock.advance(3600)
    assert render("{{ 'now' | to_time }}") == "2026-11-18 12:06:40 UTC"


def test_to_time_with_format_zone_and_now(render):
    assert render("{{ '2010:01:01' | to_time: '', '%Y:%m:%d' }}") == "2010-01-01 00:00:00 UTC"
    # A date without a time of day is noon, as on the platform.
    assert render("{{ '5 days from now' | to_time: '', '', '2019-10-01' }}") == (
        "2019-10-06 12:00:00 UTC")
    assert render("{{ '2010-01-01 08:00' | to_time: 'Europe/Warsaw' }}") == (
        "2010-01-01 08:00:00 +0100")
    assert render("{{ 1565632488 | to_time }}") == "2019-08-12 17:54:48 UTC"
    assert render("{{ '2018-05-30T09:12:34.000-07:00' | to_time: 2 }}") == (
        "2018-05-30 18:12:34 +0200")


def test_strftime_converts_to_the_zone(render):
    t = "'2018-05-30T09:12:34.000-07:00'"
    assert render(f"{{{{ {t} | strftime: '%Y-%m-%d %H:%M' }}}}") == "2018-05-30 16:12"
    assert render(f"{{{{ {t} | strftime: '%Y-%m-%d %H:%M', 'Europe/Warsaw' }}}}") == (
        "2018-05-30 18:12")
    assert render(f"{{{{ {t} | strftime: '%Y-%m-%d %H:%M', 'America/New_York' }}}}") == (
        "2018-05-30 12:12")
    assert render(f"{{{{ {t} | strftime: '%Y-%m-%d %H:%M', 'Sydney' }}}}") == "2018-05-31 02:12"
    assert render(f"{{{{ {t} | strftime: '%Y-%m-%d %H:%M', 'Pacific/Apia' }}}}") == (
        "2018-05-31 05:12")
    assert render("{% assign time = '2010-01-01 08:00' | to_time %}"
                  "{{ time | strftime: '%Y-%m-%d' }}") == "2010-01-01"
    assert render("{{ 'in 14 days' | strftime: '%B %d, %Y', '', '2011-03-01' }}") == (
        "March 15, 2011")


@pytest.mark.parametrize(("fmt", "expected"), [
    ("%-d/%-m %e|%k|%l %P", "5/3  5| 7| 7 am"),
    ("%^a %^B %j %L %3N", "SUN MARCH 064 123 123"),
    ("%F %T %z %:z %Z", "2017-03-05 07:08:09 +0000 +00:00 UTC"),
    ("%s %% %y %I%p %u %w", "1488697689 % 17 07AM 7 0"),
    ("%10A|%-10A|%_5m", "    Sunday|Sunday|    3"),
])
def test_strftime_speaks_ruby(render, fmt, expected):
    assert render(f"{{{{ t | strftime: '{fmt}' }}}}", t="2017-03-05T07:08:09.123Z") == expected


def test_add_to_time_and_date_add(render):
    assert render("{{ 'now' | add_to_time: 1, 'w' }}") == "2026-11-25 11:06:40 UTC"
    assert render("{{ 'now' | add_to_time: 3, 'mo' }}") == "2027-02-18 11:06:40 UTC"
    assert render("{{ 'now' | add_to_time: '2.7', 'h' }}") == "2026-11-18 13:06:40 UTC"
    assert render("{{ 'now' | add_to_time }}") == "2026-11-19 11:06:40 UTC"
    assert render("{{ '2010-01-01' | date_add: 1 }} {{ '2010-01-01' | add_to_date: 1, 'mo' }}") == (
        "2010-01-02 2010-02-01")
    assert render("{{ '2010-01-31' | date_add: 1, 'months' }}") == "2010-02-28"
    err = render.error("{{ 'now' | add_to_time: 1, 'fortnight-ish' }}")
    assert "unknown time unit" in err.message


def test_comparisons_use_the_clock(render):
    assert render("{{ '2010-01-02' | date_before: '2010-01-03' }}") == "true"
    assert render("{{ '6 months ago' | is_date_before: '2010-01-03' }}") == "false"
    assert render("{{ '1 day ago' | date_before: 'now' }}") == "true"
    assert render("{{ '2010-01-01' | is_date_in_past }} {{ '3000-01-01' | is_date_in_past }}") == (
        "true false")
    assert render("{{ '2021/2' | is_parsable_date }} {{ 'not a date' | is_parsable_date }}") == (
        "true false")


def test_time_diff(render):
    assert render("{{ 'now' | time_diff: 'in 5 minutes', 'd' }}") == "0.003"
    assert render("{{ 'now' | time_diff: 'in 5 minutes' }}") == "300000.0"
    assert render("{{ 'now' | time_diff: 'in 90 minutes', 'h', 0 }}") == "2"
    assert render("{{ 'now' | time_diff: '2026-11-19 11:06:40', 'm' }}") == "1440.0"


def test_to_date_and_localize(render):
    assert render("{{ '2010-01-01 8:00:00' | to_date }}") == "2010-01-01"
    assert render("{{ '2010-01-01' | l }}") == "Fri, Jan 1, 2010 at 12:00"
    assert render("{{ '2010-01-01 08:05' | localize: 'short' }}") == "01 Jan 08:05"
    assert render("{{ '2010-01-01 08:05' | l: '%Y', 'Pacific/Apia' }}") == "2010"


def test_localize_uses_the_project_translations(render):
    render.with_files({"app/translations/pl.yml": """
        pl:
          time:
            formats:
              long: "%-d %B %Y, %H:%M"
          date:
            month_names: [~, stycznia, lutego, marca, kwietnia, maja, czerwca, lipca, sierpnia,
                          września, października, listopada, grudnia]
    """})
    render.language = "pl"
    assert render("{{ '2010-02-03 08:05' | l }}") == "3 lutego 2010, 08:05"


def test_date_reads_now_from_the_run_clock(render):
    assert render("{{ 'now' | date: '%Y-%m-%d %H:%M' }}") == "2026-11-18 11:06"
    assert render("{{ 'not a date' | date: '%Y' }}|{{ nothing | date: '%Y' }}") == "not a date|"


def test_nil_and_bad_input(render):
    out = render("[{{ nothing | to_time }}{{ nothing | strftime: '%Y' }}{{ '' | to_date }}]")
    assert out == "[]"
    err = render.error("fine\n{{ 'soon-ish' | to_time }}")
    assert err.line == 2
    assert "cannot read 'soon-ish' as a time" in err.message
    err = render.error("{{ 'now' | to_time: 'Mars/Olympus' }}")
    assert "unknown time zone" in err.message
    err = render.error("{{ 1.5 | l }}")
    assert "whole seconds" in err.message
