"""Is the service at the base URL a Pimelo API? Told apart from a refused token.

A 401 is how a Pimelo API refuses a token, and also how an MCP server (this one's `/mcp`,
behind its API keys) or any other protected service refuses a stranger. Pimelo answers
every error with Problem Details (`application/problem+json`, docs/pimelo-api.md); an
answer without them comes from something else, and saying "the token is refused" would
send the person to make a new token for nothing.
"""

from __future__ import annotations

from pimelo_mcp.client import AuthenticationError

PROBLEM_JSON = "application/problem+json"
MCP_SERVER_REALM = 'realm="pimelo-mcp"'  # the challenge of pimelo-mcp's own HTTP server
EXAMPLE_BASE_URLS = (
    "https://www.pimelo.app/api/v1/, or a local sandbox's http://127.0.0.1:8765/api/v1/"
)


def not_a_pimelo_api(error: AuthenticationError, base_url: str) -> str | None:
    """Why the service that refused the token is not a Pimelo API; None when it may well be."""
    response = error.response
    if response is None:
        return None
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type == PROBLEM_JSON:
        return None
    fix = f"set PIMELO_BASE_URL (or --base-url) to the Pimelo API, e.g. {EXAMPLE_BASE_URLS}"
    if MCP_SERVER_REALM in response.headers.get("WWW-Authenticate", ""):
        return f"{base_url} is a pimelo-mcp server (its MCP URL), not a Pimelo API: {fix}"
    looks = (
        " (a URL ending in /mcp is an MCP server's)"
        if base_url.rstrip("/").endswith("/mcp")
        else ""
    )
    return (
        f"{base_url} is not a Pimelo API: it answered GET /me with HTTP 401 but not with "
        f"Pimelo's Problem Details{looks}; {fix}"
    )
