"""Rectification API serializers (API.md "Rectification": the names there are the contract).

Output serializers read a queryset prepared by the viewset (related rows joined or
prefetched) and never query per row. Input serializers check types, shapes and lengths
only; every rule — required fields, date order, deadlines, whose goal a reading is —
lives in ``rectification.services``, which names the bad field by its path in the body
(``goals[0].target``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.reverse import reverse

from closedloop.org.choices import StoreTier
from issues.choices import Category

from .. import rules
from ..choices import (
    AcceptanceKind,
    Action,
    Assessment,
    ClosureVerdict,
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
    RubricBand,
    SignRole,
    Status,
    StepState,
    Sustainability,
    TrackingMethod,
)
from ..models import (
    Acceptance,
    AcceptanceGoal,
    Case,
    Difficulty,
    Goal,
    InProgressItem,
    Measure,
    Project,
    ProjectEvent,
    Reading,
    Recheck,
    RecheckReading,
    SignOff,
    Solution,
    TrackingLog,
    Why,
)

DECIMAL = {"max_digits": 12, "decimal_places": 2, "coerce_to_string": False}

# --- output -----------------------------------------------------------------------------


class PlanSerializer(serializers.Serializer):
    start_on = serializers.DateField(allow_null=True, help_text=_("启动日期"))
    execution_from = serializers.DateField(allow_null=True, help_text=_("执行期开始"))
    execution_to = serializers.DateField(allow_null=True, help_text=_("执行期结束"))
    acceptance_on = serializers.DateField(allow_null=True, help_text=_("验收日期"))
    observation_from = serializers.DateField(allow_null=True, help_text=_("观察期开始"))
    observation_to = serializers.DateField(allow_null=True, help_text=_("观察期结束"))
    closure_on = serializers.DateField(allow_null=True, help_text=_("闭环日期"))


class TrackingPlanSerializer(serializers.Serializer):
    execution_every_days = serializers.IntegerField(help_text=_("执行期跟踪间隔（天）"))
    observation_every_days = serializers.IntegerField(help_text=_("观察期跟踪间隔（天）"))
    methods = serializers.ListField(
        child=serializers.ChoiceField(choices=TrackingMethod.choices), source="tracking_methods"
    )


class CriteriaSerializer(serializers.Serializer):
    quantitative = serializers.ListField(
        child=serializers.CharField(), source="criteria_quantitative", help_text=_("定量标准")
    )
    qualitative = serializers.ListField(
        child=serializers.CharField(), source="criteria_qualitative", help_text=_("定性标准")
    )


class WhySerializer(serializers.ModelSerializer):
    why = serializers.CharField(source="question", read_only=True)
    because = serializers.CharField(source="answer", read_only=True)
    photo = serializers.SerializerMethodField(help_text=_("依据照片地址（需登录）"))

    class Meta:
        model = Why
        fields = ["id", "why", "because", "evidence", "photo"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_photo(self, obj) -> str | None:
        if not obj.photo:
            return None
        request = self.context.get("request")
        path = reverse("rectification:why_photo", args=[obj.project.number, obj.pk])
        return request.build_absolute_uri(path) if request else path


class GoalSerializer(serializers.ModelSerializer):
    baseline = serializers.DecimalField(**DECIMAL, allow_null=True, read_only=True)
    target = serializers.DecimalField(**DECIMAL, read_only=True)
    direction = serializers.ChoiceField(choices=Direction.choices, read_only=True)
    method = serializers.ChoiceField(choices=GoalMethod.choices, read_only=True)
    current = serializers.SerializerMethodField(help_text=_("最近一次跟踪记录的当前值"))

    class Meta:
        model = Goal
        fields = [
            "id",
            "name",
            "unit",
            "baseline",
            "target",
            "direction",
            "method",
            "core",
            "current",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_current(self, obj) -> float | None:
        latest = self.context.get("latest_readings", {}).get(obj.pk)
        return float(latest) if latest is not None else None


class MeasureSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=MeasureKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=MeasureStatus.choices, read_only=True)
    owner = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text=_("责任人用户名")
    )
    owner_name = serializers.CharField(
        source="owner_label", read_only=True, help_text=_("责任人（姓名或用户）")
    )
    overdue = serializers.SerializerMethodField(help_text=_("未完成且已过完成期限"))

    class Meta:
        model = Measure
        fields = [
            "id",
            "text",
            "kind",
            "owner",
            "owner_name",
            "start_on",
            "deadline",
            "status",
            "progress",
            "done_on",
            "overdue",
        ]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return rules.measure_late(obj.status, obj.deadline, self.context["today"])


class SignOffSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=SignRole.choices, read_only=True)
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    name = serializers.CharField(source="user.__str__", read_only=True)

    class Meta:
        model = SignOff
        fields = ["role", "user", "name", "at"]
        read_only_fields = fields


class InProgressItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InProgressItem
        fields = ["text", "progress", "expected_on"]
        read_only_fields = fields


class DifficultySerializer(serializers.ModelSerializer):
    impact = serializers.ChoiceField(choices=Impact.choices, read_only=True)

    class Meta:
        model = Difficulty
        fields = ["text", "impact", "support"]
        read_only_fields = fields


class SolutionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Solution
        fields = ["text", "owner_name", "deadline"]
        read_only_fields = fields


class ReadingSerializer(serializers.ModelSerializer):
    goal = serializers.IntegerField(source="goal_id", read_only=True, help_text=_("目标 id"))
    value = serializers.DecimalField(**DECIMAL, read_only=True)

    class Meta:
        model = Reading
        fields = ["goal", "value"]
        read_only_fields = fields


class TrackingLogSerializer(serializers.ModelSerializer):
    method = serializers.ChoiceField(choices=TrackingMethod.choices, read_only=True)
    assessment = serializers.ChoiceField(choices=Assessment.choices, read_only=True)
    done = serializers.ListField(child=serializers.CharField(), read_only=True)
    in_progress = InProgressItemSerializer(many=True, read_only=True)
    difficulties = DifficultySerializer(many=True, read_only=True)
    solutions = SolutionSerializer(many=True, read_only=True)
    readings = ReadingSerializer(many=True, read_only=True)
    recorder = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = TrackingLog
        fields = [
            "id",
            "date",
            "day",
            "method",
            "progress",
            "assessment",
            "done",
            "in_progress",
            "difficulties",
            "solutions",
            "readings",
            "next_on",
            "focus",
            "recorder",
            "recorded_at",
        ]
        read_only_fields = fields


class TrackingLogReplySerializer(TrackingLogSerializer):
    """A new tracking record, with what it changed on the project."""

    health = serializers.ChoiceField(
        choices=Health.choices, source="project.health", read_only=True
    )
    next_tracking_on = serializers.DateField(
        source="project.next_tracking_on", read_only=True, allow_null=True
    )

    class Meta(TrackingLogSerializer.Meta):
        fields = [*TrackingLogSerializer.Meta.fields, "health", "next_tracking_on"]
        read_only_fields = fields


SCORE = {"max_digits": 4, "decimal_places": 1, "coerce_to_string": False}


class AcceptanceGoalSerializer(serializers.ModelSerializer):
    goal = serializers.IntegerField(source="goal_id", read_only=True, help_text=_("目标 id"))
    name = serializers.CharField(source="goal.name", read_only=True)
    target = serializers.DecimalField(source="goal.target", **DECIMAL, read_only=True)
    actual = serializers.DecimalField(**DECIMAL, read_only=True)
    achievement_rate = serializers.FloatField(
        read_only=True, help_text=_("达成率（小数，0.94 即 94%）")
    )
    band = serializers.ChoiceField(choices=GoalBand.choices, read_only=True)
    band_display = serializers.CharField(source="get_band_display", read_only=True)
    points = serializers.DecimalField(**SCORE, read_only=True, help_text=_("该目标的分值"))
    score = serializers.DecimalField(**SCORE, read_only=True)

    class Meta:
        model = AcceptanceGoal
        fields = [
            "goal",
            "name",
            "target",
            "actual",
            "achievement_rate",
            "band",
            "band_display",
            "points",
            "score",
        ]
        read_only_fields = fields


class ProcessScoresSerializer(serializers.Serializer):
    documents = serializers.DecimalField(**SCORE)
    mastery = serializers.DecimalField(**SCORE)
    execution = serializers.DecimalField(**SCORE)


class SatisfactionReplySerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)
    score = serializers.DecimalField(**SCORE)
    band = serializers.ChoiceField(choices=RubricBand.choices)


class InterviewsReplySerializer(serializers.Serializer):
    positive = serializers.IntegerField()
    neutral = serializers.IntegerField()
    negative = serializers.IntegerField()
    score = serializers.DecimalField(**SCORE)
    band = serializers.ChoiceField(choices=RubricBand.choices)


class AcceptanceSerializer(serializers.ModelSerializer):
    """整改验收评分表 as recorded, with its computed figures."""

    kind = serializers.ChoiceField(choices=AcceptanceKind.choices, read_only=True)
    process = serializers.SerializerMethodField()
    goals = AcceptanceGoalSerializer(many=True, read_only=True)
    satisfaction = serializers.SerializerMethodField()
    interviews = serializers.SerializerMethodField()
    sustainability = serializers.DecimalField(
        source="sustainability_score", **SCORE, read_only=True
    )
    total = serializers.DecimalField(**SCORE, read_only=True)
    rating = serializers.ChoiceField(choices=Rating.choices, read_only=True)
    rating_display = serializers.CharField(source="get_rating_display", read_only=True)
    suggested_conclusion = serializers.ChoiceField(choices=Conclusion.choices, read_only=True)
    conclusion = serializers.ChoiceField(choices=Conclusion.choices, read_only=True)
    suggestions = serializers.ListField(child=serializers.CharField(), read_only=True)
    status = serializers.ChoiceField(
        source="to_status", choices=Status.choices, read_only=True, help_text=_("验收后项目状态")
    )
    assessor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    store_manager = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Acceptance
        fields = [
            "id",
            "kind",
            "date",
            "process",
            "goals",
            "satisfaction",
            "interviews",
            "sustainability",
            "total",
            "rating",
            "rating_display",
            "suggested_conclusion",
            "conclusion",
            "override_reason",
            "suggestions",
            "status",
            "assessor",
            "assessor_signed_at",
            "store_manager",
            "store_manager_signed_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ProcessScoresSerializer)
    def get_process(self, obj) -> dict:
        return {
            "documents": float(obj.documents),
            "mastery": float(obj.mastery),
            "execution": float(obj.execution),
        }

    @extend_schema_field(SatisfactionReplySerializer)
    def get_satisfaction(self, obj) -> dict:
        from ..scoring import satisfaction_band

        return {
            "value": float(obj.satisfaction_value),
            "score": float(obj.satisfaction_score),
            "band": satisfaction_band(obj.satisfaction_value).code,
        }

    @extend_schema_field(InterviewsReplySerializer)
    def get_interviews(self, obj) -> dict:
        from ..scoring import interview_band

        band = interview_band(
            obj.interviews_positive, obj.interviews_neutral, obj.interviews_negative
        )
        return {
            "positive": obj.interviews_positive,
            "neutral": obj.interviews_neutral,
            "negative": obj.interviews_negative,
            "score": float(obj.interviews_score),
            "band": band.code if band else None,
        }


class RecheckReadingSerializer(serializers.ModelSerializer):
    goal = serializers.IntegerField(source="goal_id", read_only=True, help_text=_("目标 id"))
    value = serializers.DecimalField(**DECIMAL, read_only=True)

    class Meta:
        model = RecheckReading
        fields = ["goal", "value"]
        read_only_fields = fields


class RecheckSerializer(serializers.ModelSerializer):
    method = serializers.ChoiceField(choices=TrackingMethod.choices, read_only=True)
    readings = RecheckReadingSerializer(many=True, read_only=True)
    recorder = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Recheck
        fields = ["id", "date", "method", "readings", "findings", "recorder", "recorded_at"]
        read_only_fields = fields


class SustainabilityGoalSerializer(serializers.Serializer):
    goal = serializers.IntegerField()
    name = serializers.CharField()
    mean = serializers.FloatField()
    min = serializers.FloatField()
    max = serializers.FloatField()
    readings = serializers.IntegerField(help_text=_("复查次数"))
    within = serializers.IntegerField(help_text=_("在目标 5% 以内（或更好）的次数"))
    verdict = serializers.ChoiceField(choices=Sustainability.choices)


class SustainabilitySerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Sustainability.choices)
    goals = SustainabilityGoalSerializer(many=True)


class RecheckReplySerializer(RecheckSerializer):
    """A new recheck, with the project's sustainability and rebound flag after it."""

    sustainability = serializers.SerializerMethodField()
    rebound = serializers.BooleanField(source="project.rebound", read_only=True)
    next_recheck_on = serializers.DateField(
        source="project.next_recheck_on", read_only=True, allow_null=True
    )

    class Meta(RecheckSerializer.Meta):
        fields = [*RecheckSerializer.Meta.fields, "sustainability", "rebound", "next_recheck_on"]
        read_only_fields = fields

    @extend_schema_field(SustainabilitySerializer(allow_null=True))
    def get_sustainability(self, obj) -> dict | None:
        from ..selectors import project_sustainability

        return project_sustainability(obj.project)


class ProjectEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    from_status = serializers.CharField(read_only=True, help_text=_("原状态代码，同 status"))
    to_status = serializers.CharField(read_only=True, help_text=_("新状态代码，同 status"))

    class Meta:
        model = ProjectEvent
        fields = ["action", "actor", "at", "from_status", "to_status", "body", "data"]
        read_only_fields = fields


class ProjectSerializer(serializers.ModelSerializer):
    """A project as listed."""

    store = serializers.SlugRelatedField(slug_field="code", read_only=True)
    store_name = serializers.CharField(source="store.name", read_only=True)
    store_tier = serializers.ChoiceField(
        source="store.tier", choices=StoreTier.choices, read_only=True
    )
    region = serializers.CharField(source="store.region.code", read_only=True)
    issue = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True, help_text=_("来源问题编号")
    )
    level = serializers.ChoiceField(choices=Level.choices, read_only=True)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    health = serializers.ChoiceField(choices=Health.choices, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    health_display = serializers.CharField(source="get_health_display", read_only=True)
    ops_specialist = serializers.SlugRelatedField(slug_field="username", read_only=True)
    regional_director = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    plan = serializers.SerializerMethodField()
    tracking_overdue = serializers.SerializerMethodField(
        help_text=_("执行中且下次跟踪日期已过而未跟踪")
    )
    url = serializers.HyperlinkedIdentityField(
        view_name="api:rectification-detail", lookup_field="number", read_only=True
    )

    class Meta:
        model = Project
        fields = [
            "number",
            "store",
            "store_name",
            "store_tier",
            "region",
            "issue",
            "title",
            "level",
            "status",
            "status_display",
            "health",
            "health_display",
            "progress",
            "ops_specialist",
            "regional_director",
            "plan",
            "last_tracked_on",
            "next_tracking_on",
            "tracking_overdue",
            "created_at",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(PlanSerializer)
    def get_plan(self, obj) -> dict:
        return PlanSerializer(obj).data

    def get_tracking_overdue(self, obj) -> bool:
        return rules.tracking_late(obj.status, obj.next_tracking_on, self.context["today"])


class ProjectDetailSerializer(ProjectSerializer):
    """One project with goals, measures, 5-Why, plan, sign-offs, health and history."""

    symptoms = serializers.SlugRelatedField(slug_field="text", many=True, read_only=True)
    whys = WhySerializer(many=True, read_only=True)
    root_causes = serializers.SlugRelatedField(slug_field="text", many=True, read_only=True)
    goals = GoalSerializer(many=True, read_only=True)
    measures = MeasureSerializer(many=True, read_only=True)
    tracking = serializers.SerializerMethodField()
    criteria = serializers.SerializerMethodField()
    signoffs = SignOffSerializer(many=True, read_only=True)
    health_reasons = serializers.SerializerMethodField(help_text=_("健康度说明"))
    sustainability = serializers.SerializerMethodField(
        help_text=_("观察期效果持续性（观察期复查后给出），尚无复查时为 null")
    )
    tracking_logs = TrackingLogSerializer(many=True, read_only=True)
    acceptances = AcceptanceSerializer(many=True, read_only=True)
    rechecks = RecheckSerializer(many=True, read_only=True)
    rebound = serializers.BooleanField(read_only=True, help_text=_("观察期反弹"))
    history = ProjectEventSerializer(source="events", many=True, read_only=True)
    available_actions = serializers.SerializerMethodField(help_text=_("当前用户现在可执行的操作"))

    class Meta(ProjectSerializer.Meta):
        fields = [
            *ProjectSerializer.Meta.fields,
            "problem",
            "found_on",
            "containment",
            "symptoms",
            "whys",
            "root_causes",
            "goals",
            "measures",
            "tracking",
            "criteria",
            "signoffs",
            "health_reasons",
            "sustainability",
            "kicked_off_at",
            "started_on",
            "submitted_at",
            "cancel_reason",
            "tracking_logs",
            "observation_started_at",
            "next_recheck_on",
            "acceptances",
            "rechecks",
            "rebound",
            "rebound_at",
            "rebound_note",
            "history",
            "available_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(TrackingPlanSerializer)
    def get_tracking(self, obj) -> dict:
        return TrackingPlanSerializer(obj).data

    @extend_schema_field(CriteriaSerializer)
    def get_criteria(self, obj) -> dict:
        return CriteriaSerializer(obj).data

    def get_health_reasons(self, obj) -> list[str]:
        return [rules.reason_text(reason) for reason in obj.health_reasons]

    @extend_schema_field(SustainabilitySerializer(allow_null=True))
    def get_sustainability(self, obj) -> dict | None:
        from ..selectors import project_sustainability

        return project_sustainability(obj)

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=Action.choices))
    )
    def get_available_actions(self, obj) -> list[str]:
        return self.context.get("available_actions", [])


