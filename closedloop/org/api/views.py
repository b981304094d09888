"""Organisation API: read what you may see; upsert by code (PUT) for org admins."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from closedloop.api.permissions import OrgAdminWrite, UserAdminWrite

from .. import services
from ..filtersets import StoreFilterSet, UserFilterSet
from ..models import Department, Region, Store, User
from . import serializers as s


class UpsertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List, retrieve, and PUT-as-upsert by the business key."""

    http_method_names = ["get", "put", "head", "options"]
    write_serializer_class = None
    # Subclasses define ``upsert(key, data) -> (obj, created)`` calling a service.

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)

    def update(self, request, *args, **kwargs):
        key = kwargs[self.lookup_url_kwarg or self.lookup_field]
        existing = self.get_queryset().filter(**{self.lookup_field: key}).first()
        if (
            existing is None
            and self.queryset.model.objects.filter(**{self.lookup_field: key}).exists()
        ):
            # Exists but invisible to the caller: never leak it.
            get_object_or_404(self.get_queryset(), **{self.lookup_field: key})
        writer = self.write_serializer_class(data=request.data)
        writer.is_valid(raise_exception=True)
        obj, created = self.upsert(key, writer.validated_data)
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(
            self.get_serializer(obj).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class RegionViewSet(UpsertViewSet):
    queryset = Region.objects.all()
    serializer_class = s.RegionSerializer
    write_serializer_class = s.RegionWriteSerializer
    permission_classes = [OrgAdminWrite]
    lookup_field = "code"
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]

    @extend_schema(request=s.RegionWriteSerializer, responses=s.RegionSerializer)
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    def upsert(self, key, data):
        return services.upsert_region(code=key, **data)


class DepartmentViewSet(UpsertViewSet):
    queryset = Department.objects.select_related("head")
    serializer_class = s.DepartmentSerializer
    write_serializer_class = s.DepartmentWriteSerializer
    permission_classes = [OrgAdminWrite]
    lookup_field = "code"
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]

    @extend_schema(request=s.DepartmentWriteSerializer, responses=s.DepartmentSerializer)
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    def upsert(self, key, data):
        return services.upsert_department(code=key, **data)


class StoreViewSet(UpsertViewSet):
    queryset = Store.objects.select_related("region")
    serializer_class = s.StoreSerializer
    write_serializer_class = s.StoreWriteSerializer
    permission_classes = [OrgAdminWrite]
    filterset_class = StoreFilterSet
    lookup_field = "code"
    search_fields = ["code", "name", "city"]
    ordering_fields = ["code", "name", "city", "tier", "monthly_throughput"]

    @extend_schema(request=s.StoreWriteSerializer, responses=s.StoreSerializer)
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    def upsert(self, key, data):
        return services.upsert_store(code=key, **data)


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

    @extend_schema(request=s.UserWriteSerializer, responses=s.UserSerializer)
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    def upsert(self, key, data):
        return services.upsert_user(username=key, **data)
