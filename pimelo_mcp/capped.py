"""`read_at_most`: a streamed body read only as far as a size cap allows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol


class ByteStream(Protocol):
    """A body that arrives in chunks: an httpx2 response, a Pimelo media download."""

    def aiter_bytes(self) -> AsyncIterator[bytes]: ...


async def read_at_most(stream: ByteStream, limit: int) -> bytes | None:
    """The body of `stream`, or None once it grows past `limit` bytes.

    A declared Content-Length can lie or be absent: the cap holds on the bytes as they
    arrive, and the rest of an oversized body is never read.
    """
    chunks: list[bytes] = []
    total = 0
    async for chunk in stream.aiter_bytes():
        total += len(chunk)
        if total > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
