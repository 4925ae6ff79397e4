"""`client.media`: list, read, upload and download media files."""

from __future__ import annotations

import mimetypes
import os
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
import httpx2

from pimelo_mcp.client._models import Media, Page
from pimelo_mcp.client._validation import check_code, check_identifier, check_limit, path
from pimelo_mcp.client.errors import InvalidArgumentError
from pimelo_mcp.client.resources._base import APIResource, paginate, parse

UploadSource = bytes | bytearray | memoryview | str | os.PathLike[str] | AsyncIterable[bytes]


@dataclass
class MediaDownload:
    """A download in progress: its type and size as announced, and its bytes as they come."""

    content_type: str | None
    content_length: int | None
    _response: httpx2.Response

    def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        return self._response.aiter_bytes(chunk_size)


class MediaResource(APIResource):
    async def list(
        self,
        *,
        search: str | None = None,
        mime_type: str | None = None,
        product: str | None = None,
        limit: int | None = None,
        search_after: str | None = None,
    ) -> Page[Media]:
        """One page of media (`GET /media`), or those a product's media values point to."""
        data = await self._client.request_json(
            "GET",
            "media",
            params={
                "search": search,
                "mime_type": mime_type,
                "product": None if product is None else check_identifier(product, "product"),
                "limit": check_limit(limit),
                "search_after": search_after,
            },
        )
        return parse(Page[Media], data)

    def iterate(
        self,
        *,
        search: str | None = None,
        mime_type: str | None = None,
        product: str | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[Media]:
        """Every matching media, page after page."""
        return paginate(
            lambda cursor: self.list(
                search=search,
                mime_type=mime_type,
                product=product,
                limit=limit,
                search_after=cursor,
            )
        )

    async def retrieve(self, code: str) -> Media:
        """One media's metadata (`GET /media/{code}`)."""
        data = await self._client.request_json("GET", path("media", check_code(code, "media")))
        return parse(Media, data)

    async def upload(
        self,
        file: UploadSource,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        code: str | None = None,
    ) -> Media:
        """Upload a file (`POST /media`, multipart `file` + optional `code`).

        `file` is the bytes, a path, or an async stream of bytes (read fully first, so that
        a retry can send it again; uploads are at most 10 MiB). `filename` is required for
        bytes and streams; the content type is guessed from it when not given.
        """
        if isinstance(file, bytes | bytearray | memoryview):
            content = bytes(file)
        elif isinstance(file, str | os.PathLike):
            local = anyio.Path(os.fspath(file))
            if not await local.is_file():
                raise InvalidArgumentError(f"{os.fspath(file)!r} is not a readable file.")
            content = await local.read_bytes()
            filename = filename or local.name
        else:
            parts = [chunk async for chunk in file]
            content = b"".join(parts)
        if not filename:
            raise InvalidArgumentError("filename is required when uploading bytes or a stream.")
        if "/" in filename or "\\" in filename:
            filename = filename.replace("\\", "/").rsplit("/", 1)[-1]
        guessed = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        data = await self._client.request_json(
            "POST",
            "media",
            files={"file": (filename, content, guessed)},
            data={"code": check_code(code, "code")} if code is not None else None,
            headers={"Idempotency-Key": self._client.new_idempotency_key()},
        )
        return parse(Media, data)

    async def download(self, code: str) -> bytes:
        """The file's bytes (`GET /media/{code}/download`)."""
        response = await self._client.request(
            "GET",
            path("media", check_code(code, "media"), "download"),
            headers={"Accept": "*/*"},
            follow_redirects=True,
        )
        return response.content

    @asynccontextmanager
    async def download_stream(self, code: str) -> AsyncGenerator[MediaDownload]:
        """The file as a stream: `async with client.media.download_stream(code) as d: async for chunk in d.aiter_bytes(): ...`."""
        response = await self._client.request(
            "GET",
            path("media", check_code(code, "media"), "download"),
            headers={"Accept": "*/*"},
            follow_redirects=True,
            stream=True,
        )
        try:
            length = response.headers.get("Content-Length")
            yield MediaDownload(
                content_type=response.headers.get("Content-Type"),
                content_length=int(length) if length and length.isdigit() else None,
                _response=response,
            )
        finally:
            await response.aclose()
