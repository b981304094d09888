"""Reports API (API.md ``GET /reports/``, ``GET /reports/{id}/``): read-only, rows from
``Report.objects.visible_to`` (anything else is 404), filtered by the shared FilterSet;
each report links its page (``html``), workbook (``xlsx``) and PDF (``pdf``), served
here too so that a machine client with ``reports:read`` can fetch them."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
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

FORBIDDEN = OpenApiResponse(description=_("需要 reports:read 权限"))
NOT_FOUND = OpenApiResponse(description=_("报告不存在或不在你的范围内。"))


def _file(media: str, summary):
    return extend_schema(
        summary=summary,
        responses={
            (200, media): OpenApiResponse(OpenApiTypes.BINARY),
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        filters=False,
    )


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """报告: the stored weekly and monthly reports."""

    queryset = Report.objects.none()
    permission_classes = [ScopedWrite]
    read_scope = ApiScope.REPORTS_READ
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReportFilterSet
    # Ids the database can hold (a longer number is a 404 from the URL, not an overflow).
    lookup_value_regex = r"[0-9]{1,9}"

    def get_queryset(self):
        return Report.objects.visible_to(self.request.user).select_related("region")

    def get_serializer_class(self):
        return s.ReportSerializer if self.action == "list" else s.ReportDetailSerializer

    @extend_schema(
        summary=_("报告列表"),
        responses={
            200: s.ReportSerializer(many=True),
            400: OpenApiResponse(description=_("筛选条件有误：按字段列出错误")),
            403: FORBIDDEN,
            404: OpenApiResponse(description=_("页码无效")),
        },
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary=_("报告详情（数据快照与下载链接）"),
        responses={200: s.ReportDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @_file("text/html", _("报告的可打印页面"))
    @action(detail=True, url_path="html", url_name="html")
    def html(self, request, pk=None):
        return HttpResponse(pdf.report_html(self.get_object()), content_type="text/html")

    @_file(excel.XLSX_CONTENT_TYPE, _("报告的 Excel 工作簿"))
    @action(detail=True, url_path="xlsx", url_name="xlsx")
    def xlsx(self, request, pk=None):
        report = self.get_object()
        response = HttpResponse(excel.workbook(report), content_type=excel.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename(report, "xlsx")}"'
        return response

    @_file("application/pdf", _("报告的 PDF"))
    @action(detail=True, url_path="pdf", url_name="pdf")
    def pdf(self, request, pk=None):
        report = self.get_object()
        response = HttpResponse(pdf.report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename(report, "pdf")}"'
        return response
