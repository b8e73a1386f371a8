"""One settings module for development, CI and production.

Every value comes from the environment (or a `.env` file beside manage.py); the
defaults are safe for development. With DEBUG off the process refuses to start
without the values production needs. `.env.example` documents every variable.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set a long random SECRET_KEY (see .env.example), "
            "or DEBUG=true for development."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif SECRET_KEY == _DEV_SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured("The development SECRET_KEY must not be used with DEBUG=false.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

# --- Applications -------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "teams",
    "okrs",
    "checkins",
    "webhooks",
    "dashboard",
    "api",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.UnreadableBodyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After sign-in is known: a person's own language wins over the browser's.
    "core.middleware.PersonLanguageMiddleware",
    "core.middleware.PrivatePagesMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "core.middleware.FriendlyNotFoundMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "teams.context_processors.roles",
            ],
        },
    },
]

# The tables a team page (dashboard/team_page.py) shows, per app: a change to any of
# their rows gives the teams that show it a new page version (teams/page_version.py).
TEAM_PAGE_WATCHES = ["okrs.page_watches.WATCHES", "checkins.sections.PAGE_WATCHES"]

# --- Database -----------------------------------------------------------------

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg 3's connection pool replaces persistent connections.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Fail fast when the database is away: a request waits at most DATABASE_POOL_TIMEOUT
    # seconds for a connection (then a 503 page), and /healthz says 503 well within the
    # compose health check's 5 s, instead of holding a worker for the pool's old 10 s.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=env.int("DATABASE_CONNECT_TIMEOUT", default=2),
        pool={
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=3),
        },
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let the web process and the Celery worker
    # share the embedded database without "database is locked" errors.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # A file, not shared memory, so tests that race two threads see SQLite as `make run`
    # does (waiting on the busy timeout instead of failing on table locks).
    # One file per test process, so two test runs never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f"test-db-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and sign-in --------------------------------------------------------

AUTH_USER_MODEL = "teams.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# How many reverse proxies stand in front of the app and append to X-Forwarded-For.
# 0 (the default) ignores the header: anyone could write it. See core/client_ip.py.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

# Sign-in protection (AXES_*), single sign-on (OIDC_*, SSO_*) and webhooks (WEBHOOK_*):
# config/integrations.py.
from config.integrations import *  # noqa: E402, F403
from config.integrations import OIDC_ENABLED, OIDC_ISSUER  # noqa: E402

# Emails anyone can make the app send, limited per client address and per recipient:
# (attempts, window in seconds). Counted in the cache (CACHE_URL).
RATE_LIMITS = {
    "password_reset_address": (10, 60 * 60),
    "password_reset_email": (3, 60 * 60),
    "invitation_address": (30, 60 * 60),
    "invitation_email": (3, 24 * 60 * 60),
    # API requests per token, and requests with a token that is no token per address
    # (api/auth.py): a minute's window, aligned to the clock.
    "api_token": (env.int("API_RATE_LIMIT_PER_MINUTE", default=600), 60),
    "api_bad_token_address": (env.int("API_BAD_TOKEN_LIMIT_PER_MINUTE", default=60), 60),
}

# --- Cache --------------------------------------------------------------------------

# Rate-limit counts and built team pages live here. The default is per process; with
# several gunicorn workers set CACHE_URL to Redis so they share them.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# Built team pages (dashboard/team_page.py) in the same place, apart: a thousand teams' pages
# never push the rate-limit counts out.
CACHES["pages"] = {**CACHES["default"], "KEY_PREFIX": "pages"}
if CACHES["pages"]["BACKEND"].endswith("LocMemCache"):
    CACHES["pages"].update(LOCATION="team-pages", OPTIONS={"MAX_ENTRIES": 2000})

# --- Internationalisation -----------------------------------------------------

# The company default language: a person's own choice (Settings and emails) wins, then
# the browser's Accept-Language (or the sign-in page's switch), then this.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
# Names as each language calls itself (Nederlands, Deutsch), as the language choices show them.
LANGUAGES = [("en", "English"), ("nl", "Nederlands"), ("de", "Deutsch")]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}.")
# Translations live in locale/<lang>/LC_MESSAGES/django.po; the .mo files are built by
# `make install` (and the Dockerfile), never committed (docs/translations.md).
LOCALE_PATHS = [BASE_DIR / "locale"]
# 1.234,5 in Dutch and German, 1,234.5 in English.
# Dates as each language writes them ("30 Nov 2026", German "30. Nov 2026"): the
# templates name DATE_FORMAT, DATETIME_FORMAT, MONTH_DAY_FORMAT, SHORT_DATETIME_FORMAT.
FORMAT_MODULE_PATH = ["config.formats"]
USE_THOUSAND_SEPARATOR = False  # numbers are grouped where people read them: core/numbers.py
TIME_ZONE = env.str("DEFAULT_TIME_ZONE", default="Europe/Amsterdam")
DEFAULT_TIME_ZONE = TIME_ZONE
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development whitenoise serves straight from the source folders.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email (Django 6.1 MAILERS) ---------------------------------------------------

DEV_MAILBOX_DIR = env.str("DEV_MAILBOX_DIR", default=str(BASE_DIR / "var" / "mailbox"))
_email = env.email_url("EMAIL_URL", default="consolemail://")
_mailer_options = {
    key: _email[setting]
    for key, setting in [
        ("host", "EMAIL_HOST"),
        ("port", "EMAIL_PORT"),
        ("username", "EMAIL_HOST_USER"),
        ("password", "EMAIL_HOST_PASSWORD"),
        ("use_tls", "EMAIL_USE_TLS"),
        ("use_ssl", "EMAIL_USE_SSL"),
    ]
    if _email.get(setting) not in (None, "")
}
if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
    _mailer_options["timeout"] = env.int("EMAIL_TIMEOUT", default=10)
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _mailer_options}}
if not env.str("EMAIL_URL", default=""):
    # Development: print to the console and keep a copy for the mailbox at /dev/mailbox/.
    MAILERS["default"] = {"BACKEND": "core.mail.DevMailboxBackend", "OPTIONS": {}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Lean OKRs <okrs@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -------------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
CELERY_DATA_DIR = Path(env.str("CELERY_DATA_DIR", default=str(BASE_DIR / "var" / "celery")))
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
else:
    # Embedded default: kombu's filesystem transport needs no server, and the web
    # process, the worker and beat all see the same folder (memory:// would not).
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_DATA_DIR / "control"),
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Task modules that are not an app's `tasks.py` (which autodiscover finds): the workers
# must know them too.
CELERY_IMPORTS = ["teams.outbox", "webhooks.delivery"]
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DATA_DIR / "beat-schedule")
# Publishing gives up quickly when the broker is down: the outbox row stays pending and
# a later tick enqueues it again, so no request waits on a dead broker.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
REMINDER_CLAIM_TIMEOUT = env.int("REMINDER_CLAIM_TIMEOUT", default=600)
REMINDER_REENQUEUE_AFTER = env.int("REMINDER_REENQUEUE_AFTER", default=900)
REMINDER_RETRY_MAX_DELAY = env.int("REMINDER_RETRY_MAX_DELAY", default=900)
# Beat's schedule: each task and how often it runs, in seconds.
CELERY_BEAT_SCHEDULE = {
    name: {"task": task, "schedule": seconds}
    for name, task, seconds in [
        ("dispatch-reminders", "checkins.tasks.dispatch_reminders", 5 * 60),
        ("clear-expired-sessions", "teams.tasks.clear_expired_sessions", 6 * 60 * 60),
        ("close-reviews-due", "okrs.tasks.close_reviews_due", 60 * 60),
        ("forget-old-idempotency-keys", "api.tasks.forget_old_idempotency_keys", 60 * 60),
        ("status-refresh-active", "dashboard.tasks.status_refresh_active", 60),
        ("webhooks-sweep", "webhooks.sweep", 30),
    ]
}

# --- Security ---------------------------------------------------------------------

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
if OIDC_ENABLED:
    # Signing out posts a form that the app answers with a redirect to the provider's
    # end_session_endpoint (RP-initiated logout): form-action must allow its origin.
    _issuer = urlsplit(OIDC_ISSUER)
    SECURE_CSP["form-action"] = [CSP.SELF, f"{_issuer.scheme}://{_issuer.netloc}"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Secure defaults that follow SITE_URL: a production site (DEBUG off) served at an
# https:// address gets the HTTPS redirect, HSTS and secure cookies unless the
# environment says otherwise; an http:// address (docker compose on localhost) keeps
# them off, or nobody could sign in. `check --deploy --fail-level WARNING` passes with
# only SECRET_KEY, ALLOWED_HOSTS and an https SITE_URL (tests/test_deploy.py).
HTTPS_SITE = not DEBUG and SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=HTTPS_SITE)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=HTTPS_SITE)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS_SITE)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS_SITE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS_SITE)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS_SITE)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz is probed over plain HTTP inside the compose network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Logging ------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes logs every successful sign-in at INFO.
        "axes": {"level": "WARNING"},
        # httpx logs every webhook delivery at INFO; the deliveries' page keeps them.
        "httpx": {"level": "WARNING"},
    },
}

# --- Profiling in development ------------------------------------------------------
# Both only with DEBUG on, and only when asked for (they come with `make install`'s dev
# tools). DEBUG_TOOLBAR=true shows django-debug-toolbar (SQL per panel, templates,
# cache) to requests from 127.0.0.1; its panels use inline styles, so the page's CSP
# allows them then. PYINSTRUMENT_PROFILE_DIR=var/profiles writes a pyinstrument profile
# (HTML) of every request into that folder.
DEBUG_TOOLBAR = DEBUG and env.bool("DEBUG_TOOLBAR", default=False)
# With DEBUG on, a missing page shows the app's 404 page unless this asks for Django's.
DEBUG_TECHNICAL_404 = env.bool("DEBUG_TECHNICAL_404", default=False)
if DEBUG_TOOLBAR:
    INSTALLED_APPS += ["debug_toolbar"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django_htmx.middleware.HtmxMiddleware"),
        "debug_toolbar.middleware.DebugToolbarMiddleware",
    )
    INTERNAL_IPS = ["127.0.0.1"]
    SECURE_CSP["style-src"] = [CSP.SELF, CSP.UNSAFE_INLINE]
PYINSTRUMENT_PROFILE_DIR = env.str("PYINSTRUMENT_PROFILE_DIR", default="") if DEBUG else ""
if PYINSTRUMENT_PROFILE_DIR:
    MIDDLEWARE.insert(0, "pyinstrument.middleware.ProfilerMiddleware")
