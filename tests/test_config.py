"""Settings from PIMELO_* variables and flags: defaults, parsing, refusals, no token in reprs."""

from pathlib import Path

import pytest

from pimelo_mcp.client import DEFAULT_BASE_URL
from pimelo_mcp.config import ConfigError, Settings


def test_defaults_point_at_pimelo_with_a_journal_in_the_state_folder(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"PIMELO_API_TOKEN": "pim_abc123", "XDG_STATE_HOME": str(tmp_path)}
    )
    assert settings.base_url == DEFAULT_BASE_URL
    assert settings.read_only is False
    assert settings.audit_path == tmp_path / "pimelo-mcp" / "audit.jsonl"


def test_variables_are_read() -> None:
    settings = Settings.from_env(
        {
            "PIMELO_API_TOKEN": " pim_abc123 ",
            "PIMELO_BASE_URL": "http://127.0.0.1:8765/api/v1/",
            "PIMELO_READ_ONLY": "yes",
            "PIMELO_AUDIT_LOG": "off",
            "PIMELO_LOG_LEVEL": "debug",
        }
    )
    assert settings.api_token == "pim_abc123"
    assert settings.base_url == "http://127.0.0.1:8765/api/v1/"
    assert settings.read_only is True
    assert settings.audit_path is None
    assert settings.log_level == "DEBUG"
    assert settings.call_deadline_seconds == 40.0  # under the 60 s most MCP clients wait
    assert Settings.from_env({"PIMELO_CALL_DEADLINE": "12.5"}).call_deadline_seconds == 12.5


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PIMELO_READ_ONLY": "maybe"}, "PIMELO_READ_ONLY"),
        ({"PIMELO_LOG_LEVEL": "loud"}, "PIMELO_LOG_LEVEL"),
        ({"PIMELO_CALL_DEADLINE": "soon"}, "PIMELO_CALL_DEADLINE"),
        ({"PIMELO_CALL_DEADLINE": "nan"}, "PIMELO_CALL_DEADLINE"),
        ({"PIMELO_CALL_DEADLINE": "0"}, "PIMELO_CALL_DEADLINE"),
        ({"PIMELO_CALL_DEADLINE": "86400"}, "PIMELO_CALL_DEADLINE"),
        ({"PIMELO_MCP_CLIENT_POOL_SIZE": "0"}, "PIMELO_MCP_CLIENT_POOL_SIZE"),
        ({"PIMELO_MCP_CLIENT_POOL_SIZE": "2.5"}, "PIMELO_MCP_CLIENT_POOL_SIZE must be a whole"),
        ({"PIMELO_MCP_CLIENT_IDLE_SECONDS": "-1"}, "PIMELO_MCP_CLIENT_IDLE_SECONDS"),
        ({"PIMELO_MCP_CLIENT_IDLE_SECONDS": "nan"}, "PIMELO_MCP_CLIENT_IDLE_SECONDS"),
        ({"PIMELO_MCP_CLIENT_IDLE_SECONDS": "soon"}, "PIMELO_MCP_CLIENT_IDLE_SECONDS"),
        ({"PIMELO_MCP_REVIEW_MINUTES": "0"}, "PIMELO_MCP_REVIEW_MINUTES"),
        ({"PIMELO_MCP_REVIEW_MINUTES": "later"}, "PIMELO_MCP_REVIEW_MINUTES"),
        ({"PIMELO_MCP_REVIEW_MINUTES": "2000"}, "PIMELO_MCP_REVIEW_MINUTES"),
    ],
)
def test_bad_values_are_refused_naming_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(env)


def test_flags_override_only_what_they_give() -> None:
    settings = Settings.from_env({"PIMELO_API_TOKEN": "pim_abc123"}).with_overrides(
        read_only=True, base_url=None
    )
    assert settings.read_only is True
    assert settings.base_url == DEFAULT_BASE_URL


def test_the_token_never_shows_in_a_repr() -> None:
    assert "pim_secret_value" not in repr(Settings(api_token="pim_secret_value"))


def test_a_missing_token_points_to_settings_and_the_sandbox() -> None:
    with pytest.raises(ConfigError, match=r"Settings > API Tokens.*pimelo-mcp sandbox"):
        Settings().require_token()


def test_the_client_pool_is_sized_and_timed_from_the_environment() -> None:
    assert Settings.from_env({}).client_pool_size == 100
    assert Settings.from_env({}).client_idle_seconds == 600.0
    settings = Settings.from_env(
        {"PIMELO_MCP_CLIENT_POOL_SIZE": " 25 ", "PIMELO_MCP_CLIENT_IDLE_SECONDS": "90.5"}
    )
    assert settings.client_pool_size == 25
    assert settings.client_idle_seconds == 90.5


def test_the_review_panes_expiry_is_read_in_minutes() -> None:
    assert Settings.from_env({}).review_minutes == 15
    assert Settings.from_env({"PIMELO_MCP_REVIEW_MINUTES": " 2.5 "}).review_minutes == 2.5
