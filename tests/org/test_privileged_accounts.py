"""Nobody but a superuser changes a superuser or a staff account, or makes one — by the
API (``PUT /api/v1/users/{username}/``), the Excel import (``/org/import/``) or the admin.
The attack: a quality lead resets a superuser's password, then logs in as them."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from closedloop.org.choices import Role
from closedloop.org.models import User
from closedloop.org.services import USER_COLUMNS, import_org, upsert_user
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT_PASSWORD = "Root-Original-2026!"
TAKEOVER = "Taken-Over-2026!"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def root(db):
    return UserFactory(
        username="root", is_superuser=True, is_staff=True, password=ROOT_PASSWORD, role=""
    )


@pytest.fixture
def staff_lead(org):
    """A quality lead as the product makes one: a staff account."""
    user, _ = upsert_user(username="qlead2", role="quality_lead", password="Lead-Two-2026!")
    assert user.is_staff
    return user


def users_file(*rows) -> SimpleUploadedFile:
    """用户 sheet rows: (username, role, password)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "用户"
    sheet.append([aliases[0] for aliases in USER_COLUMNS.values()])
    for username, role, password in rows:
        values = {"username": username, "role": role, "password": password, "active": "是"}
        sheet.append([values.get(key) for key in USER_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("org.xlsx", buffer.getvalue(), content_type=XLSX)


# --- the API -----------------------------------------------------------------------------


def test_quality_lead_cannot_reset_a_superusers_password_by_api(cast, api, client, root):
    response = api.as_(cast.lead).put(
        "/api/v1/users/root/", {"role": "executive", "password": TAKEOVER}
    )
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "permission_denied"
    root.refresh_from_db()
    assert root.is_superuser and root.role == "" and root.check_password(ROOT_PASSWORD)
    # And the new password does not log anybody in as root.
    login = client.post("/accounts/login/", {"username": "root", "password": TAKEOVER})
    assert login.status_code == 200 and "_auth_user_id" not in client.session


def test_quality_lead_cannot_change_another_staff_account_by_api(cast, api, staff_lead):
    response = api.as_(cast.lead).put(
        "/api/v1/users/qlead2/", {"role": "store_manager", "store": "HZ001", "password": TAKEOVER}
    )
    assert response.status_code == 403
    staff_lead.refresh_from_db()
    assert staff_lead.role == Role.QUALITY_LEAD and not staff_lead.check_password(TAKEOVER)


def test_a_refused_caller_learns_nothing_about_the_account(cast, api, root):
    """The password validators compare with the account's e-mail: not for a refused
    caller (no 400 that says "too similar to the e-mail address")."""
    response = api.as_(cast.lead).put("/api/v1/users/root/", {"role": "executive", "password": "1"})
    assert response.status_code == 403
    assert "password" not in response.json()


def test_quality_lead_cannot_make_a_staff_account_by_api(cast, api):
    response = api.as_(cast.lead).put(
        "/api/v1/users/new_lead/", {"role": "quality_lead", "password": TAKEOVER}
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="new_lead").exists()
    # Promoting a store manager is making a staff account too.
    response = api.as_(cast.lead).put("/api/v1/users/manager/", {"role": "quality_lead"})
    assert response.status_code == 403
    cast.manager.refresh_from_db()
    assert cast.manager.role == Role.STORE_MANAGER and not cast.manager.is_staff


def test_superuser_may_change_staff_and_superusers_by_api(cast, api, root, staff_lead):
    other_root = UserFactory(username="root2", is_superuser=True, is_staff=True)
    client = api.as_(root)
    assert client.put("/api/v1/users/qlead2/", {"role": "executive"}).status_code == 200
    response = client.put("/api/v1/users/root2/", {"role": "executive", "password": TAKEOVER})
    assert response.status_code == 200
    other_root.refresh_from_db()
    assert other_root.check_password(TAKEOVER)


def test_quality_lead_still_manages_people(cast, api):
    response = api.as_(cast.lead).put(
        "/api/v1/users/manager/", {"role": "store_manager", "store": "NB001", "password": TAKEOVER}
    )
    assert response.status_code == 200
    cast.manager.refresh_from_db()
    assert cast.manager.store == cast.org.ningbo and cast.manager.check_password(TAKEOVER)


# --- the Excel import --------------------------------------------------------------------


def test_quality_lead_cannot_reset_a_superuser_by_import(cast, client, root):
    client.force_login(cast.lead)
    response = client.post(
        "/org/import/",
        {"file": users_file(("someone_new", "高管", TAKEOVER), ("root", "高管", TAKEOVER))},
    )
    assert response.status_code == 200
    errors = response.context["result"].errors
    assert [(e.sheet, e.row, e.field) for e in errors] == [("用户", 3, "用户名")]
    assert "只有超级管理员" in response.content.decode()
    root.refresh_from_db()
    assert root.check_password(ROOT_PASSWORD) and root.is_superuser
    assert not User.objects.filter(username="someone_new").exists()  # all or nothing


def test_quality_lead_cannot_import_staff_accounts(cast, client, staff_lead):
    client.force_login(cast.lead)
    response = client.post(
        "/org/import/",
        {"file": users_file(("qlead2", "高管", TAKEOVER), ("ql3", "运营负责人", TAKEOVER))},
    )
    errors = {(e.row, e.field) for e in response.context["result"].errors}
    assert errors == {(2, "用户名"), (3, "角色")}
    staff_lead.refresh_from_db()
    assert staff_lead.role == Role.QUALITY_LEAD
    assert not User.objects.filter(username="ql3").exists()


def test_superuser_and_the_operators_command_may_import_staff_accounts(cast, client, root):
    client.force_login(root)
    response = client.post("/org/import/", {"file": users_file(("ql3", "运营负责人", TAKEOVER))})
    assert response.status_code == 302
    assert User.objects.get(username="ql3").is_staff
    # import_org without an actor is ``manage.py import_org``: an operator at the shell.
    result = import_org(users_file(("root", "高管", TAKEOVER)))
    assert result.ok
    root.refresh_from_db()
    assert root.check_password(TAKEOVER)


# --- the admin ---------------------------------------------------------------------------


@pytest.fixture
def user_admin(db):
    """A staff account allowed to manage people in the admin, but no superuser."""
    user = UserFactory(username="helpdesk", is_staff=True, role=Role.EXECUTIVE)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="org",
            codename__in=["view_user", "change_user", "delete_user", "add_user"],
        )
    )
    return user


