from django.db import models
from django.utils.translation import gettext_lazy as _

from closedloop.org.choices import ApiScope


class TokenState(models.TextChoices):
    ACTIVE = "active", _("有效")
    EXPIRED = "expired", _("已过期")
    REVOKED = "revoked", _("已吊销")


class MetricDirection(models.TextChoices):
    LOWER = "lower", _("越低越好")
    HIGHER = "higher", _("越高越好")


class WebhookEvent(models.TextChoices):
    ISSUE_CREATED = "issue.created", "issue.created"
    ISSUE_STATUS_CHANGED = "issue.status_changed", "issue.status_changed"
    RECTIFICATION_STATUS_CHANGED = "rectification.status_changed", "rectification.status_changed"
    RECTIFICATION_CLOSED = "rectification.closed", "rectification.closed"
    INSPECTION_CREATED = "inspection.created", "inspection.created"
    REPORT_PUBLISHED = "report.published", "report.published"


#: What a subscriber's token must be allowed to read to receive an event (API.md scopes).
EVENT_SCOPES = {
    WebhookEvent.ISSUE_CREATED: ApiScope.ISSUES_READ,
    WebhookEvent.ISSUE_STATUS_CHANGED: ApiScope.ISSUES_READ,
    WebhookEvent.RECTIFICATION_STATUS_CHANGED: ApiScope.RECTIFICATIONS_READ,
    WebhookEvent.RECTIFICATION_CLOSED: ApiScope.RECTIFICATIONS_READ,
    WebhookEvent.INSPECTION_CREATED: ApiScope.INSPECTIONS_READ,
    WebhookEvent.REPORT_PUBLISHED: ApiScope.REPORTS_READ,
}


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SUCCEEDED = "succeeded", _("已送达")
    RETRYING = "retrying", _("失败，待重试")
    FAILED = "failed", _("已放弃")


#: Deliveries a worker may (still) send.
SENDABLE = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.SENDING)


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    CHECKED = "checked", _("预检通过")
    FAILED = "failed", _("有错误")
    IMPORTED = "imported", _("已导入")
