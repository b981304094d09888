from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Department, Region, Store, User


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "head"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["head"]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "city", "region", "tier", "monthly_throughput", "active"]
    list_filter = ["region", "tier", "active", "rollout_batch"]
    search_fields = ["code", "name", "city"]
    list_select_related = ["region"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "display_name",
        "role",
        "store",
        "region",
        "department",
        "is_active",
    ]
    list_filter = ["role", "is_active", "region", "department"]
    search_fields = ["username", "display_name", "email"]
    list_select_related = ["store", "region", "department"]
    autocomplete_fields = ["store", "stores", "region", "department"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            _("角色与范围"),
            {
                "fields": (
                    "display_name",
                    "role",
                    "store",
                    "stores",
                    "region",
                    "department",
                    "language",
                    "api_scopes",
                )
            },
        ),
    )
