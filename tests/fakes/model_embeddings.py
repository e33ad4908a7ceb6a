"""Deterministic, meaningful embeddings: a signed hashed bag of words, L2-normalised.

Texts sharing words get a high cosine similarity, so retrieval tests rank results sensibly
without a model, and every run yields the same vectors.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import struct
from typing import Any

from tests.fakes.model_tokens import count_tokens, decode
from tests.fakes.model_wire import error_body

DEFAULT_EMBEDDING_DIMENSIONS = 256


def embed(text: str, dimensions: int = DEFAULT_EMBEDDING_DIMENSIONS) -> list[float]:
    """Signed hashed bag of words, L2-normalised: shared words mean high cosine similarity."""
    vector = [0.0] * dimensions
    for word in re.findall(r"\w+", text.lower()):
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        bucket = int.from_bytes(digest[:4], "little") % dimensions
        # A hashed sign keeps unrelated texts near-orthogonal instead of all-positive.
        vector[bucket] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    vector = [v / norm for v in vector]
    # Round-trip through float32 so "float" and "base64" responses carry identical values.
    return list(struct.unpack(f"<{dimensions}f", struct.pack(f"<{dimensions}f", *vector)))


def embeddings_response(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """(status, payload) for POST /v1/embeddings."""
    texts = _embedding_inputs(body.get("input"))
    dimensions = body.get("dimensions") or DEFAULT_EMBEDDING_DIMENSIONS
    if texts is None or not isinstance(dimensions, int) or dimensions < 1:
        param = "input" if texts is None else "dimensions"
        message = f"'$.{param}' is invalid. Please check the API reference."
        return 400, error_body(message, "invalid_request_error", param=param)
    as_base64 = body.get("encoding_format") == "base64"
    vectors = [_encode_vector(embed(text, dimensions), as_base64) for text in texts]
    data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
    tokens = sum(count_tokens(t) for t in texts)
    usage = {"prompt_tokens": tokens, "total_tokens": tokens}
    return 200, {"object": "list", "data": data, "model": body.get("model", ""), "usage": usage}


def _embedding_inputs(raw: object) -> list[str] | None:
    """Input as texts: a string, strings, a token array or token arrays; None if invalid."""
    single_tokens = isinstance(raw, list) and raw and all(isinstance(t, int) for t in raw)
    if isinstance(raw, str) or single_tokens:
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        return None
    texts = [_input_text(item) for item in raw]
    # OpenAI rejects empty strings and empty token arrays alike.
    return None if any(not t for t in texts) else [t for t in texts if t]


def _input_text(item: object) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, list) and all(isinstance(t, int) for t in item):
        return decode(item)
    return None


def _encode_vector(vector: list[float], as_base64: bool) -> list[float] | str:
    if not as_base64:
        return vector
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")
