from django.contrib import admin

from . import configuration
from .admin_calendar import SlaInputAdmin  # also registers the SLA policies and the calendar
from .models import (
    Attachment,
    EscalationLevel,
    Issue,
    IssueEvent,
    RoutingRule,
    SystemicIssue,
)


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "category", "keyword", "department", "order", "active"]
    list_editable = ["order", "active"]
    list_filter = ["category", "department", "active"]
    search_fields = ["keyword"]


class IssueEventInline(admin.TabularInline):
    model = IssueEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "action", "actor", "from_status", "to_status", "body", "public"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    """Read-mostly: state changes go through the service functions (the product's pages)."""

    list_display = [
        "number",
        "title",
        "store",
        "category",
        "priority",
        "status",
        "department",
        "submitted_at",
    ]
    list_filter = ["status", "priority", "category", "department", "channel"]
    search_fields = ["number", "title", "external_ref", "store__name", "store__code"]
    list_select_related = ["store", "department"]
    date_hierarchy = "submitted_at"
    inlines = [AttachmentInline, IssueEventInline]
    readonly_fields = [f.name for f in Issue._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(SystemicIssue)
class SystemicIssueAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "department", "owner", "created_at"]
    list_filter = ["status", "department"]
    search_fields = ["title"]


@admin.register(EscalationLevel)
class EscalationLevelAdmin(SlaInputAdmin):
    """The SLA ladder; changes move the ladder moments of the open issues."""

    list_display = ["percent", "audience", "active"]
    list_editable = ["audience", "active"]

    def sla_input_changed(self, objs):
        configuration.ladder_changed()