# --- input ------------------------------------------------------------------------------


class WhyInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text=_("已有的 Why（保留照片）")
    )
    why = serializers.CharField(max_length=300, required=False, allow_blank=True)
    because = serializers.CharField(max_length=300, required=False, allow_blank=True)
    evidence = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class GoalInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True)
    baseline = serializers.DecimalField(**DECIMAL, required=False, allow_null=True)
    target = serializers.DecimalField(**DECIMAL, required=False, allow_null=True)
    direction = serializers.ChoiceField(
        choices=Direction.choices, required=False, allow_null=True, allow_blank=True
    )
    method = serializers.ChoiceField(choices=GoalMethod.choices, required=False)
    core = serializers.BooleanField(
        required=False, help_text=_("核心目标（默认 true）；false 为监测指标")
    )


class MeasureInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text=_("修改已有措施时填写")
    )
    text = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    kind = serializers.ChoiceField(
        choices=MeasureKind.choices, required=False, allow_null=True, allow_blank=True
    )
    owner = serializers.CharField(
        max_length=150, required=False, allow_null=True, allow_blank=True, help_text=_("用户名")
    )
    owner_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    start_on = serializers.DateField(required=False, allow_null=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=MeasureStatus.choices, required=False)
    progress = serializers.IntegerField(required=False, min_value=0, max_value=100)


