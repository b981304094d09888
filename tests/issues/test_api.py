"""The issue API (API.md "Issues"): the flow end to end, idempotent intake, the error
codes (400 / 403 / 404 / 409), timeline privacy, attachments and the OpenAPI document."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from closedloop.org.choices import Role
from issues import services
from issues.choices import MAX_ATTACHMENTS, Priority, Status
from issues.models import Attachment, Issue
from tests.factories import UserFactory, new_issue, to_triaged

pytestmark = pytest.mark.django_db

API_MD_FIELDS = {
    "number",
    "store",
    "region",
    "category",
    "title",
    "description",
    "impact_scope",
    "expected_resolution_date",
    "channel",
    "external_ref",
    "status",
    "priority",
    "suggested_priority",
    "department",
    "assignee",
    "submitted_by",
    "submitted_at",
    "triaged_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "response_due_at",
    "resolution_due_at",
    "response_breached",
    "resolution_breached",
    "rating",
    "reopen_count",
    "rectification",
    "url",
}

PAYLOAD = {
    "store": "HZ001",
    "category": "system",
    "title": "DMS 工单流转慢",
    "description": "开单到派工要等 5 分钟以上，客户排队。",
    "impact_scope": "store",
}


def triaged_issue(cast, *, at=None, priority=Priority.P1):
    return to_triaged(cast, new_issue(cast, when=at), at, priority)


def url(issue_or_number, action=""):
    number = getattr(issue_or_number, "number", issue_or_number)
    return f"/api/v1/issues/{number}/" + (f"{action}/" if action else "")


def png_bytes(size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name, content, content_type="image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


# --- the whole flow -------------------------------------------------------------------


def test_happy_path_through_the_api(cast, api):
    created = api.as_(cast.manager).post("/api/v1/issues/", PAYLOAD)
    assert created.status_code == 201, created.json()
    body = created.json()
    number = body["number"]
    assert number.startswith(f"ISS-{timezone.localdate().year}-")
    assert body.keys() >= API_MD_FIELDS
    assert body["store"] == "HZ001" and body["region"] == "EAST"
    assert body["submitted_by"] == "manager" and body["channel"] == "web"
    assert body["status"] == "submitted" and body["suggested_priority"] == "P2"
    assert body["rectification"] is None
    assert body["url"] == f"http://testserver/api/v1/issues/{number}/"

    reply = api.as_(cast.ops).post(url(number, "triage"), {"priority": "P1", "department": "IT"})
    assert reply.status_code == 200, reply.json()
    assert reply.json()["status"] == "triaged"
    assert reply.json()["priority"] == "P1" and reply.json()["department"] == "IT"
    assert reply.json()["response_due_at"] is not None
    assert reply.json()["first_response_at"] is None

    reply = api.as_(cast.head).post(url(number, "accept"))
    assert reply.status_code == 200, reply.json()
    accepted = reply.json()
    assert accepted["status"] == "in_progress" and accepted["assignee"] == "head"
    accept_event = next(e for e in accepted["timeline"] if e["action"] == "accept")
    assert accepted["first_response_at"] == accept_event["at"]

    reply = api.as_(cast.member).post(url(number, "comments"), {"body": "已定位到接口超时。"})
    assert reply.status_code == 201, reply.json()
    assert reply.json()["kind"] == "comment" and reply.json()["actor"] == "member"
    assert reply.json()["public"] is True

    reply = api.as_(cast.head).post(url(number, "ask-store"), {"question": "请提供截图。"})
    assert reply.status_code == 200, reply.json()
    assert reply.json()["status"] == "waiting_for_store"

    reply = api.as_(cast.manager).post(url(number, "store-reply"), {"body": "截图已上传。"})
    assert reply.status_code == 200, reply.json()
    assert reply.json()["status"] == "in_progress"

    reply = api.as_(cast.member).post(url(number, "resolve"), {"resolution": "已扩容接口。"})
    assert reply.status_code == 200, reply.json()
    assert reply.json()["status"] == "resolved" and reply.json()["resolved_at"]

    reply = api.as_(cast.manager).post(url(number, "confirm"), {"rating": 4, "comment": "好"})
    assert reply.status_code == 200, reply.json()
    final = reply.json()
    assert final["status"] == "closed" and final["rating"] == 4 and final["closed_at"]
    assert final["first_response_at"] == accept_event["at"]

    transitions = [
        (e["action"], e["actor"], e["from_status"], e["to_status"])
        for e in final["timeline"]
        if e["kind"] == "transition"
    ]
    assert transitions == [
        ("submit", "manager", "", "submitted"),
        ("triage", "ops", "submitted", "triaged"),
        ("accept", "head", "triaged", "in_progress"),
        ("ask_store", "head", "in_progress", "waiting_for_store"),
        ("store_reply", "manager", "waiting_for_store", "in_progress"),
        ("resolve", "member", "in_progress", "resolved"),
        ("confirm", "manager", "resolved", "closed"),
    ]
    assert all(e["at"] for e in final["timeline"])
    comments = [e for e in final["timeline"] if e["kind"] == "comment"]
    assert [(c["actor"], c["body"]) for c in comments] == [("member", "已定位到接口超时。")]

    # The same issue read back by GET is the same document.
    assert api.as_(cast.manager).get(url(number)).json() == final


def test_ask_store_accepts_body_as_alias_and_reopen_within_window(cast, api):
    issue = services.accept(issue=triaged_issue(cast), actor=cast.head)
    reply = api.as_(cast.head).post(url(issue, "ask-store"), {"body": "哪个工位？"})
    assert reply.status_code == 200, reply.json()
    assert reply.json()["timeline"][-1]["body"] == "哪个工位？"
    services.store_reply(issue=issue, actor=cast.manager, body="3 号工位")
    services.resolve(issue=issue, actor=cast.head, resolution="已修复")
    reply = api.as_(cast.manager).post(url(issue, "reopen"), {"reason": "又出现了"})
    assert reply.status_code == 200, reply.json()
    assert reply.json()["status"] == "in_progress" and reply.json()["reopen_count"] == 1


def test_reject_duplicate_priority_and_assign(cast, api):
    first = new_issue(cast)
    second = new_issue(cast)
    third = new_issue(cast)
    ops = api.as_(cast.ops)

    reply = ops.post(url(first, "reject"), {"reason": "不属于门店问题"})
    assert reply.status_code == 200 and reply.json()["status"] == "rejected"

    reply = ops.post(url(second, "duplicate"), {"duplicate_of": third.number})
    assert reply.status_code == 200, reply.json()
    assert reply.json()["status"] == "duplicate" and reply.json()["duplicate_of"] == third.number

    ops.post(url(third, "triage"), {"priority": "P2"})  # department: the suggestion (IT)
    reply = ops.post(url(third, "priority"), {"priority": "P0", "reason": "全网受影响"})
    assert reply.status_code == 200, reply.json()
    assert reply.json()["priority"] == "P0" and reply.json()["department"] == "IT"

    reply = api.as_(cast.head).post(url(third, "assign"), {"assignee": "member"})
    assert reply.status_code == 200, reply.json()
    assert reply.json()["assignee"] == "member"


def test_duplicate_of_an_invisible_issue_is_400(cast, api):
    mine = new_issue(cast)
    far = new_issue(cast, who=cast.far_manager, store=cast.org.guangzhou)
    reply = api.as_(cast.ops).post(url(mine, "duplicate"), {"duplicate_of": far.number})
    assert reply.status_code == 400 and "duplicate_of" in reply.json()
    assert Issue.objects.get(pk=mine.pk).status == Status.SUBMITTED


# --- intake ---------------------------------------------------------------------------


def test_dms_create_is_idempotent_per_source(cast, api):
    payload = {**PAYLOAD, "external_ref": "WO-2025-0042"}
    first = api.as_(cast.dms).post("/api/v1/issues/", payload)
    assert first.status_code == 201, first.json()
    assert first.json()["channel"] == "dms" and first.json()["external_ref"] == "WO-2025-0042"

    again = api.as_(cast.dms).post("/api/v1/issues/", payload)
    assert again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    assert Issue.objects.filter(external_ref="WO-2025-0042").count() == 1

    other = UserFactory(username="crm", role=Role.API_CLIENT, api_scopes=["issues:write"])
    third = api.as_(other).post("/api/v1/issues/", payload)
    assert third.status_code == 201
    assert third.json()["number"] != first.json()["number"]
    assert Issue.objects.filter(external_ref="WO-2025-0042").count() == 2


def test_create_validates_fields(cast, api):
    client = api.as_(cast.manager)
    reply = client.post("/api/v1/issues/", {**PAYLOAD, "store": "NB001"})
    assert reply.status_code == 400 and set(reply.json()) == {"store"}
    reply = client.post("/api/v1/issues/", {**PAYLOAD, "store": "NOPE"})
    assert reply.status_code == 400 and set(reply.json()) == {"store"}
    reply = client.post("/api/v1/issues/", {**PAYLOAD, "category": "weather"})
    assert reply.status_code == 400 and "category" in reply.json()
    reply = client.post("/api/v1/issues/", {**PAYLOAD, "expected_resolution_date": "tomorrow"})
    assert reply.status_code == 400 and "expected_resolution_date" in reply.json()
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    reply = client.post("/api/v1/issues/", {**PAYLOAD, "expected_resolution_date": yesterday})
    assert reply.status_code == 400 and "expected_resolution_date" in reply.json()
    reply = client.post("/api/v1/issues/", {"store": "HZ001"})
    assert reply.status_code == 400
    assert {"category", "title", "description", "impact_scope"} <= set(reply.json())
    reply = client.post("/api/v1/issues/", "not json", content_type="application/json")
    assert reply.status_code == 400
    assert not Issue.objects.exists()


def test_ops_may_set_the_channel_when_transcribing(cast, api):
    reply = api.as_(cast.ops).post(
        "/api/v1/issues/", {**PAYLOAD, "store": "NB001", "channel": "chat"}
    )
    assert reply.status_code == 201 and reply.json()["channel"] == "chat"


def test_write_scope_and_read_only_roles(cast, api):
    reader = UserFactory(username="bi", role=Role.API_CLIENT, api_scopes=["issues:read"])
    metrics_only = UserFactory(username="mx", role=Role.API_CLIENT, api_scopes=["metrics:write"])
    issue = new_issue(cast)

    assert api.as_(reader).get("/api/v1/issues/").status_code == 200
    assert api.as_(reader).get(url(issue)).status_code == 200
    assert api.as_(reader).post("/api/v1/issues/", PAYLOAD).status_code == 403
    assert api.as_(metrics_only).get("/api/v1/issues/").status_code == 403
    assert api.as_(metrics_only).post("/api/v1/issues/", PAYLOAD).status_code == 403

    executive = api.as_(cast.executive)
    assert executive.get(url(issue)).status_code == 200
    assert executive.post("/api/v1/issues/", PAYLOAD).status_code == 403
    for action, body in [
        ("triage", {"priority": "P1"}),
        ("comments", {"body": "看看"}),
        ("reject", {"reason": "不要"}),
    ]:
        assert executive.post(url(issue, action), body).status_code == 403, action
    assert Issue.objects.count() == 1


def test_anonymous_is_401(db, api):
    assert api.get("/api/v1/issues/").status_code == 401
    assert api.post("/api/v1/issues/", PAYLOAD).status_code == 401


# --- 403 / 404 / 409 -----------------------------------------------------------------


def test_forbidden_action_on_a_visible_issue_is_403(cast, api):
    issue = new_issue(cast)
    manager = api.as_(cast.manager)
    reply = manager.post(url(issue, "triage"), {"priority": "P0", "department": "IT"})
    assert reply.status_code == 403 and reply.json()["code"] == "permission_denied"
    assert manager.post(url(issue, "reject"), {"reason": "x"}).status_code == 403
    services.triage(issue=issue, actor=cast.ops, priority=Priority.P1, department="IT")
    assert manager.post(url(issue, "accept")).status_code == 403
    # The supply-chain head sees nothing of an IT issue: 404, not 403.
    assert api.as_(cast.scm_head).post(url(issue, "accept")).status_code == 404
    assert Issue.objects.get(pk=issue.pk).status == Status.TRIAGED


def test_invisible_issue_is_404_for_reads_and_writes(cast, api):
    issue = new_issue(cast)
    neighbour = api.as_(cast.neighbour)
    assert neighbour.get(url(issue)).status_code == 404
    for action, body in [
        ("triage", {"priority": "P1"}),
        ("comments", {"body": "hi"}),
        ("confirm", {"rating": 5}),
        ("store-reply", {"body": "hi"}),
    ]:
        assert neighbour.post(url(issue, action), body).status_code == 404, action
    attachment = upload("a.png", png_bytes())
    reply = neighbour.post(url(issue, "attachments"), {"file": attachment}, format="multipart")
    assert reply.status_code == 404
    assert not Attachment.objects.exists()
    assert neighbour.get(url("ISS-2025-99999")).status_code == 404


@pytest.mark.parametrize(
    "who,action,body,state",
    [
        ("manager", "confirm", {"rating": 5}, "submitted"),
        ("manager", "store-reply", {"body": "x"}, "submitted"),
        ("lead", "accept", {}, "submitted"),
        ("head", "resolve", {"resolution": "done"}, "triaged"),
        ("ops", "triage", {"priority": "P1"}, "triaged"),
        ("ops", "reject", {"reason": "x"}, "in_progress"),
        ("head", "ask-store", {"question": "?"}, "resolved"),
        ("manager", "reopen", {"reason": "again"}, "in_progress"),
        ("ops", "priority", {"priority": "P0"}, "submitted"),
    ],
)
def test_action_from_a_wrong_state_is_409(cast, api, who, action, body, state):
    issue = new_issue(cast)
    if state != "submitted":
        issue = services.triage(issue=issue, actor=cast.ops, priority="P1", department="IT")
    if state in ("in_progress", "resolved"):
        issue = services.accept(issue=issue, actor=cast.head)
    if state == "resolved":
        issue = services.resolve(issue=issue, actor=cast.head, resolution="done")
    assert issue.status == state
    reply = api.as_(getattr(cast, who)).post(url(issue, action), body)
    assert reply.status_code == 409, reply.json()
    assert reply.json()["code"] == "invalid_transition" and reply.json()["detail"]
    assert Issue.objects.get(pk=issue.pk).status == state


def test_reopen_after_fourteen_days_is_409(cast, api):
    start = timezone.now() - dt.timedelta(days=30)
    issue = triaged_issue(cast, at=start)
    services.accept(issue=issue, actor=cast.head, at=start + dt.timedelta(hours=1))
    services.resolve(
        issue=issue, actor=cast.head, resolution="done", at=start + dt.timedelta(days=10)
    )
    reply = api.as_(cast.manager).post(url(issue, "reopen"), {"reason": "again"})
    assert reply.status_code == 409 and reply.json()["code"] == "invalid_transition"
    assert Issue.objects.get(pk=issue.pk).reopen_count == 0


# --- bad input is 400, never 500 -------------------------------------------------------


def test_bad_input_is_400_with_field_errors(cast, api):
    issue = services.accept(issue=triaged_issue(cast), actor=cast.head)
    head = api.as_(cast.head)
    reply = head.post(url(issue, "comments"), {})
    assert reply.status_code == 400 and "body" in reply.json()
    reply = head.post(url(issue, "comments"), {"body": "   "})
    assert reply.status_code == 400 and "body" in reply.json()
    reply = head.post(url(issue, "assign"), {"assignee": "nobody"})
    assert reply.status_code == 400 and "assignee" in reply.json()
    reply = head.post(url(issue, "assign"), {"assignee": "scm_head"})
    assert reply.status_code == 400 and "assignee" in reply.json()
    reply = head.post(url(issue, "ask-store"), {})
    assert reply.status_code == 400 and "question" in reply.json()
    reply = head.post(url(issue, "resolve"), {"resolution": ""})
    assert reply.status_code == 400 and "resolution" in reply.json()
    reply = api.as_(cast.ops).post(url(issue, "priority"), {"priority": "P9"})
    assert reply.status_code == 400 and "priority" in reply.json()
    reply = api.as_(cast.ops).post(url(issue, "priority"), {"priority": "P1", "department": "XX"})
    assert reply.status_code == 400 and "department" in reply.json()
    reply = api.as_(cast.ops).post(url(issue, "reject"), {"reason": "x"})
    assert reply.status_code == 409  # in progress: a state question, not input

    services.resolve(issue=issue, actor=cast.head, resolution="done")
    manager = api.as_(cast.manager)
    for rating in ("abc", 0, 6, None, ""):
        reply = manager.post(url(issue, "confirm"), {"rating": rating})
        assert reply.status_code == 400 and "rating" in reply.json(), rating
    assert manager.post(url(issue, "reopen"), {}).status_code == 400

    assert head.get("/api/v1/issues/?page_size=abc").status_code == 200
    assert head.get("/api/v1/issues/?page=abc").status_code == 404
    assert head.get("/api/v1/issues/?submitted_after=yesterday").status_code == 400
    assert head.get("/api/v1/issues/?status=lost").status_code == 400
    assert head.get("/api/v1/issues/?ordering=password").status_code == 400
    assert Issue.objects.get(pk=issue.pk).status == Status.RESOLVED


def test_triage_with_unknown_department_is_400(cast, api):
    issue = new_issue(cast)
    reply = api.as_(cast.ops).post(url(issue, "triage"), {"priority": "P1", "department": "XX"})
    assert reply.status_code == 400 and "department" in reply.json()
    reply = api.as_(cast.ops).post(url(issue, "triage"), {"priority": "urgent"})
    assert reply.status_code == 400 and "priority" in reply.json()


# --- the timeline and internal notes ----------------------------------------------------


def test_internal_notes_are_never_shown_to_the_store(cast, api):
    issue = services.accept(issue=triaged_issue(cast), actor=cast.head)
    reply = api.as_(cast.head).post(
        url(issue, "comments"), {"body": "内部：接口组排期", "public": False}
    )
    assert reply.status_code == 201 and reply.json()["kind"] == "note"
    api.as_(cast.head).post(url(issue, "comments"), {"body": "正在处理"})
    api.as_(cast.head).post(url(issue, "assign"), {"assignee": "member"})

    def bodies(user):
        timeline = api.as_(user).get(url(issue)).json()["timeline"]
        return [e["body"] for e in timeline], {e["public"] for e in timeline}

    for who in ("manager", "dms"):
        seen, publics = bodies(getattr(cast, who))
        assert "正在处理" in seen and "内部：接口组排期" not in seen, who
        assert publics == {True}, who
    for who in ("ops", "head", "member", "lead", "director", "executive"):
        seen, publics = bodies(getattr(cast, who))
        assert "内部：接口组排期" in seen and False in publics, who

    reply = api.as_(cast.manager).post(url(issue, "comments"), {"body": "我也要", "public": False})
    assert reply.status_code == 403


def test_public_reply_by_the_department_is_the_first_response(cast, api):
    issue = triaged_issue(cast)
    api.as_(cast.manager).post(url(issue, "comments"), {"body": "还在等"})
    assert api.as_(cast.manager).get(url(issue)).json()["first_response_at"] is None
    api.as_(cast.member).post(url(issue, "comments"), {"body": "内部", "public": False})
    assert api.as_(cast.manager).get(url(issue)).json()["first_response_at"] is None
    reply = api.as_(cast.member).post(url(issue, "comments"), {"body": "收到，排查中"})
    body = api.as_(cast.manager).get(url(issue)).json()
    assert body["first_response_at"] == reply.json()["at"]
    assert body["status"] == "triaged"


def test_breach_flags_follow_the_due_times(cast, api):
    old = triaged_issue(cast, at=timezone.now() - dt.timedelta(days=10), priority=Priority.P1)
    fresh = triaged_issue(cast, priority=Priority.P1)
    rows = {r["number"]: r for r in api.as_(cast.lead).get("/api/v1/issues/").json()["results"]}
    assert rows[old.number]["response_breached"] is True
    assert rows[old.number]["resolution_breached"] is True
    assert rows[fresh.number]["response_breached"] is False
    assert rows[fresh.number]["resolution_breached"] is False


# --- attachments ------------------------------------------------------------------------


def files_under(path):
    return [p for p in path.rglob("*") if p.is_file()]


def test_a_real_png_is_accepted_and_downloadable(cast, api, media_root):
    issue = new_issue(cast)
    content = png_bytes()
    reply = api.as_(cast.manager).post(
        url(issue, "attachments"), {"file": upload("门店截图.png", content)}, format="multipart"
    )
    assert reply.status_code == 201, reply.json()
    [item] = reply.json()
    assert item["name"] == "门店截图.png" and item["content_type"] == "image/png"
    assert item["size"] == len(content) and item["uploaded_by"] == "manager"
    assert len(files_under(media_root)) == 1

    detail = api.as_(cast.manager).get(url(issue)).json()
    assert [a["url"] for a in detail["attachments"]] == [item["url"]]
    assert any(e["kind"] == "attachment" for e in detail["timeline"])

    path = item["url"].removeprefix("http://testserver")
    download = api.as_(cast.ops).get(path)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == "image/png"
    assert api.as_(cast.neighbour).get(path).status_code == 404
    assert api.as_(cast.ops).get(url(issue, "attachments/999999")).status_code == 404


def test_several_files_in_one_request(cast, api, media_root):
    issue = new_issue(cast)
    reply = api.as_(cast.manager).post(
        url(issue, "attachments"),
        {"file": [upload("a.png", png_bytes()), upload("b.png", png_bytes((4, 4)))]},
        format="multipart",
    )
    assert reply.status_code == 201, reply.json()
    assert [a["name"] for a in reply.json()] == ["a.png", "b.png"]
    assert Attachment.objects.filter(issue=issue).count() == 2


def test_a_text_file_named_png_is_refused_and_nothing_is_saved(cast, api, media_root):
    issue = new_issue(cast)
    reply = api.as_(cast.manager).post(
        url(issue, "attachments"),
        {"file": [upload("ok.png", png_bytes()), upload("fake.png", b"just some text\n" * 50)]},
        format="multipart",
    )
    assert reply.status_code == 400 and "file" in reply.json()
    assert not Attachment.objects.exists()
    assert files_under(media_root) == []


def test_a_file_over_ten_megabytes_is_refused(cast, api, media_root):
    issue = new_issue(cast)
    big = png_bytes() + b"\0" * (10 * 1024 * 1024)
    reply = api.as_(cast.manager).post(
        url(issue, "attachments"), {"file": upload("big.png", big)}, format="multipart"
    )
    assert reply.status_code == 400 and "file" in reply.json()
    assert not Attachment.objects.exists() and files_under(media_root) == []


def test_the_tenth_file_is_refused(cast, api, media_root):
    issue = new_issue(cast)
    client = api.as_(cast.manager)
    reply = client.post(
        url(issue, "attachments"),
        {"file": [upload(f"{i}.png", png_bytes()) for i in range(MAX_ATTACHMENTS)]},
        format="multipart",
    )
    assert reply.status_code == 201 and len(reply.json()) == MAX_ATTACHMENTS
    reply = client.post(
        url(issue, "attachments"), {"file": upload("10.png", png_bytes())}, format="multipart"
    )
    assert reply.status_code == 400 and "file" in reply.json()
    assert Attachment.objects.filter(issue=issue).count() == MAX_ATTACHMENTS
    assert len(files_under(media_root)) == MAX_ATTACHMENTS


def test_attachment_request_without_a_file_is_400(cast, api, media_root):
    issue = new_issue(cast)
    reply = api.as_(cast.manager).post(url(issue, "attachments"), {}, format="multipart")
    assert reply.status_code == 400 and "file" in reply.json()
    empty = upload("empty.png", b"")
    reply = api.as_(cast.manager).post(
        url(issue, "attachments"), {"file": empty}, format="multipart"
    )
    assert reply.status_code == 400 and "file" in reply.json()


def test_no_attachments_on_a_closed_issue(cast, api, media_root):
    issue = new_issue(cast)
    services.reject(issue=issue, actor=cast.ops, reason="不是问题")
    reply = api.as_(cast.manager).post(
        url(issue, "attachments"), {"file": upload("a.png", png_bytes())}, format="multipart"
    )
    assert reply.status_code == 409 and reply.json()["code"] == "invalid_transition"
    assert files_under(media_root) == []


# --- the OpenAPI document ----------------------------------------------------------------


def test_openapi_schema_is_valid_and_warning_free(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    text = target.read_text()
    for path in (
        "/api/v1/issues/:",
        "/api/v1/issues/{number}/:",
        "/api/v1/issues/{number}/triage/:",
        "/api/v1/issues/{number}/assign/:",
        "/api/v1/issues/{number}/accept/:",
        "/api/v1/issues/{number}/comments/:",
        "/api/v1/issues/{number}/ask-store/:",
        "/api/v1/issues/{number}/store-reply/:",
        "/api/v1/issues/{number}/resolve/:",
        "/api/v1/issues/{number}/confirm/:",
        "/api/v1/issues/{number}/reopen/:",
        "/api/v1/issues/{number}/reject/:",
        "/api/v1/issues/{number}/duplicate/:",
        "/api/v1/issues/{number}/priority/:",
        "/api/v1/issues/{number}/attachments/:",
    ):
        assert path in text, path
