"""Migration import of the old tracking table (API.md ``POST /imports/issues/``): a dry
run that checks every row and saves nothing, a report of bad rows (row, column,
message), all or nothing, a re-import that updates by 问题编号, historical times and
statuses kept, due times from the SLA policy, and the page with its column mapping."""

from __future__ import annotations

import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from closedloop.notifications.models import Notification
from integrations.models import IssueImport, WebhookDelivery
from integrations.services import imports, webhooks
from issues import alerts, sla
from issues.models import Issue, SlaAlert

BEIJING = ZoneInfo("Asia/Shanghai")
HEADERS = [
    "问题编号",
    "门店编码",
    "问题分类",
    "问题标题",
    "问题描述",
    "影响范围",
    "优先级",
    "责任部门",
    "状态",
    "提交时间",
    "首次响应时间",
    "解决时间",
    "关闭时间",
]
ROWS = [
    [
        "Q-001",
        "HZ001",
        "系统/技术",
        "DMS 打印慢",
        "打印工单要两分钟",
        "单店",
        "P2 中",
        "IT",
        "已关闭",
        "2025-03-03 09:30",
        "2025-03-03 11:00",
        "2025-03-05 17:00",
        "2025-03-06 10:00",
    ],
    [
        "Q-002",
        "NB001",
        "supply_chain",
        "配件到货慢",
        "",
        "多店",
        "P1",
        "供应链",
        "处理中",
        "2025-03-10T06:00:00+00:00",
        "2025-03-10 15:00",
        None,
        None,
    ],
    [
        "Q-003",
        "GZ001",
        "人员/培训",
        "新人不会用系统",
        "",
        "单店",
        None,
        None,
        "已提交",
        "2025-03-12 08:00",
        None,
        None,
        None,
    ],
]


