"""Encryption at rest for personal data, with a key from the environment.

Values are encrypted with Fernet (AES-128-CBC + HMAC, from `cryptography`), so the
same phone number encrypts differently each time; equality look-ups go through a
keyed digest (HMAC-SHA256) stored beside the value. QINGDAN_ENCRYPTION_KEY holds one
or more comma-separated Fernet keys, the first used to encrypt (key rotation);
without it a key is derived from SECRET_KEY, which is fine for development only.
"""

import base64
import functools
import hashlib
import hmac
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "enc1:"


def _derived_key(purpose: bytes) -> bytes:
    return hashlib.sha256(purpose + settings.SECRET_KEY.encode()).digest()


@functools.cache
def _fernet() -> MultiFernet:
    configured = os.environ.get("QINGDAN_ENCRYPTION_KEY", "")
    keys = [k.strip() for k in configured.split(",") if k.strip()]
    if not keys:
        keys = [base64.urlsafe_b64encode(_derived_key(b"qingdan-encryption")).decode()]
    return MultiFernet([Fernet(key) for key in keys])


@functools.cache
def _digest_key() -> bytes:
    configured = os.environ.get("QINGDAN_ENCRYPTION_KEY", "")
    first = configured.split(",")[0].strip().encode()
    return (
        hashlib.sha256(b"qingdan-digest" + first).digest()
        if first
        else _derived_key(b"qingdan-digest")
    )


def encrypt(value: str) -> str:
    if not value or value.startswith(PREFIX):
        return value
    return PREFIX + _fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    if not value or not value.startswith(PREFIX):
        return value
    try:
        return _fernet().decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("Personal data cannot be decrypted with the configured key.") from exc


def digest(value: str) -> str:
    """A keyed, deterministic fingerprint for equality look-ups ("" for empty)."""
    if not value:
        return ""
    return hmac.new(_digest_key(), value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text field stored encrypted. Only equality through a digest column can be
    searched; filtering on the field itself finds nothing."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value is not None else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def value_to_string(self, obj):
        # Serialised copies (backups, fixtures) carry the ciphertext, never the clear text.
        return encrypt(self.value_from_object(obj) or "")


class DigestField(models.CharField):
    """The keyed digest of another field, kept current on save and bulk_create."""

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = digest(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
