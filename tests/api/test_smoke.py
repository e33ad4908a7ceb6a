"""The API fixture itself: SDK reaches the server, auth picks the project."""

from __future__ import annotations

import httpx
import openai
import pytest

from tests.api.conftest import ApiServer


async def test_unknown_key_is_rejected_in_the_envelope(api: ApiServer) -> None:
    with pytest.raises(openai.AuthenticationError) as error:
        await api.sdk("sk-wrong").beta.assistants.list()
    assert error.value.status_code == 401
    assert error.value.request_id


async def test_health_needs_no_key(api: ApiServer) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.get(api.base_url.removesuffix("/v1") + "/health")
    assert response.json()["status"] == "ok"
