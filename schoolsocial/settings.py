"""The one settings module. Everything that differs between machines comes from the environment.

Defaults give the embedded mode (`make run`): SQLite, tasks run in-process, email to the console.
`DJANGO_ENV=production` switches on the secure defaults and refuses to start half-configured: without
a real SECRET_KEY, ALLOWED_HOSTS, an https SITE_URL, an SMTP server, a Celery broker and Redis.
"""

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DJANGO_ENV = env("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)


def env_required_in_production(name: str, example: str, why: str) -> str:
    """The variable's value; in production a missing one stops the portal before it serves anything.

    Without these the embedded fallbacks would quietly take over in production: email printed to
    a console nobody reads, tasks run inside the request, links in emails pointing at 127.0.0.1.
    """
    value = env(name).strip()
    if PRODUCTION and not value:
        raise ImproperlyConfigured(f"{name} is not set. Production needs {why}, for example {name}={example}")
    return value


SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION or not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DJANGO_ENV=production or DEBUG=0) needs a long "
            "random SECRET_KEY in the environment, for example from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`."
        )
    SECRET_KEY = "insecure-development-key-only-for-the-embedded-demo-never-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
if not DEBUG and not ALLOWED_HOSTS:
    # Otherwise the portal starts and then answers every request with "400 Bad Request".
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. Production needs the portal's host names, comma separated, "
        "for example ALLOWED_HOSTS=portal.school.example"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The reverse proxies in front of the portal (addresses or networks, e.g. 127.0.0.1 or
# 10.0.0.0/24): only requests from these may say who the client is (X-Forwarded-For).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES holds {_proxy!r}, which is not an address or network (e.g. 127.0.0.1 or 10.0.0.0/24)."
        ) from _error
SITE_URL = (
    env_required_in_production(
        "SITE_URL", "https://portal.school.example", "the portal's public address for the links in its emails"
    )
    or "http://127.0.0.1:8000"
).rstrip("/")
if PRODUCTION and (urlsplit(SITE_URL).scheme != "https" or not urlsplit(SITE_URL).hostname):
    raise ImproperlyConfigured(
        f"SITE_URL must be the portal's https address in production (it is {SITE_URL!r}), "
        "for example SITE_URL=https://portal.school.example"
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "simple_history",
    # Staff sign-in with the school's Microsoft or Google account (accounts/sso.py); no signup.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.microsoft",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.openid_connect",
    "accounts",
    "incidents",
    "incidents.letters",
    "policies",
    "agreements",
    "complaints",
    "notifications",
    "files",
    "dashboard",
    "dataprotection",
]
if DEBUG:
    # Demo data and seed_demo (published passwords): never installed in production.
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body: an oversized request is refused unread.
    "schoolsocial.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "schoolsocial.middleware.SessionIdleTimeoutMiddleware",
    # After sessions, before CommonMiddleware (Django's rule): picks the language from the
    # django_language cookie the header's menu sets, else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.AccountLanguageMiddleware",
    "accounts.middleware.OTPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "accounts.middleware.CurrentMembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that a locked-out sign-in gets the lockout page rather than the form.
    "axes.middleware.AxesMiddleware",
    # The portal's own 404 page in development too (never Django's list of URL patterns).
    "schoolsocial.middleware.ProjectNotFoundPageMiddleware",
]

ROOT_URLCONF = "schoolsocial.urls"
WSGI_APPLICATION = "schoolsocial.wsgi.application"

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
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# Widgets' <input>, <textarea> and <select> written in Python (the same markup as the templates).
FORM_RENDERER = "schoolsocial.lib.form_renderer.FastWidgetRenderer"

# --- Database -----------------------------------------------------------------------------------
SQLITE_PATH = BASE_DIR / "var" / "schoolsocial.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the demo serve pages while a task writes; IMMEDIATE avoids "database is locked"
    # on the upgrade from a read to a write lock. The connection is kept between requests (as on
    # PostgreSQL): opening one and running these pragmas cost a tenth of a list request's CPU.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_PREPARED_STATEMENTS", True):
    # Every page asks the same few queries (its sign-in, its case); PostgreSQL plans each one once
    # per connection and reuses the plan after five runs, where it would plan it on every request.
    # It shares the web server's cores: with 2 workers this was a fifth more list and case pages a
    # second (bench/README.md). Off (false) behind a pooler in transaction mode, which cannot keep
    # a connection's prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env("TEST_DATABASE_TEMPLATE", ""):
    # `make test` migrates one database once (scripts/test.sh) and the test databases are copies of
    # it: each test worker migrating its own from nothing cost the suite two minutes.
    DATABASES["default"]["TEST"] = {"TEMPLATE": env("TEST_DATABASE_TEMPLATE")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users, sign-in, two-factor --------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PasswordBackend",
    # Signing in with a passkey (accounts/passkeys.py): no password, the passkey is both factors.
    "accounts.backends.PasskeyBackend",
]
# Passkeys belong to the portal's public address (SITE_URL): made there, usable only there.
OTP_WEBAUTHN_HELPER_CLASS = "accounts.passkeys.PasskeyHelper"
OTP_WEBAUTHN_RP_NAME = "schoolsocial"
_site = urlsplit(SITE_URL)
if _site.scheme == "https":
    OTP_WEBAUTHN_RP_ID = _site.hostname or ""
    OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"https://{_site.netloc}"]
