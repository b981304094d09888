"""An ops specialist writes a tracking record on a phone (390 × 844) in a few taps, from the
home page, pre-filled from the last record; the project page then shows its Gantt of
measures (today line, a late one in red) and the goal charts — screenshots are saved for a
human to look at. A store manager signs the kick-off from a phone, too."""

import datetime as dt
import os
import re

import pytest

from rectification import services
from rectification.models import TrackingLog
from tests.rectification.helpers import iso, recent_executing, recent_project, today

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _fits(page):
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )


@pytest.fixture
def project(cast):
    """A level A project three days into execution: two records with readings, one
    measure done, one on its way, one past its deadline."""
    measures = [
        {
            "text": "人员补强：临时调配1名资深服务顾问",
            "kind": "emergency",
            "owner_name": "门店店长",
            "start_on": iso(-4),
            "deadline": iso(-2),
        },
        {
            "text": "流程再造：制定《客户接待标准流程V2.0》",
            "kind": "root",
            "owner": "member",
            "start_on": iso(-4),
            "deadline": iso(3),
        },
        {
            "text": "系统优化：启用DMS电子派工",
            "kind": "tool",
            "owner_name": "IT专员",
            "start_on": iso(-3),
            "deadline": iso(-1),
        },
    ]
    project = recent_executing(cast, measures=measures)
    project.execution_from = today() - dt.timedelta(days=3)
    project.save(update_fields=["execution_from"])
    first, second, third = project.measures.all()
    services.update_measure(project=project, measure_id=first.pk, actor=cast.ops, status="done")
    services.update_measure(project=project, measure_id=second.pk, actor=cast.ops, progress=60)
    services.update_measure(project=project, measure_id=third.pk, actor=cast.ops, progress=70)
    wait, satisfaction = project.goals.all()
    for ago, progress, minutes, score in ((2, 20, 42, 75), (1, 40, 38, 78)):
        services.add_tracking_log(
            project=project,
            actor=cast.ops,
            data={
                "date": today() - dt.timedelta(days=ago),
                "method": "phone",
                "progress": progress,
                "assessment": "on_plan",
                "in_progress": [{"text": "电子派工培训", "progress": 50}],
                "readings": [
                    {"goal": wait, "value": minutes},
                    {"goal": satisfaction, "value": score},
                ],
            },
        )
    return project


def test_ops_writes_a_tracking_record_in_a_few_taps(
    cast, project, live_server, phone_page, login, screenshot, problems
):
    page = phone_page
    login(page, live_server, "ops")
    wait = project.goals.get(name="客户平均等待时间")
    taps = 0

    # Home: my projects, the big button.
    card = page.locator(f"[data-testid=home-projects] [data-number='{project.number}']")
    assert card.locator("[data-testid=write-log]").is_visible()
    _fits(page)
    screenshot(page, "home")
    card.locator("[data-testid=write-log]").tap()
    taps += 1
    page.wait_for_url(f"{live_server.url}/rectification/{project.number}/track/")
    _fits(page)
    # Pre-filled from yesterday: method, progress, assessment, the reading, the open item.
    assert page.locator("[data-testid=prefilled]").is_visible()
    assert page.input_value("[data-testid=progress-range]") == "40"
    assert page.input_value(f"[data-testid=reading-{wait.pk}]") == "38"
    assert page.input_value("input[name=in_progress-0-text]") == "电子派工培训"
    screenshot(page, "form")

    # Today: 60 %, waiting time 33 minutes, save.
    page.locator("[data-progress='60']").tap()
    taps += 1
    assert page.inner_text("[data-testid=progress-output]").strip() == "60%"
    page.locator(f"[data-testid=reading-{wait.pk}]").tap()
    page.fill(f"[data-testid=reading-{wait.pk}]", "33")
    taps += 1
    save = page.locator("[data-testid=save-log]")
    box = save.bounding_box()
    assert box["height"] >= 52 and box["y"] + box["height"] <= 844  # in reach without scrolling
    save.tap()
    taps += 1
    page.wait_for_url(f"{live_server.url}/rectification/{project.number}/")
    assert taps <= 4

    log = TrackingLog.objects.get(project=project, date=today())
    assert (log.progress, log.day, log.method) == (60, 4, "phone")
    assert {r.goal.name: float(r.value) for r in log.readings.select_related("goal")} == {
        "客户平均等待时间": 33.0,
        "客户满意度": 78.0,
    }
    assert [i.text for i in log.in_progress.all()] == ["电子派工培训"]

    # The project page: message, progress, the Gantt with its today line and the late
    # measure in red, a drawn chart per goal — on a phone, without sideways scrolling.
    assert "已保存第 4 天的跟踪记录" in page.inner_text("[data-testid=messages]")
    assert page.inner_text("[data-testid=progress]").strip() == "60%"
    gantt = page.locator("[data-testid=gantt]")
    assert gantt.locator("[data-testid=gantt-row]").count() == 3
    assert gantt.locator("[data-testid=gantt-row][data-late='1']").count() == 1
    assert gantt.locator("[data-testid=today-line]").is_visible()
    page.wait_for_selector("[data-goal-chart][data-drawn='1']")
    assert page.locator("[data-goal-chart][data-drawn='1']").count() == 2
    assert page.locator("[data-goal-chart] svg").count() == 2
    _fits(page)
    full = screenshot(page, "project")
    # The two parts to look at, each on its own.
    for part in ("measures", "goals"):
        page.locator(f"[data-testid={part}]").screenshot(
            path=str(full.with_name(f"{full.stem}-{part}.png"))
        )
    assert problems(page) == []


