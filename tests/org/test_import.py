"""Excel import of stores and users (sheets 门店 and 用户): all rows or none, each bad row
reported with its field, re-import updates; the command and the upload page."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from closedloop.org.models import Store, User
from closedloop.org.services import (
    STORE_COLUMNS,
    USER_COLUMNS,
    ImportFileError,
    import_org,
)

pytestmark = pytest.mark.django_db

STORE_HEADER = [aliases[0] for aliases in STORE_COLUMNS.values()]
USER_HEADER = [aliases[0] for aliases in USER_COLUMNS.values()]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PASSWORD = "Import-2026!"


def store_row(code, name, city, region, tier, throughput=300, batch="第1批", go_live=None):
    return [code, name, city, region, tier, throughput, batch, go_live, "是"]


def user_row(username, name, role, store=None, stores=None, region=None, dept=None):
    return [username, name, f"{username}@example.com", role, store, stores, region, dept, "是",
            PASSWORD]  # fmt: skip


def workbook_bytes(stores=(), users=()) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "门店"
    sheet.append(STORE_HEADER)
    for row in stores:
        sheet.append(row)
    people = book.create_sheet("用户")
    people.append(USER_HEADER)
    for row in users:
        people.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_STORES = [
    store_row("WZ001", "温州XX 4S店", "温州", "华东", "B", 280, "第2批", dt.date(2025, 9, 1)),
    store_row("JX001", "嘉兴XX 4S店", "嘉兴", "EAST", "C类", 150, "第2批", "2025-09-08"),
]
GOOD_USERS = [
    # References a store created by the same file.
    user_row("manager_wz", "林峰", "店长", store="WZ001"),
    user_row("ops_zj", "叶青", "ops_specialist", stores="WZ001、JX001，HZ001"),
    user_row("it_dev", "严明", "部门成员", dept="IT"),
]


def good_file():
    return workbook_bytes(GOOD_STORES, GOOD_USERS)


def bad_file():
    return workbook_bytes(
        stores=[
            GOOD_STORES[0],  # row 2: fine on its own
            store_row("XM001", "厦门XX 4S店", "厦门", "火星", "B"),  # row 3: unknown region
            store_row("QZ001", "泉州XX 4S店", "泉州", "EAST", "D"),  # row 4: bad tier
            store_row("TZ001", "台州XX 4S店", "台州", "EAST", "B", go_live="2025/13/45"),  # row 5
            store_row("WZ001", "温州重复 4S店", "温州", "EAST", "B"),  # row 6: duplicate code
        ],
        users=[
            user_row("manager_xx", "无名", "店长", store="XX999"),  # row 2: unknown store
            user_row("it_dev", "严明", "部门成员", dept="IT"),  # row 3: fine on its own
        ],
    )


BAD_ROWS = {
    ("门店", 3, "区域"),
    ("门店", 4, "门店分层"),
    ("门店", 5, "上线日期"),
    ("门店", 6, "门店编码"),
    ("用户", 2, "所属门店"),
}


def counts():
    return Store.objects.count(), User.objects.count()


# --- the service -------------------------------------------------------------------------


def test_good_file_imports_stores_and_users(org):
    result = import_org(io.BytesIO(good_file()))
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == {"stores": 2, "users": 3}
    wenzhou = Store.objects.get(code="WZ001")
    assert (wenzhou.region.code, wenzhou.tier, wenzhou.monthly_throughput) == ("EAST", "B", 280)
    assert wenzhou.go_live_date == dt.date(2025, 9, 1)
    assert Store.objects.get(code="JX001").tier == "C"
    manager = User.objects.get(username="manager_wz")
    assert (manager.role, manager.store.code) == ("store_manager", "WZ001")
    assert manager.check_password(PASSWORD)
    ops = User.objects.get(username="ops_zj")
    assert set(ops.stores.values_list("code", flat=True)) == {"WZ001", "JX001", "HZ001"}
    assert User.objects.get(username="it_dev").department.code == "IT"


def test_reimport_updates_and_never_duplicates(org):
    import_org(io.BytesIO(good_file()))
    before = counts()
    changed = [store_row("WZ001", "温州XX 4S店", "温州", "EAST", "A", 450), GOOD_STORES[1]]
    result = import_org(io.BytesIO(workbook_bytes(changed, GOOD_USERS)))
    assert result.ok
    assert result.created == {"stores": 0, "users": 0}
    assert result.updated == {"stores": 2, "users": 3}
    assert counts() == before
    assert Store.objects.get(code="WZ001").tier == "A"
    assert Store.objects.get(code="WZ001").monthly_throughput == 450


def test_bad_rows_are_each_reported_and_nothing_is_imported(org):
    before = counts()
    result = import_org(io.BytesIO(bad_file()))
    assert not result.ok
    assert {(e.sheet, e.row, e.field) for e in result.errors} == BAD_ROWS
    assert all(e.message for e in result.errors)
    # Not even the good rows were kept.
    assert counts() == before
    assert not Store.objects.filter(code="WZ001").exists()
    assert not User.objects.filter(username="it_dev").exists()
    assert result.created == {"stores": 0, "users": 0}


def test_bad_rows_do_not_change_existing_rows(org):
    rows = [store_row("HZ001", "杭州改名 4S店", "杭州", "EAST", "A"), *bad_file_store_rows()]
    import_org(io.BytesIO(workbook_bytes(rows)))
    assert Store.objects.get(code="HZ001").name == "杭州XX 4S店"


def bad_file_store_rows():
    return [store_row("XM001", "厦门XX 4S店", "厦门", "火星", "B")]


def test_missing_required_column_is_reported(org):
    book = Workbook()
    book.active.title = "门店"
    book.active.append(["门店编码", "门店名称", "城市", "门店分层"])  # no 区域
    book.active.append(["WZ001", "温州XX 4S店", "温州", "B"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    result = import_org(buffer)
    assert {(e.sheet, e.row, e.field) for e in result.errors} == {("门店", 1, "区域")}
    assert not Store.objects.filter(code="WZ001").exists()


@pytest.mark.parametrize(
    "content",
    [b"code,name\nWZ001,x\n", b"", b"PK\x03\x04 truncated zip"],
    ids=["csv", "empty", "zip"],
)
def test_non_xlsx_content_is_a_clear_error(org, content):
    with pytest.raises(ImportFileError) as info:
        import_org(io.BytesIO(content))
    assert ".xlsx" in str(info.value.message)


def test_workbook_without_known_sheets_is_a_clear_error(org):
    book = Workbook()
    book.active.title = "Sheet1"
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    with pytest.raises(ImportFileError):
        import_org(buffer)


# --- the command -------------------------------------------------------------------------


def test_command_imports_a_good_file(org, tmp_path):
    path = tmp_path / "org.xlsx"
    path.write_bytes(good_file())
    out = io.StringIO()
    call_command("import_org", str(path), stdout=out)
    assert "stores: 2 created" in out.getvalue()
    assert Store.objects.filter(code__in=["WZ001", "JX001"]).count() == 2


def test_command_prints_each_error_and_fails(org, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(bad_file())
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError, match="5 error"):
        call_command("import_org", str(path), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    for sheet, row, field in BAD_ROWS:
        assert any(line.startswith(f"{sheet} {row}: {field}:") for line in lines), (sheet, row)
    assert counts() == before


def test_command_rejects_a_missing_or_non_xlsx_file(org, tmp_path):
    with pytest.raises(CommandError, match="not found"):
        call_command("import_org", str(tmp_path / "nope.xlsx"))
    text = tmp_path / "org.csv"
    text.write_text("code,name\n")
    with pytest.raises(CommandError, match="xlsx"):
        call_command("import_org", str(text))


# --- the upload page ---------------------------------------------------------------------


def error_table(html):
    """(sheet, row, field) of every row in the page's error table."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    cells = [
        re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        for row in re.findall(r"<tr.*?</tr>", body, re.S)
    ]
    return {tuple(cell.strip() for cell in row[:3]) for row in cells}


