from django.contrib import admin

from . import admin_calendar  # noqa: F401  (SLA policies and the work calendar)
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
class EscalationLevelAdmin(admin.ModelAdmin):
    """The SLA ladder; changes apply to due times computed from now on."""

    list_display = ["percent", "audience", "active"]
    list_editable = ["audience", "active"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        enqueue_recompute(None)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        enqueue_recompute(None)


def enqueue_recompute(priority):
    """After commit, recompute open issues' due times and ladder in the worker."""
    import logging

    from django.db import transaction

    from .tasks import recompute_sla

    def send():
        try:
            recompute_sla.delay(priority)
        except Exception:  # broker down: the recompute job/command can be run by hand
            logging.getLogger(__name__).exception("could not enqueue SLA recompute")

    transaction.on_commit(send)
