"""
Production-safe settings, every one overridable from the environment.

`dev.py` and `test.py` hold overrides only. Production runs this module with
DEBUG off, which makes SECRET_KEY mandatory.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in the environment when DEBUG is off."
        )
    SECRET_KEY = "insecure-development-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "django_filters",
    "django_htmx",
    "simple_history",
    "template_partials",
    "health_check",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "schools",
    "monitoring",
    "identification",
    "partnerships",
    "roadmaps",
]

MIDDLEWARE = [
    "schools.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "schools.middleware.RequestSizeLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "schools.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "schools.middleware.PermissionsPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "schools.context_processors.navigation",
            ],
            "builtins": [
                "template_partials.templatetags.partials",
                "django.templatetags.l10n",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections, checked before reuse (a restarted PostgreSQL does not
# leave a node with dead connections). Behind PgBouncer in transaction mode
# (PGBOUNCER=true) the pooler keeps the connections instead.
PGBOUNCER = env.bool("PGBOUNCER", default=False)
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "CONN_MAX_AGE", default=0 if PGBOUNCER else 60
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if PGBOUNCER:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "schools.User"
# A change's reason is the person's own words («решение совещания от …»), whole.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
AUTHENTICATION_BACKENDS = [
    # First: refuses a login while the account or the address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Russian interface, Russian number and date formats (1 234,5; 25.11.2020).
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Krasnoyarsk")
# The demo's current school year (its start year); empty: the year of the day
# `load_demo` runs, so that the demo's collection, programme and partnership
# round are under way whenever it is loaded.
DEMO_SCHOOL_YEAR = env.int("DEMO_SCHOOL_YEAR", default=None)
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploaded files (import sources, evidence, scans) must reach every web node and
# every worker: "database" keeps them in PostgreSQL (the default in production:
# a region with only PostgreSQL needs nothing else, and one pg_dump backs them
# up), "s3" in an S3-compatible store (django-storages), "local" in MEDIA_ROOT
# (one machine: the `make run` demo).
FILE_STORAGE = env.str("FILE_STORAGE", default="local" if DEBUG else "database")
FILE_STORAGES = {
    "database": {"BACKEND": "schools.storage.DatabaseStorage"},
    "local": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "s3": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET", default=""),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("S3_SECRET_KEY", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    },
}
STORAGES = {
    "default": FILE_STORAGES[FILE_STORAGE],
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: console output unless EMAIL_URL (e.g. smtp+tls://user:pw@host:587) is set.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address people use to reach the portal: links in e-mails point there.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000")

# Celery: a Redis broker in production; without one, tasks run eagerly in-process
# so that a bare machine runs the same code path.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://"
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# Safe on many workers: a task is acknowledged when it is done and handed to
# another worker if its worker dies (the tasks are idempotent); one task at a
# time per worker process; a web request that cannot reach the broker is told
# at once instead of waiting.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# A running job beats every third of JOB_STALE_SECONDS; the janitor marks a job
# interrupted (restartable) when its worker is silent longer than that, or when
# no worker has taken it from the queue for JOB_QUEUE_TIMEOUT_SECONDS.
JOB_STALE_SECONDS = env.int("JOB_STALE_SECONDS", default=90)
JOB_QUEUE_TIMEOUT_SECONDS = env.int("JOB_QUEUE_TIMEOUT_SECONDS", default=1800)
JOB_JANITOR_SECONDS = env.int("JOB_JANITOR_SECONDS", default=60)
CELERY_BEAT_SCHEDULE = {
    "interrupted-work": {
        "task": "schools.tasks.fail_interrupted_work",
        "schedule": JOB_JANITOR_SECONDS,
    },
    # Deadline reminders go out once a day, in the morning of the portal's time zone.
    "monitoring-deadline-reminders": {
        "task": "monitoring.tasks.send_deadline_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # Notifications: deadlines in 3 days and overdue tasks at 7:45, then the
    # digest of the day's notices for those who chose it.
    "notices-deadlines": {
        "task": "schools.tasks.notify_deadlines",
        "schedule": crontab(hour=7, minute=45),
    },
    "notices-digest": {
        "task": "schools.tasks.send_notice_digests",
        "schedule": crontab(hour=8, minute=30),
    },
    # Roadmap items due within 7 days and overdue: one digest per person.
    "roadmaps-item-reminders": {
        "task": "roadmaps.tasks.send_item_reminders",
        "schedule": crontab(hour=8, minute=15),
    },
}

# The cache is Redis on every node; pages keep working while Redis is down
# (django-redis ignores its errors: a miss, then the database). Sessions live in
# the database with the cache in front of them, so no one is signed out when
# Redis restarts.
CACHES = {
    "default": (
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": env.str("REDIS_CACHE_URL", default=REDIS_URL),
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "IGNORE_EXCEPTIONS": True,
            },
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Security: strict by default; a deployment behind a TLS-terminating proxy sets
# SECURE_PROXY_SSL_HEADER_ENABLED. Each can be relaxed from the environment.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False
)
if env.bool("SECURE_PROXY_SSL_HEADER_ENABLED", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Scripts, styles, images and fonts only from the portal itself: no inline
# script, handler or style anywhere (static/js/portal.js declares behaviours).
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
    },
}
# Features a school-quality portal never uses, refused to every page.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=()"
)

SILENCED_SYSTEM_CHECKS = [
    # HSTS preload (W021) is a commitment of the whole domain to browsers' preload
    # lists; a municipal portal often lives on a subdomain of the administration's
    # site, so only the operator of that domain may decide it.
    "security.W021",
    # Subdomains (W005) belong to the same administration, not to this portal.
    "security.W005",
]

# Stored files are sent by the web server from this internal location
# (nginx: `location /protected/ { internal; alias <MEDIA_ROOT>/; }`) after a
# view has checked access; empty: the application streams them itself.
PROTECTED_FILES_ACCEL_PREFIX = env.str("PROTECTED_FILES_ACCEL_PREFIX", default="")

# Upload limit of every import and evidence file, bytes (default 50 MB).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
# A request body over this is refused before it is read (413); the largest
# upload plus the form around it. nginx has the same limit in front.
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=UPLOAD_MAX_BYTES + 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# What a workbook may hold, checked before a cell is read (monitoring.importers.
# bounds): about twice the largest real files — a 30,000-row ВПР protocol of 60
# columns, a 10,000-school data package (≈ 230,000 result rows, 4 million cells,
# 150 MB of unpacked XML), an ЕГЭ table of ≈ 140 columns.
WORKBOOK_MAX_ROWS = env.int("WORKBOOK_MAX_ROWS", default=500_000)
WORKBOOK_MAX_COLUMNS = env.int("WORKBOOK_MAX_COLUMNS", default=300)
WORKBOOK_MAX_CELLS = env.int("WORKBOOK_MAX_CELLS", default=8_000_000)
WORKBOOK_MAX_UNPACKED_BYTES = env.int(
    "WORKBOOK_MAX_UNPACKED_BYTES", default=300 * 1024 * 1024
)
WORKBOOK_MAX_SHEETS = env.int("WORKBOOK_MAX_SHEETS", default=100)
# The region an imported package means when its «Регион» column is empty.
PORTAL_DEFAULT_REGION = env.str("PORTAL_DEFAULT_REGION", default="")

# Password guessing: after AXES_FAILURE_LIMIT wrong passwords for one account,
# or from one address, logins stop for the cool-off period (login, admin login);
# password reset requests and bad reset links are limited the same way
# (schools.auth). Administrators unlock on the person's page.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "schools.auth.client_ip"
AXES_VERBOSE = False
# How many proxies (nginx, a load balancer) stand in front of the portal: the
# client's address is then taken from X-Forwarded-For, counted from the right.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
PASSWORD_RESET_LIMIT = env.int("PASSWORD_RESET_LIMIT", default=5)

# Second factor (TOTP, django-otp): anyone may turn it on; with OTP_REQUIRED,
# administrators and approvers must.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=False)
OTP_REQUIRED_ROLES = ["admin", "approver"]
OTP_TOTP_ISSUER = "Портал мониторинга качества образования"

# Logs: JSON lines with the request's id in production (LOG_FORMAT=json), text
# in development; the id comes from nginx (X-Request-ID) or is made here.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "schools.logs.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level"},
        },
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes reports every reset of attempts at INFO; lockouts are in the audit log.
    "loggers": {"axes": {"level": "WARNING"}},
}

# Errors to Sentry when a DSN is given (no personal data is sent).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
    )

# /health/ answers the load balancer over plain HTTP, whatever the redirects.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
