"""Helpers to drive issues through their life in tests, via the service functions."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from issues import services

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(*args) -> dt.datetime:
    """An aware datetime in Asia/Shanghai: at(2026, 11, 23, 10, 0)."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


def png(name="photo.png", size=(40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def new_issue(cast, *, who=None, store=None, when=None, **fields):
    data = {
        "category": "system",
        "title": "DMS 工单流转缓慢",
        "description": "开单后要等 5 分钟才能派工，客户排队。",
        "impact_scope": "store",
    }
    data.update(fields)
    issue, _created = services.create_issue(
        submitted_by=who or cast.manager,
        store=store or cast.org.hangzhou,
        at=when or timezone.now(),
        **data,
    )
    return issue


def to_triaged(cast, issue, when=None, priority="P1"):
    return services.triage(issue=issue, actor=cast.ops, priority=priority, department="IT", at=when)


def to_in_progress(cast, issue, when=None):
    issue = to_triaged(cast, issue, when)
    return services.accept(issue=issue, actor=cast.head, at=when)


def to_resolved(cast, issue, when=None):
    issue = to_in_progress(cast, issue, when)
    return services.resolve(issue=issue, actor=cast.head, resolution="已优化派工流程", at=when)
