from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Report


class ReportSerializer(serializers.ModelSerializer):
    """A report without its snapshot (the list)."""

    region = serializers.SerializerMethodField()
    title = serializers.CharField(read_only=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "period",
            "first_day",
            "last_day",
            "region",
            "title",
            "status",
            "generated_at",
            "published_at",
            "links",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_region(self, report) -> str | None:
        return report.region.code if report.region_id else None

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "html": {"type": "string"},
                "xlsx": {"type": "string"},
                "pdf": {"type": "string"},
            },
        }
    )
    def get_links(self, report) -> dict:
        from django.urls import reverse

        request = self.context.get("request")
        out = {}
        for fmt in ("html", "xlsx", "pdf"):
            url = reverse(f"api:report-{fmt}", kwargs={"pk": report.pk})
            out[fmt] = request.build_absolute_uri(url) if request else url
        return out


class ReportDetailSerializer(ReportSerializer):
    """A report with its frozen numbers (``data``: title, summary, sections) and the
    prose of the effect report."""

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "error", "data", "prose"]
