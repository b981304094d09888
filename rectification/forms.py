"""Forms of the project pages. They only shape input into the dict the services take (the
same shape as the API body); every rule lives in ``services`` and ``policy``, whose
refusals come back keyed by the body's paths and are put on the matching field here."""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from closedloop.org.choices import Role, StoreTier
from closedloop.org.models import Region, Store, User
from issues.choices import Category

from .choices import (
    MAX_STARS,
    MIN_STARS,
    Assessment,
    Direction,
    GoalMethod,
    Health,
    Impact,
    Level,
    MeasureKind,
    MeasureStatus,
    Status,
    TrackingMethod,
)
from .filtersets import CaseFilterSet, ProjectFilterSet
from .services import PLAN_FIELDS

DATE = {"type": "date"}

EXECUTION_CADENCE = [
    ("", _("按级别默认")),
    (1, _("每天")),
    (2, _("每2天")),
    (3, _("每3天")),
]
OBSERVATION_CADENCE = [
    ("", _("按级别默认")),
    (7, _("每周")),
    (14, _("每2周")),
    (30, _("每月")),
]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _date_input():
    return forms.DateInput(attrs=DATE, format="%Y-%m-%d")


class ProjectForm(forms.Form):
    """整改项目启动表: the scalar fields, the lists (one item a line), plan and tracking."""

    issue = forms.CharField(widget=forms.HiddenInput, required=False)
    store = forms.ModelChoiceField(
        label=_("门店名称"),
        queryset=Store.objects.none(),
        empty_label=_("请选择门店"),
        required=False,
    )
    title = forms.CharField(label=_("项目名称"), max_length=200, required=False)
    problem = forms.CharField(
        label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    found_on = forms.DateField(label=_("发现日期"), widget=_date_input(), required=False)
    level = forms.ChoiceField(
        label=_("问题级别"), choices=Level.choices, widget=forms.RadioSelect, required=False
    )
    ops_specialist = forms.ModelChoiceField(
        label=_("运营专家"), queryset=User.objects.none(), required=False
    )
    regional_director = forms.ModelChoiceField(
        label=_("区域总监"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("由区域总监签字时确定"),
    )
    symptoms = forms.CharField(
        label=_("问题表现"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一条。"),
    )
    containment = forms.CharField(
        label=_("临时措施"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    root_causes = forms.CharField(
        label=_("根本原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一条。"),
    )
    start_on = forms.DateField(label=_("启动日期"), widget=_date_input(), required=False)
    execution_from = forms.DateField(label=_("执行期开始"), widget=_date_input(), required=False)
    execution_to = forms.DateField(label=_("执行期结束"), widget=_date_input(), required=False)
    acceptance_on = forms.DateField(label=_("验收日期"), widget=_date_input(), required=False)
    observation_from = forms.DateField(label=_("观察期开始"), widget=_date_input(), required=False)
    observation_to = forms.DateField(label=_("观察期结束"), widget=_date_input(), required=False)
    closure_on = forms.DateField(label=_("闭环日期"), widget=_date_input(), required=False)
    execution_every_days = forms.TypedChoiceField(
        label=_("执行期跟踪频率"),
        choices=EXECUTION_CADENCE,
        coerce=int,
        empty_value=None,
        required=False,
    )
    observation_every_days = forms.TypedChoiceField(
        label=_("观察期跟踪频率"),
        choices=OBSERVATION_CADENCE,
        coerce=int,
        empty_value=None,
        required=False,
    )
    tracking_methods = forms.MultipleChoiceField(
        label=_("跟踪方式"),
        choices=TrackingMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    criteria_quantitative = forms.CharField(
        label=_("定量标准"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一条，如：客户平均等待时间 ≤ 30 分钟"),
    )
    criteria_qualitative = forms.CharField(
        label=_("定性标准"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一条。"),
    )

    def __init__(self, *args, user, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["store"].queryset = (
            Store.objects.visible_to(user).filter(active=True).select_related("region")
        )
        self.fields["store"].label_from_instance = lambda s: f"{s.code} {s.name}"
        self.fields["ops_specialist"].queryset = User.objects.filter(
            role=Role.OPS_SPECIALIST, is_active=True
        )
        self.fields["regional_director"].queryset = User.objects.filter(
            role=Role.REGIONAL_DIRECTOR, is_active=True
        )
        if project is not None:
            # The store and the source issue of an existing project stay as they are.
            del self.fields["store"]
            del self.fields["issue"]

    #: Error paths of the services -> this form's fields.
    PATHS = {
        **{f"plan.{key}": key for key in PLAN_FIELDS},
        "tracking.execution_every_days": "execution_every_days",
        "tracking.observation_every_days": "observation_every_days",
        "tracking.methods": "tracking_methods",
        "criteria.quantitative": "criteria_quantitative",
        "criteria.qualitative": "criteria_qualitative",
    }

    def field_for(self, path: str) -> str | None:
        base = re.sub(r"\[\d+\]$", "", path)
        base = self.PATHS.get(base, base)
        return base if base in self.fields else None

    def to_data(self) -> dict:
        d = self.cleaned_data
        data = {
            key: d.get(key)
            for key in (
                "title",
                "problem",
                "found_on",
                "level",
                "containment",
                "ops_specialist",
                "regional_director",
            )
        }
        if "store" in self.fields:
            data["store"] = d.get("store")
            data["issue"] = d.get("issue") or None
        data["symptoms"] = _lines(d.get("symptoms"))
        data["root_causes"] = _lines(d.get("root_causes"))
        data["plan"] = {key: d.get(key) for key in PLAN_FIELDS}
        data["tracking"] = {
            "execution_every_days": d.get("execution_every_days"),
            "observation_every_days": d.get("observation_every_days"),
            "methods": d.get("tracking_methods") or [],
        }
        data["criteria"] = {
            "quantitative": _lines(d.get("criteria_quantitative")),
            "qualitative": _lines(d.get("criteria_qualitative")),
        }
        return data

    @staticmethod
    def initial_for(project) -> dict:
        initial = {
            "title": project.title,
            "problem": project.problem,
            "found_on": project.found_on,
            "level": project.level,
            "containment": project.containment,
            "ops_specialist": project.ops_specialist_id,
            "regional_director": project.regional_director_id,
            "symptoms": "\n".join(s.text for s in project.symptoms.all()),
            "root_causes": "\n".join(r.text for r in project.root_causes.all()),
            "execution_every_days": project.execution_every_days,
            "observation_every_days": project.observation_every_days,
            "tracking_methods": list(project.tracking_methods),
            "criteria_quantitative": "\n".join(project.criteria_quantitative),
            "criteria_qualitative": "\n".join(project.criteria_qualitative),
        }
        initial.update({key: getattr(project, key) for key in PLAN_FIELDS})
        return initial


class WhyForm(forms.Form):
    CONTENT = ("why", "because", "evidence", "photo")
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    why = forms.CharField(
        label=_("为什么"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("为什么……？")}),
    )
    because = forms.CharField(
        label=_("因为"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("因为……")}),
    )
    evidence = forms.CharField(
        label=_("依据"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    photo = forms.FileField(
        label=_("依据照片"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )
    clear_photo = forms.BooleanField(label=_("删除照片"), required=False)


class GoalForm(forms.Form):
    CONTENT = ("name", "unit", "baseline", "target", "direction")
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("指标"), max_length=100, required=False)
    unit = forms.CharField(label=_("单位"), max_length=20, required=False)
    baseline = forms.DecimalField(
        label=_("基线值"), max_digits=12, decimal_places=2, required=False
    )
    target = forms.DecimalField(label=_("目标值"), max_digits=12, decimal_places=2, required=False)
    direction = forms.ChoiceField(
        label=_("方向"), choices=[("", "—"), *Direction.choices], required=False
    )
    method = forms.ChoiceField(label=_("达成率算法"), choices=GoalMethod.choices, required=False)
    core = forms.BooleanField(label=_("核心目标"), required=False, initial=True)


class MeasureForm(forms.Form):
    CONTENT = ("text", "owner", "owner_name", "start_on", "deadline")
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("措施"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    kind = forms.ChoiceField(
        label=_("类型"), choices=[("", "—"), *MeasureKind.choices], required=False
    )
    owner = forms.ModelChoiceField(
        label=_("责任人（用户）"), queryset=User.objects.none(), required=False
    )
    owner_name = forms.CharField(label=_("责任人"), max_length=64, required=False)
    start_on = forms.DateField(label=_("开始日期"), widget=_date_input(), required=False)
    deadline = forms.DateField(label=_("完成期限"), widget=_date_input(), required=False)

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"].queryset = owners


class BaseListFormSet(forms.BaseFormSet):
    """Rows the person left empty are skipped (a select or a checkbox left at its default
    does not make a row); deleted rows are dropped."""

    def rows(self) -> list[forms.Form]:
        forms_ = self.ordered_forms if self.can_order else self.forms
        result = []
        for form in forms_:
            if self.can_delete and self._should_delete_form(form):
                continue
            data = getattr(form, "cleaned_data", None) or {}
            if not data.get("id") and all(
                data.get(name) in (None, "", [], False) for name in form.CONTENT
            ):
                continue
            result.append(form)
        return result


WhyFormSet = forms.formset_factory(
    WhyForm,
    formset=BaseListFormSet,
    extra=0,
    can_delete=True,
    can_order=True,
    max_num=10,
    absolute_max=10,
)
GoalFormSet = forms.formset_factory(
    GoalForm, formset=BaseListFormSet, extra=0, can_delete=True, max_num=30, absolute_max=30
)
MeasureFormSet = forms.formset_factory(
    MeasureForm, formset=BaseListFormSet, extra=0, can_delete=True, max_num=30, absolute_max=30
)


class MeasureUpdateForm(forms.Form):
    """A measure's status and progress on the project page (and the deadline, for ops)."""

    status = forms.ChoiceField(label=_("状态"), choices=MeasureStatus.choices, required=False)
    progress = forms.IntegerField(
        label=_("进度"), required=False, widget=forms.NumberInput(attrs={"min": 0, "max": 100})
    )
    deadline = forms.DateField(label=_("完成期限"), widget=_date_input(), required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("取消原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class CadenceForm(forms.Form):
    execution_every_days = forms.IntegerField(
        label=_("执行期跟踪间隔（天）"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": 90}),
    )
    observation_every_days = forms.IntegerField(
        label=_("观察期跟踪间隔（天）"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": 90}),
    )


# --- the tracking record (phone) -------------------------------------------------------


class TrackingLogForm(forms.Form):
    """整改跟踪记录, pre-filled from the last one; one reading field per goal."""

    date = forms.DateField(label=_("跟踪日期"), widget=_date_input(), required=False)
    method = forms.ChoiceField(
        label=_("跟踪方式"),
        choices=TrackingMethod.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    progress = forms.IntegerField(
        label=_("当前进度（%）"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5, "inputmode": "numeric"}),
    )
    assessment = forms.ChoiceField(
        label=_("进度评估"), choices=Assessment.choices, widget=forms.RadioSelect, required=False
    )
    done = forms.CharField(
        label=_("已完成事项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一条。"),
    )
    next_on = forms.DateField(label=_("下次跟踪日期"), widget=_date_input(), required=False)
    focus = forms.CharField(
        label=_("重点关注事项"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        for goal in self.goals:
            self.fields[f"reading_{goal.pk}"] = forms.DecimalField(
                label=goal.name,
                required=False,
                max_digits=12,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            )

    def reading_fields(self):
        return [(goal, self[f"reading_{goal.pk}"]) for goal in self.goals]

    def field_for(self, path: str) -> str | None:
        match = re.fullmatch(r"readings\[(\d+)\]\.\w+", path)
        if match and int(match[1]) < len(self.reading_order):
            return f"reading_{self.reading_order[int(match[1])]}"
        base = re.sub(r"\[\d+\]$", "", path)
        return base if base in self.fields else None

    def to_data(self) -> dict:
        d = self.cleaned_data
        self.reading_order = [
            goal.pk for goal in self.goals if d.get(f"reading_{goal.pk}") is not None
        ]
        return {
            "date": d.get("date"),
            "method": d.get("method"),
            "progress": d.get("progress"),
            "assessment": d.get("assessment"),
            "done": _lines(d.get("done")),
            "next_on": d.get("next_on"),
            "focus": d.get("focus"),
            "readings": [{"goal": pk, "value": d[f"reading_{pk}"]} for pk in self.reading_order],
        }


class InProgressForm(forms.Form):
    CONTENT = ("text", "progress", "expected_on")
    text = forms.CharField(label=_("事项"), max_length=300, required=False)
    progress = forms.IntegerField(
        label=_("进度"), required=False, widget=forms.NumberInput(attrs={"min": 0, "max": 100})
    )
    expected_on = forms.DateField(label=_("预计完成"), widget=_date_input(), required=False)


class DifficultyForm(forms.Form):
    CONTENT = ("text", "support")
    text = forms.CharField(label=_("困难"), max_length=300, required=False)
    impact = forms.ChoiceField(
        label=_("影响"), choices=[("", "—"), *Impact.choices], required=False
    )
    support = forms.CharField(label=_("需要支持"), max_length=300, required=False)


class SolutionForm(forms.Form):
    CONTENT = ("text", "owner_name", "deadline")
    text = forms.CharField(label=_("解决方案"), max_length=300, required=False)
    owner_name = forms.CharField(label=_("责任人"), max_length=64, required=False)
    deadline = forms.DateField(label=_("期限"), widget=_date_input(), required=False)


InProgressFormSet = forms.formset_factory(
    InProgressForm,
    formset=BaseListFormSet,
    extra=1,
    can_delete=True,
    max_num=30,
    absolute_max=30,
)
DifficultyFormSet = forms.formset_factory(
    DifficultyForm,
    formset=BaseListFormSet,
    extra=1,
    can_delete=True,
    max_num=30,
    absolute_max=30,
)
SolutionFormSet = forms.formset_factory(
    SolutionForm, formset=BaseListFormSet, extra=1, can_delete=True, max_num=30, absolute_max=30
)


# --- the board's filters -----------------------------------------------------------------


def _checkboxes():
    return forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


def _select():
    return forms.Select(attrs={"class": "form-select", "data-autosubmit": ""})


class BoardFilterSet(ProjectFilterSet):
    """The shared FilterSet with the board's widgets."""

    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, label=_("状态"), widget=_checkboxes()
    )
    level = django_filters.MultipleChoiceFilter(
        choices=Level.choices, label=_("问题级别"), widget=_checkboxes()
    )
    health = django_filters.MultipleChoiceFilter(
        choices=Health.choices, label=_("健康度"), widget=_checkboxes()
    )
    tier = django_filters.MultipleChoiceFilter(
        field_name="store__tier",
        choices=StoreTier.choices,
        label=_("门店分层"),
        widget=_checkboxes(),
    )
    store = django_filters.ChoiceFilter(
        field_name="store__code", label=_("门店"), empty_label=_("全部门店"), widget=_select()
    )
    region = django_filters.ChoiceFilter(
        field_name="store__region__code",
        label=_("区域"),
        empty_label=_("全部区域"),
        widget=_select(),
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label=_("只看超期"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    mine = django_filters.BooleanFilter(
        method="filter_mine",
        label=_("只看我的"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, data=None, *args, request=None, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        user = request.user
        self.filters["region"].extra["choices"] = list(
            Region.objects.visible_to(user).values_list("code", "name")
        )
        self.filters["store"].extra["choices"] = [
            (code, f"{code} {name}")
            for code, name in Store.objects.visible_to(user).values_list("code", "name")
        ]
        self.filters.pop("ordering", None)

    def filter_overdue(self, queryset, name, value):
        # A checkbox: unticked means "all", not "only the ones on time".
        return super().filter_overdue(queryset, name, True) if value else queryset

    def filter_mine(self, queryset, name, value):
        return super().filter_mine(queryset, name, value) if value else queryset


class CaseForm(forms.Form):
    """案例 (closure step 5, 经验总结): shapes the input; ``library.save_case`` checks it."""

    title = forms.CharField(label=_("案例标题"), required=False, max_length=200)
    category = forms.ChoiceField(
        label=_("问题分类"), required=False, choices=[("", "—"), *Category.choices]
    )
    problem = forms.CharField(label=_("问题"), required=False, widget=forms.Textarea({"rows": 2}))
    root_cause = forms.CharField(
        label=_("根因"), required=False, widget=forms.Textarea({"rows": 2})
    )
    solution = forms.CharField(
        label=_("解决方案"), required=False, widget=forms.Textarea({"rows": 3})
    )
    cost = forms.DecimalField(label=_("投入（元）"), required=False, min_value=0)
    cost_note = forms.CharField(label=_("投入说明"), required=False, max_length=300)
    duration_days = forms.IntegerField(label=_("周期（天）"), required=False)
    metric = forms.CharField(label=_("效果指标"), required=False, max_length=100)
    unit = forms.CharField(label=_("单位"), required=False, max_length=20)
    before = forms.DecimalField(label=_("整改前"), required=False)
    after = forms.DecimalField(label=_("整改后"), required=False)
    roi = forms.DecimalField(label=_("投资回报率（倍）"), required=False)
    roi_note = forms.CharField(label=_("收益说明"), required=False, max_length=300)
    replicability = forms.TypedChoiceField(
        label=_("可复制性"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *[(n, "★" * n) for n in range(MIN_STARS, MAX_STARS + 1)]],
    )
    recommended_scope = forms.CharField(label=_("推广建议"), required=False, max_length=300)

    def to_data(self) -> dict:
        return dict(self.cleaned_data)


class CaseListFilterSet(CaseFilterSet):
    """The case library page's filters: the API's FilterSet with checkbox widgets."""

    category = django_filters.MultipleChoiceFilter(
        choices=Category.choices, label=_("问题分类"), widget=_checkboxes()
    )
    tier = django_filters.MultipleChoiceFilter(
        field_name="store_tier",
        choices=StoreTier.choices,
        label=_("门店分层"),
        widget=_checkboxes(),
    )