def upload(name, content, content_type=XLSX):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_import_page_for_quality_lead(cast, client):
    client.force_login(cast.lead)
    page = client.get("/org/import/")
    assert page.status_code == 200
    assert 'type="file"' in page.content.decode()


def test_import_page_good_file_shows_success(cast, client):
    client.force_login(cast.lead)
    response = client.post("/org/import/", {"file": upload("org.xlsx", good_file())}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/org/import/"
    html = response.content.decode()
    assert "导入成功" in html
    assert Store.objects.filter(code__in=["WZ001", "JX001"]).count() == 2


def test_import_page_bad_file_lists_each_bad_row(cast, client):
    client.force_login(cast.lead)
    before = counts()
    response = client.post("/org/import/", {"file": upload("org.xlsx", bad_file())})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html
    result = response.context["result"]
    assert {(e.sheet, e.row, e.field) for e in result.errors} == BAD_ROWS
    assert error_table(html) >= {(sheet, str(row), field) for sheet, row, field in BAD_ROWS}
    assert counts() == before


@pytest.mark.parametrize(
    "name,content",
    [("org.csv", b"code,name\n"), ("org.xlsx", b"definitely not a workbook")],
    ids=["wrong-extension", "not-a-workbook"],
)
def test_import_page_non_xlsx_upload_shows_clear_error(cast, client, name, content):
    client.force_login(cast.lead)
    response = client.post("/org/import/", {"file": upload(name, content, "text/csv")})
    assert response.status_code == 200
    assert ".xlsx" in " ".join(response.context["form"].errors["file"])


@pytest.mark.parametrize("who", ["manager", "ops", "director", "head", "executive", "dms"])
def test_import_page_is_403_for_other_roles(cast, client, who):
    client.force_login(getattr(cast, who))
    before = counts()
    assert client.get("/org/import/").status_code == 403
    response = client.post("/org/import/", {"file": upload("org.xlsx", good_file())})
    assert response.status_code == 403
    assert client.get("/org/import/template.xlsx").status_code == 403
    assert counts() == before


def test_import_page_needs_login(db, client):
    response = client.get("/org/import/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_downloaded_template_round_trips(cast, client):
    client.force_login(cast.lead)
    response = client.get("/org/import/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert set(book.sheetnames) == {"门店", "用户"}
    book["门店"].append(GOOD_STORES[0])
    book["用户"].append(GOOD_USERS[0])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    result = import_org(buffer)
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == {"stores": 1, "users": 1}
