"""Rate limits on public routes and on sign-in, with the `limits` library (moving window).

Named buckets (`public`, `sign-in`) each have a limit such as "120/minute", counted per
client address. A route opts in with `Depends(rate_limit("public"))`; over the limit it
answers 429 with `Retry-After`. Memory storage: limits are per process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from fastapi import HTTPException, Request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

DEFAULT_LIMITS = {"public": "120/minute", "sign-in": "20/minute"}


class RateLimits:
    """The limiter and the parsed limit of each bucket."""

    def __init__(self, limits: Mapping[str, str] | None = None) -> None:
        self.items: dict[str, RateLimitItem] = {
            name: parse(text) for name, text in {**DEFAULT_LIMITS, **(limits or {})}.items()
        }
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, bucket: str, key: str) -> int | None:
        """Count one request; None if allowed, else the seconds until the next one is."""
        item = self.items[bucket]
        if self.limiter.hit(item, bucket, key):
            return None
        reset = self.limiter.get_window_stats(item, bucket, key).reset_time
        return max(1, int(reset - time.time()) + 1)


def client_key(request: Request) -> str:
    """The client address a limit counts against."""
    return request.client.host if request.client else "unknown"


def rate_limit(bucket: str) -> Callable[[Request], None]:
    """A dependency counting the request against `bucket`; 429 when over the limit."""

    def check(request: Request) -> None:
        retry = request.app.state.rate_limits.hit(bucket, client_key(request))
        if retry is not None:
            raise HTTPException(
                429,
                "Too Many Requests",
                headers={"Retry-After": str(retry)},
            )

    return check


__all__ = ["DEFAULT_LIMITS", "RateLimits", "client_key", "rate_limit"]
