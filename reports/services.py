"""Generating, editing and publishing reports (DOMAIN.md §9).

- :func:`generate` computes one report (kind, period, region) and stores its snapshot;
  the same kind, period and region again replaces the row's snapshot, never adds one.
  The weekly report and the monthly rectification summary are published at once; the
  monthly effect report waits as a draft for the quality lead, who edits its prose and
  publishes it (:func:`publish`). A published effect report is kept as published.
- :func:`generate_all` runs one kind for the nation and every region; a failure is
  recorded on the report's row (status 生成失败, the error, how many times in a row), the
  quality lead is told, and the run raises :class:`ReportsFailed` so that the Celery task
  retries with backoff (``closedloop.run_job``); a later success clears the failure.
- Publishing tells the subscribers (:func:`subscribers`) through
  ``notifications.services.notify`` — inbox, e-mail or digest, with the page, Excel and
  PDF links — and emits the ``report.published`` webhook.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.apps import apps
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from closedloop.notifications.choices import Level
from closedloop.notifications.services import Message, notify
from closedloop.org.choices import Role
from closedloop.org.models import Region, User
from dashboards import periods
from dashboards.choices import PeriodKind

from . import policy, sections
from .choices import MONTHLY_KINDS, REVIEWED_KINDS, Kind, Status
from .models import Report
from .snapshot import num

logger = logging.getLogger(__name__)

BUILDERS = {
    Kind.WEEKLY: sections.weekly,
    Kind.MONTHLY_EFFECT: sections.effect,
    Kind.MONTHLY_RECTIFICATION: sections.rectification_summary,
}
#: The editable prose of the effect report: key → longest text.
PROSE_KEYS = ("highlights", "root_causes", "short_term", "mid_term", "next_focus")
PROSE_MAX = 4000


class ReportsFailed(RuntimeError):
    """Some reports of a run could not be generated (the run is retried)."""


def period_kind(kind: str) -> str:
    return PeriodKind.MONTH if kind in MONTHLY_KINDS else PeriodKind.WEEK


def period_for(kind: str, code: str) -> periods.Period:
    """The period a report's code names (``2025-11`` or ``2025-W47``); a code of the
    wrong shape for the kind is a ``DomainError`` on ``period``."""
    name = "period" if kind in MONTHLY_KINDS else "week"
    try:
        return periods.parse({name: code})
    except DomainError as exc:
        raise DomainError(exc.message, field="period") from exc


def title_of(kind: str, period: periods.Period, region) -> str:
    where = region.name if region is not None else _("全国")
    return _("%(kind)s · %(period)s · %(where)s") % {
        "kind": Kind(kind).label,
        "period": period.label,
        "where": where,
    }


def _plain(value):
    """A summary value as JSON (Decimals to floats; lists and strings as they are)."""
    if isinstance(value, list):
        return [str(v) for v in value]
    return value if isinstance(value, str) else num(value)


# --- generating ---------------------------------------------------------------------------


def generate(
    *, kind: str, period: periods.Period, region=None, now: dt.datetime | None = None
) -> Report:
    """Compute and store one report; replaces the snapshot of an existing row. Returns
    the row (published at once, or a draft for the quality lead to review)."""
    now = now or timezone.now()
    if kind not in Kind.values:
        raise DomainError(_("报告类型无效。"), field="kind")
    if period.kind != period_kind(kind):
        raise DomainError(_("报告期与报告类型不符。"), field="period")
    with transaction.atomic():
        report, _created = Report.objects.select_for_update().get_or_create(
            kind=kind,
            period=period.code,
            region=region,
            defaults={"first_day": period.first_day, "last_day": period.last_day},
        )
        if kind in REVIEWED_KINDS and report.status == Status.PUBLISHED:
            return report  # what was published stays as published
        content = BUILDERS[kind](sections.Scope(region), period, now=now)
        old_prefill = report.data.get("prose_prefill")
        report.data = {
            "title": title_of(kind, period, region),
            "kind": kind,
            "period": period.code,
            "period_label": period.label,
            "first_day": period.first_day.isoformat(),
            "last_day": period.last_day.isoformat(),
            "region": region.code if region is not None else None,
            "region_label": region.name if region is not None else _("全国"),
            "generated_at": timezone.localtime(now).isoformat(),
            "summary": {k: _plain(v) for k, v in content["summary"].items()},
            "sections": content["sections"],
        }
        if "prose" in content:
            prefill = {k: str(v) for k, v in content["prose"].items()}
            report.data["prose_prefill"] = prefill
            # The quality lead's edits survive a regeneration; untouched prose follows
            # the new numbers.
            if not report.prose or report.prose == old_prefill:
                report.prose = prefill
        report.first_day, report.last_day = period.first_day, period.last_day
        report.generated_at = now
        report.error, report.failures = "", 0
        was_published = report.status == Status.PUBLISHED
        if kind in REVIEWED_KINDS:
            report.status = Status.DRAFT
        else:
            report.status = Status.PUBLISHED
            report.published_at = report.published_at if was_published else now
        report.save()
        if report.status == Status.PUBLISHED:
            announce(report, at=now)
        else:
            _tell_lead_to_review(report, at=now)
    return report


def scopes() -> list:
    """The nation (None) and every region, in code order."""
    return [None, *Region.objects.order_by("code")]


def generate_all(kind: str, period: periods.Period, *, now: dt.datetime | None = None) -> dict:
    """The national report and each region's; failures recorded and then raised."""
    now = now or timezone.now()
    done, failed = [], []
    for region in scopes():
        where = region.code if region is not None else "national"
        try:
            report = generate(kind=kind, period=period, region=region, now=now)
        except Exception as exc:  # recorded for the quality lead, then retried
            logger.exception("report %s %s %s failed", kind, period.code, where)
            record_failure(kind=kind, period=period, region=region, error=exc, now=now)
            failed.append(where)
        else:
            done.append(report.pk)
    if failed:
        raise ReportsFailed(f"{kind} {period.code}: failed for {', '.join(failed)}")
    return {"kind": kind, "period": period.code, "reports": done}


