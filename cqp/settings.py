"""Settings of CQP Manager, every value read from the environment (see .env.example).

With no variable at all the app runs on the embedded default: SQLite file, Celery tasks run inline,
e-mail printed to the console, French. DATABASE_URL switches to PostgreSQL, REDIS_URL to a real
Celery broker and workers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from cqp.env import env_bool, env_choice, env_int, env_list, env_str, env_url, site_url

# Django's generic classes (ModelForm[Candidate], ModelAdmin[Jury], ...) subscriptable at run time, as the stubs
# type them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-used-when-DEBUG-is-off-0123456789abcdef"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY est obligatoire quand DEBUG est désactivé : "
            "générez-en une (50 caractères au moins) et définissez SECRET_KEY."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "SECRET_KEY est trop faible : 50 caractères au moins, variés, en production "
        '(ex. : python -c "import secrets; print(secrets.token_urlsafe(60))").'
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS est obligatoire quand DEBUG est désactivé (ex. : cqp.example.org).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The port `make run` serves on (`make run PORT=8001`); SITE_URL, unset in development, follows it.
PORT = env_int("PORT", 8000, minimum=1, maximum=65535)
# The public address printed in e-mails and on parchments (their verification QR code): required in production.
SITE_URL = site_url(env_str("SITE_URL") or None, debug=DEBUG, port=PORT)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "accounts",
    "cqp",
    "candidates",
    "evaluations",
    "juries",
    "certificates",
    "results",
    "dysfunctions",
    "vae",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cqp.middleware.ContentSecurityPolicyMiddleware",
    # Before anything reads the body (sessions, CSRF): a body too large is refused from its declared length.
    "cqp.middleware.RequestSizeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: every view needs a logged-in user unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages (it says why it logged out), before the views (LoginRequired then sends to the login).
    "cqp.middleware.SessionTimeoutMiddleware",
    "cqp.middleware.PrivateCacheMiddleware",
    # The French 400/404/500 pages with DEBUG on too (Django's technical pages otherwise); before DatabaseBusy,
    # whose process_exception runs first.
    "cqp.middleware.FrenchErrorPagesMiddleware",
    "cqp.middleware.DatabaseBusyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a login refused for too many failures into the lockout page (accounts/lockout.py).
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Static files served by the app itself in production (collected by `collectstatic`).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "cqp.urls"
WSGI_APPLICATION = "cqp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
            ],
        },
    },
]

# Database: SQLite file by default, PostgreSQL (or any dj-database-url URL) through DATABASE_URL.
# Connections stay open CONN_MAX_AGE seconds (a new one costs 10-14 ms on PostgreSQL), checked before reuse.
_DATABASE_URL = env_url("DATABASE_URL", ("postgres", "postgresql", "sqlite"))
DATABASES = {
    "default": dj_database_url.parse(
        _DATABASE_URL or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer at a time. A transaction takes the write lock when it begins (IMMEDIATE), so two
    # concurrent writes queue for up to SQLITE_TIMEOUT seconds instead of failing half-way with "database is
    # locked"; WAL lets pages be read while a write runs.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_TIMEOUT", 20, minimum=1),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The lockout check first (django-axes), then the log-in by e-mail.
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutBackend", "accounts.backends.RoleBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# French first; English ready through gettext.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS: list[str | Path | tuple[str, str | Path]] = [BASE_DIR / "static"]
# Bootstrap comes from the npm package (`npm ci`), served as local static files, never from a CDN.
BOOTSTRAP_DIST = BASE_DIR / "node_modules" / "bootstrap" / "dist"
if BOOTSTRAP_DIST.is_dir():
    STATICFILES_DIRS.append(("vendor/bootstrap", BOOTSTRAP_DIST))
# Candidates' documents (livrets, identity copies) live outside the public media and are served
# only through views that check access. Any Django storage (e.g. an object store) can replace it.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    # PVs and parchments: served through views (downloads, public verification), never by URL.
    "certificates": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT / "certificates", "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: printed to the console unless an SMTP host (or another backend) is configured.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CQP Manager <ne-pas-repondre@cqp.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST")
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
EMAIL_BACKEND = _EMAIL_BACKENDS[
    env_choice("EMAIL_BACKEND", "smtp" if EMAIL_HOST else "console", tuple(_EMAIL_BACKENDS))
]
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-emails"))
EMAIL_TIMEOUT = 30

# Celery: tasks run inline unless REDIS_URL names a broker, then real workers take them.
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss"))
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 150, minimum=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# A task whose worker died is delivered again once this delay has passed (acks_late): keep it above the
# longest task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1)}
# A render claimed longer ago than this was left by a worker that died: another worker takes it over.
CERTIFICATES_RENDER_STALE_SECONDS = env_int("CERTIFICATES_RENDER_STALE_SECONDS", 2 * CELERY_TASK_TIME_LIMIT, minimum=1)
# An e-mail (convocation, result notice) claimed longer ago than this was left by a worker that died: another
# worker sends it.
MAIL_CLAIM_STALE_SECONDS = env_int("MAIL_CLAIM_STALE_SECONDS", 2 * CELERY_TASK_TIME_LIMIT, minimum=1)
# Tests only: a pause inside each render, so a reliability test can stop a worker in the middle of one.
CERTIFICATES_RENDER_PAUSE = env_int("CERTIFICATES_RENDER_PAUSE", 0, minimum=0)

# The cache counts requests for rate limits (public verification): per process without Redis, shared with it.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# Public verification page: at most this many look-ups (codes typed or PDFs sent) per address and hour.
VERIFY_RATE_LIMIT_PER_HOUR = env_int("VERIFY_RATE_LIMIT_PER_HOUR", 60, minimum=1)
# Reverse proxies in front of the app that append the client's address to X-Forwarded-For (0: none, the
# client is REMOTE_ADDR). Behind one proxy, REMOTE_ADDR is the proxy's: every visitor would share one count.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
# The largest request body accepted (bytes), refused from its Content-Length before it is read: a 20 MB
# document and its form fit. Form fields without files are capped by Django at DATA_UPLOAD_MAX_MEMORY_SIZE.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 21 * 1024 * 1024, minimum=1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Login throttling (django-axes, accounts/lockout.py). An account is locked after AXES_FAILURE_LIMIT failed
# logins, an address after AXES_IP_FAILURE_LIMIT (higher: an office shares one address), each for
# AXES_COOLOFF_MINUTES after its last failure; attempts during a lockout do not extend it, and a successful login
# clears the account's failures. A lockout is lifted early with `manage.py axes_reset_username <e-mail>` (or
# `axes_reset_ip <address>`); Axes' admin pages stay off.
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10, minimum=1)
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", 50, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "accounts.lockout.attempted_username"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.attempt_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# Failed attempts are kept for the cool-off only; successful logins are not logged by Axes.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Password-reset mails: at most this many per hour for one e-mail address, and requests per hour from one client
# address (beyond, the same "sent" page and no mail).
PASSWORD_RESET_EMAIL_LIMIT_PER_HOUR = env_int("PASSWORD_RESET_EMAIL_LIMIT_PER_HOUR", 3, minimum=1)
PASSWORD_RESET_ADDRESS_LIMIT_PER_HOUR = env_int("PASSWORD_RESET_ADDRESS_LIMIT_PER_HOUR", 20, minimum=1)

# Sessions: closed after SESSION_IDLE_TIMEOUT seconds without a request, and SESSION_COOKIE_AGE seconds after the
# login whatever the activity (cqp/middleware.py).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60, minimum=60)
SESSION_COOKIE_HTTPONLY = True

# HTTPS. In production (DEBUG off) the app redirects to HTTPS, sends HSTS and secure cookies. Behind a TLS proxy
# that talks plain HTTP to the app, set TRUSTED_PROXY_COUNT so that its X-Forwarded-Proto is believed (the proxy
# must set that header itself); without a proxy the header comes from the client and is never trusted.
if TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy of every page (cqp/middleware.py): scripts and styles from our own static files only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
    },
}
