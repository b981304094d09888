"""The improvement board (改进仪表盘): a row per store's latest issued inspection with its
findings solved / in progress / not started, completion rate, next follow-up and risk —
red below 50 % completion, yellow when the store needs support (an open resource request
or a difficulty in the latest follow-up log), green otherwise — ranked by score, filtered
by region and tier, exported to Excel; constant queries however many stores."""

import datetime as dt
import io

import openpyxl
import pytest

from inspections import board, rules, services
from inspections.models import Inspection
from tests.factories import StoreFactory

from .helpers import finding, moment, perform

pytestmark = pytest.mark.django_db

REPORT = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _with_findings(cast, store, statuses, day=REPORT, who=None, **scores):
    who = who or cast.ops
    inspection = perform(
        cast,
        store=store,
        day=day,
        who=who,
        findings=[finding(f"问题{i}", "low") for i in statuses],
        **scores,
    )
    for row, status in zip(inspection.findings.order_by("seq"), statuses, strict=True):
        if status != "not_started":
            services.update_finding(finding=row, actor=who, status=status)
    return inspection


def rows(cast, user=None, **filters):
    from inspections.filtersets import BoardFilterSet

    qs = board.board_queryset(Inspection.objects.visible_to(user or cast.lead))
    return {r.store.code: r for r in BoardFilterSet(filters or None, queryset=qs).qs}


@pytest.mark.parametrize(
    ("statuses", "support", "risk"),
    [
        (["solved", "not_started", "not_started"], False, "red"),  # 33 %
        (["solved", "in_progress"], False, "green"),  # exactly 50 % is not red
        (["solved", "in_progress", "in_progress"], True, "red"),  # red wins over yellow
        (["solved", "solved", "in_progress"], True, "yellow"),
        ([], False, "green"),  # nothing found: complete
        ([], True, "yellow"),
    ],
)
def test_risk_colours(cast, statuses, support, risk):
    inspection = _with_findings(cast, cast.org.hangzhou, statuses)
    if support:
        services.request_resource(
            inspection=inspection, actor=cast.ops, kind="it", what="系统升级", department="IT"
        )
    row = rows(cast)["HZ001"]
    assert row.risk == risk
    solved = statuses.count("solved")
    assert row.risk == rules.risk(len(statuses), solved, support)
    assert row.completion == pytest.approx(float(rules.completion_rate(len(statuses), solved)))


def test_a_done_request_no_longer_needs_support(cast):
    inspection = _with_findings(cast, cast.org.hangzhou, ["solved"])
    request = services.request_resource(
        inspection=inspection, actor=cast.ops, kind="budget", what="显示屏预算", department="IT"
    )
    assert rows(cast)["HZ001"].risk == "yellow"
    services.update_resource(request=request, actor=cast.head, status="in_progress")
    assert rows(cast)["HZ001"].risk == "yellow"
    services.update_resource(request=request, actor=cast.head, status="done")
    assert rows(cast)["HZ001"].risk == "green"


def test_a_difficulty_in_the_latest_log_needs_support(cast):
    inspection = _with_findings(cast, cast.org.hangzhou, ["solved"])
    for offset, difficulties in ((6, ["IT 排期要等 2 个月"]), (13, [])):
        log_day = REPORT + dt.timedelta(days=offset)
        services.add_follow_up_log(
            inspection=inspection,
            actor=cast.ops,
            date=log_day,
            participants="店长",
            difficulties=difficulties,
            at=moment(log_day, 18),
        )
        assert rows(cast)["HZ001"].risk == ("yellow" if difficulties else "green")


def test_a_row_per_store_for_its_latest_issued_inspection(cast):
    _with_findings(cast, cast.org.hangzhou, ["solved"], day=dt.date(2026, 9, 1))
    latest = _with_findings(cast, cast.org.hangzhou, ["solved", "in_progress", "not_started"])
    services.start_inspection(  # a draft is nobody's report yet
        actor=cast.ops,
        store=cast.org.hangzhou,
        template=services.ensure_default_template(),
        inspected_on=REPORT + dt.timedelta(days=1),
        at=moment(REPORT + dt.timedelta(days=1)),
    )
    (row,) = rows(cast).values()
    assert row.pk == latest.pk
    assert board.as_row(row, rank=1) == {
        "store": "HZ001",
        "inspected_on": REPORT,
        "findings": 3,
        "solved": 1,
        "in_progress": 1,
        "not_started": 1,
        "completion_rate": 0.3333,
        "next_follow_up_on": dt.date(2026, 11, 21),  # the 24 h call
        "risk": "red",
        "store_name": "杭州XX 4S店",
        "region": "EAST",
        "tier": "B",
        "score": latest.score,
        "rank": 1,
        "needs_support": False,
        "inspection": latest.pk,
        "status": "following_up",
    }


