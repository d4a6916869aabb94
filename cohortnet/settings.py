"""CohortNet settings, read from the environment.

With nothing set this is a laptop: SQLite and a filesystem Celery broker under
``var/``, console email, DEBUG on. Importing this module reads the environment and
writes nothing: the folders those defaults need are made when Django starts
(``cohortnet.apps.create_local_folders``). Production sets ``DEBUG=false`` and must then
provide a real ``SECRET_KEY`` and ``ALLOWED_HOSTS`` or the process refuses to
start. Every variable read here is listed in the README and in ``.env.example``.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from cohortnet.release import code_version

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env is a convenience for developers; real deployments pass the
# environment in, so a missing file is not an error.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

# Only ever used when DEBUG is on: production refuses it below.
_DEV_SECRET_KEY = "django-insecure-local-development-key-never-use-in-production"  # noqa: S105 -- the development default, rejected when DEBUG is off
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

if not DEBUG:
    if SECRET_KEY == _DEV_SECRET_KEY or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off "
            '(for example: python -c "import secrets; print(secrets.token_urlsafe(64))").'
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must name the host(s) this site is served on when DEBUG is off.")

# The address links in emails, .ics files and calendar feeds point at. Production
# defaults to https on the first allowed host; on a laptop it follows PORT (which
# `make run` exports) so `PORT=8101 make run` links to port 8101. Empty counts as unset.
_PORT = env.int("PORT", default=8000)
SITE_URL = (
    env.str("SITE_URL", default="")
    or (f"https://{ALLOWED_HOSTS[0].lstrip('.')}" if not DEBUG else f"http://127.0.0.1:{_PORT}")
).rstrip("/")
# Who publishes the open data (named in each cohort's datapackage.json).
OPEN_DATA_PUBLISHER = env.str("OPEN_DATA_PUBLISHER", default="The CohortNet programme team")

INSTALLED_APPS = [
    "cohortnet.admin_site.CohortNetAdminConfig",  # django.contrib.admin, with the staff home and stages
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_countries",
    "csp",
    "heroicons",  # icons shipped as SVG files inside the package, rendered inline: no CDN, no icon font
    "bootstrap",  # django-bootstrap-static: Bootstrap's CSS and JS, served by us, no CDN
    "toolbox",
    "cohortnet",
    "cohortnet.users",
    "cohorts",
    "applications",
    "events",
    "funding",
    "notifications",
    "chat",
    "integrations",
    "privacy",
    "outcomes",
]

MIDDLEWARE = [
    # First: a NUL or broken UTF-8 in an address is a 400 before anything reads it.
    "cohortnet.middleware.RejectMalformedURLMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "cohortnet.middleware.StaffRequiresMFAMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so its process_exception sees a view's exception first: "not allowed" on a member page is a 404.
    "cohortnet.middleware.NotYoursIs404Middleware",
    # Innermost: sees a view's empty 405 before any other middleware and gives it a page.
    "cohortnet.middleware.MethodNotAllowedPageMiddleware",
]

# Overridden only by the benchmark, which adds a baseline page (bench/urls.py).
ROOT_URLCONF = env.str("ROOT_URLCONF", default="cohortnet.urls")
WSGI_APPLICATION = "cohortnet.wsgi.application"
# Pages and chat sockets together (cohortnet/asgi.py): what gunicorn's uvicorn workers and `make run` serve.
ASGI_APPLICATION = "cohortnet.asgi.application"

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
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat share one file: wait for locks
    # instead of failing, take write locks up front, let readers run beside
    # a writer. Tests use a file too, since threads of the test server cannot
    # share an in-memory database without "table is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")


def redis_cache(location: str) -> dict:
    """The cache on Redis. Sign-in rate limits live there, and a cache must never take pages down:
    with Redis unreachable every call is a miss or a no-op (logged) after at most a short connect
    timeout (see toolbox/cache.py); the rate limits count nothing until Redis is back."""
    return {
        "BACKEND": "toolbox.cache.OptionalRedisCache",
        "LOCATION": location,
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.5},
        # Each release reads only the fragments it drew itself (cohortnet/release.py).
        "KEY_PREFIX": code_version(BASE_DIR),
    }


DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}

# Chat sockets in one room may sit in different worker processes: the channel layer carries a
# message from the one that wrote it to all of them. On Redis, channels_redis's RedisChannelLayer
# (the layer Channels documents for production: a group send is one script run in Redis, however
# many sockets listen, and capacity and expiry bound what a slow or vanished socket can pile up).
# Messages are kept in the database, so one lost in transit reappears on the next page load.
# With no REDIS_URL (a laptop) one process serves everything, and the in-memory layer does.
# redis-py gives up waiting for a reply after 5 s by default, and the layer's blocking read of a
# quiet room also waits 5 s: without a longer socket timeout that read fails and the socket closes.
CHANNEL_LAYER_SOCKET_TIMEOUT = 30
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": CHANNEL_LAYER_SOCKET_TIMEOUT}]},
    }
    if REDIS_URL
    else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
}

AUTH_USER_MODEL = "users.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "cohortnet.users.validators.MaximumLengthValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- Accounts (django-allauth) ------------------------------------------------
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# The users app's sign-up form plus the privacy choices (privacy imports users, never the other way).
ACCOUNT_FORMS = {"signup": "privacy.forms.SignupForm"}
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_DISPLAY = "cohortnet.users.display.user_display"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CohortNet] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Staff, Finance and reviewers reach no page but their account's until they have signed in
# with a second factor (production default): they see other organisations' data everywhere, not only in the admin.
ADMIN_REQUIRE_MFA = env.bool("ADMIN_REQUIRE_MFA", default=not DEBUG)
# Sign-in rate limits count per client address. Behind N proxies that append to X-Forwarded-For
# (the TLS proxy in docker-compose.yml's notes: 1), the client is the N-th address from the right;
# 0 trusts no header and counts REMOTE_ADDR, so a forged X-Forwarded-For changes nothing.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
MFA_TOTP_ISSUER = "CohortNet"

# --- Funding ------------------------------------------------------------------
# Whoever approves an instalment may not also mark it paid; a one-person finance team may waive that.
FUNDING_ALLOW_SAME_APPROVER_AND_PAYER = env.bool("FUNDING_ALLOW_SAME_APPROVER_AND_PAYER", default=False)

# --- Email --------------------------------------------------------------------
# EMAIL_URL is one URL, e.g. smtp+tls://user:password@smtp.example.org:587
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CohortNet <noreply@cohortnet.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation --------------------------------------------------------
LANGUAGE_CODE = "en-gb"
# Stored datetimes are UTC; pages print each call's and event's own zone.
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------
STATIC_URL = "static/"
# collectstatic writes here; whitenoise serves it. Created when Django starts (cohortnet.apps),
# before whitenoise looks, so it does not warn on a laptop that never ran collectstatic.
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # The manifest storage needs collectstatic, which the Docker image runs;
        # a laptop and the tests serve straight from the finders.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -----------------------------------------------------------------


def _websocket_sources(hosts: list[str], debug: bool) -> list[str]:
    """The chat sockets' own origins, for connect-src: wss on each allowed host (ws and any port on a laptop)."""
    sources = []
    for host in hosts:
        if host == "*" or host.startswith("["):  # no wildcard-everything; CSP has no syntax for IPv6 literals
            continue
        name = f"*{host}" if host.startswith(".") else host
        sources += [f"ws://{name}:*", f"wss://{name}:*"] if debug else [f"wss://{name}"]
    return sources


