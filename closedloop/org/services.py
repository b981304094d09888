"""Service functions for the organisation: every write to regions, stores, departments
and people goes through here (API, import, demo)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from closedloop.errors import DomainError, PermissionDenied

from .choices import DEPARTMENT_ROLES, ApiScope, Role, StoreTier
from .models import Department, Region, Store, User

MAX_CODE_LENGTH = 32


def _require(value, field_name, errors, message=None):
    if value in (None, "", []):
        errors.setdefault(field_name, []).append(message or _("此项为必填项。"))
        return False
    return True


def _clean_code(value, field_name, errors):
    value = (value or "").strip() if isinstance(value, str) else value
    if not _require(value, field_name, errors):
        return None
    value = str(value)
    if len(value) > MAX_CODE_LENGTH:
        errors.setdefault(field_name, []).append(
            _("编码最长 %(n)d 个字符。") % {"n": MAX_CODE_LENGTH}
        )
        return None
    return value


def _raise_if(errors):
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first, errors=errors)


@transaction.atomic
def upsert_region(*, code: str, name: str) -> tuple[Region, bool]:
    errors: dict[str, list] = {}
    code = _clean_code(code, "code", errors)
    _require((name or "").strip(), "name", errors)
    _raise_if(errors)
    return Region.objects.update_or_create(code=code, defaults={"name": name.strip()})


@transaction.atomic
def upsert_department(
    *, code: str, name: str, head: str | User | None = None
) -> tuple[Department, bool]:
    errors: dict[str, list] = {}
    code = _clean_code(code, "code", errors)
    _require((name or "").strip(), "name", errors)
    head_user = None
    if isinstance(head, User):
        head_user = head
    elif head:
        head_user = User.objects.filter(username=head).first()
        if head_user is None:
            errors.setdefault("head", []).append(_("用户“%(u)s”不存在。") % {"u": head})
    _raise_if(errors)
    return Department.objects.update_or_create(
        code=code, defaults={"name": name.strip(), "head": head_user}
    )


def _parse_bool(value, field_name, errors, default=True):
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "y", "是", "启用", "有效"}:
        return True
    if text in {"0", "false", "no", "n", "否", "停用", "无效"}:
        return False
    errors.setdefault(field_name, []).append(_("应为“是”或“否”。"))
    return default


def _parse_date(value, field_name, errors):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.setdefault(field_name, []).append(_("日期格式应为 YYYY-MM-DD。"))
        return None


def _parse_int(value, field_name, errors, default=0):
    if value in (None, ""):
        return default
    try:
        number = int(float(value)) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None or number < 0 or (isinstance(value, float) and value != int(value)):
        errors.setdefault(field_name, []).append(_("应为不小于 0 的整数。"))
        return default
    return number


def _region_by_code_or_name(value, field_name, errors):
    if not _require(value, field_name, errors):
        return None
    value = str(value).strip()
    region = Region.objects.filter(code=value).first() or Region.objects.filter(name=value).first()
    if region is None:
        errors.setdefault(field_name, []).append(_("区域“%(r)s”不存在。") % {"r": value})
    return region


def _tier(value, field_name, errors):
    text = str(value or "").strip().upper().removesuffix("类").strip()
    if text not in StoreTier.values:
        errors.setdefault(field_name, []).append(_("门店分层应为 A、B 或 C。"))
        return None
    return text


@transaction.atomic
def upsert_store(
    *,
    code: str,
    name: str,
    city: str,
    region: str | Region,
    tier: str,
    monthly_throughput=0,
    rollout_batch: str = "",
    go_live_date=None,
    active=True,
) -> tuple[Store, bool]:
    """Create or update a store by its DMS code."""
    errors: dict[str, list] = {}
    code = _clean_code(code, "code", errors)
    name = str(name or "").strip()
    city = str(city or "").strip()
    _require(name, "name", errors)
    _require(city, "city", errors)
    region_obj = (
        region if isinstance(region, Region) else _region_by_code_or_name(region, "region", errors)
    )
    tier = _tier(tier, "tier", errors)
    throughput = _parse_int(monthly_throughput, "monthly_throughput", errors)
    go_live = _parse_date(go_live_date, "go_live_date", errors)
    active = _parse_bool(active, "active", errors)
    _raise_if(errors)
    return Store.objects.update_or_create(
        code=code,
        defaults={
            "name": name[:128],
            "city": city[:64],
            "region": region_obj,
            "tier": tier,
            "monthly_throughput": throughput,
            "rollout_batch": str(rollout_batch or "").strip()[:32],
            "go_live_date": go_live,
            "active": active,
        },
    )


def _role(value, errors):
    text = str(value or "").strip()
    if text in Role.values:
        return text
    by_label = {str(label): code for code, label in Role.choices}
    # Chinese labels are accepted whatever the active language is.
    by_label.update(
        {
            "店长": "store_manager",
            "运营专员": "ops_specialist",
            "运营专家": "ops_specialist",
            "区域总监": "regional_director",
            "部门负责人": "department_head",
            "部门成员": "department_member",
            "服务质量负责人": "quality_lead",
            "运营负责人": "quality_lead",  # the label before 2026-12
            "高管": "executive",
            "接口客户端": "api_client",
        }
    )
    if text in by_label:
        return by_label[text]
    errors.setdefault("role", []).append(
        _("角色“%(r)s”无效，可选：%(c)s。") % {"r": text, "c": ", ".join(Role.values)}
    )
    return None


def _split_codes(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).replace("，", ",").replace("、", ",").replace(";", ",")
    return [part.strip() for part in text.split(",") if part.strip()]


def can_change_user(*, actor: User | None, target: User | None, staff_after: bool = False) -> bool:
    """Nobody but a superuser changes a superuser or a staff account, or makes one.

    ``target`` is the account as it is now (None for a new one); ``staff_after`` whether
    the change leaves it a staff account (the quality lead's role is one). ``actor``
    None is an operator at the shell (manage.py, the demo loader), who may do anything
    already. Every path that changes people asks this: the API, the Excel import, the
    admin."""
    if actor is None or actor.is_superuser:
        return True
    if target is not None and (target.is_superuser or target.is_staff):
        return False
    return not staff_after


def check_can_change_user(
    *, actor: User | None, target: User | None, staff_after: bool = False
) -> None:
    """Raise :class:`PermissionDenied` (naming ``username`` or ``role``) unless
    :func:`can_change_user`."""
    if can_change_user(actor=actor, target=target, staff_after=staff_after):
        return
    if target is not None and (target.is_superuser or target.is_staff):
        message = _("只有超级管理员可以修改超级管理员或后台管理员账号。")
        raise PermissionDenied(message, errors={"username": [message]})
    message = _("只有超级管理员可以设置服务质量负责人等后台管理员账号。")
    raise PermissionDenied(message, errors={"role": [message]})


def _fits_column(value: str, field_name: str) -> None:
    """A value longer than the column would be a database error (a 500), not a 400."""
    MaxLengthValidator(User._meta.get_field(field_name).max_length)(value)


@transaction.atomic
def upsert_user(
    *,
    username: str,
    role: str,
    display_name: str = "",
    email: str = "",
    store: str | None = None,
    stores: Iterable[str] | str | None = None,
    region: str | None = None,
    department: str | None = None,
    active=True,
    password: str | None = None,
    api_scopes: Iterable[str] | None = None,
    actor: User | None = None,
) -> tuple[User, bool]:
    """Create or update a person by username, checking the scope their role needs
    (DOMAIN.md §2). Scope fields the role does not use are cleared.

    ``actor`` is who asks (None: an operator at the shell); only a superuser changes a
    superuser or a staff account or makes one (:func:`can_change_user`)."""
    errors: dict[str, list] = {}
    username = str(username or "").strip()
    if _require(username, "username", errors):
        try:
            User.username_validator(username)
            _fits_column(username, "username")
        except ValidationError as exc:
            errors.setdefault("username", []).extend(exc.messages)
    role = _role(role, errors)
    email = str(email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.setdefault("email", []).append(_("邮箱地址无效。"))
        else:
            try:
                _fits_column(email, "email")
            except ValidationError as exc:
                errors.setdefault("email", []).extend(exc.messages)
    active = _parse_bool(active, "active", errors)
    existing = User.objects.filter(username=username).first() if username else None
    if existing is not None:
        # Before anything is checked against the account (its password validators
        # compare with its e-mail): a refused caller learns nothing about it.
        check_can_change_user(actor=actor, target=existing)

    store_obj = region_obj = dept_obj = None
    store_objs: list[Store] = []
    if role == Role.STORE_MANAGER and _require(store, "store", errors, _("店长必须指定所属门店。")):
        store_obj = Store.objects.filter(code=str(store).strip()).first()
        if store_obj is None:
            errors.setdefault("store", []).append(_("门店“%(s)s”不存在。") % {"s": store})
    if role == Role.OPS_SPECIALIST:
        codes = _split_codes(stores)
        if _require(codes, "stores", errors, _("运营专员必须指定负责门店。")):
            found = {s.code: s for s in Store.objects.filter(code__in=codes)}
            missing = [c for c in codes if c not in found]
            if missing:
                errors.setdefault("stores", []).append(
                    _("门店不存在：%(s)s。") % {"s": ", ".join(missing)}
                )
            store_objs = list(found.values())
    if role == Role.REGIONAL_DIRECTOR:
        region_obj = _region_by_code_or_name(region, "region", errors)
    if role in DEPARTMENT_ROLES and _require(
        department, "department", errors, _("部门人员必须指定所属部门。")
    ):
        dept_obj = Department.objects.filter(code=str(department).strip()).first()
        if dept_obj is None:
            errors.setdefault("department", []).append(_("部门“%(d)s”不存在。") % {"d": department})
    scopes = list(api_scopes or [])
    bad_scopes = [s for s in scopes if s not in ApiScope.values]
    if bad_scopes:
        errors.setdefault("api_scopes", []).append(
            _("未知的接口权限：%(s)s。") % {"s": ", ".join(bad_scopes)}
        )
    if password:
        # A new user is checked against their own username and e-mail too.
        candidate = existing or User(username=username, email=email)
        try:
            validate_password(password, user=candidate)
        except ValidationError as exc:
            errors.setdefault("password", []).extend(exc.messages)
    elif existing is None and role not in (None, Role.API_CLIENT):
        errors.setdefault("password", []).append(_("新建用户必须设置初始密码。"))
    _raise_if(errors)
    check_can_change_user(actor=actor, target=existing, staff_after=role == Role.QUALITY_LEAD)

    user = existing or User(username=username)
    created = existing is None
    user.role = role
    user.display_name = str(display_name or "").strip()[:64]
    user.email = email
    user.is_active = active
    user.store = store_obj
    user.region = region_obj
    user.department = dept_obj
    user.api_scopes = scopes if role == Role.API_CLIENT else []
    if password:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.is_staff = user.is_superuser or role == Role.QUALITY_LEAD
    user.save()
    user.stores.set(store_objs)
    sync_admin_group(user)
    if role == Role.DEPARTMENT_HEAD and dept_obj is not None and dept_obj.head_id is None:
        dept_obj.head = user
        dept_obj.save(update_fields=["head"])
    return user, created


#: The quality lead's group in the admin. What it may change there is not known here:
#: each app's ``AppConfig.quality_lead_models`` (``"app_label.model"`` names) lists its
#: configuration models (SLA, calendar, routing, ladder, bots, schedules, …); everything
#: else in the admin stays hidden or read-only for them.
QUALITY_LEAD_GROUP = "运营负责人（配置）"


def quality_lead_models() -> list[tuple[str, str]]:
    """``(app_label, model)`` of every app's ``quality_lead_models``."""
    from django.apps import apps

    return [
        tuple(name.lower().split("."))
        for config in apps.get_app_configs()
        for name in getattr(config, "quality_lead_models", ())
    ]


def quality_lead_group():
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name=QUALITY_LEAD_GROUP)
    wanted = Permission.objects.none()
    for app_label, model in quality_lead_models():
        wanted = wanted | Permission.objects.filter(
            content_type__app_label=app_label, content_type__model=model
        )
    group.permissions.set(wanted)
    return group


