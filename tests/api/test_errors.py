"""Errors in OpenAI's envelope and wording (SPEC §1.1): 400 (never 422) with `param` and `code`,
404 with the exact "No ... found" text, `x-request-id` on every response, no 500 for bad input."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest

from api.app import create_app
from core.settings import Settings
from tests.api.conftest import ApiServer


def v2(api: ApiServer) -> dict[str, str]:
    """Raw-HTTP headers of project A's key, as the SDK sends them."""
    return {"Authorization": f"Bearer {api.key_a}", "OpenAI-Beta": "assistants=v2"}


async def _bad_request(call: Any) -> dict[str, Any]:
    """The error body of a call that must fail with a 400."""
    with pytest.raises(openai.BadRequestError) as error:
        await call
    assert error.value.status_code == 400
    assert error.value.request_id
    body: dict[str, Any] = error.value.body  # type: ignore[assignment]
    assert body["type"] == "invalid_request_error"
    return body


async def test_metadata_limits(api: ApiServer) -> None:
    create = api.client.beta.assistants.create
    too_many = await _bad_request(create(model="m", metadata={str(i): "v" for i in range(17)}))
    assert too_many == {
        "message": "Invalid 'metadata': too many properties. Expected an object with at most 16 "
        "properties, but got an object with 17 properties instead.",
        "type": "invalid_request_error",
        "param": "metadata",
        "code": "object_above_max_properties",
    }
    long_key = await _bad_request(create(model="m", metadata={"k" * 65: "v"}))
    assert (long_key["param"], long_key["code"]) == ("metadata", "property_name_above_max_length")
    long_value = await _bad_request(api.client.beta.threads.create(metadata={"k": "v" * 513}))
    assert (long_value["param"], long_value["code"]) == ("metadata", "string_above_max_length")
    not_a_string = await _bad_request(create(model="m", metadata={"k": 1}))  # type: ignore[dict-item]
    assert (not_a_string["param"], not_a_string["code"]) == ("metadata.k", "invalid_type")


async def test_assistant_field_limits(api: ApiServer) -> None:
    create = api.client.beta.assistants.create
    name = await _bad_request(create(model="m", name="n" * 257))
    assert name == {
        "message": "Invalid 'name': string too long. Expected a string with maximum length 256, "
        "but got a string with length 257 instead.",
        "type": "invalid_request_error",
        "param": "name",
        "code": "string_above_max_length",
    }
    tools = await _bad_request(create(model="m", tools=[{"type": "code_interpreter"}] * 129))
    assert (tools["param"], tools["code"]) == ("tools", "array_above_max_length")
    assert "maximum length 128, but got an array with length 129" in tools["message"]
    function = {"type": "function", "function": {"name": "bad name!"}}
    bad_name = await _bad_request(create(model="m", tools=[function]))  # type: ignore[list-item]
    assert bad_name["param"] == "tools[0].function.name"
    temperature = await _bad_request(create(model="m", temperature=2.5))
    assert (temperature["param"], temperature["code"]) == ("temperature", "decimal_above_max_value")
    files = await _bad_request(
        create(model="m", tool_resources={"code_interpreter": {"file_ids": ["file-x"] * 21}})
    )
    assert files["param"] == "tool_resources.code_interpreter.file_ids"
    stores = await _bad_request(
        create(model="m", tool_resources={"file_search": {"vector_store_ids": ["vs_a", "vs_b"]}})
    )
    assert stores["param"] == "tool_resources.file_search.vector_store_ids"


async def test_unknown_and_missing_parameters(api: ApiServer) -> None:
    unknown = await _bad_request(
        api.client.beta.assistants.create(model="m", extra_body={"colour": "red"})
    )
    assert unknown == {
        "message": "Unknown parameter: 'colour'.",
        "type": "invalid_request_error",
        "param": "colour",
        "code": "unknown_parameter",
    }
    thread = await api.client.beta.threads.create(messages=[{"role": "user", "content": "x"}])
    message = (await api.client.beta.threads.messages.list(thread.id)).data[0]
    content = await _bad_request(
        api.client.beta.threads.messages.update(
            message.id, thread_id=thread.id, extra_body={"content": "new"}
        )
    )
    assert (content["param"], content["code"]) == ("content", "unknown_parameter")
    async with httpx.AsyncClient(headers=v2(api)) as http:
        response = await http.post(api.base_url + "/assistants", json={"name": "x"})
    assert response.json()["error"] == {
        "message": "Missing required parameter: 'model'.",
        "type": "invalid_request_error",
        "param": "model",
        "code": "missing_required_parameter",
    }


async def test_message_body_errors(api: ApiServer) -> None:
    thread = await api.client.beta.threads.create()
    create = api.client.beta.threads.messages.create
    role = await _bad_request(create(thread.id, role="system", content="x"))  # type: ignore[arg-type]
    assert (role["param"], role["code"]) == ("role", "invalid_value")
    assert (
        role["message"] == "Invalid value: 'system'. Supported values are: 'user' and 'assistant'."
    )
    content = await _bad_request(create(thread.id, role="user", content=[]))
    assert content["param"] == "content"
    part = await _bad_request(
        create(thread.id, role="user", content=[{"type": "text", "text": 5}])  # type: ignore[typeddict-item]
    )
    assert part["param"] == "content[0].text"
    missing_file = await api.client.files.create(file=("a.txt", b"x"), purpose="assistants")
    await api.client.files.delete(missing_file.id)
    with pytest.raises(openai.NotFoundError) as error:
        await create(
            thread.id, role="user", content="x",
            attachments=[{"file_id": missing_file.id, "tools": [{"type": "file_search"}]}],
        )  # fmt: skip
    assert error.value.body["param"] == "attachments[0].file_id"  # type: ignore[index]


