from rest_framework import serializers

from ..choices import ApiScope, Role, StoreTier
from ..models import Department, Region, Store, User


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name"]


class RegionWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)


class DepartmentSerializer(serializers.ModelSerializer):
    head = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Department
        fields = ["code", "name", "head"]


class DepartmentWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    head = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class StoreSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Store
        fields = [
            "code",
            "name",
            "city",
            "region",
            "region_name",
            "tier",
            "monthly_throughput",
            "rollout_batch",
            "go_live_date",
            "active",
        ]


class StoreWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=128)
    city = serializers.CharField(max_length=64)
    region = serializers.CharField(max_length=64, help_text="region code")
    tier = serializers.ChoiceField(choices=StoreTier.choices)
    # The column is a PositiveIntegerField: anything larger would be a database error.
    monthly_throughput = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, default=0
    )
    rollout_batch = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default=""
    )
    go_live_date = serializers.DateField(required=False, allow_null=True, default=None)
    active = serializers.BooleanField(required=False, default=True)


class UserSerializer(serializers.ModelSerializer):
    # The FKs are nullable (which one is set depends on the role): say so in OpenAPI.
    store = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    stores = serializers.SlugRelatedField(slug_field="code", read_only=True, many=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = User
        fields = [
            "username",
            "display_name",
            "email",
            "role",
            "store",
            "stores",
            "region",
            "department",
            "active",
        ]


class UserWriteSerializer(serializers.Serializer):
    display_name = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices)
    store = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    stores = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    region = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    department = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    active = serializers.BooleanField(required=False, default=True)
    password = serializers.CharField(
        required=False, allow_blank=True, write_only=True, style={"input_type": "password"}
    )
    api_scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=ApiScope.choices), required=False, default=list
    )
