"""How apps plug into the core without the core knowing them.

An app contributes by defining a conventional module, found here by name in every
installed app (in ``INSTALLED_APPS`` order):

- ``<app>.jobs`` — scheduled jobs, ``@closedloop.core.jobs.register(...)``;
- ``<app>.navigation`` — ``NAV_ITEMS``, a list of ``closedloop.core.navigation.NavItem``;
- ``<app>.demo`` — ``DEMO_ORDER`` (int) and ``load_demo(options) -> str | None``,
  optionally ``add_demo_arguments(parser)``, called by ``manage.py load_demo``.

See ``docs/architecture.md``."""

from __future__ import annotations

from functools import cache
from importlib import import_module
from types import ModuleType

from django.apps import apps


@cache
def discover(submodule: str) -> tuple[ModuleType, ...]:
    """Every installed app's ``<app>.<submodule>`` module that exists, in app order."""
    found = []
    for config in apps.get_app_configs():
        name = f"{config.name}.{submodule}"
        try:
            found.append(import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return tuple(found)
