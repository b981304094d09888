"""The KPI targets page: the quality lead enters rates as percents (85 → 0.85), other
numbers as they are; a bad value is explained on its field and nothing is saved; others
read the targets but cannot set them."""

from decimal import Decimal

import pytest

from dashboards.models import KpiTarget

pytestmark = pytest.mark.django_db


def post(client, **data):
    body = {
        "metric": "resolution_rate",
        "baseline": "58",
        "target": "85",
        "direction": "",
        "method": "standard",
        "valid_from": "2026-11-01",
    }
    body.update(data)
    return client.post("/dashboards/targets/", body)


def test_the_quality_lead_sets_targets_in_percent(cast, client):
    client.force_login(cast.lead)
    response = post(client)
    assert response.status_code == 302
    target = KpiTarget.objects.get()
    assert (target.baseline, target.target, target.direction) == (
        Decimal("0.58"),
        Decimal("0.85"),
        "higher",
    )
    post(client, metric="avg_resolution_days", baseline="45", target="15")
    days = KpiTarget.objects.get(metric="avg_resolution_days")
    assert (days.baseline, days.target, days.direction) == (Decimal(45), Decimal(15), "lower")
    page = client.get("/dashboards/targets/").content.decode()
    assert "58%" in page and "85%" in page and "45 天" in page and "生效中" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"target": "150"}, "比率请填写 0 到 1 之间的小数"),
        ({"target": "abc"}, "输入一个数字。"),
        ({"valid_from": "2026-02-30"}, "输入一个有效的日期。"),
        ({"method": "progress", "baseline": ""}, "按进度计算达成率需要基线值。"),
        ({"metric": "happiness"}, "选择一个有效的选项"),
    ],
)
def test_bad_input_is_explained_and_nothing_saved(cast, client, data, message):
    client.force_login(cast.lead)
    response = post(client, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not KpiTarget.objects.exists()


def test_others_read_but_do_not_set(cast, client):
    client.force_login(cast.executive)
    page = client.get("/dashboards/targets/")
    assert page.status_code == 200 and 'data-testid="target-form"' not in page.content.decode()
    assert post(client).status_code == 403
    client.force_login(cast.head)
    assert post(client).status_code == 403
    assert not KpiTarget.objects.exists()
