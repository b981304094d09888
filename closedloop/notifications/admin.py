"""Admin of notifications: the group bots (editable), the outbox as a read-only delivery
log with a "retry now" action, the inbox rows (read-only) and personal preferences."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .choices import DeliveryStatus
from .models import BotWebhook, Delivery, Notification, Preference


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: visible to whoever may view it, never added, edited or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BotWebhook)
class BotWebhookAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "department", "region", "min_level", "active"]
    list_filter = ["channel", "department", "region", "min_level", "active"]
    list_editable = ["active"]
    list_select_related = ["department", "region"]
    search_fields = ["name", "department__name", "region__name"]
    # Bot platforms are HTTPS-only: a pasted URL without a scheme means https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "channel", "url", "secret", "active"]}),
        (_("接收范围"), {"fields": ["department", "region", "min_level"]}),
    ]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "channel",
        "recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "created_at",
        "short_error",
    ]
    list_filter = ["status", "channel", "webhook", ("next_attempt_at", admin.EmptyFieldListFilter)]
    list_select_related = ["webhook"]
    search_fields = ["target", "dedupe_key", "last_error", "webhook__name"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    fields = [
        "channel",
        "recipient",
        "webhook",
        "notification",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "created_at",
        "last_error",
        "dedupe_key",
        "payload_pretty",
    ]
    readonly_fields = fields

    @admin.display(description=_("接收方"))
    def recipient(self, obj: Delivery) -> str:
        # A bot's URL carries its access token: show the bot, not the URL.
        return str(obj.webhook) if obj.webhook_id else obj.target

    @admin.display(description=_("最近错误"))
    def short_error(self, obj: Delivery) -> str:
        return obj.last_error[:80]

    @admin.display(description=_("内容"))
    def payload_pretty(self, obj: Delivery):
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, ensure_ascii=False, indent=2))

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("notifications.change_delivery")

    @admin.action(description=_("立即重试所选投递"), permissions=["retry"])
    def retry_now(self, request, queryset):
        """Make unsent deliveries due now and hand them to the worker after commit. A dead
        one gets one more attempt (it stays dead if that fails too)."""
        now = timezone.now()
        with transaction.atomic():
            # A row a worker is sending right now (lease running) is left alone: resetting
            # it would let a second worker send it again.
            ids = list(
                queryset.exclude(status=DeliveryStatus.SENT)
                .exclude(status=DeliveryStatus.SENDING, next_attempt_at__gt=now)
                .values_list("pk", flat=True)
            )
            Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.DEAD).update(
                status=DeliveryStatus.FAILED
            )
            # ``now`` minus the grace period: the ``outbox`` job also picks them up on its
            # next run should the broker be unreachable right now.
            Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now - services.OUTBOX_GRACE)
            transaction.on_commit(lambda: services.enqueue_deliveries(ids))
        skipped = queryset.count() - len(ids)
        self.message_user(
            request,
            ngettext("%(n)d 条投递已安排立即重试。", "%(n)d 条投递已安排立即重试。", len(ids))
            % {"n": len(ids)},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d 条已发送或正在发送，未重试。",
                    "%(n)d 条已发送或正在发送，未重试。",
                    skipped,
                )
                % {"n": skipped},
                messages.WARNING,
            )


class ReadFilter(admin.SimpleListFilter):
    title = _("已读")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("yes", _("已读")), ("no", _("未读"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(read_at__isnull=True)
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["title", "recipient", "kind", "level", "object_ref", "created_at", "read_at"]
    list_filter = ["level", "kind", ReadFilter]
    list_select_related = ["recipient"]
    search_fields = ["title", "object_ref", "recipient__username", "recipient__display_name"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "recipient",
        "kind",
        "level",
        "title",
        "body",
        "object_type",
        "object_ref",
        "url",
        "dedupe_key",
        "created_at",
        "read_at",
        "digested_at",
    ]
    fields = readonly_fields


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "daily_digest"]
    list_filter = ["email", "daily_digest"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__display_name", "user__email"]
    raw_id_fields = ["user"]
