"""Forms of the issue pages. They only shape and validate input; every rule about what may
happen to an issue lives in ``services`` and ``policy`` (the views call those)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from closedloop.errors import DomainError
from closedloop.org.choices import DEPARTMENT_ROLES, Role
from closedloop.org.models import Department, Store, User

from .choices import (
    MAX_ATTACHMENTS,
    MAX_COMMENT_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    Category,
    Channel,
    ImpactScope,
    Priority,
)

ACCEPT_UPLOADS = "image/*,application/pdf"


def _limit_hint(limit: int) -> str:
    return gettext("最多 %(n)d 个字。") % {"n": limit}


#: "最多 N 个字。" in the language of the request (the limit is a rule of the services).
limit_hint = lazy(_limit_hint, str)


def text_area(rows: int, limit: int = MAX_COMMENT_LENGTH, **attrs) -> forms.Textarea:
    """A textarea that stops at the services' limit (the services refuse longer text,
    and their message shows on the field)."""
    return forms.Textarea(attrs={"rows": rows, "maxlength": limit, **attrs})


def add_service_error(form: forms.Form, exc: DomainError) -> None:
    """Put a service's refusal next to the field it concerns, or above the form."""
    placed = False
    for field, errors in (exc.errors or {}).items():
        for error in errors if isinstance(errors, list | tuple) else [errors]:
            form.add_error(field if field in form.fields else None, str(error))
            placed = True
    if not placed:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; the service checks type, size and count by content."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(item, initial) for item in data if item]
        else:
            files = [single(data, initial)] if data else []
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("每个问题最多 %(n)d 个附件。"), params={"n": MAX_ATTACHMENTS}
            )
        return files


def photo_field(label=None):
    return MultipleFileField(
        label=label or _("照片或 PDF"),
        help_text=_("可拍照或从相册选择；图片或 PDF，每个不超过 10 MB，最多 9 个。"),
        widget=MultipleFileInput(
            attrs={"accept": ACCEPT_UPLOADS, "capture": "environment", "class": "form-control"}
        ),
    )


#: Channels a headquarters person may record a problem from.
TRANSCRIBED_CHANNELS = (Channel.CHAT, Channel.MEETING, Channel.WEB)


