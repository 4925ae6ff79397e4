"""An async client of the Pimelo REST API v1, usable on its own.

```python
from pimelo_mcp.client import PimeloClient

async with PimeloClient(token="pim_...") as pimelo:
    me = await pimelo.me.retrieve()
    page = await pimelo.products.search(query="trail", limit=10)
```

It is the only code of pimelo-mcp that knows the API's paths, headers and field names.
"""

from pimelo_mcp.client._client import PimeloClient
from pimelo_mcp.client._clock import SYSTEM_CLOCK, Clock, SystemClock
from pimelo_mcp.client._constants import DEFAULT_BASE_URL
from pimelo_mcp.client._models import (
    Attribute,
    AttributeOption,
    AttributeSet,
    BulkItemResult,
    BulkResult,
    Category,
    Channel,
    Completeness,
    Entity,
    EntityType,
    Locale,
    Me,
    Media,
    MeOrganization,
    MeRateLimit,
    MeToken,
    MeUser,
    Page,
    Product,
    ProductStatus,
    Value,
)
from pimelo_mcp.client._ratelimit import RateLimiter
from pimelo_mcp.client.errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    FieldError,
    InsufficientScopeError,
    InvalidArgumentError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    PimeloError,
    PreconditionFailedError,
    RateLimitedError,
    ServerError,
    UnsupportedMediaTypeError,
    ValidationError,
    make_status_error,
)
from pimelo_mcp.client.resources._base import NOT_GIVEN, NotGiven
from pimelo_mcp.client.resources.media import MediaDownload

__all__ = [
    "DEFAULT_BASE_URL",
    "NOT_GIVEN",
    "SYSTEM_CLOCK",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "Attribute",
    "AttributeOption",
    "AttributeSet",
    "AuthenticationError",
    "BadRequestError",
    "BulkItemResult",
    "BulkResult",
    "Category",
    "Channel",
    "Clock",
    "Completeness",
    "ConflictError",
    "Entity",
    "EntityType",
    "FieldError",
    "InsufficientScopeError",
    "InvalidArgumentError",
    "Locale",
    "Me",
    "MeOrganization",
    "MeRateLimit",
    "MeToken",
    "MeUser",
    "Media",
    "MediaDownload",
    "MethodNotAllowedError",
    "NotFoundError",
    "NotGiven",
    "Page",
    "PayloadTooLargeError",
    "PimeloClient",
    "PimeloError",
    "PreconditionFailedError",
    "Product",
    "ProductStatus",
    "RateLimitedError",
    "RateLimiter",
    "ServerError",
    "SystemClock",
    "UnsupportedMediaTypeError",
    "ValidationError",
    "Value",
    "make_status_error",
]
