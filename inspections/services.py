"""Service functions: every change to an inspection and its follow-up goes through one of
these (STYLE.md 1). Keyword-only, atomic, checking state and the actor's right, raising
``DomainError`` (a field message, nothing saved), ``InvalidTransition`` or
``PermissionDenied``. Views, serializers, jobs and the demo call them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from closedloop.org.models import Department, Store, User

from . import notices, policy, rules
from .choices import (
    ACTION_STATUSES,
    DEFAULT_TEMPLATE_CODE,
    EXPERIENCE_DAYS_AFTER_ACCEPTANCE,
    FOLLOW_UP_PLAN,
    KNOWN_METRICS,
    MAX_PHOTOS_PER_ITEM,
    SUFFICIENT_NEEDED,
    WEEKLY_STEPS,
    Action,
    Area,
    Direction,
    FindingStatus,
    ItemKind,
    Priority,
    ResourceKind,
    ResourceStatus,
    SpotCheckKind,
    SpotResult,
    Status,
    StepKind,
)
from .defaults import DEFAULT_CHECKLIST
from .models import (
    ChecklistItem,
    ChecklistTemplate,
    ClosureCheck,
    CoreMetric,
    Experience,
    Finding,
    FollowUpLog,
    FollowUpStep,
    Inspection,
    ItemResult,
    Photo,
    Reinspection,
    ResourceRequest,
    SpotCheck,
)
from .workflow import INSPECTION_FLOW

# --- helpers ----------------------------------------------------------------------------


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _today(at: dt.datetime) -> dt.date:
    return timezone.localdate(at)


def _text(value, *, limit: int | None = None) -> str:
    text = str(value or "").strip()
    return text[:limit] if limit else text


def _required(value, field: str, message: str, *, limit: int | None = None) -> str:
    text = _text(value)
    if not text:
        raise DomainError(message, field=field)
    if limit and len(text) > limit:
        raise DomainError(_("最多 %(n)d 个字。") % {"n": limit}, field=field)
    return text


def _lines(value) -> list[str]:
    """A list of non-empty lines from a list or a multi-line text."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else str(value).splitlines()
    return [str(v).strip()[:300] for v in items if str(v).strip()][:30]


def _decimal(value, field: str, *, label: str = "") -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("%(l)s请填写数字。") % {"l": label}, field=field) from None
    if not number.is_finite() or abs(number) > Decimal("9999999999"):
        raise DomainError(_("%(l)s数值无效。") % {"l": label}, field=field)
    return number.quantize(Decimal("0.01"))


