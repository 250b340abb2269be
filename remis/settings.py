"""REMIS settings: everything that differs between a laptop and production comes from the
environment (12-factor), with defaults that make the embedded demo work out of the box."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("REMIS_VAR_DIR", default=str(BASE_DIR / "var")))
# What REMIS writes holds personal data — the database, uploaded passports, the erasure
# ledger, exports: readable by the account that runs it alone, whatever the umask (they
# were -rw-r--r-- under root's 022, while the backups were already 0600).
os.umask(0o077)
VAR_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
with contextlib.suppress(OSError):  # a folder another account owns is theirs to set
    VAR_DIR.chmod(0o700)

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    SECURE=(bool, False),
)

DEBUG: bool = env("DEBUG")
# The development key only works with DEBUG on; production must set SECRET_KEY.
SECRET_KEY: str = env.str(
    "SECRET_KEY",
    default="dev-insecure-remis-key-only-for-local-demo-and-tests-0123456789abcdef" if DEBUG else "",
)
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
# The key of the research extracts' pseudonyms (docs/data-protection.md): set it in
# production and keep it apart from SECRET_KEY, since another key gives every person another
# pseudonym. Unset, one is derived from SECRET_KEY (and changes with it); a check warns.
RESEARCH_PSEUDONYM_KEY: str = env.str("RESEARCH_PSEUDONYM_KEY", default="")
ALLOWED_HOSTS: list[str] = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",  # login throttling
    "django_otp",  # two-factor sign-in (accounts/two_factor.py)
    "django_otp.plugins.otp_totp",  # authenticator apps' time-based codes
    "django_otp.plugins.otp_static",  # single-use recovery codes
    "ninja",  # serves the API docs page's assets locally
    "django_tasks",  # background tasks (the backport of Django 6's django.tasks)
    "django_tasks_db",  # their database backend: the queue is a table, `manage.py db_worker` runs it
    "remis.lib",  # shared helpers: registers their lookups (no models)
    "remis.accounts",
    "remis.audit",
    "remis.programmes",
    "remis.cases",
    "remis.services",
    "remis.assessments",
    "remis.assistance",
    "remis.referrals",
    "remis.communities",
    "remis.monitoring",
    "remis.reports",
    "remis.indicators",
    "remis.webhooks",  # last on the data flow: subscribes to every earlier app's events
    "remis.jobs",
    "remis.interop",
    "remis.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # the Content-Security-Policy header (CONTENT_SECURITY_POLICY)
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files from the app server, no nginx needed
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the second factor passed
    "remis.accounts.middleware.NoStoreMiddleware",  # no signed-in page kept in a browser's cache
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "remis.accounts.middleware.HtmxSignInRedirectMiddleware",  # a panel asked after sign-out
    "remis.accounts.middleware.FormAddressMiddleware",  # a form's address opened as a page
    "remis.accounts.middleware.IdleTimeoutMiddleware",  # signs out a session left idle
    "remis.accounts.middleware.UserLanguageMiddleware",
    "remis.accounts.middleware.TwoFactorMiddleware",  # sign-in's second step, set-up where required
    "axes.middleware.AxesMiddleware",  # answers a locked-out sign-in with the lockout page
    "remis.api.ApiResponses",  # no-store and JSON 405s under /api/
    "remis.cases.views.common.CaseAccessEndedMiddleware",  # "no longer shared", not "not found"
]

ROOT_URLCONF = "remis.urls"
CSRF_FAILURE_VIEW = "remis.lib.pages.csrf_failure"  # translated, in the layout, with a way back
WSGI_APPLICATION = "remis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "remis" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "remis.lib.context.page_path",
                "remis.webhooks.context.navigation",
                "remis.accounts.context.navigation",
                "remis.programmes.context.navigation",
                "remis.referrals.context.navigation",
                "remis.communities.context.navigation",
                "remis.monitoring.context.navigation",
                "remis.interop.context.navigation",
            ],
            "builtins": ["remis.lib.templatetags.remis_dates", "remis.lib.templatetags.remis_forms"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'remis.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while a generator writes; IMMEDIATE avoids
    # "database is locked" upgrades from read to write locks inside transactions.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        # How long a writer waits for another's write lock before "database is locked": the
        # default 5 s made every page that writes answer 500, and the jobs worker die, while
        # an all-or-nothing import held the lock for its writing pass (20 s for 50,000 rows).
        "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=60),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # Iterating a form's choices would otherwise open a server-side cursor (three round
    # trips per list); it also keeps REMIS usable behind a transaction-pooling PgBouncer.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Repeated failed sign-ins lock that username from that address for a while (django-axes):
# guessing a password to a system of sensitive records must be slow. `manage.py
# axes_reset_username USERNAME` lifts a lock early.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Two-factor sign-in (accounts/two_factor.py): the name authenticator apps show beside the code.
OTP_TOTP_ISSUER = "REMIS"

AXES_FAILURE_LIMIT = env.int("REMIS_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("REMIS_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False  # its log lines would carry usernames and addresses
# Behind reverse proxies, the number of them in front of REMIS: failures are then counted by
# the client's address from X-Forwarded-For, not the proxy's (remis/accounts/client_ip.py).
# 0 (the default, REMIS serving directly) ignores that header, which anyone can send.
REMIS_PROXY_COUNT = env.int("REMIS_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "remis.accounts.client_ip.client_ip"
# A signed-in session without a request for this long is signed out (IdleTimeoutMiddleware).
REMIS_SESSION_IDLE_MINUTES = env.int("REMIS_SESSION_IDLE_MINUTES", default=30)

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "remis" / "locale"]
FORMAT_MODULE_PATH = ["remis.formats"]  # unambiguous dates (29 Nov 2026) in every language
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "remis" / "static"]
# Uploaded case documents live outside the web root and have no URL of their own:
# they are only ever streamed by a view that checked the reader's access first.
# Erasures, one line each, replayed after restoring a backup (audit/ledger.py): keep it on
# storage apart from the database's.
REMIS_ERASURE_LEDGER = env.str("REMIS_ERASURE_LEDGER", default=str(VAR_DIR / "erasure-ledger.jsonl"))
MEDIA_ROOT = env.path("REMIS_MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DOCUMENT_MAX_BYTES = env.int("REMIS_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
DOCUMENT_ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Webhooks (remis/webhooks; docs/architecture.md, "Webhooks"). Retries wait base × 2^(n−1)
# seconds up to the cap (with jitter: a random half of that to all of it); a subscription
# failing this many times in a row is paused. Receivers must be https on public addresses;
# the two ALLOW switches open plain-http loopback and private networks (tests, intranets).
REMIS_WEBHOOKS_BACKOFF_BASE_SECONDS = env.float("REMIS_WEBHOOKS_BACKOFF_BASE_SECONDS", default=30.0)
REMIS_WEBHOOKS_BACKOFF_CAP_SECONDS = env.float("REMIS_WEBHOOKS_BACKOFF_CAP_SECONDS", default=3600.0)
REMIS_WEBHOOKS_JITTER = env.bool("REMIS_WEBHOOKS_JITTER", default=True)
REMIS_WEBHOOKS_PAUSE_AFTER = env.int("REMIS_WEBHOOKS_PAUSE_AFTER", default=10)
# Exports of records hold personal data: `manage.py expire_exports` (run daily) deletes those
# older than this many days, files and all.
REMIS_EXPORTS_KEEP_DAYS = env.int("REMIS_EXPORTS_KEEP_DAYS", default=7)
REMIS_WEBHOOKS_TIMEOUT_SECONDS = env.float("REMIS_WEBHOOKS_TIMEOUT_SECONDS", default=5.0)
REMIS_WEBHOOKS_CLAIM_SECONDS = env.int("REMIS_WEBHOOKS_CLAIM_SECONDS", default=60)  # a dead worker's lease
REMIS_WEBHOOKS_CACHE_SECONDS = env.float("REMIS_WEBHOOKS_CACHE_SECONDS", default=5.0)
REMIS_WEBHOOKS_ALLOW_LOOPBACK = env.bool("REMIS_WEBHOOKS_ALLOW_LOOPBACK", default=False)
REMIS_WEBHOOKS_ALLOW_PRIVATE = env.bool("REMIS_WEBHOOKS_ALLOW_PRIVATE", default=False)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600  # uploads and the files written for users (see os.umask above)
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

SECURE: bool = env("SECURE")
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31_536_000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SESSION_COOKIE_HTTPONLY = True
# One cache shared by every process (web workers, the jobs worker), so whatever is cached is
# the same everywhere: a per-process cache would keep a signed-out session alive in another
# worker and show each worker its own statistics. The database cache by default (its table is
# made by the jobs app's migration, and again by `createcachetable` in bin/demo and bin/serve
# for a table named differently later); REMIS_CACHE_URL chooses another, e.g.
# redis://host:6379/1 (django-environ's cache URLs).
# Django's database cache deletes a third of its rows once it holds MAX_ENTRIES (300 unless
# told): statistics cached per scope would be culled long before they expire.
CACHES = {"default": env.cache_url("REMIS_CACHE_URL", default="dbcache://remis_cache?max_entries=20000")}
# Sessions stay in the database (the source of truth). In front of a memory cache such as
# Redis they are read from it first (one database query fewer per page); in front of the
# database cache that would be a second table to read and write, so they are read directly.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.db"
    if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    else "django.contrib.sessions.backends.cached_db"
)
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp; Django has it natively only from 6.0): scripts and styles
# only from this site's own files, so no inline <script>, no onclick= and no <style> runs even
# if a name or a note ever slipped through escaping. htmx works within it: its attributes are
# data, and its indicator styles, which it would insert as a <style> element, are off (see the
# htmx-config meta tag in base.html) and in remis.css instead. The favicon is a data: URL.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Background jobs (remis/jobs) run as django-tasks tasks. The database backend keeps the queue
# in a table and `manage.py db_worker` runs it (bin/demo starts one; bin/worker in production):
# no broker to install. REMIS_TASKS_BACKEND names another backend class, e.g.
# "django_tasks.backends.immediate.ImmediateBackend", which runs each job at once inside the
# request that started it (no worker: for trying things out only).
TASKS = {"default": {"BACKEND": env.str("REMIS_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

# Logs carry ids and codes, never names or free text: see docs/architecture.md.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
# Django's own widget templates, rendered by Jinja2: several times faster than the
# template engine for long <select> lists (the case list filters).
FORM_RENDERER = "django.forms.renderers.Jinja2"
