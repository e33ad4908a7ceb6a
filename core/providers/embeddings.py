"""Embeddings for file_search from the configured provider's `/embeddings` endpoint.

Like chat, the SDK client runs with `max_retries=0`: ingestion's activity retry policy is the
one retry loop, and errors propagate unwrapped for `activities/_errors.py` to classify.
"""

from __future__ import annotations

from typing import Protocol

import openai

from core.providers.factory import NO_API_KEY
from core.settings import Settings

__all__ = ["Embedder", "OpenAIEmbedder", "embedder_from_settings"]

MAX_INPUTS_PER_REQUEST = 256
"""Texts per request (OpenAI takes up to 2,048; smaller keeps a retried request cheap)."""


class Embedder(Protocol):
    """Turns texts into vectors; one model, so every vector has the same length."""

    model: str

    async def embed(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class OpenAIEmbedder:
    """Any OpenAI-compatible `/v1/embeddings` endpoint."""

    def __init__(
        self, base_url: str, api_key: str, model: str, dimensions: int | None = None
    ) -> None:
        self.model = model
        self._dimensions = dimensions
        self._client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key, max_retries=0)

    async def embed(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), MAX_INPUTS_PER_REQUEST):
            batch = texts[start : start + MAX_INPUTS_PER_REQUEST]
            if self._dimensions is None:
                response = await self._client.embeddings.create(
                    model=self.model, input=batch, encoding_format="float"
                )
            else:
                response = await self._client.embeddings.create(
                    model=self.model,
                    input=batch,
                    encoding_format="float",
                    dimensions=self._dimensions,
                )
            ordered = sorted(response.data, key=lambda item: item.index)
            vectors.extend(list(item.embedding) for item in ordered)
        return vectors

    async def close(self) -> None:
        await self._client.close()


def embedder_from_settings(settings: Settings) -> Embedder | None:
    """The configured embedder, or None (keyword-only file_search)."""
    if not settings.model_base_url or not settings.embedding_model:
        return None
    key = settings.model_api_key
    api_key = key.get_secret_value() if key is not None else NO_API_KEY
    return OpenAIEmbedder(
        settings.model_base_url, api_key, settings.embedding_model, settings.embedding_dimensions
    )
