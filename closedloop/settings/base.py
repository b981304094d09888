"""Settings shared by every environment.

Every value comes from the environment (django-environ) with a safe local default;
``production.py`` removes the defaults for secrets and turns on the strict switches.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-only-key-change-me-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "pgtrigger",
    "pghistory",
    "axes",
    "csp",
    "closedloop.core",
    "closedloop.org",
    "closedloop.notifications",
    "issues",
    "rectification",
    "inspections",
    "dashboards",
    "integrations",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "closedloop.org.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
    # After authentication: a POST to the API with an Idempotency-Key is answered once.
    "integrations.middleware.IdempotencyMiddleware",
]

# The audit trail's context (who, which URL) is attached to the writes of a request: a GET
# writes nothing, and attaching it wrapped every query of every page (16 ms of a list page
# at national scale, issue 9).
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

ROOT_URLCONF = "closedloop.urls"
WSGI_APPLICATION = "closedloop.wsgi.application"

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
                "django.template.context_processors.i18n",
                "closedloop.core.context_processors.navigation",
                "closedloop.notifications.context_processors.notification_bell",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/closedloop"),
}
# Persistent connections (issue 9): a new connection and its backend's cold catalogue
# caches cost 30-40 % of a fast page; the health check drops a connection the server
# closed before a request uses it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# No JIT compilation: it pays off for long analytical scans, never for a page's queries,
# whose estimated cost can pass jit_above_cost anyway (the inspection board: 60 ms of
# work, 840 ms compiling it, issue 9). Added to whatever options DATABASE_URL carries.
_db_options = DATABASES["default"].setdefault("OPTIONS", {})
_db_options["options"] = f"{_db_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
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

# django-axes: lock an account/IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Content Security Policy (django-csp 4): no third-party origins, everything is vendored.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Redis is both the Celery broker and the cache.
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
# A Redis that accepts connections but never answers (overloaded, stopped, a dropped
# path) must not hold a request: every client on a request path gives up after these
# (seconds) and fails like a refused connection; after a failure this process does not
# ask that Redis again for REDIS_RETRY_AFTER_SECONDS (closedloop.redisguard).
REDIS_SOCKET_CONNECT_TIMEOUT = env.float("REDIS_SOCKET_CONNECT_TIMEOUT", default=1.0)
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=1.0)
REDIS_RETRY_AFTER_SECONDS = env.float("REDIS_RETRY_AFTER_SECONDS", default=10.0)
CACHES = {
    "default": {
        # Django's Redis cache behind the breaker; API throttling falls back to a
        # per-process memory when it is down (closedloop.api.throttling).
        "BACKEND": "closedloop.redisguard.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "socket_connect_timeout": REDIS_SOCKET_CONNECT_TIMEOUT,
            "socket_timeout": REDIS_SOCKET_TIMEOUT,
        },
    }
}

# Celery (namespace CELERY_ in this module).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Tasks are acknowledged after they ran (acks_late): a message whose worker died
# unacknowledged is handed out again once it has been invisible this long (seconds).
# The socket timeouts bound every synchronous broker command, a publish above all: without
# them a publish to a Redis that does not answer waits forever.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_connect_timeout": REDIS_SOCKET_CONNECT_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
}
# The result backend is the same Redis; a task that keeps its result subscribes to it
# when it is sent (Celery's default read timeout there is 120 s).
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_SOCKET_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT
# The queue a task goes to when the caller names none (a test worker gets its own).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = False
# A request that enqueues while Redis is down must not hang: fail fast, the outbox
# (closedloop.notifications) keeps the work and the ``outbox`` job re-sends it. One
# retry (a pooled connection may be stale after a Redis restart), so a publish to a
# Redis that does not answer gives up after about 2–3 × REDIS_SOCKET_TIMEOUT.
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_CONNECT_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "integrations.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "closedloop.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "closedloop.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "closedloop.api.throttling.UserRateThrottle",
        "closedloop.api.throttling.AnonRateThrottle",
        "integrations.auth.TokenRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_THROTTLE_USER", default="6000/hour"),
        "anon": env("API_THROTTLE_ANON", default="120/hour"),
    },
    "EXCEPTION_HANDLER": "closedloop.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# Per API token (integrations.auth.TokenRateThrottle); a token may carry its own rate.
API_TOKEN_THROTTLE_RATE = env("API_TOKEN_THROTTLE_RATE", default="600/min")

# knox's token model is swappable; integrations.ApiToken points at it.
KNOX_TOKEN_MODEL = "knox.AuthToken"
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_TTL": None,
    "AUTO_REFRESH": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "closedloop API",
    "DESCRIPTION": "REST API of closedloop, the after-sales closed-loop issue tracker (v1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "closedloop.org.choices.Role",
        "TierEnum": "closedloop.org.choices.StoreTier",
        "StatusEnum": "issues.choices.Status",
        "ApiScopesEnum": "closedloop.org.choices.ApiScope",
        "WebhookEventEnum": "integrations.choices.WebhookEvent",
        "WebhookDeliveryStatusEnum": "integrations.choices.DeliveryStatus",
        "TokenStateEnum": "integrations.choices.TokenState",
        "MetricDirectionEnum": "integrations.choices.MetricDirection",
        # Field names several apps use for different choice sets (status, level, kind, method).
        "RectificationStatusEnum": "rectification.choices.Status",
        "RectificationLevelEnum": "rectification.choices.Level",
        "MeasureStatusEnum": "rectification.choices.MeasureStatus",
        "MeasureKindEnum": "rectification.choices.MeasureKind",
        "GoalMethodEnum": "rectification.choices.GoalMethod",
        "TrackingMethodEnum": "rectification.choices.TrackingMethod",
        "AcceptanceKindEnum": "rectification.choices.AcceptanceKind",
        "RubricBandEnum": "rectification.choices.RubricBand",
        "GoalBandEnum": "rectification.choices.GoalBand",
        "ConclusionEnum": "rectification.choices.Conclusion",
        "SustainabilityVerdictEnum": "rectification.choices.Sustainability",
        "ClosureVerdictEnum": "rectification.choices.ClosureVerdict",
        "ReportKindEnum": "reports.choices.Kind",
        "ReportStatusEnum": "reports.choices.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "integrations.api.schema.document_integration_conventions",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# A send must end well within the delivery claim lease below, never hang a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="closedloop <noreply@closedloop.local>")

# Outbox (closedloop.notifications): a worker that claims a delivery holds it this long.
# It must exceed the longest send (bot webhooks time out after 10 s, e-mail after
# EMAIL_TIMEOUT); once it has passed, the claimer is presumed dead and a redelivered task
# or the ``outbox`` job (which waits a further 60 s) sends the delivery again.
NOTIFICATION_CLAIM_LEASE_SECONDS = env.int("NOTIFICATION_CLAIM_LEASE_SECONDS", default=300)

# Outbound webhooks (integrations): an attempt that fails is retried after
# BASE · 2^(n-1) seconds (at most MAX_DELAY) until MAX_ATTEMPTS; a subscription whose
# attempts fail DISABLE_AFTER times in a row is switched off and the quality lead told.
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_RETRY_MAX_DELAY_SECONDS = env.int("WEBHOOK_RETRY_MAX_DELAY_SECONDS", default=6 * 3600)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_DISABLE_AFTER = env.int("WEBHOOK_DISABLE_AFTER", default=20)
# Idempotency keys are kept this long (API.md: 24 h), then purged by a job.
IDEMPOTENCY_TTL_HOURS = 24
# A metric threshold opens an issue only for a breach that lasted into the last N days:
# a backfill of old readings never opens issues for episodes long past.
METRIC_ALERT_LOOKBACK_DAYS = env.int("METRIC_ALERT_LOOKBACK_DAYS", default=14)

HEALTHZ_TIMEOUT_SECONDS = 2
# ``/healthz`` shows why a part is down (hosts, ports, errors) to staff and to a monitor
# that sends this value in ``X-Healthz-Token``; everybody else sees only ok/down.
HEALTHZ_TOKEN = env("HEALTHZ_TOKEN", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
