"""Rectification projects (整改项目, DOMAIN.md §5): the kick-off form with its 5-Why chain,
goals and measures, the three sign-offs, the tracking records and the project's history.

Who may see a project is answered here, and only here: ``Project.objects.visible_to``.
Acceptance scorecards, observation rechecks and the closure checklist hang off the same
project (and its goals) in a later step; the statuses for them already exist."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from closedloop.core.choices import ChoiceLabels
from closedloop.org.choices import DEPARTMENT_ROLES, Role, StoreTier
from closedloop.org.models import Store, sees_everything, within_token_bounds
from issues.choices import Category

from .choices import (
    MAX_STARS,
    MIN_STARS,
    AcceptanceKind,
    AlertKind,
    Assessment,
    Conclusion,
    Direction,
    GoalBand,
    GoalMethod,
    Health,
    Impact,
    Level,
    MeasureKind,
    MeasureStatus,
    Rating,
    SignRole,
    Status,
    Sustainability,
    TrackingMethod,
)

DECIMAL = {"max_digits": 12, "decimal_places": 2}
PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The projects ``user`` may see (DOMAIN.md §2): by store scope for store-side
        roles; for department people the projects with a measure they own (a head: owned
        by anybody of the department); plus the projects a person is named on."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if sees_everything(user):
            return self
        named = Q(ops_specialist=user) | Q(regional_director=user) | Q(created_by=user)
        if user.role in DEPARTMENT_ROLES:
            owners = Q(owner=user)
            if user.role == Role.DEPARTMENT_HEAD and user.department_id:
                owners |= Q(owner__department_id=user.department_id)
            owned = Measure.objects.filter(owners, project=OuterRef("pk"))
            return self.filter(named | Exists(owned))
        if user.role in (Role.STORE_MANAGER, Role.OPS_SPECIALIST, Role.REGIONAL_DIRECTOR):
            return self.filter(Q(store__in=Store.objects.visible_to(user).values("pk")) | named)
        return self.filter(named)


class Project(ChoiceLabels, models.Model):
    """整改项目: the kick-off form (启动表) and the state of its execution."""

    number = models.CharField(_("项目编号"), max_length=20, unique=True, editable=False)
    store = models.ForeignKey(
        Store, verbose_name=_("门店"), on_delete=models.PROTECT, related_name="rectifications"
    )
    issue = models.ForeignKey(
        "issues.Issue",
        verbose_name=_("来源问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rectification_projects",
    )
    title = models.CharField(_("项目名称"), max_length=200)
    problem = models.TextField(_("问题描述"))
    found_on = models.DateField(_("发现日期"))
    level = models.CharField(_("问题级别"), max_length=1, choices=Level.choices)
    containment = models.TextField(_("临时措施"), blank=True)
    ops_specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("运营专家"),
        on_delete=models.PROTECT,
        related_name="rectifications_run",
    )
    regional_director = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("区域总监"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectifications_overseen",
    )

    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    health = models.CharField(
        _("健康度"), max_length=6, choices=Health.choices, default=Health.GREEN, db_index=True
    )
    #: Why the health is what it is, for the pages (list of short translated sentences).
    health_reasons = models.JSONField(_("健康度说明"), default=list, blank=True)
    progress = models.PositiveSmallIntegerField(_("当前进度"), default=0, validators=PERCENT)

    # 时间计划
    start_on = models.DateField(_("启动日期"), null=True, blank=True)
    execution_from = models.DateField(_("执行期开始"), null=True, blank=True)
    execution_to = models.DateField(_("执行期结束"), null=True, blank=True)
    acceptance_on = models.DateField(_("验收日期"), null=True, blank=True)
    observation_from = models.DateField(_("观察期开始"), null=True, blank=True)
    observation_to = models.DateField(_("观察期结束"), null=True, blank=True)
    closure_on = models.DateField(_("闭环日期"), null=True, blank=True)

    # 跟踪计划 (defaults by level, overridable)
    execution_every_days = models.PositiveSmallIntegerField(_("执行期跟踪间隔（天）"))
    observation_every_days = models.PositiveSmallIntegerField(_("观察期跟踪间隔（天）"))
    tracking_methods = ArrayField(
        models.CharField(max_length=8, choices=TrackingMethod.choices),
        verbose_name=_("跟踪方式"),
        default=list,
        blank=True,
    )

    # 验收标准
    criteria_quantitative = models.JSONField(_("定量标准"), default=list, blank=True)
    criteria_qualitative = models.JSONField(_("定性标准"), default=list, blank=True)

    kicked_off_at = models.DateTimeField(_("启动时间"), null=True, blank=True)
    started_on = models.DateField(_("开始执行日期"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交验收时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    last_tracked_on = models.DateField(_("最近跟踪日期"), null=True, blank=True)
    next_tracking_on = models.DateField(_("下次跟踪日期"), null=True, blank=True, db_index=True)

    # 观察期 (DOMAIN.md §7): the rechecks' due date, the stored sustainability verdict
    # (see ``selectors.project_sustainability``) and the rebound flag (反弹).
    observation_started_at = models.DateTimeField(_("进入观察期时间"), null=True, blank=True)
    next_recheck_on = models.DateField(_("下次复查日期"), null=True, blank=True, db_index=True)
    sustainability_verdict = models.CharField(
        _("持续性评估"), max_length=10, choices=Sustainability.choices, blank=True
    )
    #: Per goal: ``{"goal", "name", "mean", "min", "max", "readings", "within", "verdict"}``
    #: (numbers as strings, exact Decimals).
    sustainability_goals = models.JSONField(_("持续性评估明细"), default=list, blank=True)
    rebound_at = models.DateTimeField(_("反弹时间"), null=True, blank=True)
    rebound_note = models.TextField(_("反弹说明"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("整改项目")
        verbose_name_plural = _("整改项目")
        indexes = [
            models.Index(fields=["store", "status"]),
            models.Index(fields=["status", "health"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="project_progress_0_100"),
            models.CheckConstraint(
                condition=Q(execution_every_days__gte=1, observation_every_days__gte=1),
                name="project_cadence_positive",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("rectification:detail", args=[self.number])

    @property
    def rebound(self) -> bool:
        """反弹: a recheck reading was worse than its target by more than 15 %."""
        return self.rebound_at is not None


class Symptom(models.Model):
    """问题表现: one observed phenomenon, in the form's order."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="symptoms")
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("问题表现"))

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("问题表现")
        verbose_name_plural = _("问题表现")

    def __str__(self):
        return self.text[:40]