class IssueSubmitForm(forms.Form):
    """提交问题: the five fields a store manager fills; HQ people also pick the store."""

    store = forms.ModelChoiceField(
        label=_("门店"), queryset=Store.objects.none(), empty_label=_("请选择门店")
    )
    channel = forms.ChoiceField(
        label=_("来源渠道"),
        choices=[(c.value, c.label) for c in TRANSCRIBED_CHANNELS],
        initial=Channel.CHAT,
    )
    category = forms.ChoiceField(
        label=_("问题分类"), choices=Category.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(
        label=_("问题标题"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": _("一句话说明问题，如：DMS 工单打印很慢"), "autocomplete": "off"}
        ),
    )
    description = forms.CharField(
        label=_("问题描述"),
        widget=text_area(
            4, MAX_DESCRIPTION_LENGTH, placeholder=_("发生了什么、影响多少客户、已经试过什么")
        ),
        help_text=limit_hint(MAX_DESCRIPTION_LENGTH),
    )
    impact_scope = forms.ChoiceField(
        label=_("影响范围"), choices=ImpactScope.choices, widget=forms.RadioSelect
    )
    expected_resolution_date = forms.DateField(
        label=_("期望解决日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    attachments = photo_field()
    #: One-time token: a second post of the same form returns the first issue.
    form_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fixed_store = user.store if user.role == Role.STORE_MANAGER else None
        if self.fixed_store is not None:
            # The store is implied; a store manager never picks one.
            del self.fields["store"]
            del self.fields["channel"]
        else:
            self.fields["store"].queryset = (
                Store.objects.visible_to(user).filter(active=True).order_by("code")
            )
            self.fields["store"].label_from_instance = lambda s: f"{s.code} {s.name}"
            if user.role == Role.OPS_SPECIALIST:
                # Ops specialists transcribe what stores said in the chat groups.
                del self.fields["channel"]
        today = timezone.localdate()
        self.fields["expected_resolution_date"].widget.attrs["min"] = today.isoformat()

    CATEGORY_ICONS = {
        Category.SYSTEM: "bi-pc-display",
        Category.PROCESS: "bi-diagram-3",
        Category.SUPPLY_CHAIN: "bi-box-seam",
        Category.PEOPLE: "bi-people",
    }
    SCOPE_HINTS = {
        ImpactScope.STORE: _("仅本店"),
        ImpactScope.MULTI_STORE: _("多家门店"),
        ImpactScope.REGION: _("整个区域"),
        ImpactScope.NATIONAL: _("全国门店"),
    }

    def category_options(self):
        """(radio, icon) pairs: the big category buttons."""
        return [
            (radio, self.CATEGORY_ICONS.get(radio.data["value"], "")) for radio in self["category"]
        ]

    def scope_options(self):
        """(radio, hint) pairs: the impact scope buttons."""
        return [
            (radio, self.SCOPE_HINTS.get(radio.data["value"], "")) for radio in self["impact_scope"]
        ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        if self.fixed_store is not None:
            store, channel = self.fixed_store, Channel.WEB
        else:
            store = data["store"]
            channel = data.get("channel") or Channel.CHAT
        return {
            "store": store,
            "channel": channel,
            "category": data["category"],
            "title": data["title"],
            "description": data["description"],
            "impact_scope": data["impact_scope"],
            "expected_resolution_date": data.get("expected_resolution_date"),
            "form_token": data.get("form_token"),
        }


# --- list order ------------------------------------------------------------------------

SORT_CHOICES = [
    ("", _("默认排序")),
    ("-submitted_at", _("最新提交")),
    ("submitted_at", _("最早提交")),
    ("response_due_at", _("响应截止最近")),
    ("resolution_due_at", _("解决截止最近")),
    ("-updated_at", _("最近更新")),
    ("number", _("编号")),
]


class SortForm(forms.Form):
    """排序 on the list page: the order inside the tab's grouping. (The API orders with the
    filterset's ``ordering``.)"""

    sort = forms.ChoiceField(label=_("排序"), choices=SORT_CHOICES, required=False)


# --- actions on one issue -------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"), widget=text_area(2), help_text=limit_hint(MAX_COMMENT_LENGTH)
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("驳回原因"), widget=text_area(2), help_text=limit_hint(MAX_COMMENT_LENGTH)
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("重新打开原因"), widget=text_area(2), help_text=limit_hint(MAX_COMMENT_LENGTH)
    )


class ResumeForm(forms.Form):
    reason = forms.CharField(
        label=_("恢复处理的原因"),
        widget=text_area(2),
        help_text=limit_hint(MAX_COMMENT_LENGTH),
    )


class EmptyForm(forms.Form):
    """An action without input (受理)."""


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("内容"), widget=text_area(3), help_text=limit_hint(MAX_COMMENT_LENGTH)
    )
    visibility = forms.ChoiceField(
        label=_("可见范围"),
        choices=[("public", _("公开回复（门店可见）")), ("internal", _("内部备注（门店不可见）"))],
        initial="public",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, allow_internal: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_internal:
            self.fields["visibility"].choices = self.fields["visibility"].choices[:1]
            self.fields["visibility"].widget = forms.HiddenInput()


class AskStoreForm(forms.Form):
    question = forms.CharField(
        label=_("需要门店补充的内容"),
        widget=text_area(2),
        help_text=limit_hint(MAX_COMMENT_LENGTH),
    )


class StoreReplyForm(forms.Form):
    body = forms.CharField(
        label=_("补充内容"), widget=text_area(3), help_text=limit_hint(MAX_COMMENT_LENGTH)
    )
    attachments = photo_field(_("补充照片或 PDF"))


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("解决方案"), widget=text_area(3), help_text=limit_hint(MAX_COMMENT_LENGTH)
    )


#: The store's rating, 1 to 5 (DOMAIN.md: 1 = very dissatisfied … 5 = very satisfied).
RATING_WORDS = (_("很不满意"), _("不满意"), _("一般"), _("满意"), _("很满意"))


class ConfirmForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        choices=[(n, format_lazy("{} {}", n, word)) for n, word in enumerate(RATING_WORDS, 1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("评价"),
        required=False,
        widget=text_area(2),
        help_text=limit_hint(MAX_COMMENT_LENGTH),
    )


def department_members(department):
    """The active people of ``department`` an issue may be assigned to."""
    return User.objects.filter(
        department=department, role__in=DEPARTMENT_ROLES, is_active=True
    ).order_by("role", "username")


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("处理人"), queryset=User.objects.none(), empty_label=_("请选择处理人")
    )

    def __init__(self, *args, issue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = department_members(issue.department_id)
        if issue.assignee_id:
            self.fields["assignee"].initial = issue.assignee_id


class TriageForm(forms.Form):
    priority = forms.ChoiceField(
        label=_("优先级"),
        choices=Priority.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    department = forms.ModelChoiceField(
        label=_("责任部门"),
        queryset=Department.objects.order_by("code"),
        to_field_name="code",
        empty_label=_("请选择部门"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, issue=None, **kwargs):
        super().__init__(*args, **kwargs)
        if issue is not None and not self.is_bound:
            self.fields["priority"].initial = issue.suggested_priority or Priority.P2
            if issue.suggested_department_id:
                self.fields["department"].initial = issue.suggested_department.code


class ChangePriorityForm(TriageForm):
    reason = forms.CharField(
        label=_("调整原因"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": MAX_COMMENT_LENGTH}),
    )

    def __init__(self, *args, issue=None, **kwargs):
        super().__init__(*args, **kwargs)
        if issue is not None and not self.is_bound:
            self.fields["priority"].initial = issue.priority
            if issue.department_id:
                self.fields["department"].initial = issue.department.code


class DuplicateForm(forms.Form):
    duplicate_of = forms.CharField(
        label=_("保留的问题编号"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "ISS-2025-00001", "autocomplete": "off"}),
    )

    def clean_duplicate_of(self):
        return self.cleaned_data["duplicate_of"].strip().upper()


class UploadForm(forms.Form):
    attachments = photo_field(_("补充照片或 PDF"))
