"""Media tools: search_media (metadata, and one image a vision model can look at) and upload_media.

Uploads come from exactly one source: an https URL (fetched here by a short-lived client
with a timeout, a byte cap while streaming and a content-type check; the host and every
redirect's host must resolve only to public addresses, and the fetch goes to the address
checked), a local file inside `settings.upload_dirs` (symlinks resolved), or base64.
`attach_to` is checked before the upload (the product, its media attribute and the file
extensions that attribute takes), so a bad target uploads nothing.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, cast
from urllib.parse import unquote, urlsplit

import anyio
import httpx2
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ContentBlock, ImageContent
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, WithJsonSchema

from pimelo_mcp.capped import read_at_most
from pimelo_mcp.client import (
    InsufficientScopeError,
    Media,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
    ValidationError,
)
from pimelo_mcp.client._constants import (  # Pimelo's own cap on uploads; pictures shown
    IMAGE_TYPES,
    MAX_UPLOAD_BYTES,
)
from pimelo_mcp.config import ENV_UPLOAD_DIRS
from pimelo_mcp.public_urls import (
    NotHttpsError,
    NotPublicError,
    PinnedURL,
    Resolver,
    UnresolvableError,
    pin_public_https,
    system_addresses,
)
from pimelo_mcp.tools.batch import Change, value_changes
from pimelo_mcp.tools.common import Cursor, Identifier, Limit, Query, state_of
from pimelo_mcp.tools.cursors import bind, refusing_stale_cursors, unbind
from pimelo_mcp.tools.registry import ToolOutput, tool
from pimelo_mcp.tools.render import shown_change
from pimelo_mcp.tools.state import ToolState
from pimelo_mcp.translate import translate_values

MAX_IMAGE_BYTES = 1024 * 1024  # an image returned to the model (base64 adds a third)
URL_TIMEOUT_SECONDS = 20.0
MAX_REDIRECTS = 3
ALLOWED_TYPES = (*IMAGE_TYPES, "application/pdf")
# Tests replace this with an httpx2.MockTransport; None is the real network.
URL_TRANSPORT: httpx2.AsyncBaseTransport | None = None


class MediaView(BaseModel):
    code: str
    filename: str | None = None
    mime_type: str | None = None
    size: int | None = None
    width: int | None = None
    height: int | None = None

    def line(self) -> str:
        dims = f", {self.width}x{self.height}" if self.width and self.height else ""
        return f"{self.code}: {self.filename} ({self.mime_type}, {self.size} bytes{dims})"


def media_view(media: Media) -> MediaView:
    return MediaView(
        code=media.code,
        filename=media.filename,
        mime_type=media.mime_type,
        size=media.size,
        width=media.width,
        height=media.height,
    )


class MediaPage(ToolOutput):
    items: list[MediaView]
    next_cursor: str | None = None
    image: str | None = None  # what became of include_image
    _image: ImageContent | None = PrivateAttr(default=None)

    def text(self) -> str:
        lines = [item.line() for item in self.items] or ["No media match."]
        if self.image:
            lines.append(self.image)
        if self.next_cursor:
            lines.append(f"More: call again with cursor={self.next_cursor}")
        return "\n".join(lines)

    def content_blocks(self) -> list[ContentBlock]:
        return [self._image] if self._image is not None else []


# attach_to reads the product and its attribute set and definitions, then updates the product.
# The reads are checked before the upload, so a refusal uploads nothing; the write comes
# after it, so a token without products:write gets the file uploaded and left unattached.
ATTACH_CHECKS = ("products:read", "attributes:read", "settings:read")
ATTACH_CHECKS_PART = "attach_to (checked before the upload: refused, nothing is uploaded)"
ATTACH_WRITE = "products:write"
ATTACH_WRITE_PART = "attach_to setting the file on the product (without it: uploaded, unattached)"


@tool(
    name="search_media",
    title="Search media",
    scope="media:read",
    read_only=True,
    destructive=False,
    idempotent=True,
)
async def search_media(
    ctx: Context[ToolState, Any],
    query: Query = None,
    mime_type: str | None = None,
    product: Annotated[str | None, Field(description="SKU: its media.")] = None,
    code: str | None = None,
    include_image: bool = False,
    limit: Limit = 25,
    cursor: Cursor = None,
) -> MediaPage:
    """Find media files by text, type or product; with code + include_image, see the image."""
    client = state_of(ctx).client
    if include_image and code is None:
        raise ToolError("include_image needs code: one image at a time (search first for codes).")
    if code is not None:
        page = MediaPage(items=[media_view(await client.media.retrieve(code))])
    else:
        binding = {"query": query, "mime_type": mime_type, "product": product}
        async with refusing_stale_cursors():
            found = await client.media.list(
                search=query,
                mime_type=mime_type,
                product=product,
                limit=limit,
                search_after=unbind(cursor, binding),
            )
        page = MediaPage(
            items=[media_view(m) for m in found.items],
            next_cursor=bind(found.next_cursor, binding),
        )
    if include_image and page.items:
        await _attach_image(state_of(ctx), page)
    return page


async def _attach_image(state: ToolState, page: MediaPage) -> None:
    media = page.items[0]
    if media.mime_type not in IMAGE_TYPES:
        page.image = f"{media.code} is {media.mime_type}, not an image: no image returned."
        return
    if media.size is not None and media.size > MAX_IMAGE_BYTES:
        page.image = (
            f"{media.code} is {media.size:,} bytes, over the {MAX_IMAGE_BYTES:,}-byte limit "
            "for returned images: no image returned."
        )
        return
    async with state.client.media.download_stream(media.code) as download:
        image = await read_at_most(download, MAX_IMAGE_BYTES)
    if image is None:
        page.image = f"{media.code} is over {MAX_IMAGE_BYTES:,} bytes: no image returned."
        return
    page._image = ImageContent(  # pyright: ignore[reportPrivateUsage]
        type="image",
        data=base64.b64encode(image).decode(),
        mime_type=media.mime_type,
    )
    page.image = f"Image of {media.code} attached."


class AttachTo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identifier: Identifier
    attribute: str | None = None
    locale: str | None = None
    channel: str | None = None


# Written out: compact_schema leaves an optional model's $ref unresolved, and this reads shorter.
ATTACH_TO_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Set it on this product (default: its image attribute).",
    "properties": {
        "identifier": {"type": "string"},
        "attribute": {"type": "string"},
        "locale": {"type": "string"},
        "channel": {"type": "string"},
    },
    "required": ["identifier"],
    "additionalProperties": False,
}


class UploadResult(ToolOutput):
    media: MediaView
    attached_to: str | None = None  # SKU
    product_version: int | None = None
    changes: list[Change] | None = None

    def text(self) -> str:
        text = f"Uploaded {self.media.line()}"
        if self.attached_to:
            text += f"; set on {self.attached_to} (now version {self.product_version})" + "".join(
                f", {c.field}: {shown_change(c.before)} → {shown_change(c.after)}"
                for c in self.changes or []
            )
        return text + "."


# Tests replace this with a resolver that needs no DNS.
URL_RESOLVER: Resolver = system_addresses


async def _check_url(url: str) -> PinnedURL:
    """Refuse anything but https to a host whose every address is public; pin the first."""
    try:
        return await pin_public_https(url, URL_RESOLVER)
    except NotHttpsError:
        raise ToolError(
            f"url must be an https:// URL; got {url[:80]!r}. Nothing was uploaded."
        ) from None
    except UnresolvableError as error:
        raise ToolError(f"url: cannot resolve {error.host}; nothing was uploaded.") from None
    except NotPublicError as error:
        raise ToolError(
            f"url: {error.shown} is not a public address; give a public https URL. "
            "Nothing was uploaded."
        ) from None


def _filename_from_url(url: str, content_type: str) -> str:
    name = unquote(PurePosixPath(urlsplit(url).path).name)
    if name and "." in name:
        return name
    return (name or "download") + (mimetypes.guess_extension(content_type) or "")


async def fetch_url(url: str) -> tuple[bytes, str, str]:
    """(bytes, filename, content type) of an https URL; refused beyond the caps.

    The first URL and every redirect are checked (https, every address public) and fetched
    from the address checked."""
    async with httpx2.AsyncClient(
        timeout=URL_TIMEOUT_SECONDS, follow_redirects=False, transport=URL_TRANSPORT
    ) as http:
        for _ in range(MAX_REDIRECTS + 1):
            target = await _check_url(url)
            try:
                async with http.stream(
                    "GET",
                    target.url,
                    headers={"Accept": ", ".join(ALLOWED_TYPES), "Host": target.host},
                    extensions={"sni_hostname": target.sni},
                ) as r:
                    if r.is_redirect and "location" in r.headers:
                        url = str(httpx2.URL(url).join(r.headers["location"]))
                        continue
                    if r.status_code != 200:
                        raise ToolError(
                            f"Fetching {url} answered HTTP {r.status_code}; nothing was uploaded."
                        )
                    content_type = r.headers.get("content-type", "").split(";")[0].strip().lower()
                    if content_type not in ALLOWED_TYPES:
                        raise ToolError(
                            f"{url} is {content_type or 'of no stated type'}; allowed: "
                            f"{', '.join(ALLOWED_TYPES)}. Nothing was uploaded."
                        )
                    length = r.headers.get("content-length", "")
                    if length.isdigit() and int(length) > MAX_UPLOAD_BYTES:
                        raise _too_large(url)
                    body = await read_at_most(r, MAX_UPLOAD_BYTES)
                    if body is None:
                        raise _too_large(url)
                    return body, _filename_from_url(url, content_type), content_type
            except httpx2.HTTPError as error:
                raise ToolError(
                    f"Could not fetch {url} ({type(error).__name__}: {error}); nothing was uploaded."
                ) from None
    raise ToolError(f"{url} redirects more than {MAX_REDIRECTS} times; nothing was uploaded.")


def _too_large(source: str) -> ToolError:
    return ToolError(
        f"{source} is larger than {MAX_UPLOAD_BYTES:,} bytes, Pimelo's upload limit; nothing was uploaded."
    )


def _read_allowed_file(text: str, allowed: tuple[Path, ...]) -> tuple[bytes, str]:
    if not allowed:
        raise ToolError(
            f"Uploads from a local path are off: set {ENV_UPLOAD_DIRS} to the folders they may "
            "come from (separated by ':') and restart. Or send content_base64 or an https url."
        )
    if not text.strip() or any(ord(ch) < 0x20 for ch in text):
        # A NUL byte cannot be in a file name (the system refuses it); other control
        # characters are a mangled argument far more often than a real name.
        raise ToolError(
            f"path {text[:80]!r} contains a NUL byte or another control character, or is "
            'empty: give the file\'s name as it is shown in its folder, e.g. "shoe.png". '
            "Nothing was uploaded."
        )
    folders = [folder.expanduser().resolve() for folder in allowed]
    listed = ", ".join(str(folder) for folder in folders)
    try:
        given = Path(text).expanduser()
        candidates = [given] if given.is_absolute() else [folder / given for folder in folders]
        for candidate in candidates:
            resolved = candidate.resolve()  # symlinks followed: where the bytes really are
            if not any(resolved.is_relative_to(folder) for folder in folders):
                raise ToolError(
                    f"{text} is outside the allowed upload folders ({listed}); nothing was uploaded."
                )
            if resolved.is_file():
                if resolved.stat().st_size > MAX_UPLOAD_BYTES:
                    raise _too_large(text)
                return resolved.read_bytes(), resolved.name
    except (OSError, RuntimeError, ValueError) as error:  # unreadable, too long, a symlink loop
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise ToolError(
            f"path {text[:80]!r} cannot be read ({reason}); give a readable file inside the "
            f"allowed upload folders ({listed}). Nothing was uploaded."
        ) from None
    raise ToolError(f"No file {text} in the allowed upload folders ({listed}).")


async def read_allowed_file(text: str, allowed: tuple[Path, ...]) -> tuple[bytes, str]:
    """The bytes and name of a local file inside one of the allowed folders."""
    return await anyio.to_thread.run_sync(_read_allowed_file, text, allowed)


def _decode(content_base64: str) -> bytes:
    if len(content_base64) > MAX_UPLOAD_BYTES * 4 // 3 + 8:
        raise _too_large("content_base64")
    try:
        return base64.b64decode(content_base64.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ToolError("content_base64 is not valid base64; nothing was uploaded.") from None


@tool(
    name="upload_media",
    title="Upload media",
    scope="media:write",
    extras={**dict.fromkeys(ATTACH_CHECKS, ATTACH_CHECKS_PART), ATTACH_WRITE: ATTACH_WRITE_PART},
    read_only=False,
    destructive=False,
    idempotent=False,
    open_world=True,
)
async def upload_media(
    ctx: Context[ToolState, Any],
    url: Annotated[str | None, Field(description="https only.")] = None,
    path: Annotated[str | None, Field(description="Allowed folders only.")] = None,
    content_base64: str | None = None,
    filename: Annotated[str | None, Field(description="For content_base64.")] = None,
    code: str | None = None,
    attach_to: Annotated[AttachTo | None, WithJsonSchema(ATTACH_TO_SCHEMA)] = None,
) -> UploadResult:
    """Upload an image or PDF from one of url, path, content_base64."""
    state = state_of(ctx)
    given = [n for n, v in (("url", url), ("path", path), ("content_base64", content_base64)) if v]
    if len(given) != 1:
        raise ToolError(
            "Give exactly one of url, path, content_base64"
            + (f" (got {', '.join(given)})." if given else ".")
        )
    if content_base64 and not filename:
        raise ToolError('content_base64 needs a filename with its extension, e.g. "shoe.png".')
    plan = await _plan_attach(state, attach_to) if attach_to else None
    content_type: str | None = None
    if url:
        content, name, content_type = await fetch_url(url)
    elif path:
        content, name = await read_allowed_file(path, state.settings.upload_dirs)
    else:
        content, name = _decode(content_base64 or ""), filename or "upload"
    name = filename or name
    if plan is not None:
        name = _name_for(plan, name, content)  # before uploading: no orphan upload
    try:
        media = await state.client.media.upload(
            content, filename=name, content_type=content_type, code=code
        )
    except UnsupportedMediaTypeError as error:
        raise ToolError(
            f"Pimelo refused {name}: its bytes are not an allowed type "
            f"({', '.join(error.allowed or ALLOWED_TYPES)}). Nothing was uploaded."
        ) from None
    except PayloadTooLargeError as error:
        raise ToolError(
            f"Pimelo refused {name}: over its limit of {error.max_bytes} bytes."
        ) from None
    state.audit.record(
        tool="upload_media",
        target={"kind": "media", "code": media.code},
        before=None,
        after={
            "filename": media.filename,
            "mime_type": media.mime_type,
            "size": media.size,
            "sha256": media.sha256,
            "source": url or path or "content_base64",
        },
        version_before=None,
        version_after=None,
    )
    result = UploadResult(media=media_view(media))
    if plan is not None and attach_to is not None:
        await _attach(state, plan, attach_to.identifier, media.code, result)
    return result


class _AttachPlan(BaseModel):
    attribute: str
    values: dict[str, list[dict[str, Any]]]
    before: dict[str, list[dict[str, Any]]]
    version: int | None
    extensions: list[str] | None = None  # the attribute's validation.allowed_extensions


def _extension(name: str) -> str:
    """As Pimelo reads it: what follows the last dot, lower case."""
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _sniffed_extensions(content: bytes) -> tuple[str, ...]:
    """The extensions of the file type its first bytes show (none when unknown)."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return ("png",)
    if content.startswith(b"\xff\xd8\xff"):
        return ("jpg", "jpeg")
    if content[:6] in (b"GIF87a", b"GIF89a"):
        return ("gif",)
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return ("webp",)
    if content.startswith(b"%PDF-"):
        return ("pdf",)
    return ()


