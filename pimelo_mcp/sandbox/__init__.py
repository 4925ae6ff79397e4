"""A local Pimelo-compatible API: Starlette on uvicorn, SQLite storage, a demo catalog.

It knows the contract (docs/pimelo-api.md, openapi.json) and SQLite, nothing of MCP or
of the client. It is a product feature, not a test mock: it enforces authentication,
scopes, validation, rate limits and versions like the real service.
"""
