"""Fault injection for the sandbox (`pimelo-mcp sandbox --faults SPEC`): a flaky network on demand.

SPEC is `;`-separated items: `seed=N` (default 1), and rules `[METHOD ]PATH:FAULT@P,FAULT@P`.
PATH is a glob under /api/v1 (`/products/bulk`, `/products/*`, `*`); P a probability from 0
to 1. FAULT is one of:

- `latency(S)`      wait S seconds (default 1) before handling the request
- `hang`            never answer (until the client goes away)
- `error-before(C)` answer status C (default 502) without handling the request
- `error-after(C)`  handle the request (the write happens), then answer status C instead
- `drop-before`     close the connection without handling the request
- `drop-after`      handle the request, then close the connection before the body
- `truncate(F)`     handle it, answer a complete 2xx whose body is cut to the fraction F (0.5)
- `drip(S)`         handle it, then send the answer's body one byte every S seconds (default 1)
- `storm(R)`        answer 429 with `Retry-After: R` (default 60) without handling the request

Example: `seed=7; POST /products/bulk: error-after@0.2, truncate@0.1; *: latency(0.05)@0.3`.

Deterministic: whether the n-th request to a METHOD + path meets a fault depends only on
the seed, the method, the path and n, never on timing. Several rules may match; `latency`
adds up, and of the other faults the first one drawn is the one applied.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import logging
import math
import random
import re
from collections import Counter
from dataclasses import dataclass, field

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FAULT_DEFAULTS: dict[str, float | None] = {
    "latency": 1.0,
    "hang": None,
    "error-before": 502,
    "error-after": 502,
    "drop-before": None,
    "drop-after": None,
    "truncate": 0.5,
    "drip": 1.0,
    "storm": 60,
}
_FAULT = re.compile(r"^([a-z\-]+)(?:\(([^)]*)\))?@([0-9.]+)$")
_RULE = re.compile(r"^(?:([A-Z]+)\s+)?(\S+?)\s*:\s*(.+)$")
API_PREFIX = "/api/v1"

logger = logging.getLogger("pimelo_mcp.sandbox.faults")


class FaultSpecError(ValueError):
    """A --faults SPEC that cannot be read; the message says where and shows the form."""


@dataclass(frozen=True)
class Fault:
    name: str
    argument: float | None
    probability: float


@dataclass(frozen=True)
class Rule:
    method: str | None  # None: any method
    path: str  # glob under /api/v1
    faults: tuple[Fault, ...]

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and fnmatch.fnmatchcase(
            path, self.path
        )


@dataclass(frozen=True)
class FaultSpec:
    seed: int = 1
    rules: tuple[Rule, ...] = ()
    text: str = ""


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FaultSpecError(f"{what} must be a number, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise FaultSpecError(f"{what} must be a finite number of 0 or more, got {text!r}")
    return value


def parse_fault_spec(text: str) -> FaultSpec:
    """Read a SPEC (see the module docstring); FaultSpecError says what is wrong."""
    seed = 1
    rules: list[Rule] = []
    example = "e.g. 'seed=7; POST /products/bulk: error-after@0.2; *: latency(0.05)@0.3'"
    for raw in text.split(";"):
        item = raw.strip()
        if not item:
            continue
        if item.startswith("seed="):
            try:
                seed = int(item[5:])
            except ValueError:
                raise FaultSpecError(f"seed must be a whole number, got {item!r}") from None
            continue
        rule = _RULE.fullmatch(item)
        if rule is None:
            raise FaultSpecError(f"a rule is [METHOD ]PATH: FAULT@P, ...; got {item!r} ({example})")
        faults: list[Fault] = []
        for part in rule[3].split(","):
            match = _FAULT.fullmatch(part.strip())
            if match is None or match[1] not in FAULT_DEFAULTS:
                raise FaultSpecError(
                    f"unknown fault {part.strip()!r}; faults: {', '.join(FAULT_DEFAULTS)}, "
                    f"each as NAME@P or NAME(ARG)@P ({example})"
                )
            name = match[1]
            default = FAULT_DEFAULTS[name]
            if match[2] and default is None:
                raise FaultSpecError(f"{name} takes no argument; got {part.strip()!r}")
            argument = _number(match[2], f"the argument of {name}") if match[2] else default
            probability = _number(match[3], f"the probability of {name}")
            if probability > 1:
                raise FaultSpecError(f"a probability is from 0 to 1; got {match[3]} for {name}")
            if (
                name in ("error-before", "error-after")
                and argument is not None
                and (not 500 <= argument <= 599 or argument != int(argument))
            ):
                raise FaultSpecError(f"{name} takes a 5xx status; got {match[2]}")
            if name == "truncate" and argument is not None and argument >= 1:
                raise FaultSpecError(f"truncate takes a fraction below 1; got {match[2]}")
            faults.append(Fault(name, argument, probability))
        path = rule[2] if rule[2].startswith(("/", "*")) else "/" + rule[2]
        rules.append(Rule(method=rule[1], path=path, faults=tuple(faults)))
    if not rules:
        raise FaultSpecError(f"no fault rule given ({example})")
    return FaultSpec(seed=seed, rules=tuple(rules), text=text.strip())


class DroppedConnection(Exception):
    """Raised after the answer's head to make the server close the connection (a drop)."""


