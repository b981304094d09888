"""Small helpers the issue services share: the moment of a change, required text, a
department by its code."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.errors import DomainError
from closedloop.org.models import Department

from ..choices import MAX_COMMENT_LENGTH


def at_or_now(at: dt.datetime | None) -> dt.datetime:
    """The moment a change happens: ``at`` when given (imports, the demo, tests), else now."""
    return at or timezone.now()


def required_text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(message, field=field)
    return limited_text(text, field)


def limited_text(value: str | None, field: str, limit: int = MAX_COMMENT_LENGTH) -> str:
    """``value`` stripped, line breaks as browsers count them (one character, not CRLF);
    refused when longer than ``limit`` characters."""
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise DomainError(
            _("最多 %(n)d 个字，现在是 %(c)d 个字。") % {"n": limit, "c": len(text)}, field=field
        )
    return text


def find_department(code_or_obj) -> Department | None:
    if code_or_obj in (None, ""):
        return None
    if isinstance(code_or_obj, Department):
        return code_or_obj
    department = Department.objects.filter(code=str(code_or_obj)).first()
    if department is None:
        raise DomainError(_("部门“%(d)s”不存在。") % {"d": code_or_obj}, field="department")
    return department