def evidence_path(instance, filename):
    return f"rectification/{instance.project.number}/why-{filename}"


class Why(models.Model):
    """One link of the 5-Why chain: Why N: 为什么…? → 因为…, with its evidence."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="whys")
    order = models.PositiveSmallIntegerField(_("序号"))
    question = models.CharField(_("为什么"), max_length=300)
    answer = models.CharField(_("因为"), max_length=300)
    evidence = models.TextField(_("依据"), blank=True)
    photo = models.FileField(_("依据照片"), upload_to=evidence_path, max_length=255, blank=True)
    photo_type = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("5Why 分析")
        verbose_name_plural = _("5Why 分析")

    def __str__(self):
        return f"Why {self.order}: {self.question}"


class RootCause(models.Model):
    """根本原因."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="root_causes")
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("根本原因"))

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("根本原因")
        verbose_name_plural = _("根本原因")

    def __str__(self):
        return self.text[:40]


class Goal(models.Model):
    """核心目标: a metric with unit, baseline, target and direction. A goal that is not
    ``core`` is a watched metric (监测指标, e.g. satisfaction in the source's case): it is
    tracked and charted but not scored as a core goal at acceptance (DOMAIN.md §6)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="goals")
    order = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("指标"), max_length=100)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    baseline = models.DecimalField(_("基线值"), null=True, blank=True, **DECIMAL)
    target = models.DecimalField(_("目标值"), **DECIMAL)
    direction = models.CharField(_("方向"), max_length=6, choices=Direction.choices)
    method = models.CharField(
        _("达成率算法"), max_length=8, choices=GoalMethod.choices, default=GoalMethod.STANDARD
    )
    core = models.BooleanField(_("核心目标"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("目标")
        verbose_name_plural = _("目标")

    def __str__(self):
        return self.name


class Measure(models.Model):
    """措施: what is done, by whom, by when, and how far it is."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="measures")
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("措施"))
    kind = models.CharField(_("类型"), max_length=10, choices=MeasureKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人（用户）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectification_measures",
    )
    owner_name = models.CharField(_("责任人"), max_length=64, blank=True)
    start_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("完成期限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0, validators=PERCENT)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("措施")
        verbose_name_plural = _("措施")
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("start_on")), name="measure_deadline_after_start"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="measure_progress_0_100"),
        ]

    def __str__(self):
        return self.text[:40]

    @property
    def owner_label(self) -> str:
        if self.owner_name:
            return self.owner_name
        return str(self.owner) if self.owner_id else ""