def sync_admin_group(user: User) -> None:
    """The quality lead gets staff access to the configuration models, nobody else.

    The group (and its permissions) is only built when a quality lead is saved: an import
    of hundreds of store managers costs one lookup each, not a permission rebuild."""
    if user.role == Role.QUALITY_LEAD:
        user.groups.add(quality_lead_group())
    else:
        user.groups.remove(*user.groups.filter(name=QUALITY_LEAD_GROUP))


# --- Excel import ---------------------------------------------------------------------

STORE_COLUMNS = {
    "code": ("门店编码", "code"),
    "name": ("门店名称", "name"),
    "city": ("城市", "city"),
    "region": ("区域", "region"),
    "tier": ("门店分层", "分层", "tier"),
    "monthly_throughput": ("月均进厂台次", "monthly_throughput"),
    "rollout_batch": ("推广批次", "rollout_batch"),
    "go_live_date": ("上线日期", "go_live_date"),
    "active": ("启用", "active"),
}
USER_COLUMNS = {
    "username": ("用户名", "username"),
    "display_name": ("姓名", "display_name"),
    "email": ("邮箱", "email"),
    "role": ("角色", "role"),
    "store": ("所属门店", "store"),
    "stores": ("负责门店", "stores"),
    "region": ("区域", "region"),
    "department": ("部门", "department"),
    "active": ("启用", "active"),
    "password": ("初始密码", "password"),
}
STORE_SHEETS = ("门店", "stores")
USER_SHEETS = ("用户", "users")


