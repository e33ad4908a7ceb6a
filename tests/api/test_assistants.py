"""/v1/assistants through the official SDK (strict response validation): CRUD and pagination."""

from __future__ import annotations

import openai
import pytest

from tests.api.conftest import ApiServer

# The SDK marks every Assistants method `@deprecated("deprecated")`; warnings are errors here.

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather of a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        "strict": True,
    },
}


async def test_create_retrieve_round_trips_every_field(api: ApiServer) -> None:
    file = await api.client.files.create(file=("data.csv", b"a,b\n1,2\n"), purpose="assistants")
    created = await api.client.beta.assistants.create(
        model="gpt-4o",
        name="Helper",
        description="Answers questions.",
        instructions="Be brief.",
        tools=[
            {"type": "code_interpreter"},
            {"type": "file_search", "file_search": {"max_num_results": 5}},
            WEATHER_TOOL,
        ],
        tool_resources={"code_interpreter": {"file_ids": [file.id]}},
        metadata={"team": "docs"},
        temperature=0.5,
        top_p=0.9,
        response_format={"type": "json_object"},
    )
    assert created.id.startswith("asst_")
    assert created.object == "assistant"
    assert (created.name, created.model, created.instructions) == ("Helper", "gpt-4o", "Be brief.")
    assert [tool.type for tool in created.tools] == ["code_interpreter", "file_search", "function"]
    assert created.tools[2].function.name == "get_weather"
    assert created.tool_resources is not None
    assert created.tool_resources.code_interpreter is not None
    assert created.tool_resources.code_interpreter.file_ids == [file.id]
    assert (created.temperature, created.top_p) == (0.5, 0.9)
    assert created.response_format.type == "json_object"
    retrieved = await api.client.beta.assistants.retrieve(created.id)
    assert retrieved == created


async def test_defaults_and_nulls_are_serialized_not_omitted(api: ApiServer) -> None:
    raw = await api.client.beta.assistants.with_raw_response.create(model="gpt-4o")
    body = raw.http_response.json()
    assert raw.headers["x-request-id"]
    for nullable in ("name", "description", "instructions", "tool_resources"):
        assert nullable in body and body[nullable] is None
    assert body["tools"] == [] and body["metadata"] == {}
    assert (body["temperature"], body["top_p"], body["response_format"]) == (1.0, 1.0, "auto")
    assert isinstance(body["created_at"], int)


async def test_modify_replaces_set_fields_and_metadata_wholesale(api: ApiServer) -> None:
    file = await api.client.files.create(file=("a.txt", b"hello"), purpose="assistants")
    assistant = await api.client.beta.assistants.create(
        model="gpt-4o",
        name="Before",
        instructions="Keep me.",
        metadata={"a": "1", "b": "2"},
        tool_resources={"code_interpreter": {"file_ids": [file.id]}},
    )
    modified = await api.client.beta.assistants.update(
        assistant.id, name="After", metadata={"c": "3"}, model="gpt-4o-mini"
    )
    assert (modified.name, modified.model, modified.metadata) == (
        "After",
        "gpt-4o-mini",
        {"c": "3"},
    )
    assert modified.instructions == "Keep me."
    assert modified.tool_resources == assistant.tool_resources
    assert modified.created_at == assistant.created_at
    cleared = await api.client.beta.assistants.update(
        assistant.id, tool_resources={"code_interpreter": {"file_ids": []}}
    )
    assert cleared.tool_resources is not None and cleared.tool_resources.code_interpreter
    assert cleared.tool_resources.code_interpreter.file_ids == []
    assert await api.client.beta.assistants.retrieve(assistant.id) == cleared


async def test_delete_then_not_found(api: ApiServer) -> None:
    assistant = await api.client.beta.assistants.create(model="gpt-4o")
    deleted = await api.client.beta.assistants.delete(assistant.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (
        assistant.id,
        "assistant.deleted",
        True,
    )
    with pytest.raises(openai.NotFoundError) as error:
        await api.client.beta.assistants.retrieve(assistant.id)
    assert error.value.body["message"] == f"No assistant found with id '{assistant.id}'."
    assert error.value.param == "assistant_id"
    with pytest.raises(openai.NotFoundError):
        await api.client.beta.assistants.delete(assistant.id)


async def _make(api: ApiServer, n: int) -> list[str]:
    """Create `n` assistants; their ids, oldest first (most share a `created_at` second)."""
    return [(await api.client.beta.assistants.create(model="m", name=str(i))).id for i in range(n)]


async def test_list_orders_and_cursors(api: ApiServer) -> None:
    ids = await _make(api, 5)
    newest_first = await api.client.beta.assistants.list()
    assert [a.id for a in newest_first.data] == ids[::-1]
    assert newest_first.has_more is False
    asc = await api.client.beta.assistants.list(order="asc", limit=2)
    assert [a.id for a in asc.data] == ids[:2]
    assert (asc.first_id, asc.last_id, asc.has_more) == (ids[0], ids[1], True)
    after = await api.client.beta.assistants.list(order="asc", limit=2, after=ids[1])
    assert [a.id for a in after.data] == ids[2:4] and after.has_more is True
    last = await api.client.beta.assistants.list(order="asc", after=ids[3])
    assert [a.id for a in last.data] == ids[4:] and last.has_more is False
    before = await api.client.beta.assistants.list(order="asc", limit=2, before=ids[3])
    assert [a.id for a in before.data] == ids[1:3]
    desc_after = await api.client.beta.assistants.list(limit=2, after=ids[2])
    assert [a.id for a in desc_after.data] == [ids[1], ids[0]] and desc_after.has_more is False


async def test_empty_list_has_null_cursors(api: ApiServer) -> None:
    raw = await api.client.beta.assistants.with_raw_response.list()
    assert raw.http_response.json() == {
        "object": "list",
        "data": [],
        "first_id": None,
        "last_id": None,
        "has_more": False,
    }


async def test_auto_pagination_sees_each_item_once(api: ApiServer) -> None:
    ids = await _make(api, 5)
    seen = [assistant.id async for assistant in api.client.beta.assistants.list(limit=2)]
    assert seen == ids[::-1]


async def test_list_default_limit_is_20_and_max_100(api: ApiServer) -> None:
    await _make(api, 21)
    page = await api.client.beta.assistants.list()
    assert len(page.data) == 20 and page.has_more is True
    assert len((await api.client.beta.assistants.list(limit=100)).data) == 21
    with pytest.raises(openai.BadRequestError) as error:
        await api.client.beta.assistants.list(limit=101)
    assert error.value.param == "limit"
    assert error.value.code == "integer_above_max_value"
    with pytest.raises(openai.BadRequestError) as error:
        await api.client.beta.assistants.list(limit=0)
    assert error.value.param == "limit"


async def test_unknown_cursor_is_a_400(api: ApiServer) -> None:
    with pytest.raises(openai.BadRequestError) as error:
        await api.client.beta.assistants.list(after="asst_nope")
    assert error.value.param == "after"
