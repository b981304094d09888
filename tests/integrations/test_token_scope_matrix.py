"""Scopes and store bounds on every endpoint.

``MATRIX`` names, for every operation of the served OpenAPI document, the scope a token
needs for it. Each operation is called by the quality lead (whose role may do
everything; ``ACTORS`` names the few it may not, called by a person who may) through a token narrowed to exactly that scope — it must get past the
permission check — and through a token with every other scope — it must be refused
(403). An operation missing from the matrix fails the test: a new endpoint is classified
here on purpose.

The store-bound half: a token bound to one store (or one region) sees and touches only
that store's rows, on every endpoint that serves store data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from closedloop.notifications.models import Notification
from closedloop.org.choices import ApiScope, grants
from dashboards import periods
from dashboards import services as dashboard_services
from inspections import services as inspection_services
from integrations.models import WebhookDelivery
from integrations.services import metrics, tokens, webhooks
from issues import services as issue_services
from issues.models import Issue
from reports import services as report_services
from tests.factories import new_issue, png, to_in_progress
from tests.inspections.helpers import finding, perform
from tests.rectification.helpers import recent_project

#: operation → the scope it needs (None: any token); "" marks the others' rows as refused
MATRIX: dict[tuple[str, str], str | None] = {
    ("GET", "/api/v1/issues/"): "issues:read",
    ("POST", "/api/v1/issues/"): "issues:write",
    ("GET", "/api/v1/issues/{number}/"): "issues:read",
    ("GET", "/api/v1/issues/{number}/attachments/{attachment_id}/"): "issues:read",
    **{
        ("POST", f"/api/v1/issues/{{number}}/{name}/"): "issues:write"
        for name in (
            "accept",
            "ask-store",
            "assign",
            "attachments",
            "comments",
            "confirm",
            "duplicate",
            "priority",
            "reject",
            "reopen",
            "resolve",
            "resume",
            "store-reply",
            "triage",
        )
    },
    ("GET", "/api/v1/stores/"): None,
    ("GET", "/api/v1/stores/{code}/"): None,
    ("PUT", "/api/v1/stores/{code}/"): "org:write",
    ("GET", "/api/v1/regions/"): None,
    ("GET", "/api/v1/regions/{code}/"): None,
    ("PUT", "/api/v1/regions/{code}/"): "org:write",
    ("GET", "/api/v1/departments/"): None,
    ("GET", "/api/v1/departments/{code}/"): None,
    ("PUT", "/api/v1/departments/{code}/"): "org:write",
    ("GET", "/api/v1/users/"): None,
    ("GET", "/api/v1/users/{username}/"): None,
    ("PUT", "/api/v1/users/{username}/"): "org:write",
    ("GET", "/api/v1/notifications/"): None,
    ("POST", "/api/v1/notifications/{id}/read/"): None,
    ("POST", "/api/v1/notifications/read-all/"): None,
    ("GET", "/api/v1/metric-definitions/"): None,
    ("GET", "/api/v1/metric-definitions/{code}/"): None,
    ("GET", "/api/v1/metrics/"): None,
    ("POST", "/api/v1/metrics/"): "metrics:write",
    ("GET", "/api/v1/tokens/"): "org:write",
    ("DELETE", "/api/v1/tokens/{id}/"): "org:write",
    ("GET", "/api/v1/webhooks/"): "webhooks:write",
    ("POST", "/api/v1/webhooks/"): "webhooks:write",
    ("GET", "/api/v1/webhooks/{id}/"): "webhooks:write",
    ("PATCH", "/api/v1/webhooks/{id}/"): "webhooks:write",
    ("DELETE", "/api/v1/webhooks/{id}/"): "webhooks:write",
    ("GET", "/api/v1/webhooks/{id}/deliveries/"): "webhooks:write",
    ("POST", "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver/"): "webhooks:write",
    ("POST", "/api/v1/imports/issues/"): "issues:write",
    # Inspections: reads need inspections:read, every change inspections:write.
    ("GET", "/api/v1/inspection-templates/"): "inspections:read",
    ("GET", "/api/v1/inspections/"): "inspections:read",
    ("POST", "/api/v1/inspections/"): "inspections:write",
    ("GET", "/api/v1/inspections/board/"): "inspections:read",
    ("GET", "/api/v1/inspections/{id}/"): "inspections:read",
    ("PUT", "/api/v1/inspections/{id}/closure/"): "inspections:write",
    ("PATCH", "/api/v1/inspections/{id}/findings/{finding_id}/"): "inspections:write",
    ("POST", "/api/v1/inspections/{id}/findings/{finding_id}/issue/"): "inspections:write",
    ("POST", "/api/v1/inspections/{id}/follow-up/{step}/"): "inspections:write",
    ("PATCH", "/api/v1/inspections/{id}/resource-requests/{request_id}/"): "inspections:write",
    **{
        ("POST", f"/api/v1/inspections/{{id}}/{name}/"): "inspections:write"
        for name in (
            "close",
            "experience",
            "findings",
            "issue",
            "logs",
            "metrics",
            "photos",
            "reinspections",
            "resource-requests",
            "spot-checks",
        )
    },
    # KPIs: reads need issues:read (headquarters people and machine clients), setting a
    # target issues:write (and the quality lead's role).
    ("GET", "/api/v1/kpis/"): "issues:read",
    ("GET", "/api/v1/kpi-targets/"): "issues:read",
    ("GET", "/api/v1/kpi-targets/{metric}/"): "issues:read",
    ("PUT", "/api/v1/kpi-targets/{metric}/"): "issues:write",
    ("GET", "/api/v1/rectifications/"): "rectifications:read",
    ("POST", "/api/v1/rectifications/"): "rectifications:write",
    ("GET", "/api/v1/rectifications/{number}/"): "rectifications:read",
    ("PATCH", "/api/v1/rectifications/{number}/"): "rectifications:write",
    **{
        ("POST", f"/api/v1/rectifications/{{number}}/{name}/"): "rectifications:write"
        for name in (
            "acceptances",
            "acceptances/sign",
            "cancel",
            "close",
            "rechecks",
            "sign",
            "start",
            "submit",
            "tracking-logs",
        )
    },
    ("GET", "/api/v1/reports/"): "reports:read",
    ("GET", "/api/v1/reports/{id}/"): "reports:read",
    ("GET", "/api/v1/reports/{id}/html/"): "reports:read",
    ("GET", "/api/v1/reports/{id}/xlsx/"): "reports:read",
    ("GET", "/api/v1/reports/{id}/pdf/"): "reports:read",
    ("GET", "/api/v1/rectifications/{number}/acceptances/"): "rectifications:read",
    ("GET", "/api/v1/rectifications/{number}/closure/"): "rectifications:read",
    ("PUT", "/api/v1/rectifications/{number}/closure/"): "rectifications:write",
    ("GET", "/api/v1/cases/"): "rectifications:read",
}


#: Operations the quality lead's role may not do whatever the token (a kick-off is signed
#: by the store's manager, the project's ops specialist and the regional director):
#: called by that person instead.
ACTORS = {
    ("POST", "/api/v1/rectifications/{number}/sign/"): "ops",
    # The store's manager signs a scorecard.
    ("POST", "/api/v1/rectifications/{number}/acceptances/sign/"): "manager",
}


def _operations(client) -> set[tuple[str, str]]:
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    return {
        (method.upper(), path)
        for path, operations in schema.json()["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_operation_is_in_the_matrix(cast):
    client = APIClient()
    client.force_authenticate(cast.lead)
    operations = _operations(client)
    assert operations - set(MATRIX) == set(), "classify these operations in MATRIX"
    assert set(MATRIX) - operations == set(), "MATRIX names operations that do not exist"
    assert set(ACTORS) <= set(MATRIX)


@pytest.fixture
def world(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    issue = to_in_progress(cast, new_issue(cast))
    (attachment,) = issue_services.add_attachments(issue=issue, actor=cast.manager, files=[png()])
    note = Notification.objects.create(
        recipient=cast.lead, kind="x", title="t", created_at=timezone.now()
    )
    subscription = webhooks.create_subscription(
        actor=cast.lead, url="http://127.0.0.1:9/hook", events=["issue.created"]
    )
    (delivery_pk,) = webhooks.emit("issue.created", {"n": 1}, store=cast.org.hangzhou)
    spare, _key = tokens.issue_token(user=cast.dms, scopes=["issues:read"])
    inspection = perform(cast, findings=[finding()])
    request = inspection_services.request_resource(
        inspection=inspection, actor=cast.ops, kind="it", what="显示屏", department=cast.org.it
    )
    dashboard_services.set_kpi_target(
        actor=cast.lead, metric="resolution_rate", target="0.9", valid_from=timezone.localdate()
    )
    report = report_services.generate(
        kind="weekly", period=periods.week(timezone.localdate()), region=None
    )
    return {
        "report": report.pk,
        "inspection": inspection.pk,
        "finding_id": inspection.findings.get().pk,
        "request_id": request.pk,
        "project": recent_project(cast).number,
        "number": issue.number,
        "attachment_id": attachment.pk,
        "notification": note.pk,
        "webhook": subscription.pk,
        "delivery_id": WebhookDelivery.objects.get(pk=delivery_pk).delivery_id,
        "token": spare.pk,
    }


def _request(client, method: str, template: str, w: dict):
    """The operation with real keys and a plausible body."""
    path = template
    code = "HZ001"
    if "/regions/" in template:
        code = "EAST"
    elif "/departments/" in template:
        code = "IT"
    elif "/metric-definitions/" in template:
        code = "waiting_minutes"
    ident = w["webhook"]
    if "/tokens/" in template:
        ident = w["token"]
    elif "/notifications/" in template:
        ident = w["notification"]
    elif "/inspections/" in template:
        ident = w["inspection"]
    elif "/reports/" in template:
        ident = w["report"]
    number = w["project"] if "/rectifications/" in template else w["number"]
    for name, value in (
        ("number", number),
        ("finding_id", w["finding_id"]),
        ("request_id", w["request_id"]),
        ("step", "call"),
        ("metric", "resolution_rate"),
        ("attachment_id", w["attachment_id"]),
        ("delivery_id", w["delivery_id"]),
        ("code", code),
        ("username", "manager"),
        ("id", ident),
    ):
        path = path.replace("{" + name + "}", str(value))
    assert not re.search(r"{\w+}", path), path
    action = template.rstrip("/").rsplit("/", 1)[-1]
    bodies = {
        "issues": {
            "store": "HZ001",
            "category": "system",
            "title": "t",
            "description": "d",
            "impact_scope": "store",
        },
        "stores": {"name": "杭州", "city": "杭州", "region": "EAST", "tier": "B"},
        "regions": {"name": "华东"},
        "departments": {"name": "IT"},
        "users": {"role": "store_manager", "store": "HZ001"},
        "metrics": [{"store": "HZ001", "metric": "nps", "date": "2025-01-01", "value": 1}],
        "webhooks": {"url": "http://127.0.0.1:9/x", "events": ["issue.created"]},
        "assign": {"assignee": "member"},
        "comments": {"body": "好的", "public": True},
        "ask-store": {"question": "?"},
        "resolve": {"resolution": "r"},
        "resume": {"reason": "r"},
        "store-reply": {"body": "b"},
        "confirm": {"rating": 5},
        "reopen": {"reason": "r"},
        "reject": {"reason": "r"},
        "duplicate": {"duplicate_of": w["number"]},
        "triage": {"priority": "P1"},
        "priority": {"priority": "P1"},
    }
    if method == "POST" and action == "attachments":
        return client.post(path, {"file": png()}, format="multipart")
    if method == "POST" and template == "/api/v1/imports/issues/":
        return client.post(path, {"file": png("t.csv")}, format="multipart")
    body = bodies.get(action) if method in ("POST", "PUT", "PATCH") else None
    if method in ("PUT",) and body is None:
        body = bodies.get(template.split("/")[3], {})
    if method == "PATCH":
        body = {"description": "x"}
    return getattr(client, method.lower())(path, body, format="json")


def _others(scope: str) -> list[str]:
    return [s for s in ApiScope.values if not grants([s], scope) and s != scope]


@pytest.mark.parametrize(("method", "template"), sorted(MATRIX), ids=lambda v: str(v))
def test_the_scope_decides(cast, world, token_client, method, template):
    scope = MATRIX[(method, template)]
    actor = getattr(cast, ACTORS.get((method, template), "lead"))
    allowed = token_client(actor, scopes=[scope or "reports:read"])
    response = _request(allowed, method, template, world)
    assert response.status_code not in (401, 403), (response.status_code, response.content)
    if scope is None:
        return
    refused = token_client(actor, scopes=_others(scope))
    response = _request(refused, method, template, world)
    assert response.status_code == 403, (response.status_code, response.content)


# --- store bounds ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _dms_may_do_everything(cast):
    """The client itself has every scope: what a token may do is the token's business."""
    cast.dms.api_scopes = list(ApiScope.values)
    cast.dms.save(update_fields=["api_scopes"])


