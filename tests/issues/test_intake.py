"""Intake: numbering, routing by category and keyword, suggested priority, idempotent
external_ref, attachments checked by content with nothing half-saved."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from closedloop.errors import DomainError, PermissionDenied
from issues import selectors, services
from issues.choices import Action
from issues.models import Attachment, Issue, RoutingRule
from issues.workflow import ISSUE_FLOW
from tests.factories import at, new_issue, png

pytestmark = pytest.mark.django_db


def test_numbers_are_per_year_and_sequential(cast):
    a = new_issue(cast, when=at(2025, 12, 31, 23, 59))
    b = new_issue(cast, when=at(2026, 1, 1, 0, 1))
    c = new_issue(cast, when=at(2026, 1, 2, 9))
    assert (a.number, b.number, c.number) == ("ISS-2025-00001", "ISS-2026-00001", "ISS-2026-00002")


def test_failed_creation_does_not_burn_a_number(cast):
    new_issue(cast, when=at(2026, 3, 1, 9))
    with pytest.raises(DomainError):
        new_issue(cast, when=at(2026, 3, 1, 9), title="")
    assert new_issue(cast, when=at(2026, 3, 1, 10)).number == "ISS-2026-00002"


def test_submitting_is_the_workflows_first_action(cast):
    """提交 goes through the kit: the actor's right is checked, the history row says so."""
    issue = new_issue(cast, when=at(2026, 3, 2, 9))
    (event,) = issue.events.all()
    assert (event.action, event.kind, event.actor, event.from_status, event.to_status) == (
        Action.SUBMIT,
        "transition",
        cast.manager,
        "",
        "submitted",
    )
    assert Action.SUBMIT not in ISSUE_FLOW.available(issue, cast.manager)
    # A read-only executive sees every store but may not report for one.
    with pytest.raises(PermissionDenied):
        new_issue(cast, who=cast.executive, when=at(2026, 3, 2, 10))
    assert Issue.objects.count() == 1
    assert new_issue(cast, when=at(2026, 3, 2, 11)).number == "ISS-2026-00002"


@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_gets_distinct_numbers(cast):
    errors, numbers = [], []

    def worker():
        try:
            numbers.append(new_issue(cast, when=at(2026, 5, 5, 9)).number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(numbers) == [f"ISS-2026-{n:05d}" for n in range(1, 9)]


@pytest.mark.parametrize(
    "category,department",
    [("system", "IT"), ("supply_chain", "SCM")],
)
def test_default_routing_by_category(cast, category, department):
    assert new_issue(cast, category=category).suggested_department.code == department


def test_category_rule_in_admin_overrides_default(cast):
    RoutingRule.objects.create(category="system", department=cast.org.supply)
    assert new_issue(cast, category="system").suggested_department == cast.org.supply


def test_keyword_rule_wins_over_category(cast):
    RoutingRule.objects.create(keyword="配件", department=cast.org.supply, order=1)
    issue = new_issue(cast, category="system", title="配件订单在系统里查不到")
    assert issue.suggested_department == cast.org.supply
    other = new_issue(cast, category="system", title="打印机驱动")
    assert other.suggested_department == cast.org.it


def test_inactive_rule_is_ignored(cast):
    RoutingRule.objects.create(keyword="配件", department=cast.org.supply, active=False)
    assert new_issue(cast, title="配件").suggested_department == cast.org.it


@pytest.mark.parametrize(
    "scope,priority",
    [("national", "P0"), ("region", "P1"), ("multi_store", "P1"), ("store", "P2")],
)
def test_suggested_priority_from_scope(cast, scope, priority):
    assert new_issue(cast, impact_scope=scope).suggested_priority == priority


def test_repeated_external_ref_returns_first_issue(cast):
    first, created = services.create_issue(
        submitted_by=cast.dms,
        store=cast.org.hangzhou,
        category="system",
        title="A",
        description="x",
        impact_scope="store",
        external_ref="DMS-1",
        channel="dms",
    )
    again, created_again = services.create_issue(
        submitted_by=cast.dms,
        store=cast.org.hangzhou,
        category="system",
        title="A2",
        description="y",
        impact_scope="store",
        external_ref="DMS-1",
        channel="dms",
    )
    assert created and not created_again and again.pk == first.pk
    assert Issue.objects.filter(external_ref="DMS-1").count() == 1


def test_store_manager_cannot_submit_for_another_store(cast):
    with pytest.raises(DomainError) as exc:
        new_issue(cast, store=cast.org.ningbo)
    assert "store" in exc.value.errors
    assert not Issue.objects.exists()


def test_photo_is_saved_with_its_type(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    issue = new_issue(cast, files=[png()])
    attachment = issue.attachments.get()
    assert attachment.content_type == "image/png" and attachment.file.name.endswith(".png")


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("fake.jpg", b"this is plain text, not a JPEG" * 10),
        SimpleUploadedFile("script.pdf", b"#!/bin/sh\necho hi\n"),
    ],
)
def test_wrong_content_refused_with_nothing_saved(cast, settings, tmp_path, upload):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(DomainError):
        new_issue(cast, files=[png(), upload])
    assert not Issue.objects.exists() and not Attachment.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_too_big_and_too_many_refused(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    big = png()
    big.size = 10 * 1024 * 1024 + 1
    with pytest.raises(DomainError):
        new_issue(cast, files=[big])
    with pytest.raises(DomainError):
        new_issue(cast, files=[png(f"p{i}.png") for i in range(10)])
    assert not Issue.objects.exists()
    issue = new_issue(cast, files=[png(f"p{i}.png") for i in range(9)])
    with pytest.raises(DomainError):
        services.add_attachments(issue=issue, actor=cast.manager, files=[png()])
    assert issue.attachments.count() == 9


def test_similar_open_issues_of_other_stores(cast):
    mine = new_issue(cast, title="DMS 工单派工很慢")
    other = new_issue(cast, who=cast.neighbour, store=cast.org.ningbo, title="DMS 派工慢，客户等待")
    new_issue(
        cast, who=cast.neighbour, store=cast.org.ningbo, title="配件缺货", category="supply_chain"
    )
    assert selectors.similar_open_issues(mine) == [other]
