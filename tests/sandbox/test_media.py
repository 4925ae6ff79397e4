"""Media: upload with sniffing and caps, dimensions, metadata, download and list filters."""

from __future__ import annotations

import hashlib
import struct

import httpx2
import pytest

from tests.sandbox.catalog import make_png
from tests.sandbox.conftest import FULL, client_for, sandbox_app


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00;"


def webp(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    chunk = b"VP8L" + struct.pack("<I", 5) + b"\x2f" + bits.to_bytes(4, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


@pytest.mark.parametrize(
    ("filename", "content", "mime_type", "size"),
    [
        ("photo.png", make_png(7, 5), "image/png", (7, 5)),
        ("photo.jpg", jpeg(640, 480), "image/jpeg", (640, 480)),
        ("anim.gif", gif(3, 9), "image/gif", (3, 9)),
        ("pic.webp", webp(300, 200), "image/webp", (300, 200)),
        ("manual.pdf", b"%PDF-1.7\n%...", "application/pdf", (None, None)),
    ],
)
async def test_upload_sniffs_type_and_reads_dimensions(
    client: httpx2.AsyncClient,
    filename: str,
    content: bytes,
    mime_type: str,
    size: tuple[int | None, int | None],
) -> None:
    response = await client.post(
        "media", files={"file": (filename, content, "application/octet-stream")}
    )
    assert response.status_code == 201, response.text
    media = response.json()
    assert media["mime_type"] == mime_type
    assert (media["width"], media["height"]) == size
    assert media["size"] == len(content)
    assert media["sha256"] == hashlib.sha256(content).hexdigest()
    assert media["filename"] == filename
    assert media["download_url"] == f"http://sandbox/api/v1/media/{media['code']}/download"
    assert response.headers["location"] == f"http://sandbox/api/v1/media/{media['code']}"
    download = await client.get(media["download_url"])
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-type"] == mime_type
    assert (await client.get(f"media/{media['code']}")).json() == media


async def test_codes_are_derived_from_file_names_and_made_unique(
    client: httpx2.AsyncClient,
) -> None:
    first = await client.post(
        "media", files={"file": ("Shoe Red.PNG", make_png(1, 1), "image/png")}
    )
    second = await client.post(
        "media", files={"file": ("shoe red.png", make_png(1, 1), "image/png")}
    )
    assert first.json()["code"] == "shoe_red_2"  # shoe_red exists in the catalog
    assert second.json()["code"] == "shoe_red_3"


async def test_explicit_code_is_used_and_must_be_free_and_valid(client: httpx2.AsyncClient) -> None:
    ok = await client.post(
        "media", files={"file": ("a.png", make_png(1, 1), "image/png")}, data={"code": "hero"}
    )
    assert ok.json()["code"] == "hero"
    taken = await client.post(
        "media", files={"file": ("a.png", make_png(1, 1), "image/png")}, data={"code": "hero"}
    )
    assert taken.status_code == 409
    bad = await client.post(
        "media", files={"file": ("a.png", make_png(1, 1), "image/png")}, data={"code": "Bad Code"}
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "code"


async def test_files_of_other_types_are_unsupported(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        "media", files={"file": ("fake.png", b"MZ\x90\x00 not an image", "image/png")}
    )
    assert response.status_code == 415
    assert response.json()["type"].endswith("/unsupported-media-type")
    assert "image/png" in response.json()["allowed"]


async def test_upload_that_is_not_multipart_is_unsupported(client: httpx2.AsyncClient) -> None:
    response = await client.post("media", json={"file": "x"})
    assert response.status_code == 415
    assert response.json()["allowed"] == ["multipart/form-data"]


async def test_upload_without_a_file_part_is_refused(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        "media", data={"code": "x"}, files={"other": ("a.png", b"x", "image/png")}
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"file", "other"}


async def test_files_over_the_cap_are_too_large() -> None:
    with sandbox_app(max_upload_bytes=1000) as app:
        async with client_for(app, FULL) as http:
            small = await http.post("media", files={"file": ("a.png", make_png(2, 2), "image/png")})
            assert small.status_code == 201
            big = make_png(2, 2) + b"\x00" * 1000
            response = await http.post("media", files={"file": ("b.png", big, "image/png")})
            assert response.status_code == 413
            assert response.json()["max_bytes"] == 1000
            huge = await http.post(
                "media", files={"file": ("c.png", b"\x00" * 200_000, "image/png")}
            )
            assert huge.status_code == 413


async def test_media_list_filters(client: httpx2.AsyncClient) -> None:
    await client.post("media", files={"file": ("doc.pdf", b"%PDF-1.4", "application/pdf")})

    async def codes(params: dict[str, str]) -> list[str]:
        response = await client.get("media", params=params)
        assert response.status_code == 200, response.text
        return [m["code"] for m in response.json()["items"]]

    assert await codes({}) == ["doc", "logo", "shoe_red"]
    assert await codes({"mime_type": "application/pdf"}) == ["doc"]
    assert await codes({"search": "SHOE"}) == ["shoe_red"]
    assert await codes({"product": "SHOE-1"}) == ["shoe_red"]
    assert await codes({"product": "SHOE-2"}) == []
    assert await codes({"limit": "2"}) == ["doc", "logo"]
    missing = await client.get("media", params={"product": "NOPE"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "product"


async def test_media_upload_is_idempotent(client: httpx2.AsyncClient) -> None:
    headers = {"Idempotency-Key": "upload-1"}
    files = {"file": ("x.png", make_png(1, 1), "image/png")}
    first = await client.post("media", files=files, headers=headers)
    second = await client.post("media", files=files, headers=headers)
    assert first.json() == second.json()
    assert second.headers["idempotent-replayed"] == "true"
    other = await client.post(
        "media", files={"file": ("y.png", make_png(2, 1), "image/png")}, headers=headers
    )
    assert other.status_code == 409
