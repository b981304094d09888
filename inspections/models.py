"""Inspections (巡检): versioned checklist templates, the inspection with its item results,
photos, findings (the action plan rows) and core metrics, and the follow-up that the
report starts — steps with due dates, follow-up logs, spot checks, the acceptance
re-inspection, resource requests, the experience write-up and the closure check."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from closedloop.org.choices import DEPARTMENT_ROLES, Role
from closedloop.org.models import Department, Store, sees_everything

from .choices import (
    OPEN_RESOURCE_STATUSES,
    Action,
    Area,
    Direction,
    FindingStatus,
    ItemKind,
    Priority,
    ResourceKind,
    ResourceStatus,
    SpotCheckKind,
    SpotResult,
    Status,
    StepKind,
)

# --- checklist templates ----------------------------------------------------------------


class ChecklistTemplateQuerySet(models.QuerySet):
    def current(self):
        """The newest active version of every template code."""
        newer = ChecklistTemplate.objects.filter(
            code=OuterRef("code"), version__gt=OuterRef("version"), active=True
        )
        return self.filter(active=True).exclude(Exists(newer))


class ChecklistTemplate(models.Model):
    """One version of a checklist (巡检检查表). A version that an inspection used is never
    changed: editing it in the admin saves a new version (``admin.py``), and each
    inspection keeps the version it was performed with."""

    code = models.SlugField(_("编码"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    version = models.PositiveIntegerField(_("版本"), default=1)
    description = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(
        _("启用"), default=True, help_text=_("停用后不能再用它开始新的巡检。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ChecklistTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("巡检检查表")
        verbose_name_plural = _("巡检检查表")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="template_version_once")
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"


class ChecklistItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(_("板块"), max_length=60)
    area = models.CharField(
        _("维度"),
        max_length=16,
        choices=Area.choices,
        default=Area.PROCESS,
        help_text=_("硬件设施、流程执行、人员能力或数据变化；发现问题转为问题单时据此预填分类。"),
    )
    order = models.PositiveIntegerField(_("顺序"), default=0)
    key = models.SlugField(_("代码"), max_length=40)
    text = models.CharField(_("检查项"), max_length=200)
    kind = models.CharField(_("评分方式"), max_length=16, choices=ItemKind.choices)
    max_score = models.DecimalField(
        _("满分"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.01)],
        help_text=_("评分项必填；合格/不合格项留空。"),
    )
    weight = models.DecimalField(
        _("权重"), max_digits=6, decimal_places=2, default=1, validators=[MinValueValidator(0.01)]
    )
    guidance = models.TextField(_("检查要点"), blank=True)
    photo_required = models.BooleanField(_("必须拍照"), default=False)

    class Meta:
        ordering = ["template", "order", "pk"]
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="template_item_key_once"),
            models.CheckConstraint(
                condition=(Q(kind="score", max_score__gt=0) | Q(kind="pass_fail")),
                name="score_item_has_max",
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="item_weight_positive"),
        ]

    def __str__(self):
        return f"{self.key} {self.text}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == ItemKind.SCORE and not self.max_score:
            raise ValidationError({"max_score": _("评分项必须填写满分。")})
        if self.kind == ItemKind.PASS_FAIL:
            self.max_score = None


# --- the inspection --------------------------------------------------------------------


class InspectionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The inspections ``user`` may see (DOMAIN.md §2): by store for store managers
        (issued reports only, not the inspector's draft), ops specialists and regional
        directors; department people only where the follow-up involves their department
        (a resource request addressed to it, or a finding turned into an issue it owns)."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if sees_everything(user):
            return self
        if user.role == Role.STORE_MANAGER:
            if not user.store_id:
                return self.none()
            return self.filter(store_id=user.store_id).exclude(status=Status.DRAFT)
        if user.role in (Role.OPS_SPECIALIST, Role.REGIONAL_DIRECTOR):
            return self.filter(store__in=Store.objects.visible_to(user).values("pk"))
        if user.role in DEPARTMENT_ROLES and user.department_id:
            asked = ResourceRequest.objects.filter(
                inspection=OuterRef("pk"), department_id=user.department_id
            )
            routed = Finding.objects.filter(
                inspection=OuterRef("pk"), issue__department_id=user.department_id
            )
            return self.exclude(status=Status.DRAFT).filter(Exists(asked) | Exists(routed))
        return self.none()


class Inspection(models.Model):
    store = models.ForeignKey(
        Store, verbose_name=_("门店"), on_delete=models.PROTECT, related_name="inspections"
    )
    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("检查表"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("巡检人"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    inspected_on = models.DateField(_("巡检日期"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    summary = models.TextField(_("总体评价"), blank=True)
    score = models.DecimalField(
        _("得分"), max_digits=5, decimal_places=1, null=True, blank=True, db_index=True
    )
    acceptance_score = models.DecimalField(
        _("验收得分"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    reported_at = models.DateTimeField(_("报告出具时间"), null=True, blank=True)
    reported_on = models.DateField(_("报告日期"), null=True, blank=True)
    accepted_on = models.DateField(_("验收通过日期"), null=True, blank=True)
    closed_at = models.DateTimeField(_("闭环时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-inspected_on", "-pk"]
        verbose_name = _("巡检")
        verbose_name_plural = _("巡检")
        indexes = [
            models.Index(fields=["store", "-inspected_on"], name="inspection_store_latest"),
            # The list, newest first: its page is the first entries.
            models.Index(fields=["-inspected_on", "-id"], name="inspection_newest_first"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="inspection_score_0_100",
            )
        ]

    def __str__(self):
        return f"{self.store} {self.inspected_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("inspections:detail", args=[self.pk])


class InspectionEvent(models.Model):
    """History: one row per transition or recorded change (the workflow kit writes it)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="events")
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
    from_status = models.CharField(_("原状态"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Status.choices, blank=True)
    body = models.TextField(_("内容"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("巡检记录")
        verbose_name_plural = _("巡检记录")

    def __str__(self):
        return f"{self.inspection_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def get_action_label(self) -> str:
        if self.action == "start":
            return str(_("开始巡检"))
        try:
            return str(Action(self.action).label)
        except ValueError:
            return self.action


class ItemResult(models.Model):
    """The score (or pass/fail) of one checklist item in one inspection, and its rescore
    in the acceptance re-inspection when the item had failed."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("合格"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    rescore = models.DecimalField(
        _("复检得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    repassed = models.BooleanField(_("复检合格"), null=True, blank=True)

    class Meta:
        ordering = ["item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="one_result_per_item")
        ]

    def __str__(self):
        return f"{self.inspection_id} {self.item_id}"


def photo_path(instance, filename):
    return f"inspections/{instance.inspection_id}/{filename}"


class Photo(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    item = models.ForeignKey(
        ChecklistItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reinspection = models.BooleanField(_("复检照片"), default=False)
    file = models.FileField(_("文件"), upload_to=photo_path, max_length=255)
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=64)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("巡检照片")
        verbose_name_plural = _("巡检照片")

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("inspections:photo", args=[self.inspection_id, self.pk])

    @property
    def is_image(self):
        return self.content_type.startswith("image/")


class CoreMetric(models.Model):
    """A core metric of the inspection (核心指标): its baseline when inspected, the
    standard it should reach, and the reading at acceptance. Acceptance needs each one
    ≥ 20 % better than the baseline or at its standard.

    Readings are entered by the inspector. When the DMS store metrics exist (API.md
    "Store metrics", same ``metric`` codes), ``inspections.metrics`` is the one place
    that will read them instead."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="metrics")
    metric = models.CharField(_("指标代码"), max_length=40, blank=True)
    name = models.CharField(_("指标"), max_length=60)
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    direction = models.CharField(_("方向"), max_length=8, choices=Direction.choices)
    baseline = models.DecimalField(_("巡检时"), max_digits=12, decimal_places=2)
    standard = models.DecimalField(
        _("标准值"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    current = models.DecimalField(
        _("验收时"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    measured_on = models.DateField(_("验收读数日期"), null=True, blank=True)

    class Meta:
        ordering = ["inspection", "pk"]
        verbose_name = _("核心指标")
        verbose_name_plural = _("核心指标")

    def __str__(self):
        return self.name


class Finding(models.Model):
    """A problem found (发现的问题), which is also one row of the action plan
    (行动计划表: finding, owner, steps, due, acceptance criterion, resources, status)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    seq = models.PositiveIntegerField(_("序号"))
    text = models.TextField(_("问题"))
    priority = models.CharField(_("优先级"), max_length=8, choices=Priority.choices)
    item = models.ForeignKey(
        ChecklistItem,
        verbose_name=_("检查项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    metric = models.ForeignKey(
        CoreMetric,
        verbose_name=_("关联指标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=FindingStatus.choices, default=FindingStatus.NOT_STARTED
    )
    owner_name = models.CharField(_("负责人"), max_length=64, blank=True)
    steps = models.TextField(_("行动步骤"), blank=True)
    due_on = models.DateField(_("完成时间"), null=True, blank=True)
    acceptance_criterion = models.CharField(_("验收标准"), max_length=300, blank=True)
    resources = models.CharField(_("资源需求"), max_length=300, blank=True)
    solved_on = models.DateField(_("解决日期"), null=True, blank=True)
    issue = models.ForeignKey(
        "issues.Issue",
        verbose_name=_("转为问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspection_findings",
    )
    #: The rectification project this finding became (its REF-YYYY-NNN number). The
    #: rectification app is being built in parallel; this becomes a foreign key to its
    #: project once that model exists (a data migration can resolve the numbers).
    rectification_ref = models.CharField(
        _("整改项目编号"), max_length=20, null=True, blank=True, db_index=True
    )

    class Meta:
        ordering = ["inspection", "seq"]
        verbose_name = _("发现问题")
        verbose_name_plural = _("发现问题")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "seq"], name="finding_seq_once"),
            models.UniqueConstraint(
                fields=["issue"], condition=Q(issue__isnull=False), name="finding_issue_once"
            ),
        ]
        indexes = [models.Index(fields=["inspection", "status"], name="finding_status")]

    def __str__(self):
        return f"#{self.seq} {self.text[:40]}"


# --- follow-up ---------------------------------------------------------------------------


class FollowUpStep(models.Model):
    """One step of the follow-up plan with its due date (and the day it may start)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="follow_up")
    kind = models.CharField(_("步骤"), max_length=16, choices=StepKind.choices)
    seq = models.PositiveSmallIntegerField(_("顺序"))
    due_on = models.DateField(_("截止日期"), db_index=True)
    starts_on = models.DateField(_("最早日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("完成人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("记录"), blank=True)

    class Meta:
        ordering = ["inspection", "seq"]
        verbose_name = _("跟进步骤")
        verbose_name_plural = _("跟进步骤")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "kind"], name="follow_up_step_once")
        ]
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(done_on__isnull=True), name="follow_up_open_due"
            )
        ]

    def __str__(self):
        return f"{self.inspection_id} {self.kind} {self.due_on}"


class FollowUpAlert(models.Model):
    """A reminder that was sent: exactly one per missed step, whatever retries or
    overlapping sweeps do — the unique constraint decides."""

    step = models.ForeignKey(FollowUpStep, on_delete=models.CASCADE, related_name="alerts")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["step"], name="follow_up_alert_once")]

    def __str__(self):
        return f"{self.step_id} @ {self.created_at}"


