"""Outbound notifications of run status changes, signed the Standard Webhooks way.

Headers `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of
"{id}.{timestamp}.{body}">` are what OpenAI's own webhooks send, so a receiver can verify them
with the official SDK: `client.webhooks.verify_signature(body, headers, secret=...)`. A secret
written `whsec_<base64>` is base64-decoded first, as the SDK does. The id stays the same across
retries of one delivery, so receivers can deduplicate on it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

__all__ = ["event_payload", "signature", "signed_headers"]


def _key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        return base64.b64decode(secret.removeprefix("whsec_"))
    return secret.encode()


def signature(secret: str, webhook_id: str, timestamp: int, body: str) -> str:
    """`v1,<base64>`: the HMAC-SHA256 of `{id}.{timestamp}.{body}` under the secret."""
    signed = f"{webhook_id}.{timestamp}.{body}".encode()
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(
    secret: str | None, webhook_id: str, timestamp: int, body: str
) -> dict[str, str]:
    """The headers of one delivery attempt (no signature without a secret)."""
    headers = {
        "content-type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
    }
    if secret:
        headers["webhook-signature"] = signature(secret, webhook_id, timestamp, body)
    return headers


def event_payload(webhook_id: str, event: str, created_at: int, run: dict[str, Any]) -> str:
    """The body: `{"id", "object": "event", "type": "thread.run.<status>", "created_at",
    "data": <the run as it was at that transition>}`."""
    body = {"id": webhook_id, "object": "event", "type": event, "created_at": created_at}
    return json.dumps({**body, "data": run}, separators=(",", ":"))
