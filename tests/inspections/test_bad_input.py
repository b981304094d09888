"""Bad input is refused with a clear message on its field and saves nothing — on the
pages and through the API, never a 500: a score above the item's maximum, a missing
required photo, a finding without priority, a re-inspection of a passed item, a
follow-up log dated in the future (and a few more)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from closedloop.errors import InvalidTransition
from inspections import services
from inspections.models import Finding, FollowUpLog, Inspection, ItemResult, Photo
from tests.factories import png

from .helpers import PASS_KEYS, SCORE_KEYS, finding, moment, perform, start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def perform_post(**overrides):
    data = {f"score-{k}": "10" for k in SCORE_KEYS}
    data.update({f"passed-{k}": "1" for k in PASS_KEYS})
    data.update(overrides)
    return data


def field_errors(response, name):
    return [str(e) for e in response.context["form"].errors.get(name, [])]


# --- on the page ------------------------------------------------------------------------


def test_page_score_above_the_maximum(cast, client):
    inspection = start(cast)
    client.force_login(cast.ops)
    url = f"/inspections/{inspection.pk}/perform/"
    response = client.post(url, perform_post(**{"score-pr_progress": "11", "save": "1"}))
    assert response.status_code == 200
    assert field_errors(response, "score-pr_progress") == [
        "“每 15 分钟主动告知客户维修进度”得分不能超过满分 10。"
    ]
    assert "得分不能超过满分 10" in response.content.decode()
    assert not ItemResult.objects.exists()  # the valid scores in the same form neither
    for value, message in (("-1", "不能为负数"), ("abc", "请填写数字")):
        response = client.post(url, perform_post(**{"score-pr_progress": value, "save": "1"}))
        assert message in field_errors(response, "score-pr_progress")[0]
    assert not ItemResult.objects.exists()


def test_page_missing_required_photo_when_issuing(cast, client):
    inspection = start(cast)
    client.force_login(cast.ops)
    url = f"/inspections/{inspection.pk}/perform/"
    response = client.post(
        url, perform_post(**{"issue": "1", "photos-hw_lounge": png("lounge.png")})
    )
    assert response.status_code == 200
    assert field_errors(response, "photos-hw_display") == [
        "“进度显示屏运行正常，显示实时工单进度”必须拍照。"
    ]
    assert field_errors(response, "photos-hw_lounge") == []
    inspection.refresh_from_db()
    assert inspection.status == "draft" and inspection.reported_at is None
    assert not ItemResult.objects.exists() and not Photo.objects.exists()
    assert not inspection.follow_up.exists()
    assert "请重新选择照片" in response.content.decode()


def test_page_a_file_that_is_not_an_image(cast, client):
    inspection = start(cast)
    client.force_login(cast.ops)
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = client.post(
        f"/inspections/{inspection.pk}/perform/",
        perform_post(**{"save": "1", "photos-hw_display": fake}),
    )
    assert response.status_code == 200
    assert "不是图片" in field_errors(response, "photos-hw_display")[0]
    assert not Photo.objects.exists() and not ItemResult.objects.exists()


def test_page_finding_without_priority(cast, client):
    inspection = start(cast)
    client.force_login(cast.ops)
    response = client.post(
        f"/inspections/{inspection.pk}/perform/",
        perform_post(**{"save": "1", "finding-2-text": "休息区饮水机损坏"}),
    )
    assert response.status_code == 200
    assert field_errors(response, "finding-2-priority") == ["请选择优先级（高/中/低）。"]
    assert not Finding.objects.exists() and not ItemResult.objects.exists()


def test_page_follow_up_log_in_the_future(cast, client):
    inspection = perform(cast, day=timezone.localdate() - dt.timedelta(days=3))
    client.force_login(cast.ops)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        f"/inspections/{inspection.pk}/do/log/",
        {"log-date": tomorrow.isoformat(), "log-participants": "店长张三"},
    )
    assert response.status_code == 200
    form = response.context["forms"]["log"]
    assert form.errors["date"] == ["跟进日期不能晚于今天。"]
    assert 'data-testid="action-log" open' in response.content.decode()
    assert not FollowUpLog.objects.exists()
    assert not inspection.follow_up.filter(done_on__isnull=False).exists()


def test_page_reinspection_offers_only_failed_items(cast, client):
    report = timezone.localdate() - dt.timedelta(days=25)
    inspection = perform(cast, day=report, pr_progress=3, pe_training=False)
    client.force_login(cast.ops)
    page = client.get(inspection.get_absolute_url()).content.decode()
    assert 'data-testid="rescore-pr_progress"' in page
    assert 'data-testid="rescore-pe_training"' in page
    assert 'data-testid="rescore-pe_dms"' not in page
    # A crafted field for a passed item is not part of the form: it changes nothing.
    client.post(
        f"/inspections/{inspection.pk}/do/reinspect/",
        {"reinspect-date": timezone.localdate().isoformat(), "reinspect-score-pe_dms": "3"},
    )
    assert ItemResult.objects.get(inspection=inspection, item__key="pe_dms").rescore is None


def test_page_plan_with_a_bad_status_and_kickoff_without_owners(cast, client):
    inspection = perform(cast, findings=[finding()])
    row = inspection.findings.get()
    client.force_login(cast.ops)
    response = client.post(
        f"/inspections/{inspection.pk}/do/plan/{row.pk}/", {f"plan-{row.pk}-status": "done"}
    )
    assert response.status_code == 200 and row.status == "not_started"
    response = client.post(
        f"/inspections/{inspection.pk}/do/record_step/kickoff/",
        {"record_step-kickoff-date": "2026-11-21"},
    )
    assert response.status_code == 200
    assert "请先为问题 #1 填写负责人和完成时间" in response.content.decode()
    assert not inspection.follow_up.filter(kind="kickoff", done_on__isnull=False).exists()


# --- through the API ----------------------------------------------------------------------

ITEMS = [{"item": k, "score": 10} for k in SCORE_KEYS] + [
    {"item": k, "passed": True} for k in PASS_KEYS
]


def create(api, user, **changes):
    body = {
        "store": "HZ001",
        "date": "2026-11-20",
        "template": "store-standard",
        "items": ITEMS,
        "findings": [],
        "issue": False,
    }
    body.update(changes)
    return api.as_(user).post("/api/v1/inspections/", body, format="json")


def test_api_score_above_the_maximum(cast, api):
    items = [dict(row) for row in ITEMS]
    items[3]["score"] = 11  # pr_progress, out of 10
    response = create(api, cast.ops, items=items)
    assert response.status_code == 400
    assert response.json() == {
        "items.pr_progress": ["“每 15 分钟主动告知客户维修进度”得分不能超过满分 10。"]
    }
    assert not Inspection.objects.exists()


def test_api_missing_required_photo(cast, api):
    response = create(api, cast.ops, issue=True)
    assert response.status_code == 400
    assert set(response.json()) == {"photos.hw_display", "photos.hw_lounge"}
    assert not Inspection.objects.exists()


def test_api_finding_without_priority(cast, api):
    response = create(api, cast.ops, findings=[{"text": "显示屏未安装", "item": "hw_display"}])
    assert response.status_code == 400
    assert response.json() == {"findings.1.priority": ["请选择优先级（高/中/低）。"]}
    response = create(api, cast.ops, findings=[{"text": "x", "priority": "urgent"}])
    assert response.json() == {
        "findings.1.priority": ["优先级应为 high、medium 或 low（高/中/低）。"]
    }
    assert not Inspection.objects.exists()


def test_api_other_refusals(cast, api):
    cases = [
        ({"template": "nope"}, "template"),
        ({"store": "GZ001"}, "store"),  # not one of the ops specialist's stores
        ({"date": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, "date"),
        ({"items": [{"item": "hw_display", "score": 5}]}, "items.hw_display"),
        ({"items": [{"item": "pr_progress", "passed": True}]}, "items.pr_progress"),
        ({"items": [{"item": "unknown"}]}, "items"),
        ({"items": [{"item": "pr_progress", "score": "1e30"}]}, "items"),
    ]
    for changes, field in cases:
        response = create(api, cast.ops, **changes)
        assert response.status_code == 400, (changes, response.content)
        assert field in response.json(), (changes, response.json())
    assert not Inspection.objects.exists()


def test_api_reinspection_of_a_passed_item(cast, api):
    report = dt.date(2026, 10, 20)
    inspection = perform(cast, day=report, pe_training=False)
    url = f"/api/v1/inspections/{inspection.pk}/reinspections/"
    body = {"date": "2026-11-20", "items": [{"item": "pe_dms", "score": 10}]}
    response = api.as_(cast.ops).post(url, body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "items.pe_dms": [
            "“服务顾问熟练使用 DMS 开单与查询”巡检时已合格，复检只对不合格项重新评分。"
        ]
    }
    assert not inspection.reinspections.exists()
    body = {"date": "2026-11-20", "items": [{"item": "pe_training", "passed": True}]}
    assert api.as_(cast.ops).post(url, body, format="json").status_code == 201


def test_api_follow_up_log_in_the_future(cast, api):
    inspection = perform(cast, day=timezone.localdate() - dt.timedelta(days=2))
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = api.as_(cast.ops).post(
        f"/api/v1/inspections/{inspection.pk}/logs/",
        {"date": tomorrow, "participants": "店长"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"date": ["跟进日期不能晚于今天。"]}
    assert not FollowUpLog.objects.exists()


def test_api_patch_finding_bad_status_changes_nothing(cast, api):
    inspection = perform(cast, findings=[finding()])
    row = inspection.findings.get()
    url = f"/api/v1/inspections/{inspection.pk}/findings/{row.pk}/"
    response = api.as_(cast.ops).patch(url, {"status": "done", "owner_name": "王强"}, format="json")
    assert response.status_code == 400 and "status" in response.json()
    row.refresh_from_db()
    assert (row.status, row.owner_name) == ("not_started", "")
    missing = f"/api/v1/inspections/{inspection.pk}/findings/999999/"
    assert api.as_(cast.ops).patch(missing, {"status": "solved"}, format="json").status_code == 404


def test_issuing_twice_is_a_conflict(cast, api):
    inspection = perform(cast)
    response = api.as_(cast.ops).post(f"/api/v1/inspections/{inspection.pk}/issue/")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    with pytest.raises(InvalidTransition):
        services.issue_report(
            inspection=inspection, actor=cast.ops, at=moment(dt.date(2026, 11, 21))
        )
