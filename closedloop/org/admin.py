from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from . import services
from .choices import Role
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

    # Only a superuser grants admin rights (closedloop.org.services.can_change_user).
    privilege_fields = ("is_staff", "is_superuser", "groups", "user_permissions")

    def has_change_permission(self, request, obj=None):
        if obj is not None and not services.can_change_user(actor=request.user, target=obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not services.can_change_user(actor=request.user, target=obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in self.privilege_fields if f not in fields]
        return fields

    def save_model(self, request, obj, form, change):
        before = User.objects.get(pk=obj.pk) if change else None
        staff_after = obj.is_staff or obj.is_superuser or obj.role == Role.QUALITY_LEAD
        if not services.can_change_user(actor=request.user, target=before, staff_after=staff_after):
            raise PermissionDenied
        super().save_model(request, obj, form, change)
