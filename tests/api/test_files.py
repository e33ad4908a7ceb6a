"""/v1/files through the official SDK: multipart upload, list, retrieve, download, delete."""

from __future__ import annotations

import time

import httpx
import openai
import pytest

from tests.api.conftest import ApiServer

ALL_BYTES = bytes(range(256)) * 3


async def test_upload_retrieve_and_download_round_trip(api: ApiServer) -> None:
    before = int(time.time())
    file = await api.client.files.create(file=("a.txt", b"hello"), purpose="assistants")
    assert file.id.startswith("file-") and file.object == "file"
    assert (file.filename, file.bytes, file.purpose, file.status) == (
        "a.txt",
        5,
        "assistants",
        "processed",
    )
    assert file.created_at >= before and file.expires_at is None
    assert await api.client.files.retrieve(file.id) == file
    assert (await api.client.files.content(file.id)).read() == b"hello"


async def test_binary_content_is_byte_exact(api: ApiServer) -> None:
    file = await api.client.files.create(file=("blob.bin", ALL_BYTES), purpose="user_data")
    assert file.bytes == len(ALL_BYTES)
    response = await api.client.files.content(file.id)
    assert response.read() == ALL_BYTES
    assert response.response.headers["content-length"] == str(len(ALL_BYTES))


async def test_expires_after_sets_expires_at(api: ApiServer) -> None:
    file = await api.client.files.create(
        file=("a.txt", b"x"),
        purpose="batch",
        expires_after={"anchor": "created_at", "seconds": 3600},
    )
    assert file.expires_at == file.created_at + 3600
    with pytest.raises(openai.BadRequestError) as error:
        await api.client.files.create(
            file=("a.txt", b"x"),
            purpose="batch",
            expires_after={"anchor": "created_at", "seconds": 60},
        )
    assert error.value.body["param"] == "expires_after[seconds]"
    assert error.value.body["code"] == "integer_below_min_value"


async def test_list_filters_by_purpose_and_pages(api: ApiServer) -> None:
    ids = [
        (await api.client.files.create(file=(f"{i}.txt", b"x"), purpose=purpose)).id
        for i, purpose in enumerate(["assistants", "vision", "assistants", "assistants"])
    ]
    everything = await api.client.files.list()
    assert [f.id for f in everything.data] == ids[::-1]
    assistants = await api.client.files.list(purpose="assistants")
    assert [f.id for f in assistants.data] == [ids[3], ids[2], ids[0]]
    page = await api.client.files.list(purpose="assistants", order="asc", limit=2)
    assert ([f.id for f in page.data], page.has_more) == ([ids[0], ids[2]], True)
    rest = await api.client.files.list(purpose="assistants", order="asc", after=ids[2])
    assert [f.id for f in rest.data] == [ids[3]]
    paged = [f.id async for f in api.client.files.list(limit=1)]
    assert paged == ids[::-1]
    with pytest.raises(openai.BadRequestError) as error:
        await api.client.files.list(limit=10_001)
    assert error.value.body["param"] == "limit"


async def test_delete_removes_metadata_and_content(api: ApiServer) -> None:
    file = await api.client.files.create(file=("a.txt", b"bye"), purpose="assistants")
    deleted = await api.client.files.delete(file.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (file.id, "file", True)
    for call in (api.client.files.retrieve, api.client.files.content, api.client.files.delete):
        with pytest.raises(openai.NotFoundError) as error:
            await call(file.id)
        assert error.value.body["message"] == f"No file found with id '{file.id}'."
        assert error.value.body["param"] == "file_id"
    assert (await api.client.files.list()).data == []
    with pytest.raises(Exception, match="No file found"):
        await api.store.blobs.read(file.id)


async def test_upload_validation(api: ApiServer) -> None:
    with pytest.raises(openai.BadRequestError) as error:
        await api.client.files.create(file=("a.txt", b"x"), purpose="nonsense")  # type: ignore[arg-type]
    assert (error.value.body["param"], error.value.body["code"]) == ("purpose", "invalid_value")
    with pytest.raises(openai.BadRequestError) as error:
        # Accepted by OpenAI, but the SDK's File type could not carry it back (see route).
        await api.client.files.create(file=("a.txt", b"x"), purpose="evals")
    assert error.value.body["param"] == "purpose"
    assert (await api.client.files.list()).data == []
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {api.key_a}"}) as http:
        no_file = await http.post(f"{api.base_url}/files", data={"purpose": "assistants"})
        as_json = await http.post(f"{api.base_url}/files", json={"purpose": "assistants"})
    assert no_file.status_code == 400
    assert no_file.json()["error"]["message"] == "Missing required parameter: 'file'."
    assert as_json.status_code == 400 and as_json.json()["error"]["type"] == (
        "invalid_request_error"
    )


async def test_bad_file_id_prefix_is_a_400(api: ApiServer) -> None:
    with pytest.raises(openai.BadRequestError) as error:
        await api.client.files.retrieve("undefined")
    assert error.value.body["message"] == (
        "Invalid 'file_id': 'undefined'. Expected an ID that begins with 'file'."
    )
