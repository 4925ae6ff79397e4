"""The server secret and what is derived from it: the sealing key and the digest key.

The secret is any random string of at least 32 characters, from `PIMELO_MCP_SECRET_KEY` or
a key file (made on first start beside the store, mode 0600). HKDF-SHA256 derives one key
per purpose from it, so no key is ever used for two jobs:

- sealing: AES-256-GCM over each pasted Pimelo token, bound to its grant id (a sealed token
  copied onto another grant does not open);
- request state: the key the MCP SDK seals multi-round-trip request state with, so that
  a request begun on one worker or replica can be answered on another;
- digests: HMAC-SHA256 of every bearer secret we issue (access and refresh tokens, codes,
  sign-in requests), so that the store holds no usable secret and a stolen store file
  cannot even test guesses without the server secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_SECRET_LENGTH = 32
KEY_FILE_NAME = "secret.key"
_NONCE_BYTES = 12
_SEAL_INFO = b"pimelo-mcp oauth: pimelo token sealing v1"
_DIGEST_INFO = b"pimelo-mcp oauth: bearer secret digests v1"
_FORM_INFO = b"pimelo-mcp oauth: sign-in form tokens v1"
_REQUEST_STATE_INFO = b"pimelo-mcp: mcp request state v1"
_REVIEW_INFO = b"pimelo-mcp: review pane handles v1"


class SecretError(ValueError):
    """The server secret is missing, too short or unreadable; the message says how to fix it."""


class UnsealError(Exception):
    """A sealed value does not open with this secret (another key, or tampered with)."""


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


def check_secret(secret: str, source: str) -> str:
    secret = secret.strip()
    if len(secret) < MIN_SECRET_LENGTH:
        raise SecretError(
            f"the OAuth secret in {source} must be at least {MIN_SECRET_LENGTH} characters (it "
            f"has {len(secret)}); make one with: python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'"
        )
    return secret


def load_or_create_key_file(path: Path) -> str:
    """The secret in `path`; made (random, mode 0600) when the file does not exist yet.

    A file others can read is refused: whoever reads it can open every stored token.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as error:
        raise SecretError(f"cannot create the key file {path}: {error.strerror}") from None
    else:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SecretError(f"cannot read the key file {path}: {error}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretError(
            f"the key file {path} can be read by other users (mode {stat.S_IMODE(mode):o}); "
            f"run: chmod 600 {path}"
        )
    return check_secret(text, str(path))


class Keys:
    """The keys derived from the server secret."""

    def __init__(self, secret: str) -> None:
        material = check_secret(secret, "the configuration").encode()
        self._aead = AESGCM(_derive(material, _SEAL_INFO))
        self._digest_key = _derive(material, _DIGEST_INFO)
        self._form_key = _derive(material, _FORM_INFO)
        self.request_state_key = _derive(material, _REQUEST_STATE_INFO)
        """For the SDK's `RequestStateSecurity(keys=[…])`: every replica opens what another sealed."""
        self.review_key = _derive(material, _REVIEW_INFO)
        """Signs the review pane's handles: every replica applies what another's dry run offered."""

    def seal(self, plaintext: str, *, bound_to: str) -> str:
        """`plaintext` encrypted and authenticated, usable only with the same `bound_to`."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), bound_to.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def unseal(self, sealed: str, *, bound_to: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
            return self._aead.decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], bound_to.encode()
            ).decode()
        except (InvalidTag, ValueError) as error:
            raise UnsealError("the sealed value does not open with this secret") from error

    def form_token(self, cookie: str, request_id: str) -> str:
        """The CSRF token of a sign-in form: ties the form to the browser's cookie."""
        message = f"{cookie}\x00{request_id}".encode()
        return hmac.new(self._form_key, message, hashlib.sha256).hexdigest()

    def digest(self, value: str) -> str:
        """The key under which a bearer secret is stored: HMAC-SHA256, hex."""
        return hmac.new(self._digest_key, value.encode(), hashlib.sha256).hexdigest()
