"""The quality lead edits checklist templates here. A version that inspections have used
is never changed: saving it saves a new version (its items copied with the edits, the
old version kept for the inspections that used it). Inspections themselves change only
through the product's pages (the services); the admin shows them read-only."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import (
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    FollowUpStep,
    Inspection,
    InspectionEvent,
    ResourceRequest,
)


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1
    fields = [
        "order",
        "section",
        "area",
        "key",
        "text",
        "kind",
        "max_score",
        "weight",
        "photo_required",
        "guidance",
    ]


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "version", "active", "item_count", "used_by", "created_at"]
    list_filter = ["active", "code"]
    search_fields = ["name", "code"]
    readonly_fields = ["version", "created_by", "created_at"]
    fields = ["code", "name", "version", "description", "active", "created_by", "created_at"]
    inlines = [ChecklistItemInline]

    @admin.display(description=gettext_lazy("检查项"))
    def item_count(self, obj):
        return obj.items.count()

    @admin.display(description=gettext_lazy("已用于巡检"))
    def used_by(self, obj):
        return obj.inspections.count()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Saving a template that inspections used is "save as new": Django copies the
        template and every inline item (with the edits) into a new row."""
        if request.method == "POST" and object_id is not None:
            template = self.get_object(request, object_id)
            if template is not None and services.template_in_use(template):
                post = request.POST.copy()
                post["_saveasnew"] = "1"
                request.POST = post
                request._template_saved_from = template
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if obj.pk is None:
            obj.version = services.next_version(obj.code)
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        previous = getattr(request, "_template_saved_from", None)
        if previous is not None and not change:
            messages.info(
                request,
                _("“%(name)s” v%(old)d 已被巡检使用，修改已保存为新版本 v%(new)d；原版本保留。")
                % {"name": obj.name, "old": previous.version, "new": obj.version},
            )

    def has_delete_permission(self, request, obj=None):
        if obj is not None and services.template_in_use(obj):
            return False
        return super().has_delete_permission(request, obj)


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    can_delete = False
    fields = ["seq", "priority", "text", "status", "owner_name", "due_on", "issue"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class StepInline(admin.TabularInline):
    model = FollowUpStep
    extra = 0
    can_delete = False
    fields = ["kind", "starts_on", "due_on", "done_on", "done_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = InspectionEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "actor", "from_status", "to_status", "body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    """Read-only: inspections change through the product's pages."""

    list_display = ["store", "inspected_on", "inspector", "template", "status", "score"]
    list_filter = ["status", "store__region"]
    search_fields = ["store__code", "store__name"]
    list_select_related = ["store", "inspector", "template"]
    inlines = [FindingInline, StepInline, EventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ResourceRequest)
class ResourceRequestAdmin(admin.ModelAdmin):
    list_display = ["what", "kind", "department", "expected_on", "status", "inspection"]
    list_filter = ["kind", "status", "department"]
    search_fields = ["what", "inspection__store__name"]
    list_select_related = ["department", "inspection__store"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False