class SignOff(models.Model):
    """签字确认: one of the three signatures, with its time."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="signoffs")
    role = models.CharField(_("签字角色"), max_length=20, choices=SignRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签字人"), on_delete=models.PROTECT
    )
    at = models.DateTimeField(_("签字时间"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("签字")
        verbose_name_plural = _("签字")
        constraints = [
            models.UniqueConstraint(fields=["project", "role"], name="signoff_once_per_role")
        ]

    def __str__(self):
        return f"{self.project_id} {self.role} {self.user_id}"


class TrackingLog(models.Model):
    """整改跟踪记录: one tracking of the project (tool 2)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tracking_logs")
    date = models.DateField(_("跟踪日期"))
    day = models.SmallIntegerField(_("第几天"))
    method = models.CharField(_("跟踪方式"), max_length=8, choices=TrackingMethod.choices)
    progress = models.PositiveSmallIntegerField(_("当前进度"), validators=PERCENT)
    assessment = models.CharField(_("进度评估"), max_length=20, choices=Assessment.choices)
    done = models.JSONField(_("已完成事项"), default=list, blank=True)
    next_on = models.DateField(_("下次跟踪日期"))
    focus = models.TextField(_("重点关注事项"), blank=True)
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("跟踪记录")
        verbose_name_plural = _("跟踪记录")
        constraints = [
            models.UniqueConstraint(fields=["project", "date"], name="one_tracking_log_per_day"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="tracking_progress_0_100"),
        ]

    def __str__(self):
        return f"{self.project_id} {self.date}"


class InProgressItem(models.Model):
    """进行中事项: text, progress and the expected date."""

    log = models.ForeignKey(TrackingLog, on_delete=models.CASCADE, related_name="in_progress")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(_("事项"), max_length=300)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0, validators=PERCENT)
    expected_on = models.DateField(_("预计完成"), null=True, blank=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text


class Difficulty(models.Model):
    """遇到困难: with its impact and the support needed."""

    log = models.ForeignKey(TrackingLog, on_delete=models.CASCADE, related_name="difficulties")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(_("困难"), max_length=300)
    impact = models.CharField(_("影响"), max_length=8, choices=Impact.choices)
    support = models.CharField(_("需要支持"), max_length=300, blank=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text


class Solution(models.Model):
    """解决方案: what, who, by when."""

    log = models.ForeignKey(TrackingLog, on_delete=models.CASCADE, related_name="solutions")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(_("方案"), max_length=300)
    owner_name = models.CharField(_("责任人"), max_length=64, blank=True)
    deadline = models.DateField(_("期限"), null=True, blank=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text


class Reading(models.Model):
    """关键数据: the value of one of the project's goals on the log's date."""

    log = models.ForeignKey(TrackingLog, on_delete=models.CASCADE, related_name="readings")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="readings")
    value = models.DecimalField(_("当前值"), **DECIMAL)

    class Meta:
        ordering = ["goal__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["log", "goal"], name="one_reading_per_goal_per_log")
        ]

    def __str__(self):
        return f"{self.goal_id}={self.value}"


class ProjectEvent(models.Model):
    """The project's history: a row per transition, signature, edit, tracking, change."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    action = models.CharField(_("动作"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Status.choices, blank=True)
    body = models.TextField(_("内容"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("项目记录")
        verbose_name_plural = _("项目记录")
        indexes = [models.Index(fields=["project", "at"])]

    def __str__(self):
        return f"{self.project_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class TrackingAlert(models.Model):
    """A missed-tracking reminder or escalation that was raised: exactly one per
    (project, kind, due date), whatever retries or overlapping sweeps do."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tracking_alerts")
    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    due_on = models.DateField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "due_on"], name="tracking_alert_once"
            )
        ]

    def __str__(self):
        return f"{self.project_id} {self.kind} {self.due_on}"


SCORE = {"max_digits": 4, "decimal_places": 1}


