"""Notifications API (API.md): the caller's own inbox only; marking read goes through
``services.mark_read``. Another person's notification does not exist for the caller (404)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .. import services
from ..forms import NotificationFilterSet
from ..models import Notification
from . import serializers as s

NOT_FOUND = _("通知不存在。")


@extend_schema_view(
    list=extend_schema(
        responses={
            200: s.NotificationSerializer(many=True),
            400: OpenApiResponse(description=_("输入有误：按字段列出错误")),
            404: OpenApiResponse(description=_("页码无效")),
        }
    )
)
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """通知: the caller's inbox, newest first; ``read=true|false`` filters."""

    serializer_class = s.NotificationSerializer
    # Marking one's own inbox read is allowed to every signed-in caller (also read-only
    # roles): it changes nothing anyone else sees.
    permission_classes = [IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_class = NotificationFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.filter(recipient=self.request.user).order_by(
            "-created_at", "-pk"
        )

    def get_object(self):
        try:
            return super().get_object()
        except Http404 as exc:
            raise NotFound(NOT_FOUND) from exc

    @extend_schema(
        request=None,
        responses={200: s.NotificationSerializer, 404: OpenApiResponse(description=NOT_FOUND)},
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one notification read (already read: unchanged)."""
        notification = self.get_object()
        services.mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db(fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses={200: s.ReadAllResultSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark every unread notification of the caller read."""
        marked = services.mark_read(user=request.user)
        return Response(s.ReadAllResultSerializer({"marked": marked}).data)
