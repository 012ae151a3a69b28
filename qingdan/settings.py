"""Settings, all overridable from the environment (twelve-factor, as healthchecks does).

Only DATABASE_URL selects the database: SQLite in the working directory by default,
PostgreSQL in production (postgres://user@host:5432/name).
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The development key is public (it is in this file), and the encryption and digest keys
# of personal data derive from SECRET_KEY unless QINGDAN_ENCRYPTION_KEY is set: without
# DEBUG the server, the worker and every command refuse to start on it
# (qingdan.core.checks). Tests, type checks and `scripts/demo` (DEBUG=true) use it.
DEVELOPMENT_SECRET_KEY = "qingdan-insecure-development-key-change-me"
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip() or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

DATA_DIR = Path(os.environ.get("QINGDAN_DATA_DIR", Path.cwd())).resolve()
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'qingdan.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        # With persistent connections: check one before reusing it after a request.
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web server and the worker share one SQLite file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "qingdan.core",
    "qingdan.orgs",
    "qingdan.cases",
    "qingdan.deadlines",
    "qingdan.api",
    "qingdan.open311",
    "qingdan.triage",
    "qingdan.stats",
    "qingdan.web",
    "qingdan.intake",
    "qingdan.notifications",
    "qingdan.supervision",
    "qingdan.documents",
    # Last: the worker, above every app whose jobs it runs.
    "qingdan.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the view: no-store on answers for an account or from a session (personal data).
    "qingdan.core.middleware.NoStoreMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "qingdan.urls"
WSGI_APPLICATION = "qingdan.wsgi.application"
AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = ["qingdan.orgs.auth.ThrottledModelBackend"]
QINGDAN_LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("QINGDAN_LOGIN_FAILURES_PER_ACCOUNT", 5))
QINGDAN_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("QINGDAN_LOGIN_FAILURES_PER_ADDRESS", 30))
QINGDAN_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("QINGDAN_LOGIN_LOCKOUT_SECONDS", 15 * 60))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
# Project-wide assets (site CSS, vendored htmx): the product runs offline, no CDN.
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))

# Uploads: attachments are limited by type and size (bytes).
QINGDAN_ATTACHMENT_MAX_BYTES = int(os.environ.get("QINGDAN_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
QINGDAN_ATTACHMENT_TYPES = env_list(
    "QINGDAN_ATTACHMENT_TYPES",
    "application/pdf,image/jpeg,image/png,image/gif,text/plain,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
# Prefix of tracking numbers, e.g. ZY-2026-000123 for 招远.
QINGDAN_TRACKING_PREFIX = os.environ.get("QINGDAN_TRACKING_PREFIX", "ZY")
# Citizen portal flood limits (counted in CACHES: per process unless the cache is shared).
# Staff look-ups of known petitioners by phone or ID number (intake), per person and minute.
QINGDAN_LOOKUPS_PER_MINUTE = int(os.environ.get("QINGDAN_LOOKUPS_PER_MINUTE", 20))
QINGDAN_PORTAL_SUBMISSIONS_PER_ADDRESS = int(
    os.environ.get("QINGDAN_PORTAL_SUBMISSIONS_PER_ADDRESS", 10)  # per hour
)
QINGDAN_PORTAL_CASES_PER_PHONE = int(os.environ.get("QINGDAN_PORTAL_CASES_PER_PHONE", 5))  # per day
QINGDAN_PORTAL_LOOKUPS_PER_ADDRESS = int(
    os.environ.get("QINGDAN_PORTAL_LOOKUPS_PER_ADDRESS", 30)  # per hour
)
# Reverse proxies (CIDRs, comma-separated) whose X-Forwarded-For is believed for the
# client's address (limits, login throttling, logs); empty: REMOTE_ADDR is the client.
QINGDAN_TRUSTED_PROXIES = env_list("QINGDAN_TRUSTED_PROXIES", "")
for _proxy in QINGDAN_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"QINGDAN_TRUSTED_PROXIES: {_proxy!r} is not an address or network ({_error})."
        ) from None

REST_FRAMEWORK = {
    # Token first: an anonymous request then gets 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's token authentication, the account kept a few seconds in CACHES.
        "qingdan.api.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["qingdan.api.permissions.IsStaffMember"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "qingdan.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "EXCEPTION_HANDLER": "qingdan.api.errors.exception_handler",
    # JSON bodies under DATA_UPLOAD_MAX_MEMORY_SIZE and refused, not crashed on, when
    # nested too deeply.
    "DEFAULT_PARSER_CLASSES": [
        "qingdan.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "qingdan.api.throttling.StaffRateThrottle",
        "qingdan.api.throttling.AnonymousRateThrottle",
    ],
}
# API request rates ("600/min", "20/s"; empty: unlimited), counted in CACHES.
QINGDAN_API_RATE_USER = os.environ.get("QINGDAN_API_RATE_USER", "600/min")
QINGDAN_API_RATE_ANON = os.environ.get("QINGDAN_API_RATE_ANON", "60/min")
# Seconds an API token's account is kept in CACHES (0: read it on every request). A
# token deleted or an account changed is forgotten at once in the processes sharing the
# cache, and in every case after this many seconds (qingdan.api.authentication).
QINGDAN_API_TOKEN_CACHE_SECONDS = int(os.environ.get("QINGDAN_API_TOKEN_CACHE_SECONDS", 10))
SPECTACULAR_SETTINGS = {
    "TITLE": "Qingdan API",
    "DESCRIPTION": "清单 — problem list to results list",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "qingdan.cases.choices.State",
        "TierEnum": "qingdan.cases.choices.Tier",
        "PetitionerKindEnum": "qingdan.cases.choices.PetitionerKind",
        "DepartmentKindEnum": "qingdan.orgs.choices.DepartmentKind",
        "DocumentKindEnum": "qingdan.documents.choices.DocumentKind",
        "NoticeStateEnum": "qingdan.supervision.choices.NoticeState",
        "MeetingStateEnum": "qingdan.supervision.choices.MeetingState",
        "DecisionStateEnum": "qingdan.supervision.choices.DecisionState",
        # Quick entry takes two of the channels: both sets named.
        "ChannelEnum": "qingdan.cases.choices.Channel",
        "QuickChannelEnum": "qingdan.intake.choices.QUICK_CHANNEL_CHOICES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "qingdan.api.schema.add_error_responses",
    ],
}

# Personal data (phones, ID numbers, e-mail addresses … in messages and tracebacks) is
# masked in every record before a handler writes it (qingdan.core.logs). Django's own
# handlers are declared again, as in its defaults, to carry the same filter.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "personal_data": {"()": "qingdan.core.logs.MaskPersonalData"},
        "require_debug_true": {"()": "django.utils.log.RequireDebugTrue"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_data"]},
        "debug_console": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "filters": ["require_debug_true", "personal_data"],
        },
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["personal_data"],
        },
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {"handlers": ["debug_console", "mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

QINGDAN_OPEN311_POSTS_PER_MINUTE = int(os.environ.get("QINGDAN_OPEN311_POSTS_PER_MINUTE", 60))
# Shown in Open311 discovery as whom client developers contact.
QINGDAN_OPEN311_CONTACT = os.environ.get("QINGDAN_OPEN311_CONTACT", "Qingdan administrator")

# Deadlines and the worker (`qingdan worker`).
# Seconds the calendar and deadline policies are cached in each process.
QINGDAN_DEADLINE_CACHE_SECONDS = int(os.environ.get("QINGDAN_DEADLINE_CACHE_SECONDS", 60))
QINGDAN_WORKER_INTERVAL = float(os.environ.get("QINGDAN_WORKER_INTERVAL", 60))  # between passes
QINGDAN_WORKER_BATCH = int(os.environ.get("QINGDAN_WORKER_BATCH", 500))  # cases read at a time
# A joint-meeting task turns yellow this many hours before its deadline.
QINGDAN_DECISION_WARNING_HOURS = int(os.environ.get("QINGDAN_DECISION_WARNING_HOURS", 24))
# Days after the reply when an answer not recorded as served is reminded about (0: never).
QINGDAN_DOCUMENTS_UNSERVED_DAYS = int(os.environ.get("QINGDAN_DOCUMENTS_UNSERVED_DAYS", 7))
# Notifications: backends by name (console, file, email, sms) or dotted path.
QINGDAN_NOTIFICATION_BACKENDS = env_list("QINGDAN_NOTIFICATION_BACKENDS", "console,file")
QINGDAN_NOTIFICATION_FILE = Path(
    os.environ.get("QINGDAN_NOTIFICATION_FILE", DATA_DIR / "notifications.log")
)
QINGDAN_NOTIFICATION_RETRY_SECONDS = int(os.environ.get("QINGDAN_NOTIFICATION_RETRY_SECONDS", 60))
QINGDAN_NOTIFICATION_RETRY_MAX_SECONDS = int(
    os.environ.get("QINGDAN_NOTIFICATION_RETRY_MAX_SECONDS", 6 * 3600)
)
QINGDAN_NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("QINGDAN_NOTIFICATION_MAX_ATTEMPTS", 12))
QINGDAN_NOTIFICATION_LEASE_SECONDS = int(os.environ.get("QINGDAN_NOTIFICATION_LEASE_SECONDS", 300))
QINGDAN_SMS_GATEWAY_URL = os.environ.get("QINGDAN_SMS_GATEWAY_URL", "")
QINGDAN_SMS_GATEWAY_TOKEN = os.environ.get("QINGDAN_SMS_GATEWAY_TOKEN", "")
# E-mail for the email notification backend (Django's MAILERS; SMTP by default).
_MAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": _MAIL_BACKEND,
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", 25)),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
        }
        if _MAIL_BACKEND.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "qingdan@localhost")

CACHES = {
    "default": {
        "BACKEND": os.environ.get("CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"),
        "LOCATION": os.environ.get("CACHE_LOCATION", "qingdan"),
    }
}

# Early warning at intake (triage): repeat petitions, group-petition risk, flooding.
QINGDAN_REPEAT_WINDOW_DAYS = int(os.environ.get("QINGDAN_REPEAT_WINDOW_DAYS", 180))
QINGDAN_REPEAT_SIMILARITY = float(os.environ.get("QINGDAN_REPEAT_SIMILARITY", 0.5))
QINGDAN_GROUP_WINDOW_DAYS = int(os.environ.get("QINGDAN_GROUP_WINDOW_DAYS", 7))
QINGDAN_GROUP_MIN_PETITIONERS = int(os.environ.get("QINGDAN_GROUP_MIN_PETITIONERS", 5))
QINGDAN_GROUP_SIMILARITY = float(os.environ.get("QINGDAN_GROUP_SIMILARITY", 0.5))
QINGDAN_GROUP_MAX_SCAN = int(os.environ.get("QINGDAN_GROUP_MAX_SCAN", 500))
QINGDAN_FLOOD_PER_DAY = int(os.environ.get("QINGDAN_FLOOD_PER_DAY", 3))
# Intake analysis (duplicates, category suggestion, hot terms, warnings): "inline" in
# the registration itself, or "worker" to queue it for `qingdan worker` (busy hotlines).
QINGDAN_TRIAGE_AT_INTAKE = os.environ.get("QINGDAN_TRIAGE_AT_INTAKE", "inline").strip().lower()
if QINGDAN_TRIAGE_AT_INTAKE not in {"inline", "worker"}:
    raise ImproperlyConfigured("QINGDAN_TRIAGE_AT_INTAKE is either 'inline' or 'worker'.")
# Seconds between the worker's looks at the queue of intake analyses (worker mode).
QINGDAN_TRIAGE_POLL_SECONDS = float(os.environ.get("QINGDAN_TRIAGE_POLL_SECONDS", 1))
# Unset: strict (raise) under DEBUG, log and go on in production.
QINGDAN_TRIAGE_STRICT = (
    env_bool("QINGDAN_TRIAGE_STRICT", False) if "QINGDAN_TRIAGE_STRICT" in os.environ else None
)
# Warning flags counted as repeat petitions in the statistics (comma-separated CaseFlag
# kinds); unset: the default in qingdan.stats.choices.
if _repeat_flag_kinds := env_list("QINGDAN_STATS_REPEAT_FLAG_KINDS", ""):
    QINGDAN_STATS_REPEAT_FLAG_KINDS = tuple(_repeat_flag_kinds)
# Work-order import: the largest upload, and whether the upload page imports in a thread.
QINGDAN_IMPORT_MAX_BYTES = int(os.environ.get("QINGDAN_IMPORT_MAX_BYTES", 200 * 1024 * 1024))
QINGDAN_IMPORT_IN_BACKGROUND = env_bool("QINGDAN_IMPORT_IN_BACKGROUND", True)

# Hardening. Behind HTTPS set SECURE_COOKIES=true (and HSTS/SSL redirect as needed).
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy: scripts and styles only from our own static files (no inline
# script, no eval), so injected markup in a complaint's text cannot run.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 0))
# Only when every subdomain of the site's host is served over HTTPS too; preload asks
# browsers to ship the host in their HTTPS-only list (hard to undo).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY", False) else None
)
# Request size limits: a clear 400 instead of exhausting memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
