"""Aggregates with bootstrap confidence intervals, and the paired comparison of two runs.

Seeded and deterministic: the same results give the same intervals on every machine.
Each metric draws from its own stream (seeded by its name), so adding a metric does
not move the intervals of the others.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from evals.metrics import HIGHER, METRICS

RESAMPLES = 2000
LEVEL = 0.95
SEED = 0

Row = Mapping[str, float | None]


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float
    n: int

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(frozen=True)
class Comparison:
    """Run B minus run A on the questions both answered, for one metric."""

    metric: str
    n: int
    a: float
    b: float
    delta: float
    low: float
    high: float
    p_value: float
    better: str
    """"higher" or "lower": which direction is an improvement."""

    @property
    def regression(self) -> bool:
        """The whole interval of the change lies on the worse side of zero."""
        return self.high < 0 if self.better == HIGHER else self.low > 0

    @property
    def improvement(self) -> bool:
        return self.low > 0 if self.better == HIGHER else self.high < 0

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "regression": self.regression, "improvement": self.improvement}


AGGREGATES: dict[str, str] = {**METRICS, "latency_p95_ms": METRICS["latency_ms"]}
"""What a run reports: the mean of every metric, and the 95th percentile of latency."""


def bootstrap(
    values: Sequence[float],
    statistic: Callable[[np.ndarray], np.ndarray] = lambda x: x.mean(axis=-1),
    *,
    key: str = "",
) -> Estimate | None:
    """The statistic of ``values`` with a percentile bootstrap interval (None if empty)."""
    data = np.asarray(values, dtype=np.float64)
    if data.size == 0:
        return None
    samples = _rng(key).integers(0, data.size, size=(RESAMPLES, data.size))
    spread = statistic(data[samples])
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(spread, [tail, 100 - tail])
    return Estimate(float(statistic(data)), float(low), float(high), int(data.size))


def aggregate(rows: Sequence[Row]) -> dict[str, dict[str, float | int]]:
    """Per aggregate name, its estimate over the rows where the metric applies."""
    out: dict[str, dict[str, float | int]] = {}
    for name in AGGREGATES:
        metric = "latency_ms" if name == "latency_p95_ms" else name
        values = [r[metric] for r in rows if r.get(metric) is not None]
        stat = _p95 if name == "latency_p95_ms" else (lambda x: x.mean(axis=-1))
        estimate = bootstrap(values, stat, key=name)  # type: ignore[arg-type]
        if estimate is not None:
            out[name] = estimate.to_dict()
    return out


def compare(a: Mapping[str, Row], b: Mapping[str, Row]) -> list[Comparison]:
    """Paired bootstrap of B − A per metric over the question ids both runs share."""
    shared = sorted(a.keys() & b.keys())
    out: list[Comparison] = []
    for metric, better in METRICS.items():
        pairs = [
            (a[q][metric], b[q][metric])
            for q in shared
            if a[q].get(metric) is not None and b[q].get(metric) is not None
        ]
        if not pairs:
            continue
        x = np.array(pairs, dtype=np.float64)
        diffs = x[:, 1] - x[:, 0]
        samples = _rng(f"compare:{metric}").integers(0, len(diffs), size=(RESAMPLES, len(diffs)))
        means = diffs[samples].mean(axis=1)
        low, high = np.percentile(means, [(1 - LEVEL) / 2 * 100, (1 + LEVEL) / 2 * 100])
        p_value = min(1.0, 2 * min((means <= 0).mean(), (means >= 0).mean()))
        if not diffs.any():
            p_value = 1.0
        out.append(
            Comparison(
                metric=metric,
                n=len(diffs),
                a=float(x[:, 0].mean()),
                b=float(x[:, 1].mean()),
                delta=float(diffs.mean()),
                low=float(low),
                high=float(high),
                p_value=float(p_value),
                better=better,
            )
        )
    return out


def _p95(x: np.ndarray) -> np.ndarray:
    return np.percentile(x, 95, axis=-1)


def _rng(key: str) -> np.random.Generator:
    return np.random.default_rng([SEED, zlib.crc32(key.encode())])
