"""Client ID Metadata Documents: a client whose `client_id` is an https URL publishes its
metadata (name, redirect URIs) at that URL, and we fetch it instead of registering it.

The URL comes from whoever starts an authorization, so it is fetched through the same guard
as `upload_media` URLs (https, public addresses only, the checked address pinned), without
following redirects, within a size and a time cap. The caller caches what it gets.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, cast

import httpx2
from mcp.shared.auth import OAuthClientInformationFull
from pydantic import ValidationError

from pimelo_mcp.capped import read_at_most
from pimelo_mcp.oauth import OAUTH_SCOPE
from pimelo_mcp.oauth.redirects import RedirectPolicy
from pimelo_mcp.public_urls import (
    NotHttpsError,
    NotPublicError,
    Resolver,
    UnresolvableError,
    pin_public_https,
    system_addresses,
)

MAX_DOCUMENT_BYTES = 16 * 1024
FETCH_TIMEOUT_SECONDS = 5.0
DEFAULT_CACHE_SECONDS = 3600.0
MIN_CACHE_SECONDS = 300.0
MAX_CACHE_SECONDS = 86400.0
_MAX_AGE = re.compile(r"max-age=(\d+)")


class ClientMetadataError(Exception):
    """The document cannot be used; the message says why, for the person or client reading it."""


def is_metadata_url(client_id: str) -> bool:
    """An https URL with a path: a CIMD client id (DCR ids are UUIDs)."""
    return client_id.startswith("https://") and "/" in client_id.removeprefix("https://").strip("/")


def _cache_seconds(cache_control: str) -> float:
    found = _MAX_AGE.search(cache_control)
    seconds = float(found[1]) if found else DEFAULT_CACHE_SECONDS
    return min(max(seconds, MIN_CACHE_SECONDS), MAX_CACHE_SECONDS)


@dataclass
class MetadataFetcher:
    policy: RedirectPolicy
    resolver: Resolver = system_addresses
    transport: httpx2.AsyncBaseTransport | None = None
    insecure_test_origin: str | None = None
    """Tests only: fetch every document from this http origin (same path), without the guard."""

    async def fetch(self, client_id: str) -> tuple[OAuthClientInformationFull, float]:
        """The client described at `client_id`, and how many seconds it may be cached."""
        if self.insecure_test_origin is not None:
            path = httpx2.URL(client_id).raw_path.decode("ascii")
            url, headers, extensions = httpx2.URL(self.insecure_test_origin + path), {}, {}
        else:
            try:
                pinned = await pin_public_https(client_id, self.resolver)
            except NotHttpsError:
                raise ClientMetadataError(f"client_id {client_id!r} is not an https URL") from None
            except UnresolvableError as error:
                raise ClientMetadataError(f"cannot resolve {error.host}") from None
            except NotPublicError as error:
                raise ClientMetadataError(
                    f"{error.shown} is not a public address: client metadata documents are only "
                    "fetched from public https hosts"
                ) from None
            url, headers, extensions = (
                pinned.url,
                {"Host": pinned.host},
                {"sni_hostname": pinned.sni},
            )
        body, cache_control = await self._get(client_id, url, headers, extensions)
        return self._client(client_id, body), _cache_seconds(cache_control)

    async def _get(
        self, client_id: str, url: httpx2.URL, headers: dict[str, str], extensions: dict[str, Any]
    ) -> tuple[bytes, str]:
        try:
            async with (
                httpx2.AsyncClient(
                    timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=False, transport=self.transport
                ) as http,
                http.stream(
                    "GET",
                    url,
                    headers={**headers, "Accept": "application/json"},
                    extensions=extensions,
                ) as response,
            ):
                if response.status_code != 200:
                    raise ClientMetadataError(
                        f"{client_id} answered HTTP {response.status_code} (redirects are not "
                        "followed); it must serve the client's metadata as JSON"
                    )
                body = await read_at_most(response, MAX_DOCUMENT_BYTES)
                if body is None:
                    raise ClientMetadataError(
                        f"{client_id} is larger than {MAX_DOCUMENT_BYTES} bytes"
                    )
                return body, response.headers.get("cache-control", "")
        except httpx2.HTTPError as error:
            raise ClientMetadataError(
                f"could not fetch {client_id} ({type(error).__name__})"
            ) from None

    def _client(self, client_id: str, body: bytes) -> OAuthClientInformationFull:
        try:
            document: Any = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ClientMetadataError(f"{client_id} is not JSON") from None
        if not isinstance(document, dict):
            raise ClientMetadataError(f"{client_id} is not a JSON object")
        fields = cast(dict[str, Any], document)
        if fields.get("client_id") != client_id:
            raise ClientMetadataError(
                f"the document's client_id must be its own URL, {client_id!r}; it is "
                f"{fields.get('client_id')!r}"
            )
        if fields.get("token_endpoint_auth_method", "none") != "none" or "client_secret" in fields:
            raise ClientMetadataError(
                "a client metadata document describes a public client: token_endpoint_auth_method "
                "must be 'none' and no client_secret may be given"
            )
        uris = fields.get("redirect_uris")
        if not isinstance(uris, list) or not uris:
            raise ClientMetadataError("the document names no redirect_uris")
        reason = self.policy.first_refusal(str(uri) for uri in cast(list[Any], uris))
        if reason is not None:
            raise ClientMetadataError(reason)
        try:
            return OAuthClientInformationFull.model_validate(
                {
                    "client_id": client_id,
                    "client_name": fields.get("client_name"),
                    "client_uri": fields.get("client_uri"),
                    "redirect_uris": uris,
                    "token_endpoint_auth_method": "none",
                    "grant_types": ["authorization_code", "refresh_token"],
                    "response_types": ["code"],
                    # What it may ask for: its own scopes (e.g. offline_access) and ours;
                    # what a grant allows is chosen on the sign-in page either way.
                    "scope": " ".join(dict.fromkeys([*_scopes(fields.get("scope")), OAUTH_SCOPE])),
                }
            )
        except ValidationError as error:
            raise ClientMetadataError(
                f"the document's fields are not valid ({error.error_count()} problems, first: "
                f"{error.errors()[0]['msg']})"
            ) from None


def _scopes(value: Any) -> list[str]:
    return value.split() if isinstance(value, str) else []
