from django.contrib import admin

from .models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("kind", "period", "region", "status", "generated_at", "failures")
    list_filter = ("kind", "status", "region")
    search_fields = ("period",)
    readonly_fields = ("data", "generated_at", "published_at", "published_by", "error", "failures")
