"""Organisation and people: regions, stores, departments, users with role and scope.

Who may see which row is answered here, and only here: ``visible_to(user)`` on each
model's queryset. Every later page, export and API endpoint starts from it.
"""

from __future__ import annotations

import pghistory
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import (
    ALL_SEEING_ROLES,
    DEPARTMENT_ROLES,
    HQ_ROLES,
    ApiScope,
    Role,
    StoreTier,
    grants,
)


def token_limits(user):
    """What the API token of the current request allows, or None (a session, or a call
    from code). The token authentication (``integrations.auth``) puts it on the user of
    that one request: its scopes (``allows(scope)``) and the stores and regions it is
    bound to (``bound``, ``store_q(prefix)``)."""
    return getattr(user, "token_limits", None)


def token_bound(user) -> bool:
    """True when the request's token is bound to certain stores or regions."""
    limits = token_limits(user)
    return bool(limits is not None and limits.bound)


def within_token_bounds(queryset, user, prefix: str = ""):
    """``queryset`` narrowed to the stores the request's token is bound to (``prefix`` is
    the path to the store, e.g. ``"store__"``); unchanged without such a token."""
    limits = token_limits(user)
    if limits is None or not limits.bound:
        return queryset
    return queryset.filter(limits.store_q(prefix))


def sees_everything_by_role(user) -> bool:
    """Quality lead, executive, superuser and machine clients see every organisation row
    by their role (``visible_to`` then applies the request's token bounds)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in ALL_SEEING_ROLES or user.role == Role.API_CLIENT)
    )


def sees_everything(user) -> bool:
    """Sees every row by role, and the request's API token is not bound to stores."""
    return sees_everything_by_role(user) and not token_bound(user)


class RegionQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Regions are reference data every signed-in person may read.
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self


@pghistory.track()
class Region(models.Model):
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("区域")
        verbose_name_plural = _("区域")

    def __str__(self):
        return self.name


class DepartmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self


@pghistory.track()
class Department(models.Model):
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    head = models.ForeignKey(
        "org.User",
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self):
        return self.name


class StoreQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The stores ``user`` may see (DOMAIN.md §2), within the request's token bounds."""
        return within_token_bounds(self._visible_by_role(user), user)

    def _visible_by_role(self, user):
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if sees_everything_by_role(user) or user.role in DEPARTMENT_ROLES:
            # Departments serve the whole network; the store directory is theirs to read.
            return self
        if user.role == Role.STORE_MANAGER:
            return self.filter(pk=user.store_id) if user.store_id else self.none()
        if user.role == Role.OPS_SPECIALIST:
            return self.filter(ops_specialists=user)
        if user.role == Role.REGIONAL_DIRECTOR:
            return self.filter(region_id=user.region_id) if user.region_id else self.none()
        return self.none()


@pghistory.track()
class Store(models.Model):
    code = models.CharField(_("门店编码"), max_length=32, unique=True)
    name = models.CharField(_("门店名称"), max_length=128)
    city = models.CharField(_("城市"), max_length=64)
    region = models.ForeignKey(
        Region, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="stores"
    )
    tier = models.CharField(_("门店分层"), max_length=1, choices=StoreTier.choices)
    monthly_throughput = models.PositiveIntegerField(
        _("月均进厂台次"), default=0, validators=[MinValueValidator(0)]
    )
    rollout_batch = models.CharField(_("推广批次"), max_length=32, blank=True)
    go_live_date = models.DateField(_("上线日期"), null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    objects = StoreQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("门店")
        verbose_name_plural = _("门店")
        indexes = [models.Index(fields=["region", "tier"])]

    def __str__(self):
        return self.name


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The people ``user`` may see: themselves, headquarters colleagues, and the
        staff of the stores they may see."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if sees_everything(user):
            return self
        return self.filter(
            Q(pk=user.pk)
            | Q(role__in=HQ_ROLES)
            | Q(store__in=Store.objects.visible_to(user).values("pk"))
        )


class CustomUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person (or a machine client) with one role and the scope that role needs."""

    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    role = models.CharField(
        _("角色"), max_length=32, choices=Role.choices, default=Role.STORE_MANAGER
    )
    store = models.ForeignKey(
        Store,
        verbose_name=_("所属门店"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    stores = models.ManyToManyField(
        Store, verbose_name=_("负责门店"), blank=True, related_name="ops_specialists"
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    language = models.CharField(
        _("界面语言"),
        max_length=8,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        default="zh-hans",
    )
    api_scopes = ArrayField(
        models.CharField(max_length=32, choices=ApiScope.choices),
        verbose_name=_("接口权限"),
        default=list,
        blank=True,
    )

    objects = CustomUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.display_name or self.username

    @property
    def sees_everything(self) -> bool:
        return sees_everything(self)

    @property
    def is_read_only(self) -> bool:
        return self.role == Role.EXECUTIVE and not self.is_superuser

    def has_scope(self, scope: str) -> bool:
        """May this request use ``scope``? An API token narrows what its user may do to
        the token's scopes; a machine client never exceeds its own ``api_scopes``."""
        limits = token_limits(self)
        if limits is not None and not limits.allows(scope):
            return False
        if self.is_superuser:
            return True
        if self.role == Role.API_CLIENT:
            return grants(self.api_scopes, scope)
        return True
