"""A benchmark baseline upstream: the sandbox's own answers, replayed at almost no CPU cost.

To measure how pimelo-mcp's HTTP workers scale, the upstream must not be what fills the
machine's cores. This process answers each request it has seen before with the exact
bytes the real sandbox gave (status, headers and JSON body: the same `GET /products/{id}`
a model would get); a request it has not seen yet is asked of the sandbox once, then
replayed. It is a baseline like `bare_server.py`, not a Pimelo: no rate limit of its own
(the sandbox's headers, recorded with a limit raised out of the way, are replayed), no
writes. HTTP/1.1 with keep-alive, on asyncio streams, one event loop.

    python -m benchmarks.light_upstream SANDBOX_URL   # prints "light upstream ready at URL"
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

import httpx2

READY = "light upstream ready at "
# Hop-by-hop and framing headers are the replayer's own, not the recording's.
NOT_REPLAYED = {"connection", "keep-alive", "transfer-encoding", "content-length", "date"}


class Replayer:
    def __init__(self, sandbox: str) -> None:
        self.sandbox = httpx2.AsyncClient(base_url=sandbox, timeout=30)
        self.answers: dict[bytes, bytes] = {}  # request line + Authorization → whole answer

    async def answer(self, line: bytes, headers: dict[bytes, bytes]) -> bytes:
        key = line + b"\x00" + headers.get(b"authorization", b"")
        found = self.answers.get(key)
        if found is None:
            found = await self._record(line, headers)
            self.answers[key] = found
        return found

    async def _record(self, line: bytes, headers: dict[bytes, bytes]) -> bytes:
        method, target, _ = line.decode("latin-1").split(" ", 2)
        sent = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in headers.items()
            if name in (b"authorization", b"accept")
        }
        response = await self.sandbox.request(method, target, headers=sent)
        head = [f"HTTP/1.1 {response.status_code} {response.reason_phrase}"]
        head += [
            f"{name}: {value}"
            for name, value in response.headers.items()
            if name.lower() not in NOT_REPLAYED
        ]
        head.append(f"content-length: {len(response.content)}")
        return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.content

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.split(b"\r\n")
                headers: dict[bytes, bytes] = {}
                for raw in lines[1:]:
                    name, _, value = raw.partition(b":")
                    if name:
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get(b"content-length", b"0"))
                if length:
                    await reader.readexactly(length)  # GETs only in practice; read and ignore
                writer.write(await self.answer(lines[0], headers))
                await writer.drain()
        finally:
            writer.close()


async def main(sandbox: str) -> None:
    replayer = Replayer(sandbox)
    server = await asyncio.start_server(replayer.serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"{READY}http://127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):  # the benchmark's stop
        asyncio.run(main(sys.argv[1]))
