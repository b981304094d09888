"""Forms of the dashboards pages. They only read and check input; the rules live in
``services`` (targets, meeting) and ``periods`` / ``metrics.Slices`` (the board's filters)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from closedloop.errors import DomainError
from closedloop.org.choices import HQ_ROLES, StoreTier
from closedloop.org.models import Department, Region, User
from issues.choices import Category

from . import periods
from .choices import METRIC_INFO, BlockKind, Direction, Method, Metric, PeriodKind, Unit
from .metrics import Slices


class BoardFilterForm(forms.Form):
    """The period (a month, a week or a range of days) and the slices of the board."""

    kind = forms.ChoiceField(label=_("期间"), choices=PeriodKind.choices, required=False)
    period = forms.CharField(label=_("月份"), required=False, max_length=7)
    week = forms.CharField(label=_("周"), required=False, max_length=8)
    # Character fields with a select: an unknown code reaches ``Slices``, which names it.
    region = forms.CharField(label=_("区域"), required=False, widget=forms.Select)
    tier = forms.CharField(
        label=_("门店分层"),
        required=False,
        widget=forms.Select(choices=[("", _("全部"))] + StoreTier.choices),
    )
    department = forms.CharField(label=_("部门"), required=False, widget=forms.Select)
    category = forms.CharField(
        label=_("问题分类"),
        required=False,
        widget=forms.Select(choices=[("", _("全部"))] + Category.choices),
    )

    def __init__(self, data=None, *, now=None, **kwargs):
        super().__init__(data, **kwargs)
        self.now = now
        self.fields["from"] = forms.CharField(label=_("开始日期"), required=False, max_length=10)
        self.fields["to"] = forms.CharField(label=_("结束日期"), required=False, max_length=10)
        self.fields["region"].widget.choices = [("", _("全部"))] + [
            (r.code, r.name) for r in Region.objects.order_by("code")
        ]
        self.fields["department"].widget.choices = [("", _("全部"))] + [
            (d.code, d.name) for d in Department.objects.order_by("code")
        ]

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or ""
        params = {}
        if kind in ("", PeriodKind.MONTH) and data.get("period"):
            params["period"] = data["period"]
        elif kind in ("", PeriodKind.WEEK) and data.get("week"):
            params["week"] = data["week"]
        elif kind in ("", PeriodKind.RANGE) and (data.get("from") or data.get("to")):
            params["from"], params["to"] = data.get("from", ""), data.get("to", "")
        default = PeriodKind.WEEK if kind == PeriodKind.WEEK else PeriodKind.MONTH
        try:
            data["period_obj"] = periods.parse(params, default=default, now=self.now)
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        try:
            data["slices"] = Slices.from_params(data)
        except DomainError as exc:
            for field, errors in exc.errors.items():
                for error in errors:
                    self.add_error(field, error)
        return data

    def result(self):
        """(period, slices): what the form asked for, or the defaults for what it got wrong."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        period = data.get("period_obj") or periods.parse({}, now=self.now)
        slices = data.get("slices") or Slices()
        return period, slices


class KpiTargetForm(forms.Form):
    """A metric's baseline and target from a date on. Rates are entered as percents on
    the page (85 for 85 %); the API takes fractions."""

    metric = forms.ChoiceField(label=_("指标"), choices=Metric.choices)
    baseline = forms.DecimalField(
        label=_("基线值"), required=False, max_digits=14, decimal_places=4
    )
    target = forms.DecimalField(label=_("目标值"), max_digits=14, decimal_places=4)
    direction = forms.ChoiceField(
        label=_("方向"), choices=[("", _("按指标默认"))] + Direction.choices, required=False
    )
    method = forms.ChoiceField(label=_("达成率算法"), choices=Method.choices, initial="standard")
    valid_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        rate = METRIC_INFO[data["metric"]][0] == Unit.RATE

        def scale(value):
            return None if value is None else (value / 100 if rate else value)

        return {
            "metric": data["metric"],
            "baseline": scale(data.get("baseline")),
            "target": scale(data["target"]),
            "direction": data.get("direction") or None,
            "method": data["method"],
            "valid_from": data["valid_from"],
        }


def hq_people():
    """The people a decision can be given to, and who can be invited: active HQ staff."""
    return User.objects.filter(is_active=True, role__in=HQ_ROLES).order_by(
        "role", "display_name", "username"
    )


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj}（{obj.get_role_display()}）"


class MeetingForm(forms.Form):
    date = forms.DateField(label=_("会议日期"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(
        label=_("开始时间"), initial=dt.time(14, 0), widget=forms.TimeInput(attrs={"type": "time"})
    )
    minutes = forms.IntegerField(label=_("时长（分钟）"), initial=90, min_value=15, max_value=480)
    topic = forms.CharField(label=_("专题"), max_length=200, required=False)
    invited = forms.ModelMultipleChoiceField(
        label=_("参会人"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invited"].queryset = hq_people()
        self.fields["invited"].label_from_instance = PersonField.label_from_instance.__get__(
            self.fields["invited"]
        )


class MeetingEditForm(forms.Form):
    topic = forms.CharField(label=_("专题"), max_length=200, required=False)
    topic_notes = forms.CharField(
        label=_("专题说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, blocks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.block_fields = []
        for block in blocks:
            name = f"minutes_{block.kind}"
            self.fields[name] = forms.IntegerField(
                label=BlockKind(block.kind).label,
                min_value=1,
                max_value=180,
                initial=block.planned_minutes,
            )
            self.block_fields.append(name)

    def agenda(self) -> dict[str, int]:
        return {
            name.removeprefix("minutes_"): self.cleaned_data[name] for name in self.block_fields
        }


class DecisionForm(forms.Form):
    block = forms.ChoiceField(choices=BlockKind.choices, widget=forms.HiddenInput)
    issue = forms.CharField(required=False, widget=forms.HiddenInput)
    project = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    text = forms.CharField(label=_("决策"), max_length=2000)
    owner = forms.ModelChoiceField(label=_("负责人"), queryset=User.objects.none(), required=False)
    due_on = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = hq_people()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=1000, required=False)
