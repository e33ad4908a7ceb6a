"""Request bodies over RUNWRIGHT_MAX_REQUEST_BYTES get 413 in the OpenAI envelope and change
nothing, whether their Content-Length says so up front or a chunked body runs past the cap; file
uploads are capped at the per-file maximum instead."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import openai
import pytest

from api.body_limit import MULTIPART_SLACK
from api.routes import files
from tests.api.conftest import ApiServer, in_process
from tests.fakes.model_server import ScriptedModelServer

LIMIT = 4096
TOO_LARGE = {
    "message": f"The request body is too large: at most {LIMIT} bytes.",
    "type": "invalid_request_error",
    "param": None,
    "code": None,
}


@pytest.fixture
async def capped(
    local_api_backend: dict[str, Any], model_server: ScriptedModelServer
) -> AsyncIterator[ApiServer]:
    async with in_process(
        model_server=model_server, **local_api_backend, max_request_bytes=LIMIT
    ) as api:
        yield api


def _headers(api: ApiServer) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {api.key_a}",
        "OpenAI-Beta": "assistants=v2",
        "Content-Type": "application/json",
    }


def _assistant_body(instructions_chars: int) -> bytes:
    return json.dumps({"model": "gpt-4o", "instructions": "x" * instructions_chars}).encode()


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), 1000):
        yield body[start : start + 1000]


async def test_a_declared_length_over_the_cap_is_refused_unread(capped: ApiServer) -> None:
    with pytest.raises(openai.APIStatusError) as error:
        await capped.client.beta.assistants.create(model="gpt-4o", instructions="x" * LIMIT)
    assert error.value.status_code == 413
    assert error.value.body == TOO_LARGE
    assert error.value.request_id
    assert (await capped.client.beta.assistants.list()).data == []


async def test_a_chunked_body_is_cut_off_when_it_passes_the_cap(capped: ApiServer) -> None:
    body = _assistant_body(2 * LIMIT)
    async with httpx.AsyncClient(base_url=capped.base_url) as http:
        response = await http.post("/assistants", content=_chunks(body), headers=_headers(capped))
    assert "content-length" not in response.request.headers  # sent chunked
    assert response.status_code == 413
    assert response.json() == {"error": TOO_LARGE}
    assert response.headers["x-request-id"]
    assert (await capped.client.beta.assistants.list()).data == []


async def test_bodies_under_the_cap_are_served(capped: ApiServer) -> None:
    async with httpx.AsyncClient(base_url=capped.base_url) as http:
        chunked = await http.post(
            "/assistants", content=_chunks(_assistant_body(LIMIT // 2)), headers=_headers(capped)
        )
    assert chunked.status_code == 200
    sized = await capped.client.beta.assistants.create(model="gpt-4o", instructions="y" * 100)
    listed = {a.id for a in (await capped.client.beta.assistants.list()).data}
    assert listed == {chunked.json()["id"], sized.id}


async def test_a_body_on_a_route_that_takes_none_is_refused_too(capped: ApiServer) -> None:
    async with httpx.AsyncClient(base_url=capped.base_url) as http:
        response = await http.request(
            "GET", "/assistants", content=b"x" * (LIMIT + 1), headers=_headers(capped)
        )
    assert response.status_code == 413
    assert response.json() == {"error": TOO_LARGE}


async def test_uploads_are_capped_at_the_file_limit_not_the_json_one(capped: ApiServer) -> None:
    contents = b"a line of text\n" * (4 * LIMIT // 15)
    uploaded = await capped.client.files.create(file=("big.txt", contents), purpose="assistants")
    assert uploaded.bytes == len(contents) > LIMIT


async def test_an_upload_past_the_file_limit_is_refused_unread(
    local_api_backend: dict[str, Any],
    model_server: ScriptedModelServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 8 * LIMIT)  # read when the app is built
    async with in_process(model_server=model_server, **local_api_backend) as api:
        contents = b"x" * (8 * LIMIT + MULTIPART_SLACK + 1)
        with pytest.raises(openai.APIStatusError) as error:
            await api.client.files.create(file=("huge.txt", contents), purpose="assistants")
        assert error.value.status_code == 413
        assert (await api.client.files.list()).data == []
