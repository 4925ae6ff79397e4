"""Checks shared by the sandbox tests: a refusal is a 422 Problem naming the bad fields."""

from __future__ import annotations

import httpx2

from pimelo_mcp.sandbox.problems import PROBLEM_BASE

VALIDATION_FAILED = PROBLEM_BASE + "validation-failed"


def assert_refused(response: httpx2.Response, *fields: str) -> None:
    """A 422 validation-failed Problem whose errors name every one of `fields` (a request field
    of the wrong JSON type must come back like this, never as a 500)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == VALIDATION_FAILED
    named = {error["field"] for error in problem["errors"]}
    assert set(fields) <= named, (fields, problem["errors"])
