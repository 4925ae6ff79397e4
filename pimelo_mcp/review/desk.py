"""The server's review machinery, made at start: light to import (no tool, no translation)."""

from __future__ import annotations

from dataclasses import dataclass

from pimelo_mcp.review.applied import AppliedReviews
from pimelo_mcp.review.handles import HandleSigner


@dataclass
class ReviewDesk:
    """How handles are signed, and which reviews were applied."""

    signer: HandleSigner
    applied: AppliedReviews
