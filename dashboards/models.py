"""KPI targets (set by the quality lead from a date on) and the weekly service quality
meeting (服务质量周会): its record, attendance, agenda, decisions and action items.

Who may see which row: ``visible_to(user)`` on each queryset, here and only here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from closedloop.org.choices import HQ_ROLES

from .choices import (
    ActionStatus,
    BlockKind,
    Direction,
    MeetingStatus,
    Method,
    Metric,
)


def _is_hq(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or user.role in HQ_ROLES)
    )


class KpiTargetQuerySet(models.QuerySet):
    def in_force(self, day):
        """The target of each metric in force on ``day``: the latest set from a date on or
        before it (one query, ``DISTINCT ON (metric)``)."""
        return (
            self.filter(valid_from__lte=day)
            .order_by("metric", "-valid_from", "-pk")
            .distinct("metric")
        )


class KpiTarget(models.Model):
    """A metric's baseline and target from ``valid_from`` on (until a later one)."""

    metric = models.CharField(_("指标"), max_length=32, choices=Metric.choices)
    baseline = models.DecimalField(
        _("基线值"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    target = models.DecimalField(_("目标值"), max_digits=14, decimal_places=4)
    direction = models.CharField(
        _("方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    method = models.CharField(
        _("达成率算法"), max_length=10, choices=Method.choices, default=Method.STANDARD
    )
    valid_from = models.DateField(_("生效日期"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设置人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    set_at = models.DateTimeField(_("设置时间"))

    objects = KpiTargetQuerySet.as_manager()

    class Meta:
        ordering = ["metric", "-valid_from"]
        verbose_name = _("KPI 目标")
        verbose_name_plural = _("KPI 目标")
        constraints = [
            models.UniqueConstraint(fields=["metric", "valid_from"], name="kpi_target_once_a_day")
        ]

    def __str__(self):
        return f"{self.get_metric_display()} @ {self.valid_from}"


# --- the weekly meeting ---------------------------------------------------------------


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The meeting is headquarters' work: every HQ role reads its record; stores and
        machine clients do not see it."""
        return self if _is_hq(user) else self.none()


class Meeting(models.Model):
    """One weekly service quality meeting: a record per week."""

    date = models.DateField(_("日期"), unique=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    status = models.CharField(
        _("状态"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("主持人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    topic = models.CharField(_("专题"), max_length=200, blank=True)
    topic_notes = models.TextField(_("专题说明"), blank=True)
    started_at = models.DateTimeField(_("实际开始"), null=True, blank=True)
    finished_at = models.DateTimeField(_("实际结束"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("服务质量周会")
        verbose_name_plural = _("服务质量周会")

    def __str__(self):
        return f"{_('服务质量周会')} {self.date:%Y-%m-%d}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("dashboards:meeting_detail", args=[self.pk])


class MeetingEvent(models.Model):
    """The meeting's history: one row per transition (start, finish, reopen)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    action = models.CharField(max_length=16, blank=True)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.meeting_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class Attendance(models.Model):
    """An invitation and whether the person came (出席)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("参会人"),
        on_delete=models.PROTECT,
        related_name="meeting_attendances",
    )
    attended = models.BooleanField(_("出席"), default=False)

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("出席")
        verbose_name_plural = _("出席")
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once")]

    def __str__(self):
        return f"{self.meeting_id} {self.user_id} {self.attended}"


class AgendaBlock(models.Model):
    """One block of the agenda with its planned minutes (10 · 30 · 20 · 20 · 10)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="blocks")
    kind = models.CharField(_("议程"), max_length=12, choices=BlockKind.choices)
    position = models.PositiveSmallIntegerField(_("顺序"))
    planned_minutes = models.PositiveSmallIntegerField(_("计划时长（分钟）"))

    class Meta:
        ordering = ["meeting", "position"]
        verbose_name = _("议程")
        verbose_name_plural = _("议程")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position"),
            models.UniqueConstraint(fields=["meeting", "kind"], name="agenda_kind_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.planned_minutes}′"


#: A decision is clear (明确) when it has its text, an owner and a due date.
CLEAR = Q(owner__isnull=False, due_on__isnull=False) & ~Q(text="")


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if _is_hq(user) else self.none()

    def clear(self):
        return self.filter(CLEAR)


class Decision(models.Model):
    """What the meeting decided on one item (an issue, a rectification project or the
    topic): text, owner and due date. A clear decision becomes an action item."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    block = models.CharField(_("议程"), max_length=12, choices=BlockKind.choices)
    issue = models.ForeignKey(
        "issues.Issue",
        verbose_name=_("问题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_decisions",
    )
    #: A rectification project's number (REF-YYYY-NNN); the project model lives in an
    #: app this one does not depend on.
    project_number = models.CharField(_("整改项目"), max_length=20, blank=True)
    text = models.TextField(_("决策"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_decisions",
    )
    due_on = models.DateField(_("截止日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"))

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "created_at", "pk"]
        verbose_name = _("周会决策")
        verbose_name_plural = _("周会决策")
        indexes = [models.Index(fields=["meeting", "issue"])]

    def __str__(self):
        return self.text[:40]

    @property
    def is_clear(self) -> bool:
        return bool(self.text.strip() and self.owner_id and self.due_on)


class ActionItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Action items are read by every headquarters role (they are assigned across
        departments); stores and machine clients do not see them."""
        return self if _is_hq(user) else self.none()

    def open(self):
        return self.filter(status=ActionStatus.OPEN)


class ActionItem(models.Model):
    """行动项: a clear decision, tracked to done."""

    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="action_item")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    issue = models.ForeignKey(
        "issues.Issue",
        verbose_name=_("问题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    project_number = models.CharField(_("整改项目"), max_length=20, blank=True, db_index=True)
    text = models.TextField(_("行动项"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    due_on = models.DateField(_("截止日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("行动项")
        verbose_name_plural = _("行动项")
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["owner", "status"]),
        ]

    def __str__(self):
        return self.text[:40]


class ActionItemEvent(models.Model):
    """The action item's history: created, completed, reopened, cancelled."""

    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    action = models.CharField(max_length=16, blank=True)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.action_item_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