class PlanInputSerializer(serializers.Serializer):
    start_on = serializers.DateField(required=False, allow_null=True)
    execution_from = serializers.DateField(required=False, allow_null=True)
    execution_to = serializers.DateField(required=False, allow_null=True)
    acceptance_on = serializers.DateField(required=False, allow_null=True)
    observation_from = serializers.DateField(required=False, allow_null=True)
    observation_to = serializers.DateField(required=False, allow_null=True)
    closure_on = serializers.DateField(required=False, allow_null=True)


class TrackingInputSerializer(serializers.Serializer):
    execution_every_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=90
    )
    observation_every_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=90
    )
    methods = serializers.ListField(
        child=serializers.ChoiceField(choices=TrackingMethod.choices), required=False
    )


class CriteriaInputSerializer(serializers.Serializer):
    quantitative = serializers.ListField(
        child=serializers.CharField(max_length=500, allow_blank=True), required=False
    )
    qualitative = serializers.ListField(
        child=serializers.CharField(max_length=500, allow_blank=True), required=False
    )


def _texts(max_length=2000):
    return serializers.ListField(
        child=serializers.CharField(max_length=max_length, allow_blank=True),
        required=False,
        max_length=30,
    )


class ProjectWriteSerializer(serializers.Serializer):
    """The kick-off (启动表). On create, ``store`` (or ``issue``, whose store it takes),
    ``title``, ``problem``, ``found_on``, ``level`` and the plan's ``start_on``,
    ``execution_from``, ``execution_to`` are required (from an issue, the issue fills
    what is missing); an omitted ``tracking`` takes the level's defaults."""

    store = serializers.CharField(max_length=32, required=False, help_text=_("门店编码"))
    issue = serializers.CharField(
        max_length=20, required=False, allow_null=True, allow_blank=True, help_text=_("问题编号")
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    problem = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    found_on = serializers.DateField(required=False, allow_null=True)
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    containment = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    ops_specialist = serializers.CharField(
        max_length=150, required=False, allow_null=True, help_text=_("运营专家用户名")
    )
    regional_director = serializers.CharField(
        max_length=150, required=False, allow_null=True, help_text=_("区域总监用户名")
    )
    symptoms = _texts()
    whys = WhyInputSerializer(many=True, required=False, max_length=30)
    root_causes = _texts()
    goals = GoalInputSerializer(many=True, required=False, max_length=30)
    measures = MeasureInputSerializer(many=True, required=False, max_length=30)
    plan = PlanInputSerializer(required=False)
    tracking = TrackingInputSerializer(required=False)
    criteria = CriteriaInputSerializer(required=False)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class InProgressInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=300, required=False, allow_blank=True)
    progress = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100)
    expected_on = serializers.DateField(required=False, allow_null=True)


class DifficultyInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=300, required=False, allow_blank=True)
    impact = serializers.ChoiceField(
        choices=Impact.choices, required=False, allow_null=True, allow_blank=True
    )
    support = serializers.CharField(max_length=300, required=False, allow_blank=True)


class SolutionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=300, required=False, allow_blank=True)
    owner_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    deadline = serializers.DateField(required=False, allow_null=True)


class ReadingInputSerializer(serializers.Serializer):
    class Meta:
        # The schema component's name: inspections has a ReadingInput of its own.
        ref_name = "TrackingReadingInput"

    goal = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text=_("目标 id"))
    value = serializers.DecimalField(**DECIMAL, allow_null=True)


class TrackingLogInputSerializer(serializers.Serializer):
    """整改跟踪记录. ``progress`` 0–100; ``date`` defaults to today, ``next_on`` to one
    cadence interval after ``date``; ``readings`` name the project's goals by id."""

    date = serializers.DateField(required=False, allow_null=True)
    method = serializers.ChoiceField(choices=TrackingMethod.choices, required=False)
    progress = serializers.IntegerField(required=False, allow_null=True)
    assessment = serializers.ChoiceField(choices=Assessment.choices, required=False)
    done = _texts(300)
    in_progress = InProgressInputSerializer(many=True, required=False, max_length=30)
    difficulties = DifficultyInputSerializer(many=True, required=False, max_length=30)
    solutions = SolutionInputSerializer(many=True, required=False, max_length=30)
    readings = ReadingInputSerializer(many=True, required=False, max_length=30)
    next_on = serializers.DateField(required=False, allow_null=True)
    focus = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    def validate_progress(self, value):
        # Range is the service's rule (one message for the page and the API); only keep
        # integers the database could never hold from reaching it.
        if value is not None and not -(2**31) < value < 2**31:
            raise serializers.ValidationError(_("当前进度应在 0–100 之间。"))
        return value