def _date(value, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise DomainError(_("请填写日期（YYYY-MM-DD）。"), field=field) from None


def _not_future(day: dt.date, at: dt.datetime, field: str, what: str) -> dt.date:
    if day > _today(at):
        raise DomainError(_("%(w)s不能晚于今天。") % {"w": what}, field=field)
    return day


def _not_before_report(inspection: Inspection, day: dt.date, field: str, what: str) -> None:
    if inspection.reported_on and day < inspection.reported_on:
        raise DomainError(
            _("%(w)s不能早于报告日期 %(d)s。") % {"w": what, "d": inspection.reported_on},
            field=field,
        )


def _lock(inspection: Inspection) -> Inspection:
    return INSPECTION_FLOW.lock(inspection)


def _record(inspection, *, actor, at, action, body="", data=None):
    return INSPECTION_FLOW.record(
        inspection, actor=actor, at=at, action=action, body=body, data=data or {}
    )


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _in_follow_up(inspection: Inspection, action: str) -> None:
    """Refuse ``action`` outside the statuses ``ACTION_STATUSES`` allows it in."""
    if inspection.status not in ACTION_STATUSES[action]:
        raise InvalidTransition(
            _("巡检当前状态为“%(s)s”，不能进行此操作。") % {"s": inspection.get_status_display()}
        )


# --- checklist templates ----------------------------------------------------------------


@transaction.atomic
def ensure_default_template() -> ChecklistTemplate:
    """The shipped checklist (门店标准巡检表): created when missing, never changed once
    there (the quality lead edits it into new versions). Returns its newest version."""
    current = ChecklistTemplate.objects.filter(code=DEFAULT_TEMPLATE_CODE).order_by("-version")
    found = current.first()
    if found is not None:
        return found
    template = ChecklistTemplate.objects.create(
        code=DEFAULT_TEMPLATE_CODE,
        name="门店标准巡检表",
        version=1,
        description="覆盖硬件设施、流程执行、人员能力、数据变化四个维度。",
    )
    order = 0
    rows = []
    for section, area, items in DEFAULT_CHECKLIST:
        for key, text, kind, max_score, weight, photo, guidance in items:
            order += 10
            rows.append(
                ChecklistItem(
                    template=template,
                    section=section,
                    area=area,
                    order=order,
                    key=key,
                    text=text,
                    kind=kind,
                    max_score=max_score,
                    weight=weight,
                    photo_required=photo,
                    guidance=guidance,
                )
            )
    ChecklistItem.objects.bulk_create(rows)
    return template


def current_template(code: str) -> ChecklistTemplate | None:
    code = _text(code)
    if not code or "\x00" in code:
        return None
    return ChecklistTemplate.objects.current().filter(code=code).first()


def next_version(code: str) -> int:
    top = ChecklistTemplate.objects.filter(code=code).aggregate(v=Max("version"))["v"]
    return (top or 0) + 1


def template_in_use(template: ChecklistTemplate) -> bool:
    return template.pk is not None and template.inspections.exists()


def sections(items: Iterable) -> list[tuple[str, list]]:
    """Items grouped by section, in the order the sections first appear."""
    grouped: dict[str, list] = {}
    for item in items:
        grouped.setdefault(item.section, []).append(item)
    return list(grouped.items())


# --- scoring ----------------------------------------------------------------------------


def _scored(item: ChecklistItem, result: ItemResult | None, *, rescored: bool = False):
    if result is None:
        return rules.Scored(item.kind, item.weight, item.max_score)
    score, passed = result.score, result.passed
    if rescored and (result.rescore is not None or result.repassed is not None):
        score, passed = result.rescore, result.repassed
    return rules.Scored(item.kind, item.weight, item.max_score, score, passed)


def results_by_item(inspection: Inspection) -> dict[int, ItemResult]:
    return {r.item_id: r for r in inspection.results.all()}


def score_of(inspection: Inspection, *, rescored: bool = False, items=None, results=None):
    items = list(inspection.template.items.all()) if items is None else items
    results = results_by_item(inspection) if results is None else results
    return rules.weighted_score(
        _scored(item, results.get(item.pk), rescored=rescored) for item in items
    )


def section_scores(inspection: Inspection, *, items=None, results=None) -> list[tuple]:
    items = list(inspection.template.items.all()) if items is None else items
    results = results_by_item(inspection) if results is None else results
    return [
        (title, rules.weighted_score(_scored(i, results.get(i.pk)) for i in section_items))
        for title, section_items in sections(items)
    ]


def failed_items(inspection: Inspection, *, items=None, results=None) -> list[ChecklistItem]:
    items = list(inspection.template.items.all()) if items is None else items
    results = results_by_item(inspection) if results is None else results
    return [i for i in items if rules.is_failed(_scored(i, results.get(i.pk)))]


# --- photos -----------------------------------------------------------------------------


def _check_photos(files: Sequence, field: str, *, existing: int = 0):
    """Images only, checked by content (the issues' upload checks), ≤ 9 per item."""
    from issues.services import check_uploads

    files = [f for f in files if f]
    if existing + len(files) > MAX_PHOTOS_PER_ITEM:
        raise DomainError(
            _("每个检查项最多 %(n)d 张照片。") % {"n": MAX_PHOTOS_PER_ITEM}, field=field
        )
    try:
        checked = check_uploads(files)
    except DomainError as exc:
        raise DomainError(exc.message, field=field) from None
    for item in checked:
        if not item.content_type.startswith("image/"):
            raise DomainError(_("文件“%(f)s”不是图片。") % {"f": item.name}, field=field)
    return checked


def _save_photos(inspection, item, checked, actor, *, reinspection=False) -> list[Photo]:
    from issues.services import ALLOWED_UPLOAD_TYPES

    saved = []
    for upload in checked:
        photo = Photo(
            inspection=inspection,
            item=item,
            reinspection=reinspection,
            original_name=upload.name,
            content_type=upload.content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        stem = re.sub(r"[^\w.-]", "_", upload.name.rsplit(".", 1)[0])[:60] or "photo"
        photo.file.save(
            f"{stem}.{ALLOWED_UPLOAD_TYPES[upload.content_type]}", upload.upload, save=False
        )
        photo.save()
        saved.append(photo)
    return saved


# --- performing an inspection -------------------------------------------------------------


@transaction.atomic
def start_inspection(
    *,
    actor: User,
    store: Store | None,
    template: ChecklistTemplate | None,
    inspected_on,
    summary: str = "",
    at: dt.datetime | None = None,
) -> Inspection:
    """Open an inspection (巡检中) at a store the actor covers, with the template's
    current version."""
    at = _now(at)
    _require(policy.can_inspect(actor), _("只有运营专员和运营负责人可以开展巡检。"))
    errors: dict[str, list] = {}
    if store is None or not Store.objects.visible_to(actor).filter(pk=store.pk).exists():
        errors["store"] = [_("门店不存在或不在你的范围内。")]
    elif not store.active:
        errors["store"] = [_("该门店已停用。")]
    if template is None or not template.active:
        errors["template"] = [_("请选择启用中的检查表。")]
    elif not ChecklistTemplate.objects.current().filter(pk=template.pk).exists():
        errors["template"] = [_("该检查表已有新版本，请使用最新版本。")]
    try:
        day = _not_future(_date(inspected_on, "date"), at, "date", _("巡检日期"))
    except DomainError as exc:
        errors["date"] = [exc.message]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors=errors)
    inspection = Inspection.objects.create(
        store=store,
        template=template,
        inspector=actor,
        inspected_on=day,
        summary=_text(summary, limit=4000),
    )
    INSPECTION_FLOW.record(
        inspection, actor=actor, at=at, action="start", to_status=Status.DRAFT, data={}
    )
    return inspection


@dataclass
class ItemInput:
    """One item's result as entered: ``item`` is the checklist key."""

    item: str
    score: object = None
    passed: object = None
    note: str = ""


def _as_bool(value) -> bool | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "pass", "passed"):
        return True
    if text in ("0", "false", "no", "fail", "failed"):
        return False
    return None


def _check_value(item: ChecklistItem, score, passed, field: str):
    """Validate one entered result against its item; returns (score, passed)."""
    if item.kind == ItemKind.PASS_FAIL:
        if score not in (None, ""):
            raise DomainError(_("“%(t)s”是合格/不合格项，不打分。") % {"t": item.text}, field=field)
        value = _as_bool(passed)
        if value is None:
            raise DomainError(_("“%(t)s”请选择合格或不合格。") % {"t": item.text}, field=field)
        return None, value
    if passed not in (None, ""):
        raise DomainError(_("“%(t)s”是评分项，请填写得分。") % {"t": item.text}, field=field)
    value = _decimal(score, field, label=f"“{item.text}”")
    if value is None:
        raise DomainError(_("“%(t)s”请填写得分。") % {"t": item.text}, field=field)
    if value < 0:
        raise DomainError(_("“%(t)s”得分不能为负数。") % {"t": item.text}, field=field)
    if value > item.max_score:
        raise DomainError(
            _("“%(t)s”得分不能超过满分 %(m)s。")
            % {"t": item.text, "m": f"{item.max_score.normalize():f}"},
            field=field,
        )
    return value, None


