"""Every failure a tool can meet, turned into a message the model can act on (never the token)."""

from __future__ import annotations

from collections.abc import Sequence

from pimelo_mcp.client import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    InsufficientScopeError,
    NotFoundError,
    PimeloError,
    RateLimitedError,
    ServerError,
    ValidationError,
)
from pimelo_mcp.tools.catalog import Extra
from pimelo_mcp.translate import TranslationError

# Where a model finds the right code after a 404, by the area of the tool's scope.
FINDERS = {
    "products": "search_products finds identifiers",
    "entities": "search_entities finds codes (without entity_type: the entity types)",
    "attributes": "search_attributes finds attribute and attribute set codes",
    "media": "search_media finds media codes",
    "settings": "list_channels lists channels and locales",
}
MAX_FIELD_ERRORS = 20  # enough to fix a call; beyond that the model needs a smaller batch anyway


def scope_message(tool: str, scope: str) -> str:
    return (
        f"{tool} needs the {scope} scope, which this Pimelo token lacks. Ask the user to create a "
        f"token with {scope} in Pimelo (Settings > API Tokens) and configure it as PIMELO_API_TOKEN."
    )


def signed_in_scope_message(tool: str, scope: str) -> str:
    """A signed-in user's token lacks `scope` (its scopes changed in Pimelo since sign-in)."""
    return (
        f"{tool} needs the {scope} scope, which the Pimelo token this connection signed in "
        "with lacks. Ask the user to reconnect the connector and sign in with a token that "
        f"has {scope} (Pimelo, Settings > API Tokens)."
    )


def extra_scope_message(tool: str, extra: Extra) -> str:
    """A part of a tool refused for a scope the rest of the tool does without."""
    return (
        f"{tool} needs the {extra.scope} scope, which this Pimelo token lacks, for "
        f"{extra.part}. Call it again without that part, or ask the user to add {extra.scope} "
        "to the token in Pimelo (Settings > API Tokens)."
    )


def describe_failure(
    error: Exception, *, tool: str, scope: str, extras: Sequence[Extra] = ()
) -> str:
    """What went wrong and what to do next, for a failure of `tool` that needs `scope`.

    A refusal for one of the tool's `extras` names the part that needs it, not the whole tool.
    """
    if isinstance(error, TranslationError):
        return "Nothing was sent; fix these and call again: " + "; ".join(
            str(problem) for problem in error.problems[:MAX_FIELD_ERRORS]
        )
    if isinstance(error, InsufficientScopeError):
        extra = next((e for e in extras if e.scope == error.required_scope), None)
        if extra is not None:
            return extra_scope_message(tool, extra)
        return scope_message(tool, error.required_scope or scope)
    if isinstance(error, AuthenticationError):
        return (
            "Pimelo refused the API token (missing, revoked or expired). Ask the user to create a "
            "new token in Pimelo (Settings > API Tokens) and set PIMELO_API_TOKEN."
        )
    if isinstance(error, NotFoundError):
        finder = FINDERS.get(scope.split(":")[0], "a search tool finds the right code")
        return f"{(error.detail or 'Not found').rstrip('.')}. {finder}."
    if isinstance(error, ValidationError):
        listed = "; ".join(
            f"{item.field}: {item.message}" for item in error.errors[:MAX_FIELD_ERRORS]
        )
        return f"Pimelo refused the request: {listed or error.detail or 'invalid input'}. Fix these and call again."
    if isinstance(error, RateLimitedError):
        wait = f" in {error.retry_after:.0f} s" if error.retry_after is not None else " shortly"
        return (
            f"Pimelo's rate limit for this token is used up; try again{wait}, or with fewer items."
        )
    if isinstance(error, ServerError):
        return f"Pimelo had an internal error (HTTP {error.status_code}); nothing to fix on your side: try again later."
    if isinstance(error, APIConnectionError):
        return f"Pimelo could not be reached ({error}). Try again shortly; if it persists, check PIMELO_BASE_URL."
    if isinstance(error, APIStatusError | PimeloError):
        return str(error)
    raise error
