"""Media: multipart uploads from bytes, a path or an async stream; downloads as bytes or a stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx2
import pytest
from client_fakes import FakePimelo, json_response, problem_response

from pimelo_mcp.client import (
    InvalidArgumentError,
    Media,
    NotFoundError,
    PimeloClient,
    UnsupportedMediaTypeError,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
MEDIA = {"code": "shoe", "filename": "shoe.png", "mime_type": "image/png", "size": len(PNG)}


def parts(request: httpx2.Request) -> bytes:
    return request.content


def serve_upload(fake: FakePimelo) -> None:
    fake.route("POST", "media")(lambda request: json_response(MEDIA, 201))


async def test_upload_bytes_sends_a_multipart_file_part(
    client: PimeloClient, fake: FakePimelo
) -> None:
    serve_upload(fake)
    media = await client.media.upload(PNG, filename="shoe.png")
    assert isinstance(media, Media)
    request = fake.requests[0]
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    content = parts(request)
    assert b'name="file"; filename="shoe.png"' in content
    assert b"Content-Type: image/png" in content
    assert PNG in content
    assert b'name="code"' not in content
    assert request.headers["Idempotency-Key"]


async def test_upload_with_a_code_sends_the_code_part(
    client: PimeloClient, fake: FakePimelo
) -> None:
    serve_upload(fake)
    await client.media.upload(PNG, filename="shoe.png", code="shoe_main")
    content = parts(fake.requests[0])
    assert b'name="code"\r\n\r\nshoe_main' in content


async def test_upload_from_a_path_uses_the_file_name(
    client: PimeloClient, fake: FakePimelo, tmp_path: Path
) -> None:
    serve_upload(fake)
    file = tmp_path / "manual.pdf"
    file.write_bytes(b"%PDF-1.7 tiny")
    await client.media.upload(file)
    content = parts(fake.requests[0])
    assert b'filename="manual.pdf"' in content
    assert b"Content-Type: application/pdf" in content
    assert b"%PDF-1.7 tiny" in content


async def test_upload_from_an_async_stream_reads_it_whole(
    client: PimeloClient, fake: FakePimelo
) -> None:
    serve_upload(fake)

    async def chunks() -> AsyncIterator[bytes]:
        yield PNG[:10]
        yield PNG[10:]

    await client.media.upload(chunks(), filename="shoe.png", content_type="image/png")
    assert PNG in parts(fake.requests[0])


async def test_a_retried_upload_sends_the_same_bytes_and_key(
    client: PimeloClient, fake: FakePimelo
) -> None:
    answers = [problem_response(502, "bad-gateway", "Bad gateway")]

    def flaky(request: httpx2.Request) -> httpx2.Response:
        return answers.pop() if answers else json_response(MEDIA, 201)

    fake.route("POST", "media")(flaky)
    await client.media.upload(PNG, filename="shoe.png")
    first, second = fake.requests
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert PNG in parts(second)


async def test_upload_of_bytes_needs_a_filename(client: PimeloClient, fake: FakePimelo) -> None:
    with pytest.raises(InvalidArgumentError):
        await client.media.upload(PNG)
    assert fake.requests == []


async def test_upload_of_a_missing_path_is_refused(
    client: PimeloClient, fake: FakePimelo, tmp_path: Path
) -> None:
    with pytest.raises(InvalidArgumentError):
        await client.media.upload(tmp_path / "nope.png")
    assert fake.requests == []


async def test_an_unsupported_file_type_is_a_typed_error(
    client: PimeloClient, fake: FakePimelo
) -> None:
    fake.route("POST", "media")(
        lambda request: problem_response(
            415, "unsupported-media-type", "Unsupported", allowed=["image/png"]
        )
    )
    with pytest.raises(UnsupportedMediaTypeError) as raised:
        await client.media.upload(b"text", filename="a.txt")
    assert raised.value.allowed == ["image/png"]


async def test_download_returns_the_bytes(client: PimeloClient, fake: FakePimelo) -> None:
    fake.route("GET", "media/shoe/download")(
        lambda request: httpx2.Response(200, content=PNG, headers={"Content-Type": "image/png"})
    )
    assert await client.media.download("shoe") == PNG
    assert fake.requests[0].headers["Accept"] == "*/*"


async def test_download_stream_yields_the_bytes_as_they_come(
    client: PimeloClient, fake: FakePimelo
) -> None:
    fake.route("GET", "media/shoe/download")(
        lambda request: httpx2.Response(
            200, content=PNG, headers={"Content-Type": "image/png", "Content-Length": str(len(PNG))}
        )
    )
    async with client.media.download_stream("shoe") as download:
        assert download.content_type == "image/png"
        assert download.content_length == len(PNG)
        received = b"".join([chunk async for chunk in download.aiter_bytes(8)])
    assert received == PNG


async def test_download_stream_of_an_unknown_media_raises_not_found(
    client: PimeloClient, fake: FakePimelo
) -> None:
    with pytest.raises(NotFoundError):
        async with client.media.download_stream("nope"):
            pass
