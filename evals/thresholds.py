"""Quality gates: ``--fail-under faithfulness=0.9,hit@5=0.8,forbidden_leakage=0``.

A threshold is on a run's aggregate (the mean; ``latency_p95_ms`` the 95th percentile).
For a metric where higher is better the run misses when it is below the threshold; for
one where lower is better (leakage, latency, cost) when it is above. A metric no
question produced is a miss too: a gate that measured nothing must not pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from evals.metrics import HIGHER
from evals.stats import AGGREGATES


@dataclass(frozen=True)
class Check:
    metric: str
    threshold: float
    value: float | None
    better: str

    @property
    def passed(self) -> bool:
        if self.value is None:
            return False
        if self.better == HIGHER:
            return self.value >= self.threshold
        return self.value <= self.threshold

    @property
    def rule(self) -> str:
        return f"{'≥' if self.better == HIGHER else '≤'} {self.threshold:g}"


def parse_thresholds(spec: str) -> dict[str, float]:
    """``"faithfulness=0.9,hit@5=0.8"`` → ``{"faithfulness": 0.9, "hit@5": 0.8}``."""
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in AGGREGATES:
            known = ", ".join(AGGREGATES)
            raise ValueError(
                f"bad threshold {part!r}: use METRIC=VALUE with a metric among {known}"
            )
        try:
            out[name] = float(value)
        except ValueError as exc:
            raise ValueError(f"bad threshold {part!r}: {value!r} is not a number") from exc
    return out


def check_thresholds(
    aggregates: Mapping[str, Mapping[str, float | int]], thresholds: Mapping[str, float]
) -> list[Check]:
    return [
        Check(
            name,
            threshold,
            float(aggregates[name]["value"]) if name in aggregates else None,
            AGGREGATES[name],
        )
        for name, threshold in thresholds.items()
    ]