@pytest.fixture
def spread(cast):
    """An issue and a reading at each of the three stores."""
    today = timezone.localdate()
    issues = {
        store.code: new_issue(
            cast, who=cast.ops if store.code != "GZ001" else cast.far_manager, store=store
        )
        for store in (cast.org.hangzhou, cast.org.ningbo, cast.org.guangzhou)
    }
    metrics.record_readings(
        actor=cast.lead,
        rows=[
            {
                "store": code,
                "metric": "nps",
                "date": (today - dt.timedelta(days=1)).isoformat(),
                "value": 60,
            }
            for code in issues
        ],
    )
    return issues


ALL = ["issues:write", "metrics:write", "webhooks:write"]


def _codes(response, key="store"):
    assert response.status_code == 200, response.content
    return sorted({row[key] for row in response.json()["results"]})


def test_a_store_bound_token_sees_only_its_store(cast, spread, token_client):
    client = token_client(cast.dms, scopes=ALL, stores=["HZ001"])
    assert _codes(client.get("/api/v1/issues/")) == ["HZ001"]
    assert _codes(client.get("/api/v1/stores/"), "code") == ["HZ001"]
    assert _codes(client.get("/api/v1/metrics/")) == ["HZ001"]
    assert client.get(f"/api/v1/issues/{spread['HZ001'].number}/").status_code == 200
    for other in ("NB001", "GZ001"):
        assert client.get(f"/api/v1/issues/{spread[other].number}/").status_code == 404
        assert client.get(f"/api/v1/stores/{other}/").status_code == 404
        assert client.get(f"/api/v1/metrics/?store={other}").json()["count"] == 0
    people = {
        row["username"] for row in client.get("/api/v1/users/?page_size=200").json()["results"]
    }
    assert "manager" in people and "neighbour" not in people and "far_manager" not in people


