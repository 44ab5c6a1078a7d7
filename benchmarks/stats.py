"""Figures, targets and measurements: what one benchmark row holds, and its JSON form."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


def percentile(samples: Sequence[float], pct: float) -> float:
    """The `pct` percentile of `samples`, interpolated between closest ranks."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Figure:
    """One number with its spread: the median of rounds (or a pooled percentile), and the
    lowest and highest round."""

    value: float
    lo: float
    hi: float
    rounds: int
    samples: int | None = None  # for pooled percentiles: how many samples
    how: str = "median of rounds"

    @classmethod
    def of_rounds(cls, values: Sequence[float]) -> Figure:
        return cls(statistics.median(values), min(values), max(values), len(values))

    @classmethod
    def pooled(cls, rounds: Sequence[Sequence[float]], pct: float) -> Figure:
        """The `pct` percentile over all rounds' samples; spread is each round's own."""
        every = [s for r in rounds for s in r]
        per_round = [percentile(r, pct) for r in rounds if r]
        return cls(percentile(every, pct), min(per_round), max(per_round), len(per_round),
                   samples=len(every), how=f"p{pct:g} of pooled samples")

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "min": self.lo, "max": self.hi, "rounds": self.rounds,
                "samples": self.samples, "how": self.how}


@dataclass(frozen=True)
class Target:
    """What a figure must reach: `on` the ratio or on posjobs' own figure."""

    on: str  # "ratio" or "ours"
    op: str  # ">=" or "<="
    value: float
    text: str

    def met_by(self, number: float) -> bool:
        return number >= self.value if self.op == ">=" else number <= self.value

    def to_dict(self) -> dict[str, Any]:
        return {"on": self.on, "op": self.op, "value": self.value, "text": self.text}


@dataclass
class Measurement:
    """One row of the results: posjobs, its peer or baseline, their ratio, the target."""

    name: str
    title: str
    unit: str
    ours: Figure | None
    peer: Figure | None
    peer_name: str
    ratio: Figure | None  # ours / peer, per round (paired), then median
    ratio_meaning: str
    target: Target | None
    notes: list[str] = field(default_factory=list)
    available: bool = True

    @property
    def met(self) -> bool | None:
        if self.target is None or not self.available:
            return None
        figure = self.ratio if self.target.on == "ratio" else self.ours
        return None if figure is None else self.target.met_by(figure.value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "unit": self.unit,
            "available": self.available,
            "posjobs": self.ours.to_dict() if self.ours else None,
            "peer_name": self.peer_name,
            "peer": self.peer.to_dict() if self.peer else None,
            "ratio": self.ratio.to_dict() if self.ratio else None,
            "ratio_meaning": self.ratio_meaning,
            "target": self.target.to_dict() if self.target else None,
            "met": self.met,
            "notes": self.notes,
        }


def unavailable(name: str, title: str, reason: str) -> Measurement:
    """A row for a measurement that could not run here (a command that does not exist yet)."""
    return Measurement(name, title, "", None, None, "", None, "", None, notes=[reason],
                       available=False)


def paired(ours: Sequence[float], peer: Sequence[float], title: str, unit: str, *,
           name: str, peer_name: str, ratio_meaning: str, target: Target | None,
           notes: Sequence[str] = ()) -> Measurement:
    """A row from rounds run side by side: round i of posjobs against round i of the peer."""
    ratios = [o / p for o, p in zip(ours, peer, strict=True)] if peer else []
    return Measurement(
        name, title, unit, Figure.of_rounds(ours), Figure.of_rounds(peer) if peer else None,
        peer_name, Figure.of_rounds(ratios) if ratios else None, ratio_meaning, target,
        list(notes),
    )


def pooled(ours: Sequence[Sequence[float]], peer: Sequence[Sequence[float]], pct: float,
           title: str, unit: str, *, name: str, peer_name: str, ratio_meaning: str,
           target: Target | None, notes: Sequence[str] = ()) -> Measurement:
    """A row of percentiles: each side's `pct` percentile over every round's samples; the
    ratio is taken round by round (round i against round i), then its median."""
    ratios = [percentile(o, pct) / max(percentile(p, pct), 1e-9)
              for o, p in zip(ours, peer, strict=True)]
    return Measurement(name, title, unit, Figure.pooled(ours, pct), Figure.pooled(peer, pct),
                       peer_name, Figure.of_rounds(ratios), ratio_meaning, target, list(notes))