def _collect(errors: dict, exc: DomainError) -> None:
    if exc.errors:
        for key, messages in exc.errors.items():
            errors.setdefault(key, []).extend(messages)
    else:
        errors.setdefault(exc.field or "detail", []).append(exc.message)


def _raise(errors: dict) -> None:
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first, errors=errors)


@transaction.atomic
def record_results(
    *,
    inspection: Inspection,
    actor: User,
    results: Sequence[ItemInput],
    photos: Mapping[str, Sequence] | None = None,
    summary: str | None = None,
    remove_findings: Sequence[int] = (),
    findings: Sequence[Mapping] = (),
    at: dt.datetime | None = None,
) -> Inspection:
    """Save scores, notes, photos and new findings of a draft. Everything is checked
    first; one bad value (a score above the maximum, an unknown item, a finding without
    priority, a file that is not an image) saves nothing. Errors are keyed
    ``items.<key>``, ``photos.<key>`` and ``findings.<n>.<field>``."""
    at = _now(at)
    inspection = _lock(inspection)
    _require(policy.can_follow_up(actor, inspection), _("你无权修改该巡检。"))
    if inspection.status != Status.DRAFT:
        raise InvalidTransition(_("报告已出具，巡检结果不能再修改。"))
    items = {i.key: i for i in inspection.template.items.all()}
    errors: dict[str, list] = {}
    cleaned = []
    seen = set()
    for entry in results:
        key = _text(entry.item)
        field = f"items.{key}"
        item = items.get(key)
        if item is None:
            errors.setdefault("items", []).append(
                _("检查项“%(k)s”不在该检查表中。") % {"k": key[:40]}
            )
            continue
        if key in seen:
            errors.setdefault(field, []).append(_("同一检查项只能填写一次。"))
            continue
        seen.add(key)
        if entry.score in (None, "") and entry.passed in (None, "") and not entry.note:
            continue  # not scored yet (a draft may be incomplete)
        try:
            score, passed = _check_value(item, entry.score, entry.passed, field)
        except DomainError as exc:
            _collect(errors, exc)
            continue
        cleaned.append((item, score, passed, _text(entry.note, limit=500)))
    existing_photos = {}
    for row in inspection.photos.filter(reinspection=False).values("item_id"):
        existing_photos[row["item_id"]] = existing_photos.get(row["item_id"], 0) + 1
    checked_photos = []
    for key, files in (photos or {}).items():
        files = [f for f in files if f]
        if not files:
            continue
        item = items.get(key)
        if item is None:
            errors.setdefault("photos", []).append(
                _("检查项“%(k)s”不在该检查表中。") % {"k": str(key)[:40]}
            )
            continue
        try:
            checked = _check_photos(
                files, f"photos.{key}", existing=existing_photos.get(item.pk, 0)
            )
        except DomainError as exc:
            _collect(errors, exc)
            continue
        checked_photos.append((item, checked))
    new_findings = []
    for index, data in enumerate(findings, start=1):
        try:
            new_findings.append(
                _clean_finding(inspection, data, items, prefix=f"findings.{index}.")
            )
        except DomainError as exc:
            _collect(errors, exc)
    _raise(errors)

    for item, score, passed, note in cleaned:
        ItemResult.objects.update_or_create(
            inspection=inspection,
            item=item,
            defaults={"score": score, "passed": passed, "note": note},
        )
    for item, checked in checked_photos:
        _save_photos(inspection, item, checked, actor)
    if remove_findings:
        inspection.findings.filter(pk__in=[int(pk) for pk in remove_findings]).delete()
    for data in new_findings:
        _create_finding(inspection, data)
    if summary is not None:
        inspection.summary = _text(summary, limit=4000)
    inspection.score = score_of(inspection)
    inspection.save()
    return inspection


def _clean_finding(inspection, data: Mapping, items: dict, *, prefix: str = "") -> dict:
    """Check one finding's input: text and priority are required; the item (a key of the
    inspection's checklist) and the metric (a core metric id) are optional."""
    errors: dict[str, list] = {}
    text = _text(data.get("text"))
    if not text:
        errors[f"{prefix}text"] = [_("请描述发现的问题。")]
    elif len(text) > 2000:
        errors[f"{prefix}text"] = [_("最多 %(n)d 个字。") % {"n": 2000}]
    priority = _text(data.get("priority"))
    if not priority:
        errors[f"{prefix}priority"] = [_("请选择优先级（高/中/低）。")]
    elif priority not in Priority.values:
        errors[f"{prefix}priority"] = [_("优先级应为 high、medium 或 low（高/中/低）。")]
    item = None
    key = data.get("item")
    if isinstance(key, ChecklistItem):
        key = key.key
    key = _text(key)
    if key:
        item = items.get(key)
        if item is None:
            errors[f"{prefix}item"] = [_("检查项“%(k)s”不在该检查表中。") % {"k": key[:40]}]
    metric = data.get("metric")
    if isinstance(metric, CoreMetric):
        metric = metric.pk
    if metric not in (None, ""):
        try:
            metric = inspection.metrics.filter(pk=int(metric)).first()
        except (TypeError, ValueError, OverflowError):
            metric = None
        if metric is None:
            errors[f"{prefix}metric"] = [_("关联指标不属于该巡检。")]
    else:
        metric = None
    _raise(errors)
    return {"text": text, "priority": priority, "item": item, "metric": metric}


def _create_finding(inspection, data: dict) -> Finding:
    top = inspection.findings.aggregate(s=Max("seq"))["s"] or 0
    return Finding.objects.create(inspection=inspection, seq=top + 1, **data)


