"""search_media and upload_media through a real MCP client (no network: URL fetches are mocked)."""

import base64
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx2
import pytest
from mcp import Client
from starlette.applications import Starlette

from pimelo_mcp.config import Settings
from pimelo_mcp.sandbox.demo.images import PNG_SIGNATURE, encode_png
from pimelo_mcp.server import build_server
from pimelo_mcp.tools import media as media_tools
from tests.tools.conftest import (
    BASE_URL,
    FULL_TOKEN,
    call,
    error_text,
    read_journal,
    structured,
)

TINY_PNG = encode_png(2, 2, [b"\xff\x00\x00" * 2, b"\x00\x00\xff" * 2])
TINY_B64 = base64.b64encode(TINY_PNG).decode()

ConnectWith = Callable[..., Client]


@pytest.fixture
def connect_with(sandbox_http: httpx2.AsyncClient, audit_path: Path, mode: str) -> ConnectWith:
    """`connect_with(upload_dirs=(...), http=...)` → an unopened Client on a server with those
    settings (and that HTTP client to the sandbox)."""

    def make(
        *, upload_dirs: tuple[Path, ...] = (), http: httpx2.AsyncClient | None = None
    ) -> Client:
        settings = Settings(
            api_token=FULL_TOKEN, base_url=BASE_URL, audit_path=audit_path, upload_dirs=upload_dirs
        )
        server = build_server(settings, http_client=http or sandbox_http)
        return Client(server, mode=mode)  # type: ignore[arg-type]

    return make


async def _product_with_image(mcp: Client) -> dict[str, str]:
    page = structured(
        await call(
            mcp,
            "search_products",
            {
                "filters": [{"attribute": "main_image", "op": "not_empty"}],
                "fields": ["main_image"],
                "limit": 1,
            },
        )
    )
    item = page["items"][0]
    return {"identifier": item["identifier"], "image": item["values"]["main_image"]}


async def test_search_media_by_text_and_product(connect_with: ConnectWith) -> None:
    async with connect_with() as mcp:
        product = await _product_with_image(mcp)
        data = structured(await call(mcp, "search_media", {"product": product["identifier"]}))
        assert [item["code"] for item in data["items"]] == [product["image"]]
        found = structured(
            await call(mcp, "search_media", {"query": product["image"], "mime_type": "image/png"})
        )
        assert product["image"] in [item["code"] for item in found["items"]]
        assert found["items"][0]["width"] > 0


async def test_search_media_pages_with_the_cursor(connect_with: ConnectWith) -> None:
    async with connect_with() as mcp:
        first = structured(await call(mcp, "search_media", {"limit": 3}))
        second = structured(
            await call(mcp, "search_media", {"limit": 3, "cursor": first["next_cursor"]})
        )
        codes = [item["code"] for item in first["items"] + second["items"]]
        assert len(set(codes)) == 6


async def test_search_media_returns_a_small_image_as_image_content(
    connect_with: ConnectWith,
) -> None:
    async with connect_with() as mcp:
        product = await _product_with_image(mcp)
        result = await call(mcp, "search_media", {"code": product["image"], "include_image": True})
        assert not result.is_error
        images = [block for block in result.content if block.type == "image"]
        assert len(images) == 1
        assert images[0].mime_type == "image/png"
        assert base64.b64decode(images[0].data).startswith(PNG_SIGNATURE)
        assert "attached" in structured(result)["image"]


async def test_search_media_include_image_needs_a_code(connect_with: ConnectWith) -> None:
    async with connect_with() as mcp:
        assert "include_image needs code" in error_text(
            await call(mcp, "search_media", {"include_image": True})
        )


async def test_upload_base64_and_attach_to_a_product(
    connect_with: ConnectWith, audit_path: Path
) -> None:
    async with connect_with() as mcp:
        shoe = structured(
            await call(mcp, "search_products", {"limit": 1, "attribute_set": ["running_shoes"]})
        )["items"][0]
        data = structured(
            await call(
                mcp,
                "upload_media",
                {
                    "content_base64": TINY_B64,
                    "filename": "red-dot.png",
                    "code": "red_dot",
                    "attach_to": {"identifier": shoe["identifier"]},
                },
            )
        )
        assert data["media"]["code"] == "red_dot"
        assert data["media"]["mime_type"] == "image/png"
        assert data["attached_to"] == shoe["identifier"]
        assert data["changes"][0]["field"] == "values.main_image"
        assert data["changes"][0]["after"] == "red_dot"
        product = structured(
            await call(
                mcp, "get_product", {"identifier": shoe["identifier"], "fields": ["main_image"]}
            )
        )["product"]
        assert product["values"]["main_image"] == "red_dot"
        assert product["version"] == data["product_version"]
        journal = read_journal(audit_path)
        assert [r["target"].get("kind") for r in journal] == ["media", "product"]
        assert journal[1]["after"]["values.main_image"] == "red_dot"


