"""What the weekly meeting reads: its measures (attendance, decision clarity, action
completion — DOMAIN.md §4) and the content of each agenda block in meeting mode. A fixed
number of queries whatever the number of issues, decisions or action items."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone

from issues.choices import OPEN_STATUSES, VOID_STATUSES, Priority
from issues.models import Issue
from issues.selectors import overdue_q

from . import rectification
from .choices import (
    NEW_ISSUES_LIMIT,
    TOP_ISSUES_LIMIT,
    ActionStatus,
    BlockKind,
    MeetingStatus,
)
from .kpi import ratio
from .models import CLEAR, ActionItem, Attendance, Decision, Meeting
from .periods import Period, local_date, week

HELD = (MeetingStatus.IN_PROGRESS, MeetingStatus.FINISHED)


@dataclass
class MeetingMeasures:
    period: Period
    invited: int = 0
    attended: int = 0
    decisions: int = 0
    clear: int = 0
    actions_due: int = 0
    actions_done: int = 0

    @property
    def attendance_rate(self):
        return ratio(self.attended, self.invited)

    @property
    def clarity_rate(self):
        return ratio(self.clear, self.decisions)

    @property
    def completion_rate(self):
        return ratio(self.actions_done, self.actions_due)


def _in(period: Period, path: str) -> Q:
    return Q(**{f"{path}__gte": period.first_day, f"{path}__lte": period.last_day})


def measures(periods: list[Period], *, now=None) -> list[MeetingMeasures]:
    """The meeting's three measures for each period (three queries in all):

    - attendance rate: invitees present ÷ invitees, over meetings held in the period;
    - decision clarity rate: clear decisions (text, owner and due date) ÷ decisions taken
      in meetings of the period;
    - action completion rate: action items due in the period (up to today while it
      runs; cancelled ones left out) that were done by its end ÷ those due."""
    now = now or timezone.now()
    today = local_date(now)
    att, dec, act = {}, {}, {}
    for i, p in enumerate(periods):
        held = _in(p, "meeting__date") & Q(meeting__status__in=HELD)
        att[f"invited_{i}"] = Count("pk", filter=held)
        att[f"attended_{i}"] = Count("pk", filter=held & Q(attended=True))
        dec[f"decisions_{i}"] = Count("pk", filter=_in(p, "meeting__date"))
        dec[f"clear_{i}"] = Count("pk", filter=_in(p, "meeting__date") & CLEAR)
        due = Q(due_on__gte=p.first_day, due_on__lte=min(p.last_day, today))
        act[f"due_{i}"] = Count("pk", filter=due)
        act[f"done_{i}"] = Count(
            "pk", filter=due & Q(status=ActionStatus.DONE, completed_at__lt=p.end)
        )
    a = Attendance.objects.aggregate(**att)
    d = Decision.objects.aggregate(**dec)
    c = ActionItem.objects.exclude(status=ActionStatus.CANCELLED).aggregate(**act)
    return [
        MeetingMeasures(
            period=p,
            invited=a[f"invited_{i}"],
            attended=a[f"attended_{i}"],
            decisions=d[f"decisions_{i}"],
            clear=d[f"clear_{i}"],
            actions_due=c[f"due_{i}"],
            actions_done=c[f"done_{i}"],
        )
        for i, p in enumerate(periods)
    ]


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return Meeting.objects.filter(date__lt=meeting.date).order_by("-date").first()


def review_week(meeting: Meeting) -> Period:
    """ "Last week": the ISO week before the meeting's."""
    return week(meeting.date - dt.timedelta(days=7))


def new_issues_since(meeting: Meeting, previous: Meeting | None) -> dt.datetime:
    """New issues are those submitted since the last meeting began (a week before this
    one when there was none)."""
    if previous is not None:
        return previous.starts_at
    return meeting.starts_at - dt.timedelta(days=7)


