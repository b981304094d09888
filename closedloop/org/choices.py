from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STORE_MANAGER = "store_manager", _("店长")
    OPS_SPECIALIST = "ops_specialist", _("运营专员")
    REGIONAL_DIRECTOR = "regional_director", _("区域总监")
    DEPARTMENT_HEAD = "department_head", _("部门负责人")
    DEPARTMENT_MEMBER = "department_member", _("部门成员")
    QUALITY_LEAD = "quality_lead", _("服务质量负责人")
    EXECUTIVE = "executive", _("高管")
    API_CLIENT = "api_client", _("接口客户端")


#: Roles that see every row of the organisation.
ALL_SEEING_ROLES = frozenset({Role.QUALITY_LEAD, Role.EXECUTIVE})
#: Roles that work at headquarters (not in a store) and are colleagues of everybody.
HQ_ROLES = frozenset(
    {
        Role.OPS_SPECIALIST,
        Role.REGIONAL_DIRECTOR,
        Role.DEPARTMENT_HEAD,
        Role.DEPARTMENT_MEMBER,
        Role.QUALITY_LEAD,
        Role.EXECUTIVE,
    }
)
DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_HEAD, Role.DEPARTMENT_MEMBER})


class StoreTier(models.TextChoices):
    A = "A", _("A 类")
    B = "B", _("B 类")
    C = "C", _("C 类")


class ApiScope(models.TextChoices):
    ISSUES_READ = "issues:read", "issues:read"
    ISSUES_WRITE = "issues:write", "issues:write"
    METRICS_WRITE = "metrics:write", "metrics:write"
    ORG_WRITE = "org:write", "org:write"
    RECTIFICATIONS_READ = "rectifications:read", "rectifications:read"
    RECTIFICATIONS_WRITE = "rectifications:write", "rectifications:write"
    REPORTS_READ = "reports:read", "reports:read"
    INSPECTIONS_READ = "inspections:read", "inspections:read"
    INSPECTIONS_WRITE = "inspections:write", "inspections:write"
    WEBHOOKS_WRITE = "webhooks:write", "webhooks:write"


def grants(scopes, scope: str) -> bool:
    """True when the set ``scopes`` grants ``scope``; ``x:write`` includes ``x:read``."""
    if scope in scopes:
        return True
    area, _sep, access = scope.partition(":")
    return access == "read" and f"{area}:write" in scopes
