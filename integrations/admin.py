from django.contrib import admin

from .models import ApiToken, MetricDefinition, WebhookSubscription


@admin.register(MetricDefinition)
class MetricDefinitionAdmin(admin.ModelAdmin):
    """The quality lead edits the store metrics and their alert thresholds here."""

    list_display = [
        "code",
        "name",
        "unit",
        "direction",
        "threshold",
        "consecutive_days",
        "issue_category",
        "active",
        "order",
    ]
    list_editable = ["threshold", "consecutive_days", "active", "order"]
    list_filter = ["direction", "active"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        # The code is what the DMS sends: fixed once readings may refer to it.
        return ["code"] if obj is not None else []


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: tokens are made and revoked on the integration page (or the command)."""

    list_display = [
        "prefix",
        "user",
        "name",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "user__username", "name"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["url", "owner", "active", "consecutive_failures", "disabled_at", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "owner__username"]
    list_select_related = ["owner"]
    exclude = ["secret"]
    readonly_fields = ["owner", "stores", "regions", "consecutive_failures", "disabled_at"]
