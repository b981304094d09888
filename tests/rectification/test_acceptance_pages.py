"""The scorecard page (tool 3) with its live hints, the project page's acceptance and
observation panels, the recheck form, the store manager's signature and the printable
scorecard (PDF text holds the Chinese headings and the figures)."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from rectification.models import Acceptance

from .acceptance_helpers import accept, observing, pending, recheck
from .helpers import day, executing

pytestmark = pytest.mark.django_db


def form_post(project, **over):
    wait = project.goals.get(order=1).pk
    data = {
        "kind": "initial",
        "date": "2025-09-28",
        "documents": "10",
        "mastery": "9",
        "execution": "10",
        f"goal_{wait}_actual": "31",
        f"goal_{wait}_score": "26",
        "satisfaction_value": "84",
        "satisfaction_score": "8",
        "interviews_total": "5",
        "positive": "4",
        "neutral": "1",
        "negative": "0",
        "interviews_score": "10",
        "sustainability": "9",
        "conclusion": "",
        "override_reason": "",
        "suggestions": "巩固新流程\n推广到其他门店",
    }
    data.update(over)
    return data


def test_the_form_shows_the_four_sections_and_rubrics(client, cast):
    project = pending(cast)
    client.force_login(cast.ops)
    response = client.get(reverse("rectification:acceptance_new", args=[project.number]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "整改验收评分表",
        "一、流程执行验收（30分）",
        "二、目标达成验收（40分）",
        "三、客户反馈验收（20分）",
        "四、持续性评估（10分）",
        "文档完整详细",
        "建立了长效机制，可持续",
        "超额完成（30–40）",  # one core goal: the bands × 2
        "hx-post",
    ):
        assert text in html, text


def test_posting_the_form_records_the_scorecard(client, cast):
    project = pending(cast)
    client.force_login(cast.ops)
    response = client.post(
        reverse("rectification:acceptance_new", args=[project.number]), form_post(project)
    )
    assert response.status_code == 302
    acceptance = Acceptance.objects.get()
    assert (acceptance.total, acceptance.conclusion, acceptance.suggestions) == (
        82,
        "pass",
        ["巩固新流程", "推广到其他门店"],
    )
    page = client.get(project.get_absolute_url()).content.decode()
    assert 'data-testid="acceptance-panel"' in page and "82" in page and "良好" in page


def test_a_score_out_of_band_is_shown_next_to_its_field(client, cast):
    project = pending(cast)
    wait = project.goals.get(order=1).pk
    client.force_login(cast.ops)
    response = client.post(
        reverse("rectification:acceptance_new", args=[project.number]),
        form_post(project, **{f"goal_{wait}_score": "30", "satisfaction_score": "10"}),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "24–28" in html and "7–8" in html
    assert not Acceptance.objects.exists()


def test_override_without_reason_is_refused_on_the_page(client, cast):
    project = pending(cast)
    client.force_login(cast.ops)
    response = client.post(
        reverse("rectification:acceptance_new", args=[project.number]),
        form_post(project, conclusion="fail"),
    )
    assert response.status_code == 200
    assert "必须填写调整原因" in response.content.decode()
    assert not Acceptance.objects.exists()


def test_preview_hints(client, cast):
    project = pending(cast)
    wait = project.goals.get(order=1).pk
    client.force_login(cast.ops)
    response = client.post(
        reverse("rectification:acceptance_preview", args=[project.number]),
        {f"goal_{wait}_actual": "28", "satisfaction_value": "85", "positive": "3", "neutral": "2"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-swap-oob="true"' in html
    assert "111.8%" in html and "超额完成" in html and "30–40" in html
    assert "9–10" in html  # satisfaction 85 → 优秀
    assert "7–8" in html  # 60 % positive → 良好
    assert not Acceptance.objects.exists()


@pytest.mark.parametrize(
    "who,state,status",
    [("manager", "pending", 403), ("ops", "executing", 409), ("far_manager", "pending", 404)],
)
def test_who_and_when(client, cast, who, state, status):
    project = pending(cast) if state == "pending" else executing(cast)
    client.force_login(getattr(cast, who))
    url = reverse("rectification:acceptance_new", args=[project.number])
    assert client.get(url).status_code == status


def test_store_manager_signs_on_the_page(client, cast):
    project = pending(cast)
    acceptance = accept(cast, project)
    client.force_login(cast.manager)
    page = client.get(project.get_absolute_url()).content.decode()
    assert 'data-testid="sign-acceptance"' in page
    response = client.post(
        reverse("rectification:acceptance_sign", args=[project.number, acceptance.pk])
    )
    assert response.status_code == 302
    acceptance.refresh_from_db()
    assert acceptance.store_manager == cast.manager


def test_project_page_shows_both_acceptances_rechecks_sustainability_and_rebound(client, cast):
    project = observing(cast)
    for date, wait in [(day(2025, 10, 7), 29), (day(2025, 10, 14), 31)]:
        recheck(cast, project, date, wait, 85)
    recheck(cast, project, day(2025, 10, 21), 36, 85)
    client.force_login(cast.ops)
    html = client.get(project.get_absolute_url()).content.decode()
    assert "初次验收" in html and "正式验收" in html and "尚未验收" in html
    assert 'data-testid="sustainability"' in html
    assert 'data-testid="rebound"' in html
    assert html.count('data-testid="recheck"') == 3
    assert "已复查 3 / 计划 4 次" in html


def test_recheck_form(client, cast):
    project = observing(cast)
    wait, sat = (g.pk for g in project.goals.all())
    client.force_login(cast.ops)
    url = reverse("rectification:recheck", args=[project.number])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"date": "2025-09-01", "method": "onsite", f"reading_{wait}": "29"})
    assert bad.status_code == 200 and "观察期开始" in bad.content.decode()
    response = client.post(
        url,
        {"date": "2025-10-07", "method": "onsite", f"reading_{wait}": "29", f"reading_{sat}": ""},
    )
    assert response.status_code == 302
    assert project.rechecks.get().readings.get().value == 29


def test_scorecard_pdf(client, cast):
    project = pending(cast)
    acceptance = accept(cast, project)
    client.force_login(cast.director)
    response = client.get(
        reverse("rectification:acceptance_pdf", args=[project.number, acceptance.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    for heading in (
        "整改验收评分表",
        "流程执行验收",
        "目标达成验收",
        "客户反馈验收",
        "持续性评估",
        "总分",
        "验收结论",
        "门店店长签字",
    ):
        assert heading in text, heading
    assert project.number in text
    assert "82" in text and "94.1%" in text and "良好" in text
