"""Counting requests in a time window in Django's cache (per process unless the cache
is shared, e.g. Redis: see the README's configuration)."""

from django.core.cache import cache


def count(key: str, window: int) -> int:
    """Count one more hit on `key` in a window of `window` seconds; return the total."""
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1