async def test_attach_to_a_bad_target_uploads_nothing(connect_with: ConnectWith) -> None:
    async with connect_with() as mcp:
        shoe = structured(await call(mcp, "search_products", {"limit": 1}))["items"][0]
        text = error_text(
            await call(
                mcp,
                "upload_media",
                {
                    "content_base64": TINY_B64,
                    "filename": "dot.png",
                    "code": "never_uploaded",
                    "attach_to": {"identifier": shoe["identifier"], "attribute": "name"},
                },
            )
        )
        assert "not a media attribute" in text
        assert "main_image" in text
        assert "never_uploaded" not in [
            item["code"]
            for item in structured(await call(mcp, "search_media", {"query": "never"}))["items"]
        ]


TINY_GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"


async def _media_codes(mcp: Client, query: str) -> list[str]:
    found = structured(await call(mcp, "search_media", {"query": query}))
    return [item["code"] for item in found["items"]]


async def test_attach_to_refuses_an_extension_the_attribute_does_not_take_before_uploading(
    connect_with: ConnectWith, tmp_path: Path
) -> None:
    allowed = tmp_path / "uploads"
    allowed.mkdir()
    (allowed / "spinner").write_bytes(TINY_GIF)  # no extension: its bytes say gif
    (allowed / "pixel").write_bytes(TINY_PNG)  # no extension: its bytes say png
    async with connect_with(upload_dirs=(allowed,)) as mcp:
        shoe = structured(
            await call(mcp, "search_products", {"limit": 1, "attribute_set": ["running_shoes"]})
        )["items"][0]
        target = {"identifier": shoe["identifier"]}
        for source in (
            {"content_base64": base64.b64encode(TINY_GIF).decode(), "filename": "spin.gif"},
            {"path": "spinner"},
        ):
            text = error_text(
                await call(
                    mcp, "upload_media", {**source, "code": "orphan_gif", "attach_to": target}
                )
            )
            assert "main_image takes only png, jpg, jpeg, webp files" in text
            assert (
                "spin.gif is a .gif file" in text or "spinner is a .gif file by its bytes" in text
            )
            assert "Nothing was uploaded" in text
        assert "orphan_gif" not in await _media_codes(mcp, "orphan")
        data = structured(await call(mcp, "upload_media", {"path": "pixel", "attach_to": target}))
        assert data["media"]["filename"] == "pixel.png"
        assert data["attached_to"] == shoe["identifier"]


class _SomeoneElseFirst(httpx2.AsyncBaseTransport):
    """The sandbox, where another user sends `edit` just before the tool's PATCH of a product."""

    def __init__(self, app: Starlette, edit: Callable[[str], tuple[str, dict[str, object]]]):
        self._inner = httpx2.ASGITransport(app=app)
        self._edit = edit

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.method == "PATCH" and "/products/" in request.url.path:
            path, body = self._edit(request.url.path)
            edit = httpx2.Request(
                "PATCH",
                request.url.copy_with(path=path),
                headers={"Authorization": request.headers["Authorization"]},
                json=body,
            )
            await (await self._inner.handle_async_request(edit)).aread()
        return await self._inner.handle_async_request(request)


async def _attach_after(
    connect_with: ConnectWith,
    sandbox: Starlette,
    edit: Callable[[str], tuple[str, dict[str, object]]],
) -> str:
    """The error text of an upload_media with attach_to when `edit` comes in between."""
    transport = _SomeoneElseFirst(sandbox, edit)
    async with (
        httpx2.AsyncClient(transport=transport, base_url=BASE_URL) as http,
        connect_with(http=http) as mcp,
    ):
        shoe = structured(
            await call(mcp, "search_products", {"limit": 1, "attribute_set": ["running_shoes"]})
        )["items"][0]
        return error_text(
            await call(
                mcp,
                "upload_media",
                {
                    "content_base64": TINY_B64,
                    "filename": "dot.png",
                    "code": "dot",
                    "attach_to": {"identifier": shoe["identifier"]},
                },
            )
        )


async def test_attach_refused_on_its_value_does_not_suggest_update_products(
    connect_with: ConnectWith, sandbox: Starlette
) -> None:
    text = await _attach_after(  # main_image stops taking png between the check and the attach
        connect_with,
        sandbox,
        lambda _: (
            "/api/v1/attributes/main_image",
            {"validation": {"allowed_extensions": ["webp"]}},
        ),
    )
    assert "Uploaded media dot, but Pimelo refused it as" in text
    assert "values.main_image" in text
    assert "webp" in text
    assert "update_products" not in text