def xlsx(rows=ROWS, headers=HEADERS, name="跟踪表.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.title = "问题"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(rows, headers, encoding="utf-8", name="old.csv") -> SimpleUploadedFile:
    lines = [",".join(headers)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    return SimpleUploadedFile(name, "\n".join(lines).encode(encoding))


@pytest.fixture
def lead(cast, token_client):
    return token_client(cast.lead)


def _post(client, file, **fields):
    return client.post("/api/v1/imports/issues/", {"file": file, **fields}, format="multipart")


def test_a_dry_run_checks_every_row_and_saves_nothing(cast, lead):
    response = _post(lead, xlsx(), dry_run="true")
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 3, "updated": 0, "errors": [], "dry_run": True, "rows": 3}
    assert not Issue.objects.exists()


def test_the_import_keeps_history_and_computes_due_times_from_the_policy(cast, lead):
    response = _post(lead, xlsx())
    assert response.json() == {
        "created": 3,
        "updated": 0,
        "errors": [],
        "dry_run": False,
        "rows": 3,
    }
    closed = Issue.objects.get(external_ref="Q-001")
    assert closed.external_source == imports.SOURCE and closed.number.startswith("ISS-2025-")
    assert (closed.status, closed.priority, closed.department.code) == ("closed", "P2", "IT")
    assert (closed.category, closed.impact_scope) == ("system", "store")
    assert closed.submitted_at == dt.datetime(2025, 3, 3, 9, 30, tzinfo=BEIJING)
    assert closed.first_response_at == dt.datetime(2025, 3, 3, 11, 0, tzinfo=BEIJING)
    assert closed.resolved_at == dt.datetime(2025, 3, 5, 17, 0, tzinfo=BEIJING)
    assert closed.closed_at == dt.datetime(2025, 3, 6, 10, 0, tzinfo=BEIJING)
    dues = sla.compute_issue_dues(closed)
    assert (closed.response_due_at, closed.resolution_due_at) == (
        dues.response_due_at,
        dues.resolution_due_at,
    )
    # P2 answers within 72 working hours of a Monday-morning submission: met in 1.5 h.
    assert closed.response_due_at > closed.first_response_at

    waiting = Issue.objects.get(external_ref="Q-002")
    assert waiting.submitted_at == dt.datetime(2025, 3, 10, 14, 0, tzinfo=BEIJING)  # from UTC
    assert (waiting.status, waiting.department.code, waiting.impact_scope) == (
        "in_progress",
        "SCM",
        "multi_store",
    )
    fresh = Issue.objects.get(external_ref="Q-003")
    assert (fresh.status, fresh.priority, fresh.suggested_priority) == ("submitted", "", "P2")
    # The timeline starts at the historical submission.
    assert list(closed.events.order_by("at").values_list("action", flat=True)) == [
        "submit",
        "import",
    ]
    assert closed.events.get(action="submit").at == closed.submitted_at


def test_bad_rows_are_reported_by_row_column_and_message_and_nothing_is_imported(cast, lead):
    rows = [
        ROWS[0],
        [
            "Q-004",
            "XX999",
            "系统",
            "t",
            "",
            "单店",
            "P1",
            "IT",
            "处理中",
            "2025-03-01 09:00",
            None,
            None,
            None,
        ],
        ["Q-005", "HZ001", "天气", "t", "", "单店", "P9", "IT", "已解决", "昨天", None, None, None],
        [
            "Q-006",
            "HZ001",
            "系统",
            "t",
            "",
            "单店",
            "P1",
            "IT",
            "已关闭",
            "2025-03-05 09:00",
            "2025-03-04 09:00",
            "2025-03-06 09:00",
            None,
        ],
        [
            "Q-001",
            "HZ001",
            "系统",
            "t",
            "",
            "单店",
            "P1",
            "IT",
            "已提交",
            "2025-03-05 09:00",
            None,
            None,
            None,
        ],
    ]
    response = _post(lead, xlsx(rows))
    assert response.status_code == 400
    body = response.json()
    assert body["created"] == body["updated"] == 0 and body["dry_run"] is False
    found = {(e["row"], e["field"]) for e in body["errors"]}
    assert found == {
        (3, "门店编码"),
        (4, "问题分类"),
        (4, "优先级"),
        (4, "提交时间"),
        (4, "解决时间"),
        (5, "首次响应时间"),
        (5, "关闭时间"),
        (6, "问题编号"),
    }
    assert all(e["message"] for e in body["errors"])
    assert not Issue.objects.exists()  # the good first row was not imported either
    assert IssueImport.objects.get().status == "failed"


def test_a_reimport_updates_by_the_old_number(cast, lead):
    _post(lead, xlsx())
    before = {i.external_ref: i.number for i in Issue.objects.all()}
    changed = [list(r) for r in ROWS]
    changed[1][8], changed[1][11] = "已解决", "2025-03-14 18:00"
    response = _post(lead, xlsx(changed))
    assert response.json()["created"] == 0 and response.json()["updated"] == 3
    assert {i.external_ref: i.number for i in Issue.objects.all()} == before
    issue = Issue.objects.get(external_ref="Q-002")
    assert issue.status == "resolved"
    assert issue.resolved_at == dt.datetime(2025, 3, 14, 18, 0, tzinfo=BEIJING)
    assert issue.events.filter(action="import").count() == 2


def test_codes_work_as_well_as_labels(cast, lead):
    rows = [
        [
            "Q-9",
            "HZ001",
            "process",
            "t",
            "d",
            "region",
            "P0",
            "it",
            "triaged",
            "2025-03-03 09:30",
            None,
            None,
            None,
        ]
    ]
    assert _post(lead, xlsx(rows)).status_code == 200
    issue = Issue.objects.get()
    assert (
        issue.category,
        issue.impact_scope,
        issue.priority,
        issue.department.code,
        issue.status,
    ) == (
        "process",
        "region",
        "P0",
        "IT",
        "triaged",
    )


def test_a_spreadsheet_date_cell_is_beijing_time(cast, lead):
    rows = [
        [
            "Q-9",
            "HZ001",
            "系统",
            "t",
            "d",
            "单店",
            "P3",
            "IT",
            "已驳回",
            dt.datetime(2025, 4, 1, 10, 15),
            None,
            None,
            None,
        ]
    ]
    assert _post(lead, xlsx(rows)).status_code == 200
    assert Issue.objects.get().submitted_at == dt.datetime(2025, 4, 1, 10, 15, tzinfo=BEIJING)


def test_other_headers_are_mapped_and_a_gbk_csv_is_read(cast, lead):
    headers = [
        "编号",
        "门店",
        "类型",
        "标题",
        "内容",
        "范围",
        "级别",
        "部门",
        "当前状态",
        "创建时间",
        "响应",
        "解决",
        "关闭",
    ]
    file = csv_file(ROWS[:1], headers, encoding="gbk")
    missing = _post(lead, file)
    assert missing.status_code == 400
    assert {e["field"] for e in missing.json()["errors"]} >= {
        "门店编码",
        "问题分类",
        "状态",
        "提交时间",
    }
    mapping = dict(zip(HEADERS, headers, strict=True))
    file = csv_file(ROWS[:1], headers, encoding="gbk")
    response = _post(lead, file, mapping=json.dumps(mapping, ensure_ascii=False))
    assert response.status_code == 200, response.content
    assert Issue.objects.get().title == "DMS 打印慢"


def test_an_unreadable_file_or_mapping_is_refused_on_the_field(cast, lead):
    bad = _post(lead, SimpleUploadedFile("x.xlsx", b"PK\x03\x04 not a workbook"))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "file"
    mapping = _post(lead, xlsx(), mapping="[1, 2]")
    assert mapping.status_code == 400 and mapping.json()["errors"][0]["field"] == "mapping"
    assert not Issue.objects.exists()


@pytest.mark.parametrize("who", ["dms", "ops", "executive"])
def test_only_the_quality_lead_imports(cast, token_client, who):
    client = token_client(getattr(cast, who))
    assert _post(client, xlsx()).status_code == 403
    narrow = token_client(cast.lead, scopes=["issues:read"])
    assert _post(narrow, xlsx()).status_code == 403
    assert not Issue.objects.exists()


def test_the_import_notifies_nobody_and_sends_no_webhooks(
    cast, lead, django_capture_on_commit_callbacks
):
    webhooks.create_subscription(
        actor=cast.lead, url="http://127.0.0.1:9/h", events=["issue.created"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(lead, xlsx()).status_code == 200
    assert not Notification.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_past_ladder_alerts_of_open_imported_issues_count_as_raised(cast, lead):
    """An open issue that is long overdue alerts nobody about its history on import day."""
    assert _post(lead, xlsx()).status_code == 200
    waiting = Issue.objects.get(external_ref="Q-002")
    assert SlaAlert.objects.filter(issue=waiting).exists()
    assert alerts.sweep(timezone.now()) == {"alerts": 0, "notifications": 0}
    assert not Notification.objects.exists()


# --- the page ----------------------------------------------------------------------------


def test_the_page_uploads_maps_checks_and_imports(cast, client):
    client.force_login(cast.lead)
    headers = ["旧系统单号", *HEADERS[1:]]
    response = client.post("/integrations/imports/", {"file": xlsx(headers=headers)})
    record = IssueImport.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/integrations/imports/{record.pk}/"
    )
    page = client.get(response["Location"]).content.decode()
    assert "问题编号 *" in page and '<option value="旧系统单号">旧系统单号</option>' in page

    form = {key: record.mapping.get(key, "") for key in imports.COLUMNS}
    missing = client.post(response["Location"], {**form, "action": "check"})
    assert missing.status_code == 400 and "缺少此列" in missing.content.decode()

    form["number"] = "旧系统单号"
    checked = client.post(response["Location"], {**form, "action": "check"})
    assert checked.status_code == 200 and "预检通过" in checked.content.decode()
    assert not Issue.objects.exists()
    done = client.post(response["Location"], {**form, "action": "import"})
    assert done.status_code == 302 and Issue.objects.count() == 3
    record.refresh_from_db()
    assert (record.status, record.created, record.mapping["number"]) == (
        "imported",
        3,
        "旧系统单号",
    )


def test_the_page_shows_the_bad_rows(cast, client):
    client.force_login(cast.lead)
    rows = [ROWS[0], ["Q-2", "XX999", *ROWS[0][2:]]]
    client.post("/integrations/imports/", {"file": xlsx(rows)})
    record = IssueImport.objects.get()
    form = {**record.mapping, "action": "import"}
    response = client.post(f"/integrations/imports/{record.pk}/", form)
    html = response.content.decode()
    assert response.status_code == 400 and "发现 1 处错误，未导入任何数据" in html
    assert "门店“XX999”不存在" in html
    assert not Issue.objects.exists()


def test_the_page_refuses_an_unreadable_upload_on_the_field(cast, client):
    client.force_login(cast.lead)
    response = client.post(
        "/integrations/imports/", {"file": SimpleUploadedFile("a.xlsx", b"PK broken")}
    )
    assert response.status_code == 400 and "无法读取文件" in response.content.decode()
    assert not IssueImport.objects.exists()


def test_the_template_has_the_columns(cast, client):
    from openpyxl import load_workbook

    client.force_login(cast.lead)
    response = client.get("/integrations/imports/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == HEADERS
