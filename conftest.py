import os
import tempfile
from pathlib import Path

import pytest

# Browser tests run a live server in a thread while the test holds the database.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    from django.conf import settings

    # Hashing test passwords with PBKDF2 would cost seconds per test class.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A worker pass in a test sends its notifications somewhere outside the checkout.
    settings.QINGDAN_NOTIFICATION_FILE = Path(tempfile.mkdtemp()) / "notifications.log"
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # A file, not shared-cache memory: threads and processes in tests then wait on
        # locks (busy timeout) as the real server does, instead of failing at once.
        folder = Path(tempfile.gettempdir()) / "qingdan-tests"
        folder.mkdir(exist_ok=True)
        database.setdefault("TEST", {})["NAME"] = str(folder / f"test-{os.getpid()}.sqlite3")


@pytest.fixture(autouse=True)
def _forget_cached_vectors():
    """Test databases give the same ids and numbers out again after each rollback."""
    yield
    from qingdan.triage.early_warning import GROUP_VECTORS

    GROUP_VECTORS.clear()