def test_a_region_bound_token_sees_the_regions_stores(cast, spread, token_client):
    client = token_client(cast.dms, scopes=ALL, regions=["EAST"])
    assert _codes(client.get("/api/v1/issues/")) == ["HZ001", "NB001"]
    assert _codes(client.get("/api/v1/stores/"), "code") == ["HZ001", "NB001"]
    assert client.get(f"/api/v1/issues/{spread['GZ001'].number}/").status_code == 404


def test_a_store_bound_token_writes_only_at_its_store(cast, spread, token_client):
    client = token_client(cast.dms, scopes=ALL, stores=["HZ001"])
    body = {"category": "system", "title": "t", "description": "d", "impact_scope": "store"}
    assert (
        client.post("/api/v1/issues/", {**body, "store": "HZ001"}, format="json").status_code == 201
    )
    refused = client.post("/api/v1/issues/", {**body, "store": "NB001"}, format="json")
    assert refused.status_code == 400 and "store" in refused.json()
    reply = client.post(
        f"/api/v1/issues/{spread['NB001'].number}/store-reply/", {"body": "x"}, format="json"
    )
    assert reply.status_code == 404
    today = timezone.localdate().isoformat()
    batch = client.post(
        "/api/v1/metrics/",
        [{"store": "NB001", "metric": "nps", "date": today, "value": 1}],
        format="json",
    )
    assert batch.status_code == 400 and batch.json()["errors"][0]["field"] == "store"
    assert Issue.objects.filter(store=cast.org.ningbo).count() == 1