def test_bad_progress_is_refused_on_the_phone(
    cast, project, live_server, phone_page, login, screenshot, problems
):
    page = phone_page
    login(page, live_server, "ops")
    page.goto(f"{live_server.url}/rectification/{project.number}/track/")
    page.fill("[data-testid=track-form] input[name=date]", iso(2))
    page.locator("[data-testid=save-log]").tap()
    page.wait_for_selector("[data-testid=form-errors]")
    assert "跟踪日期不能晚于今天。" in page.inner_text("[data-testid=track-form]")
    assert not TrackingLog.objects.filter(project=project, date=today()).exists()
    _fits(page)
    screenshot(page, "refused")
    assert problems(page) == []


def test_store_manager_signs_the_kickoff_on_a_phone(
    cast, live_server, phone_page, login, screenshot, problems
):
    project = recent_project(cast)
    page = phone_page
    login(page, live_server, "manager")
    page.goto(f"{live_server.url}/rectification/mine/")
    page.locator("[data-testid=to-sign-card]").tap()
    page.wait_for_url(re.compile(rf"/rectification/{project.number}/$"))
    page.locator("[data-testid=sign]").tap()
    page.wait_for_selector("[data-testid=messages]")
    signed = page.locator("[data-testid=signature-store_manager]").inner_text()
    assert "manager" in signed or str(cast.manager) in signed
    assert project.signoffs.get().user == cast.manager
    _fits(page)
    screenshot(page, "signed")
    assert problems(page) == []


def test_the_5_why_editor_adds_moves_and_removes_rows(
    cast, live_server, desktop_page, login, screenshot, problems
):
    project = recent_project(cast)  # Why 1 (等待时间长), Why 2 (接待流程慢)
    page = desktop_page
    login(page, live_server, "ops")
    page.goto(f"{live_server.url}/rectification/{project.number}/")
    page.click("[data-testid=edit-whys]")
    page.wait_for_url(re.compile(r"/edit/#whys$"))
    rows = page.locator("[data-formset=whys] [data-rows] > [data-row]")
    assert rows.count() == 2
    # Add a third Why, move it to the top, remove the (old) second one, save.
    page.click("[data-add-row=whys]")
    assert rows.count() == 3
    new = rows.nth(2)
    new.locator("input[name$='-why']").fill("为什么人手不足？")
    new.locator("input[name$='-because']").fill("两名服务顾问离职，新人未到岗")
    new.locator("[data-move=up]").click()
    rows.nth(1).locator("[data-move=up]").click()
    assert [rows.nth(i).locator("[data-row-number]").inner_text() for i in range(3)] == [
        "1",
        "2",
        "3",
    ]
    assert rows.nth(0).locator("input[name$='-why']").input_value() == "为什么人手不足？"
    rows.nth(2).locator("[data-remove-row]").click()
    assert rows.nth(2).is_hidden()
    screenshot(page, "editor")
    page.click("[data-testid=save-kickoff]")
    # The form posts to the edit URL, whose #whys the redirect keeps.
    page.wait_for_url(re.compile(rf"/rectification/{project.number}/(#whys)?$"))
    assert [w.question for w in project.whys.all()] == ["为什么人手不足？", "为什么等待时间长?"]
    assert page.locator("[data-testid=whys] li").count() == 2
    assert problems(page) == []
