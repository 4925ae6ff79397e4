"""Thumbnails for the review pane: a record's image as a small data URI (the pane has no network).

Bounded in count and bytes; an image that is too large, not an image, or that the token may
not read (no media:read) is left out, never an error: the review works without pictures.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

from pimelo_mcp.capped import read_at_most
from pimelo_mcp.client import InsufficientScopeError, PimeloClient, PimeloError
from pimelo_mcp.client._constants import IMAGE_TYPES

MAX_THUMBNAILS = 40  # downloads per dry run: one request each, beside the dry run's own
MAX_THUMBNAIL_BYTES = 64 * 1024  # one image; a larger one is skipped, never cut
MAX_THUMBNAILS_BYTES = 1024 * 1024  # every image of one answer together


async def thumbnails(client: PimeloClient, codes: Iterable[str]) -> dict[str, str]:
    """Data URIs by media code, for as many of `codes` (in order) as the bounds allow."""
    found: dict[str, str] = {}
    spent = 0
    for code in list(dict.fromkeys(codes))[:MAX_THUMBNAILS]:
        try:
            image = await _download(
                client, code, min(MAX_THUMBNAIL_BYTES, MAX_THUMBNAILS_BYTES - spent)
            )
        except InsufficientScopeError:
            break  # the token may not read media: no other image will do better
        except (PimeloError, ValueError):
            continue  # this one is gone or unreadable; the others may be fine
        if image is None:
            continue
        mime_type, content = image
        spent += len(content)
        found[code] = f"data:{mime_type};base64,{base64.b64encode(content).decode('ascii')}"
    return found


async def _download(client: PimeloClient, code: str, limit: int) -> tuple[str, bytes] | None:
    """(type, bytes) of an image within `limit` bytes, or None (stops reading past the limit)."""
    async with client.media.download_stream(code) as download:
        mime_type = (download.content_type or "").split(";")[0].strip().lower()
        if mime_type not in IMAGE_TYPES:
            return None
        if download.content_length is not None and download.content_length > limit:
            return None
        content = await read_at_most(download, limit)
    return None if content is None else (mime_type, content)