@pytest.mark.parametrize(
    ("path", "param", "expected"),
    [
        ("/threads/undefined", "thread_id", "thread"),
        ("/assistants/undefined", "assistant_id", "asst"),
        ("/threads/undefined/messages", "thread_id", "thread"),
        ("/files/undefined", "file_id", "file"),
    ],
)
async def test_bad_id_prefix_is_a_400(api: ApiServer, path: str, param: str, expected: str) -> None:
    async with httpx.AsyncClient(headers=v2(api)) as http:
        response = await http.get(api.base_url + path)
    assert response.status_code == 400
    assert response.json()["error"] == {
        "message": f"Invalid '{param}': 'undefined'. Expected an ID that begins with '{expected}'.",
        "type": "invalid_request_error",
        "param": param,
        "code": "invalid_value",
    }


async def test_bad_message_id_prefix_through_the_sdk(api: ApiServer) -> None:
    thread = await api.client.beta.threads.create()
    body = await _bad_request(
        api.client.beta.threads.messages.retrieve("undefined", thread_id=thread.id)
    )
    assert body["param"] == "message_id"


async def test_not_found_wording(api: ApiServer) -> None:
    thread = await api.client.beta.threads.create()
    cases = [
        (api.client.beta.threads.retrieve("thread_nope"), "thread", "thread_nope", "thread_id"),
        (api.client.beta.threads.messages.retrieve("msg_nope", thread_id=thread.id), "message",
         "msg_nope", "message_id"),
        (api.client.files.retrieve("file-nope"), "file", "file-nope", "file_id"),
    ]  # fmt: skip
    for call, noun, object_id, param in cases:
        with pytest.raises(openai.NotFoundError) as error:
            await call
        assert error.value.body == {
            "message": f"No {noun} found with id '{object_id}'.",
            "type": "invalid_request_error",
            "param": param,
            "code": None,
        }
        assert error.value.request_id


@pytest.mark.parametrize(
    ("method", "path", "content"),
    [
        ("POST", "/assistants", b"{not json"),
        ("POST", "/assistants", b"[]"),
        ("POST", "/assistants", b"null"),
        ("POST", "/assistants", b'{"model": "m", "tools": {"type": "function"}}'),
        ("POST", "/assistants", b'{"model": "m", "tools": [{"type": "magic"}]}'),
        ("POST", "/assistants", b'{"model": "m", "tools": [{}]}'),
        ("POST", "/assistants", b'{"model": "m", "response_format": {"type": "json_schema"}}'),
        ("POST", "/assistants", b'{"model": ["m"], "metadata": []}'),
        ("POST", "/threads", b'{"messages": [{"role": "user"}]}'),
        ("POST", "/threads", b'{"messages": "hi"}'),
        ("POST", "/threads", b"\xff\xfe"),
        ("GET", "/assistants?limit=abc", b""),
        ("GET", "/assistants?order=sideways", b""),
    ],
)
async def test_malformed_requests_are_400_in_the_envelope(
    api: ApiServer, method: str, path: str, content: bytes
) -> None:
    headers = {**v2(api), "Content-Type": "application/json"}
    async with httpx.AsyncClient(headers=headers) as http:
        response = await http.request(method, api.base_url + path, content=content)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error" and error["message"]
    assert response.headers["x-request-id"]


async def test_unparseable_json_message(api: ApiServer) -> None:
    async with httpx.AsyncClient(headers=v2(api)) as http:
        response = await http.post(
            api.base_url + "/assistants", content=b"{", headers={"Content-Type": "application/json"}
        )
    assert response.json()["error"]["message"].startswith(
        "We could not parse the JSON body of your request."
    )


async def test_beta_header(api: ApiServer) -> None:
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {api.key_a}"}) as http:
        missing = await http.get(api.base_url + "/assistants")
        v2 = await http.get(api.base_url + "/assistants", headers={"OpenAI-Beta": "assistants=v2"})
        v1 = await http.get(api.base_url + "/assistants", headers={"OpenAI-Beta": "assistants=v1"})
    assert missing.status_code == 200 and v2.status_code == 200
    assert v1.status_code == 400
    assert "v2 only" in v1.json()["error"]["message"]


async def test_unknown_route_is_a_404_in_the_envelope(api: ApiServer) -> None:
    async with httpx.AsyncClient(headers=v2(api)) as http:
        response = await http.get(api.base_url + "/nowhere")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Invalid URL (GET /v1/nowhere)."
    assert response.headers["x-request-id"]


async def test_create_thread_and_run_is_not_taken_for_modify_thread(api: ApiServer) -> None:
    async with httpx.AsyncClient(headers=v2(api)) as http:
        response = await http.post(api.base_url + "/threads/runs", json={})
    assert response.json()["error"]["param"] != "thread_id", response.text


async def test_unexpected_errors_keep_the_envelope_and_request_id() -> None:
    app = create_app(Settings())

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.get("/boom", headers={"x-request-id": "req_given"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req_given"
    assert response.json()["error"]["type"] == "server_error"
    assert "a bug" not in response.text
