"""OAuth settings: variables, flags laid over them, and the refusals that say what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from pimelo_mcp.config import ConfigError, HttpSettings, OAuthSettings, check_public_url


def test_variables_are_read(tmp_path: Path) -> None:
    settings = OAuthSettings.from_env(
        {
            "PIMELO_MCP_OAUTH": "1",
            "PIMELO_MCP_PUBLIC_URL": "https://mcp.example.com/",
            "PIMELO_MCP_STORE": str(tmp_path / "o.sqlite3"),
            "PIMELO_MCP_SECRET_KEY": "k" * 40,
            "PIMELO_MCP_ALLOWED_REDIRECTS": "https://a.example/cb, https://b.example/oauth/",
        }
    )
    assert settings.enabled
    assert settings.issuer() == "https://mcp.example.com"  # the issuer, no slash
    assert settings.store_path == tmp_path / "o.sqlite3"
    assert settings.allowed_redirects == ("https://a.example/cb", "https://b.example/oauth/")
    assert "k" * 40 not in repr(settings)


def test_the_store_defaults_beside_the_journal(tmp_path: Path) -> None:
    settings = OAuthSettings.from_env({"XDG_STATE_HOME": str(tmp_path)})
    assert not settings.enabled
    assert settings.store_path == tmp_path / "pimelo-mcp" / "oauth.sqlite3"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://mcp.example.com", "must be https"),
        ("https://mcp.example.com/pimelo", "only scheme, host and port"),
        ("ftp://mcp.example.com", "not an http(s) URL"),
        ("https://", "not an http(s) URL"),
    ],
)
def test_a_public_url_that_cannot_be_an_issuer_is_refused(url: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says.replace("(", r"\(").replace(")", r"\)")):
        check_public_url(url)


def test_loopback_http_is_allowed_for_local_use() -> None:
    assert check_public_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000"


def test_oauth_without_a_public_url_says_which_flag() -> None:
    with pytest.raises(ConfigError, match="--public-url"):
        OAuthSettings(enabled=True).validate()


def test_an_allowed_redirect_must_be_https() -> None:
    with pytest.raises(ConfigError, match="must be an https URL"):
        OAuthSettings(
            enabled=True, public_url="https://m.example", allowed_redirects=("http://x.example/",)
        ).validate()


def test_oauth_needs_no_api_key_but_excludes_no_auth() -> None:
    HttpSettings().validate(oauth=True)
    with pytest.raises(ConfigError, match="--oauth"):
        HttpSettings().validate()  # still: no keys, no OAuth → the message names --oauth too
    with pytest.raises(ConfigError, match="exclude each other"):
        HttpSettings(no_auth=True).validate(oauth=True)


def test_the_test_only_metadata_origin_takes_loopback_only() -> None:
    assert OAuthSettings(test_cimd_origin="http://127.0.0.1:8123").test_cimd_origin
    for origin in ("https://example.com", "http://10.0.0.5:80", "http://169.254.169.254"):
        with pytest.raises(ConfigError, match="loopback origin only"):
            OAuthSettings(test_cimd_origin=origin)
