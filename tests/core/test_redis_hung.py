"""A Redis that accepts connections but never answers (SIGSTOP) does not freeze web
actions, no more than a stopped one: the broker, the result backend and the cache give up after their socket
timeouts, the action is committed at once, its notifications wait in the outbox, and
the next actions do not wait on Redis again (the breaker).

Redis here is a private ``redis-server`` (tests/redis_faults.py) that is the cache, the
broker and the result backend of this process; each test is bounded in time."""

import logging

import pytest

from closedloop.notifications.choices import DeliveryStatus
from closedloop.notifications.models import Delivery
from closedloop.org.services import upsert_user
from issues.choices import Status
from issues.models import Issue, SlaPolicy
from tests.factories import new_issue

from .redis_faults import (
    FAST_ENOUGH_SECONDS,
    PrivateRedis,
    deadline,
    redis_everywhere,
    timed,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hung_redis():
    """Redis as the cache, broker and result backend, answering nothing."""
    private = PrivateRedis().start()
    try:
        with redis_everywhere(private.url):
            private.pause()
            yield private
    finally:
        private.stop()


@pytest.fixture(params=["hung", "stopped"])
def unreachable_redis(request):
    """Redis as the cache, broker and result backend, hung (SIGSTOP) or stopped."""
    private = PrivateRedis().start()
    try:
        with redis_everywhere(private.url):
            if request.param == "hung":
                private.pause()
            else:
                private.stop()
            yield private
    finally:
        private.stop()


SUBMISSION = {
    "category": "system",
    "title": "DMS 打印工单很慢",
    "description": "每张工单要等两分钟，早高峰排长队。",
    "impact_scope": "store",
}


def test_submission_and_triage_finish_while_redis_is_unreachable(
    cast, client, unreachable_redis, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.WARNING)
    client.force_login(cast.manager)
    # The callbacks after commit (the enqueue of the notifications) run inside the block,
    # as they run inside the request in production.
    with (
        deadline(),
        timed() as took,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = client.post("/issues/new/", SUBMISSION)
    assert response.status_code == 302, response.content.decode()[:500]
    assert callbacks, "the submission enqueues its notifications after commit"
    assert took.seconds < FAST_ENOUGH_SECONDS, f"the submission took {took.seconds:.1f}s"

    issue = Issue.objects.get()  # committed, once
    delivery = Delivery.objects.get(notification__object_ref=issue.number)
    assert delivery.notification.recipient == cast.ops
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert any("left in the outbox" in r.getMessage() for r in caplog.records)

    # The next action does not wait on Redis again: the broker failed moments ago.
    client.force_login(cast.ops)
    with deadline(), timed() as took, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/issues/{issue.number}/do/triage/",
            {"triage-priority": "P1", "triage-department": "IT"},
        )
    assert response.status_code == 302, response.content.decode()[:500]
    assert took.seconds < 1.5, f"the triage took {took.seconds:.1f}s"
    issue.refresh_from_db()
    assert issue.status == Status.TRIAGED
    routed = Delivery.objects.get(notification__recipient=cast.head)
    assert (routed.status, routed.attempts) == (DeliveryStatus.PENDING, 0)


def test_detail_page_and_api_answer_while_redis_hangs(cast, client, api, hung_redis):
    """Pages and the API read the cache (SLA calendar, API throttling): bounded too."""
    issue = new_issue(cast)
    client.force_login(cast.manager)
    with deadline(), timed() as took:
        page = client.get(f"/issues/{issue.number}/")
        listing = api.as_(cast.manager).get("/api/v1/issues/")
        created = api.as_(cast.dms).post(
            "/api/v1/issues/",
            {**SUBMISSION, "store": "HZ001", "external_ref": "DMS-HUNG-1"},
            format="json",
        )
    assert page.status_code == 200
    assert listing.status_code == 200 and listing.json()["count"] == 1
    assert created.status_code == 201, created.content
    assert took.seconds < FAST_ENOUGH_SECONDS, f"the three requests took {took.seconds:.1f}s"


def test_admin_policy_change_finishes_while_redis_hangs(
    cast, client, hung_redis, django_capture_on_commit_callbacks, caplog
):
    """Saving an SLA policy enqueues a recompute that keeps its result: the broker and
    the result backend are both on the request path."""
    lead, _ = upsert_user(username="qlead", role="quality_lead", password="Lead-Pass-2026!")
    client.force_login(lead)
    policy = SlaPolicy.objects.get(priority="P3")
    with deadline(), timed() as took, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/issues/slapolicy/{policy.pk}/change/",
            {
                "priority": "P3",
                "response_hours": 100,
                "resolution_days": 20,
                "business_hours": "on",
            },
        )
    assert response.status_code == 302
    assert took.seconds < FAST_ENOUGH_SECONDS, f"the save took {took.seconds:.1f}s"
    policy.refresh_from_db()
    assert policy.response_hours == 100
    assert any("could not enqueue SLA recompute" in r.getMessage() for r in caplog.records)


def test_healthz_names_the_hung_parts_in_time(cast, client, hung_redis, settings):
    settings.HEALTHZ_TOKEN = "monitor-secret"
    with deadline(), timed() as took:
        response = client.get("/healthz", headers={"X-Healthz-Token": "monitor-secret"})
    assert took.seconds < FAST_ENOUGH_SECONDS
    assert response.status_code == 503
    body = response.json()
    assert (body["database"], body["broker"], body["cache"]) == ("ok", "down", "down")
    assert "Timeout" in body["errors"]["broker"]
    assert "Timeout" in body["errors"]["cache"]


def test_an_outage_is_logged_once_not_per_request(cast, client, hung_redis, caplog):
    """The first request that waits on Redis says so; the next ones do not wait, and do
    not fill the log either."""
    caplog.set_level(logging.WARNING)
    issue = new_issue(cast)
    client.force_login(cast.manager)
    with deadline():
        for _ in range(5):
            assert client.get(f"/issues/{issue.number}/").status_code == 200
    outage = [
        r.getMessage()
        for r in caplog.records
        if r.name in ("closedloop.redisguard", "issues.sla") and r.levelno >= logging.WARNING
    ]
    assert len(outage) <= 2, outage  # the breaker opening, and what was waiting on it
    assert any("unavailable" in message for message in outage)
