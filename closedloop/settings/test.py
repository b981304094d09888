"""The pytest suite: real PostgreSQL and Redis (DATABASE_URL / REDIS_URL), fast hashing."""

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
