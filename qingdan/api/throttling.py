"""Request rates per account and per anonymous address.

DRF's own throttles read their rates once at import; these read the settings on each
request, so an installation (and a test) can change them without a restart of the code.
The anonymous address is `qingdan.core.client.client_address` (X-Forwarded-For believed
only from QINGDAN_TRUSTED_PROXIES), not DRF's NUM_PROXIES guess. Counts live in CACHES:
shared between server processes only with a shared cache (Redis).

Each request is one atomic increment of a counter per fixed window (`core.limits`), not
DRF's list of timestamps read and written back: with concurrent requests (threads, or
several servers on one Redis) that read-then-write lost counts, and bench/cluster.py saw
25 of 25 anonymous requests pass a limit of 10. A fixed window lets at most twice the
rate through across a window's edge; the limits are flood guards, that is enough.
"""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from qingdan.core.client import client_address
from qingdan.core.limits import count


class CountingRateThrottle(SimpleRateThrottle):
    # Set by SimpleRateThrottle.__init__ from the rate ("600/min": 600, 60).
    num_requests: int
    duration: int

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        return count(f"{self.key}:{window}", self.duration) <= self.num_requests

    def wait(self) -> float:
        """Seconds until the current window ends (the Retry-After header)."""
        return self.duration - self.now % self.duration


class StaffRateThrottle(CountingRateThrottle, UserRateThrottle):
    def get_rate(self) -> str | None:
        return settings.QINGDAN_API_RATE_USER or None

    def get_ident(self, request) -> str:
        return client_address(request)


class AnonymousRateThrottle(CountingRateThrottle, AnonRateThrottle):
    def get_rate(self) -> str | None:
        return settings.QINGDAN_API_RATE_ANON or None

    def get_ident(self, request) -> str:
        return client_address(request)