def retry_failed(kinds, *, now: dt.datetime | None = None) -> list[int]:
    """Generate again the reports of ``kinds`` whose last run failed (the daily monthly
    run does this when it is not the first working day: a month's reports whose retries
    all failed still get made). Raises :class:`ReportsFailed` if one fails again."""
    now = now or timezone.now()
    done, failed = [], []
    for report in Report.objects.filter(kind__in=kinds, status=Status.FAILED).select_related(
        "region"
    ):
        period = period_for(report.kind, report.period)
        try:
            generate(kind=report.kind, period=period, region=report.region, now=now)
        except Exception as exc:
            logger.exception("report %s failed again", report.pk)
            record_failure(
                kind=report.kind, period=period, region=report.region, error=exc, now=now
            )
            failed.append(str(report.pk))
        else:
            done.append(report.pk)
    if failed:
        raise ReportsFailed(f"failed again: {', '.join(failed)}")
    return done


def record_failure(*, kind, period, region, error: Exception, now: dt.datetime) -> Report:
    """Mark the report's row failed (a published one keeps its snapshot and status) and
    tell the quality lead, once per report and run."""
    with transaction.atomic():
        report, _created = Report.objects.select_for_update().get_or_create(
            kind=kind,
            period=period.code,
            region=region,
            defaults={
                "first_day": period.first_day,
                "last_day": period.last_day,
                "data": {"title": title_of(kind, period, region)},
            },
        )
        if report.status != Status.PUBLISHED:
            report.status = Status.FAILED
        report.error = f"{type(error).__name__}: {error}"[:2000]
        report.failures += 1
        report.save()
        notify(
            recipients=_leads(),
            message=Message(
                kind="report_failed",
                level=Level.WARNING,
                title=_("报告生成失败：%(t)s") % {"t": report.title},
                body=_("第 %(n)d 次失败，系统将自动重试。原因：%(e)s")
                % {"n": report.failures, "e": report.error},
                object_type="report",
                object_ref=str(report.pk),
                url=report.get_absolute_url(),
                dedupe_key=f"report_failed:{report.pk}:{report.failures}",
            ),
            at=now,
        )
    return report


# --- editing and publishing ---------------------------------------------------------------


