"""Enumerations of the scheduled reports (DOMAIN.md §9, API.md ``GET /reports/``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    WEEKLY = "weekly", _("服务质量周报")
    MONTHLY_EFFECT = "monthly_effect", _("闭环机制月度效果评估报告")
    MONTHLY_RECTIFICATION = "monthly_rectification", _("月度整改工作汇总")


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    FAILED = "failed", _("生成失败")


#: Kinds whose period is a month (the others' an ISO week).
MONTHLY_KINDS = (Kind.MONTHLY_EFFECT, Kind.MONTHLY_RECTIFICATION)
#: Kinds the quality lead reviews before they go out (the prose is theirs to edit).
REVIEWED_KINDS = (Kind.MONTHLY_EFFECT,)

#: How many stores the monthly summary names at the top and at the bottom (工具5).
TOP_STORES, BOTTOM_STORES = 3, 2
#: How many periods the trend charts show.
TREND_MONTHS, TREND_WEEKS = 6, 8
#: Open P0/P1 issues the weekly report lists, overdue first.
TOP_ISSUES = 10


class ColumnType(models.TextChoices):
    """How a value of a snapshot table is formatted (page, Excel, PDF)."""

    TEXT = "text", "text"
    INT = "int", "int"
    PERCENT = "percent", "percent"  # a fraction: 0.82 is 82 %
    DECIMAL = "decimal", "decimal"  # days and the like, one decimal
    DATE = "date", "date"
