"""pimelo-mcp as its own OAuth 2.1 authorization server, for remote connectors (ChatGPT, Claude).

Pimelo offers API tokens, not OAuth: a person signs in once by pasting their own Pimelo token
on our sign-in page, and the connector then holds an OAuth grant bound to that token.

- `crypto`: the server secret, the keys derived from it, the pasted token sealed at rest.
- `store`: one interface over every record with an expiry (SQLite engine by default).
- `redirects`: which redirect URIs a client may use at all.
- `cimd`: client ID metadata documents, fetched through the public-address guard.
- `provider`: the authorization server's logic behind the SDK's OAuth handlers.
- `signin`: the sign-in page where the Pimelo token is pasted.
- `routes`: the HTTP endpoints; `verifier`: access tokens → the principal a request acts as.
"""

OAUTH_SCOPE = "pimelo"
"""The one OAuth scope: what a grant allows is chosen on the sign-in page (read or everything
the pasted token allows), not by the client."""
