"""A report as PDF: the printable page's content laid out for A4 with the Noto CJK fonts
(WeasyPrint), its charts as inline SVG. Nothing is fetched."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from . import render
from .models import Report


def report_html(report: Report) -> str:
    return render_to_string(
        "reports/report_pdf.html",
        {
            "report": report,
            "sections": render.sections(report),
            "printed_at": timezone.localtime(),
        },
    )


def report_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    return HTML(string=report_html(report)).write_pdf()
