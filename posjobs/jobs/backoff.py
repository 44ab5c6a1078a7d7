"""The platform's retry backoff (Sidekiq's): n**4 + 15 + rand(10 * (n + 1)) seconds."""

from __future__ import annotations

from random import Random

RandomSource = Random  # injected so tests can fix the seed


def retry_delay(retry_index: int, rng: RandomSource) -> float:
    """Seconds to wait before retry number `retry_index` (0 for the first retry)."""
    if retry_index < 0:
        raise ValueError("retry_index must be 0 or more")
    return float(retry_index**4 + 15 + rng.randrange(10 * (retry_index + 1)))


def retry_delay_bounds(retry_index: int) -> tuple[float, float]:
    """The smallest and largest wait `retry_delay` can return (inclusive)."""
    base = retry_index**4 + 15
    return float(base), float(base + 10 * (retry_index + 1) - 1)