class Acceptance(models.Model):
    """整改验收评分表 (tool 3): one scorecard, initial (after execution) or formal (after the
    observation period). Both are kept; each project may have several of a kind when a
    basic pass asked for another acceptance."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="acceptances")
    kind = models.CharField(_("验收类型"), max_length=8, choices=AcceptanceKind.choices)
    date = models.DateField(_("验收日期"))
    # 一、流程执行验收 (30)
    documents = models.DecimalField(_("流程文档完整性"), **SCORE)
    mastery = models.DecimalField(_("人员掌握程度"), **SCORE)
    execution = models.DecimalField(_("现场执行情况"), **SCORE)
    # 三、客户反馈验收 (20)
    satisfaction_value = models.DecimalField(_("客户满意度"), max_digits=6, decimal_places=2)
    satisfaction_score = models.DecimalField(_("客户满意度得分"), **SCORE)
    interviews_positive = models.PositiveSmallIntegerField(_("积极反馈"))
    interviews_neutral = models.PositiveSmallIntegerField(_("中性反馈"))
    interviews_negative = models.PositiveSmallIntegerField(_("负面反馈"))
    interviews_score = models.DecimalField(_("客户访谈得分"), **SCORE)
    # 四、持续性评估 (10)
    sustainability_score = models.DecimalField(_("持续性评估得分"), **SCORE)
    # 总分 · 评级 · 结论
    total = models.DecimalField(_("总分"), **SCORE)
    rating = models.CharField(_("评级"), max_length=12, choices=Rating.choices)
    suggested_conclusion = models.CharField(
        _("建议结论"), max_length=12, choices=Conclusion.choices
    )
    conclusion = models.CharField(_("验收结论"), max_length=12, choices=Conclusion.choices)
    override_reason = models.TextField(_("调整结论原因"), blank=True)
    suggestions = models.JSONField(_("改进建议"), default=list, blank=True)
    from_status = models.CharField(_("验收时状态"), max_length=20, choices=Status.choices)
    to_status = models.CharField(_("验收后状态"), max_length=20, choices=Status.choices)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("验收人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessor_signed_at = models.DateTimeField(_("验收人签字时间"))
    store_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("门店店长"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    store_manager_signed_at = models.DateTimeField(_("店长签字时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        ordering = ["date", "created_at", "pk"]
        verbose_name = _("验收评分")
        verbose_name_plural = _("验收评分")
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0, total__lte=100), name="acceptance_total_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.project_id} {self.kind} {self.date}"

    @property
    def process_total(self):
        return self.documents + self.mastery + self.execution

    @property
    def feedback_total(self):
        return self.satisfaction_score + self.interviews_score

    @property
    def interviews_total(self) -> int:
        return self.interviews_positive + self.interviews_neutral + self.interviews_negative


class AcceptanceGoal(models.Model):
    """二、目标达成验收: one core goal's actual value, achievement rate, band and score."""

    acceptance = models.ForeignKey(Acceptance, on_delete=models.CASCADE, related_name="goals")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="acceptance_scores")
    actual = models.DecimalField(_("实际值"), **DECIMAL)
    achievement_rate = models.DecimalField(_("达成率"), max_digits=12, decimal_places=6)
    band = models.CharField(_("达成档次"), max_length=10, choices=GoalBand.choices)
    points = models.DecimalField(_("分值"), **SCORE)
    score = models.DecimalField(_("得分"), **SCORE)

    class Meta:
        ordering = ["goal__order", "pk"]
        verbose_name = _("目标达成得分")
        verbose_name_plural = _("目标达成得分")
        constraints = [
            models.UniqueConstraint(fields=["acceptance", "goal"], name="acceptance_goal_once")
        ]

    def __str__(self):
        return f"{self.goal_id}: {self.score}"


class Recheck(models.Model):
    """观察期复查: date, method, the goals' readings and what was found."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="rechecks")
    date = models.DateField(_("复查日期"))
    method = models.CharField(_("复查方式"), max_length=8, choices=TrackingMethod.choices)
    findings = models.TextField(_("复查发现"), blank=True)
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("观察期复查")
        verbose_name_plural = _("观察期复查")
        constraints = [
            models.UniqueConstraint(fields=["project", "date"], name="one_recheck_per_day"),
        ]

    def __str__(self):
        return f"{self.project_id} {self.date}"


class RecheckReading(models.Model):
    """The value of one of the project's goals at a recheck."""

    recheck = models.ForeignKey(Recheck, on_delete=models.CASCADE, related_name="readings")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="recheck_readings")
    value = models.DecimalField(_("复查值"), **DECIMAL)

    class Meta:
        ordering = ["goal__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recheck", "goal"], name="one_reading_per_goal_per_recheck"
            )
        ]

    def __str__(self):
        return f"{self.goal_id}={self.value}"


