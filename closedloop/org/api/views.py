"""Organisation API: read what you may see; upsert by code (PUT) for org admins."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from closedloop.api.permissions import OrgAdminWrite, UserAdminWrite

from .. import services
from ..filtersets import StoreFilterSet, UserFilterSet
from ..models import Department, Region, Store, User
from . import serializers as s

BAD_INPUT = OpenApiResponse(description=_("输入有误：按字段列出错误"))
FORBIDDEN = OpenApiResponse(description=_("无权访问"))
NOT_FOUND = OpenApiResponse(description=_("对象不存在或不在你的范围内。"))
BAD_PAGE = OpenApiResponse(description=_("页码无效"))


def documented(read, write):
    """The replies each operation may give (API.md "Errors"), for OpenAPI."""
    return extend_schema_view(
        list=extend_schema(responses={200: read(many=True), 400: BAD_INPUT, 404: BAD_PAGE}),
        retrieve=extend_schema(responses={200: read, 404: NOT_FOUND}),
        update=extend_schema(
            request=write,
            responses={
                200: read,
                201: read,
                400: BAD_INPUT,
                403: FORBIDDEN,
                404: NOT_FOUND,
            },
        ),
    )


class UpsertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List, retrieve, and PUT-as-upsert by the business key."""

    http_method_names = ["get", "put", "head", "options"]
    write_serializer_class = None
    # Subclasses define ``upsert(key, data) -> (obj, created)`` calling a service.

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)

    def update(self, request, *args, **kwargs):
        key = kwargs[self.lookup_url_kwarg or self.lookup_field]
        try:
            # PostgreSQL text cannot hold NUL: looking such a key up would be a 500.
            ProhibitNullCharactersValidator()(key)
        except DjangoValidationError as exc:
            raise ValidationError({self.lookup_field: exc.messages}) from exc
        if key != key.strip():
            # The services strip keys: " HZ001" must not reach HZ001 past the check below.
            raise ValidationError({self.lookup_field: [_("编码前后不能有空格。")]})
        visible = self.get_queryset().filter(**{self.lookup_field: key}).exists()
        if not visible and self.queryset.model.objects.filter(**{self.lookup_field: key}).exists():
            raise Http404  # exists but invisible to the caller: never leak it
        writer = self.write_serializer_class(data=request.data)
        writer.is_valid(raise_exception=True)
        obj, created = self.upsert(key, writer.validated_data)
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(
            self.get_serializer(obj).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


@documented(s.RegionSerializer, s.RegionWriteSerializer)
class RegionViewSet(UpsertViewSet):
    queryset = Region.objects.all()
    serializer_class = s.RegionSerializer
    write_serializer_class = s.RegionWriteSerializer
    permission_classes = [OrgAdminWrite]
    lookup_field = "code"
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]

    def upsert(self, key, data):
        return services.upsert_region(code=key, **data)


@documented(s.DepartmentSerializer, s.DepartmentWriteSerializer)
class DepartmentViewSet(UpsertViewSet):
    queryset = Department.objects.select_related("head")
    serializer_class = s.DepartmentSerializer
    write_serializer_class = s.DepartmentWriteSerializer
    permission_classes = [OrgAdminWrite]
    lookup_field = "code"
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]

    def upsert(self, key, data):
        return services.upsert_department(code=key, **data)


@documented(s.StoreSerializer, s.StoreWriteSerializer)
class StoreViewSet(UpsertViewSet):
    queryset = Store.objects.select_related("region")
    serializer_class = s.StoreSerializer
    write_serializer_class = s.StoreWriteSerializer
    permission_classes = [OrgAdminWrite]
    filterset_class = StoreFilterSet
    lookup_field = "code"
    search_fields = ["code", "name", "city"]
    ordering_fields = ["code", "name", "city", "tier", "monthly_throughput"]

    def upsert(self, key, data):
        return services.upsert_store(code=key, **data)


@documented(s.UserSerializer, s.UserWriteSerializer)
class UserViewSet(UpsertViewSet):
    queryset = User.objects.select_related("store", "region", "department").prefetch_related(
        "stores"
    )
    serializer_class = s.UserSerializer
    write_serializer_class = s.UserWriteSerializer
    permission_classes = [UserAdminWrite]
    filterset_class = UserFilterSet
    lookup_field = "username"
    lookup_value_regex = r"[\w.@+-]+"
    search_fields = ["username", "display_name", "email"]
    ordering_fields = ["username", "display_name", "role"]

    def upsert(self, key, data):
        return services.upsert_user(username=key, actor=self.request.user, **data)
