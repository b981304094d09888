"""The reports list (one FilterSet with the API), the printable page, the downloads, the
quality lead's edit and publish, and ``GET /reports/``, ``GET /reports/{id}/`` with their
download links; invisible is 404 everywhere; pinned query counts."""

import pytest

from reports import services
from reports.choices import Kind, Status
from reports.models import Report

from .helpers import AFTER_NOVEMBER, AFTER_WEEK, NOVEMBER, WEEK

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def reports(cast):
    made = {}
    for key, region in (("national", None), ("east", cast.org.east), ("south", cast.org.south)):
        made[key] = services.generate(kind=Kind.WEEKLY, period=WEEK, region=region, now=AFTER_WEEK)
    made["effect"] = services.generate(
        kind=Kind.MONTHLY_EFFECT, period=NOVEMBER, region=None, now=AFTER_NOVEMBER
    )
    return made


def test_the_list_filters_by_kind_period_and_region(client, cast, reports):
    client.force_login(cast.lead)
    page = client.get("/reports/").content.decode()
    assert page.count('data-testid="report-row"') == 4
    page = client.get("/reports/", {"kind": "weekly", "region": "EAST"}).content.decode()
    assert page.count('data-testid="report-row"') == 1
    assert f'href="/reports/{reports["east"].pk}/"' in page
    page = client.get("/reports/", {"region": "national", "period": "2026-11"}).content.decode()
    assert page.count('data-testid="report-row"') == 1
    assert f'href="/reports/{reports["effect"].pk}/"' in page


def test_a_periods_national_report_comes_before_its_regions(api, cast, reports):
    rows = api.as_(cast.lead).get("/api/v1/reports/", {"kind": "weekly"}).json()["results"]
    assert [row["id"] for row in rows][:3] == [
        reports["national"].pk,
        reports["east"].pk,
        reports["south"].pk,
    ]


def test_a_failed_run_shows_on_the_quality_leads_list(client, cast, monkeypatch):
    monkeypatch.setitem(services.BUILDERS, Kind.WEEKLY, lambda *a, **k: 1 / 0)
    with pytest.raises(services.ReportsFailed):
        services.generate_all(Kind.WEEKLY, WEEK, now=AFTER_WEEK)
    client.force_login(cast.lead)
    page = client.get("/reports/", {"region": "national"}).content.decode()
    assert "生成失败" in page and "ZeroDivisionError" in page
    assert 'data-testid="report-error"' in page