else:  # development over http: browsers allow passkeys there on localhost only
    OTP_WEBAUTHN_RP_ID = "localhost"
    OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"http://localhost:{_site.port or 80}"]
# Development and browser tests serve on a port chosen at run time: there the passkey follows the
# address the browser is on (a host ALLOWED_HOSTS accepts). Never in production.
PASSKEYS_FOLLOW_REQUEST_HOST = DEBUG and not PRODUCTION
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = "accounts.passkeys"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3
# Reset emails each hour: per address (a mailbox is not flooded), per client (no bulk sending).
PASSWORD_RESET_PER_ADDRESS = env_int("PASSWORD_RESET_PER_ADDRESS", 3)
PASSWORD_RESET_PER_CLIENT = env_int("PASSWORD_RESET_PER_CLIENT", 10)

# Staff in one school share one public IP, so lock out the pair (username, IP), not the IP.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
# Case-insensitive like sign-in itself, so changing a letter's case gives no fresh tries.
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The client's address: REMOTE_ADDR, or X-Forwarded-For when (and only when) the request comes
# from one of our own reverse proxies (schoolsocial/lib/client_ip.py). The access log uses the same.
AXES_CLIENT_IP_CALLABLE = "schoolsocial.lib.client_ip.client_ip"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "schoolsocial"

# --- Sign-in with the school's Microsoft or Google account (accounts/sso.py) -------------------
# One app registration each for the portal (multi-tenant); each school's tenant or domain is a
# SchoolSignIn the headteacher sets in the portal. A provider without credentials is not offered.
SOCIALACCOUNT_ADAPTER = "accounts.sso.SchoolSocialAccountAdapter"
SOCIALACCOUNT_ONLY = True
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_ADAPTER = "accounts.sso.NoSignupAccountAdapter"
SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {}
if env("SSO_MICROSOFT_CLIENT_ID", ""):
    SOCIALACCOUNT_PROVIDERS["microsoft"] = {
        "APPS": [
            {
                "client_id": env("SSO_MICROSOFT_CLIENT_ID", ""),
                "secret": env("SSO_MICROSOFT_CLIENT_SECRET", ""),
                "settings": {"tenant": "organizations"},
            }
        ],
        "SCOPE": ["openid", "email", "profile", "User.Read"],
    }
if env("SSO_GOOGLE_CLIENT_ID", ""):
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [{"client_id": env("SSO_GOOGLE_CLIENT_ID", ""), "secret": env("SSO_GOOGLE_CLIENT_SECRET", "")}],
        "SCOPE": ["openid", "email", "profile"],
    }
if env("SSO_OIDC_SERVER_URL", ""):
    # Any other OpenID Connect provider (the tests run node-oidc-provider on loopback).
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": "school-oidc",
                "name": env("SSO_OIDC_NAME", "your school account"),
                "client_id": env("SSO_OIDC_CLIENT_ID", ""),
                "secret": env("SSO_OIDC_CLIENT_SECRET", ""),
                "settings": {"server_url": env("SSO_OIDC_SERVER_URL", ""), "fetch_userinfo": False},
            }
        ],
        "OAUTH_PKCE_ENABLED": True,
    }

# Sessions end after a spell of inactivity. The expiry is pushed forward at most once a minute
# (schoolsocial.middleware.SessionIdleTimeoutMiddleware), not written on every page view.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14)

