from django.urls import path

from . import meeting_views, views

app_name = "dashboards"
urlpatterns = [
    path("", views.board, name="board"),
    path("process/", views.process, name="process"),
    path("export.xlsx", views.export, name="export"),
    path("targets/", views.targets, name="targets"),
    path("rollout/", views.rollout_view, name="rollout"),
    path("meetings/", meeting_views.meeting_list, name="meeting_list"),
    path("meetings/new/", meeting_views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/mode/", meeting_views.meeting_mode, name="meeting_mode"),
    path("meetings/<int:pk>/edit/", meeting_views.meeting_edit, name="meeting_edit"),
    path(
        "meetings/<int:pk>/attendance/",
        meeting_views.meeting_attendance,
        name="meeting_attendance",
    ),
    path(
        "meetings/<int:pk>/do/<slug:action>/",
        meeting_views.meeting_action,
        name="meeting_action",
    ),
    path("meetings/<int:pk>/decisions/", meeting_views.decision_capture, name="decision_capture"),
    path("decisions/<int:pk>/", meeting_views.decision_update, name="decision_update"),
    path("actions/", meeting_views.action_list, name="action_list"),
    path(
        "actions/<int:pk>/do/<slug:action>/",
        meeting_views.action_item_action,
        name="action_item_action",
    ),
]
