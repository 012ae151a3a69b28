"""Request rates per account and per anonymous address.

DRF's own throttles read their rates once at import; these read the settings on each
request, so an installation (and a test) can change them without a restart of the code.
The anonymous address is `qingdan.core.client.client_address` (X-Forwarded-For believed
only from QINGDAN_TRUSTED_PROXIES), not DRF's NUM_PROXIES guess. Counts live in CACHES:
shared between server processes only with a shared cache (Redis).

Counted in a sliding window of two counters, not DRF's list of every request's time:
that list was read, filtered and written back whole on every request (a system
account allowed 9,000 requests a minute carried 9,000 times, ~0.35 ms and 80 kB to
the cache and back per request). The count of the current fixed window plus the
previous window's, weighted by how much of it still lies within the last `duration`,
estimates the requests of the last `duration` seconds: two numbers, one read and one
increment per request.
"""

import math

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from qingdan.core.client import client_address


class SlidingWindow:
    """`allow_request` and `wait` of DRF's SimpleRateThrottle, with two counters."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:  # type: ignore[attr-defined]
            return True
        self.key = self.get_cache_key(request, view)  # type: ignore[attr-defined]
        if self.key is None:
            return True
        self.now = self.timer()  # type: ignore[attr-defined]
        duration, limit = self.duration, self.num_requests  # type: ignore[attr-defined]
        window = int(self.now // duration)
        current, previous = f"{self.key}:{window}", f"{self.key}:{window - 1}"
        counts = self.cache.get_many([current, previous])  # type: ignore[attr-defined]
        self.counts = (counts.get(previous, 0), counts.get(current, 0))
        self.elapsed = (self.now % duration) / duration
        if self.counts[0] * (1 - self.elapsed) + self.counts[1] >= limit:
            return False
        # The counter outlives the next window, whose estimate reads it.
        if not self.cache.add(current, 1, 2 * duration):  # type: ignore[attr-defined]
            try:
                self.cache.incr(current)  # type: ignore[attr-defined]
            except ValueError:  # expired between add and incr
                self.cache.add(current, 1, 2 * duration)  # type: ignore[attr-defined]
        return True

    def wait(self) -> float:
        """Seconds until the estimate falls below the limit (at least one)."""
        previous, current = self.counts
        duration, limit = self.duration, self.num_requests  # type: ignore[attr-defined]
        left = (1 - self.elapsed) * duration  # of the current window
        if previous:
            # Within this window, as the previous one's weight decreases.
            needed = (previous * (1 - self.elapsed) + current - limit) * duration / previous
            if needed < left:
                return max(1.0, math.ceil(needed - 1e-9))  # not a second more for rounding
        # In the next window, as this one's weight decreases.
        later = duration * max(0.0, 1 - limit / current) if current else 0.0
        return max(1.0, math.ceil(left + later - 1e-9))


class StaffRateThrottle(SlidingWindow, UserRateThrottle):
    def get_rate(self) -> str | None:
        return settings.QINGDAN_API_RATE_USER or None

    def get_ident(self, request) -> str:
        return client_address(request)


class AnonymousRateThrottle(SlidingWindow, AnonRateThrottle):
    def get_rate(self) -> str | None:
        return settings.QINGDAN_API_RATE_ANON or None

    def get_ident(self, request) -> str:
        return client_address(request)
