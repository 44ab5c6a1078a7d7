"""Retry backoff: n**4 + 15 + rand(10 * (n + 1)) seconds before retry n."""

from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from posjobs.jobs.backoff import retry_delay, retry_delay_bounds


@given(st.integers(min_value=0, max_value=10), st.integers())
def test_every_wait_lies_within_sidekiqs_bounds(retry_index, seed):
    low, high = retry_delay_bounds(retry_index)
    assert low <= retry_delay(retry_index, Random(seed)) <= high


def test_bounds_for_the_first_retries():
    assert retry_delay_bounds(0) == (15, 24)
    assert retry_delay_bounds(1) == (16, 35)
    assert retry_delay_bounds(4) == (271, 320)


def test_a_fixed_seed_gives_a_fixed_wait():
    assert retry_delay(2, Random(7)) == retry_delay(2, Random(7))


def test_the_random_part_covers_its_whole_range():
    seen = {retry_delay(0, Random(seed)) for seed in range(500)}
    assert seen == {float(s) for s in range(15, 25)}


def test_negative_index_is_rejected():
    with pytest.raises(ValueError):
        retry_delay(-1, Random(1))
