"""Registry of scheduled jobs: each is a plain function ``job(now)`` that a Celery task
(run by beat) and ``manage.py run_job <job> [--at]`` both call.

Apps register their jobs with ``@register("name")`` in their ``jobs.py``; this module
imports them at startup (``autodiscover``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib import import_module

from django.apps import apps
from django.utils import timezone

JobFunc = Callable[[dt.datetime], object]
REGISTRY: dict[str, JobFunc] = {}


def register(name: str):
    def decorator(func: JobFunc) -> JobFunc:
        REGISTRY[name] = func
        return func

    return decorator


def autodiscover() -> None:
    for config in apps.get_app_configs():
        try:
            import_module(f"{config.name}.jobs")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.jobs":
                raise


def run(name: str, at: dt.datetime | None = None):
    autodiscover()
    if name not in REGISTRY:
        raise KeyError(name)
    return REGISTRY[name](at or timezone.now())


def names() -> list[str]:
    autodiscover()
    return sorted(REGISTRY)
