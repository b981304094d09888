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
