"""The inspection report (巡检报告): what the page and the PDF show, the PDF itself
(WeasyPrint, Noto CJK fonts, photos embedded), and photo thumbnails."""

from __future__ import annotations

import base64
import io
from collections import defaultdict

from django.template.loader import render_to_string
from django.utils import timezone

from . import services
from .choices import Priority

THUMBNAIL_SIZE = (480, 480)
PDF_PHOTO_SIZE = (900, 900)


def _resized(photo, size) -> bytes | None:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with photo.file.open("rb") as handle, Image.open(handle) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail(size)
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, "JPEG", quality=80)
            return out.getvalue()
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None


def thumbnail(photo) -> bytes | None:
    return _resized(photo, THUMBNAIL_SIZE)


def report_context(inspection, *, embed_photos: bool = False) -> dict:
    """Everything the report shows, in a fixed number of queries."""
    items = list(inspection.template.items.all())
    results = services.results_by_item(inspection)
    photos = defaultdict(list)
    for photo in inspection.photos.all():
        if embed_photos:
            data = _resized(photo, PDF_PHOTO_SIZE)
            photo.data_uri = (
                "data:image/jpeg;base64," + base64.b64encode(data).decode() if data else ""
            )
        photos[photo.item_id].append(photo)
    failed = {i.pk for i in services.failed_items(inspection, items=items, results=results)}
    section_scores = dict(services.section_scores(inspection, items=items, results=results))
    sections = []
    for title, section_items in services.sections(items):
        rows = []
        for item in section_items:
            result = results.get(item.pk)
            rows.append(
                {
                    "item": item,
                    "result": result,
                    "failed": item.pk in failed,
                    "photos": [p for p in photos.get(item.pk, []) if not p.reinspection],
                    "rephotos": [p for p in photos.get(item.pk, []) if p.reinspection],
                }
            )
        sections.append({"title": title, "score": section_scores.get(title), "rows": rows})
    findings = list(inspection.findings.select_related("item", "metric", "issue"))
    metrics = list(inspection.metrics.all())
    return {
        "inspection": inspection,
        "sections": sections,
        "findings": findings,
        "by_priority": [
            (value, label, [f for f in findings if f.priority == value])
            for value, label in Priority.choices
        ],
        "metrics": metrics,
        "steps": list(inspection.follow_up.order_by("due_on", "seq")),
        "acceptance": services.acceptance_verdict(inspection, findings=findings, metrics=metrics),
        "failed_count": len(failed),
        "generated_at": timezone.now(),
    }


def render_pdf(inspection) -> bytes:
    """The report as a PDF with its photos and Chinese fonts (WeasyPrint)."""
    from weasyprint import HTML

    html = render_to_string(
        "inspections/report_pdf.html", report_context(inspection, embed_photos=True)
    )
    return HTML(string=html).write_pdf()
