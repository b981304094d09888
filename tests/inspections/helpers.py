"""Helpers to drive inspections through their life in tests, via the service functions."""

from __future__ import annotations

import datetime as dt

from inspections import services
from inspections.services import ItemInput
from tests.factories import SHANGHAI

#: Default checklist keys and kinds (inspections/defaults.py).
SCORE_KEYS = [
    "hw_lounge",
    "hw_equipment",
    "pr_reception",
    "pr_progress",
    "pr_dispatch",
    "pe_dms",
    "pe_script",
    "da_records",
]
PASS_KEYS = ["hw_display", "hw_signage", "pr_delivery", "pe_training", "da_waiting", "da_nps"]
PHOTO_KEYS = ["hw_display", "hw_lounge"]


def moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def full_marks(**overrides) -> list[ItemInput]:
    """Every default item at full marks (passed), with ``key=value`` overrides: a number
    for score items, True/False for pass/fail items."""
    rows = []
    for key in SCORE_KEYS:
        rows.append(ItemInput(key, score=overrides.get(key, 10)))
    for key in PASS_KEYS:
        rows.append(ItemInput(key, passed=overrides.get(key, True)))
    return rows


def photo(name="photo.png", color=(200, 30, 30)):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def photos(keys=PHOTO_KEYS):
    """One photo per key, each a different picture."""
    return {key: [photo(f"{key}.png", (40 * n, 120, 200))] for n, key in enumerate(keys)}


def start(cast, *, store=None, day=dt.date(2026, 11, 20), who=None, template=None):
    return services.start_inspection(
        actor=who or cast.ops,
        store=store or cast.org.hangzhou,
        template=template or services.ensure_default_template(),
        inspected_on=day,
        at=moment(day, 9),
    )


def perform(
    cast,
    *,
    store=None,
    day=dt.date(2026, 11, 20),
    report_day=None,
    who=None,
    findings=(),
    metrics=(),
    issue=True,
    **overrides,
):
    """A whole inspection through the services: started, scored (full marks unless
    overridden), required photos taken, findings and core metrics added, the report
    issued on ``report_day`` (default: the inspection day)."""
    who = who or cast.ops
    inspection = start(cast, store=store, day=day, who=who)
    for metric in metrics:
        services.add_metric(inspection=inspection, actor=who, at=moment(day), **metric)
    services.record_results(
        inspection=inspection,
        actor=who,
        results=full_marks(**overrides),
        photos=photos(),
        findings=list(findings),
        at=moment(day, 11),
    )
    if issue:
        services.issue_report(inspection=inspection, actor=who, at=moment(report_day or day, 17))
    inspection.refresh_from_db()
    return inspection


def finding(text="进度显示屏未安装", priority="high", item=""):
    return {"text": text, "priority": priority, "item": item}
