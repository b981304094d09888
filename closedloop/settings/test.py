"""The pytest suite: real PostgreSQL and Redis (DATABASE_URL / REDIS_URL), fast hashing."""

import os
from urllib.parse import urlsplit, urlunsplit

from .base import env
from .local import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if env("TEST_EMAIL_DIR", default=""):
    # A Celery worker that a test starts is another process, where locmem mail is out of
    # the test's reach: there each message is written to a file in this directory.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env("TEST_EMAIL_DIR")
AXES_ENABLED = True
AXES_FAILURE_LIMIT = 5
REST_FRAMEWORK = {**REST_FRAMEWORK}  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"user": "100000/hour", "anon": "100000/hour"}
API_TOKEN_THROTTLE_RATE = "100000/hour"

# ``pytest -n`` (pytest-xdist, as ``make test`` runs it): each worker gets a test database of
# its own from pytest-django, and here a Redis database of its own (cache keys hold row ids,
# which every worker's database hands out alike; a throttle or breaker state of one worker
# must not reach the other). Absolute (8 + n), so that a process a test starts — a Celery
# worker inherits ``PYTEST_XDIST_WORKER`` — lands on the same one.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist_worker.startswith("gw") and _xdist_worker[2:].isdigit():
    REDIS_URL = urlunsplit(  # noqa: F405
        urlsplit(REDIS_URL)._replace(path=f"/{8 + int(_xdist_worker[2:]) % 8}")  # noqa: F405
    )
    CACHES = {"default": {**CACHES["default"], "LOCATION": REDIS_URL}}  # noqa: F405
    CELERY_BROKER_URL = CELERY_RESULT_BACKEND = REDIS_URL
