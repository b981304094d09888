"""Recurrence (复发, DOMAIN.md §7): a new issue of the same store and category as a
project that is observing, or closed at most 180 days before, is flagged 疑似复发 when it
is submitted, linked to that project, and the project's ops specialist is told once; the
triage queue shows the flag and the case library's matching cases."""

import pytest

from closedloop.notifications.models import Notification
from rectification import library, recurrence
from rectification.choices import Status
from rectification.models import ProjectEvent, Recurrence
from tests.factories import at, new_issue

from .closure_helpers import CASE, pending_closure

pytestmark = pytest.mark.django_db

SUBMITTED = at(2026, 6, 1, 10)


def observing(cast, **over):
    project = pending_closure(cast, formal=False, **over)
    assert project.status == Status.OBSERVING
    return project


def closed(cast, when, **over):
    project = pending_closure(cast, **over)
    ProjectEvent.objects.create(
        project=project,
        actor=cast.ops,
        at=when,
        action="close",
        from_status=Status.PENDING_CLOSURE,
        to_status=Status.CLOSED,
    )
    project.status = Status.CLOSED
    project.save(update_fields=["status"])
    return project


def notices(user):
    return Notification.objects.filter(recipient=user, kind="recurrence")


def test_same_store_and_category_of_an_observing_project_is_flagged(cast):
    project = observing(cast)
    issue = new_issue(cast, category="process", title="客户又开始排长队", when=SUBMITTED)
    assert [link.project for link in Recurrence.objects.filter(issue=issue)] == [project]
    notice = notices(cast.ops).get()
    assert notice.title == f"疑似复发：{issue.number} 与整改项目 {project.number} 同店同类"
    assert notice.object_ref == issue.number
    assert notice.url == issue.get_absolute_url()
    # Checked again (a retried hook): one link, one notice.
    recurrence.flag(issue)
    assert Recurrence.objects.filter(issue=issue).count() == 1
    assert notices(cast.ops).count() == 1
    # Nobody else is told.
    assert not Notification.objects.filter(kind="recurrence").exclude(recipient=cast.ops).exists()


@pytest.mark.parametrize(
    ("closed_at", "flagged"),
    [
        (at(2026, 5, 31, 18), True),  # yesterday
        (at(2025, 12, 3, 0, 5), True),  # 180 days before (by the Shanghai date)
        (at(2025, 12, 2, 23, 55), False),  # 181 days before
    ],
)
def test_closed_within_180_days(cast, closed_at, flagged):
    project = closed(cast, closed_at)
    issue = new_issue(cast, category="process", when=SUBMITTED)
    links = list(Recurrence.objects.filter(issue=issue).values_list("project", flat=True))
    assert links == ([project.pk] if flagged else [])
    assert notices(cast.ops).count() == (1 if flagged else 0)


def test_other_store_other_category_cancelled_or_pending_are_not_flagged(cast):
    observing(cast)
    # Another store (Ningbo, same ops specialist), another category at the same store.
    new_issue(cast, category="process", store=cast.org.ningbo, who=cast.neighbour, when=SUBMITTED)
    new_issue(cast, category="system", when=SUBMITTED)
    assert not Recurrence.objects.exists()
    # A cancelled project of the same store and category.
    Recurrence.objects.all().delete()
    cancelled = pending_closure(cast, formal=False)
    cancelled.status = Status.CANCELLED
    cancelled.save(update_fields=["status"])
    Recurrence.objects.all().delete()
    issue = new_issue(cast, category="process", when=SUBMITTED)
    linked = set(Recurrence.objects.filter(issue=issue).values_list("project", flat=True))
    assert cancelled.pk not in linked


def test_a_project_still_executing_is_not_a_recurrence(cast):
    from .helpers import executing

    source = new_issue(cast, category="process", when=at(2025, 9, 15, 9))
    executing(cast, issue=source.number)
    issue = new_issue(cast, category="process", when=SUBMITTED)
    assert not Recurrence.objects.filter(issue=issue).exists()


def test_triage_shows_the_flag_and_the_matching_cases(cast, client):
    project = observing(cast)
    other = pending_closure(cast)
    case = library.save_case(project=other, actor=cast.ops, data=CASE)
    system_case = library.save_case(
        project=pending_closure(cast, issue=new_issue(cast, category="system")),
        actor=cast.ops,
        data={**CASE, "title": "DMS 派工提速", "category": "system"},
    )
    issue = new_issue(cast, category="process", title="排队又变长了")
    client.force_login(cast.ops)
    page = client.get("/issues/triage/")
    assert page.status_code == 200
    html = page.content.decode()
    item = html[html.index(f'data-number="{issue.number}"') :]
    item = item[: item.find('data-testid="triage-item"', 1)]
    assert "疑似复发" in item
    assert project.get_absolute_url() in item
    assert case.get_absolute_url() in item
    assert "客户等待时间优化四步法" in item
    # The system issue of the case's project is suggested the system case only.
    assert system_case.get_absolute_url() in html


def test_cases_suggested_per_category_best_first(cast):
    first = library.save_case(
        project=pending_closure(cast), actor=cast.ops, data={**CASE, "replicability": 3}
    )
    best = library.save_case(
        project=pending_closure(cast), actor=cast.ops, data={**CASE, "replicability": 5}
    )
    for stars in (1, 2):
        library.save_case(
            project=pending_closure(cast), actor=cast.ops, data={**CASE, "replicability": stars}
        )
    found = library.suggested_cases(cast.ops, ["process", "people"])
    assert [c.pk for c in found["process"]][:2] == [best.pk, first.pk]
    assert len(found["process"]) == 3
    assert found["people"] == []


def test_triage_hints_do_not_grow_with_the_issues(cast, django_assert_num_queries):
    observing(cast)
    library.save_case(project=pending_closure(cast), actor=cast.ops, data=CASE)
    few = [new_issue(cast, category="process") for _ in range(2)]
    many = few + [new_issue(cast, category=c) for c in ("process", "system", "people") * 3]
    from rectification.selectors import triage_hints

    for issues in (few, many):
        with django_assert_num_queries(3):
            hints = triage_hints(cast.ops, issues)
        assert all(hints[i.pk]["recurrences"] for i in issues if i.category == "process")
        assert all(hints[i.pk]["cases"] for i in issues if i.category == "process")
