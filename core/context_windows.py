"""Context windows per model: how many tokens one call's prompt and reply may span together.

Truncation (`auto`, SPEC §3.3) fits the prompt into the window minus room for the reply, so a
long thread is cut by us, visibly, instead of being refused by the provider. Models are matched
by name prefix, the longest prefix winning (`gpt-4o-mini` is `gpt-4o`, not `gpt-4`). Unknown
models (local engines included) get `DEFAULT_CONTEXT_WINDOW`, deliberately small: truncating too
early is visible and harmless, overflowing a window fails the run. Deployments override or add
entries with `RUNWRIGHT_CONTEXT_WINDOWS=mymodel=32768,other=8192` (same prefix rule; an override
replaces the built-in entry with the same key).

| prefix | tokens | source |
| --- | --- | --- |
| `gpt-5` | 400,000 | OpenAI model pages |
| `gpt-4.1` | 1,047,576 | |
| `gpt-4.5`, `gpt-4o`, `chatgpt-4o`, `gpt-4-turbo`, `gpt-4-1106`, `gpt-4-0125` | 128,000 | |
| `gpt-4-32k` | 32,768 | |
| `gpt-4` | 8,192 | |
| `gpt-3.5-turbo`, `gpt-35-turbo` (Azure) | 16,385 | |
| `o1`, `o3`, `o4` | 200,000 | (`o1-mini`, `o1-preview`: 128,000) |
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

DEFAULT_CONTEXT_WINDOW: Final = 8_192
"""For models the table does not know: the smallest window any current chat model has."""

BUILT_IN_WINDOWS: Final[Mapping[str, int]] = {
    "gpt-5": 400_000,
    "gpt-4.1": 1_047_576,
    "gpt-4.5": 128_000,
    "gpt-4o": 128_000,
    "chatgpt-4o": 128_000,
    "gpt-4-turbo": 128_000,
    "gpt-4-1106": 128_000,
    "gpt-4-0125": 128_000,
    "gpt-4-32k": 32_768,
    "gpt-4": 8_192,
    "gpt-3.5-turbo": 16_385,
    "gpt-35-turbo": 16_385,
    "o1": 200_000,
    "o1-mini": 128_000,
    "o1-preview": 128_000,
    "o3": 200_000,
    "o4": 200_000,
}


def parse_overrides(spec: str | None) -> dict[str, int]:
    """`"mymodel=32768,other=8192"` as a mapping; raises ValueError on a malformed entry."""
    overrides: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in (spec or "").split(","))):
        prefix, sep, value = item.rpartition("=")
        if not sep or not prefix.strip() or not value.strip().isdigit() or int(value) < 1:
            raise ValueError(
                f"context window entries look like model=tokens (a positive integer): {item!r}"
            )
        overrides[prefix.strip().lower()] = int(value)
    return overrides


class ContextWindows:
    """The window of any model name: built-in table, overridden by configuration."""

    def __init__(self, overrides: Mapping[str, int] | None = None) -> None:
        table = {**BUILT_IN_WINDOWS, **{k.lower(): v for k, v in (overrides or {}).items()}}
        # Longest first, so the first match is the most specific entry.
        self._prefixes = sorted(table.items(), key=lambda item: len(item[0]), reverse=True)

    def for_model(self, model: str) -> int:
        """Tokens `model` can take per call (prompt plus reply)."""
        return self._match(model)[1]

    def key_for(self, model: str) -> str | None:
        """The table key (longest matching prefix) naming `model`, or None if none matches.

        Metrics label runs by this key: a closed set (the table plus configured overrides),
        where raw model names from requests would not be.
        """
        return self._match(model)[0]

    def _match(self, model: str) -> tuple[str | None, int]:
        name = model.lower()
        # "openai/gpt-4o"-style routing prefixes name the same model.
        candidates = (name, name.rsplit("/", 1)[-1])
        for prefix, window in self._prefixes:
            if any(candidate.startswith(prefix) for candidate in candidates):
                return prefix, window
        return None, DEFAULT_CONTEXT_WINDOW
