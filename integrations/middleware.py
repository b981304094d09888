"""``Idempotency-Key`` for every POST under ``/api/v1/`` (services/idempotency.py).

The key belongs to the caller, so the caller is identified first: by the API token (the
same authentication DRF then reuses, not repeats) or by the session. A request that
cannot be authenticated is passed on untouched: the API answers it 401 itself."""

from __future__ import annotations

import json

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from rest_framework import exceptions

from .auth import ApiTokenAuthentication
from .services import idempotency

API_PREFIX = "/api/v1/"


def _json(status: int, body: dict) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/json"
    )


def _caller(request):
    try:
        result = ApiTokenAuthentication().authenticate(request)
    except exceptions.APIException:
        return None
    if result is not None:
        return result[0]
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(idempotency.META_KEY)
        if key is None or request.method != "POST" or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if not idempotency.valid_key(key):
            return _json(400, {"detail": idempotency.invalid_message(), "code": "invalid_key"})
        user = _caller(request)
        if user is None:
            return self.get_response(request)
        try:
            digest = idempotency.body_hash(request)
        except (
            MultiPartParserError,
            RequestDataTooBig,
            TooManyFieldsSent,
            TooManyFilesSent,
            UnreadablePostError,
        ) as exc:
            return _json(400, {"detail": _("无法读取请求体：%(e)s") % {"e": exc}})
        try:
            return idempotency.answer_once(
                user=user,
                key=key,
                digest=digest,
                request=request,
                run=lambda: self.get_response(request),
            )
        except idempotency.KeyReused:
            return _json(
                422, {"detail": idempotency.reused_message(), "code": "idempotency_key_reused"}
            )
