from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Notification


class NotificationObjectSerializer(serializers.Serializer):
    """What a notification is about, addressed by its business number."""

    type = serializers.CharField(help_text=_("对象类型，如 issue"))
    ref = serializers.CharField(help_text=_("业务编号，如 ISS-2025-00012"))
    url = serializers.CharField(help_text=_("网页地址（绝对地址）"))


class NotificationSerializer(serializers.ModelSerializer):
    object = serializers.SerializerMethodField(help_text=_("关联对象；没有时为 null"))
    read = serializers.SerializerMethodField(help_text=_("是否已读"))

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "level",
            "title",
            "body",
            "object",
            "created_at",
            "read",
            "read_at",
        ]
        read_only_fields = fields

    @extend_schema_field(NotificationObjectSerializer(allow_null=True))
    def get_object(self, obj: Notification):
        if not (obj.object_type or obj.object_ref or obj.url):
            return None
        request = self.context.get("request")
        url = obj.url
        if url and request is not None:
            url = request.build_absolute_uri(url)
        return {"type": obj.object_type, "ref": obj.object_ref, "url": url}

    def get_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class ReadAllResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("本次标为已读的条数"))
