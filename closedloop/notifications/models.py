"""Notifications: the in-app inbox, the outbox of deliveries (email, group bots), the
bot webhooks and each person's channel choices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import BOT_CHANNELS, Channel, DeliveryStatus, Level


class Notification(models.Model):
    """One message in one person's inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=40)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices, default=Level.INFO)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    object_type = models.CharField(max_length=32, blank=True)
    object_ref = models.CharField(max_length=64, blank=True)
    url = models.CharField(max_length=255, blank=True)
    dedupe_key = models.CharField(max_length=160, blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_once_per_recipient",
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            )
        ]

    def __str__(self):
        return f"{self.recipient_id}: {self.title}"


class BotWebhook(models.Model):
    """A group bot (飞书/企业微信/钉钉) that receives alerts of a department or region."""

    name = models.CharField(_("名称"), max_length=64)
    channel = models.CharField(
        _("类型"), max_length=16, choices=[(c.value, c.label) for c in BOT_CHANNELS]
    )
    url = models.URLField(_("Webhook 地址"), max_length=500)
    secret = models.CharField(
        _("签名密钥"), max_length=128, blank=True, help_text=_("飞书、钉钉机器人开启“加签”时填写。")
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("部门"), null=True, blank=True, on_delete=models.CASCADE
    )
    region = models.ForeignKey(
        "org.Region", verbose_name=_("区域"), null=True, blank=True, on_delete=models.CASCADE
    )
    min_level = models.CharField(
        _("最低级别"), max_length=10, choices=Level.choices, default=Level.WARNING
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")

    def __str__(self):
        return f"{self.get_channel_display()} · {self.name}"


class Delivery(models.Model):
    """The outbox: one message to send on one channel. Written in the same transaction
    as the notification, so nothing is lost when the broker is down; a beat job re-sends
    whatever is still pending."""

    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    target = models.CharField(_("目标"), max_length=500)
    webhook = models.ForeignKey(BotWebhook, null=True, blank=True, on_delete=models.CASCADE)
    payload = models.JSONField(default=dict)
    dedupe_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("投递记录")
        verbose_name_plural = _("投递记录")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "failed", "sending"]),
                name="delivery_due",
            )
        ]

    def __str__(self):
        # A bot URL carries its access token: name the bot, never print the URL.
        target = f"bot {self.webhook_id}" if self.webhook_id else self.target
        return f"{self.channel} → {target} ({self.status})"


class Preference(models.Model):
    """A person's channel choices. The in-app inbox is always on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField(_("邮件通知"), default=True)
    daily_digest = models.BooleanField(
        _("每日摘要"), default=False, help_text=_("开启后不再逐条发邮件，每天早上汇总发送一封。")
    )

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")

    def __str__(self):
        return str(self.user)
