"""API token authentication that remembers a token's account in CACHES for a few
seconds, instead of reading the token and its account on every request.

A system calling the API sends the same token hundreds of times a second; each look-up
was a statement (and a second one for the account's jurisdiction, which every
registration's rights check reads). The account is kept with its jurisdiction and
unit for QINGDAN_API_TOKEN_CACHE_SECONDS (10 by default), under a digest of the token
(never the token itself, which would be readable in the cache).

Revocation stays prompt:
- deleting a token (admin, `issue-token --rotate/--revoke`) and saving an account
  (deactivation, role or place changed) or changing its groups or permissions forget
  the cached entry at once (signals below): in every process when CACHES is shared
  (Redis), in the process that made the change otherwise;
- whatever the cache and however the change was made (SQL, a queryset update, another
  process with a per-process cache), an entry is never used longer than
  QINGDAN_API_TOKEN_CACHE_SECONDS after it was read from the database.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

PREFIX = "qingdan:api-token:"


def cache_key(key: str) -> str:
    return PREFIX + hashlib.sha256(key.encode()).hexdigest()


def forget_tokens(keys) -> None:
    """Drop the cached accounts of these token keys (a token deleted, its account
    changed)."""
    cache.delete_many([cache_key(key) for key in keys])


def forget_user(user_id: int) -> None:
    forget_tokens(Token.objects.filter(user_id=user_id).values_list("key", flat=True))


class CachedTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        seconds = settings.QINGDAN_API_TOKEN_CACHE_SECONDS
        where = cache_key(key)
        token = cache.get(where) if seconds > 0 else None
        if token is None:
            # The account's place and unit come along: the rights checks read them.
            token = (
                Token.objects.select_related("user__jurisdiction", "user__department__jurisdiction")
                .filter(key=key)
                .first()
            )
            if token is None:
                # Unknown keys are not cached: nobody can fill the cache by guessing.
                raise exceptions.AuthenticationFailed(_("Invalid token."))
            if seconds > 0 and token.user.is_active:
                cache.set(where, token, seconds)
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
