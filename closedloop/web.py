"""Helpers every app's pages share: the generic 403 page and the safe ``next`` target.

Page gates read a predicate from the app's ``policy.py`` and answer a forbidden person
with :func:`forbidden` — directly, or through the :func:`gate` decorator (an object the
person may not see is a 404 instead: its ``visible_to`` queryset decides that). ``closedloop/urls.py`` routes a
raised ``django.core.exceptions.PermissionDenied`` to the same page (``handler403``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def is_safe_target(request: HttpRequest, target: str | None) -> bool:
    """A redirect target on this site (never another host, never http from https)."""
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, default: str | None = None) -> str | None:
    """The ``next`` parameter (POST, then GET) when it points at this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next")
    return target if is_safe_target(request, target) else default


def forbidden(request: HttpRequest, message: str = "") -> HttpResponse:
    """The generic 403 page in the app's layout, with ``message`` (translated by the
    caller) and a way back: the referring page of this site, or the home page."""
    back = request.headers.get("referer", "")
    if not is_safe_target(request, back) or back == request.build_absolute_uri():
        back = ""
    return render(
        request,
        "403.html",
        {"message": message or _("你无权访问此页面。"), "back_url": back},
        status=403,
    )


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    """``handler403``: a ``PermissionDenied`` raised anywhere gets the same page."""
    message = str(exception) if exception is not None else ""
    return forbidden(request, message)


def gate(predicate: Callable[[object], bool], message):
    """Decorator of a page view (under ``login_required``): a person for whom
    ``predicate(user)`` is false gets :func:`forbidden` with ``message`` (a lazy
    translation). ``predicate`` is the one from the app's ``policy.py`` that its
    navigation entry also uses."""

    def decorator(view):
        @wraps(view)
        def gated(request, *args, **kwargs):
            if not predicate(request.user):
                return forbidden(request, str(message))
            return view(request, *args, **kwargs)

        return gated

    return decorator