# --- Security headers ------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # A load balancer may probe gunicorn over plain http; the answer is one word (schoolsocial/health.py).
    SECURE_REDIRECT_EXEMPT = [r"^health/"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# A strict policy: nothing inline, nothing from elsewhere. Front-end packages are served from here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Static and uploaded files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
# Uploaded evidence and letters are private: no MEDIA_URL is ever routed; files are served by
# views that check role and school.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": "/private-files-are-not-served/"},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# S3-compatible storage instead of the local folder when a bucket is named. The bucket stays
# private: no ACL is sent (the bucket's own, private, applies), objects are encrypted at rest,
# and files still leave only through the permission-checking views (url() links nowhere, see
# schoolsocial/lib/storage.py). Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
# or the machine's role, read by boto3, never from this file.
STORAGE_S3_BUCKET = env("STORAGE_S3_BUCKET")
if STORAGE_S3_BUCKET:
    _sse = env("AWS_S3_SSE", "AES256").strip()
    _object_parameters = {}
    if _sse.lower() not in {"", "none", "off", "0", "false"}:
        _object_parameters["ServerSideEncryption"] = _sse
        if env("AWS_S3_SSE_KMS_KEY_ID"):
            _object_parameters["SSEKMSKeyId"] = env("AWS_S3_SSE_KMS_KEY_ID")
    STORAGES["default"] = {
        "BACKEND": "schoolsocial.lib.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_S3_BUCKET,
            # One bucket can hold several environments without their files ever mixing.
            "location": env("STORAGE_S3_PREFIX", DJANGO_ENV).strip("/"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env("AWS_S3_REGION_NAME") or None,
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE") or None,
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,  # evidence is never replaced: a clash gets a new name
            "object_parameters": _object_parameters,
            "max_memory_size": 2 * 1024 * 1024,  # a download larger than this spools to a temporary file
        },
    }
WHITENOISE_USE_FINDERS = not PRODUCTION
# What a request may carry. Form fields (a policy's text included) stay under
# DATA_UPLOAD_MAX_MEMORY_SIZE; each file under MAX_UPLOAD_BYTES; the whole request, files and all,
# under MAX_REQUEST_BYTES, refused unread (schoolsocial/middleware.py). Set the reverse proxy's
# body limit just above it (deploy/nginx-schoolsocial.conf: client_max_body_size 65m).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20  # the report form takes 10 at once
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 64 * 1024 * 1024)
# An MIS export of a 1,500-pupil school is well under 1 MB; anything past this is the wrong file.
ROLL_IMPORT_MAX_BYTES = env_int("ROLL_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# --- Email ----------------------------------------------------------------------------------
# Production always sends through SMTP; only the embedded default prints email to the console.
_email_host = env_required_in_production(
    "EMAIL_HOST", "smtp.school.example", "an SMTP server to send its email (sign-in links, alerts, letters)"
)
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if _email_host else "django.core.mail.backends.console.EmailBackend",
)
_NEVER_DELIVERED = {
    f"django.core.mail.backends.{name}.EmailBackend" for name in ("console", "dummy", "locmem", "filebased")
}
if PRODUCTION and EMAIL_BACKEND in _NEVER_DELIVERED:
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND={EMAIL_BACKEND} would never deliver an email. Leave EMAIL_BACKEND unset in "
        "production: email goes to the SMTP server in EMAIL_HOST."
    )
