"""Login throttling: after repeated failures for one account from one address (or
many from one address), password checks stop for a while. The address is
`qingdan.core.client.client_address` (behind a reverse proxy: QINGDAN_TRUSTED_PROXIES).
Counts live in the cache, so they are per process with the default local-memory cache;
configure a shared cache (Redis: CACHE_BACKEND, CACHE_LOCATION) when running several
server processes."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from qingdan.core.client import client_address


def _keys(request, username: str) -> tuple[str, str]:
    address = client_address(request)
    return f"login-fail:{(username or '').lower()}:{address}", f"login-fail-ip:{address}"


def is_throttled(request, username: str) -> bool:
    account_key, address_key = _keys(request, username)
    return (
        cache.get(account_key, 0) >= settings.QINGDAN_LOGIN_FAILURES_PER_ACCOUNT
        or cache.get(address_key, 0) >= settings.QINGDAN_LOGIN_FAILURES_PER_ADDRESS
    )


def record_failure(request, username: str) -> None:
    for key in _keys(request, username):
        cache.add(key, 0, settings.QINGDAN_LOGIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, settings.QINGDAN_LOGIN_LOCKOUT_SECONDS)


def clear_failures(request, username: str) -> None:
    cache.delete(_keys(request, username)[0])


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field(), "")
        if is_throttled(request, username):
            # PermissionDenied makes Django stop asking other backends.
            raise PermissionDenied("too many failed logins")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(request, username)
        else:
            clear_failures(request, username)
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
