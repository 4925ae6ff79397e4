"""Every tunable number of the client, each with the reason it has its value."""

from __future__ import annotations

# The public service; a trailing slash so that relative paths join under /api/v1/.
DEFAULT_BASE_URL = "https://www.pimelo.app/api/v1/"

# Tokens are documented as `pim_<random>`; anything else is a configuration mistake
# that is better reported before the first request than as a 401.
TOKEN_PREFIX = "pim_"

# Per HTTP exchange. Connecting should be quick; a read may include a large search or
# a 10 MiB media download, so it gets more room.
CONNECT_TIMEOUT_SECONDS = 10.0
READ_TIMEOUT_SECONDS = 60.0
WRITE_TIMEOUT_SECONDS = 60.0
POOL_TIMEOUT_SECONDS = 30.0

# A whole logical call (pacing waits + every attempt + backoff sleeps) never takes
# longer than this, so that nothing hangs; it is a little over two default 60 s windows,
# enough to ride out one exhausted window and one 429.
DEFAULT_CALL_BUDGET_SECONDS = 150.0

# One pooled client, kept alive between requests. Concurrency above this queues in the
# pool instead of opening more sockets than a single-token budget can use anyway.
MAX_CONNECTIONS = 20
MAX_KEEPALIVE_CONNECTIONS = 20
KEEPALIVE_EXPIRY_SECONDS = 30.0

# Retries: a transient failure (connection, timeout, 502/503/504, 429) is retried this
# many times after the first attempt, and only where repeating is safe.
DEFAULT_MAX_RETRIES = 3
# Exponential backoff from INITIAL, doubling, never above MAX; jitter takes off up to
# this fraction so that many clients that failed together do not retry together.
INITIAL_RETRY_DELAY_SECONDS = 0.5
MAX_RETRY_DELAY_SECONDS = 8.0
RETRY_JITTER_FRACTION = 0.25
# Methods that may be repeated without changing the outcome; PATCH is merge-patch, so
# sending the same patch twice leaves the record as once. A POST is repeated only when it
# is a search or carries an Idempotency-Key.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PATCH", "PUT", "DELETE"})
# Statuses that mean "try again later" rather than "this request is wrong".
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})

# Honour server-directed delays (Retry-After, X-RateLimit-Reset) up to a cap: a
# misconfigured proxy saying "retry in a day" must not park a call for a day. The cap is
# the default window, the longest a well-behaved Pimelo asks for.
MAX_SERVER_DELAY_SECONDS = 60.0

# The documented window is 600 requests per 60 s; used until the service says otherwise
# (X-RateLimit-Reset, or /me's rate_limit.window_seconds).
DEFAULT_WINDOW_SECONDS = 60.0
# At most this share of what the service says is left may be in flight at once. Alone, a
# process still spends the whole window (only its concurrency near the end is lowered);
# with other processes on the same token, each one's stale view of Remaining can only
# overspend by what it has in flight, and two processes that both start a fresh window
# with "limit" left each send half of it, together the limit.
IN_FLIGHT_SHARE_OF_REMAINING = 0.5
# X-RateLimit-Reset is whole seconds, so two answers from the same window can put its end
# up to a second apart; a later end by more than this is a new window.
WINDOW_END_TOLERANCE_SECONDS = 1.5

# Bulk endpoints take at most this many operations per request (the API answers 422 above).
BULK_CHUNK_SIZE = 100
# Lists: the API's own bounds for `limit`.
MIN_PAGE_SIZE = 1
MAX_PAGE_SIZE = 100

# Codes and identifiers, as the contract defines them; checked before a URL is built.
CODE_PATTERN = r"^[a-z0-9_]{1,100}$"
IDENTIFIER_PATTERN = r"^[A-Za-z0-9_.\-]{1,255}$"
LOCALE_PATTERN = r"^[a-z]{2,3}_[A-Z]{2}$"

# Uploads above this are refused by the service (413); refusing them locally saves the
# bytes on the wire and a unit of the rate limit.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# The media types shown as pictures (to a model, in the review pane): what every client draws.
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
