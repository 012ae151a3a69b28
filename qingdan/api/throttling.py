"""Request rates per account and per anonymous address.

DRF's own throttles read their rates once at import; these read the settings on each
request, so an installation (and a test) can change them without a restart of the code.
"""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class StaffRateThrottle(UserRateThrottle):
    def get_rate(self) -> str | None:
        return settings.QINGDAN_API_RATE_USER or None


class AnonymousRateThrottle(AnonRateThrottle):
    def get_rate(self) -> str | None:
        return settings.QINGDAN_API_RATE_ANON or None
