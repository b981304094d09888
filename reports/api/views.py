"""Reports API (API.md ``GET /reports/``, ``GET /reports/{id}/``): read-only, rows from
``Report.objects.visible_to`` (anything else is 404), filtered by the shared FilterSet;
each report links its page (``html``), workbook (``xlsx``) and PDF (``pdf``), served
here too so that a machine client with ``reports:read`` can fetch them."""

from __future__ import annotations

from django.http import HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action

from closedloop.api.permissions import ScopedWrite
from closedloop.org.choices import ApiScope

from .. import excel, pdf
from ..filtersets import ReportFilterSet
from ..models import Report
from ..views import filename
from . import serializers as s


def _file(media: str):
    return extend_schema(
        responses={(200, media): OpenApiResponse(OpenApiTypes.BINARY), 404: None},
        filters=False,
    )


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """报告: the stored weekly and monthly reports."""

    queryset = Report.objects.none()
    permission_classes = [ScopedWrite]
    read_scope = ApiScope.REPORTS_READ
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReportFilterSet

    def get_queryset(self):
        return Report.objects.visible_to(self.request.user).select_related("region")

    def get_serializer_class(self):
        return s.ReportSerializer if self.action == "list" else s.ReportDetailSerializer

    @_file("text/html")
    @action(detail=True, url_path="html", url_name="html")
    def html(self, request, pk=None):
        return HttpResponse(pdf.report_html(self.get_object()), content_type="text/html")

    @_file(excel.XLSX_CONTENT_TYPE)
    @action(detail=True, url_path="xlsx", url_name="xlsx")
    def xlsx(self, request, pk=None):
        report = self.get_object()
        response = HttpResponse(excel.workbook(report), content_type=excel.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename(report, "xlsx")}"'
        return response

    @_file("application/pdf")
    @action(detail=True, url_path="pdf", url_name="pdf")
    def pdf(self, request, pk=None):
        report = self.get_object()
        response = HttpResponse(pdf.report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename(report, "pdf")}"'
        return response