class FollowUpLog(models.Model):
    """跟进日志: one weekly follow-up call (source 步骤2)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="logs")
    date = models.DateField(_("日期"))
    participants = models.CharField(_("参与人"), max_length=200)
    done = models.JSONField(_("已完成"), default=list, blank=True)
    in_progress = models.JSONField(_("进行中"), default=list, blank=True)
    not_started = models.JSONField(_("未开始"), default=list, blank=True)
    difficulties = models.JSONField(_("困难与支持"), default=list, blank=True)
    next_week = models.JSONField(_("下周计划"), default=list, blank=True)
    #: True when ``difficulties`` lists any: the store needs support (board: yellow).
    needs_support = models.BooleanField(_("需要支持"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        ordering = ["inspection", "date", "pk"]
        verbose_name = _("跟进日志")
        verbose_name_plural = _("跟进日志")

    def __str__(self):
        return f"{self.inspection_id} {self.date}"


class SpotCheck(models.Model):
    """抽查: remote in week 2, on site in week 4, over hardware, process, people, data."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="spot_checks")
    kind = models.CharField(_("方式"), max_length=8, choices=SpotCheckKind.choices)
    date = models.DateField(_("日期"))
    hardware = models.CharField(_("硬件设施"), max_length=8, choices=SpotResult.choices)
    process = models.CharField(_("流程执行"), max_length=8, choices=SpotResult.choices)
    people = models.CharField(_("人员能力"), max_length=8, choices=SpotResult.choices)
    data = models.CharField(_("数据变化"), max_length=8, choices=SpotResult.choices)
    note = models.TextField(_("记录"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["inspection", "date", "pk"]
        verbose_name = _("抽查")
        verbose_name_plural = _("抽查")

    def __str__(self):
        return f"{self.inspection_id} {self.kind} {self.date}"


class Reinspection(models.Model):
    """效果验收: the re-inspection in weeks 4–6 that rescores the failed items, with the
    acceptance rule's result at that moment."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="reinspections"
    )
    date = models.DateField(_("复检日期"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(_("验收得分"), max_digits=5, decimal_places=1)
    passed = models.BooleanField(_("验收通过"))
    result = models.JSONField(_("验收判定"), default=dict)
    note = models.TextField(_("亮点与不足"), blank=True)

    class Meta:
        ordering = ["inspection", "date", "pk"]
        verbose_name = _("验收复检")
        verbose_name_plural = _("验收复检")

    def __str__(self):
        return f"{self.inspection_id} {self.date}"


class ResourceRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_RESOURCE_STATUSES)


class ResourceRequest(models.Model):
    """资源协调: IT, training, budget or equipment a store needs to carry out its plan."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="resource_requests"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=ResourceKind.choices)
    what = models.CharField(_("需要什么"), max_length=200)
    department = models.ForeignKey(
        Department,
        verbose_name=_("协调部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_requests",
    )
    expected_on = models.DateField(_("预计到位"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ResourceStatus.choices, default=ResourceStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("申请时间"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ResourceRequestQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "created_at", "pk"]
        verbose_name = _("资源协调")
        verbose_name_plural = _("资源协调")
        indexes = [models.Index(fields=["inspection", "status"], name="resource_request_status")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.what}"


class Experience(models.Model):
    """经验沉淀 (source 步骤5): the case 问题-根因-方案-效果 and what became standard."""

    inspection = models.OneToOneField(
        Inspection, on_delete=models.CASCADE, related_name="experience"
    )
    title = models.CharField(_("案例标题"), max_length=200)
    problem = models.TextField(_("问题"))
    root_cause = models.TextField(_("根因"))
    solution = models.TextField(_("方案"))
    effect = models.TextField(_("效果"))
    standard_updated = models.BooleanField(_("已纳入标准流程"), default=False)
    replicability = models.PositiveSmallIntegerField(
        _("可复制性"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    captured_on = models.DateField(_("沉淀日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("经验沉淀")
        verbose_name_plural = _("经验沉淀")

    def __str__(self):
        return self.title


class ClosureCheck(models.Model):
    """The closure conditions that are confirmed by people rather than computed
    (source 六): one necessary (new working habits) and the four sufficient ones."""

    inspection = models.OneToOneField(
        Inspection, on_delete=models.CASCADE, related_name="closure_check"
    )
    new_habits = models.BooleanField(_("改进措施已形成新的工作习惯"), default=False)
    store_shares = models.BooleanField(_("门店主动分享改进经验"), default=False)
    others_learn = models.BooleanField(_("其他门店主动学习该门店做法"), default=False)
    in_standard = models.BooleanField(_("改进措施被纳入标准流程"), default=False)
    sustained = models.BooleanField(_("门店在下一次巡检中保持改进成果"), default=False)
    note = models.TextField(_("说明"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("闭环确认")
        verbose_name_plural = _("闭环确认")

    def __str__(self):
        return str(self.inspection_id)