def test_ranked_by_score_and_filtered_by_region_and_tier(cast, api):
    _with_findings(cast, cast.org.hangzhou, [], pr_progress=2)  # B, east: lowest
    _with_findings(cast, cast.org.ningbo, [])  # A, east: full marks
    _with_findings(cast, cast.org.guangzhou, [], pe_training=False, who=cast.lead)  # C, south
    client = api.as_(cast.lead)
    body = client.get("/api/v1/inspections/board/").json()
    assert [(r["rank"], r["store"]) for r in body["results"]] == [
        (1, "NB001"),
        (2, "GZ001"),
        (3, "HZ001"),
    ]
    east = client.get("/api/v1/inspections/board/?region=EAST").json()["results"]
    assert [r["store"] for r in east] == ["NB001", "HZ001"]
    tier_c = client.get("/api/v1/inspections/board/?tier=C").json()["results"]
    assert [r["store"] for r in tier_c] == ["GZ001"]
    red = client.get("/api/v1/inspections/board/?risk=red").json()["results"]
    assert red == []
    assert client.get("/api/v1/inspections/board/?tier=Z").status_code == 400


def test_the_page_shows_the_counts_and_filters(cast, client):
    _with_findings(cast, cast.org.hangzhou, ["not_started"])
    _with_findings(cast, cast.org.ningbo, ["solved"])
    client.force_login(cast.director)
    html = client.get("/inspections/board/").content.decode()
    assert 'data-testid="count-red">1<' in html and 'data-testid="count-green">1<' in html
    assert html.count('data-testid="board-row"') == 2
    html = client.get("/inspections/board/?risk=red").content.decode()
    assert html.count('data-testid="board-row"') == 1 and 'data-store="HZ001"' in html
    # A bad filter value is said, not a 500.
    assert client.get("/inspections/board/?tier=Z").status_code == 200


def test_the_excel_export_has_the_rows_shown(cast, client):
    _with_findings(cast, cast.org.hangzhou, ["solved", "in_progress", "not_started"])
    _with_findings(cast, cast.org.guangzhou, ["solved"], who=cast.lead)
    client.force_login(cast.lead)
    response = client.get("/inspections/board/export.xlsx?region=EAST")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["排名", "门店编码", "门店"] and header[-1] == "风险"
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert len(values) == 1
    row = dict(zip(header, values[0], strict=True))
    assert row["门店编码"] == "HZ001" and row["问题数"] == 3 and row["已解决"] == 1
    assert row["完成率"] == pytest.approx(1 / 3, abs=1e-4) and row["风险"] == "进度严重滞后"


def test_trends_show_the_score_history_and_core_metrics(cast):
    old = perform(cast, day=dt.date(2026, 8, 3), pr_progress=2)
    new = perform(cast, day=REPORT, metrics=[{"metric": "nps", "baseline": 58, "standard": 70}])
    visible = Inspection.objects.visible_to(cast.lead)
    trends = board.store_trends(visible, board.board_queryset(visible))
    trend = trends[cast.org.hangzhou.pk]
    assert [s for _d, s in trend.scores] == [old.score, new.score]
    assert [m.name for m in trend.metrics] == ["NPS"]
    assert trend.sparkline().count(",") == 2


# --------------------------------------------------------------------------- query counts


def _grow(cast, n):
    for i in range(n):
        store = StoreFactory(code=f"B{i:03d}", region=cast.org.east, tier="ABC"[i % 3])
        cast.ops.stores.add(store)
        inspection = _with_findings(cast, store, ["solved", "not_started"])
        services.add_metric(inspection=inspection, actor=cast.ops, metric="nps", baseline=60)
        services.request_resource(inspection=inspection, actor=cast.ops, kind="it", what="升级")


@pytest.mark.parametrize("stores", [2, 12])
def test_board_page_queries_are_pinned(cast, client, stores, django_assert_max_num_queries):
    _grow(cast, stores)
    client.force_login(cast.ops)
    with django_assert_max_num_queries(10):
        response = client.get("/inspections/board/?region=EAST")
    assert response.content.decode().count('data-testid="board-row"') == stores


@pytest.mark.parametrize("stores", [2, 12])
def test_board_api_queries_are_pinned(cast, api, stores, django_assert_max_num_queries):
    _grow(cast, stores)
    client = api.as_(cast.ops)
    with django_assert_max_num_queries(2):
        body = client.get("/api/v1/inspections/board/?page_size=200").json()
    assert body["count"] == stores


@pytest.mark.parametrize("stores", [2, 12])
def test_board_export_queries_are_pinned(cast, client, stores, django_assert_max_num_queries):
    _grow(cast, stores)
    client.force_login(cast.lead)
    with django_assert_max_num_queries(4):
        response = client.get("/inspections/board/export.xlsx")
        content = b"".join(response.streaming_content)
    assert openpyxl.load_workbook(io.BytesIO(content)).active.max_row == stores + 1


def test_the_board_speaks_english_on_request(cast, client):
    _with_findings(cast, cast.org.hangzhou, ["not_started"])
    cast.lead.language = "en"
    cast.lead.save(update_fields=["language"])
    client.force_login(cast.lead)
    html = client.get("/inspections/board/").content.decode()
    for text in ("Improvement board", "Seriously behind", "Next follow-up", "Export to Excel"):
        assert text in html, text
    assert "改进仪表盘" not in html