# A strict policy: no inline script or style, nothing from another host.
# Bootstrap draws form controls with data: SVGs, hence img-src data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        # CSP 3's 'self' covers same-origin ws:/wss:, but older Safari does not read it so: name them too.
        "connect-src": [SELF, *_websocket_sources(ALLOWED_HOSTS, DEBUG)],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The proxy in front (see docker-compose.yml) terminates TLS and says so.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Celery -------------------------------------------------------------------
# Redis when REDIS_URL (or CELERY_BROKER_URL) is set; otherwise kombu's
# filesystem transport, so a laptop needs no broker at all.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The folders are made when Django starts (cohortnet.apps.create_local_folders).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
        # kombu's default is "control" in the working directory, i.e. the top of the checkout.
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A dead broker must cost a web request little (the sweep sends what a publish missed):
    # give up connecting after half a second and a silent connection after two
    # (above kombu's 1-second BRPOP, so the worker's waits are unaffected).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 2.0}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "sweep-due-work": {
        "task": "cohortnet.sweep",
        "schedule": env.float("SWEEP_INTERVAL_SECONDS", default=60.0),
    },
}
# A worker renews its claim on the emails it is sending four times per this
# window; rows whose claim went unrenewed this long (the worker died) go back
# to the queue at the next sweep.
OUTBOX_STALE_CLAIM_SECONDS = env.float("OUTBOX_STALE_CLAIM_SECONDS", default=60.0)
# Outgoing webhooks (integrations/) go to https:// addresses on the internet. This allows http:// to this
# machine (127.0.0.1, ::1, localhost) and addresses on private networks too: for a receiver under test.
WEBHOOKS_ALLOW_LOCAL = env.bool("WEBHOOKS_ALLOW_LOCAL", default=DEBUG)

# --- Mailing list: replies by email (cohorts/inbound.py, manage.py receive_mail) -----------
# The domain whose reply+<token>@ addresses the receiver accepts; list emails carry one per person as
# Reply-To. Its MX (or a mail server delivering by LMTP) must reach the mail-in service. Empty: reply by
# email is off (List-Post: NO, no Reply-To). A reply address works this many days after its email.
INBOUND_MAIL_DOMAIN = env.str("INBOUND_MAIL_DOMAIN", default="").strip().lower()
REPLY_ADDRESS_DAYS = env.int("REPLY_ADDRESS_DAYS", default=90)

# --- Personal data (privacy/) --------------------------------------------------------
# Retention, run once a day by beat (privacy.retention_sweep): unsuccessful applications lose their
# answers this many months after their call's decisions; sent emails lose their bodies after this many
# days (subject, recipient and times stay as the record); invitations nobody used go this many days
# after their call's decisions.
RETENTION_APPLICATION_MONTHS = env.int("RETENTION_APPLICATION_MONTHS", default=12)
RETENTION_EMAIL_BODY_DAYS = env.int("RETENTION_EMAIL_BODY_DAYS", default=90)
RETENTION_INVITATION_DAYS = env.int("RETENTION_INVITATION_DAYS", default=90)
# How long the emailed link to a person's data download works; the file is deleted after.
DATA_EXPORT_DAYS = env.int("DATA_EXPORT_DAYS", default=7)
# What erasing a person does to their mailing-list posts, chat messages and written input:
# "keep" them under "Former participant" or "remove" their text.
ERASURE_POSTS = env.str("ERASURE_POSTS", default="keep")
if ERASURE_POSTS not in ("keep", "remove"):
    raise ImproperlyConfigured('ERASURE_POSTS must be "keep" or "remove".')
CELERY_BEAT_SCHEDULE["privacy-retention"] = {
    "task": "privacy.retention_sweep",
    "schedule": env.float("RETENTION_INTERVAL_SECONDS", default=86400.0),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
