"""The inbox pages: the list, "mark read" (one or all) and the channel preferences.

Views are thin: rows are always the caller's own (another person's notification is a
404), changes go through ``services``. htmx swaps the ``#inbox`` part of the re-rendered
page (and the navbar bell out of band); without JavaScript the forms post and redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from closedloop.web import safe_next

from . import services
from .forms import NotificationFilterSet, PreferenceForm
from .models import Notification

PAGE_SIZE = 20


def _next_or_inbox(request) -> str:
    return safe_next(request, default=reverse("notifications:inbox"))


@login_required
def inbox(request):
    """The caller's notifications, unread first, then newest first."""
    mine = Notification.objects.filter(recipient=request.user)
    filterset = NotificationFilterSet(request.GET, queryset=mine)
    unread_first = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    rows = filterset.qs.order_by(unread_first.desc(), "-created_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    tab = {"false": "unread", "true": "read"}.get(request.GET.get("read", ""), "all")
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "tab": tab, "filterset": filterset},
    )


@login_required
@require_POST
def mark_read(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(user=request.user, ids=[notification.pk])
    return redirect(_next_or_inbox(request))


@login_required
def open_notification(request, pk: int):
    """Opening a notification (its title in the inbox) reads it: mark it read, then go to
    what it is about (a page of this site only), or back to the inbox."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(user=request.user, ids=[notification.pk])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("notifications:inbox")
    return redirect(target)


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_read(user=request.user)
    if count:
        messages.success(
            request,
            ngettext("已将 %(n)d 条通知标为已读。", "已将 %(n)d 条通知标为已读。", count)
            % {"n": count},
        )
    else:
        messages.info(request, _("没有未读通知。"))
    return redirect(_next_or_inbox(request))


@login_required
def preferences(request):
    preference = services.preference_for(request.user)
    data = request.POST if request.method == "POST" else None
    form = PreferenceForm(data, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("通知设置已保存。"))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "has_email": bool(request.user.email)},
    )
