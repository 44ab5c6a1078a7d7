"""The background tag's options, by the platform's rules."""

import pytest

from posjobs.jobs.model import Priority
from posjobs.jobs.options import OptionError, parse_options


def test_defaults_are_the_platforms():
    options = parse_options({})
    assert options.delay == 0
    assert options.priority is Priority.DEFAULT
    assert options.max_attempts == 1
    assert options.source_name is None
    assert options.warnings == ()


def test_delay_is_minutes_as_a_float_and_may_be_a_numeric_string():
    assert parse_options({"delay": 0.5}).delay == 0.5
    assert parse_options({"delay": "2.5"}).delay == 2.5


@pytest.mark.parametrize("delay", [-1, "soon", True, [1], float("nan")])
def test_a_negative_or_non_numeric_delay_is_an_error(delay):
    with pytest.raises(OptionError, match="delay"):
        parse_options({"delay": delay})


@pytest.mark.parametrize("name", ["low", "default", "high", "HIGH", " low "])
def test_priority_accepts_the_three_queues(name):
    assert parse_options({"priority": name}).priority.value == name.strip().lower()


def test_an_unknown_priority_is_an_error_naming_the_choices():
    with pytest.raises(OptionError, match="'low', 'default', 'high'"):
        parse_options({"priority": "urgent"})


@pytest.mark.parametrize(("given", "used"), [(0, 1), (9, 5), (-3, 1), ("7", 5)])
def test_max_attempts_outside_1_to_5_is_clamped_with_a_warning(given, used):
    options = parse_options({"max_attempts": given})
    assert options.max_attempts == used
    assert len(options.warnings) == 1
    assert f"using {used}" in options.warnings[0]


def test_max_attempts_inside_the_range_gives_no_warning():
    assert parse_options({"max_attempts": 3}) .warnings == ()


def test_max_attempts_must_be_a_number():
    with pytest.raises(OptionError, match="max_attempts"):
        parse_options({"max_attempts": "many"})


def test_an_empty_source_name_means_none():
    assert parse_options({"source_name": ""}).source_name is None
