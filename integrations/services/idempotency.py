"""``Idempotency-Key`` on every POST of the API (API.md "Idempotency").

The same key with the same body within 24 h answers the first reply again (same status,
same body) and changes nothing; the same key with another body (or on another path) is
answered 422. Only successful (2xx) replies are kept: a request that failed changed
nothing, and may be corrected and sent again with the same key.

Concurrent duplicates: the first request inserts its (caller, key) row and runs inside
that transaction; the second request's insert waits on the unique index until the first
commits, then fails and answers the stored reply. If the first fails instead, its row
is rolled back and the second one runs."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import IdempotencyRecord

HEADER = "Idempotency-Key"
META_KEY = "HTTP_IDEMPOTENCY_KEY"
#: Printable ASCII without spaces, 1–255 characters (a UUID is the usual choice).
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")
REPLAYED_HEADER = "Idempotent-Replayed"


class KeyReused(Exception):
    """The key was used before with another request."""


def ttl() -> dt.timedelta:
    return dt.timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)


def valid_key(key: str) -> bool:
    return bool(KEY_PATTERN.match(key or ""))


def body_hash(request) -> str:
    """A hash of what the request asks for: method, path and body. JSON is compared as
    data (key order and spacing do not matter); forms and uploads by their fields and
    the files' contents (a multipart boundary changes on every send)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    content_type = (request.content_type or "").lower()
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        for name in sorted(request.POST):
            for value in request.POST.getlist(name):
                digest.update(f"f:{name}={value}\n".encode(errors="replace"))
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                file_digest = hashlib.sha256()
                for chunk in upload.chunks():
                    file_digest.update(chunk)
                upload.seek(0)
                digest.update(f"u:{name}={upload.name}:{file_digest.hexdigest()}\n".encode())
        return digest.hexdigest()
    raw = request.body
    if "json" in content_type:
        with contextlib.suppress(ValueError):  # not JSON after all: compare the bytes
            raw = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    digest.update(raw)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.response_body),
        status=record.status_code,
        content_type=record.content_type or "application/json",
    )
    response[REPLAYED_HEADER] = "true"
    return response


def _existing(user, key: str, digest: str, now: dt.datetime) -> HttpResponse | None:
    """The stored reply for this key, or None when the key is new (or has expired)."""
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is None:
        return None
    if record.created_at <= now - ttl():
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return None
    if record.body_hash != digest:
        raise KeyReused
    return _replay(record)


def answer_once(
    *, user, key: str, digest: str, request, run: Callable[[], HttpResponse], now=None
) -> HttpResponse:
    """Run ``run()`` (the view) once for ``(user, key)``; replay its reply afterwards.
    ``digest`` is the request's ``body_hash``. Raises ``KeyReused`` for the same key with
    another request."""
    now = now or timezone.now()
    for _attempt in range(3):
        stored = _existing(user, key, digest, now)
        if stored is not None:
            return stored
        try:
            return _run_reserved(
                user=user, key=key, request=request, digest=digest, run=run, now=now
            )
        except IntegrityError:
            # A concurrent request with the same key held the key: it has committed (the
            # next lookup replays its reply) or rolled back (then this one runs).
            now = timezone.now()
    raise IntegrityError(f"idempotency key {key!r} kept changing hands")


def _run_reserved(*, user, key, request, digest, run, now) -> HttpResponse:
    with transaction.atomic():
        record = IdempotencyRecord.objects.create(
            user=user,
            key=key,
            method=request.method,
            # PostgreSQL text cannot hold NUL (a path may spell it as %00).
            path=request.path.replace("\x00", "\ufffd")[:500],
            body_hash=digest,
            created_at=now,
        )
        response = run()
        if not 200 <= response.status_code < 300 or getattr(response, "streaming", False):
            transaction.set_rollback(True)
            return response
        record.status_code = response.status_code
        record.response_body = response.content
        record.content_type = response.get("Content-Type", "")[:128]
        record.save(update_fields=["status_code", "response_body", "content_type"])
        return response


def purge(now: dt.datetime) -> int:
    """Forget keys older than 24 h."""
    deleted, _details = IdempotencyRecord.objects.filter(created_at__lt=now - ttl()).delete()
    return deleted


def reused_message() -> str:
    return _("该 Idempotency-Key 已用于另一个请求（请求体或路径不同）。")


def invalid_message() -> str:
    return _("Idempotency-Key 须为 1–255 个可见 ASCII 字符（不含空格）。")
