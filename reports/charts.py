"""Server-rendered SVG bar charts of a snapshot's ``charts`` (the page and the PDF share
them; no JavaScript, nothing fetched). Values are escaped; empty values draw no bar."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .choices import ColumnType

WIDTH, HEIGHT = 640, 240
LEFT, BOTTOM, TOP = 40, 48, 24
COLOUR = "#0d6efd"


def label(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == ColumnType.PERCENT:
        return f"{round(value * 100)}%"
    if unit == ColumnType.DECIMAL:
        return f"{value:.1f}"
    return f"{int(value)}"


def bar_svg(chart: dict) -> str:
    values = chart["values"]
    labels = chart["labels"]
    unit = chart.get("unit", ColumnType.INT)
    top = max([v for v in values if v is not None] or [0]) or 1
    count = max(len(values), 1)
    slot = (WIDTH - LEFT - 8) / count
    bar = slot * 0.6
    plot = HEIGHT - BOTTOM - TOP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-label="{escape(chart["title"])}" class="report-chart">',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - 4}" y2="{HEIGHT - BOTTOM}" '
        'stroke="#888" stroke-width="1"/>',
    ]
    for i, (name, value) in enumerate(zip(labels, values, strict=False)):
        x = LEFT + i * slot + (slot - bar) / 2
        centre = x + bar / 2
        if value is not None:
            h = plot * max(value, 0) / top
            y = HEIGHT - BOTTOM - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{COLOUR}"/>'
            )
            parts.append(
                f'<text x="{centre:.1f}" y="{y - 4:.1f}" font-size="12" '
                f'text-anchor="middle">{escape(label(value, unit))}</text>'
            )
        parts.append(
            f'<text x="{centre:.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="11" '
            f'text-anchor="middle">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped
