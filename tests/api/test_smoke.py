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


async def test_every_json_response_is_checked_against_the_sdk_types(api: ApiServer) -> None:
    before = api.wire.checked
    await api.client.beta.assistants.create(model="gpt-4o")
    await api.client.beta.assistants.list()
    assert api.wire.checked == before + 2


def test_the_wire_check_catches_unknown_and_missing_fields() -> None:
    from tests.api.wire_check import problems_in

    thread = {"id": "thread_1", "object": "thread", "created_at": 1, "tool_resources": None,
              "metadata": {}}  # fmt: skip
    assert problems_in(thread, "GET /t") == []
    assert "unknown to the SDK: ['colour']" in problems_in({**thread, "colour": "red"}, "x")[0]
    missing = {k: v for k, v in thread.items() if k != "tool_resources"}
    assert "not sent: ['tool_resources']" in problems_in(missing, "x")[0]
    listed = {"object": "list", "data": [{**thread, "extra": 1}], "has_more": False}
    assert problems_in(listed, "x") and problems_in({"error": {"message": "m"}}, "x")