@transaction.atomic
def add_finding(
    *,
    inspection: Inspection,
    actor: User,
    text: str,
    priority: str,
    item=None,
    metric=None,
    at=None,
) -> Finding:
    """A problem found while inspecting — or later, in a spot check during follow-up."""
    at = _now(at)
    inspection = _lock(inspection)
    _require(policy.can_follow_up(actor, inspection), _("你无权修改该巡检。"))
    _in_follow_up(inspection, "add_finding")
    items = {i.key: i for i in inspection.template.items.all()}
    data = _clean_finding(
        inspection, {"text": text, "priority": priority, "item": item, "metric": metric}, items
    )
    finding = _create_finding(inspection, data)
    if inspection.status != Status.DRAFT:
        _record(
            inspection,
            actor=actor,
            at=at,
            action=Action.UPDATE_FINDING,
            body=finding.text,
            data={"finding": finding.pk, "added": True},
        )
    return finding


@transaction.atomic
def add_metric(
    *,
    inspection: Inspection,
    actor: User,
    metric: str = "",
    name: str = "",
    unit: str = "",
    direction: str = "",
    baseline=None,
    standard=None,
    at=None,
) -> CoreMetric:
    """A core metric (核心指标) with its baseline: one of the known store metrics (its
    name, unit and direction filled in) or a named one."""
    at = _now(at)
    inspection = _lock(inspection)
    _require(policy.can_follow_up(actor, inspection), _("你无权修改该巡检。"))
    _in_follow_up(inspection, "add_metric")
    code = _text(metric)
    info = KNOWN_METRICS.get(code)
    if code and info is None:
        raise DomainError(_("未知的指标代码“%(c)s”。") % {"c": code[:40]}, field="metric")
    name = _text(name, limit=60) or (str(info.name) if info else "")
    if not name:
        raise DomainError(_("请选择指标或填写指标名称。"), field="name")
    direction = _text(direction) or (info.direction if info else "")
    if direction not in Direction.values:
        raise DomainError(_("请选择指标方向（越低越好/越高越好）。"), field="direction")
    base = _decimal(baseline, "baseline", label=_("巡检时数值"))
    if base is None:
        raise DomainError(_("请填写巡检时的数值（基线）。"), field="baseline")
    return CoreMetric.objects.create(
        inspection=inspection,
        metric=code,
        name=name,
        unit=_text(unit, limit=16) or (str(info.unit) if info else ""),
        direction=direction,
        baseline=base,
        standard=_decimal(standard, "standard", label=_("标准值")),
    )


def _missing_photos(inspection: Inspection, items) -> list[ChecklistItem]:
    with_photo = set(
        inspection.photos.filter(reinspection=False, item__isnull=False).values_list(
            "item_id", flat=True
        )
    )
    return [i for i in items if i.photo_required and i.pk not in with_photo]


def follow_up_plan(report_day: dt.date) -> list[tuple[str, int, dt.date, dt.date]]:
    """(kind, order, starts_on, due_on) of every follow-up step from the report date."""
    return [
        (
            plan.kind,
            order,
            report_day + dt.timedelta(days=plan.from_days),
            report_day + dt.timedelta(days=plan.due_days),
        )
        for order, plan in enumerate(FOLLOW_UP_PLAN, start=1)
    ]


@transaction.atomic
def issue_report(*, inspection: Inspection, actor: User, at=None) -> Inspection:
    """出具报告: every item has a result and every photo the checklist requires; the
    weighted score is fixed, the follow-up plan is dated from today, and the store's
    manager (and its ops specialists) are told."""
    at = _now(at)
    inspection = _lock(inspection)
    INSPECTION_FLOW.check(inspection, Action.ISSUE_REPORT, actor)
    items = list(inspection.template.items.all())
    results = results_by_item(inspection)
    errors: dict[str, list] = {}
    for item in items:
        if not _scored(item, results.get(item.pk)).has_result:
            errors.setdefault(f"items.{item.key}", []).append(
                _("“%(t)s”尚未评分。") % {"t": item.text}
            )
    for item in _missing_photos(inspection, items):
        errors.setdefault(f"photos.{item.key}", []).append(
            _("“%(t)s”必须拍照。") % {"t": item.text}
        )
    _raise(errors)
    report_day = _today(at)
    if report_day < inspection.inspected_on:
        raise DomainError(_("报告日期不能早于巡检日期。"), field="date")
    inspection.score = score_of(inspection, items=items, results=results)
    inspection.reported_at = at
    inspection.reported_on = report_day
    INSPECTION_FLOW.transition(
        inspection,
        action=Action.ISSUE_REPORT,
        actor=actor,
        at=at,
        body="",
        data={"score": str(inspection.score)},
    )
    inspection.save()
    FollowUpStep.objects.bulk_create(
        FollowUpStep(inspection=inspection, kind=kind, seq=seq, starts_on=start, due_on=due)
        for kind, seq, start, due in follow_up_plan(report_day)
    )
    ClosureCheck.objects.get_or_create(inspection=inspection)
    notices.report_issued(inspection, at)
    return inspection


@transaction.atomic
def create_inspection(
    *,
    actor: User,
    store: Store | None,
    template: ChecklistTemplate | None,
    inspected_on,
    results: Sequence[ItemInput],
    findings: Sequence[Mapping] = (),
    metrics: Sequence[Mapping] = (),
    summary: str = "",
    issue: bool = True,
    at=None,
) -> Inspection:
    """The whole inspection in one call (the API): start, record, add metrics and
    findings, and unless ``issue`` is false issue the report. All or nothing."""
    at = _now(at)
    inspection = start_inspection(
        actor=actor, store=store, template=template, inspected_on=inspected_on, at=at
    )
    errors: dict[str, list] = {}
    created_metrics = []
    for index, data in enumerate(metrics, start=1):
        try:
            created_metrics.append(add_metric(inspection=inspection, actor=actor, at=at, **data))
        except DomainError as exc:
            for key, messages in (exc.errors or {exc.field or "detail": [exc.message]}).items():
                errors.setdefault(f"metrics.{index}.{key}", []).extend(messages)
        except TypeError:
            errors.setdefault(f"metrics.{index}", []).append(_("指标格式无效。"))
    _raise(errors)
    record_results(
        inspection=inspection,
        actor=actor,
        results=results,
        findings=findings,
        summary=summary,
        at=at,
    )
    if issue:
        issue_report(inspection=inspection, actor=actor, at=at)
    inspection.refresh_from_db()
    return inspection


