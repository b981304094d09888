"""Intake: a problem is submitted, numbered, routed and its clock started."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.core.numbering import format_number, next_value
from closedloop.errors import DomainError, PermissionDenied
from closedloop.org.models import Store, User

from .. import alerts, policy
from .. import notifications as notices
from ..choices import MAX_DESCRIPTION_LENGTH, NO_STATUS, Action, Category, Channel, ImpactScope
from ..models import Issue
from ..workflow import ISSUE_FLOW
from .clock import recompute_due_times
from .common import at_or_now
from .routing import route, suggest_priority
from .uploads import check_uploads, save_uploads


@transaction.atomic
def create_issue(
    *,
    submitted_by: User,
    store: Store,
    category: str,
    title: str,
    description: str,
    impact_scope: str,
    expected_resolution_date: dt.date | None = None,
    channel: str = Channel.WEB,
    external_ref: str = "",
    files: Sequence = (),
    form_token: uuid.UUID | None = None,
    at: dt.datetime | None = None,
) -> tuple[Issue, bool]:
    """Submit a problem. Returns ``(issue, created)``; a repeated ``external_ref`` from
    the same source, or a repeated ``form_token`` (the submit form's one-time token) of
    the same person, returns the existing issue and creates nothing."""
    at = at_or_now(at)
    if not policy.can(submitted_by, Action.SUBMIT, None):
        # One rule for the submit form and the API (policy.can_submit), before any input.
        raise PermissionDenied(_("你的角色不能提交问题。"))
    external_ref = (external_ref or "").strip()
    source = submitted_by.username if external_ref else ""
    if external_ref:
        existing = Issue.objects.filter(external_source=source, external_ref=external_ref).first()
        if existing is not None:
            return existing, False
    if form_token is not None:
        # Parallel posts of one form wait here for each other (until the first commits),
        # then find its issue: no duplicate, and no business number used up.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [str(form_token)]
            )
        existing = Issue.objects.filter(form_token=form_token).first()
        if existing is not None:
            if existing.submitted_by_id != submitted_by.pk:
                raise DomainError(_("提交的表单无效，请刷新页面后重试。"))
            return existing, False

    errors: dict[str, list] = {}
    if store is None or not Store.objects.visible_to(submitted_by).filter(pk=store.pk).exists():
        errors["store"] = [_("门店不存在或不在你的范围内。")]
    elif not store.active:
        errors["store"] = [_("该门店已停用。")]
    if category not in Category.values:
        errors["category"] = [_("请选择问题分类。")]
    if impact_scope not in ImpactScope.values:
        errors["impact_scope"] = [_("请选择影响范围。")]
    if channel not in Channel.values:
        errors["channel"] = [_("来源渠道无效。")]
    title = (title or "").strip()
    # Browsers count a line break as one character and send two (CRLF).
    description = (description or "").replace("\r\n", "\n").strip()
    if not title:
        errors["title"] = [_("请填写问题标题。")]
    elif len(title) > 200:
        errors["title"] = [_("标题最多 200 个字。")]
    if not description:
        errors["description"] = [_("请描述问题。")]
    elif len(description) > MAX_DESCRIPTION_LENGTH:
        errors["description"] = [
            _("问题描述最多 %(n)d 个字，现在是 %(c)d 个字。")
            % {"n": MAX_DESCRIPTION_LENGTH, "c": len(description)}
        ]
    if len(external_ref) > 64:
        errors["external_ref"] = [_("外部单号最多 64 个字符。")]
    today = timezone.localdate(at)
    if expected_resolution_date and expected_resolution_date < today:
        errors["expected_resolution_date"] = [_("期望解决日期不能早于今天。")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors=errors)
    checked = check_uploads(files)

    year = timezone.localtime(at).year
    number = format_number("ISS", year, next_value("ISS", year), 5)
    suggested = suggest_priority(impact_scope)
    issue = Issue(
        number=number,
        store=store,
        category=category,
        title=title,
        description=description,
        impact_scope=impact_scope,
        expected_resolution_date=expected_resolution_date,
        channel=channel,
        external_ref=external_ref,
        external_source=source,
        form_token=form_token,
        status=NO_STATUS,
        suggested_priority=suggested,
        suggested_department=route(category=category, title=title, description=description),
        submitted_by=submitted_by,
        submitted_at=at,
    )
    recompute_due_times(issue)
    try:
        with transaction.atomic():
            issue.save()
    except IntegrityError:
        # Two pushes of the same external_ref raced: the other one won.
        if external_ref:
            return Issue.objects.get(external_source=source, external_ref=external_ref), False
        raise
    # Saved first: the history row needs the issue's row. The kit checks the actor's
    # right to submit, moves it from nothing to 已提交 and records that.
    ISSUE_FLOW.transition(issue, action=Action.SUBMIT, actor=submitted_by, at=at)
    issue.save(update_fields=["status"])
    alerts.sync_milestones(issue)
    save_uploads(issue, checked, submitted_by, at)
    notices.submitted(issue, at)
    return issue, True