class _QuietDrops(logging.Filter):
    """The server logs the exception that closes a dropped connection, and the cancellation
    of a request still hanging when it stops; both are on purpose here."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, DroppedConnection | asyncio.CancelledError)


@dataclass
class _Plan:
    latency: float = 0.0
    fault: Fault | None = None


@dataclass
class FaultInjector:
    """ASGI middleware in front of the sandbox app that applies a FaultSpec."""

    app: ASGIApp
    spec: FaultSpec
    seen: Counter[str] = field(default_factory=Counter[str])  # requests per METHOD path
    injected: Counter[str] = field(default_factory=Counter[str])  # faults applied, by name

    def __post_init__(self) -> None:
        server_log = logging.getLogger("uvicorn.error")
        if not any(isinstance(f, _QuietDrops) for f in server_log.filters):
            server_log.addFilter(_QuietDrops())

    def plan(self, method: str, path: str) -> _Plan:
        """What happens to this request: a pure function of seed, method, path and count."""
        key = f"{method} {path}"
        number = self.seen[key]
        self.seen[key] += 1
        rng = random.Random(f"{self.spec.seed}|{key}|{number}")
        plan = _Plan()
        for rule in self.spec.rules:
            if not rule.matches(method, path):
                continue
            for fault in rule.faults:
                if rng.random() >= fault.probability:
                    continue
                if fault.name == "latency":
                    plan.latency += fault.argument or 0.0
                elif plan.fault is None:
                    plan.fault = fault
        return plan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(API_PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        plan = self.plan(scope["method"], path[len(API_PREFIX) :])
        body = await _read_body(receive)
        replay = _replay(body, receive)
        if plan.latency:
            self.injected["latency"] += 1
            if await _wait_or_gone(receive, plan.latency):
                return
        fault = plan.fault
        if fault is None:
            await self.app(scope, replay, send)
            return
        self.injected[fault.name] += 1
        name, argument = fault.name, fault.argument
        if name == "hang":
            await _wait_or_gone(receive, math.inf)
        elif name == "storm":
            await _problem(send, 429, "Too many requests (injected fault)", argument or 60)
        elif name == "error-before":
            await _problem(send, int(argument or 502), "Injected fault, before the request ran")
        elif name == "drop-before":
            await _drop(send)
        else:
            status, headers, answer = await _run(self.app, scope, replay)
            if name == "error-after":
                await _problem(send, int(argument or 502), "Injected fault, after the request ran")
            elif name == "drop-after":
                await _drop(send, headers, status)
            elif name == "truncate" and 200 <= status < 300:
                cut = answer[: int(len(answer) * (argument or 0.5))]
                await _answer(send, status, headers, cut)
            elif name == "drip":
                await _drip(send, receive, status, headers, answer, argument or 1.0)
            else:
                await _answer(send, status, headers, answer)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _wait_or_gone(receive: Receive, seconds: float) -> bool:
    """Wait `seconds`, or until the client goes away (True then)."""
    gone = False
    async with anyio.create_task_group() as group:

        async def watch() -> None:
            nonlocal gone
            while (await receive())["type"] != "http.disconnect":
                pass
            gone = True
            group.cancel_scope.cancel()

        group.start_soon(watch)
        if math.isfinite(seconds):
            await anyio.sleep(seconds)
            group.cancel_scope.cancel()
    return gone


async def _run(
    app: ASGIApp, scope: Scope, receive: Receive
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Run the app to the end and keep its answer (status, headers, body)."""
    status = 500
    headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []

    async def keep(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    return status, headers, b"".join(chunks)


def _with_length(headers: list[tuple[bytes, bytes]], length: int) -> list[tuple[bytes, bytes]]:
    kept = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    return [*kept, (b"content-length", str(length).encode())]


async def _answer(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": _with_length(headers, len(body)),
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _problem(send: Send, status: int, title: str, retry_after: float | None = None) -> None:
    body = json.dumps({"type": "about:blank", "title": title, "status": status}).encode()
    headers = [(b"content-type", b"application/problem+json")]
    if retry_after is not None:
        headers.append((b"retry-after", str(int(retry_after)).encode()))
    await _answer(send, status, headers, body)


async def _drop(
    send: Send, headers: list[tuple[bytes, bytes]] | None = None, status: int = 200
) -> None:
    # An ASGI app cannot close a socket; the server does when an app fails after the
    # answer's head. A declared length that never comes makes it a broken answer for sure.
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": _with_length(headers or [], 1024),
        }
    )
    raise DroppedConnection


async def _drip(
    send: Send,
    receive: Receive,
    status: int,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
    seconds: float,
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": _with_length(headers, len(body)),
        }
    )
    for index in range(len(body)):
        await send(
            {"type": "http.response.body", "body": body[index : index + 1], "more_body": True}
        )
        if await _wait_or_gone(receive, seconds):
            return
    await send({"type": "http.response.body", "body": b""})
