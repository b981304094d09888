"""Web helpers every app's pages share: where to go back to, and the one 403 page."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request) -> str | None:
    """The ``next`` target posted or asked for, if it stays on this site; else None."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def forbidden(request, message):
    """The generic 403 page: the person is signed in but this page is not for them."""
    return render(request, "403.html", {"message": message}, status=403)