EMAIL_HOST = _email_host or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "schoolsocial <no-reply@schoolsocial.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env_required_in_production(
    "REDIS_URL", "redis://localhost:6379/1", "Redis for the cache shared by every web and worker process"
)
CACHES = {
    "default": (
        {
            # Redis down means cache misses, never a 500 (schoolsocial/lib/cache.py).
            "BACKEND": "schoolsocial.lib.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Sessions live in the database (the embedded default, schoolsocial/sessions.py). SESSIONS_IN_CACHE=true
# (with Redis) reads them from the cache and writes through to the database, so a Redis restart signs
# nobody out.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if env_bool("SESSIONS_IN_CACHE", False) and REDIS_URL
    else "schoolsocial.sessions"
)

# --- Celery ---------------------------------------------------------------------------------
# With no broker (the embedded default) tasks run in-process, so the demo needs no Redis. Production
# never does that: a letter render or an email would hold up the request that asked for it.
_broker_url = env_required_in_production(
    "CELERY_BROKER_URL", "redis://localhost:6379/0", "a Celery broker so that background work leaves the request"
)
CELERY_TASK_ALWAYS_EAGER = not _broker_url
# Celery still opens a (never used) producer for eager tasks; the in-memory transport keeps it from
# looking for an AMQP server on localhost.
CELERY_BROKER_URL = _broker_url or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or None
CELERY_TIMEZONE = "Europe/London"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
# The queue tasks are published to, also from inside a worker (retries, the relay); one Redis can
# serve several environments with a queue each.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_ACCEPT_CONTENT = ["json"]
# A worker that dies outright leaves its reserved tasks to Redis for this long before they are handed
# out again. Kept short: no task waits in the broker for more than a few minutes (long retry
# back-offs live in the database, see notifications/outbox.py), and anything lost is re-queued by
# the outbox relay. Longer than the slowest task (a large referral bundle), so none runs twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 30 * 60)}
# With the broker down, a request gives up publishing quickly (the relay queues the work later)
# instead of hanging.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# On a cold shutdown (a second Ctrl+C, or the platform's stop timeout) running tasks get this long
# to finish, and tasks waiting for a countdown go back to the queue instead of waiting out the
# visibility timeout.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = float(env_int("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", 60))
CELERY_WORKER_ENABLE_SOFT_SHUTDOWN_ON_IDLE = True
CELERY_BEAT_SCHEDULE: dict = {}
# Policies: review reminders 60, 30 and 7 days before the review date, then weekly when overdue.
CELERY_BEAT_SCHEDULE["policy-review-reminders"] = {
    "task": "policies.tasks.review_reminder_sweep",
    "schedule": crontab(hour=6, minute=30),  # early, so the email is waiting at the start of the day
    "options": {"expires": 60 * 60 * 12},
}
# Complaints: reminders of acknowledge/respond deadlines nearing or passed, once per window.
CELERY_BEAT_SCHEDULE["complaint-deadline-reminders"] = {
    "task": "complaints.tasks.deadline_reminder_sweep",
    "schedule": crontab(hour=6, minute=40),
    "options": {"expires": 60 * 60 * 12},
}
# Agreements: ask newly linked parents to sign, and remind after 7 and 21 days, each once.
CELERY_BEAT_SCHEDULE["agreement-signing-reminders"] = {
    "task": "agreements.tasks.sweep_unsigned_agreements",
    "schedule": crontab(hour=17, minute=30),  # after school pick-up, when parents read email
    "options": {"expires": 60 * 60 * 12},
}
# Letters: remind owners of escalation steps due tomorrow, and of overdue ones, once per window.
CELERY_BEAT_SCHEDULE["escalation-step-reminders"] = {
    "task": "incidents.tasks.remind_due_steps",
    "schedule": crontab(hour=6, minute=50),
    "options": {"expires": 60 * 60 * 12},
}
# Incidents: files staged on report forms that were never sent are removed after a day.
CELERY_BEAT_SCHEDULE["outbox-relay"] = {
    "task": "notifications.tasks.relay_outbox",
    "schedule": 60.0,
    "options": {"expires": 55},
}
# Renders (files/renders.py): a letter, bundle or PDF whose task was lost is queued again.
CELERY_BEAT_SCHEDULE["render-relay"] = {
    "task": "files.tasks.relay_renders",
    "schedule": 60.0,
    "options": {"expires": 55},
}
CELERY_BEAT_SCHEDULE["discard-stale-uploads"] = {
    "task": "files.tasks.discard_stale_uploads",
    "schedule": crontab(hour=3, minute=15),
    "options": {"expires": 60 * 60 * 12},
}
# Data protection: list the records that reached their retention date, for a person to review.
# Nothing is destroyed by the sweep.
CELERY_BEAT_SCHEDULE["retention-review-sweep"] = {
    "task": "dataprotection.tasks.retention_sweep",
    "schedule": crontab(hour=2, minute=30),  # at night: it reads every closed record once
    "options": {"expires": 60 * 60 * 12},
}
# Subject access requests: remind the DPO and headteacher a week before the due date and on it.
CELERY_BEAT_SCHEDULE["subject-access-reminders"] = {
    "task": "dataprotection.tasks.sar_reminder_sweep",
    "schedule": crontab(hour=6, minute=45),
    "options": {"expires": 60 * 60 * 12},
}
# Email delivery (notifications.outbox): a refused message is retried after 30 s, 1 min,
# 2 min... up to NOTIFY_MAX_RETRIES times (about an hour in all), then marked failed.
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 30)
NOTIFY_MAX_RETRIES = env_int("NOTIFY_MAX_RETRIES", 7)
# A queued email whose task has not run for this long is queued again by the relay (every minute).
NOTIFY_RELAY_STALE_SECONDS = env_int("NOTIFY_RELAY_STALE_SECONDS", 300)
# A render waiting this long with no task is queued again; one "being made" past the timeout (its
# worker died) too; after RENDER_MAX_ATTEMPTS it shows as failed, with "Make it again".
RENDER_RELAY_STALE_SECONDS = env_int("RENDER_RELAY_STALE_SECONDS", 300)
RENDER_RUNNING_TIMEOUT_SECONDS = env_int("RENDER_RUNNING_TIMEOUT_SECONDS", 900)
RENDER_MAX_ATTEMPTS = env_int("RENDER_MAX_ATTEMPTS", 5)

# --- Forms and look ---------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LANGUAGE_CODE = "en-gb"
# Parent-facing pages and emails are translated (locale/cy); staff pages may stay in English.
# The .po files are committed; `make deps` and scripts/test.sh compile them (compilemessages).
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A year, so the choice is remembered on this device; a signed-in person's choice is also stored on
# their account (accounts.User.language) so emails reach them in it.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every step of every render at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # One "Task ... succeeded" line per task drowns the console when tasks run in-process.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}

# Tests swap in a fast hasher (tests/conftest.py) rather than changing this module.