# --- the case library (案例库) and recurrence (复发), DOMAIN.md §7 --------------------------


def _plain(number) -> str:
    """A decimal without trailing zeros (29.50 → 29.5, 47.00 → 47)."""
    if number is None:
        return ""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Every case, for every signed-in person (``policy.can_view_cases`` says who
        opens the pages): a case is a lesson written to be replicated across the network
        (知识共享), not a store's record. An API token bound to stores reads only the
        cases of those stores."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return within_token_bounds(self, user, "project__store__")


class Case(models.Model):
    """案例: the write-up of a closed-loop project (closure step 5, 经验总结) — problem,
    root cause, solution (cost, duration), effect (metric before → after), ROI,
    replicability and the scope it is recommended for. One per project."""

    project = models.OneToOneField(
        Project, verbose_name=_("来源项目"), on_delete=models.CASCADE, related_name="case"
    )
    title = models.CharField(_("案例标题"), max_length=200)
    category = models.CharField(
        _("问题分类"), max_length=20, choices=Category.choices, db_index=True
    )
    store_tier = models.CharField(
        _("门店分层"), max_length=1, choices=StoreTier.choices, db_index=True
    )
    problem = models.TextField(_("问题"))
    root_cause = models.TextField(_("根因"))
    solution = models.TextField(_("解决方案"))
    cost = models.DecimalField(_("投入（元）"), null=True, blank=True, **DECIMAL)
    cost_note = models.CharField(_("投入说明"), max_length=300, blank=True)
    duration_days = models.PositiveSmallIntegerField(_("周期（天）"), null=True, blank=True)
    metric = models.CharField(_("效果指标"), max_length=100)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    before = models.DecimalField(_("整改前"), **DECIMAL)
    after = models.DecimalField(_("整改后"), **DECIMAL)
    roi = models.DecimalField(_("投资回报率（倍）"), null=True, blank=True, **DECIMAL)
    roi_note = models.CharField(_("收益说明"), max_length=300, blank=True)
    replicability = models.PositiveSmallIntegerField(
        _("可复制性"), validators=[MinValueValidator(MIN_STARS), MaxValueValidator(MAX_STARS)]
    )
    recommended_scope = models.CharField(_("推广建议"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撰写人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("案例")
        verbose_name_plural = _("案例库")
        constraints = [
            models.CheckConstraint(
                condition=Q(replicability__gte=MIN_STARS, replicability__lte=MAX_STARS),
                name="case_replicability_1_5",
            )
        ]
        # The cases suggested at triage: the best of one category are its first entries
        # (``library.suggested_cases``).
        indexes = [
            models.Index(
                fields=["category", "-replicability", "-created_at", "-id"],
                name="case_best_of_category",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("rectification:case", args=[self.pk])

    @property
    def change_percent(self):
        from .library import change_percent

        return change_percent(self.before, self.after)

    @property
    def effect(self) -> str:
        """``47 → 29.5分钟（-37.2%）``."""
        text = f"{_plain(self.before)} → {_plain(self.after)}{self.unit}"
        change = self.change_percent
        if change is not None:
            text += f"（{'+' if change > 0 else ''}{change}%）"
        return text

    @property
    def stars(self) -> str:
        return "★" * self.replicability + "☆" * (MAX_STARS - self.replicability)


class Recurrence(models.Model):
    """疑似复发: a new issue of the same store and category as a project that is observing
    or was closed in the last 180 days (written when the issue is submitted)."""

    issue = models.ForeignKey("issues.Issue", on_delete=models.CASCADE, related_name="recurrences")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="recurrences")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("疑似复发")
        verbose_name_plural = _("疑似复发")
        constraints = [models.UniqueConstraint(fields=["issue", "project"], name="recurrence_once")]

    def __str__(self):
        return f"{self.issue_id} → {self.project_id}"


class Closure(models.Model):
    """闭环确认检查表 (tool 4): what was ticked and written by hand, per item key
    (``{"done": bool, "value": str}``). The items read from the data (the formal
    acceptance, the plan, the rechecks, the sustainability verdict, the case) are not
    stored: ``closure.checklist`` computes them each time."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="closure")
    items = models.JSONField(_("检查项"), default=dict, blank=True)
    note = models.TextField(_("备注"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("检查日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("闭环确认检查表")
        verbose_name_plural = _("闭环确认检查表")

    def __str__(self):
        return f"{self.project_id}"
