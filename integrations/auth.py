"""Token authentication with scopes and store bounds, and throttling per token.

``ApiTokenAuthentication`` is knox's (only the key's hash is stored) plus the token's
``ApiToken`` row: it puts a ``TokenLimits`` on the user of the request, which
``User.has_scope`` and every ``visible_to`` read (closedloop.org.models). A knox token
without such a row (made before this app) keeps its user's own rights."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.throttling import SimpleRateThrottle

from closedloop.org.choices import grants

from .models import ApiToken

#: ``last_used_at`` is written at most this often per token (not on every request).
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
#: Where the authenticated result is kept on the Django request, for the second caller
#: (the idempotency middleware authenticates before DRF does).
CACHE_ATTR = "_closedloop_token_auth"


@dataclass(frozen=True)
class TokenLimits:
    """What one API token allows. ``scopes`` None: whatever its user may (an old token)."""

    key: str
    token_id: int | None = None
    scopes: frozenset[str] | None = None
    store_ids: frozenset[int] = frozenset()
    region_ids: frozenset[int] = frozenset()
    throttle_rate: str = ""

    @property
    def bound(self) -> bool:
        return bool(self.store_ids or self.region_ids)

    def allows(self, scope: str) -> bool:
        return self.scopes is None or grants(self.scopes, scope)

    def store_q(self, prefix: str = "") -> Q:
        """Stores within the bounds; ``prefix`` leads from the queried model to a store."""
        return Q(**{f"{prefix}pk__in": sorted(self.store_ids)}) | Q(
            **{f"{prefix}region_id__in": sorted(self.region_ids)}
        )


def limits_for(auth_token) -> TokenLimits:
    """The limits of a knox token (its ``ApiToken`` row, if any)."""
    grant = (
        ApiToken.objects.filter(token=auth_token)
        .prefetch_related("stores", "regions")
        .only("pk", "scopes", "throttle_rate", "revoked_at", "last_used_at")
        .first()
    )
    key = auth_token.digest[:40]
    if grant is None:
        return TokenLimits(key=key)
    if grant.revoked_at is not None:
        raise exceptions.AuthenticationFailed(_("令牌已吊销。"))
    now = timezone.now()
    if grant.last_used_at is None or now - grant.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=grant.pk).update(last_used_at=now)
    return TokenLimits(
        key=key,
        token_id=grant.pk,
        scopes=frozenset(grant.scopes),
        store_ids=frozenset(s.pk for s in grant.stores.all()),
        region_ids=frozenset(r.pk for r in grant.regions.all()),
        throttle_rate=grant.throttle_rate,
    )


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``: knox's check, then the token's scopes and bounds."""

    def authenticate(self, request):
        http = getattr(request, "_request", request)
        cached = getattr(http, CACHE_ATTR, None)
        if cached is not None:
            return cached
        result = super().authenticate(request)
        if result is not None:
            setattr(http, CACHE_ATTR, result)
        return result

    def authenticate_credentials(self, token):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("令牌无效。")) from exc
        user, auth_token = super().authenticate_credentials(token)
        user.token_limits = limits_for(auth_token)
        return user, auth_token


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per API token (429 with ``Retry-After``): the token's own rate, else
    ``API_TOKEN_THROTTLE_RATE``. Sessions are left to the user and anonymous throttles."""

    scope = "token"

    def get_rate(self):
        return settings.API_TOKEN_THROTTLE_RATE

    def allow_request(self, request, view):
        limits = getattr(request.user, "token_limits", None)
        if limits is None:
            return True
        self.rate = limits.throttle_rate or self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.token_limits.key}


def parse_rate(value: str) -> tuple[int, int]:
    """``"600/min"`` → (600, 60); raises ValueError for anything else."""
    count, _sep, period = (value or "").partition("/")
    if not count.strip().isdigit() or int(count) < 1:
        raise ValueError(value)
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(period.strip()[:1].lower())
    if seconds is None:
        raise ValueError(value)
    return int(count), seconds
