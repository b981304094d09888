"""Attachments: every file is checked by its content before anything is saved."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import filetype
from django.db import transaction
from django.utils.translation import gettext as _

from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from closedloop.org.models import User

from .. import policy
from ..choices import FINISHED_STATUSES, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, EventKind
from ..models import Attachment, Issue
from ..workflow import ISSUE_FLOW
from .common import at_or_now

ALLOWED_UPLOAD_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heif",
    "application/pdf": "pdf",
}


@dataclass
class CheckedUpload:
    upload: object
    content_type: str
    size: int
    name: str


def check_uploads(files: Sequence, *, existing: int = 0) -> list[CheckedUpload]:
    """Validate every file before anything is saved: images or PDF by content (not by
    name), ≤ 10 MB each, ≤ 9 per issue."""
    files = [f for f in files if f]
    if existing + len(files) > MAX_ATTACHMENTS:
        raise DomainError(
            _("每个问题最多 %(n)d 个附件。") % {"n": MAX_ATTACHMENTS}, field="attachments"
        )
    checked = []
    for upload in files:
        name = getattr(upload, "name", "file") or "file"
        size = getattr(upload, "size", None)
        if size is None or size > MAX_ATTACHMENT_BYTES:
            raise DomainError(_("文件“%(f)s”超过 10 MB。") % {"f": name}, field="attachments")
        if size == 0:
            raise DomainError(_("文件“%(f)s”是空文件。") % {"f": name}, field="attachments")
        head = upload.read(8192)
        upload.seek(0)
        kind = filetype.guess(head)
        if kind is None or kind.mime not in ALLOWED_UPLOAD_TYPES:
            raise DomainError(_("文件“%(f)s”不是图片或 PDF。") % {"f": name}, field="attachments")
        checked.append(CheckedUpload(upload, kind.mime, size, name[-255:]))
    return checked


def save_uploads(issue: Issue, checked: Iterable[CheckedUpload], actor, at) -> list[Attachment]:
    saved = []
    for item in checked:
        attachment = Attachment(
            issue=issue,
            original_name=item.name,
            content_type=item.content_type,
            size=item.size,
            uploaded_by=actor,
        )
        extension = ALLOWED_UPLOAD_TYPES[item.content_type]
        stem = re.sub(r"[^\w.-]", "_", item.name.rsplit(".", 1)[0])[:60] or "file"
        attachment.file.save(f"{stem}.{extension}", item.upload, save=False)
        attachment.save()
        ISSUE_FLOW.record(
            issue,
            kind=EventKind.ATTACHMENT,
            actor=actor,
            at=at,
            body=item.name,
            data={"attachment": attachment.pk},
        )
        saved.append(attachment)
    return saved


@transaction.atomic
def add_attachments(*, issue: Issue, actor: User, files: Sequence, at=None) -> list[Attachment]:
    issue = ISSUE_FLOW.lock(issue)
    if not policy.can_upload(actor, issue):
        raise PermissionDenied(_("你无权为该问题上传附件。"))
    if issue.status in FINISHED_STATUSES:
        raise InvalidTransition(_("问题已结束，不能再上传附件。"))
    checked = check_uploads(files, existing=issue.attachments.count())
    if not checked:
        raise DomainError(_("请选择要上传的文件。"), field="file")
    return save_uploads(issue, checked, actor, at_or_now(at))
