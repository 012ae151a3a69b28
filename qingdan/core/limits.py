"""Counting requests in a time window in Django's cache (per process unless the cache
is shared, e.g. Redis: see the README's configuration). Each count is one atomic
increment, so requests at the same moment (threads, several servers) cannot lose counts."""

from django.core.cache import cache


def count(key: str, window: int) -> int:
    """Count one more hit on `key` in a window of `window` seconds; return the total."""
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def uncount(key: str) -> None:
    """Take one hit back (a request counted before it was refused, or one that
    succeeded); nothing when the window has ended meanwhile."""
    try:
        cache.decr(key)
    except ValueError:  # expired meanwhile
        pass