def edit_prose(*, actor, report: Report, prose: dict) -> Report:
    """The quality lead's text of the effect report's sections (draft only)."""
    if not policy.can_edit(actor):
        raise PermissionDenied(_("只有运营负责人可以编辑报告。"))
    if report.kind not in REVIEWED_KINDS:
        raise DomainError(_("该报告没有可编辑的文字部分。"))
    errors = {}
    cleaned = {}
    for key in PROSE_KEYS:
        text = str(prose.get(key, report.prose.get(key, "")) or "").strip()
        if len(text) > PROSE_MAX:
            errors[key] = [_("最多 %(n)d 个字。") % {"n": PROSE_MAX}]
        cleaned[key] = text
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors=errors)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != Status.DRAFT:
            raise InvalidTransition(_("只有草稿状态的报告可以编辑。"))
        report.prose = cleaned
        report.save(update_fields=["prose", "updated_at"])
    return report


def publish(*, actor, report: Report, at: dt.datetime | None = None) -> Report:
    """草稿 → 已发布, by the quality lead; the subscribers are told."""
    at = at or timezone.now()
    if not policy.can_edit(actor):
        raise PermissionDenied(_("只有运营负责人可以发布报告。"))
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != Status.DRAFT:
            raise InvalidTransition(_("只有草稿状态的报告可以发布。"))
        report.status = Status.PUBLISHED
        report.published_at = at
        report.published_by = actor
        report.save(update_fields=["status", "published_at", "published_by", "updated_at"])
        announce(report, at=at)
    return report


def regenerate(*, actor, report: Report, at: dt.datetime | None = None) -> Report:
    """The quality lead regenerates a report now (after a failure, or a late fix)."""
    if not policy.can_edit(actor):
        raise PermissionDenied(_("只有运营负责人可以重新生成报告。"))
    period = period_for(report.kind, report.period)
    return generate(kind=report.kind, period=period, region=report.region, now=at)


# --- telling people -----------------------------------------------------------------------


def _leads():
    return User.objects.filter(role=Role.QUALITY_LEAD, is_active=True)


def subscribers(report: Report) -> list[User]:
    """Who is told that a report is out: for the national report, the quality lead and
    the executives (they run and read the network); for a region's cut, that region's
    directors only — each reads their own region, and the national report already goes
    to headquarters (telling the quality lead of every regional cut would be noise)."""
    if report.region_id is None:
        people = User.objects.filter(role__in=[Role.QUALITY_LEAD, Role.EXECUTIVE], is_active=True)
    else:
        people = User.objects.filter(
            role=Role.REGIONAL_DIRECTOR, region_id=report.region_id, is_active=True
        )
    return list(people.order_by("pk"))


def links(report: Report) -> dict[str, str]:
    return {
        "html": reverse("reports:detail", kwargs={"pk": report.pk}),
        "xlsx": reverse("reports:xlsx", kwargs={"pk": report.pk}),
        "pdf": reverse("reports:pdf", kwargs={"pk": report.pk}),
    }


def announce(report: Report, *, at: dt.datetime) -> None:
    """Tell the subscribers (once per report) and emit ``report.published``."""
    urls = links(report)
    notify(
        recipients=subscribers(report),
        message=Message(
            kind="report_published",
            title=_("报告已发布：%(t)s") % {"t": report.title},
            body=_("查看：%(html)s\nExcel：%(xlsx)s\nPDF：%(pdf)s") % urls,
            object_type="report",
            object_ref=str(report.pk),
            url=urls["html"],
            dedupe_key=f"report_published:{report.pk}",
        ),
        at=at,
    )
    if apps.is_installed("integrations"):
        from integrations.services.webhooks import emit

        emit(
            "report.published",
            {
                "id": report.pk,
                "kind": report.kind,
                "period": report.period,
                "region": report.data.get("region"),
                "title": report.title,
                "links": {
                    "html": reverse("api:report-html", kwargs={"pk": report.pk}),
                    "xlsx": reverse("api:report-xlsx", kwargs={"pk": report.pk}),
                    "pdf": reverse("api:report-pdf", kwargs={"pk": report.pk}),
                },
            },
            at=at,
        )


def _tell_lead_to_review(report: Report, *, at: dt.datetime) -> None:
    notify(
        recipients=_leads(),
        message=Message(
            kind="report_draft",
            title=_("报告待审核发布：%(t)s") % {"t": report.title},
            body=_("数据已生成，文字部分已按数据预填，请审核修改后发布。"),
            object_type="report",
            object_ref=str(report.pk),
            url=report.get_absolute_url(),
            dedupe_key=f"report_draft:{report.pk}",
        ),
        at=at,
    )
