"""API tokens: issue (printed once; only its hash is stored) and revoke."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from closedloop.errors import DomainError, PermissionDenied
from closedloop.org.choices import ApiScope, Role, grants
from closedloop.org.models import Region, Store, User

from .. import policy
from ..auth import parse_rate
from ..models import ApiToken

MAX_DAYS = 3650


def _codes(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace("，", ",").split(",")
    return [str(v).strip() for v in value if str(v).strip()]


def default_scopes(user: User) -> list[str]:
    """Without ``--scopes``: a machine client's own scopes, a person's every scope (their
    role still decides what they may do)."""
    if user.role == Role.API_CLIENT and not user.is_superuser:
        return list(user.api_scopes)
    return list(ApiScope.values)


@transaction.atomic
def issue_token(
    *,
    user: User | None,
    scopes: Iterable[str] | str | None = None,
    stores: Iterable[str] | str | None = None,
    regions: Iterable[str] | str | None = None,
    days: int | None = None,
    name: str = "",
    throttle_rate: str = "",
    actor: User | None = None,
    at: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for ``user`` limited to ``scopes`` and, when given, to the stores
    and regions named by code. Returns the row and the key (shown once, never stored).
    ``actor`` is the person creating it in the product (None for the command line)."""
    if actor is not None and not policy.can_manage_tokens(actor):
        raise PermissionDenied(_("只有运营负责人可以管理接口令牌。"))
    at = at or timezone.now()
    errors: dict[str, list] = {}
    if user is None:
        errors.setdefault("user", []).append(_("请选择客户端。"))
    elif not user.is_active:
        errors.setdefault("user", []).append(_("该用户已停用。"))

    scope_list = _codes(scopes) if scopes is not None else None
    if scope_list is None and user is not None:
        scope_list = default_scopes(user)
    scope_list = list(dict.fromkeys(scope_list or []))
    unknown = [s for s in scope_list if s not in ApiScope.values]
    if unknown:
        errors.setdefault("scopes", []).append(
            _("未知的接口权限：%(s)s。") % {"s": ", ".join(unknown)}
        )
    elif not scope_list:
        errors.setdefault("scopes", []).append(_("请至少选择一个接口权限。"))
    elif user is not None and user.role == Role.API_CLIENT and not user.is_superuser:
        beyond = [s for s in scope_list if not grants(user.api_scopes, s)]
        if beyond:
            errors.setdefault("scopes", []).append(
                _("客户端本身没有这些权限：%(s)s（请先在用户的接口权限中授予）。")
                % {"s": ", ".join(beyond)}
            )

    store_codes, region_codes = _codes(stores), _codes(regions)
    store_objs = list(Store.objects.filter(code__in=store_codes))
    missing = sorted(set(store_codes) - {s.code for s in store_objs})
    if missing:
        errors.setdefault("stores", []).append(_("门店不存在：%(s)s。") % {"s": ", ".join(missing)})
    region_objs = list(Region.objects.filter(code__in=region_codes))
    missing = sorted(set(region_codes) - {r.code for r in region_objs})
    if missing:
        errors.setdefault("regions", []).append(
            _("区域不存在：%(s)s。") % {"s": ", ".join(missing)}
        )
    if (store_codes or region_codes) and ApiScope.ORG_WRITE in scope_list:
        errors.setdefault("scopes", []).append(
            _("限定门店或区域的令牌不能有 org:write（组织数据是全网的）。")
        )

    expiry = None
    if days not in (None, ""):
        try:
            days = int(days)
        except (TypeError, ValueError):
            days = 0
        if not 1 <= days <= MAX_DAYS:
            errors.setdefault("days", []).append(_("有效天数应为 1–%(n)d。") % {"n": MAX_DAYS})
        else:
            expiry = dt.timedelta(days=days)
    throttle_rate = (throttle_rate or "").strip()
    if throttle_rate:
        try:
            parse_rate(throttle_rate)
        except ValueError:
            errors.setdefault("throttle_rate", []).append(
                _("限流格式应为“次数/时间单位”，例如 600/min、10/s、5000/hour。")
            )
    name = (name or "").strip()
    if len(name) > 64:
        errors.setdefault("name", []).append(_("用途最多 64 个字。"))
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors=errors)

    instance, key = AuthToken.objects.create(user=user, expiry=expiry)
    token = ApiToken.objects.create(
        token=instance,
        user=user,
        name=name,
        prefix=instance.token_key,
        scopes=scope_list,
        throttle_rate=throttle_rate,
        created_by=actor,
        created_at=at,
        expires_at=instance.expiry,
    )
    token.stores.set(store_objs)
    token.regions.set(region_objs)
    return token, key


@transaction.atomic
def revoke_token(*, token: ApiToken, actor: User | None, at=None) -> ApiToken:
    """The key stops working at once (401); the row stays, marked revoked."""
    if actor is not None and not policy.can_manage_tokens(actor):
        raise PermissionDenied(_("只有运营负责人可以管理接口令牌。"))
    at = at or timezone.now()
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = at
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
    if token.token_id is not None:
        AuthToken.objects.filter(pk=token.token_id).delete()
        token.token_id = None
    return token
