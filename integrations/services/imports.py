"""Migration import of the old issue tracking table (the sources kept it in a Feishu
multi-dimensional table), API.md ``POST /imports/issues/``.

Columns 问题编号, 门店编码, 问题分类, 问题标题, 问题描述, 影响范围, 优先级, 责任部门, 状态,
提交时间, 首次响应时间, 解决时间, 关闭时间 — labels or codes; times with an offset or in
Beijing time. Other headers are mapped to these by the person importing.

Every row is checked, then applied, inside one transaction: any error rolls everything
back and the report lists each bad row and column; a dry run always rolls back. A
re-import updates the issue imported earlier under the same 问题编号 (kept as its
``external_ref``; source ``import``). Historical times, statuses, first responses and
resolutions are kept as given, so KPIs over past months come out right; due times are
computed from the SLA policy. Imports send nothing: no notifications, no webhooks, and
ladder alerts that lay in the past are recorded as already raised."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from closedloop.core.numbering import format_number, next_value
from closedloop.errors import DomainError, PermissionDenied
from closedloop.org.models import Department, Store
from issues import alerts
from issues import services as issue_services
from issues.choices import (
    OPEN_STATUSES,
    SUGGESTED_PRIORITY,
    Category,
    Channel,
    EventKind,
    ImpactScope,
    Priority,
    Status,
)
from issues.models import Issue, IssueEvent, SlaAlert, SlaMilestone, SlaPause

from .. import policy
from ..choices import ImportStatus
from ..models import IssueImport

#: ``external_source`` of imported issues (no username contains a colon).
SOURCE = "import:legacy"
MAX_ROWS = 20000
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_REPORTED_ERRORS = 1000

#: field → (the column's title in API.md, other titles recognised without mapping)
COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("问题编号", "编号", "原编号", "number"),
    "store": ("门店编码", "门店代码", "store", "store_code"),
    "category": ("问题分类", "问题类型", "分类", "category"),
    "title": ("问题标题", "标题", "title"),
    "description": ("问题描述", "描述", "description"),
    "impact_scope": ("影响范围", "impact_scope"),
    "priority": ("优先级", "分级", "priority"),
    "department": ("责任部门", "部门", "department"),
    "status": ("状态", "status"),
    "submitted_at": ("提交时间", "submitted_at"),
    "first_response_at": ("首次响应时间", "first_response_at"),
    "resolved_at": ("解决时间", "resolved_at"),
    "closed_at": ("关闭时间", "closed_at"),
}
REQUIRED = ("number", "store", "category", "title", "status", "submitted_at")
TIME_FIELDS = ("submitted_at", "first_response_at", "resolved_at", "closed_at")
#: Statuses after triage: they need a priority and a department.
TRIAGED_STATUSES = (
    Status.TRIAGED,
    Status.IN_PROGRESS,
    Status.WAITING_FOR_STORE,
    Status.RESOLVED,
    Status.CLOSED,
)
BEIJING = ZoneInfo("Asia/Shanghai")


def label(key: str) -> str:
    return COLUMNS[key][0]


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list]]


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    rows: int = 0
    errors: list[dict] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, row: int, column: str, message) -> None:
        self.errors.append({"row": row, "field": column, "message": str(message)})


class ImportFileError(DomainError):
    """The file cannot be read at all."""


# --- reading ----------------------------------------------------------------------------


def _cell(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def read_table(upload, name: str = "") -> Table:
    """The header row and the data rows (with their row numbers) of an .xlsx or .csv."""
    name = (name or getattr(upload, "name", "") or "").lower()
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise ImportFileError(_("文件超过 10 MB。"), field="file")
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head.startswith(b"PK"):
        lines = _xlsx_rows(upload)
    elif name.endswith((".xlsx", ".xlsm")):
        raise ImportFileError(_("无法读取文件：请上传 .xlsx 或 .csv 文件。"), field="file")
    else:
        lines = _csv_rows(upload)
    headers: list[str] | None = None
    rows: list[tuple[int, list]] = []
    for number, values in lines:
        values = [_cell(v) for v in values]
        if all(v is None for v in values):
            continue
        if headers is None:
            headers = [str(v).strip() if v is not None else "" for v in values]
            continue
        rows.append((number, values))
        if len(rows) > MAX_ROWS:
            raise ImportFileError(_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}, field="file")
    if not headers:
        raise ImportFileError(_("文件是空的：第一行应为表头。"), field="file")
    return Table(headers=headers, rows=rows)


def _xlsx_rows(upload):
    from openpyxl import load_workbook

    try:
        book = load_workbook(upload, read_only=True, data_only=True)
        sheet = next(
            (book[n] for n in book.sheetnames if n.strip() in ("问题", "问题跟踪表", "issues")),
            book.worksheets[0],
        )
        return list(enumerate(sheet.iter_rows(values_only=True), start=1))
    except Exception as exc:  # a broken zip or workbook in any of its many ways
        raise ImportFileError(_("无法读取文件：请上传 .xlsx 或 .csv 文件。"), field="file") from exc


def _csv_rows(upload):
    raw = upload.read()
    if b"\x00" in raw:
        raise ImportFileError(_("无法读取文件：请上传 .xlsx 或 .csv 文件。"), field="file")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("无法识别文件编码：请保存为 UTF-8 的 CSV。"), field="file")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(enumerate(csv.reader(io.StringIO(text), dialect), start=1))
    except csv.Error as exc:
        raise ImportFileError(_("CSV 格式有误：%(e)s") % {"e": exc}, field="file") from exc


def auto_mapping(headers: list[str]) -> dict[str, str]:
    """Each field's column among ``headers`` by its known titles (case and spaces aside)."""
    normal = {h.strip().lower(): h for h in headers if h}
    mapping = {}
    for key, titles in COLUMNS.items():
        for title in titles:
            if title.lower() in normal:
                mapping[key] = normal[title.lower()]
                break
    return mapping