@dataclass
class RowError:
    sheet: str
    row: int
    field: str
    message: str

    def __str__(self):
        return f"{self.sheet} {self.row}: {self.field}: {self.message}"


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=lambda: {"stores": 0, "users": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"stores": 0, "users": 0})
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(DomainError):
    pass


def _read_sheet(workbook, names, columns):
    sheet = next((workbook[n] for n in workbook.sheetnames if n.strip().lower() in names), None)
    if sheet is None:
        return None, [], {}
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    index = {}
    for pos, title in enumerate(header):
        title = str(title or "").strip()
        for key, aliases in columns.items():
            if title in aliases or title.lower() in aliases:
                index[key] = pos
    data = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        record = {}
        for key, pos in index.items():
            value = values[pos] if pos < len(values) else None
            if isinstance(value, str):
                value = value.strip()
            record[key] = value
        data.append((number, record))
    return sheet.title, data, index


def _user_upsert(actor: User | None):
    def apply(**record):
        return upsert_user(**record, actor=actor)

    return apply


def _field_label(columns, key):
    return columns.get(key, (key,))[0]


def import_org(file, *, actor: User | None = None) -> ImportResult:
    """Import stores and users from an .xlsx workbook (sheets 门店 and 用户).

    Every row is validated and applied inside one transaction; if any row is wrong the
    transaction is rolled back and the result lists each bad row and field: nothing is
    imported. A re-import updates by store code and username, never duplicates.
    ``actor`` is who imports (None: an operator at the shell), as for :func:`upsert_user`.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError, TypeError) as exc:
        raise ImportFileError(_("无法读取文件：请上传 .xlsx 格式的 Excel 文件。")) from exc
    except Exception as exc:  # zipfile.BadZipFile and friends
        raise ImportFileError(_("无法读取文件：请上传 .xlsx 格式的 Excel 文件。")) from exc

    store_title, store_rows, store_index = _read_sheet(workbook, STORE_SHEETS, STORE_COLUMNS)
    user_title, user_rows, user_index = _read_sheet(workbook, USER_SHEETS, USER_COLUMNS)
    if store_title is None and user_title is None:
        raise ImportFileError(_("文件中没有“门店”或“用户”工作表。"))

    result = ImportResult()
    for title, index, required, columns in (
        (store_title, store_index, ("code", "name", "city", "region", "tier"), STORE_COLUMNS),
        (user_title, user_index, ("username", "role"), USER_COLUMNS),
    ):
        if title is None:
            continue
        for key in required:
            if key not in index:
                result.errors.append(
                    RowError(title, 1, _field_label(columns, key), _("缺少此列。"))
                )
    if result.errors:
        return result

    seen: dict[tuple[str, str], int] = {}
    with transaction.atomic():
        for title, rows, columns, kind, key_field, apply in (
            (store_title, store_rows, STORE_COLUMNS, "stores", "code", upsert_store),
            (user_title, user_rows, USER_COLUMNS, "users", "username", _user_upsert(actor)),
        ):
            for number, record in rows:
                key = str(record.get(key_field) or "").strip()
                if key and (kind, key) in seen:
                    result.errors.append(
                        RowError(
                            title,
                            number,
                            _field_label(columns, key_field),
                            _("与第 %(n)d 行重复。") % {"n": seen[(kind, key)]},
                        )
                    )
                    continue
                seen[(kind, key)] = number
                try:
                    with transaction.atomic():
                        _obj, created = apply(**record)
                except DomainError as exc:
                    for fname, messages in (exc.errors or {"": [exc.message]}).items():
                        for message in messages:
                            result.errors.append(
                                RowError(title, number, _field_label(columns, fname), str(message))
                            )
                    continue
                (result.created if created else result.updated)[kind] += 1
        if result.errors:
            transaction.set_rollback(True)
            result.created = {"stores": 0, "users": 0}
            result.updated = {"stores": 0, "users": 0}
    return result
