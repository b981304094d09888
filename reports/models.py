"""Stored reports: one row per kind, period and region (region empty = national).

The numbers are computed once and kept as a JSON snapshot (``data``), so a published
report never changes under its readers; regenerating the same kind, period and region
replaces the row's snapshot (the unique constraint makes a second row impossible).

Who may see which row: ``visible_to(user)``, here and only here (see ``policy.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from closedloop.org.choices import ApiScope, Role
from closedloop.org.models import Region, sees_everything, token_bound

from .choices import Kind, Status


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """- the quality lead (and a superuser): every report, drafts and failed runs too;
        - executives, and machine clients with ``reports:read`` not bound to stores:
          every published report;
        - a regional director: the published reports of their region;
        - anybody else (stores, ops specialists, departments, a token bound to stores):
          none — a national or regional report aggregates stores outside their scope."""
        if not _active(user):
            return self.none()
        if user.is_superuser or (user.role == Role.QUALITY_LEAD and not token_bound(user)):
            return self
        published = self.filter(status=Status.PUBLISHED)
        if user.role == Role.API_CLIENT and not user.has_scope(ApiScope.REPORTS_READ):
            return self.none()  # a machine client reads reports with reports:read only
        if sees_everything(user):
            return published
        if user.role == Role.REGIONAL_DIRECTOR and user.region_id and not token_bound(user):
            return published.filter(region_id=user.region_id)
        return self.none()


class Report(models.Model):
    kind = models.CharField(_("报告类型"), max_length=24, choices=Kind.choices)
    period = models.CharField(_("报告期"), max_length=10, help_text="2025-11 / 2025-W47")
    first_day = models.DateField(_("开始日期"))
    last_day = models.DateField(_("结束日期"))
    region = models.ForeignKey(
        Region,
        verbose_name=_("区域"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    #: The computed numbers and tables (``reports.sections``), frozen at generation.
    data = models.JSONField(_("数据快照"), default=dict, blank=True)
    #: The editable prose of the monthly effect report: section key → text.
    prose = models.JSONField(_("文字部分"), default=dict, blank=True)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: The last failure (kept until a run succeeds) and how many runs failed in a row.
    error = models.TextField(_("失败原因"), blank=True)
    failures = models.PositiveSmallIntegerField(_("连续失败次数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("报告")
        verbose_name_plural = _("报告")
        # A period's national report first, then its regions by code.
        ordering = ("-first_day", "kind", models.F("region__code").asc(nulls_first=True))
        constraints = [
            models.UniqueConstraint(
                fields=("kind", "period", "region"),
                name="report_unique_per_kind_period_region",
                nulls_distinct=False,
            ),
        ]
        indexes = [models.Index(fields=("kind", "-first_day"), name="report_kind_first_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} {self.region_label}"

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", kwargs={"pk": self.pk})

    @property
    def region_label(self) -> str:
        return self.region.name if self.region_id else str(_("全国"))

    @property
    def title(self) -> str:
        return self.data.get("title") or str(self)

    @property
    def is_national(self) -> bool:
        return self.region_id is None