# --- acceptance and recheck input ----------------------------------------------------------

#: Scores and values as loose numbers: the ranges are the bands' (the service names the
#: band and its allowed range); only types are checked here.
_NUM = {"max_digits": 14, "decimal_places": 4, "required": False, "allow_null": True}


class ProcessInputSerializer(serializers.Serializer):
    documents = serializers.DecimalField(**_NUM)
    mastery = serializers.DecimalField(**_NUM)
    execution = serializers.DecimalField(**_NUM)


class AcceptanceGoalInputSerializer(serializers.Serializer):
    goal = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text=_("目标 id"))
    actual = serializers.DecimalField(**_NUM)
    score = serializers.DecimalField(**_NUM)


class SatisfactionInputSerializer(serializers.Serializer):
    value = serializers.DecimalField(**_NUM)
    score = serializers.DecimalField(**_NUM)


class InterviewsInputSerializer(serializers.Serializer):
    positive = serializers.IntegerField(required=False, allow_null=True)
    neutral = serializers.IntegerField(required=False, allow_null=True)
    negative = serializers.IntegerField(required=False, allow_null=True)
    total = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("访谈人数（可选，须等于三类之和）")
    )
    score = serializers.DecimalField(**_NUM)

    def validate(self, attrs):
        for key in ("positive", "neutral", "negative", "total"):
            value = attrs.get(key)
            if value is not None and not -(2**31) < value < 2**31:
                raise serializers.ValidationError({key: _("人数超出范围。")})
        return attrs


