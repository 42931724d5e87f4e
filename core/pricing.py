"""What a model call costs, from a price table in dollars per million tokens.

Prices change: the table holds list prices as known when written, and
``Settings.prices`` overrides or extends it per model (``footnote.toml``:
``[prices."gpt-4o-mini"] input = 0.15``). A model that is in neither (a local server)
costs nothing. Dated snapshots (``gpt-4o-mini-2024-07-18``) take their family's price.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Price:
    """Dollars per million tokens."""

    input: float
    cached: float
    output: float


PRICES: dict[str, Price] = {
    "gpt-4o-mini": Price(0.15, 0.075, 0.60),
    "gpt-4o": Price(2.50, 1.25, 10.00),
    "gpt-4.1-nano": Price(0.10, 0.025, 0.40),
    "gpt-4.1-mini": Price(0.40, 0.10, 1.60),
    "gpt-4.1": Price(2.00, 0.50, 8.00),
    "gpt-5-nano": Price(0.05, 0.005, 0.40),
    "gpt-5-mini": Price(0.25, 0.025, 2.00),
    "gpt-5": Price(1.25, 0.125, 10.00),
    "o4-mini": Price(1.10, 0.275, 4.40),
    "o3-mini": Price(1.10, 0.55, 4.40),
    "o3": Price(2.00, 0.50, 8.00),
    "gpt-4-turbo": Price(10.00, 10.00, 30.00),
    "gpt-3.5-turbo": Price(0.50, 0.50, 1.50),
}


def price_for(model: str, overrides: Mapping[str, Mapping[str, float]] | None = None) -> Price:
    """The price of ``model``: an override, else the longest table prefix, else free."""
    name = model.lower().rsplit("/", 1)[-1]
    family = max((m for m in PRICES if name.startswith(m)), key=len, default=None)
    price = PRICES[family] if family else Price(0.0, 0.0, 0.0)
    override = (overrides or {}).get(model) or (overrides or {}).get(name)
    if override:
        price = replace(price, **{k: float(v) for k, v in override.items()})
    return price


def cost_usd(
    model: str,
    input_tokens: int,
    cached_tokens: int,
    output_tokens: int,
    overrides: Mapping[str, Mapping[str, float]] | None = None,
) -> float:
    """Cost of one call. ``input_tokens`` includes the cached ones (as providers count)."""
    price = price_for(model, overrides)
    fresh = max(0, input_tokens - cached_tokens)
    total = fresh * price.input + cached_tokens * price.cached + output_tokens * price.output
    return total / 1_000_000