def clean_mapping(headers: list[str], given: dict | None) -> dict[str, str]:
    """The automatic mapping, overridden by ``given`` ({field or 中文列名: header}); an
    empty header unmaps the field."""
    mapping = auto_mapping(headers)
    by_label = {titles[0]: key for key, titles in COLUMNS.items()}
    for name, header in (given or {}).items():
        key = name if name in COLUMNS else by_label.get(str(name).strip())
        if key is None:
            continue
        header = str(header or "").strip()
        if header:
            mapping[key] = header
        else:
            mapping.pop(key, None)
    return mapping


# --- values -----------------------------------------------------------------------------


def _choice(value, choices, aliases=None) -> str | None:
    """A code from its code or its label (the Chinese label, or the current language's),
    or from one of ``aliases``; "系统类" reads as "系统"."""
    lowered = str(value).strip().lower()
    candidates = (lowered, lowered.rstrip("类"))
    with translation.override(settings.LANGUAGE_CODE):
        chinese = {str(code): str(name).lower() for code, name in choices}
    for code, name in choices:
        if {str(code).lower(), chinese[str(code)], str(name).lower()} & set(candidates):
            return code
    for candidate in candidates:
        if candidate in (aliases or {}):
            return aliases[candidate]
    return None


CATEGORY_ALIASES = {
    "系统": Category.SYSTEM,
    "技术": Category.SYSTEM,
    "系统问题": Category.SYSTEM,
    "流程": Category.PROCESS,
    "制度": Category.PROCESS,
    "人员": Category.PEOPLE,
    "培训": Category.PEOPLE,
}
STATUS_ALIASES = {"待补充": Status.WAITING_FOR_STORE, "已重复": Status.DUPLICATE}
PRIORITY_WORDS = {"紧急": Priority.P0, "高": Priority.P1, "中": Priority.P2, "低": Priority.P3}
PRIORITY_PATTERN = re.compile(r"^\s*p\s*([0-3])\b", re.IGNORECASE)
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)


def _priority(value) -> str | None:
    match = PRIORITY_PATTERN.match(str(value))
    if match:
        return f"P{match.group(1)}"
    return PRIORITY_WORDS.get(str(value).strip().rstrip("级"))