def _name_for(plan: _AttachPlan, name: str, content: bytes) -> str:
    """The name to upload under, refused when the target attribute would not take its extension.

    Pimelo checks a media value against the attribute's allowed_extensions by the file's
    name; a name without an extension gets the one its bytes show."""
    if plan.extensions is None:
        return name
    extension, by = _extension(name), ""
    if not extension:
        sniffed = _sniffed_extensions(content)
        extension = next(
            (e for e in sniffed if e in plan.extensions), sniffed[0] if sniffed else ""
        )
        by = " by its bytes"
    if extension not in plan.extensions:
        what = f"a .{extension} file{by}" if extension else "a file of unknown type, no extension"
        raise ToolError(
            f"attach_to: {plan.attribute} takes only {', '.join(plan.extensions)} files; {name} is "
            f"{what}. Nothing was uploaded (without attach_to it would upload unattached)."
        )
    return f"{name}.{extension}" if by else name


async def _plan_attach(state: ToolState, target: AttachTo) -> _AttachPlan:
    """Check the target before uploading: the product, its media attribute, locale and channel."""
    product = await state.client.products.retrieve(target.identifier)
    sets = await state.schema.attribute_sets()
    attribute_set = sets.get(product.attribute_set or "")
    attribute = target.attribute or (attribute_set.image_attribute if attribute_set else None)
    if attribute is None:
        raise ToolError(
            f"{target.identifier}'s attribute set has no image attribute: name attach_to.attribute. Nothing was uploaded."
        )
    schema = await state.schema.products()
    definition = schema.attributes.get(attribute)
    if definition is None or definition.type != "media":
        media_codes = sorted(c for c, a in schema.attributes.items() if a.type == "media")
        raise ToolError(
            f"{attribute} is not a media attribute; media attributes: {', '.join(media_codes)}. Nothing was uploaded."
        )
    values = await translate_values(
        {attribute: "pending_upload"},
        schema,
        locale=target.locale,
        channel=target.channel,
        allowed=attribute_set.attributes if attribute_set else None,
        allowed_from=product.attribute_set or "",
        prefix="attach_to",
    )
    allowed: object = definition.validation.get("allowed_extensions")
    return _AttachPlan(
        attribute=attribute,
        values=values,
        before={
            c: [v.model_dump() for v in e] for c, e in product.values.items() if c == attribute
        },
        version=product.version,
        extensions=[str(e).lower().lstrip(".") for e in cast(list[object], allowed)]
        if isinstance(allowed, list)
        else None,
    )


