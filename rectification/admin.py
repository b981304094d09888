"""Admin: read-mostly. State changes go through the service functions (the product's
pages and the API); the admin is for looking things up and for support."""

from django.contrib import admin

from .models import Goal, Measure, Project, ProjectEvent, SignOff, TrackingAlert, TrackingLog


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class GoalInline(_ReadOnlyInline):
    model = Goal
    fields = ["order", "name", "unit", "baseline", "target", "direction", "method", "core"]
    readonly_fields = fields


class MeasureInline(_ReadOnlyInline):
    model = Measure
    fields = [
        "order",
        "text",
        "kind",
        "owner",
        "owner_name",
        "start_on",
        "deadline",
        "status",
        "progress",
    ]
    readonly_fields = fields


class SignOffInline(_ReadOnlyInline):
    model = SignOff
    fields = ["role", "user", "at"]
    readonly_fields = fields


class TrackingLogInline(_ReadOnlyInline):
    model = TrackingLog
    fields = ["date", "day", "method", "progress", "assessment", "recorder"]
    readonly_fields = fields


class EventInline(_ReadOnlyInline):
    model = ProjectEvent
    fields = ["at", "action", "actor", "from_status", "to_status", "body"]
    readonly_fields = fields


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "title",
        "store",
        "level",
        "status",
        "health",
        "progress",
        "ops_specialist",
        "next_tracking_on",
    ]
    list_filter = ["status", "health", "level", "store__region"]
    search_fields = ["number", "title", "store__name", "store__code"]
    list_select_related = ["store", "ops_specialist"]
    readonly_fields = [
        "number",
        "status",
        "health",
        "health_reasons",
        "progress",
        "kicked_off_at",
        "started_on",
        "submitted_at",
        "cancelled_at",
        "cancel_reason",
        "last_tracked_on",
        "next_tracking_on",
        "created_by",
        "created_at",
    ]
    raw_id_fields = ["store", "issue", "ops_specialist", "regional_director"]
    inlines = [GoalInline, MeasureInline, SignOffInline, TrackingLogInline, EventInline]

    def has_add_permission(self, request):
        return False  # projects are opened in the product (numbering, history)


@admin.register(TrackingAlert)
class TrackingAlertAdmin(admin.ModelAdmin):
    list_display = ["project", "kind", "due_on", "created_at"]
    list_filter = ["kind"]
    readonly_fields = ["project", "kind", "due_on", "created_at"]

    def has_add_permission(self, request):
        return False
