"""The per-principal pool: bounded (least recently used out first), idle clients closed,
nothing shared between keys, nothing closed under a running call, the server's own kept."""

from __future__ import annotations

from typing import Any, cast

import anyio
import pytest

from pimelo_mcp.client import PimeloClient
from pimelo_mcp.principal import SERVER_KEY, Principal
from pimelo_mcp.tools.principals import PrincipalPool


class FakeClient:
    """Stands in for a PimeloClient: the pool only opens and closes clients."""

    def __init__(self, principal: Principal) -> None:
        self.token = principal.pimelo_token
        self.closed = 0
        self.closed_event = anyio.Event()

    async def aclose(self) -> None:
        self.closed += 1
        self.closed_event.set()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Pool:
    """A pool of fake clients on a fake clock, with every client it opened."""

    def __init__(self, *, max_size: int = 3, idle_seconds: float = 60.0, server: bool = True):
        self.opened: list[FakeClient] = []
        self.revoked: list[Principal] = []
        self.clock = Clock()

        def open_client(principal: Principal) -> PimeloClient:
            client = FakeClient(principal)
            self.opened.append(client)
            return cast(PimeloClient, client)

        async def revoke(principal: Principal) -> None:
            self.revoked.append(principal)

        self.pool = PrincipalPool(
            open_client,
            server=Principal(SERVER_KEY, "pim_server") if server else None,
            max_size=max_size,
            idle_seconds=idle_seconds,
            revoke=revoke,
            clock=self.clock,
        )

    async def use(self, principal: Principal) -> FakeClient:
        """One call of `principal` that opens its client; the client it used."""
        async with self.pool.lease(principal) as resources:
            return cast(Any, resources.client)


def user(name: str, token: str | None = None) -> Principal:
    return Principal(key=f"grant-{name}", pimelo_token=token or f"pim_{name}", user=name)


async def test_clients_are_never_shared_between_keys_and_reused_within_one() -> None:
    pool = Pool()
    alice, bob = user("alice"), user("bob")
    first = await pool.use(alice)
    assert await pool.use(bob) is not first
    assert await pool.use(alice) is first
    assert [client.token for client in pool.opened] == ["pim_alice", "pim_bob"]


async def test_a_full_pool_closes_the_least_recently_used_client() -> None:
    pool = Pool(max_size=2)
    a = await pool.use(user("a"))
    b = await pool.use(user("b"))
    await pool.use(user("a"))  # a is now the most recently used
    c = await pool.use(user("c"))
    assert pool.pool.keys() == ["grant-a", "grant-c"]
    assert (a.closed, b.closed, c.closed) == (0, 1, 0)
    assert await pool.use(user("b")) is not b  # b comes back with a client of its own
    assert a.closed == 1
    assert len(pool.pool.keys()) == 2


async def test_an_evicted_client_in_use_is_closed_when_its_call_ends() -> None:
    pool = Pool(max_size=1)
    async with pool.pool.lease(user("slow")) as slow:
        client = cast(Any, slow.client)
        await pool.use(user("other"))  # evicts "slow" from the pool while its call runs
        assert pool.pool.keys() == ["grant-other"]
        assert client.closed == 0
    assert client.closed == 1


async def test_an_idle_client_is_closed_and_a_busy_or_recent_one_kept() -> None:
    pool = Pool(idle_seconds=60)
    idle = await pool.use(user("idle"))
    pool.clock.now += 30
    recent = await pool.use(user("recent"))
    async with pool.pool.lease(user("busy")) as busy_resources:
        busy = cast(Any, busy_resources.client)
        pool.clock.now += 45  # idle: 75 s unused; recent: 45 s; busy: in a call
        assert await pool.pool.close_idle() == ["grant-idle"]
    assert (idle.closed, recent.closed, busy.closed) == (1, 0, 0)
    assert pool.pool.keys() == ["grant-recent", "grant-busy"]
    pool.clock.now += 60
    assert sorted(await pool.pool.close_idle()) == ["grant-busy", "grant-recent"]
    assert (recent.closed, busy.closed) == (1, 1)


