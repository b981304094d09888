from django.urls import path, register_converter


class IdConverter:
    """A database id: digits, at most 18 (a longer one cannot be a bigint: a 404, not
    a database error)."""

    regex = r"[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")

from . import views  # noqa: E402  (after the converter it uses is registered)

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("new/", views.inspection_new, name="new"),
    path("board/", views.improvement_board, name="board"),
    path("board/export.xlsx", views.board_export, name="board_export"),
    path("<id:pk>/", views.inspection_detail, name="detail"),
    path("<id:pk>/perform/", views.inspection_perform, name="perform"),
    path("<id:pk>/report/", views.inspection_report, name="report"),
    path("<id:pk>/report.pdf", views.inspection_report_pdf, name="report_pdf"),
    path("<id:pk>/photos/<id:photo_pk>/", views.photo_file, name="photo"),
    path("<id:pk>/do/<slug:action>/", views.inspection_action, name="action"),
    path(
        "<id:pk>/do/<slug:action>/<slug:target>/",
        views.inspection_action,
        name="target_action",
    ),
]