# --- follow-up steps --------------------------------------------------------------------


def _step(inspection: Inspection, kind: str) -> FollowUpStep:
    return FollowUpStep.objects.select_for_update().get(inspection=inspection, kind=kind)


def _mark_done(step: FollowUpStep, day: dt.date, actor, note: str = "") -> bool:
    if step.done_on is not None:
        return False
    step.done_on = day
    step.done_by = actor
    if note:
        step.note = note
    step.save(update_fields=["done_on", "done_by", "note"])
    return True


@transaction.atomic
def record_step(
    *, inspection: Inspection, actor: User, kind: str, done_on, note: str = "", at=None
) -> FollowUpStep:
    """The 24-hour call (24 小时沟通) or the kick-off (启动会) took place. The kick-off
    produces the action plan: every finding needs an owner and a due date first."""
    at = _now(at)
    inspection = _lock(inspection)
    _require(policy.can_follow_up(actor, inspection), _("你无权记录该巡检的跟进。"))
    _in_follow_up(inspection, "record_step")
    if kind not in (StepKind.CALL, StepKind.KICKOFF):
        raise DomainError(_("只能在这里记录 24 小时沟通和启动会。"), field="kind")
    day = _not_future(_date(done_on, "date"), at, "date", _("日期"))
    _not_before_report(inspection, day, "date", _("日期"))
    if kind == StepKind.KICKOFF:
        missing = [
            f"#{f.seq}"
            for f in inspection.findings.all()
            if not f.owner_name.strip() or f.due_on is None
        ]
        if missing:
            raise DomainError(
                _("启动会要产出行动计划表：请先为问题 %(f)s 填写负责人和完成时间。")
                % {"f": "、".join(missing)},
                field="kind",
            )
    step = _step(inspection, kind)
    if step.done_on is not None:
        raise InvalidTransition(_("该步骤已于 %(d)s 完成。") % {"d": step.done_on})
    _mark_done(step, day, actor, _text(note, limit=4000))
    _record(
        inspection,
        actor=actor,
        at=at,
        action=Action.RECORD_STEP,
        body=step.note,
        data={"step": kind, "date": day.isoformat()},
    )
    return step


