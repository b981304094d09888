"""Issues (问题), their timeline, attachments, routing, SLA policy and the work calendar."""

from __future__ import annotations

import re

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Func, Q, Value, When
from django.db.models.functions import Least, Lower
from django.utils.translation import gettext_lazy as _

from closedloop.core.choices import ChoiceLabels
from closedloop.org.choices import DEPARTMENT_ROLES, Role
from closedloop.org.models import (
    Department,
    Store,
    sees_everything_by_role,
    within_token_bounds,
)

from . import policy
from .choices import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    Category,
    Channel,
    EventKind,
    ImpactScope,
    Priority,
    Status,
    SystemicAction,
    SystemicStatus,
)


class SearchGrams(Func):
    """The characters and character pairs of an issue's number, title and description,
    lower-cased (SQL function ``issue_search_grams``, migration 0005): GIN-indexed, so a
    search for a one- or two-character Chinese word (卡, 缺货) is an index lookup."""

    function = "issue_search_grams"
    output_field = ArrayField(models.TextField())

    def __init__(self, **extra):
        super().__init__(F("number"), F("title"), F("description"), **extra)


class SearchTerms(Func):
    """The grams a search term needs: its character pairs, or the character itself
    (``issue_search_terms``, lower-cased by the same PostgreSQL ``lower`` as the index)."""

    function = "issue_search_terms"
    output_field = ArrayField(models.TextField())


def _rank(field: str, values) -> Case:
    """The position of ``field``'s value in ``values`` (unknown or blank: last)."""
    return Case(
        *[When(**{field: value}, then=Value(i)) for i, value in enumerate(values)],
        default=Value(len(values)),
        output_field=models.SmallIntegerField(),
    )


#: The list's orderings as stored columns (issue 9): computed by PostgreSQL on every write
#: (``GENERATED ALWAYS … STORED``), so no code path can leave them stale, and indexed in
#: the order each working view shows.
PRIORITY_RANK = _rank("priority", Priority.values)
STATUS_RANK = _rank("status", Status.values)
#: The next due time that still matters: response until answered, then resolution.
NEXT_DUE = Case(
    When(first_response_at__isnull=True, then=Least("response_due_at", "resolution_due_at")),
    default=F("resolution_due_at"),
    output_field=models.DateTimeField(),
)


#: Unfinished issues (open or resolved): the list's default and the condition of its
#: partial indexes. A queryset must say ``status__in=`` these (or some of them), not
#: "exclude the finished", for PostgreSQL to prove that a partial index applies.
UNFINISHED_Q = Q(status__in=[s for s in Status.values if s not in FINISHED_STATUSES])


#: A search term that is the start of an issue number (ISS-2026-01234, iss-2026-0).
NUMBER_PREFIX = re.compile(r"[A-Za-z]{2,5}-\d[\d-]*")


#: What ``IssueQuerySet.visible_to`` reads of an issue.
VISIBILITY_COLUMNS = ["store_id", "department_id", "submitted_by_id", "assignee_id"]

#: What the list's counts read of an issue besides its status: who may see it
#: (``visible_to``), 超时预警 and 我负责的 (``selectors``), the groups.
COUNTED_COLUMNS = [
    "status",
    "priority",
    "store_id",
    "department_id",
    "submitted_by_id",
    "assignee_id",
    "first_response_at",
    "response_due_at",
    "resolution_due_at",
]


class IssueQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The issues ``user`` may see (DOMAIN.md §2): by store scope for store-side
        roles, by department for department people, plus whatever they submitted — and
        only at the stores the request's API token is bound to, if it is."""
        return within_token_bounds(self._visible_by_role(user), user, "store__")

    def _visible_by_role(self, user):
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if sees_everything_by_role(user):
            return self
        own = Q(submitted_by=user)
        if user.role in DEPARTMENT_ROLES:
            scope = Q(department_id=user.department_id) if user.department_id else Q(pk__in=[])
            return self.filter(scope | own | Q(assignee=user))
        if user.role == Role.STORE_MANAGER:
            # Their one store, said as such (not as a sub-select of the stores): the
            # planner then knows how few rows it is (a store's search at 1 000 000 issues
            # walked the whole priority index otherwise).
            scope = Q(store_id=user.store_id) if user.store_id else Q(pk__in=[])
            return self.filter(scope | own)
        if user.role in (Role.OPS_SPECIALIST, Role.REGIONAL_DIRECTOR):
            return self.filter(Q(store__in=Store.objects.visible_to(user).values("pk")) | own)
        return self.filter(own)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def search(self, text: str):
        """Issues whose number, title or description contains ``text`` (case-insensitive),
        or whose store's name contains it or code is it.

        The GIN index over ``SearchGrams`` finds the candidates (every character pair of
        the term must occur); the substring test on each field then keeps the exact
        matches. Both sides are lower-cased by PostgreSQL, so the index never drops a row
        the substring test would keep. A term shaped like an issue number (ISS-2026-0…)
        is looked up by prefix instead (on the ``_like`` index Django gives a unique
        ``CharField``)."""
        text = (text or "").strip()
        if not text:
            return self
        stores = list(
            Store.objects.filter(Q(name__icontains=text) | Q(code__iexact=text)).values_list(
                "pk", flat=True
            )
        )
        by_store = Q(store_id__in=stores) if stores else Q(pk__in=[])
        if NUMBER_PREFIX.fullmatch(text):
            return self.filter(Q(number__startswith=text.upper()) | by_store)
        # The substring test also for the terms the grams decide alone (one or two
        # characters): without it the planner, which cannot estimate a rare term's share
        # of the grams, walked the submitted_at index testing each issue's grams (16 s at
        # 1 000 000 issues for a word nobody wrote).
        term = Lower(Value(text))
        matches = Q(_search_grams__contains=SearchTerms(Value(text))) & (
            Q(_number__contains=term) | Q(_title__contains=term) | Q(_description__contains=term)
        )
        if stores:
            matches |= by_store
        return self.alias(
            _search_grams=SearchGrams(),
            _number=Lower("number"),
            _title=Lower("title"),
            _description=Lower("description"),
        ).filter(matches)


class SystemicIssueQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Systemic problems are headquarters' work: HQ roles see them, stores do not
        (their own issues show the link)."""
        return self if policy.can_view_systemic(user) else self.none()


@pghistory.track()
class SystemicIssue(ChoiceLabels, models.Model):
    """系统性问题: one named problem with one root, grouping issues of many stores."""

    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    root_cause = models.TextField(_("根因"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=SystemicStatus.choices, default=SystemicStatus.IDENTIFIED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("责任部门"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = SystemicIssueQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("系统性问题")
        verbose_name_plural = _("系统性问题")

    def __str__(self):
        return self.title


class SystemicEvent(models.Model):
    """The history of a systemic issue: one row per status change and grouping."""

    systemic_issue = models.ForeignKey(
        # ``events`` is pghistory's snapshot table of the row; this is the workflow's.
        SystemicIssue,
        on_delete=models.CASCADE,
        related_name="history",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    action = models.CharField(_("动作"), max_length=20, choices=SystemicAction.choices)
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=SystemicStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("新状态"), max_length=16, choices=SystemicStatus.choices, blank=True
    )
    body = models.TextField(_("内容"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("系统性问题记录")
        verbose_name_plural = _("系统性问题记录")
        indexes = [models.Index(fields=["systemic_issue", "at"])]

    def __str__(self):
        return f"{self.systemic_issue_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class Issue(ChoiceLabels, models.Model):
    number = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    store = models.ForeignKey(
        Store, verbose_name=_("门店"), on_delete=models.PROTECT, related_name="issues"
    )
    category = models.CharField(_("问题分类"), max_length=16, choices=Category.choices)
    title = models.CharField(_("问题标题"), max_length=200)
    description = models.TextField(_("问题描述"))
    impact_scope = models.CharField(_("影响范围"), max_length=16, choices=ImpactScope.choices)
    expected_resolution_date = models.DateField(_("期望解决日期"), null=True, blank=True)
    channel = models.CharField(
        _("来源渠道"), max_length=16, choices=Channel.choices, default=Channel.WEB
    )
    external_ref = models.CharField(_("外部单号"), max_length=64, blank=True, default="")
    external_source = models.CharField(_("外部来源"), max_length=150, blank=True, default="")
    #: The submit form's one-time token: the same form posted twice (a double tap, a
    #: retry) makes one issue.
    form_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    priority = models.CharField(_("优先级"), max_length=2, choices=Priority.choices, blank=True)
    suggested_priority = models.CharField(
        _("建议优先级"), max_length=2, choices=Priority.choices, blank=True
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issues",
    )
    suggested_department = models.ForeignKey(
        Department,
        verbose_name=_("建议部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_issues",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.PROTECT,
        related_name="submitted_issues",
    )
    systemic_issue = models.ForeignKey(
        SystemicIssue,
        verbose_name=_("系统性问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issues",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("重复于"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )

    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)
    triaged_at = models.DateTimeField(_("分级时间"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # SLA: due times are stored and recomputed on triage, priority change, pause, resume.
    response_due_at = models.DateTimeField(_("响应截止"), null=True, blank=True, db_index=True)
    resolution_due_at = models.DateTimeField(_("解决截止"), null=True, blank=True, db_index=True)
    sla_business_hours = models.BooleanField(_("按工作时间计"), default=False)
    sla_paused_at = models.DateTimeField(_("计时暂停于"), null=True, blank=True)
    sla_calendar_gap = models.BooleanField(
        _("工作日历缺失"),
        default=False,
        help_text=_("截止时间落在尚未维护节假日的年份，暂无法计算。"),
    )

    resolution = models.TextField(_("解决方案"), blank=True)
    reject_reason = models.TextField(_("驳回原因"), blank=True)
    rating = models.PositiveSmallIntegerField(
        _("评分"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("评价"), blank=True)
    reopen_count = models.PositiveIntegerField(_("重开次数"), default=0)

    # Stored orderings of the list (see PRIORITY_RANK): read-only, written by PostgreSQL.
    priority_rank = models.GeneratedField(
        expression=PRIORITY_RANK, output_field=models.SmallIntegerField(), db_persist=True
    )
    status_rank = models.GeneratedField(
        expression=STATUS_RANK, output_field=models.SmallIntegerField(), db_persist=True
    )
    next_due = models.GeneratedField(
        expression=NEXT_DUE, output_field=models.DateTimeField(null=True), db_persist=True
    )

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        constraints = [
            models.UniqueConstraint(
                fields=["external_source", "external_ref"],
                condition=~Q(external_ref=""),
                name="issue_unique_external_ref_per_source",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="issue_rating_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "priority"]),
            models.Index(fields=["department", "status"]),
            models.Index(fields=["store", "status"]),
            GinIndex(SearchGrams(), name="issue_search_grams"),
            # The list searches unfinished issues unless asked otherwise: their matches
            # straight from an index of their own (no intersection with the status index).
            GinIndex(SearchGrams(), condition=UNFINISHED_Q, name="issue_open_search_grams"),
            # The working views of the list, over unfinished issues (its default), each in
            # the order it shows its rows (listing.build_listing): the top 25 are the first
            # 25 entries, a deep page an index-only walk. They carry who may see a row
            # (``visible_to``), so that a region's or a department's deep page skips the
            # rows of others without reading the table (ops, page 1000: 1.1 s of SQL).
            models.Index(
                fields=["priority_rank", "-submitted_at", "-id"],
                condition=UNFINISHED_Q,
                include=VISIBILITY_COLUMNS,
                name="issue_open_by_priority",
            ),
            models.Index(
                fields=["status_rank", "-submitted_at", "-id"],
                condition=UNFINISHED_Q,
                include=VISIBILITY_COLUMNS,
                name="issue_open_by_status",
            ),
            models.Index(
                fields=["department", "-submitted_at", "-id"],
                condition=UNFINISHED_Q,
                include=VISIBILITY_COLUMNS,
                name="issue_open_by_department",
            ),
            models.Index(
                fields=["next_due", "priority_rank", "-id"],
                condition=UNFINISHED_Q,
                include=VISIBILITY_COLUMNS,
                name="issue_open_by_next_due",
            ),
            models.Index(
                fields=["priority_rank", "resolution_due_at", "-id"],
                condition=UNFINISHED_Q,
                include=VISIBILITY_COLUMNS,
                name="issue_open_by_priority_due",
            ),
            # The triage queue: submitted issues, oldest first (a few hundred rows; without
            # it the planner walked the whole submitted_at index from the oldest issue).
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(status=Status.SUBMITTED),
                name="issue_triage_queue",
            ),
            # Newest first, carrying every column the visibility rules, the tabs' and the
            # groups' conditions read: the capped counts of a region or a department are
            # index-only scans, not thousands of heap reads.
            models.Index(
                fields=["-submitted_at", "-id"],
                include=COUNTED_COLUMNS,
                condition=UNFINISHED_Q,
                name="issue_open_scope",
            ),
            # The API's list (finished issues included), newest first: its page's ids and
            # its count are index-only walks, the visibility columns included
            # (``issues.api.views.IssueViewSet.list``).
            models.Index(
                fields=["-submitted_at", "-id"],
                include=VISIBILITY_COLUMNS,
                name="issue_by_submitted",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("issues:detail", args=[self.number])


class IssueEvent(ChoiceLabels, models.Model):
    """The timeline and history: one row per transition, comment, note, assignment."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(
        _("类型"), max_length=16, choices=EventKind.choices, default=EventKind.TRANSITION
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    action = models.CharField(_("动作"), max_length=20, blank=True)
    from_status = models.CharField(_("原状态"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Status.choices, blank=True)
    body = models.TextField(_("内容"), blank=True)
    public = models.BooleanField(_("门店可见"), default=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("问题记录")
        verbose_name_plural = _("问题记录")
        indexes = [models.Index(fields=["issue", "at"])]

    def __str__(self):
        return f"{self.issue_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


def attachment_path(instance, filename):
    return f"issues/{instance.issue.number}/{filename}"


class Attachment(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=64)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self):
        return self.original_name

    @property
    def is_image(self):
        return self.content_type.startswith("image/")


class RoutingRule(models.Model):
    """自动分类→责任部门. Keyword rules win over category rules; lower ``order`` first."""

    category = models.CharField(_("问题分类"), max_length=16, choices=Category.choices, blank=True)
    keyword = models.CharField(
        _("关键词"),
        max_length=64,
        blank=True,
        help_text=_("标题或描述包含该词时适用；留空表示按分类。"),
    )
    department = models.ForeignKey(Department, verbose_name=_("责任部门"), on_delete=models.CASCADE)
    order = models.PositiveIntegerField(_("顺序"), default=100)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("分派规则")
        verbose_name_plural = _("分派规则")
        constraints = [
            models.CheckConstraint(
                condition=~Q(category="", keyword=""), name="routing_rule_needs_category_or_keyword"
            )
        ]

    def __str__(self):
        what = self.keyword or self.get_category_display()
        return f"{what} → {self.department}"


@pghistory.track()
class SlaPolicy(models.Model):
    priority = models.CharField(_("优先级"), max_length=2, choices=Priority.choices, unique=True)
    response_hours = models.PositiveIntegerField(_("响应时限（小时）"))
    resolution_days = models.PositiveIntegerField(_("解决时限（天）"))
    business_hours = models.BooleanField(
        _("按工作时间计"),
        help_text=_("工作时间：周一至周五 09:00–18:00（北京时间），法定节假日休息，调休上班。"),
    )

    class Meta:
        ordering = ["priority"]
        verbose_name = _("SLA 策略")
        verbose_name_plural = _("SLA 策略")

    def __str__(self):
        return self.get_priority_display()


class CalendarYear(models.Model):
    """A year whose holidays and make-up working days (调休) are known.

    Working-hours SLAs refuse to guess: a due time in a year not listed here is not
    computed until the quality lead enters that year's schedule and marks it covered."""

    year = models.PositiveIntegerField(_("年份"), primary_key=True)
    source = models.CharField(_("来源"), max_length=64, default="manual")
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("已维护年份")
        verbose_name_plural = _("已维护年份")

    def __str__(self):
        return str(self.year)


class CalendarDay(models.Model):
    """An exception to Mon–Fri: a public holiday on a weekday, or a make-up working day."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("上班"), help_text=_("勾选表示调休上班；不勾选表示放假。"))
    name = models.CharField(_("名称"), max_length=64, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日/调休")
        verbose_name_plural = _("节假日/调休")

    def __str__(self):
        return f"{self.date} {self.name}"


class SlaPause(models.Model):
    """An interval in which both SLA clocks stood still (the issue waited for the store)."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="sla_pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue"], condition=Q(ended_at__isnull=True), name="one_open_pause"
            )
        ]

    def __str__(self):
        return f"{self.issue_id} {self.started_at}–{self.ended_at or ''}"


