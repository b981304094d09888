"""The issue pages (submit, my store's issues, triage queue, list, detail, attachments):
they render for each role, scope what they show, and every action posted through a page
goes through the services — a refused one shows its message and changes nothing."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from closedloop.core.navigation import items_for
from issues import services
from issues.choices import Status
from issues.models import Attachment, Issue, IssueEvent
from tests.factories import new_issue, png, to_in_progress, to_resolved, to_triaged

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


PEOPLE = [
    "manager",
    "neighbour",
    "ops",
    "director",
    "head",
    "member",
    "scm_head",
    "lead",
    "executive",
]


def _text(response):
    return response.content.decode()


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- rendering per role ---------------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_list_and_detail_render_for_every_role(who, cast, client):
    issue = to_triaged(cast, new_issue(cast))
    user = getattr(cast, who)
    client.force_login(user)
    listing = client.get("/issues/")
    assert listing.status_code == 200
    sees = Issue.objects.visible_to(user).filter(pk=issue.pk).exists()
    assert (issue.number in _text(listing)) == sees
    detail = client.get(f"/issues/{issue.number}/")
    assert detail.status_code == (200 if sees else 404)
    for view in ("priority", "department", "status", "overdue", "mine"):
        assert client.get(f"/issues/?view={view}").status_code == 200
    assert client.get("/issues/store/").status_code == (200 if user.store_id else 403)


def test_navigation_by_role(cast):
    def names(user):
        return {item["name"] for item in items_for(user)}

    assert {"issues:submit", "issues:my_store", "issues:list"} <= names(cast.manager)
    assert "issues:triage" not in names(cast.manager)
    assert {"issues:submit", "issues:list", "issues:triage"} <= names(cast.ops)
    assert {"issues:list", "issues:triage"} <= names(cast.lead)
    assert "issues:submit" not in names(cast.head)
    assert "issues:triage" not in names(cast.head)
    assert "issues:list" in names(cast.head)
    assert "issues:list" not in names(cast.dms)


GATED_PAGES = {
    "issues:submit": "/issues/new/",
    "issues:list": "/issues/",
    "issues:triage": "/issues/triage/",
    "issues:systemic_list": "/issues/systemic/",
}


@pytest.mark.parametrize("who", [*PEOPLE, "outsider", "dms"])
def test_a_link_is_shown_exactly_when_its_page_opens(who, cast, client):
    """Navigation and page gates read the same predicates of ``issues.policy`` (a quality
    lead, who may submit, used to get no link)."""
    user = getattr(cast, who)
    client.force_login(user)
    shown = {item["name"] for item in items_for(user)}
    for name, url in GATED_PAGES.items():
        assert (name in shown) == (client.get(url).status_code == 200), (who, name)
    if who == "lead":
        assert "issues:submit" in shown


def test_submit_and_triage_pages_are_refused_to_other_roles(cast, client):
    client.force_login(cast.head)
    assert client.get("/issues/new/").status_code == 403
    assert client.get("/issues/triage/").status_code == 403
    client.force_login(cast.executive)
    assert client.get("/issues/new/").status_code == 403
    client.force_login(cast.ops)
    assert client.get("/issues/new/").status_code == 200
    assert client.get("/issues/triage/").status_code == 200


# --- submit ---------------------------------------------------------------------------


def _submit_data(**extra):
    data = {
        "category": "system",
        "title": "DMS 打印工单很慢",
        "description": "每张工单要等两分钟，早高峰排长队。",
        "impact_scope": "store",
        "expected_resolution_date": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
    }
    data.update(extra)
    return data


def test_store_manager_submits_with_a_photo_and_sees_the_number(cast, client):
    client.force_login(cast.manager)
    form = client.get("/issues/new/")
    page = _text(form)
    assert 'accept="image/*,application/pdf"' in page
    assert 'capture="environment"' in page
    assert 'name="store"' not in page  # the store is implied

    response = client.post(
        "/issues/new/", _submit_data(attachments=[png("a.png"), png("b.png")]), follow=True
    )
    issue = Issue.objects.get()
    assert issue.store == cast.org.hangzhou
    assert issue.submitted_by == cast.manager
    assert issue.channel == "web"
    assert issue.attachments.count() == 2
    assert response.redirect_chain[-1][0] == f"/issues/{issue.number}/submitted/"
    assert issue.number in _text(response)
    assert 'data-testid="issue-number"' in _text(response)


def test_a_text_file_named_jpg_is_refused_and_nothing_is_saved(cast, client):
    client.force_login(cast.manager)
    fake = SimpleUploadedFile("photo.jpg", b"just some text, not an image", "image/jpeg")
    response = client.post("/issues/new/", _submit_data(attachments=[fake]))
    assert response.status_code == 200
    assert "文件“photo.jpg”不是图片或 PDF。" in _text(response)
    assert Issue.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_a_missing_field_is_shown_next_to_it(cast, client):
    client.force_login(cast.manager)
    response = client.post("/issues/new/", _submit_data(title=""))
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assert Issue.objects.count() == 0


def test_expected_date_in_the_past_is_refused_by_the_service(cast, client):
    client.force_login(cast.manager)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post("/issues/new/", _submit_data(expected_resolution_date=yesterday))
    assert "期望解决日期不能早于今天。" in _text(response)
    assert Issue.objects.count() == 0


def test_ops_transcribes_from_chat_for_one_of_their_stores_only(cast, client):
    client.force_login(cast.ops)
    page = _text(client.get("/issues/new/"))
    assert "NB001" in page and "HZ001" in page and "GZ001" not in page

    refused = client.post("/issues/new/", _submit_data(store=cast.org.guangzhou.pk))
    assert refused.status_code == 200 and Issue.objects.count() == 0

    client.post("/issues/new/", _submit_data(store=cast.org.ningbo.pk))
    issue = Issue.objects.get()
    assert issue.store == cast.org.ningbo
    assert issue.channel == "chat"
    assert issue.submitted_by == cast.ops


# --- my store's issues ------------------------------------------------------------------


def test_my_store_shows_status_and_what_the_department_last_said(cast, client):
    mine = to_in_progress(cast, new_issue(cast, title="本店的问题"))
    services.comment(issue=mine, actor=cast.head, body="已定位到打印服务，今晚发布修复")
    services.comment(issue=mine, actor=cast.manager, body="门店自己的追问")
    services.comment(issue=mine, actor=cast.head, body="内部：先别告诉门店", public=False)
    new_issue(cast, store=cast.org.ningbo, who=cast.neighbour, title="邻店的问题")

    client.force_login(cast.manager)
    page = _text(client.get("/issues/store/"))
    assert "本店的问题" in page and "邻店的问题" not in page
    assert "已定位到打印服务，今晚发布修复" in page
    assert "门店自己的追问" not in page
    assert "先别告诉门店" not in page
    assert "处理中" in page


def test_my_store_todo_tab_lists_what_waits_for_the_store(cast, client):
    waiting = to_in_progress(cast, new_issue(cast, title="等门店补充的"))
    services.ask_store(issue=waiting, actor=cast.head, question="请上传报错截图")
    new_issue(cast, title="刚提交的")
    client.force_login(cast.manager)
    response = client.get("/issues/store/?tab=todo")
    page = _text(response)
    assert "等门店补充的" in page and "刚提交的" not in page
    assert {k: n for k, _label, n in response.context["tabs"]} == {
        "all": 2,
        "todo": 1,
        "open": 1,
        "done": 0,
    }


# --- triage queue ---------------------------------------------------------------------


def test_triage_queue_oldest_first_with_suggestions_and_similar_issues(cast, client):
    now = timezone.now()
    newer = new_issue(cast, title="DMS 工单打印很慢", when=now - dt.timedelta(hours=1))
    older = new_issue(
        cast, title="配件到货延迟", category="supply_chain", when=now - dt.timedelta(hours=5)
    )
    other_store = new_issue(
        cast, store=cast.org.ningbo, who=cast.neighbour, title="DMS 工单打印很慢，排队"
    )
    to_triaged(cast, other_store)
    far = new_issue(cast, store=cast.org.guangzhou, who=cast.far_manager, title="DMS 工单打印很慢")

    client.force_login(cast.ops)
    response = client.get("/issues/triage/")
    queue = [issue.number for issue in response.context["page"]]
    assert queue == [older.number, newer.number]  # GZ001 is not this specialist's store
    page = _text(response)
    assert "按建议分级" in page
    item = {i.number: i for i in response.context["page"]}[newer.number]
    assert item.suggested_priority == "P2" and item.suggested_department.code == "IT"
    similar = [other.number for other in item.similar]
    assert other_store.number in similar
    assert far.number not in similar  # invisible to this specialist: never shown


def test_one_click_triage_from_the_queue(cast, client):
    issue = new_issue(cast, impact_scope="national")
    client.force_login(cast.ops)
    response = client.post(
        f"/issues/{issue.number}/do/triage/",
        {"triage-priority": "P0", "triage-department": "IT", "next": "/issues/triage/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/issues/triage/"
    issue.refresh_from_db()
    assert issue.status == Status.TRIAGED and issue.priority == "P0"
    assert issue.department.code == "IT"
    assert "已分级" in " ".join(_messages(response))


def test_an_outside_next_is_ignored(cast, client):
    issue = new_issue(cast)
    client.force_login(cast.ops)
    response = client.post(
        f"/issues/{issue.number}/do/triage/",
        {"triage-priority": "P2", "triage-department": "IT", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == f"/issues/{issue.number}/"


def test_refused_pages_use_the_generic_403_page_with_the_reason(cast, client):
    client.force_login(cast.head)
    response = client.get("/issues/new/")
    assert response.status_code == 403
    assert [t.name for t in response.templates][0] == "403.html"
    assert 'data-testid="forbidden"' in _text(response) and "你的角色不能提交问题。" in _text(
        response
    )


def test_reject_without_reason_from_the_queue_says_why_and_changes_nothing(cast, client):
    issue = new_issue(cast)
    client.force_login(cast.ops)
    response = client.post(
        f"/issues/{issue.number}/do/reject/",
        {"reject-reason": "  ", "next": "/issues/triage/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/issues/triage/"
    assert any("驳回原因" in m for m in _messages(response))
    issue.refresh_from_db()
    assert issue.status == Status.SUBMITTED


def test_mark_duplicate_by_number(cast, client):
    survivor = new_issue(cast, title="先报的")
    issue = new_issue(cast, title="后报的")
    client.force_login(cast.ops)
    client.post(
        f"/issues/{issue.number}/do/duplicate/", {"duplicate-duplicate_of": survivor.number}
    )
    issue.refresh_from_db()
    assert issue.status == Status.DUPLICATE and issue.duplicate_of == survivor


def test_mark_duplicate_of_an_invisible_issue_is_refused(cast, client):
    far = new_issue(cast, store=cast.org.guangzhou, who=cast.far_manager)
    issue = new_issue(cast)
    client.force_login(cast.ops)
    response = client.post(
        f"/issues/{issue.number}/do/duplicate/", {"duplicate-duplicate_of": far.number}
    )
    assert f"找不到编号为 {far.number} 的问题。" in _text(response)
    issue.refresh_from_db()
    assert issue.status == Status.SUBMITTED


# --- detail: visibility, attachments --------------------------------------------------


def test_neighbour_gets_404_for_detail_actions_and_files(cast, client):
    issue = new_issue(cast, files=[png()])
    attachment = issue.attachments.get()
    client.force_login(cast.neighbour)
    assert client.get(f"/issues/{issue.number}/").status_code == 404
    assert client.get(f"/issues/{issue.number}/submitted/").status_code == 404
    assert client.get(f"/issues/{issue.number}/files/{attachment.pk}/").status_code == 404
    assert (
        client.post(f"/issues/{issue.number}/do/comment/", {"comment-body": "x"}).status_code == 404
    )
    assert IssueEvent.objects.filter(issue=issue, kind="comment").count() == 0


def test_attachments_are_served_through_the_visibility_check(cast, client):
    issue = new_issue(cast, files=[png("crash.png", size=(1200, 900))])
    attachment = issue.attachments.get()
    client.force_login(cast.manager)
    page = _text(client.get(f"/issues/{issue.number}/"))
    url = f"/issues/{issue.number}/files/{attachment.pk}/"
    assert url in page
    assert "/media/" not in page
    full = client.get(url)
    assert full.status_code == 200 and full["Content-Type"] == "image/png"
    assert b"".join(full.streaming_content).startswith(b"\x89PNG")
    thumb = client.get(url + "?thumb=1")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    # Another issue's number with this file's id: not found.
    other = new_issue(cast)
    assert client.get(f"/issues/{other.number}/files/{attachment.pk}/").status_code == 404


def test_detail_shows_sla_badges_and_internal_notes_only_to_hq(cast, client):
    issue = new_issue(
        cast, impact_scope="national", when=timezone.now() - dt.timedelta(hours=3)
    )  # P0: response due 1 h after submission, long past
    services.comment(issue=issue, actor=cast.ops, body="内部判断：疑似系统性问题", public=False)
    client.force_login(cast.ops)
    page = _text(client.get(f"/issues/{issue.number}/"))
    assert 'data-testid="sla-breached"' in page
    assert "内部判断：疑似系统性问题" in page
    client.force_login(cast.manager)
    page = _text(client.get(f"/issues/{issue.number}/"))
    assert "内部判断：疑似系统性问题" not in page
    assert 'data-testid="sla-breached"' in page


# --- detail: every action through the page -------------------------------------------


def _post(client, issue, action, data=None, **kwargs):
    return client.post(f"/issues/{issue.number}/do/{action}/", data or {}, **kwargs)


def test_the_whole_life_through_the_pages(cast, client):
    issue = new_issue(cast)

    client.force_login(cast.ops)
    _post(client, issue, "triage", {"triage-priority": "P1", "triage-department": "IT"})
    issue.refresh_from_db()
    assert issue.status == Status.TRIAGED
    _post(
        client,
        issue,
        "change_priority",
        {
            "change_priority-priority": "P0",
            "change_priority-department": "IT",
            "change_priority-reason": "影响扩大",
        },
    )
    issue.refresh_from_db()
    assert issue.priority == "P0"

    client.force_login(cast.head)
    _post(client, issue, "accept")
    issue.refresh_from_db()
    assert issue.status == Status.IN_PROGRESS and issue.first_response_at is not None
    _post(client, issue, "assign", {"assign-assignee": cast.member.pk})
    issue.refresh_from_db()
    assert issue.assignee == cast.member
    _post(client, issue, "comment", {"comment-body": "正在排查", "comment-visibility": "public"})
    _post(client, issue, "comment", {"comment-body": "内部记录", "comment-visibility": "internal"})
    assert issue.events.filter(kind="comment", body="正在排查", public=True).exists()
    assert issue.events.filter(kind="note", body="内部记录", public=False).exists()
    _post(client, issue, "ask_store", {"ask_store-question": "请提供报错截图"})
    issue.refresh_from_db()
    assert issue.status == Status.WAITING_FOR_STORE

    client.force_login(cast.manager)
    _post(
        client,
        issue,
        "store_reply",
        {"store_reply-body": "截图见附件", "store_reply-attachments": [png("err.png")]},
    )
    issue.refresh_from_db()
    assert issue.status == Status.IN_PROGRESS
    assert issue.attachments.filter(original_name="err.png").exists()
    _post(client, issue, "upload", {"upload-attachments": [png("more.png")]})
    assert issue.attachments.count() == 2

    client.force_login(cast.member)
    _post(client, issue, "resolve", {"resolve-resolution": "已修复打印服务"})
    issue.refresh_from_db()
    assert issue.status == Status.RESOLVED

    client.force_login(cast.manager)
    _post(client, issue, "reopen", {"reopen-reason": "又慢了"})
    issue.refresh_from_db()
    assert issue.status == Status.IN_PROGRESS and issue.reopen_count == 1

    client.force_login(cast.head)
    _post(client, issue, "resolve", {"resolve-resolution": "扩容后稳定"})
    client.force_login(cast.manager)
    response = _post(
        client, issue, "confirm", {"confirm-rating": "4", "confirm-comment": "好多了"}, follow=True
    )
    issue.refresh_from_db()
    assert issue.status == Status.CLOSED and issue.rating == 4
    assert "已确认关闭" in " ".join(_messages(response))
    page = _text(client.get(f"/issues/{issue.number}/"))
    assert "内部记录" not in page  # the store never sees internal notes
    assert "正在排查" in page


def test_reject_from_the_detail_page(cast, client):
    issue = new_issue(cast)
    client.force_login(cast.lead)
    _post(client, issue, "reject", {"reject-reason": "不属于售后范围"})
    issue.refresh_from_db()
    assert issue.status == Status.REJECTED and issue.reject_reason == "不属于售后范围"


def test_confirm_on_a_triaged_issue_shows_the_message_and_changes_nothing(cast, client):
    issue = to_triaged(cast, new_issue(cast))
    before = issue.events.count()
    client.force_login(cast.manager)
    response = _post(client, issue, "confirm", {"confirm-rating": "5"})
    assert response.status_code == 409
    assert "问题当前状态为“已分级”，不能执行“确认关闭”。" in _text(response)
    issue.refresh_from_db()
    assert issue.status == Status.TRIAGED and issue.rating is None
    assert issue.events.count() == before


def test_a_forbidden_action_on_a_visible_issue_is_a_403_with_the_message(cast, client):
    issue = to_triaged(cast, new_issue(cast))
    client.force_login(cast.manager)  # sees the issue, may not accept it
    response = _post(client, issue, "accept")
    assert response.status_code == 403
    assert "你无权对该问题执行“受理”。" in _text(response)
    issue.refresh_from_db()
    assert issue.status == Status.TRIAGED


def test_store_manager_cannot_post_an_internal_note(cast, client):
    issue = new_issue(cast)
    client.force_login(cast.manager)
    response = _post(
        client, issue, "comment", {"comment-body": "悄悄话", "comment-visibility": "internal"}
    )
    assert response.status_code in (200, 403)
    assert not issue.events.filter(kind="note").exists()


def test_rating_out_of_range_is_a_form_error(cast, client):
    issue = to_resolved(cast, new_issue(cast))
    client.force_login(cast.manager)
    response = _post(client, issue, "confirm", {"confirm-rating": "9"})
    assert response.status_code == 200
    assert response.context["forms"]["confirm"].errors["rating"]
    issue.refresh_from_db()
    assert issue.status == Status.RESOLVED


def test_reopen_after_14_days_is_not_offered_and_refused(cast, client):
    long_ago = timezone.now() - dt.timedelta(days=20)
    issue = to_resolved(cast, new_issue(cast, when=long_ago), when=long_ago)
    client.force_login(cast.manager)
    page = _text(client.get(f"/issues/{issue.number}/"))
    assert 'data-testid="action-reopen"' not in page
    assert 'data-testid="reopen-expired"' in page
    response = _post(client, issue, "reopen", {"reopen-reason": "又坏了"})
    assert response.status_code == 409
    issue.refresh_from_db()
    assert issue.status == Status.RESOLVED


def test_detail_offers_only_the_actions_allowed_now(cast, client):
    issue = to_triaged(cast, new_issue(cast))
    client.force_login(cast.head)
    page = _text(client.get(f"/issues/{issue.number}/"))
    assert 'data-testid="action-accept"' in page
    assert 'data-testid="action-confirm"' not in page
    assert 'data-testid="action-triage"' not in page
    client.force_login(cast.manager)
    page = _text(client.get(f"/issues/{issue.number}/"))
    assert 'data-testid="action-accept"' not in page
    assert 'data-testid="action-confirm"' not in page


def test_unknown_action_is_404(cast, client):
    issue = new_issue(cast)
    client.force_login(cast.lead)
    assert _post(client, issue, "explode").status_code == 404
    assert client.get(f"/issues/{issue.number}/do/accept/").status_code == 405


def test_bad_filter_values_show_errors_not_a_500(cast, client):
    new_issue(cast)
    client.force_login(cast.lead)
    response = client.get("/issues/?submitted_after=not-a-date&status=bogus&view=nonsense&page=x")
    assert response.status_code == 200
    assert response.context["listing"].tab == "priority"
    assert response.context["filterset"].errors
    assert client.get("/issues/export.xlsx?submitted_after=not-a-date").status_code == 200


def test_store_manager_gets_no_store_or_region_filter(cast, client):
    client.force_login(cast.manager)
    page = _text(client.get("/issues/"))
    assert 'name="store"' not in page and 'name="region"' not in page
    client.force_login(cast.ops)
    page = _text(client.get("/issues/"))
    assert 'name="store"' in page and 'name="region"' in page
