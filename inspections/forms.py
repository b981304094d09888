"""Forms of the inspection pages. They only shape input for the services (which check
every rule) and carry the services' refusals back to the fields they concern."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedloop.errors import DomainError
from closedloop.org.models import Department, Region, Store
from issues.choices import Category, ImpactScope
from issues.forms import MultipleFileField, MultipleFileInput

from .choices import (
    KNOWN_METRICS,
    MAX_PHOTOS_PER_ITEM,
    Direction,
    FindingStatus,
    ItemKind,
    Priority,
    ResourceKind,
    ResourceStatus,
    SpotCheckKind,
    SpotResult,
)
from .filtersets import BoardFilterSet
from .models import ChecklistTemplate

PHOTO_ACCEPT = "image/*"
NEW_FINDING_ROWS = 3


def photo_field(label=None):
    """Photos from the tablet's or phone's camera (or its album)."""
    return MultipleFileField(
        label=label or _("照片"),
        help_text=_("拍照或从相册选择；图片，每张不超过 10 MB，每项最多 %(n)d 张。")
        % {"n": MAX_PHOTOS_PER_ITEM},
        widget=MultipleFileInput(
            attrs={"accept": PHOTO_ACCEPT, "capture": "environment", "class": "form-control"}
        ),
    )


def date_input(**attrs):
    """A native date picker; its value must be ISO (YYYY-MM-DD) whatever the language."""
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", **attrs})


def lines_area(rows=2, placeholder=""):
    return forms.Textarea(attrs={"rows": rows, "placeholder": placeholder})


def place_errors(form: forms.Form, exc: DomainError, mapping=None) -> None:
    """Put a service's refusal next to the field it names (``mapping`` turns the
    service's keys into the form's field names), or above the form."""
    mapping = mapping or (lambda key: key)
    placed = False
    errors = exc.errors or ({exc.field: [exc.message]} if exc.field else {})
    for key, messages in errors.items():
        name = mapping(key)
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            form.add_error(name if name in form.fields else None, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


# --- starting and performing --------------------------------------------------------------


class StartForm(forms.Form):
    store = forms.ModelChoiceField(
        label=_("门店"), queryset=Store.objects.none(), empty_label=_("请选择门店")
    )
    template = forms.ModelChoiceField(
        label=_("检查表"), queryset=ChecklistTemplate.objects.none(), empty_label=None
    )
    inspected_on = forms.DateField(label=_("巡检日期"), widget=date_input())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = (
            Store.objects.visible_to(user).filter(active=True).order_by("code")
        )
        self.fields["store"].label_from_instance = lambda s: f"{s.code} {s.name}"
        self.fields["template"].queryset = ChecklistTemplate.objects.current().order_by("name")
        self.fields["template"].label_from_instance = lambda t: f"{t.name}（v{t.version}）"
        today = timezone.localdate()
        self.fields["inspected_on"].initial = today
        self.fields["inspected_on"].widget.attrs["max"] = today.isoformat()


class PerformForm(forms.Form):
    """The checklist on the tablet: per item a score (or 合格/不合格), a note and photos;
    new findings below; the overall summary."""

    summary = forms.CharField(
        label=_("总体评价"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    remove_findings = forms.MultipleChoiceField(
        label=_("删除"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, inspection, items, results, photos, findings, **kwargs):
        super().__init__(*args, **kwargs)
        self.inspection = inspection
        self.items = items
        self.results = results
        self.photos = photos
        self.findings = findings
        if not self.is_bound:
            self.fields["summary"].initial = inspection.summary
        self.fields["remove_findings"].choices = [(str(f.pk), f"#{f.seq}") for f in findings]
        for item in items:
            result = results.get(item.pk)
            if item.kind == ItemKind.SCORE:
                max_text = f"{item.max_score.normalize():f}"
                self.fields[f"score-{item.key}"] = forms.CharField(
                    label=item.text,
                    required=False,
                    initial=f"{result.score.normalize():f}"
                    if result and result.score is not None
                    else "",
                    widget=forms.NumberInput(
                        attrs={
                            "min": 0,
                            "max": max_text,
                            "step": "0.5",
                            "inputmode": "decimal",
                            "class": "form-control score-input",
                        }
                    ),
                )
            else:
                initial = ""
                if result and result.passed is not None:
                    initial = "1" if result.passed else "0"
                self.fields[f"passed-{item.key}"] = forms.ChoiceField(
                    label=item.text,
                    required=False,
                    initial=initial,
                    choices=[("1", _("合格")), ("0", _("不合格"))],
                    widget=forms.RadioSelect,
                )
            self.fields[f"note-{item.key}"] = forms.CharField(
                label=_("备注"),
                required=False,
                max_length=500,
                initial=result.note if result else "",
                widget=forms.TextInput(attrs={"placeholder": _("备注（可选）")}),
            )
            self.fields[f"photos-{item.key}"] = photo_field(
                _("照片（必拍）") if item.photo_required else _("照片")
            )
        item_choices = [("", _("不关联检查项"))] + [(i.key, i.text) for i in items]
        metric_choices = [("", _("不关联指标"))] + [
            (str(m.pk), m.name) for m in inspection.metrics.all()
        ]
        for n in range(1, NEW_FINDING_ROWS + 1):
            self.fields[f"finding-{n}-text"] = forms.CharField(
                label=_("发现的问题"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"finding-{n}-priority"] = forms.ChoiceField(
                label=_("优先级"),
                required=False,
                choices=[("", _("请选择"))] + list(Priority.choices),
            )
            self.fields[f"finding-{n}-item"] = forms.ChoiceField(
                label=_("检查项"), required=False, choices=item_choices
            )
            self.fields[f"finding-{n}-metric"] = forms.ChoiceField(
                label=_("关联指标"), required=False, choices=metric_choices
            )

    # --- reading ---------------------------------------------------------------------

    def item_rows(self):
        """[(section title, [row])]: each row the item, its fields and saved photos."""
        from .services import sections

        grouped = []
        for title, items in sections(self.items):
            rows = []
            for item in items:
                value_name = (
                    f"score-{item.key}" if item.kind == ItemKind.SCORE else f"passed-{item.key}"
                )
                rows.append(
                    {
                        "item": item,
                        "value": self[value_name],
                        "note": self[f"note-{item.key}"],
                        "photos": self[f"photos-{item.key}"],
                        "saved_photos": self.photos.get(item.pk, []),
                    }
                )
            grouped.append((title, rows))
        return grouped

    def finding_rows(self):
        return [
            {
                "n": n,
                "text": self[f"finding-{n}-text"],
                "priority": self[f"finding-{n}-priority"],
                "item": self[f"finding-{n}-item"],
                "metric": self[f"finding-{n}-metric"],
            }
            for n in range(1, NEW_FINDING_ROWS + 1)
        ]

    def service_kwargs(self, files) -> dict:
        from .services import ItemInput

        data = self.cleaned_data
        results = []
        for item in self.items:
            note = data.get(f"note-{item.key}", "")
            if item.kind == ItemKind.SCORE:
                results.append(ItemInput(item.key, score=data.get(f"score-{item.key}"), note=note))
            else:
                results.append(
                    ItemInput(item.key, passed=data.get(f"passed-{item.key}"), note=note)
                )
        findings = []
        for n in range(1, NEW_FINDING_ROWS + 1):
            row = {
                f: data.get(f"finding-{n}-{f}", "") for f in ("text", "priority", "item", "metric")
            }
            if any(row.values()):
                findings.append(row)
        return {
            "results": results,
            "photos": {item.key: files.getlist(f"photos-{item.key}") for item in self.items},
            "summary": data.get("summary", ""),
            "remove_findings": [int(pk) for pk in data.get("remove_findings", [])],
            "findings": findings,
        }

    def field_for(self, key: str) -> str | None:
        """The form field of a service error key."""
        head, _sep, rest = key.partition(".")
        if head == "items":
            item = next((i for i in self.items if i.key == rest), None)
            if item is None:
                return None
            return f"score-{rest}" if item.kind == ItemKind.SCORE else f"passed-{rest}"
        if head == "photos":
            return f"photos-{rest}"
        if head == "findings":
            n, _dot, name = rest.partition(".")
            # Rows are numbered among the filled ones; map back to the form's rows.
            filled = [
                i
                for i in range(1, NEW_FINDING_ROWS + 1)
                if any(
                    self.cleaned_data.get(f"finding-{i}-{f}")
                    for f in ("text", "priority", "item", "metric")
                )
            ]
            try:
                row = filled[int(n) - 1]
            except (ValueError, IndexError):
                return None
            return f"finding-{row}-{name}"
        return key


# --- follow-up ---------------------------------------------------------------------------


class StepForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=date_input())
    note = forms.CharField(label=_("记录"), required=False, widget=lines_area(3))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class LogForm(forms.Form):
    """跟进日志 (source 步骤2): one item per line."""

    date = forms.DateField(label=_("日期"), widget=date_input())
    participants = forms.CharField(
        label=_("参与人"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("店长张三、运营专家李四")}),
    )
    done = forms.CharField(label=_("已完成"), required=False, widget=lines_area(2, _("每行一项")))
    in_progress = forms.CharField(label=_("进行中"), required=False, widget=lines_area(2))
    not_started = forms.CharField(label=_("未开始"), required=False, widget=lines_area(2))
    difficulties = forms.CharField(
        label=_("困难与支持"), required=False, widget=lines_area(2, _("有困难即标记为需要支持"))
    )
    next_week = forms.CharField(label=_("下周计划"), required=False, widget=lines_area(2))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class SpotCheckForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("方式"), choices=SpotCheckKind.choices, widget=forms.RadioSelect
    )
    date = forms.DateField(label=_("日期"), widget=date_input())
    hardware = forms.ChoiceField(label=_("硬件设施"), choices=SpotResult.choices)
    process = forms.ChoiceField(label=_("流程执行"), choices=SpotResult.choices)
    people = forms.ChoiceField(label=_("人员能力"), choices=SpotResult.choices)
    data = forms.ChoiceField(label=_("数据变化"), choices=SpotResult.choices)
    note = forms.CharField(label=_("记录"), required=False, widget=lines_area(3))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class PlanForm(forms.Form):
    """One row of the action plan (行动计划表)."""

    owner_name = forms.CharField(label=_("负责人"), required=False, max_length=64)
    steps = forms.CharField(label=_("行动步骤"), required=False, widget=lines_area(2))
    due_on = forms.DateField(label=_("完成时间"), required=False, widget=date_input())
    acceptance_criterion = forms.CharField(label=_("验收标准"), required=False, max_length=300)
    resources = forms.CharField(label=_("资源需求"), required=False, max_length=300)
    status = forms.ChoiceField(label=_("状态"), choices=FindingStatus.choices)

    def __init__(self, *args, finding=None, **kwargs):
        super().__init__(*args, **kwargs)
        if finding is not None and not self.is_bound:
            for name in self.fields:
                self.fields[name].initial = getattr(finding, name)


class FindingForm(forms.Form):
    """A finding added during the follow-up (e.g. in a spot check)."""

    text = forms.CharField(label=_("发现的问题"), widget=lines_area(2))
    priority = forms.ChoiceField(
        label=_("优先级"), required=False, choices=[("", _("请选择"))] + list(Priority.choices)
    )
    item = forms.ChoiceField(label=_("检查项"), required=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("不关联检查项"))] + [(i.key, i.text) for i in items]


class IssueForm(forms.Form):
    """转为问题: pre-filled from the finding; one submit creates the issue."""

    title = forms.CharField(label=_("问题标题"), max_length=200)
    description = forms.CharField(label=_("问题描述"), widget=lines_area(4))
    category = forms.ChoiceField(label=_("问题分类"), choices=Category.choices)
    impact_scope = forms.ChoiceField(label=_("影响范围"), choices=ImpactScope.choices)

    def __init__(self, *args, prefill=None, **kwargs):
        super().__init__(*args, **kwargs)
        if prefill and not self.is_bound:
            for name, value in prefill.items():
                self.fields[name].initial = value


class MetricForm(forms.Form):
    metric = forms.ChoiceField(label=_("指标"), required=False)
    name = forms.CharField(
        label=_("其他指标名称"), required=False, max_length=60, help_text=_("选了指标可不填")
    )
    unit = forms.CharField(label=_("单位"), required=False, max_length=16)
    direction = forms.ChoiceField(
        label=_("方向"), required=False, choices=[("", _("按指标"))] + list(Direction.choices)
    )
    baseline = forms.CharField(
        label=_("巡检时数值"), widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    standard = forms.CharField(
        label=_("标准值"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", _("自定义"))] + [
            (code, info.name) for code, info in KNOWN_METRICS.items()
        ]


class ReinspectForm(forms.Form):
    """效果验收: rescore the failed items, read the core metrics."""

    date = forms.DateField(label=_("复检日期"), widget=date_input())
    note = forms.CharField(label=_("亮点与不足"), required=False, widget=lines_area(3))

    def __init__(self, *args, failed=(), metrics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.failed = list(failed)
        self.metrics = list(metrics)
        self.fields["date"].initial = timezone.localdate()
        for item in self.failed:
            if item.kind == ItemKind.SCORE:
                self.fields[f"score-{item.key}"] = forms.CharField(
                    label=item.text,
                    required=False,
                    widget=forms.NumberInput(
                        attrs={"min": 0, "max": f"{item.max_score.normalize():f}", "step": "0.5"}
                    ),
                )
            else:
                self.fields[f"passed-{item.key}"] = forms.ChoiceField(
                    label=item.text,
                    required=False,
                    choices=[("1", _("合格")), ("0", _("不合格"))],
                    widget=forms.RadioSelect,
                )
            self.fields[f"photos-{item.key}"] = photo_field(_("复检照片"))
        for metric in self.metrics:
            self.fields[f"reading-{metric.pk}"] = forms.CharField(
                label=f"{metric.name}（{metric.unit}）" if metric.unit else metric.name,
                required=False,
                initial="" if metric.current is None else f"{metric.current.normalize():f}",
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )

    def item_rows(self):
        return [
            {
                "item": item,
                "value": self[
                    f"score-{item.key}" if item.kind == ItemKind.SCORE else f"passed-{item.key}"
                ],
                "photos": self[f"photos-{item.key}"],
            }
            for item in self.failed
        ]

    def metric_fields(self):
        return [self[f"reading-{m.pk}"] for m in self.metrics]

    def service_kwargs(self, files) -> dict:
        from .services import ItemInput

        data = self.cleaned_data
        rescores = []
        for item in self.failed:
            if item.kind == ItemKind.SCORE:
                rescores.append(ItemInput(item.key, score=data.get(f"score-{item.key}")))
            else:
                rescores.append(ItemInput(item.key, passed=data.get(f"passed-{item.key}")))
        return {
            "date": data["date"],
            "note": data.get("note", ""),
            "rescores": rescores,
            "readings": {m.pk: data.get(f"reading-{m.pk}") for m in self.metrics},
            "photos": {item.key: files.getlist(f"photos-{item.key}") for item in self.failed},
        }

    def field_for(self, key: str) -> str | None:
        head, _sep, rest = key.partition(".")
        if head == "items":
            item = next((i for i in self.failed if i.key == rest), None)
            if item is None:
                return None
            return f"score-{rest}" if item.kind == ItemKind.SCORE else f"passed-{rest}"
        if head == "photos":
            return f"photos-{rest}"
        if head == "readings":
            return f"reading-{rest}"
        return key


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ResourceKind.choices)
    what = forms.CharField(label=_("需要什么"), max_length=200)
    department = forms.ModelChoiceField(
        label=_("协调部门"),
        required=False,
        queryset=Department.objects.order_by("code"),
        to_field_name="code",
        empty_label=_("请选择部门"),
    )
    expected_on = forms.DateField(label=_("预计到位"), required=False, widget=date_input())


class ResourceStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=ResourceStatus.choices)
    expected_on = forms.DateField(label=_("预计到位"), required=False, widget=date_input())


class ExperienceForm(forms.Form):
    title = forms.CharField(label=_("案例标题"), max_length=200)
    problem = forms.CharField(label=_("问题"), widget=lines_area(2))
    root_cause = forms.CharField(label=_("根因"), widget=lines_area(2))
    solution = forms.CharField(label=_("方案"), widget=lines_area(3))
    effect = forms.CharField(label=_("效果"), widget=lines_area(2))
    standard_updated = forms.BooleanField(label=_("已纳入标准流程"), required=False)
    replicability = forms.TypedChoiceField(
        label=_("可复制性"), coerce=int, choices=[(n, "★" * n) for n in range(5, 0, -1)], initial=4
    )
    captured_on = forms.DateField(label=_("沉淀日期"), widget=date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["captured_on"].initial = timezone.localdate()


class ClosureForm(forms.Form):
    new_habits = forms.BooleanField(label=_("改进措施已形成新的工作习惯"), required=False)
    store_shares = forms.BooleanField(label=_("门店主动分享改进经验"), required=False)
    others_learn = forms.BooleanField(label=_("其他门店主动学习该门店做法"), required=False)
    in_standard = forms.BooleanField(label=_("改进措施被纳入标准流程"), required=False)
    sustained = forms.BooleanField(label=_("门店在下一次巡检中保持改进成果"), required=False)
    note = forms.CharField(label=_("说明"), required=False, widget=lines_area(2))

    def __init__(self, *args, check=None, **kwargs):
        super().__init__(*args, **kwargs)
        if check is not None and not self.is_bound:
            for name in self.fields:
                self.fields[name].initial = getattr(check, name)


class EmptyForm(forms.Form):
    """An action without input (出具报告, 闭环)."""


# --- board filters --------------------------------------------------------------------------


class BoardPageFilterSet(BoardFilterSet):
    """The board's FilterSet with a select of the regions for the page."""

    region = django_filters.ChoiceFilter(
        field_name="store__region__code", label=_("区域"), empty_label=_("全部区域")
    )

    def __init__(self, data=None, *args, request=None, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        self.filters["region"].extra["choices"] = list(
            Region.objects.visible_to(request.user).values_list("code", "name")
        )