async def test_attach_that_fails_otherwise_suggests_update_products(
    connect_with: ConnectWith, sandbox: Starlette
) -> None:
    text = await _attach_after(  # the product changes between the check and the attach: 412
        connect_with,
        sandbox,
        lambda path: (
            path,
            {"values": {"rating": [{"locale": None, "channel": None, "data": 1.2}]}},
        ),
    )
    assert "Uploaded media dot, but setting it on" in text
    assert 'update_products values {"main_image": "dot"}' in text


async def test_exactly_one_source(connect_with: ConnectWith) -> None:
    async with connect_with() as mcp:
        assert "exactly one of url, path, content_base64" in error_text(
            await call(mcp, "upload_media", {})
        )
        text = error_text(
            await call(
                mcp,
                "upload_media",
                {"content_base64": TINY_B64, "filename": "a.png", "url": "https://x.test/a.png"},
            )
        )
        assert "got url, content_base64" in text
        assert "needs a filename" in error_text(
            await call(mcp, "upload_media", {"content_base64": TINY_B64})
        )
        assert "not valid base64" in error_text(
            await call(mcp, "upload_media", {"content_base64": "!!!", "filename": "a.png"})
        )


async def test_a_file_pimelo_does_not_take_is_a_clear_error(connect_with: ConnectWith) -> None:
    async with connect_with() as mcp:
        text = error_text(
            await call(
                mcp,
                "upload_media",
                {
                    "content_base64": base64.b64encode(b"just some text").decode(),
                    "filename": "notes.png",
                },
            )
        )
        assert "Pimelo refused notes.png" in text
        assert "image/png" in text
        assert "Nothing was uploaded" in text


async def test_path_upload_inside_the_allowed_folder(
    connect_with: ConnectWith, tmp_path: Path, audit_path: Path
) -> None:
    allowed = tmp_path / "uploads"
    allowed.mkdir()
    (allowed / "dot.png").write_bytes(TINY_PNG)
    (allowed / "link.png").symlink_to(allowed / "dot.png")
    async with connect_with(upload_dirs=(allowed,)) as mcp:
        by_absolute = structured(
            await call(mcp, "upload_media", {"path": str(allowed / "dot.png")})
        )
        assert by_absolute["media"]["filename"] == "dot.png"
        by_relative = structured(await call(mcp, "upload_media", {"path": "link.png"}))
        assert by_relative["media"]["size"] == len(TINY_PNG)
        assert read_journal(audit_path)[0]["after"]["source"] == str(allowed / "dot.png")


async def test_path_upload_outside_the_allowed_folder_is_refused(
    connect_with: ConnectWith, tmp_path: Path
) -> None:
    allowed = tmp_path / "uploads"
    allowed.mkdir()
    outside = tmp_path / "secret.png"
    outside.write_bytes(TINY_PNG)
    (allowed / "sneaky.png").symlink_to(outside)
    async with connect_with(upload_dirs=(allowed,)) as mcp:
        for given in (str(outside), "../secret.png", "sneaky.png"):
            text = error_text(await call(mcp, "upload_media", {"path": given}))
            assert "outside the allowed upload folders" in text
            assert str(allowed) in text
        assert "No file" in error_text(await call(mcp, "upload_media", {"path": "missing.png"}))


async def test_path_upload_without_folders_says_how_to_enable_it(
    connect_with: ConnectWith, tmp_path: Path
) -> None:
    async with connect_with() as mcp:
        text = error_text(await call(mcp, "upload_media", {"path": str(tmp_path / "a.png")}))
        assert "PIMELO_UPLOAD_DIRS" in text


async def test_url_must_be_public_https(connect_with: ConnectWith) -> None:
    async with connect_with() as mcp:
        for url in ("http://images.example.com/a.png", "ftp://x/a.png", "https://127.0.0.1/a.png"):
            text = error_text(await call(mcp, "upload_media", {"url": url}))
            assert "https" in text
            assert "Nothing was uploaded" in text or "public" in text


FAKE_DNS = {
    "cdn.example.com": ["93.184.215.14"],
    "localtest.me": ["127.0.0.1"],
    "169.254.169.254.nip.io": ["169.254.169.254"],
    "split.example.com": ["93.184.215.14", "10.0.0.7"],  # one public address is not enough
    "nat64.example.com": ["64:ff9b::a9fe:a9fe"],  # a DNS64 answer for the metadata service
}


async def _fake_resolver(host: str, port: int) -> list[str]:
    """Names from FAKE_DNS, anything else from the system resolver (numeric forms, localhost)."""
    if host in FAKE_DNS:
        return FAKE_DNS[host]
    return await media_tools.system_addresses(host, port)


def _never_fetched(request: httpx2.Request) -> httpx2.Response:
    raise AssertionError(f"fetched {request.url}")


