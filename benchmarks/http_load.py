"""A load generator that costs as little CPU per call as it can: the server's figure, not its own.

Each client keeps one connection and sends the same pre-built HTTP/1.1 request bytes back to
back, reading only what framing needs (status line, Content-Length or chunks). Used by
`benchmarks/scale.py`, where an httpx2 client per connection spent about as much CPU per call
as the server it measured, on the same two cores.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Load:
    calls: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list[float])

    @property
    def per_second(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


def request_bytes(url: str, headers: dict[str, str], body: object) -> bytes:
    parts = urlsplit(url)
    payload = json.dumps(body, separators=(",", ":")).encode()
    head = [f"POST {parts.path or '/'} HTTP/1.1", f"Host: {parts.netloc}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    head.append(f"Content-Length: {len(payload)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lowered = head.lower()
    at = lowered.find(b"\r\ncontent-length:")
    if at >= 0:
        end = lowered.index(b"\r\n", at + 2)
        return status, await reader.readexactly(int(lowered[at + 17 : end]))
    chunks: list[bytes] = []  # Transfer-Encoding: chunked
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, b"".join(chunks)
        chunks.append(chunk[:-2])


async def drive(url: str, request: bytes, clients: int, seconds: float) -> Load:
    """`clients` connections, each sending `request` back to back for `seconds`."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    load = Load()

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(request)  # warm: the connection and the server's caches
            await _read_answer(reader)
            while (started := time.perf_counter()) < end:
                writer.write(request)
                status, body = await _read_answer(reader)
                if status == 200 and b'"isError":true' not in body:
                    load.latencies.append(time.perf_counter() - started)
                else:
                    load.errors += 1
        finally:
            writer.close()

    end = time.perf_counter() + seconds
    begun = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    load.seconds = time.perf_counter() - begun
    load.calls = len(load.latencies)
    return load
