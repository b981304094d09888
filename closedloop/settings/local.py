"""``make run`` (what a pilot team runs: debug off) and ``make dev`` (DJANGO_DEBUG=1), and
manage.py's default.

Static files are served by WhiteNoise straight from the apps' and ``static/`` folders
(its finders), with or without debug, so no ``collectstatic`` is needed; with debug on it
rereads changed files (autorefresh)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
