"""The DMS integration: API tokens with scopes and store bounds, idempotent POSTs, store
metrics with alert thresholds, outbound webhooks and the migration import of issues.

Who may see which row is answered by each model's ``visible_to(user)``, and only there."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedloop.org.choices import ApiScope, Role
from issues.choices import Category

from .choices import DeliveryStatus, ImportStatus, MetricDirection, TokenState, WebhookEvent


def is_integration_admin(user) -> bool:
    """The quality lead and superusers run the integration (tokens, webhooks, import)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role == Role.QUALITY_LEAD)
    )


# --- tokens ------------------------------------------------------------------------------


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Tokens are credentials: only the quality lead (and superusers) see them."""
        return self if is_integration_admin(user) else self.none()


class ApiToken(models.Model):
    """An API token: the knox row holds only the key's hash; this row says what the token
    may do (scopes), where (stores and regions; none = everywhere), until when, and when
    it was last used. Revoking deletes the knox row (the key stops working at once) and
    keeps this one for the record."""

    token = models.OneToOneField(
        settings.KNOX_TOKEN_MODEL,
        verbose_name=_("令牌"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grant",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("客户端"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("用途"), max_length=64, blank=True)
    prefix = models.CharField(_("前缀"), max_length=16)
    scopes = ArrayField(
        models.CharField(max_length=32, choices=ApiScope.choices),
        verbose_name=_("接口权限"),
        default=list,
        blank=True,
    )
    stores = models.ManyToManyField(
        "org.Store", verbose_name=_("限定门店"), blank=True, related_name="+"
    )
    regions = models.ManyToManyField(
        "org.Region", verbose_name=_("限定区域"), blank=True, related_name="+"
    )
    throttle_rate = models.CharField(
        _("限流"),
        max_length=32,
        blank=True,
        help_text=_("例如 600/min；留空使用默认值。"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("吊销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    def state_at(self, now) -> str:
        if self.revoked_at is not None:
            return TokenState.REVOKED
        if self.token_id is None or (self.expires_at is not None and self.expires_at <= now):
            return TokenState.EXPIRED
        return TokenState.ACTIVE

    @property
    def state(self) -> str:
        return self.state_at(timezone.now())

    def get_state_display(self) -> str:
        return TokenState(self.state).label


# --- idempotency -------------------------------------------------------------------------


class IdempotencyRecord(models.Model):
    """The first successful reply to a POST sent with an ``Idempotency-Key``: replayed for
    the same key and body within 24 h. The unique (caller, key) pair settles concurrent
    duplicates: the second insert waits for the first request's transaction."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_records"
    )
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(default=b"")
    content_type = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("幂等记录")
        verbose_name_plural = _("幂等记录")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_caller")
        ]

    def __str__(self):
        return f"{self.user_id} {self.key}"


# --- store metrics -----------------------------------------------------------------------

metric_code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,31}$", _("编码只能用小写字母、数字和下划线，以字母开头。")
)


class MetricDefinitionQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Reference data: every signed-in person may read the definitions.
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self


