"""The pages: the kick-off form (blank, from an issue, editing with the 5-Why editor), the
project page with its actions, the phone tracking form, measure updates, the board with
its filters and Excel export, my projects on the home page, the kick-off PDF. Bad input
on each: a message on the field, nothing saved, never a 500."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from rectification import services
from rectification.models import Project, TrackingLog
from tests.factories import new_issue, png, to_triaged

from .helpers import add_log, iso, recent_executing, recent_project, today

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "30",
    }


def kickoff_post(cast, **over):
    """What the create page posts when filled in (5 Why rows, 2 goal rows, 3 measure rows
    as the blank form offers, some of them left empty)."""
    data = {
        "store": str(cast.org.hangzhou.pk),
        "title": "客户等待时间过长",
        "problem": "客户平均等待时间达47分钟",
        "found_on": iso(-3),
        "level": "A",
        "ops_specialist": str(cast.ops.pk),
        "regional_director": "",
        "symptoms": "接待慢\n\n派工慢\n",
        "containment": "",
        "root_causes": "服务顾问缺编",
        "start_on": iso(-1),
        "execution_from": iso(0),
        "execution_to": iso(6),
        "acceptance_on": iso(7),
        "observation_from": "",
        "observation_to": "",
        "closure_on": "",
        "execution_every_days": "",
        "observation_every_days": "14",
        "tracking_methods": ["onsite", "phone"],
        "criteria_quantitative": "等待时间 ≤ 30 分钟",
        "criteria_qualitative": "",
        **management("whys", 5, 5),
        "whys-0-why": "为什么等待时间长？",
        "whys-0-because": "接待流程慢",
        "whys-0-ORDER": "1",
        "whys-1-why": "为什么接待流程慢？",
        "whys-1-because": "人手不足",
        "whys-1-ORDER": "2",
        **{f"whys-{i}-ORDER": str(i + 1) for i in range(2, 5)},
        **management("goals", 2, 2),
        "goals-0-name": "客户平均等待时间",
        "goals-0-unit": "分钟",
        "goals-0-baseline": "47",
        "goals-0-target": "30",
        "goals-0-direction": "lower",
        "goals-0-method": "standard",
        "goals-0-core": "on",
        "goals-1-method": "standard",
        "goals-1-core": "on",
        **management("measures", 3, 3),
        "measures-0-text": "流程再造",
        "measures-0-kind": "root",
        "measures-0-owner_name": "服务经理",
        "measures-0-deadline": iso(5),
    }
    data.update(over)
    return data


def test_create_page_blank_and_saved(cast, client):
    client.force_login(cast.ops)
    page = client.get("/rectification/new/").content.decode()
    assert page.count('data-testid="why-row"') == 5 + 1  # five rows and the empty template
    assert 'name="whys-TOTAL_FORMS"' in page
    response = client.post("/rectification/new/", kickoff_post(cast))
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get()
    assert response["Location"] == f"/rectification/{project.number}/"
    assert [s.text for s in project.symptoms.all()] == ["接待慢", "派工慢"]
    assert [w.question for w in project.whys.all()] == ["为什么等待时间长？", "为什么接待流程慢？"]
    assert [g.name for g in project.goals.all()] == ["客户平均等待时间"]  # the empty row skipped
    assert [m.text for m in project.measures.all()] == ["流程再造"]
    assert (project.execution_every_days, project.observation_every_days) == (1, 14)
    assert project.tracking_methods == ["onsite", "phone"]


def test_the_5_why_editor_reorders_removes_and_takes_a_photo(cast, client):
    client.force_login(cast.ops)
    photo = png("现场.png")
    data = kickoff_post(
        cast,
        **{
            "whys-2-why": "为什么人手不足？",
            "whys-2-because": "两名顾问离职",
            # Reordered: the third first; the second removed.
            "whys-0-ORDER": "2",
            "whys-1-DELETE": "on",
            "whys-2-ORDER": "1",
            "whys-2-photo": photo,
        },
    )
    assert client.post("/rectification/new/", data).status_code == 302
    project = Project.objects.get()
    whys = list(project.whys.all())
    assert [w.question for w in whys] == ["为什么人手不足？", "为什么等待时间长？"]
    assert whys[0].photo and whys[0].photo_type == "image/png"
    # The photo is served to those who see the project, and only to them.
    url = f"/rectification/{project.number}/whys/{whys[0].pk}/photo/"
    assert client.get(url).status_code == 200
    client.force_login(cast.far_manager)
    assert client.get(url).status_code == 404


def test_edit_page_moves_and_removes_whys(cast, client):
    project = recent_project(cast)
    first, second = project.whys.all()
    client.force_login(cast.ops)
    page = client.get(f"/rectification/{project.number}/edit/").content.decode()
    assert 'value="为什么等待时间长?"' in page
    data = {
        "title": project.title,
        "problem": project.problem,
        "found_on": iso(-3),
        "level": "A",
        "ops_specialist": str(cast.ops.pk),
        "symptoms": "接待慢",
        "root_causes": "缺编",
        "start_on": iso(-1),
        "execution_from": iso(0),
        "execution_to": iso(6),
        **management("whys", 2, 2),
        "whys-0-id": str(first.pk),
        "whys-0-why": first.question,
        "whys-0-because": first.answer,
        "whys-0-ORDER": "2",
        "whys-1-id": str(second.pk),
        "whys-1-why": second.question,
        "whys-1-because": "服务顾问人手不足（两人离职）",
        "whys-1-ORDER": "1",
        **management("goals", 1, 1),
        "goals-0-id": str(project.goals.first().pk),
        "goals-0-name": "客户平均等待时间",
        "goals-0-target": "30",
        "goals-0-direction": "lower",
        "goals-0-method": "standard",
        "goals-0-core": "on",
        **management("measures", 1, 1),
        "measures-0-text": "流程再造",
        "measures-0-kind": "root",
        "measures-0-owner_name": "服务经理",
        "measures-0-deadline": iso(5),
    }
    assert client.post(f"/rectification/{project.number}/edit/", data).status_code == 302
    whys = list(project.whys.all())
    assert [w.pk for w in whys] == [second.pk, first.pk]  # same rows, new order
    assert whys[0].answer == "服务顾问人手不足（两人离职）"
    data["whys-1-DELETE"] = "on"
    client.post(f"/rectification/{project.number}/edit/", data)
    assert [w.pk for w in project.whys.all()] == [first.pk]


def test_edit_page_is_closed_after_the_kickoff(cast, client):
    project = recent_executing(cast)
    client.force_login(cast.ops)
    assert client.get(f"/rectification/{project.number}/edit/").status_code == 409
    client.force_login(cast.manager)
    draft = recent_project(cast)
    assert client.get(f"/rectification/{draft.number}/edit/").status_code == 403


@pytest.mark.parametrize(
    ("over", "where", "message"),
    [
        ({"title": ""}, "title", "请填写项目名称。"),
        ({"execution_from": ""}, "execution_from", "请填写执行期开始日期。"),
        ({"goals-0-target": ""}, "goals-0-target", "请填写目标值。"),
        ({"goals-0-direction": ""}, "goals-0-direction", "请选择方向（越低越好或越高越好）。"),
        (
            {"measures-0-start_on": iso(4), "measures-0-deadline": iso(2)},
            "measures-0-deadline",
            "完成期限不能早于开始日期",
        ),
        ({"whys-1-because": ""}, "whys-1-because", "请填写“因为”。"),
    ],
)
def test_create_page_bad_input_on_the_field(cast, client, over, where, message):
    client.force_login(cast.ops)
    response = client.post("/rectification/new/", kickoff_post(cast, **over))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    # The message sits with its field (crispy marks the field invalid).
    field_at = html.index(f'name="{where}"')
    assert "is-invalid" in html[html.rfind("<", 0, field_at) : field_at + 400]
    assert not Project.objects.exists()


def test_create_from_an_issue(cast, client):
    issue = to_triaged(cast, new_issue(cast, title="派工慢导致等待时间长"), priority="P2")
    client.force_login(cast.ops)
    issue_page = client.get(f"/issues/{issue.number}/").content.decode()
    assert f'href="/rectification/new/?issue={issue.number}"' in issue_page
    form = client.get(f"/rectification/new/?issue={issue.number}").content.decode()
    assert 'value="派工慢导致等待时间长"' in form and f'value="{issue.number}"' in form
    data = kickoff_post(cast, issue=issue.number, title="派工慢导致等待时间长", level="B")
    assert client.post(f"/rectification/new/?issue={issue.number}", data).status_code == 302
    project = Project.objects.get()
    assert project.issue == issue
    # The issue shows its project, to whoever sees both; ops may start another one.
    issue_page = client.get(f"/issues/{issue.number}/").content.decode()
    assert f'href="/rectification/{project.number}/"' in issue_page
    client.force_login(cast.manager)
    issue_page = client.get(f"/issues/{issue.number}/").content.decode()
    assert project.number in issue_page and 'data-testid="start-project"' not in issue_page


def test_an_issue_out_of_scope_cannot_seed_a_project(cast, client):
    issue = new_issue(cast, who=cast.far_manager, store=cast.org.guangzhou)
    client.force_login(cast.ops)
    assert client.get(f"/rectification/new/?issue={issue.number}").status_code == 404


# --- the project page and its actions ------------------------------------------------------


def test_project_page_shows_gantt_charts_and_signatures(cast, client):
    project = recent_executing(cast)
    late = project.measures.get(text="人员补强")
    late.deadline = today()  # met today; make the other one late below
    late.save()
    root = project.measures.get(text="流程再造")
    root.start_on = iso(-3)
    root.deadline = iso(-1)
    root.save()
    add_log(cast, project, today(), readings=[{"goal": project.goals.first(), "value": 42}])
    client.force_login(cast.ops)
    html = client.get(f"/rectification/{project.number}/").content.decode()
    assert html.count('data-testid="gantt-row"') == 2
    assert 'data-late="1"' in html and 'data-testid="today-line"' in html
    assert "逾期 1 天" in html
    assert 'data-testid="health" data-health="red"' in html  # the late measure
    assert f'id="goal-{project.goals.first().pk}"' in html and f'"{iso(0)}", 42.0' in html
    assert html.count("bi-check-circle-fill") == 3  # three signatures
    assert 'data-testid="write-log"' in html


def test_sign_start_submit_and_cancel_in_the_page(cast, client):
    project = recent_project(cast)
    for user in (cast.manager, cast.ops, cast.director):
        client.force_login(user)
        page = client.get(f"/rectification/{project.number}/").content.decode()
        assert 'data-testid="sign"' in page
        assert client.post(f"/rectification/{project.number}/do/sign/").status_code == 302
    project.refresh_from_db()
    assert project.status == "kicked_off"
    client.force_login(cast.manager)
    response = client.post(f"/rectification/{project.number}/do/start/")
    assert response.status_code == 403  # the store does not start the project
    client.force_login(cast.ops)
    assert client.post(f"/rectification/{project.number}/do/start/").status_code == 302
    response = client.post(f"/rectification/{project.number}/do/cancel/", {"reason": ""})
    assert response.status_code == 200 and "取消项目必须填写原因" in response.content.decode()
    project.refresh_from_db()
    assert project.status == "executing"
    assert client.post(f"/rectification/{project.number}/do/submit/").status_code == 302
    response = client.post(f"/rectification/{project.number}/do/submit/")
    assert response.status_code == 409  # already submitted
    project.refresh_from_db()
    assert project.status == "pending_acceptance"


def test_sign_button_waits_for_a_complete_kickoff(cast, client):
    project = recent_project(cast, goals=[])
    client.force_login(cast.manager)
    page = client.get(f"/rectification/{project.number}/").content.decode()
    assert 'data-testid="missing"' in page and "请至少设定一个核心目标。" in page
    response = client.post(f"/rectification/{project.number}/do/sign/")
    assert response.status_code == 200 and "请至少设定一个核心目标" in response.content.decode()
    assert not project.signoffs.exists()


def test_measure_update_in_the_page(cast, client):
    project = recent_executing(cast)
    measure = project.measures.get(owner=cast.member)
    client.force_login(cast.member)
    url = f"/rectification/{project.number}/measures/{measure.pk}/"
    response = client.post(url, {f"m{measure.pk}-status": "", f"m{measure.pk}-progress": "60"})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.progress, measure.status) == (60, "in_progress")
    response = client.post(url, {f"m{measure.pk}-progress": "160"})
    assert response.status_code == 200 and "应在 0–100 之间。" in response.content.decode()
    measure.refresh_from_db()
    assert measure.progress == 60
    other = project.measures.get(text="人员补强")
    response = client.post(
        f"/rectification/{project.number}/measures/{other.pk}/", {f"m{other.pk}-progress": "10"}
    )
    assert response.status_code == 403


# --- the tracking form ------------------------------------------------------------------------


def track_post(project, **over):
    goal = project.goals.get(name="客户平均等待时间")
    data = {
        "date": iso(0),
        "next_on": "",
        "method": "onsite",
        "progress": "40",
        "assessment": "on_plan",
        "done": "培训完成\n演练完成",
        f"reading_{goal.pk}": "42",
        "focus": "派工",
        **management("in_progress", 1),
        "in_progress-0-text": "电子派工培训",
        "in_progress-0-progress": "50",
        **management("difficulties", 1),
        **management("solutions", 1),
    }
    data.update(over)
    return data


def test_tracking_form_prefills_from_the_last_record(cast, client):
    project = recent_executing(cast)
    yesterday = today() - dt.timedelta(days=1)
    project.execution_from = yesterday  # a day of execution before today
    project.save(update_fields=["execution_from"])
    goal = project.goals.get(name="客户平均等待时间")
    add_log(
        cast,
        project,
        yesterday,
        when=None,
        progress=35,
        assessment="slightly_delayed",
        method="video",
        in_progress=[{"text": "电子派工培训", "progress": 60}],
        difficulties=[{"text": "显示屏未到货", "impact": "severe", "support": "IT 协调"}],
        readings=[{"goal": goal, "value": "38.50"}],
    )
    client.force_login(cast.ops)
    html = client.get(f"/rectification/{project.number}/track/").content.decode()
    assert 'data-testid="prefilled"' in html
    assert 'value="35"' in html and 'value="video" checked' in html.replace("\n", "")
    assert 'value="slightly_delayed" checked' in html.replace("\n", "")
    assert 'value="电子派工培训"' in html and 'value="显示屏未到货"' in html
    assert f'name="reading_{goal.pk}" id="id_reading_{goal.pk}" value="38.5"' in html


def test_tracking_form_saves_a_record(cast, client):
    project = recent_executing(cast)
    client.force_login(cast.ops)
    response = client.post(f"/rectification/{project.number}/track/", track_post(project))
    assert response.status_code == 302
    log = TrackingLog.objects.get()
    assert (log.date.isoformat(), log.day, log.progress, log.method) == (iso(0), 1, 40, "onsite")
    assert log.done == ["培训完成", "演练完成"]
    assert [(i.text, i.progress) for i in log.in_progress.all()] == [("电子派工培训", 50)]
    assert [float(r.value) for r in log.readings.all()] == [42.0]
    assert log.next_on.isoformat() == iso(1)
    project.refresh_from_db()
    assert project.progress == 40 and project.next_tracking_on.isoformat() == iso(1)


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"progress": "101"}, "应在 0–100 之间。"),
        ({"progress": "-5"}, "应在 0–100 之间。"),
        ({"date": iso(1)}, "跟踪日期不能晚于今天。"),
        ({"date": iso(-1)}, "跟踪日期不能早于执行期开始"),
        ({"method": ""}, "请选择跟踪方式。"),
        ({"difficulties-0-text": "缺人", "difficulties-0-impact": ""}, "请选择影响程度。"),
        ({"in_progress-0-progress": "abc"}, "输入整数"),
    ],
)
def test_tracking_form_bad_input(cast, client, over, message):
    project = recent_executing(cast)
    client.force_login(cast.ops)
    response = client.post(f"/rectification/{project.number}/track/", track_post(project, **over))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TrackingLog.objects.exists()


def test_tracking_form_ignores_readings_of_other_projects(cast, client):
    project = recent_executing(cast)
    other = recent_project(cast, store="NB001").goals.first()
    client.force_login(cast.ops)
    response = client.post(
        f"/rectification/{project.number}/track/",
        track_post(project, **{f"reading_{other.pk}": "12"}),
    )
    assert response.status_code == 302
    assert not other.readings.exists()


def test_tracking_form_is_for_the_projects_ops(cast, client):
    project = recent_executing(cast)
    client.force_login(cast.manager)
    assert client.get(f"/rectification/{project.number}/track/").status_code == 403
    draft = recent_project(cast)
    client.force_login(cast.ops)
    assert client.get(f"/rectification/{draft.number}/track/").status_code == 409


# --- board, export, home, PDF ------------------------------------------------------------------


@pytest.fixture
def board_projects(cast):
    red = recent_executing(cast, title="执行中红灯", level="A")
    measure = red.measures.first()
    measure.deadline = iso(-1)
    measure.start_on = iso(-2)
    measure.save()
    services.refresh_health(project=red)
    draft = recent_project(cast, store="NB001", title="宁波草稿", level="C")
    return {"red": red, "draft": draft}


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("", {"执行中红灯", "宁波草稿"}),
        ("?level=C", {"宁波草稿"}),
        ("?tier=A", {"宁波草稿"}),  # Ningbo is an A-tier store
        ("?health=red", {"执行中红灯"}),
        ("?overdue=on", {"执行中红灯"}),
        ("?region=SOUTH", set()),
        ("?store=HZ001", {"执行中红灯"}),
        ("?status=draft", {"宁波草稿"}),
    ],
)
def test_board_filters(cast, client, board_projects, query, titles):
    client.force_login(cast.ops)
    html = client.get(f"/rectification/{query}").content.decode()
    assert {t for t in ("执行中红灯", "宁波草稿") if t in html} == titles


def test_board_matrix_and_bad_filter(cast, client, board_projects):
    client.force_login(cast.ops)
    html = client.get("/rectification/").content.decode()
    assert 'data-testid="cell-executing-red">1<' in html
    assert 'data-testid="cell-draft-green">1<' in html
    response = client.get("/rectification/?level=Z")
    assert (
        response.status_code == 200 and 'data-testid="filter-errors"' in response.content.decode()
    )


def test_export_is_what_the_board_shows(cast, client, board_projects):
    client.force_login(cast.ops)
    response = client.get("/rectification/export.xlsx?health=red")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    assert header[:9] == [
        "项目编号",
        "项目名称",
        "门店编码",
        "门店",
        "区域",
        "门店分层",
        "问题级别",
        "状态",
        "健康度",
    ]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert (row["项目编号"], row["健康度"], row["状态"]) == (
        board_projects["red"].number,
        "红灯",
        "执行中",
    )
    assert row["逾期措施"] == 1


def test_home_shows_my_projects_to_the_ops(cast, client):
    project = recent_executing(cast)
    draft = recent_project(cast)
    client.force_login(cast.ops)
    html = client.get("/").content.decode()
    assert 'data-testid="home-projects"' in html
    assert f'href="/rectification/{project.number}/track/"' in html
    assert draft.number in html  # awaiting the ops specialist's signature
    client.force_login(cast.executive)
    assert 'data-testid="home-projects"' not in client.get("/").content.decode()


def test_kickoff_pdf_reads_like_tool_1(cast, client):
    project = recent_project(cast)
    services.sign(project=project, actor=cast.manager)
    client.force_login(cast.ops)
    response = client.get(f"/rectification/{project.number}/kickoff.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for heading in (
        "整改项目启动表",
        "基本信息",
        "问题分析",
        "整改方案",
        "时间计划",
        "跟踪计划",
        "验收标准",
        "签字确认",
    ):
        assert heading in text, heading
    assert project.number in text and "杭州XX 4S店" in text
    assert "为什么等待时间长" in text and "服务顾问缺编" in text
    assert "客户平均等待时间" in text and "47" in text and "30" in text
    assert "☑ A级（重大）" in text and "☑ 每天" in text
    assert str(cast.manager) in text  # the store manager has signed


def test_photo_upload_must_be_an_image(cast, client):
    client.force_login(cast.ops)
    fake = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    response = client.post("/rectification/new/", kickoff_post(cast, **{"whys-0-photo": fake}))
    assert response.status_code == 200 and "不是照片" in response.content.decode()
    assert not Project.objects.exists()
