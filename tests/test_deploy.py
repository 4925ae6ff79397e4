"""deploy/docker-compose.yml parses, and names only what the server reads."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

import yaml

from pimelo_mcp import config
from pimelo_mcp.config import is_redis_url, parse_bool

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
# Read by uvicorn, not by config.py: the proxy's X-Forwarded-For is trusted from these.
SERVER_LIBRARY_VARIABLES = {"FORWARDED_ALLOW_IPS"}
COMPOSE_DEFAULT = re.compile(r"\$\{(\w+)(?::?[-?][^}]*)?\}")


def compose() -> dict[str, Any]:
    return cast(dict[str, Any], yaml.safe_load((DEPLOY / "docker-compose.yml").read_text()))


def config_variables() -> set[str]:
    return {
        value
        for name, value in vars(config).items()
        if name.startswith("ENV_") and isinstance(value, str)
    }


def test_two_replicas_redis_and_a_tls_proxy() -> None:
    services = compose()["services"]
    assert set(services) == {"redis", "mcp-1", "mcp-2", "proxy"}
    assert services["proxy"]["ports"] == ["443:443", "80:80"]
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    assert "reverse_proxy mcp-1:8000 mcp-2:8000" in caddyfile
    assert "health_uri /readyz" in caddyfile
    assert services["mcp-1"]["environment"] == services["mcp-2"]["environment"]


def test_every_variable_set_for_the_server_is_one_it_reads() -> None:
    known = config_variables() | SERVER_LIBRARY_VARIABLES
    environment: dict[str, str] = compose()["services"]["mcp-1"]["environment"]
    unknown = set(environment) - known
    assert not unknown, f"the server reads no such variable: {sorted(unknown)}"
    assert parse_bool(config.ENV_OAUTH, environment[config.ENV_OAUTH])
    assert is_redis_url(environment[config.ENV_STORE])
    assert environment[config.ENV_PUBLIC_URL].startswith("https://")


def test_the_example_env_names_every_variable_the_compose_file_asks_for() -> None:
    text = (DEPLOY / "docker-compose.yml").read_text()
    asked = set(COMPOSE_DEFAULT.findall(text))
    example = {
        line.split("=", 1)[0]
        for line in (DEPLOY / "example.env").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert asked == example