def test_admin_refuses_changing_a_superuser_to_staff(client, root, user_admin):
    client.force_login(user_admin)
    assert client.get(f"/admin/org/user/{root.pk}/password/").status_code == 403
    response = client.post(
        f"/admin/org/user/{root.pk}/password/",
        {"password1": TAKEOVER, "password2": TAKEOVER, "usable_password": "true"},
    )
    assert response.status_code == 403
    assert client.post(f"/admin/org/user/{root.pk}/delete/", {"post": "yes"}).status_code == 403
    page = client.get(f"/admin/org/user/{root.pk}/change/")
    assert page.status_code == 200  # may look, read-only
    assert 'name="username"' not in page.content.decode()
    response = client.post(
        f"/admin/org/user/{root.pk}/change/",
        {"username": "root", "is_active": "", "date_joined_0": "2026-01-01"},
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password(ROOT_PASSWORD) and root.is_active


def test_admin_does_not_let_staff_grant_admin_rights(client, cast, user_admin):
    client.force_login(user_admin)
    page = client.get(f"/admin/org/user/{cast.manager.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page
    # Making a quality lead (admin rights) is refused.
    form = {
        "username": "manager",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "display_name": "店长",
        "role": Role.QUALITY_LEAD,
        "store": cast.org.hangzhou.pk,
        "language": "zh-hans",
        "is_superuser": "on",
        "is_staff": "on",
    }
    refused = client.post(f"/admin/org/user/{cast.manager.pk}/change/", form)
    assert refused.status_code == 403, refused.context["adminform"].form.errors
    # The same edit without the role: saved, but the superuser/staff boxes are ignored.
    response = client.post(
        f"/admin/org/user/{cast.manager.pk}/change/", {**form, "role": Role.STORE_MANAGER}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    cast.manager.refresh_from_db()
    assert not (cast.manager.is_superuser or cast.manager.is_staff)


def test_superuser_may_do_all_of_it_in_the_admin(client, root, staff_lead):
    client.force_login(root)
    response = client.post(
        f"/admin/org/user/{staff_lead.pk}/password/",
        {"password1": TAKEOVER, "password2": TAKEOVER, "usable_password": "true"},
    )
    assert response.status_code == 302
    staff_lead.refresh_from_db()
    assert staff_lead.check_password(TAKEOVER)
