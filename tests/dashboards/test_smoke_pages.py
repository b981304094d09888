"""Every dashboards page answers for the quality lead (a first guard; the behaviour is
proven module by module)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/dashboards/",
        "/dashboards/?kind=week",
        "/dashboards/?kind=range&from=2026-11-01&to=2026-11-10",
        "/dashboards/process/",
        "/dashboards/targets/",
        "/dashboards/rollout/",
        "/dashboards/meetings/",
        "/dashboards/meetings/new/",
        "/dashboards/actions/",
        "/dashboards/export.xlsx",
        "/dashboards/export.xlsx?page=process&table=pareto",
        "/api/v1/kpis/",
        "/api/v1/kpi-targets/",
    ],
)
def test_page_answers(cast, client, url):
    client.force_login(cast.lead)
    response = client.get(url)
    assert response.status_code == 200, response.content[:2000]


def test_the_board_and_meeting_speak_english_to_an_english_user(cast, client):
    import datetime as dt

    from dashboards import services

    meeting = services.schedule_meeting(
        actor=cast.lead, date=dt.date(2026, 11, 25), invited=[cast.head]
    )
    cast.lead.language = "en"
    cast.lead.save(update_fields=["language"])
    client.force_login(cast.lead)
    board = client.get("/dashboards/?period=2026-11").content.decode()
    assert "Core business metrics" in board and "核心业务指标" not in board
    mode = client.get(f"/dashboards/meetings/{meeting.pk}/mode/").content.decode()
    for text in ("Weekly service quality meeting", "Top issues", "Next week", "Start the meeting"):
        assert text in mode, text