def test_a_store_bound_token_changes_no_organisation_data(cast, token_client):
    # It cannot be given org:write at all …
    with pytest.raises(Exception, match="org:write"):
        tokens.issue_token(user=cast.dms, scopes=["org:write"], stores=["HZ001"])
    # … and a bound token of the lead is refused organisation writes and token admin.
    lead = token_client(cast.lead, scopes=["issues:write", "webhooks:write"], stores=["HZ001"])
    body = {"name": "x", "city": "y", "region": "EAST", "tier": "A"}
    assert lead.put("/api/v1/stores/HZ001/", body, format="json").status_code == 403
    assert lead.get("/api/v1/tokens/").status_code == 403
    response = lead.post("/api/v1/imports/issues/", {"file": png("a.csv")}, format="multipart")
    assert response.status_code == 403


def test_a_store_bound_tokens_webhook_carries_only_its_stores_events(cast, token_client):
    client = token_client(cast.dms, scopes=["issues:read", "webhooks:write"], stores=["HZ001"])
    response = client.post(
        "/api/v1/webhooks/",
        {"url": "http://127.0.0.1:9/h", "events": ["issue.created"]},
        format="json",
    )
    assert response.status_code == 201 and response.json()["stores"] == ["HZ001"]
    assert webhooks.emit("issue.created", {}, store=cast.org.ningbo) == []
    assert len(webhooks.emit("issue.created", {}, store=cast.org.hangzhou)) == 1
    assert webhooks.emit("issue.created", {}, store=None) == []  # no store: not for a bound one


def test_a_token_cannot_subscribe_to_what_it_may_not_read(cast, token_client):
    client = token_client(cast.dms, scopes=["webhooks:write"])
    response = client.post(
        "/api/v1/webhooks/",
        {"url": "http://127.0.0.1:9/h", "events": ["issue.created"]},
        format="json",
    )
    assert response.status_code == 400 and "events" in response.json()
