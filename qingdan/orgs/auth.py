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
from qingdan.core.limits import count, uncount


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
        count(key, settings.QINGDAN_LOGIN_LOCKOUT_SECONDS)


def reserve_attempt(request, username: str) -> bool:
    """Count this attempt as failed before its password is checked: one atomic
    increment per count, so that attempts at the same moment (threads, several
    servers) cannot all pass a check made before any of them failed. False, and the
    attempt not counted, when a limit is reached; a successful attempt is taken back
    (`release_attempt`)."""
    account_key, address_key = _keys(request, username)
    window = settings.QINGDAN_LOGIN_LOCKOUT_SECONDS
    account = count(account_key, window)
    address = count(address_key, window)
    if (
        account > settings.QINGDAN_LOGIN_FAILURES_PER_ACCOUNT
        or address > settings.QINGDAN_LOGIN_FAILURES_PER_ADDRESS
    ):
        uncount(account_key)
        uncount(address_key)
        return False
    return True


def clear_failures(request, username: str) -> None:
    """A successful login: the account's count is forgotten, the address's attempt
    taken back (its earlier failures stand)."""
    account_key, address_key = _keys(request, username)
    cache.delete(account_key)
    uncount(address_key)


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field(), "")
        if not reserve_attempt(request, username):
            # PermissionDenied makes Django stop asking other backends.
            raise PermissionDenied("too many failed logins")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            clear_failures(request, username)
        # A failure stays counted: reserve_attempt counted it already.
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