async def _attach(
    state: ToolState, plan: _AttachPlan, identifier: str, media_code: str, result: UploadResult
) -> None:
    values = {
        code: [{**entry, "data": media_code} for entry in entries]
        for code, entries in plan.values.items()
    }
    changes = value_changes(plan.before, values)
    try:
        product = await state.client.products.update(
            identifier, values=values, expected_version=plan.version
        )
    except ValidationError as error:
        reasons = [
            f"{e.field}: {e.message}" for e in error.errors if _is_value_of(e.field, plan.attribute)
        ]
        if not reasons:
            raise _attach_failed(media_code, identifier, plan, error) from None
        # update_products would be refused for the same reason: no follow-up to suggest
        raise ToolError(
            f"Uploaded media {media_code}, but Pimelo refused it as {identifier}'s "
            f"{plan.attribute}: {'; '.join(reasons)}. {media_code} stays in Pimelo, unattached; "
            f"to set {plan.attribute}, upload a file it takes."
        ) from None
    except InsufficientScopeError as error:
        scope = error.required_scope or ATTACH_WRITE
        raise ToolError(
            f"Uploaded media {media_code}, but setting it on {identifier} needs the {scope} "
            f"scope, which this Pimelo token lacks: {media_code} stays in Pimelo, unattached. "
            f"Ask the user to add {scope} to the token (Pimelo, Settings > API Tokens), or to "
            f'set {identifier}\'s {plan.attribute} to "{media_code}" in Pimelo.'
        ) from None
    except Exception as error:
        raise _attach_failed(media_code, identifier, plan, error) from None
    state.audit.record(
        tool="upload_media",
        target={"kind": "product", "identifier": identifier},
        before={c.field: c.before for c in changes},
        after={c.field: c.after for c in changes},
        version_before=plan.version,
        version_after=product.version,
    )
    result.attached_to = identifier
    result.product_version = product.version
    result.changes = changes


def _is_value_of(field: str, attribute: str) -> bool:
    """A 422's field path names the attribute's value: values.X, values.X[...]."""
    prefix = f"values.{attribute}"
    return field == prefix or field.startswith((f"{prefix}[", f"{prefix}."))


def _attach_failed(
    media_code: str, identifier: str, plan: _AttachPlan, error: Exception
) -> ToolError:
    return ToolError(
        f"Uploaded media {media_code}, but setting it on {identifier} failed: {error} "
        f'Set it with update_products values {{"{plan.attribute}": "{media_code}"}}.'
    )


TOOLS = [search_media, upload_media]
