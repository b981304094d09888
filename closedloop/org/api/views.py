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
from ..filtersets import DepartmentFilterSet, RegionFilterSet, StoreFilterSet, UserFilterSet
from ..models import Department, Region, Store, User
from . import serializers as s

BAD_INPUT = OpenApiResponse(description=_("输入有误：按字段列出错误"))
FORBIDDEN = OpenApiResponse(description=_("无权访问"))
NOT_FOUND = OpenApiResponse(description=_("对象不存在或不在你的范围内。"))
BAD_PAGE = OpenApiResponse(description=_("页码无效"))


def serialized(read, write):
    """Class decorator: the viewset reads with ``read`` and upserts with ``write``, and
    OpenAPI lists the replies each operation may give (API.md "Errors")."""
    schema = extend_schema_view(
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

    def decorate(viewset):
        viewset.serializer_class = read
        viewset.write_serializer_class = write
        return schema(viewset)

    return decorate


class UpsertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List, retrieve, and PUT-as-upsert by the business key."""

    http_method_names = ["get", "put", "head", "options"]
    write_serializer_class = None
    #: The service that upserts by the business key: ``(**{lookup_field: key}, **data)
    #: -> (obj, created)``.
    upsert_service = None

    def upsert(self, key, data):
        return type(self).upsert_service(**{self.lookup_field: key}, **data)

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


class ByCodeViewSet(UpsertViewSet):
    """Organisation units addressed by their ``code``, written by org admins."""

    permission_classes = [OrgAdminWrite]
    lookup_field = "code"
    ordering_fields = ["code", "name"]


@serialized(s.RegionSerializer, s.RegionWriteSerializer)
class RegionViewSet(ByCodeViewSet):
    queryset = Region.objects.all()
    filterset_class = RegionFilterSet
    upsert_service = staticmethod(services.upsert_region)


@serialized(s.DepartmentSerializer, s.DepartmentWriteSerializer)
class DepartmentViewSet(ByCodeViewSet):
    queryset = Department.objects.select_related("head")
    filterset_class = DepartmentFilterSet
    upsert_service = staticmethod(services.upsert_department)


@serialized(s.StoreSerializer, s.StoreWriteSerializer)
class StoreViewSet(ByCodeViewSet):
    queryset = Store.objects.select_related("region")
    filterset_class = StoreFilterSet
    ordering_fields = ["code", "name", "city", "tier", "monthly_throughput"]
    upsert_service = staticmethod(services.upsert_store)


@serialized(s.UserSerializer, s.UserWriteSerializer)
class UserViewSet(UpsertViewSet):
    queryset = User.objects.select_related("store", "region", "department").prefetch_related(
        "stores"
    )
    permission_classes = [UserAdminWrite]
    filterset_class = UserFilterSet
    lookup_field = "username"
    lookup_value_regex = r"[\w.@+-]+"
    ordering_fields = ["username", "display_name", "role"]

    def upsert(self, key, data):
        return services.upsert_user(username=key, actor=self.request.user, **data)
