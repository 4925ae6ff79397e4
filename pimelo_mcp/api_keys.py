"""`ApiKeys`: the static API keys a client may present as its bearer token."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence


def _digest(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()


class ApiKeys:
    """The configured keys, kept only as SHA-256 digests.

    A presented key is compared with `hmac.compare_digest` against every configured key
    without stopping at the first match: the time taken tells nothing of the key, its
    length, or which key matched.
    """

    def __init__(self, keys: Sequence[str]) -> None:
        self._digests = tuple(_digest(key.encode()) for key in keys)

    def __bool__(self) -> bool:
        return bool(self._digests)

    def match(self, presented: bytes) -> bool:
        digest = _digest(presented)
        matched = False
        for known in self._digests:
            matched |= hmac.compare_digest(digest, known)
        return matched