def test_the_page_and_downloads(client, cast, reports):
    report = reports["east"]
    client.force_login(cast.director)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "一、本周核心指标" in page and "五、红灯整改项目" in page
    assert f'href="/reports/{report.pk}/report.xlsx"' in page
    assert "<svg" in page
    assert 'data-testid="publish"' not in page  # the director only reads
    xlsx = client.get(f"/reports/{report.pk}/report.xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"] == XLSX
    assert "report-weekly-2026-W47-EAST.xlsx" in xlsx["Content-Disposition"]
    response = client.get(f"/reports/{report.pk}/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


@pytest.mark.parametrize("suffix", ["", "report.xlsx", "report.pdf", "edit/"])
def test_invisible_is_404_everywhere(client, cast, reports, suffix):
    client.force_login(cast.director)  # the east's director
    assert client.get(f"/reports/{reports['south'].pk}/{suffix}").status_code == 404
    assert client.get(f"/reports/{reports['national'].pk}/{suffix}").status_code == 404
    client.force_login(cast.manager)
    assert client.get(f"/reports/{reports['east'].pk}/{suffix}").status_code == 404
    client.force_login(cast.executive)  # a draft is the quality lead's
    assert client.get(f"/reports/{reports['effect'].pk}/{suffix}").status_code == 404


def test_edit_and_publish_on_the_page(client, cast, reports):
    effect = reports["effect"]
    client.force_login(cast.lead)
    page = client.get(f"/reports/{effect.pk}/").content.decode()
    assert 'data-testid="publish"' in page and 'data-testid="edit"' in page
    form = {key: effect.prose[key] for key in services.PROSE_KEYS}
    form["highlights"] = "门店主动提交问题数环比增长25%"
    response = client.post(f"/reports/{effect.pk}/edit/", form)
    assert response.status_code == 302
    form["root_causes"] = "长" * (services.PROSE_MAX + 1)
    response = client.post(f"/reports/{effect.pk}/edit/", form)
    assert response.status_code == 400
    assert "4000" in response.content.decode()
    response = client.post(f"/reports/{effect.pk}/publish/")
    assert response.status_code == 302
    effect.refresh_from_db()
    assert effect.status == Status.PUBLISHED
    assert effect.prose["highlights"] == "门店主动提交问题数环比增长25%"
    page = client.get(f"/reports/{effect.pk}/").content.decode()
    assert "门店主动提交问题数环比增长25%" in page
    # A published report's text is no longer edited; a weekly report has none.
    assert client.get(f"/reports/{effect.pk}/edit/").status_code == 409
    response = client.get(f"/reports/{reports['national'].pk}/edit/")
    assert response.status_code == 409 and "没有可编辑的文字部分" in response.content.decode()
    # Publishing again is refused with a message, nothing changes.
    response = client.post(f"/reports/{effect.pk}/publish/", follow=True)
    assert "只有草稿状态的报告可以发布" in response.content.decode()


def test_only_the_quality_lead_edits(client, cast, reports):
    client.force_login(cast.executive)
    national = reports["national"]
    assert client.get(f"/reports/{national.pk}/edit/").status_code == 403
    assert client.post(f"/reports/{national.pk}/regenerate/").status_code == 403


def test_the_list_is_refused_to_who_reads_no_report(client, cast):
    for user in (cast.manager, cast.ops, cast.head):
        client.force_login(user)
        assert client.get("/reports/").status_code == 403


def test_api_list_and_detail(api, cast, reports):
    client = api.as_(cast.director)
    body = client.get("/api/v1/reports/").json()
    assert [r["id"] for r in body["results"]] == [reports["east"].pk]
    row = body["results"][0]
    assert row["kind"] == "weekly" and row["period"] == "2026-W47" and row["region"] == "EAST"
    assert row["links"]["xlsx"].endswith(f"/api/v1/reports/{reports['east'].pk}/xlsx/")
    detail = client.get(f"/api/v1/reports/{reports['east'].pk}/").json()
    assert detail["data"]["sections"][0]["title"] == "一、本周核心指标"
    assert set(detail["links"]) == {"html", "xlsx", "pdf"}
    assert client.get(f"/api/v1/reports/{reports['south'].pk}/").status_code == 404
    assert client.get(f"/api/v1/reports/{reports['south'].pk}/pdf/").status_code == 404
    response = client.get(f"/api/v1/reports/{reports['east'].pk}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    response = client.get(f"/api/v1/reports/{reports['east'].pk}/html/")
    assert "一、本周核心指标" in response.content.decode()


def test_api_filters(api, cast, reports):
    client = api.as_(cast.lead)

    def ids(**params):
        return sorted(r["id"] for r in client.get("/api/v1/reports/", params).json()["results"])

    assert ids(kind="monthly_effect") == [reports["effect"].pk]
    assert ids(kind="weekly", region="national") == [reports["national"].pk]
    assert ids(period="2026-W47", region="SOUTH") == [reports["south"].pk]
    response = client.get("/api/v1/reports/", {"kind": "yearly"})
    assert response.status_code == 400 and "kind" in response.json()


def test_query_counts_are_flat(client, api, cast, flat_queries):
    client.force_login(cast.lead)
    made = iter(range(1, 100))

    def grow():
        for _ in range(3):
            week = WEEK
            for _i in range(next(made)):
                week = week.previous()
            services.generate(kind=Kind.WEEKLY, period=week, region=cast.org.east, now=AFTER_WEEK)

    services.generate(kind=Kind.WEEKLY, period=WEEK, region=None, now=AFTER_WEEK)

    def page():
        response = client.get("/reports/")
        assert response.status_code == 200
        return response

    def listing():
        response = api.as_(cast.lead).get("/api/v1/reports/")
        assert response.status_code == 200
        return response

    flat_queries(page, grow=grow, limit=6)
    flat_queries(listing, grow=grow, limit=2)
    assert Report.objects.count() == 7