async def test_url_hosts_that_resolve_to_a_private_address_are_refused(
    connect_with: ConnectWith, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(media_tools, "URL_RESOLVER", _fake_resolver)
    monkeypatch.setattr(media_tools, "URL_TRANSPORT", _serve(_never_fetched))
    hosts = [
        "127.1",  # numeric forms the system resolver reads as 127.0.0.1, no DNS needed
        "2130706433",
        "0x7f.1",
        "localhost",
        "[::1]",
        "localtest.me",
        "169.254.169.254.nip.io",
        "split.example.com",
        # IPv6 forms that carry the metadata address 169.254.169.254 (tests/tools/test_addresses.py)
        "[64:ff9b::a9fe:a9fe]",
        "[64:ff9b:1::a9fe:a9fe]",
        "[2002:a9fe:a9fe::1]",
        "[::a9fe:a9fe]",
        "[::ffff:a9fe:a9fe]",
        "nat64.example.com",
    ]
    async with connect_with() as mcp:
        for host in hosts:
            text = error_text(await call(mcp, "upload_media", {"url": f"https://{host}/a.png"}))
            assert "not a public address" in text, (host, text)
            assert "Nothing was uploaded" in text
        assert "10.0.0.7" in error_text(
            await call(mcp, "upload_media", {"url": "https://split.example.com/a.png"})
        )


async def _huge() -> AsyncIterator[bytes]:
    yield PNG_SIGNATURE
    for _ in range(11):
        yield b"\0" * 1024 * 1024


def _serve(handler: Callable[[httpx2.Request], httpx2.Response]) -> httpx2.MockTransport:
    return httpx2.MockTransport(handler)


async def test_url_upload_with_a_mocked_fetch(
    connect_with: ConnectWith, monkeypatch: pytest.MonkeyPatch
) -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/old.png":
            return httpx2.Response(301, headers={"Location": "/images/trail.png"})
        if request.url.path == "/insecure.png":
            return httpx2.Response(302, headers={"Location": "http://cdn.example.com/a.png"})
        if request.url.path == "/page.html":
            return httpx2.Response(200, headers={"Content-Type": "text/html"}, content=b"<html>")
        if request.url.path == "/huge.png":  # no Content-Length: the cap holds while streaming
            return httpx2.Response(200, headers={"Content-Type": "image/png"}, content=_huge())
        if request.url.path == "/to-metadata.png":
            return httpx2.Response(302, headers={"Location": "https://169.254.169.254.nip.io/"})
        # pinned: sent to the address checked, with the name as Host and for the certificate
        assert request.url.host == "93.184.215.14"
        assert request.headers["Host"] == "cdn.example.com"
        assert request.extensions["sni_hostname"] == "cdn.example.com"
        return httpx2.Response(200, headers={"Content-Type": "image/png"}, content=TINY_PNG)

    monkeypatch.setattr(media_tools, "URL_TRANSPORT", _serve(handler))
    monkeypatch.setattr(media_tools, "URL_RESOLVER", _fake_resolver)
    async with connect_with() as mcp:
        data = structured(
            await call(mcp, "upload_media", {"url": "https://cdn.example.com/old.png"})
        )
        assert data["media"]["filename"] == "trail.png"
        assert data["media"]["code"] == "trail"
        assert "https" in error_text(
            await call(mcp, "upload_media", {"url": "https://cdn.example.com/insecure.png"})
        )
        assert "text/html" in error_text(
            await call(mcp, "upload_media", {"url": "https://cdn.example.com/page.html"})
        )
        assert "larger than" in error_text(
            await call(mcp, "upload_media", {"url": "https://cdn.example.com/huge.png"})
        )
        text = error_text(
            await call(mcp, "upload_media", {"url": "https://cdn.example.com/to-metadata.png"})
        )
        assert "169.254.169.254.nip.io (169.254.169.254) is not a public address" in text


async def test_an_unusable_path_is_a_clear_refusal(
    connect_with: ConnectWith, tmp_path: Path
) -> None:
    allowed = tmp_path / "uploads"
    allowed.mkdir()
    (allowed / "locked.png").write_bytes(TINY_PNG)
    (allowed / "locked.png").chmod(0)
    (allowed / "loop.png").symlink_to(allowed / "loop.png")
    async with connect_with(upload_dirs=(allowed,)) as mcp:
        text = error_text(await call(mcp, "upload_media", {"path": "dot\x00.png"}))
        assert "NUL byte" in text
        assert "Nothing was uploaded" in text
        text = error_text(await call(mcp, "upload_media", {"path": "x" * 5000 + ".png"}))
        assert "cannot be read" in text
        text = error_text(await call(mcp, "upload_media", {"path": "loop.png"}))
        assert "cannot be read" in text
        if os.geteuid() != 0:  # root reads any file
            text = error_text(await call(mcp, "upload_media", {"path": "locked.png"}))
            assert "cannot be read (Permission denied)" in text
