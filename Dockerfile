# syntax=docker/dockerfile:1
# pimelo-mcp over streamable HTTP, for remote clients (ChatGPT connectors, hosted agents).
#   docker build -t pimelo-mcp .
#   docker run --rm -p 8000:8000 -e PIMELO_API_TOKEN -e PIMELO_MCP_API_KEYS pimelo-mcp
# No secret is baked in: the Pimelo token and the clients' API keys come at run time (-e).
# tests/packaging/test_dockerfile.py lints this file (hadolint) and checks the rules below.

FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY pimelo_mcp ./pimelo_mcp
# The package and all its dependencies as wheels; the final stage installs only these.
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIMELO_AUDIT_LOG=/data/audit.jsonl
# The wheels are mounted from the build stage, not copied: no layer keeps them.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links /wheels /wheels/pimelo_mcp-*.whl \
    && groupadd --system --gid 10001 pimelo \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data --create-home pimelo
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["pimelo-mcp", "serve", "--transport", "http", "--host", "0.0.0.0", "--port", "8000"]