def parse_time(value) -> dt.datetime | None:
    """A cell as an aware datetime: a spreadsheet date, ISO 8601 with an offset, or a
    local time read as Beijing time. None if it is none of these."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        try:
            moment = from_excel(value)
        except (ValueError, OverflowError, TypeError):
            return None
        if not isinstance(moment, dt.datetime):
            return None
    else:
        text = str(value).strip()
        moment = None
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            for fmt in TIME_FORMATS:
                try:
                    moment = dt.datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if moment is None:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment


# --- checking ---------------------------------------------------------------------------


@dataclass
class Row:
    number: int
    values: dict


def _check_row(row: Row, columns: dict[str, str], refs, now, report: Report) -> dict | None:
    """The row as issue fields, or None after adding its errors to the report."""
    v = row.values
    before = len(report.errors)

    def err(key, message):
        report.add(row.number, columns.get(key, label(key)), message)

    for key in REQUIRED:
        if v.get(key) in (None, ""):
            err(key, _("此项为必填项。"))
    data: dict = {}
    legacy = str(v["number"]).strip() if v.get("number") is not None else ""
    if len(legacy) > 64:
        err("number", _("编号最长 64 个字符。"))
    data["legacy"] = legacy
    if v.get("store") is not None:
        store = refs["stores"].get(str(v["store"]).strip())
        if store is None:
            err("store", _("门店“%(s)s”不存在。") % {"s": v["store"]})
        data["store"] = store
    if v.get("category") is not None:
        data["category"] = _choice(v["category"], Category.choices, CATEGORY_ALIASES)
        if data["category"] is None:
            err("category", _("无法识别的问题分类：%(v)s。") % {"v": v["category"]})
    title = str(v.get("title") or "").strip()
    if len(title) > 200:
        err("title", _("标题最多 200 个字。"))
    data["title"] = title
    data["description"] = str(v.get("description") or "").strip()
    data["impact_scope"] = ImpactScope.STORE
    if v.get("impact_scope") is not None:
        data["impact_scope"] = _choice(v["impact_scope"], ImpactScope.choices)
        if data["impact_scope"] is None:
            err("impact_scope", _("无法识别的影响范围：%(v)s。") % {"v": v["impact_scope"]})
    data["priority"] = ""
    if v.get("priority") is not None:
        data["priority"] = _priority(v["priority"]) or ""
        if not data["priority"]:
            err("priority", _("优先级应为 P0–P3。"))
    data["department"] = None
    if v.get("department") is not None:
        text = str(v["department"]).strip()
        data["department"] = refs["departments"].get(text.lower())
        if data["department"] is None:
            err("department", _("部门“%(d)s”不存在。") % {"d": text})
    status = None
    if v.get("status") is not None:
        status = _choice(v["status"], Status.choices, STATUS_ALIASES)
        if status is None:
            err("status", _("无法识别的状态：%(v)s。") % {"v": v["status"]})
    data["status"] = status
    for key in TIME_FIELDS:
        data[key] = None
        if v.get(key) is not None:
            moment = parse_time(v[key])
            if moment is None:
                err(
                    key,
                    _("无法识别的时间：%(v)s（例如 2025-03-01 09:30，按北京时间）。")
                    % {"v": v[key]},
                )
            elif moment > now:
                err(key, _("时间不能晚于现在。"))
            else:
                data[key] = moment
    submitted = data["submitted_at"]
    if submitted is not None:
        for key in ("first_response_at", "resolved_at", "closed_at"):
            if data[key] is not None and data[key] < submitted:
                err(key, _("不能早于提交时间。"))
    if data["resolved_at"] and data["closed_at"] and data["closed_at"] < data["resolved_at"]:
        err("closed_at", _("不能早于解决时间。"))
    if status in TRIAGED_STATUSES:
        if not data["priority"] and v.get("priority") is None:
            err("priority", _("状态为“%(s)s”的问题必须有优先级。") % {"s": Status(status).label})
        if data["department"] is None and v.get("department") is None:
            err(
                "department", _("状态为“%(s)s”的问题必须有责任部门。") % {"s": Status(status).label}
            )
    if (
        status in (Status.RESOLVED, Status.CLOSED)
        and data["resolved_at"] is None
        and not v.get("resolved_at")
    ):
        err("resolved_at", _("已解决或已关闭的问题必须有解决时间。"))
    if status == Status.CLOSED and data["closed_at"] is None and not v.get("closed_at"):
        err("closed_at", _("已关闭的问题必须有关闭时间。"))
    if status in (*OPEN_STATUSES, Status.REJECTED, Status.DUPLICATE) and data["resolved_at"]:
        err("resolved_at", _("状态为“%(s)s”的问题不能有解决时间。") % {"s": Status(status).label})
    if status in OPEN_STATUSES and data["closed_at"] is not None:
        err("closed_at", _("状态为“%(s)s”的问题不能有关闭时间。") % {"s": Status(status).label})
    return data if len(report.errors) == before else None


# --- applying ---------------------------------------------------------------------------


def _apply(data: dict, existing: Issue | None, actor, now) -> Issue:
    issue = existing or Issue(
        external_source=SOURCE,
        external_ref=data["legacy"],
        channel=Channel.WEB,
        submitted_by=actor,
    )
    created = existing is None
    if created:
        year = timezone.localtime(data["submitted_at"]).year
        issue.number = format_number("ISS", year, next_value("ISS", year), 5)
    old_status = issue.status if existing else ""
    issue.store = data["store"]
    issue.category = data["category"]
    issue.title = data["title"]
    issue.description = data["description"]
    issue.impact_scope = data["impact_scope"]
    issue.priority = data["priority"]
    issue.suggested_priority = SUGGESTED_PRIORITY.get(data["impact_scope"], Priority.P2)
    issue.department = data["department"]
    issue.suggested_department = data["department"] or issue_services.route(
        category=data["category"], title=data["title"], description=data["description"]
    )
    issue.status = data["status"]
    issue.submitted_at = data["submitted_at"]
    issue.first_response_at = data["first_response_at"]
    issue.resolved_at = data["resolved_at"]
    issue.closed_at = data["closed_at"]
    issue.save()
    waiting = issue.status == Status.WAITING_FOR_STORE
    open_pause = SlaPause.objects.filter(issue=issue, ended_at__isnull=True).first()
    if waiting and open_pause is None:
        # The old table says it waits for the store, not since when: from now on.
        SlaPause.objects.create(issue=issue, started_at=now)
        issue.sla_paused_at = now
    elif not waiting and open_pause is not None:
        SlaPause.objects.filter(pk=open_pause.pk).update(ended_at=now)
        issue.sla_paused_at = None
    issue_services.recompute_due_times(issue)
    issue.save()
    alerts.sync_milestones(issue)
    if created:
        IssueEvent.objects.create(
            issue=issue,
            kind=EventKind.TRANSITION,
            actor=actor,
            at=issue.submitted_at,
            action="submit",
            to_status=Status.SUBMITTED,
        )
    IssueEvent.objects.create(
        issue=issue,
        kind=EventKind.TRANSITION,
        actor=actor,
        at=now,
        action="import",
        from_status=old_status,
        to_status=issue.status,
        body=(
            _("从旧跟踪表导入（原编号 %(n)s）。") if created else _("按原编号 %(n)s 重新导入更新。")
        )
        % {"n": data["legacy"]},
        public=False,
        data={
            "legacy_number": data["legacy"],
            **{key: data[key].isoformat() if data[key] else None for key in TIME_FIELDS},
        },
    )
    return issue


def _record_past_ladder(issue_ids, now) -> None:
    """Ladder moments of imported open issues that lay in the past count as raised: the
    next sweep must not alert everybody about history on migration day."""
    SlaAlert.objects.bulk_create(
        [
            SlaAlert(issue_id=m.issue_id, clock=m.clock, percent=m.percent, created_at=now)
            for m in SlaMilestone.objects.filter(issue_id__in=issue_ids, due_at__lte=now)
        ],
        ignore_conflicts=True,
    )


def run(*, actor, table: Table, mapping: dict | None = None, dry_run: bool, now=None) -> Report:
    """Check every row, then import all of them, or nothing if any is wrong."""
    if not policy.can_import_issues(actor):
        raise PermissionDenied(_("只有运营负责人可以导入问题。"))
    now = now or timezone.now()
    report = Report(dry_run=dry_run, rows=len(table.rows))
    columns = clean_mapping(table.headers, mapping)
    present = set(table.headers)
    for key, header in columns.items():
        if header not in present:
            report.add(1, header, _("文件中没有这一列（对应“%(l)s”）。") % {"l": label(key)})
    for key in REQUIRED:
        if key not in columns:
            report.add(1, label(key), _("缺少此列：请在文件中加上，或指定对应的列。"))
    if report.errors:
        return report
    if not table.rows:
        report.add(2, "", _("文件中没有数据行。"))
        return report
    position = {h: i for i, h in reversed(list(enumerate(table.headers)))}
    refs = {
        "stores": {s.code: s for s in Store.objects.select_related("region")},
        "departments": {
            **{d.name.lower(): d for d in Department.objects.all()},
            **{d.code.lower(): d for d in Department.objects.all()},
        },
    }
    checked: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    for number, values in table.rows:
        row = Row(
            number,
            {
                key: values[position[header]] if position[header] < len(values) else None
                for key, header in columns.items()
            },
        )
        data = _check_row(row, columns, refs, now, report)
        if data is None:
            continue
        if data["legacy"] in seen:
            report.add(
                number,
                columns["number"],
                _("与第 %(n)d 行编号重复。") % {"n": seen[data["legacy"]]},
            )
            continue
        seen[data["legacy"]] = number
        checked.append((number, data))
    if report.errors:
        report.errors = report.errors[:MAX_REPORTED_ERRORS]
        return report
    with transaction.atomic():
        existing = {
            i.external_ref: i
            for i in Issue.objects.select_for_update().filter(
                external_source=SOURCE, external_ref__in=list(seen)
            )
        }
        open_ids = []
        for _number, data in checked:
            issue = _apply(data, existing.get(data["legacy"]), actor, now)
            if data["legacy"] in existing:
                report.updated += 1
            else:
                report.created += 1
            if issue.status in OPEN_STATUSES:
                open_ids.append(issue.pk)
        _record_past_ladder(open_ids, now)
        if dry_run:
            transaction.set_rollback(True)
    return report


# --- the import record (page and API) ---------------------------------------------------


def _require(actor) -> None:
    if not policy.can_import_issues(actor):
        raise PermissionDenied(_("只有运营负责人可以导入问题。"))


@transaction.atomic
def upload(*, actor, file) -> IssueImport:
    """Keep an uploaded table for the mapping step; refuses files that cannot be read."""
    _require(actor)
    table = read_table(file, getattr(file, "name", ""))
    record = IssueImport(
        original_name=(getattr(file, "name", "") or "import")[-255:],
        uploaded_by=actor,
        headers=table.headers,
        mapping=auto_mapping(table.headers),
        rows=len(table.rows),
    )
    file.seek(0)
    record.file.save(_storage_name(record.original_name), file, save=False)
    record.save()
    return record


def _storage_name(name: str) -> str:
    stem, _dot, ext = name.rpartition(".")
    ext = ext.lower() if ext.lower() in ("xlsx", "xlsm", "csv") else "dat"
    return f"{re.sub(r'[^A-Za-z0-9_-]', '_', stem or 'import')[:60]}.{ext}"


def process(*, record: IssueImport, actor, mapping: dict | None = None, dry_run: bool) -> Report:
    """Dry-run or import a kept table with ``mapping``; the record keeps the outcome."""
    _require(actor)
    with record.file.open("rb") as handle:
        table = read_table(handle, record.original_name)
    if mapping is not None:
        record.mapping = clean_mapping(table.headers, mapping)
    report = run(actor=actor, table=table, mapping=record.mapping, dry_run=dry_run)
    now = timezone.now()
    record.rows = report.rows
    record.errors = report.errors
    record.created, record.updated = report.created, report.updated
    if report.errors:
        record.status = ImportStatus.FAILED
    elif dry_run:
        record.status, record.checked_at = ImportStatus.CHECKED, now
    else:
        record.status, record.imported_at = ImportStatus.IMPORTED, now
    record.save()
    return report


def import_upload(
    *, actor, file, mapping: dict | None, dry_run: bool
) -> tuple[IssueImport, Report]:
    """The API's one-step import: keep the file, then dry-run or import it."""
    record = upload(actor=actor, file=file)
    return record, process(record=record, actor=actor, mapping=mapping, dry_run=dry_run)
