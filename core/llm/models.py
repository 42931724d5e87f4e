"""Context windows of known chat models, for packing prompts under budget.

``Settings.llm_context_window`` overrides the table (a local server's model, a new
model). Unknown models get a conservative 8k window rather than a guess that overflows.
"""

from __future__ import annotations

CONTEXT_WINDOWS: dict[str, int] = {
    "gpt-4o": 128_000,
    "gpt-4o-mini": 128_000,
    "gpt-4.1": 1_047_576,
    "gpt-5": 400_000,
    "o1": 200_000,
    "o3": 200_000,
    "o4-mini": 200_000,
    "gpt-4-turbo": 128_000,
    "gpt-4": 8_192,
    "gpt-3.5-turbo": 16_385,
}
DEFAULT_CONTEXT_WINDOW = 8_192


def context_window(model: str, override: int | None = None) -> int:
    """Tokens the model reads and writes in one call (longest matching table prefix)."""
    if override:
        return override
    name = model.lower().rsplit("/", 1)[-1]
    family = max((m for m in CONTEXT_WINDOWS if name.startswith(m)), key=len, default=None)
    return CONTEXT_WINDOWS[family] if family else DEFAULT_CONTEXT_WINDOW