class AcceptanceInputSerializer(serializers.Serializer):
    """整改验收评分表. ``conclusion`` defaults to the suggested one; another needs
    ``override_reason``. Each score must lie in its band (400 naming the field)."""

    kind = serializers.ChoiceField(choices=AcceptanceKind.choices)
    date = serializers.DateField(required=False, allow_null=True)
    process = ProcessInputSerializer()
    goals = AcceptanceGoalInputSerializer(many=True, max_length=30)
    satisfaction = SatisfactionInputSerializer()
    interviews = InterviewsInputSerializer()
    sustainability = serializers.DecimalField(**_NUM)
    conclusion = serializers.ChoiceField(
        choices=Conclusion.choices, required=False, allow_blank=True
    )
    override_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    suggestions = _texts(500)


class RecheckReadingInputSerializer(serializers.Serializer):
    goal = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text=_("目标 id"))
    value = serializers.DecimalField(**DECIMAL, allow_null=True)


class RecheckInputSerializer(serializers.Serializer):
    """观察期复查: ``date`` defaults to today; ``readings`` name the project's goals."""

    date = serializers.DateField(required=False, allow_null=True)
    method = serializers.ChoiceField(choices=TrackingMethod.choices, required=False)
    readings = RecheckReadingInputSerializer(many=True, required=False, max_length=30)
    findings = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class CaseSerializer(serializers.ModelSerializer):
    """A case of the library (案例库)."""

    category = serializers.ChoiceField(choices=Category.choices, read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    store_tier = serializers.ChoiceField(choices=StoreTier.choices, read_only=True)
    project = serializers.CharField(source="project.number", read_only=True)
    store = serializers.CharField(source="project.store.code", read_only=True)
    store_name = serializers.CharField(source="project.store.name", read_only=True)
    change_percent = serializers.DecimalField(
        max_digits=12,
        decimal_places=1,
        read_only=True,
        allow_null=True,
        help_text=_("效果变化（%，相对整改前）"),
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "title",
            "category",
            "category_display",
            "store_tier",
            "project",
            "store",
            "store_name",
            "problem",
            "root_cause",
            "solution",
            "cost",
            "cost_note",
            "duration_days",
            "metric",
            "unit",
            "before",
            "after",
            "change_percent",
            "roi",
            "roi_note",
            "replicability",
            "recommended_scope",
            "created_at",
            "updated_at",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


# --- the closure checklist (闭环确认检查表) ------------------------------------------------


@extend_schema_serializer(component_name="RectificationClosureItem")
class ClosureItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    done = serializers.BooleanField()
    value = serializers.CharField(allow_blank=True)
    auto = serializers.BooleanField(help_text=_("由系统根据数据填写（只读）"))
    value_label = serializers.CharField(allow_blank=True)


@extend_schema_serializer(component_name="RectificationClosureStep")
class ClosureStepSerializer(serializers.Serializer):
    step = serializers.IntegerField(min_value=1, max_value=7)
    title = serializers.CharField()
    state = serializers.ChoiceField(choices=StepState.choices)
    items = ClosureItemSerializer(many=True)


@extend_schema_serializer(component_name="RectificationClosure")
class ClosureSerializer(serializers.Serializer):
    """The seven-step checklist with each step's state, the verdict and the level."""

    steps = ClosureStepSerializer(many=True)
    completed_steps = serializers.IntegerField(min_value=0, max_value=7)
    verdict = serializers.ChoiceField(choices=ClosureVerdict.choices)
    verdict_display = serializers.CharField()
    level = serializers.IntegerField(
        help_text=_("闭环程度：80 验收通过 … 100 机制优化；未到 80 为 0")
    )
    note = serializers.CharField(allow_blank=True)


@extend_schema_serializer(component_name="RectificationClosureItemInput")
class ClosureItemInputSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=40)
    done = serializers.BooleanField(required=False)
    value = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=300)


@extend_schema_serializer(component_name="RectificationClosureStepInput")
class ClosureStepInputSerializer(serializers.Serializer):
    step = serializers.IntegerField(min_value=1, max_value=7)
    items = ClosureItemInputSerializer(many=True)


@extend_schema_serializer(component_name="RectificationClosureInput")
class ClosureInputSerializer(serializers.Serializer):
    """Only the items sent change."""

    steps = ClosureStepInputSerializer(many=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