def week_of(inspection: Inspection, day: dt.date) -> int:
    """The follow-up week (1–4) a date falls in: week n is days 7(n−1)+1 … 7n after the
    report date (the report day itself counts to week 1)."""
    days = (day - inspection.reported_on).days
    return min(max((days + 6) // 7, 1), len(WEEKLY_STEPS))


@transaction.atomic
def add_follow_up_log(
    *,
    inspection: Inspection,
    actor: User,
    date,
    participants: str,
    done=(),
    in_progress=(),
    not_started=(),
    difficulties=(),
    next_week=(),
    at=None,
) -> FollowUpLog:
    """跟进日志 of a weekly call: done / in progress / not started, difficulties and
    support, next week's plan. It completes the weekly step of the week it falls in."""
    at = _now(at)
    inspection = _lock(inspection)
    _require(policy.can_follow_up(actor, inspection), _("你无权记录该巡检的跟进。"))
    _in_follow_up(inspection, "log")
    day = _not_future(_date(date, "date"), at, "date", _("跟进日期"))
    _not_before_report(inspection, day, "date", _("跟进日期"))
    participants = _required(participants, "participants", _("请填写参与人。"), limit=200)
    difficulties = _lines(difficulties)
    log = FollowUpLog.objects.create(
        inspection=inspection,
        date=day,
        participants=participants,
        done=_lines(done),
        in_progress=_lines(in_progress),
        not_started=_lines(not_started),
        difficulties=difficulties,
        next_week=_lines(next_week),
        needs_support=bool(difficulties),
        recorded_by=actor,
        recorded_at=at,
    )
    kind = WEEKLY_STEPS[week_of(inspection, day) - 1]
    _mark_done(_step(inspection, kind), day, actor)
    _record(
        inspection,
        actor=actor,
        at=at,
        action=Action.FOLLOW_UP_LOG,
        data={"log": log.pk, "step": kind, "date": day.isoformat()},
    )
    return log


@transaction.atomic
def record_spot_check(
    *,
    inspection: Inspection,
    actor: User,
    kind: str,
    date,
    hardware: str,
    process: str,
    people: str,
    data: str,
    note: str = "",
    at=None,
) -> SpotCheck:
    """抽查 over hardware, process, people and data: remote (week 2) or on site (week 4)."""
    at = _now(at)
    inspection = _lock(inspection)
    _require(policy.can_follow_up(actor, inspection), _("你无权记录该巡检的跟进。"))
    _in_follow_up(inspection, "spot_check")
    if kind not in SpotCheckKind.values:
        raise DomainError(_("请选择抽查方式（远程/现场）。"), field="kind")
    day = _not_future(_date(date, "date"), at, "date", _("抽查日期"))
    _not_before_report(inspection, day, "date", _("抽查日期"))
    values = {"hardware": hardware, "process": process, "people": people, "data": data}
    for field, value in values.items():
        if value not in SpotResult.values:
            raise DomainError(_("请为每个维度选择结果。"), field=field)
    check = SpotCheck.objects.create(
        inspection=inspection,
        kind=kind,
        date=day,
        note=_text(note, limit=4000),
        recorded_by=actor,
        **values,
    )
    step_kind = StepKind.SPOT_REMOTE if kind == SpotCheckKind.REMOTE else StepKind.SPOT_ONSITE
    _mark_done(_step(inspection, step_kind), day, actor)
    _record(
        inspection,
        actor=actor,
        at=at,
        action=Action.SPOT_CHECK,
        body=check.note,
        data={"spot_check": check.pk, "kind": kind, **values},
    )
    return check


# --- the action plan ----------------------------------------------------------------------

FINDING_FIELDS = ("status", "owner_name", "steps", "due_on", "acceptance_criterion", "resources")


@transaction.atomic
def update_finding(*, finding: Finding, actor: User, at=None, **changes) -> Finding:
    """Change an action-plan row (owner, steps, due, acceptance criterion, resources,
    status, linked metric). Only the fields given change."""
    at = _now(at)
    inspection = _lock(finding.inspection)
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    _require(policy.can_update_plan(actor, inspection), _("你无权修改该巡检的行动计划。"))
    unknown = set(changes) - {*FINDING_FIELDS, "metric"}
    if unknown:
        raise DomainError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    before = {}
    if "status" in changes:
        status = _text(changes["status"])
        if status not in FindingStatus.values:
            raise DomainError(_("状态应为 not_started、in_progress 或 solved。"), field="status")
        before["status"] = finding.status
        finding.status = status
        finding.solved_on = _today(at) if status == FindingStatus.SOLVED else None
    for field, limit in (
        ("owner_name", 64),
        ("steps", 4000),
        ("acceptance_criterion", 300),
        ("resources", 300),
    ):
        if field in changes:
            value = _text(changes[field])
            if len(value) > limit:
                raise DomainError(_("最多 %(n)d 个字。") % {"n": limit}, field=field)
            setattr(finding, field, value)
    if "due_on" in changes:
        finding.due_on = (
            None if changes["due_on"] in (None, "") else _date(changes["due_on"], "due_on")
        )
    if "metric" in changes:
        metric = changes["metric"]
        if metric in (None, ""):
            finding.metric = None
        else:
            pk = metric.pk if isinstance(metric, CoreMetric) else metric
            try:
                found = inspection.metrics.filter(pk=int(pk)).first()
            except (TypeError, ValueError, OverflowError):
                found = None
            if found is None:
                raise DomainError(_("关联指标不属于该巡检。"), field="metric")
            finding.metric = found
    finding.save()
    _record(
        inspection,
        actor=actor,
        at=at,
        action=Action.UPDATE_FINDING,
        body=f"#{finding.seq}",
        data={"finding": finding.pk, "before": before, "status": finding.status},
    )
    return finding


# --- acceptance -------------------------------------------------------------------------


def readings_of(metrics: Iterable[CoreMetric]) -> list[rules.Reading]:
    return [rules.Reading(m.name, m.direction, m.baseline, m.current, m.standard) for m in metrics]


def acceptance_verdict(inspection: Inspection, *, findings=None, metrics=None) -> rules.Verdict:
    """The acceptance rule on the inspection as it is now (shown live on its page)."""
    findings = list(inspection.findings.all()) if findings is None else findings
    metrics = list(inspection.metrics.all()) if metrics is None else metrics
    return rules.acceptance([(f.priority, f.status) for f in findings], readings_of(metrics))


@transaction.atomic
def reinspect(
    *,
    inspection: Inspection,
    actor: User,
    date,
    rescores: Sequence[ItemInput] = (),
    readings: Mapping = (),
    photos: Mapping[str, Sequence] | None = None,
    note: str = "",
    at=None,
) -> Reinspection:
    """效果验收 by re-inspection in weeks 4–6: only failed items are rescored; the core
    metrics get their readings; the acceptance rule then decides. Passed: the inspection
    is accepted and the experience is due within a week."""
    at = _now(at)
    inspection = _lock(inspection)
    _require(policy.can_follow_up(actor, inspection), _("你无权进行验收。"))
    _in_follow_up(inspection, "reinspect")
    day = _not_future(_date(date, "date"), at, "date", _("复检日期"))
    acceptance_step = _step(inspection, StepKind.ACCEPTANCE)
    if day < acceptance_step.starts_on:
        raise DomainError(
            _("效果验收在报告后第 4–6 周进行，最早 %(d)s。") % {"d": acceptance_step.starts_on},
            field="date",
        )
    items = list(inspection.template.items.all())
    by_key = {i.key: i for i in items}
    results = results_by_item(inspection)
    failed = {i.pk for i in failed_items(inspection, items=items, results=results)}
    errors: dict[str, list] = {}
    cleaned = []
    for entry in rescores:
        key = _text(entry.item)
        item = by_key.get(key)
        field = f"items.{key}"
        if item is None:
            errors.setdefault("items", []).append(
                _("检查项“%(k)s”不在该检查表中。") % {"k": key[:40]}
            )
            continue
        if entry.score in (None, "") and entry.passed in (None, ""):
            continue
        if item.pk not in failed:
            errors.setdefault(field, []).append(
                _("“%(t)s”巡检时已合格，复检只对不合格项重新评分。") % {"t": item.text}
            )
            continue
        try:
            cleaned.append((item, *_check_value(item, entry.score, entry.passed, field)))
        except DomainError as exc:
            _collect(errors, exc)
    metrics = {m.pk: m for m in inspection.metrics.all()}
    new_readings = {}
    for raw_pk, value in dict(readings or {}).items():
        try:
            metric = metrics.get(int(raw_pk))
        except (TypeError, ValueError, OverflowError):
            metric = None
        if metric is None:
            errors.setdefault("readings", []).append(_("指标不属于该巡检。"))
            continue
        try:
            number = _decimal(value, f"readings.{metric.pk}", label=f"“{metric.name}”")
        except DomainError as exc:
            _collect(errors, exc)
            continue
        if number is not None:
            new_readings[metric.pk] = number
    checked_photos = []
    for key, files in (photos or {}).items():
        files = [f for f in files if f]
        if files and key in by_key:
            try:
                checked_photos.append((by_key[key], _check_photos(files, f"photos.{key}")))
            except DomainError as exc:
                _collect(errors, exc)
    _raise(errors)

    for item, score, passed in cleaned:
        result = results[item.pk]
        result.rescore, result.repassed = score, passed
        result.save(update_fields=["rescore", "repassed"])
    for pk, number in new_readings.items():
        metric = metrics[pk]
        metric.current, metric.measured_on = number, day
        metric.save(update_fields=["current", "measured_on"])
    for item, checked in checked_photos:
        _save_photos(inspection, item, checked, actor, reinspection=True)
    acceptance_score = score_of(inspection, rescored=True, items=items, results=results)
    verdict = acceptance_verdict(inspection, metrics=list(metrics.values()))
    review = Reinspection.objects.create(
        inspection=inspection,
        date=day,
        inspector=actor,
        score=acceptance_score,
        passed=verdict.passed,
        result=verdict.as_dict(),
        note=_text(note, limit=4000),
    )
    inspection.acceptance_score = acceptance_score
    _record(
        inspection,
        actor=actor,
        at=at,
        action=Action.REINSPECT,
        body=review.note,
        data={"reinspection": review.pk, "passed": verdict.passed, "score": str(acceptance_score)},
    )
    if verdict.passed:
        INSPECTION_FLOW.transition(inspection, action=Action.ACCEPT, actor=actor, at=at)
        inspection.accepted_on = day
        _mark_done(acceptance_step, day, actor)
        experience = _step(inspection, StepKind.EXPERIENCE)
        experience.due_on = day + dt.timedelta(days=EXPERIENCE_DAYS_AFTER_ACCEPTANCE)
        experience.starts_on = day
        experience.save(update_fields=["due_on", "starts_on"])
    inspection.save()
    notices.reinspected(inspection, review, at)
    return review


@transaction.atomic
def capture_experience(
    *,
    inspection: Inspection,
    actor: User,
    title: str,
    problem: str,
    root_cause: str,
    solution: str,
    effect: str,
    captured_on,
    standard_updated: bool = False,
    replicability=3,
    at=None,
) -> Experience:
    """经验沉淀 within a week after acceptance: 问题-根因-方案-效果."""
    at = _now(at)
    inspection = _lock(inspection)
    _require(policy.can_follow_up(actor, inspection), _("你无权记录该巡检的跟进。"))
    _in_follow_up(inspection, "experience")
    day = _not_future(_date(captured_on, "captured_on"), at, "captured_on", _("沉淀日期"))
    if inspection.accepted_on and day < inspection.accepted_on:
        raise DomainError(_("经验沉淀在验收通过之后。"), field="captured_on")
    try:
        stars = int(replicability)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise DomainError(_("可复制性为 1–5 星。"), field="replicability")
    fields = {
        "title": _required(title, "title", _("请填写案例标题。"), limit=200),
        "problem": _required(problem, "problem", _("请填写问题。"), limit=4000),
        "root_cause": _required(root_cause, "root_cause", _("请填写根因。"), limit=4000),
        "solution": _required(solution, "solution", _("请填写方案。"), limit=4000),
        "effect": _required(effect, "effect", _("请填写效果。"), limit=4000),
    }
    experience, _created = Experience.objects.update_or_create(
        inspection=inspection,
        defaults={
            **fields,
            "standard_updated": bool(standard_updated),
            "replicability": stars,
            "captured_on": day,
            "recorded_by": actor,
        },
    )
    _mark_done(_step(inspection, StepKind.EXPERIENCE), day, actor)
    _record(inspection, actor=actor, at=at, action=Action.EXPERIENCE, body=fields["title"])
    return experience


# --- closure ----------------------------------------------------------------------------

CLOSURE_FLAGS = ("new_habits", "store_shares", "others_learn", "in_standard", "sustained")


def closure_verdict(inspection: Inspection, *, findings=None, metrics=None) -> rules.ClosureVerdict:
    """The source's closure conditions on the inspection as it is now."""
    findings = list(inspection.findings.all()) if findings is None else findings
    metrics = list(inspection.metrics.all()) if metrics is None else metrics
    check = getattr(inspection, "closure_check", None)
    experience = getattr(inspection, "experience", None)
    high = [f.status for f in findings if f.priority == Priority.HIGH]
    share = rules.solved_share(high)
    flags = {name: bool(check and getattr(check, name)) for name in CLOSURE_FLAGS}
    return rules.closure(
        necessary={
            "high_solved": share is None or share == 1,
            "metrics_improved": rules.metrics_check(readings_of(metrics)).met,
            "new_habits": flags["new_habits"],
            "report_archived": inspection.accepted_on is not None,
            "experience_captured": experience is not None,
        },
        sufficient={
            "store_shares": flags["store_shares"],
            "others_learn": flags["others_learn"],
            "in_standard": flags["in_standard"] or bool(experience and experience.standard_updated),
            "sustained": flags["sustained"],
        },
    )


@transaction.atomic
def update_closure_check(*, inspection: Inspection, actor: User, at=None, **flags) -> ClosureCheck:
    """Confirm (or withdraw) the conditions people judge: new habits and the four
    sufficient ones. Only the flags given change."""
    at = _now(at)
    inspection = _lock(inspection)
    _require(policy.can_follow_up(actor, inspection), _("你无权确认闭环条件。"))
    _in_follow_up(inspection, "closure")
    unknown = set(flags) - {*CLOSURE_FLAGS, "note"}
    if unknown:
        raise DomainError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    check, _created = ClosureCheck.objects.get_or_create(inspection=inspection)
    for name, value in flags.items():
        setattr(check, name, _text(value, limit=4000) if name == "note" else bool(value))
    check.updated_by = actor
    check.save()
    return check


@transaction.atomic
def close_inspection(*, inspection: Inspection, actor: User, at=None) -> Inspection:
    """闭环: all five necessary conditions and at least two of the four sufficient."""
    at = _now(at)
    inspection = _lock(inspection)
    INSPECTION_FLOW.check(inspection, Action.CLOSE, actor)
    verdict = closure_verdict(inspection)
    if not verdict.closable:
        missing = [str(c.label) for c in verdict.necessary if not c.met]
        if verdict.sufficient_count < SUFFICIENT_NEEDED:
            missing.append(
                _("充分条件至少满足 2 项（现为 %(n)d 项）") % {"n": verdict.sufficient_count}
            )
        raise InvalidTransition(_("还不能闭环：%(m)s。") % {"m": "；".join(missing)})
    inspection.closed_at = at
    INSPECTION_FLOW.transition(
        inspection, action=Action.CLOSE, actor=actor, at=at, data=verdict.as_dict()
    )
    inspection.save()
    return inspection


# --- resource requests --------------------------------------------------------------------


def _department(value) -> Department | None:
    if value in (None, ""):
        return None
    if isinstance(value, Department):
        return value
    code = _text(value)
    department = Department.objects.filter(code=code).first() if "\x00" not in code else None
    if department is None:
        raise DomainError(_("部门“%(d)s”不存在。") % {"d": code[:32]}, field="department")
    return department


@transaction.atomic
def request_resource(
    *,
    inspection: Inspection,
    actor: User,
    kind: str,
    what: str,
    department=None,
    expected_on=None,
    at=None,
) -> ResourceRequest:
    """资源协调: IT, training, budget or equipment. Open, it marks the store as needing
    support on the board; the department it names hears of it."""
    at = _now(at)
    inspection = _lock(inspection)
    _require(policy.can_request_resource(actor, inspection), _("你无权为该巡检申请资源。"))
    if kind not in ResourceKind.values:
        raise DomainError(_("请选择资源类型（IT/培训/预算/设备）。"), field="kind")
    what = _required(what, "what", _("请写明需要什么。"), limit=200)
    department = _department(department)
    expected = None if expected_on in (None, "") else _date(expected_on, "expected_on")
    request = ResourceRequest.objects.create(
        inspection=inspection,
        kind=kind,
        what=what,
        department=department,
        expected_on=expected,
        requested_by=actor,
        created_at=at,
    )
    _record(
        inspection,
        actor=actor,
        at=at,
        action=Action.RESOURCE,
        body=what,
        data={"request": request.pk, "status": request.status},
    )
    notices.resource_requested(request, at)
    return request


@transaction.atomic
def update_resource(
    *, request: ResourceRequest, actor: User, status: str, expected_on=None, at=None
) -> ResourceRequest:
    at = _now(at)
    request = (
        ResourceRequest.objects.select_for_update().select_related("inspection").get(pk=request.pk)
    )
    _require(policy.can_update_resource(actor, request), _("你无权更新该资源协调。"))
    if status not in ResourceStatus.values:
        raise DomainError(_("请选择状态。"), field="status")
    before = request.status
    request.status = status
    if expected_on not in (None, ""):
        request.expected_on = _date(expected_on, "expected_on")
    request.save()
    _record(
        request.inspection,
        actor=actor,
        at=at,
        action=Action.RESOURCE,
        body=request.what,
        data={"request": request.pk, "from": before, "status": status},
    )
    return request


# --- a finding becomes an issue -------------------------------------------------------------

#: The issue category a finding's checklist dimension suggests.
AREA_CATEGORY = {
    Area.HARDWARE: "supply_chain",
    Area.PROCESS: "process",
    Area.PEOPLE: "people",
    Area.DATA: "system",
}


def issue_prefill(finding: Finding) -> dict:
    """What the issue form starts with: the finding's text as title and description
    (with the inspection it came from), the category its checklist dimension suggests."""
    inspection = finding.inspection
    item = finding.item
    lines = [
        finding.text,
        "",
        _("来源：%(store)s %(day)s 巡检，问题 #%(n)d，优先级%(p)s。")
        % {
            "store": inspection.store.name,
            "day": inspection.inspected_on.isoformat(),
            "n": finding.seq,
            "p": finding.get_priority_display(),
        },
    ]
    if item is not None:
        lines.append(_("检查项：%(t)s") % {"t": item.text})
    title = " ".join(finding.text.split())
    return {
        "title": title[:60] + ("…" if len(title) > 60 else ""),
        "description": "\n".join(lines),
        "category": AREA_CATEGORY.get(item.area if item else "", "process"),
        "impact_scope": "store",
    }


@transaction.atomic
def finding_to_issue(
    *,
    finding: Finding,
    actor: User,
    category: str | None = None,
    impact_scope: str | None = None,
    title: str | None = None,
    description: str | None = None,
    at=None,
):
    """转为问题: the finding becomes an issue of its store (channel 巡检), pre-filled from
    it, and the two are linked (finding → issue; the issue's page shows the finding)."""
    from issues.choices import Channel
    from issues.services import create_issue

    at = _now(at)
    inspection = _lock(finding.inspection)
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    _require(policy.can_follow_up(actor, inspection), _("你无权把该问题转为问题单。"))
    _in_follow_up(inspection, "to_issue")
    if finding.issue_id is not None:
        raise InvalidTransition(_("该发现问题已转为问题 %(n)s。") % {"n": finding.issue.number})
    prefill = issue_prefill(finding)
    issue, _created = create_issue(
        submitted_by=actor,
        store=inspection.store,
        category=category or prefill["category"],
        title=prefill["title"] if title is None else title,
        description=prefill["description"] if description is None else description,
        impact_scope=impact_scope or prefill["impact_scope"],
        channel=Channel.INSPECTION,
        at=at,
    )
    finding.issue = issue
    finding.save(update_fields=["issue"])
    _record(
        inspection,
        actor=actor,
        at=at,
        action=Action.TO_ISSUE,
        body=issue.number,
        data={"finding": finding.pk, "issue": issue.number},
    )
    return issue
