"""Per-process copies of small, rarely edited tables (the business calendar, the
deadline policies), read once and kept for a number of seconds.

Why not Django's cache framework: the value is a Python structure used thousands of
times a second (an import computes a due time per row), so it stays in this process
as it is, unpickled; edits in this process clear it at once (post_save signals), and
other processes see them when the copy expires, or at the start of a worker pass
(`clear_all`).
"""

import threading
import time
import weakref
from collections.abc import Callable

from django.conf import settings

_instances: "weakref.WeakSet[ExpiringCache]" = weakref.WeakSet()


class ExpiringCache[T]:
    """`load()`'s result, kept for `settings.<ttl_setting>` seconds (`default` when
    the setting is absent). Read with `get()`, forget with `clear()`."""

    def __init__(self, load: Callable[[], T], *, ttl_setting: str, default: float = 60):
        self._load = load
        self._ttl_setting = ttl_setting
        self._default = default
        self._lock = threading.Lock()
        self._value: T | None = None
        self._loaded_at = 0.0
        _instances.add(self)

    def clear(self) -> None:
        self._value = None

    def get(self) -> T:
        value = self._value
        ttl = getattr(settings, self._ttl_setting, self._default)
        if value is not None and time.monotonic() - self._loaded_at < ttl:
            return value
        with self._lock:
            value = self._load()
            self._value, self._loaded_at = value, time.monotonic()
            return value


def clear_all() -> None:
    """Forget every expiring copy in this process (the worker, before each pass:
    an administrator may have edited the data since)."""
    for cache in list(_instances):
        cache.clear()