class MetricDefinition(models.Model):
    """A store metric the DMS pushes (or someone enters) per store and day, with the
    threshold that opens an issue when it is breached for ``consecutive_days`` days."""

    code = models.CharField(
        _("编码"), max_length=32, unique=True, validators=[metric_code_validator]
    )
    name = models.CharField(_("名称"), max_length=64)
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    direction = models.CharField(
        _("方向"), max_length=8, choices=MetricDirection.choices, default=MetricDirection.LOWER
    )
    threshold = models.DecimalField(
        _("预警阈值"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("越低越好的指标高于此值、越高越好的指标低于此值即为超标；留空不预警。"),
    )
    consecutive_days = models.PositiveSmallIntegerField(
        _("连续天数"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("连续多少天超标才开问题。"),
    )
    issue_category = models.CharField(
        _("预警问题分类"), max_length=16, choices=Category.choices, default=Category.PROCESS
    )
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=100)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = MetricDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("门店指标")
        verbose_name_plural = _("门店指标")
        constraints = [
            models.CheckConstraint(
                condition=Q(consecutive_days__gte=1, consecutive_days__lte=31),
                name="metric_consecutive_days_1_to_31",
            )
        ]

    def __str__(self):
        return self.name

    def breaches(self, value) -> bool:
        """Is ``value`` on the wrong side of the threshold?"""
        if self.threshold is None:
            return False
        if self.direction == MetricDirection.LOWER:
            return value > self.threshold
        return value < self.threshold


class MetricReadingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Readings of the stores ``user`` may see."""
        from closedloop.org.models import Store

        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(store__in=Store.objects.visible_to(user).values("pk"))


class MetricReading(models.Model):
    store = models.ForeignKey(
        "org.Store", verbose_name=_("门店"), on_delete=models.PROTECT, related_name="+"
    )
    metric = models.ForeignKey(
        MetricDefinition, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="readings"
    )
    date = models.DateField(_("日期"))
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=4)
    source = models.CharField(_("来源"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = MetricReadingQuerySet.as_manager()

    class Meta:
        ordering = ["store", "metric", "date"]
        verbose_name = _("指标数据")
        verbose_name_plural = _("指标数据")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "metric", "date"], name="metric_reading_once_per_day"
            )
        ]

    def __str__(self):
        return f"{self.store_id} {self.metric_id} {self.date}: {self.value}"


class MetricAlert(models.Model):
    """The issue a breached threshold opened for one store and metric. While its issue is
    open the alert is active, and the partial unique constraint lets no second one in."""

    store = models.ForeignKey("org.Store", on_delete=models.PROTECT, related_name="+")
    metric = models.ForeignKey(MetricDefinition, on_delete=models.PROTECT, related_name="alerts")
    issue = models.ForeignKey("issues.Issue", on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)
    first_date = models.DateField()
    last_date = models.DateField()
    readings = models.JSONField(default=list)
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("指标预警")
        verbose_name_plural = _("指标预警")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "metric"],
                condition=Q(active=True),
                name="metric_alert_one_open_per_store_metric",
            )
        ]

    def __str__(self):
        return f"{self.store_id} {self.metric_id} → {self.issue_id}"


# --- webhooks ----------------------------------------------------------------------------


class WebhookSubscriptionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The quality lead sees every subscription, a machine client its own, nobody
        else any."""
        if is_integration_admin(user):
            return self
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.role == Role.API_CLIENT:
            return self.filter(owner=user)
        return self.none()


def _new_secret() -> str:
    import secrets

    return secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    url = models.URLField(_("接收地址"), max_length=500)
    events = ArrayField(
        models.CharField(max_length=40, choices=WebhookEvent.choices), verbose_name=_("事件")
    )
    secret = models.CharField(_("签名密钥"), max_length=128, default=_new_secret)
    active = models.BooleanField(_("启用"), default=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
    )
    # Copied from the token that created the subscription: its events stay within them.
    stores = models.ManyToManyField(
        "org.Store", verbose_name=_("限定门店"), blank=True, related_name="+"
    )
    regions = models.ManyToManyField(
        "org.Region", verbose_name=_("限定区域"), blank=True, related_name="+"
    )
    consecutive_failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    disabled_at = models.DateTimeField(_("自动停用时间"), null=True, blank=True)
    disabled_reason = models.CharField(_("停用原因"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = WebhookSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Webhook 订阅")
        verbose_name_plural = _("Webhook 订阅")

    def __str__(self):
        return self.url


class WebhookDeliveryQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(
            subscription__in=WebhookSubscription.objects.visible_to(user).values("pk")
        )


class WebhookDelivery(models.Model):
    """One event for one subscription: the outbox row. ``delivery_id`` is the
    ``X-Delivery`` header, the same on every attempt; ``payload`` is the exact body."""

    delivery_id = models.UUIDField(_("投递编号"), default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("事件"), max_length=40, choices=WebhookEvent.choices)
    event_id = models.UUIDField(_("事件编号"))
    payload = models.TextField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Webhook 投递")
        verbose_name_plural = _("Webhook 投递")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "retrying", "sending"]),
                name="webhook_delivery_due",
            )
        ]

    def __str__(self):
        return f"{self.event} → {self.subscription_id} ({self.status})"


class WebhookAttempt(models.Model):
    """Every HTTP attempt of a delivery, with what the receiver answered."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField(_("第几次"))
    at = models.DateTimeField(_("时间"))
    status_code = models.PositiveSmallIntegerField(_("响应码"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    response_body = models.TextField(_("响应内容"), blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    manual = models.BooleanField(_("手动重发"), default=False)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("Webhook 尝试")
        verbose_name_plural = _("Webhook 尝试")

    def __str__(self):
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error[:40]}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


# --- migration import --------------------------------------------------------------------


class IssueImportQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if is_integration_admin(user) else self.none()


class IssueImport(models.Model):
    """One upload of the old tracking table: its column mapping and what the last dry
    run or import found."""

    file = models.FileField(_("文件"), upload_to="imports/issues/%Y/%m/", max_length=255)
    original_name = models.CharField(_("文件名"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    headers = models.JSONField(_("表头"), default=list)
    mapping = models.JSONField(_("列对应"), default=dict)
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    rows = models.PositiveIntegerField(_("行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    errors = models.JSONField(_("错误"), default=list)
    checked_at = models.DateTimeField(_("预检时间"), null=True, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    objects = IssueImportQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("问题导入")
        verbose_name_plural = _("问题导入")

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"
