"""Token prices and cost accounting.

Prices are USD per million tokens. The built-in table covers common hosted models as
published at the time of writing; prices change, so override them with a TOML or JSON file
(``--prices`` or ``LLMQA_PRICES``)::

    [gpt-4o-mini]
    input = 0.15
    output = 0.60
    cached_input = 0.075

An unknown model has an unknown cost: reports say so rather than print zero, and
``--max-cost`` refuses to run without a price.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from llmqa.errors import ConfigError


@dataclass(frozen=True)
class Price:
    input: float
    output: float
    cached_input: float | None = None

    def cost(self, input_tokens: int, output_tokens: int, cached_tokens: int = 0) -> float:
        cached_rate = self.cached_input if self.cached_input is not None else self.input
        fresh = max(0, input_tokens - cached_tokens)
        return (fresh * self.input + cached_tokens * cached_rate
                + output_tokens * self.output) / 1_000_000


DEFAULT_PRICES: dict[str, Price] = {
    "gpt-4o-mini": Price(0.15, 0.60, 0.075),
    "gpt-4o": Price(2.50, 10.00, 1.25),
    "gpt-4.1": Price(2.00, 8.00, 0.50),
    "gpt-4.1-mini": Price(0.40, 1.60, 0.10),
    "gpt-4.1-nano": Price(0.10, 0.40, 0.025),
    "smollm2-135m-instruct": Price(0.0, 0.0, 0.0),
    "fake": Price(0.0, 0.0, 0.0),
}
BATCH_DISCOUNT = 0.5


def _price(entry: object, model: str) -> Price:
    """One model's table of the prices file."""
    if not isinstance(entry, dict):
        raise ValueError(f"{model} is {entry!r}, not a table of input and output prices")
    missing = [name for name in ("input", "output") if name not in entry]
    if missing:
        raise ValueError(f"{model} has no {' and no '.join(missing)} price")
    return Price(_rate(entry, "input", model), _rate(entry, "output", model),
                 _rate(entry, "cached_input", model) if "cached_input" in entry else None)


def _rate(entry: dict, name: str, model: str) -> float:
    """A price in USD per million tokens: a number, zero or more. A negative price would make
    every call look free and disable the cost cap, so it is refused with the file."""
    value = entry[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{model}.{name} is {value!r}, not a number")
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"{model}.{name} is {value}; a price must be a finite number >= 0")
    return float(value)


class PriceTable:
    def __init__(self, prices: dict[str, Price] | None = None) -> None:
        self.prices = dict(DEFAULT_PRICES if prices is None else prices)

    @classmethod
    def load(cls, path: str | Path | None = None) -> PriceTable:
        table = cls()
        path = path or os.environ.get("LLMQA_PRICES")
        if not path:
            return table
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8-sig")
            raw = json.loads(text) if file.suffix == ".json" else tomllib.loads(text)
            if not isinstance(raw, dict):
                raise ValueError("expected a table per model: [gpt-4o-mini] input = 0.15 ...")
            table.prices.update({model: _price(entry, model) for model, entry in raw.items()})
        except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{file}: cannot read prices ({exc})") from exc
        return table

    def get(self, model: str) -> Price | None:
        if model in self.prices:
            return self.prices[model]
        # Dated snapshots ("gpt-4o-mini-2024-07-18") are priced like their family.
        candidates = [name for name in self.prices if model.startswith(name + "-")]
        return self.prices[max(candidates, key=len)] if candidates else None

    def cost(self, model: str, input_tokens: int, output_tokens: int, cached_tokens: int = 0,
             batch: bool = False) -> float | None:
        price = self.get(model)
        if price is None:
            return None
        value = price.cost(input_tokens, output_tokens, cached_tokens)
        return value * BATCH_DISCOUNT if batch else value