async def test_the_sweeper_closes_idle_clients_on_its_own() -> None:
    pool = Pool(idle_seconds=0.01)
    client = await pool.use(user("idle"))
    pool.clock.now += 1
    async with anyio.create_task_group() as sweeps:
        sweeps.start_soon(pool.pool.close_idle_forever)
        with anyio.fail_after(30):  # a safety net: the sweep runs every 2.5 ms
            await client.closed_event.wait()
        sweeps.cancel_scope.cancel()
    assert pool.pool.keys() == []


async def test_the_server_principal_is_kept_outside_the_bound_and_the_idle_sweep() -> None:
    pool = Pool(max_size=1, idle_seconds=1)
    server = await pool.use(Principal(SERVER_KEY, "pim_server"))
    await pool.use(user("a"))
    await pool.use(user("b"))
    pool.clock.now += 100
    await pool.pool.close_idle()
    assert server.closed == 0
    assert await pool.use(Principal(SERVER_KEY, "pim_server")) is server
    await pool.pool.aclose()
    assert server.closed == 1


async def test_a_new_token_under_the_same_key_gets_a_new_client() -> None:
    pool = Pool()
    old = await pool.use(user("alice", "pim_old"))
    new = await pool.use(user("alice", "pim_new"))
    assert new is not old
    assert old.closed == 1
    assert new.token == "pim_new"


async def test_a_refused_principal_is_dropped_and_revoked_once_the_server_never() -> None:
    pool = Pool()
    alice = user("alice")
    async with pool.pool.lease(alice) as first, pool.pool.lease(alice) as second:
        client = cast(Any, first.client)
        await pool.pool.refused(first)  # two calls meet the 401 at once
        await pool.pool.refused(second)
        assert pool.pool.keys() == []
        assert client.closed == 0  # the calls still use it
    assert client.closed == 1
    assert pool.revoked == [alice]
    async with pool.pool.lease(Principal(SERVER_KEY, "pim_server")) as server:
        await pool.pool.refused(server)
    assert pool.revoked == [alice]


async def test_a_refusal_of_a_replaced_token_leaves_the_new_one_alone() -> None:
    pool = Pool()
    async with pool.pool.lease(user("alice", "pim_old")) as old:
        new = await pool.use(user("alice", "pim_new"))
        await pool.pool.refused(old)
    assert pool.pool.keys() == ["grant-alice"]
    assert new.closed == 0
    assert pool.revoked == []


async def test_a_failing_revoker_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    async def broken(principal: Principal) -> None:
        raise RuntimeError("store is down")

    pool = PrincipalPool(
        lambda principal: cast(PimeloClient, FakeClient(principal)),
        server=None,
        max_size=2,
        idle_seconds=60,
        revoke=broken,
    )
    async with pool.lease(user("alice")) as alice:
        await pool.refused(alice)
    assert "could not revoke the grant grant-alice" in caplog.text
    assert "pim_alice" not in caplog.text


async def test_shutdown_closes_every_client() -> None:
    pool = Pool()
    clients = [await pool.use(user(name)) for name in ("a", "b", "c")]
    await pool.pool.aclose()
    assert [client.closed for client in clients] == [1, 1, 1]
    assert pool.pool.keys() == []


def test_a_pool_refuses_a_bound_that_cannot_work() -> None:
    with pytest.raises(ValueError, match="max_size"):
        PrincipalPool(
            lambda p: cast(PimeloClient, FakeClient(p)), server=None, max_size=0, idle_seconds=1
        )


async def test_a_grant_claiming_the_server_key_never_gets_the_server_client() -> None:
    pool = Pool()
    with pytest.raises(ValueError, match="is the server's own"):
        await pool.use(Principal(SERVER_KEY, "pim_someone_else"))
    without_server = Pool(server=False)
    with pytest.raises(ValueError, match="is the server's own"):
        await without_server.use(Principal(SERVER_KEY, "pim_server"))
    assert [client.token for client in pool.opened + without_server.opened] == []
