"""The case library (案例库, DOMAIN.md §7): closure step 5 writes and edits a project's
case; the list page and ``GET /api/v1/cases/`` search by category, store tier and text
with one FilterSet; every signed-in person sees the cases (a token bound to stores only
those stores'); each case links back to its project."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from integrations.services.tokens import issue_token
from rectification import library
from rectification.models import Case, Project, ProjectEvent
from tests.factories import at, new_issue

from .closure_helpers import CASE, pending_closure
from .helpers import executing

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        (47, "29.5", Decimal("-37.2")),  # the source: 47 → 29.5 分钟, ↓37 %
        (72, 85, Decimal("18.1")),  # satisfaction ↑18 %
        (22, 38, Decimal("72.7")),  # NPS ↑73 %
        (4, "0.5", Decimal("-87.5")),  # complaints ↓87.5 %
        (30, 30, Decimal("0.0")),
        (0, 5, None),  # nothing to compare with
        (None, 5, None),
    ],
)
def test_change_percent(before, after, change):
    assert library.change_percent(before, after) == change


def test_step_5_writes_the_case_and_edits_it(cast):
    project = pending_closure(cast)
    initial = library.case_initial(project)
    assert initial["category"] == "process"  # the issue's category
    assert (initial["metric"], initial["before"], initial["duration_days"]) == (
        "客户平均等待时间",
        Decimal("47.00"),
        5,
    )
    # After: the observation's mean when the sustainability verdict has one.
    wait = project.goals.get(order=1)
    project.sustainability_goals = [{"goal": wait.pk, "mean": "29.50", "verdict": "excellent"}]
    assert library.case_initial(project)["after"] == Decimal("29.50")
    case = library.save_case(project=project, actor=cast.ops, data=CASE, at=at(2025, 11, 8, 10))
    assert (case.project, case.store_tier, case.category) == (project, "B", "process")
    assert (case.before, case.after, case.change_percent) == (
        Decimal("47"),
        Decimal("29.5"),
        Decimal("-37.2"),
    )
    assert (case.cost, case.roi, case.replicability, case.stars) == (
        Decimal("8000"),
        Decimal("26"),
        5,
        "★★★★★",
    )
    edited = library.save_case(
        project=project, actor=cast.lead, data={**CASE, "replicability": 4, "title": "四步法"}
    )
    assert edited.pk == case.pk and Case.objects.count() == 1
    assert (edited.title, edited.replicability, edited.created_by) == ("四步法", 4, cast.ops)
    events = ProjectEvent.objects.filter(project=project, action="write_case")
    assert [e.data["created"] for e in events] == [True, False]


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"replicability": 6}, "replicability", "可复制性应为 1–5 星"),
        ({"replicability": 0}, "replicability", "可复制性应为 1–5 星"),
        ({"replicability": None}, "replicability", "请评定可复制性（1–5 星）"),
        ({"before": "四十七"}, "before", "请输入数字"),
        ({"after": ""}, "after", "请填写整改后的数值"),
        ({"title": ""}, "title", "请填写案例标题"),
        ({"category": "weather"}, "category", "问题分类应为以下之一"),
        ({"cost": "-1"}, "cost", "不能为负数"),
        ({"duration_days": 0}, "duration_days", "应在 1–3650 之间"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(cast, over, field, message):
    project = pending_closure(cast)
    with pytest.raises(DomainError) as caught:
        library.save_case(project=project, actor=cast.ops, data={**CASE, **over})
    assert message in " ".join(str(m) for m in caught.value.errors[field])
    assert not Case.objects.exists()
    assert not ProjectEvent.objects.filter(action="write_case").exists()


def test_only_the_ops_specialist_or_lead_and_only_from_pending_closure(cast):
    project = pending_closure(cast)
    with pytest.raises(PermissionDenied):
        library.save_case(project=project, actor=cast.manager, data=CASE)
    with pytest.raises(InvalidTransition):
        library.save_case(project=executing(cast), actor=cast.ops, data=CASE)
    assert not Case.objects.exists()


def _library(cast):
    """Three cases: the source's (process, B tier Hangzhou), a system one at Ningbo (A)
    and a people one at Hangzhou."""
    source = library.save_case(project=pending_closure(cast), actor=cast.ops, data=CASE)
    moved = pending_closure(cast, issue=new_issue(cast, category="system"))
    Project.objects.filter(pk=moved.pk).update(store=cast.org.ningbo)  # a Ningbo project
    moved.refresh_from_db()
    ningbo = library.save_case(
        project=moved,
        actor=cast.ops,
        data={**CASE, "title": "DMS 电子派工", "category": "system", "problem": "派工单手工流转"},
    )
    people = library.save_case(
        project=pending_closure(cast, issue=new_issue(cast, category="people")),
        actor=cast.ops,
        data={**CASE, "title": "服务顾问储备机制", "category": "people", "problem": "人员缺编"},
    )
    return source, ningbo, people


def titles(reply):
    return sorted(row["title"] for row in reply.json()["results"])


def test_api_searches_by_category_tier_and_text(cast, api):
    source, ningbo, people = _library(cast)
    client = api.as_(cast.manager)
    reply = client.get("/api/v1/cases/")
    assert reply.status_code == 200
    assert reply.json()["count"] == 3
    row = next(r for r in reply.json()["results"] if r["id"] == source.pk)
    assert row["project"] == source.project.number
    assert (row["store"], row["store_tier"], row["category"]) == ("HZ001", "B", "process")
    assert (row["before"], row["after"], row["change_percent"]) == ("47.00", "29.50", "-37.2")
    assert row["replicability"] == 5
    assert row["url"].endswith(f"/rectification/cases/{source.pk}/")
    assert titles(client.get("/api/v1/cases/?category=system")) == ["DMS 电子派工"]
    assert titles(client.get("/api/v1/cases/?category=system&category=people")) == [
        "DMS 电子派工",
        "服务顾问储备机制",
    ]
    assert titles(client.get("/api/v1/cases/?tier=A")) == ["DMS 电子派工"]
    assert titles(client.get("/api/v1/cases/?search=人员缺编")) == ["服务顾问储备机制"]
    assert titles(client.get("/api/v1/cases/?search=宁波")) == ["DMS 电子派工"]  # store name
    assert titles(client.get(f"/api/v1/cases/?search={source.project.number}")) == [
        "客户等待时间优化四步法"
    ]
    bad = client.get("/api/v1/cases/?category=weather")
    assert bad.status_code == 400
    assert "category" in bad.json()


def test_who_sees_cases(cast, api):
    _library(cast)
    # Every person of the network, the neighbouring and the far store's managers too.
    for who in (cast.far_manager, cast.neighbour, cast.member, cast.executive, cast.outsider):
        assert api.as_(who).get("/api/v1/cases/").json()["count"] == 3
    assert APIClient().get("/api/v1/cases/").status_code == 401
    # A token bound to Ningbo reads Ningbo's case only; a token without the scope none.
    _row, key = issue_token(user=cast.lead, scopes=["rectifications:read"], stores=["NB001"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert titles(client.get("/api/v1/cases/")) == ["DMS 电子派工"]
    _row, key = issue_token(user=cast.lead, scopes=["issues:read"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/cases/").status_code == 403


def test_list_page_filters_and_detail_links_back(cast, client):
    source, ningbo, people = _library(cast)
    client.force_login(cast.ops)
    page = client.get("/rectification/cases/?category=process")
    assert page.status_code == 200
    html = page.content.decode()
    assert source.get_absolute_url() in html
    assert ningbo.get_absolute_url() not in html
    page = client.get("/rectification/cases/?tier=A&search=派工")
    assert ningbo.get_absolute_url() in page.content.decode()
    assert source.get_absolute_url() not in page.content.decode()
    detail = client.get(source.get_absolute_url()).content.decode()
    assert "47 → 29.5分钟（-37.2%）" in detail
    assert "★★★★★" in detail
    assert f'href="{source.project.get_absolute_url()}"' in detail
    assert "修改案例" in detail


def test_a_store_manager_reads_a_case_without_its_project(cast, client):
    source, _ningbo, _people = _library(cast)
    client.force_login(cast.far_manager)  # Guangzhou: cannot see the Hangzhou project
    detail = client.get(source.get_absolute_url())
    assert detail.status_code == 200
    html = detail.content.decode()
    assert source.project.number in html
    assert f'href="{source.project.get_absolute_url()}"' not in html
    assert "修改案例" not in html
    assert client.get("/rectification/cases/99999/").status_code == 404


def test_case_form_on_the_project(cast, client):
    project = pending_closure(cast)
    client.force_login(cast.ops)
    url = f"/rectification/{project.number}/case/"
    form = client.get(url)
    assert form.status_code == 200
    assert "客户平均等待时间" in form.content.decode()  # pre-filled from the first goal
    bad = client.post(url, {**CASE, "replicability": "", "cost": "8000"})
    assert bad.status_code == 200
    assert "请评定可复制性（1–5 星）" in bad.content.decode()
    assert not Case.objects.exists()
    done = client.post(url, CASE)
    case = Case.objects.get()
    assert done.status_code == 302 and done["Location"] == case.get_absolute_url()
    client.force_login(cast.manager)
    assert client.get(url).status_code == 403
    client.force_login(cast.ops)
    assert client.get(f"/rectification/{executing(cast).number}/case/").status_code == 409


LIST_PAGE, API_LIST = 6, 4


def test_list_page_query_count(cast, client, flat_queries):
    library.save_case(project=pending_closure(cast), actor=cast.ops, data=CASE)
    client.force_login(cast.ops)

    def fetch():
        response = client.get("/rectification/cases/?category=process&search=等待")
        assert response.status_code == 200
        return response

    def grow():
        for _ in range(3):
            library.save_case(project=pending_closure(cast), actor=cast.ops, data=CASE)

    response = flat_queries(fetch, grow=grow, limit=LIST_PAGE)
    assert response.content.decode().count('data-testid="case-card"') == 4


def test_api_list_query_count(cast, api, flat_queries):
    library.save_case(project=pending_closure(cast), actor=cast.ops, data=CASE)
    client = api.as_(cast.director)

    def fetch():
        response = client.get("/api/v1/cases/?search=等待")
        assert response.status_code == 200
        return response

    def grow():
        for _ in range(3):
            library.save_case(project=pending_closure(cast), actor=cast.ops, data=CASE)

    response = flat_queries(fetch, grow=grow, limit=API_LIST)
    assert response.json()["count"] == 4