class EscalationLevel(models.Model):
    """A rung of the SLA ladder: at ``percent`` of a clock's time, tell ``audience``."""

    class Audience(models.TextChoices):
        OWNER = "owner", _("处理人（未指派时为部门负责人）")
        HEAD_AND_OPS = "head_and_ops", _("部门负责人和运营专员")
        QUALITY_LEAD = "quality_lead", _("服务质量负责人")

    percent = models.PositiveIntegerField(_("时限百分比"), unique=True)
    audience = models.CharField(_("通知对象"), max_length=16, choices=Audience.choices)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["percent"]
        verbose_name = _("升级规则")
        verbose_name_plural = _("升级规则")

    def __str__(self):
        return f"{self.percent}% → {self.get_audience_display()}"


class SlaClock(models.TextChoices):
    RESPONSE = "response", _("响应")
    RESOLUTION = "resolution", _("解决")


class SlaMilestone(models.Model):
    """When a clock of an issue reaches a ladder level. Recomputed with the due times, so
    the sweep finds what is due with one indexed query, in calendar or working hours."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="sla_milestones")
    clock = models.CharField(max_length=10, choices=SlaClock.choices)
    percent = models.PositiveIntegerField()
    due_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "clock", "percent"], name="milestone_once")
        ]
        indexes = [models.Index(fields=["due_at"], name="milestone_due")]

    def __str__(self):
        return f"{self.issue_id} {self.clock} {self.percent}% @ {self.due_at}"


class SlaAlert(models.Model):
    """An alert that was raised: exactly one per (issue, clock, level), whatever retries,
    overlapping sweeps or concurrent workers do — the unique constraint decides."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="sla_alerts")
    clock = models.CharField(max_length=10, choices=SlaClock.choices)
    percent = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "clock", "percent"], name="sla_alert_once")
        ]

    def __str__(self):
        return f"{self.issue_id} {self.clock} {self.percent}%"
