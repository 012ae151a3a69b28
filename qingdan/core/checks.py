"""Refuse to run in production on the public development key.

SECRET_KEY signs sessions and, unless QINGDAN_ENCRYPTION_KEY is set, the encryption
and digest keys of personal data derive from it: on the key printed in settings.py
anyone could forge a session and decrypt a stolen database. Without DEBUG, a system
check stops the server (`runserver`), the worker and every management command, and
`qingdan/wsgi.py` refuses to build the application (gunicorn, uWSGI).
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MESSAGE = (
    "SECRET_KEY is not set (or is the public development key) and DEBUG is off: "
    "refusing to start. Set SECRET_KEY to a long random value, e.g. the output of "
    "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`, and keep it: "
    "unless QINGDAN_ENCRYPTION_KEY is set, personal data is encrypted under a key "
    "derived from it. For development set DEBUG=true."
)


def on_public_key() -> bool:
    return not settings.DEBUG and settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY


def check_secret_key(app_configs, **kwargs) -> list[checks.CheckMessage]:
    return [checks.Error(MESSAGE, id="qingdan.E001")] if on_public_key() else []


def refuse_public_key() -> None:
    if on_public_key():
        raise ImproperlyConfigured(MESSAGE)
