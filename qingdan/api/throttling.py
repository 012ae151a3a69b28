"""Request rates per account and per anonymous address.

DRF's own throttles read their rates once at import; these read the settings on each
request, so an installation (and a test) can change them without a restart of the code.
The anonymous address is `qingdan.core.client.client_address` (X-Forwarded-For believed
only from QINGDAN_TRUSTED_PROXIES), not DRF's NUM_PROXIES guess. Counts live in CACHES:
shared between server processes only with a shared cache (Redis).
"""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from qingdan.core.client import client_address


class StaffRateThrottle(UserRateThrottle):
    def get_rate(self) -> str | None:
        return settings.QINGDAN_API_RATE_USER or None

    def get_ident(self, request) -> str:
        return client_address(request)


class AnonymousRateThrottle(AnonRateThrottle):
    def get_rate(self) -> str | None:
        return settings.QINGDAN_API_RATE_ANON or None

    def get_ident(self, request) -> str:
        return client_address(request)
