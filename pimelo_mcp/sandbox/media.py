"""Uploaded files: the type sniffed from their first bytes and image dimensions read from headers."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

ALLOWED_MIME_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf")


@dataclass(frozen=True)
class Sniffed:
    """What the bytes of a file say it is."""

    mime_type: str
    width: int | None
    height: int | None


def sniff(content: bytes) -> Sniffed | None:
    """The file's type (one of ALLOWED_MIME_TYPES) and dimensions, or None when not allowed."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        width, height = _png_size(content)
        return Sniffed("image/png", width, height)
    if content.startswith(b"\xff\xd8\xff"):
        width, height = _jpeg_size(content)
        return Sniffed("image/jpeg", width, height)
    if content[:6] in (b"GIF87a", b"GIF89a"):
        if len(content) >= 10:
            width, height = struct.unpack("<HH", content[6:10])
            return Sniffed("image/gif", width, height)
        return Sniffed("image/gif", None, None)
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        width, height = _webp_size(content)
        return Sniffed("image/webp", width, height)
    if content.startswith(b"%PDF-"):
        return Sniffed("application/pdf", None, None)
    return None


def _png_size(content: bytes) -> tuple[int | None, int | None]:
    if len(content) >= 24 and content[12:16] == b"IHDR":
        width, height = struct.unpack(">II", content[16:24])
        return width, height
    return None, None


def _jpeg_size(content: bytes) -> tuple[int | None, int | None]:
    index = 2
    while index + 4 <= len(content):
        if content[index] != 0xFF:
            index += 1
            continue
        marker = content[index + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            index += 1 if marker == 0xFF else 2
            continue
        (length,) = struct.unpack(">H", content[index + 2 : index + 4])
        # Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) do not.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if index + 9 <= len(content):
                height, width = struct.unpack(">HH", content[index + 5 : index + 9])
                return width, height
            return None, None
        index += 2 + length
    return None, None


def _webp_size(content: bytes) -> tuple[int | None, int | None]:
    chunk = content[12:16]
    if chunk == b"VP8 " and len(content) >= 30:
        width, height = struct.unpack("<HH", content[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(content) >= 25:
        bits = int.from_bytes(content[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(content) >= 30:
        width = int.from_bytes(content[24:27], "little") + 1
        height = int.from_bytes(content[27:30], "little") + 1
        return width, height
    return None, None


def code_from_filename(filename: str) -> str:
    """A media code derived from a file name: lower-case, `[a-z0-9_]`, at most 100 characters."""
    stem = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    code = re.sub(r"[^a-z0-9_]+", "_", stem.lower()).strip("_")[:90]
    return code or "media"


def extension_of(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