#: Open and past a due time now: overdue first in the top list.
def _overdue_rank(now):
    return Case(
        When(overdue_q(now, soon_hours=0), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


def top_issues(issues, *, now, limit: int = TOP_ISSUES_LIMIT) -> list[Issue]:
    """Top open P0/P1: overdue first, then the oldest."""
    return list(
        issues.filter(status__in=OPEN_STATUSES, priority__in=[Priority.P0, Priority.P1])
        .select_related("store", "department")
        .annotate(overdue_rank=_overdue_rank(now))
        .order_by("overdue_rank", "submitted_at", "pk")[:limit]
    )


@dataclass
class MeetingBoard:
    """Everything meeting mode shows, loaded in a fixed number of queries."""

    meeting: Meeting
    previous: Meeting | None
    review_period: Period
    blocks: list
    actions_due: list[ActionItem]
    top_issues: list[Issue]
    new_since: dt.datetime
    new_count: int
    new_issues: list[Issue]
    new_by_category: list[dict]
    red_projects: list | None
    decisions: list[Decision]
    decisions_by_key: dict = field(default_factory=dict)

    def decisions_for(self, block: str, issue_id=None, project_number: str = "") -> list:
        return self.decisions_by_key.get((block, issue_id, project_number), [])

    @property
    def topic_decisions(self) -> list:
        return self.decisions_for(BlockKind.TOPIC)

    @property
    def next_date(self) -> dt.date:
        return self.meeting.date + dt.timedelta(days=7)


def decision_key(decision: Decision):
    return (decision.block, decision.issue_id, decision.project_number)


def meeting_board(meeting: Meeting, user, *, now=None) -> MeetingBoard:
    now = now or timezone.now()
    previous = previous_meeting(meeting)
    visible = Issue.objects.visible_to(user)
    since = new_issues_since(meeting, previous)
    new = visible.exclude(status__in=VOID_STATUSES).filter(
        submitted_at__gte=since, submitted_at__lt=max(now, meeting.ends_at)
    )
    new_rows = list(
        new.select_related("store", "department").order_by("-submitted_at", "-pk")[
            :NEW_ISSUES_LIMIT
        ]
    )
    by_category = list(new.values("category").annotate(n=Count("pk")).order_by("-n", "category"))
    new_count = sum(row["n"] for row in by_category)
    actions_due = list(
        ActionItem.objects.visible_to(user)
        .filter(status=ActionStatus.OPEN, due_on__lte=meeting.date)
        .select_related("owner", "issue", "meeting")
        .order_by("due_on", "pk")
    )
    decisions = list(
        Decision.objects.filter(meeting=meeting)
        .select_related("owner", "issue", "action_item")
        .order_by("created_at", "pk")
    )
    by_key: dict = {}
    for decision in decisions:
        by_key.setdefault(decision_key(decision), []).append(decision)
    projects = rectification.visible_projects(user)
    red = rectification.red_projects(projects)
    top = top_issues(visible, now=now)
    for block, issues in ((BlockKind.TOP_ISSUES, top), (BlockKind.NEW_ISSUES, new_rows)):
        for issue in issues:
            issue.decisions_here = by_key.get((block, issue.pk, ""), [])
    for project in red or ():
        project.meeting_number = rectification.project_attr(project, "number")
        project.decisions_here = by_key.get(
            (BlockKind.TOP_ISSUES, None, project.meeting_number), []
        )
    return MeetingBoard(
        meeting=meeting,
        previous=previous,
        review_period=review_week(meeting),
        blocks=list(meeting.blocks.all()),
        actions_due=actions_due,
        top_issues=top,
        new_since=since,
        new_count=new_count,
        new_issues=new_rows,
        new_by_category=by_category,
        red_projects=red,
        decisions=decisions,
        decisions_by_key=by_key,
    )


def meetings_with_counts(queryset):
    """Meetings with their attendance and decision counts (for the list)."""
    return queryset.annotate(
        invited=Count("attendances", distinct=True),
        present=Count("attendances", filter=Q(attendances__attended=True), distinct=True),
        decision_count=Count("decisions", distinct=True),
        clear_count=Count("decisions", filter=CLEAR_PREFIXED, distinct=True),
    )


CLEAR_PREFIXED = Q(decisions__owner__isnull=False, decisions__due_on__isnull=False) & ~Q(
    decisions__text=""
)


def upcoming(now=None) -> Meeting | None:
    """The meeting running now, else the next one planned from today on."""
    now = now or timezone.now()
    return (
        Meeting.objects.filter(
            Q(status=MeetingStatus.IN_PROGRESS)
            | Q(status=MeetingStatus.PLANNED, date__gte=local_date(now))
        )
        .annotate(
            running=Case(
                When(status=MeetingStatus.IN_PROGRESS, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("running", "date")
        .first()
    )
