"""Performing an inspection on the pages (the tablet flow): start at a store, score
items, take photos, note findings, save, issue the report; the report page and its PDF
(photos embedded, Chinese text) go to the store manager."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from inspections.models import Inspection
from tests.factories import png

from .helpers import PASS_KEYS, SCORE_KEYS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_start_perform_save_and_issue_on_the_pages(cast, client):
    client.force_login(cast.ops)
    today = timezone.localdate()
    page = client.get("/inspections/new/").content.decode()
    assert "门店标准巡检表（v1）" in page and "GZ001" not in page  # only the ops' stores
    response = client.post(
        "/inspections/new/",
        {"store": cast.org.hangzhou.pk, "template": 1, "inspected_on": today.isoformat()},
    )
    inspection = Inspection.objects.get()
    assert response["Location"] == f"/inspections/{inspection.pk}/perform/"

    page = client.get(response["Location"]).content.decode()
    assert page.count('data-testid="item"') == 14
    assert 'accept="image/*" capture="environment"' in page
    # A first pass: some scores, a photo and a finding; saved as a draft.
    response = client.post(
        f"/inspections/{inspection.pk}/perform/",
        {
            "score-pr_progress": "4",
            "passed-hw_display": "0",
            "note-hw_display": "显示屏未安装",
            "photos-hw_display": png("display.png"),
            "finding-1-text": "进度显示屏未安装",
            "finding-1-priority": "high",
            "finding-1-item": "hw_display",
            "save": "1",
        },
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == "draft" and inspection.results.count() == 2
    assert inspection.photos.get().item.key == "hw_display"
    assert inspection.findings.get().priority == "high"
    page = client.get(f"/inspections/{inspection.pk}/perform/").content.decode()
    assert 'data-testid="saved-photos-hw_display"' in page and 'value="4"' in page

    # The rest, the second required photo, and issue the report.
    data = {f"score-{k}": "10" for k in SCORE_KEYS if k != "pr_progress"}
    data.update({f"passed-{k}": "1" for k in PASS_KEYS if k != "hw_display"})
    data.update(
        {
            "score-pr_progress": "4",
            "passed-hw_display": "0",
            "photos-hw_lounge": png("lounge.png"),
            "summary": "等待时间与进度告知是主要短板。",
            "issue": "1",
        }
    )
    response = client.post(f"/inspections/{inspection.pk}/perform/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/inspections/{inspection.pk}/report/"
    inspection.refresh_from_db()
    # lost: hw_display 2 + pr_progress 3 × 0.6 = 3.8 of 23 → 83.5
    assert inspection.status == "following_up" and str(inspection.score) == "83.5"
    assert inspection.reported_on == today and inspection.follow_up.count() == 10

    report = client.get(response["Location"]).content.decode()
    assert 'data-testid="report-score">83.5<' in report
    assert report.count('data-testid="report-photo"') == 2
    # The store manager got it, and sees it in their store's inspections.
    assert cast.manager.notifications.filter(kind="inspection_report").count() == 1
    client.force_login(cast.manager)
    assert f'data-id="{inspection.pk}"' in client.get("/inspections/").content.decode()
    assert client.get(f"/inspections/{inspection.pk}/report/").status_code == 200


def test_the_pdf_has_the_chinese_text_and_the_photos(cast, client, settings):
    from .helpers import finding, perform

    inspection = perform(
        cast,
        day=timezone.localdate() - dt.timedelta(days=1),
        findings=[finding("进度显示屏未安装", "high", "hw_display")],
        hw_display=False,
    )
    client.force_login(cast.manager)
    response = client.get(f"/inspections/{inspection.pk}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    for words in (
        "巡检报告",
        "杭州XX 4S店",
        "进度显示屏未安装",
        "高优先级",
        "跟进计划",
        "24 小时沟通",
    ):
        assert words in text, words
    assert str(inspection.score) in text
    # The two required photos, embedded (each page lists the document's image objects).
    images = {image.data for page in reader.pages for image in page.images}
    assert len(images) == 2
    fonts = {
        str(font.get_object().get("/BaseFont"))
        for page in reader.pages
        for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values()
    }
    assert any("Noto-Sans-CJK-SC" in name for name in fonts), fonts


def test_the_follow_up_page_records_a_log_and_a_step(cast, client):
    from .helpers import finding, perform

    day = timezone.localdate() - dt.timedelta(days=8)
    inspection = perform(cast, day=day, findings=[finding()])
    row = inspection.findings.get()
    client.force_login(cast.ops)
    page = client.get(inspection.get_absolute_url()).content.decode()
    for testid in ("action-record_step-call", "action-log", "action-spot_check", "action-resource"):
        assert f'data-testid="{testid}"' in page, testid
    client.post(
        f"/inspections/{inspection.pk}/do/plan/{row.pk}/",
        {
            f"plan-{row.pk}-owner_name": "服务经理 王强",
            f"plan-{row.pk}-due_on": timezone.localdate().isoformat(),
            f"plan-{row.pk}-status": "in_progress",
        },
    )
    response = client.post(
        f"/inspections/{inspection.pk}/do/record_step/kickoff/",
        {"record_step-kickoff-date": (day + dt.timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 302
    response = client.post(
        f"/inspections/{inspection.pk}/do/log/",
        {
            "log-date": timezone.localdate().isoformat(),
            "log-participants": "店长张三、运营专家李四",
            "log-done": "进度显示屏已安装\n客户反馈良好",
            "log-difficulties": "IT 排期问题",
        },
    )
    assert response.status_code == 302
    log = inspection.logs.get()
    assert log.done == ["进度显示屏已安装", "客户反馈良好"] and log.needs_support
    steps = dict(inspection.follow_up.values_list("kind", "done_on"))
    assert steps["kickoff"] == day + dt.timedelta(days=2)
    assert steps["weekly_2"] == timezone.localdate()  # 8 days after the report: week 2
    row.refresh_from_db()
    assert (row.owner_name, row.status) == ("服务经理 王强", "in_progress")
